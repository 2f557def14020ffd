//! `bosun policy init|test|base`: write the starter policy, run a policy's
//! Rego unit tests, print the approved-base block for a base image.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::cli::{GlobalArgs, ImageArgs};

#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    #[command(subcommand)]
    pub(crate) command: PolicyCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Write a commented starter policy: non-root, trusted registry, fixable
    /// CVSS >= 4.0 blocks, 30-day maximum age.
    Init(InitArgs),
    /// Run the `test_*` rules of a policy's Rego files, like `opa test`.
    Test(TestArgs),
    /// Print the `base_images.approved` entry that recognises images built on IMAGE.
    Base(BaseArgs),
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Where to write it (`-` for stdout).
    #[arg(default_value = "bosun.yaml", value_name = "FILE")]
    pub(crate) path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct TestArgs {
    /// Policy files (their `rego:` entries are tested), Rego files or directories.
    #[arg(default_value = "bosun.yaml", value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct BaseArgs {
    #[command(flatten)]
    pub(crate) image: ImageArgs,
    /// The name to give the base in the policy (default: the image reference).
    #[arg(long)]
    pub(crate) name: Option<String>,
}

pub(crate) fn run(global: &GlobalArgs, args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        PolicyCommand::Init(a) => init(a),
        PolicyCommand::Test(a) => test(a),
        PolicyCommand::Base(a) => base(global, a),
    }
}

fn init(a: &InitArgs) -> anyhow::Result<ExitCode> {
    if a.path.as_os_str() == "-" {
        crate::output::write(None, bosun_policy::STARTER.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    if a.path.exists() && !a.force {
        bail!("{} exists: pass --force to overwrite it", a.path.display());
    }
    crate::output::write(Some(&a.path), bosun_policy::STARTER.as_bytes())?;
    eprintln!(
        "wrote {}: edit the trusted registry, then `bosun scan IMAGE --policy {}`",
        a.path.display(),
        a.path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn is_policy_file(p: &Path) -> bool {
    p.is_file()
        && p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

fn test(a: &TestArgs) -> anyhow::Result<ExitCode> {
    let mut rego_paths = Vec::new();
    for p in &a.paths {
        if is_policy_file(p) {
            let policy = bosun_policy::Policy::load(p).context("cannot use the policy")?;
            let dir = p.parent().unwrap_or(Path::new("."));
            if policy.file().rego.is_empty() {
                bail!("{}: the policy names no Rego files (`rego:`)", p.display());
            }
            rego_paths.extend(policy.file().rego.iter().map(|r| dir.join(r)));
        } else if p.exists() {
            rego_paths.push(p.clone());
        } else {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let results = bosun_policy::run_tests(&rego_paths).context("cannot run the Rego tests")?;
    if results.is_empty() {
        bail!("no Rego tests (rules named test_*) found");
    }
    let failed = results.iter().filter(|t| !t.passed).count();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        let mut out = std::io::stdout().lock();
        for t in &results {
            let mark = if t.passed { "PASS" } else { "FAIL" };
            writeln!(out, "{mark}  data.{}.{}", t.package, t.name)?;
            if let Some(e) = &t.error {
                writeln!(out, "      {e}")?;
            }
        }
        writeln!(out, "{} passed, {failed} failed", results.len() - failed)?;
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn base(global: &GlobalArgs, a: &BaseArgs) -> anyhow::Result<ExitCode> {
    let inv = super::inventory(global, &a.image)?;
    let diff_ids: Vec<&str> = inv
        .layers
        .iter()
        .filter_map(|l| l.diff_id.as_deref())
        .collect();
    if diff_ids.is_empty() {
        bail!(
            "{}: no layer diff_ids (a directory or SBOM is not an image base)",
            a.image.image
        );
    }
    let name = a.name.clone().unwrap_or_else(|| {
        inv.source
            .name
            .clone()
            .unwrap_or_else(|| a.image.image.clone())
    });
    let mut text = String::from("base_images:\n  approved:\n");
    text.push_str(&format!(
        "    - name: {}\n      diff_ids:\n",
        yaml_scalar(&name)
    ));
    for d in diff_ids {
        text.push_str(&format!("        - {d}\n"));
    }
    crate::output::write(None, text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// A YAML scalar for a name: quoted unless it is plainly safe.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '@'))
        && !s.starts_with(['-', '.', '@']);
    if plain {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    }
}
