//! Matches a query (the tokens of one region of a file) against every rule of the store.
//!
//! Three steps, cheapest first:
//! 1. **Exact**: a walk of the token trie from every query position finds every short rule
//!    (references, tags, notices, phrases, false positives) that occurs verbatim.
//! 2. **Approximate**, only where exact hits leave enough known words unexplained:
//!    candidates are the rules that share the most (idf-weighted) rare words with the
//!    query; each is aligned with the query by token trigram seeds, extended and chained
//!    into monotone blocks, so a modified or partial copy of a long text is found with its
//!    coverage. Gaps in the chain are bounded, and each further occurrence of the same
//!    rule is a hit of its own.
//! 3. **Refine**: hits that break their rule's conditions (required phrases, minimum
//!    coverage, continuity, density) go; the rest are taken greedily, best-covering first
//!    (matched words, weighted by the square root of the rule's coverage: GPL-2.0 without
//!    its appendix explains more of the text than AGPL-1.0 does), each dropping the hits it
//!    overlaps; false-positive rules win their text and then vanish.

use std::collections::HashMap;

use crate::licensedb::{
    start_hash, LicenseDb, RuleKind, F_APPROX, F_CONTINUOUS, F_REQUIRED_PHRASE, F_UNKNOWN,
    START_LEN, UNKNOWN_TOKEN,
};

/// The tokens of a region, with the line of each.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub toks: Vec<u16>,
    pub lines: Vec<u32>,
    /// Byte span of each token in the region's text.
    pub spans: Vec<(u32, u32)>,
    /// Positions of the tokens that a markup paragraph break stands just before (`<p>`,
    /// `<hr>`, two `<br>`s), ascending. A rule that must be matched as written (a required
    /// phrase) is not matched across one, as ScanCode has it for its markup stopwords:
    /// "{{{ license<br/><br/>/* vim: set ..." is no `license: Vim`. A single `<br>` ends a
    /// line, and "License:<br>MIT" is still MIT.
    pub breaks: Vec<u32>,
    /// The query is a whole short file read as license text (a license file, a small prose
    /// file), not a region cut around keywords: everything in it is meant to be read, so a
    /// stretch with a text's worth of license words needs only half the usual share of
    /// license vocabulary to be aligned. The WTFPL says little more than "do what the f***
    /// you want to": censored, so that no rule matched it verbatim, it fell below the share
    /// and was never aligned.
    pub whole_short: bool,
}

/// The license words a stretch of a [`Query::whole_short`] query needs for the lower share.
const WHOLE_SHORT_LEGAL_WORDS: usize = 16;

/// The most tokens a query may have to be judged as [`Query::whole_short`].
pub const WHOLE_SHORT_TOKENS: usize = 400;

impl Query {
    /// Whether a paragraph break stands between query positions `a` and `b` (inclusive).
    fn break_within(&self, a: u32, b: u32) -> bool {
        let i = self.breaks.partition_point(|&p| p <= a);
        self.breaks.get(i).is_some_and(|&p| p <= b)
    }
}

/// Matched blocks `(query position, rule position, length)`, ascending in both.
pub type Blocks = Vec<(u32, u32, u32)>;

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub rule: u32,
    /// First and last matched query positions.
    pub qstart: u32,
    pub qend: u32,
    /// Matched tokens.
    pub matched: u32,
    /// Found verbatim by the trie.
    pub exact: bool,
    pub blocks: Blocks,
}

impl Hit {
    pub fn coverage(&self, db: &LicenseDb) -> f32 {
        self.matched as f32 / db.rule_len(self.rule).max(1) as f32
    }

    /// ScanCode's score: coverage of the rule, times the density of the match in the
    /// query, times the rule's relevance; 0..=1.
    pub fn score(&self, db: &LicenseDb) -> f32 {
        let relevance = f32::from(db.rule_relevance(self.rule)) / 100.0;
        let cov = self.coverage(db);
        let qdens = self.matched as f32 / (self.qend - self.qstart + 1) as f32;
        let s = if qdens < 1.0 && cov < 1.0 {
            cov * relevance
        } else {
            qdens * cov * relevance
        };
        (s * 1000.0).round() / 1000.0
    }

    fn rstart(&self) -> u32 {
        self.blocks.first().map_or(0, |b| b.1)
    }
    fn rend(&self) -> u32 {
        self.blocks.last().map_or(0, |b| b.1 + b.2 - 1)
    }
}

/// Buffers reused from query to query (one per walker thread).
#[derive(Default)]
pub struct Scratch {
    acc: Vec<f32>,
    grams: Vec<(u64, u32)>,
    seeds: Vec<(i64, u32, u32)>,
    /// Proposals by the words that made them: the same paragraph stands in many files
    /// around different code and names (a README's contribution clause, a project's
    /// header), and the walk of the postings was most of the approximate matcher's time.
    proposals: HashMap<Vec<u16>, Vec<(f32, u32)>, foldhash::fast::FixedState>,
}

/// Proposals kept per thread before the memo starts again.
const PROPOSALS_KEPT: usize = 4096;

/// Approximate matching runs only where this many distinct words of license vocabulary
/// are left unexplained.
const APPROX_MIN_WORDS: usize = 8;
/// Postings a query may walk to propose candidates...
const POSTINGS_BUDGET: usize = 40_000;
/// ...though its rarest words always propose.
const ALWAYS_PROPOSE: usize = 6;
/// Proposed rules measured exactly.
const PROPOSED: usize = 80;
/// Candidates aligned per region.
const CANDIDATES: usize = 12;
/// A candidate must hold at least this share of its rule's (weighted) rare words: a match
/// must cover half of its rule.
const MIN_CONTAINMENT: f32 = 0.5;
/// Candidates kept per license expression.
const PER_EXPRESSION: usize = 3;
/// Blocks kept per alignment, longest first.
const MAX_BLOCKS: usize = 3000;
/// How many occurrences of one rule an alignment reports.
const MAX_OCCURRENCES: usize = 8;

/// `OSPO_DEBUG_MATCH=1` prints candidates and hits to stderr: the one aid for finding why
/// a text matched what it did (read once, so the hot path pays nothing).
fn debug_match() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("OSPO_DEBUG_MATCH").is_some())
}

pub fn find(db: &LicenseDb, q: &Query, scratch: &mut Scratch) -> Vec<Hit> {
    let mut hits = exact(db, q);
    let explained = explained_positions(db, q, &hits);
    let wanted = approximate_wanted(db, q, &explained, &hits);
    if wanted.iter().any(|w| *w) {
        let found = approximate(db, q, &wanted, &explained, scratch);
        hits.extend(without_false_positives(db, q, &hits, found));
    }
    refine(db, q, hits)
}

/// How many of a hit's matched query positions `mask` holds.
fn matched_in(h: &Hit, mask: &[bool]) -> u32 {
    h.blocks
        .iter()
        .map(|b| (b.0..b.0 + b.2).filter(|&p| mask[p as usize]).count() as u32)
        .sum()
}

/// Approximate matches made mostly of words a false-positive rule matched exactly are
/// dropped: such words are known not to be license text (ScanCode takes them out of the
/// query before aligning), and an alignment through them found a licence in a README's
/// contribution clause.
fn without_false_positives(db: &LicenseDb, q: &Query, exact: &[Hit], found: Vec<Hit>) -> Vec<Hit> {
    let mut fp = vec![false; q.toks.len()];
    for h in exact {
        if db.rule_kind(h.rule) == RuleKind::FalsePositive {
            fp[h.qstart as usize..=h.qend as usize].fill(true);
        }
    }
    if !fp.contains(&true) {
        return found;
    }
    found
        .into_iter()
        .filter(|h| matched_in(h, &fp) * 2 < h.matched)
        .collect()
}

