//! go.mod parsing: no panic; requirements and replacements are bounded and
//! well formed.
#![no_main]

use bosun_catalog::lang::golang::gomod::{MAX_ENTRIES, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let m = parse(data);
    assert!(m.requires.len() + m.replaces.len() + m.excludes.len() <= MAX_ENTRIES);
    for r in &m.requires {
        assert!(r.line >= 1);
        let _ = m.replacement(&r.path, &r.version);
        let _ = m.excluded(&r.path, &r.version);
    }
});
