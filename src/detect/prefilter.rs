//! The cheap pass over every byte of every text file: where could license evidence be?
//!
//! A Teddy searcher (the SIMD multi-literal search of the `aho-corasick` crate, ripgrep's)
//! looks for a few distinctive pieces of license words in the raw bytes (UTF-8 and
//! Latin-1 alike): `icen` (license, licence, unlicense), `yrig` (copyright), `pdx-` (SPDX
//! tags), `(c)`, `©`, `gpl`, `arrant` (warranty), `ic domain`, each in lower, upper and
//! capitalised case. Inner pieces of the words, not their starts, because Teddy is fast
//! when its candidates are rare: "co" or "li" begin half the identifiers of a program. For
//! the same reason every piece is three bytes or more (Teddy fingerprints as many bytes as
//! its shortest pattern has); the two-byte `©` is found by a `memmem` search beside it.
//! At about 2 GB/s a core this costs less than reading the file. A file without a hit costs
//! nothing more; around each hit a region (a few lines back, a paragraph or two forward,
//! bounded in bytes so a minified one-line bundle gives small regions) is handed to the
//! matcher, and close regions are merged.
//!
//! Nearly every rule of the store holds one of these words (the build counts how many): what
//! a rule says without any (a bare license name) is found when it stands near one
//! ("License: MIT", "@license MIT").

use aho_corasick::packed;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use once_cell::sync::Lazy;

/// The pieces searched for, exactly as written.
const PIECES: &[&str] = &[
    "icen",
    "ICEN",
    "yrig",
    "YRIG",
    "pdx-",
    "PDX-",
    "(c)",
    "(C)",
    "gpl",
    "GPL",
    "arrant",
    "ARRANT",
    "ic domain",
    "ic Domain",
    "IC DOMAIN",
];
/// Index of "(c)" and "(C)" in [`PIECES`]: they count only before a year or a name
/// (`f(c)` is code).
const PAREN_C: [usize; 2] = [6, 7];
/// The copyright sign, searched for apart: at two bytes it would cut every piece's
/// fingerprint in the Teddy searcher to two bytes, and two-byte prefixes such as "ar" and
/// "ic" stand everywhere in code: every one a candidate to verify (five times the
/// candidates of three-byte ones on a vendored tree). Reported as pattern `PIECES.len()`.
const SIGN: &str = "\u{a9}";
static SIGN_FINDER: Lazy<memchr::memmem::Finder<'static>> =
    Lazy::new(|| memchr::memmem::Finder::new(SIGN.as_bytes()));

enum Searcher {
    Teddy(packed::Searcher),
    /// Where the CPU has no SIMD the packed searcher is not available.
    Automaton(AhoCorasick),
}

static SEARCHER: Lazy<Searcher> = Lazy::new(|| {
    match packed::Config::new()
        .match_kind(packed::MatchKind::LeftmostFirst)
        .builder()
        .extend(PIECES)
        .build()
    {
        Some(t) => Searcher::Teddy(t),
        None => Searcher::Automaton(
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(PIECES.iter().chain([&SIGN]))
                .expect("keyword automaton"),
        ),
    }
});

/// Calls `f(pattern, start, end)` for every occurrence, left to right.
fn each(bytes: &[u8], mut f: impl FnMut(usize, usize, usize) -> bool) {
    match &*SEARCHER {
        Searcher::Teddy(t) => {
            // The two searches, merged in order of position.
            let mut signs = SIGN_FINDER.find_iter(bytes).peekable();
            let mut at = 0;
            while at < bytes.len() {
                let Some(m) = t.find_in(bytes, aho_corasick::Span::from(at..bytes.len())) else {
                    break;
                };
                while let Some(s) = signs.next_if(|s| *s < m.start()) {
                    if !f(PIECES.len(), s, s + SIGN.len()) {
                        return;
                    }
                }
                if !f(m.pattern().as_usize(), m.start(), m.end()) {
                    return;
                }
                at = m.end();
            }
            for s in signs.filter(|s| *s >= at) {
                if !f(PIECES.len(), s, s + SIGN.len()) {
                    return;
                }
            }
        }
        Searcher::Automaton(ac) => {
            for m in ac.find_iter(bytes) {
                if !f(m.pattern().as_usize(), m.start(), m.end()) {
                    return;
                }
            }
        }
    }
}

/// Prose files (plain text, markdown, HTML, man pages...) are where a license may be named
/// by no more than its name ("Creative Commons Zero v1.0 Universal", "BSD-Modified",
/// "free software developed by the Apache Software Foundation"): they are few and small
/// next to code, so they get a wider, case-insensitive keyword set.
const WIDE: &[&str] = &[
    "licen",
    "copyright",
    "copyleft",
    "spdx-",
    "(c)",
    "\u{a9}",
    "warrant",
    "public domain",
    "free software",
    "creative commons",
    "redistribut",
    "permission",
    "rights reserved",
    "proprietary",
    "terms of use",
    "terms and conditions",
    "trademark",
    "patent",
    "open source",
    "gpl",
    "bsd",
    "mit",
    "isc",
    "mpl",
    "apache",
    "mozilla",
    "eclipse",
    "artistic",
    "zlib",
    "boost",
    "wtfpl",
    "cc0",
    "cc-by",
    "x11",
    "postgresql",
    "python",
    "unicode",
];
/// Short words of [`WIDE`] that count only as whole words.
const WIDE_WORDS: &[&str] = &["bsd", "mit", "isc", "mpl", "x11", "cc0"];

