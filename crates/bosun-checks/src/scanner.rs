//! The secret scanner: an [`EntrySink`] that reads the text files of every
//! layer while the layers stream, plus the image config and history.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Read;
use std::ops::Range;
use std::sync::{Mutex, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use bosun_model::{ImageConfig, SecretFinding, SecretSource, Severity};
use bosun_tree::{EntrySink, FileMeta, FileTree, PathState, Want};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use crate::config::{
    ConfigError, MAX_CONFIG_ENTRIES, MAX_FILE_SIZE_CEILING, MAX_PATTERN_LEN, SecretsConfig,
};
use crate::rules::{self, BUILTIN, Scope, Validate};

/// Bytes looked at to decide that a file is binary.
const SNIFF_BYTES: usize = 1024;
/// Most findings one file (or config entry) yields.
pub const MAX_FINDINGS_PER_FILE: usize = 100;
/// Most matches of one rule examined in one file.
const MAX_MATCHES_PER_RULE: usize = 200;
/// Compiled size bound of every regex (built-in and custom).
const REGEX_SIZE_LIMIT: usize = 4 << 20;
/// Largest buffer a thread keeps between files.
const KEEP_BUFFER: usize = 1 << 20;
/// Most "skipped" notes kept.
const MAX_SKIPPED_NOTES: usize = 50;

/// Files the checks read after the squash, which the scanner asks the reader
/// to keep (see [`crate::run_checks`]).
pub const CHECK_FILES: &[&str] = &["/etc/passwd"];

/// What a rule is, for listings and docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub keywords: Vec<String>,
    pub description: String,
    /// False for rules from the user's config.
    pub builtin: bool,
}

#[derive(Debug)]
enum RuleScope {
    Any,
    ConfigFiles,
    Names(&'static [&'static str]),
    Globs(GlobSet),
}

/// A rule's regex, compiled on first use: most rules' keywords never occur
/// in an image, and compiling all of them would cost more than scanning a
/// small image's text. Built-in regexes are known to compile (tested);
/// custom ones are compiled when the scanner is built, to report errors.
#[derive(Debug)]
struct LazyRegex {
    id: String,
    source: String,
    compiled: OnceLock<Option<Compiled>>,
}

#[derive(Debug)]
struct Compiled {
    regex: Regex,
    /// Capture groups whose name starts with `secret`.
    secret_groups: Vec<usize>,
}

impl LazyRegex {
    fn new(id: &str, source: &str) -> Self {
        LazyRegex {
            id: id.to_owned(),
            source: source.to_owned(),
            compiled: OnceLock::new(),
        }
    }

    /// Compiles now; the error names the rule.
    fn eager(id: &str, source: &str) -> Result<Self, ConfigError> {
        let lazy = LazyRegex::new(id, source);
        let compiled = compile(id, source)?;
        let _ = lazy.compiled.set(Some(compiled));
        Ok(lazy)
    }

    fn get(&self) -> Option<&Compiled> {
        self.compiled
            .get_or_init(|| compile(&self.id, &self.source).ok())
            .as_ref()
    }
}

#[derive(Debug)]
struct Rule {
    info: RuleInfo,
    regex: LazyRegex,
    scope: RuleScope,
    validate: Validate,
    generic: bool,
    /// Runs without a keyword hit (no keywords, or a rule scoped to a few
    /// file names).
    always: bool,
}

/// What the secret scanner found in one layer's files: the per-layer
/// analysis the layer cache stores next to the catalog's.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerSecrets {
    pub findings: Vec<SecretFinding>,
}

impl LayerSecrets {
    /// Rewrites the layer index of every finding, for results cached from an
    /// image where the same layer sat at another position.
    pub fn at_layer(mut self, layer: usize) -> Self {
        for f in &mut self.findings {
            f.layer = Some(layer);
        }
        self
    }
}

/// Finds secrets in layer files (as an [`EntrySink`]), in the image config
/// and in the history, with the built-in rules and the user's.
///
/// One scanner serves one scan: it collects per-layer results while the
/// layers are read; [`SecretScanner::finish`] then adds the config and marks
/// what later layers deleted.
pub struct SecretScanner {
    rules: Vec<Rule>,
    prefilter: Option<AhoCorasick>,
    /// For each prefilter pattern, the rules it turns on.
    keyword_rules: Vec<Vec<usize>>,
    allow_paths: Option<GlobSet>,
    allow_patterns: Vec<Regex>,
    builtin_allow_paths: bool,
    max_file_size: u64,
    fingerprint: String,
    found: Mutex<BTreeMap<usize, LayerSecrets>>,
    skipped: Mutex<Skipped>,
}

