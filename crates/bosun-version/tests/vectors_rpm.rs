//! rpm's own rpmvercmp cases (tests/rpmvercmp.at).

mod common;

use bosun_version::Scheme;
use bosun_version::rpm::rpmvercmp;
use common::{Tally, op_ordering, op_symbol, read};

#[test]
fn rpmvercmp_vectors() {
    let mut t = Tally::default();
    for line in read("rpm/rpmvercmp-cases.txt").lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let pieces: Vec<&str> = line.split(' ').collect();
        let [a, op, b] = pieces.as_slice() else {
            t.check("rpm", false, || format!("unreadable line {line:?}"));
            continue;
        };
        let Some(want) = op_ordering(op) else {
            t.check("rpm", false, || format!("unknown operator in {line:?}"));
            continue;
        };
        // The raw comparison function, and the same strings as full versions.
        for (x, y, w) in [(*a, *b, want), (*b, *a, want.reverse())] {
            let got = rpmvercmp(x, y);
            t.check("rpm (rpmvercmp)", got == w, || {
                format!(
                    "rpmvercmp: {x} {} {y} expected, got {}",
                    op_symbol(w),
                    op_symbol(got)
                )
            });
        }
        t.compare("rpm (EVR)", Scheme::Rpm, a, b, want);
    }
    t.finish("rpm");
}