static WIDE_AC: Lazy<AhoCorasick> = Lazy::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(WIDE)
        .expect("keyword automaton")
});

/// Whether `path` names a prose file (by its extension, or none).
pub fn is_prose(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = match name.rsplit_once('.') {
        Some((stem, e)) if !stem.is_empty() => e.to_ascii_lowercase(),
        _ => return true,
    };
    matches!(
        ext.as_str(),
        "txt"
            | "text"
            | "md"
            | "markdown"
            | "mdown"
            | "rst"
            | "adoc"
            | "asciidoc"
            | "org"
            | "html"
            | "htm"
            | "xhtml"
            | "rtf"
            | "tex"
            | "texi"
            | "texinfo"
            | "pod"
            | "man"
            | "1"
            | "2"
            | "3"
            | "5"
            | "7"
            | "8"
            | "nfo"
            | "doc"
            | "me"
            | "docbook"
            | "sgml"
            | "label"
            | "copyright"
            | "license"
            | "notice"
    )
}

fn wide_hits(bytes: &[u8], first_only: bool) -> Vec<usize> {
    let mut out = Vec::new();
    for m in WIDE_AC.find_iter(bytes) {
        let pat = WIDE[m.pattern().as_usize()];
        if pat == "(c)" && !paren_c_marks_copyright(&bytes[m.end()..]) {
            continue;
        }
        if WIDE_WORDS.contains(&pat) {
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            if before.is_some_and(|b| b.is_ascii_alphanumeric())
                || after.is_some_and(|b| b.is_ascii_alphanumeric())
            {
                continue;
            }
        }
        out.push(m.start());
        if first_only {
            break;
        }
    }
    out
}

/// Prose files up to this size are matched whole (see [`small_prose`]).
pub const SMALL_PROSE: usize = 1024;

/// Whether `bytes` are a prose file short enough to be matched whole without a keyword.
pub fn small_prose(bytes: &[u8], prose: bool) -> bool {
    prose && bytes.len() <= SMALL_PROSE && bytes.iter().any(|b| !b.is_ascii_whitespace())
}

/// Whether a file is worth decoding and matching at all: a keyword, or a short prose file.
pub fn worth_matching(bytes: &[u8], prose: bool) -> bool {
    small_prose(bytes, prose) || any_in(bytes, prose)
}

/// [`hits`], or the wider set for a prose file.
pub fn hits_in(bytes: &[u8], prose: bool) -> Vec<usize> {
    if prose {
        wide_hits(bytes, false)
    } else {
        hits(bytes)
    }
}

/// [`any`], or the wider set for a prose file.
pub fn any_in(bytes: &[u8], prose: bool) -> bool {
    if prose {
        !wide_hits(bytes, true).is_empty()
    } else {
        any(bytes)
    }
}

/// Byte offsets of the keyword hits in `bytes`, in order.
pub fn hits(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    each(bytes, |p, start, end| {
        if !PAREN_C.contains(&p) || paren_c_marks_copyright(&bytes[end..]) {
            out.push(start);
        }
        true
    });
    out
}

/// Whether any keyword occurs (the scan's test before it decodes a file at all).
pub fn any(bytes: &[u8]) -> bool {
    let mut found = false;
    each(bytes, |p, _, end| {
        found = !PAREN_C.contains(&p) || paren_c_marks_copyright(&bytes[end..]);
        !found
    });
    found
}

fn paren_c_marks_copyright(after: &[u8]) -> bool {
    let rest = after.iter().find(|b| **b != b' ' && **b != b'\t');
    rest.is_some_and(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || *b >= 0x80)
}

/// Whether a token (a lower-cased word, see `tokenize`) carries one of [`PIECES`]: the
/// word the pre-filter's hit stood in, when the store knows it ("(c)" leaves the token
/// "c", "public domain" the token "domain").
pub fn token_has_keyword(tok: &str) -> bool {
    ["icen", "yrig", "spdx", "gpl", "arrant"]
        .iter()
        .any(|k| tok.contains(k))
        || matches!(tok, "c" | "domain")
}

/// Whether `text` holds one of the keywords in any case: the build's measure of how many
/// rules the pre-filter can see.
pub fn covers(text: &str) -> bool {
    any(text.to_lowercase().as_bytes())
}

