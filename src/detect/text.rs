//! Full license texts and standard notices, matched with askalono's engine (`spdx::detection`).
//!
//! A file may hold several licenses (MIT text, then Apache-2.0 text). askalono's own
//! elimination scan loses the second one (its bound search runs onto the whited-out
//! plateau), so we search differently: find the best match of the region, narrow it to its
//! lines with `optimize_bounds`, then search the parts left above and below it, recursively.
//! Exceptions found after a license (LLVM-exception after Apache-2.0) join it with WITH.

use spdx::detection::TextData;

use crate::detect::bigram::{self, Profile};
use crate::licensedb::{db, LicenseDb, VariantKind};
use crate::model::{LicenseMatch, MatchKind, Unrecognized};

/// What kind of text is matched decides the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A license file: several licenses per file.
    LicenseFile,
    /// A comment block at the top of a source file.
    Header,
}

impl Mode {
    /// Below this (askalono's score of the final window) a match is not a license.
    fn threshold(self) -> f32 {
        match self {
            Mode::LicenseFile => 0.85,
            Mode::Header => 0.80,
        }
    }
}

/// A whole region this close to one variant (fast score) is taken without narrowing.
const SHALLOW: f32 = 0.98;
/// Windows whose fast scores are this close count as equally good.
const WINDOW_TIE: f32 = 0.02;
/// How many license names, best by Dice, are located and scored exactly.
const CANDIDATES: usize = 3;
/// How many more, best by containment.
const CONTAINED_CANDIDATES: usize = 4;
/// Texts shorter than this (in bigrams) are contained by chance in any long text.
const MIN_CONTAINED_GRAMS: u32 = 40;
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
    variant: usize,
    score: f32,
    start: usize,
    end: usize,
}

struct Ctx<'a> {
    db: &'static LicenseDb,
    lines: Vec<&'a str>,
    grams: Vec<Vec<u64>>,
    mode: Mode,
}

/// Identify every license text or notice in `text`. Line numbers in the result are
/// 1-based lines of `text`.
pub fn identify(text: &str, mode: Mode) -> TextFindings {
    let ctx = Ctx {
        db: db(),
        lines: text.split('\n').collect(),
        grams: bigram::line_grams(text),
        mode,
    };
    let mut hits = Vec::new();
    let mut unrecognized = Vec::new();
    scan_region(&ctx, 0, ctx.lines.len(), 0, &mut hits, &mut unrecognized);
    hits.sort_by_key(|h| h.start);
    finish(ctx.db, hits, unrecognized, mode)
}

fn words(lines: &[&str]) -> usize {
    lines
        .iter()
        .flat_map(|l| l.split_whitespace())
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
        .count()
}

/// At least two distinct license words (a list of copyright lines is not license text).
fn license_like(lines: &[&str]) -> bool {
    super::license_words(&lines.join(" ").to_ascii_lowercase()) >= 2
}

/// Narrow `[start, end)` to the lines that carry license words: blank lines and
/// copyright statements at the edges are not part of a match.
fn trim(ctx: &Ctx<'_>, mut start: usize, mut end: usize) -> (usize, usize) {
    let empty = |i: usize| ctx.grams[i].is_empty() || ctx.lines[i].trim().is_empty();
    while start < end && empty(start) {
        start += 1;
    }
    while end > start && empty(end - 1) {
        end -= 1;
    }
    (start, end)
}

