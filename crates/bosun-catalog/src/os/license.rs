//! Licence names as OS packages declare them, and their SPDX identifiers.
//!
//! Debian's machine-readable copyright files (DEP-5) use short names such as
//! `GPL-2+`, `Expat` or `BSD-3-clause`; [`normalize`] maps the ones with a
//! clear SPDX equivalent and leaves every other name as written.

/// Debian short names (lower-cased) and common spellings, with their SPDX id.
const ALIASES: &[(&str, &str)] = &[
    ("agpl-3", "AGPL-3.0-only"),
    ("agpl-3+", "AGPL-3.0-or-later"),
    ("agpl-3.0", "AGPL-3.0-only"),
    ("agpl-3.0+", "AGPL-3.0-or-later"),
    ("apache-2", "Apache-2.0"),
    ("apache-2.0", "Apache-2.0"),
    ("apache2", "Apache-2.0"),
    ("artistic-2", "Artistic-2.0"),
    ("artistic-2.0", "Artistic-2.0"),
    ("bsd-2-clause", "BSD-2-Clause"),
    ("bsd-3-clause", "BSD-3-Clause"),
    ("bsd-4-clause", "BSD-4-Clause"),
    ("bsl-1.0", "BSL-1.0"),
    ("cc0", "CC0-1.0"),
    ("cc0-1.0", "CC0-1.0"),
    ("cc-by-3.0", "CC-BY-3.0"),
    ("cc-by-4.0", "CC-BY-4.0"),
    ("cc-by-sa-3.0", "CC-BY-SA-3.0"),
    ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
    ("curl", "curl"),
    ("expat", "MIT"),
    ("mit", "MIT"),
    ("gfdl-1.2", "GFDL-1.2-only"),
    ("gfdl-1.2+", "GFDL-1.2-or-later"),
    ("gfdl-1.3", "GFDL-1.3-only"),
    ("gfdl-1.3+", "GFDL-1.3-or-later"),
    ("gpl-1", "GPL-1.0-only"),
    ("gpl-1+", "GPL-1.0-or-later"),
    ("gpl-1.0", "GPL-1.0-only"),
    ("gpl-1.0+", "GPL-1.0-or-later"),
    ("gpl-2", "GPL-2.0-only"),
    ("gpl-2+", "GPL-2.0-or-later"),
    ("gpl-2.0", "GPL-2.0-only"),
    ("gpl-2.0+", "GPL-2.0-or-later"),
    ("gplv2", "GPL-2.0-only"),
    ("gplv2+", "GPL-2.0-or-later"),
    ("gpl-3", "GPL-3.0-only"),
    ("gpl-3+", "GPL-3.0-or-later"),
    ("gpl-3.0", "GPL-3.0-only"),
    ("gpl-3.0+", "GPL-3.0-or-later"),
    ("gplv3", "GPL-3.0-only"),
    ("gplv3+", "GPL-3.0-or-later"),
    ("isc", "ISC"),
    ("lgpl-2", "LGPL-2.0-only"),
    ("lgpl-2+", "LGPL-2.0-or-later"),
    ("lgpl-2.0", "LGPL-2.0-only"),
    ("lgpl-2.0+", "LGPL-2.0-or-later"),
    ("lgpl-2.1", "LGPL-2.1-only"),
    ("lgpl-2.1+", "LGPL-2.1-or-later"),
    ("lgplv2.1", "LGPL-2.1-only"),
    ("lgplv2+", "LGPL-2.0-or-later"),
    ("lgpl-3", "LGPL-3.0-only"),
    ("lgpl-3+", "LGPL-3.0-or-later"),
    ("lgpl-3.0", "LGPL-3.0-only"),
    ("lgpl-3.0+", "LGPL-3.0-or-later"),
    ("lgplv3+", "LGPL-3.0-or-later"),
    ("mpl-1.1", "MPL-1.1"),
    ("mpl-2.0", "MPL-2.0"),
    ("openssl", "OpenSSL"),
    ("psf-2", "PSF-2.0"),
    ("psf-2.0", "PSF-2.0"),
    ("unicode-dfs-2016", "Unicode-DFS-2016"),
    ("zlib", "Zlib"),
    ("0bsd", "0BSD"),
    ("x11", "X11"),
    ("ofl-1.1", "OFL-1.1"),
    ("wtfpl", "WTFPL"),
    ("unlicense", "Unlicense"),
];

/// SPDX identifiers that are already canonical (checked case-insensitively
/// to fix their case).
const SPDX_IDS: &[&str] = &[
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "BSD-1-Clause",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Python-2.0",
    "MPL-1.0",
    "EPL-1.0",
    "EPL-2.0",
    "CDDL-1.0",
];

/// The SPDX identifier for a licence short name, when there is a clear one;
/// else the name as written (trimmed, with a trailing period removed).
pub fn normalize(name: &str) -> String {
    let name = name.trim().trim_end_matches('.').trim();
    let lower = name.to_ascii_lowercase();
    if let Some((_, spdx)) = ALIASES.iter().find(|(alias, _)| *alias == lower) {
        return (*spdx).to_owned();
    }
    if let Some(id) = SPDX_IDS.iter().find(|id| id.eq_ignore_ascii_case(name)) {
        return (*id).to_owned();
    }
    name.to_owned()
}

