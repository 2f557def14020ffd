//! The built-in secret rules.
//!
//! Written for bosun (ideas from the public rule sets of Trivy and gitleaks:
//! a keyword per rule for the prefilter, a capture group for the secret
//! itself). Every regex is compiled with Unicode off: `\w`, `\s`, `\b`, `(?i)`
//! are ASCII, and `.`/negated classes match any byte, so binary junk cannot
//! make a rule fail to match text around it.

use bosun_model::Severity;

/// Which files a rule reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every text file (and config entries and history lines).
    Any,
    /// Configuration-style files only: `.env`, `.ini`, `.conf`, `.cfg`,
    /// `.cnf`, `.properties`, `.yaml`, `.yml`, `.json`, `.toml`, `.xml`,
    /// `.tfvars`, `.npmrc`, `.pypirc` (and config entries and history lines).
    ConfigFiles,
    /// Files with exactly one of these names (the last path component), or,
    /// for names starting with `/`, exactly these paths.
    Names(&'static [&'static str]),
}

/// A check run on the secret a regex captured, to drop look-alikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validate {
    None,
    /// A value people type: drop placeholders (`changeme`, `${VAR}`,
    /// `<password>`, `xxxxxx`...).
    Password,
    /// A `key = value` line: [`Validate::Password`], and the value must not
    /// be a name in code or data ([`is_reference`]).
    Assignment,
    /// A Docker `auth` value: base64 of `user:password`.
    DockerAuth,
    /// A JWT: the header decodes to JSON with an `alg`.
    Jwt,
}

/// One built-in rule.
#[derive(Debug, Clone)]
pub(crate) struct Builtin {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Lower-case; the prefilter matches them ASCII-case-insensitively.
    pub keywords: &'static [&'static str],
    /// Named groups starting with `secret` mark the secret; the first one
    /// that matched is the secret, else the whole match.
    pub regex: &'static str,
    pub scope: Scope,
    pub validate: Validate,
    /// A catch-all rule: it yields to any other rule that matched an
    /// overlapping span.
    pub generic: bool,
    pub description: &'static str,
}

const fn rule(
    id: &'static str,
    title: &'static str,
    severity: Severity,
    keywords: &'static [&'static str],
    regex: &'static str,
    description: &'static str,
) -> Builtin {
    Builtin {
        id,
        title,
        severity,
        keywords,
        regex,
        scope: Scope::Any,
        validate: Validate::None,
        generic: false,
        description,
    }
}

/// The names of files the config-file scope covers, by extension or name.
pub(crate) fn is_config_file(path: &str) -> bool {
    let name = bosun_tree::path::file_name(path);
    let lower = name.to_ascii_lowercase();
    if lower == ".env"
        || lower.starts_with(".env.")
        || lower == ".npmrc"
        || lower == ".pypirc"
        || lower == ".netrc"
        || lower == ".git-credentials"
        || lower == "credentials"
    {
        return true;
    }
    match lower.rsplit_once('.') {
        Some((_, ext)) => matches!(
            ext,
            "env"
                | "ini"
                | "conf"
                | "cfg"
                | "cnf"
                | "properties"
                | "yaml"
                | "yml"
                | "json"
                | "toml"
                | "xml"
                | "tfvars"
        ),
        None => false,
    }
}

