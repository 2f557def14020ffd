//! RPM packages: the three database formats rpm has used and its header
//! blobs.
//!
//! Databases are looked for in `/usr/lib/sysimage/rpm/` and `/var/lib/rpm/`
//! (symlinks followed; one directory read once). In each, the first of
//! `rpmdb.sqlite` (rpm >= 4.16), `Packages.db` (ndb, SUSE) and `Packages`
//! (Berkeley DB hash, rpm < 4.16) is read; others there are named in a
//! warning. `gpg-pubkey` entries (imported signing keys, which `rpm -qa`
//! lists) are not packages and are left out.

pub mod bdb;
pub mod header;
pub mod ndb;
pub mod sqlite;

use std::borrow::Cow;
use std::collections::HashSet;

use bosun_model::{Ecosystem, Location, Package, SourceRef};
use bosun_tree::{EntryKind, FileTree};

use crate::analyzer::{AnalyzeError, Analyzer, Context, Output};
use crate::os::dpkg::control::clip;
use crate::os::origin::History;
use crate::os::{distro_qualifier, in_family};
use header::{RpmPackage, split_source_rpm};

const NAME: &str = "rpm";
const DIRS: &[&str] = &["/usr/lib/sysimage/rpm", "/var/lib/rpm"];
const GLOBS: &[&str] = &[
    "/usr/lib/sysimage/rpm/{rpmdb.sqlite,rpmdb.sqlite-wal,Packages.db,Packages}",
    "/var/lib/rpm/{rpmdb.sqlite,rpmdb.sqlite-wal,Packages.db,Packages}",
];

/// One record of a package database: rpm's header instance number and the
/// header blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    pub id: u32,
    pub blob: Cow<'a, [u8]>,
}

/// The records of a database and the problems met reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbRead<'a> {
    pub records: Vec<Record<'a>>,
    pub warnings: Vec<String>,
}

/// A database that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Format(String),
}

/// The database formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Ndb,
    Bdb,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Ndb => "ndb",
            Backend::Bdb => "bdb",
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Backend::Sqlite => "rpmdb.sqlite",
            Backend::Ndb => "Packages.db",
            Backend::Bdb => "Packages",
        }
    }
}

/// The packages of a database, and warnings about records skipped. Fails
/// when the database cannot be opened or when it has records and none of
/// them is a readable header.
pub fn read_packages(
    backend: Backend,
    bytes: &[u8],
    wal: Option<&[u8]>,
) -> Result<(Vec<RpmPackage>, Vec<String>), DbError> {
    let db = match backend {
        Backend::Sqlite => sqlite::read(bytes, wal)?,
        Backend::Ndb => ndb::read(bytes)?,
        Backend::Bdb => bdb::read(bytes)?,
    };
    let mut warnings = db.warnings;
    let mut packages = Vec::with_capacity(db.records.len());
    let mut first_error = None;
    for r in &db.records {
        match header::parse_package(&r.blob) {
            Ok(mut p) => {
                for w in p.warnings.drain(..) {
                    warnings.push(format!(
                        "record {} (package `{}`): {w}",
                        r.id,
                        clip(&p.name)
                    ));
                }
                packages.push(p);
            }
            Err(e) => {
                let msg = format!("record {}: {e}", r.id);
                first_error.get_or_insert_with(|| msg.clone());
                warnings.push(msg);
            }
        }
    }
    if packages.is_empty()
        && let Some(e) = first_error
    {
        return Err(DbError::Format(format!(
            "none of its {} records is a readable header (first: {e})",
            db.records.len()
        )));
    }
    Ok((packages, warnings))
}

/// The rpm analyzer.
#[derive(Debug, Clone, Copy, Default)]
pub struct RpmAnalyzer;

impl Analyzer for RpmAnalyzer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn version(&self) -> u32 {
        1
    }

    fn globs(&self) -> &'static [&'static str] {
        GLOBS
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Output) -> Result<(), AnalyzeError> {
        let tree = cx.tree;
        let mut dirs: Vec<String> = Vec::new();
        for d in DIRS {
            let r = tree
                .resolve(d)
                .map_err(|e| AnalyzeError::new(NAME, *d, e))?;
            if !dirs.contains(&r) {
                dirs.push(r);
            }
        }
        let mut seen: HashSet<(String, String, Option<String>)> = HashSet::new();
        for dir in dirs {
            let present: Vec<(Backend, String)> = [Backend::Sqlite, Backend::Ndb, Backend::Bdb]
                .into_iter()
                .map(|b| (b, format!("{dir}/{}", b.file_name())))
                .filter(|(_, p)| tree.get(p).is_some_and(|n| n.meta.kind == EntryKind::File))
                .collect();
            let Some((backend, path)) = present.first().cloned() else {
                continue;
            };
            for (_, other) in present.iter().skip(1) {
                out.warnings.push(format!(
                    "{NAME}: `{other}`: ignored; `{path}` is the database rpm uses"
                ));
            }
            analyze_db(cx, backend, &path, &mut seen, out)?;
        }
        Ok(())
    }
}

