//! `bosun sbom`: CycloneDX 1.6, SPDX 2.3 or bosun JSON.

use std::process::ExitCode;

use anyhow::Context;
use bosun_sbom::{DocumentOptions, cyclonedx, spdx};

use crate::cli::{GlobalArgs, SbomArgs, SbomFormat};

pub(crate) fn run(global: &GlobalArgs, args: &SbomArgs) -> anyhow::Result<ExitCode> {
    let inv = super::inventory(global, &args.image)?;
    let opts = DocumentOptions::default();
    let mut text = match args.format {
        SbomFormat::Cyclonedx => {
            serde_json::to_string_pretty(&cyclonedx::from_inventory(&inv, &opts))
        }
        SbomFormat::Spdx => serde_json::to_string_pretty(&spdx::from_inventory(&inv, &opts)),
        SbomFormat::Json => serde_json::to_string_pretty(&inv),
    }
    .context("serializing the SBOM")?;
    text.push('\n');
    crate::output::write(args.output.as_deref(), text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
