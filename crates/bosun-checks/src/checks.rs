//! Image compliance checks: each has a stable ID, the CIS Docker Benchmark
//! v1.6.0 recommendations and NIST SP 800-190 sections it implements, a
//! description and a fix. They read the squashed tree, the inventory (config,
//! history, source, packages) and the secret findings: all from the same
//! single read of the layers.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use bosun_model::{
    CheckEvidence, CheckFinding, Ecosystem, ImageConfig, Inventory, SecretFinding, SecretSource,
    Severity, SourceKind,
};
use bosun_tree::{EntryKind, FileTree};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// A check bosun runs, for listings, docs and policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckInfo {
    /// Stable: `BOSUN-IMG-NNN`, never reused for another check.
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// CIS Docker Benchmark v1.6.0 recommendation numbers.
    pub cis: &'static [&'static str],
    /// NIST SP 800-190 sections (3.x risk, 4.x countermeasure).
    pub nist: &'static [&'static str],
    pub description: &'static str,
    pub remediation: &'static str,
}

pub const ROOT_USER: &str = "BOSUN-IMG-001";
pub const NO_HEALTHCHECK: &str = "BOSUN-IMG-002";
pub const ADD_REMOTE_URL: &str = "BOSUN-IMG-003";
pub const SECRETS_IN_CONFIG: &str = "BOSUN-IMG-004";
pub const SETUID_SETGID: &str = "BOSUN-IMG-005";
pub const WORLD_WRITABLE: &str = "BOSUN-IMG-006";
pub const SSH_SERVER: &str = "BOSUN-IMG-007";
pub const PORT_22: &str = "BOSUN-IMG-008";
pub const SUDO: &str = "BOSUN-IMG-009";
pub const PACKAGE_CACHES: &str = "BOSUN-IMG-010";
pub const LATEST_TAG: &str = "BOSUN-IMG-011";
pub const REQUIRED_LABELS: &str = "BOSUN-IMG-012";
pub const PRIVATE_KEYS: &str = "BOSUN-IMG-013";
pub const SECRETS_IN_FILES: &str = "BOSUN-IMG-014";

static CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: ROOT_USER,
        title: "Image runs as root",
        severity: Severity::High,
        cis: &["4.1"],
        nist: &["3.1.2", "4.1.2"],
        description: "The config has no USER, or USER is root / UID 0 (also a user name that /etc/passwd maps to UID 0). A process escaping the container, or abusing a mounted volume, does so as root.",
        remediation: "Create an unprivileged user in the image and end the Dockerfile with `USER <uid>:<gid>` (a numeric UID works without /etc/passwd and with `runAsNonRoot`).",
    },
    CheckInfo {
        id: NO_HEALTHCHECK,
        title: "No HEALTHCHECK",
        severity: Severity::Low,
        cis: &["4.6", "5.27"],
        nist: &["4.1.2"],
        description: "The config has no HEALTHCHECK (or `HEALTHCHECK NONE`), so the engine cannot tell a hung container from a healthy one.",
        remediation: "Add `HEALTHCHECK CMD <probe>` to the Dockerfile (or rely on the orchestrator's liveness probe and record that decision in the policy).",
    },
    CheckInfo {
        id: ADD_REMOTE_URL,
        title: "ADD of a remote URL",
        severity: Severity::Medium,
        cis: &["4.9"],
        nist: &["3.1.3", "4.1.3", "4.1.5"],
        description: "A history line adds a file from a URL (`ADD http(s)://...` or a git URL) without `--checksum`: what was downloaded is neither pinned nor verified, and cannot be reproduced.",
        remediation: "Download with `RUN curl -fsSLO <url> && echo '<sha256>  <file>' | sha256sum -c -` (or `ADD --checksum=sha256:...`), or COPY a vendored file.",
    },
    CheckInfo {
        id: SECRETS_IN_CONFIG,
        title: "Secrets in ENV, build arguments or history",
        severity: Severity::High,
        cis: &["4.10"],
        nist: &["3.1.4", "4.1.4"],
        description: "An ENV variable named like a password, secret, token or key has a literal value; a build argument with such a name shows in the history; or a secret rule matched an ENV value, a label or a history line. The config and history travel with the image and `docker inspect` / `docker history` print them.",
        remediation: "Pass secrets at run time (orchestrator secrets, mounted files, a vault), and at build time with `RUN --mount=type=secret`; never with ENV or ARG. Rotate the exposed values.",
    },
    CheckInfo {
        id: SETUID_SETGID,
        title: "setuid or setgid files",
        severity: Severity::Medium,
        cis: &["4.8"],
        nist: &["3.1.2", "4.1.2"],
        description: "Regular files in the final filesystem with the setuid or setgid bit. Each is a way to gain the file owner's privileges from inside the container.",
        remediation: "Remove the bits where not needed: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +` (or remove the packages), and run containers with `--security-opt no-new-privileges`.",
    },
    CheckInfo {
        id: WORLD_WRITABLE,
        title: "World-writable files or directories",
        severity: Severity::Medium,
        cis: &[],
        nist: &["3.1.2", "4.1.2"],
        description: "Files, or directories without the sticky bit, that every user may write (mode o+w). Directories with the sticky bit (like /tmp, mode 1777) are the standard way to share a writable place and are not reported; symbolic links and device nodes are not reported.",
        remediation: "Give the files an owner and mode that only the service user can write (`chmod o-w`), or set the sticky bit on shared directories (`chmod 1777`).",
    },
    CheckInfo {
        id: SSH_SERVER,
        title: "SSH server in the image",
        severity: Severity::Medium,
        cis: &["5.7"],
        nist: &["3.1.2", "4.1.2"],
        description: "An SSH daemon is installed (openssh-server or dropbear package, /usr/sbin/sshd or dropbear binary) or is the command the container runs. It adds keys, passwords and a network service to manage in every container.",
        remediation: "Remove the SSH server; use `docker exec` / `kubectl exec` (or an ephemeral debug container) to get a shell.",
    },
    CheckInfo {
        id: PORT_22,
        title: "Port 22 exposed",
        severity: Severity::Medium,
        cis: &["5.7", "5.9"],
        nist: &["3.1.2", "4.1.2"],
        description: "The config exposes port 22 (SSH).",
        remediation: "Remove `EXPOSE 22` together with the SSH server.",
    },
    CheckInfo {
        id: SUDO,
        title: "sudo installed",
        severity: Severity::Medium,
        cis: &["4.3"],
        nist: &["3.1.2", "4.1.2"],
        description: "sudo (or doas) is installed: a path from the container's user to root that the image does not need.",
        remediation: "Remove the package; do the privileged steps at build time, or in an init container.",
    },
    CheckInfo {
        id: PACKAGE_CACHES,
        title: "Package-manager caches left in the image",
        severity: Severity::Low,
        cis: &["4.3", "4.7"],
        nist: &["4.1.2"],
        description: "Downloaded packages or index files of a package manager remain in the final filesystem (apt archives and lists, apk, yum/dnf/zypper caches, pip, npm, yarn and Go build caches). They make the image bigger and ship stale package metadata.",
        remediation: "Clean in the same RUN step that installs: `apt-get clean && rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf clean all`, `pip install --no-cache-dir`, `npm ci && npm cache clean --force`; or use a multi-stage build.",
    },
    CheckInfo {
        id: LATEST_TAG,
        title: "Image tagged `latest` or not tagged",
        severity: Severity::Low,
        cis: &[],
        nist: &["3.2.2", "4.2.2"],
        description: "The image was referred to only by the `latest` tag, or by no tag at all (which means `latest`). The same name points at different images over time, so what was scanned is not necessarily what runs. A digest reference (`name@sha256:...`) passes.",
        remediation: "Tag images with an immutable version (`1.4.2`, a git SHA) and deploy by that tag or, better, by digest.",
    },
    CheckInfo {
        id: REQUIRED_LABELS,
        title: "Required labels missing",
        severity: Severity::Low,
        cis: &[],
        nist: &["4.1.5", "4.2.2"],
        description: "Labels the policy requires are missing or empty. By default the OCI annotations that tie an image to its source: org.opencontainers.image.source, .revision, .version and .licenses.",
        remediation: "Add them at build time: `LABEL org.opencontainers.image.source=... org.opencontainers.image.revision=$GIT_SHA ...` (or `docker buildx build --label`).",
    },
    CheckInfo {
        id: PRIVATE_KEYS,
        title: "Private keys in the image",
        severity: Severity::High,
        cis: &["4.10"],
        nist: &["3.1.4", "4.1.4"],
        description: "A file holds a private key (PEM: RSA, EC, DSA, PKCS#8, OpenSSH, PGP), possibly together with its certificate. Keys in a layer that a later layer deleted are still in the image.",
        remediation: "Do not bake keys into images: mount them at run time (secrets, a vault, cert-manager). Revoke and replace the key found.",
    },
    CheckInfo {
        id: SECRETS_IN_FILES,
        title: "Secrets in image files",
        severity: Severity::High,
        cis: &["4.10"],
        nist: &["3.1.4", "4.1.4"],
        description: "A secret rule (cloud keys, tokens, passwords in configuration or URLs) matched a file of some layer, including files a later layer deleted (they stay in the image).",
        remediation: "Remove the file in the step that creates it (or use `RUN --mount=type=secret`), never in a later layer; rotate the credential.",
    },
];

