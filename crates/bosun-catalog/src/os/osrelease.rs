//! The distribution: `/etc/os-release` and its fallbacks.
//!
//! Read in this order, the first that yields an `ID` wins:
//! 1. `/etc/os-release`, then `/usr/lib/os-release` (symlinks followed inside
//!    the image: `/etc/os-release` is usually `../usr/lib/os-release`);
//! 2. `/etc/lsb-release` (`DISTRIB_ID`, `DISTRIB_RELEASE`, `DISTRIB_CODENAME`);
//! 3. `/etc/alpine-release` (`3.19.1`);
//! 4. `/etc/redhat-release`, `/etc/centos-release`, `/etc/fedora-release`,
//!    `/etc/rocky-release`, `/etc/almalinux-release`, `/etc/oracle-release`
//!    (`CentOS Linux release 7.9.2009 (Core)`);
//! 5. `/etc/debian_version` (`12.8`, or `trixie/sid` on testing and sid).
//!
//! For Debian-family systems without `VERSION_CODENAME` the codename comes
//! from `VERSION` (`12 (bookworm)`), `UBUNTU_CODENAME`, or `debian_version`.

use std::collections::BTreeMap;

use bosun_model::{Distro, Location};
use bosun_tree::{EntryKind, FileTree};

use crate::analyzer::{AnalyzeError, Analyzer, Context, Output};

/// Most bytes of a release file looked at.
const MAX_RELEASE_FILE: usize = 256 * 1024;
/// Most assignments kept from one os-release file.
const MAX_KEYS: usize = 1024;

/// Finds the distribution (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsReleaseAnalyzer;

const GLOBS: &[&str] = &[
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/lsb-release",
    "/etc/alpine-release",
    "/etc/redhat-release",
    "/etc/centos-release",
    "/etc/fedora-release",
    "/etc/rocky-release",
    "/etc/almalinux-release",
    "/etc/oracle-release",
    "/etc/debian_version",
];

impl Analyzer for OsReleaseAnalyzer {
    fn name(&self) -> &'static str {
        "os-release"
    }

    fn version(&self) -> u32 {
        1
    }

    fn globs(&self) -> &'static [&'static str] {
        GLOBS
    }

    fn distro(&self, tree: &FileTree) -> Option<Distro> {
        detect(tree)
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Output) -> Result<(), AnalyzeError> {
        Ok(())
    }
}

/// A release file read from the tree: its bytes, the resolved path and the
/// layer it came from.
fn read<'t>(tree: &'t FileTree, path: &str) -> Option<(&'t [u8], Location)> {
    let (resolved, node) = tree.lookup(path).ok()??;
    if node.meta.kind != EntryKind::File {
        return None;
    }
    let bytes = node.content.as_deref()?;
    let bytes = bytes.get(..MAX_RELEASE_FILE).unwrap_or(bytes);
    Some((bytes, Location::new(resolved, Some(node.layer))))
}

/// Detects the distribution of a tree.
pub fn detect(tree: &FileTree) -> Option<Distro> {
    let debian_version = read(tree, "/etc/debian_version")
        .map(|(b, _)| String::from_utf8_lossy(b).trim().to_owned());
    for path in ["/etc/os-release", "/usr/lib/os-release"] {
        if let Some((bytes, loc)) = read(tree, path) {
            let fields = parse_os_release(bytes);
            if let Some(mut d) = from_os_release(&fields, debian_version.as_deref()) {
                d.found_in = Some(loc);
                return Some(d);
            }
        }
    }
    if let Some((bytes, loc)) = read(tree, "/etc/lsb-release") {
        let fields = parse_os_release(bytes);
        if let Some(mut d) = from_lsb_release(&fields) {
            d.found_in = Some(loc);
            return Some(d);
        }
    }
    if let Some((bytes, loc)) = read(tree, "/etc/alpine-release") {
        let v = first_line(bytes);
        if !v.is_empty() {
            return Some(Distro {
                id: "alpine".into(),
                version_id: Some(v.to_owned()),
                pretty_name: Some(format!("Alpine Linux v{v}")),
                found_in: Some(loc),
                ..Distro::default()
            });
        }
    }
    for path in [
        "/etc/redhat-release",
        "/etc/centos-release",
        "/etc/fedora-release",
        "/etc/rocky-release",
        "/etc/almalinux-release",
        "/etc/oracle-release",
    ] {
        if let Some((bytes, loc)) = read(tree, path)
            && let Some(mut d) = from_redhat_release(first_line(bytes))
        {
            d.found_in = Some(loc);
            return Some(d);
        }
    }
    if let Some((bytes, loc)) = read(tree, "/etc/debian_version") {
        let mut d = from_debian_version(first_line(bytes))?;
        d.found_in = Some(loc);
        return Some(d);
    }
    None
}

