//! `go.mod` files: the module, its requirements and replacements.
//!
//! The grammar is golang.org/x/mod/modfile's: one directive per line or a
//! parenthesised block (`require (` ... `)`), tokens optionally quoted
//! (`"..."` or `` `...` ``), `//` comments, and a trailing `// indirect`
//! marking a requirement the module does not import directly. Directives
//! other than `module`, `go`, `toolchain`, `require`, `replace` and
//! `exclude` are read past.

/// Most requirements or replacements read from one file.
pub const MAX_ENTRIES: usize = 200_000;

/// One `require` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    pub path: String,
    pub version: String,
    pub indirect: bool,
    /// 1-based line number.
    pub line: usize,
}

/// One `replace` line: `old [version] => new [version]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    pub old_path: String,
    pub old_version: Option<String>,
    pub new_path: String,
    /// None for a directory replacement (`=> ../fork`).
    pub new_version: Option<String>,
}

/// What a go.mod declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    pub module: Option<String>,
    pub go: Option<String>,
    pub toolchain: Option<String>,
    pub requires: Vec<Require>,
    pub replaces: Vec<Replace>,
    /// `exclude` lines: (path, version).
    pub excludes: Vec<(String, String)>,
    /// Lines skipped, each `line N: why`.
    pub warnings: Vec<String>,
}

impl GoMod {
    /// Whether an `exclude` line names this module version.
    pub fn excluded(&self, path: &str, version: &str) -> bool {
        self.excludes.iter().any(|(p, v)| p == path && v == version)
    }

    /// The replacement that applies to a requirement, as the go command
    /// picks it: a version-specific one first, then a wildcard one.
    pub fn replacement(&self, path: &str, version: &str) -> Option<&Replace> {
        self.replaces
            .iter()
            .find(|r| r.old_path == path && r.old_version.as_deref() == Some(version))
            .or_else(|| {
                self.replaces
                    .iter()
                    .find(|r| r.old_path == path && r.old_version.is_none())
            })
    }
}

/// Splits a line into tokens and its comment (the text after `//`, trimmed).
fn tokens(line: &str) -> Result<(Vec<String>, Option<&str>), String> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok((out, None));
        }
        if let Some(c) = rest.strip_prefix("//") {
            return Ok((out, Some(c.trim())));
        }
        if let Some(r) = rest.strip_prefix('"') {
            let mut s = String::new();
            let mut chars = r.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, e)) => s.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        }),
                        None => return Err("unterminated quoted string".into()),
                    },
                    c => s.push(c),
                }
            }
            let Some(end) = end else {
                return Err("unterminated quoted string".into());
            };
            out.push(s);
            rest = r.get(end..).unwrap_or_default();
        } else if let Some(r) = rest.strip_prefix('`') {
            let Some(end) = r.find('`') else {
                return Err("unterminated raw string".into());
            };
            out.push(r[..end].to_owned());
            rest = &r[end + 1..];
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == '`')
                .unwrap_or(rest.len());
            let (tok, r) = rest.split_at(end);
            // A `//` glued to a token starts a comment.
            if let Some(i) = tok.find("//") {
                if i > 0 {
                    out.push(tok[..i].to_owned());
                }
                return Ok((out, Some(rest[i + 2..].trim())));
            }
            out.push(tok.to_owned());
            rest = r;
        }
    }
}

fn is_indirect(comment: Option<&str>) -> bool {
    comment.is_some_and(|c| c == "indirect" || c.starts_with("indirect;"))
}

