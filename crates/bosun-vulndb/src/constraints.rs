//! Version constraint strings of the feeds that are not OSV: npm advisories
//! (`vulnerable_versions: "<5.0.3 >=5.0.0 || < 4.2.1"`, node-semver), rubysec
//! (`patched_versions: ["~> 1.2.3", ">= 2.0"]`, RubyGems requirements), and
//! GHSA-style lists (`">= 2.0.0, <= 2.9.10.3"`, Maven `[2.9.0,2.9.10.7)`).
//!
//! Each string becomes a list of AND-sets (OR between sets) of plain
//! comparisons; sugar (`~>`, `^`, `~`, `x` ranges, hyphen ranges, Maven
//! intervals) is expanded at import, so the matcher only compares versions.
//! Anything not understood is an error naming the string: it is skipped and
//! counted, never guessed.

use crate::model::{Constraint, Op};

/// Why a constraint string was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read version constraint `{text}`: {why}")]
pub struct ConstraintError {
    pub text: String,
    pub why: &'static str,
}

/// Longest constraint string read.
const MAX_LEN: usize = 4096;

fn err(text: &str, why: &'static str) -> ConstraintError {
    ConstraintError {
        text: text.chars().take(200).collect(),
        why,
    }
}

fn c(op: Op, v: impl Into<String>) -> Constraint {
    Constraint {
        op,
        version: v.into(),
    }
}

fn is_wild(p: &str) -> bool {
    matches!(p, "x" | "X" | "*")
}

/// The numeric parts of a partial version (`1.2` → [1, 2]); `None` when a
/// part is not a number or a wildcard.
fn numeric_parts(v: &str) -> Option<Vec<Option<u64>>> {
    v.split('.')
        .map(|p| {
            if is_wild(p) {
                Some(None)
            } else {
                p.parse::<u64>().ok().map(Some)
            }
        })
        .collect()
}

/// node-semver range set: `||`-separated sets of space-separated comparators.
pub fn parse_npm(text: &str) -> Result<Vec<Vec<Constraint>>, ConstraintError> {
    if text.len() > MAX_LEN {
        return Err(err(text, "longer than 4096 bytes"));
    }
    let mut out = Vec::new();
    for set in text.split("||") {
        let set = set.trim();
        if set.is_empty() || set == "*" || set.eq_ignore_ascii_case("x") {
            out.push(vec![c(Op::Ge, "0.0.0-0")]);
            continue;
        }
        // Hyphen range `A - B`.
        if let Some((a, b)) = set.split_once(" - ") {
            let mut v = vec![c(Op::Ge, a.trim())];
            v.push(c(Op::Le, b.trim()));
            out.push(v);
            continue;
        }
        // Join operators separated from their version by spaces (`< 4.2.1`).
        let mut tokens: Vec<String> = Vec::new();
        let mut pending: Option<String> = None;
        for tok in set.split_whitespace() {
            if tok
                .chars()
                .all(|ch| matches!(ch, '<' | '>' | '=' | '^' | '~'))
            {
                pending = Some(pending.unwrap_or_default() + tok);
                continue;
            }
            tokens.push(pending.take().unwrap_or_default() + tok);
        }
        if pending.is_some() {
            return Err(err(text, "operator without a version"));
        }
        let mut all = Vec::new();
        for tok in tokens {
            all.extend(npm_comparator(text, &tok)?);
        }
        out.push(all);
    }
    Ok(out)
}

fn npm_comparator(text: &str, tok: &str) -> Result<Vec<Constraint>, ConstraintError> {
    let (op, v) = split_op(tok);
    let v = v.trim().trim_start_matches(['v', '=']);
    if v.is_empty() {
        return Err(err(text, "empty version"));
    }
    match op {
        "^" => caret(text, v),
        "~" | "~>" => tilde(text, v),
        "" | "=" => {
            // Partial versions are x-ranges: `1.2` = `>=1.2.0 <1.3.0-0`.
            match numeric_parts(v) {
                Some(parts) if parts.len() < 3 || parts.iter().any(Option::is_none) => {
                    x_range(text, &parts)
                }
                _ => Ok(vec![c(Op::Eq, v)]),
            }
        }
        "<" => Ok(vec![c(Op::Lt, v)]),
        "<=" => Ok(vec![c(Op::Le, v)]),
        ">" => Ok(vec![c(Op::Gt, v)]),
        ">=" => Ok(vec![c(Op::Ge, v)]),
        "!=" => Ok(vec![c(Op::Ne, v)]),
        _ => Err(err(text, "unknown operator")),
    }
}

fn split_op(tok: &str) -> (&str, &str) {
    let end = tok
        .find(|ch: char| !matches!(ch, '<' | '>' | '=' | '^' | '~' | '!'))
        .unwrap_or(tok.len());
    (tok.get(..end).unwrap_or(""), tok.get(end..).unwrap_or(""))
}

