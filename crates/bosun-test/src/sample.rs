//! A small, realistic inventory for golden tests of every output format.

use std::collections::BTreeMap;

use bosun_model::{
    Distro, Ecosystem, ImageConfig, Inventory, LayerInfo, Location, Package, SourceInfo,
    SourceKind, SourceRef,
};

/// Three layers (a Debian base, an update, an app layer), two Debian
/// packages (one with a source package and SPDX licences, one with a licence
/// that is not SPDX), a Python package and a dev-only npm package.
pub fn inventory() -> Inventory {
    let mut libc = Package::new(
        Ecosystem::Deb,
        "libc6",
        "2.36-9+deb12u7",
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc",
        Location::new("/var/lib/dpkg/status", Some(1)),
    );
    libc.source = Some(SourceRef {
        name: "glibc".into(),
        version: None,
    });
    libc.arch = Some("amd64".into());
    libc.licenses = vec!["LGPL-2.1-or-later".into(), "GPL-2.0-or-later".into()];
    libc.introduced_in = Some(0);
    libc.changed_in = Some(1);
    libc.properties = BTreeMap::from([("maintainer".into(), "GNU Libc Maintainers".into())]);

    let mut tzdata = Package::new(
        Ecosystem::Deb,
        "tzdata",
        "2024a-0+deb12u1",
        "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12",
        Location::new("/var/lib/dpkg/status", Some(1)),
    );
    tzdata.licenses = vec!["public-domain".into()];
    tzdata.introduced_in = Some(0);
    tzdata.changed_in = Some(0);

    let mut requests = Package::new(
        Ecosystem::Pypi,
        "requests",
        "2.19.1",
        "pkg:pypi/requests@2.19.1",
        Location::new("/app/lib/requests-2.19.1.dist-info/METADATA", Some(2)),
    );
    requests.licenses = vec!["Apache-2.0".into()];
    requests.introduced_in = Some(2);
    requests.changed_in = Some(2);

    let mut mocha = Package::new(
        Ecosystem::Npm,
        "mocha",
        "10.2.0",
        "pkg:npm/mocha@10.2.0",
        Location::new("/app/package-lock.json", Some(2)),
    );
    mocha.licenses = vec!["MIT OR Apache-2.0".into()];
    mocha.dev = true;

    Inventory {
        schema: bosun_model::INVENTORY_SCHEMA.into(),
        generator: "0.1.0".into(),
        created: "2026-11-23T00:00:00Z".into(),
        source: SourceInfo {
            kind: SourceKind::DockerArchive,
            reference: "app.tar".into(),
            name: Some("bosun-test/app:1".into()),
            manifest_digest: Some("sha256:aa".into()),
            config_digest: Some("sha256:bb".into()),
            repo_tags: vec!["bosun-test/app:1".into()],
            platform: Some("linux/amd64".into()),
        },
        config: Some(ImageConfig {
            user: Some("1000".into()),
            cmd: vec!["/app/run".into()],
            ..ImageConfig::default()
        }),
        distro: Some(Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            id_like: vec![],
            found_in: Some(Location::new("/etc/os-release", Some(0))),
        }),
        layers: (0..3)
            .map(|i| LayerInfo {
                index: i,
                digest: Some(format!("sha256:blob{i}")),
                diff_id: Some(format!("sha256:diff{i}")),
                media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
                size: 1000 * (i as u64 + 1),
                created_by: Some(format!("step {i}")),
            })
            .collect(),
        packages: vec![libc, tzdata, requests, mocha],
        warnings: vec!["skipped `/big`: too large".into()],
    }
}

/// Findings against [`inventory`]'s packages covering every fix state: a
/// fixed HIGH with a CVSS 3.1 vector and a DSA alias, a fixed one with a
/// GHSA alias, an unfixed LOW without CVSS, and a will-not-fix NEGLIGIBLE.
pub fn findings() -> Vec<bosun_model::Finding> {
    use bosun_model::{Cvss, Finding, FixState, MatchDetails, PackageRef, Severity};
    let inv = inventory();
    let pkg = |name: &str| {
        inv.packages
            .iter()
            .find(|p| p.name == name)
            .map(PackageRef::of)
            .unwrap_or_else(|| panic!("sample has no package {name}"))
    };
    let debian = |reason: &str| MatchDetails {
        matcher: "debian".into(),
        searched: "source package glibc in debian:bookworm".into(),
        data_source: "debian-security-tracker".into(),
        reason: reason.into(),
    };
    vec![
        Finding {
            id: "CVE-2023-4911".into(),
            aliases: vec!["DSA-5514-1".into()],
            package: pkg("libc6"),
            fixed_versions: vec!["2.36-9+deb12u8".into()],
            status: FixState::Fixed,
            severity: Severity::High,
            severity_source: Some("nvd".into()),
            cvss: vec![Cvss {
                version: "3.1".into(),
                vector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H".into(),
                base_score: 7.8,
                source: "nvd".into(),
            }],
            title: Some("glibc: buffer overflow in ld.so via GLIBC_TUNABLES".into()),
            description: None,
            references: vec!["https://security-tracker.debian.org/tracker/CVE-2023-4911".into()],
            published: Some("2023-10-03T18:15:10Z".into()),
            modified: None,
            matched: debian("2.36-9+deb12u7 < fixed 2.36-9+deb12u8"),
            suppressed: None,
        },
        Finding {
            id: "CVE-2018-18074".into(),
            aliases: vec!["GHSA-x84v-xcm2-53pg".into(), "PYSEC-2018-28".into()],
            package: pkg("requests"),
            fixed_versions: vec!["2.20.0".into()],
            status: FixState::Fixed,
            severity: Severity::Medium,
            severity_source: Some("ghsa".into()),
            cvss: vec![Cvss {
                version: "3.1".into(),
                vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N".into(),
                base_score: 7.5,
                source: "nvd".into(),
            }],
            title: Some("Requests sends Authorization header across redirects to HTTP".into()),
            description: None,
            references: vec!["https://github.com/advisories/GHSA-x84v-xcm2-53pg".into()],
            published: None,
            modified: None,
            matched: MatchDetails {
                matcher: "osv".into(),
                searched: "requests in osv:PyPI".into(),
                data_source: "osv:PyPI".into(),
                reason: "introduced 0, fixed 2.20.0".into(),
            },
            suppressed: None,
        },
        Finding {
            id: "CVE-2024-0001".into(),
            aliases: vec![],
            package: pkg("libc6"),
            fixed_versions: vec![],
            status: FixState::NotFixed,
            severity: Severity::Low,
            severity_source: Some("debian".into()),
            cvss: vec![],
            title: None,
            description: None,
            references: vec![],
            published: None,
            modified: None,
            matched: debian("open in bookworm"),
            suppressed: None,
        },
        Finding {
            id: "CVE-2022-0002".into(),
            aliases: vec![],
            package: pkg("tzdata"),
            fixed_versions: vec![],
            status: FixState::WontFix,
            severity: Severity::Negligible,
            severity_source: Some("debian".into()),
            cvss: vec![],
            title: None,
            description: None,
            references: vec![],
            published: None,
            modified: None,
            matched: debian("<no-dsa> in bookworm"),
            suppressed: None,
        },
    ]
}
