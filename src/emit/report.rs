//! The HTML audit report (`ospo report`): one self-contained file for a legal reviewer.
//!
//! The summary, the license chart (inline SVG) and the lists are written here, escaped
//! with [`escape`]; the component table is rendered in the browser by `report/report.js`
//! from a JSON data block, with `textContent` only, so nothing from the scanned tree can
//! become markup. A Content-Security-Policy allows no network at all and only the
//! report's own script (by its hash), so even markup that slipped through could neither
//! run nor load anything. Policy verdicts and license categories are optional inputs: the
//! report works without a policy ("no policy evaluated").

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::expression::license_ids;
use crate::model::{Component, FileRecord, MatchKind, Scan, Scope, Severity};

const CSS: &str = include_str!("report/report.css");
const JS: &str = include_str!("report/report.js");

/// Lines of a file shown as the excerpt of a text match.
const EXCERPT_LINES: usize = 8;
const EXCERPT_CHARS: usize = 600;
/// Longest list (unknowns, review, diagnostics) written whole in the summary; the table
/// filters show the rest.
const MAX_LISTED: usize = 200;

/// A policy verdict about one component, as the report shows it. The policy engine's
/// verdicts are mapped into this by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportVerdict {
    pub bom_ref: String,
    /// `pass`, `warn` or `fail`.
    pub status: String,
    /// The rule that decided it.
    pub rule: String,
    pub message: String,
}

/// License id -> category (`permissive`, `weak-copyleft`, ...).
/// The verdicts of one policy, and the policy's name as the report shows it.
#[derive(Debug, Clone, Copy)]
pub struct PolicyVerdicts<'a> {
    pub name: &'a str,
    pub verdicts: &'a [ReportVerdict],
}

pub type CategoryFn = fn(&str) -> Option<&'static str>;

/// Escape text for HTML element content and attribute values: the one function every
/// piece of scanned data goes through.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` as `\u` escapes,
/// so no `</script>` or `<!--` in the data can end the block.
fn script_json(v: &impl Serialize) -> String {
    let s = serde_json::to_string(v).expect("report data serializes");
    let mut o = String::with_capacity(s.len() + 64);
    for ch in s.chars() {
        match ch {
            '<' => o.push_str("\\u003c"),
            '>' => o.push_str("\\u003e"),
            '&' => o.push_str("\\u0026"),
            c => o.push(c),
        }
    }
    o
}

#[derive(Serialize)]
struct Data<'a> {
    components: Vec<Row<'a>>,
}

#[derive(Serialize)]
struct Row<'a> {
    bom_ref: &'a str,
    name: &'a str,
    version: &'a str,
    ecosystem: &'a str,
    declared: &'a str,
    concluded: &'a str,
    /// Worst verdict: fail, warn, pass; "" when none.
    verdict: &'static str,
    flags: Vec<&'static str>,
    why: Vec<String>,
    verdicts: Vec<VerdictRow<'a>>,
    evidence: Vec<EvidenceRow>,
}

#[derive(Serialize)]
struct VerdictRow<'a> {
    status: &'a str,
    rule: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct EvidenceRow {
    path: String,
    lines: String,
    kind: &'static str,
    score: String,
    expression: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    excerpt: Option<String>,
}

fn status_rank(s: &str) -> Option<(u8, &'static str)> {
    match s.to_ascii_lowercase().as_str() {
        "fail" => Some((3, "fail")),
        "warn" => Some((2, "warn")),
        "pass" => Some((1, "pass")),
        _ => None,
    }
}

fn is_unknown(c: &Component) -> bool {
    let ids = license_ids(&c.concluded);
    ids.is_empty() || ids.contains(crate::model::NOASSERTION)
}

