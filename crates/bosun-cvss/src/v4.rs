//! CVSS v4.0 score (specification section 8: macrovectors EQ1..EQ6, the
//! macrovector table, and interpolation by severity distance within the
//! macrovector).

use crate::v4_lookup::LOOKUP;
use crate::{CvssError, Score, Version, pairs};

/// Every metric with its allowed values, in the specification's order. The
/// first 11 are mandatory.
const METRICS: &[(&str, &[&str])] = &[
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("AT", &["N", "P"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "P", "A"]),
    ("VC", &["H", "L", "N"]),
    ("VI", &["H", "L", "N"]),
    ("VA", &["H", "L", "N"]),
    ("SC", &["H", "L", "N"]),
    ("SI", &["H", "L", "N"]),
    ("SA", &["H", "L", "N"]),
    ("E", &["X", "A", "P", "U"]),
    ("CR", &["X", "H", "M", "L"]),
    ("IR", &["X", "H", "M", "L"]),
    ("AR", &["X", "H", "M", "L"]),
    ("MAV", &["X", "N", "A", "L", "P"]),
    ("MAC", &["X", "L", "H"]),
    ("MAT", &["X", "N", "P"]),
    ("MPR", &["X", "N", "L", "H"]),
    ("MUI", &["X", "N", "P", "A"]),
    ("MVC", &["X", "H", "L", "N"]),
    ("MVI", &["X", "H", "L", "N"]),
    ("MVA", &["X", "H", "L", "N"]),
    ("MSC", &["X", "H", "L", "N"]),
    ("MSI", &["X", "S", "H", "L", "N"]),
    ("MSA", &["X", "S", "H", "L", "N"]),
    ("S", &["X", "N", "P"]),
    ("AU", &["X", "N", "Y"]),
    ("R", &["X", "A", "U", "I"]),
    ("V", &["X", "D", "C"]),
    ("RE", &["X", "L", "M", "H"]),
    ("U", &["X", "Clear", "Green", "Amber", "Red"]),
];

const MANDATORY: usize = 11;

/// The vector's effective values (`m()` in the reference calculator):
/// modified metrics override base ones; `E` defaults to `A`, `CR`/`IR`/`AR` to `H`.
struct Effective<'a> {
    values: Vec<(&'a str, &'a str)>,
}

impl<'a> Effective<'a> {
    fn raw(&self, m: &str) -> Option<&'a str> {
        self.values.iter().find(|(k, _)| *k == m).map(|(_, v)| *v)
    }

    fn m(&self, metric: &str) -> &'a str {
        let sel = self.raw(metric).unwrap_or("X");
        match (metric, sel) {
            ("E", "X") => return "A",
            ("CR" | "IR" | "AR", "X") => return "H",
            _ => {}
        }
        let modified = match metric {
            "AV" => Some("MAV"),
            "AC" => Some("MAC"),
            "AT" => Some("MAT"),
            "PR" => Some("MPR"),
            "UI" => Some("MUI"),
            "VC" => Some("MVC"),
            "VI" => Some("MVI"),
            "VA" => Some("MVA"),
            "SC" => Some("MSC"),
            "SI" => Some("MSI"),
            "SA" => Some("MSA"),
            _ => None,
        };
        if let Some(mm) = modified
            && let Some(v) = self.raw(mm)
            && v != "X"
        {
            return v;
        }
        sel
    }
}

fn macrovector(e: &Effective<'_>) -> [u8; 6] {
    let (av, pr, ui) = (e.m("AV"), e.m("PR"), e.m("UI"));
    let eq1 = if av == "N" && pr == "N" && ui == "N" {
        0
    } else if (av == "N" || pr == "N" || ui == "N") && av != "P" {
        1
    } else {
        2
    };
    let eq2 = if e.m("AC") == "L" && e.m("AT") == "N" {
        0
    } else {
        1
    };
    let (vc, vi, va) = (e.m("VC"), e.m("VI"), e.m("VA"));
    let eq3 = if vc == "H" && vi == "H" {
        0
    } else if vc == "H" || vi == "H" || va == "H" {
        1
    } else {
        2
    };
    // `m("MSI")` is the raw modified value (no `MMSI`), as in the reference.
    let eq4 = if e.m("MSI") == "S" || e.m("MSA") == "S" {
        0
    } else if e.m("SC") == "H" || e.m("SI") == "H" || e.m("SA") == "H" {
        1
    } else {
        2
    };
    let eq5 = match e.m("E") {
        "A" => 0,
        "P" => 1,
        _ => 2,
    };
    let eq6 = if (e.m("CR") == "H" && vc == "H")
        || (e.m("IR") == "H" && vi == "H")
        || (e.m("AR") == "H" && va == "H")
    {
        0
    } else {
        1
    };
    [eq1, eq2, eq3, eq4, eq5, eq6]
}

