//! Full license texts and standard notices, matched with askalono's engine (`spdx::detection`).
//!
//! A file may hold several licenses (MIT text, then Apache-2.0 text). askalono's own
//! elimination scan loses the second one (its bound search runs onto the whited-out
//! plateau), so we search differently: find the best match of the region, narrow it to its
//! lines with `optimize_bounds`, then search the parts left above and below it, recursively.
//! Exceptions found after a license (LLVM-exception after Apache-2.0) join it with WITH.

use spdx::detection::{LicenseType, Store, TextData};

use crate::licensedb::db;
use crate::model::{LicenseMatch, MatchKind, Unrecognized};

/// What kind of text is matched decides the store and the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A license file: every store, several licenses per file.
    LicenseFile,
    /// A comment block at the top of a source file: the common store (with its headers).
    Header,
}

impl Mode {
    /// Below this a match is not a license.
    fn threshold(self) -> f32 {
        match self {
            Mode::LicenseFile => 0.85,
            Mode::Header => 0.80,
        }
    }
}

/// A whole-region score this high is taken as is, without narrowing its bounds.
const SHALLOW: f32 = 0.98;
/// The top store's answer is final at or above this: no license outside it comes closer
/// to a text that is this close to one inside it.
const TOP_SURE: f32 = 0.99;
/// The common store's answer is final at or above this; below, the full store is asked.
const COMMON_SURE: f32 = 0.92;
/// Regions with fewer words than this are not matched: Dice is noise on a few words.
const MIN_WORDS: usize = 12;
/// License-like leftovers with at least this many words are reported as unrecognized.
const UNRECOGNIZED_WORDS: usize = 30;
const MAX_DEPTH: u32 = 8;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct TextFindings {
    pub matches: Vec<LicenseMatch>,
    pub unrecognized: Vec<Unrecognized>,
}

struct Hit {
    name: String,
    license_type: LicenseType,
    score: f32,
    start: usize,
    end: usize,
}

/// Identify every license text or notice in `text`. Line numbers in the result are
/// 1-based lines of `text`.
pub fn identify(text: &str, mode: Mode) -> TextFindings {
    let td = TextData::new(text);
    let n = td.lines().len();
    let mut hits = Vec::new();
    let mut unrecognized = Vec::new();
    scan_region(&td, 0, n, mode, 0, &mut hits, &mut unrecognized);
    hits.sort_by_key(|h| h.start);
    finish(hits, unrecognized, mode)
}

struct Best<'a> {
    name: &'a str,
    score: f32,
    license_type: LicenseType,
    data: &'a TextData,
}

fn analyze<'a>(store: &'a Store, view: &TextData) -> Best<'a> {
    let m = store.analyze(view);
    Best { name: m.name, score: m.score, license_type: m.license_type, data: m.data }
}

/// Tiers, cheapest first: the top store's answer when near certain, else the common
/// store's when sure (headers stop there), else the best of the full store.
fn rank(view: &TextData, mode: Mode) -> Best<'static> {
    let db = db();
    let top = analyze(db.top(), view);
    if top.score >= TOP_SURE {
        return top;
    }
    let common = analyze(db.common(), view);
    if mode == Mode::Header || common.score >= COMMON_SURE {
        return common;
    }
    let full = analyze(db.full(), view);
    if full.score > common.score {
        full
    } else {
        common
    }
}

fn words(lines: &[String]) -> usize {
    lines
        .iter()
        .flat_map(|l| l.split_whitespace())
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
        .count()
}

/// At least two distinct license words (a list of copyright lines is not license text).
fn license_like(lines: &[String]) -> bool {
    const KEYWORDS: &[&str] =
        &["licen", "permission", "redistribut", "warrant", "liabil", "free software", "granted", "rights reserved"];
    let text = lines.join(" ").to_ascii_lowercase();
    KEYWORDS.iter().filter(|k| text.contains(*k)).count() >= 2
}

/// Narrow `[start, end)` to its non-blank lines.
fn trim(td: &TextData, mut start: usize, mut end: usize) -> (usize, usize) {
    let lines = full_lines(td);
    while start < end && lines[start].trim().is_empty() {
        start += 1;
    }
    while end > start && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    (start, end)
}

fn full_lines(td: &TextData) -> &[String] {
    // `lines()` honours the view; every TextData we pass here has the full view.
    td.lines()
}

