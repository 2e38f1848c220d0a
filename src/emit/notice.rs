//! Third-party notices: the attribution file a release ships (`ospo notice`).
//!
//! Built in two steps: [`build`] turns a Scan into a [`Notice`] (which license texts, which
//! components under each, their copyright lines, the NOTICE files to carry), then one
//! renderer per format writes it (text, Markdown, HTML), so the three forms never disagree.
//!
//! Choices, documented in README.md:
//! - The scanned project itself is left out: these are the *third-party* notices.
//! - A component is listed under every license id of its concluded expression (an
//!   `MIT OR Apache-2.0` crate appears under both), since the recipient may rely on
//!   either; a `WITH` exception gets its own section with its text.
//! - Each distinct text is printed once: the SPDX standard text, shared by every component
//!   without a license file of its own, and each component license file that says more
//!   than the standard text (a BSD or MIT text with the holder's own copyright line),
//!   shared by every component with the same text. A file whose words are the standard
//!   text, or a part of it (Apache-2.0 without its appendix), uses the standard text.
//! - Apache-style NOTICE files are carried verbatim in a section of their own.
//! - Components with an unknown license (`NOASSERTION`, `NONE`) are listed apart.
//! - Dev-only dependencies are left out unless asked for.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::expression::license_ids;
use crate::model::{Component, Diagnostic, FileClass, FileRecord, MatchKind, Scan, Scope};

#[derive(Debug, Clone, Default)]
pub struct NoticeOptions {
    /// Also list components whose scope is `dev`.
    pub include_dev: bool,
}

/// Everything a notice holds, in output order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Notice {
    /// "name version" of the scanned project, for the title.
    pub project: Option<String>,
    pub tool_version: String,
    pub license_list_version: String,
    /// One per license id, sorted by id.
    pub groups: Vec<Group>,
    /// Components whose license is unknown, sorted by name.
    pub unknown: Vec<Entry>,
    /// NOTICE files carried verbatim, sorted by component then path.
    pub notice_files: Vec<NoticeFile>,
    /// Dev-only components left out (0 with `include_dev`).
    pub dev_excluded: usize,
    /// What the reader of the command should know (files not on disk, ...).
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The SPDX id (or `LicenseRef-...`).
    pub id: String,
    /// The SPDX full name, when the id is on the SPDX list.
    pub full_name: Option<String>,
    /// The standard text first (when any component uses it), then each distinct own text.
    pub texts: Vec<TextBlock>,
}

