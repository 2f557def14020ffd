//! Go build information and cargo-auditable data in real binaries.
//!
//! - The test image's binaries (`.test-images/rootfs/bookworm-app`, built by
//!   `scripts/build-test-images.sh`): hello-go (Go 1.19, `(devel)` main
//!   module, not stripped), dive (Go 1.24, 54 dependencies, stripped) and
//!   bosun-audit-fixture (cargo auditable, PIE). The expected values come
//!   from the manifest, which the build script wrote from `go version -m`
//!   and the `.dep-v0` section read with Python's zlib: not from bosun.
//! - Binaries built here with the Go toolchain (`go`, which the test images
//!   need too): position-independent, externally linked with cgo, and
//!   stripped with `strip`, checked against `go version -m` on the same file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun_catalog::lang::golang::{ExecutableAnalyzer, binary_packages, exec};
use bosun_catalog::{Analyzer, InspectedFile, Output};
use bosun_model::Ecosystem;
use bosun_tree::FileMeta;

fn rootfs_file(image_path: &str) -> PathBuf {
    bosun_test::images::rootfs("bookworm-app").join(image_path.trim_start_matches('/'))
}

/// Runs the executable analyzer on a file the way the catalog streams it.
fn inspect(path: &Path, image_path: &str) -> Output {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let meta = FileMeta::file(bytes.len() as u64, 0o755);
    assert!(ExecutableAnalyzer.inspects(image_path, &meta));
    let file = InspectedFile {
        path: image_path,
        meta: &meta,
        layer: 3,
    };
    let mut out = Output::default();
    ExecutableAnalyzer
        .inspect(&file, &mut bytes.as_slice(), &mut out)
        .expect("inspect");
    out
}

