//! `ospo list`: one row per component (name, version, ecosystem, concluded license, the
//! declared one where it differs, the policy verdict when a policy was found, the review
//! flag), as an aligned table, CSV, Markdown or JSON. Rows are sorted by name without
//! regard to case (as license-checker and pip-licenses do), then by version and bom-ref,
//! so the order is total and the output deterministic.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::model::Scan;
use crate::policy::Evaluation;

/// The version of the `ospo list --format json` document; bumped on an incompatible change.
pub const LIST_FORMAT_VERSION: u32 = 1;

/// One component as `ospo list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    /// Absent when the component has none (shown as `-` in the table).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub ecosystem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub bom_ref: String,
    /// The concluded license (an SPDX expression, or NOASSERTION).
    pub license: String,
    /// The declared license, only where it differs from the concluded one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
    /// pass / warn / fail, when a policy was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// Why a human should look at it; empty when nothing is to review.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub review: Vec<String>,
}

/// The `ospo list --format json` document.
#[derive(Debug, Serialize)]
pub struct Listing<'a> {
    pub format_version: u32,
    /// The policy the verdicts come from; absent when none was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<&'a str>,
    pub components: &'a [Row],
}

/// The rows, sorted; `ev` (when a policy was found) gives each its verdict.
pub fn rows(scan: &Scan, ev: Option<&Evaluation>) -> Vec<Row> {
    let verdicts: HashMap<&str, &str> = ev
        .map(|e| {
            e.components
                .iter()
                .map(|v| (v.bom_ref.as_str(), v.status.name()))
                .collect()
        })
        .unwrap_or_default();
    let mut rows: Vec<Row> = scan
        .components
        .iter()
        .map(|c| Row {
            name: c.name.clone(),
            version: c.version.clone().filter(|v| !v.is_empty()),
            ecosystem: c.ecosystem.as_str().to_string(),
            purl: c.purl.clone(),
            bom_ref: c.bom_ref.clone(),
            license: c.concluded.clone(),
            declared: c.declared.clone().filter(|d| *d != c.concluded),
            verdict: verdicts.get(c.bom_ref.as_str()).map(|s| s.to_string()),
            review: c.review.clone(),
        })
        .collect();
    sort_rows(&mut rows);
    rows
}

/// Case-insensitive by name, then exact name, version and bom-ref (a total order).
pub fn sort_rows(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.version.cmp(&b.version))
            .then_with(|| a.bom_ref.cmp(&b.bom_ref))
    });
}

const HEADERS: [&str; 7] = [
    "NAME",
    "VERSION",
    "ECOSYSTEM",
    "LICENSE",
    "DECLARED",
    "VERDICT",
    "REVIEW",
];

/// The cells of a row, in [`HEADERS`] order (empty strings where nothing is known).
fn cells(r: &Row) -> [String; 7] {
    [
        r.name.clone(),
        r.version.clone().unwrap_or_default(),
        r.ecosystem.clone(),
        r.license.clone(),
        r.declared.clone().unwrap_or_default(),
        r.verdict.clone().unwrap_or_default(),
        if r.review.is_empty() {
            String::new()
        } else {
            "review".to_string()
        },
    ]
}

/// Which columns are shown: VERDICT only when a policy was found; DECLARED only when some
/// row has one that differs (a column of blanks helps nobody).
fn shown_columns(rows: &[Row], with_policy: bool) -> Vec<usize> {
    (0..HEADERS.len())
        .filter(|&i| match i {
            4 => rows.iter().any(|r| r.declared.is_some()),
            5 => with_policy,
            _ => true,
        })
        .collect()
}

