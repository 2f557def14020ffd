//! `rootfs:` walks a directory as one pseudo-layer without leaving it.

mod common;

use std::os::unix::fs::symlink;

use bosun_model::SourceKind;
use bosun_tree::EntryKind;
use common::*;

#[test]
fn walks_a_directory_without_following_links_out_of_it() {
    let outside = tempdir();
    std::fs::write(outside.path().join("secret"), b"outside").expect("write");
    let dir = tempdir();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::create_dir_all(root.join("usr/lib")).expect("mkdir");
    std::fs::write(root.join("etc/os-release"), b"ID=alpine\n").expect("write");
    std::fs::write(root.join("usr/lib/big.keep"), vec![7u8; 10_000]).expect("write");
    std::fs::hard_link(
        root.join("usr/lib/big.keep"),
        root.join("usr/lib/again.keep"),
    )
    .expect("link");
    symlink(outside.path().join("secret"), root.join("etc/out.keep")).expect("symlink");
    symlink("../../../../..", root.join("up")).expect("symlink");
    symlink("loop2", root.join("loop1")).expect("symlink");
    symlink("loop1", root.join("loop2")).expect("symlink");
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("fifo"))
        .status()
        .expect("mkfifo runs");
    assert!(fifo.success());

    let o = open(&format!("rootfs:{}", root.display())).expect("open");
    assert_eq!(o.source().kind, SourceKind::Rootfs);
    assert_eq!(o.layers().len(), 1);
    assert!(o.config().is_none());
    let t = read_all(&o, &KeepSuffix("keep")).expect("read");
    assert_eq!(t.get("/etc/os-release").map(|n| n.meta.size), Some(10));
    assert_eq!(t.read("/usr/lib/big.keep").map(|c| c.len()), Some(10_000));
    // Names are walked in order, so the second name links to the first.
    let big = t.get("/usr/lib/big.keep").expect("hard link");
    assert_eq!(big.meta.link.as_deref(), Some("/usr/lib/again.keep"));
    assert_eq!(big.meta.kind, EntryKind::File);
    assert_eq!(t.read("/usr/lib/again.keep").map(|c| c.len()), Some(10_000));
    let out = t.get("/etc/out.keep").expect("symlink recorded");
    assert_eq!(out.meta.kind, EntryKind::Symlink);
    assert!(out.content.is_none(), "a symlink's target is never read");
    assert_eq!(t.get("/fifo").map(|n| n.meta.kind), Some(EntryKind::Fifo));
    assert_eq!(t.resolve("/up/etc").expect("resolves"), "/etc");
    assert!(t.resolve("/loop1").is_err());

    // Bare directories are sniffed as rootfs too.
    let o2 = open(&root.display().to_string()).expect("sniffed");
    assert_eq!(o2.source().kind, SourceKind::Rootfs);
}

#[test]
fn a_file_is_not_a_rootfs() {
    let dir = tempdir();
    let f = dir.path().join("file");
    std::fs::write(&f, b"x").expect("write");
    let e = open(&format!("rootfs:{}", f.display())).expect_err("not a dir");
    assert!(
        e.to_string().contains("not a directory") && e.to_string().contains("file"),
        "{e}"
    );
    let e = open(&format!("rootfs:{}/missing", dir.path().display())).expect_err("missing");
    assert!(e.to_string().contains("missing"), "{e}");
}
