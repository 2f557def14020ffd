//! Go build info: the blob decoder, the modinfo parser and the toolchain
//! version conversion never panic, and what decodes is consistent.
#![no_main]

use bosun_catalog::lang::golang::buildinfo::{
    Decoded, HEADER_LEN, MAGIC, MAX_DEPS, decode_inline, parse_header, parse_modinfo,
    stdlib_version, strip_framing,
};
use bosun_catalog::lang::golang::binary_packages;
use bosun_model::Location;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // As a blob: the magic, then the input.
    let mut blob = MAGIC.to_vec();
    blob.extend_from_slice(data);
    let _ = parse_header(&blob);
    match decode_inline(&blob) {
        Ok(Decoded::NeedMore(n)) => assert!(n > blob.len() || n >= HEADER_LEN),
        Ok(Decoded::Done(raw)) => {
            assert!(raw.version.starts_with("go") || raw.version.starts_with("devel"));
            if let Some(text) = strip_framing(&raw.modinfo) {
                let _ = parse_modinfo(text, &raw.version);
            }
        }
        Err(_) => {}
    }
    // As modinfo text, and the packages made from it.
    if let Ok(info) = parse_modinfo(data, "go1.22.0") {
        assert!(info.deps.len() <= MAX_DEPS);
        let (pkgs, _) = binary_packages(&info, &Location::new("/bin/x", Some(0)));
        for p in &pkgs {
            assert!(!p.name.is_empty() && !p.version.is_empty());
            assert!(p.purl.starts_with("pkg:golang/"));
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some(v) = stdlib_version(s) {
            assert!(v.starts_with('v'));
        }
    }
});