fn lookup(mv: [u8; 6]) -> Option<f64> {
    let mut key = [0u8; 6];
    for (k, d) in key.iter_mut().zip(mv) {
        if d > 9 {
            return None;
        }
        *k = b'0' + d;
    }
    let key = std::str::from_utf8(&key).ok()?;
    LOOKUP.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The highest-severity vectors of each macrovector class (the reference
/// calculator's `maxComposed`), as metric lists.
fn eq1_maxes(eq1: u8) -> &'static [&'static str] {
    match eq1 {
        0 => &["AV:N/PR:N/UI:N"],
        1 => &["AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"],
        _ => &["AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"],
    }
}

fn eq2_maxes(eq2: u8) -> &'static [&'static str] {
    match eq2 {
        0 => &["AC:L/AT:N"],
        _ => &["AC:H/AT:N", "AC:L/AT:P"],
    }
}

fn eq3eq6_maxes(eq3: u8, eq6: u8) -> &'static [&'static str] {
    match (eq3, eq6) {
        (0, 0) => &["VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"],
        (0, _) => &[
            "VC:H/VI:H/VA:L/CR:M/IR:M/AR:H",
            "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M",
        ],
        (1, 0) => &[
            "VC:L/VI:H/VA:H/CR:H/IR:H/AR:H",
            "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H",
        ],
        (1, _) => &[
            "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H",
            "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M",
            "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M",
            "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H",
            "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M",
        ],
        _ => &["VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"],
    }
}

fn eq4_maxes(eq4: u8) -> &'static [&'static str] {
    match eq4 {
        0 => &["SC:H/SI:S/SA:S"],
        1 => &["SC:H/SI:H/SA:H"],
        _ => &["SC:L/SI:L/SA:L"],
    }
}

/// Severity levels of each metric value (distance from the worst value, in tenths).
fn level(metric: &str, value: &str) -> f64 {
    match (metric, value) {
        ("AV", "N") | ("PR", "N") | ("UI", "N") | ("AC", "L") | ("AT", "N") => 0.0,
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 0.1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 0.2,
        ("AV", "P") => 0.3,
        ("VC" | "VI" | "VA", "H") => 0.0,
        ("VC" | "VI" | "VA", "L") => 0.1,
        ("VC" | "VI" | "VA", "N") => 0.2,
        ("SC", "H") => 0.1,
        ("SC", "L") => 0.2,
        ("SC", "N") => 0.3,
        ("SI" | "SA", "S") => 0.0,
        ("SI" | "SA", "H") => 0.1,
        ("SI" | "SA", "L") => 0.2,
        ("SI" | "SA", "N") => 0.3,
        ("CR" | "IR" | "AR", "H") => 0.0,
        ("CR" | "IR" | "AR", "M") => 0.1,
        ("CR" | "IR" | "AR", "L") => 0.2,
        _ => 0.0,
    }
}

const DISTANCE_METRICS: [&str; 14] = [
    "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR",
];

