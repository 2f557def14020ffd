//! Pipfile.lock, poetry.lock (with a pyproject.toml) and uv.lock: no panics
//! on any input; a lockfile read gives usable names and versions. The input
//! is split at the first NUL byte: lockfile, then pyproject.toml.
#![no_main]

use bosun_catalog::lang::common::MAX_ENTRIES;
use bosun_catalog::lang::python::locks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (lock, pyproject) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    for parsed in [
        locks::parse_pipfile_lock(lock),
        locks::parse_poetry_lock(lock, pyproject),
        locks::parse_uv_lock(lock),
    ]
    .into_iter()
    .flatten()
    {
        assert!(parsed.packages.len() <= 2 * MAX_ENTRIES);
        for d in &parsed.packages {
            assert!(!d.name.is_empty() && !d.version.is_empty());
        }
    }
    if let Some(p) = pyproject {
        let _ = locks::poetry_roots(p);
    }
});
