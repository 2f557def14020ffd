//! dpkg's own version-comparison cases.

mod common;

use bosun_version::Scheme;
use common::Tally;

#[test]
fn dpkg_vectors() {
    let mut t = Tally::default();
    t.compare_file("Debian (dpkg)", Scheme::Deb, "dpkg/dpkg-version-cases.txt");
    t.finish("dpkg");
}