/// Files not read because of their size, said once each (bounded).
#[derive(Debug, Default)]
struct Skipped {
    notes: Vec<String>,
    seen: std::collections::HashSet<String>,
    more: usize,
}

impl std::fmt::Debug for SecretScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretScanner")
            .field("rules", &self.rules.len())
            .field("max_file_size", &self.max_file_size)
            .finish_non_exhaustive()
    }
}

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn compile(id: &str, re: &str) -> Result<Compiled, ConfigError> {
    let regex = RegexBuilder::new(re)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| ConfigError::InvalidRegex {
            rule: id.to_owned(),
            message: e.to_string(),
        })?;
    let groups = regex
        .capture_names()
        .enumerate()
        .filter_map(|(i, n)| n.filter(|n| n.starts_with("secret")).map(|_| i))
        .collect();
    Ok(Compiled {
        regex,
        secret_groups: groups,
    })
}

fn glob_set<'a>(
    globs: impl IntoIterator<Item = &'a String>,
    err: impl Fn(&str, String) -> ConfigError,
) -> Result<GlobSet, ConfigError> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| err(g, e.to_string()))?;
        b.add(glob);
    }
    b.build().map_err(|e| err("<all>", e.to_string()))
}

fn check_len(field: &'static str, items: &[String]) -> Result<(), ConfigError> {
    if items.len() > MAX_CONFIG_ENTRIES {
        return Err(ConfigError::TooMany {
            field,
            count: items.len(),
            limit: MAX_CONFIG_ENTRIES,
        });
    }
    if let Some(long) = items.iter().find(|s| s.len() > MAX_PATTERN_LEN) {
        return Err(ConfigError::TooLong {
            field,
            len: long.len(),
            limit: MAX_PATTERN_LEN,
        });
    }
    Ok(())
}

impl SecretScanner {
    /// The built-in rules with default settings.
    pub fn builtin() -> Self {
        match SecretScanner::new(&SecretsConfig::default()) {
            Ok(s) => s,
            Err(e) => unreachable!("built-in secret rules compile: {e}"),
        }
    }

