//! Inventory x vulnerability database -> findings.
//!
//! One matcher per kind of data, chosen by the package's ecosystem and the
//! inventory's distribution:
//!
//! | packages | looked up in | by | version compared |
//! |---|---|---|---|
//! | dpkg on Debian | `debian:<codename>` (tracker JSON, DSA/DLA lists, OSV Debian) | source package | source version when the inventory has one (binNMUs, `Source: x (v)`), else the binary version |
//! | dpkg on Ubuntu | `ubuntu:<YY.MM>` (Ubuntu OSV) | source package | as Debian |
//! | apk on Alpine / Wolfi / Chainguard | `alpine:v<major.minor>`, `wolfi:rolling`, `chainguard:rolling` (secdb) | origin | package version |
//! | rpm on Rocky, Alma, Mariner, Azure Linux | `rocky:<major>`... (OSV) | binary and source RPM names | EVR |
//! | PyPI, npm, Go (modules and `stdlib`), crates.io, Maven, RubyGems, Composer, NuGet | the ecosystem (OSV, npm and rubysec advisories) | normalized name | package version |
//!
//! OS packages are matched only with their distribution's own data, never
//! with NVD CPE ranges or language data (distributions backport fixes).
//!
//! Records of the same vulnerability for the same package (CVE, GHSA, OSV ids
//! linked by `aliases`) become one [`Finding`] whose id is the CVE when there
//! is one; fixed versions are unioned and every source's CVSS is kept.
//! Vendor advisories (DSA, DLA, USN) are listed in `aliases` but never link
//! two CVEs. See docs/VULNDB.md for the severity order.
//!
//! ```no_run
//! # fn inv() -> bosun_model::Inventory { unimplemented!() }
//! let db = bosun_vulndb::Db::open("bosun.db")?;
//! let mut m = bosun_match::Matcher::new(&db);
//! let outcome = m.match_inventory(&inv())?;   // reuse `m` for more inventories
//! for f in &outcome.findings {
//!     println!("{} {} {} {:?}", f.id, f.package.name, f.package.version, f.fixed_versions);
//! }
//! # Ok::<(), bosun_match::MatchError>(())
//! ```

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use bosun_model::{
    Cvss, Distro, Ecosystem, Finding, FixState, Inventory, MatchDetails, Package, PackageRef,
    Severity,
};
use bosun_version::osv::{Affected, Outcome};
use bosun_version::{Scheme, Version};
use bosun_vulndb::model::scheme_of;
use bosun_vulndb::{Advisory, AffectedHit, Db, Rule, VulnDbError, constraints, eval, namespace};

/// Why matching failed (the database could not be read).
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("vulnerability matching: {0}")]
    Db(#[from] VulnDbError),
}

/// Findings and what the matcher could not do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchOutcome {
    /// Sorted: severity (highest first), id, package name, version, path.
    pub findings: Vec<Finding>,
    /// Things not matched and why, each said once (no data for the
    /// distribution, versions that do not parse, ranges not evaluated).
    pub warnings: Vec<String>,
}

/// Options of a match.
#[derive(Debug, Clone)]
pub struct MatchOptions {
    /// Match development-only lockfile dependencies too.
    pub include_dev: bool,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions { include_dev: true }
    }
}

/// Matches one inventory against an open database.
pub fn match_inventory(inv: &Inventory, db: &Db) -> Result<Vec<Finding>, MatchError> {
    Ok(Matcher::new(db).match_inventory(inv)?.findings)
}

/// A matcher bound to an open database. It caches advisories and lookups,
/// so reuse one for many inventories (registry rescans).
pub struct Matcher<'db> {
    db: &'db Db,
    opts: MatchOptions,
    advisories: HashMap<i64, Rc<Advisory>>,
    by_id: HashMap<String, Rc<Vec<Advisory>>>,
    lookups: HashMap<(String, String), Rc<Vec<Prepared>>>,
    /// Findings of a query (ecosystem, namespaces, names, version) that
    /// matched without a warning, with the first package's reference: the
    /// same query in another inventory gets copies with its own package.
    results: HashMap<ResultKey, Rc<Vec<Finding>>>,
}

