//! License evidence in one file, wherever it stands.
//!
//! Every text file gets the cheap pass ([`prefilter`]): a keyword automaton over all of its
//! bytes. Around each hit a region is cut (or the whole file, for license files, READMEs
//! and files the regions mostly cover), tokenized ([`tokenize`]) and matched against the
//! whole store ([`matcher`]): ScanCode's rules and license texts, the SPDX texts, ospo's
//! curated rules. SPDX tags are read by [`tags`], copyright statements by [`copyright`],
//! both over the same regions. What looks like license text but matches nothing well is
//! reported as unrecognized, with its lines, for a human.
//!
//! Identical regions (the same header in every file of a project, the same LICENSE in
//! every vendored crate) are matched once per scan ([`Cache`]): the key is the token
//! sequence the matcher sees, so the result is the same whichever copy came first.

pub mod copyright;
pub mod manifest;
pub mod matcher;
pub mod names;
pub mod prefilter;
pub mod selfcheck;
pub mod tags;
pub mod tokenize;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::licensedb::{self, LicenseDb, RuleKind, UNKNOWN_TOKEN};
use crate::model::{FileClass, LicenseMatch, MatchKind, Unrecognized};
use matcher::{Query, Scratch};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Findings {
    pub licenses: Vec<LicenseMatch>,
    pub copyrights: Vec<String>,
    pub unrecognized: Vec<Unrecognized>,
}

impl Findings {
    pub fn is_empty(&self) -> bool {
        self.licenses.is_empty() && self.copyrights.is_empty() && self.unrecognized.is_empty()
    }
}

/// A match as the cache keeps it: positions in the region's token sequence.
#[derive(Debug, Clone)]
struct RegionMatch {
    rule: u32,
    qstart: u32,
    qend: u32,
    score: f32,
    coverage: f32,
    /// Two references read as a choice ("either A or B"): the OR of both, and the second
    /// rule.
    choice: Option<(String, u32)>,
    /// The license the text names when it is not the rule's: a bare name followed by
    /// another version ("the Academic Free License version 2.1").
    renamed: Option<String>,
}

impl RegionMatch {
    fn expression<'a>(&'a self, db: &'a LicenseDb) -> &'a str {
        self.renamed
            .as_deref()
            .unwrap_or_else(|| db.rule_expression(self.rule))
    }
}

/// What one region's tokens give, independent of where the region is.
#[derive(Debug, Default)]
struct RegionResult {
    matches: Vec<RegionMatch>,
    /// License-like text no rule explains: (first, last) token position, closest rule.
    unrecognized: Option<(u32, u32, Option<u32>, f32)>,
}