    /// The built-in rules plus the user's, with the user's allow lists.
    /// Every regex and glob is checked here; errors name the rule or entry.
    pub fn new(config: &SecretsConfig) -> Result<Self, ConfigError> {
        if config.max_file_size == 0 || config.max_file_size > MAX_FILE_SIZE_CEILING {
            return Err(ConfigError::BadMaxFileSize {
                value: config.max_file_size,
                limit: MAX_FILE_SIZE_CEILING,
            });
        }
        if config.rules.len() > MAX_CONFIG_ENTRIES {
            return Err(ConfigError::TooMany {
                field: "rules",
                count: config.rules.len(),
                limit: MAX_CONFIG_ENTRIES,
            });
        }
        check_len("allow_paths", &config.allow_paths)?;
        check_len("allow_patterns", &config.allow_patterns)?;
        check_len("disable_rules", &config.disable_rules)?;

        let mut rules = Vec::new();
        for b in BUILTIN {
            let regex = LazyRegex::new(b.id, b.regex);
            let scope = match b.scope {
                Scope::Any => RuleScope::Any,
                Scope::ConfigFiles => RuleScope::ConfigFiles,
                Scope::Names(n) => RuleScope::Names(n),
            };
            let always = matches!(scope, RuleScope::Names(_));
            rules.push(Rule {
                info: RuleInfo {
                    id: b.id.to_owned(),
                    title: b.title.to_owned(),
                    severity: b.severity,
                    keywords: b.keywords.iter().map(|k| (*k).to_owned()).collect(),
                    description: b.description.to_owned(),
                    builtin: true,
                },
                regex,
                scope,
                validate: b.validate,
                generic: b.generic,
                always,
            });
        }
        for (index, c) in config.rules.iter().enumerate() {
            let id = c.id.trim();
            if id.is_empty() {
                return Err(ConfigError::EmptyId { index });
            }
            if rules.iter().any(|r| r.info.id == id) {
                return Err(ConfigError::DuplicateId {
                    rule: id.to_owned(),
                });
            }
            if c.regex.len() > MAX_PATTERN_LEN {
                return Err(ConfigError::TooLong {
                    field: "rules.regex",
                    len: c.regex.len(),
                    limit: MAX_PATTERN_LEN,
                });
            }
            check_len("rules.keywords", &c.keywords)?;
            check_len("rules.paths", &c.paths)?;
            if c.keywords.iter().any(|k| k.is_empty()) {
                return Err(ConfigError::EmptyKeyword {
                    rule: id.to_owned(),
                });
            }
            let regex = LazyRegex::eager(id, &c.regex)?;
            let scope = if c.paths.is_empty() {
                RuleScope::Any
            } else {
                RuleScope::Globs(glob_set(&c.paths, |g, message| {
                    ConfigError::InvalidRuleGlob {
                        rule: id.to_owned(),
                        glob: g.to_owned(),
                        message,
                    }
                })?)
            };
            rules.push(Rule {
                info: RuleInfo {
                    id: id.to_owned(),
                    title: c.title.clone().unwrap_or_else(|| id.to_owned()),
                    severity: c.severity,
                    keywords: c.keywords.iter().map(|k| k.to_ascii_lowercase()).collect(),
                    description: c.description.clone().unwrap_or_default(),
                    builtin: false,
                },
                regex,
                scope,
                validate: Validate::None,
                generic: false,
                always: c.keywords.is_empty(),
            });
        }
        for d in &config.disable_rules {
            if !rules.iter().any(|r| &r.info.id == d) {
                return Err(ConfigError::UnknownDisabledRule { rule: d.clone() });
            }
        }
        rules.retain(|r| !config.disable_rules.contains(&r.info.id));

        // One automaton over every keyword of every rule that needs one.
        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.always {
                continue;
            }
            for k in &r.info.keywords {
                match patterns.iter().position(|p| p == k) {
                    Some(p) => {
                        if let Some(v) = keyword_rules.get_mut(p) {
                            v.push(i);
                        }
                    }
                    None => {
                        patterns.push(k.clone());
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        let prefilter = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .map_err(|e| ConfigError::InvalidRegex {
                        rule: "<keywords>".into(),
                        message: e.to_string(),
                    })?,
            )
        };
        let allow_paths = if config.allow_paths.is_empty() {
            None
        } else {
            Some(glob_set(&config.allow_paths, |g, message| {
                ConfigError::InvalidAllowPath {
                    glob: g.to_owned(),
                    message,
                }
            })?)
        };
        let mut allow_patterns = Vec::new();
        for p in &config.allow_patterns {
            let re = RegexBuilder::new(p)
                .unicode(false)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| ConfigError::InvalidAllowPattern {
                    pattern: p.clone(),
                    message: e.to_string(),
                })?;
            allow_patterns.push(re);
        }
        let fingerprint = fingerprint(&rules, config);
        Ok(SecretScanner {
            rules,
            prefilter,
            keyword_rules,
            allow_paths,
            allow_patterns,
            builtin_allow_paths: config.builtin_allow_paths,
            max_file_size: config.max_file_size,
            fingerprint,
            found: Mutex::new(BTreeMap::new()),
            skipped: Mutex::new(Skipped::default()),
        })
    }

