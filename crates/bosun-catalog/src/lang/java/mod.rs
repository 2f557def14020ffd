//! Java archives: `*.jar`, `*.war`, `*.ear`, and Jenkins plugins (`*.jpi`,
//! `*.hpi`), with the archives nested in them (`WEB-INF/lib/*.jar`,
//! `lib/*.jar`, `BOOT-INF/lib/*.jar`, anything with those extensions),
//! streamed once as their layer is read ([`zipstream`]): never held whole.
//!
//! Each archive (outer or nested) is named by, in order:
//! 1. every `META-INF/maven/<group>/<artifact>/pom.properties` in it (a
//!    shaded jar carries several: each is an artifact);
//! 2. failing that, the manifest's version (`Implementation-Version`,
//!    `Bundle-Version`, `Specification-Version`) with the artifact name from
//!    the file name and the group from `Implementation-Vendor-Id`;
//! 3. failing that, the file name when it has a version
//!    (`name-1.2.3.jar`).
//!
//! An archive with none of these (a `app.war` holding only other jars) is
//! not a package itself. Package names are `group:artifact` (or `artifact`
//! without a group), purls `pkg:maven/group/artifact@version`. Properties:
//! `sha1` (of the archive the evidence is in, for lookups by digest),
//! `archive-path` (`/opt/app.ear!/app.war!/WEB-INF/lib/x.jar` for nested
//! archives: `!/` joins an archive and an entry in it, as in `jar:` URLs),
//! `evidence` (the pom.properties entry, `META-INF/MANIFEST.MF` or
//! `file name`). `found_in` is the outer file in the image.
//!
//! Limits per outer file: 512 MiB of decompressed data and 500,000 entries
//! for it and everything nested, 4 levels of nesting, 1 MiB per manifest or
//! pom.properties. Over a limit, the walk stops with a warning and keeps
//! what it found.

pub mod meta;
pub mod zipstream;

use std::collections::BTreeSet;
use std::io::{self, Read};

use bosun_model::{Ecosystem, Location, Package};
use sha1::{Digest, Sha1};

use crate::Analyzer;
use crate::analyzer::{AnalyzeError, Context, InspectedFile, Output};
use zipstream::{Budget, ZipError, ZipStream};

/// Most decompressed bytes for one outer archive and what it nests.
pub const MAX_DECOMPRESSED: u64 = 512 * 1024 * 1024;
/// Most entries for one outer archive and what it nests.
pub const MAX_ENTRIES: u64 = 500_000;
/// Most levels of archives inside the outer one.
pub const MAX_DEPTH: usize = 4;
/// Most bytes read of a manifest or pom.properties.
pub const MAX_TEXT: u64 = 1024 * 1024;
/// Most pom.properties read from one archive.
pub const MAX_POMS: usize = 10_000;

const NAME: &str = "java-archive";

/// The Java analyzers.
pub fn analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![Box::new(JavaArchiveAnalyzer)]
}

/// A Maven artifact as found in an archive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Artifact {
    pub group: Option<String>,
    pub artifact: String,
    pub version: String,
    /// `archive-path` of the archive it was found in.
    pub archive_path: String,
    /// The pom.properties entry, `META-INF/MANIFEST.MF` or `file name`.
    pub evidence: String,
    /// SHA-1 of that archive's bytes, when it was read to the end.
    pub sha1: Option<String>,
}

/// What reading an archive found.
#[derive(Debug, Default)]
pub struct Findings {
    pub artifacts: Vec<Artifact>,
    pub warnings: Vec<String>,
}

#[derive(Default)]
struct Evidence {
    poms: Vec<(String, std::collections::BTreeMap<String, String>)>,
    manifest: Option<std::collections::BTreeMap<String, String>>,
}

struct HashingReader<R> {
    inner: R,
    hash: Sha1,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

fn is_pom_properties(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("META-INF/maven/") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    parts.len() == 3 && parts[2] == "pom.properties" && !parts[0].is_empty() && !parts[1].is_empty()
}

fn read_text(r: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut v = Vec::new();
    r.take(MAX_TEXT).read_to_end(&mut v)?;
    Ok(v)
}

/// Limits for reading one outer archive and everything nested in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_decompressed: u64,
    pub max_entries: u64,
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed: MAX_DECOMPRESSED,
            max_entries: MAX_ENTRIES,
            max_depth: MAX_DEPTH,
        }
    }
}