/// A secret that looks like a placeholder rather than a real value.
pub(crate) fn is_placeholder(secret: &[u8]) -> bool {
    let s = String::from_utf8_lossy(secret);
    let t = s.trim();
    if t.is_empty() {
        return true;
    }
    let lower = t.to_ascii_lowercase();
    // Variable references and templates: $VAR, ${VAR}, %(name)s, {{ x }},
    // <password>, @PASSWORD@, YAML tags/anchors/aliases.
    if let Some(first) = lower.chars().next()
        && matches!(
            first,
            '$' | '%' | '<' | '{' | '@' | '!' | '&' | '*' | '[' | '('
        )
    {
        return true;
    }
    if lower.contains("${")
        || lower.contains("$(")
        || lower.contains("{{")
        || lower.contains("%(")
        || lower.contains("...")
    {
        return true;
    }
    // The same character over and over: xxxxxx, ******, 000000.
    let mut chars = lower.chars();
    if let Some(c) = chars.next()
        && chars.all(|d| d == c)
    {
        return true;
    }
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "pass",
        "passphrase",
        "secret",
        "token",
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "example",
        "sample",
        "dummy",
        "placeholder",
        "redacted",
        "hidden",
        "masked",
        "none",
        "null",
        "nil",
        "undefined",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "required",
        "optional",
        "default",
        "empty",
        "unset",
        "notset",
        "test",
        "testing",
        "username",
        "user",
        "yourpassword",
        "your_password",
        "your-password",
        "mypassword",
        "my_password",
        "secretpassword",
        "supersecret",
        "apikey",
        "api_key",
        "your_api_key",
        "your-api-key",
        "your_token",
        "your-token",
        "string",
        "str",
    ];
    WORDS.contains(&lower.as_str())
}

/// Published documentation values that are not anyone's secret: every
/// secret containing `example` (case-insensitive), which covers AWS's
/// `AKIAIOSFODNN7EXAMPLE` / `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` pair.
pub(crate) fn is_documentation_example(secret: &[u8]) -> bool {
    memchr::memmem::find(&secret.to_ascii_lowercase(), b"example").is_some()
        || KNOWN_SAMPLES.contains(&secret)
}

/// Whether the value of a `key = value` match is a name rather than a
/// credential. `key` is the matched text before the value (the key, quotes
/// and the `=` or `:`).
///
/// - Any key: an identifier in camelCase, PascalCase compounds or dotted
///   paths of letters only (`nextToken`, `NextMarker`,
///   `DistributionList.NextMarker`), as API models and schemas write
///   (botocore's `"input_token": "NextToken"` in every AWS service model).
/// - Keys for machine-made credentials (token, API, access, private or auth
///   key; not password, passwd or secret): any value of letters alone
///   (`"output_token": "Marker"`). Generated tokens and keys carry digits;
///   passwords are chosen by people and may be words, so words are kept
///   under password keys.
pub(crate) fn is_reference(key: &[u8], value: &[u8]) -> bool {
    let letters_only = !value.is_empty()
        && value
            .iter()
            .all(|&b| b.is_ascii_alphabetic() || matches!(b, b'.' | b'_' | b'-'))
        && value.first().is_some_and(u8::is_ascii_alphabetic)
        && value.last().is_some_and(u8::is_ascii_alphabetic);
    if !letters_only {
        return false;
    }
    let compound = value.contains(&b'.')
        || value
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    if compound {
        return true;
    }
    let key = key.to_ascii_lowercase();
    let has = |w: &[u8]| memchr::memmem::find(&key, w).is_some();
    !(has(b"pass") || has(b"secret"))
}

/// Sample credentials that distributions ship in default configuration
/// files: the same public value in every image with the package.
const KNOWN_SAMPLES: &[&[u8]] = &[
    // OpenSSL's openssl.cnf (Debian 12 and later): the `cmp` demo section
    // for the Insta Demo CA, `secret = pass:insta`.
    b"pass:insta",
];