fn join(parts: &[u64]) -> String {
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn x_range(text: &str, parts: &[Option<u64>]) -> Result<Vec<Constraint>, ConstraintError> {
    let fixed: Vec<u64> = parts.iter().map_while(|p| *p).collect();
    if fixed.is_empty() {
        return Ok(vec![c(Op::Ge, "0.0.0-0")]);
    }
    let mut lo = fixed.clone();
    lo.resize(3, 0);
    let mut hi = fixed.clone();
    let last = hi.len() - 1;
    if let Some(x) = hi.get_mut(last) {
        *x = x
            .checked_add(1)
            .ok_or_else(|| err(text, "number too large"))?;
    }
    hi.resize(3, 0);
    Ok(vec![
        c(Op::Ge, join(&lo)),
        c(Op::Lt, format!("{}-0", join(&hi))),
    ])
}

fn caret(text: &str, v: &str) -> Result<Vec<Constraint>, ConstraintError> {
    let (core, pre) = match v.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (v, None),
    };
    let parts = numeric_parts(core).ok_or_else(|| err(text, "bad version after ^"))?;
    let nums: Vec<u64> = parts.iter().map_while(|p| *p).collect();
    let mut lo = nums.clone();
    lo.resize(3, 0);
    let lo_s = match pre {
        Some(p) => format!("{}-{p}", join(&lo)),
        None => join(&lo),
    };
    // The first non-zero part among those given is bumped.
    let idx = nums
        .iter()
        .position(|n| *n != 0)
        .unwrap_or(nums.len().saturating_sub(1));
    let mut hi: Vec<u64> = nums.iter().take(idx + 1).copied().collect();
    if let Some(x) = hi.last_mut() {
        *x = x
            .checked_add(1)
            .ok_or_else(|| err(text, "number too large"))?;
    } else {
        return Ok(vec![c(Op::Ge, "0.0.0-0")]);
    }
    hi.resize(3, 0);
    Ok(vec![c(Op::Ge, lo_s), c(Op::Lt, format!("{}-0", join(&hi)))])
}

fn tilde(text: &str, v: &str) -> Result<Vec<Constraint>, ConstraintError> {
    let core = v.split_once('-').map_or(v, |(a, _)| a);
    let parts = numeric_parts(core).ok_or_else(|| err(text, "bad version after ~"))?;
    let nums: Vec<u64> = parts.iter().map_while(|p| *p).collect();
    let mut hi: Vec<u64> = if nums.len() >= 2 {
        nums.iter().take(2).copied().collect()
    } else {
        nums.clone()
    };
    let Some(x) = hi.last_mut() else {
        return Ok(vec![c(Op::Ge, "0.0.0-0")]);
    };
    *x = x
        .checked_add(1)
        .ok_or_else(|| err(text, "number too large"))?;
    hi.resize(3, 0);
    Ok(vec![c(Op::Ge, v), c(Op::Lt, format!("{}-0", join(&hi)))])
}

/// A RubyGems requirement list (each string one AND-set of comma-separated
/// requirements, as rubysec writes `patched_versions`).
pub fn parse_gem(text: &str) -> Result<Vec<Constraint>, ConstraintError> {
    if text.len() > MAX_LEN {
        return Err(err(text, "longer than 4096 bytes"));
    }
    let mut out = Vec::new();
    for req in text.split(',') {
        let req = req.trim();
        let (op, v) = split_op(req);
        let v = v.trim();
        if v.is_empty() {
            return Err(err(text, "empty version"));
        }
        match op {
            "~>" => {
                // `~> 1.2.3` = `>= 1.2.3, < 1.3`; `~> 1.2` = `>= 1.2, < 2`.
                let segs: Vec<&str> = v.split('.').collect();
                let numeric: Vec<u64> = segs.iter().map_while(|s| s.parse().ok()).collect();
                if numeric.is_empty() {
                    return Err(err(text, "bad version after ~>"));
                }
                let keep = if numeric.len() > 1 {
                    numeric.len() - 1
                } else {
                    1
                };
                let mut hi: Vec<u64> = numeric.iter().take(keep).copied().collect();
                if let Some(x) = hi.last_mut() {
                    *x = x
                        .checked_add(1)
                        .ok_or_else(|| err(text, "number too large"))?;
                }
                out.push(c(Op::Ge, v));
                out.push(c(Op::Lt, format!("{}.a", join(&hi))));
            }
            "" | "=" => out.push(c(Op::Eq, v)),
            "<" => out.push(c(Op::Lt, v)),
            "<=" => out.push(c(Op::Le, v)),
            ">" => out.push(c(Op::Gt, v)),
            ">=" => out.push(c(Op::Ge, v)),
            "!=" => out.push(c(Op::Ne, v)),
            _ => return Err(err(text, "unknown operator")),
        }
    }
    Ok(out)
}