/// Reads an archive (and the archives in it) from a stream, with the
/// default limits.
pub fn read_archive(data: &mut dyn Read, path: &str) -> Findings {
    read_archive_with(data, path, &Limits::default())
}

/// Reads an archive (and the archives in it) from a stream.
pub fn read_archive_with(data: &mut dyn Read, path: &str, limits: &Limits) -> Findings {
    let budget = Budget::new(limits.max_decompressed, limits.max_entries);
    let mut f = Findings::default();
    let file_name = path.rsplit('/').next().unwrap_or(path).to_owned();
    let cx = Walk {
        budget: &budget,
        max_depth: limits.max_depth,
    };
    if let Err(e) = walk(data, path, &file_name, 0, &cx, &mut f) {
        f.warnings.push(format!("`{path}`: {e}"));
    }
    f
}

struct Walk<'a> {
    budget: &'a Budget,
    max_depth: usize,
}

/// Walks one archive. Fatal errors (budget, entry count) come back as
/// `Err` and stop every level; other problems in a nested archive are
/// warnings and the walk goes on.
fn walk(
    data: &mut dyn Read,
    archive_path: &str,
    file_name: &str,
    depth: usize,
    cx: &Walk<'_>,
    f: &mut Findings,
) -> Result<(), ZipError> {
    let mut hashing = HashingReader {
        inner: data,
        hash: Sha1::new(),
    };
    let mut ev = Evidence::default();
    let result = walk_entries(&mut hashing, archive_path, depth, cx, f, &mut ev);
    let complete = match &result {
        Ok(()) => io::copy(&mut hashing, &mut io::sink()).is_ok(),
        Err(_) => false,
    };
    let sha1 = complete.then(|| hex(&hashing.hash.finalize()));
    f.artifacts
        .extend(identify(&ev, archive_path, file_name, sha1.as_deref()));
    result
}

fn walk_entries(
    hashing: &mut dyn Read,
    archive_path: &str,
    depth: usize,
    cx: &Walk<'_>,
    f: &mut Findings,
    ev: &mut Evidence,
) -> Result<(), ZipError> {
    let budget = cx.budget;
    let mut zs = ZipStream::new(hashing);
    while let Some(e) = zs.next_entry(budget)? {
        if e.is_dir() {
            zs.skip(&e, budget)?;
            continue;
        }
        let name = e.name.clone();
        if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") && ev.manifest.is_none() {
            match zs.with_data(&e, budget, read_text) {
                Ok(Ok(text)) => ev.manifest = Some(meta::parse_manifest(&text)),
                Ok(Err(err)) => f.warnings.push(format!("`{archive_path}!/{name}`: {err}")),
                Err(err) => return entry_error(err, archive_path, f),
            }
        } else if is_pom_properties(&name) {
            if ev.poms.len() >= MAX_POMS {
                zs.skip(&e, budget)?;
                continue;
            }
            match zs.with_data(&e, budget, read_text) {
                Ok(Ok(text)) => ev.poms.push((name, meta::parse_properties(&text))),
                Ok(Err(err)) => f.warnings.push(format!("`{archive_path}!/{name}`: {err}")),
                Err(err) => return entry_error(err, archive_path, f),
            }
        } else if meta::is_archive_name(&name) {
            let nested_path = format!("{archive_path}!/{name}");
            if depth >= cx.max_depth {
                f.warnings.push(format!(
                    "`{nested_path}`: not read: more than {} levels of nested archives",
                    cx.max_depth
                ));
                zs.skip(&e, budget)?;
                continue;
            }
            let base = name.rsplit('/').next().unwrap_or(&name).to_owned();
            let inner = zs.with_data(&e, budget, |r| {
                walk(r, &nested_path, &base, depth + 1, cx, f)
            });
            match inner {
                Ok(Ok(())) => {}
                Ok(Err(err @ (ZipError::Budget(_) | ZipError::TooManyEntries(_)))) => {
                    return Err(err);
                }
                Ok(Err(err)) => f.warnings.push(format!("`{nested_path}`: {err}")),
                Err(err) => return entry_error(err, archive_path, f),
            }
        } else {
            zs.skip(&e, budget)?;
        }
    }
    Ok(())
}