    /// Every rule that runs, built-in first.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.rules.iter().map(|r| r.info.clone()).collect()
    }

    /// A string that changes whenever the rules, allow lists or limits
    /// change: part of the layer-cache key (with the catalog's).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Whether the bytes of a file at this path are worth reading: not a
    /// known binary or archive type, not in an allowed path.
    pub fn wants_path(&self, path: &str) -> bool {
        if is_binary_name(path) {
            return false;
        }
        if self.builtin_allow_paths && is_builtin_allowed_path(path) {
            return false;
        }
        match &self.allow_paths {
            Some(set) => !set.is_match(path),
            None => true,
        }
    }

    /// What the scanner found in a layer so far (for the layer cache).
    pub fn layer_results(&self, layer: usize) -> LayerSecrets {
        self.found
            .lock()
            .ok()
            .and_then(|f| f.get(&layer).cloned())
            .unwrap_or_default()
    }

    /// Puts back the results of a layer that was not read (a layer-cache
    /// hit), moved to the layer index it has in this image.
    pub fn restore_layer_results(&self, layer: usize, results: LayerSecrets) {
        if let Ok(mut f) = self.found.lock() {
            f.insert(layer, results.at_layer(layer));
        }
    }

    /// Files the scanner did not read because of their size (bounded list).
    pub fn warnings(&self) -> Vec<String> {
        match self.skipped.lock() {
            Ok(s) => {
                let mut out = s.notes.clone();
                if s.more > 0 {
                    out.push(format!(
                        "secret scanning skipped {} more files over the {}-byte limit",
                        s.more, self.max_file_size
                    ));
                }
                out
            }
            Err(_) => Vec::new(),
        }
    }

    fn note_skipped(&self, path: &str, size: u64) {
        if let Ok(mut s) = self.skipped.lock() {
            // `want` may be asked twice for one file (a combining sink asks
            // again before inspecting): say it once.
            if s.seen.len() >= 100_000 || !s.seen.insert(path.to_owned()) {
                return;
            }
            if s.notes.len() < MAX_SKIPPED_NOTES {
                let note = format!(
                    "secret scanning skipped `{path}`: {size} bytes is over the {}-byte limit",
                    self.max_file_size
                );
                s.notes.push(note);
            } else {
                s.more += 1;
            }
        }
    }

    /// Scans the text of one file (at most `max_file_size` bytes of it; a
    /// binary file yields nothing). The findings have no layer and are not
    /// marked deleted: [`SecretScanner::finish`] does that for files read as
    /// a sink.
    pub fn scan_file(&self, path: &str, data: &[u8]) -> Vec<SecretFinding> {
        let cap = usize::try_from(self.max_file_size).unwrap_or(usize::MAX);
        let data = data.get(..cap).unwrap_or(data);
        if looks_binary(data.get(..SNIFF_BYTES).unwrap_or(data), data.len()) {
            return Vec::new();
        }
        self.scan_text(
            Target::File(path),
            data,
            SecretSource::File,
            path.to_owned(),
        )
    }

    /// Scans the image config: every `Env` entry, every label (as
    /// `KEY=VALUE`) and every history `created_by` line.
    pub fn scan_config(&self, config: &ImageConfig) -> Vec<SecretFinding> {
        let mut out = Vec::new();
        for (i, e) in config.env.iter().enumerate() {
            out.extend(self.scan_text(
                Target::Config,
                e.as_bytes(),
                SecretSource::ConfigEnv,
                format!("config:Env[{i}]"),
            ));
        }
        for (k, v) in &config.labels {
            out.extend(self.scan_text(
                Target::Config,
                format!("{k}={v}").as_bytes(),
                SecretSource::ConfigLabel,
                format!("config:Labels[{k}]"),
            ));
        }
        let mut layer = 0usize;
        for (i, h) in config.history.iter().enumerate() {
            let this_layer = if h.empty_layer { None } else { Some(layer) };
            if let Some(line) = &h.created_by {
                for mut f in self.scan_text(
                    Target::Config,
                    line.as_bytes(),
                    SecretSource::History,
                    format!("history[{i}]"),
                ) {
                    f.layer = this_layer;
                    out.push(f);
                }
            }
            if !h.empty_layer {
                layer += 1;
            }
        }
        out
    }

    /// Every finding: the files of every layer read (or restored), each
    /// marked `deleted` when the squashed tree no longer has that file
    /// (with the layer that deleted or replaced it), then the config's.
    /// Sorted: files by path, line, column and layer, then config entries.
    pub fn finish(&self, tree: &FileTree, config: Option<&ImageConfig>) -> Vec<SecretFinding> {
        let mut out = Vec::new();
        if let Ok(found) = self.found.lock() {
            for (layer, results) in found.iter() {
                for f in &results.findings {
                    let mut f = f.clone();
                    f.layer = Some(*layer);
                    mark_deleted(tree, *layer, &mut f);
                    out.push(f);
                }
            }
        }
        out.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.layer, &a.rule_id)
                .cmp(&(&b.path, b.line, b.column, b.layer, &b.rule_id))
        });
        if let Some(c) = config {
            out.extend(self.scan_config(c));
        }
        out
    }

    fn scan_text(
        &self,
        target: Target<'_>,
        data: &[u8],
        source: SecretSource,
        location: String,
    ) -> Vec<SecretFinding> {
        let hits = self.hits(target, data);
        findings_from_hits(&self.rules, data, hits, source, &location)
    }

    /// Raw matches that survive validation and the allow lists.
    fn hits(&self, target: Target<'_>, data: &[u8]) -> Vec<Hit> {
        let (is_config, name) = match target {
            Target::File(p) => (rules::is_config_file(p), Some(p)),
            Target::Config => (true, None),
        };
        let mut active = vec![false; self.rules.len()];
        for (i, r) in self.rules.iter().enumerate() {
            if r.always {
                active[i] = true;
            }
        }
        if let Some(ac) = &self.prefilter {
            let mut remaining = self.rules.iter().filter(|r| !r.always).count();
            for m in ac.find_overlapping_iter(data) {
                if let Some(rs) = self.keyword_rules.get(m.pattern().as_usize()) {
                    for &r in rs {
                        if let Some(a) = active.get_mut(r)
                            && !*a
                        {
                            *a = true;
                            remaining = remaining.saturating_sub(1);
                        }
                    }
                }
                if remaining == 0 {
                    break;
                }
            }
        }
        let mut hits: Vec<Hit> = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if !active.get(i).copied().unwrap_or(false) {
                continue;
            }
            let in_scope = match (&rule.scope, name) {
                (RuleScope::Any, _) => true,
                (RuleScope::ConfigFiles, _) => is_config,
                (RuleScope::Names(names), Some(p)) => {
                    let file = bosun_tree::path::file_name(p);
                    names.iter().any(|n| {
                        if n.starts_with('/') {
                            *n == p
                        } else {
                            *n == file
                        }
                    })
                }
                (RuleScope::Globs(g), Some(p)) => g.is_match(p),
                (_, None) => false,
            };
            if !in_scope {
                continue;
            }
            let Some(compiled) = rule.regex.get() else {
                continue;
            };
            for caps in compiled
                .regex
                .captures_iter(data)
                .take(MAX_MATCHES_PER_RULE)
            {
                let Some(whole) = caps.get(0) else { continue };
                let secret = compiled
                    .secret_groups
                    .iter()
                    .find_map(|&g| caps.get(g))
                    .map(|m| m.range())
                    .unwrap_or_else(|| whole.range());
                // Leading whitespace a rule consumed as context is not part
                // of what is reported (its line would be wrong).
                let mut start = whole.start();
                while start < secret.start
                    && data.get(start).is_some_and(|b| b.is_ascii_whitespace())
                {
                    start += 1;
                }
                hits.push(Hit {
                    rule: i,
                    span: start..whole.end(),
                    secret,
                });
            }
        }
        // A catch-all rule yields to a specific one over the same text.
        let specific: Vec<Range<usize>> = hits
            .iter()
            .filter(|h| !self.rules.get(h.rule).is_some_and(|r| r.generic))
            .map(|h| h.span.clone())
            .collect();
        hits.retain(|h| {
            !self.rules.get(h.rule).is_some_and(|r| r.generic)
                || !specific
                    .iter()
                    .any(|s| s.start < h.span.end && h.span.start < s.end)
        });
        hits.retain(|h| {
            let Some(rule) = self.rules.get(h.rule) else {
                return false;
            };
            let secret = data.get(h.secret.clone()).unwrap_or_default();
            let text = data.get(h.span.clone()).unwrap_or_default();
            let valid = match rule.validate {
                Validate::None => true,
                Validate::Password => !rules::is_placeholder(secret),
                Validate::Assignment => {
                    let key = data.get(h.span.start..h.secret.start).unwrap_or_default();
                    !rules::is_placeholder(secret) && !rules::is_reference(key, secret)
                }
                Validate::DockerAuth => docker_auth_ok(secret),
                Validate::Jwt => jwt_ok(secret),
            };
            valid
                && !rules::is_documentation_example(secret)
                && !self.allow_patterns.iter().any(|a| a.is_match(text))
        });
        hits.sort_by_key(|h| (h.span.start, h.rule));
        hits.truncate(MAX_FINDINGS_PER_FILE);
        hits
    }
}