/// Why the resolver concluded what it did, in words, from the component's fields.
fn why(c: &Component) -> Vec<String> {
    let mut v = Vec::new();
    match (&c.declared_raw, &c.declared) {
        (Some(raw), Some(d)) if raw != d => {
            v.push(format!("The manifest declares `{raw}`, read as `{d}`."))
        }
        (_, Some(d)) => v.push(format!("The manifest declares `{d}`.")),
        (Some(raw), None) => v.push(format!("The manifest declares `{raw}`.")),
        (None, None) => v.push("No license is declared.".into()),
    }
    match &c.detected {
        Some(d) => v.push(format!("The component's license files show `{d}`.")),
        None => v.push("No license files of the component were found.".into()),
    }
    let how = if is_unknown(c) {
        "nothing declared and no evidence: a known unknown"
    } else if c.declared.as_deref() == Some(c.concluded.as_str()) {
        "the declaration, which the evidence does not contradict"
    } else if c.declared.is_none() {
        "from the evidence in its files"
    } else {
        "the declaration plus the licenses the files show that it misses"
    };
    v.push(format!("Concluded `{}`: {how}.", c.concluded));
    v.extend(c.notes.iter().map(|n| format!("Note: {n}")));
    v.extend(c.review.iter().map(|r| format!("Review: {r}")));
    v
}

/// Excerpts of evidence from the texts the scan recorded (split into lines once per file).
struct Excerpts<'a> {
    texts: HashMap<&'a str, &'a str>,
    lines: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Excerpts<'a> {
    fn lines(&mut self, path: &str, start: u32, end: u32) -> Option<String> {
        let (&key, &text) = self.texts.get_key_value(path)?;
        let lines = self
            .lines
            .entry(key)
            .or_insert_with(|| text.lines().collect());
        let from = (start.max(1) as usize).saturating_sub(1);
        if from >= lines.len() {
            return None;
        }
        let to = (end as usize).min(lines.len()).min(from + EXCERPT_LINES);
        let mut s = lines[from..to.max(from + 1)].join("\n");
        let more = (end as usize).min(lines.len()) > to;
        if s.chars().count() > EXCERPT_CHARS {
            s = s.chars().take(EXCERPT_CHARS).collect();
            s.push_str(" …");
        } else if more {
            s.push_str("\n…");
        }
        Some(s)
    }
}

/// The whole report as one HTML document. Deterministic: the same scan and verdicts give
/// the same bytes.
pub fn render(scan: &Scan, policy: Option<PolicyVerdicts>, category: Option<CategoryFn>) -> String {
    let mut comps: Vec<&Component> = scan.components.iter().collect();
    // By name without regard to case (people look for JSONStream under J), then exactly.
    comps.sort_by(|a, b| {
        (a.name.to_lowercase(), &a.name, &a.version, &a.bom_ref).cmp(&(
            b.name.to_lowercase(),
            &b.name,
            &b.version,
            &b.bom_ref,
        ))
    });
    let rows = rows(scan, &comps, policy.map_or(&[][..], |p| p.verdicts));
    let mut o = String::with_capacity(4096 + rows.len() * 600);
    head(&mut o, scan);
    summary(
        &mut o,
        scan,
        &comps,
        &rows,
        policy.map(|p| p.name),
        category,
    );
    table(&mut o, rows);
    o
}

