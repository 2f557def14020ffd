//! The metadata inside a Java archive that names it: Maven's
//! `pom.properties`, the JAR manifest, and, as the last resort, the file
//! name.

use std::collections::BTreeMap;

/// Most keys read from one properties file or manifest.
pub const MAX_KEYS: usize = 4096;

/// Parses a Java `.properties` file (what Maven writes as
/// `META-INF/maven/<group>/<artifact>/pom.properties`): `key=value`,
/// `key: value` or `key value` lines, `#`/`!` comments, backslash line
/// continuations and escapes (`\t`, `\n`, `\uXXXX`, ...). A repeated key
/// keeps its last value, as in `java.util.Properties`.
pub fn parse_properties(bytes: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = BTreeMap::new();
    let mut logical = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let mut cur = line.trim_start().to_owned();
        if logical.is_empty() && (cur.starts_with('#') || cur.starts_with('!')) {
            continue;
        }
        // Continuation: an odd number of trailing backslashes.
        loop {
            let trailing = cur.chars().rev().take_while(|&c| c == '\\').count();
            if trailing % 2 == 1 {
                cur.pop();
                logical.push_str(&cur);
                match lines.next() {
                    Some(next) => cur = next.trim_start().to_owned(),
                    None => {
                        cur.clear();
                        break;
                    }
                }
            } else {
                break;
            }
        }
        logical.push_str(&cur);
        let l = std::mem::take(&mut logical);
        if l.is_empty() {
            continue;
        }
        if out.len() >= MAX_KEYS {
            break;
        }
        let (k, v) = split_property(&l);
        out.insert(k, v);
    }
    out
}

fn split_property(l: &str) -> (String, String) {
    let mut key = String::new();
    let mut chars = l.chars().peekable();
    // The key ends at an unescaped `=`, `:` or whitespace.
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(e) = chars.next() {
                    push_escape(&mut key, e, &mut chars);
                }
            }
            '=' | ':' => break,
            c if c.is_whitespace() => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('=') | Some(':')) {
                    chars.next();
                }
                break;
            }
            c => key.push(c),
        }
    }
    while chars.peek().is_some_and(|c| c.is_whitespace()) {
        chars.next();
    }
    let mut value = String::new();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(e) = chars.next() {
                push_escape(&mut value, e, &mut chars);
            }
        } else {
            value.push(c);
        }
    }
    (key, value)
}

fn push_escape(out: &mut String, e: char, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match e {
        't' => out.push('\t'),
        'n' => out.push('\n'),
        'r' => out.push('\r'),
        'f' => out.push('\u{c}'),
        'u' => {
            let mut v = 0u32;
            for _ in 0..4 {
                match chars.peek().and_then(|c| c.to_digit(16)) {
                    Some(d) => {
                        v = v * 16 + d;
                        chars.next();
                    }
                    None => break,
                }
            }
            out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
        }
        other => out.push(other),
    }
}

/// The main section of a JAR manifest (`META-INF/MANIFEST.MF`): `Name:
/// value` lines, continuation lines starting with one space, sections
/// separated by blank lines. Only the main (first) section is read.
pub fn parse_manifest(bytes: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if !out.is_empty() {
                break;
            }
            continue;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(v) = last.as_ref().and_then(|k| out.get_mut(k)) {
                v.push_str(cont);
            }
            continue;
        }
        if out.len() >= MAX_KEYS {
            break;
        }
        let Some((k, v)) = line.split_once(':') else {
            last = None;
            continue;
        };
        let k = k.trim().to_owned();
        out.insert(k.clone(), v.strip_prefix(' ').unwrap_or(v).to_owned());
        last = Some(k);
    }
    out
}

/// Archive file extensions the Java analyzer reads.
pub const ARCHIVE_EXTENSIONS: &[&str] = &["jar", "war", "ear", "jpi", "hpi"];

/// Whether a path names a Java archive (by extension, any case).
pub fn is_archive_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        ARCHIVE_EXTENSIONS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(ext))
    })
}

