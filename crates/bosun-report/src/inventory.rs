use std::collections::BTreeMap;
use std::fmt::Write;

use bosun_model::{Ecosystem, Inventory, Package};
use comfy_table::{ContentArrangement, Table, presets};

use crate::TableOptions;

/// bosun's own JSON: the inventory, pretty-printed, newline-terminated.
pub fn inventory_json(inv: &Inventory) -> String {
    let mut s =
        serde_json::to_string_pretty(inv).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

pub(crate) fn short_digest(d: Option<&str>) -> String {
    match d {
        Some(d) => {
            let hex = d.split_once(':').map_or(d, |(_, h)| h);
            let end = hex.char_indices().nth(12).map_or(hex.len(), |(i, _)| i);
            hex[..end].to_owned()
        }
        None => "-".to_owned(),
    }
}

pub(crate) fn one_line(s: &str, max: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut t: String = flat.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub(crate) fn new_table(opts: &TableOptions) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    if let Some(w) = opts.width {
        t.set_width(w);
        t.set_content_arrangement(ContentArrangement::Dynamic);
    }
    if !opts.color {
        t.force_no_tty();
    }
    t
}

/// The inventory for a terminal: a summary, the layers with how many
/// packages each one brought per ecosystem, then the packages grouped by the
/// layer that introduced them and by ecosystem.
pub fn inventory_table(inv: &Inventory, opts: &TableOptions) -> String {
    let mut out = String::new();
    let name = inv.source.name.as_deref().unwrap_or(&inv.source.reference);
    let _ = writeln!(out, "{} ({})", name, inv.source.kind);
    if let Some(d) = image_id_line(inv) {
        let _ = writeln!(out, "{d}");
    }
    if let Some(d) = &inv.distro {
        let _ = writeln!(
            out,
            "OS: {}",
            d.pretty_name.clone().unwrap_or_else(|| format!(
                "{} {}",
                d.id,
                d.version_id.as_deref().unwrap_or("")
            ))
        );
    }
    let mut per_eco: BTreeMap<Ecosystem, usize> = BTreeMap::new();
    for p in &inv.packages {
        *per_eco.entry(p.ecosystem).or_default() += 1;
    }
    let totals: Vec<String> = per_eco.iter().map(|(e, n)| format!("{e} {n}")).collect();
    let _ = writeln!(
        out,
        "{} in {}{}{}",
        plural(inv.packages.len(), "package"),
        plural(inv.layers.len(), "layer"),
        if totals.is_empty() { "" } else { ": " },
        totals.join(", ")
    );

    // Packages grouped by introducing layer (None last) and ecosystem.
    let mut groups: BTreeMap<(Option<usize>, Ecosystem), Vec<&Package>> = BTreeMap::new();
    for p in &inv.packages {
        groups
            .entry((p.introduced_in.or(p.found_in.layer), p.ecosystem))
            .or_default()
            .push(p);
    }

    if !inv.layers.is_empty() {
        let mut t = new_table(opts);
        t.set_header(vec!["Layer", "Diff ID", "Size", "Packages", "Created by"]);
        for l in &inv.layers {
            let counts: Vec<String> = per_eco
                .keys()
                .filter_map(|e| {
                    groups
                        .get(&(Some(l.index), *e))
                        .map(|v| format!("{e} {}", v.len()))
                })
                .collect();
            t.add_row(vec![
                l.index.to_string(),
                short_digest(l.diff_id.as_deref()),
                human_size(l.size),
                if counts.is_empty() {
                    "-".to_owned()
                } else {
                    counts.join(", ")
                },
                one_line(l.created_by.as_deref().unwrap_or("-"), 60),
            ]);
        }
        let _ = writeln!(out, "\n{t}");
    }

    for ((layer, eco), pkgs) in &groups {
        let title = match layer.and_then(|i| inv.layers.get(i)) {
            Some(l) => format!(
                "Layer {} ({}) — {eco}, {}",
                l.index,
                short_digest(l.diff_id.as_deref()),
                plural(pkgs.len(), "package")
            ),
            None => format!("{eco}, {}", plural(pkgs.len(), "package")),
        };
        let _ = writeln!(out, "\n{title}");
        let mut t = new_table(opts);
        t.set_header(vec!["Name", "Version", "Source", "Found in", "Changed in"]);
        for p in pkgs {
            let source = p
                .source
                .as_ref()
                .map(|s| match &s.version {
                    Some(v) => format!("{} {v}", s.name),
                    None => s.name.clone(),
                })
                .unwrap_or_default();
            t.add_row(vec![
                p.name.clone(),
                p.version.clone(),
                source,
                p.found_in.path.clone(),
                match (p.changed_in, p.introduced_in) {
                    (Some(c), Some(i)) if c != i => format!("layer {c}"),
                    _ => String::new(),
                },
            ]);
        }
        let _ = writeln!(out, "{t}");
    }

    if !inv.warnings.is_empty() {
        out.push('\n');
    }
    for w in &inv.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

fn human_size(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn image_id_line(inv: &Inventory) -> Option<String> {
    let s = &inv.source;
    match (&s.config_digest, &s.platform) {
        (Some(d), Some(p)) => Some(format!("Image ID: {d} ({p})")),
        (Some(d), None) => Some(format!("Image ID: {d}")),
        _ => None,
    }
}

pub(crate) fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