/// Every check, in ID order.
pub fn checks() -> &'static [CheckInfo] {
    CHECKS
}

/// The check with this ID.
pub fn check(id: &str) -> Option<&'static CheckInfo> {
    CHECKS.iter().find(|c| c.id == id)
}

/// Settings for the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckOptions {
    /// Labels that must be present and non-empty ([`REQUIRED_LABELS`]).
    pub required_labels: Vec<String>,
    /// Exact paths allowed to be setuid/setgid.
    pub allowed_setuid: Vec<String>,
    /// Exact paths allowed to be world-writable.
    pub allowed_world_writable: Vec<String>,
    /// Most evidence items per finding (the rest are counted).
    pub max_evidence: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            required_labels: vec![
                "org.opencontainers.image.source".into(),
                "org.opencontainers.image.revision".into(),
                "org.opencontainers.image.version".into(),
                "org.opencontainers.image.licenses".into(),
            ],
            allowed_setuid: Vec::new(),
            allowed_world_writable: Vec::new(),
            max_evidence: 50,
        }
    }
}

/// Collects evidence for one check, bounded.
struct Evidence {
    items: Vec<CheckEvidence>,
    omitted: usize,
    max: usize,
}

impl Evidence {
    fn new(max: usize) -> Self {
        Evidence {
            items: Vec::new(),
            omitted: 0,
            max,
        }
    }

    fn push(
        &mut self,
        location: impl Into<String>,
        layer: Option<usize>,
        detail: impl Into<String>,
    ) {
        let location = location.into();
        if self.items.iter().any(|e| e.location == location) && !location.starts_with('/') {
            // One item per config field or history line.
            return;
        }
        if self.items.len() >= self.max {
            self.omitted += 1;
            return;
        }
        self.items.push(CheckEvidence {
            location,
            layer,
            detail: detail.into(),
        });
    }

    fn finding(self, id: &str) -> Option<CheckFinding> {
        if self.items.is_empty() && self.omitted == 0 {
            return None;
        }
        let info = check(id)?;
        Some(CheckFinding {
            id: info.id.to_owned(),
            title: info.title.to_owned(),
            severity: info.severity,
            cis: info.cis.iter().map(|s| (*s).to_owned()).collect(),
            nist: info.nist.iter().map(|s| (*s).to_owned()).collect(),
            description: info.description.to_owned(),
            remediation: info.remediation.to_owned(),
            evidence: self.items,
            evidence_omitted: self.omitted,
        })
    }
}