type ResultKey = (Ecosystem, Vec<String>, Vec<String>, String);

/// Most entries kept in each cache before it is emptied.
const MAX_CACHED: usize = 200_000;

/// An affected row with what evaluating it needs, built once per lookup.
struct Prepared {
    hit: AffectedHit,
    /// The OSV entry of an OSV rule (built once, not at every evaluation).
    osv: Option<Affected>,
    /// Fixed versions of a constraint rule.
    hint: Vec<String>,
}

/// One affected row that matched a package.
struct Candidate {
    adv: i64,
    namespace: String,
    state: FixState,
    row_severity: Option<Severity>,
    eval: eval::Eval,
    /// The row (for telling identical rows found under two names apart).
    rows: Rc<Vec<Prepared>>,
    index: usize,
}

/// How to look a package up.
struct Query {
    namespaces: Vec<String>,
    names: Vec<String>,
    version: String,
    matcher: &'static str,
    what: &'static str,
}

fn matcher_name(namespace: &str) -> &'static str {
    match namespace.split(':').next().unwrap_or("") {
        "debian" => "debian",
        "ubuntu" | "ubuntu-pro" => "ubuntu",
        "alpine" => "alpine",
        "wolfi" => "wolfi",
        "chainguard" => "chainguard",
        "rocky" | "almalinux" | "mariner" | "azurelinux" => "rpm",
        _ => "osv",
    }
}

fn distro_matches(eco: Ecosystem, d: &Distro) -> bool {
    let id = d.id.to_ascii_lowercase();
    match eco {
        Ecosystem::Deb => matches!(id.as_str(), "debian" | "ubuntu"),
        Ecosystem::Apk => matches!(id.as_str(), "alpine" | "wolfi" | "chainguard"),
        Ecosystem::Rpm => matches!(
            id.as_str(),
            "rocky" | "almalinux" | "mariner" | "azurelinux"
        ),
        _ => false,
    }
}

fn cvss_rank(c: &Cvss) -> u8 {
    match c.version.as_str() {
        "4.0" => 4,
        "3.1" => 3,
        "3.0" => 2,
        _ => 1,
    }
}

fn severity_of_cvss(c: &Cvss) -> Severity {
    if c.version == "2.0" {
        if c.base_score >= 7.0 {
            Severity::High
        } else if c.base_score >= 4.0 {
            Severity::Medium
        } else {
            Severity::Low
        }
    } else {
        Severity::from_cvss_score(c.base_score)
    }
}

/// The newest-version CVSS among those from `pred` sources.
fn best_cvss(cvss: &[Cvss], pred: impl Fn(&str) -> bool) -> Option<&Cvss> {
    cvss.iter().filter(|c| pred(&c.source)).max_by(|a, b| {
        cvss_rank(a).cmp(&cvss_rank(b)).then(
            a.base_score
                .partial_cmp(&b.base_score)
                .unwrap_or(Ordering::Equal),
        )
    })
}

impl<'db> Matcher<'db> {
    pub fn new(db: &'db Db) -> Self {
        Matcher::with_options(db, MatchOptions::default())
    }

    pub fn with_options(db: &'db Db, opts: MatchOptions) -> Self {
        Matcher {
            db,
            opts,
            advisories: HashMap::new(),
            by_id: HashMap::new(),
            lookups: HashMap::new(),
            results: HashMap::new(),
        }
    }

    fn lookup(&mut self, ns: &str, name: &str) -> Result<Rc<Vec<Prepared>>, MatchError> {
        let key = (ns.to_owned(), name.to_owned());
        if let Some(h) = self.lookups.get(&key) {
            return Ok(h.clone());
        }
        let hits: Vec<Prepared> = self
            .db
            .affected(ns, name)?
            .into_iter()
            .map(|hit| Prepared {
                osv: eval::osv_affected(&hit.rule),
                hint: match &hit.rule {
                    Rule::Constraints { patched, .. } => constraints::fixed_versions(patched),
                    _ => Vec::new(),
                },
                hit,
            })
            .collect();
        let hits = Rc::new(hits);
        if self.lookups.len() > MAX_CACHED {
            self.lookups.clear();
        }
        self.lookups.insert(key, hits.clone());
        Ok(hits)
    }

