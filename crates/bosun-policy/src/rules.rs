//! The built-in rules of a policy file, each a pure function of the scan
//! result that returns its violations.

use bosun_model::{Ecosystem, ScanResult, Severity, SourceKind};
use bosun_version::Scheme;

use crate::Violation;
use crate::file::{Checks, ImageRules, PolicyFile, Vulnerabilities};

fn v(rule: &str, message: String) -> Violation {
    Violation {
        rule: rule.to_owned(),
        message,
    }
}

/// The registry an image came from: the registry reference it was pulled
/// by, else the first repo tag's host (`docker.io` for Docker Hub names).
pub fn image_registry(result: &ScanResult) -> Option<String> {
    let s = &result.inventory.source;
    let reference = if s.kind == SourceKind::Registry {
        Some(s.reference.as_str())
    } else {
        s.repo_tags
            .first()
            .map(String::as_str)
            .or(s.name.as_deref())
    }?;
    let first = reference.split('/').next()?;
    let has_host = reference.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost");
    Some(if has_host {
        // keep host plus the repository path for prefix matching
        reference
            .split(['@'])
            .next()
            .unwrap_or(reference)
            .to_owned()
    } else {
        format!("docker.io/{reference}")
    })
}

fn trusted(reference: &str, entry: &str) -> bool {
    let entry = entry.trim_end_matches('/');
    reference == entry
        || reference
            .strip_prefix(entry)
            .is_some_and(|rest| rest.starts_with('/') || rest.starts_with(':'))
}

pub(crate) fn registries(p: &PolicyFile, r: &ScanResult, out: &mut Vec<Violation>) {
    let Some(reg) = &p.registries else { return };
    match image_registry(r) {
        Some(reference) => {
            if !reg.trusted.iter().any(|t| trusted(&reference, t)) {
                out.push(v(
                    "registry.trusted",
                    format!(
                        "image `{reference}` is not from a trusted registry (trusted: {})",
                        reg.trusted.join(", ")
                    ),
                ));
            }
        }
        None => out.push(v(
            "registry.trusted",
            format!(
                "cannot tell which registry the image comes from ({} `{}` has no registry name or tag)",
                r.inventory.source.kind, r.inventory.source.reference
            ),
        )),
    }
}

pub(crate) fn base_images(p: &PolicyFile, r: &ScanResult, out: &mut Vec<Violation>) {
    let Some(bases) = &p.base_images else { return };
    let layers: Vec<&str> = r
        .inventory
        .layers
        .iter()
        .filter_map(|l| l.diff_id.as_deref())
        .collect();
    let on_approved = bases.approved.iter().any(|b| {
        !b.diff_ids.is_empty()
            && b.diff_ids.len() <= layers.len()
            && b.diff_ids.iter().zip(&layers).all(|(a, l)| a == l)
    });
    if on_approved {
        return;
    }
    // Name the base the image does have, as well as it can be told.
    let inv = &r.inventory;
    let os = inv
        .distro
        .as_ref()
        .map(|d| {
            d.pretty_name
                .clone()
                .unwrap_or_else(|| format!("{} {}", d.id, d.version_id.as_deref().unwrap_or("")))
        })
        .unwrap_or_else(|| "an unknown OS".to_owned());
    let first = inv.layers.first();
    let base = match first {
        Some(l) => format!(
            "{os}, base layer {}{}",
            l.diff_id.as_deref().unwrap_or("without a digest"),
            l.created_by
                .as_deref()
                .map(|c| format!(" ({})", c.trim()))
                .unwrap_or_default()
        ),
        None => os,
    };
    let names: Vec<&str> = bases.approved.iter().map(|b| b.name.as_str()).collect();
    out.push(v(
        "base.approved",
        format!(
            "image is not built on an approved base (approved: {}); its base is {base}",
            names.join(", ")
        ),
    ));
}

fn scheme_of(eco: Ecosystem) -> Option<Scheme> {
    eco.purl_type().parse().ok()
}

pub(crate) fn packages(p: &PolicyFile, r: &ScanResult, out: &mut Vec<Violation>) {
    let Some(pk) = &p.packages else { return };
    for rule in &pk.minimum {
        let eco: Option<Ecosystem> = rule.ecosystem.as_deref().and_then(|e| e.parse().ok());
        for pkg in r
            .inventory
            .packages
            .iter()
            .filter(|x| x.name == rule.name && eco.is_none_or(|e| e == x.ecosystem))
        {
            let Some(scheme) = scheme_of(pkg.ecosystem) else {
                continue;
            };
            match scheme.compare(&pkg.version, &rule.version) {
                Ok(std::cmp::Ordering::Less) => out.push(v(
                    "packages.minimum",
                    format!(
                        "{} {} {} is older than the minimum {} (found in {})",
                        pkg.ecosystem, pkg.name, pkg.version, rule.version, pkg.found_in.path
                    ),
                )),
                Ok(_) => {}
                Err(e) => out.push(v(
                    "packages.minimum",
                    format!(
                        "cannot compare {} {} {} with the minimum {}: {e}",
                        pkg.ecosystem, pkg.name, pkg.version, rule.version
                    ),
                )),
            }
        }
    }
    for rule in &pk.banned {
        let eco: Option<Ecosystem> = rule.ecosystem.as_deref().and_then(|e| e.parse().ok());
        for pkg in r
            .inventory
            .packages
            .iter()
            .filter(|x| x.name == rule.name && eco.is_none_or(|e| e == x.ecosystem))
        {
            out.push(v(
                "packages.banned",
                format!(
                    "banned package {} {} {} is installed (found in {}){}",
                    pkg.ecosystem,
                    pkg.name,
                    pkg.version,
                    pkg.found_in.path,
                    rule.reason
                        .as_deref()
                        .map(|x| format!(": {x}"))
                        .unwrap_or_default()
                ),
            ));
        }
    }
}