fn first_line(bytes: &[u8]) -> &str {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    std::str::from_utf8(line).unwrap_or_default().trim()
}

/// Parses an os-release (or lsb-release) file: `KEY=VALUE` lines with shell
/// quoting (`"..."` with `\"`, `\\`, `\$` and `` \` `` escapes, `'...'`
/// literal, backslash escapes outside quotes), `#` comments and blank lines.
/// Lines that are not assignments are ignored, as systemd does. Later
/// assignments of a key win.
pub fn parse_os_release(bytes: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(bytes.get(..MAX_RELEASE_FILE).unwrap_or(bytes));
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let valid_key = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_key {
            continue;
        }
        if out.len() >= MAX_KEYS && !out.contains_key(key) {
            continue;
        }
        out.insert(key.to_owned(), unquote(raw.trim_start()));
    }
    out
}

/// Applies shell quoting rules to one value; stops at the first unquoted
/// blank (what follows is a comment or garbage).
fn unquote(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.trim_end().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&n @ ('"' | '\\' | '$' | '`')) => {
                                out.push(n);
                                chars.next();
                            }
                            _ => out.push('\\'),
                        },
                        c => out.push(c),
                    }
                }
            }
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            ' ' | '\t' => break,
            c => out.push(c),
        }
    }
    out
}