/// The query positions whose words choose approximate candidates: runs that exact hits
/// leave unexplained and that read like license prose (enough license vocabulary, densely
/// enough: the code and doc comments after a header do not), or the whole query when
/// exact hits only piece a long text together (a permission notice, then a warranty
/// disclaimer: the full text, modified, is the better answer).
fn approximate_wanted(db: &LicenseDb, q: &Query, explained: &[bool], hits: &[Hit]) -> Vec<bool> {
    let n = q.toks.len();
    let mut wanted = vec![false; n];
    let legal = |p: usize| q.toks[p] != UNKNOWN_TOKEN && db.legal[q.toks[p] as usize];
    let mut p = 0;
    while p < n {
        if explained[p] {
            p += 1;
            continue;
        }
        let start = p;
        while p < n && !explained[p] {
            p += 1;
        }
        // Within a run, a window of license vocabulary: dense stretches only.
        let mut a = start;
        while a < p {
            let mut b = a;
            let (mut lw, mut kw, mut gap) = (0usize, 0usize, 0usize);
            let mut last_legal = a;
            let mut distinct: Vec<u16> = Vec::new();
            while b < p && gap < RUN_BREAK {
                if legal(b) {
                    lw += 1;
                    gap = 0;
                    last_legal = b;
                    if !distinct.contains(&q.toks[b]) {
                        distinct.push(q.toks[b]);
                    }
                } else {
                    gap += 1;
                }
                if q.toks[b] != UNKNOWN_TOKEN {
                    kw += 1;
                }
                b += 1;
            }
            // A whole short file needs half the share, but a text's worth of license
            // words: "Distributed under the same terms as HTMLArea itself" in a short
            // translation file is no Perl notice.
            let share = if q.whole_short && lw >= WHOLE_SHORT_LEGAL_WORDS {
                LEGAL_SHARE / 2
            } else {
                LEGAL_SHARE
            };
            if distinct.len() >= APPROX_MIN_WORDS && lw * 100 >= kw * share {
                wanted[a..=last_legal].iter_mut().for_each(|w| *w = true);
            } else if distinct.len() >= APPROX_MIN_WORDS {
                dense_stretches(q, &legal, a, b, &mut wanted);
            }
            a = b.max(a + 1);
        }
    }
    boilerplate_beside_wanted(db, hits, &mut wanted);
    let pieces: Vec<&Hit> = hits
        .iter()
        .filter(|h| {
            h.matched >= 10 && matches!(db.rule_kind(h.rule), RuleKind::Text | RuleKind::Notice)
        })
        .collect();
    let pieced: u32 = pieces.iter().map(|h| h.matched).sum();
    if pieces.len() < 2 || (pieced as usize) < FRAGMENT_LEN {
        return wanted;
    }
    // One hit explains the text when it covers nearly all the pieces cover together (rules
    // overlap: a full MIT text is also matched by a dozen of its variants, which piece
    // nothing together) and leaves only a few known words of the query (a copyright line)
    // outside it. Then there is nothing for an alignment to find.
    let mut covered = vec![false; n];
    for h in &pieces {
        covered[h.qstart as usize..=h.qend as usize].fill(true);
    }
    let union = covered.iter().filter(|c| **c).count() as u32;
    // known[i]: known words before position i, so that the words outside a hit cost
    // nothing to count, however many hits there are.
    let mut known = Vec::with_capacity(n + 1);
    known.push(0usize);
    for t in &q.toks {
        known.push(known.last().unwrap() + usize::from(*t != UNKNOWN_TOKEN));
    }
    let known_outside =
        |h: &Hit| known[n] - (known[h.qend as usize + 1] - known[h.qstart as usize]);
    // Or the pieces are all of one license and leave only a few known words between and
    // around them (an Apache text with its appendix filled in): an alignment could only
    // say the same license again, at the price of aligning the whole text.
    // (Pieces inside a longer piece, such as a warranty disclaimer inside a notice, do not
    // count.)
    let inside = |h: &Hit| {
        pieces
            .iter()
            .any(|o| o.matched > h.matched && o.qstart <= h.qstart && o.qend >= h.qend)
    };
    let mut outer = pieces.iter().filter(|h| !inside(h));
    let first = outer.next().map(|h| db.rule_expression_index(h.rule));
    let one_license = outer.all(|h| Some(db.rule_expression_index(h.rule)) == first);
    let outside_union = q
        .toks
        .iter()
        .zip(&covered)
        .filter(|(t, c)| !**c && **t != UNKNOWN_TOKEN)
        .count();
    let one_explains = (one_license && outside_union <= FEW_WORDS_OUTSIDE)
        || pieces
            .iter()
            .any(|h| h.matched * 100 >= union * 95 && known_outside(h) <= FEW_WORDS_OUTSIDE);
    if !one_explains {
        // The whole text the pieces belong to is wanted, and what reads like its
        // continuation on either side (an introduction, a changed sentence), up to a run
        // of words without license vocabulary: the code below a header proposes no rule.
        let (lo, hi) = extend_through_prose(
            q,
            &legal,
            covered.iter().position(|c| *c).unwrap_or(0),
            covered.iter().rposition(|c| *c).unwrap_or(n - 1),
        );
        wanted[lo..=hi].iter_mut().for_each(|w| *w = true);
    }
    wanted
}

/// How far (in tokens) a wanted stretch may end before a boilerplate hit, or start after
/// one, to be read with it.
const BESIDE: u32 = 6;

/// A wanted stretch that ends where an exact warranty disclaimer (or other boilerplate)
/// begins, or begins where one ends, is a permission grant that matched no rule beside the
/// disclaimer of its own text: "provided that the above notice and this permission notice
/// appear" (ISC without its "copyright") above ISC's disclaimer, verbatim. Aligned alone,
/// the grant found the license whose short rule is nearly all grant (pkgconf); the full
/// text is only proposed with the disclaimer's words, so those are wanted too.
fn boilerplate_beside_wanted(db: &LicenseDb, hits: &[Hit], wanted: &mut [bool]) {
    let n = wanted.len() as u32;
    for h in hits {
        let e = db.rule_expression(h.rule);
        if !h.exact || h.matched < 10 || ids(e).iter().any(|i| !BOILERPLATE.contains(i)) {
            continue;
        }
        // From the farthest wanted word on either side through the hit, so the gap is
        // wanted too.
        let lo = (h.qstart.saturating_sub(BESIDE)..h.qstart).find(|&p| wanted[p as usize]);
        let hi = (h.qend + 1..(h.qend + 1 + BESIDE).min(n))
            .rev()
            .find(|&p| wanted[p as usize]);
        if lo.is_none() && hi.is_none() {
            continue;
        }
        let (lo, hi) = (lo.unwrap_or(h.qstart), hi.unwrap_or(h.qend));
        wanted[lo as usize..=hi as usize].fill(true);
    }
}

/// Known words a dense stretch is judged on...
const DENSE_WINDOW: usize = 48;
/// ...and the share of them (percent) that must be license vocabulary.
const DENSE_SHARE: usize = 40;

/// Within `a..b`, a window of license vocabulary too sparse as a whole (a notice above the
/// long description of what it covers, or one whose every line starts with a marker the
/// tokenizer keeps, `_C_`): the stretches of [`DENSE_WINDOW`] known words as dense as a
/// notice is, from their first word of license vocabulary to their last, are wanted.
fn dense_stretches(
    q: &Query,
    legal: &impl Fn(usize) -> bool,
    a: usize,
    b: usize,
    wanted: &mut [bool],
) {
    let known: Vec<usize> = (a..b).filter(|&p| q.toks[p] != UNKNOWN_TOKEN).collect();
    if known.len() < DENSE_WINDOW {
        return;
    }
    let mut lw = known[..DENSE_WINDOW].iter().filter(|&&p| legal(p)).count();
    // Windows overlap: each position is marked once, from where the last one ended.
    let mut marked = a;
    for i in 0..=known.len() - DENSE_WINDOW {
        if i > 0 {
            lw += usize::from(legal(known[i + DENSE_WINDOW - 1]));
            lw -= usize::from(legal(known[i - 1]));
        }
        if lw * 100 < DENSE_WINDOW * DENSE_SHARE {
            continue;
        }
        let window = &known[i..i + DENSE_WINDOW];
        let (Some(&lo), Some(&hi)) = (
            window.iter().find(|&&p| legal(p)),
            window.iter().rev().find(|&&p| legal(p)),
        ) else {
            continue;
        };
        if hi >= marked {
            wanted[lo.max(marked)..=hi]
                .iter_mut()
                .for_each(|w| *w = true);
            marked = hi + 1;
        }
    }
}

/// `lo..=hi` widened on both sides up to the last word of license vocabulary before a run
/// of [`RUN_BREAK`] words without any.
fn extend_through_prose(
    q: &Query,
    legal: &impl Fn(usize) -> bool,
    lo: usize,
    hi: usize,
) -> (usize, usize) {
    let reach = |positions: &mut dyn Iterator<Item = usize>, from: usize| {
        let mut last = from;
        let mut gap = 0;
        for p in positions {
            if legal(p) {
                (last, gap) = (p, 0);
            } else {
                gap += 1;
                if gap >= RUN_BREAK {
                    break;
                }
            }
        }
        last
    };
    (
        reach(&mut (0..lo).rev(), lo),
        reach(&mut (hi + 1..q.toks.len()), hi),
    )
}

/// A run of this many words without license vocabulary ends a stretch of prose.
const RUN_BREAK: usize = 12;
/// License vocabulary must be at least this share (%) of a stretch's known words.
const LEGAL_SHARE: usize = 30;

/// Known words outside a hit that still let it explain a region alone (a copyright line).
const FEW_WORDS_OUTSIDE: usize = 12;

/// Whether `a`, an alignment, names a license family without its version ("Licensed under
/// the GNU GPL") around a verbatim reference that gives the version ("GNU GPL v2"): the
/// reference is the answer, though the notice has more words. ([`absorb_unversioned`]
/// drops such a notice near a versioned hit that was kept; this runs before the greedy
/// choice, which would otherwise keep the longer notice and drop the reference.)
fn versioned_inside(db: &LicenseDb, a: &Hit, hits: &[Hit]) -> bool {
    let mine = ids(db.rule_expression(a.rule));
    // (LGPL-2.0-or-later is also the license of "the GNU Lesser General Public License,
    // version 2 or later", whose "Lesser" a reference to LGPL-2.1 matches inside it.)
    let bare = |i: &&str| matches!(*i, "GPL-1.0-or-later" | "AGPL-1.0-or-later");
    if a.exact || mine.is_empty() || !mine.iter().all(bare) {
        return false;
    }
    // A partial alignment only, around a short reference: a whole unversioned notice (or
    // most of one) says more than the few words inside it.
    if a.coverage(db) >= 0.9 {
        return false;
    }
    hits.iter().any(|e| {
        e.exact
            && matches!(db.rule_kind(e.rule), RuleKind::Reference | RuleKind::Tag)
            && e.matched <= 8
            && a.qstart <= e.qstart
            && e.qend <= a.qend
            && mine.iter().all(|m| {
                ids(db.rule_expression(e.rule))
                    .iter()
                    .any(|v| !UNVERSIONED.contains(v) && family(v) == family(m))
            })
    })
}