/// Results of matching by token sequence, and whole findings of license files by content,
/// shared by all walker threads.
#[derive(Default)]
pub struct Cache {
    regions: Mutex<HashMap<[u8; 32], Arc<RegionResult>>>,
    /// Whole findings (copyrights included) of license files and READMEs by the SHA-256 of
    /// their bytes: a vendored tree holds the same LICENSE-APACHE hundreds of times.
    exact: Mutex<HashMap<[u8; 32], Arc<Findings>>>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Every piece of license evidence in one file. `class` is the name class (None: plain
/// text). `sha256` of the file's bytes, when known, lets identical files share the work.
pub fn detect(
    class: Option<FileClass>,
    text: &str,
    cache: &Cache,
    sha256: Option<&[u8; 32]>,
) -> Findings {
    detect_file(None, class, text, cache, sha256)
}

/// [`detect`] for a file whose path (relative, '/'-separated) is known: a prose file
/// (`.txt`, `.md`, `.html`...) gets the wider keyword set.
pub fn detect_file(
    path: Option<&str>,
    class: Option<FileClass>,
    text: &str,
    cache: &Cache,
    sha256: Option<&[u8; 32]>,
) -> Findings {
    let prose = path.is_some_and(prefilter::is_prose);
    if class == Some(FileClass::Manifest) {
        let name = path.map(crate::relpath::file_name);
        return match name {
            Some(name) if manifest::describes_itself(name) => manifest_findings(name, text, cache),
            _ => Findings::default(),
        };
    }
    if class == Some(FileClass::Binary) {
        return Findings::default();
    }
    let whole_file = matches!(class, Some(FileClass::License | FileClass::Readme));
    if let (true, Some(key)) = (whole_file, sha256) {
        if let Some(hit) = cache.exact.lock().unwrap().get(key) {
            return (**hit).clone();
        }
        let found = detect_text(text, whole_file, prose, cache);
        cache
            .exact
            .lock()
            .unwrap()
            .insert(*key, Arc::new(found.clone()));
        return found;
    }
    detect_text(text, whole_file, prose, cache)
}

/// The license fields of a manifest that describes its own package, each as a finding
/// of kind `manifest` on the field's lines: an SPDX expression (or a name the normaliser
/// knows) as written, any other value read by the matcher the way it reads a reference
/// ("Apache License, Version 2.0", a trove classifier, a license URL).
fn manifest_findings(name: &str, text: &str, cache: &Cache) -> Findings {
    let db = licensedb::db();
    let mut out = Findings::default();
    let fields = manifest::license_fields(name, text);
    if manifest::has_comments(name) {
        // A header comment or docstring is read like any source file's; what the matcher
        // finds on a field's own lines is that field, reported once, below.
        let prose = detect_text(text, false, false, cache);
        let on_field = |m: &LicenseMatch| {
            fields
                .iter()
                .any(|f| m.start_line <= f.end_line && f.start_line <= m.end_line)
        };
        out.licenses
            .extend(prose.licenses.into_iter().filter(|m| !on_field(m)));
        out.copyrights = prose.copyrights;
        out.unrecognized = prose.unrecognized;
    }
    for f in fields {
        let rule = format!("manifest field `{}`", f.name);
        let known = if f.is_classifier() {
            crate::expression::classifier_to_id(&f.value)
        } else {
            let n = crate::expression::normalize(&f.value);
            (n.license_refs.is_empty() && n.expression != crate::model::NOASSERTION)
                .then_some(n.expression)
        };
        if let Some(expression) = known {
            out.licenses.push(LicenseMatch {
                expression,
                kind: MatchKind::Manifest,
                score: 1.0,
                start_line: f.start_line,
                end_line: f.end_line,
                rule: Some(rule),
                matched_text: Some(f.value.chars().take(500).collect()),
            });
            continue;
        }
        let mut found = Findings::default();
        match_region(db, &f.value, f.start_line, false, false, cache, &mut found);
        for mut m in found.licenses {
            m.kind = MatchKind::Manifest;
            m.rule = Some(match m.rule {
                Some(r) => format!("{rule}: {r}"),
                None => rule.clone(),
            });
            out.licenses.push(m);
        }
    }
    out.licenses.sort_by_key(|m| (m.start_line, m.end_line));
    out
}

fn detect_text(text: &str, whole_file: bool, prose: bool, cache: &Cache) -> Findings {
    let hits = prefilter::hits_in(text.as_bytes(), prose);
    // A short prose file is matched whole, keywords or not: a one-line license URL
    // (`https://logify.devexpress.com/Terms`, a misspelt `LISCENSE.md` link) or a name
    // the keywords do not know is all such a file says.
    let whole_file = whole_file || prefilter::small_prose(text.as_bytes(), prose);
    // Nothing the prefilter knows, and no whole file asked for: nothing to match.
    if hits.is_empty() && (!whole_file || text.trim().is_empty()) {
        return Findings::default();
    }
    let regions = if whole_file {
        vec![(0, text.len())]
    } else {
        prefilter::regions(text, &hits, prose)
    };
    let db = licensedb::db();
    let mut out = Findings::default();
    // Line number of each region's first byte: counted once, front to back.
    let mut line = 1u32;
    let mut counted = 0usize;
    for (start, end) in regions {
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted..start]).count() as u32;
        counted = start;
        let region = &text[start..end];
        match_region(
            db,
            region,
            line,
            !prose && !whole_file,
            whole_file,
            cache,
            &mut out,
        );
        for c in copyright::find_copyrights(region, None) {
            if !out.copyrights.contains(&c.statement) {
                out.copyrights.push(c.statement);
            }
        }
    }
    let t = tags::find_tags(text);
    for (_, c) in t.copyrights {
        if !out.copyrights.contains(&c) {
            out.copyrights.push(c);
        }
    }
    if !t.licenses.is_empty() {
        // A rule hit on a tag line says again what the tag says.
        let tag_lines: Vec<u32> = t.licenses.iter().map(|m| m.start_line).collect();
        out.licenses
            .retain(|m| !(m.start_line == m.end_line && tag_lines.contains(&m.start_line)));
        out.licenses.extend(t.licenses);
    }
    compound_license_lines(text, &mut out.licenses);
    drop_license_lists(&mut out.licenses);
    join_exceptions(&mut out);
    consolidate(&mut out.licenses);
    // Text that holds a recognised license (or a tag) is not "unrecognized".
    let lic = &out.licenses;
    out.unrecognized.retain(|u| {
        !lic.iter()
            .any(|m| m.start_line <= u.end_line && u.start_line <= m.end_line)
    });
    out.licenses.sort_by(|a, b| {
        (a.start_line, a.end_line, &a.expression).cmp(&(b.start_line, b.end_line, &b.expression))
    });
    out
}

/// Lines the rules matched that give a compound SPDX expression (`License: BSD-3-Clause
/// AND MIT`): the expression as written replaces what the rules found on the line, which
/// was its first license only (ScanCode has rules for the common pairs, not for every
/// one), and an OR lost made a choice of MIT a GPL obligation.
fn compound_license_lines(text: &str, licenses: &mut Vec<LicenseMatch>) {
    /// Lines looked at per file, at most: a list of licenses is not a license.
    const MAX_LINES: usize = 64;
    let mut lines: Vec<u32> = licenses
        .iter()
        .filter(|m| {
            m.start_line == m.end_line && matches!(m.kind, MatchKind::Tag | MatchKind::Reference)
        })
        .map(|m| m.start_line)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    if lines.is_empty() || lines.len() > MAX_LINES {
        return;
    }
    let mut found: Vec<(u32, String, String)> = Vec::new();
    let mut want = lines.iter().peekable();
    for (i, line) in text.lines().enumerate() {
        let Some(&&n) = want.peek() else { break };
        if i as u32 + 1 != n {
            continue;
        }
        want.next();
        if let Some(expr) = tags::compound_license_line(line) {
            found.push((n, expr, line.trim().chars().take(500).collect()));
        }
    }
    for (n, expression, line) in found {
        licenses.retain(|m| !(m.start_line == n && m.end_line == n));
        licenses.push(LicenseMatch {
            expression,
            kind: MatchKind::Tag,
            score: 1.0,
            start_line: n,
            end_line: n,
            rule: Some("license-line".into()),
            matched_text: Some(line),
        });
    }
}

/// The tokens of a region as the matcher sees them.
fn query(db: &LicenseDb, region: &str, first_line: u32) -> Query {
    let mut q = Query::default();
    // `<br>`s since the last word: one is a line's end, as a newline is; two are a blank
    // line between paragraphs.
    let mut brs = 0;
    tokenize::pieces(region, first_line, false, |p| match p {
        tokenize::Piece::Word(w, l, (a, b)) => {
            q.toks.push(db.token(w));
            q.lines.push(l);
            q.spans.push((a as u32, b as u32));
            brs = 0;
        }
        tokenize::Piece::Break { paragraph } => {
            brs += 1;
            let next = q.toks.len() as u32;
            if (paragraph || brs >= 2) && next > 0 && q.breaks.last() != Some(&next) {
                q.breaks.push(next);
            }
        }
        _ => {}
    });
    q
}

