//! bosun-gate: `.bosunignore` and OpenVEX documents on arbitrary text, then
//! applied to sample findings. Errors, never panics.

use bosun_gate::{IgnoreFile, Vex};

pub fn ignore_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = IgnoreFile::parse(text, ".bosunignore") else {
        return;
    };
    let mut findings = bosun_test::sample::findings();
    let today = jiff::civil::date(2026, 11, 23);
    let warnings = file.apply(&mut findings, today);
    assert!(warnings.len() <= file.entries.len());
}

pub fn vex(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(vex) = Vex::parse(text, "vex.json") else {
        return;
    };
    let mut findings = bosun_test::sample::findings();
    let before = findings.len();
    vex.apply(&mut findings, &bosun_test::sample::inventory().source);
    assert_eq!(findings.len(), before);
}