#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    File(&'a str),
    /// An `Env` entry, a label or a history line: config-file rules apply,
    /// rules scoped to file names do not.
    Config,
}

#[derive(Debug, Clone)]
struct Hit {
    rule: usize,
    span: Range<usize>,
    secret: Range<usize>,
}

fn findings_from_hits(
    rules: &[Rule],
    data: &[u8],
    hits: Vec<Hit>,
    source: SecretSource,
    location: &str,
) -> Vec<SecretFinding> {
    let has_certificate = || memchr::memmem::find(data, b"-----BEGIN CERTIFICATE-----").is_some();
    let mut out = Vec::with_capacity(hits.len());
    // Hits are sorted by start: count lines incrementally.
    let mut line = 1usize;
    let mut line_start = 0usize;
    let mut pos = 0usize;
    for h in hits {
        let Some(rule) = rules.get(h.rule) else {
            continue;
        };
        let upto = h.span.start.min(data.len());
        if upto > pos {
            let chunk = data.get(pos..upto).unwrap_or_default();
            for nl in memchr::memchr_iter(b'\n', chunk) {
                line += 1;
                line_start = pos + nl + 1;
            }
            pos = upto;
        }
        out.push(SecretFinding {
            rule_id: rule.info.id.clone(),
            title: rule.info.title.clone(),
            severity: rule.info.severity,
            source,
            path: location.to_owned(),
            layer: None,
            line,
            column: upto.saturating_sub(line_start) + 1,
            redacted: redact(data, &h.span, &h.secret),
            deleted: false,
            deleted_in: None,
            replaced: false,
            with_certificate: rule.info.id == "private-key" && has_certificate(),
        });
    }
    out
}

