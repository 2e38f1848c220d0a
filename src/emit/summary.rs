//! Human-readable text for a terminal: the `scan` summary and the `detect` listing.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::{FileRecord, Scan};

/// The short summary `ospo scan` prints without --format.
pub fn scan_summary(scan: &Scan) -> String {
    let s = &scan.summary;
    let mut out = String::new();
    let secs = s.elapsed_ms.unwrap_or(0) as f64 / 1000.0;
    let _ = writeln!(
        out,
        "Scanned {} files ({}) in {:.2} s",
        s.files_scanned,
        human_bytes(s.bytes_scanned),
        secs
    );
    let _ = writeln!(
        out,
        "  with license evidence: {}   with copyright: {}   binary: {}   skipped: {}",
        s.files_with_licenses, s.files_with_copyrights, s.binary_files, s.skipped_files
    );

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &scan.files {
        let mut seen: Vec<&str> = f.licenses.iter().map(|m| m.expression.as_str()).collect();
        seen.sort();
        seen.dedup();
        for e in seen {
            *counts.entry(e).or_default() += 1;
        }
    }
    if counts.is_empty() {
        let _ = writeln!(out, "\nNo license evidence found.");
    } else {
        let mut rows: Vec<(&str, usize)> = counts.into_iter().collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).min(60);
        let _ = writeln!(out, "\nLicenses found (files):");
        for (expr, n) in rows {
            let _ = writeln!(out, "  {expr:<width$}  {n}");
        }
    }

    if !scan.components.is_empty() {
        components_summary(&mut out, scan);
    }

    let unrec: Vec<&FileRecord> = scan
        .files
        .iter()
        .filter(|f| !f.unrecognized.is_empty())
        .collect();
    if !unrec.is_empty() {
        let _ = writeln!(
            out,
            "\nUnrecognized license-like text ({} files), for review:",
            unrec.len()
        );
        for f in unrec.iter().take(20) {
            for u in &f.unrecognized {
                let closest = u.closest.as_deref().unwrap_or("-");
                let _ = writeln!(
                    out,
                    "  {} lines {}-{} (closest: {} {:.2})",
                    f.path, u.start_line, u.end_line, closest, u.score
                );
            }
        }
        if unrec.len() > 20 {
            let _ = writeln!(
                out,
                "  ... and {} more (see --format json)",
                unrec.len() - 20
            );
        }
    }
    if !scan.diagnostics.is_empty() {
        let _ = writeln!(
            out,
            "\n{} diagnostics (listed on stderr and in --format json).",
            scan.diagnostics.len()
        );
    }
    out
}

fn components_summary(out: &mut String, scan: &Scan) {
    let mut by_eco: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &scan.components {
        *by_eco.entry(c.ecosystem.as_str()).or_default() += 1;
    }
    let ecos: Vec<String> = by_eco.iter().map(|(e, n)| format!("{e} {n}")).collect();
    let unknown = scan
        .components
        .iter()
        .filter(|c| c.concluded == crate::model::NOASSERTION)
        .count();
    let flagged: Vec<&crate::model::Component> = scan
        .components
        .iter()
        .filter(|c| !c.review.is_empty() && c.concluded != crate::model::NOASSERTION)
        .collect();
    let _ = writeln!(
        out,
        "\nComponents: {} ({})",
        scan.components.len(),
        ecos.join(", ")
    );
    if let Some(p) = scan
        .project
        .as_deref()
        .and_then(|p| scan.components.iter().find(|c| c.bom_ref == p))
    {
        let _ = writeln!(
            out,
            "  project: {} {}: {}",
            p.name,
            p.version.as_deref().unwrap_or(""),
            p.concluded
        );
    }
    let _ = writeln!(
        out,
        "  license concluded: {}   unknown (NOASSERTION): {}   flagged for review: {}",
        scan.components.len() - unknown,
        unknown,
        flagged.len()
    );
    for c in flagged.iter().take(10) {
        let line = format!("review {}: {}", c.bom_ref, c.review.join("; "));
        let _ = writeln!(out, "  {}", esc(&line));
    }
    if flagged.len() > 10 {
        let _ = writeln!(
            out,
            "  ... and {} more flagged (see --format json)",
            flagged.len() - 10
        );
    }
    let unknowns: Vec<&str> = scan
        .components
        .iter()
        .filter(|c| c.concluded == crate::model::NOASSERTION)
        .map(|c| c.bom_ref.as_str())
        .collect();
    if !unknowns.is_empty() {
        let shown: Vec<&str> = unknowns.iter().take(10).copied().collect();
        let more = if unknowns.len() > 10 {
            format!(" and {} more", unknowns.len() - 10)
        } else {
            String::new()
        };
        let _ = writeln!(out, "  known unknowns: {}{more}", esc(&shown.join(", ")));
    }
}

/// A name, path or text from input on one line of ours: control characters escaped.
fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    crate::text::escape_controls(s)
}

/// `ospo detect` for a terminal: one block per file.
pub fn detect_listing(files: &[FileRecord]) -> String {
    let mut out = String::new();
    for f in files {
        if f.licenses.is_empty() && f.unrecognized.is_empty() {
            let _ = writeln!(out, "{}: no license found", esc(&f.path));
            continue;
        }
        let _ = writeln!(out, "{}:", esc(&f.path));
        let width = f
            .licenses
            .iter()
            .map(|m| m.expression.len())
            .max()
            .unwrap_or(0)
            .min(super::MAX_COLUMN);
        for m in &f.licenses {
            let kind = serde_json::to_value(m.kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<width$}  {:<9}  {:.3}  lines {}-{}",
                m.expression, kind, m.score, m.start_line, m.end_line
            );
        }
        for u in &f.unrecognized {
            let _ = writeln!(
                out,
                "  unrecognized license text, lines {}-{} (closest: {} {:.2})",
                u.start_line,
                u.end_line,
                u.closest.as_deref().unwrap_or("-"),
                u.score
            );
        }
        for c in &f.copyrights {
            let _ = writeln!(out, "  {}", esc(c));
        }
    }
    out
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
