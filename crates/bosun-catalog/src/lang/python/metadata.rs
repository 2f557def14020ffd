//! Core metadata of an installed distribution: `*.dist-info/METADATA`,
//! `*.egg-info/PKG-INFO`, an `*.egg-info` file, `EGG-INFO/PKG-INFO`.
//!
//! The format is RFC 822 headers (the Core Metadata specification): one
//! `Field: value` per line, continuation lines starting with whitespace, and
//! the long description after the first empty line. Only the headers are
//! read, line by line over the bytes, so a huge description costs no copy.

use crate::lang::common::{Declared, LangError, clip, license_value, plausible};

/// Most header lines read; a real METADATA has a few hundred at most (one
/// per classifier and requirement).
const MAX_HEADER_LINES: usize = 100_000;

/// What the headers say about the distribution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoreMetadata {
    /// `Name`, as written.
    pub name: String,
    pub version: String,
    /// `License-Expression` (Metadata 2.4), an SPDX expression.
    pub license_expression: Option<String>,
    /// `License`, when it is a short one-line value other than `UNKNOWN`.
    pub license: Option<String>,
    /// The last part of each `Classifier: License :: ...` classifier.
    pub license_classifiers: Vec<String>,
    /// `Metadata-Version`.
    pub metadata_version: Option<String>,
}

impl CoreMetadata {
    /// The declared licences: the expression when there is one, else the
    /// `License` field, else the licence classifiers.
    pub fn licenses(&self) -> Vec<String> {
        if let Some(e) = &self.license_expression {
            return vec![e.clone()];
        }
        if let Some(l) = &self.license {
            return vec![l.clone()];
        }
        self.license_classifiers.clone()
    }
}

/// Reads the headers. Fails when `Name` or `Version` is missing or unusable.
pub fn parse(bytes: &[u8]) -> Result<CoreMetadata, LangError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut md = CoreMetadata::default();
    let mut name = None;
    let mut version = None;
    // The field the previous line belongs to, and whether `License` went on
    // over several lines (then it is a licence text, not a name).
    let mut current: Option<String> = None;
    let mut license_lines = 0usize;
    for (n, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        if n >= MAX_HEADER_LINES {
            break;
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(|b| *b == b' ' || *b == b'\t') {
            // End of the headers (or an empty file).
            break;
        }
        if raw.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            if current.as_deref() == Some("license") {
                license_lines += 1;
            }
            continue;
        }
        let Some(colon) = raw.iter().position(|&b| b == b':') else {
            // Not a header: the body started without its blank line.
            break;
        };
        let (key, value) = raw.split_at(colon);
        let key = String::from_utf8_lossy(key).trim().to_ascii_lowercase();
        let value = String::from_utf8_lossy(value.get(1..).unwrap_or_default())
            .trim()
            .to_owned();
        match key.as_str() {
            "name" if name.is_none() => name = Some(value),
            "version" if version.is_none() => version = Some(value),
            "metadata-version" => md.metadata_version = Some(value),
            "license-expression" => md.license_expression = license_value(&value),
            "license" => {
                license_lines = 1;
                md.license = Some(value);
            }
            "classifier" => {
                let parts: Vec<&str> = value.split("::").map(str::trim).collect();
                if parts.first() == Some(&"License")
                    && parts.len() > 1
                    && parts.last() != Some(&"OSI Approved")
                    && let Some(l) = parts.last().and_then(|l| license_value(l))
                    && !md.license_classifiers.contains(&l)
                {
                    md.license_classifiers.push(l);
                }
            }
            _ => {}
        }
        current = Some(key);
    }
    // A `License` spread over several lines is a licence text.
    if license_lines > 1 {
        md.license = None;
    }
    md.license = md
        .license
        .as_deref()
        .filter(|l| !l.eq_ignore_ascii_case("UNKNOWN") && !l.eq_ignore_ascii_case("none"))
        .and_then(license_value);
    md.name = name.ok_or(LangError::Missing("Name"))?;
    md.version = version.ok_or(LangError::Missing("Version"))?;
    for (field, v) in [("Name", &md.name), ("Version", &md.version)] {
        if !plausible(v) {
            return Err(LangError::BadField {
                field,
                why: format!("`{}` is empty or has spaces", clip(v)),
            });
        }
    }
    Ok(md)
}

/// PEP 503 normalized name: lower case, runs of `-`, `_` and `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// A declaration from core metadata: the normalized name, with the name as
/// written kept as `declared-name` when it differs.
pub fn declared(md: CoreMetadata) -> Declared {
    let licenses = md.licenses();
    let norm = normalize(&md.name);
    let mut d = Declared::new(norm.clone(), md.version);
    d.licenses = licenses;
    if norm != md.name {
        d.properties.insert("declared-name".into(), md.name);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_normalization() {
        for (raw, want) in [
            ("Jinja2", "jinja2"),
            ("PyYAML", "pyyaml"),
            ("zope.interface", "zope-interface"),
            ("typing_extensions", "typing-extensions"),
            ("Foo__Bar-.baz", "foo-bar-baz"),
            ("a", "a"),
        ] {
            assert_eq!(normalize(raw), want, "{raw}");
        }
    }

    #[test]
    fn headers_stop_at_the_body_and_licences_follow_precedence() {
        let md = parse(
            b"Metadata-Version: 2.4\r\nName: Foo.Bar\r\nVersion: 1.0\r\n\
              License: BSD\r\nLicense-Expression: MIT OR Apache-2.0\r\n\
              Classifier: License :: OSI Approved :: MIT License\r\n\r\n\
              Version: 9.9\r\nName: body\r\n",
        )
        .expect("parse");
        assert_eq!((md.name.as_str(), md.version.as_str()), ("Foo.Bar", "1.0"));
        assert_eq!(md.licenses(), vec!["MIT OR Apache-2.0".to_owned()]);
        let d = declared(md);
        assert_eq!(d.name, "foo-bar");
        assert_eq!(d.properties["declared-name"], "Foo.Bar");
    }

    #[test]
    fn a_licence_text_in_the_license_field_gives_way_to_classifiers() {
        let md = parse(
            b"Name: x\nVersion: 1\nLicense: Copyright (c) 2010\n        Permission is hereby granted\n\
              Classifier: License :: OSI Approved\nClassifier: License :: OSI Approved :: MIT License\n",
        )
        .expect("parse");
        assert_eq!(md.license, None);
        assert_eq!(md.licenses(), vec!["MIT License".to_owned()]);
        let unknown = parse(b"Name: x\nVersion: 1\nLicense: UNKNOWN\n").expect("parse");
        assert!(unknown.licenses().is_empty());
    }

    #[test]
    fn missing_or_spaced_fields_are_errors() {
        assert_eq!(parse(b"Name: x\n"), Err(LangError::Missing("Version")));
        assert_eq!(parse(b""), Err(LangError::Missing("Name")));
        assert!(parse(b"Name: a b\nVersion: 1\n").is_err());
        // The body is not headers.
        assert_eq!(
            parse(b"Name: x\n\nVersion: 1\n"),
            Err(LangError::Missing("Version"))
        );
    }
}
