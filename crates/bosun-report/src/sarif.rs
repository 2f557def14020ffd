//! SARIF 2.1.0, as GitHub code scanning ingests it.
//!
//! - **Vulnerabilities**: one rule per vulnerability (with
//!   `security-severity` from the highest CVSS score), one result per
//!   finding located at the file the package was found in; suppressed
//!   findings carry a `suppressions` entry with who suppressed them and why.
//! - **Secrets**: one rule per secret rule (`secret/<rule_id>`), one result
//!   per secret at its file, line and column (config and history entries:
//!   at the image, with the entry as a logical location). The message and
//!   properties hold the redacted match only, never the secret, and say when
//!   a later layer deleted the file (the secret is still in the image).
//! - **Compliance checks**: one rule per failed check (ID as rule ID, help
//!   with the description, the fix and the CIS / NIST references, which are
//!   also tags and properties), and **one result per evidence item**, each
//!   at its own location, so that code scanning shows (and closes) every
//!   setuid file or missing label on its own. A check without evidence gets
//!   one result at the image. Evidence left out of the check
//!   (`evidence_omitted`) is counted in each result's properties.
//! - **Policy**: one result per violation (`policy/<rule>`, level `error`)
//!   at the image; the verdict (file, allowed, warnings) is in the run's
//!   properties.
//!
//! Secret and check rules get a `security-severity` from their severity
//! (CRITICAL 9.5, HIGH 8.0, MEDIUM 5.5, LOW 2.0, NEGLIGIBLE 0.5), so code
//! scanning ranks them with the vulnerabilities. "The image" is a location
//! whose URI is the image reference as given (no base), since it is not a
//! file of the image. The run's properties say which scanners ran
//! (`scanned`), since an absent result can mean "none found" or "not run".

use std::collections::BTreeMap;

use bosun_model::{
    CheckEvidence, CheckFinding, Finding, Inventory, PolicyVerdict, PolicyViolation, ScanResult,
    SecretFinding, SecretSource, Severity,
};
use serde_json::{Value, json};

use crate::findings::secret_gone;

const INFO_URI: &str = "https://github.com/bosun-sec/bosun";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        _ => "note",
    }
}

/// GitHub's `security-severity` for findings that have no CVSS score: the
/// middle of each band of its scale (critical above 9.0, high 7.0–8.9,
/// medium 4.0–6.9, low 0.1–3.9).
fn security_severity(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Negligible => Some("0.5"),
        Severity::Unknown => None,
    }
}

/// Percent-encodes what cannot stand in a URI reference (or would change
/// its meaning: `?`, `#`, `%`), keeping `/` and the other path characters.
fn uri_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b':'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A file of the image, relative to the `ROOTPATH` base (`file:///`).
fn file_location(path: &str, line: usize, column: Option<usize>) -> Value {
    let uri = uri_escape(path.trim_start_matches('/'));
    let mut region = json!({"startLine": line.max(1)});
    if let Some(c) = column {
        region["startColumn"] = json!(c.max(1));
    }
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": if uri.is_empty() { ".".to_owned() } else { uri }, "uriBaseId": "ROOTPATH"},
            "region": region,
        }
    })
}

/// The image itself, for what is not in a file: the config, the history,
/// the policy verdict. `what` (e.g. `config:Env[2]`) becomes a logical
/// location.
fn image_location(inv: &Inventory, what: Option<&str>) -> Value {
    let uri = uri_escape(&inv.source.reference);
    let name = inv.source.name.as_deref().unwrap_or(&inv.source.reference);
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": if uri.is_empty() { ".".to_owned() } else { uri }},
            "region": {"startLine": 1},
        },
        "message": {"text": format!("image {name}")},
    });
    if let Some(w) = what {
        loc["logicalLocations"] = json!([{"fullyQualifiedName": w}]);
    }
    loc
}

/// Rules in order of first use, one per ID.
#[derive(Default)]
struct Rules {
    rules: Vec<Value>,
    index: BTreeMap<String, usize>,
}

impl Rules {
    fn index_of(&mut self, id: &str, make: impl FnOnce() -> Value) -> usize {
        if let Some(i) = self.index.get(id) {
            return *i;
        }
        self.rules.push(make());
        let i = self.rules.len() - 1;
        self.index.insert(id.to_owned(), i);
        i
    }
}

