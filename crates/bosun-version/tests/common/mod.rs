//! Shared reading of the `A op B` vector files.
#![allow(dead_code, unreachable_pub)]

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::PathBuf;

use bosun_version::Scheme;

pub fn vector_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(rel)
}

pub fn read(rel: &str) -> String {
    let path = vector_path(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn op_ordering(op: &str) -> Option<Ordering> {
    match op {
        "<" => Some(Ordering::Less),
        "=" => Some(Ordering::Equal),
        ">" => Some(Ordering::Greater),
        _ => None,
    }
}

pub fn op_symbol(o: Ordering) -> &'static str {
    match o {
        Ordering::Less => "<",
        Ordering::Equal => "=",
        Ordering::Greater => ">",
    }
}

/// Counts and failures per label, printed at the end; fails if any failed.
#[derive(Default)]
pub struct Tally {
    pub counts: BTreeMap<String, (usize, usize)>,
    pub failures: Vec<String>,
    /// Comparisons where the vector and the ecosystem's real tool disagree,
    /// with the reason; bosun follows the tool. They must keep disagreeing
    /// (or the entry is stale) and are reported, not counted as failures.
    pub known: Vec<(String, String, Ordering, &'static str)>,
    pub known_seen: Vec<String>,
}

impl Tally {
    pub fn check(&mut self, label: &str, ok: bool, what: impl FnOnce() -> String) {
        let entry = self.counts.entry(label.to_owned()).or_default();
        entry.0 += 1;
        if !ok {
            entry.1 += 1;
            self.failures.push(format!("[{label}] {}", what()));
        }
    }

    pub fn finish(self, source: &str) {
        println!("{source}: comparisons checked per ecosystem");
        for (label, (n, failed)) in &self.counts {
            println!("  {label:<28} {n:>7} checked, {failed} failed");
        }
        for k in &self.known_seen {
            println!("KNOWN DIFFERENCE {k}");
        }
        assert!(
            self.known_seen.len() >= self.known.len(),
            "{source}: a listed override no longer appears in the vectors"
        );
        for f in &self.failures {
            println!("FAIL {f}");
        }
        assert!(
            self.counts.values().all(|(n, _)| *n > 0),
            "{source}: an ecosystem had no vectors"
        );
        assert!(
            self.failures.is_empty(),
            "{source}: {} disagreements (printed above)",
            self.failures.len()
        );
    }

    /// Loads `A op B` lines produced by the ecosystem's real tool for pairs
    /// where a vector file is known to be wrong.
    pub fn load_oracle_overrides(&mut self, rel: &str, why: &'static str) {
        for line in read(rel).lines() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let p: Vec<&str> = line.split(' ').collect();
            if let [a, op, b] = p.as_slice()
                && let Some(o) = op_ordering(op)
            {
                self.known.push(((*a).to_owned(), (*b).to_owned(), o, why));
            }
        }
    }

    /// Checks `a op b` and the reverse with `scheme`.
    pub fn compare(&mut self, label: &str, scheme: Scheme, a: &str, b: &str, want: Ordering) {
        if let Some((ka, kb, oracle, why)) = self
            .known
            .iter()
            .find(|(x, y, _, _)| (x == a && y == b) || (x == b && y == a))
            .cloned()
        {
            // The vector is overridden by the real tool's answer.
            let oracle = if ka == a { oracle } else { oracle.reverse() };
            let _ = kb;
            let got = scheme.compare(a, b);
            self.check(label, got.as_ref().ok() == Some(&oracle), || {
                format!(
                    "{a} {} {b} per the real tool, got {got:?}",
                    op_symbol(oracle)
                )
            });
            self.known_seen.push(format!(
                "[{label}] {a} {} {b} in the vector, {} per the real tool: {why}",
                op_symbol(want),
                op_symbol(oracle)
            ));
            return;
        }
        for (x, y, w) in [(a, b, want), (b, a, want.reverse())] {
            let got = scheme.compare(x, y);
            self.check(label, got.as_ref().ok() == Some(&w), || match &got {
                Ok(g) => format!(
                    "{x} {} {y} expected, got {x} {} {y}",
                    op_symbol(w),
                    op_symbol(*g)
                ),
                Err(e) => format!("{x} {} {y} expected, got error: {e}", op_symbol(w)),
            });
        }
    }

    /// Reads an `A op B` file and checks every line with `scheme`.
    pub fn compare_file(&mut self, label: &str, scheme: Scheme, rel: &str) {
        for line in read(rel).lines() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") || line == "#" {
                continue;
            }
            // Drop a trailing comment ("1.0 < 1.0bc\t\t# invalid").
            let line = line.split("\t#").next().unwrap_or(line).trim_end();
            let pieces: Vec<&str> = line.split(' ').collect();
            let [a, op, b] = pieces.as_slice() else {
                self.check(label, false, || {
                    format!("unreadable vector line {line:?} in {rel}")
                });
                continue;
            };
            let Some(want) = op_ordering(op) else {
                self.check(label, false, || {
                    format!("unknown operator in {line:?} in {rel}")
                });
                continue;
            };
            self.compare(label, scheme, a, b, want);
        }
    }
}