/// Every variant (text, alternates, headers) of the best-ranked license names: the best
/// by Dice over the whole region, and the best by containment (the share of a license's
/// bigrams the region holds), which finds a short license inside a long file. All
/// variants of a name compete, or a full Apache-2.0 text loses to Pixar.
fn candidates(db: &LicenseDb, query: &Profile) -> Vec<(usize, f32)> {
    let inter = db.index.intersections(query);
    let totals = &db.index.totals;
    let dice = |v: usize| (2 * inter[v]) as f32 / (query.total + totals[v]).max(1) as f32;
    let contained = |v: usize| {
        if totals[v] < MIN_CONTAINED_GRAMS {
            0.0
        } else {
            inter[v] as f32 / totals[v] as f32
        }
    };
    let mut names: Vec<&str> = Vec::new();
    let live: Vec<usize> = (0..inter.len()).filter(|&v| inter[v] > 0).collect();
    for (rank, limit) in [(0, CANDIDATES), (1, CANDIDATES + CONTAINED_CANDIDATES)] {
        let key = |v: usize| if rank == 0 { dice(v) } else { contained(v) };
        let mut scored: Vec<(f32, u32, usize)> =
            live.iter().map(|&v| (key(v), totals[v], v)).collect();
        // Only the head of the ranking is needed: select it, then sort just that.
        let head = (limit * 4).min(scored.len());
        let order = |a: &(f32, u32, usize), b: &(f32, u32, usize)| {
            b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))
        };
        if head < scored.len() && head > 0 {
            scored.select_nth_unstable_by(head - 1, order);
            scored.truncate(head);
        }
        scored.sort_unstable_by(order);
        for (score, _, v) in scored {
            if names.len() >= limit || score < 0.05 {
                break;
            }
            let name = db.variant(v).name.as_str();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let mut out: Vec<(usize, f32)> = live
        .into_iter()
        .filter(|&v| names.contains(&db.variant(v).name.as_str()))
        .map(|v| (v, dice(v)))
        .collect();
    // Best Dice first, then by variant number, so the order is deterministic.
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

fn scan_region(
    ctx: &Ctx<'_>,
    start: usize,
    end: usize,
    depth: u32,
    hits: &mut Vec<Hit>,
    unrecognized: &mut Vec<Unrecognized>,
) {
    let (start, end) = trim(ctx, start, end);
    if start >= end || depth > MAX_DEPTH {
        return;
    }
    let region = &ctx.lines[start..end];
    let n_words = words(region);
    if n_words < MIN_WORDS {
        return;
    }
    let query = Profile::from_lines(&ctx.grams[start..end]);
    let cands = candidates(ctx.db, &query);
    let Some(&(first, first_score)) = cands.first() else {
        return;
    };

    // Where is each candidate in the region? Keep the window that fits best.
    let (mut a, mut b, mut best_v) = (start, end, first);
    // The fast score of the chosen window, when no other license comes close to it.
    let mut clear_win: Option<f32> = None;
    let name = |v: usize| ctx.db.variant(v).name.as_str();
    if first_score >= SHALLOW {
        let runner_up = cands
            .iter()
            .find(|c| name(c.0) != name(first))
            .map_or(0.0, |c| c.1);
        if runner_up < first_score - WINDOW_TIE {
            clear_win = Some(first_score);
        }
        // A short text beside a long one (an exception before the GPL) barely moves the
        // whole-region score: narrow to the long one's lines when enough is left outside.
        let (wa, wb, s) = bigram::best_window(
            &ctx.grams,
            start,
            end,
            ctx.db.target(first),
            ctx.db.index.totals[first],
        );
        let (wa, wb) = trim(ctx, wa, wb);
        let outside = words(&ctx.lines[start..wa]) + words(&ctx.lines[wb..end]);
        // Only when what is left could be a license of its own: a title line or "END OF
        // TERMS AND CONDITIONS" outside a window that scores a hair better is not.
        if outside >= UNRECOGNIZED_WORDS && s >= first_score + 0.003 {
            (a, b) = (wa, wb);
            clear_win = clear_win.map(|_| s);
        }
    } else {
        let mut windows: Vec<(usize, usize, f32, usize)> = cands
            .iter()
            .map(|&(v, _)| {
                let (wa, wb, s) = bigram::best_window(
                    &ctx.grams,
                    start,
                    end,
                    ctx.db.target(v),
                    ctx.db.index.totals[v],
                );
                (wa, wb, s, v)
            })
            .collect();
        let top = windows.iter().map(|w| w.2).fold(0.0f32, f32::max);
        // Of windows that fit about equally well, the widest: the full Apache-2.0 text
        // (appendix included) over the alternate without it.
        let (close, far): (Vec<_>, Vec<_>) =
            windows.drain(..).partition(|w| w.2 >= top - WINDOW_TIE);
        if let Some(w) = close
            .iter()
            .max_by_key(|w| (w.1 - w.0, std::cmp::Reverse(w.3)))
        {
            (a, b, best_v) = (w.0, w.1, w.3);
            if top >= SHALLOW && close.iter().all(|c| name(c.3) == name(w.3)) && !far.is_empty() {
                clear_win = Some(w.2);
            }
        }
        (a, b) = trim(ctx, a, b);
    }
    let (v, score) = match clear_win {
        // A near-exact copy with no rival: the fast Dice is the score.
        Some(s) => (best_v, s),
        None => {
            // askalono's Dice is the judge: it scores the window against every candidate.
            let window = TextData::new(&ctx.lines[a..b].join("\n"));
            let (mut v, mut score) = (best_v, window.match_score(ctx.db.text_data(best_v)));
            for &(c, _) in &cands {
                if c != best_v {
                    let s = window.match_score(ctx.db.text_data(c));
                    if s > score {
                        (v, score) = (c, s);
                    }
                }
            }
            (v, score)
        }
    };
    if a < b && score >= ctx.mode.threshold() {
        hits.push(Hit {
            variant: v,
            score,
            start: a,
            end: b,
        });
        scan_region(ctx, start, a, depth + 1, hits, unrecognized);
        scan_region(ctx, b, end, depth + 1, hits, unrecognized);
        return;
    }
    // Unmatched license-like text is reported for review; in a header only when it is
    // close to some license, since comments that merely mention licenses are common.
    let worth_review = match ctx.mode {
        Mode::LicenseFile => n_words >= UNRECOGNIZED_WORDS && license_like(region),
        Mode::Header => score >= 0.5 && license_like(region),
    };
    if worth_review {
        unrecognized.push(Unrecognized {
            start_line: start as u32 + 1,
            end_line: end as u32,
            closest: Some(ctx.db.variant(v).name.clone()),
            score: round(score),
        });
    }
}

fn round(score: f32) -> f32 {
    (score * 1000.0).round() / 1000.0
}

fn is_exception(name: &str) -> bool {
    spdx::license_id(name).is_none() && spdx::exception_id(name).is_some()
}

fn finish(
    db: &LicenseDb,
    hits: Vec<Hit>,
    mut unrecognized: Vec<Unrecognized>,
    mode: Mode,
) -> TextFindings {
    let mut matches: Vec<LicenseMatch> = Vec::new();
    let mut pending: Vec<(Hit, String)> = Vec::new();
    for h in hits {
        let var = db.variant(h.variant);
        let rule = rule_for(db, &var.name, var.kind);
        if is_exception(&var.name) {
            // An exception modifies the license stated before it in the same file; one
            // written first (libgit2's COPYING) waits for the license that follows.
            if let Some(prev) = matches
                .iter_mut()
                .rev()
                .find(|m| !m.expression.contains(" WITH "))
            {
                prev.expression = format!("{} WITH {}", prev.expression, var.name);
                prev.end_line = prev.end_line.max(h.end as u32);
                prev.score = prev.score.min(round(h.score));
                prev.rule = Some(format!("{}; {}", prev.rule.as_deref().unwrap_or(""), rule));
            } else {
                pending.push((h, rule));
            }
            continue;
        }
        let kind = match (mode, var.kind) {
            (_, VariantKind::Header) | (Mode::Header, _) => MatchKind::Notice,
            _ => MatchKind::Text,
        };
        matches.push(LicenseMatch {
            expression: var.name.clone(),
            kind,
            score: round(h.score),
            start_line: h.start as u32 + 1,
            end_line: h.end as u32,
            rule: Some(rule),
            matched_text: None,
        });
    }
    for (h, rule) in pending {
        let name = &db.variant(h.variant).name;
        let next = matches
            .iter_mut()
            .filter(|m| m.start_line > h.end as u32 && !m.expression.contains(" WITH "))
            .min_by_key(|m| m.start_line);
        match next {
            Some(m) => {
                m.expression = format!("{} WITH {name}", m.expression);
                m.start_line = m.start_line.min(h.start as u32 + 1);
                m.score = m.score.min(round(h.score));
                m.rule = Some(format!("{}; {rule}", m.rule.as_deref().unwrap_or("")));
            }
            None => unrecognized.push(Unrecognized {
                start_line: h.start as u32 + 1,
                end_line: h.end as u32,
                closest: Some(name.clone()),
                score: round(h.score),
            }),
        }
    }
    TextFindings {
        matches,
        unrecognized,
    }
}

fn rule_for(db: &LicenseDb, name: &str, kind: VariantKind) -> String {
    let what = match kind {
        VariantKind::Original => "text",
        VariantKind::Alternate => "alternate text",
        VariantKind::Header => "header",
    };
    let same = db.same_text(name);
    if same.len() > 1 {
        // GPL-2.0-only and -or-later share one text: the text alone cannot choose.
        let others: Vec<String> = same.into_iter().filter(|s| s != name).collect();
        format!("{name} {what} (same text as {})", others.join(", "))
    } else {
        format!("{name} {what}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::licensedb::license_text;

    #[test]
    fn exception_written_before_its_license() {
        let text = format!(
            "{}\n\n{}",
            license_text("GCC-exception-2.0").unwrap(),
            license_text("GPL-2.0-only").unwrap()
        );
        let found = identify(&text, Mode::LicenseFile);
        let exprs: Vec<&str> = found
            .matches
            .iter()
            .map(|m| m.expression.as_str())
            .collect();
        assert_eq!(exprs, ["GPL-2.0-only WITH GCC-exception-2.0"], "{found:?}");
        assert_eq!(found.matches[0].start_line, 1);
    }

    #[test]
    fn exception_after_its_license() {
        let text = format!(
            "{}\n\n{}",
            license_text("Apache-2.0").unwrap(),
            license_text("LLVM-exception").unwrap()
        );
        let found = identify(&text, Mode::LicenseFile);
        assert_eq!(found.matches.len(), 1, "{found:?}");
        assert_eq!(
            found.matches[0].expression,
            "Apache-2.0 WITH LLVM-exception"
        );
    }
}