/// Runs every check; returns the ones that failed, in ID order. Checks that
/// need an image config (user, healthcheck, ports, labels, history, tag) do
/// not run on sources without one (a directory, an SBOM).
pub fn run_checks(
    tree: &FileTree,
    inventory: &Inventory,
    secrets: &[SecretFinding],
    opts: &CheckOptions,
) -> Vec<CheckFinding> {
    let config = inventory.config.as_ref();
    let n = opts.max_evidence.max(1);
    let mut out = Vec::new();
    if let Some(c) = config {
        out.extend(root_user(tree, c, n));
        out.extend(no_healthcheck(c, n));
        out.extend(add_remote_url(c, n));
    }
    out.extend(secrets_in_config(config, secrets, n));
    out.extend(setuid_setgid(tree, opts, n));
    out.extend(world_writable(tree, opts, n));
    out.extend(ssh_server(tree, inventory, n));
    if let Some(c) = config {
        out.extend(port_22(c, n));
    }
    out.extend(sudo(tree, inventory, n));
    out.extend(package_caches(tree, n));
    if inventory.source.kind.is_image() {
        out.extend(latest_tag(inventory, n));
    }
    if let Some(c) = config {
        out.extend(required_labels(c, opts, n));
    }
    out.extend(file_secrets(secrets, true, n));
    out.extend(file_secrets(secrets, false, n));
    out
}

fn history_layer(config: &ImageConfig, index: usize) -> Option<usize> {
    let h = config.history.get(index)?;
    if h.empty_layer {
        return None;
    }
    Some(
        config
            .history
            .iter()
            .take(index)
            .filter(|h| !h.empty_layer)
            .count(),
    )
}

fn short(line: &str) -> String {
    let mut s: String = line.chars().take(200).collect();
    if line.chars().count() > 200 {
        s.push('…');
    }
    s
}

/// The UID a passwd line gives a user name, from the kept /etc/passwd.
fn passwd_uid(tree: &FileTree, name: &str) -> Option<u64> {
    let bytes = tree.read("/etc/passwd")?;
    let text = String::from_utf8_lossy(bytes);
    text.lines().find_map(|l| {
        let mut parts = l.split(':');
        if parts.next()? != name {
            return None;
        }
        parts.nth(1)?.trim().parse().ok()
    })
}

fn root_user(tree: &FileTree, c: &ImageConfig, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    let user = c.user.as_deref().unwrap_or("").trim();
    let name = user.split(':').next().unwrap_or("").trim();
    if name.is_empty() {
        ev.push(
            "config:User",
            None,
            "USER is not set: the container runs as root",
        );
    } else if name == "root" || name.parse::<u64>() == Ok(0) {
        ev.push("config:User", None, format!("USER is `{user}` (UID 0)"));
    } else if name.parse::<u64>().is_err() && passwd_uid(tree, name) == Some(0) {
        ev.push(
            "config:User",
            None,
            format!("USER is `{user}`, which /etc/passwd maps to UID 0"),
        );
    }
    ev.finding(ROOT_USER)
}

fn no_healthcheck(c: &ImageConfig, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    match &c.healthcheck {
        None => ev.push("config:Healthcheck", None, "no HEALTHCHECK in the config"),
        Some(test) if test.is_empty() || test.first().is_some_and(|t| t == "NONE") => {
            ev.push("config:Healthcheck", None, "HEALTHCHECK NONE")
        }
        Some(_) => {}
    }
    ev.finding(NO_HEALTHCHECK)
}

static ADD_URL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[\s;&|)])ADD\s+(?:--[a-z-]+(?:=\S*)?\s+)*(?:(?:https?|ftp)://|git@)\S+")
        .ok()
});

