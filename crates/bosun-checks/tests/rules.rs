//! Every built-in rule on true positives and near misses, the redaction, the
//! binary and size bounds, the allow lists and custom rules.
//!
//! No secret-looking string is written out in this file: values are made
//! from a seeded generator and literal pieces, so scanners (bosun's
//! included) find nothing in the repository itself.

use std::io::Read;

use bosun_checks::{ConfigError, CustomRule, SecretScanner, SecretsConfig};
use bosun_model::{SecretFinding, Severity};
use bosun_tree::{EntrySink, FileMeta};

const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &str = "0123456789abcdef";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";

/// `len` characters of `alphabet`, deterministic for a seed.
fn fake(alphabet: &str, len: usize, seed: u64) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chars[(x % chars.len() as u64) as usize]
        })
        .collect()
}

fn b64url(bytes: &[u8]) -> String {
    let t: Vec<char> = B64URL.chars().collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(t[((n >> (18 - 6 * i)) & 63) as usize]);
        }
    }
    out
}

fn b64std(bytes: &[u8]) -> String {
    let t: Vec<char> = B64.chars().collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(t[((n >> (18 - 6 * i)) & 63) as usize]);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn scan(path: &str, text: &str) -> Vec<SecretFinding> {
    SecretScanner::builtin().scan_file(path, text.as_bytes())
}

fn ids(path: &str, text: &str) -> Vec<String> {
    scan(path, text).into_iter().map(|f| f.rule_id).collect()
}

#[track_caller]
fn hit(rule: &str, path: &str, text: &str) {
    let found = scan(path, text);
    assert!(
        found.iter().any(|f| f.rule_id == rule),
        "{rule} should match in {path}: {text:?}\nfound: {found:#?}"
    );
}

#[track_caller]
fn miss(rule: &str, path: &str, text: &str) {
    let found = scan(path, text);
    assert!(
        !found.iter().any(|f| f.rule_id == rule),
        "{rule} should not match in {path}: {text:?}\nfound: {found:#?}"
    );
}

fn akia(seed: u64) -> String {
    // split so the source holds no key-shaped literal
    let prefix = ["AK", "IA"].concat();
    format!("{prefix}{}", fake(BASE32, 16, seed))
}

#[test]
fn aws_access_key_id() {
    let key = akia(1);
    hit("aws-access-key-id", "/app/a.txt", &format!("id={key}\n"));
    hit("aws-access-key-id", "/app/a.txt", &format!("\"{key}\""));
    let temp = format!("AS{}", &key[2..]);
    hit("aws-access-key-id", "/app/a.txt", &format!("k {temp} "));
    // one character short, lower case, digits outside base32, glued to a word
    miss(
        "aws-access-key-id",
        "/app/a.txt",
        &format!("id={}\n", &key[..19]),
    );
    miss(
        "aws-access-key-id",
        "/app/a.txt",
        &format!("id={}\n", key.to_lowercase()),
    );
    miss(
        "aws-access-key-id",
        "/app/a.txt",
        &format!("id={}0189{}\n", &key[..4], &key[8..]),
    );
    miss("aws-access-key-id", "/app/a.txt", &format!("X{key}"));
    // AWS's documentation example is allowlisted
    let example = format!("{}{}{}", "AKIA", "IOSFODNN7", "EXAMPLE");
    miss(
        "aws-access-key-id",
        "/app/a.txt",
        &format!("id={example}\n"),
    );
}

#[test]
fn aws_secret_access_key() {
    let secret = fake(B64, 40, 2).replace('+', "x");
    for line in [
        format!("aws_secret_access_key = {secret}\n"),
        format!("AWS_SECRET_ACCESS_KEY={secret}\n"),
        format!("  \"SecretAccessKey\": \"{secret}\",\n"),
        format!("aws-secret-key: '{secret}'\n"),
    ] {
        hit("aws-secret-access-key", "/app/x.txt", &line);
    }
    miss(
        "aws-secret-access-key",
        "/app/x.txt",
        &format!("aws_secret_access_key = {}\n", &secret[..39]),
    );
    miss(
        "aws-secret-access-key",
        "/app/x.txt",
        &format!("aws_secret_access_key = {secret}Z\n"),
    );
    miss(
        "aws-secret-access-key",
        "/app/x.txt",
        &format!("sha_key = {secret}\n"),
    );
    let example = format!("{}{}{}", "wJalrXUtnFEMI/K7MDENG/", "bPxRfiCY", "EXAMPLEKEY");
    miss(
        "aws-secret-access-key",
        "/app/x.txt",
        &format!("aws_secret_access_key = {example}\n"),
    );
}

#[test]
fn cloud_keys() {
    hit(
        "google-api-key",
        "/app/a.js",
        &format!("key: \"AI{}{}\"", "za", fake(ALNUM, 35, 3)),
    );
    miss(
        "google-api-key",
        "/app/a.js",
        &format!("key: \"AI{}{}\"", "za", fake(ALNUM, 34, 3)),
    );
    hit(
        "google-oauth-client-secret",
        "/app/a.json",
        &format!("\"s\": \"GOC{}{}\"", "SPX-", fake(ALNUM, 28, 4)),
    );
    let account_key = format!("{}==", fake(B64, 86, 5));
    hit(
        "azure-storage-account-key",
        "/app/a.cs",
        &format!(
            "DefaultEndpointsProtocol=https;AccountName=x;Account{}={account_key};",
            "Key"
        ),
    );
    miss(
        "azure-storage-account-key",
        "/app/a.cs",
        &format!("AccountKey={}==;", fake(B64, 40, 5)),
    );
    hit(
        "digitalocean-token",
        "/app/a",
        &format!("t = do{}{}\n", "p_v1_", fake(HEX, 64, 6)),
    );
    miss(
        "digitalocean-token",
        "/app/a",
        &format!("t = do{}{}\n", "p_v1_", fake(HEX, 63, 6)),
    );
}

#[test]
fn git_hosts_and_ci() {
    let body = fake(ALNUM, 36, 7);
    hit(
        "github-pat",
        "/app/a",
        &format!("token: gh{}_{body}\n", "p"),
    );
    miss(
        "github-pat",
        "/app/a",
        &format!("token: gh{}_{}\n", "p", &body[..35]),
    );
    miss(
        "github-pat",
        "/app/a",
        &format!("token: gh{}_{body}x\n", "p"),
    );
    hit("github-oauth-token", "/app/a", &format!("gh{}_{body}", "o"));
    hit("github-app-token", "/app/a", &format!("gh{}_{body}", "s"));
    hit("github-app-token", "/app/a", &format!("gh{}_{body}", "u"));
    hit(
        "github-refresh-token",
        "/app/a",
        &format!("gh{}_{}", "r", fake(ALNUM, 76, 8)),
    );
    hit(
        "github-fine-grained-pat",
        "/app/a",
        &format!(
            "github{}_{}_{}",
            "_pat",
            fake(ALNUM, 22, 9),
            fake(ALNUM, 59, 10)
        ),
    );
    miss(
        "github-fine-grained-pat",
        "/app/a",
        &format!(
            "github{}_{}_{}",
            "_pat",
            fake(ALNUM, 22, 9),
            fake(ALNUM, 50, 10)
        ),
    );
    hit(
        "gitlab-pat",
        "/app/a",
        &format!("gl{}-{}", "pat", fake(ALNUM, 20, 11)),
    );
    miss(
        "gitlab-pat",
        "/app/a",
        &format!("gl{}-{}", "pat", fake(ALNUM, 19, 11)),
    );
    hit(
        "gitlab-ci-token",
        "/app/a",
        &format!("gl{}-{}", "rt", fake(ALNUM, 20, 12)),
    );
    hit(
        "gitlab-ci-token",
        "/app/a",
        &format!("gl{}-{}", "ptt", fake(HEX, 40, 13)),
    );
    miss(
        "gitlab-ci-token",
        "/app/a",
        &format!("gl{}-{}", "ptt", fake(HEX, 39, 13)),
    );
}

#[test]
fn chat_payments_messaging() {
    let slack = format!(
        "xo{}-{}-{}-{}",
        "xb",
        fake("0123456789", 12, 14),
        fake("0123456789", 13, 15),
        fake(ALNUM, 24, 16)
    );
    hit(
        "slack-token",
        "/app/n.json",
        &format!("{{\"token\": \"{slack}\"}}"),
    );
    miss(
        "slack-token",
        "/app/n.json",
        &format!("\"xo{}-{}\"", "xz", fake(ALNUM, 30, 17)),
    );
    hit(
        "slack-webhook-url",
        "/app/n",
        &format!(
            "https://hooks.{}/services/T{}/B{}/{}",
            "slack.com",
            fake(UPPER, 8, 18),
            fake(UPPER, 10, 19),
            fake(ALNUM, 24, 20)
        ),
    );
    hit(
        "stripe-secret-key",
        "/app/p.rb",
        &format!("sk{}_{}", "_live", fake(ALNUM, 24, 21)),
    );
    hit(
        "stripe-secret-key",
        "/app/p.rb",
        &format!("rk{}_{}", "_test", fake(ALNUM, 24, 21)),
    );
    miss(
        "stripe-secret-key",
        "/app/p.rb",
        &format!("pk{}_{}", "_live", fake(ALNUM, 24, 21)),
    );
    hit(
        "twilio-api-key",
        "/app/t",
        &format!("sid = S{}{}\n", "K", fake(HEX, 32, 22)),
    );
    miss(
        "twilio-api-key",
        "/app/t",
        &format!("sid = S{}{}\n", "K", fake(HEX, 32, 22).to_uppercase()),
    );
    miss(
        "twilio-api-key",
        "/app/t",
        &format!("sid = S{}{}\n", "K", fake(HEX, 31, 22)),
    );
    hit(
        "sendgrid-api-key",
        "/app/m",
        &format!("S{}.{}.{}", "G", fake(ALNUM, 22, 23), fake(ALNUM, 43, 24)),
    );
    hit(
        "shopify-token",
        "/app/s",
        &format!("shp{}_{}", "at", fake(HEX, 32, 25)),
    );
    miss(
        "shopify-token",
        "/app/s",
        &format!("shp{}_{}", "xx", fake(HEX, 32, 25)),
    );
}

#[test]
fn registries_and_services() {
    hit(
        "npm-token",
        "/app/a",
        &format!("np{}_{}", "m", fake(ALNUM, 36, 26)),
    );
    miss(
        "npm-token",
        "/app/a",
        &format!("np{}_{}", "m", fake(ALNUM, 30, 26)),
    );
    let npmrc = format!(
        "//registry.npmjs.org/:_auth{}={}\n",
        "Token",
        fake(ALNUM, 36, 27)
    );
    hit("npmrc-auth", "/root/.npmrc", &npmrc);
    miss("npmrc-auth", "/root/notes.txt", &npmrc);
    miss(
        "npmrc-auth",
        "/root/.npmrc",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    );
    hit(
        "pypi-token",
        "/root/.pypirc",
        &format!(
            "password = pypi-{}{}",
            "AgEIcHlwaS5vcmc",
            fake(B64URL, 60, 28)
        ),
    );
    miss(
        "pypi-token",
        "/root/.pypirc",
        &format!(
            "password = pypi-{}{}",
            "AgEIcHlwaS5vcmc",
            fake(B64URL, 20, 28)
        ),
    );
    hit(
        "dockerhub-pat",
        "/app/a",
        &format!("dckr{}_{}", "_pat", fake(B64URL, 27, 29)),
    );
    let auth = b64std(format!("ci-bot:{}", fake(ALNUM, 20, 30)).as_bytes());
    let docker = format!("{{\"auths\": {{\"registry.example.org\": {{\"auth\": \"{auth}\"}}}}}}");
    hit("docker-config-auth", "/root/.docker/config.json", &docker);
    miss("docker-config-auth", "/app/other.json", &docker);
    let no_colon = b64std(fake(ALNUM, 20, 31).as_bytes());
    miss(
        "docker-config-auth",
        "/root/.docker/config.json",
        &format!("{{\"auths\": {{\"r\": {{\"auth\": \"{no_colon}\"}}}}}}"),
    );
    hit(
        "hashicorp-vault-token",
        "/app/a",
        &format!("VAULT=hv{}.{}", "s", fake(B64URL, 90, 32)),
    );
    hit(
        "openai-api-key",
        "/app/a",
        &format!(
            "sk-proj-{}T3Blbk{}{}",
            fake(ALNUM, 30, 33),
            "FJ",
            fake(ALNUM, 30, 34)
        ),
    );
    hit(
        "huggingface-token",
        "/app/a",
        &format!("h{}_{}", "f", fake(LOWER, 34, 35)),
    );
    miss(
        "huggingface-token",
        "/app/a",
        &format!("h{}_{}", "f", fake(LOWER, 20, 35)),
    );
    hit(
        "age-secret-key",
        "/app/k",
        &format!(
            "AGE-SECRET-{}-1{}",
            "KEY",
            fake("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58, 36)
        ),
    );
}

fn pem(kind: &str, seed: u64, lines: usize) -> String {
    let mut s = format!("-----BEGIN {kind}-----\n");
    for i in 0..lines {
        s.push_str(&fake(B64, 64, seed + i as u64));
        s.push('\n');
    }
    s.push_str(&format!("-----END {kind}-----\n"));
    s
}

#[test]
fn private_keys() {
    for kind in [
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "DSA PRIVATE KEY",
        "PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
    ] {
        let text = pem(kind, 40, 5);
        let found = scan("/app/key.pem", &text);
        assert_eq!(found.len(), 1, "{kind}: {found:#?}");
        assert_eq!(found[0].rule_id, "private-key");
        assert_eq!((found[0].line, found[0].column), (1, 1));
        assert!(
            found[0]
                .redacted
                .starts_with(&format!("-----BEGIN {kind}-----"))
        );
        assert!(!found[0].with_certificate);
    }
    // RFC 1421 headers of a traditional encrypted key
    let enc = format!(
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{}\n\n{}\n-----END RSA PRIVATE KEY-----\n",
        fake(HEX, 32, 41).to_uppercase(),
        fake(B64, 64, 42)
    );
    hit("private-key", "/app/k", &enc);
    // PGP armour with a header and a blank line
    let pgp = format!(
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n{}\n-----END PGP PRIVATE KEY BLOCK-----\n",
        fake(B64, 64, 43)
    );
    hit("private-key", "/app/k.asc", &pgp);
    // a service-account JSON with escaped newlines
    let json = format!(
        "{{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\"}}",
        fake(B64, 64, 44)
    );
    hit("private-key", "/app/sa.json", &json);
    // certificate and key in one file
    let bundle = format!("{}{}", pem("CERTIFICATE", 50, 4), pem("PRIVATE KEY", 60, 4));
    let found = scan("/etc/ssl/private/bundle.pem", &bundle);
    assert!(
        found
            .iter()
            .any(|f| f.rule_id == "private-key" && f.with_certificate && f.line == 7)
    );
    // near misses: a bare header in code or docs, public keys, certificates
    miss(
        "private-key",
        "/app/x.py",
        "if line.startswith('-----BEGIN RSA PRIVATE KEY-----'):\n    pass\n",
    );
    miss(
        "private-key",
        "/app/x.txt",
        "-----BEGIN RSA PRIVATE KEY-----\n...\n",
    );
    miss("private-key", "/app/pub.pem", &pem("PUBLIC KEY", 45, 4));
    miss("private-key", "/app/cert.pem", &pem("CERTIFICATE", 46, 4));
}

#[test]
fn jwt() {
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url(br#"{"sub":"1234567890","name":"svc","iat":1516239022}"#);
    let sig = fake(B64URL, 43, 47);
    hit(
        "jwt",
        "/app/a",
        &format!("Authorization: Bearer {header}.{payload}.{sig}\n"),
    );
    // the header does not decode to JSON with an alg
    let not_json = b64url(br#"{"typ":"JWT","kid":"nothing here"}"#);
    miss("jwt", "/app/a", &format!("{not_json}.{payload}.{sig}"));
    // no signature part
    miss("jwt", "/app/a", &format!("{header}.{payload}."));
}

#[test]
fn password_in_url() {
    let pw = format!("{}-{}", fake(ALNUM, 8, 48), fake(ALNUM, 6, 49));
    let url = format!("postgres://appuser:{pw}@db.internal:5432/app");
    let found = scan("/app/app.yaml", &format!("database:\n  url: {url}\n"));
    let f = found
        .iter()
        .find(|f| f.rule_id == "password-in-url")
        .expect("password-in-url");
    assert_eq!((f.line, f.column), (2, 8));
    assert!(!f.redacted.contains(&pw), "{}", f.redacted);
    assert!(f.redacted.contains("postgres://appuser:"), "{}", f.redacted);
    for near in [
        "https://user:${PASSWORD}@host/x".to_owned(),
        "https://user:password@host/x".to_owned(),
        "https://user@host/x".to_owned(),
        "http://localhost:8080/path@x".to_owned(),
        "amqp://guest:<password>@broker".to_owned(),
    ] {
        miss("password-in-url", "/app/a.txt", &near);
    }
}

#[test]
fn generic_password_assignment() {
    let pw = format!("{}!{}", fake(ALNUM, 7, 50), fake(ALNUM, 5, 51));
    for (path, text) in [
        ("/app/.env", format!("DB_PASSWORD={pw}\n")),
        ("/app/config.yaml", format!("db:\n  password: \"{pw}\"\n")),
        ("/app/app.ini", format!("[db]\npasswd = {pw}\n")),
        ("/app/app.json", format!("{{\"client_secret\": \"{pw}\"}}")),
        (
            "/app/settings.xml",
            format!("<server><password>{pw}</password></server>"),
        ),
        ("/app/app.properties", format!("api.key={pw}\n")),
    ] {
        hit("generic-password-assignment", path, &text);
    }
    // not a configuration file
    miss(
        "generic-password-assignment",
        "/app/main.py",
        &format!("password = '{pw}'\n"),
    );
    for text in [
        "password: changeme\n",
        "password=${DB_PASSWORD}\n",
        "password: \"{{ vault_db_password }}\"\n",
        "password_file: /run/secrets/db\n",
        "token_url: https://auth.example.org/token\n",
        "password=abc\n",
        "secret: true\n",
        "password: !vault |\n",
    ] {
        miss("generic-password-assignment", "/app/app.yaml", text);
    }
    // Names, not values: botocore's service models (paginators-1.json in
    // every AWS service of every image with boto3 or the AWS CLI) and
    // schemas. Each of these was a finding on a developer machine's rootfs.
    for text in [
        "{\"ListThings\": {\"input_token\": \"NextToken\", \"output_token\": \"NextToken\"}}",
        "{\"input_token\": \"nextToken\", \"limit_key\": \"maxResults\"}",
        "{\"input_token\": \"Marker\", \"output_token\": \"Marker\"}",
        "{\"output_token\": \"DistributionList.NextMarker\"}",
        "{\"password_field\": \"userPassword\"}",
    ] {
        miss(
            "generic-password-assignment",
            "/usr/lib/x/paginators-1.json",
            text,
        );
    }
    // ...while a word under a password key is still somebody's password.
    hit(
        "generic-password-assignment",
        "/app/.env",
        "DB_PASSWORD=Summertime\n",
    );
    // a specific rule wins over the generic one on the same text
    let key = akia(52);
    let found = ids("/app/.env", &format!("AWS_ACCESS_KEY={key}\n"));
    assert_eq!(found, vec!["aws-access-key-id".to_owned()]);
}

#[test]
fn file_specific_rules() {
    let pw = fake(ALNUM, 14, 53);
    hit(
        "netrc-password",
        "/root/.netrc",
        &format!("machine github.com login bot password {pw}\n"),
    );
    miss(
        "netrc-password",
        "/root/notes",
        &format!("machine x login y password {pw}\n"),
    );
    hit(
        "pgpass-password",
        "/root/.pgpass",
        &format!("db.internal:5432:app:appuser:{pw}\n"),
    );
    miss(
        "pgpass-password",
        "/root/.pgpass",
        "# host:port:db:user:password\n",
    );
    let hash = format!("$6${}${}", fake(ALNUM, 16, 54), fake(ALNUM, 86, 55));
    hit(
        "shadow-password-hash",
        "/etc/shadow",
        &format!("root:{hash}:19700:0:99999:7:::\n"),
    );
    miss(
        "shadow-password-hash",
        "/etc/shadow",
        "root:*:19700:0:99999:7:::\ndaemon:!:19700:0:99999:7:::\n",
    );
    miss(
        "shadow-password-hash",
        "/srv/shadow.txt",
        &format!("root:{hash}:19700:0:99999:7:::\n"),
    );
}

#[test]
fn lines_columns_and_redaction() {
    let token = format!("gh{}_{}", "p", fake(ALNUM, 36, 56));
    let text = format!("# config\n\nname: x\n  github_token: {token}\n");
    let found = scan("/app/app.yaml", &text);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!((f.line, f.column), (4, 17));
    assert_eq!(f.severity, Severity::Critical);
    // keeps a few leading characters, masks the rest, never the whole secret
    assert!(f.redacted.starts_with("ghp_"), "{}", f.redacted);
    assert!(!f.redacted.contains(&token[4..]), "{}", f.redacted);
    assert_eq!(f.redacted.matches('*').count(), 32);
    // a long secret: at most 32 mask characters
    let long = bosun_checks::redact(&[b'x'; 500], &(0..500), &(0..500));
    assert_eq!(long, format!("xxxx{}", "*".repeat(32)));
    // a short one keeps nothing
    assert_eq!(bosun_checks::redact(b"abcde", &(0..5), &(0..5)), "*****");
}

#[test]
fn binary_files_are_skipped() {
    let token = format!("gh{}_{}", "p", fake(ALNUM, 36, 57));
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec();
    elf.extend_from_slice(token.as_bytes());
    assert!(
        SecretScanner::builtin()
            .scan_file("/usr/bin/app", &elf)
            .is_empty()
    );
    let mut latin = b"caf\xe9 ".to_vec();
    latin.extend_from_slice(token.as_bytes());
    assert!(
        SecretScanner::builtin()
            .scan_file("/app/a.txt", &latin)
            .is_empty()
    );
    // by name: never read
    let s = SecretScanner::builtin();
    let meta = FileMeta::file(100, 0o644);
    for p in [
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
        "/app/a.jar",
        "/app/logo.PNG",
        "/x/y.pyc",
    ] {
        assert!(!s.want(p, &meta).inspect, "{p}");
    }
    assert!(s.want("/app/config.yaml", &meta).inspect);
    assert!(!s.want("/app/empty.env", &FileMeta::file(0, 0o644)).inspect);
    assert!(!s.want("/usr/share/doc/x/README", &meta).inspect);
}

/// Counts what a reader handed out.
struct Counting<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

#[test]
fn sizes_are_bounded() {
    let s = SecretScanner::builtin();
    // a 10 GB claim is not read, and said once
    let huge = FileMeta::file(10 << 30, 0o644);
    assert!(!s.want("/app/huge.log", &huge).inspect);
    assert!(!s.want("/app/huge.log", &huge).inspect);
    let w = s.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("/app/huge.log"), "{w:?}");

    // one 100 MB line from a source that lies about the size: at most
    // max_file_size bytes are read, a secret inside the bound is found and
    // one beyond it is not
    let config = SecretsConfig {
        max_file_size: 1 << 20,
        ..SecretsConfig::default()
    };
    let s = SecretScanner::new(&config).expect("scanner");
    let token = |seed| format!("gh{}_{}", "p", fake(ALNUM, 36, seed));
    let mut head = format!("x {} ", token(58)).into_bytes();
    head.resize(900_000, b'a');
    let tail = format!(" {} ", token(59)).into_bytes();
    let body = std::io::repeat(b'a').take(100 << 20);
    let reader = std::io::Cursor::new(head)
        .chain(body)
        .chain(std::io::Cursor::new(tail));
    let mut counting = Counting {
        inner: reader,
        read: 0,
    };
    let meta = FileMeta::file(1000, 0o644);
    assert!(s.want("/app/one-line.txt", &meta).inspect);
    s.inspect(3, "/app/one-line.txt", &meta, &mut counting);
    assert!(counting.read <= 1 << 20, "read {} bytes", counting.read);
    let found = s.layer_results(3).findings;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].layer, Some(3));
    assert_eq!(found[0].column, 3);
}

#[test]
fn allow_lists_and_disabled_rules() {
    let token = format!("gh{}_{}", "p", fake(ALNUM, 36, 60));
    let text = format!("token: {token}\n");
    let config = SecretsConfig {
        allow_paths: vec!["/opt/fixtures/**".into(), "**/*.sample".into()],
        allow_patterns: vec![format!("{}$", &token[30..])],
        ..SecretsConfig::default()
    };
    let s = SecretScanner::new(&config).expect("scanner");
    let meta = FileMeta::file(10, 0o644);
    assert!(!s.want("/opt/fixtures/a/b.txt", &meta).inspect);
    assert!(!s.want("/etc/app.conf.sample", &meta).inspect);
    assert!(s.want("/etc/app.conf", &meta).inspect);
    // the allowed pattern drops the match
    assert!(s.scan_file("/etc/app.conf", text.as_bytes()).is_empty());
    let other = format!("token: gh{}_{}\n", "p", fake(ALNUM, 36, 61));
    assert_eq!(s.scan_file("/etc/app.conf", other.as_bytes()).len(), 1);

    let config = SecretsConfig {
        disable_rules: vec!["github-pat".into()],
        ..SecretsConfig::default()
    };
    let s = SecretScanner::new(&config).expect("scanner");
    assert!(s.scan_file("/app/a", text.as_bytes()).is_empty());
    assert!(!s.rules().iter().any(|r| r.id == "github-pat"));

    // the built-in path list can be turned off
    let config = SecretsConfig {
        builtin_allow_paths: false,
        ..SecretsConfig::default()
    };
    let s = SecretScanner::new(&config).expect("scanner");
    assert!(s.want("/usr/share/doc/x/README", &meta).inspect);
}

#[test]
fn custom_rules() {
    let yaml = r#"
rules:
  - id: acme-api-key
    severity: high
    keywords: [acme_]
    regex: '\bacme_(?P<secret>[a-z0-9]{32})\b'
    description: ACME internal API key
  - id: internal-host-password
    severity: LOW
    regex: 'corp-pw:(?P<secret>\S{8,})'
    paths: ["/srv/**/*.cfg"]
disable_rules: [jwt]
"#;
    let config = SecretsConfig::from_yaml(yaml).expect("parse");
    assert_eq!(config.rules.len(), 2);
    let s = SecretScanner::new(&config).expect("scanner");
    let key = format!(
        "acme_{}",
        fake("abcdefghijklmnopqrstuvwxyz0123456789", 32, 62)
    );
    let found = s.scan_file("/app/a.txt", format!("k={key}\n").as_bytes());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].rule_id, "acme-api-key");
    assert_eq!(found[0].severity, Severity::High);
    assert!(
        found[0].redacted.starts_with("acme_"),
        "{}",
        found[0].redacted
    );
    // keyword absent (ACME_ in another case still counts: ASCII case-insensitive)
    assert!(s.scan_file("/app/a.txt", b"nothing here").is_empty());
    // a rule restricted by path globs
    let line = format!("corp-pw:{}\n", fake(ALNUM, 12, 63));
    assert_eq!(s.scan_file("/srv/app/conf/a.cfg", line.as_bytes()).len(), 1);
    assert!(s.scan_file("/etc/a.cfg", line.as_bytes()).is_empty());
    assert!(
        s.rules()
            .iter()
            .any(|r| r.id == "acme-api-key" && !r.builtin)
    );
}