/// One row of the component table per component (sorted), with its verdicts, flags and
/// evidence (each with the matched text or an excerpt of the recorded file).
fn rows<'a>(
    scan: &'a Scan,
    comps: &[&'a Component],
    verdicts: &'a [ReportVerdict],
) -> Vec<Row<'a>> {
    let mut by_ref: HashMap<&str, Vec<&ReportVerdict>> = HashMap::new();
    for v in verdicts {
        by_ref.entry(v.bom_ref.as_str()).or_default().push(v);
    }
    for v in by_ref.values_mut() {
        v.sort_by(|a, b| (&a.status, &a.rule, &a.message).cmp(&(&b.status, &b.rule, &b.message)));
    }
    let files: HashMap<&str, &FileRecord> =
        scan.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut excerpts = Excerpts {
        texts: scan.texts_by_path(),
        lines: HashMap::new(),
    };
    let mut rows = Vec::with_capacity(comps.len());
    for c in comps {
        let vs = by_ref.get(c.bom_ref.as_str()).map_or(&[][..], |v| v);
        let verdict = vs
            .iter()
            .filter_map(|v| status_rank(&v.status))
            .max()
            .map_or("", |r| r.1);
        let mut flags = Vec::new();
        if scan.project.as_deref() == Some(c.bom_ref.as_str()) {
            flags.push("project");
        }
        if is_unknown(c) {
            flags.push("unknown");
        }
        if !c.review.is_empty() {
            flags.push("review");
        }
        if c.scope == Some(Scope::Dev) {
            flags.push("dev");
        }
        let evidence = c
            .evidence
            .iter()
            .map(|e| {
                let matched = files.get(e.path.as_str()).and_then(|f| {
                    f.licenses
                        .iter()
                        .find(|m| {
                            m.start_line == e.start_line
                                && m.end_line == e.end_line
                                && m.expression == e.expression
                        })
                        .and_then(|m| m.matched_text.clone())
                });
                let excerpt = matched.or_else(|| {
                    if e.kind == MatchKind::Manifest {
                        None
                    } else {
                        excerpts.lines(&e.path, e.start_line, e.end_line)
                    }
                });
                EvidenceRow {
                    path: e.path.clone(),
                    lines: if e.start_line == e.end_line {
                        e.start_line.to_string()
                    } else {
                        format!("{}-{}", e.start_line, e.end_line)
                    },
                    kind: e.kind.name(),
                    score: format!("{:.3}", e.score),
                    expression: e.expression.clone(),
                    excerpt,
                }
            })
            .collect();
        rows.push(Row {
            bom_ref: &c.bom_ref,
            name: &c.name,
            version: c.version.as_deref().unwrap_or(""),
            ecosystem: c.ecosystem.as_str(),
            declared: c.declared.as_deref().unwrap_or(""),
            concluded: &c.concluded,
            verdict,
            flags,
            why: why(c),
            verdicts: vs
                .iter()
                .map(|v| VerdictRow {
                    status: &v.status,
                    rule: &v.rule,
                    message: &v.message,
                })
                .collect(),
            evidence,
        });
    }
    rows
}

/// The document head (its Content-Security-Policy allows only the report's own script),
/// the title and the line saying what was scanned.
fn head(o: &mut String, scan: &Scan) {
    let project = scan
        .project
        .as_ref()
        .and_then(|r| scan.components.iter().find(|c| &c.bom_ref == r));
    let title = match project {
        Some(p) => match &p.version {
            Some(v) => format!("License audit report: {} {v}", p.name),
            None => format!("License audit report: {}", p.name),
        },
        None => "License audit report".to_string(),
    };

    let script_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(JS));
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(
        o,
        "<p class=\"meta\">Scanned root: <code>{}</code> · ospo {} · SPDX license list {}</p>",
        escape(&scan.root),
        escape(&scan.tool.version),
        escape(&scan.tool.license_list_version)
    );
}

/// The component table, drawn in the browser from the JSON data block.
fn table(o: &mut String, rows: Vec<Row<'_>>) {
    o.push_str(
        "<h2 id=\"table\">Components</h2>\n<div class=\"controls\">\n\
         <label>Filter <input id=\"filter\" type=\"search\" placeholder=\"name, version, license, flag...\" autocomplete=\"off\"></label>\n\
         <label>Show <select id=\"flag\">\n<option value=\"\">all</option>\n<option value=\"unknown\">unknown license</option>\n\
         <option value=\"review\">flagged for review</option>\n<option value=\"fail\">policy: fail</option>\n\
         <option value=\"warn\">policy: warn</option>\n<option value=\"dev\">dev dependencies</option>\n</select></label>\n\
         <output id=\"shown\"></output>\n</div>\n\
         <noscript><p>The component table is drawn by the report's script; enable JavaScript to see it.</p></noscript>\n\
         <p class=\"note\">Select a component's name to see its evidence: the files, lines, scores and matched text, and why its license was concluded. Select a column heading to sort.</p>\n\
         <table id=\"components\">\n<thead><tr>",
    );
    for (key, label) in [
        ("name", "Name"),
        ("version", "Version"),
        ("ecosystem", "Ecosystem"),
        ("declared", "Declared"),
        ("concluded", "Concluded"),
        ("verdict", "Verdict"),
        ("flags", "Flags"),
    ] {
        let _ = write!(
            o,
            "<th data-key=\"{key}\" aria-sort=\"none\"><button type=\"button\">{label}</button></th>"
        );
    }
    o.push_str("</tr></thead>\n<tbody></tbody>\n</table>\n");
    let _ = write!(
        o,
        "<script type=\"application/json\" id=\"ospo-data\">{}</script>\n<script>{JS}</script>\n</body>\n</html>\n",
        script_json(&Data { components: rows })
    );
}

