//! CVSS vectors and their base scores: v2.0, v3.0, v3.1 and v4.0.
//!
//! ```
//! let s = bosun_cvss::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")?;
//! assert_eq!(s.version, bosun_cvss::Version::V3_1);
//! assert_eq!(s.base_score, 9.8);
//! assert_eq!(s.severity(), "CRITICAL");
//! # Ok::<(), bosun_cvss::CvssError>(())
//! ```
//!
//! The formulas are the specifications' (FIRST CVSS v2 guide section 3.2.1, CVSS v3.0 and v3.1
//! specification section 7.1 with the v3.1 `Roundup` of Appendix A, CVSS v4.0 specification
//! section 8 and its reference calculator's macrovector table). The crate is pure: no I/O, no
//! panics on any input, vectors longer than [`MAX_VECTOR_LEN`] bytes are refused.
//!
//! What "base score" means per version:
//! - v2, v3.x: the base score. Temporal and environmental metrics in the vector are checked
//!   for validity and otherwise ignored (this is the score NVD and GHSA publish).
//! - v4.0: the score of the vector as written (CVSS-B when it has only base metrics, else
//!   CVSS-BT/BE/BTE, as the FIRST calculator computes it); [`Score::nomenclature`] says which.

mod v2;
mod v3;
mod v4;
mod v4_lookup;

use std::fmt;

/// Longest vector accepted, in bytes (the longest valid v4.0 vector is about 180).
pub const MAX_VECTOR_LEN: usize = 512;

/// A CVSS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    V2,
    V3_0,
    V3_1,
    V4_0,
}

impl Version {
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2 => "2.0",
            Version::V3_0 => "3.0",
            Version::V3_1 => "3.1",
            Version::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed vector and its computed score.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub version: Version,
    /// The vector as given (trimmed; v2 parentheses removed).
    pub vector: String,
    /// The base score, one decimal.
    pub base_score: f64,
    /// v4.0 only: `CVSS-B`, `CVSS-BT`, `CVSS-BE` or `CVSS-BTE`; `None` for v2/v3.
    pub nomenclature: Option<&'static str>,
}

impl Score {
    /// The qualitative rating: `NONE`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL` (v3/v4 table);
    /// v2 has no `NONE`/`CRITICAL` (NVD's v2 table: LOW < 4.0 <= MEDIUM < 7.0 <= HIGH).
    pub fn severity(&self) -> &'static str {
        let s = self.base_score;
        if self.version == Version::V2 {
            return if s >= 7.0 {
                "HIGH"
            } else if s >= 4.0 {
                "MEDIUM"
            } else {
                "LOW"
            };
        }
        if s >= 9.0 {
            "CRITICAL"
        } else if s >= 7.0 {
            "HIGH"
        } else if s >= 4.0 {
            "MEDIUM"
        } else if s > 0.0 {
            "LOW"
        } else {
            "NONE"
        }
    }
}

/// Why a vector was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    #[error("cvss vector is empty")]
    Empty,
    #[error("cvss vector is longer than {MAX_VECTOR_LEN} bytes")]
    TooLong,
    #[error("cvss vector `{vector}`: unknown version prefix `{prefix}`")]
    UnknownVersion { vector: String, prefix: String },
    #[error("cvss vector `{vector}`: `{part}` is not METRIC:VALUE")]
    Malformed { vector: String, part: String },
    #[error("cvss vector `{vector}`: unknown metric `{metric}`")]
    UnknownMetric { vector: String, metric: String },
    #[error("cvss vector `{vector}`: metric `{metric}` has invalid value `{value}`")]
    InvalidValue {
        vector: String,
        metric: String,
        value: String,
    },
    #[error("cvss vector `{vector}`: metric `{metric}` given twice")]
    Duplicate { vector: String, metric: String },
    #[error("cvss vector `{vector}`: required metric `{metric}` missing")]
    Missing { vector: String, metric: String },
}