/// Regions with this many known words may be a text that exact hits only piece together.
const FRAGMENT_LEN: usize = 60;

/// Every verbatim occurrence of a rule: short ones through the trie, long ones by the
/// hash of their first tokens.
fn exact(db: &LicenseDb, q: &Query) -> Vec<Hit> {
    let mut hits = Vec::new();
    let toks = &q.toks;
    for p in 0..toks.len() {
        if toks[p] == UNKNOWN_TOKEN {
            continue;
        }
        if p + START_LEN <= toks.len() {
            if let Some(rules) = db.long_rules_at(start_hash(&toks[p..p + START_LEN])) {
                for &r in rules {
                    let rt = db.rule_tokens(r);
                    if toks.len() - p >= rt.len() && toks[p..p + rt.len()] == *rt {
                        let len = rt.len() as u32;
                        hits.push(Hit {
                            rule: r,
                            qstart: p as u32,
                            qend: p as u32 + len - 1,
                            matched: len,
                            exact: true,
                            blocks: vec![(p as u32, 0, len)],
                        });
                    }
                }
            }
        }
        let mut node = 0u32;
        for (k, &t) in toks.iter().enumerate().skip(p) {
            if t == UNKNOWN_TOKEN {
                break;
            }
            match db.trie.child(node, t) {
                Some(c) => node = c,
                None => break,
            }
            for &r in db.trie.rules_at(node) {
                let len = (k - p + 1) as u32;
                hits.push(Hit {
                    rule: r,
                    qstart: p as u32,
                    qend: k as u32,
                    matched: len,
                    exact: true,
                    blocks: vec![(p as u32, 0, len)],
                });
            }
        }
    }
    hits
}

/// Query positions that exact hits of real licenses (not phrases of a few words) explain.
fn explained_positions(db: &LicenseDb, q: &Query, hits: &[Hit]) -> Vec<bool> {
    let mut e = vec![false; q.toks.len()];
    for h in hits {
        let kind = db.rule_kind(h.rule);
        if h.matched >= 4 && !matches!(kind, RuleKind::Intro | RuleKind::Clue) {
            for p in h.qstart..=h.qend {
                e[p as usize] = true;
            }
        }
    }
    e
}

/// Rules worth aligning with the unexplained part of the query, best first.
///
/// The wanted region's words, rarest first, propose rules through their postings until a
/// budget of postings is spent (the rarest few always): rare words say most about which
/// license this is, and common ones would touch every rule. The rules that share the most
/// weight with them are then measured exactly, against all the words of the query, by
/// their forward index: the containment (how much of the rule's weighted vocabulary the
/// query holds) must reach the coverage an approximate match needs.
/// `scope`: the query positions whose words the rules' are looked for in (for a hole, the
/// words around it, not the whole query: in a long file of many licenses, a rule for
/// BSD-3-Clause with X11's words added found those words somewhere, and outranked
/// BSD-3-Clause for a BSD-3-Clause text).
/// `spare` gets the rules left out for the cap per expression, best first.
fn candidates(
    db: &LicenseDb,
    q: &Query,
    wanted: &[bool],
    explained: &[bool],
    scope: std::ops::Range<usize>,
    spare: &mut Vec<u32>,
    s: &mut Scratch,
) -> Vec<u32> {
    let n_rules = db.rules_count();
    if s.acc.len() != n_rules {
        s.acc = vec![0.0; n_rules];
    }
    let mut proposers: Vec<u16> = q
        .toks
        .iter()
        .zip(wanted)
        .filter(|(t, w)| **t != UNKNOWN_TOKEN && **w)
        .map(|(t, _)| *t)
        .collect();
    proposers.sort_unstable();
    proposers.dedup();
    let proposed = match s.proposals.get(&proposers) {
        Some(p) => p.clone(),
        None => {
            let p = propose(db, proposers.clone(), s);
            if s.proposals.len() >= PROPOSALS_KEPT {
                s.proposals.clear();
            }
            s.proposals.insert(proposers, p.clone());
            p
        }
    };
    measure(db, q, wanted, explained, &q.toks[scope], &proposed, spare)
}

/// The rules that share the most idf weight with `proposers` (sorted, distinct), best
/// first, at most [`PROPOSED`]: a pure function of the words, so it may be memoised.
fn propose(db: &LicenseDb, mut proposers: Vec<u16>, s: &mut Scratch) -> Vec<(f32, u32)> {
    proposers.sort_by_key(|&t| db.postings(t).len());
    let mut spent = 0usize;
    for (i, &t) in proposers.iter().enumerate() {
        let post = db.postings(t);
        if i >= ALWAYS_PROPOSE && spent + post.len() > POSTINGS_BUDGET {
            break;
        }
        spent += post.len();
        let w = db.idf[t as usize];
        // A bare scatter-add: keeping a list of the rules touched cost a branch per
        // posting that the CPU could not predict (a quarter of all rules are touched).
        for &r in post {
            s.acc[r as usize] += w;
        }
    }
    // Weight shared, scaled by the share of the rule it is: a long text that shares the
    // stretch's words but is mostly elsewhere ranks below a rule the stretch nearly holds.
    // (One pass over every rule's sum, in order, which also clears it for the next call.)
    let mut proposed: Vec<(f32, u32)> = Vec::with_capacity(1024);
    for (r, a) in s.acc.iter_mut().enumerate() {
        if *a != 0.0 {
            let acc = std::mem::take(a);
            let total = db.rule_weight[r].max(f32::MIN_POSITIVE);
            proposed.push((acc * (acc / total).min(1.0), r as u32));
        }
    }
    // Only the best PROPOSED are measured: select them (linear), then order them; a full
    // sort of every touched rule (thousands) cost more than the measuring.
    let by_weight = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if proposed.len() > PROPOSED {
        proposed.select_nth_unstable_by(PROPOSED - 1, by_weight);
        proposed.truncate(PROPOSED);
    }
    proposed.sort_unstable_by(by_weight);
    proposed
}

/// The proposed rules the whole query holds enough of, best expected match first, a few
/// per expression.
fn measure(
    db: &LicenseDb,
    q: &Query,
    wanted: &[bool],
    explained: &[bool],
    scope: &[u16],
    proposed: &[(f32, u32)],
    spare: &mut Vec<u32>,
) -> Vec<u32> {
    // The words in scope, all of them, for the exact containment.
    let mut vocab: Vec<u16> = scope
        .iter()
        .copied()
        .filter(|&t| t != UNKNOWN_TOKEN)
        .collect();
    vocab.sort_unstable();
    vocab.dedup();
    let known = scope.iter().filter(|t| **t != UNKNOWN_TOKEN).count() as u32;
    let mut scored: Vec<(f32, u32, u32)> = Vec::new();
    for &(_, r) in proposed {
        // A match must cover half of its rule: a rule twice the query's words cannot.
        if db.rule_len(r) > 2 * known {
            continue;
        }
        let total = db.rule_weight[r as usize];
        if total <= 0.0 {
            continue;
        }
        let shared = shared_weight(db, db.rule_vocabulary(r), &vocab);
        let containment = shared / total;
        if containment >= MIN_CONTAINMENT {
            scored.push((containment, db.rule_len(r), r));
        }
    }
    // Best expected number of matched words first (containment times the words the rule
    // could match here): a long text mostly present beats a short rule whose words happen
    // to be there. At most a few rules per expression, so that a file with two licenses
    // gets candidates for both.
    // (The words it could match are those of the wanted stretch: ranked against the whole
    // query, a long text of two licenses beat the one license the stretch holds.)
    let wanted_known = q
        .toks
        .iter()
        .zip(wanted)
        .filter(|(t, w)| **w && **t != UNKNOWN_TOKEN)
        .count() as u32;
    let est = |c: &(f32, u32, u32)| c.0 * c.1.min(wanted_known) as f32;
    // Ties (rules longer than the stretch, all of their words present) go to the rule whose
    // length is closest to the text's: the stretch with the exact pieces it touches (a
    // stretch left after an exact hit of the first clauses is the rest of a longer text,
    // and the rule that also holds those clauses is the better answer; a rule longer than
    // the text only has words the text lacks).
    let text_known = span_known(q, wanted, explained);
    let misfit = |c: &(f32, u32, u32)| c.1.abs_diff(text_known);
    scored.sort_unstable_by(|a, b| {
        est(b)
            .total_cmp(&est(a))
            .then(misfit(a).cmp(&misfit(b)))
            .then(a.2.cmp(&b.2))
    });
    let mut per_expr: Vec<(u32, usize)> = Vec::new();
    scored.retain(|c| {
        let e = db.rule_expression_index(c.2);
        match per_expr.iter_mut().find(|p| p.0 == e) {
            Some(p) if p.1 >= PER_EXPRESSION => {
                spare.push(c.2);
                false
            }
            Some(p) => {
                p.1 += 1;
                true
            }
            None => {
                per_expr.push((e, 1));
                true
            }
        }
    });
    if debug_match() {
        for c in scored.iter().take(30) {
            eprintln!("cand {} {:.3} len {}", db.rule_identifier(c.2), c.0, c.1);
        }
    }
    scored.truncate(CANDIDATES);
    scored.into_iter().map(|c| c.2).collect()
}