/// An error reading one entry's data: fatal for the walk when it is a
/// limit or leaves the stream unusable; a readable-but-unsupported entry
/// (encrypted, another compression method) is a warning.
fn entry_error(err: ZipError, archive_path: &str, f: &mut Findings) -> Result<(), ZipError> {
    match err {
        ZipError::Entry { ref why, .. } if why.contains("cannot be read") => {
            f.warnings.push(format!("`{archive_path}`: {err}"));
            Ok(())
        }
        other => Err(other),
    }
}

fn clean(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim())
        .filter(|s| !s.is_empty() && s.len() <= 1024)
        .map(str::to_owned)
}

/// The artifacts an archive's evidence names (see the module docs).
fn identify(
    ev: &Evidence,
    archive_path: &str,
    file_name: &str,
    sha1: Option<&str>,
) -> Vec<Artifact> {
    let make =
        |group: Option<String>, artifact: String, version: String, evidence: String| Artifact {
            group,
            artifact,
            version,
            archive_path: archive_path.to_owned(),
            evidence,
            sha1: sha1.map(str::to_owned),
        };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (entry, p) in &ev.poms {
        let (Some(artifact), Some(version)) = (clean(p.get("artifactId")), clean(p.get("version")))
        else {
            continue;
        };
        let group = clean(p.get("groupId"));
        if seen.insert((group.clone(), artifact.clone(), version.clone())) {
            out.push(make(group, artifact, version, entry.clone()));
        }
    }
    if !out.is_empty() {
        return out;
    }
    let from_file = meta::name_from_file(file_name);
    if let Some(m) = &ev.manifest {
        let version = clean(m.get("Implementation-Version"))
            .or_else(|| clean(m.get("Bundle-Version")))
            .or_else(|| clean(m.get("Specification-Version")));
        let artifact = from_file
            .as_ref()
            .map(|(n, _)| n.clone())
            .or_else(|| clean(m.get("Bundle-SymbolicName")));
        let group = clean(m.get("Implementation-Vendor-Id"))
            .filter(|g| !g.contains(char::is_whitespace) && g.contains('.'));
        if let (Some(artifact), Some(version)) = (artifact, version) {
            out.push(make(
                group,
                artifact,
                version,
                "META-INF/MANIFEST.MF".into(),
            ));
            return out;
        }
    }
    if let Some((artifact, Some(version))) = from_file {
        out.push(make(None, artifact, version, "file name".into()));
    }
    out
}

/// The package for an artifact found in the outer file `found_in`.
pub fn artifact_package(a: &Artifact, found_in: &Location) -> Option<Package> {
    let purl = crate::purl::build(
        "maven",
        a.group.as_deref(),
        &a.artifact,
        Some(&a.version),
        &[],
    )?;
    let name = match &a.group {
        Some(g) => format!("{g}:{}", a.artifact),
        None => a.artifact.clone(),
    };
    let mut p = Package::new(Ecosystem::Maven, name, &a.version, purl, found_in.clone());
    if let Some(s) = &a.sha1 {
        p.properties.insert("sha1".into(), s.clone());
    }
    p.properties
        .insert("archive-path".into(), a.archive_path.clone());
    p.properties.insert("evidence".into(), a.evidence.clone());
    Some(p)
}

/// Java archives, read as their layer streams.
#[derive(Debug, Clone, Copy, Default)]
pub struct JavaArchiveAnalyzer;