#[test]
fn config_errors_name_the_rule() {
    let bad = |rule: CustomRule| SecretsConfig {
        rules: vec![rule],
        ..SecretsConfig::default()
    };
    let rule = |id: &str, regex: &str| CustomRule {
        id: id.into(),
        severity: Severity::High,
        keywords: vec![],
        regex: regex.into(),
        title: None,
        description: None,
        paths: vec![],
    };
    match SecretScanner::new(&bad(rule("broken", "(unclosed"))) {
        Err(ConfigError::InvalidRegex { rule, message }) => {
            assert_eq!(rule, "broken");
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let e = SecretScanner::new(&bad(rule("github-pat", "x"))).expect_err("duplicate");
    assert_eq!(
        e.to_string(),
        "secrets rule `github-pat`: the id is used twice (built-in rules included)"
    );
    assert!(matches!(
        SecretScanner::new(&bad(rule(" ", "x"))),
        Err(ConfigError::EmptyId { index: 0 })
    ));
    // a regex too big to compile within the bound
    assert!(matches!(
        SecretScanner::new(&bad(rule("huge", "(?:a{1000}){1000}"))),
        Err(ConfigError::InvalidRegex { .. })
    ));
    let mut with_glob = rule("globbed", "x");
    with_glob.paths = vec!["[".into()];
    assert!(matches!(
        SecretScanner::new(&bad(with_glob)),
        Err(ConfigError::InvalidRuleGlob { rule, .. }) if rule == "globbed"
    ));
    let c = SecretsConfig {
        disable_rules: vec!["no-such-rule".into()],
        ..SecretsConfig::default()
    };
    assert!(matches!(
        SecretScanner::new(&c),
        Err(ConfigError::UnknownDisabledRule { .. })
    ));
    let c = SecretsConfig {
        allow_patterns: vec!["(".into()],
        ..SecretsConfig::default()
    };
    assert!(matches!(
        SecretScanner::new(&c),
        Err(ConfigError::InvalidAllowPattern { .. })
    ));
    let c = SecretsConfig {
        max_file_size: 0,
        ..SecretsConfig::default()
    };
    assert!(SecretScanner::new(&c).is_err());
    assert!(SecretsConfig::from_yaml("rules: [{id: x}]").is_err());
    assert!(SecretsConfig::from_yaml("unknown_field: 1").is_err());
    assert!(SecretsConfig::from_yaml("rules: [{id: x, severity: loud, regex: y}]").is_err());
}

#[test]
fn the_rule_list_is_complete_in_the_docs() {
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/SECRETS.md"),
    )
    .expect("docs/SECRETS.md");
    for r in SecretScanner::builtin().rules() {
        assert!(
            docs.contains(&format!("`{}`", r.id)),
            "docs/SECRETS.md lacks {}",
            r.id
        );
    }
}