fn card(o: &mut String, n: impl std::fmt::Display, label: &str) {
    let _ = writeln!(
        o,
        "<div class=\"card\"><span class=\"n\">{n}</span><span class=\"l\">{}</span></div>",
        escape(label)
    );
}

fn summary(
    o: &mut String,
    scan: &Scan,
    comps: &[&Component],
    rows: &[Row],
    policy_name: Option<&str>,
    category: Option<CategoryFn>,
) {
    let have_policy = policy_name.is_some();
    let unknown: Vec<&&Component> = comps.iter().filter(|c| is_unknown(c)).collect();
    let review: Vec<&&Component> = comps.iter().filter(|c| !c.review.is_empty()).collect();
    let mut per_id: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_expr: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_eco: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_cat: BTreeMap<&str, usize> = BTreeMap::new();
    for c in comps {
        *per_expr.entry(c.concluded.as_str()).or_default() += 1;
        *per_eco.entry(c.ecosystem.as_str()).or_default() += 1;
        let ids = license_ids(&c.concluded);
        let mut cats = BTreeSet::new();
        for id in ids {
            if crate::model::is_unknown_license(&id) {
                continue;
            }
            if let Some(f) = category {
                cats.insert(f(&id).unwrap_or("uncategorized"));
            }
            *per_id.entry(id).or_default() += 1;
        }
        for cat in cats {
            *per_cat.entry(cat).or_default() += 1;
        }
    }

    o.push_str("<h2 id=\"summary\">Summary</h2>\n<div class=\"cards\">\n");
    card(o, comps.len(), "components");
    card(o, per_id.len(), "distinct licenses");
    card(o, unknown.len(), "known unknowns (NOASSERTION)");
    card(o, review.len(), "flagged for review");
    if have_policy {
        for (status, label) in [
            ("fail", "policy: fail"),
            ("warn", "policy: warn"),
            ("pass", "policy: pass"),
        ] {
            card(
                o,
                rows.iter().filter(|r| r.verdict == status).count(),
                label,
            );
        }
        card(
            o,
            rows.iter().filter(|r| r.verdict.is_empty()).count(),
            "no verdict",
        );
    }
    card(o, scan.diagnostics.len(), "diagnostics");
    o.push_str("</div>\n");
    match policy_name {
        Some(name) => {
            let _ = writeln!(
                o,
                "<p id=\"policy\"><strong>Policy:</strong> {}.</p>",
                escape(name)
            );
        }
        None => o.push_str("<p id=\"policy\"><strong>Policy:</strong> no policy evaluated.</p>\n"),
    }
    let ecos: Vec<String> = per_eco
        .iter()
        .map(|(e, n)| format!("{} {n}", escape(e)))
        .collect();
    if !ecos.is_empty() {
        let _ = writeln!(o, "<p>By ecosystem: {}.</p>", ecos.join(", "));
    }

    o.push_str("<h2 id=\"licenses\">Licenses</h2>\n");
    chart(o, &per_expr);
    o.push_str("<table class=\"licenses\">\n<thead><tr><th>License</th><th>Category</th><th class=\"num\">Components</th></tr></thead>\n<tbody>\n");
    let mut ids: Vec<(&String, &usize)> = per_id.iter().collect();
    ids.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (id, n) in ids {
        let cat = match category {
            Some(f) => f(id).unwrap_or("uncategorized"),
            None => "n/a",
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{n}</td></tr>",
            escape(id),
            escape(cat)
        );
    }
    o.push_str("</tbody>\n</table>\n");
    if category.is_some() {
        let cats: Vec<String> = per_cat
            .iter()
            .map(|(c, n)| format!("{} {n}", escape(c)))
            .collect();
        let _ = writeln!(
            o,
            "<p>Components by license category: {}.</p>",
            cats.join(", ")
        );
    } else {
        o.push_str("<p class=\"note\">No license category table was given.</p>\n");
    }
    o.push_str("<p class=\"note\">A component under an expression (<code>MIT OR Apache-2.0</code>) counts once for each license in it; the chart counts concluded expressions.</p>\n");

    o.push_str("<h2 id=\"unknowns\">Known unknowns</h2>\n");
    component_list(o, &unknown, "No component has an unknown license.", |c| {
        escape(&c.concluded)
    });
    o.push_str("<h2 id=\"review\">Flagged for review</h2>\n");
    component_list(o, &review, "No component is flagged for review.", |c| {
        escape(&c.review.join("; "))
    });

    o.push_str("<h2 id=\"diagnostics\">Diagnostics</h2>\n");
    if scan.diagnostics.is_empty() {
        o.push_str("<p>None.</p>\n");
    } else {
        o.push_str("<ul class=\"diagnostics\">\n");
        for d in scan.diagnostics.iter().take(MAX_LISTED) {
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let _ = match &d.path {
                Some(p) => writeln!(
                    o,
                    "<li>{sev}: <code>{}</code>: {}</li>",
                    escape(p),
                    escape(&d.message)
                ),
                None => writeln!(o, "<li>{sev}: {}</li>", escape(&d.message)),
            };
        }
        o.push_str("</ul>\n");
        if scan.diagnostics.len() > MAX_LISTED {
            let _ = writeln!(
                o,
                "<p class=\"note\">... and {} more (all are in <code>ospo scan --format json</code>).</p>",
                scan.diagnostics.len() - MAX_LISTED
            );
        }
    }
}