/// From the first wanted position to the last, widened over the exactly explained words
/// on either side.
fn span(q: &Query, wanted: &[bool], explained: &[bool]) -> Option<(usize, usize)> {
    let (Some(mut lo), Some(mut hi)) = (
        wanted.iter().position(|w| *w),
        wanted.iter().rposition(|w| *w),
    ) else {
        return None;
    };
    while lo > 0 && explained[lo - 1] {
        lo -= 1;
    }
    while hi + 1 < q.toks.len() && explained[hi + 1] {
        hi += 1;
    }
    Some((lo, hi))
}

/// Known words in the [`span`] of the wanted positions.
fn span_known(q: &Query, wanted: &[bool], explained: &[bool]) -> u32 {
    span(q, wanted, explained).map_or(0, |(lo, hi)| {
        q.toks[lo..=hi]
            .iter()
            .filter(|t| **t != UNKNOWN_TOKEN)
            .count() as u32
    })
}

/// The idf weight of the words two sorted vocabularies share.
fn shared_weight(db: &LicenseDb, a: &[u16], b: &[u16]) -> f32 {
    let (mut i, mut j, mut w) = (0, 0, 0f32);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                w += db.idf[a[i] as usize];
                i += 1;
                j += 1;
            }
        }
    }
    w
}

fn approximate(
    db: &LicenseDb,
    q: &Query,
    wanted: &[bool],
    explained: &[bool],
    s: &mut Scratch,
) -> Vec<Hit> {
    let mut out = Vec::new();
    if debug_match() {
        let w = wanted.iter().filter(|w| **w).count();
        eprintln!("approximate: {w} of {} tokens wanted", q.toks.len());
    }
    let mut spare = Vec::new();
    let c = candidates(db, q, wanted, explained, 0..q.toks.len(), &mut spare, s);
    let mut hole_c: Vec<HoleCandidate> = Vec::new();
    let mut holes: Vec<Hole> = Vec::new();
    hole_candidates(db, q, wanted, explained, &mut hole_c, &mut holes, s);
    // The query's trigrams, once: each candidate's tokens are looked up in them.
    s.grams.clear();
    let qt = &q.toks;
    for i in 0..qt.len().saturating_sub(2) {
        let (a, b, c) = (qt[i], qt[i + 1], qt[i + 2]);
        if a != UNKNOWN_TOKEN && b != UNKNOWN_TOKEN && c != UNKNOWN_TOKEN {
            s.grams.push((tri(a, b, c), i as u32));
        }
    }
    s.grams.sort_unstable();
    // (Only holes' candidates are judged by it.)
    let unexplained: Vec<bool> = if !hole_c.is_empty() {
        explained.iter().map(|e| !e).collect()
    } else {
        Vec::new()
    };
    // A hole's candidate answers for the hole, with most of its rule: an alignment made
    // mostly of words exact hits explain is a near miss of those hits ("On Debian
    // systems, the complete text of the GPL version 3..." aligned, versions aside, with a
    // rule for GPL-2 and LGPL-2.1), and one that covers little of its rule strings
    // together pieces of the neighbouring licenses' notices. `close` gets the licenses
    // that came close ([`HOLE_NEAR_MISS`] of a rule) and lost only on coverage.
    let answer_for_hole = |out: &mut Vec<Hit>, from: usize, close: &mut Vec<(u32, u32, u32)>| {
        let mut k = from;
        while k < out.len() {
            let cov = out[k].coverage(db);
            let mostly_unexplained = matched_in(&out[k], &unexplained) * 2 >= out[k].matched;
            if !mostly_unexplained || cov < HOLE_MIN_COVERAGE {
                let e = db.rule_expression_index(out[k].rule);
                let (a, b) = (out[k].qstart, out[k].qend);
                if cov >= HOLE_NEAR_MISS
                    && mostly_unexplained
                    && !close.iter().any(|c| c.0 == e && c.1 <= b && a <= c.2)
                {
                    close.push((e, a, b));
                }
                out.swap_remove(k);
            } else {
                k += 1;
            }
        }
    };
    let mut close: Vec<(u32, u32, u32)> = Vec::new();
    // Where each rule aligned over the whole query was found, before any filter.
    let mut found: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
    for &r in &c {
        debug_assert!(db.rule_flags(r) & F_APPROX != 0);
        let from = out.len();
        align(db, q, r, s, &mut out);
        found.insert(r, out[from..].iter().map(|h| (h.qstart, h.qend)).collect());
    }
    for hc in &hole_c {
        let (r, h) = (hc.rule, &holes[hc.hole]);
        debug_assert!(db.rule_flags(r) & F_APPROX != 0);
        if let std::collections::hash_map::Entry::Vacant(v) = found.entry(r) {
            let from = out.len();
            align(db, q, r, s, &mut out);
            v.insert(out[from..].iter().map(|h| (h.qstart, h.qend)).collect());
            answer_for_hole(&mut out, from, &mut close);
        }
        // Over the whole of a long file, a rule's seeds (16 per trigram) and occurrences
        // (8) may all go to the same license's texts elsewhere: then it is aligned in the
        // hole, with the words beside it (the BSD-3-Clause text of evanphx/json-patch deep
        // in kpt's 13,000-line LICENSES.txt was unrecognized).
        let (a, b) = (h.start as u32, h.end as u32);
        if !found[&r].iter().any(|&(s0, e0)| s0 < b && a <= e0) {
            let from = out.len();
            align_in(db, q, r, h.scope.clone(), s, &mut out);
            answer_for_hole(&mut out, from, &mut close);
        }
    }
    second_chance(db, q, &spare, &c, s, &mut out);
    // The same second chance for a hole, from 80%: libical's BSD-3-Clause text ("Neither
    // name of The Museum of Hiram") came that close to the two long variants the cap let
    // through, the license's plainer rules were never tried, and BSD-Source-Code (which
    // has no binary clause) was the answer.
    close.retain(|&(e, a, b)| {
        !out.iter()
            .any(|h| db.rule_expression_index(h.rule) == e && h.qstart <= b && a <= h.qend)
    });
    // Each hole's own near misses, from the rules its own proposals spared (one list for
    // all holes gave the first holes' licenses every second chance: the BSD-3-Clause text
    // of evanphx/json-patch deep in kpt's 13,000-line LICENSES.txt was unrecognized).
    for (i, h) in holes.iter().enumerate() {
        let mut tried: Vec<u32> = c.clone();
        tried.extend(hole_c.iter().filter(|x| x.hole == i).map(|x| x.rule));
        let mine = close
            .iter()
            .filter(|&&(_, a, b)| (a as usize) < h.end && h.start <= b as usize);
        for &(e, _, _) in mine.take(2) {
            for r in next_rules(db, &h.spare, e, &tried) {
                tried.push(r);
                let from = out.len();
                align_in(db, q, r, h.scope.clone(), s, &mut out);
                answer_for_hole(&mut out, from, &mut Vec::new());
            }
        }
    }
    // The same occurrence found by the whole query's alignment and a hole's.
    let mut seen: std::collections::HashSet<(u32, u32, u32)> = Default::default();
    out.retain(|h| seen.insert((h.rule, h.qstart, h.qend)));
    out
}

/// A rule a hole proposed, and the hole (its index).
#[derive(PartialEq)]
struct HoleCandidate {
    rule: u32,
    hole: usize,
}

/// A hole (`start..end`), the words its candidates are aligned in, and the rules its
/// proposals left out by the cap per license.
struct Hole {
    start: usize,
    end: usize,
    scope: std::ops::Range<usize>,
    spare: Vec<u32>,
}

/// The next [`SECOND_CHANCE`] rules of expression `e` among `spare` (best first), once
/// each, leaving out those `tried` already.
fn next_rules(db: &LicenseDb, spare: &[u32], e: u32, tried: &[u32]) -> Vec<u32> {
    let mut next: Vec<u32> = Vec::new();
    for &r in spare {
        if next.len() == SECOND_CHANCE {
            break;
        }
        if db.rule_expression_index(r) == e && !tried.contains(&r) && !next.contains(&r) {
            next.push(r);
        }
    }
    next
}

/// Each hole the exact hits leave in a long region of several licenses proposes for
/// itself too, adding to `c`: proposed from all the wanted words at once, the few
/// candidates went to the licenses with the most words, and NumPy's BSD-3-Clause text,
/// above the GPL and LGPL texts its wheel bundles, was never aligned. A single hole beside
/// a whole text that exact hits explain (a BSD-3-Clause text above the MIT text of Julia
/// in NumPy's random/distributions/LICENSE.md) proposes too, its words judged alone: the
/// whole query's favoured a rule that has both licenses' words. `out` gets each hole
/// with the rules the cap per expression left out.
fn hole_candidates(
    db: &LicenseDb,
    q: &Query,
    wanted: &[bool],
    explained: &[bool],
    c: &mut Vec<HoleCandidate>,
    out: &mut Vec<Hole>,
    s: &mut Scratch,
) {
    let holes = holes(db, q, wanted, explained);
    let alone = holes.len() == 1 && {
        let (a, b) = holes[0];
        wanted[..a].contains(&true) || wanted[b..].contains(&true)
    };
    if holes.len() < 2 && !alone {
        return;
    }
    let mut mask = vec![false; q.toks.len()];
    for &(a, b) in holes.iter().take(MAX_HOLES) {
        mask[a..b].fill(true);
        let widened = widen(explained, a, b);
        if debug_match() {
            eprintln!("hole {a}..{b} scope {widened:?} alone {alone}");
        }
        // A single hole is judged alone, and also with the exact hits beside it: the rest
        // of a text whose first part matched exactly is held by no full text alone
        // (Infozone's Apache-1.1 text in ScanCode's lic2 set was read as xmldb-1.0).
        let mut spare = Vec::new();
        let (words, hole) = ((mask.as_slice(), explained), out.len());
        if alone {
            hole_proposals(db, q, words, a..b, hole, c, &mut spare, s);
        }
        if !alone || widened != (a..b) {
            hole_proposals(db, q, words, widened.clone(), hole, c, &mut spare, s);
        }
        out.push(Hole {
            start: a,
            end: b,
            scope: widened,
            spare,
        });
        mask[a..b].fill(false);
    }
}

