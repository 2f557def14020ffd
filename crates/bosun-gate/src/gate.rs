//! Filters (what the report shows) and the gate (whether the build fails).

use bosun_model::{Finding, FixState, Severity};

/// The CI gate, from `--severity`, `--ignore-unfixed`, `--fail-on`,
/// `--min-cvss` and `--exit-code`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateOptions {
    /// Show (and gate on) only these severities; empty means all.
    pub severities: Vec<Severity>,
    /// Show (and gate on) only findings that have a fixed version.
    pub ignore_unfixed: bool,
    /// Fail when a counted finding is at least this severe.
    pub fail_on: Option<Severity>,
    /// Fail when a counted finding's CVSS base score is at least this. A
    /// finding with no CVSS vector counts when its severity is at least the
    /// rating of this score (so 4.0 means MEDIUM): a missing vector never
    /// hides a vulnerability.
    pub min_cvss: Option<f32>,
    /// The exit code when the gate trips (default 1). Given alone, any
    /// counted finding trips the gate.
    pub exit_code: Option<u8>,
}

/// What the gate decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Whether any gate option was given.
    pub active: bool,
    pub tripped: bool,
    /// The exit code to use when tripped.
    pub exit_code: u8,
    /// One line per finding that tripped the gate.
    pub reasons: Vec<String>,
    /// Findings that count (shown and not suppressed).
    pub counted: usize,
    /// Findings suppressed by an ignore file or VEX.
    pub suppressed: usize,
}

impl GateOptions {
    /// Whether the user asked for a gate at all.
    pub fn active(&self) -> bool {
        self.fail_on.is_some() || self.min_cvss.is_some() || self.exit_code.is_some()
    }

    /// Whether the report shows this finding.
    pub fn shows(&self, f: &Finding) -> bool {
        (self.severities.is_empty() || self.severities.contains(&f.severity))
            && (!self.ignore_unfixed || f.status == FixState::Fixed)
    }

    /// Drops the findings the report should not show.
    pub fn filter(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings.into_iter().filter(|f| self.shows(f)).collect()
    }

    fn trips(&self, f: &Finding) -> Option<String> {
        let mut why = Vec::new();
        if let Some(min) = self.fail_on
            && f.severity >= min
        {
            why.push(format!("severity {} >= {min}", f.severity));
        }
        if let Some(min) = self.min_cvss {
            match f.max_cvss() {
                Some(score) if score >= min => why.push(format!("CVSS {score:.1} >= {min:.1}")),
                Some(_) => {}
                None => {
                    let rating = Severity::from_cvss_score(min);
                    if f.severity >= rating {
                        why.push(format!(
                            "no CVSS vector, severity {} >= {rating} (the rating of {min:.1})",
                            f.severity
                        ));
                    }
                }
            }
        }
        if self.fail_on.is_none() && self.min_cvss.is_none() {
            why.push("found".into());
        }
        (!why.is_empty()).then(|| {
            let fixed = if f.fixed_versions.is_empty() {
                String::new()
            } else {
                format!(", fixed in {}", f.fixed_versions.join(", "))
            };
            let at = if f.package.path.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.package.path)
            };
            format!(
                "{} in {} {}{at}{fixed}: {}",
                f.id,
                f.package.name,
                f.package.version,
                why.join("; ")
            )
        })
    }

    /// Decides whether the findings trip the gate. Suppressed findings and
    /// findings the filters hide never count.
    pub fn verdict(&self, findings: &[Finding]) -> Verdict {
        let mut v = Verdict {
            active: self.active(),
            exit_code: self.exit_code.unwrap_or(1),
            ..Verdict::default()
        };
        for f in findings.iter().filter(|f| self.shows(f)) {
            if f.suppressed.is_some() {
                v.suppressed += 1;
                continue;
            }
            v.counted += 1;
            if v.active
                && let Some(reason) = self.trips(f)
            {
                v.reasons.push(reason);
            }
        }
        v.tripped = !v.reasons.is_empty();
        v
    }
}