fn add_remote_url(c: &ImageConfig, n: usize) -> Option<CheckFinding> {
    let re = ADD_URL.as_ref()?;
    let mut ev = Evidence::new(n);
    for (i, h) in c.history.iter().enumerate() {
        let Some(line) = h.created_by.as_deref() else {
            continue;
        };
        if re.is_match(line) && !line.contains("--checksum=") {
            ev.push(format!("history[{i}]"), history_layer(c, i), short(line));
        }
    }
    ev.finding(ADD_REMOTE_URL)
}

/// An ENV or ARG name that says it holds a secret: it ends with PASSWORD,
/// PASSWD, SECRET, TOKEN, API_KEY, ACCESS_KEY, PRIVATE_KEY, AUTH_KEY or
/// CREDENTIALS (any case, `-`/`.` as `_`).
pub fn sensitive_name(name: &str) -> bool {
    let n: String = name
        .chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    const ENDS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "API_KEY",
        "ACCESS_KEY",
        "SECRET_KEY",
        "PRIVATE_KEY",
        "AUTH_KEY",
        "CREDENTIALS",
        "SECRET_ACCESS_KEY",
    ];
    ENDS.iter().any(|e| n.ends_with(e))
}

/// A value that is really there: not empty, not a placeholder or variable,
/// not a file path (`*_PASSWORD=/run/secrets/db`).
fn literal_value(v: &str) -> bool {
    let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
    !v.is_empty() && !v.starts_with('/') && !crate::rules::is_placeholder(v.as_bytes())
}

fn masked(name: &str, value: &str) -> String {
    let v = value.as_bytes();
    format!(
        "{name}={}",
        crate::scanner::redact(v, &(0..v.len()), &(0..v.len()))
    )
}

/// `|2 A=1 B=2 /bin/sh -c ...`: the build arguments a RUN line saw.
fn build_args(line: &str) -> Vec<(&str, &str)> {
    let Some(rest) = line.trim_start().strip_prefix('|') else {
        return Vec::new();
    };
    let mut words = rest.split_whitespace();
    let count: usize = match words.next().and_then(|w| w.parse().ok()) {
        Some(c) => c,
        None => return Vec::new(),
    };
    words
        .take(count.min(256))
        .filter_map(|w| w.split_once('='))
        .collect()
}

fn secrets_in_config(
    config: Option<&ImageConfig>,
    secrets: &[SecretFinding],
    n: usize,
) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    if let Some(c) = config {
        for (i, e) in c.env.iter().enumerate() {
            if let Some((k, v)) = e.split_once('=')
                && sensitive_name(k)
                && literal_value(v)
            {
                ev.push(
                    format!("config:Env[{i}]"),
                    None,
                    format!("ENV {}", masked(k, v)),
                );
            }
        }
        for (i, h) in c.history.iter().enumerate() {
            let Some(line) = h.created_by.as_deref() else {
                continue;
            };
            for (k, v) in build_args(line) {
                if sensitive_name(k) && literal_value(v) {
                    ev.push(
                        format!("history[{i}]"),
                        history_layer(c, i),
                        format!("build argument {}", masked(k, v)),
                    );
                }
            }
        }
    }
    for s in secrets.iter().filter(|s| s.source != SecretSource::File) {
        ev.push(
            s.path.clone(),
            s.layer,
            format!("{}: {}", s.rule_id, s.redacted),
        );
    }
    ev.finding(SECRETS_IN_CONFIG)
}