/// Splits `M:V/M:V...` into pairs, refusing duplicates and malformed parts.
pub(crate) fn pairs<'a>(
    vector: &'a str,
    body: &'a str,
) -> Result<Vec<(&'a str, &'a str)>, CvssError> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for part in body.split('/') {
        let Some((m, v)) = part.split_once(':') else {
            return Err(CvssError::Malformed {
                vector: vector.to_owned(),
                part: part.to_owned(),
            });
        };
        if m.is_empty() || v.is_empty() {
            return Err(CvssError::Malformed {
                vector: vector.to_owned(),
                part: part.to_owned(),
            });
        }
        if out.iter().any(|(seen, _)| *seen == m) {
            return Err(CvssError::Duplicate {
                vector: vector.to_owned(),
                metric: m.to_owned(),
            });
        }
        out.push((m, v));
    }
    Ok(out)
}

/// Looks a metric's value up in a table of (value, weight), or fails naming it.
pub(crate) fn weight(
    vector: &str,
    metric: &str,
    value: &str,
    table: &[(&str, f64)],
) -> Result<f64, CvssError> {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, w)| *w)
        .ok_or_else(|| CvssError::InvalidValue {
            vector: vector.to_owned(),
            metric: metric.to_owned(),
            value: value.to_owned(),
        })
}

/// Parses a vector of any supported version and computes its base score.
///
/// The version comes from the prefix (`CVSS:3.0/`, `CVSS:3.1/`, `CVSS:4.0/`); a vector
/// without prefix, or with `CVSS:2.0/`, or in parentheses (`(AV:N/...)`, NVD's old form), is v2.
pub fn parse(vector: &str) -> Result<Score, CvssError> {
    if vector.len() > MAX_VECTOR_LEN {
        return Err(CvssError::TooLong);
    }
    let v = vector.trim();
    let v = v
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(v);
    if v.is_empty() {
        return Err(CvssError::Empty);
    }
    if let Some(rest) = v.strip_prefix("CVSS:") {
        let (ver, body) = rest.split_once('/').unwrap_or((rest, ""));
        return match ver {
            "2.0" => v2::score(v, body),
            "3.0" => v3::score(v, body, Version::V3_0),
            "3.1" => v3::score(v, body, Version::V3_1),
            "4.0" => v4::score(v, body),
            other => Err(CvssError::UnknownVersion {
                vector: v.to_owned(),
                prefix: other.to_owned(),
            }),
        };
    }
    v2::score(v, v)
}

/// The version a vector declares, without scoring it (`None` if it is not a CVSS vector).
pub fn version_of(vector: &str) -> Option<Version> {
    parse(vector).ok().map(|s| s.version)
}

/// Round half up to one decimal, robust to binary representation (`x.x5` stored as
/// `x.x4999...` rounds up).
pub(crate) fn round1(x: f64) -> f64 {
    ((x * 10.0) + 0.5 + 1e-9).floor() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_by_prefix() {
        assert_eq!(version_of("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Some(Version::V2));
        assert_eq!(
            version_of("(AV:N/AC:L/Au:N/C:P/I:P/A:P)"),
            Some(Version::V2)
        );
        assert_eq!(
            version_of("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(Version::V3_0)
        );
        assert!(matches!(
            parse("CVSS:5.0/AV:N"),
            Err(CvssError::UnknownVersion { .. })
        ));
        assert_eq!(parse(""), Err(CvssError::Empty));
        assert_eq!(parse(&"A".repeat(600)), Err(CvssError::TooLong));
    }

    #[test]
    fn duplicate_and_missing_metrics_are_refused() {
        assert!(matches!(
            parse("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Err(CvssError::Duplicate { .. })
        ));
        assert!(matches!(
            parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"),
            Err(CvssError::Missing { .. })
        ));
        assert!(matches!(
            parse("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Err(CvssError::InvalidValue { .. })
        ));
        assert!(matches!(
            parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1"),
            Err(CvssError::UnknownMetric { .. })
        ));
        assert!(matches!(
            parse("CVSS:4.0/AV:N/AC:L"),
            Err(CvssError::Missing { .. })
        ));
    }
}