/// Cuts a code region's query after its license prose: after the line of its last word
/// of license vocabulary, or, where that line does not end its sentence ("License:",
/// "Licensed under the"), after the next line with words ("Zlib", "Apache License,
/// Version 2.0"). The code below a header (the region reaches a dozen lines past its last
/// keyword, for a notice that goes on) holds no license words, so no rule can match there,
/// but it made every file's region distinct, and with it the region cache's key: the same
/// header above a hundred files of a crate was matched a hundred times.
fn cut_code_after_prose(db: &LicenseDb, region: &str, q: &mut Query) {
    let Some(last) = q
        .toks
        .iter()
        .rposition(|&t| t != UNKNOWN_TOKEN && db.legal[t as usize])
    else {
        return;
    };
    let n = q.toks.len();
    let line_end = |from: usize| {
        let mut e = from;
        while e + 1 < n && q.lines[e + 1] == q.lines[from] {
            e += 1;
        }
        e
    };
    let mut end = line_end(last);
    let rest = &region[q.spans[end].1 as usize..];
    let rest = rest[..rest.find('\n').unwrap_or(rest.len())].trim_start();
    if !rest.starts_with('.') && end + 1 < n {
        end = line_end(end + 1);
    }
    let keep = end + 1;
    q.toks.truncate(keep);
    q.lines.truncate(keep);
    q.spans.truncate(keep);
    let keep = keep as u32;
    q.breaks.retain(|&p| p < keep);
}

/// Matches one region. `keyword_needed`: a region of code, cut around the pre-filter's
/// keywords, whose known words hold none of them names no license (the keyword was
/// inside an identifier) and is not matched. `whole`: the region is the whole file, read
/// whole as license text (see [`matcher::Query::whole_short`]).
fn match_region(
    db: &LicenseDb,
    region: &str,
    first_line: u32,
    keyword_needed: bool,
    whole: bool,
    cache: &Cache,
    out: &mut Findings,
) {
    let mut q = query(db, region, first_line);
    q.whole_short = whole && q.toks.len() <= matcher::WHOLE_SHORT_TOKENS;
    if keyword_needed {
        if !q
            .toks
            .iter()
            .any(|&t| t != UNKNOWN_TOKEN && db.keyword[t as usize])
        {
            return;
        }
        cut_code_after_prose(db, region, &mut q);
    }
    if q.toks.is_empty() {
        return;
    }
    // One update over the whole sequence: an update per token cost more than the hash.
    // Where paragraphs break is part of the key: it can break a match (`Query::breaks`).
    let mut bytes: Vec<u8> = q.toks.iter().flat_map(|t| t.to_le_bytes()).collect();
    bytes.extend((q.breaks.len() as u32).to_le_bytes());
    bytes.extend(q.breaks.iter().flat_map(|p| p.to_le_bytes()));
    bytes.push(u8::from(q.whole_short));
    let key: [u8; 32] = Sha256::digest(&bytes).into();
    let cached = cache.regions.lock().unwrap().get(&key).cloned();
    let result = match cached {
        Some(r) => r,
        None => {
            let r = Arc::new(SCRATCH.with(|s| compute(db, &q, &mut s.borrow_mut())));
            cache.regions.lock().unwrap().insert(key, r.clone());
            r
        }
    };
    for m in &result.matches {
        let (a, b) = (
            q.spans[m.qstart as usize].0 as usize,
            q.spans[m.qend as usize].1 as usize,
        );
        if db.rule_kind(m.rule) == RuleKind::Clue && !stands_alone(region, a, b) {
            continue;
        }
        if matches!(db.rule_kind(m.rule), RuleKind::Reference | RuleKind::Tag)
            && db.rule_len(m.rule) <= CODE_WORDS
            && (in_code(region, a, b)
                || (db.rule_kind(m.rule) == RuleKind::Tag && is_identifier(&region[a..b])))
        {
            continue;
        }
        let kind = match db.rule_kind(m.rule) {
            RuleKind::Text => MatchKind::Text,
            RuleKind::Notice => MatchKind::Notice,
            RuleKind::Tag => MatchKind::Tag,
            _ => MatchKind::Reference,
        };
        let ident = db.rule_identifier(m.rule);
        let mut rule = if m.coverage >= 0.9995 {
            ident.to_string()
        } else {
            format!("{ident} ({:.0}% of it)", m.coverage * 100.0)
        };
        let mut expression = m.expression(db).to_string();
        if let Some((either, other)) = &m.choice {
            rule = format!("either-or: {rule} + {}", db.rule_identifier(*other));
            expression = either.clone();
        }
        let (start_line, end_line) = (q.lines[m.qstart as usize], q.lines[m.qend as usize]);
        out.licenses.push(LicenseMatch {
            expression,
            kind,
            score: m.score,
            start_line,
            end_line,
            rule: Some(rule),
            matched_text: excerpt(
                region,
                q.spans[m.qstart as usize].0,
                q.spans[m.qend as usize].1,
                end_line - start_line,
            ),
        });
    }
    if let Some((a, b, closest, score)) = result.unrecognized {
        out.unrecognized.push(Unrecognized {
            start_line: q.lines[a as usize],
            end_line: q.lines[b as usize],
            closest: closest.map(|r| db.rule_expression(r).to_string()),
            score,
        });
    }
}

/// Words a reference or tag has at most to be checked for standing in code.
const CODE_WORDS: u32 = 3;

