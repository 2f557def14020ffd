//! The deb822 stanza format of dpkg's `status` file (and `status.d/*`).
//!
//! Stanzas are separated by blank lines (lines of only blanks count as
//! blank). A field is `Name: value`; a line starting with a space or tab
//! continues the previous field. Field names are matched case-insensitively.
//! A stanza with a line that is neither, with a duplicated field, or over the
//! limits is reported as an error with its first line number and skipped; the
//! stanzas around it are still read.

use crate::os::limits::{MAX_FIELD_LEN, MAX_FIELDS_PER_STANZA, MAX_PACKAGES};

/// One stanza: its fields in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stanza {
    /// 1-based line number of the stanza's first line.
    pub line: usize,
    /// `(name, value)`. A value is the first line's text without surrounding
    /// blanks, then each continuation line (without its first blank and
    /// trailing blanks) after a `\n`.
    pub fields: Vec<(String, String)>,
}

impl Stanza {
    /// The value of a field, by case-insensitive name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first line of a field's value, trimmed; `None` when empty.
    pub fn first_line(&self, name: &str) -> Option<&str> {
        self.get(name)
            .and_then(|v| v.lines().next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// A stanza that was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StanzaError {
    /// 1-based line number of the stanza's first line.
    pub line: usize,
    /// The `Package` field, when the stanza had one before the error.
    pub package: Option<String>,
    pub message: String,
}

/// The stanzas of a file, the ones skipped, and whether the stanza limit cut
/// the file short.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub stanzas: Vec<Stanza>,
    pub errors: Vec<StanzaError>,
    pub truncated: bool,
}

#[derive(Default)]
struct Building {
    line: usize,
    fields: Vec<(String, String)>,
    /// Lower-cased field names seen, for the duplicate check.
    names: std::collections::HashSet<String>,
    error: Option<String>,
    started: bool,
}

impl Building {
    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    fn finish(&mut self, out: &mut Parsed) {
        if !self.started {
            return;
        }
        let b = std::mem::take(self);
        match b.error {
            None => out.stanzas.push(Stanza {
                line: b.line,
                fields: b.fields,
            }),
            Some(message) => out.errors.push(StanzaError {
                line: b.line,
                package: b
                    .fields
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("package"))
                    .map(|(_, v)| v.clone()),
                message,
            }),
        }
    }
}

/// Parses deb822 text into stanzas (see the module documentation).
pub fn parse(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut cur = Building::default();
    for (index, raw) in text.split('\n').enumerate() {
        let lineno = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            cur.finish(&mut out);
            if out.stanzas.len() + out.errors.len() >= MAX_PACKAGES {
                out.truncated = text
                    .split('\n')
                    .skip(index + 1)
                    .any(|l| !l.trim().is_empty());
                return out;
            }
            continue;
        }
        if !cur.started {
            cur.started = true;
            cur.line = lineno;
        }
        if cur.error.is_some() {
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            let Some((_, value)) = cur.fields.last_mut() else {
                cur.fail(format!("line {lineno}: continuation line before any field"));
                continue;
            };
            let cont = line.get(1..).unwrap_or_default().trim_end();
            if value.len() + 1 + cont.len() > MAX_FIELD_LEN {
                cur.fail(format!(
                    "line {lineno}: field value over the {MAX_FIELD_LEN}-byte limit"
                ));
                continue;
            }
            value.push('\n');
            value.push_str(cont);
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            cur.fail(format!("line {lineno}: not a `Name: value` field"));
            continue;
        };
        if name.is_empty() || name.contains(char::is_whitespace) || name.starts_with('-') {
            cur.fail(format!(
                "line {lineno}: invalid field name `{}`",
                clip(name)
            ));
            continue;
        }
        if !cur.names.insert(name.to_ascii_lowercase()) {
            cur.fail(format!("line {lineno}: duplicate field `{}`", clip(name)));
            continue;
        }
        if cur.fields.len() >= MAX_FIELDS_PER_STANZA {
            cur.fail(format!(
                "line {lineno}: more than {MAX_FIELDS_PER_STANZA} fields"
            ));
            continue;
        }
        let value = value.trim();
        if value.len() > MAX_FIELD_LEN {
            cur.fail(format!(
                "line {lineno}: field value over the {MAX_FIELD_LEN}-byte limit"
            ));
            continue;
        }
        cur.fields.push((name.to_owned(), value.to_owned()));
    }
    cur.finish(&mut out);
    out
}

/// At most 64 characters of untrusted text for a message.
pub(crate) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stanzas_fields_and_continuations() {
        let p = parse(
            "Package: a\nStatus: install ok installed\nDescription: short\n long line\n .\n more\n\n\n\
             \t \nPackage: b\r\nVersion:1.0\r\nconffiles:\n /etc/x 123\n",
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.stanzas.len(), 2);
        let a = &p.stanzas[0];
        assert_eq!(a.line, 1);
        assert_eq!(a.get("description"), Some("short\nlong line\n.\nmore"));
        assert_eq!(a.first_line("Description"), Some("short"));
        let b = &p.stanzas[1];
        assert_eq!(b.line, 10);
        assert_eq!(b.get("Version"), Some("1.0"));
        assert_eq!(b.get("Conffiles"), Some("\n/etc/x 123"));
        assert_eq!(b.first_line("Conffiles"), None);
    }

    #[test]
    fn bad_stanzas_are_skipped_alone() {
        let p = parse(
            "this is a corrupt db\n\nPackage: ok\nVersion: 1\n\n\
             Package: dup\nVersion: 1\nversion: 2\n\n \ncont first\n\nPackage: last\n",
        );
        let names: Vec<_> = p.stanzas.iter().filter_map(|s| s.get("Package")).collect();
        assert_eq!(names, vec!["ok", "last"]);
        assert_eq!(p.errors.len(), 3, "{:?}", p.errors);
        assert_eq!(p.errors[0].line, 1);
        assert_eq!(p.errors[1].package.as_deref(), Some("dup"));
        assert!(p.errors[1].message.contains("duplicate field"));
        assert_eq!(p.errors[2].line, 11);
    }

    #[test]
    fn leading_continuation_is_an_error() {
        let p = parse(" orphan\nPackage: x\n");
        assert_eq!(p.stanzas.len(), 0);
        assert_eq!(p.errors.len(), 1);
    }

    #[test]
    fn clip_bounds_messages() {
        assert_eq!(clip("ab\n"), "ab\\n");
        assert_eq!(clip(&"x".repeat(100)).chars().count(), 65);
    }
}