fn component_list(
    o: &mut String,
    list: &[&&Component],
    none: &str,
    detail: impl Fn(&Component) -> String,
) {
    if list.is_empty() {
        let _ = writeln!(o, "<p>{}</p>", escape(none));
        return;
    }
    o.push_str("<ul>\n");
    for c in list.iter().take(MAX_LISTED) {
        let name = match &c.version {
            Some(v) => format!("{} {v}", c.name),
            None => c.name.clone(),
        };
        let _ = writeln!(
            o,
            "<li><strong>{}</strong>: {}</li>",
            escape(&name),
            detail(c)
        );
    }
    o.push_str("</ul>\n");
    if list.len() > MAX_LISTED {
        let _ = writeln!(
            o,
            "<p class=\"note\">... and {} more: filter the table below.</p>",
            list.len() - MAX_LISTED
        );
    }
}

/// A horizontal bar chart of concluded expressions, drawn in Rust as inline SVG (prints
/// as vectors, needs no script). The 12 most common; the rest as "other".
fn chart(o: &mut String, per_expr: &BTreeMap<&str, usize>) {
    const TOP: usize = 12;
    const COLORS: [&str; 6] = [
        "#2456a6", "#3d8b5a", "#b0702b", "#7a4fa0", "#a63d52", "#3c8c99",
    ];
    if per_expr.is_empty() {
        o.push_str("<p>No components.</p>\n");
        return;
    }
    let mut bars: Vec<(String, usize)> =
        per_expr.iter().map(|(e, n)| (e.to_string(), *n)).collect();
    bars.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if bars.len() > TOP {
        let other: usize = bars[TOP..].iter().map(|b| b.1).sum();
        let kinds = bars.len() - TOP;
        bars.truncate(TOP);
        let kinds = crate::text::plural(kinds, "expression", "expressions");
        bars.push((format!("other ({kinds})"), other));
    }
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    // The label column is as wide as the longest label shown (at most 44 characters of a
    // 12px font, up to 7.5px each, right-aligned): a fixed width cut long labels off at the
    // left edge of the SVG.
    let longest = bars
        .iter()
        .map(|b| b.0.chars().count().min(44))
        .max()
        .unwrap_or(0);
    let (label_w, bar_w, row_h) = ((longest * 15 / 2 + 16).max(80), 380usize, 22usize);
    let height = bars.len() * row_h + 4;
    let width = label_w + bar_w + 60;
    let _ = writeln!(
        o,
        "<svg class=\"chart\" role=\"img\" aria-label=\"Components by concluded license\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = i * row_h + 2;
        let w = (n * bar_w).div_ceil(max).max(1);
        let shown: String = if label.chars().count() > 44 {
            label.chars().take(43).chain(std::iter::once('…')).collect()
        } else {
            label.clone()
        };
        let _ = writeln!(
            o,
            "<g><title>{}: {n}</title><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"{}\"></rect>\
             <text x=\"{}\" y=\"{}\">{n}</text></g>",
            escape(label),
            label_w - 6,
            y + 15,
            escape(&shown),
            row_h - 6,
            COLORS[i % COLORS.len()],
            label_w + w + 6,
            y + 15
        );
    }
    o.push_str("</svg>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Evidence};

    fn comp(name: &str, concluded: &str) -> Component {
        Component {
            bom_ref: format!("pkg:generic/{}", name.len()),
            name: name.into(),
            version: Some("1".into()),
            ecosystem: "generic".into(),
            concluded: concluded.into(),
            ..Default::default()
        }
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn hostile_data_never_appears_as_markup() {
        let mut c = comp("<script>alert(1)</script>", "MIT");
        c.review = vec!["<img src=x onerror=alert(2)>".into()];
        c.evidence = vec![Evidence {
            expression: "MIT".into(),
            kind: MatchKind::Text,
            path: "</script><script>alert(3)</script>".into(),
            start_line: 1,
            end_line: 2,
            score: 1.0,
            sha256: None,
        }];
        let scan = Scan {
            root: "<b>root</b>".into(),
            components: vec![c],
            ..Default::default()
        };
        let html = render(&scan, None, None);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>root"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("\\u003cscript\\u003ealert(1)"));
        // Exactly the two script elements of the report itself.
        assert_eq!(html.matches("<script").count(), 2);
        assert!(html.contains("no policy evaluated"));
    }

    #[test]
    fn verdicts_and_categories_are_shown() {
        let scan = Scan {
            components: vec![comp("a", "MIT"), comp("bb", "GPL-3.0-only")],
            ..Default::default()
        };
        let v = vec![
            ReportVerdict {
                bom_ref: "pkg:generic/2".into(),
                status: "fail".into(),
                rule: "deny GPL-3.0-only".into(),
                message: "denied".into(),
            },
            ReportVerdict {
                bom_ref: "pkg:generic/2".into(),
                status: "pass".into(),
                rule: "r".into(),
                message: "m".into(),
            },
        ];
        fn cat(id: &str) -> Option<&'static str> {
            (id == "MIT").then_some("permissive")
        }
        let html = render(
            &scan,
            Some(PolicyVerdicts {
                name: "test policy",
                verdicts: &v,
            }),
            Some(cat),
        );
        assert!(!html.contains("no policy evaluated"));
        assert!(html.contains("<span class=\"n\">1</span><span class=\"l\">policy: fail</span>"));
        assert!(html.contains("<td>MIT</td><td>permissive</td>"));
        assert!(html.contains("<td>GPL-3.0-only</td><td>uncategorized</td>"));
        assert!(html.contains("\"verdict\":\"fail\""));
        // Same input, same bytes.
        assert_eq!(
            html,
            render(
                &scan,
                Some(PolicyVerdicts {
                    name: "test policy",
                    verdicts: &v
                }),
                Some(cat)
            )
        );
    }

    #[test]
    fn csp_hash_matches_the_script() {
        let html = render(&Scan::default(), None, None);
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(JS));
        assert!(html.contains(&format!("script-src 'sha256-{hash}'")));
        assert!(html.contains(&format!("<script>{JS}</script>")));
        // Nothing is loaded from anywhere: no src or href attributes at all.
        assert!(!html.contains(" src=") && !html.contains(" href="));
    }
}