fn vuln_rule(f: &Finding) -> Value {
    let title = f.title.clone().unwrap_or_else(|| f.id.clone());
    let mut help = format!(
        "Vulnerability {}\nSeverity: {}\nPackage: {}\nFixed version: {}",
        f.id,
        f.severity,
        f.package.name,
        if f.fixed_versions.is_empty() {
            "none yet".to_owned()
        } else {
            f.fixed_versions.join(", ")
        }
    );
    for r in &f.references {
        help.push_str(&format!("\n{r}"));
    }
    let mut props = json!({
        "tags": ["vulnerability", "security", f.severity.as_str()],
        "precision": "very-high",
    });
    if let Some(score) = f.max_cvss() {
        props["security-severity"] = json!(format!("{score:.1}"));
    }
    let mut r = json!({
        "id": f.id,
        "name": "ContainerPackageVulnerability",
        "shortDescription": {"text": title},
        "fullDescription": {"text": f.description.clone().unwrap_or_else(|| title.clone())},
        "defaultConfiguration": {"level": level(f.severity)},
        "help": {"text": help},
        "properties": props,
    });
    if let Some(uri) = f.references.first() {
        r["helpUri"] = json!(uri);
    }
    r
}

fn vuln_result(inv: &Inventory, f: &Finding, idx: usize) -> Value {
    let layer = f.package.layer.and_then(|l| inv.layers.get(l));
    let mut text = format!(
        "{} {} in {} {} ({}), {}",
        f.severity,
        f.id,
        f.package.name,
        f.package.version,
        f.package.ecosystem,
        if f.fixed_versions.is_empty() {
            "no fixed version yet".to_owned()
        } else {
            format!("fixed in {}", f.fixed_versions.join(", "))
        }
    );
    if let Some(l) = layer {
        text.push_str(&format!(
            "; introduced by layer {}{}",
            l.index,
            l.created_by
                .as_deref()
                .map(|c| format!(": {}", c.trim()))
                .unwrap_or_default()
        ));
    }
    let mut location = file_location(&f.package.path, 1, None);
    location["message"] = json!({"text": f.package.purl});
    let mut r = json!({
        "ruleId": f.id,
        "ruleIndex": idx,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {
            "bosun/v1": format!("{}|{}|{}|{}", f.id, f.package.purl, f.package.path, f.package.version)
        },
        "properties": {
            "package": f.package.name,
            "installedVersion": f.package.version,
            "fixedVersions": f.fixed_versions,
            "status": f.status,
            "aliases": f.aliases,
            "layer": f.package.layer,
            "layerDiffId": layer.and_then(|l| l.diff_id.clone()),
            "matched": f.matched,
        }
    });
    if let Some(s) = &f.suppressed {
        let mut justification = s.by.clone();
        if let Some(reason) = &s.reason {
            justification.push_str(": ");
            justification.push_str(reason);
        }
        r["suppressions"] = json!([{
            "kind": "external",
            "status": "accepted",
            "justification": justification,
        }]);
    }
    r
}

fn with_security_severity(mut props: Value, s: Severity) -> Value {
    if let Some(score) = security_severity(s) {
        props["security-severity"] = json!(score);
    }
    props
}

fn secret_rule(s: &SecretFinding) -> Value {
    json!({
        "id": format!("secret/{}", s.rule_id),
        "name": "ImageSecret",
        "shortDescription": {"text": s.title},
        "fullDescription": {"text": format!(
            "{} (bosun secret rule `{}`) in a file of a layer, the image config or the image history. A secret in any layer stays in the image even when a later layer deletes the file.",
            s.title, s.rule_id
        )},
        "defaultConfiguration": {"level": level(s.severity)},
        "help": {"text": "Never write secrets into a layer: pass them at run time (orchestrator secrets, mounted files, a vault) and at build time with `RUN --mount=type=secret`. Deleting the file in a later layer does not remove it from the image. Rotate the exposed credential."},
        "helpUri": format!("{INFO_URI}/blob/main/docs/SECRETS.md"),
        "properties": with_security_severity(json!({
            "tags": ["secret", "security", s.severity.as_str()],
            "precision": "high",
        }), s.severity),
    })
}