#[allow(clippy::too_many_arguments)]
fn scan_region(
    td: &TextData,
    start: usize,
    end: usize,
    mode: Mode,
    depth: u32,
    hits: &mut Vec<Hit>,
    unrecognized: &mut Vec<Unrecognized>,
) {
    let (start, end) = trim(td, start, end);
    if start >= end || depth > MAX_DEPTH {
        return;
    }
    let region = &full_lines(td)[start..end];
    if words(region) < MIN_WORDS {
        return;
    }
    let view = td.with_view(start, end);
    let best = rank(&view, mode);
    if best.score >= SHALLOW {
        hits.push(Hit { name: best.name.into(), license_type: best.license_type, score: best.score, start, end });
        return;
    }
    let threshold = mode.threshold();
    if best.score >= 0.1 {
        let (narrowed, score) = view.optimize_bounds(best.data);
        let (a, b) = narrowed.lines_view();
        let (a, b) = trim(td, a, b);
        if score >= threshold && a < b && score >= best.score {
            hits.push(Hit { name: best.name.into(), license_type: best.license_type, score, start: a, end: b });
            scan_region(td, start, a, mode, depth + 1, hits, unrecognized);
            scan_region(td, b, end, mode, depth + 1, hits, unrecognized);
            return;
        }
        if best.score >= threshold {
            hits.push(Hit { name: best.name.into(), license_type: best.license_type, score: best.score, start, end });
            return;
        }
    }
    // Unmatched license-like text is reported for review; in a header only when it is
    // close to some license, since comments that merely mention licenses are common.
    let worth_review = match mode {
        Mode::LicenseFile => words(region) >= UNRECOGNIZED_WORDS && license_like(region),
        Mode::Header => best.score >= 0.5 && license_like(region),
    };
    if worth_review {
        unrecognized.push(Unrecognized {
            start_line: start as u32 + 1,
            end_line: end as u32,
            closest: Some(best.name.to_string()),
            score: round(best.score),
        });
    }
}

fn round(score: f32) -> f32 {
    (score * 1000.0).round() / 1000.0
}

fn is_exception(name: &str) -> bool {
    spdx::license_id(name).is_none() && spdx::exception_id(name).is_some()
}

fn finish(hits: Vec<Hit>, mut unrecognized: Vec<Unrecognized>, mode: Mode) -> TextFindings {
    let mut matches: Vec<LicenseMatch> = Vec::new();
    for h in hits {
        let rule = rule_for(&h.name, h.license_type);
        if is_exception(&h.name) {
            // An exception modifies the license stated before it in the same file.
            if let Some(prev) = matches.iter_mut().rev().find(|m| !m.expression.contains(" WITH ")) {
                prev.expression = format!("{} WITH {}", prev.expression, h.name);
                prev.end_line = prev.end_line.max(h.end as u32);
                prev.score = prev.score.min(round(h.score));
                prev.rule = Some(format!("{}; {}", prev.rule.as_deref().unwrap_or(""), rule));
            } else {
                unrecognized.push(Unrecognized {
                    start_line: h.start as u32 + 1,
                    end_line: h.end as u32,
                    closest: Some(h.name.clone()),
                    score: round(h.score),
                });
            }
            continue;
        }
        let kind = match (mode, h.license_type) {
            (_, LicenseType::Header) => MatchKind::Notice,
            (Mode::Header, _) => MatchKind::Notice,
            _ => MatchKind::Text,
        };
        matches.push(LicenseMatch {
            expression: h.name.clone(),
            kind,
            score: round(h.score),
            start_line: h.start as u32 + 1,
            end_line: h.end as u32,
            rule: Some(rule),
            matched_text: None,
        });
    }
    TextFindings { matches, unrecognized }
}

fn rule_for(name: &str, t: LicenseType) -> String {
    let what = match t {
        LicenseType::Original => "text",
        LicenseType::Alternate => "alternate text",
        LicenseType::Header => "header",
    };
    let same = db().same_text(name);
    if same.len() > 1 {
        // GPL-2.0-only and -or-later share one text: the text alone cannot choose.
        format!("{name} {what} (same text as {})", same.iter().filter(|s| *s != name).cloned().collect::<Vec<_>>().join(", "))
    } else {
        format!("{name} {what}")
    }
}