/// The hole `a..b` with the words on either side up to fewer than [`RUN_BREAK`] away, and
/// the exactly explained words beyond them: the rest of its sentence ("... OF SUCH
/// DAMANGE", a word no license vocabulary has but SocksiPy's rule does), and a clause with
/// a name in it ("3. Neither the name of Dan Haim nor the names of his contributors")
/// between the exact first clauses of a BSD text and the hole its disclaimer leaves.
fn widen(explained: &[bool], a: usize, b: usize) -> std::ops::Range<usize> {
    let mut lo = a;
    while lo > 0 && !explained[lo - 1] && a - lo < RUN_BREAK {
        lo -= 1;
    }
    while lo > 0 && explained[lo - 1] {
        lo -= 1;
    }
    let n = explained.len();
    let mut hi = b;
    while hi < n && !explained[hi] && hi - b < RUN_BREAK {
        hi += 1;
    }
    while hi < n && explained[hi] {
        hi += 1;
    }
    lo..hi
}

/// The best rules of the best [`HOLE_LICENSES`] licenses for the hole `mask` marks,
/// measured in `scope`, added to `c` as the candidates of hole number `hole`.
#[allow(clippy::too_many_arguments)]
fn hole_proposals(
    db: &LicenseDb,
    q: &Query,
    (mask, explained): (&[bool], &[bool]),
    scope: std::ops::Range<usize>,
    hole: usize,
    c: &mut Vec<HoleCandidate>,
    spare: &mut Vec<u32>,
    s: &mut Scratch,
) {
    // The few best rules of a few licenses, not the few best rules: three BSD-3-Clause
    // variants ranked above BSD-2-Clause-Views for the disclaimer and "views and
    // conclusions" sentence left after the exact BSD-2-Clause clauses of a Debian
    // copyright file. (A license's best rule alone may be a variant with words of its
    // own.)
    let mut exprs: Vec<u32> = Vec::new();
    for r in candidates(db, q, mask, explained, scope, spare, s) {
        let e = db.rule_expression_index(r);
        if !exprs.contains(&e) {
            if exprs.len() == HOLE_LICENSES {
                continue;
            }
            exprs.push(e);
        }
        let candidate = HoleCandidate { rule: r, hole };
        if !c.contains(&candidate) {
            c.push(candidate);
        }
    }
}

/// An alignment this close to whole that breaks a condition of its rule...
const NEAR_MISS: f32 = 0.85;
/// ...has this many more rules of its license aligned, for at most two licenses.
const SECOND_CHANCE: usize = 4;

/// A license whose aligned rules all nearly matched but broke a condition (a required
/// phrase one word off: "51 Franklin St" in a GPL notice whose rule says "Street") has its
/// next rules aligned too, the ones the cap per expression left out: ScanCode aligns far
/// more candidates, and one of them is the wording the text has. Only after a near miss,
/// so a region whose words merely resemble licenses costs nothing more. A valid hit of
/// the license elsewhere in the region, or a poorer one over the same words, does not
/// count as its answer (John Birrell's BSD-3-Clause text in libbsd's Debian copyright
/// file, among many BSD texts that matched, came within 87% of three rules and was read
/// as BSD-2-Clause and BSD-4-Clause-UC).
fn second_chance(
    db: &LicenseDb,
    q: &Query,
    spare: &[u32],
    tried: &[u32],
    s: &mut Scratch,
    out: &mut Vec<Hit>,
) {
    let mut missed: Vec<u32> = Vec::new();
    for h in out.iter() {
        let e = db.rule_expression_index(h.rule);
        if missed.len() < 2
            && !missed.contains(&e)
            && h.coverage(db) >= NEAR_MISS
            && !valid(db, q, h)
            && !out.iter().any(|o| {
                db.rule_expression_index(o.rule) == e
                    && o.qstart <= h.qend
                    && h.qstart <= o.qend
                    && o.coverage(db) >= h.coverage(db)
                    && valid(db, q, o)
            })
        {
            missed.push(e);
        }
    }
    for e in missed {
        for r in next_rules(db, spare, e, tried) {
            align(db, q, r, s, out);
        }
    }
}

/// Holes that propose candidates of their own, at most (chromium's Debian copyright file
/// has more than 16 before its MPL-2.0 text)...
const MAX_HOLES: usize = 64;
/// ...and the licenses each proposes (with their few best rules)...
const HOLE_LICENSES: usize = 3;
/// ...whose alignments must cover this share of their rule; one that covers this much
/// has the license's next rules aligned.
const HOLE_MIN_COVERAGE: f32 = 0.95;
const HOLE_NEAR_MISS: f32 = 0.8;

/// The runs (`a..b`) of wanted words no exact hit explains, each with license vocabulary
/// enough to be aligned alone, in query order. Runs closer than [`RUN_BREAK`] words are
/// one: a sentence split by a short exact hit is one hole.
fn holes(db: &LicenseDb, q: &Query, wanted: &[bool], explained: &[bool]) -> Vec<(usize, usize)> {
    let open = |p: usize| wanted[p] && !explained[p];
    let n = q.toks.len();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut p = 0;
    while p < n {
        if !open(p) {
            p += 1;
            continue;
        }
        let a = p;
        while p < n && open(p) {
            p += 1;
        }
        match runs.last_mut() {
            Some(last) if a - last.1 < RUN_BREAK => last.1 = p,
            _ => runs.push((a, p)),
        }
    }
    runs.retain(|&(a, b)| {
        let mut distinct: Vec<u16> = q.toks[a..b]
            .iter()
            .copied()
            .filter(|&t| t != UNKNOWN_TOKEN && db.legal[t as usize])
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        distinct.len() >= APPROX_MIN_WORDS
    });
    runs
}

fn tri(a: u16, b: u16, c: u16) -> u64 {
    (u64::from(a) << 32) | (u64::from(b) << 16) | u64::from(c)
}

/// The largest gap (in tokens, on either side) a chain of blocks may jump.
fn max_gap(rule_len: u32) -> u32 {
    (rule_len / 4).clamp(8, 120)
}

/// Aligns rule `r` with the query; pushes one hit per occurrence found.
fn align(db: &LicenseDb, q: &Query, r: u32, s: &mut Scratch, out: &mut Vec<Hit>) {
    align_in(db, q, r, 0..q.toks.len(), s, out);
}

/// [`align`] seeded only from the query positions in `scope`: a hole of a long file of
/// many licenses is aligned where it is (seeded from the whole query, the 16 seeds per
/// trigram and the 8 occurrences went to the same license's texts further up).
fn align_in(
    db: &LicenseDb,
    q: &Query,
    r: u32,
    scope: std::ops::Range<usize>,
    s: &mut Scratch,
    out: &mut Vec<Hit>,
) {
    let rt = db.rule_tokens(r);
    let qt = &q.toks;
    if rt.len() < 3 || qt.len() < 3 {
        return;
    }
    let (lo, hi) = (scope.start as u32, scope.end as u32);
    s.seeds.clear();
    for j in 0..rt.len() - 2 {
        let key = tri(rt[j], rt[j + 1], rt[j + 2]);
        let from = s.grams.partition_point(|g| (g.0, g.1) < (key, lo));
        for g in s.grams[from..]
            .iter()
            .take_while(|g| g.0 == key && g.1 < hi)
            .take(16)
        {
            s.seeds.push((j as i64 - i64::from(g.1), g.1, j as u32));
        }
    }
    if s.seeds.is_empty() {
        return;
    }
    s.seeds.sort_unstable();
    // Runs of seeds on one diagonal are blocks; each is then extended word by word.
    let mut blocks: Blocks = Vec::new();
    let mut k = 0;
    while k < s.seeds.len() {
        let (d, i0, j0) = s.seeds[k];
        let mut last = i0;
        let mut m = k + 1;
        while m < s.seeds.len() && s.seeds[m].0 == d && s.seeds[m].1 == last + 1 {
            last = s.seeds[m].1;
            m += 1;
        }
        let (mut qi, mut rj, mut len) = (i0, j0, last - i0 + 3);
        while qi > 0 && rj > 0 && qt[qi as usize - 1] == rt[rj as usize - 1] {
            qi -= 1;
            rj -= 1;
            len += 1;
        }
        while ((qi + len) as usize) < qt.len()
            && ((rj + len) as usize) < rt.len()
            && qt[(qi + len) as usize] == rt[(rj + len) as usize]
        {
            len += 1;
        }
        blocks.push((qi, rj, len));
        k = m;
    }
    blocks.sort_unstable();
    blocks.dedup();
    if blocks.len() > MAX_BLOCKS {
        blocks.sort_unstable_by(|a, b| b.2.cmp(&a.2).then(a.cmp(b)));
        blocks.truncate(MAX_BLOCKS);
        blocks.sort_unstable();
    }
    let gap = max_gap(rt.len() as u32);
    let min_matched = min_matched_len(db, r);
    let mut alive = vec![true; blocks.len()];
    for _ in 0..MAX_OCCURRENCES {
        let Some(chain) = best_chain(&blocks, &alive, gap) else {
            break;
        };
        let matched: u32 = chain.iter().map(|b| b.2).sum();
        if matched < min_matched {
            break;
        }
        let qs = chain[0].0;
        let last = chain[chain.len() - 1];
        let qe = last.0 + last.2 - 1;
        // Blocks inside this occurrence's query range belong to it.
        for (bi, b) in blocks.iter().enumerate() {
            if b.0 <= qe && b.0 + b.2 > qs {
                alive[bi] = false;
            }
        }
        out.push(Hit {
            rule: r,
            qstart: qs,
            qend: qe,
            matched,
            exact: false,
            blocks: chain,
        });
    }
}

