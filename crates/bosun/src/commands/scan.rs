//! `bosun scan`: for now, the inventory of an image by layer and ecosystem.

use std::io::IsTerminal;
use std::process::ExitCode;

use bosun_report::TableOptions;

use crate::cli::{GlobalArgs, ScanArgs, ScanFormat};

pub(crate) fn run(global: &GlobalArgs, args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let inv = super::inventory(global, &args.image)?;
    let text = match args.format {
        ScanFormat::Json => bosun_report::inventory_json(&inv),
        ScanFormat::Table => {
            let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
            let opts = TableOptions {
                width: if to_terminal {
                    terminal_width()
                } else {
                    Some(120)
                },
                color: false,
            };
            bosun_report::inventory_table(&inv, &opts)
        }
    };
    crate::output::write(args.output.as_deref(), text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn terminal_width() -> Option<u16> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or(Some(120))
}
