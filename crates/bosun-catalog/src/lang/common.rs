//! What the text-evidence analyzers (Python, npm, Ruby) share: the shape of
//! a parsed declaration, bounded map and sequence deserializers, the
//! lockfile-to-installed folding rule and small text helpers.
//!
//! Every parser of these modules is a pure function over bytes that returns
//! what it could read plus warnings, or a [`LangError`] when the file as a
//! whole is unreadable; the analyzers turn errors into warnings naming the
//! file (one bad `package.json` never fails a scan).

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::marker::PhantomData;

use bosun_model::{Ecosystem, Location, Package};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Most packages read from one lockfile (or one map/array of it). Real
/// lockfiles of large monorepos hold a few tens of thousands; more is read
/// as hostile input and cut with a warning.
pub const MAX_ENTRIES: usize = 50_000;

/// Longest name, version or licence string kept; longer ones are clipped in
/// warnings and rejected as values.
pub const MAX_VALUE_LEN: usize = 1024;

/// One package a metadata file or lockfile declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    pub name: String,
    pub version: String,
    /// Development-only (lockfiles that say so).
    pub dev: bool,
    pub licenses: Vec<String>,
    pub properties: BTreeMap<String, String>,
}

impl Declared {
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Declared {
            name: name.into(),
            version: version.into(),
            ..Declared::default()
        }
    }
}

/// What a parser read from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub packages: Vec<Declared>,
    /// Records skipped and limits hit, each saying where and why.
    pub warnings: Vec<String>,
}

impl Parsed {
    /// Merges packages declared more than once (the same name and version at
    /// several places of one lockfile) into one: development-only when every
    /// occurrence is. Keeps the first occurrence's order.
    pub fn dedup(&mut self) {
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        let mut out: Vec<Declared> = Vec::with_capacity(self.packages.len());
        for p in self.packages.drain(..) {
            match seen.get(&(p.name.clone(), p.version.clone())) {
                Some(&i) => {
                    if let Some(kept) = out.get_mut(i) {
                        kept.dev &= p.dev;
                        for l in p.licenses {
                            if !kept.licenses.contains(&l) {
                                kept.licenses.push(l);
                            }
                        }
                    }
                }
                None => {
                    seen.insert((p.name.clone(), p.version.clone()), out.len());
                    out.push(p);
                }
            }
        }
        self.packages = out;
    }
}

/// A file (or the part of it a parser needs) that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LangError {
    #[error("reading it as JSON: {0}")]
    Json(String),
    #[error("reading it as TOML: {0}")]
    Toml(String),
    #[error("reading it as YAML: {0}")]
    Yaml(String),
    #[error("it is not UTF-8 text")]
    NotUtf8,
    #[error("no `{0}` field")]
    Missing(&'static str),
    #[error("field `{field}` is not usable: {why}")]
    BadField { field: &'static str, why: String },
    #[error("{0}")]
    Unsupported(String),
}

impl LangError {
    pub fn json(e: serde_json::Error) -> Self {
        LangError::Json(e.to_string())
    }
}

/// Text of a file, for line-oriented formats: lossy UTF-8 (a stray Latin-1
/// byte in a description must not hide the package), without a byte-order
/// mark. UTF-16 files (with a BOM, as Windows editors write
/// `requirements.txt`) are decoded.
pub fn text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest);
    }
    let utf16 = |rest: &[u8], le: bool| -> Cow<'_, str> {
        let units = rest.chunks_exact(2).map(|c| match c {
            [a, b] if le => u16::from_le_bytes([*a, *b]),
            [a, b] => u16::from_be_bytes([*a, *b]),
            _ => 0xFFFD,
        });
        Cow::Owned(
            char::decode_utf16(units)
                .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
        )
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    String::from_utf8_lossy(bytes)
}

/// Strict UTF-8 text without a BOM, for the structured formats whose
/// parsers need `&str` (TOML, YAML).
pub fn utf8(bytes: &[u8]) -> Result<&str, LangError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|_| LangError::NotUtf8)
}

