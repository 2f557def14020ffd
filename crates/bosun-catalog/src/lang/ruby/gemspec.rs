//! Installed gem specifications (`specifications/*.gemspec`), read as text.
//!
//! RubyGems writes these files itself when it installs a gem: Ruby code with
//! one `s.field = value` assignment per line. bosun does not evaluate Ruby:
//! it reads the first `name`, `version`, `platform`, `license` and
//! `licenses` assignments whose values are string literals (optionally
//! `.freeze`d, or `Gem::Version.new("...")`), and falls back to the
//! `# stub: NAME VERSION PLATFORM` comment RubyGems puts at the top. A value
//! computed by code is not guessed.

use crate::lang::common::{LangError, clip, license_value, plausible};

/// Most lines read from one gemspec.
const MAX_LINES: usize = 100_000;

/// What a gemspec declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GemSpec {
    pub name: String,
    pub version: String,
    /// `None` for the default `ruby` platform.
    pub platform: Option<String>,
    pub licenses: Vec<String>,
}

/// The string literals at the start of `s` (a value, a list, or
/// `Gem::Version.new(...)`), as far as they are plain literals.
fn literals(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = s.trim_start();
    s = s.strip_prefix("Gem::Version.new(").unwrap_or(s);
    let list = s.starts_with('[');
    if list {
        s = s.get(1..).unwrap_or_default();
    }
    loop {
        s = s.trim_start();
        let Some((lit, rest)) = literal(s) else {
            break;
        };
        out.push(lit);
        s = rest.strip_prefix(".freeze").unwrap_or(rest).trim_start();
        if !list {
            break;
        }
        match s.strip_prefix(',') {
            Some(r) => s = r,
            None => break,
        }
        if out.len() >= 64 {
            break;
        }
    }
    out
}

/// One Ruby string literal (`"..."` with escapes, or `'...'`) and the rest.
fn literal(s: &str) -> Option<(String, &str)> {
    let quote = s.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == quote {
            return Some((out, s.get(i + 1..).unwrap_or_default()));
        }
        if c == '\\' {
            let (_, next) = chars.next()?;
            if quote == '"' && next == 'u' {
                // \uXXXX
                let hex: String = (0..4)
                    .filter_map(|_| chars.next().map(|(_, c)| c))
                    .collect();
                out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                continue;
            }
            out.push(next);
            continue;
        }
        out.push(c);
    }
    None
}

/// Reads a gemspec.
pub fn parse(bytes: &[u8]) -> Result<GemSpec, LangError> {
    let text = String::from_utf8_lossy(bytes);
    let mut name = None;
    let mut version = None;
    let mut platform = None;
    let mut licenses: Option<Vec<String>> = None;
    let mut stub: Option<(String, String, Option<String>)> = None;
    for line in text.lines().take(MAX_LINES) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("# stub:") {
            let mut words = rest.split_whitespace();
            if stub.is_none()
                && let (Some(n), Some(v)) = (words.next(), words.next())
            {
                stub = Some((n.to_owned(), v.to_owned(), words.next().map(str::to_owned)));
            }
            continue;
        }
        // `IDENT.field = value`, `IDENT.field=value`.
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        if rhs.starts_with(['=', '~']) {
            continue;
        }
        let Some((recv, field)) = lhs.trim().split_once('.') else {
            continue;
        };
        if recv.is_empty() || !recv.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let value = literals(rhs);
        match field.trim() {
            "name" if name.is_none() => name = value.into_iter().next(),
            "version" if version.is_none() => version = value.into_iter().next(),
            "platform" if platform.is_none() => platform = value.into_iter().next(),
            "license" | "licenses" if licenses.is_none() && !value.is_empty() => {
                licenses = Some(value.iter().filter_map(|l| license_value(l)).collect());
            }
            _ => {}
        }
    }
    let (stub_name, stub_version, stub_platform) = match stub {
        Some((n, v, p)) => (Some(n), Some(v), p),
        None => (None, None, None),
    };
    let name = name.or(stub_name).ok_or(LangError::Missing("name"))?;
    let version = version
        .or(stub_version)
        .ok_or(LangError::Missing("version"))?;
    for (field, v) in [("name", &name), ("version", &version)] {
        if !plausible(v) {
            return Err(LangError::BadField {
                field,
                why: format!("`{}` is empty or has spaces", clip(v)),
            });
        }
    }
    let platform = platform
        .or(stub_platform)
        .filter(|p| p != "ruby" && plausible(p));
    Ok(GemSpec {
        name,
        version,
        platform,
        licenses: licenses.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_gemspec() {
        let g = parse(
            br#"# -*- encoding: utf-8 -*-
# stub: nokogiri 1.10.4 x86_64-linux lib

Gem::Specification.new do |s|
  s.name = "nokogiri".freeze
  s.version = "1.10.4"
  s.platform = "x86_64-linux".freeze
  s.authors = ["Andr\u00E9".freeze]
  s.licenses = ["MIT".freeze, 'Ruby'.freeze]
  s.add_runtime_dependency(%q<mini_portile2>.freeze, ["~> 2.4.0".freeze])
end
"#,
        )
        .expect("parse");
        assert_eq!(
            g,
            GemSpec {
                name: "nokogiri".into(),
                version: "1.10.4".into(),
                platform: Some("x86_64-linux".into()),
                licenses: vec!["MIT".into(), "Ruby".into()],
            }
        );
    }

    #[test]
    fn stub_fallback_and_computed_values() {
        let g = parse(
            b"# stub: rack 2.0.8 ruby lib\nGem::Specification.new do |spec|\n  spec.version = Rack::VERSION\n  spec.license = 'MIT'\nend\n",
        )
        .expect("parse");
        assert_eq!((g.name.as_str(), g.version.as_str()), ("rack", "2.0.8"));
        assert_eq!(g.platform, None);
        assert_eq!(g.licenses, vec!["MIT".to_owned()]);
        assert_eq!(parse(b"bogus"), Err(LangError::Missing("name")));
        assert!(parse(b"s.name = \"a\"\ns.version = \"\"\n").is_err());
    }

    #[test]
    fn literals_with_escapes() {
        assert_eq!(literals(r#" "a\"b".freeze"#), vec!["a\"b".to_owned()]);
        assert_eq!(
            literals(r#" Gem::Version.new("1.2")"#),
            vec!["1.2".to_owned()]
        );
        assert_eq!(
            literals(r#" ["x", "y" "#),
            vec!["x".to_owned(), "y".to_owned()]
        );
        assert!(literals(" \"unterminated").is_empty());
        assert!(literals(" \"\\u12").len() <= 1);
    }
}
