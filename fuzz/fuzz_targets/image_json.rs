//! Manifest, index and config parsing, Docker config auths and registry
//! auth challenges on arbitrary bytes: errors, never panics.
#![no_main]

use bosun_image::testing::{docker_config_auth, parse_challenge, parse_config, parse_manifest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_manifest(data);
    let _ = parse_config(data);
    let _ = docker_config_auth(data, "docker.io");
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some((scheme, params)) = parse_challenge(s) {
            assert!(!scheme.is_empty());
            assert!(params.len() <= 33);
        }
        let _ = bosun_image::ImageRef::parse(s);
        let _ = s.parse::<bosun_image::Platform>();
        let _ = bosun_image::Digest::parse(s);
    }
});