impl Group {
    pub fn component_count(&self) -> usize {
        self.texts.iter().map(|t| t.components.len()).sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextBlock {
    pub source: TextSource,
    /// The text as printed; None when no text is known (a `LicenseRef-` without its file).
    pub text: Option<String>,
    pub components: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TextSource {
    /// The SPDX standard text of the id.
    Standard,
    /// A component's own license file (its path relative to the scan root).
    File(String),
    /// No text available.
    Missing,
}

/// One component as a notice lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    pub version: Option<String>,
    pub bom_ref: String,
    /// The concluded expression, shown where it is more than the section's id.
    pub license: String,
    pub copyrights: Vec<String>,
    /// Said about this component in this place ("its license file was not available").
    pub notes: Vec<String>,
}

impl Entry {
    /// "name version", on one line whatever the input put in them.
    pub fn title(&self) -> String {
        let t = match &self.version {
            Some(v) => format!("{} {v}", self.name),
            None => self.name.clone(),
        };
        crate::text::escape_controls(&t).into_owned()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoticeFile {
    pub component: String,
    pub path: String,
    pub text: String,
}

/// Decide what the notice holds, from the model alone: the components' license and NOTICE
/// files are the texts the scan recorded ([`Scan::texts`]); where one is missing (a scan
/// read from an SBOM, or saved by an ospo that did not record texts) the standard text is
/// used and a diagnostic says so.
pub fn build(scan: &Scan, opts: &NoticeOptions) -> Notice {
    let mut files_of: HashMap<&str, Vec<&FileRecord>> = HashMap::new();
    for f in &scan.files {
        if let Some(c) = &f.component {
            files_of.entry(c.as_str()).or_default().push(f);
        }
    }
    let reader = Texts(scan.texts_by_path());
    let mut notice = Notice {
        tool_version: scan.tool.version.clone(),
        license_list_version: scan.tool.license_list_version.clone(),
        ..Default::default()
    };
    if let Some(p) = scan
        .project
        .as_ref()
        .and_then(|r| scan.components.iter().find(|c| &c.bom_ref == r))
    {
        notice.project = Some(entry_title(p));
    }

    let mut components: Vec<&Component> = scan
        .components
        .iter()
        .filter(|c| scan.project.as_deref() != Some(c.bom_ref.as_str()))
        .collect();
    if !opts.include_dev {
        let before = components.len();
        components.retain(|c| c.scope != Some(Scope::Dev));
        notice.dev_excluded = before - components.len();
    }
    components
        .sort_by(|a, b| (&a.name, &a.version, &a.bom_ref).cmp(&(&b.name, &b.version, &b.bom_ref)));

    // id -> text key -> block; the standard text sorts first (key "").
    let mut groups: BTreeMap<String, BTreeMap<(TextSource, String), TextBlock>> = BTreeMap::new();
    for c in &components {
        let files = files_of.get(c.bom_ref.as_str()).map_or(&[][..], |v| v);
        let copyrights: Vec<String> = files
            .iter()
            .flat_map(|f| f.copyrights.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let ids: Vec<String> = license_ids(&c.concluded)
            .into_iter()
            .filter(|id| !crate::model::is_unknown_license(id))
            .collect();
        let base = Entry {
            name: c.name.clone(),
            version: c.version.clone(),
            bom_ref: c.bom_ref.clone(),
            license: c.concluded.clone(),
            copyrights,
            notes: Vec::new(),
        };
        if ids.is_empty() {
            notice.unknown.push(base);
            continue;
        }
        for f in files.iter().filter(|f| is_notice_file(f)) {
            match reader.read(&f.path) {
                Some(text) => notice.notice_files.push(NoticeFile {
                    component: base.title(),
                    path: f.path.clone(),
                    text: text.trim_end().to_string(),
                }),
                None => notice.diagnostics.push(Diagnostic::warning(
                    Some(f.path.clone()),
                    format!(
                        "NOTICE file of {}: its text is not in the scan; it is not carried in \
                         the notice",
                        base.title()
                    ),
                )),
            }
        }
        for id in ids {
            let mut entry = base.clone();
            let (source, text) = license_text(c, files, &id, &reader, &mut entry, &mut notice);
            let key = (source.clone(), normalize_ws(text.as_deref().unwrap_or("")));
            let block = groups
                .entry(id.clone())
                .or_default()
                .entry(key)
                .or_insert_with(|| TextBlock {
                    source,
                    text,
                    components: Vec::new(),
                });
            block.components.push(entry);
        }
    }
    notice.groups = merge_blocks(groups);
    notice
        .notice_files
        .sort_by(|a, b| (&a.component, &a.path).cmp(&(&b.component, &b.path)));
    notice.notice_files.dedup();
    notice.diagnostics.sort();
    notice.diagnostics.dedup();
    notice
}

/// The text printed for component `c` under license `id`: its own license file's part
/// for `id` when it says more than the standard text, else the standard text; when its
/// file's text is not in the scan, the standard text with a note on `entry` and a
/// diagnostic.
fn license_text(
    c: &Component,
    files: &[&FileRecord],
    id: &str,
    reader: &Texts,
    entry: &mut Entry,
    notice: &mut Notice,
) -> (TextSource, Option<String>) {
    let standard = crate::licensedb::license_text(id);
    let own = own_text(c, files, id, reader);
    let title = entry.title();
    match (own, standard) {
        (Own::Found(_, text), Some(std)) if !says_more(&text, std) => {
            (TextSource::Standard, Some(tidy(std)))
        }
        (Own::Found(path, text), _) => (TextSource::File(path), Some(text)),
        (Own::Unreadable(path), std) => {
            let shown = if std.is_some() {
                "the standard SPDX text is shown instead"
            } else {
                "no text of it is available"
            };
            entry.notes.push(format!(
                "its license file {path} was not available; {shown}"
            ));
            notice.diagnostics.push(Diagnostic::warning(
                Some(path.clone()),
                format!(
                    "license file of {}: its text is not in the scan (read from an SBOM, \
                     or saved by an older ospo?); {shown} for {id}",
                    title
                ),
            ));
            match std {
                Some(s) => (TextSource::Standard, Some(tidy(s))),
                None => (TextSource::Missing, None),
            }
        }
        (Own::None, Some(std)) => (TextSource::Standard, Some(tidy(std))),
        (Own::None, None) => (TextSource::Missing, None),
    }
}

/// One group per license id; blocks of own files are keyed by path first: those with the
/// same words are merged into one.
fn merge_blocks(groups: BTreeMap<String, BTreeMap<(TextSource, String), TextBlock>>) -> Vec<Group> {
    let mut out = Vec::new();
    for (id, blocks) in groups {
        let mut texts: Vec<TextBlock> = Vec::new();
        let mut by_words: HashMap<(bool, String), usize> = HashMap::new();
        for ((source, words), block) in blocks {
            let k = (matches!(source, TextSource::File(_)), words);
            match by_words.get(&k) {
                Some(&i) if k.0 => texts[i].components.extend(block.components),
                _ => {
                    by_words.insert(k, texts.len());
                    texts.push(block);
                }
            }
        }
        for t in &mut texts {
            t.components.sort_by(|a, b| {
                (&a.name, &a.version, &a.bom_ref).cmp(&(&b.name, &b.version, &b.bom_ref))
            });
        }
        let full_name = spdx::license_id(&id)
            .map(|l| l.full_name.to_string())
            .or_else(|| spdx::exception_id(&id).map(|e| e.name.to_string()))
            .filter(|n| n != &id);
        out.push(Group {
            id,
            full_name,
            texts,
        });
    }
    out
}

fn entry_title(c: &Component) -> String {
    let t = match &c.version {
        Some(v) => format!("{} {v}", c.name),
        None => c.name.clone(),
    };
    crate::text::escape_controls(&t).into_owned()
}

/// NOTICE, NOTICE.txt, NOTICE.md ... (the Apache-2.0 section 4(d) file).
fn is_notice_file(f: &FileRecord) -> bool {
    let name = f.path.rsplit('/').next().unwrap_or(&f.path);
    f.class == Some(FileClass::License) && name.to_ascii_uppercase().starts_with("NOTICE")
}

enum Own {
    /// (path, the part of the file that holds the license)
    Found(String, String),
    /// The component has a license file for the id, but it could not be read.
    Unreadable(String),
    None,
}

/// The component's own text of `id`: from its license files (class License, not NOTICE),
/// or the files its Text evidence points at (a package cache outside the tree).
fn own_text(c: &Component, files: &[&FileRecord], id: &str, reader: &Texts) -> Own {
    // (path, every match's (start, end, is a text of `id`)) per candidate file.
    let mut candidates: BTreeMap<String, Vec<(u32, u32, bool)>> = BTreeMap::new();
    for f in files {
        if f.class != Some(FileClass::License) || is_notice_file(f) {
            continue;
        }
        let spans: Vec<(u32, u32, bool)> = f
            .licenses
            .iter()
            .map(|m| {
                let mine = m.kind == MatchKind::Text && license_ids(&m.expression).contains(id);
                (m.start_line, m.end_line, mine)
            })
            .collect();
        candidates.insert(f.path.clone(), spans);
    }
    for e in &c.evidence {
        if e.kind == MatchKind::Text && !candidates.contains_key(&e.path) {
            let mine = license_ids(&e.expression).contains(id);
            candidates
                .entry(e.path.clone())
                .or_default()
                .push((e.start_line, e.end_line, mine));
        }
    }
    let mut unreadable = None;
    for (path, mut spans) in candidates {
        if !spans.iter().any(|s| s.2) {
            continue;
        }
        let Some(content) = reader.read(&path) else {
            unreadable.get_or_insert(path);
            continue;
        };
        spans.sort();
        let lines: Vec<&str> = content.lines().collect();
        for (i, span) in spans.iter().enumerate() {
            if !span.2 {
                continue;
            }
            // From after the previous match to before the next one: the copyright lines
            // above a text belong to it.
            let from = if i == 0 { 1 } else { spans[i - 1].1 + 1 };
            let to = match spans.get(i + 1) {
                Some(next) => next.0.saturating_sub(1),
                None => lines.len() as u32,
            };
            let from = from.min(span.0).max(1) as usize;
            let to = (to.max(span.1) as usize).min(lines.len());
            if from > to {
                continue;
            }
            let text = trim_blank_lines(&lines[from - 1..to]);
            if !text.is_empty() {
                return Own::Found(path, text);
            }
        }
    }
    match unreadable {
        Some(p) => Own::Unreadable(p),
        None => Own::None,
    }
}

/// A text as printed: no trailing spaces, no blank lines around it.
fn tidy(text: &str) -> String {
    trim_blank_lines(&text.lines().collect::<Vec<_>>())
}

fn trim_blank_lines(lines: &[&str]) -> String {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(s), Some(e)) => lines[s..=e]
            .iter()
            .map(|l| l.trim_end())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn normalize_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a component's own text says more than the standard text: not the same words,
/// nor a part of them (a file without the standard text's appendix or title). Words are
/// compared without case and punctuation, and `https` is `http`: a copy of the Apache text
/// with a newer URL or other quotes is the standard text, a copyright line is not.
fn says_more(own: &str, standard: &str) -> bool {
    fn words(s: &str) -> String {
        let cleaned: String = s
            .chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    ' '
                }
            })
            .collect();
        let mut out = String::with_capacity(cleaned.len() + 2);
        out.push(' ');
        for w in cleaned.split_whitespace() {
            out.push_str(if w == "https" { "http" } else { w });
            out.push(' ');
        }
        out
    }
    !words(standard).contains(&words(own))
}

/// The recorded texts of the scan, by path.
struct Texts<'a>(HashMap<&'a str, &'a str>);

impl Texts<'_> {
    fn read(&self, path: &str) -> Option<&str> {
        self.0.get(path).copied()
    }
}

const RULE: &str =
    "================================================================================";
const THIN: &str =
    "--------------------------------------------------------------------------------";

fn intro(n: &Notice) -> Vec<String> {
    let mut v = vec![
        "This product includes the third-party components listed below. Each license text is \
         given once, followed by the components it covers and their copyright notices."
            .to_string(),
        "A component offered under a choice of licenses (an OR expression) is listed under \
         each of them."
            .to_string(),
    ];
    if n.dev_excluded > 0 {
        v.push(format!(
            "Development-only dependencies ({}) are not part of the product and are not listed.",
            n.dev_excluded
        ));
    }
    v
}

fn title(n: &Notice) -> String {
    match &n.project {
        Some(p) => format!("Third-party software notices for {p}"),
        None => "Third-party software notices".to_string(),
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 component".into()
    } else {
        format!("{n} components")
    }
}

fn source_label(s: &TextSource) -> String {
    match s {
        TextSource::Standard => "standard SPDX text".into(),
        TextSource::File(p) => format!("from {p}"),
        TextSource::Missing => "text not available".into(),
    }
}

/// Plain text, wrapped for an 80-column reader; texts themselves are verbatim.
pub fn render_text(n: &Notice) -> String {
    let mut o = String::new();
    let t = title(n);
    o.push_str(&format!("{t}\n{}\n\n", "=".repeat(t.chars().count())));
    for p in intro(n) {
        o.push_str(&wrap(&p, 80));
        o.push_str("\n\n");
    }
    o.push_str(&format!(
        "Generated by ospo {} (SPDX license list {}).\n\n",
        n.tool_version, n.license_list_version
    ));
    o.push_str("Licenses:\n");
    if n.groups.is_empty() && n.unknown.is_empty() {
        o.push_str("  (no third-party components)\n");
    }
    let w = n
        .groups
        .iter()
        .map(|g| g.id.len())
        .max()
        .unwrap_or(0)
        .min(super::MAX_COLUMN);
    for g in &n.groups {
        o.push_str(&format!("  {:w$}  {}\n", g.id, count(g.component_count())));
    }
    if !n.unknown.is_empty() {
        o.push_str(&format!("  {:w$}  {}\n", "unknown", count(n.unknown.len())));
    }
    for g in &n.groups {
        o.push_str(&format!("\n{RULE}\n{}", g.id));
        if let Some(f) = &g.full_name {
            o.push_str(&format!(": {f}"));
        }
        o.push_str(&format!("\n{RULE}\n"));
        for (i, b) in g.texts.iter().enumerate() {
            if i > 0 {
                o.push_str(&format!("\n{THIN}\n"));
            }
            o.push_str(&format!("\nUsed by ({}):\n", source_label(&b.source)));
            for e in &b.components {
                o.push_str(&format!("  - {}", e.title()));
                if e.license != g.id {
                    o.push_str(&format!(" (licensed {})", e.license));
                }
                o.push('\n');
                for c in &e.copyrights {
                    o.push_str(&format!("      {c}\n"));
                }
                for note in &e.notes {
                    o.push_str(&format!("      Note: {note}\n"));
                }
            }
            o.push('\n');
            match &b.text {
                Some(t) => {
                    o.push_str(t.trim_end());
                    o.push('\n');
                }
                None => o.push_str(&format!(
                    "(No text of {} is available: see the components' own files.)\n",
                    g.id
                )),
            }
        }
    }
    if !n.notice_files.is_empty() {
        o.push_str(&format!(
            "\n{RULE}\nNOTICE files\n{RULE}\n\nThe NOTICE files of these components, verbatim \
             (Apache License 2.0, section 4(d)).\n"
        ));
        for f in &n.notice_files {
            o.push_str(&format!(
                "\n--- {} ({}) ---\n{}\n",
                f.component, f.path, f.text
            ));
        }
    }
    if !n.unknown.is_empty() {
        o.push_str(&format!(
            "\n{RULE}\nComponents with an unknown license\n{RULE}\n\nNo license could be \
             concluded for these components; they need review before release.\n\n"
        ));
        for e in &n.unknown {
            o.push_str(&format!("  - {} ({})\n", e.title(), e.license));
            for c in &e.copyrights {
                o.push_str(&format!("      {c}\n"));
            }
        }
    }
    o
}

fn wrap(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for w in s.split_whitespace() {
        if line > 0 && line + 1 + w.chars().count() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(w);
        line += w.chars().count();
    }
    out
}

/// Markdown (CommonMark). Names and copyright lines are escaped, so text from the
/// scanned tree cannot become markup; license texts are fenced code blocks.
pub fn render_markdown(n: &Notice) -> String {
    let mut o = String::new();
    o.push_str(&format!("# {}\n\n", md(&title(n))));
    for p in intro(n) {
        o.push_str(&format!("{}\n\n", md(&p)));
    }
    o.push_str(&format!(
        "Generated by ospo {} (SPDX license list {}).\n\n",
        md(&n.tool_version),
        md(&n.license_list_version)
    ));
    o.push_str("| License | Components |\n|---|---:|\n");
    for g in &n.groups {
        o.push_str(&format!("| {} | {} |\n", md(&g.id), g.component_count()));
    }
    if !n.unknown.is_empty() {
        o.push_str(&format!("| unknown | {} |\n", n.unknown.len()));
    }
    for g in &n.groups {
        o.push_str(&format!("\n## {}", md(&g.id)));
        if let Some(f) = &g.full_name {
            o.push_str(&format!(": {}", md(f)));
        }
        o.push('\n');
        for b in &g.texts {
            o.push_str(&format!(
                "\nUsed by ({}):\n\n",
                md(&source_label(&b.source))
            ));
            for e in &b.components {
                o.push_str(&format!("- **{}**", md(&e.title())));
                if e.license != g.id {
                    o.push_str(&format!(" (licensed {})", md(&e.license)));
                }
                o.push('\n');
                for c in &e.copyrights {
                    o.push_str(&format!("  - {}\n", md(c)));
                }
                for note in &e.notes {
                    o.push_str(&format!("  - Note: {}\n", md(note)));
                }
            }
            o.push('\n');
            match &b.text {
                Some(t) => o.push_str(&fenced(t)),
                None => o.push_str(&format!(
                    "No text of {} is available: see the components' own files.\n",
                    md(&g.id)
                )),
            }
        }
    }
    if !n.notice_files.is_empty() {
        o.push_str(
            "\n## NOTICE files\n\nThe NOTICE files of these components, verbatim \
             (Apache License 2.0, section 4(d)).\n",
        );
        for f in &n.notice_files {
            o.push_str(&format!(
                "\n### {} ({})\n\n{}",
                md(&f.component),
                md(&f.path),
                fenced(&f.text)
            ));
        }
    }
    if !n.unknown.is_empty() {
        o.push_str(
            "\n## Components with an unknown license\n\nNo license could be concluded for \
             these components; they need review before release.\n\n",
        );
        for e in &n.unknown {
            o.push_str(&format!("- **{}** ({})\n", md(&e.title()), md(&e.license)));
            for c in &e.copyrights {
                o.push_str(&format!("  - {}\n", md(c)));
            }
        }
    }
    o
}

/// Backslash-escape the characters that can start markup inline (HTML, emphasis, code,
/// links, tables), so a name like `<img ...>` or `*bold*` stays literal text. Every text
/// this escapes sits after a list marker or heading, so line-start syntax cannot occur.
fn md(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(
            ch,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '!'
        ) {
            o.push('\\');
        }
        o.push(ch);
    }
    o
}

