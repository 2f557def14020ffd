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

/// Secrets in [`inventory`]'s image, one of each source: an AWS key in a
/// file that layer 2 deleted (still in the image), a private key shipped
/// with its certificate, a password in an `Env` entry and a GitHub token in
/// a build argument of the history. The redacted texts are what
/// bosun-checks' redaction makes of made-up secrets.
pub fn secrets() -> Vec<bosun_model::SecretFinding> {
    use bosun_model::{SecretFinding, SecretSource, Severity};
    let base = |rule_id: &str, title: &str, severity, source, path: &str| SecretFinding {
        rule_id: rule_id.into(),
        title: title.into(),
        severity,
        source,
        path: path.into(),
        layer: None,
        line: 1,
        column: 1,
        redacted: String::new(),
        deleted: false,
        deleted_in: None,
        replaced: false,
        with_certificate: false,
    };
    vec![
        SecretFinding {
            layer: Some(1),
            line: 2,
            column: 21,
            redacted: "aws_access_key_id = AKI*****************".into(),
            deleted: true,
            deleted_in: Some(2),
            ..base(
                "aws-access-key-id",
                "AWS access key ID",
                Severity::Critical,
                SecretSource::File,
                "/root/.aws/credentials",
            )
        },
        SecretFinding {
            layer: Some(2),
            line: 24,
            redacted: "-----BEGIN RSA PRIVATE KEY----- MIIE********************************".into(),
            with_certificate: true,
            ..base(
                "private-key",
                "Private key",
                Severity::High,
                SecretSource::File,
                "/app/certs/server.pem",
            )
        },
        SecretFinding {
            column: 13,
            redacted: "DB_PASSWORD=s3*************".into(),
            ..base(
                "generic-password-assignment",
                "Password or secret assigned in configuration",
                Severity::Medium,
                SecretSource::ConfigEnv,
                "config:Env[2]",
            )
        },
        SecretFinding {
            layer: Some(2),
            column: 13,
            redacted: "|1 GH_TOKEN=ghp_******************************** /bin/sh -c make".into(),
            ..base(
                "github-pat",
                "GitHub personal access token",
                Severity::Critical,
                SecretSource::History,
                "history[3]",
            )
        },
    ]
}

/// Failed checks on [`inventory`]'s image, as bosun-checks reports them: no
/// HEALTHCHECK, setuid files (three listed, more omitted), required labels
/// missing (a check without CIS reference) and the deleted secret file of
/// [`secrets`].
pub fn checks() -> Vec<bosun_model::CheckFinding> {
    use bosun_model::{CheckEvidence, CheckFinding, Severity};
    let ev = |location: &str, layer: Option<usize>, detail: &str| CheckEvidence {
        location: location.into(),
        layer,
        detail: detail.into(),
    };
    let strs = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        CheckFinding {
            id: "BOSUN-IMG-002".into(),
            title: "No HEALTHCHECK".into(),
            severity: Severity::Low,
            cis: strs(&["4.6", "5.27"]),
            nist: strs(&["4.1.2"]),
            description: "The config has no HEALTHCHECK (or `HEALTHCHECK NONE`), so the engine cannot tell a hung container from a healthy one.".into(),
            remediation: "Add `HEALTHCHECK CMD <probe>` to the Dockerfile (or rely on the orchestrator's liveness probe and record that decision in the policy).".into(),
            evidence: vec![ev("config:Healthcheck", None, "no HEALTHCHECK in the config")],
            evidence_omitted: 0,
        },
        CheckFinding {
            id: "BOSUN-IMG-005".into(),
            title: "setuid or setgid files".into(),
            severity: Severity::Medium,
            cis: strs(&["4.8"]),
            nist: strs(&["3.1.2", "4.1.2"]),
            description: "Regular files in the final filesystem with the setuid or setgid bit. Each is a way to gain the file owner's privileges from inside the container.".into(),
            remediation: "Remove the bits where not needed: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +` (or remove the packages), and run containers with `--security-opt no-new-privileges`.".into(),
            evidence: vec![
                ev("/usr/bin/chsh", Some(0), "mode 4755 (setuid), owner uid 0"),
                ev("/usr/bin/expiry", Some(0), "mode 2755 (setgid), owner uid 0"),
                ev("/usr/bin/passwd", Some(0), "mode 4755 (setuid), owner uid 0"),
                ev("/usr/bin/su", Some(1), "mode 4755 (setuid), owner uid 0"),
            ],
            evidence_omitted: 2,
        },
        CheckFinding {
            id: "BOSUN-IMG-012".into(),
            title: "Required labels missing".into(),
            severity: Severity::Low,
            cis: vec![],
            nist: strs(&["4.1.5", "4.2.2"]),
            description: "Labels the policy requires are missing or empty. By default the OCI annotations that tie an image to its source: org.opencontainers.image.source, .revision, .version and .licenses.".into(),
            remediation: "Add them at build time: `LABEL org.opencontainers.image.source=... org.opencontainers.image.revision=$GIT_SHA ...` (or `docker buildx build --label`).".into(),
            evidence: vec![
                ev("config:Labels[org.opencontainers.image.source]", None, "missing"),
                ev("config:Labels[org.opencontainers.image.revision]", None, "empty"),
            ],
            evidence_omitted: 0,
        },
        CheckFinding {
            id: "BOSUN-IMG-014".into(),
            title: "Secrets in image files".into(),
            severity: Severity::High,
            cis: strs(&["4.10"]),
            nist: strs(&["3.1.4", "4.1.4"]),
            description: "A secret rule (cloud keys, tokens, passwords in configuration or URLs) matched a file of some layer, including files a later layer deleted (they stay in the image).".into(),
            remediation: "Remove the file in the step that creates it (or use `RUN --mount=type=secret`), never in a later layer; rotate the credential.".into(),
            evidence: vec![ev(
                "/root/.aws/credentials",
                Some(1),
                "aws-access-key-id line 2: aws_access_key_id = AKI***************** (deleted in layer 2)",
            )],
            evidence_omitted: 0,
        },
    ]
}

/// A verdict denying [`inventory`]'s image for three reasons (a registry
/// rule, a check that must pass, a Rego rule), with a Rego warning.
pub fn verdict_denied() -> bosun_model::PolicyVerdict {
    use bosun_model::{PolicyVerdict, PolicyViolation};
    let v = |rule: &str, message: &str| PolicyViolation {
        rule: rule.into(),
        message: message.into(),
    };
    PolicyVerdict {
        policy: "bosun.yaml".into(),
        allowed: false,
        violations: vec![
            v(
                "registry.trusted",
                "image `bosun-test/app:1` is not from a trusted registry (trusted: registry.example.com)",
            ),
            v(
                "checks.must-pass",
                "BOSUN-IMG-014 Secrets in image files failed: /root/.aws/credentials (layer 1) aws-access-key-id line 2: aws_access_key_id = AKI***************** (deleted in layer 2)",
            ),
            v(
                "rego:bosun.images",
                "images must set org.opencontainers.image.source",
            ),
        ],
        warnings: vec!["base image is older than 90 days".into()],
    }
}

/// A verdict allowing [`inventory`]'s image, with one Rego warning.
pub fn verdict_allowed() -> bosun_model::PolicyVerdict {
    bosun_model::PolicyVerdict {
        policy: "bosun.yaml".into(),
        allowed: true,
        violations: vec![],
        warnings: vec!["base image is older than 90 days".into()],
    }
}
