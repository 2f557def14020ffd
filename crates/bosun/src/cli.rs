//! Command-line definitions. Only parsing lives here; each command's module
//! turns these raw arguments into library options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::version::VersionArgs;

const SOURCES_HELP: &str = "\
IMAGE sources (prefix optional; without one bosun sniffs paths and otherwise treats IMAGE as a registry reference):
  docker-archive:PATH[:NAME:TAG]  a `docker save` / skopeo docker-archive tar
  oci-dir:PATH[:TAG]              an OCI image layout directory
  oci-archive:PATH[:TAG]          a tar of an OCI image layout
  registry:REF                    pull from a registry (OCI distribution API)
  docker:REF / podman:REF         an image held by a Docker or Podman engine (its API socket)
  rootfs:DIR                      a directory tree (an unpacked root filesystem or a source tree)
  sbom:FILE                       an SBOM (bosun JSON, CycloneDX or SPDX JSON): rescan without the image

Exit codes: 0 success, 1 a gate or policy failed, 2 error.";

#[derive(Debug, Parser)]
#[command(
    name = "bosun",
    version,
    about = "Container-image security from build to runtime: inventory, SBOM, vulnerabilities, compliance, policy",
    after_help = SOURCES_HELP
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Print only errors; no progress bars.
    #[arg(short, long, global = true, env = "BOSUN_QUIET", value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) quiet: bool,
    /// More log output on stderr (-v info, -vv debug, -vvv trace); BOSUN_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan an image or directory and report what is in it, layer by layer.
    #[command(after_help = SOURCES_HELP)]
    Scan(Box<ScanArgs>),
    /// Write a software bill of materials (CycloneDX 1.6, SPDX 2.3 or bosun JSON).
    #[command(after_help = SOURCES_HELP)]
    Sbom(SbomArgs),
    /// Compare versions and evaluate OSV ranges the way bosun's matcher does.
    Version(VersionArgs),
    /// Build, update and inspect the local vulnerability database.
    Db(crate::commands::db::DbArgs),
    /// Write a starter policy, run a policy's Rego tests, or print an approved-base block.
    Policy(crate::commands::policy::PolicyArgs),
    /// Inspect or empty the layer cache.
    Cache(CacheArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CacheArgs {
    #[command(subcommand)]
    pub(crate) command: CacheCommand,
    /// The layer cache directory (default: $BOSUN_CACHE_DIR/layers, else ~/.cache/bosun/layers).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CacheCommand {
    /// Show where the cache is and how much it holds.
    Info,
    /// Delete every cached layer.
    Clean,
}

/// How to reach and read an image.
#[derive(Debug, Args)]
pub(crate) struct ImageArgs {
    /// The image or directory to read (see IMAGE sources below).
    #[arg(value_name = "IMAGE")]
    pub(crate) image: String,
    /// Platform to pick from a multi-platform image, as os/arch[/variant].
    #[arg(long, default_value = "linux/amd64", env = "BOSUN_PLATFORM")]
    pub(crate) platform: String,
    /// Allow plain HTTP and unverified TLS for registries that are not on loopback.
    #[arg(long, env = "BOSUN_INSECURE", value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) insecure: bool,
    /// Registry user name (also BOSUN_REGISTRY_USERNAME; else ~/.docker/config.json).
    #[arg(long, env = "BOSUN_REGISTRY_USERNAME")]
    pub(crate) username: Option<String>,
    /// Registry password or token (prefer BOSUN_REGISTRY_PASSWORD).
    #[arg(long, env = "BOSUN_REGISTRY_PASSWORD", hide_env_values = true)]
    pub(crate) password: Option<String>,
    /// Refuse layers that decompress to more than this many bytes (a decompression bomb guard).
    #[arg(long, value_name = "BYTES", env = "BOSUN_MAX_LAYER_SIZE")]
    pub(crate) max_layer_size: Option<u64>,
    /// Refuse images with more layers than this.
    #[arg(long, value_name = "N", env = "BOSUN_MAX_LAYERS")]
    pub(crate) max_layers: Option<usize>,
    /// Read every layer, neither using nor filling the layer cache.
    #[arg(long, env = "BOSUN_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) no_cache: bool,
    /// The layer cache directory (default: $BOSUN_CACHE_DIR/layers, else ~/.cache/bosun/layers).
    #[arg(long, value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Seconds to wait for a registry or engine before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub(crate) timeout: u64,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    #[command(flatten)]
    pub(crate) image: ImageArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ScanFormat::Table)]
    pub(crate) format: ScanFormat,
    /// Render the result with this Jinja-style template (the context is the
    /// scan JSON as `result`; see docs/templates/).
    #[arg(long, value_name = "FILE", conflicts_with = "format")]
    pub(crate) template: Option<PathBuf>,
    /// Write the report to this file instead of stdout (written atomically).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// What to look for (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "vuln,secret,check",
        env = "BOSUN_SCANNERS"
    )]
    pub(crate) scanners: Vec<Scanner>,
    /// The vulnerability database (default: $BOSUN_CACHE_DIR/db/bosun.db, else ~/.cache/bosun/db/bosun.db).
    #[arg(long, value_name = "PATH", env = "BOSUN_DB")]
    pub(crate) db: Option<PathBuf>,
    /// Warn when the vulnerability data is older than this many days.
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = 7,
        env = "BOSUN_DB_MAX_AGE_DAYS"
    )]
    pub(crate) db_max_age_days: u64,
    /// Leave out development-only lockfile dependencies when matching.
    #[arg(long)]
    pub(crate) skip_dev_dependencies: bool,
    #[command(flatten)]
    pub(crate) gate: GateArgs,
    /// Apply this policy (bosun.yaml): its verdict is reported and a denied
    /// image exits 1. `bosun policy init` writes a starter.
    #[arg(long, value_name = "FILE", env = "BOSUN_POLICY")]
    pub(crate) policy: Option<PathBuf>,
    /// Secret-scanning settings: extra rules, allowed paths and patterns
    /// (YAML; the value of a `secrets:` key, or a file with one). Default:
    /// the policy's `secrets:` section.
    #[arg(long, value_name = "FILE")]
    pub(crate) secret_config: Option<PathBuf>,
}