fn mode_str(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

fn setuid_setgid(tree: &FileTree, opts: &CheckOptions, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    for (path, node) in tree.iter() {
        if node.meta.kind != EntryKind::File || node.meta.mode & 0o6000 == 0 {
            continue;
        }
        if opts.allowed_setuid.iter().any(|a| a == path) {
            continue;
        }
        let what = match (node.meta.mode & 0o4000 != 0, node.meta.mode & 0o2000 != 0) {
            (true, true) => "setuid and setgid",
            (true, false) => "setuid",
            _ => "setgid",
        };
        ev.push(
            path,
            Some(node.layer),
            format!(
                "mode {} ({what}), owner uid {}",
                mode_str(node.meta.mode),
                node.meta.uid
            ),
        );
    }
    ev.finding(SETUID_SETGID)
}

fn world_writable(tree: &FileTree, opts: &CheckOptions, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    for (path, node) in tree.iter() {
        let m = node.meta.mode;
        if m & 0o002 == 0 || opts.allowed_world_writable.iter().any(|a| a == path) {
            continue;
        }
        let what = match node.meta.kind {
            EntryKind::File | EntryKind::Hardlink => "file",
            EntryKind::Dir if m & 0o1000 == 0 => "directory without the sticky bit",
            EntryKind::Fifo => "named pipe",
            _ => continue,
        };
        ev.push(
            path,
            Some(node.layer),
            format!("{what}, mode {}", mode_str(m)),
        );
    }
    ev.finding(WORLD_WRITABLE)
}

fn os_package<'a>(inventory: &'a Inventory, names: &[&str]) -> Vec<&'a bosun_model::Package> {
    inventory
        .packages
        .iter()
        .filter(|p| {
            matches!(
                p.ecosystem,
                Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm
            ) && names.contains(&p.name.as_str())
        })
        .collect()
}

fn package_evidence(ev: &mut Evidence, pkgs: &[&bosun_model::Package]) {
    for p in pkgs {
        ev.push(
            format!("package:{}/{}", p.ecosystem, p.name),
            p.introduced_in.or(p.found_in.layer),
            format!("{} {} installed ({})", p.name, p.version, p.found_in.path),
        );
    }
}

fn file_evidence(ev: &mut Evidence, tree: &FileTree, paths: &[&str]) {
    for p in paths {
        if let Some(node) = tree.get(p)
            && matches!(node.meta.kind, EntryKind::File | EntryKind::Hardlink)
        {
            ev.push(
                *p,
                Some(node.layer),
                format!("file present, mode {}", mode_str(node.meta.mode)),
            );
        }
    }
}

fn ssh_server(tree: &FileTree, inventory: &Inventory, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    package_evidence(
        &mut ev,
        &os_package(
            inventory,
            &[
                "openssh-server",
                "dropbear",
                "dropbear-bin",
                "tinysshd",
                "openssh",
            ],
        ),
    );
    file_evidence(
        &mut ev,
        tree,
        &[
            "/usr/sbin/sshd",
            "/usr/sbin/dropbear",
            "/usr/bin/dropbear",
            "/usr/sbin/tinysshd",
        ],
    );
    if let Some(c) = &inventory.config {
        let runs_sshd = |args: &[String]| {
            args.iter().any(|a| {
                a.split_whitespace().any(|w| {
                    let base = w.rsplit('/').next().unwrap_or(w);
                    base == "sshd" || base == "dropbear"
                })
            })
        };
        if runs_sshd(&c.entrypoint) {
            ev.push(
                "config:Entrypoint",
                None,
                format!("the entrypoint starts an SSH server: {:?}", c.entrypoint),
            );
        }
        if runs_sshd(&c.cmd) {
            ev.push(
                "config:Cmd",
                None,
                format!("the command starts an SSH server: {:?}", c.cmd),
            );
        }
    }
    ev.finding(SSH_SERVER)
}

fn port_22(c: &ImageConfig, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    for p in &c.exposed_ports {
        let (port, proto) = p.split_once('/').unwrap_or((p.as_str(), "tcp"));
        if port.trim() == "22" && proto.eq_ignore_ascii_case("tcp") {
            ev.push("config:ExposedPorts", None, format!("EXPOSE {p}"));
        }
    }
    ev.finding(PORT_22)
}