/// Parses a go.mod. Malformed lines are skipped with a warning; the parse
/// itself never fails.
pub fn parse(bytes: &[u8]) -> GoMod {
    let text = String::from_utf8_lossy(bytes);
    let mut m = GoMod::default();
    let mut block: Option<String> = None;
    let mut full = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let (toks, comment) = match tokens(raw) {
            Ok(t) => t,
            Err(e) => {
                m.warnings.push(format!("line {n}: {e}"));
                continue;
            }
        };
        if toks.is_empty() {
            continue;
        }
        if block.is_some() && toks.len() == 1 && toks[0] == ")" {
            block = None;
            continue;
        }
        let (verb, args): (String, &[String]) = match &block {
            Some(b) => (b.clone(), &toks[..]),
            None => {
                if toks.len() == 2 && toks[1] == "(" {
                    block = Some(toks[0].clone());
                    continue;
                }
                (toks[0].clone(), &toks[1..])
            }
        };
        if matches!(verb.as_str(), "require" | "replace" | "exclude")
            && m.requires.len() + m.replaces.len() + m.excludes.len() >= MAX_ENTRIES
        {
            if !full {
                m.warnings.push(format!(
                    "line {n}: more than {MAX_ENTRIES} requirements and replacements; the rest are not read"
                ));
                full = true;
            }
            continue;
        }
        match verb.as_str() {
            "module" => match args {
                [p] => m.module = Some(p.clone()),
                _ => m
                    .warnings
                    .push(format!("line {n}: `module` takes one path")),
            },
            "go" => m.go = args.first().cloned(),
            "toolchain" => m.toolchain = args.first().cloned(),
            "require" => match args {
                [p, v] => m.requires.push(Require {
                    path: p.clone(),
                    version: v.clone(),
                    indirect: is_indirect(comment),
                    line: n,
                }),
                _ => m
                    .warnings
                    .push(format!("line {n}: a requirement is `path version`")),
            },
            "exclude" => match args {
                [p, v] => m.excludes.push((p.clone(), v.clone())),
                _ => m
                    .warnings
                    .push(format!("line {n}: an exclusion is `path version`")),
            },
            "replace" => {
                let Some(arrow) = args.iter().position(|a| a == "=>") else {
                    m.warnings
                        .push(format!("line {n}: a replacement has no `=>`"));
                    continue;
                };
                let (old, new) = (&args[..arrow], &args[arrow + 1..]);
                let r = match (old, new) {
                    ([op], [np]) | ([op, _], [np]) if !np.is_empty() => Replace {
                        old_path: op.clone(),
                        old_version: old.get(1).cloned(),
                        new_path: np.clone(),
                        new_version: None,
                    },
                    ([op], [np, nv]) | ([op, _], [np, nv]) => Replace {
                        old_path: op.clone(),
                        old_version: old.get(1).cloned(),
                        new_path: np.clone(),
                        new_version: Some(nv.clone()),
                    },
                    _ => {
                        m.warnings.push(format!(
                            "line {n}: a replacement is `path [version] => path [version]`"
                        ));
                        continue;
                    }
                };
                m.replaces.push(r);
            }
            _ => {}
        }
    }
    m
}

/// Whether a replacement path is a directory (`./x`, `../x`, `/x`), not a
/// module path: the go command's rule.
pub fn is_local_path(p: &str) -> bool {
    p.starts_with("./")
        || p.starts_with("../")
        || p.starts_with('/')
        || p == "."
        || p == ".."
        || p.starts_with(".\\")
        || p.starts_with("..\\")
        || p.as_bytes().get(1) == Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_single_lines_comments_and_replacements() {
        let src = r#"// a comment
module example.com/app // trailing

go 1.21
toolchain go1.21.5

require golang.org/x/text v0.14.0
require (
	github.com/a/b v1.2.3 // indirect
	"github.com/q/quoted" v0.1.0
	github.com/c/d v0.0.0-20230101000000-abcdef123456 // indirect; for tests
	bad line here
)
replace github.com/a/b => github.com/fork/b v1.2.4
replace (
	github.com/c/d v0.0.0-20230101000000-abcdef123456 => ../d
)
exclude github.com/x/y v1.0.0
retract v0.9.0
"#;
        let m = parse(src.as_bytes());
        assert_eq!(m.module.as_deref(), Some("example.com/app"));
        assert_eq!(m.go.as_deref(), Some("1.21"));
        assert_eq!(m.toolchain.as_deref(), Some("go1.21.5"));
        let reqs: Vec<(&str, &str, bool)> = m
            .requires
            .iter()
            .map(|r| (r.path.as_str(), r.version.as_str(), r.indirect))
            .collect();
        assert_eq!(
            reqs,
            vec![
                ("golang.org/x/text", "v0.14.0", false),
                ("github.com/a/b", "v1.2.3", true),
                ("github.com/q/quoted", "v0.1.0", false),
                ("github.com/c/d", "v0.0.0-20230101000000-abcdef123456", true),
            ]
        );
        assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
        let r = m.replacement("github.com/a/b", "v1.2.3").expect("replace");
        assert_eq!(
            (r.new_path.as_str(), r.new_version.as_deref()),
            ("github.com/fork/b", Some("v1.2.4"))
        );
        let d = m
            .replacement("github.com/c/d", "v0.0.0-20230101000000-abcdef123456")
            .expect("replace");
        assert!(d.new_version.is_none() && is_local_path(&d.new_path));
        assert!(m.replacement("golang.org/x/text", "v0.14.0").is_none());
        assert!(m.excluded("github.com/x/y", "v1.0.0"));
        assert!(!m.excluded("github.com/x/y", "v1.0.1"));
    }

    #[test]
    fn unterminated_strings_are_warnings() {
        let m = parse(b"module \"x\nrequire a v1\n");
        assert_eq!(m.module, None);
        assert_eq!(m.requires.len(), 1);
        assert_eq!(m.warnings.len(), 1);
    }
}