/// What the report shows and when the build fails.
#[derive(Debug, Args)]
pub(crate) struct GateArgs {
    /// Show only these severities (comma-separated: UNKNOWN,NEGLIGIBLE,LOW,MEDIUM,HIGH,CRITICAL).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "LIST",
        env = "BOSUN_SEVERITY"
    )]
    pub(crate) severity: Vec<String>,
    /// Show only vulnerabilities that have a fixed version.
    #[arg(long, env = "BOSUN_IGNORE_UNFIXED", value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) ignore_unfixed: bool,
    /// Fail (exit 1, or --exit-code) when a shown vulnerability is at least this severe.
    #[arg(long, value_name = "SEVERITY", env = "BOSUN_FAIL_ON")]
    pub(crate) fail_on: Option<String>,
    /// Fail when a shown vulnerability's CVSS base score is at least this (e.g. 4.0).
    #[arg(long, value_name = "SCORE", env = "BOSUN_MIN_CVSS")]
    pub(crate) min_cvss: Option<f32>,
    /// Exit code when the gate trips; given alone, any shown vulnerability trips it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=255))]
    pub(crate) exit_code: Option<u8>,
    /// Ignore file: IDs, packages or paths, each with an optional expiry and
    /// reason (default: ./.bosunignore when it exists).
    #[arg(long, value_name = "FILE", env = "BOSUN_IGNORE_FILE")]
    pub(crate) ignore_file: Option<PathBuf>,
    /// OpenVEX documents whose not_affected / fixed statements suppress findings (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) vex: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Scanner {
    /// Known vulnerabilities in the packages (needs the database).
    Vuln,
    /// Secrets in layer files, ENV, labels and history.
    Secret,
    /// The image checks (CIS Docker Benchmark, NIST SP 800-190).
    Check,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScanFormat {
    /// Tables for a terminal.
    Table,
    /// bosun's scan JSON (schema bosun.scan/v1, docs/SCAN-JSON.md).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// CycloneDX 1.6 JSON with the vulnerabilities.
    #[value(alias = "cyclonedx-json")]
    Cyclonedx,
    /// JUnit XML (Jenkins, GitLab).
    Junit,
    /// The inventory only, as `bosun sbom --format json` (schema bosun.inventory/v1).
    InventoryJson,
    /// The inventory only, as tables by layer and ecosystem.
    InventoryTable,
}

#[derive(Debug, Args)]
pub(crate) struct SbomArgs {
    #[command(flatten)]
    pub(crate) image: ImageArgs,
    /// SBOM format.
    #[arg(short, long, value_enum, default_value_t = SbomFormat::Cyclonedx)]
    pub(crate) format: SbomFormat,
    /// Write the SBOM to this file instead of stdout (written atomically).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    #[value(alias = "cyclonedx-json")]
    Cyclonedx,
    /// SPDX 2.3 JSON.
    #[value(alias = "spdx-json")]
    Spdx,
    /// bosun's own JSON (the full inventory, with each package's files).
    Json,
}