fn sudo(tree: &FileTree, inventory: &Inventory, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    package_evidence(
        &mut ev,
        &os_package(
            inventory,
            &["sudo", "sudo-ldap", "sudo-rs", "doas", "opendoas"],
        ),
    );
    file_evidence(&mut ev, tree, &["/usr/bin/sudo", "/usr/bin/doas"]);
    ev.finding(SUDO)
}

/// Cache directories, and which files in them count (`None`: all).
/// A package-manager cache: its name, its directory, and which entries under it count.
type CacheDir = (&'static str, &'static str, fn(&str) -> bool);

const CACHES: &[CacheDir] = &[
    ("/var/cache/apt/archives", "apt downloaded packages", |p| {
        p.ends_with(".deb")
    }),
    ("/var/cache/apt", "apt package cache", |p| {
        p.ends_with(".bin") && bosun_tree::path::parent(p) == "/var/cache/apt"
    }),
    ("/var/lib/apt/lists", "apt package lists", |p| {
        let name = bosun_tree::path::file_name(p);
        name != "lock" && !p.contains("/partial/")
    }),
    ("/var/cache/apk", "apk cache", |_| true),
    ("/var/cache/yum", "yum cache", |_| true),
    ("/var/cache/dnf", "dnf cache", |_| true),
    ("/var/cache/zypp", "zypper cache", |_| true),
    ("/root/.cache/pip", "pip cache", |_| true),
    ("/root/.npm/_cacache", "npm cache", |_| true),
    ("/root/.cache/yarn", "yarn cache", |_| true),
    ("/usr/local/share/.cache/yarn", "yarn cache", |_| true),
    ("/root/.cache/go-build", "Go build cache", |_| true),
];

fn package_caches(tree: &FileTree, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    for (root, what, counts) in CACHES {
        let mut files = 0u64;
        let mut bytes = 0u64;
        // The layer that contributed most of the bytes.
        let mut by_layer: BTreeMap<usize, u64> = BTreeMap::new();
        for (path, node) in tree.iter_under(root) {
            if node.meta.kind != EntryKind::File || !counts(path) {
                continue;
            }
            // `/var/cache/apt` must not count the archives counted above.
            if *root == "/var/cache/apt" && path.starts_with("/var/cache/apt/archives/") {
                continue;
            }
            files += 1;
            bytes = bytes.saturating_add(node.meta.size);
            *by_layer.entry(node.layer).or_default() += node.meta.size.max(1);
        }
        if files > 0 {
            let layer = by_layer
                .iter()
                .max_by_key(|(l, b)| (**b, **l))
                .map(|(l, _)| *l);
            ev.push(
                *root,
                layer,
                format!("{what}: {files} files, {bytes} bytes"),
            );
        }
    }
    ev.finding(PACKAGE_CACHES)
}