/// The vulnerability limits are the CI gate's rules (bosun-gate), so a
/// policy and `--fail-on`/`--min-cvss` always agree on what trips.
pub(crate) fn vulnerabilities(
    rules: &Vulnerabilities,
    fail_on: Option<Severity>,
    r: &ScanResult,
    out: &mut Vec<Violation>,
) {
    let gate = bosun_gate::GateOptions {
        severities: Vec::new(),
        ignore_unfixed: rules.fixable_only,
        fail_on,
        min_cvss: rules.max_cvss,
        exit_code: None,
    };
    let verdict = gate.verdict(&r.findings);
    if fail_on.is_some() || rules.max_cvss.is_some() {
        out.extend(
            verdict
                .reasons
                .into_iter()
                .map(|reason| v("vulnerabilities.threshold", reason)),
        );
    }
    if let Some(max) = rules.max_count
        && verdict.counted > max
    {
        out.push(v(
            "vulnerabilities.max-count",
            format!(
                "{} vulnerabilities{} count, more than the {max} allowed",
                verdict.counted,
                if rules.fixable_only {
                    " with a fix"
                } else {
                    ""
                }
            ),
        ));
    }
}

fn is_root(user: &str) -> bool {
    let u = user.split(':').next().unwrap_or("").trim();
    u.is_empty() || u == "0" || u == "root"
}

pub(crate) fn image(
    rules: &ImageRules,
    r: &ScanResult,
    now: jiff::Timestamp,
    out: &mut Vec<Violation>,
) {
    let default_cfg = bosun_model::ImageConfig::default();
    let cfg = r.inventory.config.as_ref().unwrap_or(&default_cfg);
    let user = cfg.user.as_deref().unwrap_or("");
    if rules.non_root && is_root(user) {
        out.push(v(
            "image.non-root",
            if user.is_empty() {
                "image runs as root: the config sets no USER".to_owned()
            } else {
                format!("image runs as root: USER is `{user}`")
            },
        ));
    }
    if let Some(want) = &rules.user
        && user != want
    {
        out.push(v(
            "image.user",
            format!("image USER is `{user}`, the policy requires `{want}`"),
        ));
    }
    if rules.require_entrypoint && cfg.entrypoint.is_empty() && cfg.cmd.is_empty() {
        out.push(v(
            "image.entrypoint",
            "image has neither ENTRYPOINT nor CMD".to_owned(),
        ));
    }
    if let Some(want) = &rules.entrypoint
        && &cfg.entrypoint != want
    {
        out.push(v(
            "image.entrypoint",
            format!(
                "image ENTRYPOINT is {:?}, the policy requires {want:?}",
                cfg.entrypoint
            ),
        ));
    }
    if let Some(want) = &rules.cmd
        && &cfg.cmd != want
    {
        out.push(v(
            "image.cmd",
            format!("image CMD is {:?}, the policy requires {want:?}", cfg.cmd),
        ));
    }
    for l in &rules.required_labels {
        if cfg.labels.get(l).is_none_or(|v| v.trim().is_empty()) {
            out.push(v(
                "image.labels",
                format!("image lacks the required label `{l}`"),
            ));
        }
    }
    if rules.require_healthcheck {
        let has = cfg
            .healthcheck
            .as_ref()
            .is_some_and(|t| !t.is_empty() && t.first().map(String::as_str) != Some("NONE"));
        if !has {
            out.push(v(
                "image.healthcheck",
                "image defines no HEALTHCHECK".to_owned(),
            ));
        }
    }
    if let Some(max) = rules.max_age_days {
        match cfg.created.as_deref().map(|c| c.parse::<jiff::Timestamp>()) {
            Some(Ok(created)) => {
                let age_days = (now.as_second() - created.as_second()).div_euclid(86_400);
                if age_days > i64::from(max) {
                    out.push(v(
                        "image.max-age",
                        format!(
                            "image is {age_days} days old (created {created}), older than the {max} days allowed"
                        ),
                    ));
                }
            }
            Some(Err(e)) => out.push(v(
                "image.max-age",
                format!("image config `created` is not a timestamp: {e}"),
            )),
            None => out.push(v(
                "image.max-age",
                "image config has no `created` time, so its age is unknown".to_owned(),
            )),
        }
    }
}

/// Every check named in `must_pass` (or every check, for `*`) must not be
/// among the failed checks. Checks that did not run deny the image: a
/// policy that requires them cannot be met without them.
pub(crate) fn checks(c: &Checks, r: &ScanResult, out: &mut Vec<Violation>) {
    if c.must_pass.is_empty() {
        return;
    }
    let Some(failed) = &r.checks else {
        out.push(v(
            "checks.must-pass",
            "the compliance checks did not run (they need the image, not an SBOM)".to_owned(),
        ));
        return;
    };
    let all = c.must_pass.iter().any(|id| id == "*");
    for f in failed {
        if all || c.must_pass.iter().any(|id| id == &f.id) {
            let first = f
                .evidence
                .first()
                .map(|e| match e.layer {
                    Some(l) => format!(": {} (layer {l}) {}", e.location, e.detail),
                    None => format!(": {} {}", e.location, e.detail),
                })
                .unwrap_or_default();
            out.push(v(
                "checks.must-pass",
                format!("{} {} failed{first}", f.id, f.title),
            ));
        }
    }
}