    fn advisory(&mut self, adv: i64) -> Result<Option<Rc<Advisory>>, MatchError> {
        if let Some(a) = self.advisories.get(&adv) {
            return Ok(Some(a.clone()));
        }
        let Some(a) = self.db.advisory(adv)? else {
            return Ok(None);
        };
        let a = Rc::new(a);
        if self.advisories.len() > MAX_CACHED {
            self.advisories.clear();
        }
        self.advisories.insert(adv, a.clone());
        Ok(Some(a))
    }

    /// Records of an identifier in every source (NVD enrichment).
    fn records_of(&mut self, id: &str) -> Result<Rc<Vec<Advisory>>, MatchError> {
        if let Some(v) = self.by_id.get(id) {
            return Ok(v.clone());
        }
        let v = Rc::new(self.db.advisories_by_id(id)?);
        if self.by_id.len() > MAX_CACHED {
            self.by_id.clear();
        }
        self.by_id.insert(id.to_owned(), v.clone());
        Ok(v)
    }

    fn query(
        &self,
        inv: &Inventory,
        p: &Package,
        warnings: &mut BTreeSet<String>,
    ) -> Option<Query> {
        if p.ecosystem.is_os() {
            if let Some(st) = p.properties.get("dpkg-status")
                && (st.contains("config-files") || st.contains("not-installed"))
            {
                return None;
            }
            let Some(d) = inv.distro.as_ref() else {
                warnings.insert(format!(
                    "{} packages not matched: no distribution found in the image",
                    p.ecosystem
                ));
                return None;
            };
            if !distro_matches(p.ecosystem, d) {
                warnings.insert(format!(
                    "{} packages not matched: bosun has no {} vulnerability data for distribution `{}`",
                    p.ecosystem, p.ecosystem, d.id
                ));
                return None;
            }
            let namespaces = namespace::for_distro(d);
            if namespaces.is_empty() {
                warnings.insert(format!(
                    "{} packages not matched: release of `{}` unknown (VERSION_ID {:?}, VERSION_CODENAME {:?})",
                    p.ecosystem, d.id, d.version_id, d.codename
                ));
                return None;
            }
            let (names, version, what) = match p.ecosystem {
                Ecosystem::Deb => (
                    vec![p.advisory_name().to_owned()],
                    p.source
                        .as_ref()
                        .and_then(|s| s.version.clone())
                        .unwrap_or_else(|| p.version.clone()),
                    "source package",
                ),
                Ecosystem::Apk => (
                    vec![p.advisory_name().to_owned()],
                    p.version.clone(),
                    "origin",
                ),
                _ => {
                    let mut n = vec![p.name.clone()];
                    if let Some(s) = &p.source
                        && s.name != p.name
                    {
                        n.push(s.name.clone());
                    }
                    (n, p.version.clone(), "package")
                }
            };
            let matcher = matcher_name(namespaces.first().map(String::as_str).unwrap_or(""));
            return Some(Query {
                namespaces,
                names,
                version,
                matcher,
                what,
            });
        }
        if p.dev && !self.opts.include_dev {
            return None;
        }
        let ns = namespace::for_ecosystem(p.ecosystem)?;
        Some(Query {
            namespaces: vec![ns.to_owned()],
            names: vec![namespace::normalize_name(ns, &p.name)],
            version: p.version.clone(),
            matcher: "osv",
            what: "package",
        })
    }

    /// Matches every package of an inventory.
    pub fn match_inventory(&mut self, inv: &Inventory) -> Result<MatchOutcome, MatchError> {
        let mut warnings = BTreeSet::new();
        let mut findings = Vec::new();
        for p in &inv.packages {
            let Some(q) = self.query(inv, p, &mut warnings) else {
                continue;
            };
            self.match_package(p, &q, &mut findings, &mut warnings)?;
        }
        sort_findings(&mut findings);
        Ok(MatchOutcome {
            findings,
            warnings: warnings.into_iter().collect(),
        })
    }

