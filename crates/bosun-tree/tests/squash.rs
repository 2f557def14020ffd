//! Squash semantics from the OCI image spec (layer.md: whiteouts, opaque
//! whiteouts), symlink resolution inside the root, and per-path history.

use bosun_tree::{EntryKind, FileMeta, PathState, TreeBuilder, TreeError};
use proptest::prelude::*;

fn text(tree: &bosun_tree::FileTree, path: &str) -> Option<String> {
    tree.read(path)
        .map(|c| String::from_utf8_lossy(c).into_owned())
}

#[test]
fn later_layers_replace_files_and_remember_the_layer() {
    let tree = TreeBuilder::new()
        .dir("/etc")
        .file("/etc/hostname", "one")
        .file("/etc/keep", "k")
        .layer()
        .file("/etc/hostname", "two")
        .build();
    assert_eq!(text(&tree, "/etc/hostname").as_deref(), Some("two"));
    assert_eq!(tree.get("/etc/hostname").map(|n| n.layer), Some(1));
    assert_eq!(tree.get("/etc/keep").map(|n| n.layer), Some(0));
}

#[test]
fn whiteout_deletes_a_file_and_everything_below_a_directory() {
    let tree = TreeBuilder::new()
        .dir("/a")
        .file("/a/x", "x")
        .dir("/a/sub")
        .file("/a/sub/y", "y")
        .file("/ab", "not below /a")
        .file("/b", "b")
        .layer()
        .whiteout("/a")
        .whiteout("/b")
        .build();
    for gone in ["/a", "/a/x", "/a/sub", "/a/sub/y", "/b"] {
        assert!(tree.get(gone).is_none(), "{gone} should be gone");
    }
    assert_eq!(text(&tree, "/ab").as_deref(), Some("not below /a"));
}

#[test]
fn opaque_directory_hides_lower_children_but_keeps_its_own() {
    let tree = TreeBuilder::new()
        .dir("/d")
        .file("/d/old", "old")
        .dir("/d/deep")
        .file("/d/deep/f", "f")
        .layer()
        .dir("/d")
        .opaque("/d")
        .file("/d/new", "new")
        .build();
    assert!(tree.get("/d").is_some());
    assert!(tree.get("/d/old").is_none());
    assert!(tree.get("/d/deep/f").is_none());
    assert_eq!(text(&tree, "/d/new").as_deref(), Some("new"));
}

#[test]
fn a_whiteout_then_re_add_in_the_same_layer_keeps_the_new_file() {
    let tree = TreeBuilder::new()
        .file("/f", "old")
        .layer()
        .whiteout("/f")
        .file("/f", "new")
        .build();
    assert_eq!(text(&tree, "/f").as_deref(), Some("new"));
}

#[test]
fn a_file_replacing_a_directory_hides_its_children() {
    let tree = TreeBuilder::new()
        .dir("/x")
        .file("/x/child", "c")
        .layer()
        .file("/x", "now a file")
        .build();
    assert!(tree.get("/x/child").is_none());
    assert_eq!(text(&tree, "/x").as_deref(), Some("now a file"));
}

#[test]
fn hard_links_share_the_target_bytes_across_layers() {
    let tree = TreeBuilder::new()
        .file_with_mode("/bin/real", "ELF", 0o4755)
        .layer()
        .hardlink("/bin/alias", "/bin/real")
        .hardlink("/bin/dangling", "/nowhere")
        .build();
    let alias = tree.get("/bin/alias").expect("alias");
    assert_eq!(alias.meta.kind, EntryKind::File);
    assert_eq!(alias.meta.mode, 0o4755);
    assert_eq!(alias.layer, 1);
    assert_eq!(text(&tree, "/bin/alias").as_deref(), Some("ELF"));
    assert_eq!(
        tree.get("/bin/dangling").map(|n| n.meta.kind),
        Some(EntryKind::Hardlink)
    );
    assert!(tree.read("/bin/dangling").is_none());
}

#[test]
fn symlinks_resolve_inside_the_root() {
    let tree = TreeBuilder::new()
        .dir("/etc")
        .file("/etc/os-release", "ID=debian")
        .dir("/usr/lib")
        .symlink("/usr/lib/os-release", "../../etc/os-release")
        .symlink("/abs", "/etc/os-release")
        .symlink("/escape", "../../../../../etc/os-release")
        .symlink("/lib", "usr/lib")
        .build();
    for p in ["/usr/lib/os-release", "/abs", "/escape", "/lib/os-release"] {
        assert_eq!(text(&tree, p).as_deref(), Some("ID=debian"), "{p}");
    }
    assert_eq!(
        tree.resolve("/lib/os-release").as_deref(),
        Ok("/etc/os-release")
    );
    assert_eq!(tree.resolve_parent("/abs").as_deref(), Ok("/abs"));
    // A missing file resolves to its path; reading it gives nothing.
    assert_eq!(
        tree.resolve("/lib/missing").as_deref(),
        Ok("/usr/lib/missing")
    );
    assert!(tree.read("/lib/missing").is_none());
}

