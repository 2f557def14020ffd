//! `bosun version`: compare versions and evaluate OSV ranges exactly as the
//! matcher does, to debug a finding.
//!
//! - `bosun version compare ECOSYSTEM A B` prints `<`, `=` or `>`.
//! - `bosun version in-range ECOSYSTEM VERSION RANGE-JSON` says whether VERSION
//!   is affected, by which range and event, and the fixed versions.
//!
//! ECOSYSTEM is a scheme name (`deb`, `apk`, `rpm`, `semver`, `go`, `pep440`,
//! `maven`, `rubygems`, `packagist`, `nuget`, `pub`, `hackage`, `cran`), an
//! alias (`debian`, `ubuntu`, `alpine`, `npm`, `cargo`, `pypi`, `gem`,
//! `composer`...) or an OSV ecosystem name (`Debian:12`, `Red Hat`, `PyPI`).
//!
//! Exit codes: 0 answered, 2 error (an invalid version names the version and
//! the scheme). With `in-range --exit-code`, like `test`: 0 affected, 1 not
//! affected, 2 error or no range could be evaluated.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use bosun_version::Scheme;
use bosun_version::osv::{self, Outcome, RangeVerdict};
use clap::{Args, Subcommand};

/// Largest RANGE-JSON file read (an OSV record is a few kilobytes).
const MAX_RANGE_JSON: u64 = 16 * 1024 * 1024;

/// Arguments of `bosun version`.
#[derive(Debug, Args)]
pub(crate) struct VersionArgs {
    #[command(subcommand)]
    pub(crate) command: VersionCommand,
}

/// `bosun version` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum VersionCommand {
    /// Compare two versions; prints `<`, `=` or `>`.
    Compare {
        /// Scheme, alias or OSV ecosystem (deb, apk, rpm, npm, cargo, go, pypi, maven, gem, composer, nuget, "Debian:12"...).
        ecosystem: Scheme,
        /// The first version.
        a: String,
        /// The second version.
        b: String,
    },
    /// Say whether a version is affected by OSV ranges, and by which event.
    #[command(name = "in-range")]
    InRange {
        /// Scheme, alias or OSV ecosystem of VERSION and of ECOSYSTEM ranges.
        ecosystem: Scheme,
        /// The version to evaluate.
        version: String,
        /// An OSV `affected[]` object, one `ranges[]` object or a list of
        /// them, as JSON; `@FILE` reads it from FILE, `@-` from stdin.
        #[arg(value_name = "RANGE-JSON")]
        range_json: String,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
        /// Exit 0 if affected, 1 if not affected, 2 on error or when nothing could be evaluated.
        #[arg(long)]
        exit_code: bool,
    },
}

/// Runs `bosun version`.
pub(crate) fn run(args: &VersionArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let code = execute(args, &mut stdout.lock())?;
    Ok(ExitCode::from(code))
}

fn execute(args: &VersionArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    match &args.command {
        VersionCommand::Compare { ecosystem, a, b } => {
            let ord = ecosystem.compare(a, b)?;
            let symbol = match ord {
                std::cmp::Ordering::Less => "<",
                std::cmp::Ordering::Equal => "=",
                std::cmp::Ordering::Greater => ">",
            };
            writeln!(out, "{symbol}")?;
            Ok(0)
        }
        VersionCommand::InRange {
            ecosystem,
            version,
            range_json,
            json,
            exit_code,
        } => {
            let text = read_range_json(range_json)?;
            let affected = osv::affected_from_json(&text)?;
            let verdict = osv::evaluate(*ecosystem, version, &affected)?;
            if *json {
                serde_json::to_writer_pretty(&mut *out, &verdict)?;
                writeln!(out)?;
            } else {
                write_verdict(out, version, &verdict)?;
            }
            Ok(match (exit_code, verdict.outcome) {
                (false, _) => 0,
                (true, Outcome::Affected) => 0,
                (true, Outcome::NotAffected) => 1,
                (true, Outcome::Unsupported) => 2,
            })
        }
    }
}

