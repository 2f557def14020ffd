//! `Cargo.lock`, every format cargo has written (v1 without a `version`
//! key, v2, v3 and v4 with `version = N`).
//!
//! The file is read line by line, the way cargo writes it: `[[package]]`
//! tables with `key = value` lines (`name`, `version`, `source`,
//! `checksum`; `dependencies` arrays are read past), and v1's `[metadata]`
//! table of checksums (`"checksum NAME VERSION (SOURCE)" = "HASH"`). Strings may be basic (`"..."`, with escapes) or
//! literal (`'...'`). This keeps memory to the packages themselves (a
//! general TOML parser builds a document several times the file's size) and
//! keeps going past a bad table instead of losing the file.

/// Most packages read from one lockfile.
pub const MAX_PACKAGES: usize = 200_000;

/// One `[[package]]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockPackage {
    pub name: String,
    pub version: String,
    /// `registry+https://...`, `git+https://...#rev`, or none for the
    /// workspace's own packages and path dependencies.
    pub source: Option<String>,
    pub checksum: Option<String>,
    /// 1-based line of the `[[package]]` header.
    pub line: usize,
}

/// What a lockfile holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CargoLock {
    /// The `version = N` at the top, when present (v3, v4).
    pub version: Option<u32>,
    pub packages: Vec<LockPackage>,
    /// Tables skipped, each `line N: why`.
    pub warnings: Vec<String>,
}

/// A TOML string value at the start of `s` (after `=`): basic or literal.
fn string_value(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('\'') {
        let end = rest.find('\'')?;
        return Some(rest[..end].to_owned());
    }
    let rest = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' | 'U' => return None,
                e => out.push(e),
            },
            c => out.push(c),
        }
    }
    None
}

#[derive(PartialEq)]
enum Table {
    Top,
    Package,
    /// v1's `[metadata]`: `"checksum NAME VERSION (SOURCE)" = "HASH"`.
    Metadata,
    Other,
}

/// Parses a Cargo.lock. Never fails: a `[[package]]` table without a name
/// or version is skipped with a warning.
pub fn parse(bytes: &[u8]) -> CargoLock {
    let text = String::from_utf8_lossy(bytes);
    let mut lock = CargoLock::default();
    let mut table = Table::Top;
    let mut cur: Option<LockPackage> = None;
    let mut in_array = false;
    let mut full = false;
    let mut checksums: std::collections::HashMap<(String, String), String> =
        std::collections::HashMap::new();
    let finish = |cur: &mut Option<LockPackage>, lock: &mut CargoLock, full: &mut bool| {
        let Some(p) = cur.take() else {
            return;
        };
        if p.name.is_empty() || p.version.is_empty() {
            lock.warnings.push(format!(
                "line {}: a [[package]] without a name or version",
                p.line
            ));
        } else if lock.packages.len() >= MAX_PACKAGES {
            if !*full {
                lock.warnings.push(format!(
                    "line {}: more than {MAX_PACKAGES} packages; the rest are not read",
                    p.line
                ));
                *full = true;
            }
        } else {
            lock.packages.push(p);
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if in_array {
            // Inside a multi-line array (`dependencies = [`): until `]`.
            if line.starts_with(']') {
                in_array = false;
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            finish(&mut cur, &mut lock, &mut full);
            if line.starts_with("[[package]]") {
                table = Table::Package;
                cur = Some(LockPackage {
                    line: n,
                    ..LockPackage::default()
                });
            } else if line.starts_with("[metadata]") {
                table = Table::Metadata;
            } else {
                table = Table::Other;
            }
            continue;
        }
        if table == Table::Metadata {
            if let Some(rest) = line.strip_prefix("\"checksum ")
                && let Some((k, v)) = rest.split_once("\" =")
            {
                let mut parts = k.split(' ');
                if let (Some(name), Some(version), Some(hash)) =
                    (parts.next(), parts.next(), string_value(v))
                    && checksums.len() < MAX_PACKAGES
                {
                    checksums.insert((name.to_owned(), version.to_owned()), hash);
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        let value = value.trim();
        if value.starts_with('[') && !value.contains(']') {
            in_array = true;
            continue;
        }
        match table {
            Table::Top if key == "version" => lock.version = value.parse().ok(),
            Table::Package => {
                let Some(p) = cur.as_mut() else {
                    continue;
                };
                let slot = match key {
                    "name" => &mut p.name,
                    "version" => &mut p.version,
                    "source" => p.source.get_or_insert_with(String::new),
                    "checksum" => p.checksum.get_or_insert_with(String::new),
                    _ => continue,
                };
                match string_value(value) {
                    Some(v) => *slot = v,
                    None => lock
                        .warnings
                        .push(format!("line {n}: `{key}` is not a string")),
                }
            }
            _ => {}
        }
    }
    finish(&mut cur, &mut lock, &mut full);
    if !checksums.is_empty() {
        for p in lock.packages.iter_mut().filter(|p| p.checksum.is_none()) {
            if let Some(c) = checksums.remove(&(p.name.clone(), p.version.clone())) {
                p.checksum = Some(c);
            }
        }
    }
    lock
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_v3_and_odd_tables() {
        let v1 = r#"[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "libc"
version = "0.2.40"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum libc 0.2.40 (registry+https://github.com/rust-lang/crates.io-index)" = "abc"
"#;
        let l = parse(v1.as_bytes());
        assert_eq!(l.version, None);
        assert_eq!(l.packages.len(), 2);
        assert_eq!(l.packages[0].source, None);
        assert_eq!(l.packages[1].line, 8);
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);

        let v3 = "version = 3\n\n[[package]]\nname = 'lit'\nversion = \"1.0.0\"\ndependencies = [\"a\", \"b\"]\nchecksum = \"ff\"\n\n[[package]]\nname = \"noversion\"\n";
        let l = parse(v3.as_bytes());
        assert_eq!(l.version, Some(3));
        assert_eq!(l.packages.len(), 1);
        assert_eq!(l.packages[0].name, "lit");
        assert_eq!(l.packages[0].checksum.as_deref(), Some("ff"));
        assert_eq!(l.warnings.len(), 1);
    }

    #[test]
    fn escapes_and_bad_strings() {
        let l = parse(b"[[package]]\nname = \"a\\\"b\"\nversion = 1\n");
        assert_eq!(l.packages.len(), 0);
        assert_eq!(l.warnings.len(), 2, "{:?}", l.warnings);
    }
}
