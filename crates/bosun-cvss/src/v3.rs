//! CVSS v3.0 and v3.1 base score (specification section 7.1; v3.1 `Roundup`, Appendix A).

use crate::{CvssError, Score, Version, pairs, weight};

const AV: &[(&str, f64)] = &[("N", 0.85), ("A", 0.62), ("L", 0.55), ("P", 0.2)];
const AC: &[(&str, f64)] = &[("L", 0.77), ("H", 0.44)];
const PR_U: &[(&str, f64)] = &[("N", 0.85), ("L", 0.62), ("H", 0.27)];
const PR_C: &[(&str, f64)] = &[("N", 0.85), ("L", 0.68), ("H", 0.5)];
const UI: &[(&str, f64)] = &[("N", 0.85), ("R", 0.62)];
const CIA: &[(&str, f64)] = &[("H", 0.56), ("L", 0.22), ("N", 0.0)];

const BASE: [&str; 8] = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];

/// Temporal and environmental metrics: checked, not scored.
const OTHER: &[(&str, &[&str])] = &[
    ("E", &["X", "H", "F", "P", "U"]),
    ("RL", &["X", "U", "W", "T", "O"]),
    ("RC", &["X", "C", "R", "U"]),
    ("CR", &["X", "H", "M", "L"]),
    ("IR", &["X", "H", "M", "L"]),
    ("AR", &["X", "H", "M", "L"]),
    ("MAV", &["X", "N", "A", "L", "P"]),
    ("MAC", &["X", "L", "H"]),
    ("MPR", &["X", "N", "L", "H"]),
    ("MUI", &["X", "N", "R"]),
    ("MS", &["X", "U", "C"]),
    ("MC", &["X", "H", "L", "N"]),
    ("MI", &["X", "H", "L", "N"]),
    ("MA", &["X", "H", "L", "N"]),
];

/// v3.1 Appendix A: round up to one decimal, working in integers to avoid
/// floating-point artefacts (`4.000000000001` is 4.0, not 4.1).
fn roundup_31(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// v3.0: "the smallest number, specified to one decimal place, that is equal
/// to or higher than its input".
fn roundup_30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

pub(crate) fn score(vector: &str, body: &str, version: Version) -> Result<Score, CvssError> {
    let ps = pairs(vector, body)?;
    let mut base: [Option<&str>; 8] = [None; 8];
    for (m, v) in &ps {
        if let Some(i) = BASE.iter().position(|n| n == m) {
            if let Some(slot) = base.get_mut(i) {
                *slot = Some(*v);
            }
        } else if let Some((_, values)) = OTHER.iter().find(|(n, _)| n == m) {
            if !values.contains(v) {
                return Err(CvssError::InvalidValue {
                    vector: vector.to_owned(),
                    metric: (*m).to_owned(),
                    value: (*v).to_owned(),
                });
            }
        } else {
            return Err(CvssError::UnknownMetric {
                vector: vector.to_owned(),
                metric: (*m).to_owned(),
            });
        }
    }
    let get = |i: usize| -> Result<&str, CvssError> {
        base.get(i)
            .copied()
            .flatten()
            .ok_or_else(|| CvssError::Missing {
                vector: vector.to_owned(),
                metric: BASE.get(i).copied().unwrap_or("?").to_owned(),
            })
    };
    let scope = get(4)?;
    let changed = match scope {
        "U" => false,
        "C" => true,
        other => {
            return Err(CvssError::InvalidValue {
                vector: vector.to_owned(),
                metric: "S".to_owned(),
                value: other.to_owned(),
            });
        }
    };
    let av = weight(vector, "AV", get(0)?, AV)?;
    let ac = weight(vector, "AC", get(1)?, AC)?;
    let pr = weight(vector, "PR", get(2)?, if changed { PR_C } else { PR_U })?;
    let ui = weight(vector, "UI", get(3)?, UI)?;
    let c = weight(vector, "C", get(5)?, CIA)?;
    let i = weight(vector, "I", get(6)?, CIA)?;
    let a = weight(vector, "A", get(7)?, CIA)?;

    let iss = 1.0 - ((1.0 - c) * (1.0 - i) * (1.0 - a));
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    let roundup = if version == Version::V3_0 {
        roundup_30
    } else {
        roundup_31
    };
    let base_score = if impact <= 0.0 {
        0.0
    } else if changed {
        roundup((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup((impact + exploitability).min(10.0))
    };
    Ok(Score {
        version,
        vector: vector.to_owned(),
        base_score,
        nomenclature: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::parse;

    fn s(v: &str) -> f64 {
        parse(v).map(|s| s.base_score).unwrap_or(-1.0)
    }

    #[test]
    fn specification_examples() {
        // CVSS v3.1 examples document: CVE-2014-0160 Heartbleed, CVE-2013-1937
        // (phpMyAdmin reflected XSS), CVE-2014-3566 POODLE, CVE-2012-1516.
        assert_eq!(s("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"), 7.5);
        assert_eq!(s("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
        assert_eq!(s("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N"), 3.1);
        assert_eq!(s("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H"), 9.9);
        assert_eq!(s("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0.0);
        assert_eq!(s("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 10.0);
        // Temporal metrics do not change the base score.
        assert_eq!(
            s("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:U/RL:O/RC:C"),
            7.5
        );
    }

    #[test]
    fn roundup_avoids_float_artefacts() {
        assert_eq!(super::roundup_31(4.000_000_000_000_001), 4.0);
        assert_eq!(super::roundup_31(4.02), 4.1);
        assert_eq!(super::roundup_31(4.0), 4.0);
    }
}
