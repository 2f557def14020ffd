//! CVSS v2 base score (FIRST, "A Complete Guide to the CVSS Version 2.0", 3.2.1).

use crate::{CvssError, Score, Version, pairs, round1, weight};

const AV: &[(&str, f64)] = &[("L", 0.395), ("A", 0.646), ("N", 1.0)];
const AC: &[(&str, f64)] = &[("H", 0.35), ("M", 0.61), ("L", 0.71)];
const AU: &[(&str, f64)] = &[("M", 0.45), ("S", 0.56), ("N", 0.704)];
const CIA: &[(&str, f64)] = &[("N", 0.0), ("P", 0.275), ("C", 0.660)];

/// Temporal and environmental metrics: checked, not scored.
const OTHER: &[(&str, &[&str])] = &[
    ("E", &["U", "POC", "F", "H", "ND"]),
    ("RL", &["OF", "TF", "W", "U", "ND"]),
    ("RC", &["UC", "UR", "C", "ND"]),
    ("CDP", &["N", "L", "LM", "MH", "H", "ND"]),
    ("TD", &["N", "L", "M", "H", "ND"]),
    ("CR", &["L", "M", "H", "ND"]),
    ("IR", &["L", "M", "H", "ND"]),
    ("AR", &["L", "M", "H", "ND"]),
];

pub(crate) fn score(vector: &str, body: &str) -> Result<Score, CvssError> {
    let ps = pairs(vector, body)?;
    let mut base = [None; 6];
    const NAMES: [&str; 6] = ["AV", "AC", "Au", "C", "I", "A"];
    for (m, v) in &ps {
        if let Some(i) = NAMES.iter().position(|n| n == m) {
            let table = match i {
                0 => AV,
                1 => AC,
                2 => AU,
                _ => CIA,
            };
            if let Some(slot) = base.get_mut(i) {
                *slot = Some(weight(vector, m, v, table)?);
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
    let mut w = [0.0f64; 6];
    for (i, slot) in base.iter().enumerate() {
        match slot {
            Some(x) => {
                if let Some(d) = w.get_mut(i) {
                    *d = *x;
                }
            }
            None => {
                return Err(CvssError::Missing {
                    vector: vector.to_owned(),
                    metric: NAMES.get(i).copied().unwrap_or("?").to_owned(),
                });
            }
        }
    }
    let [av, ac, au, c, i, a] = w;
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let exploitability = 20.0 * av * ac * au;
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    let raw = ((0.6 * impact) + (0.4 * exploitability) - 1.5) * f;
    Ok(Score {
        version: Version::V2,
        vector: vector.to_owned(),
        base_score: round1(raw.max(0.0)),
        nomenclature: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::parse;

    #[test]
    fn guide_examples() {
        // The v2 guide's worked examples (section 3.3).
        assert_eq!(
            parse("AV:N/AC:L/Au:N/C:N/I:N/A:C").map(|s| s.base_score),
            Ok(7.8)
        );
        assert_eq!(
            parse("AV:N/AC:L/Au:N/C:C/I:C/A:C").map(|s| s.base_score),
            Ok(10.0)
        );
        assert_eq!(
            parse("AV:L/AC:H/Au:N/C:C/I:C/A:C").map(|s| s.base_score),
            Ok(6.2)
        );
        assert_eq!(
            parse("AV:N/AC:L/Au:N/C:N/I:N/A:N").map(|s| s.base_score),
            Ok(0.0)
        );
        // Temporal metrics are accepted and do not change the base score.
        assert_eq!(
            parse("AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C").map(|s| s.base_score),
            Ok(7.8)
        );
    }
}