fn triples(out: &Output, eco: Ecosystem) -> BTreeSet<(String, String)> {
    out.packages
        .iter()
        .filter(|p| p.ecosystem == eco)
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

#[test]
fn test_image_go_binaries_match_the_manifest() {
    let m = bosun_test::images::manifest();
    let bins = m["images"]["bookworm-app"]["binaries"]
        .as_array()
        .expect("binaries");
    let mut seen = 0;
    for b in bins.iter().filter(|b| b["kind"] == "go-binary") {
        let path = b["path"].as_str().expect("path");
        let out = inspect(&rootfs_file(path), path);
        assert!(out.warnings.is_empty(), "{path}: {:?}", out.warnings);
        let go = b["go_version"].as_str().expect("go_version");
        let mut want: BTreeSet<(String, String)> = BTreeSet::new();
        want.insert(("stdlib".into(), format!("v{}", go.trim_start_matches("go"))));
        let main = &b["main_module"];
        want.insert((
            main["path"].as_str().expect("main path").into(),
            main["version"].as_str().expect("main version").into(),
        ));
        for d in b["deps"].as_array().expect("deps") {
            want.insert((
                d["path"].as_str().expect("dep path").into(),
                d["version"].as_str().expect("dep version").into(),
            ));
        }
        assert_eq!(triples(&out, Ecosystem::Golang), want, "{path}");
        // Every package records the toolchain and where it was found.
        for p in &out.packages {
            assert_eq!(p.found_in.path, path);
            assert_eq!(p.properties.get("go-version").map(String::as_str), Some(go));
        }
        let main_pkg = out
            .packages
            .iter()
            .find(|p| p.properties.contains_key("main-module"))
            .expect("main module");
        for (k, v) in b["settings"].as_object().expect("settings") {
            // The manifest has `go version -m`'s text, where values with
            // spaces are Go-quoted; bosun unquotes them as Go's
            // debug.ParseBuildInfo does.
            let v = v.as_str().expect("setting");
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            assert_eq!(
                main_pkg
                    .properties
                    .get(&format!("go-build:{k}"))
                    .map(String::as_str),
                Some(v),
                "{path}: setting {k}"
            );
        }
        if main["version"] == "(devel)" {
            // No version is invented: the purl has none.
            assert!(!main_pkg.purl.contains('@'), "{}", main_pkg.purl);
        }
        seen += 1;
    }
    assert_eq!(seen, 2, "hello-go and dive");
}

#[test]
fn test_image_cargo_auditable_binary_matches_the_manifest() {
    let m = bosun_test::images::manifest();
    let bins = m["images"]["bookworm-app"]["binaries"]
        .as_array()
        .expect("binaries");
    let b = bins
        .iter()
        .find(|b| b["kind"] == "rust-binary")
        .expect("a rust binary in the manifest");
    let path = b["path"].as_str().expect("path");
    let out = inspect(&rootfs_file(path), path);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let want: BTreeSet<(String, String)> = b["dep_v0"]["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["kind"].as_str().is_none_or(|k| k == "runtime"))
        .map(|p| {
            (
                p["name"].as_str().expect("name").into(),
                p["version"].as_str().expect("version").into(),
            )
        })
        .collect();
    assert_eq!(want.len(), 4);
    assert_eq!(triples(&out, Ecosystem::Cargo), want);
    assert!(triples(&out, Ecosystem::Golang).is_empty());
    let root: Vec<_> = out
        .packages
        .iter()
        .filter(|p| p.properties.get("root").is_some_and(|v| v == "true"))
        .collect();
    assert_eq!(root.len(), 1);
    assert_eq!(root[0].name, "bosun-audit-fixture");
}

#[test]
fn other_test_image_executables_have_no_go_or_rust_evidence() {
    // A dynamically linked C program (setuid copy of env) and a shell script.
    for path in ["/usr/local/bin/env-suid", "/usr/bin/ls", "/usr/bin/zgrep"] {
        let out = inspect(&rootfs_file(path), path);
        assert!(
            out.packages.is_empty() && out.warnings.is_empty(),
            "{path}: {:?} {:?}",
            out.packages,
            out.warnings
        );
    }
}

/// `go version -m` of a file: (toolchain, {(path, version)} of main and deps).
fn go_version_m(file: &Path) -> (String, BTreeSet<(String, String)>) {
    let out = Command::new("go")
        .arg("version")
        .arg("-m")
        .arg(file)
        .output()
        .expect("go version -m");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let first = lines.next().expect("first line");
    let go = first.rsplit(' ').next().expect("version").to_owned();
    let mut mods = BTreeSet::new();
    for l in lines {
        let f: Vec<&str> = l.trim_start().split('\t').collect();
        if matches!(f.first(), Some(&"mod") | Some(&"dep")) && f.len() >= 3 {
            mods.insert((f[1].to_owned(), f[2].to_owned()));
        }
    }
    (go, mods)
}

#[test]
fn pie_cgo_and_stripped_binaries_built_here() {
    let go_ok = Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        go_ok,
        "this test builds Go binaries: install the Go toolchain (Debian `golang-go`; \
         scripts/build-test-images.sh needs it too)"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    // Two tiny modules: one plain, one that needs cgo (so it links with the
    // system linker).
    let module = |name: &str, imports: &str| -> PathBuf {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(
            d.join("go.mod"),
            "module example.com/bosun/pie\n\ngo 1.19\n",
        )
        .expect("go.mod");
        std::fs::write(
            d.join("main.go"),
            format!("package main\n\n{imports}import \"fmt\"\n\nfunc main() {{ fmt.Println(\"pie\") }}\n"),
        )
        .expect("main.go");
        d
    };
    let plain = module("plain", "");
    let with_cgo = module("cgo", "import \"C\"\n");
    let build = |name: &str, cgo: bool, args: &[&str]| -> PathBuf {
        let exe = dir.path().join(name);
        let out = Command::new("go")
            .current_dir(if cgo { &with_cgo } else { &plain })
            .env("GOPROXY", "off")
            .env("GOFLAGS", "")
            .env("GOCACHE", dir.path().join("cache"))
            .env("CGO_ENABLED", if cgo { "1" } else { "0" })
            .arg("build")
            .args(args)
            .arg("-o")
            .arg(&exe)
            .output()
            .expect("go build");
        assert!(
            out.status.success(),
            "go build {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        exe
    };
    let pie = build("pie", false, &["-buildmode=pie", "-trimpath"]);
    let cgo = build(
        "cgo-pie",
        true,
        &["-buildmode=pie", "-ldflags=-linkmode=external"],
    );
    let stripped = dir.path().join("stripped");
    std::fs::copy(&cgo, &stripped).expect("copy");
    let st = Command::new("strip")
        .arg(&stripped)
        .status()
        .expect("strip");
    assert!(st.success());
    for exe in [&pie, &cgo, &stripped] {
        let (go, mods) = go_version_m(exe);
        let bytes = std::fs::read(exe).expect("read");
        let found = exec::scan(&mut bytes.as_slice()).expect("scan");
        let info = found.go.expect("build info").expect("readable");
        assert_eq!(info.go_version, go, "{}", exe.display());
        let (pkgs, warnings) = binary_packages(&info, &bosun_model::Location::new("/x", None));
        assert!(warnings.is_empty());
        let got: BTreeSet<(String, String)> = pkgs
            .iter()
            .filter(|p| p.name != "stdlib")
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect();
        assert_eq!(got, mods, "{}", exe.display());
        assert!(pkgs.iter().any(|p| p.name == "stdlib"));
    }
}