/// The tag of an image reference (`None` for no tag), and whether it is
/// pinned by digest.
fn tag_of(reference: &str) -> (Option<&str>, bool) {
    if reference.contains('@') {
        return (None, true);
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    match last.rsplit_once(':') {
        Some((_, tag)) => (Some(tag), false),
        // A bare word without `/` is an OCI `ref.name` tag (`latest`)
        // when it came from a tag list.
        None => (None, false),
    }
}

fn latest_tag(inventory: &Inventory, n: usize) -> Option<CheckFinding> {
    let src = &inventory.source;
    let mut ev = Evidence::new(n);
    let mut tags: Vec<String> = Vec::new();
    let mut pinned = false;
    for t in &src.repo_tags {
        if !t.contains('/') && !t.contains(':') && !t.contains('@') {
            tags.push(t.clone());
        } else {
            let (tag, digest) = tag_of(t);
            pinned |= digest;
            if let Some(tag) = tag {
                tags.push(tag.to_owned());
            }
        }
    }
    if matches!(
        src.kind,
        SourceKind::Registry | SourceKind::Docker | SourceKind::Podman
    ) {
        let (tag, digest) = tag_of(&src.reference);
        pinned |= digest;
        if let Some(tag) = tag {
            tags.push(tag.to_owned());
        }
    }
    if pinned || tags.iter().any(|t| t != "latest") {
        return None;
    }
    if tags.is_empty() {
        ev.push(
            "source",
            None,
            format!(
                "`{}` has no tag (which means `latest`) and no digest",
                src.name.as_deref().unwrap_or(&src.reference)
            ),
        );
    } else {
        let all: Vec<&str> = src.repo_tags.iter().map(String::as_str).collect();
        ev.push(
            "source",
            None,
            if all.is_empty() {
                format!("`{}` uses the `latest` tag", src.reference)
            } else {
                format!("only the `latest` tag: {}", all.join(", "))
            },
        );
    }
    ev.finding(LATEST_TAG)
}

fn required_labels(c: &ImageConfig, opts: &CheckOptions, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    for key in &opts.required_labels {
        match c.labels.get(key) {
            Some(v) if !v.trim().is_empty() => {}
            Some(_) => ev.push(format!("config:Labels[{key}]"), None, "empty"),
            None => ev.push(format!("config:Labels[{key}]"), None, "missing"),
        }
    }
    ev.finding(REQUIRED_LABELS)
}

fn file_secrets(secrets: &[SecretFinding], keys: bool, n: usize) -> Option<CheckFinding> {
    let mut ev = Evidence::new(n);
    for s in secrets
        .iter()
        .filter(|s| s.source == SecretSource::File && (s.rule_id == "private-key") == keys)
    {
        let mut detail = format!("{} line {}: {}", s.rule_id, s.line, s.redacted);
        if s.with_certificate {
            detail.push_str(" (certificate and private key in one file)");
        }
        if s.deleted {
            match (s.deleted_in, s.replaced) {
                (Some(l), true) => detail.push_str(&format!(" (replaced in layer {l})")),
                (Some(l), false) => detail.push_str(&format!(" (deleted in layer {l})")),
                (None, _) => detail.push_str(" (not in the final filesystem)"),
            }
        }
        ev.items.push(CheckEvidence {
            location: s.path.clone(),
            layer: s.layer,
            detail,
        });
        if ev.items.len() > ev.max {
            ev.items.pop();
            ev.omitted += 1;
        }
    }
    ev.finding(if keys { PRIVATE_KEYS } else { SECRETS_IN_FILES })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_documented() {
        let ids: Vec<&str> = checks().iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for c in checks() {
            assert!(
                c.id.starts_with("BOSUN-IMG-") && c.id.len() == 13,
                "{}",
                c.id
            );
            assert!(!c.nist.is_empty(), "{} has no NIST mapping", c.id);
            assert!(!c.description.is_empty() && !c.remediation.is_empty());
        }
    }

    #[test]
    fn sensitive_names() {
        for n in [
            "DB_PASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "api-key",
            "CLIENT_SECRET",
            "NPM_TOKEN",
        ] {
            assert!(sensitive_name(n), "{n}");
        }
        for n in [
            "PATH",
            "APP_ENV",
            "AWS_ACCESS_KEY_ID",
            "GPG_KEY",
            "PASSWORD_FILE",
            "TOKEN_URL",
        ] {
            assert!(!sensitive_name(n), "{n}");
        }
    }

    #[test]
    fn build_arguments() {
        assert_eq!(
            build_args("|2 DB_PASSWORD=x1 MODE=prod /bin/sh -c make"),
            vec![("DB_PASSWORD", "x1"), ("MODE", "prod")]
        );
        assert!(build_args("/bin/sh -c make").is_empty());
    }

    #[test]
    fn tags() {
        assert_eq!(
            tag_of("docker.io/library/nginx:1.25"),
            (Some("1.25"), false)
        );
        assert_eq!(tag_of("127.0.0.1:5000/app"), (None, false));
        assert_eq!(tag_of("nginx@sha256:abc"), (None, true));
    }
}
