//! Where reports go: stdout, or a file written atomically (a temporary file
//! beside it, renamed into place), so a failed run never leaves half a report.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Writes `content` to `path`, or to stdout when `path` is `None` or `-`.
pub(crate) fn write(path: Option<&Path>, content: &[u8]) -> anyhow::Result<()> {
    match path {
        None => write_stdout(content),
        Some(p) if p.as_os_str() == "-" => write_stdout(content),
        Some(p) => write_file(p, content),
    }
}

fn write_stdout(content: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(content).context("writing to stdout")?;
    out.flush().context("writing to stdout")?;
    Ok(())
}

fn write_file(path: &Path, content: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".bosun-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(content)
        .and_then(|()| tmp.flush())
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("moving the report into place at {}", path.display()))?;
    Ok(())
}
