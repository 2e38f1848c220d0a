//! Human-readable text for a terminal: the `scan` summary and the `detect` listing.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::{FileRecord, Scan};

/// How much of the diagnostics stderr showed (so the summary never claims a list the user
/// did not see).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// -q: none.
    None,
    /// The default: errors and warnings, not notes.
    NoNotes,
    /// -v: all.
    All,
}

/// "name 1.0" or "name" (no dangling separator when the version is empty or unknown).
fn name_version(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) if !v.is_empty() => format!("{name} {v}"),
        _ => name.to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    crate::text::plural(n, one, many)
}

/// The short summary `ospo scan` prints without --format, as after a run without -q / -v.
pub fn scan_summary(scan: &Scan) -> String {
    scan_summary_shown(scan, Shown::NoNotes)
}

/// [`scan_summary`], where `shown` is what stderr showed of the diagnostics.
pub fn scan_summary_shown(scan: &Scan, shown: Shown) -> String {
    let s = &scan.summary;
    let mut out = String::new();
    let secs = s.elapsed_ms.unwrap_or(0) as f64 / 1000.0;
    let _ = writeln!(
        out,
        "Scanned {} ({}) in {:.2} s",
        plural(s.files_scanned as usize, "file", "files"),
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
    if s.files_scanned == 0 {
        let _ = writeln!(
            out,
            "\nNo files under {}: the directory is empty, or everything in it is ignored or \
             excluded (--no-ignore reads ignored files).",
            esc(&scan.root)
        );
    } else if counts.is_empty() {
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
            "\nUnrecognized license-like text ({}), for review:",
            plural(unrec.len(), "file", "files")
        );
        for f in unrec.iter().take(20) {
            for u in &f.unrecognized {
                let _ = writeln!(
                    out,
                    "  {} lines {}-{}{}",
                    f.path,
                    u.start_line,
                    u.end_line,
                    closest(u)
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
        let n = scan.diagnostics.len();
        let notes = scan
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::model::Severity::Info)
            .count();
        let all = plural(n, "diagnostic", "diagnostics");
        let where_ = match shown {
            Shown::All => "listed on stderr and in --format json".to_string(),
            Shown::None => "not shown with -q; all are in --format json".to_string(),
            Shown::NoNotes if notes == 0 => "listed on stderr and in --format json".to_string(),
            Shown::NoNotes if notes == n => {
                "all notes: -v lists them on stderr; all are in --format json".to_string()
            }
            Shown::NoNotes => format!(
                "{} listed on stderr; -v lists the {} too; all are in --format json",
                n - notes,
                plural(notes, "note", "notes")
            ),
        };
        let _ = writeln!(out, "\n{all} ({where_}).");
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
    // Every component with a review item, as `report` and `list` count them; the known
    // unknowns are named on their own line below instead of twice.
    let flagged_all = scan
        .components
        .iter()
        .filter(|c| !c.review.is_empty())
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
        // A folder without a manifest is named after the folder, and says so.
        let named = if p.ecosystem == crate::model::Ecosystem::Generic && p.version.is_none() {
            " (no manifest names it: named after its folder)"
        } else {
            ""
        };
        let line = format!(
            "project: {}: {}{named}",
            name_version(&p.name, p.version.as_deref()),
            p.concluded
        );
        let _ = writeln!(out, "  {}", esc(&line));
    }
    let _ = writeln!(
        out,
        "  license concluded: {}   unknown (NOASSERTION): {}   flagged for review: {}",
        scan.components.len() - unknown,
        unknown,
        flagged_all
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
                "  unrecognized license text, lines {}-{}{}",
                u.start_line,
                u.end_line,
                closest(u)
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

/// " (closest: X 0.42)" for unrecognized text that resembles a license, else nothing: a
/// "closest: - 0.00" told the reader nothing.
fn closest(u: &crate::model::Unrecognized) -> String {
    match &u.closest {
        Some(c) => format!(" (closest: {c} {:.2})", u.score),
        None => String::new(),
    }
}