/// A padded table for a terminal, a count line last. Cells come from input: control
/// characters are escaped by the caller (`terminal`), and widths are capped.
pub fn table(rows: &[Row], policy: Option<&str>) -> String {
    let cols = shown_columns(rows, policy.is_some());
    let body: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            let mut c = cells(r);
            for (i, cell) in c.iter_mut().enumerate() {
                if cell.is_empty() && (i <= 3 || (i == 5 && policy.is_some())) {
                    *cell = "-".into();
                }
            }
            c
        })
        .collect();
    let width = |i: usize| {
        body.iter()
            .map(|c| c[i].chars().count())
            .chain([HEADERS[i].len()])
            .max()
            .unwrap_or(0)
            .min(super::MAX_COLUMN)
    };
    let widths: Vec<usize> = cols.iter().map(|&i| width(i)).collect();
    let mut out = String::new();
    let line = |out: &mut String, cells: &[&str]| {
        let mut s = String::new();
        for (k, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if k + 1 == cells.len() {
                s.push_str(cell);
            } else {
                let _ = write!(s, "{cell:<w$}  ");
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(
        &mut out,
        &cols.iter().map(|&i| HEADERS[i]).collect::<Vec<_>>(),
    );
    for c in &body {
        line(
            &mut out,
            &cols.iter().map(|&i| c[i].as_str()).collect::<Vec<_>>(),
        );
    }
    out.push_str(&count_line(rows, policy));
    out.push('\n');
    out
}

/// "3 components, 1 to review; policy policy.toml: 2 pass, 1 fail".
fn count_line(rows: &[Row], policy: Option<&str>) -> String {
    let review = rows.iter().filter(|r| !r.review.is_empty()).count();
    let mut s = crate::text::plural(rows.len(), "component", "components");
    let _ = write!(s, ", {review} to review");
    if let Some(p) = policy {
        let n = |v: &str| {
            rows.iter()
                .filter(|r| r.verdict.as_deref() == Some(v))
                .count()
        };
        let _ = write!(
            s,
            "; policy {p}: {} pass, {} warn, {} fail",
            n("pass"),
            n("warn"),
            n("fail")
        );
    }
    s
}

/// CSV with a header row (RFC 4180 quoting, LF line ends as most tools write). A cell that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`, tab, CR first: a hostile package name) gets a leading `'`, as
/// OWASP advises; every column is present so the shape never depends on the data.
pub fn csv(rows: &[Row], with_policy: bool) -> String {
    let mut cols: Vec<usize> = (0..HEADERS.len()).collect();
    if !with_policy {
        cols.retain(|&i| i != 5);
    }
    let mut out = String::new();
    let head: Vec<String> = cols
        .iter()
        .map(|&i| HEADERS[i].to_ascii_lowercase())
        .collect();
    out.push_str(&head.join(","));
    out.push_str(",purl\n");
    for r in rows {
        let c = cells(r);
        let mut fields: Vec<String> = cols.iter().map(|&i| csv_field(&c[i])).collect();
        fields.push(csv_field(r.purl.as_deref().unwrap_or("")));
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A GitHub-flavoured Markdown table (for a PR comment or a wiki), a count line last.
/// Cells are escaped so a name can neither break the table nor inject HTML.
pub fn markdown(rows: &[Row], policy: Option<&str>) -> String {
    let cols = shown_columns(rows, policy.is_some());
    let mut out = String::new();
    let heads: Vec<String> = cols
        .iter()
        .map(|&i| {
            let h = HEADERS[i].to_ascii_lowercase();
            let mut c = h.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let _ = writeln!(out, "| {} |", heads.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(cols.len()));
    for r in rows {
        let c = cells(r);
        let shown: Vec<String> = cols
            .iter()
            .map(|&i| match i {
                0 | 1 | 3 | 4 if !c[i].is_empty() => format!("`{}`", md_code(&c[i])),
                _ => md_text(&c[i]),
            })
            .collect();
        let _ = writeln!(out, "| {} |", shown.join(" | "));
    }
    let _ = writeln!(out, "\n{}", md_text(&count_line(rows, policy)));
    out
}

/// Text inside a code span in a table cell: no backtick (it would end the span), no pipe
/// (it would end the cell), no line break.
fn md_code(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '`' => '\'',
            '|' => '¦',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// Plain text in a table cell: Markdown and HTML syntax escaped.
fn md_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn json(rows: &[Row], policy: Option<&str>) -> serde_json::Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(&Listing {
        format_version: LIST_FORMAT_VERSION,
        policy,
        components: rows,
    })?;
    v.push(b'\n');
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, version: Option<&str>) -> Row {
        Row {
            name: name.into(),
            version: version.map(Into::into),
            ecosystem: "npm".into(),
            purl: None,
            bom_ref: format!("{name}@{}", version.unwrap_or("")),
            license: "MIT".into(),
            declared: None,
            verdict: None,
            review: vec![],
        }
    }

    #[test]
    fn names_sort_without_regard_to_case() {
        let mut r = vec![row("zlib", None), row("Zebra", None), row("apple", None)];
        sort_rows(&mut r);
        let names: Vec<&str> = r.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["apple", "Zebra", "zlib"]);
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("MIT"), "MIT");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(md_code("a|b`c"), "a¦b'c");
        assert_eq!(md_text("<b>|x"), "&lt;b&gt;\\|x");
    }
}