/// GHSA-style comma-separated comparisons (`">= 2.0.0, <= 2.9.10.3"`,
/// `"< 3.0.0"`), or a Maven interval (`[2.9.0,2.9.10.7)`, `(,1.0]`).
pub fn parse_plain(text: &str) -> Result<Vec<Constraint>, ConstraintError> {
    if text.len() > MAX_LEN {
        return Err(err(text, "longer than 4096 bytes"));
    }
    let t = text.trim();
    if t.starts_with('[') || t.starts_with('(') {
        let open_inclusive = t.starts_with('[');
        let close_inclusive = t.ends_with(']');
        if !(t.ends_with(']') || t.ends_with(')')) || t.len() < 2 {
            return Err(err(text, "unterminated interval"));
        }
        let inner = t.get(1..t.len() - 1).unwrap_or("");
        let Some((lo, hi)) = inner.split_once(',') else {
            // `[1.0]` is exactly 1.0.
            return Ok(vec![c(Op::Eq, inner.trim())]);
        };
        let mut out = Vec::new();
        if !lo.trim().is_empty() {
            out.push(c(if open_inclusive { Op::Ge } else { Op::Gt }, lo.trim()));
        }
        if !hi.trim().is_empty() {
            out.push(c(if close_inclusive { Op::Le } else { Op::Lt }, hi.trim()));
        }
        if out.is_empty() {
            out.push(c(Op::Ge, "0"));
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    for part in t.split(',') {
        let part = part.trim();
        let (op, v) = split_op(part);
        let v = v.trim();
        if v.is_empty() {
            return Err(err(text, "empty version"));
        }
        out.push(match op {
            "" | "=" | "==" => c(Op::Eq, v),
            "<" => c(Op::Lt, v),
            "<=" => c(Op::Le, v),
            ">" => c(Op::Gt, v),
            ">=" => c(Op::Ge, v),
            "!=" => c(Op::Ne, v),
            _ => return Err(err(text, "unknown operator")),
        });
    }
    Ok(out)
}

/// The versions a patched set starts at (`>= 4.17.5` → `4.17.5`), used as
/// the finding's fixed versions.
pub fn fixed_versions(patched: &[Vec<Constraint>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for set in patched {
        for cst in set {
            if matches!(cst.op, Op::Ge | Op::Eq) && !out.contains(&cst.version) {
                out.push(cst.version.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(sets: &[Vec<Constraint>]) -> String {
        sets.iter()
            .map(|s| {
                s.iter()
                    .map(|c| format!("{}{}", c.op.as_str(), c.version))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(" || ")
    }

    #[test]
    fn npm_ranges() {
        let p = |s: &str| show(&parse_npm(s).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(p("<5.0.3 >=5.0.0 || < 4.2.1"), "<5.0.3 >=5.0.0 || <4.2.1");
        assert_eq!(p(">=4.17.15 <4.17.19"), ">=4.17.15 <4.17.19");
        assert_eq!(p("^1.2.3"), ">=1.2.3 <2.0.0-0");
        assert_eq!(p("^0.2.3"), ">=0.2.3 <0.3.0-0");
        assert_eq!(p("~1.2.3"), ">=1.2.3 <1.3.0-0");
        assert_eq!(p("1.2.x"), ">=1.2.0 <1.3.0-0");
        assert_eq!(p("8.x || 7.x"), ">=8.0.0 <9.0.0-0 || >=7.0.0 <8.0.0-0");
        assert_eq!(p("1.0.0 - 1.2.0"), ">=1.0.0 <=1.2.0");
        assert_eq!(p("*"), ">=0.0.0-0");
        assert!(parse_npm("<").is_err());
    }

    #[test]
    fn gem_requirements() {
        let p = |s: &str| show(&[parse_gem(s).unwrap_or_else(|e| panic!("{e}"))]);
        assert_eq!(p("~> 1.2.3"), ">=1.2.3 <1.3.a");
        assert_eq!(p("~> 5.2.4, >= 5.2.4.3"), ">=5.2.4 <5.3.a >=5.2.4.3");
        assert_eq!(p(">= 2.0"), ">=2.0");
        assert_eq!(p("~> 2"), ">=2 <3.a");
    }

    #[test]
    fn plain_and_maven() {
        let p = |s: &str| show(&[parse_plain(s).unwrap_or_else(|e| panic!("{e}"))]);
        assert_eq!(p(">= 2.0.0, <= 2.9.10.3"), ">=2.0.0 <=2.9.10.3");
        assert_eq!(p("[2.9.0,2.9.10.7)"), ">=2.9.0 <2.9.10.7");
        assert_eq!(p("(,1.0]"), "<=1.0");
        assert_eq!(p("< v2.8.0"), "<v2.8.0");
    }
}
