//! `bosun scan`: one read of the image gives the inventory, the secrets and
//! the compliance checks; the inventory is matched against the local
//! vulnerability database; ignore rules and VEX suppress findings; the CI
//! gate and the team's policy decide the exit code.
//!
//! Everything that can be refused up front (policy, ignore file, VEX,
//! secret rules, template, database) is read before the image is, so a typo
//! fails in milliseconds, not after a pull.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use bosun_checks::{CheckOptions, SecretScanner, SecretsConfig};
use bosun_gate::{GateOptions, IgnoreFile, Vex};
use bosun_model::{ScanResult, Severity};
use bosun_policy::Policy;
use bosun_report::TableOptions;

use crate::cli::{GateArgs, GlobalArgs, ScanArgs, ScanFormat, Scanner};

/// The ignore file read when `--ignore-file` is not given and it exists.
const DEFAULT_IGNORE_FILE: &str = ".bosunignore";

pub(crate) fn run(global: &GlobalArgs, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let wants = |s: Scanner| args.scanners.contains(&s);
    let gate = gate_options(&args.gate)?;
    let policy = args
        .policy
        .as_deref()
        .map(|p| Policy::load(p).context("cannot use the policy"))
        .transpose()?;
    if let Some(p) = &policy
        && p.needs_checks()
        && !wants(Scanner::Check)
    {
        bail!(
            "the policy requires compliance checks (checks.must_pass): add `check` to --scanners"
        );
    }
    let ignore = ignore_file(&args.gate)?;
    let vex = args
        .gate
        .vex
        .iter()
        .map(|p| Vex::load(p).context("cannot use the VEX document"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let template = args
        .template
        .as_deref()
        .map(|p| read_small(p, "template"))
        .transpose()?;
    let scanner = if wants(Scanner::Secret) {
        Some(secret_scanner(args, policy.as_ref())?)
    } else {
        None
    };
    let check_opts = CheckOptions::default();

    let needs_vulns = gate.active() || policy.as_ref().is_some_and(Policy::needs_vulnerabilities);
    let db = if wants(Scanner::Vuln) {
        open_db(global, args, needs_vulns)?
    } else if needs_vulns {
        bail!(
            "the gate (--fail-on, --min-cvss, --exit-code) or the policy's vulnerability rules need `vuln` in --scanners"
        );
    } else {
        None
    };

    let extras = bosun_scan::Extras {
        secrets: scanner.as_ref(),
        checks: wants(Scanner::Check).then_some(&check_opts),
    };
    let scanned = super::scan_image(global, &args.image, &extras)?;
    let mut result = ScanResult::new(scanned.inventory);
    result.secrets = scanned.secrets;
    result.checks = scanned.checks;

    if let Some(db) = &db {
        let opts = bosun_match::MatchOptions {
            include_dev: !args.skip_dev_dependencies,
        };
        let outcome = bosun_match::Matcher::with_options(db, opts)
            .match_inventory(&result.inventory)
            .context("matching the inventory against the vulnerability database")?;
        result.inventory.warnings.extend(outcome.warnings);
        result.findings = outcome.findings;
        result.db = Some(db.info().context("reading the database's metadata")?);
    }
    if let Some(ignore) = &ignore {
        for w in ignore.apply(&mut result.findings, bosun_gate::today()) {
            warn(global, &w);
        }
    }
    for v in &vex {
        v.apply(&mut result.findings, &result.inventory.source);
    }
    // The report shows what the filters let through; suppressed findings
    // stay, marked with who suppressed them and why.
    result.findings = gate.filter(std::mem::take(&mut result.findings));
    bosun_report::sort_findings(&mut result.findings);

    if let Some(p) = &policy {
        let verdict = p
            .evaluate(&result, jiff::Timestamp::now())
            .context("cannot evaluate the policy")?;
        result.policy = Some(verdict);
    }

    let text = render(args, template.as_deref(), &result)?;
    crate::output::write(args.output.as_deref(), text.as_bytes())?;

    // Exit code: the gate's code when it trips, else 1 when the policy
    // denies, else 0. Reasons go to stderr so CI logs show them whatever
    // the format.
    let verdict = gate.verdict(&result.findings);
    let to_stderr =
        args.output.is_some() || args.format != ScanFormat::Table || args.template.is_some();
    if verdict.tripped && !global.quiet {
        eprintln!(
            "gate failed: {} of {} shown vulnerabilities trip it",
            verdict.reasons.len(),
            verdict.counted
        );
        for r in &verdict.reasons {
            eprintln!("  {r}");
        }
    }
    let denied = result.policy.as_ref().is_some_and(|v| !v.allowed);
    if let Some(v) = &result.policy
        && to_stderr
        && !global.quiet
    {
        if v.allowed {
            eprintln!("policy {}: allowed", v.policy);
        } else {
            eprintln!("policy {}: DENIED", v.policy);
            for x in &v.violations {
                eprintln!("  {}: {}", x.rule, x.message);
            }
        }
    }
    Ok(if verdict.tripped {
        ExitCode::from(verdict.exit_code)
    } else if denied {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn warn(global: &GlobalArgs, message: &str) {
    if !global.quiet {
        eprintln!("warning: {message}");
    }
}

fn gate_options(a: &GateArgs) -> anyhow::Result<GateOptions> {
    let parse = |s: &str, what: &str| -> anyhow::Result<Severity> {
        s.parse::<Severity>()
            .map_err(|e| anyhow::anyhow!("{what}: {e}"))
    };
    let severities = a
        .severity
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse(s, "--severity"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let fail_on = a
        .fail_on
        .as_deref()
        .map(|s| parse(s, "--fail-on"))
        .transpose()?;
    if let Some(c) = a.min_cvss
        && !(0.0..=10.0).contains(&c)
    {
        bail!("--min-cvss: {c} is not a CVSS score (0.0 to 10.0)");
    }
    Ok(GateOptions {
        severities,
        ignore_unfixed: a.ignore_unfixed,
        fail_on,
        min_cvss: a.min_cvss,
        exit_code: a.exit_code,
    })
}

fn ignore_file(a: &GateArgs) -> anyhow::Result<Option<IgnoreFile>> {
    let path = match &a.ignore_file {
        Some(p) => p.clone(),
        None if Path::new(DEFAULT_IGNORE_FILE).is_file() => PathBuf::from(DEFAULT_IGNORE_FILE),
        None => return Ok(None),
    };
    IgnoreFile::load(&path)
        .map(Some)
        .context("cannot use the ignore file")
}

/// Largest template or secret-rules file read.
const MAX_SMALL_FILE: u64 = 4 << 20;

fn read_small(path: &Path, what: &str) -> anyhow::Result<String> {
    use std::io::Read;
    let f = std::fs::File::open(path)
        .with_context(|| format!("cannot open {what} {}", path.display()))?;
    let mut s = String::new();
    f.take(MAX_SMALL_FILE + 1)
        .read_to_string(&mut s)
        .with_context(|| format!("cannot read {what} {}", path.display()))?;
    if s.len() as u64 > MAX_SMALL_FILE {
        bail!("{what} {} is over {MAX_SMALL_FILE} bytes", path.display());
    }
    Ok(s)
}

fn secret_scanner(args: &ScanArgs, policy: Option<&Policy>) -> anyhow::Result<SecretScanner> {
    let config = match (
        &args.secret_config,
        policy.and_then(|p| p.file().secrets.as_ref()),
    ) {
        (Some(path), _) => {
            let text = read_small(path, "secret config")?;
            // Either the section's value or a file with a `secrets:` key.
            let value: serde_json::Value = serde_saphyr::from_str(&text)
                .with_context(|| format!("{}: not YAML", path.display()))?;
            let section = value.get("secrets").cloned().unwrap_or(value);
            SecretsConfig::from_yaml(&serde_json::to_string(&section)?)
                .with_context(|| format!("{}", path.display()))?
        }
        (None, Some(section)) => {
            let source = policy.map(|p| p.path().to_owned()).unwrap_or_default();
            SecretsConfig::from_yaml(&serde_json::to_string(section)?)
                .with_context(|| format!("{source}: secrets"))?
        }
        (None, None) => return Ok(SecretScanner::builtin()),
    };
    SecretScanner::new(&config).context("cannot use the secret-scanning settings")
}

fn open_db(
    global: &GlobalArgs,
    args: &ScanArgs,
    required: bool,
) -> anyhow::Result<Option<bosun_vulndb::Db>> {
    let path = super::db::path(args.db.as_deref())?;
    if !path.exists() {
        let how = "build it with `bosun db import FEEDS...` or `bosun db update`, or pass --db";
        if required {
            bail!(
                "no vulnerability database at {} and the gate or policy needs one: {how}",
                path.display()
            );
        }
        warn(
            global,
            &format!(
                "no vulnerability database at {}: vulnerabilities not scanned ({how})",
                path.display()
            ),
        );
        return Ok(None);
    }
    let db = bosun_vulndb::Db::open(&path)
        .with_context(|| format!("cannot open the vulnerability database {}", path.display()))?;
    // Only staleness matters here; skipped records are `bosun db status`'s
    // business. The open database answers it (no second open of the file).
    if let Ok(sources) = db.sources() {
        let now = jiff::Timestamp::now();
        for s in &sources {
            match bosun_vulndb::status::age_days(&s.imported_at, now) {
                Some(d) if d > args.db_max_age_days => warn(
                    global,
                    &format!(
                        "vulnerability data from {} is {d} days old (update with `bosun db update`)",
                        s.name
                    ),
                ),
                _ => {}
            }
        }
    }
    Ok(Some(db))
}

fn render(args: &ScanArgs, template: Option<&str>, result: &ScanResult) -> anyhow::Result<String> {
    if let (Some(src), Some(path)) = (template, &args.template) {
        return bosun_report::render_template(&path.display().to_string(), src, result)
            .context("cannot render the template");
    }
    Ok(match args.format {
        ScanFormat::Table => bosun_report::findings_table(result, &table_options(args)),
        ScanFormat::Json => bosun_report::scan_json(result),
        ScanFormat::Sarif => bosun_report::sarif(result),
        ScanFormat::Cyclonedx => bosun_report::cyclonedx_with_vulnerabilities(
            result,
            &bosun_sbom::DocumentOptions::default(),
        ),
        ScanFormat::Junit => bosun_report::junit(result),
        ScanFormat::InventoryJson => bosun_report::inventory_json(&result.inventory),
        ScanFormat::InventoryTable => {
            bosun_report::inventory_table(&result.inventory, &table_options(args))
        }
    })
}

fn table_options(args: &ScanArgs) -> TableOptions {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    TableOptions {
        width: if to_terminal {
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .or(Some(120))
        } else {
            Some(120)
        },
        color: false,
    }
}