    fn match_package(
        &mut self,
        p: &Package,
        q: &Query,
        findings: &mut Vec<Finding>,
        warnings: &mut BTreeSet<String>,
    ) -> Result<(), MatchError> {
        let key: ResultKey = (
            p.ecosystem,
            q.namespaces.clone(),
            q.names.clone(),
            q.version.clone(),
        );
        if let Some(done) = self.results.get(&key) {
            let package = PackageRef::of(p);
            findings.extend(done.iter().map(|f| Finding {
                package: package.clone(),
                ..f.clone()
            }));
            return Ok(());
        }
        let start = findings.len();
        let mut mine = BTreeSet::new();
        self.match_package_uncached(p, q, findings, &mut mine)?;
        if mine.is_empty() {
            if self.results.len() > MAX_CACHED {
                self.results.clear();
            }
            let done = findings.get(start..).unwrap_or_default().to_vec();
            self.results.insert(key, Rc::new(done));
        } else {
            warnings.append(&mut mine);
        }
        Ok(())
    }

    fn match_package_uncached(
        &mut self,
        p: &Package,
        q: &Query,
        findings: &mut Vec<Finding>,
        warnings: &mut BTreeSet<String>,
    ) -> Result<(), MatchError> {
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut parsed: Option<(Scheme, Version)> = None;
        for ns in &q.namespaces {
            let Some(scheme) = scheme_of(ns) else {
                continue;
            };
            for name in &q.names {
                let hits = self.lookup(ns, name)?;
                if hits.is_empty() {
                    continue;
                }
                let v = match &parsed {
                    Some((s, v)) if *s == scheme => v.clone(),
                    _ => match scheme.parse(&q.version) {
                        Ok(v) => {
                            parsed = Some((scheme, v.clone()));
                            v
                        }
                        Err(e) => {
                            warnings.insert(format!(
                                "{} {} ({}): not matched, {e}",
                                p.name, q.version, p.found_in.path
                            ));
                            continue;
                        }
                    },
                };
                for (index, pr) in hits.iter().enumerate() {
                    let h = &pr.hit;
                    let e = match &pr.osv {
                        Some(a) => eval::evaluate_affected(a, &v),
                        None => eval::evaluate(&h.rule, &v, &pr.hint),
                    };
                    for n in &e.notes {
                        warnings.insert(format!("advisory row {} for {name} in {ns}: {n}", h.adv));
                    }
                    if e.outcome == Outcome::Unsupported {
                        warnings.insert(format!(
                            "{name} {} in {ns}: an advisory (row {}) could not be evaluated",
                            q.version, h.adv
                        ));
                    }
                    if e.outcome != Outcome::Affected {
                        continue;
                    }
                    // The same row found under a second name or namespace.
                    let seen = candidates.iter().any(|c| {
                        c.adv == h.adv
                            && c.rows
                                .get(c.index)
                                .is_some_and(|other| other.hit.rule == h.rule)
                    });
                    if seen {
                        continue;
                    }
                    candidates.push(Candidate {
                        adv: h.adv,
                        namespace: ns.clone(),
                        state: h.state,
                        row_severity: h.severity,
                        eval: e,
                        rows: hits.clone(),
                        index,
                    });
                }
            }
        }
        if candidates.is_empty() {
            return Ok(());
        }
        // Group candidates that describe one vulnerability (shared id or alias).
        let mut keys: Vec<BTreeSet<String>> = Vec::with_capacity(candidates.len());
        for c in &candidates {
            let a = self.advisory(c.adv)?;
            let mut k = BTreeSet::new();
            if let Some(a) = a {
                k.insert(a.id.clone());
                k.extend(a.aliases.iter().cloned());
            }
            keys.push(k);
        }
        let groups = group(&keys);
        for members in groups {
            let f = self.finding(p, q, &candidates, &members)?;
            findings.push(f);
        }
        Ok(())
    }

