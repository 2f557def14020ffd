//! Evaluating a stored [`Rule`] for one installed version.

use std::cmp::Ordering;

use bosun_version::osv::{Affected, Outcome, evaluate_version};
use bosun_version::{Scheme, Version};

use crate::model::{Constraint, Op, Rule};

/// Whether a version is affected by a rule, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eval {
    pub outcome: Outcome,
    /// Fixed versions that apply (for `Below`, the fixed version; for OSV,
    /// the first fix above the version in each affecting range; for
    /// constraints, the versions patched sets start at).
    pub fixed: Vec<String>,
    /// What decided it, e.g. `2.36-9+deb12u3 < fixed 2.36-9+deb12u4`.
    pub reason: String,
    /// Parts of the rule that could not be evaluated (unknown range types,
    /// versions that do not parse), said once each.
    pub notes: Vec<String>,
}

fn cmp(scheme: Scheme, v: &Version, other: &str) -> Result<Ordering, String> {
    let o = scheme.parse(other).map_err(|e| e.to_string())?;
    Ok(v.cmp(&o))
}

fn holds(scheme: Scheme, v: &Version, c: &Constraint) -> Result<bool, String> {
    let o = cmp(scheme, v, &c.version)?;
    Ok(match c.op {
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
    })
}

/// True when every constraint of the set holds; `Err` names a constraint
/// whose version does not parse.
fn set_holds(scheme: Scheme, v: &Version, set: &[Constraint]) -> Result<bool, String> {
    for c in set {
        if !holds(scheme, v, c)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn show(set: &[Constraint]) -> String {
    set.iter()
        .map(|c| format!("{} {}", c.op.as_str(), c.version))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An OSV `affected[]` entry built once from a stored rule, for callers that
/// evaluate the same rule for many versions (the matcher caches these).
pub fn osv_affected(rule: &Rule) -> Option<Affected> {
    match rule {
        Rule::Osv { ranges, versions } => Some(Affected {
            package: None,
            ranges: ranges.clone(),
            versions: versions.clone(),
        }),
        _ => None,
    }
}

/// [`evaluate`] for an OSV entry already built with [`osv_affected`].
pub fn evaluate_affected(affected: &Affected, v: &Version) -> Eval {
    let verdict = evaluate_version(v, affected);
    Eval {
        outcome: verdict.outcome,
        fixed: verdict.fixed_in,
        reason: verdict
            .reason
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        notes: verdict.skipped.iter().map(ToString::to_string).collect(),
    }
}

/// Evaluates `rule` for the installed version `v` (parsed in the namespace's scheme).
pub fn evaluate(rule: &Rule, v: &Version, fixed_hint: &[String]) -> Eval {
    let scheme = v.scheme();
    let mut e = Eval {
        outcome: Outcome::NotAffected,
        fixed: Vec::new(),
        reason: String::new(),
        notes: Vec::new(),
    };
    match rule {
        Rule::All => {
            e.outcome = Outcome::Affected;
            e.reason = "every version (no fix)".to_owned();
        }
        Rule::Below { fixed } => match cmp(scheme, v, fixed) {
            Ok(Ordering::Less) => {
                e.outcome = Outcome::Affected;
                e.fixed.push(fixed.clone());
                e.reason = format!("{} < fixed {fixed}", v.as_str());
            }
            Ok(_) => {}
            Err(err) => {
                e.outcome = Outcome::Unsupported;
                e.notes.push(format!("fixed version {fixed}: {err}"));
            }
        },
        Rule::Osv { ranges, versions } => {
            let affected = Affected {
                package: None,
                ranges: ranges.clone(),
                versions: versions.clone(),
            };
            return evaluate_affected(&affected, v);
        }
        Rule::Constraints {
            vulnerable,
            patched,
            unaffected,
        } => {
            let any = |sets: &[Vec<Constraint>], notes: &mut Vec<String>| -> Option<usize> {
                for (i, s) in sets.iter().enumerate() {
                    match set_holds(scheme, v, s) {
                        Ok(true) => return Some(i),
                        Ok(false) => {}
                        Err(err) => notes.push(format!("constraint `{}`: {err}", show(s))),
                    }
                }
                None
            };
            if !vulnerable.is_empty() {
                if let Some(i) = any(vulnerable, &mut e.notes) {
                    e.outcome = Outcome::Affected;
                    e.reason = format!(
                        "{} matches vulnerable `{}`",
                        v.as_str(),
                        vulnerable.get(i).map(|s| show(s)).unwrap_or_default()
                    );
                } else if e.notes.len() == vulnerable.len() {
                    e.outcome = Outcome::Unsupported;
                }
            } else if let Some(i) = any(patched, &mut e.notes) {
                e.reason = format!(
                    "patched `{}`",
                    patched.get(i).map(|s| show(s)).unwrap_or_default()
                );
            } else if let Some(i) = any(unaffected, &mut e.notes) {
                e.reason = format!(
                    "unaffected `{}`",
                    unaffected.get(i).map(|s| show(s)).unwrap_or_default()
                );
            } else if e.notes.is_empty() {
                e.outcome = Outcome::Affected;
                e.reason = if patched.is_empty() {
                    format!("{} is affected (no patched version)", v.as_str())
                } else {
                    format!(
                        "{} matches no patched version ({})",
                        v.as_str(),
                        patched
                            .iter()
                            .map(|s| show(s))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    )
                };
            } else {
                e.outcome = Outcome::Unsupported;
            }
            if e.outcome == Outcome::Affected {
                // Fixed versions above the installed one.
                for f in fixed_hint {
                    if cmp(scheme, v, f).is_ok_and(|o| o == Ordering::Less) && !e.fixed.contains(f)
                    {
                        e.fixed.push(f.clone());
                    }
                }
            }
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constraints::{fixed_versions, parse_gem, parse_npm};

    fn v(s: Scheme, x: &str) -> Version {
        s.parse(x).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn below_and_all() {
        let r = Rule::Below {
            fixed: "2.36-9+deb12u4".into(),
        };
        let e = evaluate(&r, &v(Scheme::Deb, "2.36-9+deb12u3"), &[]);
        assert_eq!(e.outcome, Outcome::Affected);
        assert_eq!(e.reason, "2.36-9+deb12u3 < fixed 2.36-9+deb12u4");
        assert_eq!(
            evaluate(&r, &v(Scheme::Deb, "2.36-9+deb12u4"), &[]).outcome,
            Outcome::NotAffected
        );
        assert_eq!(
            evaluate(&Rule::All, &v(Scheme::Deb, "1"), &[]).outcome,
            Outcome::Affected
        );
    }

    #[test]
    fn npm_and_gem_constraints() {
        let r = Rule::Constraints {
            vulnerable: parse_npm("<5.0.3 >=5.0.0 || < 4.2.1").unwrap_or_default(),
            patched: parse_npm(">=5.0.3 || >=4.2.1 <5.0.0").unwrap_or_default(),
            unaffected: vec![],
        };
        let fixed = match &r {
            Rule::Constraints { patched, .. } => fixed_versions(patched),
            _ => vec![],
        };
        let s = Scheme::Semver;
        assert_eq!(
            evaluate(&r, &v(s, "5.0.2"), &fixed).outcome,
            Outcome::Affected
        );
        assert_eq!(
            evaluate(&r, &v(s, "4.2.0"), &fixed).outcome,
            Outcome::Affected
        );
        assert_eq!(
            evaluate(&r, &v(s, "4.2.1"), &fixed).outcome,
            Outcome::NotAffected
        );
        assert_eq!(
            evaluate(&r, &v(s, "5.0.3"), &fixed).outcome,
            Outcome::NotAffected
        );

        let patched: Vec<_> = ["~> 1.1.3", "~> 1.2.5", ">= 1.4.0"]
            .iter()
            .filter_map(|x| parse_gem(x).ok())
            .collect();
        let fixed = fixed_versions(&patched);
        let r = Rule::Constraints {
            vulnerable: vec![],
            patched,
            unaffected: vec![],
        };
        let g = Scheme::RubyGems;
        let e = evaluate(&r, &v(g, "1.2.4"), &fixed);
        assert_eq!(e.outcome, Outcome::Affected);
        assert_eq!(e.fixed, ["1.2.5", "1.4.0"]);
        assert_eq!(
            evaluate(&r, &v(g, "1.2.5"), &fixed).outcome,
            Outcome::NotAffected
        );
        assert_eq!(
            evaluate(&r, &v(g, "1.3.0"), &fixed).outcome,
            Outcome::Affected
        );
        assert_eq!(
            evaluate(&r, &v(g, "2.0"), &fixed).outcome,
            Outcome::NotAffected
        );
    }
}