#[test]
fn symlink_loops_are_errors_not_hangs() {
    let tree = TreeBuilder::new()
        .symlink("/a", "/b")
        .symlink("/b", "/a")
        .symlink("/self", "self")
        .dir("/d")
        .symlink("/d/up", "..")
        .build();
    for p in ["/a", "/self", "/a/x"] {
        assert!(
            matches!(tree.resolve(p), Err(TreeError::SymlinkLoop { .. })),
            "{p}"
        );
        assert!(tree.read(p).is_none());
    }
    // `..` links climb at most to the root.
    assert_eq!(tree.resolve("/d/up/d/up/d").as_deref(), Ok("/d"));
}

#[test]
fn history_shows_each_layers_copy_and_deletions() {
    let tree = TreeBuilder::new()
        .file("/var/lib/dpkg/status", "v0")
        .layer()
        .file("/unrelated", "")
        .layer()
        .file("/var/lib/dpkg/status", "v2")
        .layer()
        .whiteout("/var/lib")
        .layer()
        .file("/var/lib/dpkg/status", "v4")
        .build();
    let h = tree.history("/var/lib/dpkg/status");
    let summary: Vec<(usize, Option<String>)> = h
        .iter()
        .map(|v| match v.state {
            PathState::Present(e) => (
                v.layer,
                e.content
                    .as_ref()
                    .map(|c| String::from_utf8_lossy(c).into_owned()),
            ),
            PathState::Deleted => (v.layer, None),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (0, Some("v0".into())),
            (2, Some("v2".into())),
            (3, None),
            (4, Some("v4".into())),
        ]
    );
}

#[test]
fn shadowed_lists_files_a_later_layer_deleted_or_replaced() {
    let tree = TreeBuilder::new()
        .file("/secret", "s")
        .file("/stays", "x")
        .file("/replaced", "1")
        .layer()
        .whiteout("/secret")
        .file("/replaced", "2")
        .build();
    let mut gone: Vec<(usize, &str)> = tree.shadowed().map(|(l, e)| (l, e.path.as_str())).collect();
    gone.sort();
    assert_eq!(gone, vec![(0, "/replaced"), (0, "/secret")]);
}

#[test]
fn iter_under_lists_only_descendants() {
    let tree = TreeBuilder::new()
        .dir("/a")
        .file("/a/1", "")
        .file("/a/2", "")
        .file("/a-b", "")
        .file("/b", "")
        .build();
    let under: Vec<&str> = tree.iter_under("/a").map(|(p, _)| p).collect();
    assert_eq!(under, vec!["/a/1", "/a/2"]);
    assert_eq!(tree.iter_under("/").count(), 5);
}

#[test]
fn metadata_only_entries_have_no_bytes() {
    let tree = TreeBuilder::new()
        .entry("/big", FileMeta::file(1 << 40, 0o644))
        .build();
    assert_eq!(tree.get("/big").map(|n| n.meta.size), Some(1 << 40));
    assert!(tree.read("/big").is_none());
}

fn arb_component() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("..".to_owned()),
        Just(".".to_owned()),
        Just("c".to_owned()),
    ]
}

fn arb_path() -> impl Strategy<Value = String> {
    prop::collection::vec(arb_component(), 1..5).prop_map(|v| v.join("/"))
}

proptest! {
    /// Whatever the links, resolution terminates, stays absolute and normalized.
    #[test]
    fn resolution_terminates_and_stays_in_the_root(
        links in prop::collection::vec((arb_path(), arb_path(), any::<bool>()), 0..12),
        query in arb_path(),
    ) {
        let mut b = TreeBuilder::new();
        for (from, to, absolute) in &links {
            let target = if *absolute { format!("/{to}") } else { to.clone() };
            b = b.symlink(&format!("/{from}"), &target);
        }
        let tree = b.build();
        match tree.resolve(&format!("/{query}")) {
            Ok(p) => {
                prop_assert!(p.starts_with('/'));
                prop_assert_eq!(bosun_tree::path::clamp(&p), p.clone());
            }
            Err(TreeError::SymlinkLoop { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }
}