/// The monotone chain of live blocks (rising in query and rule, not overlapping) with the
/// most matched tokens, cut at its first gap wider than `gap` (keeping the larger side).
/// O(B log B): blocks in query order, the best chain ending at or before each rule position
/// in a Fenwick tree of maxima.
fn best_chain(blocks: &Blocks, alive: &[bool], gap: u32) -> Option<Blocks> {
    let idx: Vec<usize> = (0..blocks.len()).filter(|&i| alive[i]).collect();
    if idx.is_empty() {
        return None;
    }
    let r_max = idx
        .iter()
        .map(|&i| blocks[i].1 + blocks[i].2)
        .max()
        .unwrap_or(0) as usize;
    let mut tree: Vec<(u32, usize)> = vec![(0, usize::MAX); r_max + 2];
    let query = |tree: &[(u32, usize)], mut i: usize| {
        let mut best = (0u32, usize::MAX);
        i += 1;
        while i > 0 {
            if tree[i].0 > best.0 {
                best = tree[i];
            }
            i &= i - 1;
        }
        best
    };
    let update = |tree: &mut [(u32, usize)], mut i: usize, v: (u32, usize)| {
        i += 1;
        while i < tree.len() {
            if v.0 > tree[i].0 {
                tree[i] = v;
            }
            i += i & i.wrapping_neg();
        }
    };
    // idx is in query-start order (blocks are sorted); insert each block once the current
    // one starts after its end.
    let mut by_end: Vec<usize> = (0..idx.len()).collect();
    by_end.sort_unstable_by_key(|&k| blocks[idx[k]].0 + blocks[idx[k]].2);
    let mut dp = vec![0u32; idx.len()];
    let mut prev = vec![usize::MAX; idx.len()];
    let mut next_insert = 0;
    for k in 0..idx.len() {
        let b = blocks[idx[k]];
        while next_insert < by_end.len() {
            let e = by_end[next_insert];
            let a = blocks[idx[e]];
            if a.0 + a.2 > b.0 {
                break;
            }
            if dp[e] > 0 {
                update(&mut tree, (a.1 + a.2) as usize, (dp[e], e));
            }
            next_insert += 1;
        }
        let (best, from) = query(&tree, b.1 as usize);
        dp[k] = best + b.2;
        prev[k] = from;
    }
    let mut k = (0..idx.len()).max_by_key(|&k| (dp[k], std::cmp::Reverse(k)))?;
    let mut chain = Vec::new();
    loop {
        chain.push(blocks[idx[k]]);
        if prev[k] == usize::MAX {
            break;
        }
        k = prev[k];
    }
    chain.reverse();
    // Cut at gaps too wide for one occurrence; keep the heaviest piece.
    let mut pieces: Vec<Blocks> = vec![Vec::new()];
    for b in chain {
        if let Some(last) = pieces.last().and_then(|p| p.last()) {
            if b.0 - (last.0 + last.2) > gap || b.1 - (last.1 + last.2) > gap {
                pieces.push(Vec::new());
            }
        }
        pieces.last_mut().unwrap().push(b);
    }
    pieces
        .into_iter()
        .max_by_key(|p| p.iter().map(|b| b.2).sum::<u32>())
}

/// ScanCode's minimum matched length of an approximate match, by rule length.
fn min_matched_len(db: &LicenseDb, r: u32) -> u32 {
    let len = db.rule_len(r);
    if db.rule_min_coverage(r) == 100 {
        return len;
    }
    match len {
        0..=9 => len,
        10..=29 => len / 2,
        30..=199 => 4,
        _ => len / 10,
    }
}

/// Whether a hit meets its rule's conditions.
fn valid(db: &LicenseDb, q: &Query, h: &Hit) -> bool {
    let len = db.rule_len(h.rule);
    let flags = db.rule_flags(h.rule);
    let full = h.exact && h.matched == len;
    if flags & F_CONTINUOUS != 0 && !full {
        return false;
    }
    if flags & (F_CONTINUOUS | F_REQUIRED_PHRASE) != 0 && q.break_within(h.qstart, h.qend) {
        return false;
    }
    let cov = h.coverage(db) * 100.0;
    if cov + 1e-3 < f32::from(db.rule_min_coverage(h.rule)) {
        return false;
    }
    if full {
        return true;
    }
    if !h.exact
        && db.rule_kind(h.rule) != RuleKind::Text
        && !super::names::names_its_license(
            db,
            h.rule,
            &q.toks[h.qstart as usize..=h.qend as usize],
        )
    {
        return false;
    }
    if h.matched < min_matched_len(db, h.rule) {
        return false;
    }
    // Required phrases: each lies whole inside one block (contiguous on both sides). A long
    // text found nearly whole is forgiven a phrase beyond either end of the match where the
    // query ends there too: a CC text is no less itself for the title a copy left out above
    // it (its NonCommercial sibling, the closest rule without a required title, won). A
    // title the query has other words in place of ("H2 License" for "Mozilla Public
    // License") still counts.
    let nearly_whole = len >= LONG_TEXT && cov >= NEARLY_WHOLE;
    let left_out = |a: u32, b: u32| {
        nearly_whole
            && ((b <= h.rstart() && h.qstart <= EDGE_WORDS)
                || (a > h.rend() && h.qend as usize + EDGE_WORDS as usize + 1 >= q.toks.len()))
    };
    let merged = merge_contiguous(&h.blocks);
    for (a, b) in db
        .required_phrases(h.rule)
        .filter(|&(a, b)| !left_out(a, b))
    {
        let Some(bl) = merged.iter().find(|bl| bl.1 <= a && b <= bl.1 + bl.2) else {
            return false;
        };
        if b > a && q.break_within(bl.0 + (a - bl.1), bl.0 + (b - 1 - bl.1)) {
            return false;
        }
    }
    // ScanCode's spurious-match thresholds: sparse matches of few words are chance.
    let qdens = h.matched as f32 / (h.qend - h.qstart + 1) as f32;
    let idens = h.matched as f32 / (h.rend() - h.rstart() + 1) as f32;
    let dens = qdens.min(idens);
    let m = h.matched;
    let spurious = (m < 10 && dens < 0.1)
        || (m < 15 && dens < 0.2)
        || (m < 20 && dens < 0.3)
        || (m < 30 && dens < 0.4)
        || dens < 0.4;
    if spurious {
        return false;
    }
    // A partial copy of a long text is evidence only when most of the text is there.
    if !h.exact && cov < 50.0 {
        return false;
    }
    true
}

/// Rules this long (in tokens) are license texts however they are filed...
const LONG_TEXT: u32 = 300;
/// ...and found nearly whole at this coverage (percent).
const NEARLY_WHOLE: f32 = 95.0;
/// Words a query may hold beyond the end of such a match (a heading) and still end there.
const EDGE_WORDS: u32 = 3;

fn merge_contiguous(blocks: &Blocks) -> Blocks {
    let mut out: Blocks = Vec::with_capacity(blocks.len());
    for &b in blocks {
        if let Some(last) = out.last_mut() {
            if last.0 + last.2 == b.0 && last.1 + last.2 == b.1 {
                last.2 += b.2;
                continue;
            }
        }
        out.push(b);
    }
    out
}

/// License families, for "a mention inside a notice of the same license adds nothing".
pub(crate) fn family(id: &str) -> &str {
    let id = id.strip_prefix("LicenseRef-scancode-").unwrap_or(id);
    let end = id
        .find(|c: char| c == '-' || c.is_ascii_digit())
        .unwrap_or(id.len());
    &id[..end]
}

fn ids(expr: &str) -> Vec<&str> {
    expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "WITH"))
        .collect()
}

/// Every license of `inner` is one of `outer`'s, or of the same family.
fn licensing_contains(outer: &str, inner: &str) -> bool {
    let o = ids(outer);
    ids(inner)
        .iter()
        .all(|i| o.contains(i) || o.iter().any(|x| family(x) == family(i)))
}