fn non_empty(fields: &BTreeMap<String, String>, key: &str) -> Option<String> {
    fields
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A `Distro` from parsed os-release fields; `None` without an `ID`.
pub fn from_os_release(
    fields: &BTreeMap<String, String>,
    debian_version: Option<&str>,
) -> Option<Distro> {
    let id = non_empty(fields, "ID")?.to_ascii_lowercase();
    let id_like: Vec<String> = fields
        .get("ID_LIKE")
        .map(|v| {
            v.split_whitespace()
                .map(|s| s.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let debian_family = id == "debian" || id == "ubuntu" || id_like.iter().any(|l| l == "debian");
    let version = non_empty(fields, "VERSION");
    let mut codename = non_empty(fields, "VERSION_CODENAME");
    if codename.is_none() && debian_family {
        codename = non_empty(fields, "UBUNTU_CODENAME")
            .or_else(|| version.as_deref().and_then(codename_in_parens))
            .or_else(|| {
                (id == "debian")
                    .then(|| debian_version.and_then(debian_version_codename))
                    .flatten()
            });
    }
    Some(Distro {
        id,
        version_id: non_empty(fields, "VERSION_ID"),
        codename,
        pretty_name: non_empty(fields, "PRETTY_NAME"),
        id_like,
        found_in: None,
    })
}

/// `bookworm` from `12 (bookworm)`, `bionic` from `18.04.6 LTS (Bionic Beaver)`.
fn codename_in_parens(version: &str) -> Option<String> {
    let open = version.find('(')?;
    let rest = version.get(open + 1..)?;
    let close = rest.find(')')?;
    let word = rest.get(..close)?.split_whitespace().next()?;
    let word = word.to_ascii_lowercase();
    word.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
        .then_some(word)
}

/// The codename in a `debian_version` of testing or sid (`trixie/sid`).
fn debian_version_codename(v: &str) -> Option<String> {
    let (name, _) = v.trim().split_once('/')?;
    let name = name.trim();
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| name.to_ascii_lowercase())
}

/// Debian release numbers and their codenames.
const DEBIAN_CODENAMES: &[(&str, &str)] = &[
    ("7", "wheezy"),
    ("8", "jessie"),
    ("9", "stretch"),
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
    ("13", "trixie"),
    ("14", "forky"),
    ("15", "duke"),
];

fn from_debian_version(v: &str) -> Option<Distro> {
    if v.is_empty() {
        return None;
    }
    if let Some(codename) = debian_version_codename(v) {
        return Some(Distro {
            id: "debian".into(),
            codename: Some(codename),
            ..Distro::default()
        });
    }
    let major = v.split('.').next().unwrap_or_default();
    if major.is_empty() || !major.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let codename = DEBIAN_CODENAMES
        .iter()
        .find(|(n, _)| *n == major)
        .map(|(_, c)| (*c).to_owned());
    Some(Distro {
        id: "debian".into(),
        version_id: Some(major.to_owned()),
        codename,
        ..Distro::default()
    })
}

fn from_lsb_release(fields: &BTreeMap<String, String>) -> Option<Distro> {
    let id = non_empty(fields, "DISTRIB_ID")?.to_ascii_lowercase();
    let id = id.split_whitespace().next().unwrap_or_default().to_owned();
    if id.is_empty() {
        return None;
    }
    Some(Distro {
        id,
        version_id: non_empty(fields, "DISTRIB_RELEASE"),
        codename: non_empty(fields, "DISTRIB_CODENAME").map(|c| c.to_ascii_lowercase()),
        pretty_name: non_empty(fields, "DISTRIB_DESCRIPTION"),
        ..Distro::default()
    })
}

/// `CentOS Linux release 7.9.2009 (Core)`, `Red Hat Enterprise Linux release
/// 8.9 (Ootpa)`, `Fedora release 38 (Thirty Eight)`.
fn from_redhat_release(line: &str) -> Option<Distro> {
    let (name, rest) = line.split_once(" release ")?;
    let version = rest.split_whitespace().next()?.to_owned();
    let lower = name.to_ascii_lowercase();
    let (id, like) = if lower.starts_with("centos") {
        ("centos", "rhel fedora")
    } else if lower.starts_with("red hat") {
        ("rhel", "fedora")
    } else if lower.starts_with("fedora") {
        ("fedora", "")
    } else if lower.starts_with("rocky") {
        ("rocky", "rhel centos fedora")
    } else if lower.starts_with("almalinux") {
        ("almalinux", "rhel centos fedora")
    } else if lower.starts_with("oracle") {
        ("ol", "fedora")
    } else {
        return None;
    };
    // os-release gives CentOS and Oracle Linux a major-only (or major.minor)
    // VERSION_ID; keep what the release file says for the others.
    let version_id = match id {
        "centos" => version.split('.').next().unwrap_or(&version).to_owned(),
        _ => version,
    };
    Some(Distro {
        id: id.to_owned(),
        version_id: Some(version_id),
        codename: codename_in_parens(rest),
        pretty_name: Some(line.to_owned()),
        id_like: like.split_whitespace().map(str::to_owned).collect(),
        found_in: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_tree::TreeBuilder;

    #[test]
    fn shell_quoting() {
        let f = parse_os_release(
            br#"# comment
NAME="Debian GNU/Linux"
PRETTY_NAME='single quoted $x'
A="esc \" \\ \$ \` \n end"
B=unquoted\ with\ escapes
C="mixed"'parts'plain
D=stops at blank
E="unterminated
 F = spaced
1BAD=x
not an assignment
G=
H=""
"#,
        );
        assert_eq!(f["NAME"], "Debian GNU/Linux");
        assert_eq!(f["PRETTY_NAME"], "single quoted $x");
        assert_eq!(f["A"], r#"esc " \ $ ` \n end"#);
        assert_eq!(f["B"], "unquoted with escapes");
        assert_eq!(f["C"], "mixedpartsplain");
        assert_eq!(f["D"], "stops");
        assert_eq!(f["E"], "unterminated");
        assert_eq!(f["F"], "spaced");
        assert!(!f.contains_key("1BAD"));
        assert_eq!(f["G"], "");
        assert_eq!(f["H"], "");
    }

    #[test]
    fn debian_codename_sources() {
        let f = parse_os_release(b"ID=debian\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\n");
        let d = from_os_release(&f, None).expect("distro");
        assert_eq!(d.codename.as_deref(), Some("bookworm"));
        assert_eq!(d.version_id.as_deref(), Some("12"));

        // testing/sid: no VERSION_ID, no VERSION_CODENAME in old images.
        let f = parse_os_release(b"PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\n");
        let d = from_os_release(&f, Some("trixie/sid")).expect("distro");
        assert_eq!(d.codename.as_deref(), Some("trixie"));
        assert_eq!(d.version_id, None);

        let f = parse_os_release(
            b"NAME=\"Ubuntu\"\nVERSION=\"18.04.6 LTS (Bionic Beaver)\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"18.04\"\n",
        );
        let d = from_os_release(&f, Some("buster/sid")).expect("distro");
        assert_eq!(d.codename.as_deref(), Some("bionic"));
        assert_eq!(d.id_like, vec!["debian"]);
    }

    #[test]
    fn follows_the_usual_symlink_and_records_the_layer() {
        let tree = TreeBuilder::new()
            .file("/usr/lib/os-release", "ID=alpine\nVERSION_ID=3.19.1\n")
            .layer()
            .symlink("/etc/os-release", "../usr/lib/os-release")
            .build();
        let d = detect(&tree).expect("distro");
        assert_eq!(d.id, "alpine");
        assert_eq!(d.version_id.as_deref(), Some("3.19.1"));
        assert_eq!(
            d.found_in,
            Some(Location::new("/usr/lib/os-release", Some(0)))
        );
    }

    #[test]
    fn fallbacks_when_os_release_is_missing() {
        let t = TreeBuilder::new()
            .file("/etc/alpine-release", "3.18.4\n")
            .build();
        let d = detect(&t).expect("alpine");
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("alpine", Some("3.18.4"))
        );

        let t = TreeBuilder::new()
            .file(
                "/etc/redhat-release",
                "CentOS Linux release 7.9.2009 (Core)\n",
            )
            .build();
        let d = detect(&t).expect("centos");
        assert_eq!(
            (d.id.as_str(), d.version_id.as_deref()),
            ("centos", Some("7"))
        );
        assert_eq!(d.codename.as_deref(), Some("core"));

        let t = TreeBuilder::new()
            .file("/etc/debian_version", "10.13\n")
            .build();
        let d = detect(&t).expect("debian");
        assert_eq!(d.version_id.as_deref(), Some("10"));
        assert_eq!(d.codename.as_deref(), Some("buster"));
        assert_eq!(
            d.found_in,
            Some(Location::new("/etc/debian_version", Some(0)))
        );

        let t = TreeBuilder::new()
            .file("/etc/debian_version", "bookworm/sid\n")
            .file(
                "/etc/lsb-release",
                "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n",
            )
            .build();
        let d = detect(&t).expect("ubuntu");
        assert_eq!(
            (
                d.id.as_str(),
                d.version_id.as_deref(),
                d.codename.as_deref()
            ),
            ("ubuntu", Some("22.04"), Some("jammy"))
        );

        assert!(
            detect(
                &TreeBuilder::new()
                    .file("/etc/debian_version", "garbage")
                    .build()
            )
            .is_none()
        );
        assert!(detect(&TreeBuilder::new().build()).is_none());
    }

    #[test]
    fn os_release_without_id_falls_through() {
        let t = TreeBuilder::new()
            .file("/etc/os-release", "NAME=nothing\n")
            .file("/etc/alpine-release", "3.20.0\n")
            .build();
        assert_eq!(detect(&t).map(|d| d.id), Some("alpine".to_owned()));
    }
}