/// A value for a warning: at most 80 characters, control characters escaped.
pub fn clip(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 80 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a string can be a name or version: non-empty, not too long, no
/// whitespace or control characters.
pub fn plausible(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_VALUE_LEN
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A licence string worth keeping: trimmed, one line, not too long.
pub fn license_value(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 256 && !s.contains(['\n', '\r'])).then(|| s.to_owned())
}

/// Whether a path lies inside a third-party package tree (`node_modules`,
/// `site-packages`, `dist-packages`) or Debian's documentation: lockfiles and
/// requirement files there belong to a package (its own development
/// setup), not to an application of the image, and package managers ignore
/// them at install time.
pub fn inside_package_tree(path: &str) -> bool {
    path.starts_with("/usr/share/doc/")
        || path
            .split('/')
            .any(|c| matches!(c, "node_modules" | "site-packages" | "dist-packages"))
}

thread_local! {
    /// Entries (packages) and edges (dependency names) the parse running on
    /// this thread may still keep, when a budget is set.
    static BUDGET: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// Most dependency edges kept from one lockfile (its `dependencies` maps).
pub const MAX_EDGES: usize = 500_000;

/// Runs `f` (one parse) with a budget of [`MAX_ENTRIES`] entries and
/// [`MAX_EDGES`] edges across every [`BoundedMap`], [`BoundedSeq`] and
/// [`Edges`] it deserializes, so nesting (npm v1 lockfiles) cannot multiply
/// the limits.
pub fn with_budget<T>(f: impl FnOnce() -> T) -> T {
    let prev = BUDGET.replace(Some((MAX_ENTRIES, MAX_EDGES)));
    let out = f();
    BUDGET.set(prev);
    out
}

fn take(edge: bool) -> bool {
    BUDGET.with(|b| match b.get() {
        None => true,
        Some((entries, edges)) => {
            let next = if edge {
                edges.checked_sub(1).map(|g| (entries, g))
            } else {
                entries.checked_sub(1).map(|e| (e, edges))
            };
            match next {
                Some(n) => {
                    b.set(Some(n));
                    true
                }
                None => false,
            }
        }
    })
}

/// A map read entry by entry, keeping at most [`MAX_ENTRIES`] (and what the
/// thread's budget allows) and skipping, without allocating, the rest.
#[derive(Debug)]
pub struct BoundedMap<V> {
    pub entries: Vec<(String, V)>,
    /// Entries skipped over the limit.
    pub dropped: usize,
}

impl<V> Default for BoundedMap<V> {
    fn default() -> Self {
        BoundedMap {
            entries: Vec::new(),
            dropped: 0,
        }
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for BoundedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V_<V> {
            type Value = BoundedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BoundedMap::default();
                while let Some(key) = map.next_key::<String>()? {
                    if out.entries.len() < MAX_ENTRIES && take(false) {
                        out.entries.push((key, map.next_value()?));
                    } else {
                        map.next_value::<IgnoredAny>()?;
                        out.dropped += 1;
                    }
                }
                Ok(out)
            }
            // `{}` written as `[]` by some generators, and YAML `~`.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(BoundedMap::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(BoundedMap::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(BoundedMap::default())
            }
        }
        d.deserialize_any(V_(PhantomData))
    }
}

/// A sequence read element by element, keeping at most [`MAX_ENTRIES`] (and
/// what the thread's budget allows).
#[derive(Debug)]
pub struct BoundedSeq<V> {
    pub items: Vec<V>,
    pub dropped: usize,
}

impl<V> Default for BoundedSeq<V> {
    fn default() -> Self {
        BoundedSeq {
            items: Vec::new(),
            dropped: 0,
        }
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for BoundedSeq<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V_<V> {
            type Value = BoundedSeq<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = BoundedSeq::default();
                loop {
                    if out.items.len() < MAX_ENTRIES && take(false) {
                        match seq.next_element()? {
                            Some(v) => out.items.push(v),
                            None => break,
                        }
                    } else if seq.next_element::<IgnoredAny>()?.is_some() {
                        out.dropped += 1;
                    } else {
                        break;
                    }
                }
                Ok(out)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(BoundedSeq::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(BoundedSeq::default())
            }
        }
        d.deserialize_any(V_(PhantomData))
    }
}

/// A dependency map (`name: range`, or `name: {version: ...}` as pnpm
/// importers write it), keeping at most [`MAX_EDGES`] edges per parse.
#[derive(Debug, Default)]
pub struct Edges {
    pub edges: Vec<(String, String)>,
    pub dropped: usize,
}