/// Whether `h` is a clue that is a license's bare name (ScanCode's `{{Public Domain}}`:
/// one required phrase, matched whole). Such a name is no license in a sentence ("a public
/// domain table implementation") but is one as a label on its own line ("Igor Pavlov :
/// Public domain"); only the caller, which has the text, can tell (`detect::stands_alone`).
pub fn is_label(db: &LicenseDb, h: &Hit) -> bool {
    let len = db.rule_len(h.rule);
    db.rule_kind(h.rule) == RuleKind::Clue
        && h.exact
        && h.matched == len
        && db.required_phrases(h.rule).any(|(a, b)| a == 0 && b == len)
}

fn refine(db: &LicenseDb, q: &Query, mut hits: Vec<Hit>) -> Vec<Hit> {
    let labels: Vec<Hit> = hits.iter().filter(|h| is_label(db, h)).cloned().collect();
    // Intros ("is licensed under:") and clues name no license and must not push a license
    // out of its own text.
    hits.retain(|h| !matches!(db.rule_kind(h.rule), RuleKind::Intro | RuleKind::Clue));
    if debug_match() {
        for h in hits.iter().filter(|h| !h.exact || h.matched > 20) {
            eprintln!(
                "hit {} q{}-{} matched {} cov {:.3} exact {} valid {}",
                db.rule_identifier(h.rule),
                h.qstart,
                h.qend,
                h.matched,
                h.coverage(db),
                h.exact,
                valid(db, q, h)
            );
        }
    }
    hits.retain(|h| valid(db, q, h));
    if hits.is_empty() {
        return labels;
    }
    let displaced: Vec<bool> = hits
        .iter()
        .map(|a| {
            displaced_by_verbatim(db, q, a, &hits)
                || explained_by_more(db, a, &hits)
                || versioned_inside(db, a, &hits)
        })
        .collect();
    // Between near ties (within 2%: four words of a BSD text), the license SPDX lists wins
    // over a ScanCode variant: ScanCode files plain BSD-3-Clause texts under `bsd-x11`
    // (bsd-x11_6 lacks the very NON-INFRINGEMENT words that make the variant) and
    // `bsd-endorsement-allowed`, which differ from the query by a word or two of a name or
    // a disclaimer's wording, and ScanCode itself calls such files BSD-3-Clause. A real
    // variant carries words of its own (a sentence, a clause) and still wins.
    // (Weighed once per hit, not per comparison of the sort.)
    let weight = |h: &Hit| {
        let listed = !db.rule_expression(h.rule).contains("LicenseRef-");
        h.matched as f32 * h.coverage(db).min(1.0).sqrt() * if listed { 1.02 } else { 1.0 }
    };
    let mut ranked: Vec<(f32, Hit)> = hits
        .into_iter()
        .zip(displaced)
        .filter(|(_, d)| !d)
        .map(|(h, _)| (weight(&h), h))
        .collect();
    ranked.sort_by(|(wa, a), (wb, b)| {
        wb.total_cmp(wa)
            .then(b.coverage(db).total_cmp(&a.coverage(db)))
            .then(db.rule_relevance(b.rule).cmp(&db.rule_relevance(a.rule)))
            .then(db.rule_len(a.rule).cmp(&db.rule_len(b.rule)))
            .then(a.rule.cmp(&b.rule))
            .then(a.qstart.cmp(&b.qstart))
    });
    let mut covered = vec![false; q.toks.len()];
    let mut accepted: Vec<Hit> = Vec::new();
    for (_, h) in ranked {
        if matched_in(&h, &covered) * 10 >= h.matched * 3
            && !tag_after_tag(db, q, &h, &covered, &accepted)
        {
            continue;
        }
        let expr = db.rule_expression(h.rule);
        let surrounded = accepted.iter().any(|a| {
            a.qstart <= h.qstart
                && h.qend <= a.qend
                && a.matched >= 2 * h.matched
                && (licensing_contains(db.rule_expression(a.rule), expr)
                    || db.rule_kind(a.rule) == RuleKind::FalsePositive)
        });
        if surrounded {
            continue;
        }
        for b in &h.blocks {
            for p in b.0..b.0 + b.2 {
                covered[p as usize] = true;
            }
        }
        accepted.push(h);
    }
    // A label where no rule was accepted over its words: "Public Domain" inside a
    // public-domain dedication is that dedication's, and inside a false positive (the
    // "// Public domain" comment of a Java enum of licenses) is silenced with it.
    for l in labels {
        if !accepted
            .iter()
            .any(|a| a.qstart <= l.qend && l.qstart <= a.qend)
        {
            accepted.push(l);
        }
    }
    accepted.retain(|h| {
        is_label(db, h)
            || !matches!(
                db.rule_kind(h.rule),
                RuleKind::FalsePositive | RuleKind::Intro | RuleKind::Clue
            )
    });
    accepted.sort_by_key(|h| (h.qstart, h.qend, h.rule));
    absorb_unversioned(db, &mut accepted);
    accepted
}

/// Whether exact tag `h`, at the start of a line, shares only its first word with a tag
/// before it: "License: MIT License" is a tag too, and over "License: MIT\nLicense: Vim"
/// it took the second line's "License", which left "Vim" alone. (Not a tag whose first
/// word ends the sentence before it: "under the MIT license.\nPython Markdown".)
fn tag_after_tag(db: &LicenseDb, q: &Query, h: &Hit, covered: &[bool], before: &[Hit]) -> bool {
    let (s, e) = (h.qstart as usize, h.qend as usize);
    h.exact
        && h.matched >= 2
        && db.rule_kind(h.rule) == RuleKind::Tag
        && s > 0
        && q.lines[s] != q.lines[s - 1]
        && covered[s]
        && !covered[s + 1..=e].contains(&true)
        && before.iter().any(|b| {
            db.rule_kind(b.rule) == RuleKind::Tag && b.qstart < h.qstart && h.qstart <= b.qend
        })
}

/// Whether approximate hit `a` loses to a verbatim, whole match of another license over
/// the same words. Where the two texts differ, the words are the verbatim rule's (the
/// Netscape Public License 1.1 notice is the Mozilla 1.0 notice with the name and version
/// changed, and an alignment with the Mozilla one, skipping just those words, matched a
/// few more words than the Netscape rule holds). And an alignment that holds a whole
/// license text verbatim and adds only words no license uses is that text with a line
/// beside it:
/// the Sudo license is the ISC text and a sentence on who sponsored the work, so an ISC
/// text above such a sentence (or above any credit line) is ISC, as ScanCode has it. A
/// real variant adds a clause, in license words, and still wins.
fn displaced_by_verbatim(db: &LicenseDb, q: &Query, a: &Hit, hits: &[Hit]) -> bool {
    if a.exact {
        return false;
    }
    let expr = db.rule_expression_index(a.rule);
    hits.iter().any(|e| {
        if !e.exact
            || e.matched != db.rule_len(e.rule)
            || e.matched * 4 < a.matched * 3
            || db.rule_expression_index(e.rule) == expr
            || db.rule_kind(e.rule) == RuleKind::FalsePositive
        {
            return false;
        }
        let (lo, hi) = (a.qstart.max(e.qstart), a.qend.min(e.qend));
        if lo > hi || (hi - lo + 1) * 10 < e.matched * 8 {
            return false;
        }
        // Words of the verbatim match inside the alignment that the alignment skipped.
        let skipped = (lo..=hi).any(|p| !a.blocks.iter().any(|b| b.0 <= p && p < b.0 + b.2));
        skipped
            || (db.rule_kind(e.rule) == RuleKind::Text
                && (lo, hi) == (e.qstart, e.qend)
                && adds_no_license_words(db, q, a, e))
    })
}

/// Whether approximate hit `a` loses to an alignment of another license that matches every
/// query word `a` matches and more: the words only the other explains are where the two
/// texts differ (the NonCommercial clauses of CC-BY-NC-ND-4.0, which a CC-BY-ND-4.0 rule
/// skips). The other's rule may hold more that the file lacks (ScanCode's CC-BY-NC-ND-4.0
/// text carries Creative Commons' preamble), which lowers its coverage but not what it
/// explains: ScanCode drops a match whose matched words another match contains, too.
fn explained_by_more(db: &LicenseDb, a: &Hit, hits: &[Hit]) -> bool {
    if a.exact || a.matched < FRAGMENT_LEN as u32 {
        return false;
    }
    let expr = db.rule_expression_index(a.rule);
    let margin = (a.matched / 50).max(5);
    hits.iter().any(|o| {
        o.matched >= a.matched + margin
            && !o.exact
            && o.qstart <= a.qstart
            && o.qend >= a.qend
            && db.rule_expression_index(o.rule) != expr
            && db.rule_kind(o.rule) != RuleKind::FalsePositive
            && within_blocks(&a.blocks, &o.blocks)
    })
}

/// Whether every query position of `inner` lies in one of `outer`'s blocks (both ascending).
fn within_blocks(inner: &Blocks, outer: &Blocks) -> bool {
    let mut j = 0;
    for &(start, _, len) in inner {
        let (mut pos, end) = (start, start + len);
        while pos < end {
            while outer.get(j).is_some_and(|o| o.0 + o.2 <= pos) {
                j += 1;
            }
            match outer.get(j) {
                Some(o) if o.0 <= pos => pos = o.0 + o.2,
                _ => return false,
            }
        }
    }
    true
}

