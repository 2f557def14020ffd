//! The `bosun` command.
//!
//! Exit codes, for CI: 0 success, 1 the scan ran and a gate or policy failed,
//! 2 bosun could not do what was asked (bad input, unreachable image, ...).

mod cli;
mod commands;
mod output;
mod progress;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// bosun could not do what was asked.
pub(crate) const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli.global);
    let result = match &cli.command {
        Command::Scan(args) => commands::scan::run(&cli.global, args),
        Command::Sbom(args) => commands::sbom::run(&cli.global, args),
        Command::Version(args) => commands::version::run(args),
        Command::Db(args) => commands::db::run(args),
        Command::Policy(args) => commands::policy::run(&cli.global, args),
        Command::Cache(args) => commands::cache::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", error_chain(&err));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The error and its causes on one line, leaving out a cause whose text the
/// message before it already shows (library errors name their source).
fn error_chain(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(global: &cli::GlobalArgs) {
    use tracing_subscriber::EnvFilter;
    let default = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_env("BOSUN_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .without_time()
        .try_init();
}
