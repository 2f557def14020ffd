//! Gem specifications read as text and Gemfile.lock: no panics on any input;
//! what parses has a name and version without spaces.
#![no_main]

use bosun_catalog::lang::ruby::{gemfile_lock, gemspec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(g) = gemspec::parse(data) {
        assert!(!g.name.is_empty() && !g.name.contains(char::is_whitespace));
        assert!(!g.version.is_empty() && !g.version.contains(char::is_whitespace));
    }
    for d in gemfile_lock::parse(data).packages {
        assert!(!d.name.is_empty() && !d.version.is_empty());
    }
});
