//! pip requirement files (`requirements*.txt`, `requirements/*.txt`).
//!
//! Only pinned requirements name a version: `name==version` (or `===`),
//! with optional extras, environment marker and per-line options such as
//! `--hash`. Ranges (`>=`, `~=`), wildcards (`==1.*`), URLs, paths, editable
//! installs and option lines (`-r other.txt`, `--index-url`) say nothing
//! certain about what is installed and are skipped without a warning (that
//! is what such files normally contain). Included files (`-r`) are not
//! followed: they are read on their own when their name matches.

use crate::lang::common::{Declared, MAX_ENTRIES, Parsed, text};
use crate::lang::python::metadata::normalize;

/// Reads the pinned requirements, one package per distinct name and version.
pub fn parse(bytes: &[u8]) -> Parsed {
    let text = text(bytes);
    let mut out = Parsed::default();
    let mut logical = String::new();
    for line in text.lines() {
        // A backslash at the end continues the requirement on the next line.
        if let Some(head) = line.strip_suffix('\\') {
            logical.push_str(head);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let req = std::mem::take(&mut logical);
        if let Some(d) = pinned(&req) {
            if out.packages.len() >= MAX_ENTRIES {
                out.warnings
                    .push(format!("stopped after {MAX_ENTRIES} requirements (limit)"));
                break;
            }
            out.packages.push(d);
        }
    }
    out.dedup();
    out
}

/// The package a requirement line pins, if it pins one.
fn pinned(line: &str) -> Option<Declared> {
    // Comments start at `#` at the start of the line or after whitespace.
    let mut end = line.len();
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace)) {
            end = i;
            break;
        }
    }
    let line = line.get(..end)?.trim();
    if line.is_empty() || line.starts_with('-') || line.contains("://") {
        return None;
    }
    // The environment marker and per-line options do not change the pin.
    let line = line.split(';').next()?.trim();
    let line = match line.find(" -") {
        Some(i) => line.get(..i)?.trim(),
        None => line,
    };
    if line.starts_with(['.', '/', '~']) || line.contains(" @ ") || line.contains('@') {
        return None;
    }
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = line.get(..name_end)?;
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let mut rest = line.get(name_end..)?.trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        rest = after.split_once(']')?.1.trim_start();
    }
    // Exactly one specifier, and it pins: `==` or `===`.
    if rest.contains(',') {
        return None;
    }
    let version = rest
        .strip_prefix("===")
        .or_else(|| rest.strip_prefix("=="))?
        .trim();
    if version.is_empty()
        || version.contains('*')
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '!'))
    {
        return None;
    }
    let norm = normalize(name);
    let mut d = Declared::new(norm.clone(), version);
    if norm != name {
        d.properties.insert("declared-name".into(), name.to_owned());
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Parsed) -> Vec<(String, String)> {
        p.packages
            .iter()
            .map(|d| (d.name.clone(), d.version.clone()))
            .collect()
    }

    #[test]
    fn only_pins_count() {
        let p = parse(
            b"# top\nrequests==2.19.1  # pinned\nflask>=1.0\nJinja2 == 2.10\n\
              urllib3==1.24.*\n-r other.txt\n--index-url https://x\n-e git+https://x/y#egg=z\n\
              ./local\nname @ https://x/y.whl\nPyYAML[extra1,extra2]==5.3 ; python_version >= \"3\"\n\
              six==1.16.0 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\n\
              a==1,<2\nzope.interface===5.0\nrequests==2.19.1\n",
        );
        assert_eq!(
            names(&p),
            vec![
                ("requests".into(), "2.19.1".into()),
                ("jinja2".into(), "2.10".into()),
                ("pyyaml".into(), "5.3".into()),
                ("six".into(), "1.16.0".into()),
                ("zope-interface".into(), "5.0".into()),
            ]
        );
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn a_million_pins_stop_at_the_limit() {
        let mut s = String::new();
        for i in 0..1_000_000 {
            s.push_str(&format!("p{i}==1.0\n"));
        }
        let p = parse(s.as_bytes());
        assert_eq!(p.packages.len(), MAX_ENTRIES);
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    }
}
