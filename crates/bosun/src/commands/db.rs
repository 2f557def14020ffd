//! `bosun db import|update|status`: the local vulnerability database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};

/// `bosun db`.
#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    #[command(subcommand)]
    pub(crate) command: DbCommand,
    /// The database file (default: $BOSUN_CACHE_DIR/db/bosun.db, else ~/.cache/bosun/db/bosun.db).
    #[arg(long, global = true, value_name = "PATH", env = "BOSUN_DB")]
    pub(crate) db: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Build the database from feed files and directories (OSV JSON/YAML/all.zip, Debian tracker
    /// JSON and DSA/DLA lists, Alpine/Wolfi secdb, NVD API 2.0 JSON, npm and rubysec advisories).
    Import(ImportArgs),
    /// Download the feeds (conditional requests) and swap in a new database.
    Update(UpdateArgs),
    /// Show the sources, record counts and age of the database.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Feed files or directories.
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// Keep the sources of the current database that these inputs do not replace.
    #[arg(long)]
    pub(crate) merge: bool,
    /// Store every record under this source name.
    #[arg(long, value_name = "NAME")]
    pub(crate) source: Option<String>,
    /// Largest feed file read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    pub(crate) max_file_mib: u64,
    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// Feed configuration (TOML: `[[feed]]` tables with name, url, file_name, max_bytes, sha256,
    /// sha256_url, enabled); default: the public feeds.
    #[arg(long, value_name = "FILE", env = "BOSUN_FEEDS")]
    pub(crate) config: Option<PathBuf>,
    /// Only these feeds (by name; repeatable).
    #[arg(long = "feed", value_name = "NAME")]
    pub(crate) feeds: Vec<String>,
    /// Download even when the stored ETag / Last-Modified says nothing changed.
    #[arg(long)]
    pub(crate) force: bool,
    /// Seconds before one download gives up.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub(crate) timeout: u64,
    /// Print the report as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Warn when a source is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = bosun_vulndb::status::DEFAULT_MAX_AGE_DAYS, env = "BOSUN_DB_MAX_AGE_DAYS")]
    pub(crate) max_age_days: u64,
    /// List up to this many skipped records per source.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) skips: usize,
    /// Exit 1 when a warning (stale data) was printed.
    #[arg(long)]
    pub(crate) exit_code: bool,
    /// Print as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The database path: `--db`, else the default in the cache directory.
pub(crate) fn path(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(bosun_vulndb::default_path)
        .context("no database path: pass --db, or set BOSUN_CACHE_DIR or HOME")
}

pub(crate) fn run(args: &DbArgs) -> anyhow::Result<ExitCode> {
    let db = path(args.db.as_deref())?;
    match &args.command {
        DbCommand::Import(a) => import(&db, a),
        DbCommand::Update(a) => update(&db, a),
        DbCommand::Status(a) => status(&db, a),
    }
}

fn print_sources(sources: &[bosun_vulndb::SourceReport]) {
    for s in sources {
        println!(
            "  {:<28} {:>6} files {:>8} records {:>8} affected {:>6} skipped",
            s.name, s.files, s.records, s.affected, s.skipped
        );
        for k in &s.skips {
            println!("      skipped {} [{}]: {}", k.file, k.field, k.reason);
        }
        if s.skipped as usize > s.skips.len() {
            println!(
                "      ... {} more (bosun db status --skips N)",
                s.skipped as usize - s.skips.len()
            );
        }
    }
}

fn import(db: &Path, a: &ImportArgs) -> anyhow::Result<ExitCode> {
    let opts = bosun_vulndb::ImportOptions {
        merge: a.merge,
        source: a.source.clone(),
        max_file_bytes: a.max_file_mib.saturating_mul(1 << 20),
        ..bosun_vulndb::ImportOptions::default()
    };
    let report = bosun_vulndb::import(db, &a.paths, &opts).with_context(|| {
        format!(
            "cannot import into {} (the previous database is unchanged)",
            db.display()
        )
    })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("imported into {}:", db.display());
    print_sources(&report.sources);
    if !report.kept.is_empty() {
        println!(
            "  kept from the previous database: {}",
            report.kept.join(", ")
        );
    }
    if !report.ignored.is_empty() {
        println!(
            "  {} files ignored (not feeds), e.g.:",
            report.ignored.len()
        );
        for (f, why) in report.ignored.iter().take(5) {
            println!("      {f}: {why}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn update(db: &Path, a: &UpdateArgs) -> anyhow::Result<ExitCode> {
    let mut feeds = match &a.config {
        Some(p) => bosun_vulndb::update::load_config(p)?.feed,
        None => bosun_vulndb::update::default_feeds(),
    };
    if !a.feeds.is_empty() {
        for name in &a.feeds {
            anyhow::ensure!(
                feeds.iter().any(|f| &f.name == name),
                "no feed named `{name}` (known: {})",
                feeds
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        feeds.retain(|f| a.feeds.contains(&f.name));
        for f in &mut feeds {
            f.enabled = true;
        }
    }
    let opts = bosun_vulndb::update::UpdateOptions {
        feeds,
        timeout: Duration::from_secs(a.timeout),
        force: a.force,
        ..bosun_vulndb::update::UpdateOptions::default()
    };
    let report = bosun_vulndb::update::update(db, &opts).with_context(|| {
        format!(
            "cannot update {} (the previous database is unchanged)",
            db.display()
        )
    })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (name, outcome) in &report.feeds {
        use bosun_vulndb::update::FeedOutcome;
        match outcome {
            FeedOutcome::Downloaded { bytes } => println!("  {name:<28} downloaded {bytes} bytes"),
            FeedOutcome::NotModified => println!("  {name:<28} not modified"),
            FeedOutcome::Disabled => {}
        }
    }
    match &report.import {
        Some(r) => {
            println!("updated {}:", db.display());
            print_sources(&r.sources);
        }
        None => println!("{} is up to date", db.display()),
    }
    Ok(ExitCode::SUCCESS)
}

fn status(db: &Path, a: &StatusArgs) -> anyhow::Result<ExitCode> {
    let st = bosun_vulndb::status::status(db, a.max_age_days, None)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&st)?);
    } else {
        println!(
            "{} ({} bytes, schema {}, built {})",
            st.path.display(),
            st.size_bytes,
            st.schema,
            st.built_at.as_deref().unwrap_or("?")
        );
        println!(
            "  {:<28} {:>8} {:>9} {:>8} {:>5}  imported",
            "source", "records", "affected", "skipped", "days"
        );
        for s in &st.sources {
            println!(
                "  {:<28} {:>8} {:>9} {:>8} {:>5}  {}",
                s.meta.name,
                s.meta.records,
                s.meta.affected,
                s.meta.skipped,
                s.age_days
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "?".into()),
                s.meta.imported_at
            );
        }
        println!("  namespaces: {}", st.namespaces.len());
        if a.skips > 0 {
            let open = bosun_vulndb::Db::open(db)?;
            for s in &st.sources {
                for k in open.skips(&s.meta.name, a.skips)? {
                    println!(
                        "  skipped [{}] {} [{}]: {}",
                        s.meta.name, k.file, k.field, k.reason
                    );
                }
            }
        }
        for w in &st.warnings {
            eprintln!("warning: {w}");
        }
    }
    let stale = st
        .sources
        .iter()
        .any(|s| s.age_days.is_none_or(|d| d > a.max_age_days));
    Ok(if a.exit_code && (stale || st.sources.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