fn read_range_json(arg: &str) -> anyhow::Result<String> {
    let Some(path) = arg.strip_prefix('@') else {
        return Ok(arg.to_owned());
    };
    let mut text = String::new();
    if path == "-" {
        std::io::stdin()
            .take(MAX_RANGE_JSON + 1)
            .read_to_string(&mut text)
            .context("cannot read RANGE-JSON from stdin")?;
    } else {
        std::fs::File::open(path)
            .with_context(|| format!("cannot open RANGE-JSON file {path}"))?
            .take(MAX_RANGE_JSON + 1)
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read RANGE-JSON file {path}"))?;
    }
    if text.len() as u64 > MAX_RANGE_JSON {
        bail!("RANGE-JSON {path} is larger than {MAX_RANGE_JSON} bytes");
    }
    Ok(text)
}

fn write_verdict(out: &mut dyn Write, version: &str, v: &RangeVerdict) -> std::io::Result<()> {
    match v.outcome {
        Outcome::Affected => {
            let why = v
                .reason
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            writeln!(out, "{version} is affected: {why}")?;
            if !v.fixed_in.is_empty() {
                writeln!(out, "fixed in: {}", v.fixed_in.join(", "))?;
            }
        }
        Outcome::NotAffected => writeln!(out, "{version} is not affected")?,
        Outcome::Unsupported => writeln!(
            out,
            "{version}: unknown, nothing in the ranges could be evaluated"
        )?,
    }
    for s in &v.skipped {
        writeln!(out, "note: {s}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct TestCli {
        #[command(flatten)]
        args: VersionArgs,
    }

    fn call(argv: &[&str]) -> (anyhow::Result<u8>, String) {
        let cli = TestCli::try_parse_from(std::iter::once("version").chain(argv.iter().copied()))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let r = execute(&cli.args, &mut out);
        (r, String::from_utf8_lossy(&out).into_owned())
    }

    #[test]
    fn compare_prints_the_order() {
        let (r, out) = call(&["compare", "debian", "1:2.36-9+deb12u4", "2.36-9+deb12u7"]);
        assert_eq!((r.ok(), out.as_str()), (Some(0), ">\n"));
        let (r, out) = call(&["compare", "Debian:12", "2.36-9+deb12u4", "2.36-9+deb12u7"]);
        assert_eq!((r.ok(), out.as_str()), (Some(0), "<\n"));
        let (r, out) = call(&["compare", "maven", "1.0", "1.0.0.ga"]);
        assert_eq!((r.ok(), out.as_str()), (Some(0), "=\n"));
    }

    #[test]
    fn invalid_versions_name_version_and_scheme() {
        let (r, _) = call(&["compare", "deb", "1:", "1"]);
        let err = r.expect_err("invalid").to_string();
        assert!(err.contains("`1:`") && err.contains("deb"), "{err}");
    }

    #[test]
    fn in_range_explains_the_verdict() {
        let range = r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.31.0"}]}"#;
        let (r, out) = call(&["in-range", "pypi", "2.30.0", range]);
        assert_eq!(r.ok(), Some(0));
        assert_eq!(
            out,
            "2.30.0 is affected: range 0 (ECOSYSTEM): introduced 0, fixed 2.31.0\nfixed in: 2.31.0\n"
        );
        let (r, out) = call(&["in-range", "pypi", "2.31.0", range, "--exit-code"]);
        assert_eq!(
            (r.ok(), out.as_str()),
            (Some(1), "2.31.0 is not affected\n")
        );
        let git = r#"[{"type":"GIT","events":[{"introduced":"0"}]}]"#;
        let (r, out) = call(&["in-range", "pypi", "1", git, "--exit-code"]);
        assert_eq!(r.ok(), Some(2));
        assert!(out.contains("unsupported range type"), "{out}");
    }

    #[test]
    fn in_range_reads_files_and_json_output() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("affected.json");
        std::fs::write(&path, r#"{"versions":["1.0.0"]}"#).expect("write");
        let arg = format!("@{}", path.display());
        let (r, out) = call(&["in-range", "npm", "1.0.0", &arg, "--json"]);
        assert_eq!(r.ok(), Some(0));
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["outcome"], "affected");
        assert_eq!(v["reason"]["by"], "listed");
        let (r, _) = call(&["in-range", "npm", "1.0.0", "@/nonexistent/x.json"]);
        assert!(r.is_err());
    }
}