    fn finding(
        &mut self,
        p: &Package,
        q: &Query,
        candidates: &[Candidate],
        members: &[usize],
    ) -> Result<Finding, MatchError> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        let mut related: BTreeSet<String> = BTreeSet::new();
        let mut own_ids: Vec<String> = Vec::new();
        let mut fixed: Vec<String> = Vec::new();
        let mut states: Vec<FixState> = Vec::new();
        let mut row_sev: Option<Severity> = None;
        let mut adv_sev: Option<(Severity, String)> = None;
        let mut cvss: Vec<Cvss> = Vec::new();
        let mut title = None;
        let mut description = None;
        let mut references: Vec<String> = Vec::new();
        let mut published: Option<String> = None;
        let mut modified: Option<String> = None;
        let mut sources: BTreeSet<String> = BTreeSet::new();
        let mut reasons: Vec<String> = Vec::new();
        let mut namespaces: BTreeSet<String> = BTreeSet::new();
        for &i in members {
            let Some(c) = candidates.get(i) else { continue };
            namespaces.insert(c.namespace.clone());
            let Some(a) = self.advisory(c.adv)? else {
                continue;
            };
            own_ids.push(a.id.clone());
            ids.insert(a.id.clone());
            ids.extend(a.aliases.iter().cloned());
            related.extend(a.related.iter().cloned());
            for f in &c.eval.fixed {
                if !fixed.contains(f) {
                    fixed.push(f.clone());
                }
            }
            states.push(match c.eval.outcome {
                _ if !c.eval.fixed.is_empty() => FixState::Fixed,
                _ if matches!(c.state, FixState::Fixed) => FixState::NotFixed,
                _ => c.state,
            });
            row_sev = row_sev.max(c.row_severity);
            if let Some(s) = a.severity
                && adv_sev.as_ref().is_none_or(|(old, _)| s > *old)
            {
                adv_sev = Some((s, label(&a.source)));
            }
            for r in &a.cvss {
                push_cvss(&mut cvss, &r.vector, &r.source);
            }
            if title.is_none() {
                title = a.title.clone().filter(|t| !t.is_empty());
            }
            if description.is_none() {
                description = a.description.clone().filter(|t| !t.is_empty());
            }
            for r in &a.references {
                if !references.contains(r) {
                    references.push(r.clone());
                }
            }
            if a.published.is_some() && (published.is_none() || a.published < published) {
                published = a.published.clone();
            }
            if a.modified > modified {
                modified = a.modified.clone();
            }
            sources.insert(a.source.clone());
            if !c.eval.reason.is_empty() {
                let r = format!("{} ({}): {}", a.id, a.source, c.eval.reason);
                if !reasons.contains(&r) {
                    reasons.push(r);
                }
            }
        }
        // The finding's id: a CVE if any (the record's own first), else a
        // GHSA, else the first record's id.
        let id = own_ids
            .iter()
            .find(|x| x.starts_with("CVE-"))
            .or_else(|| ids.iter().find(|x| x.starts_with("CVE-")))
            .or_else(|| ids.iter().find(|x| x.starts_with("GHSA-")))
            .or_else(|| own_ids.first())
            .cloned()
            .unwrap_or_default();
        // Enrichment: other sources' records of the same ids (NVD CVSS, text).
        let lookups: Vec<String> = ids
            .iter()
            .filter(|x| x.starts_with("CVE-"))
            .cloned()
            .collect();
        for cve in lookups {
            let recs = self.records_of(&cve)?;
            for r in recs
                .iter()
                .filter(|r| !sources.contains(&r.source) && r.affected.is_empty())
            {
                for c in &r.cvss {
                    push_cvss(&mut cvss, &c.vector, &c.source);
                }
                if description.is_none() {
                    description = r.description.clone();
                }
                if r.published.is_some() && published.is_none() {
                    published = r.published.clone();
                }
            }
        }
        let os = p.ecosystem.is_os();
        let nvd = best_cvss(&cvss, |s| s == "nvd");
        let own = best_cvss(&cvss, |s| !s.starts_with("nvd"));
        let any = best_cvss(&cvss, |_| true);
        let distro_label = q.matcher.to_owned();
        let (severity, severity_source) = if os {
            if let Some(s) = row_sev.filter(|s| *s != Severity::Unknown) {
                (s, Some(distro_label))
            } else if let Some(c) = nvd {
                (severity_of_cvss(c), Some(format!("cvss:{}", c.source)))
            } else if let Some((s, src)) = adv_sev.clone() {
                (s, Some(src))
            } else if let Some(c) = any {
                (severity_of_cvss(c), Some(format!("cvss:{}", c.source)))
            } else {
                (Severity::Unknown, None)
            }
        } else if let Some((s, src)) = adv_sev.clone() {
            (s, Some(src))
        } else if let Some(c) = own.or(nvd).or(any) {
            (severity_of_cvss(c), Some(format!("cvss:{}", c.source)))
        } else {
            (Severity::Unknown, None)
        };
        let status = if states.contains(&FixState::Fixed) {
            FixState::Fixed
        } else if states.contains(&FixState::NotFixed) {
            FixState::NotFixed
        } else if states.contains(&FixState::WontFix) {
            FixState::WontFix
        } else {
            FixState::Unknown
        };
        let mut aliases: Vec<String> = ids
            .into_iter()
            .chain(related)
            .filter(|x| *x != id)
            .collect();
        aliases.sort();
        aliases.dedup();
        cvss.sort_by(|a, b| {
            cvss_rank(b)
                .cmp(&cvss_rank(a))
                .then(a.source.cmp(&b.source))
                .then(a.vector.cmp(&b.vector))
        });
        let ns_text = namespaces.into_iter().collect::<Vec<_>>().join(", ");
        Ok(Finding {
            id,
            aliases,
            package: PackageRef::of(p),
            fixed_versions: fixed,
            status,
            severity,
            severity_source,
            cvss,
            title,
            description,
            references,
            published,
            modified,
            matched: MatchDetails {
                matcher: q.matcher.to_owned(),
                searched: format!(
                    "{} {} {} in {ns_text}",
                    q.what,
                    q.names.join(" / "),
                    q.version
                ),
                data_source: sources.into_iter().collect::<Vec<_>>().join(", "),
                reason: reasons.join("; "),
            },
            suppressed: None,
        })
    }
}

