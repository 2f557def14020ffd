//! Paths inside an image root.
//!
//! Every path bosun stores is absolute, `/`-separated, without `.`, `..`,
//! empty components or a trailing slash; the root itself is `/`. Entry names
//! from untrusted archives go through [`normalize_entry`], which refuses names
//! that climb above the root instead of silently clamping them.

use crate::TreeError;

/// Normalizes a name from a layer archive into an absolute image path.
///
/// `./usr/bin/`, `usr/bin` and `/usr//bin` all become `/usr/bin`. A `..`
/// that stays inside the root is applied (`a/../b` is `/b`); one that would
/// climb above it is an error, because a layer that tries that is hostile.
pub fn normalize_entry(raw: &str) -> Result<String, TreeError> {
    let mut parts: Vec<&str> = Vec::new();
    for comp in raw.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(TreeError::PathEscapesRoot {
                        path: raw.to_owned(),
                    });
                }
            }
            c => parts.push(c),
        }
    }
    Ok(join_parts(&parts))
}

/// Normalizes a path that is already trusted to stay inside the root (for
/// example one computed by bosun): `..` above the root stays at the root.
pub fn clamp(raw: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for comp in raw.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    join_parts(&parts)
}

fn join_parts(parts: &[&str]) -> String {
    if parts.is_empty() {
        return "/".to_owned();
    }
    let len = parts.iter().map(|p| p.len() + 1).sum();
    let mut out = String::with_capacity(len);
    for p in parts {
        out.push('/');
        out.push_str(p);
    }
    out
}

/// The parent of a normalized path (`/` for top-level entries and the root).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The last component of a normalized path (empty for the root).
pub fn file_name(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// Joins a normalized directory and a relative or absolute target, the way a
/// symlink target is interpreted: absolute targets start again at the image
/// root, and `..` never leaves it.
pub fn join_link(dir: &str, target: &str) -> String {
    if target.starts_with('/') {
        clamp(target)
    } else {
        let mut s = String::with_capacity(dir.len() + 1 + target.len());
        s.push_str(dir);
        s.push('/');
        s.push_str(target);
        clamp(&s)
    }
}

/// Whether `path` is `dir` itself or lies below it. Both must be normalized.
pub fn is_within(path: &str, dir: &str) -> bool {
    if dir == "/" {
        return true;
    }
    path == dir || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_common_archive_spellings() {
        for (raw, want) in [
            ("./usr/bin/", "/usr/bin"),
            ("usr/bin", "/usr/bin"),
            ("/usr//bin", "/usr/bin"),
            ("./", "/"),
            ("", "/"),
            ("a/./b/../c", "/a/c"),
        ] {
            assert_eq!(normalize_entry(raw).expect(raw), want, "{raw}");
        }
    }

    #[test]
    fn refuses_names_that_climb_above_the_root() {
        for raw in ["../etc/passwd", "a/../../b", "/.."] {
            assert!(
                matches!(normalize_entry(raw), Err(TreeError::PathEscapesRoot { .. })),
                "{raw}"
            );
        }
    }

    #[test]
    fn link_targets_stay_inside_the_root() {
        assert_eq!(join_link("/usr/bin", "../lib/x"), "/usr/lib/x");
        assert_eq!(
            join_link("/usr/bin", "../../../../etc/shadow"),
            "/etc/shadow"
        );
        assert_eq!(
            join_link("/usr/bin", "/etc/alternatives/vi"),
            "/etc/alternatives/vi"
        );
        assert_eq!(join_link("/", "etc"), "/etc");
    }

    #[test]
    fn parent_name_and_within() {
        assert_eq!(parent("/usr/bin/ls"), "/usr/bin");
        assert_eq!(parent("/usr"), "/");
        assert_eq!(parent("/"), "/");
        assert_eq!(file_name("/usr/bin/ls"), "ls");
        assert!(is_within("/usr/bin", "/usr"));
        assert!(is_within("/usr", "/usr"));
        assert!(!is_within("/usrx", "/usr"));
        assert!(is_within("/anything", "/"));
    }
}