/// Whether `region[a..b]`, a match of a few words, is a piece of code, not a statement:
/// a command-line option ("npm ls -gpld" is no "GPLd", ScanCode's rare GPL mention), or
/// words joined by a logical or comparison operator (`manifest.license || 'Proprietary'`
/// in npm's `view` command is a default for a missing field, not a proprietary license),
/// or a glob.
fn in_code(region: &str, a: usize, b: usize) -> bool {
    let before = region.as_bytes()[..a].iter().rev();
    let dashes = before.clone().take_while(|&&c| c == b'-').count();
    let option = (1..=2).contains(&dashes)
        && before
            .clone()
            .nth(dashes)
            .is_none_or(|c| c.is_ascii_whitespace());
    // (A heading's underline of `=` is no operator: "License\n=======\n[MIT](LICENSE)".)
    let operator = region[a..b]
        .lines()
        .filter(|l| !l.trim().bytes().all(|c| c == b'=' || c == b'-'))
        .any(|l| {
            ["||", "&&", "==", "!=", "?:", " ? "]
                .iter()
                .any(|op| l.contains(op))
        });
    // A glob (`"lgpl[.-]*"` and `"CC-BY-*"` in ignore's file types; not a markdown
    // footnote, "MIT[^1]", nor bold, "**GPL**").
    let bytes = region.as_bytes();
    let glob = (bytes.get(b) == Some(&b'[') && bytes.get(b + 1) != Some(&b'^'))
        || (bytes.get(b) == Some(&b'-') && bytes.get(b + 1) == Some(&b'*'));
    option || operator || glob
}