pub(crate) const BUILTIN: &[Builtin] = &[
    // ---- cloud providers -------------------------------------------------
    rule(
        "aws-access-key-id",
        "AWS access key ID",
        Severity::Critical,
        &[
            "akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "aipa", "anpa", "anva", "apka",
        ],
        r"\b(?P<secret>(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z2-7]{16})\b",
        "An AWS access key ID (long-term `AKIA`, temporary `ASIA`, and the other IAM prefixes). On its own it identifies a key; next to its secret it is a credential.",
    ),
    rule(
        "aws-secret-access-key",
        "AWS secret access key",
        Severity::Critical,
        &["aws", "secret_access", "secretaccess", "secret-access"],
        r#"(?i)(?:aws[_.-]?(?:secret[_.-]?)?(?:access[_.-]?)?key|secret[_.-]?access[_.-]?key)["']?[ \t]*(?::|=>|=)[ \t]*["']?(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        "A 40-character AWS secret access key assigned to a key named like `aws_secret_access_key` or `SecretAccessKey`.",
    ),
    rule(
        "google-api-key",
        "Google API key",
        Severity::High,
        &["aiza"],
        r"\b(?P<secret>AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
        "A Google Cloud / Firebase API key (`AIza` followed by 35 characters).",
    ),
    rule(
        "google-oauth-client-secret",
        "Google OAuth client secret",
        Severity::High,
        &["gocspx-"],
        r"\b(?P<secret>GOCSPX-[0-9A-Za-z_-]{28})(?:[^0-9A-Za-z_-]|$)",
        "A Google OAuth 2.0 client secret (`GOCSPX-`).",
    ),
    rule(
        "azure-storage-account-key",
        "Azure storage account key",
        Severity::Critical,
        &["accountkey"],
        r"(?i:AccountKey)=(?P<secret>[A-Za-z0-9+/]{86}==)",
        "The `AccountKey=` part of an Azure storage connection string (88 base64 characters).",
    ),
    rule(
        "digitalocean-token",
        "DigitalOcean token",
        Severity::High,
        &["dop_v1_", "doo_v1_", "dor_v1_"],
        r"\b(?P<secret>do[opr]_v1_[a-f0-9]{64})\b",
        "A DigitalOcean personal access, OAuth or refresh token.",
    ),
    // ---- Git hosts and CI ----------------------------------------------
    rule(
        "github-pat",
        "GitHub personal access token (classic)",
        Severity::Critical,
        &["ghp_"],
        r"\b(?P<secret>ghp_[A-Za-z0-9]{36})\b",
        "A classic GitHub personal access token (`ghp_` + 36 characters).",
    ),
    rule(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        Severity::Critical,
        &["github_pat_"],
        r"\b(?P<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b",
        "A fine-grained GitHub personal access token (`github_pat_`).",
    ),
    rule(
        "github-oauth-token",
        "GitHub OAuth access token",
        Severity::Critical,
        &["gho_"],
        r"\b(?P<secret>gho_[A-Za-z0-9]{36})\b",
        "A GitHub OAuth access token (`gho_`).",
    ),
    rule(
        "github-app-token",
        "GitHub App or Actions token",
        Severity::Critical,
        &["ghu_", "ghs_"],
        r"\b(?P<secret>gh[us]_[A-Za-z0-9]{36})\b",
        "A GitHub App user-to-server (`ghu_`) or server-to-server token (`ghs_`, which GitHub Actions' `GITHUB_TOKEN` also uses).",
    ),
    rule(
        "github-refresh-token",
        "GitHub refresh token",
        Severity::Critical,
        &["ghr_"],
        r"\b(?P<secret>ghr_[A-Za-z0-9]{36,76})\b",
        "A GitHub App refresh token (`ghr_`).",
    ),
    rule(
        "gitlab-pat",
        "GitLab personal access token",
        Severity::Critical,
        &["glpat-"],
        r"\b(?P<secret>glpat-[A-Za-z0-9_-]{20}[A-Za-z0-9_.-]{0,60})",
        "A GitLab personal, project or group access token (`glpat-`).",
    ),
    rule(
        "gitlab-ci-token",
        "GitLab CI/runner/deploy token",
        Severity::High,
        &[
            "glrt-", "glcbt-", "gldt-", "glft-", "glsoat-", "glimt-", "glagent-", "glptt-",
        ],
        r"\b(?P<secret>(?:glrt|glcbt|gldt|glft|glsoat|glimt|glagent)-[A-Za-z0-9_-]{20}[A-Za-z0-9_.-]{0,60}|glptt-[0-9a-f]{40})",
        "A GitLab runner (`glrt-`), CI build (`glcbt-`), deploy (`gldt-`), feed, SCIM/OAuth, incoming-mail, agent or pipeline-trigger (`glptt-`) token.",
    ),
    // ---- chat, payments, messaging -----------------------------------
    rule(
        "slack-token",
        "Slack token",
        Severity::High,
        &[
            "xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-", "xoxe-", "xoxo-", "xoxe.",
        ],
        r"\b(?P<secret>xox(?:[abeoprs]|e\.xox[bp])-[0-9A-Za-z][0-9A-Za-z-]{9,250})",
        "A Slack bot (`xoxb-`), user (`xoxp-`), app, refresh or legacy token.",
    ),
    rule(
        "slack-webhook-url",
        "Slack incoming webhook URL",
        Severity::Medium,
        &["hooks.slack.com"],
        r"(?P<secret>https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{20,150})",
        "A Slack incoming-webhook URL: anyone holding it can post to the channel.",
    ),
    rule(
        "stripe-secret-key",
        "Stripe secret or restricted key",
        Severity::Critical,
        &["sk_live_", "sk_test_", "rk_live_", "rk_test_"],
        r"\b(?P<secret>[rs]k_(?:live|test)_[0-9A-Za-z]{10,247})\b",
        "A Stripe secret (`sk_live_`, `sk_test_`) or restricted (`rk_`) API key.",
    ),
    rule(
        "twilio-api-key",
        "Twilio API key",
        Severity::High,
        &["sk"],
        r"\b(?P<secret>SK[0-9a-f]{32})\b",
        "A Twilio API key SID (`SK` + 32 lower-case hex digits); its secret is usually next to it.",
    ),
    rule(
        "sendgrid-api-key",
        "SendGrid API key",
        Severity::High,
        &["sg."],
        r"\b(?P<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        "A SendGrid API key (`SG.` + two base64url parts).",
    ),
    rule(
        "shopify-token",
        "Shopify access token",
        Severity::High,
        &["shpat_", "shpca_", "shppa_", "shpss_"],
        r"\b(?P<secret>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b",
        "A Shopify private-app, custom-app or shared secret token.",
    ),
    // ---- package registries and developer services --------------------
    rule(
        "npm-token",
        "npm access token",
        Severity::High,
        &["npm_"],
        r"\b(?P<secret>npm_[A-Za-z0-9]{36})\b",
        "An npm access token (`npm_` + 36 characters).",
    ),
    Builtin {
        scope: Scope::Names(&[".npmrc", "npmrc", ".yarnrc", ".yarnrc.yml"]),
        validate: Validate::Password,
        ..rule(
            "npmrc-auth",
            "npm registry credential in .npmrc",
            Severity::High,
            &["_auth", "npmauthtoken"],
            r#"(?i)(?:_authToken|_auth|_password|npmAuthToken)["']?[ \t]*[=:][ \t]*["']?(?P<secret>[^\s"'$]{8,512})"#,
            "An `_authToken`, `_auth` or `_password` entry of an `.npmrc` (or `npmAuthToken` of `.yarnrc.yml`) with a literal value.",
        )
    },
    rule(
        "pypi-token",
        "PyPI upload token",
        Severity::High,
        &["pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"],
        r"\b(?P<secret>pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000})",
        "A PyPI (or TestPyPI) API token: a macaroon whose base64 starts with the registry's name.",
    ),
    rule(
        "dockerhub-pat",
        "Docker Hub personal access token",
        Severity::High,
        &["dckr_pat_"],
        r"\b(?P<secret>dckr_pat_[A-Za-z0-9_-]{27})(?:[^A-Za-z0-9_-]|$)",
        "A Docker Hub personal access token (`dckr_pat_`).",
    ),
    Builtin {
        scope: Scope::Names(&["config.json", ".dockercfg", "auth.json"]),
        validate: Validate::DockerAuth,
        ..rule(
            "docker-config-auth",
            "Registry credential in a Docker config",
            Severity::High,
            &["\"auth\""],
            r#""auth"[ \t]*:[ \t]*"(?P<secret>[A-Za-z0-9+/]{6,1000}={0,2})""#,
            "An `auths` entry of `~/.docker/config.json`, `.dockercfg` or a containers `auth.json`: base64 of `user:password` for a registry.",
        )
    },
    rule(
        "hashicorp-vault-token",
        "HashiCorp Vault token",
        Severity::High,
        &["hvs.", "hvb."],
        r"\b(?P<secret>hv[sb]\.[A-Za-z0-9_-]{24,512})",
        "A HashiCorp Vault service (`hvs.`) or batch (`hvb.`) token.",
    ),
    rule(
        "openai-api-key",
        "OpenAI API key",
        Severity::High,
        &["t3blbkfj"],
        r"\b(?P<secret>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200})",
        "An OpenAI API key (its middle holds the base64 of `OpenAI`).",
    ),
    rule(
        "huggingface-token",
        "Hugging Face access token",
        Severity::High,
        &["hf_"],
        r"\b(?P<secret>hf_[A-Za-z]{34})\b",
        "A Hugging Face user access token (`hf_` + 34 letters).",
    ),
    rule(
        "age-secret-key",
        "age secret key",
        Severity::High,
        &["age-secret-key-1"],
        r"(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})",
        "A private key of the `age` file-encryption tool.",
    ),
    // ---- keys and tokens in standard formats ---------------------------
    rule(
        "private-key",
        "Private key",
        Severity::High,
        &["private key"],
        // A PEM (or JSON-escaped PEM) header for any private key type, RFC 1421
        // headers such as `Proc-Type: 4,ENCRYPTED`, and at least one line of
        // base64: a bare header in documentation does not match.
        r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:\r?\n|(?:\\r)?\\n)(?:[A-Za-z-]{1,40}:[^\r\n\\]{0,200}(?:\r?\n|(?:\\r)?\\n))*(?:\r?\n|(?:\\r)?\\n)?(?P<secret>[A-Za-z0-9+/=]{40,})",
        "A private key in PEM form: PKCS#1 (`RSA`), `EC`, `DSA`, PKCS#8 (plain and `ENCRYPTED`), `OPENSSH` and `PGP PRIVATE KEY BLOCK`, also inside JSON strings with `\\n` escapes (service-account files). Encrypted keys are reported too: the passphrase is often next to them.",
    ),
    Builtin {
        validate: Validate::Jwt,
        ..rule(
            "jwt",
            "JSON Web Token",
            Severity::Medium,
            &["eyj"],
            r"\b(?P<secret>eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{16,1024})",
            "A signed JSON Web Token (three base64url parts; the header must decode to JSON with an `alg`). Often a long-lived API or service-account token.",
        )
    },
    Builtin {
        validate: Validate::Password,
        ..rule(
            "password-in-url",
            "Password in a URL",
            Severity::High,
            &["://"],
            r#"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@?#"'<>`]{1,64}:(?P<secret>[^\s:/@?#"'<>`]{3,128})@[a-z0-9.\[\]_-]{1,253}"#,
            "Credentials written into a URL (`scheme://user:password@host`), e.g. a database or broker connection string.",
        )
    },
    Builtin {
        scope: Scope::ConfigFiles,
        validate: Validate::Assignment,
        generic: true,
        ..rule(
            "generic-password-assignment",
            "Password or secret in a configuration file",
            Severity::Medium,
            &[
                "password",
                "passwd",
                "secret",
                "token",
                "api_key",
                "apikey",
                "api-key",
                "api.key",
                "access_key",
                "accesskey",
                "access-key",
                "private_key",
                "privatekey",
                "auth_key",
                "authkey",
            ],
            r#"(?i)(?:^|[^a-z0-9_.-])[a-z0-9_.-]{0,40}(?:password|passwd|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key|auth[_.-]?key)(?:["']?[ \t]*(?::|=>|=)[ \t]*(?:"(?P<secret>[^"\s]{6,200})"|'(?P<secret2>[^'\s]{6,200})'|(?P<secret3>[^\s"'#;,{}\[\]<>]{6,200}))|>(?P<secret4>[^<\s]{6,200})</)"#,
            "A key named like a password, secret, token or API key with a literal value (not a placeholder or `${VARIABLE}`) in a configuration file (`.env`, `.ini`, `.conf`, `.cfg`, `.properties`, YAML, JSON, TOML, XML), an `Env` entry or a history line.",
        )
    },
    Builtin {
        scope: Scope::Names(&[".netrc", "_netrc"]),
        validate: Validate::Password,
        ..rule(
            "netrc-password",
            "Password in .netrc",
            Severity::High,
            &["password"],
            r"(?:^|\s)password[ \t]+(?P<secret>\S{3,200})",
            "A `password` entry of a `.netrc` file (used by curl, git, ftp, pip).",
        )
    },
    Builtin {
        scope: Scope::Names(&[".pgpass"]),
        validate: Validate::Password,
        ..rule(
            "pgpass-password",
            "Password in .pgpass",
            Severity::High,
            &[":"],
            r"(?m)^[^:#\s]+:[^:\s]+:[^:\s]+:[^:\s]+:(?P<secret>\S{3,200})$",
            "A PostgreSQL password file line (`host:port:db:user:password`).",
        )
    },
    Builtin {
        scope: Scope::Names(&["/etc/shadow", "/etc/gshadow"]),
        ..rule(
            "shadow-password-hash",
            "Password hash in /etc/shadow",
            Severity::Medium,
            &["$"],
            r"(?m)^[^:\s]+:(?P<secret>\$[0-9a-z]{1,10}\$[^:\s]{8,400}):",
            "A crypt(3) password hash of an account in `/etc/shadow` or `/etc/gshadow`: the image ships a login password that can be cracked offline and is the same in every container.",
        )
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for r in BUILTIN {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                r.id
            );
            assert!(!r.keywords.is_empty(), "{} has no keywords", r.id);
            for k in r.keywords {
                assert_eq!(*k, k.to_ascii_lowercase(), "{}: keyword {k}", r.id);
            }
        }
    }

    #[test]
    fn references_are_not_credentials() {
        for (k, v) in [
            (r#""input_token": ""#, "NextToken"),
            (r#""output_token": ""#, "nextToken"),
            (r#""output_token": ""#, "DistributionList.NextMarker"),
            (r#""input_token": ""#, "Marker"),
            ("api_key = ", "settings"),
            ("password: ", "userPassword"),
            ("secret=", "config.secret.value"),
        ] {
            assert!(is_reference(k.as_bytes(), v.as_bytes()), "{k}{v}");
        }
        for (k, v) in [
            ("password: ", "hunter"),
            ("DB_PASSWORD=", "Summer"),
            ("client_secret = ", "letters"),
            ("api_key = ", "a1b2c3d4e5"),
            (r#""token": ""#, "ghx_9f8e7d6c5b4a"),
            ("password: ", "Hunter2-not-a-real-password"),
            ("access_key=", "AbCdEfGhIj1"),
            ("token=", "-leading"),
        ] {
            assert!(!is_reference(k.as_bytes(), v.as_bytes()), "{k}{v}");
        }
    }

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "<password>",
            "{{ vault_pw }}",
            "%(password)s",
            "xxxxxxxx",
            "********",
            "PASSWORD",
            "!vault",
            "",
            "...",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for p in ["Hunter2-not-a-real-password", "s3cr3t!x", "pa55word"] {
            assert!(!is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn config_files() {
        for p in [
            "/app/.env",
            "/app/.env.production",
            "/etc/app/app.conf",
            "/x/settings.YAML",
            "/x/a.json",
            "/root/.npmrc",
            "/root/.aws/credentials",
        ] {
            assert!(is_config_file(p), "{p}");
        }
        for p in ["/usr/bin/env", "/app/main.py", "/app/README", "/x/a.jsonl"] {
            assert!(!is_config_file(p), "{p}");
        }
    }
}