/// The artifact name and version in a file name such as
/// `jackson-databind-2.14.0.jar` or `log4j-1.2-api-2.19.0.jar`: the version
/// starts at the last `-` followed by `digits.digit`, or failing that at the
/// last `-` followed by a digit.
pub fn name_from_file(file: &str) -> Option<(String, Option<String>)> {
    let base = file.rsplit('/').next().unwrap_or(file);
    let stem = match base.rsplit_once('.') {
        Some((s, ext))
            if ARCHIVE_EXTENSIONS
                .iter()
                .any(|e| e.eq_ignore_ascii_case(ext)) =>
        {
            s
        }
        _ => base,
    };
    if stem.is_empty() {
        return None;
    }
    let b = stem.as_bytes();
    let starts: Vec<usize> = (1..b.len())
        .filter(|&i| b[i - 1] == b'-' && b[i].is_ascii_digit())
        .collect();
    let dotted = |i: usize| {
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        b.get(i + digits) == Some(&b'.') && b.get(i + digits + 1).is_some_and(u8::is_ascii_digit)
    };
    let at = starts
        .iter()
        .rev()
        .find(|&&i| dotted(i))
        .or_else(|| starts.last())
        .copied();
    match at {
        Some(i) if i >= 2 => Some((stem[..i - 1].to_owned(), Some(stem[i..].to_owned()))),
        _ => Some((stem.to_owned(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties() {
        let p = parse_properties(
            b"#Generated by Maven\n#Sat Nov 12 13:23:00 UTC 2022\nartifactId=jackson-annotations\ngroupId = com.fasterxml.jackson.core\nversion:2.14.0\n! other comment\nlong = a\\\n    b\\\\\nesc\\ key=caf\\u00e9\n",
        );
        assert_eq!(
            p.get("artifactId").map(String::as_str),
            Some("jackson-annotations")
        );
        assert_eq!(
            p.get("groupId").map(String::as_str),
            Some("com.fasterxml.jackson.core")
        );
        assert_eq!(p.get("version").map(String::as_str), Some("2.14.0"));
        assert_eq!(p.get("long").map(String::as_str), Some("ab\\"));
        assert_eq!(p.get("esc key").map(String::as_str), Some("café"));
        assert_eq!(p.len(), 5);
    }

    #[test]
    fn manifest_main_section_and_continuations() {
        let m = parse_manifest(
            b"Manifest-Version: 1.0\r\nImplementation-Title: Apache Log4j\r\n  API\r\nImplementation-Version: 2.19.0\r\n\r\nName: org/x/\r\nImplementation-Version: 9\r\n",
        );
        assert_eq!(
            m.get("Implementation-Title").map(String::as_str),
            Some("Apache Log4j API")
        );
        assert_eq!(
            m.get("Implementation-Version").map(String::as_str),
            Some("2.19.0")
        );
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn file_names() {
        let f = |s: &str| name_from_file(s).map(|(n, v)| (n, v.unwrap_or_default()));
        let s = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        assert_eq!(
            f("/x/jackson-databind-2.14.0.jar"),
            s("jackson-databind", "2.14.0")
        );
        assert_eq!(f("commons-lang3-3.12.0.jar"), s("commons-lang3", "3.12.0"));
        assert_eq!(f("log4j-1.2-api-2.19.0.jar"), s("log4j-1.2-api", "2.19.0"));
        assert_eq!(f("guava-31.1-jre.jar"), s("guava", "31.1-jre"));
        assert_eq!(f("x-1.0-2.jar"), s("x", "1.0-2"));
        assert_eq!(f("foo-2.JAR"), s("foo", "2"));
        assert_eq!(
            f("netty-all-4.1.86.Final.jar"),
            s("netty-all", "4.1.86.Final")
        );
        assert_eq!(f("commons-lang3.jar"), s("commons-lang3", ""));
        assert_eq!(f("app.war"), s("app", ""));
        assert_eq!(f("-1.0.jar"), s("-1.0", ""));
        assert_eq!(f(".jar"), None);
        assert!(is_archive_name("a/B.Ear") && !is_archive_name("a.zip"));
    }
}
