//! osv-scalibr's hand-written and generated comparison files (about 70,000
//! comparisons of real advisory versions ordered by each ecosystem's own tool).

mod common;

use bosun_version::Scheme;
use common::Tally;

#[test]
fn osv_scalibr_vectors() {
    let mut t = Tally::default();
    // Pairs where the osv-scalibr Maven vectors (generated with maven-artifact
    // 3.8.6, or hand-written) contradict current Maven: maven-artifact 3.8.7
    // (MNG-7644 reads `1.0.RC1` as `1.0-RC1`) ordered them on this machine;
    // bosun must agree with it.
    t.load_oracle_overrides(
        "maven-3.8.7/mng-7644-oracle.txt",
        "maven-artifact 3.8.7 orders it so (the generated vectors used 3.8.6, before MNG-7644)",
    );
    // The same pairing of files and ecosystems as osv-scalibr's compare_test.go.
    let files: &[(&str, Scheme, &str)] = &[
        ("npm (semver)", Scheme::Semver, "semver-versions.txt"),
        ("Go", Scheme::Go, "semver-versions.txt"),
        ("RubyGems", Scheme::RubyGems, "rubygems-versions.txt"),
        (
            "RubyGems",
            Scheme::RubyGems,
            "rubygems-versions-generated.txt",
        ),
        ("NuGet", Scheme::NuGet, "nuget-versions.txt"),
        ("Packagist", Scheme::Packagist, "packagist-versions.txt"),
        (
            "Packagist",
            Scheme::Packagist,
            "packagist-versions-generated.txt",
        ),
        ("Maven", Scheme::Maven, "maven-versions.txt"),
        ("Maven", Scheme::Maven, "maven-versions-generated.txt"),
        ("PyPI", Scheme::Pep440, "pypi-versions.txt"),
        ("PyPI", Scheme::Pep440, "pypi-versions-generated.txt"),
        ("Debian", Scheme::Deb, "debian-versions.txt"),
        ("Debian", Scheme::Deb, "debian-versions-generated.txt"),
        ("CRAN", Scheme::Cran, "cran-versions.txt"),
        ("CRAN", Scheme::Cran, "cran-versions-generated.txt"),
        ("Alpine", Scheme::Apk, "alpine-versions.txt"),
        ("Alpine", Scheme::Apk, "alpine-versions-generated.txt"),
        ("Red Hat", Scheme::Rpm, "redhat-versions.txt"),
        ("Hackage", Scheme::Hackage, "hackage-versions.txt"),
        ("Pub", Scheme::Pub, "pub-versions.txt"),
    ];
    for (label, scheme, file) in files {
        t.compare_file(label, *scheme, &format!("osv-scalibr/{file}"));
    }
    t.finish("osv-scalibr");
}
