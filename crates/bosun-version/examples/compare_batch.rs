//! Compares many version pairs in one process, for the differential test
//! (scripts/version-differential.sh).
//!
//! Reads lines `SCHEME<TAB>A<TAB>B` on stdin and writes one line per input
//! line: `<`, `=`, `>`, or `error<TAB>MESSAGE`.

use std::cmp::Ordering;
use std::io::{BufRead, BufWriter, Write};

use bosun_version::Scheme;

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let mut parts = line.splitn(3, '\t');
        let (Some(scheme), Some(a), Some(b)) = (parts.next(), parts.next(), parts.next()) else {
            writeln!(out, "error\tline is not SCHEME<TAB>A<TAB>B")?;
            continue;
        };
        let answer = scheme
            .parse::<Scheme>()
            .map_err(|e| e.to_string())
            .and_then(|s| s.compare(a, b).map_err(|e| e.to_string()));
        match answer {
            Ok(Ordering::Less) => writeln!(out, "<")?,
            Ok(Ordering::Equal) => writeln!(out, "=")?,
            Ok(Ordering::Greater) => writeln!(out, ">")?,
            Err(e) => writeln!(out, "error\t{e}")?,
        }
    }
    out.flush()
}