fn secret_result(inv: &Inventory, s: &SecretFinding, idx: usize) -> Value {
    let at = match (s.source, s.layer) {
        (SecretSource::File, Some(l)) => format!("{} line {}, layer {l}", s.path, s.line),
        (SecretSource::File, None) => format!("{} line {}", s.path, s.line),
        (_, Some(l)) => format!("{} (layer {l})", s.path),
        (_, None) => s.path.clone(),
    };
    let mut text = format!(
        "{} {} (secret rule {}) in {at}: {}",
        s.severity, s.title, s.rule_id, s.redacted
    );
    if s.with_certificate {
        text.push_str("; its certificate is in the same file");
    }
    if let Some(gone) = secret_gone(s) {
        text.push_str("; ");
        text.push_str(&gone);
    }
    let location = match s.source {
        SecretSource::File => file_location(&s.path, s.line, Some(s.column)),
        _ => image_location(inv, Some(&s.path)),
    };
    let mut props = json!({
        "source": s.source,
        "redacted": s.redacted,
        "deleted": s.deleted,
    });
    layer_props(&mut props, inv, s.layer);
    if let Some(d) = s.deleted_in {
        props["deletedIn"] = json!(d);
    }
    if s.replaced {
        props["replaced"] = json!(true);
    }
    if s.with_certificate {
        props["withCertificate"] = json!(true);
    }
    json!({
        "ruleId": format!("secret/{}", s.rule_id),
        "ruleIndex": idx,
        "level": level(s.severity),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {
            "bosun/v1": format!(
                "secret/{}|{}|{}|{}|{}",
                s.rule_id,
                s.path,
                s.line,
                s.column,
                s.layer.map(|l| l.to_string()).unwrap_or_default()
            )
        },
        "properties": props,
    })
}

/// `layer` and `layerDiffId` properties, when the layer is known.
fn layer_props(props: &mut Value, inv: &Inventory, layer: Option<usize>) {
    if let Some(l) = layer {
        props["layer"] = json!(l);
        if let Some(d) = inv.layers.get(l).and_then(|l| l.diff_id.as_deref()) {
            props["layerDiffId"] = json!(d);
        }
    }
}

fn check_rule(c: &CheckFinding) -> Value {
    let mut tags = vec![
        "compliance".to_owned(),
        "security".to_owned(),
        c.severity.as_str().to_owned(),
    ];
    let mut refs = Vec::new();
    if !c.cis.is_empty() {
        refs.push(format!("CIS Docker Benchmark v1.6.0: {}", c.cis.join(", ")));
        tags.extend(c.cis.iter().map(|r| format!("cis-docker-1.6.0/{r}")));
    }
    if !c.nist.is_empty() {
        refs.push(format!("NIST SP 800-190: {}", c.nist.join(", ")));
        tags.extend(c.nist.iter().map(|r| format!("nist-sp-800-190/{r}")));
    }
    let mut help = format!("{}\n\nFix: {}", c.description, c.remediation);
    if !refs.is_empty() {
        help.push_str("\n\n");
        help.push_str(&refs.join("\n"));
    }
    json!({
        "id": c.id,
        "name": "ImageComplianceCheck",
        "shortDescription": {"text": c.title},
        "fullDescription": {"text": c.description},
        "defaultConfiguration": {"level": level(c.severity)},
        "help": {"text": help},
        "helpUri": format!("{INFO_URI}/blob/main/docs/CHECKS.md"),
        "properties": with_security_severity(json!({
            "tags": tags,
            "precision": "very-high",
            "cis": c.cis,
            "nist": c.nist,
        }), c.severity),
    })
}

fn check_result(inv: &Inventory, c: &CheckFinding, e: Option<&CheckEvidence>, idx: usize) -> Value {
    let (text, location, at) = match e {
        Some(e) => {
            let at = match e.layer {
                Some(l) => format!("{} (layer {l})", e.location),
                None => e.location.clone(),
            };
            let location = if e.location.starts_with('/') {
                file_location(&e.location, 1, None)
            } else {
                image_location(inv, Some(&e.location))
            };
            (
                format!(
                    "{} {} {} failed: {at}: {}",
                    c.severity, c.id, c.title, e.detail
                ),
                location,
                e.location.as_str(),
            )
        }
        None => (
            format!("{} {} {} failed", c.severity, c.id, c.title),
            image_location(inv, None),
            "",
        ),
    };
    let mut props = json!({});
    layer_props(&mut props, inv, e.and_then(|e| e.layer));
    if c.evidence_omitted > 0 {
        props["evidenceOmitted"] = json!(c.evidence_omitted);
    }
    json!({
        "ruleId": c.id,
        "ruleIndex": idx,
        "level": level(c.severity),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"bosun/v1": format!("{}|{at}", c.id)},
        "properties": props,
    })
}