fn mark_deleted(tree: &FileTree, layer: usize, f: &mut SecretFinding) {
    if tree.get(&f.path).map(|n| n.layer) == Some(layer) {
        return;
    }
    f.deleted = true;
    let later = tree.history(&f.path).into_iter().find(|v| v.layer > layer);
    if let Some(v) = later {
        f.deleted_in = Some(v.layer);
        f.replaced = matches!(v.state, PathState::Present(_));
    }
}

/// How many leading characters of a secret a report shows.
fn kept_chars(len: usize) -> usize {
    (len / 6).min(4)
}

/// The matched text with the secret masked: up to 48 characters of context
/// before it, the secret's first few characters, `*` for the rest (at most
/// 32), and up to 24 characters after it. Control characters become spaces.
pub fn redact(data: &[u8], span: &Range<usize>, secret: &Range<usize>) -> String {
    let clean = |bytes: &[u8]| -> String {
        String::from_utf8_lossy(bytes)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let start = span.start.min(secret.start);
    let end = span.end.max(secret.end).min(data.len());
    let before = clean(data.get(start..secret.start.min(end)).unwrap_or_default());
    let value = clean(
        data.get(secret.start.min(end)..secret.end.min(end))
            .unwrap_or_default(),
    );
    let after = clean(data.get(secret.end.min(end)..end).unwrap_or_default());
    let before: String = {
        let n = before.chars().count();
        before.chars().skip(n.saturating_sub(48)).collect()
    };
    let after: String = after.chars().take(24).collect();
    let n = value.chars().count();
    let keep = kept_chars(n);
    let mut out = before;
    out.extend(value.chars().take(keep));
    out.extend(std::iter::repeat_n('*', (n - keep).min(32)));
    out.push_str(&after);
    out.truncate(out.trim_end().len());
    out
}

/// NUL bytes or invalid UTF-8 in the first KiB mean "not text". A UTF-8
/// sequence cut by the end of the sniffed window is fine.
pub(crate) fn looks_binary(head: &[u8], total: usize) -> bool {
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    match std::str::from_utf8(head) {
        Ok(_) => false,
        Err(e) => e.error_len().is_some() || head.len() == total,
    }
}

/// File names that are never text worth scanning: compiled code, archives
/// (their members are not unpacked), media, fonts, compiled translations.
fn is_binary_name(path: &str) -> bool {
    let name = bosun_tree::path::file_name(path);
    if name.contains(".so.") {
        return true;
    }
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    const EXTS: &[&str] = &[
        "so", "a", "o", "ko", "node", "wasm", "dll", "exe", "class", "pyc", "pyo", "mo", "gmo",
        "jar", "war", "ear", "whl", "egg", "zip", "gz", "tgz", "xz", "txz", "bz2", "tbz2", "zst",
        "lz4", "lzma", "7z", "rar", "deb", "rpm", "apk", "png", "jpg", "jpeg", "gif", "bmp", "ico",
        "icns", "webp", "tif", "tiff", "svgz", "ttf", "otf", "woff", "woff2", "eot", "pdf", "mp3",
        "mp4", "ogg", "wav", "flac", "avi", "mov", "webm", "sqlite", "sqlite3", "db", "pack",
        "idx", "cache",
    ];
    EXTS.iter().any(|e| ext.eq_ignore_ascii_case(e))
}

/// Directories bosun does not read for secrets by default: documentation,
/// manual pages, locales, time zones, licence texts, C headers; and the test
/// directories of third-party packages (their fixtures are public test
/// keys, not the image owner's secrets).
pub(crate) fn is_builtin_allowed_path(path: &str) -> bool {
    const DIRS: &[&str] = &[
        "/usr/share/doc/",
        "/usr/share/man/",
        "/usr/share/info/",
        "/usr/share/locale/",
        "/usr/share/i18n/",
        "/usr/share/zoneinfo/",
        "/usr/share/common-licenses/",
        "/usr/share/lintian/",
        "/usr/include/",
    ];
    if DIRS.iter().any(|d| path.starts_with(d)) {
        return true;
    }
    const PACKAGE_ROOTS: &[&str] = &[
        "/site-packages/",
        "/dist-packages/",
        "/node_modules/",
        "/gems/",
        "/vendor/",
        "/pkg/mod/",
    ];
    const TEST_DIRS: &[&str] = &[
        "/test/",
        "/tests/",
        "/testing/",
        "/__tests__/",
        "/testdata/",
        "/test-data/",
        "/test_data/",
        "/spec/",
        "/fixtures/",
    ];
    if let Some(root) = PACKAGE_ROOTS
        .iter()
        .filter_map(|r| memchr::memmem::find(path.as_bytes(), r.as_bytes()))
        .min()
    {
        let rest = path.get(root..).unwrap_or_default();
        return TEST_DIRS.iter().any(|t| rest.contains(t));
    }
    false
}

impl EntrySink for SecretScanner {
    fn want(&self, path: &str, meta: &FileMeta) -> Want {
        let keep = CHECK_FILES.contains(&path) && meta.size <= 1 << 20;
        let mut inspect = false;
        if meta.size > 0 && self.wants_path(path) {
            if meta.size > self.max_file_size {
                self.note_skipped(path, meta.size);
            } else {
                inspect = true;
            }
        }
        Want { keep, inspect }
    }

    fn sniff_len(&self) -> usize {
        SNIFF_BYTES
    }

    /// Binary files (executables, mostly) are declined after their first
    /// KiB, so a combining sink streams them to the catalog alone.
    fn wants_bytes(&self, _path: &str, meta: &FileMeta, head: &[u8]) -> bool {
        let total = if (head.len() as u64) < meta.size {
            usize::MAX
        } else {
            head.len()
        };
        !looks_binary(head, total)
    }

    fn inspect(&self, layer: usize, path: &str, meta: &FileMeta, data: &mut dyn Read) {
        let findings = BUFFER.with(|cell| {
            let Ok(mut buf) = cell.try_borrow_mut() else {
                return Vec::new();
            };
            let Ok(head) = fill(&mut buf, 0, data, SNIFF_BYTES) else {
                return Vec::new();
            };
            if !self.wants_bytes(path, meta, buf.get(..head).unwrap_or_default()) {
                return Vec::new();
            }
            let limit = usize::try_from(self.max_file_size).unwrap_or(usize::MAX);
            let Ok(len) = fill(&mut buf, head, data, limit) else {
                return Vec::new();
            };
            let found = self.scan_text(
                Target::File(path),
                buf.get(..len).unwrap_or_default(),
                SecretSource::File,
                path.to_owned(),
            );
            if buf.len() > KEEP_BUFFER {
                *buf = Vec::new();
            }
            found
        });
        if findings.is_empty() {
            return;
        }
        if let Ok(mut found) = self.found.lock() {
            let entry = found.entry(layer).or_default();
            entry.findings.extend(findings.into_iter().map(|mut f| {
                f.layer = Some(layer);
                f
            }));
        }
    }
}

/// Reads from `data` into `buf[filled..]` until `limit` bytes are filled or
/// the input ends; returns the filled length. The buffer's length is its
/// initialized size, kept between files, so bytes are zeroed only when it
/// grows (`read_to_end` zeroes its spare capacity again on every call).
fn fill(
    buf: &mut Vec<u8>,
    mut filled: usize,
    data: &mut dyn Read,
    limit: usize,
) -> std::io::Result<usize> {
    while filled < limit {
        if filled >= buf.len() {
            let grow = buf.len().clamp(8 << 10, 4 << 20);
            let new_len = buf.len().saturating_add(grow).min(limit);
            buf.resize(new_len, 0);
        }
        let end = buf.len().min(limit);
        let Some(space) = buf.get_mut(filled..end) else {
            break;
        };
        match data.read(space) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn fingerprint(rules: &[Rule], config: &SecretsConfig) -> String {
    let mut s = format!(
        "bosun-checks/{};max={};builtin_allow={}",
        env!("CARGO_PKG_VERSION"),
        config.max_file_size,
        config.builtin_allow_paths
    );
    for r in rules {
        s.push_str(&format!(
            ";rule={}:{}:{}:{}",
            r.info.id,
            r.info.severity,
            r.info.keywords.join(","),
            r.regex.source
        ));
    }
    s.push_str(&format!(
        ";allow_paths={};allow_patterns={}",
        config.allow_paths.join(","),
        config.allow_patterns.join(",")
    ));
    s
}

/// Standard base64 (with or without padding), bounded input.
fn base64_decode(s: &[u8]) -> Option<Vec<u8>> {
    let s = s
        .strip_suffix(b"==")
        .or_else(|| s.strip_suffix(b"="))
        .unwrap_or(s);
    if s.len() > 8192 {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &c in s {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

fn docker_auth_ok(secret: &[u8]) -> bool {
    match base64_decode(secret) {
        Some(raw) => {
            let Some(colon) = memchr::memchr(b':', &raw) else {
                return false;
            };
            colon > 0 && colon + 1 < raw.len() && raw.iter().all(|b| !b.is_ascii_control())
        }
        None => false,
    }
}

fn jwt_ok(secret: &[u8]) -> bool {
    let header = secret.split(|&b| b == b'.').next().unwrap_or_default();
    match base64_decode(header) {
        Some(raw) => {
            let text = String::from_utf8_lossy(&raw);
            text.trim_start().starts_with('{') && text.contains("\"alg\"")
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built-in regexes compile lazily, so this is where a broken one shows.
    #[test]
    fn every_builtin_regex_compiles_within_the_bounds() {
        for b in BUILTIN {
            let c = compile(b.id, b.regex).unwrap_or_else(|e| panic!("{}: {e}", b.id));
            assert!(
                !c.secret_groups.is_empty(),
                "{}: no `secret` capture group",
                b.id
            );
        }
        let scanner = SecretScanner::builtin();
        assert!(scanner.rules.iter().all(|r| r.regex.get().is_some()));
    }

    /// Yields its bytes a few at a time, as a decompressor may.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(out.len()).min(3);
            let (now, rest) = self.0.split_at(n);
            out[..n].copy_from_slice(now);
            self.0 = rest;
            Ok(n)
        }
    }

    #[test]
    fn fill_reuses_the_buffer_and_stops_at_the_limit() {
        let text: Vec<u8> = (0..20_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        // a buffer left over from a bigger file, full of other bytes
        let mut buf = vec![b'#'; 50_000];
        let n = fill(&mut buf, 0, &mut Trickle(&text[..10]), 1024).expect("read");
        assert_eq!(&buf[..n], &text[..10]);
        // in two steps, as inspect does: the head, then the rest
        let mut buf = Vec::new();
        let mut r = Trickle(&text);
        let head = fill(&mut buf, 0, &mut r, 1024).expect("read");
        assert_eq!(head, 1024);
        let all = fill(&mut buf, head, &mut r, 15_000).expect("read");
        assert_eq!(all, 15_000);
        assert_eq!(&buf[..all], &text[..15_000]);
        // the limit is never exceeded, whatever is left in the input
        let n = fill(&mut Vec::new(), 0, &mut &text[..], 0).expect("read");
        assert_eq!(n, 0);
    }

    #[test]
    fn base64() {
        assert_eq!(
            base64_decode(b"dXNlcjpwYXNz").as_deref(),
            Some(&b"user:pass"[..])
        );
        assert_eq!(base64_decode(b"YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode(b"a b"), None);
        assert!(docker_auth_ok(b"dXNlcjpwYXNz"));
        assert!(!docker_auth_ok(b"dXNlcnBhc3M="));
    }

    #[test]
    fn binary_sniffing() {
        assert!(looks_binary(b"\x7fELF\x02\x01\x01\0\0", 9));
        assert!(looks_binary(b"abc\xff\xfedef", 8));
        assert!(!looks_binary("plain text, caf\u{e9}".as_bytes(), 100));
        // A multi-byte character cut at the end of the window is text...
        let cut = &"ab\u{e9}".as_bytes()[..3];
        assert!(!looks_binary(cut, 1000));
        // ...unless the file really ends there.
        assert!(looks_binary(cut, 3));
    }

    #[test]
    fn builtin_allowed_paths() {
        for p in [
            "/usr/share/doc/curl/README",
            "/usr/lib/python3/dist-packages/foo/tests/key.pem",
            "/opt/app/node_modules/x/test/fixtures/id_rsa",
            "/usr/share/zoneinfo/Asia/Tokyo",
        ] {
            assert!(is_builtin_allowed_path(p), "{p}");
        }
        for p in [
            "/opt/app/tests/key.pem",
            "/root/.aws/credentials",
            "/usr/lib/python3/dist-packages/foo/settings.py",
            "/etc/ssl/private/server.key",
        ] {
            assert!(!is_builtin_allowed_path(p), "{p}");
        }
    }
}