fn max_value<'a>(max_vector: &'a [&'a str], metric: &str) -> &'a str {
    for part in max_vector {
        for kv in part.split('/') {
            if let Some((k, v)) = kv.split_once(':')
                && k == metric
            {
                return v;
            }
        }
    }
    ""
}

/// "Round half up" to one decimal with the reference calculator's epsilon.
fn final_round(x: f64) -> f64 {
    ((x + 1e-6) * 10.0 + 0.5).floor() / 10.0
}

pub(crate) fn score(vector: &str, body: &str) -> Result<Score, CvssError> {
    let ps = pairs(vector, body)?;
    for (m, v) in &ps {
        let Some((_, allowed)) = METRICS.iter().find(|(n, _)| n == m) else {
            return Err(CvssError::UnknownMetric {
                vector: vector.to_owned(),
                metric: (*m).to_owned(),
            });
        };
        if !allowed.contains(v) {
            return Err(CvssError::InvalidValue {
                vector: vector.to_owned(),
                metric: (*m).to_owned(),
                value: (*v).to_owned(),
            });
        }
    }
    for (m, _) in METRICS.iter().take(MANDATORY) {
        if !ps.iter().any(|(k, _)| k == m) {
            return Err(CvssError::Missing {
                vector: vector.to_owned(),
                metric: (*m).to_owned(),
            });
        }
    }
    let set = |names: &[&str]| ps.iter().any(|(k, v)| names.contains(k) && *v != "X");
    let threat = set(&["E"]);
    let env = set(&[
        "CR", "IR", "AR", "MAV", "MAC", "MAT", "MPR", "MUI", "MVC", "MVI", "MVA", "MSC", "MSI",
        "MSA",
    ]);
    let nomenclature = match (threat, env) {
        (false, false) => "CVSS-B",
        (true, false) => "CVSS-BT",
        (false, true) => "CVSS-BE",
        (true, true) => "CVSS-BTE",
    };
    let e = Effective { values: ps };
    let base_score = compute(&e);
    Ok(Score {
        version: Version::V4_0,
        vector: vector.to_owned(),
        base_score,
        nomenclature: Some(nomenclature),
    })
}

fn compute(e: &Effective<'_>) -> f64 {
    if ["VC", "VI", "VA", "SC", "SI", "SA"]
        .iter()
        .all(|m| e.m(m) == "N")
    {
        return 0.0;
    }
    let mv = macrovector(e);
    let [eq1, eq2, eq3, eq4, eq5, eq6] = mv;
    let Some(value) = lookup(mv) else {
        return 0.0;
    };
    let lower = |d: [i8; 6]| -> Option<f64> {
        let mut n = mv;
        for (x, dx) in n.iter_mut().zip(d) {
            *x = x.saturating_add_signed(dx);
        }
        lookup(n)
    };
    let next_eq1 = lower([1, 0, 0, 0, 0, 0]);
    let next_eq2 = lower([0, 1, 0, 0, 0, 0]);
    let next_eq3eq6 = match (eq3, eq6) {
        (1, 1) | (0, 1) => lower([0, 0, 1, 0, 0, 0]),
        (1, 0) => lower([0, 0, 0, 0, 0, 1]),
        (0, 0) => match (lower([0, 0, 0, 0, 0, 1]), lower([0, 0, 1, 0, 0, 0])) {
            (Some(a), Some(b)) => Some(a.max(b)),
            // The reference takes max() with NaN; both exist for (0, 0).
            (a, b) => a.or(b),
        },
        _ => lower([0, 0, 1, 0, 0, 1]),
    };
    let next_eq4 = lower([0, 0, 0, 1, 0, 0]);
    let next_eq5 = lower([0, 0, 0, 0, 1, 0]);

    // The first max vector the vector is not above in any metric.
    let mut distances = [0.0f64; 14];
    'outer: for a in eq1_maxes(eq1) {
        for b in eq2_maxes(eq2) {
            for c in eq3eq6_maxes(eq3, eq6) {
                for d in eq4_maxes(eq4) {
                    let max_vector = [*a, *b, *c, *d];
                    for (slot, m) in distances.iter_mut().zip(DISTANCE_METRICS) {
                        *slot = level(m, e.m(m)) - level(m, max_value(&max_vector, m));
                    }
                    if distances.iter().all(|d| *d >= 0.0) {
                        break 'outer;
                    }
                }
            }
        }
    }
    let [av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar] = distances;
    let cur_eq1 = av + pr + ui;
    let cur_eq2 = ac + at;
    let cur_eq3eq6 = vc + vi + va + cr + ir + ar;
    let cur_eq4 = sc + si + sa;

    let step = 0.1;
    let max_sev_eq1 = match eq1 {
        0 => 1.0,
        1 => 4.0,
        _ => 5.0,
    } * step;
    let max_sev_eq2 = match eq2 {
        0 => 1.0,
        _ => 2.0,
    } * step;
    let max_sev_eq3eq6 = match (eq3, eq6) {
        (0, 0) => 7.0,
        (0, _) => 6.0,
        (1, _) => 8.0,
        _ => 10.0,
    } * step;
    let max_sev_eq4 = match eq4 {
        0 => 6.0,
        1 => 5.0,
        _ => 4.0,
    } * step;

    let mut n_lower = 0u32;
    let mut sum = 0.0;
    let mut add = |next: Option<f64>, current: f64, max_sev: f64| {
        if let Some(next) = next {
            let available = value - next;
            if available >= 0.0 {
                n_lower += 1;
                sum += available * (current / max_sev);
            }
        }
    };
    add(next_eq1, cur_eq1, max_sev_eq1);
    add(next_eq2, cur_eq2, max_sev_eq2);
    add(next_eq3eq6, cur_eq3eq6, max_sev_eq3eq6);
    add(next_eq4, cur_eq4, max_sev_eq4);
    // EQ5 counts as an existing lower macrovector with no distance.
    add(next_eq5, 0.0, 1.0);
    let _ = eq5;
    let mean = if n_lower == 0 {
        0.0
    } else {
        sum / f64::from(n_lower)
    };
    final_round((value - mean).clamp(0.0, 10.0))
}

#[cfg(test)]
mod tests {
    use crate::parse;

    fn s(v: &str) -> f64 {
        parse(v).map(|s| s.base_score).unwrap_or(-1.0)
    }

    #[test]
    fn first_calculator_examples() {
        // FIRST's CVSS v4.0 calculator: the default (all worst) vector, and a few
        // from the specification's examples document.
        assert_eq!(
            s("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"),
            10.0
        );
        assert_eq!(
            s("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            9.3
        );
        assert_eq!(
            s("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N"),
            0.0
        );
        assert_eq!(
            parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U")
                .map(|s| s.nomenclature),
            Ok(Some("CVSS-BT"))
        );
    }
}
