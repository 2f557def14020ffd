//! Which layer introduced a package, and which layer last changed it.
//!
//! A package database is one file (or, for distroless dpkg, one file per
//! package) that every layer installing or removing packages rewrites. The
//! tree keeps each layer's copy ([`FileTree::history`]), so the origin of a
//! package is read off the sequence of copies, newest first:
//!
//! - `introduced_in` is the first layer of the uninterrupted run of copies,
//!   ending with the final one, that list the package's key (name, plus
//!   architecture where the format has several per name);
//! - `changed_in` is the first layer of the run that lists the key with the
//!   package's current version.
//!
//! A layer that deletes the database interrupts both runs. A copy bosun
//! cannot read (its bytes were not kept, or it does not parse) interrupts
//! them too: the answer is then the layer above it, the earliest layer bosun
//! can vouch for.

use std::collections::{HashMap, HashSet};

use bosun_tree::{FileTree, PathState};

/// What one layer's copy of a package database listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// Package key -> the versions listed under it.
    Known(HashMap<String, HashSet<String>>),
    /// The layer deleted the database.
    Deleted,
    /// The layer's copy could not be read.
    Unknown,
}

impl Listing {
    /// A listing from `(key, version)` pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut map: HashMap<String, HashSet<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_default().insert(v);
        }
        Listing::Known(map)
    }

    fn has_key(&self, key: &str) -> bool {
        matches!(self, Listing::Known(m) if m.contains_key(key))
    }

    fn has_version(&self, key: &str, version: &str) -> bool {
        matches!(self, Listing::Known(m) if m.get(key).is_some_and(|vs| vs.contains(version)))
    }
}

/// Every layer's listing of one database file, bottom first.
#[derive(Debug, Clone, Default)]
pub struct History {
    entries: Vec<(usize, Listing)>,
}

impl History {
    /// Reads the history of `path` (already resolved: no symlinks) and lists
    /// each layer's copy with `list`, which returns `None` for a copy it
    /// cannot read.
    pub fn of<F>(tree: &FileTree, path: &str, list: F) -> Self
    where
        F: Fn(&[u8]) -> Option<Vec<(String, String)>>,
    {
        let entries = tree
            .history(path)
            .into_iter()
            .map(|v| {
                let listing = match v.state {
                    PathState::Deleted => Listing::Deleted,
                    PathState::Present(entry) => match entry.content.as_deref() {
                        Some(bytes) => match list(bytes) {
                            Some(pairs) => Listing::from_pairs(pairs),
                            None => Listing::Unknown,
                        },
                        // A directory, a link or a file whose bytes were not kept.
                        None => Listing::Unknown,
                    },
                };
                (v.layer, listing)
            })
            .collect();
        History { entries }
    }

    /// A history from explicit listings (tests).
    pub fn from_entries(entries: Vec<(usize, Listing)>) -> Self {
        History { entries }
    }

    /// `(introduced_in, changed_in)` for the package with this key and
    /// version. `None` when the newest copy does not list it (the caller then
    /// falls back to the layer of the file it read).
    pub fn origin(&self, key: &str, version: &str) -> (Option<usize>, Option<usize>) {
        let mut introduced = None;
        for (layer, listing) in self.entries.iter().rev() {
            if listing.has_key(key) {
                introduced = Some(*layer);
            } else {
                break;
            }
        }
        let mut changed = None;
        for (layer, listing) in self.entries.iter().rev() {
            if listing.has_version(key, version) {
                changed = Some(*layer);
            } else {
                break;
            }
        }
        (introduced, changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(pairs: &[(&str, &str)]) -> Listing {
        Listing::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn added_then_upgraded() {
        let h = History::from_entries(vec![
            (0, known(&[("base", "1")])),
            (1, known(&[("base", "1"), ("curl", "7")])),
            (3, known(&[("base", "1"), ("curl", "8")])),
        ]);
        assert_eq!(h.origin("curl", "8"), (Some(1), Some(3)));
        assert_eq!(h.origin("base", "1"), (Some(0), Some(0)));
    }

    #[test]
    fn removed_then_readded_counts_from_the_readding_layer() {
        let h = History::from_entries(vec![
            (0, known(&[("curl", "8")])),
            (1, known(&[])),
            (2, known(&[("curl", "8")])),
        ]);
        assert_eq!(h.origin("curl", "8"), (Some(2), Some(2)));
    }

    #[test]
    fn deletion_and_unreadable_copies_interrupt_the_run() {
        let h = History::from_entries(vec![
            (0, known(&[("curl", "8")])),
            (1, Listing::Deleted),
            (2, known(&[("curl", "8")])),
            (3, Listing::Unknown),
            (4, known(&[("curl", "8")])),
        ]);
        assert_eq!(h.origin("curl", "8"), (Some(4), Some(4)));
    }

    #[test]
    fn downgrade_back_to_an_old_version_is_a_change() {
        let h = History::from_entries(vec![
            (0, known(&[("curl", "7")])),
            (1, known(&[("curl", "8")])),
            (2, known(&[("curl", "7")])),
        ]);
        assert_eq!(h.origin("curl", "7"), (Some(0), Some(2)));
    }

    #[test]
    fn missing_from_the_final_copy_gives_none() {
        let h = History::from_entries(vec![(0, known(&[("curl", "7")])), (1, known(&[]))]);
        assert_eq!(h.origin("curl", "7"), (None, None));
    }
}
