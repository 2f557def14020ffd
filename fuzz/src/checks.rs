//! bosun-checks: the secret scanner on arbitrary file bytes and its settings
//! on arbitrary YAML. No panics; findings point inside the file; reading a
//! file as a layer sink finds exactly what `scan_file` finds.

use std::sync::LazyLock;

use bosun_checks::{LayerSecrets, MAX_FINDINGS_PER_FILE, SecretScanner, SecretsConfig};
use bosun_tree::{EntrySink, FileMeta};

/// Paths whose names change which rules run (config-file rules, rules
/// scoped to `.netrc`, `.pgpass`, `/etc/shadow`, Docker and npm configs).
const PATHS: &[&str] = &[
    "/app/notes.txt",
    "/app/.env",
    "/root/.aws/credentials",
    "/etc/shadow",
    "/home/u/.netrc",
    "/home/u/.pgpass",
    "/root/.docker/config.json",
    "/app/.npmrc",
    "/app/settings.yaml",
    "/app/key.pem",
];

static SCANNER: LazyLock<SecretScanner> = LazyLock::new(SecretScanner::builtin);

/// The first byte picks the path, the rest is the file.
pub fn scan_file(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let path = PATHS[usize::from(pick) % PATHS.len()];
    let scanner = &*SCANNER;
    let direct = scanner.scan_file(path, body);
    assert!(direct.len() <= MAX_FINDINGS_PER_FILE);
    let lines = body.iter().filter(|&&b| b == b'\n').count() + 1;
    for f in &direct {
        assert!(f.line >= 1 && f.line <= lines, "line {} of {lines}", f.line);
        assert!(f.column >= 1);
        assert_eq!(f.path, path);
        assert!(f.layer.is_none() && !f.deleted);
    }
    // The same bytes read as a layer file, a few bytes per read.
    let meta = FileMeta::file(body.len() as u64, 0o644);
    if scanner.want(path, &meta).inspect {
        scanner.inspect(0, path, &meta, &mut Trickle(body));
        let streamed = scanner.layer_results(0).findings;
        scanner.restore_layer_results(0, LayerSecrets::default());
        let strip = |v: &[bosun_model::SecretFinding]| -> Vec<(String, usize, usize, String)> {
            v.iter()
                .map(|f| (f.rule_id.clone(), f.line, f.column, f.redacted.clone()))
                .collect()
        };
        assert_eq!(strip(&streamed), strip(&direct), "{path}");
    }
}

/// Hands out at most 7 bytes per read.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(out.len()).min(7);
        let (now, rest) = self.0.split_at(n);
        out[..n].copy_from_slice(now);
        self.0 = rest;
        Ok(n)
    }
}

/// A `secrets:` section: parse, build the scanner (compiling the user's
/// regexes and globs), and run it over a little text that touches the
/// usual keywords.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = SecretsConfig::from_yaml(text) else {
        return;
    };
    let Ok(scanner) = SecretScanner::new(&config) else {
        return;
    };
    let sample = b"password = hunter22hunter\napi_key: 'abcdef123456'\ntoken=xyz\n\
        postgres://u:p4ssw0rd@db/x\nacme_0123456789abcdef0123456789abcdef\n";
    for path in ["/app/.env", "/app/x.txt", "/opt/app/testdata/a.yaml"] {
        for f in scanner.scan_file(path, sample) {
            assert!(f.line >= 1 && f.line <= 6);
        }
    }
    assert!(!scanner.fingerprint().is_empty());
}