/// Lines of context before a hit and after it, and the byte bounds of each side.
const BACK_LINES: usize = 4;
const BACK_BYTES: usize = 1500;
/// In code a license notice names a keyword every few lines ("License", "WARRANTY",
/// "copyright notice"), and each hit reaches this far again; what follows the last is
/// code (measured: 25 lines made a fifth more tokens to match, for nothing).
const FWD_LINES: usize = 12;
/// Prose may run longer between keywords (a terms-of-service page): twice as far.
const FWD_LINES_PROSE: usize = 25;
const FWD_BYTES: usize = 5000;
/// Regions closer than this are one region.
const MERGE_GAP: usize = 1200;
/// When regions cover this share of a file, the file is one region.
const WHOLE_FILE_SHARE: f32 = 0.5;

/// Byte ranges of `text` to match, from the keyword hits, merged and ordered; each starts
/// and ends on a character boundary. `prose`: the file is prose ([`is_prose`]).
pub fn regions(text: &str, hits: &[usize], prose: bool) -> Vec<(usize, usize)> {
    let fwd_lines = if prose { FWD_LINES_PROSE } else { FWD_LINES };
    let b = text.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &h in hits {
        let lo = h.saturating_sub(BACK_BYTES);
        let mut start = h;
        for _ in 0..=BACK_LINES {
            match memchr::memrchr(b'\n', &b[lo..start]) {
                Some(i) => start = lo + i,
                None => {
                    start = lo;
                    break;
                }
            }
        }
        if start > 0 && b.get(start) == Some(&b'\n') {
            start += 1;
        }
        let hi = (h + FWD_BYTES).min(b.len());
        let mut end = h;
        for _ in 0..=fwd_lines {
            match memchr::memchr(b'\n', &b[end..hi]) {
                Some(i) => end += i + 1,
                None => {
                    end = hi;
                    break;
                }
            }
        }
        let (start, end) = (floor_char(text, start), ceil_char(text, end));
        match out.last_mut() {
            Some(last) if start <= last.1 + MERGE_GAP => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    let covered: usize = out.iter().map(|r| r.1 - r.0).sum();
    if !out.is_empty() && covered as f32 >= WHOLE_FILE_SHARE * text.len() as f32 {
        return vec![(0, text.len())];
    }
    out
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_false_copyright_marks() {
        assert_eq!(hits(b"fn f(c) -> u8 { g(c) }"), Vec::<usize>::new());
        assert_eq!(hits(b"(c) 2020 Foo").len(), 1);
        assert_eq!(hits(b"(C) Foo Inc").len(), 1);
        assert_eq!(hits("\u{a9} Foo".as_bytes()).len(), 1);
        assert_eq!(hits(b"LICENSED under").len(), 1);
        assert_eq!(hits(b"Copyright 2020, All Rights").len(), 1);
        assert_eq!(hits(b"// SPDX-License-Identifier: MIT").len(), 2);
        assert_eq!(hits(b"released into the Public Domain").len(), 1);
        assert!(!any(b"let x = y + z;"));
        assert!(covers("WARRANTY"));
        assert!(any_in(b"Creative Commons Zero v1.0 Universal", true));
        assert!(any_in(b"a BSD-Modified b", true));
        assert!(!any_in(b"submit the limit", true));
        assert!(any_in(b"libexif is LGPLv2.1", true));
        assert!(is_prose("docs/terms.txt") && is_prose("COPYING") && !is_prose("src/a.rs"));
    }

    /// After its last keyword a region reaches 12 lines into code and 25 into prose, where
    /// a terms-of-use page runs longer between keywords.
    #[test]
    fn prose_regions_reach_further_than_code_regions() {
        let mut text = String::from("Licensed to you on these terms.\n");
        for i in 0..100 {
            text.push_str(&format!("clause {i} of the agreement\n"));
        }
        let lines = |prose| {
            let r = regions(&text, &hits(text.as_bytes()), prose);
            text[r[0].0..r[0].1].lines().count()
        };
        assert_eq!(lines(false), FWD_LINES + 1);
        assert_eq!(lines(true), FWD_LINES_PROSE + 1);
    }

    #[test]
    fn regions_are_bounded_and_merged() {
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(&format!("let line{i} = {i};\n"));
        }
        let at = text.len();
        text.push_str("// Licensed under the MIT license\n");
        for i in 0..400 {
            text.push_str(&format!("let more{i} = {i};\n"));
        }
        let r = regions(&text, &hits(text.as_bytes()), false);
        assert_eq!(r.len(), 1);
        assert!(r[0].0 < at && r[0].1 > at + 30);
        assert!(r[0].1 - r[0].0 < 1500, "{r:?}");
        // One huge line: the region is bounded in bytes.
        let line = format!(
            "{}/*! @license MIT */{}",
            "x".repeat(100_000),
            "y".repeat(100_000)
        );
        let r = regions(&line, &hits(line.as_bytes()), false);
        assert_eq!(r.len(), 1);
        assert!(r[0].1 - r[0].0 <= BACK_BYTES + FWD_BYTES + 4, "{r:?}");
    }
}