impl Analyzer for JavaArchiveAnalyzer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        1
    }

    fn globs(&self) -> &'static [&'static str] {
        &[]
    }

    fn inspect_globs(&self) -> &'static [&'static str] {
        &["**/*.jar", "**/*.war", "**/*.ear", "**/*.jpi", "**/*.hpi"]
    }

    fn inspect(
        &self,
        file: &InspectedFile<'_>,
        data: &mut dyn Read,
        out: &mut Output,
    ) -> Result<(), AnalyzeError> {
        let found = read_archive(data, file.path);
        let loc = file.location();
        for a in &found.artifacts {
            match artifact_package(a, &loc) {
                Some(p) => out.packages.push(p),
                None => out.warnings.push(format!(
                    "{NAME}: `{}`: no purl for `{}` `{}`",
                    a.archive_path, a.artifact, a.version
                )),
            }
        }
        out.warnings
            .extend(found.warnings.into_iter().map(|w| format!("{NAME}: {w}")));
        Ok(())
    }

    fn analyze(&self, _cx: &Context<'_>, _out: &mut Output) -> Result<(), AnalyzeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zipstream::tests::ZipWriter;

    fn pom(g: &str, a: &str, v: &str) -> Vec<u8> {
        format!("#Generated by Maven\ngroupId={g}\nartifactId={a}\nversion={v}\n").into_bytes()
    }

    fn jar(entries: &[(&str, Vec<u8>)], descriptor: bool) -> Vec<u8> {
        let mut w = ZipWriter::new();
        for (n, d) in entries {
            w.add(n, d, true, descriptor);
        }
        w.finish()
    }

    fn sha1_hex(b: &[u8]) -> String {
        hex(&Sha1::digest(b))
    }

    #[test]
    fn shaded_jar_reports_every_pom_properties() {
        let j = jar(
            &[
                (
                    "META-INF/MANIFEST.MF",
                    b"Manifest-Version: 1.0\nImplementation-Version: 9.9\n".to_vec(),
                ),
                (
                    "META-INF/maven/com.acme/app/pom.properties",
                    pom("com.acme", "app", "1.0.0"),
                ),
                (
                    "META-INF/maven/com.google.guava/guava/pom.properties",
                    pom("com.google.guava", "guava", "31.1-jre"),
                ),
                ("com/acme/App.class", vec![0xca, 0xfe, 0xba, 0xbe]),
                // The same artifact twice is one package.
                (
                    "META-INF/maven/com.acme/app/pom.properties",
                    pom("com.acme", "app", "1.0.0"),
                ),
            ],
            true,
        );
        let f = read_archive(&mut j.as_slice(), "/opt/app-1.0.0.jar");
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        let got: Vec<(Option<&str>, &str, &str)> = f
            .artifacts
            .iter()
            .map(|a| (a.group.as_deref(), a.artifact.as_str(), a.version.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("com.acme"), "app", "1.0.0"),
                (Some("com.google.guava"), "guava", "31.1-jre")
            ]
        );
        let sha = sha1_hex(&j);
        assert!(
            f.artifacts
                .iter()
                .all(|a| a.sha1.as_deref() == Some(sha.as_str()))
        );
        let p = artifact_package(
            &f.artifacts[1],
            &Location::new("/opt/app-1.0.0.jar", Some(2)),
        )
        .expect("package");
        assert_eq!(p.name, "com.google.guava:guava");
        assert_eq!(p.purl, "pkg:maven/com.google.guava/guava@31.1-jre");
        assert_eq!(
            p.properties.get("evidence").map(String::as_str),
            Some("META-INF/maven/com.google.guava/guava/pom.properties")
        );
    }

    #[test]
    fn manifest_then_file_name_fallbacks() {
        let m = jar(
            &[(
                "META-INF/MANIFEST.MF",
                b"Manifest-Version: 1.0\r\nImplementation-Title: Foo\r\nImplementation-Version: 2.5\r\nImplementation-Vendor-Id: org.foo\r\n".to_vec(),
            )],
            false,
        );
        let f = read_archive(&mut m.as_slice(), "/lib/foo.jar");
        let a = &f.artifacts[0];
        assert_eq!(
            (
                a.group.as_deref(),
                a.artifact.as_str(),
                a.version.as_str(),
                a.evidence.as_str()
            ),
            (Some("org.foo"), "foo", "2.5", "META-INF/MANIFEST.MF")
        );
        let n = jar(
            &[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n".to_vec())],
            false,
        );
        let f = read_archive(&mut n.as_slice(), "/lib/bar-3.1.4.jar");
        let a = &f.artifacts[0];
        assert_eq!(
            (
                a.group.as_deref(),
                a.artifact.as_str(),
                a.version.as_str(),
                a.evidence.as_str()
            ),
            (None, "bar", "3.1.4", "file name")
        );
        // No version anywhere: no package.
        let f = read_archive(&mut n.as_slice(), "/webapps/app.war");
        assert!(f.artifacts.is_empty() && f.warnings.is_empty());
    }

    #[test]
    fn nested_archives_with_paths_and_their_own_digests() {
        let inner = jar(
            &[(
                "META-INF/maven/org.x/lib/pom.properties",
                pom("org.x", "lib", "1.2"),
            )],
            false,
        );
        let war = jar(
            &[
                ("WEB-INF/web.xml", b"<web-app/>".to_vec()),
                ("WEB-INF/lib/lib-1.2.jar", inner.clone()),
            ],
            true,
        );
        let ear = jar(&[("app.war", war)], false);
        let f = read_archive(&mut ear.as_slice(), "/opt/app.ear");
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        assert_eq!(f.artifacts.len(), 1);
        let a = &f.artifacts[0];
        assert_eq!(
            a.archive_path,
            "/opt/app.ear!/app.war!/WEB-INF/lib/lib-1.2.jar"
        );
        assert_eq!(a.sha1.as_deref(), Some(sha1_hex(&inner).as_str()));
    }

    #[test]
    fn nesting_depth_is_bounded() {
        let mut j = jar(
            &[(
                "META-INF/maven/g/deep/pom.properties",
                pom("g", "deep", "1"),
            )],
            false,
        );
        for _ in 0..=MAX_DEPTH {
            j = jar(&[("lib/x.jar", j)], false);
        }
        let f = read_archive(&mut j.as_slice(), "/deep.jar");
        assert!(f.artifacts.is_empty());
        assert!(
            f.warnings
                .iter()
                .any(|w| w.contains("levels of nested archives")),
            "{:?}",
            f.warnings
        );
    }

    #[test]
    fn zip_bomb_ends_with_a_warning_and_keeps_earlier_findings() {
        // A nested archive holding 16 MiB of stored zeros (with a 1 MiB
        // budget): walking it means inflating it, and the budget stops that.
        let mut inner = ZipWriter::new();
        inner.add("big.bin", &vec![0u8; 16 << 20], false, false);
        let inner = inner.finish();
        let mut w = ZipWriter::new();
        w.add(
            "META-INF/maven/g/ok/pom.properties",
            &pom("g", "ok", "1.0"),
            false,
            false,
        );
        w.add("lib/bomb.jar", &inner, true, false);
        w.add(
            "META-INF/maven/g/late/pom.properties",
            &pom("g", "late", "1.0"),
            false,
            false,
        );
        let out = w.finish();
        assert!(out.len() < 64 << 10);
        let limits = Limits {
            max_decompressed: 1 << 20,
            ..Limits::default()
        };
        let f = read_archive_with(&mut out.as_slice(), "/opt/bomb.jar", &limits);
        assert!(
            f.warnings.iter().any(|w| w.contains("zip bomb")),
            "{:?}",
            f.warnings
        );
        assert_eq!(f.artifacts.len(), 1);
        assert_eq!(f.artifacts[0].artifact, "ok");
        assert!(f.artifacts[0].sha1.is_none());
    }

    #[test]
    fn skipped_descriptor_entries_are_not_inflated() {
        // 64 MiB of zeros behind a data descriptor, with a 1 MiB budget:
        // skipping it finds the descriptor without inflating anything.
        use flate2::Compression;
        use flate2::write::DeflateEncoder;
        use std::io::Write;
        let mut enc = DeflateEncoder::new(Vec::new(), Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&zeros).expect("deflate");
        }
        let body = enc.finish().expect("deflate");
        let mut w = ZipWriter::new();
        w.add("bomb.bin", &[], true, true);
        // Replace the empty entry's data and descriptor with the big one.
        let mut out = w.out.clone();
        let header_len = 30 + "bomb.bin".len();
        out.truncate(header_len);
        out.extend_from_slice(&body);
        out.extend_from_slice(b"PK\x07\x08");
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&(64u32 << 20).to_le_bytes());
        let mut rest = ZipWriter::new();
        rest.add(
            "META-INF/maven/g/after/pom.properties",
            &pom("g", "after", "2.0"),
            true,
            true,
        );
        out.extend(rest.finish());
        let limits = Limits {
            max_decompressed: 1 << 20,
            ..Limits::default()
        };
        let f = read_archive_with(&mut out.as_slice(), "/opt/big.jar", &limits);
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        assert_eq!(f.artifacts.len(), 1);
        assert_eq!(f.artifacts[0].artifact, "after");
        assert_eq!(
            f.artifacts[0].sha1.as_deref(),
            Some(sha1_hex(&out).as_str())
        );
    }
}