/// Whether a tag's words are one identifier: `LICENSE_FREE` in Pygments' list of MQL
/// constants is no "License: Free". (A reference may be one: ScanCode's rules read the
/// kernel's `EXPORT_SYMBOL_GPL` and Asterisk's `ASTERISK_GPL_KEY` as GPL.)
fn is_identifier(words: &str) -> bool {
    words.contains('_')
        && words
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Whether `region[a..b]` (a license's bare name, [`matcher::is_label`]) stands on its
/// line as a label: nothing before it but comment markers or an attribution ended by a
/// separator ("2010-12-15 : Igor Pavlov : Public domain", "License: Public Domain"), and
/// after it nothing, or the end of its sentence or label ("Public domain.", "PUBLIC
/// DOMAIN: No Rights Reserved"). In a sentence ("use a Public Domain table") or in a
/// string of code it is a mention, not a statement.
fn stands_alone(region: &str, a: usize, b: usize) -> bool {
    let line_start = region[..a].rfind('\n').map_or(0, |i| i + 1);
    let line_end = region[b..].find('\n').map_or(region.len(), |i| b + i);
    let before = region[line_start..a]
        .trim_start_matches(|c: char| c.is_whitespace() || "/*#;!%-<>".contains(c))
        .trim_end();
    let after = region[b..line_end].trim();
    let after = after
        .strip_suffix("*/")
        .or_else(|| after.strip_suffix("-->"))
        .unwrap_or(after)
        .trim();
    let before_ok = before.is_empty()
        || (!before.contains(['"', '\'', '`', '='])
            && (before.ends_with(':') || before.ends_with(" -") || before.ends_with("--")));
    before_ok && (after.is_empty() || after.starts_with(['.', ':']))
}

/// The text of a short match (a reference, a tag, a notice of a few lines) as the file
/// has it, comment markers and spacing collapsed, for the reviewer. Long texts are recorded
/// whole in the scan instead.
fn excerpt(region: &str, from: u32, to: u32, lines: u32) -> Option<String> {
    const MAX_LINES: u32 = 6;
    const MAX_CHARS: usize = 500;
    if lines >= MAX_LINES {
        return None;
    }
    // Whole lines when they are short (the sentence around the words), else the words.
    let (mut a, mut b) = (from as usize, to as usize);
    let la = region[..a].rfind('\n').map_or(0, |i| i + 1);
    let lb = region[b..].find('\n').map_or(region.len(), |i| b + i);
    if lb - la <= MAX_CHARS {
        (a, b) = (la, lb);
    }
    let raw = region.get(a..b)?;
    let mut t = String::with_capacity(raw.len());
    for line in raw.split('\n') {
        let l = line
            .trim()
            .trim_start_matches(['/', '*', '#', ';', '!', '-', '%'])
            .trim_end_matches("*/")
            .trim();
        if !l.is_empty() {
            if !t.is_empty() {
                t.push(' ');
            }
            t.push_str(l);
        }
    }
    if t.chars().count() > MAX_CHARS {
        t = t.chars().take(MAX_CHARS).collect::<String>() + "…";
    }
    (!t.is_empty()).then_some(t)
}

/// Distinct words of license grants. Text with fewer than three of them only mentions a
/// license ("see LICENSE"), or is a list of copyright lines: not license text.
const LICENSE_WORDS: &[&str] = &[
    "licen",
    "permission",
    "redistribut",
    "warrant",
    "liabil",
    "free software",
    "subject to the terms",
    "public domain",
    "granted",
    "rights reserved",
];

/// How many distinct [`LICENSE_WORDS`] `lower` (lower-cased text) holds.
pub(crate) fn license_words(lower: &str) -> usize {
    LICENSE_WORDS.iter().filter(|w| lower.contains(*w)).count()
}

/// Regions with at least this many known words left unexplained may be unrecognized text.
const UNRECOGNIZED_WORDS: usize = 40;

fn compute(db: &LicenseDb, q: &Query, scratch: &mut Scratch) -> RegionResult {
    let hits = matcher::find(db, q, scratch);
    let mut result = RegionResult::default();
    let mut explained = vec![false; q.toks.len()];
    for h in &hits {
        // "See the LICENSE file" names no license: it is neither evidence nor, being a
        // phrase of a few words, worth a reviewer's time.
        if matcher::is_unknown(db, h) {
            continue;
        }
        for p in h.qstart..=h.qend {
            explained[p as usize] = true;
        }
        result.matches.push(RegionMatch {
            rule: h.rule,
            qstart: h.qstart,
            qend: h.qend,
            score: h.score(db),
            coverage: h.coverage(db),
            choice: None,
            renamed: None,
        });
    }
    for m in &mut result.matches {
        let expr = db.rule_expression(m.rule);
        if db.rule_kind(m.rule) == RuleKind::Reference {
            m.renamed = version_named_after(db, q, m.qend, expr);
        }
        if m.renamed.is_none() && db.rule_kind(m.rule) == RuleKind::Notice {
            m.renamed = version_within(db, q, m.qstart, m.qend, expr);
        }
    }
    // A notice given its version above: the unversioned mentions beside it ("See the GNU
    // General Public License for more details") are its echo, as the matcher has it for
    // notices whose rule names the version.
    let versioned: Vec<(u32, u32, String)> = result
        .matches
        .iter()
        .filter_map(|m| Some((m.qstart, m.qend, m.renamed.clone()?)))
        .collect();
    if !versioned.is_empty() {
        result.matches.retain(|m| {
            let e = m.expression(db);
            !(matcher::UNVERSIONED.contains(&e)
                && !matcher::names_version(db, m.rule)
                && versioned.iter().any(|(a, b, v)| {
                    matcher::family(v) == matcher::family(e)
                        && matcher::within_echo((*a, *b), (m.qstart, m.qend))
                }))
        });
    }
    join_choices(db, q, &mut result.matches);
    // The longest run of known words that no license explains, if it reads like one.
    let (mut best, mut run_start, mut run_words) = (None::<(u32, u32, usize)>, 0u32, 0usize);
    for (p, &t) in q.toks.iter().enumerate() {
        if explained[p] {
            run_words = 0;
            continue;
        }
        if t == UNKNOWN_TOKEN {
            continue;
        }
        if run_words == 0 {
            run_start = p as u32;
        }
        run_words += 1;
        if best.is_none_or(|b| run_words > b.2) {
            best = Some((run_start, p as u32, run_words));
        }
    }
    if let Some((a, b, n)) = best {
        let text: String = (a..=b)
            .map(|p| db.token_text(q.toks[p as usize]))
            .collect::<Vec<_>>()
            .join(" ");
        if n >= UNRECOGNIZED_WORDS && license_words(&text) >= 3 {
            result.unrecognized = Some((a, b, None, 0.0));
        }
    }
    result
}

/// A run of 15 or more one-line references or tags close together, a third of them
/// distinct licenses or at least five, is a list of license ids (a license picker, SPDX
/// data, the spellings a license tool corrects: spdx-correct's many ways of writing
/// "AGPL-3.0"), not licensing: ScanCode's rule, by lines.
///
/// A file of more than 150 matches, 95% of them such one-line mentions, of a third as
/// many distinct licenses or 150, is a license database (SPDX's list as code, a license
/// tool's tables) as a whole, and none of its mentions is licensing: the runs of the
/// list are broken up by the entries no rule knows ("SSH_OpenSSH", "Sendmail_8_23"), and
/// the few left between them were reported (ScanCode's rule for long lists, which drops
/// the file's every match: here every match of a line or two, the list's words such as
/// "fsfap-no-warranty-disclaimer" too, while a header above the list and an SPDX tag
/// still license the file).
fn drop_license_lists(ms: &mut Vec<LicenseMatch>) {
    const MIN_LIST: usize = 15;
    const MIN_DISTINCT: usize = MIN_LIST / 3;
    const MAX_GAP_LINES: u32 = 5;
    const MIN_LONG_LIST: usize = 150;
    if ms.len() < MIN_LIST {
        return;
    }
    ms.sort_by_key(|m| (m.start_line, m.end_line));
    let listed = |m: &LicenseMatch| {
        matches!(m.kind, MatchKind::Reference | MatchKind::Tag)
            && m.end_line <= m.start_line + 1
            && m.rule.as_deref() != Some("spdx-tag")
    };
    let distinct = |ms: &[LicenseMatch]| {
        let mut exprs: Vec<&str> = ms.iter().map(|m| m.expression.as_str()).collect();
        exprs.sort_unstable();
        exprs.dedup();
        exprs.len()
    };
    if ms.len() > MIN_LONG_LIST && ms.iter().filter(|m| listed(m)).count() * 100 >= ms.len() * 95 {
        let n = distinct(ms);
        if n * 3 >= ms.len() || n >= MIN_LONG_LIST {
            ms.retain(|m| m.end_line > m.start_line + 1 || m.rule.as_deref() == Some("spdx-tag"));
            return;
        }
    }
    let mut drop = vec![false; ms.len()];
    let mut i = 0;
    while i < ms.len() {
        if !listed(&ms[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < ms.len()
            && listed(&ms[j])
            && ms[j].start_line <= ms[j - 1].end_line + MAX_GAP_LINES
        {
            j += 1;
        }
        let run = &ms[i..j];
        let n = distinct(run);
        if run.len() >= MIN_LIST && (n * 3 >= run.len() || n >= MIN_DISTINCT) {
            drop[i..j].iter_mut().for_each(|d| *d = true);
        }
        i = j;
    }
    let mut k = 0;
    ms.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

/// How strong a kind of evidence is, for keeping one of two matches of one license.
fn strength(k: MatchKind) -> u8 {
    match k {
        MatchKind::Text => 4,
        MatchKind::Notice => 3,
        MatchKind::Tag => 2,
        MatchKind::Reference => 1,
        MatchKind::Manifest => 0,
    }
}

/// Matches of one license on the same or nearby lines are one piece of evidence
/// ("Apache-2.0" and "Apache License 2.0" in one line, a title above its text, a notice
/// and the URL it points to): the strongest kind and best score, over all their lines.
fn consolidate(ms: &mut Vec<LicenseMatch>) {
    /// "Nearby": at most this many lines from one to the next.
    const NEAR_LINES: u32 = 4;
    const NEAR_HEADING_LINES: u32 = 8;
    // SPDX tags are evidence of their own kind (REUSE): they stay as they are.
    let (tags, rest): (Vec<_>, Vec<_>) = ms
        .drain(..)
        .partition(|m| m.rule.as_deref() == Some("spdx-tag"));
    *ms = rest;
    ms.sort_by(|a, b| {
        (&a.expression, a.start_line, a.end_line).cmp(&(&b.expression, b.start_line, b.end_line))
    });
    let mut out: Vec<LicenseMatch> = Vec::with_capacity(ms.len());
    for m in ms.drain(..) {
        if let Some(last) = out.last_mut() {
            // A heading above a text ("BSD 3-Clause License", then the copyright lines,
            // then the text) is part of it, a few more lines away.
            let near = if m.kind == MatchKind::Text && last.end_line == last.start_line {
                NEAR_HEADING_LINES
            } else {
                NEAR_LINES
            };
            if last.expression == m.expression && m.start_line <= last.end_line + near {
                last.end_line = last.end_line.max(m.end_line);
                // The strongest kind speaks for the whole, with its own score: a heading
                // matched exactly does not make a modified text exact.
                let (a, b) = (strength(m.kind), strength(last.kind));
                if (a, m.score) > (b, last.score) {
                    last.kind = m.kind;
                    last.rule = m.rule;
                    last.matched_text = m.matched_text;
                }
                last.score = match a.cmp(&b) {
                    std::cmp::Ordering::Greater => m.score,
                    std::cmp::Ordering::Equal => last.score.max(m.score),
                    std::cmp::Ordering::Less => last.score,
                };
                continue;
            }
        }
        out.push(m);
    }
    out.extend(tags);
    out.sort_by(|a, b| {
        (a.start_line, a.end_line, &a.expression).cmp(&(b.start_line, b.end_line, &b.expression))
    });
    *ms = out;
}

/// "Licensed under either of Apache License, Version 2.0 or MIT license, at your option":
/// two references with "or" between them, and "either" before or "at your option" / "at
/// your choice" after, are one choice, `A OR B` (ScanCode has rules for many such
/// sentences, not for every wording).
fn join_choices(db: &LicenseDb, q: &Query, ms: &mut Vec<RegionMatch>) {
    let tok = |w: &str| db.token(w);
    let (or, either) = (tok("or"), tok("either"));
    let (option, choice, dual) = (tok("option"), tok("choice"), tok("dual"));
    let simple = |e: &str| !e.is_empty() && !e.contains(' ') && !is_exception(e);
    ms.sort_by_key(|m| m.qstart);
    let mut i = 0;
    while i + 1 < ms.len() {
        let (a, b) = (&ms[i], &ms[i + 1]);
        if b.qstart <= a.qend {
            i += 1;
            continue;
        }
        let (ea, eb) = (a.expression(db), b.expression(db));
        let between =
            &q.toks[(a.qend as usize + 1).min(q.toks.len())..(b.qstart as usize).min(q.toks.len())];
        let before = &q.toks[(a.qstart as usize).saturating_sub(8)..a.qstart as usize];
        let after = &q.toks
            [(b.qend as usize + 1).min(q.toks.len())..(b.qend as usize + 8).min(q.toks.len())];
        let is_choice = a.choice.is_none()
            && simple(ea)
            && simple(eb)
            && ea != eb
            && between.len() <= 3
            && between.contains(&or)
            && (before.contains(&either)
                || before.contains(&dual)
                || after.contains(&option)
                || after.contains(&choice));
        if is_choice {
            let either_expr = format!("{ea} OR {eb}");
            let b_rule = b.rule;
            let (b_end, b_score) = (b.qend, b.score);
            let m = &mut ms[i];
            m.qend = b_end;
            m.score = m.score.min(b_score);
            m.choice = Some((either_expr, b_rule));
            ms.remove(i + 1);
        }
        i += 1;
    }
}

/// The license a reference really names when the words right after it give a version
/// other than the rule's: ScanCode's rule for "the Academic Free License" says AFL-3.0, but
/// "the Academic Free License version 2.1" is AFL-2.1. Only a valid SPDX id of the same
/// family is taken; anything else keeps the rule's answer.
fn version_named_after(db: &LicenseDb, q: &Query, qend: u32, expr: &str) -> Option<String> {
    if expr.contains(' ') {
        return None;
    }
    let next: Vec<&str> = q.toks[(qend as usize + 1).min(q.toks.len())..]
        .iter()
        .take(3)
        .map(|&t| word(db, t))
        .collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (major, minor) = match next.as_slice() {
        ["version" | "ver" | "v", a, b, ..] if digits(a) && digits(b) => (*a, Some(*b)),
        ["version" | "ver" | "v", a, ..] if digits(a) => (*a, None),
        [v, b, ..] if v.starts_with('v') && digits(&v[1..]) && digits(b) => (&v[1..], Some(*b)),
        [v, ..] if v.starts_with('v') && digits(&v[1..]) => (&v[1..], None),
        _ => return None,
    };
    // The rule's version: the first run of digits and dots in its id.
    let start = expr.find(|c: char| c.is_ascii_digit())?;
    let len = expr[start..]
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(expr.len() - start);
    let old = &expr[start..start + len];
    let versions = match minor {
        Some(m) => vec![format!("{major}.{m}")],
        None => vec![major.to_string(), format!("{major}.0")],
    };
    if versions.iter().any(|v| v == old) {
        return None;
    }
    versions.into_iter().find_map(|v| {
        let id = format!("{}{v}{}", &expr[..start], &expr[start + len..]);
        spdx::license_id(&id).map(|_| id)
    })
}

/// How far past a notice's last matched word its version may stand.
const VERSION_AFTER: usize = 12;

/// The GNU license a notice matched as unversioned really grants when its own words name
/// one version: "under the terms of the GNU General Public License as published by the
/// Free Software Foundation under version 3 of the License" is GPL-3.0-only (ScanCode's
/// closest rule has no version, and says GPL-1.0-or-later); "... or (at your option) any
/// later version" makes it -or-later. Two versions named, or none, keep the rule's answer.
fn version_within(db: &LicenseDb, q: &Query, qstart: u32, qend: u32, expr: &str) -> Option<String> {
    let family = match expr {
        "GPL-1.0-or-later" => "GPL",
        "LGPL-2.0-or-later" => "LGPL",
        "AGPL-1.0-or-later" => "AGPL",
        _ => return None,
    };
    // The version often follows the words the rule matched ("... as published by the Free
    // Software Foundation | under version 3 of the License"): a few tokens past the end.
    let end = (qend as usize + VERSION_AFTER).min(q.toks.len() - 1);
    let words: Vec<&str> = q.toks[qstart as usize..=end]
        .iter()
        .map(|&t| word(db, t))
        .collect();
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    let mut versions: Vec<String> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if *w != "version" {
            continue;
        }
        let Some(major) = words.get(i + 1).filter(|a| digits(a)) else {
            continue;
        };
        let (v, next) = match words.get(i + 2) {
            Some(minor) if digits(minor) => (format!("{major}.{minor}"), words.get(i + 3)),
            _ => (format!("{major}.0"), words.get(i + 2)),
        };
        // "version 3 of the License", "version 2.1 or any later", "version 2 only": the
        // license's version, not a package's ("Version: 1.0" of a spec file).
        if !next.is_some_and(|n| matches!(*n, "of" | "or" | "only" | "as" | "published")) {
            continue;
        }
        if !versions.contains(&v) {
            versions.push(v);
        }
    }
    let [version] = versions.as_slice() else {
        return None;
    };
    let later = words
        .windows(2)
        .any(|w| w == ["later", "version"] || w == ["or", "later"]);
    let id = format!(
        "{family}-{version}-{}",
        if later { "or-later" } else { "only" }
    );
    (id != expr && spdx::license_id(&id).is_some()).then_some(id)
}

/// A token's word; "" for a word the store does not know.
fn word(db: &LicenseDb, t: u16) -> &str {
    if t == UNKNOWN_TOKEN {
        ""
    } else {
        db.token_text(t)
    }
}

/// An exception, SPDX's or one of ScanCode's (`LicenseRef-scancode-musl-exception`): not
/// a license by itself.
fn is_exception(expr: &str) -> bool {
    (spdx::license_id(expr).is_none() && spdx::exception_id(expr).is_some())
        || crate::licensedb::is_scancode_exception(expr)
}

/// An exception modifies the license stated just before it (Apache-2.0, then the
/// LLVM exception); one written first (libgit2's COPYING) waits for the license that
/// follows. Only a neighbour counts (a few lines apart): left alone, an exception is not a
/// license, and it goes to review.
fn join_exceptions(out: &mut Findings) {
    const NEAR_LINES: u32 = 3;
    out.licenses.sort_by_key(|m| (m.start_line, m.end_line));
    let mut i = 0;
    while i < out.licenses.len() {
        if !is_exception(&out.licenses[i].expression) {
            i += 1;
            continue;
        }
        let exc = out.licenses.remove(i);
        let simple = |m: &LicenseMatch| !m.expression.contains(' ') && !is_exception(&m.expression);
        let before = out.licenses[..i]
            .iter()
            .rposition(|m| simple(m) && exc.start_line <= m.end_line + NEAR_LINES);
        let after = || {
            out.licenses[i..]
                .iter()
                .position(|m| simple(m) && m.start_line <= exc.end_line + NEAR_LINES)
                .map(|p| p + i)
        };
        match before.or_else(after) {
            Some(t) => {
                let m = &mut out.licenses[t];
                // SPDX's WITH takes only its listed exceptions; ScanCode's others are written
                // as the store writes them, AND-ed on.
                let with = if exc.expression.starts_with("LicenseRef-") {
                    "AND"
                } else {
                    "WITH"
                };
                m.expression = format!("{} {with} {}", m.expression, exc.expression);
                m.start_line = m.start_line.min(exc.start_line);
                m.end_line = m.end_line.max(exc.end_line);
                m.score = m.score.min(exc.score);
                m.rule = Some(format!(
                    "{}; {}",
                    m.rule.as_deref().unwrap_or(""),
                    exc.rule.as_deref().unwrap_or("")
                ));
                if t >= i {
                    i += 1;
                }
            }
            None => out.unrecognized.push(Unrecognized {
                start_line: exc.start_line,
                end_line: exc.end_line,
                closest: Some(exc.expression),
                score: exc.score,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_license_name_stands_alone_as_a_label_only() {
        let at = |text: &str| {
            let a = text.to_lowercase().find("public domain").unwrap();
            stands_alone(text, a, a + "public domain".len())
        };
        // Labels: alone, after an attribution or a field name, before a sentence's end.
        assert!(at("PUBLIC DOMAIN\n\nThis file is generated"));
        assert!(at(
            "/* LzmaDec.c 2010-12-15 : Igor Pavlov : Public domain */"
        ));
        assert!(at("## By Mike Hamburg, 2009\n## Public domain.\n##"));
        assert!(at("/* PUBLIC DOMAIN: No Rights Reserved. Marco S Hyman */"));
        assert!(at("License: Public Domain\r\n"));
        assert!(at("<!-- Public Domain -->"));
        // Mentions: in a sentence, in code, before more words.
        assert!(!at(
            "/* as 0. Standard 802.3 polynomial, use a Public Domain */"
        ));
        assert!(!at("Public domain software is software without copyright."));
        assert!(!at("license = \"Public Domain\""));
        assert!(!at("choices: \"MIT\", Public Domain"));
        assert!(!at("x = y : Public domain"));
    }

    #[test]
    fn license_words_handled_by_code_are_told_from_statements() {
        // `in_code(text, a, b)` for the span of `words` in `text`.
        let code = |text: &str, words: &str| {
            let a = text.find(words).unwrap();
            in_code(text, a, a + words.len())
        };
        assert!(code("npm ls -gpld\n", "gpld"));
        assert!(code("cargo new --license MIT", "license MIT"));
        assert!(code(
            "const l = manifest.license || 'Proprietary'",
            "license || 'Proprietary"
        ));
        assert!(code("if (license == 'GPL') {", "license == 'GPL"));
        assert!(code("\"lgpl[.-]*\",", "lgpl"));
        assert!(code("\"CC-BY-*\",", "CC-BY"));
        // Statements: a list item, a compound name, a heading and its underline, bold,
        // a footnote, Python's dunder.
        assert!(!code("- GPL", "GPL"));
        assert!(!code("dual BSD-GPL", "GPL"));
        assert!(!code("./configure --enable-gpl", "gpl"));
        assert!(!code(
            "License\n=======\n\n[MIT](LICENSE).",
            "License\n=======\n\n[MIT"
        ));
        assert!(!code("the **GPL**", "GPL"));
        assert!(!code("under MIT[^1]", "MIT"));
        assert!(!code("__license__ = \"MIT\"", "license__ = \"MIT"));
        assert!(is_identifier("LICENSE_FREE"));
        assert!(!is_identifier("MODULE_LICENSE(\"GPL\")"));
        assert!(!is_identifier("License: Free"));
    }

    fn expressions(found: &Findings) -> Vec<&str> {
        found
            .licenses
            .iter()
            .map(|m| m.expression.as_str())
            .collect()
    }

    /// ScanCode's exceptions that SPDX does not list are exceptions too: alone, a review
    /// item, never a license term of their own (pandas ships musl's exception text).
    #[test]
    fn a_lone_scancode_exception_is_no_license() {
        let id = "LicenseRef-scancode-musl-exception";
        assert!(crate::licensedb::is_scancode_exception(id));
        let text = crate::licensedb::db()
            .scancode_text(id)
            .expect("text in the store");
        let found = detect(Some(FileClass::License), text, &Cache::default(), None);
        assert!(found.licenses.is_empty(), "{:?}", found.licenses);
        assert_eq!(found.unrecognized[0].closest.as_deref(), Some(id));
    }

    /// The code below a header is no part of its region's query: two files with the same
    /// header above different code share one match (one entry in the region cache), and
    /// the lines found are the header's. A line that does not end its sentence keeps the
    /// next one ("License:" above "Zlib").
    #[test]
    fn code_regions_end_with_their_license_prose() {
        let header = "// Copyright 2024 The Example Authors.\n\
                      // Use of this source code is governed by the MIT license that can be\n\
                      // found in the LICENSE file.\n";
        let cache = Cache::default();
        let a = format!("{header}\nuse std::io;\n\npub struct Bytes(Vec<u8>);\nimpl Bytes {{}}\n");
        let b = format!("{header}\nuse std::fmt;\n\npub struct Shown(u32);\nimpl Shown {{}}\n");
        let found_a = detect_file(Some("src/a.rs"), None, &a, &cache, None);
        let n_a = cache.regions.lock().unwrap().len();
        let found_b = detect_file(Some("src/b.rs"), None, &b, &cache, None);
        assert_eq!(cache.regions.lock().unwrap().len(), n_a);
        for found in [&found_a, &found_b] {
            let ids: Vec<(&str, u32, u32)> = found
                .licenses
                .iter()
                .map(|m| (m.expression.as_str(), m.start_line, m.end_line))
                .collect();
            assert_eq!(ids, [("MIT", 2, 3)]);
        }
        for id in ["Zlib", "ISC", "Vim"] {
            let text = format!("int x = 1;\n/* License:\n   {id}\n */\nint y = 2;\nint z = 3;\n");
            let found = detect_file(Some("src/t.c"), None, &text, &Cache::default(), None);
            assert_eq!(expressions(&found), [id], "{text}");
        }
    }

    /// Two tag lines, one license each: "License: MIT License" is a tag too, and it must
    /// not take the second line's "License" from its own tag. A "license" ending the
    /// sentence above a heading starts no tag ("under the MIT license.\nPython Markdown").
    #[test]
    fn each_tag_line_keeps_its_license() {
        let vim = "\" Maintainer: Jane Doe\n\" License: MIT\n\" License: Vim\nlet g:loaded = 1\n";
        let found = detect_file(Some("plugin/x.vim"), None, vim, &Cache::default(), None);
        assert_eq!(expressions(&found), ["MIT", "Vim"]);
        let notes = "simplejson\nMade available under the MIT license.\n\nPython Markdown\n---\n";
        let found = detect_file(Some("LICENSE.txt"), None, notes, &Cache::default(), None);
        assert_eq!(expressions(&found), ["MIT"]);
    }

    /// A code region cut around keywords that stand only inside identifiers the store does
    /// not know names no license, whatever else it says; the same comment beside a word
    /// of licensing is matched. (A snippet in the shape of a licensing library's API.)
    #[test]
    fn keywords_only_inside_identifiers_give_no_match() {
        let api = "namespace Acme.Keys\n{\n    public interface ILicenseValidator\n    {\n        \
                   // Choose MIT or Apache-2.0 for the generated project.\n        \
                   string GetLicenseKind();\n    }\n}\n";
        let found = detect_file(Some("src/Validator.cs"), None, api, &Cache::default(), None);
        assert!(found.licenses.is_empty(), "{:?}", found.licenses);
        let named = api.replace("Acme.Keys", "Acme.Licensing");
        let found = detect_file(
            Some("src/Validator.cs"),
            None,
            &named,
            &Cache::default(),
            None,
        );
        assert!(!found.licenses.is_empty());
    }
}