/// Whether the words `a` matches outside `e`'s span do not read like license prose, by
/// the measure that picks approximate stretches: fewer than [`LEGAL_SHARE`] percent license
/// vocabulary (a sponsor's or an author's name, an agency, a grant number).
fn adds_no_license_words(db: &LicenseDb, q: &Query, a: &Hit, e: &Hit) -> bool {
    let (mut words, mut legal) = (0usize, 0usize);
    for p in a.blocks.iter().flat_map(|b| b.0..b.0 + b.2) {
        let t = q.toks[p as usize];
        if (p < e.qstart || p > e.qend) && t != UNKNOWN_TOKEN {
            words += 1;
            legal += usize::from(db.legal[t as usize]);
        }
    }
    legal * 100 < words * LEGAL_SHARE
}

/// How ScanCode writes a GNU license named without a version ("the GNU General Public
/// License"): the lowest version, or later.
pub(crate) const UNVERSIONED: &[&str] = &[
    "GPL-1.0-or-later",
    "LGPL-2.0-or-later",
    "AGPL-1.0-or-later",
    "GFDL-1.1-or-later",
];
/// ScanCode's generic keys for boilerplate that license texts and notices carry (a warranty
/// disclaimer, the FSF's address, a trademark clause): evidence when they stand alone,
/// part of the license when they stand beside one.
const BOILERPLATE: &[&str] = &[
    "LicenseRef-scancode-warranty-disclaimer",
    "LicenseRef-scancode-other-copyleft",
    "LicenseRef-scancode-other-permissive",
    "LicenseRef-scancode-generic-trademark",
    "LicenseRef-scancode-patent-disclaimer",
    "LicenseRef-scancode-generic-export-compliance",
    "LicenseRef-scancode-public-domain-disclaimer",
];
/// Matched words that make a boilerplate text a paragraph of its own.
const OWN_TEXT: u32 = 40;

/// How close (in tokens) an unversioned mention must be to a versioned one to be its echo.
const ECHO_DISTANCE: u32 = 40;

/// Whether two token spans are within [`ECHO_DISTANCE`] of each other.
pub(crate) fn within_echo(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0.saturating_sub(b.1) <= ECHO_DISTANCE && b.0.saturating_sub(a.1) <= ECHO_DISTANCE
}

/// "You should have received a copy of the GNU General Public License" right after "either
/// version 2 of the License, or (at your option) any later version" is the same license
/// said again, not GPL-1.0-or-later besides; a warranty disclaimer or the FSF's address
/// beside a license notice is part of that notice.
fn absorb_unversioned(db: &LicenseDb, hits: &mut Vec<Hit>) {
    let versioned = |h: &Hit| -> Vec<&str> {
        ids(db.rule_expression(h.rule))
            .into_iter()
            .filter(|i| !UNVERSIONED.contains(i))
            .collect()
    };
    let near = |a: &Hit, h: &Hit| within_echo((a.qstart, a.qend), (h.qstart, h.qend));
    // What a boilerplate hit `h` is part of: a license text or notice; a reference or a
    // tag where the boilerplate speaks of the license ("Software distributed under the
    // License is distributed on an AS IS basis" below "subject to the Common Public License
    // Version 1.0", "See the GNU General Public License for more details"), or is the FSF's
    // address that every GNU notice gives. A disclaimer on its own words ("THE SOFTWARE IS
    // PROVIDED AS IS") beside an SPDX tag or a sentence naming a license is evidence of
    // its own, as ScanCode reports it. (A rule's first word does not count: that is the
    // "License:" label of a field, not the license spoken of.)
    let (license, licence) = (db.token("license"), db.token("licence"));
    let speaks_of_license = |h: &Hit| {
        db.rule_expression(h.rule) == "LicenseRef-scancode-other-copyleft"
            || db
                .rule_tokens(h.rule)
                .iter()
                .skip(1)
                .any(|&t| t != UNKNOWN_TOKEN && (t == license || t == licence))
    };
    let specific = |a: &Hit, h: &Hit| {
        let e = ids(db.rule_expression(a.rule));
        !e.is_empty()
            && e.iter().all(|i| !BOILERPLATE.contains(i))
            && match db.rule_kind(a.rule) {
                RuleKind::Text | RuleKind::Notice => true,
                RuleKind::Reference | RuleKind::Tag => speaks_of_license(h),
                _ => false,
            }
    };
    let mut drop = vec![false; hits.len()];
    for (i, h) in hits.iter().enumerate() {
        let mine = ids(db.rule_expression(h.rule));
        if mine.is_empty() {
            continue;
        }
        if mine.iter().all(|i| BOILERPLATE.contains(i)) {
            // A paragraph of its own outside the license beside it, that does not speak
            // of a license (mingw-runtime's dedication with its disclaimer, after a BSD
            // notice in git's Debian copyright file), is evidence of its own; Apache's
            // "distributed under the License is distributed on an AS IS BASIS" below a
            // notice that matched without it is still that notice's.
            let own_text = db.rule_kind(h.rule) == RuleKind::Text && h.matched >= OWN_TEXT;
            drop[i] = hits.iter().enumerate().any(|(j, a)| {
                j != i
                    && near(a, h)
                    && specific(a, h)
                    && !(own_text
                        && (a.qend < h.qstart || h.qend < a.qstart)
                        && !speaks_of_license(h))
            });
            continue;
        }
        if is_title_of(db, hits, h) {
            drop[i] = true;
            continue;
        }
        if !mine.iter().all(|i| UNVERSIONED.contains(i)) || names_version(db, h.rule) {
            continue;
        }
        drop[i] = hits.iter().enumerate().any(|(j, a)| {
            j != i
                && near(a, h)
                && mine
                    .iter()
                    .all(|m| versioned(a).iter().any(|v| family(v) == family(m)))
        });
    }
    let mut k = 0;
    hits.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

/// Words a bare license name has at most ("The BSD License", "the Artistic License").
const TITLE_WORDS: usize = 4;
/// Tokens a title may stand before its text.
const TITLE_GAP: u32 = 3;

/// Whether `h` is a bare license name standing right above a license text of the same
/// family: the text's title, not a license besides. ScanCode reads "The BSD License" as
/// BSD-3-Clause; above a two-clause text (npm's npm-install-checks and npm-user-validate)
/// it is that text's heading, and reporting BSD-3-Clause beside it is a license the file
/// does not grant.
fn is_title_of(db: &LicenseDb, hits: &[Hit], h: &Hit) -> bool {
    if db.rule_kind(h.rule) != RuleKind::Reference || db.rule_len(h.rule) as usize > TITLE_WORDS {
        return false;
    }
    let [name] = ids(db.rule_expression(h.rule))[..] else {
        return false;
    };
    hits.iter().any(|a| {
        db.rule_kind(a.rule) == RuleKind::Text
            && a.qstart > h.qend
            && a.qstart - h.qend - 1 <= TITLE_GAP
            && matches!(ids(db.rule_expression(a.rule))[..], [t] if t != name && family(t) == family(name))
    })
}

/// Whether rule `r`'s own words give a version ("Version 1.1 or any later version"): its
/// expression is one of [`UNVERSIONED`], but the text said which version and is no echo
/// of another. (A GFDL notice for "Version 1.1 or any later version" was dropped beside
/// the version-less "with the Invariant Sections being ..." that ScanCode files under
/// GFDL-1.3.)
pub(crate) fn names_version(db: &LicenseDb, r: u32) -> bool {
    let version = db.token("version");
    let toks = db.rule_tokens(r);
    toks.windows(2).any(|w| {
        w[0] == version
            && w[1] != UNKNOWN_TOKEN
            && db.token_text(w[1]).bytes().all(|b| b.is_ascii_digit())
    })
}

/// Whether a hit names no license ("see the LICENSE file", an unknown reference).
pub fn is_unknown(db: &LicenseDb, h: &Hit) -> bool {
    db.rule_flags(h.rule) & F_UNKNOWN != 0
}

#[cfg(test)]
mod tests {

    #[test]
    fn query_positions_within_other_blocks() {
        let outer = vec![(0, 0, 5), (5, 9, 3), (20, 30, 4)];
        assert!(within_blocks(&vec![(1, 0, 6), (21, 2, 2)], &outer));
        // Position 8 to 19 is in no block of `outer`.
        assert!(!within_blocks(&vec![(6, 0, 3)], &outer));
        assert!(!within_blocks(&vec![(23, 0, 2)], &outer));
        assert!(within_blocks(&vec![], &outer));
    }

    use super::*;

    #[test]
    fn chain_rises_on_both_sides_and_respects_gaps() {
        // (query, rule, len): the second block goes back in the rule and cannot follow.
        let blocks = vec![(0, 0, 10), (12, 5, 3), (15, 12, 10), (300, 22, 50)];
        let c = best_chain(&blocks, &[true; 4], 20).unwrap();
        assert_eq!(c, vec![(300, 22, 50)]);
        let c = best_chain(&blocks, &[true, true, true, false], 20).unwrap();
        assert_eq!(c, vec![(0, 0, 10), (15, 12, 10)]);
    }

    #[test]
    fn families_and_containment() {
        assert_eq!(family("GPL-2.0-or-later"), "GPL");
        assert_eq!(family("LicenseRef-scancode-public-domain"), "public");
        assert!(licensing_contains("GPL-2.0-or-later", "GPL-1.0-or-later"));
        assert!(!licensing_contains("MIT", "BSD-3-Clause"));
    }
}
