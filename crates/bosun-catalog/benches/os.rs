//! OS package database parsing speed, on the real fixtures.
//!
//! `cargo bench -p bosun-catalog --bench os`. Each benchmark reads one whole
//! database (bytes already in memory, as the catalog has them).

use std::hint::black_box;
use std::io::Read;

use bosun_catalog::os::apk::parse_installed;
use bosun_catalog::os::dpkg::{DpkgAnalyzer, Flavor, parse_status};
use bosun_catalog::os::rpm::{Backend, read_packages};
use bosun_catalog::{Analyzer, Context, Output};
use bosun_tree::TreeBuilder;
use divan::counter::BytesCount;

fn main() {
    divan::main();
}

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/os");

fn fixture(name: &str) -> Vec<u8> {
    let raw = std::fs::read(format!("{FIX}/{name}")).expect(name);
    if name.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .expect(name);
        out
    } else {
        raw
    }
}

#[divan::bench]
fn dpkg_status_753_packages(b: divan::Bencher) {
    let bytes = fixture("dpkg/bookworm/status");
    b.counter(BytesCount::of_slice(&bytes)).bench(|| {
        parse_status(black_box(&bytes), Flavor::Status)
            .entries
            .len()
    });
}

#[divan::bench]
fn dpkg_analyzer_753_packages_3_layers(b: divan::Bencher) {
    // The same status in three layers: the analyzer also reads every
    // layer's copy for origin layers.
    let bytes = fixture("dpkg/bookworm/status");
    let tree = TreeBuilder::new()
        .file("/var/lib/dpkg/status", &bytes)
        .layer()
        .file("/var/lib/dpkg/status", &bytes)
        .layer()
        .file("/var/lib/dpkg/status", &bytes)
        .build();
    b.bench(|| {
        let cx = Context {
            tree: &tree,
            distro: None,
        };
        let mut out = Output::default();
        DpkgAnalyzer.analyze(&cx, &mut out).expect("analyze");
        out.packages.len()
    });
}

#[divan::bench]
fn apk_installed_15_packages(b: divan::Bencher) {
    let bytes = fixture("apk/scalibr-installed");
    b.counter(BytesCount::of_slice(&bytes))
        .bench(|| parse_installed(black_box(&bytes)).entries.len());
}

#[divan::bench(args = [
    ("sqlite", "rpm/mariner2-rpmdb.sqlite.gz"),
    ("bdb", "rpm/mariner2-bdb-le4096-Packages.gz"),
    ("ndb", "rpm/sle15-Packages.db.gz"),
])]
fn rpm_database(b: divan::Bencher, (backend, file): (&str, &str)) {
    let bytes = fixture(file);
    let backend = match backend {
        "sqlite" => Backend::Sqlite,
        "bdb" => Backend::Bdb,
        _ => Backend::Ndb,
    };
    b.counter(BytesCount::of_slice(&bytes)).bench(|| {
        read_packages(backend, black_box(&bytes), None)
            .expect("reads")
            .0
            .len()
    });
}