fn label(source: &str) -> String {
    if source.starts_with("osv:") {
        "osv".to_owned()
    } else {
        source.to_owned()
    }
}

fn push_cvss(out: &mut Vec<Cvss>, vector: &str, source: &str) {
    if out.iter().any(|c| c.vector == vector && c.source == source) {
        return;
    }
    if let Ok(s) = bosun_cvss::parse(vector) {
        out.push(Cvss {
            version: s.version.as_str().to_owned(),
            vector: s.vector,
            base_score: s.base_score as f32,
            source: source.to_owned(),
        });
    }
}

/// Connected components of key sets that share a key.
fn group(keys: &[BTreeSet<String>]) -> Vec<Vec<usize>> {
    let n = keys.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while let Some(&p) = parent.get(x) {
            if p == x {
                break;
            }
            let gp = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(x) {
                *slot = gp;
            }
            x = p;
        }
        x
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        for key in k {
            if let Some(&j) = owner.get(key.as_str()) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                if a != b
                    && let Some(slot) = parent.get_mut(a)
                {
                    *slot = b;
                }
            } else {
                owner.insert(key, i);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    out.sort();
    out
}

/// The deterministic order of findings: severity (highest first), id,
/// package name, version, path.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.name.cmp(&b.package.name))
            .then_with(|| a.package.version.cmp(&b.package.version))
            .then_with(|| a.package.path.cmp(&b.package.path))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_by_shared_keys() {
        let k = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let g = group(&[
            k(&["PYSEC-1", "CVE-1", "GHSA-1"]),
            k(&["GHSA-1", "CVE-1"]),
            k(&["CVE-2"]),
            k(&["NSWG-ECO-1", "CVE-1"]),
        ]);
        assert_eq!(g, vec![vec![0, 1, 3], vec![2]]);
    }
}