/// A fenced code block longer than any backtick run inside, so the text cannot close it.
fn fenced(t: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in t.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}text\n{}\n{fence}\n", t.trim_end())
}

/// A self-contained HTML page; everything from the tree is escaped.
pub fn render_html(n: &Notice) -> String {
    use super::report::escape as h;
    let mut o = String::new();
    let t = title(n);
    o.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{}</title>\n<style>\nbody{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}}\n\
         pre{{white-space:pre-wrap;background:#f6f6f6;padding:1rem;border:1px solid #ddd;font-size:.85rem}}\n\
         section{{margin-top:2rem}}\nh2{{border-bottom:2px solid #333}}\n.copyright{{color:#444;font-size:.9rem}}\n\
         @media print{{pre{{background:none;border:none;padding:0}} section{{break-inside:auto}}}}\n</style>\n</head>\n<body>\n",
        h(&t)
    ));
    o.push_str(&format!("<h1>{}</h1>\n", h(&t)));
    for p in intro(n) {
        o.push_str(&format!("<p>{}</p>\n", h(&p)));
    }
    o.push_str(&format!(
        "<p>Generated by ospo {} (SPDX license list {}).</p>\n<table>\n<thead><tr><th>License</th><th>Components</th></tr></thead>\n<tbody>\n",
        h(&n.tool_version),
        h(&n.license_list_version)
    ));
    for (i, g) in n.groups.iter().enumerate() {
        o.push_str(&format!(
            "<tr><td><a href=\"#license-{i}\">{}</a></td><td>{}</td></tr>\n",
            h(&g.id),
            g.component_count()
        ));
    }
    if !n.unknown.is_empty() {
        o.push_str(&format!(
            "<tr><td><a href=\"#unknown\">unknown</a></td><td>{}</td></tr>\n",
            n.unknown.len()
        ));
    }
    o.push_str("</tbody>\n</table>\n");
    for (i, g) in n.groups.iter().enumerate() {
        o.push_str(&format!("<section id=\"license-{i}\">\n<h2>{}", h(&g.id)));
        if let Some(f) = &g.full_name {
            o.push_str(&format!(": {}", h(f)));
        }
        o.push_str("</h2>\n");
        for b in &g.texts {
            o.push_str(&format!(
                "<p>Used by ({}):</p>\n<ul>\n",
                h(&source_label(&b.source))
            ));
            for e in &b.components {
                o.push_str(&format!("<li><strong>{}</strong>", h(&e.title())));
                if e.license != g.id {
                    o.push_str(&format!(" (licensed {})", h(&e.license)));
                }
                for c in &e.copyrights {
                    o.push_str(&format!("<br><span class=\"copyright\">{}</span>", h(c)));
                }
                for note in &e.notes {
                    o.push_str(&format!("<br><em>Note: {}</em>", h(note)));
                }
                o.push_str("</li>\n");
            }
            o.push_str("</ul>\n");
            match &b.text {
                Some(t) => o.push_str(&format!("<pre>{}</pre>\n", h(t.trim_end()))),
                None => o.push_str(&format!(
                    "<p>No text of {} is available: see the components' own files.</p>\n",
                    h(&g.id)
                )),
            }
        }
        o.push_str("</section>\n");
    }
    if !n.notice_files.is_empty() {
        o.push_str("<section id=\"notice-files\">\n<h2>NOTICE files</h2>\n<p>The NOTICE files of these components, verbatim (Apache License 2.0, section 4(d)).</p>\n");
        for f in &n.notice_files {
            o.push_str(&format!(
                "<h3>{} ({})</h3>\n<pre>{}</pre>\n",
                h(&f.component),
                h(&f.path),
                h(&f.text)
            ));
        }
        o.push_str("</section>\n");
    }
    if !n.unknown.is_empty() {
        o.push_str("<section id=\"unknown\">\n<h2>Components with an unknown license</h2>\n<p>No license could be concluded for these components; they need review before release.</p>\n<ul>\n");
        for e in &n.unknown {
            o.push_str(&format!(
                "<li><strong>{}</strong> ({})",
                h(&e.title()),
                h(&e.license)
            ));
            for c in &e.copyrights {
                o.push_str(&format!("<br><span class=\"copyright\">{}</span>", h(c)));
            }
            o.push_str("</li>\n");
        }
        o.push_str("</ul>\n</section>\n");
    }
    o.push_str("</body>\n</html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, FileRecord, LicenseMatch};

    fn comp(name: &str, concluded: &str, scope: Option<Scope>) -> Component {
        Component {
            bom_ref: format!("pkg:generic/{name}@1.0"),
            name: name.into(),
            version: Some("1.0".into()),
            ecosystem: "generic".into(),
            concluded: concluded.into(),
            scope,
            ..Default::default()
        }
    }

    fn scan(components: Vec<Component>, files: Vec<FileRecord>) -> Scan {
        Scan {
            root: "/nonexistent-ospo-root".into(),
            components,
            files,
            ..Default::default()
        }
    }

    #[test]
    fn groups_by_each_id_of_an_expression() {
        let s = scan(
            vec![
                comp("a", "MIT OR Apache-2.0", None),
                comp("b", "MIT", None),
                comp("c", crate::model::NOASSERTION, None),
            ],
            vec![],
        );
        let n = build(&s, &NoticeOptions::default());
        let ids: Vec<&str> = n.groups.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, ["Apache-2.0", "MIT"]);
        let mit = &n.groups[1];
        assert_eq!(mit.texts.len(), 1, "one standard text for MIT");
        assert_eq!(mit.texts[0].source, TextSource::Standard);
        let names: Vec<&str> = mit.texts[0]
            .components
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(n.unknown.len(), 1);
        assert_eq!(n.unknown[0].name, "c");
    }

    #[test]
    fn dev_components_left_out_unless_asked() {
        let s = scan(
            vec![comp("a", "MIT", None), comp("d", "MIT", Some(Scope::Dev))],
            vec![],
        );
        let n = build(&s, &NoticeOptions::default());
        assert_eq!(n.groups[0].component_count(), 1);
        assert_eq!(n.dev_excluded, 1);
        let n = build(&s, &NoticeOptions { include_dev: true });
        assert_eq!(n.groups[0].component_count(), 2);
        assert_eq!(n.dev_excluded, 0);
    }

    #[test]
    fn missing_license_file_falls_back_to_standard_text_with_a_diagnostic() {
        let c = comp("a", "MIT", None);
        let f = FileRecord {
            path: "a/LICENSE".into(),
            class: Some(FileClass::License),
            component: Some(c.bom_ref.clone()),
            licenses: vec![LicenseMatch {
                expression: "MIT".into(),
                kind: MatchKind::Text,
                score: 1.0,
                start_line: 3,
                end_line: 20,
                rule: None,
                matched_text: None,
            }],
            copyrights: vec!["Copyright 2020 A".into(), "Copyright 2020 A".into()],
            ..Default::default()
        };
        let n = build(&scan(vec![c], vec![f]), &NoticeOptions::default());
        let b = &n.groups[0].texts[0];
        assert_eq!(b.source, TextSource::Standard);
        assert_eq!(b.components[0].copyrights, ["Copyright 2020 A"]);
        assert!(b.components[0].notes[0].contains("a/LICENSE was not available"));
        assert_eq!(n.diagnostics.len(), 1);
        assert!(n.diagnostics[0].message.contains("not in the scan"));
    }

    #[test]
    fn part_of_standard_text_is_not_more() {
        let std = crate::licensedb::license_text("Apache-2.0").unwrap();
        let cut = std.split("APPENDIX").next().unwrap();
        assert!(!says_more(cut, std));
        assert!(!says_more(&cut.replace(' ', "  \n"), std));
        assert!(says_more(&format!("Copyright 2020 X\n\n{cut}"), std));
    }

    #[test]
    fn markdown_escapes_markup_and_fences_outrun_backticks() {
        assert_eq!(md("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(md("a_b*c [d](e)"), "a\\_b\\*c \\[d\\](e)");
        assert!(fenced("a ```` b").starts_with("`````text\n"));
    }

    #[test]
    fn each_license_of_a_concatenated_file_gets_its_part() {
        let mut c = comp("tokio", "MIT AND Apache-2.0", None);
        c.bom_ref = "pkg:cargo/tokio@1.0".into();
        let m = |expr: &str, s, e| LicenseMatch {
            expression: expr.into(),
            kind: MatchKind::Text,
            score: 1.0,
            start_line: s,
            end_line: e,
            rule: None,
            matched_text: None,
        };
        let f = FileRecord {
            path: "mit-then-apache-2.0.LICENSE".into(),
            class: Some(FileClass::License),
            component: Some(c.bom_ref.clone()),
            licenses: vec![m("MIT", 1, 25), m("Apache-2.0", 26, 226)],
            ..Default::default()
        };
        let text = include_str!("../../tests/fixtures/licenses/mit-then-apache-2.0.LICENSE");
        let f = FileRecord {
            sha256: Some("0".repeat(64)),
            ..f
        };
        let mut s = scan(vec![c], vec![f]);
        s.texts.insert("0".repeat(64), text.replace("\r\n", "\n"));
        let n = build(&s, &NoticeOptions::default());
        let ids: Vec<&str> = n.groups.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, ["Apache-2.0", "MIT"]);
        // The Apache part is the standard text (without its appendix): shared, not copied.
        assert_eq!(n.groups[0].texts[0].source, TextSource::Standard);
        // The MIT part carries its own copyright line, and stops where Apache starts.
        let mit = &n.groups[1].texts[0];
        assert_eq!(
            mit.source,
            TextSource::File("mit-then-apache-2.0.LICENSE".into())
        );
        let text = mit.text.as_deref().unwrap();
        assert!(text.contains("Copyright (c) 2018 Carl Lerche"), "{text}");
        assert!(text.ends_with("DEALINGS IN THE SOFTWARE."), "{text}");
        assert!(!text.contains("Apache"));
        assert!(n.diagnostics.is_empty());
    }

    #[test]
    fn licenseref_without_file_has_no_text() {
        let s = scan(vec![comp("a", "LicenseRef-Acme", None)], vec![]);
        let n = build(&s, &NoticeOptions::default());
        assert_eq!(n.groups[0].texts[0].source, TextSource::Missing);
        assert!(render_text(&n).contains("No text of LicenseRef-Acme is available"));
    }
}