fn kept<'t>(tree: &'t FileTree, path: &str) -> Result<(&'t [u8], usize), AnalyzeError> {
    let node = tree
        .get(path)
        .ok_or_else(|| AnalyzeError::new(NAME, path, "missing"))?;
    let bytes = node.content.as_deref().ok_or_else(|| {
        AnalyzeError::new(
            NAME,
            path,
            format!(
                "the file's bytes were not kept ({} bytes; over the size limit?)",
                node.meta.size
            ),
        )
    })?;
    Ok((bytes, node.layer))
}

fn analyze_db(
    cx: &Context<'_>,
    backend: Backend,
    path: &str,
    seen: &mut HashSet<(String, String, Option<String>)>,
    out: &mut Output,
) -> Result<(), AnalyzeError> {
    let tree = cx.tree;
    let (bytes, layer) = kept(tree, path)?;
    let wal_path = format!("{path}-wal");
    let wal = (backend == Backend::Sqlite)
        .then(|| tree.read(&wal_path))
        .flatten()
        .map(|b| &b[..]);
    let (packages, warnings) =
        read_packages(backend, bytes, wal).map_err(|e| AnalyzeError::new(NAME, path, e))?;
    for w in warnings {
        out.warnings.push(format!("{NAME}: `{path}`: {w}"));
    }
    let history = History::of(tree, path, |b| {
        read_packages(backend, b, None).ok().map(|(ps, _)| {
            ps.into_iter()
                .filter(|p| p.name != "gpg-pubkey")
                .map(|p| (p.key(), p.evr()))
                .collect()
        })
    });
    // The distribution, unless it is one that does not use rpm.
    let own = cx
        .distro
        .filter(|d| !d.id.is_empty() && !in_family(d, &["debian", "ubuntu", "alpine", "wolfi"]));
    let namespace = own.map(|d| d.id.clone());
    let distro = distro_qualifier(own);
    for rp in packages {
        if rp.name == "gpg-pubkey" {
            continue;
        }
        let evr = rp.evr();
        if !seen.insert((rp.name.clone(), evr.clone(), rp.arch.clone())) {
            continue;
        }
        let vr = format!("{}-{}", rp.version, rp.release);
        let epoch = rp.epoch.filter(|e| *e != 0).map(|e| e.to_string());
        let purl = crate::purl::build(
            "rpm",
            namespace.as_deref(),
            &rp.name,
            Some(&vr),
            &[
                ("arch", rp.arch.as_deref().unwrap_or_default()),
                ("epoch", epoch.as_deref().unwrap_or_default()),
                ("distro", distro.as_str()),
                ("upstream", rp.source_rpm.as_deref().unwrap_or_default()),
            ],
        )
        .unwrap_or_else(|| {
            out.warnings.push(format!(
                "{NAME}: `{path}`: no purl for package `{}`",
                clip(&rp.name)
            ));
            String::new()
        });
        let (introduced, changed) = history.origin(&rp.key(), &evr);
        let mut p = Package::new(
            Ecosystem::Rpm,
            &rp.name,
            &evr,
            purl,
            Location::new(path, Some(layer)),
        );
        p.arch = rp.arch.clone();
        p.source = Some(match rp.source_rpm.as_deref().and_then(split_source_rpm) {
            Some((name, version)) => SourceRef {
                name: name.to_owned(),
                version: (version != vr).then(|| version.to_owned()),
            },
            None => SourceRef {
                name: rp.name.clone(),
                version: None,
            },
        });
        p.licenses = rp.license.clone().into_iter().collect();
        p.introduced_in = introduced.or(Some(layer));
        p.changed_in = changed.or(Some(layer));
        let props = &mut p.properties;
        props.insert("rpm-db".into(), backend.name().into());
        if let Some(e) = rp.epoch {
            props.insert("epoch".into(), e.to_string());
        }
        for (k, v) in [
            ("sourcerpm", &rp.source_rpm),
            ("vendor", &rp.vendor),
            ("packager", &rp.packager),
            ("url", &rp.url),
            ("modularity-label", &rp.modularity_label),
        ] {
            if let Some(v) = v {
                props.insert(k.into(), v.clone());
            }
        }
        if let Some(s) = rp.size {
            props.insert("installed-size".into(), s.to_string());
        }
        if !rp.files.is_empty() {
            props.insert("installed-files".into(), rp.files.len().to_string());
        }
        p.files = rp.files;
        out.packages.push(p);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