impl<'de> Deserialize<'de> for Edges {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_;
        impl<'de> Visitor<'de> for V_ {
            type Value = Edges;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a dependency map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Edges::default();
                while let Some(key) = map.next_key::<String>()? {
                    if out.edges.len() < MAX_EDGES && take(true) {
                        let v: Spec = map.next_value()?;
                        if let Some(v) = v.0 {
                            out.edges.push((key, v));
                        }
                    } else {
                        map.next_value::<IgnoredAny>()?;
                        out.dropped += 1;
                    }
                }
                Ok(out)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Edges::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Edges::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Edges::default())
            }
        }
        d.deserialize_any(V_)
    }
}

/// A dependency's version or range: a string, or the `version` of a map.
#[derive(Debug, Default)]
struct Spec(Option<String>);

impl<'de> Deserialize<'de> for Spec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_;
        impl<'de> Visitor<'de> for V_ {
            type Value = Spec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a version or a map with a version")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut version = None;
                while let Some(k) = map.next_key::<String>()? {
                    if k == "version" {
                        version = map.next_value::<MaybeString>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Spec(version))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Spec(None))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Spec(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Spec(Some(v)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Spec(None))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Spec(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Spec(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Spec(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Spec(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Spec(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(V_)
            }
        }
        d.deserialize_any(V_)
    }
}

/// A JSON/YAML/TOML value that may be a string or something else; only
/// strings are kept (`"license": {"type": "MIT"}` and other shapes are read
/// by the callers that expect them).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MaybeString(pub Option<String>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_;
        impl<'de> Visitor<'de> for V_ {
            type Value = MaybeString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MaybeString(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(MaybeString(Some(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(MaybeString(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(MaybeString(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(MaybeString(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(MaybeString(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeString(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeString(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(V_)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
        }
        d.deserialize_any(V_)
    }
}

impl MaybeString {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// YAML reading options for lockfiles: room for large real lockfiles (the
/// default node budget is sized for configuration files), every other
/// budget (aliases, depth, documents) at its hardened default, and the first
/// of duplicate keys kept (Yarn writes some entries twice).
pub fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 5_000_000;
    budget.max_events = 20_000_000;
    budget.max_total_scalar_bytes = 128 << 20;
    let mut o = serde_saphyr::Options::default();
    o.budget = Some(budget);
    o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::FirstWins;
    o
}

/// A YAML error as one short line.
pub fn yaml_error(e: serde_saphyr::Error) -> LangError {
    let msg = e.to_string();
    LangError::Yaml(clip(msg.lines().next().unwrap_or_default()))
}

/// A warning for a map or sequence cut at [`MAX_ENTRIES`].
pub fn cut_warning(what: &str, dropped: usize) -> Option<String> {
    (dropped > 0).then(|| {
        format!("{what}: stopped after {MAX_ENTRIES} entries (limit); {dropped} more not read")
    })
}

/// Packages reachable only from development roots of a dependency graph:
/// nodes reachable from `dev_roots` but not from `main_roots`. Nodes are
/// indices into an adjacency list; edges to unknown indices are ignored.
/// Iterative and linear in nodes plus edges.
pub fn dev_only(edges: &[Vec<usize>], main_roots: &[usize], dev_roots: &[usize]) -> Vec<bool> {
    let reach = |roots: &[usize]| -> Vec<bool> {
        let mut seen = vec![false; edges.len()];
        let mut stack: Vec<usize> = roots.to_vec();
        while let Some(n) = stack.pop() {
            match seen.get_mut(n) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            if let Some(next) = edges.get(n) {
                stack.extend(next.iter().copied());
            }
        }
        seen
    };
    let main = reach(main_roots);
    let dev = reach(dev_roots);
    main.iter().zip(dev).map(|(m, d)| d && !m).collect()
}

/// Where a package came from, for building the inventory entry.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub path: &'a str,
    pub layer: usize,
}

/// An inventory package from a declaration. Returns `None` (and the caller
/// warns) when no purl can be made.
pub fn to_package(
    eco: Ecosystem,
    d: Declared,
    purl: Option<String>,
    at: Origin<'_>,
) -> Option<Package> {
    let mut p = Package::new(
        eco,
        d.name,
        d.version,
        purl?,
        Location::new(at.path, Some(at.layer)),
    );
    p.introduced_in = Some(at.layer);
    p.changed_in = Some(at.layer);
    p.dev = d.dev;
    p.licenses = d.licenses;
    p.properties = d.properties;
    Some(p)
}

/// Folds lockfile packages into the installed packages they describe, so
/// one installed copy is one package.
///
/// A lockfile package is folded when at least one installed package has the
/// same name and version and `covers(lockfile_path, installed_path)`
/// accepts the pair; each such installed package records the lockfile in
/// its `lockfile` property and is development-only when every lockfile
/// entry folded into it is. Lockfile packages that describe nothing
/// installed are returned as they are.
pub fn fold(
    installed: &mut [Package],
    locked: Vec<Package>,
    covers: impl Fn(&str, &str) -> bool,
) -> Vec<Package> {
    let mut by_key: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    // Indices only; names are re-read below to keep the borrow simple.
    let keys: Vec<(String, String)> = installed
        .iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    for (i, (n, v)) in keys.iter().enumerate() {
        by_key.entry((n.as_str(), v.as_str())).or_default().push(i);
    }
    let mut lockfiles: HashMap<usize, BTreeSet<String>> = HashMap::new();
    let mut dev: HashMap<usize, bool> = HashMap::new();
    let mut rest = Vec::new();
    for l in locked {
        let hits: Vec<usize> = by_key
            .get(&(l.name.as_str(), l.version.as_str()))
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&i| {
                        installed
                            .get(i)
                            .is_some_and(|p| covers(&l.found_in.path, &p.found_in.path))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if hits.is_empty() {
            rest.push(l);
            continue;
        }
        for i in hits {
            lockfiles
                .entry(i)
                .or_default()
                .insert(l.found_in.path.clone());
            let d = dev.entry(i).or_insert(true);
            *d &= l.dev;
        }
    }
    for (i, files) in lockfiles {
        if let Some(p) = installed.get_mut(i) {
            let list: Vec<String> = files.into_iter().collect();
            p.properties.insert("lockfile".into(), list.join(", "));
            p.dev = dev.get(&i).copied().unwrap_or(false);
        }
    }
    rest
}

/// Keeps the distinct strings of an iterator, in first-seen order.
pub fn distinct(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_map_keeps_the_limit_and_counts_the_rest() {
        let mut json = String::from("{");
        for i in 0..MAX_ENTRIES + 7 {
            if i > 0 {
                json.push(',');
            }
            json.push_str(&format!("\"k{i}\": {{\"v\": [1, 2]}}"));
        }
        json.push('}');
        let m: BoundedMap<IgnoredAny> = serde_json::from_str(&json).expect("json");
        assert_eq!((m.entries.len(), m.dropped), (MAX_ENTRIES, 7));
        assert!(cut_warning("packages", m.dropped).is_some_and(|w| w.contains("7 more")));
    }

    #[test]
    fn dev_only_is_reachable_from_dev_roots_alone() {
        // 0 main root -> 1 -> 2; 3 dev root -> 2, 4; 4 -> 5; 6 unreachable.
        let edges = vec![
            vec![1],
            vec![2],
            vec![],
            vec![2, 4],
            vec![5],
            vec![],
            vec![99],
        ];
        let d = dev_only(&edges, &[0], &[3]);
        assert_eq!(d, vec![false, false, false, true, true, true, false]);
        // Cycles terminate.
        let cyc = vec![vec![1], vec![0]];
        assert_eq!(dev_only(&cyc, &[], &[0]), vec![true, true]);
    }

    #[test]
    fn text_decodes_boms_and_utf16() {
        assert_eq!(text(b"\xEF\xBB\xBFa==1"), "a==1");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a==1".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(text(&le), "a==1");
        assert_eq!(text(b"caf\xE9"), "caf\u{FFFD}");
    }

    #[test]
    fn package_trees_are_recognised_by_component() {
        assert!(inside_package_tree("/app/node_modules/x/yarn.lock"));
        assert!(inside_package_tree(
            "/usr/lib/python3/dist-packages/x/requirements.txt"
        ));
        assert!(!inside_package_tree("/app/my_node_modules/yarn.lock"));
        assert!(!inside_package_tree("/opt/pyapp/requirements.txt"));
    }
}