fn policy_rule(v: &PolicyVerdict, x: &PolicyViolation) -> Value {
    json!({
        "id": format!("policy/{}", x.rule),
        "name": "ImagePolicyViolation",
        "shortDescription": {"text": format!("Policy rule {}", x.rule)},
        "fullDescription": {"text": format!(
            "The policy {} denies the image under its rule {}.",
            v.policy, x.rule
        )},
        "defaultConfiguration": {"level": "error"},
        "help": {"text": format!(
            "The image does not meet rule {} of the policy {}: change the image, or the policy if the rule no longer applies.",
            x.rule, v.policy
        )},
        "helpUri": format!("{INFO_URI}/blob/main/docs/POLICY.md"),
        "properties": {"tags": ["policy"]},
    })
}

fn policy_result(inv: &Inventory, v: &PolicyVerdict, x: &PolicyViolation, idx: usize) -> Value {
    json!({
        "ruleId": format!("policy/{}", x.rule),
        "ruleIndex": idx,
        "level": "error",
        "message": {"text": format!("policy {} denies the image: {}: {}", v.policy, x.rule, x.message)},
        "locations": [image_location(inv, None)],
        "partialFingerprints": {"bosun/v1": format!("policy/{}|{}", x.rule, x.message)},
        "properties": {"policy": v.policy},
    })
}

/// Writes a scan result as a SARIF 2.1.0 log.
pub fn sarif(result: &ScanResult) -> String {
    let inv = &result.inventory;
    let mut rules = Rules::default();
    let mut results = Vec::new();
    for f in &result.findings {
        let idx = rules.index_of(&f.id, || vuln_rule(f));
        results.push(vuln_result(inv, f, idx));
    }
    for s in result.secrets.iter().flatten() {
        let idx = rules.index_of(&format!("secret/{}", s.rule_id), || secret_rule(s));
        results.push(secret_result(inv, s, idx));
    }
    for c in result.checks.iter().flatten() {
        let idx = rules.index_of(&c.id, || check_rule(c));
        if c.evidence.is_empty() {
            results.push(check_result(inv, c, None, idx));
        }
        for e in &c.evidence {
            results.push(check_result(inv, c, Some(e), idx));
        }
    }
    if let Some(v) = &result.policy {
        for x in &v.violations {
            let idx = rules.index_of(&format!("policy/{}", x.rule), || policy_rule(v, x));
            results.push(policy_result(inv, v, x, idx));
        }
    }
    let mut run = json!({
        "tool": {"driver": {
            "name": "bosun",
            "version": inv.generator,
            "informationUri": INFO_URI,
            "rules": rules.rules,
        }},
        "results": results,
        "originalUriBaseIds": {"ROOTPATH": {"uri": "file:///"}},
        "properties": {
            "source": inv.source,
            "scanned": {
                "vulnerabilities": result.db.is_some(),
                "secrets": result.secrets.is_some(),
                "checks": result.checks.is_some(),
            },
        }
    });
    if let Some(db) = &result.db {
        run["properties"]["vulnerabilityData"] = json!(db);
    }
    if let Some(v) = &result.policy {
        run["properties"]["policy"] = json!({
            "policy": v.policy,
            "allowed": v.allowed,
            "violations": v.violations.len(),
            "warnings": v.warnings,
        });
    }
    let log = json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [run],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::uri_escape;

    #[test]
    fn uris_keep_paths_and_escape_the_rest() {
        assert_eq!(uri_escape("var/lib/dpkg/status"), "var/lib/dpkg/status");
        assert_eq!(uri_escape("app/my file#1?.txt"), "app/my%20file%231%3F.txt");
        assert_eq!(uri_escape("100%[x]"), "100%25%5Bx%5D");
        assert_eq!(uri_escape("é"), "%C3%A9");
    }
}
