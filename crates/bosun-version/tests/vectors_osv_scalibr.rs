//! osv-scalibr's hand-written and generated comparison files (about 70,000
//! comparisons of real advisory versions ordered by each ecosystem's own tool).

mod common;

use bosun_version::Scheme;
use common::Tally;

#[test]
fn osv_scalibr_vectors() {
    let mut t = Tally::default();
    t.known.push((
        "1-1",
        "1-ga-1",
        "maven-artifact 3.8.7 (Debian's, checked with `java -cp maven-artifact.jar \
         org.apache.maven.artifact.versioning.ComparableVersion 1-1 1-ga-1`) and 3.8.6 (which \
         generated maven-versions-generated.txt) say 1-1 > 1-ga-1; bosun follows them",
    ));
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