/// Splits a DEP-5 `License:` value (`GPL-2+ or Artistic`, `LGPL-2.1+ and
/// BSD-3-clause`, `GPL-2+ with OpenSSL exception`) into its licence names,
/// each normalized. Exceptions (`with ...`) are dropped.
pub fn split_expression(expr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut in_exception = false;
    let flush = |current: &mut Vec<&str>, out: &mut Vec<String>| {
        if !current.is_empty() {
            let atom = current.join(" ");
            let atom = atom.trim_matches(|c| c == '(' || c == ')' || c == ',');
            if !atom.is_empty() {
                let n = normalize(atom);
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            current.clear();
        }
    };
    for word in expr.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "or" | "and" | "|" | "&" | "," => {
                flush(&mut current, &mut out);
                in_exception = false;
            }
            "with" => {
                flush(&mut current, &mut out);
                in_exception = true;
            }
            _ if in_exception => {}
            _ => {
                // `GPL-2+,` ends an atom too.
                if let Some(stripped) = word.strip_suffix(',') {
                    current.push(stripped);
                    flush(&mut current, &mut out);
                } else {
                    current.push(word);
                }
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

/// The names under `/usr/share/common-licenses/` and their SPDX ids (`GPL`
/// and `LGPL` are symlinks to the newest version there).
fn common_license(name: &str) -> Option<&'static str> {
    Some(match name {
        "Apache-2.0" => "Apache-2.0",
        "Artistic" => "Artistic-1.0",
        "BSD" => "BSD-3-Clause",
        "CC0-1.0" => "CC0-1.0",
        "GFDL-1.2" => "GFDL-1.2-only",
        "GFDL-1.3" | "GFDL" => "GFDL-1.3-only",
        "GPL-1" => "GPL-1.0-only",
        "GPL-2" => "GPL-2.0-only",
        "GPL-3" | "GPL" => "GPL-3.0-only",
        "LGPL-2" => "LGPL-2.0-only",
        "LGPL-2.1" => "LGPL-2.1-only",
        "LGPL-3" | "LGPL" => "LGPL-3.0-only",
        "MPL-1.1" => "MPL-1.1",
        "MPL-2.0" => "MPL-2.0",
        _ => return None,
    })
}

/// Most lines of a copyright file looked at.
const MAX_COPYRIGHT_LINES: usize = 200_000;

/// The licences a Debian `copyright` file declares, normalized, in first-seen
/// order without duplicates.
///
/// - In a machine-readable file (first field `Format:` naming the
///   copyright-format spec), every `License:` field's first line.
/// - In other files, references to `/usr/share/common-licenses/NAME`,
///   read as Debian short names (`GPL-2` is GPL-2.0-only, as in DEP-5;
///   the prose around may grant "any later version", which is not parsed).
pub fn from_debian_copyright(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: Vec<String> = Vec::new();
    let push = |l: String, out: &mut Vec<String>| {
        if !l.is_empty() && !l.eq_ignore_ascii_case("none") && !out.contains(&l) {
            out.push(l);
        }
    };
    let mut lines = text.lines().take(MAX_COPYRIGHT_LINES).peekable();
    let machine_readable = loop {
        match lines.peek() {
            Some(l) if l.trim().is_empty() => {
                lines.next();
            }
            Some(l) => {
                let lower = l.to_ascii_lowercase();
                break lower.starts_with("format:")
                    && (lower.contains("copyright-format") || lower.contains("dep5"));
            }
            None => break false,
        }
    };
    for line in lines {
        if machine_readable
            && let (Some(head), Some(value)) = (line.get(..8), line.get(8..))
            && head.eq_ignore_ascii_case("license:")
        {
            for l in split_expression(value) {
                push(l, &mut out);
            }
        }
        if machine_readable {
            // License fields are authoritative there; references to
            // common-licenses only point at the texts of licences declared.
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("/usr/share/common-licenses/") {
            let after = &rest[i + "/usr/share/common-licenses/".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                .collect();
            let name = name.trim_end_matches('.');
            if let Some(spdx) = common_license(name) {
                push(spdx.to_owned(), &mut out);
            }
            rest = after;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debian_short_names_map_to_spdx() {
        assert_eq!(normalize("GPL-2+"), "GPL-2.0-or-later");
        assert_eq!(normalize("Expat"), "MIT");
        assert_eq!(normalize("BSD-3-clause"), "BSD-3-Clause");
        assert_eq!(normalize("lgpl-2.1-or-later"), "LGPL-2.1-or-later");
        assert_eq!(normalize("public-domain"), "public-domain");
        assert_eq!(normalize(" GPL-3. "), "GPL-3.0-only");
    }

    #[test]
    fn expressions_split_into_atoms() {
        assert_eq!(
            split_expression("GPL-2+ or Artistic"),
            vec!["GPL-2.0-or-later", "Artistic"]
        );
        assert_eq!(
            split_expression("GPL-2+ with OpenSSL exception"),
            vec!["GPL-2.0-or-later"]
        );
        assert_eq!(
            split_expression("LGPL-2.1+ and (BSD-3-clause, Expat)"),
            vec!["LGPL-2.1-or-later", "BSD-3-Clause", "MIT"]
        );
    }

    #[test]
    fn copyright_files() {
        let dep5 = b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
Upstream-Name: x\n\nFiles: *\nCopyright: me\nLicense: GPL-2+\n text\n .\n see /usr/share/common-licenses/GPL-2.\n\n\
Files: lib/*\nLicense: LGPL-2.1+ or Expat\n";
        assert_eq!(
            from_debian_copyright(dep5),
            vec!["GPL-2.0-or-later", "LGPL-2.1-or-later", "MIT"]
        );
        let prose = b"This is free software.\nLicense: ignored in prose files\n\
On Debian systems see /usr/share/common-licenses/LGPL-2.1 and /usr/share/common-licenses/GPL.\n";
        assert_eq!(
            from_debian_copyright(prose),
            vec!["LGPL-2.1-only", "GPL-3.0-only"]
        );
        assert!(from_debian_copyright(b"").is_empty());
        assert!(from_debian_copyright(&[0xff, 0xfe, b'\n', 0]).is_empty());
    }
}
