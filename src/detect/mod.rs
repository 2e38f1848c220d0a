//! License evidence in one file: dispatch by file class, cheapest checks first.
//!
//! - every text file: SPDX tags (a memchr pre-check, then the tag parser);
//! - source files: only the comment block at the top, and only when it holds a license
//!   keyword, goes to the notice rules and the (common-store) matcher;
//! - license files: a full multi-license match, notice rules, references, copyrights;
//! - READMEs: license references, and a full match where a license text is embedded.
//!
//! Identical contents are matched once per scan ([`Cache`]).

pub mod bigram;
pub mod copyright;
pub mod reference;
pub mod tags;
pub mod text;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::model::{FileClass, LicenseMatch, MatchKind, Unrecognized};

/// How far into a source file a license header is looked for.
pub const HEADER_LINES: usize = 150;

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

/// Results of the expensive matches, by content, shared by all walker threads.
#[derive(Default)]
pub struct Cache {
    map: Mutex<HashMap<[u8; 32], Arc<Findings>>>,
    /// Whole findings (copyrights included) of license files and READMEs by the SHA-256 of
    /// their bytes: a vendored tree holds the same LICENSE-APACHE hundreds of times.
    exact: Mutex<HashMap<[u8; 32], Arc<Findings>>>,
}

impl Cache {
    /// `key` is the text as the matcher sees it ([`match_key`]), so copies of one license
    /// that differ in case, punctuation, spacing or copyright lines are matched once.
    fn get_or_compute(&self, tag: u8, key: &str, f: impl FnOnce() -> Findings) -> Arc<Findings> {
        let mut h = Sha256::new();
        h.update([tag]);
        h.update(key.as_bytes());
        let key: [u8; 32] = h.finalize().into();
        if let Some(hit) = self.map.lock().unwrap().get(&key) {
            return hit.clone();
        }
        let found = Arc::new(f());
        self.map.lock().unwrap().insert(key, found.clone());
        found
    }
}

/// Every piece of license evidence in one file. `class` is the name class (None: plain
/// text). `sha256` of the file's bytes, when known, lets identical files share the work.
pub fn detect(
    class: Option<FileClass>,
    text: &str,
    cache: &Cache,
    sha256: Option<&[u8; 32]>,
) -> Findings {
    let whole_file = matches!(class, Some(FileClass::License | FileClass::Readme));
    if let (true, Some(key)) = (whole_file, sha256) {
        if let Some(hit) = cache.exact.lock().unwrap().get(key) {
            return (**hit).clone();
        }
        let found = detect_text(class, text, cache);
        cache
            .exact
            .lock()
            .unwrap()
            .insert(*key, Arc::new(found.clone()));
        return found;
    }
    detect_text(class, text, cache)
}

fn detect_text(class: Option<FileClass>, text: &str, cache: &Cache) -> Findings {
    let mut out = match class {
        Some(FileClass::License) => {
            let mut found =
                (*cache.get_or_compute(b'L', &match_key(text), || license_file(text))).clone();
            found.copyrights = copyrights(text, None);
            found
        }
        Some(FileClass::Readme) => {
            let mut found =
                (*cache.get_or_compute(b'R', &match_key(text), || readme(text))).clone();
            if !found.licenses.is_empty() {
                found.copyrights = copyrights(text, None);
            }
            found
        }
        Some(FileClass::Manifest) | Some(FileClass::Binary) => Findings::default(),
        Some(FileClass::Text) | None => source_header(text, cache),
    };
    if memchr::memmem::find(text.as_bytes(), b"SPDX-").is_some() {
        let t = tags::find_tags(text);
        out.licenses.extend(t.licenses);
        for (_, c) in t.copyrights {
            if !out.copyrights.contains(&c) {
                out.copyrights.push(c);
            }
        }
    }
    // Text that holds a recognised license (or a tag) is not "unrecognized".
    let lic = &out.licenses;
    out.unrecognized.retain(|u| {
        !lic.iter()
            .any(|m| m.start_line <= u.end_line && u.start_line <= m.end_line)
    });
    out
}

fn copyrights(text: &str, max_lines: Option<usize>) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for c in copyright::find_copyrights(text, max_lines) {
        if !v.contains(&c.statement) {
            v.push(c.statement);
        }
    }
    v
}

/// Drop rule matches that lie inside a full-text match: the GPL's own "How to Apply"
/// appendix is a template, not a notice.
fn outside_texts(found: Vec<LicenseMatch>, texts: &[LicenseMatch]) -> Vec<LicenseMatch> {
    found
        .into_iter()
        .filter(|m| {
            !texts.iter().any(|t| {
                t.kind == MatchKind::Text
                    && m.start_line >= t.start_line
                    && m.end_line <= t.end_line
            })
        })
        .collect()
}

/// Replace a Dice match of a GNU license (which cannot tell -only from -or-later) by the
/// notice rule's answer where both cover the same lines.
fn prefer_gnu_rules(dice: Vec<LicenseMatch>, gnu: &[LicenseMatch]) -> Vec<LicenseMatch> {
    dice.into_iter()
        .filter(|d| {
            !(d.kind == MatchKind::Notice
                && gnu
                    .iter()
                    .any(|g| g.start_line <= d.end_line && d.start_line <= g.end_line)
                && is_gnu(&d.expression))
        })
        .collect()
}

fn is_gnu(expr: &str) -> bool {
    let base = expr.split_whitespace().next().unwrap_or("");
    spdx::license_id(base).is_some_and(|l| l.is_gnu())
}

fn license_file(text: &str) -> Findings {
    let found = text::identify(text, text::Mode::LicenseFile);
    let mut licenses = found.matches;
    let gnu = outside_texts(reference::gnu_notices(text), &licenses);
    licenses = prefer_gnu_rules(licenses, &gnu);
    licenses.extend(gnu);
    let refs = outside_texts(reference::find_references(text), &licenses);
    let refs: Vec<_> = refs
        .into_iter()
        .filter(|r| {
            !licenses
                .iter()
                .any(|m| m.start_line <= r.end_line && r.start_line <= m.end_line)
        })
        .collect();
    licenses.extend(refs);
    if licenses.is_empty() {
        licenses.extend(bare_expression(text));
    }
    Findings {
        licenses,
        copyrights: Vec::new(),
        unrecognized: found.unrecognized,
    }
}

/// A license file that holds nothing but an SPDX expression (`MIT OR Apache-2.0`).
fn bare_expression(text: &str) -> Option<LicenseMatch> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let [(i, line)] = lines[..] else { return None };
    // `../LICENSE-MIT` (a symlink flattened when the package was made) points at a file
    // that is not there: it is no statement of a license.
    if line.len() > 120
        || line.contains('/')
        || line.contains('\\')
        || line.trim_start().starts_with('.')
    {
        return None;
    }
    let n = crate::expression::normalize(line.trim());
    // Only when every part is a known id: a file saying "see LICENSE.txt" is not a license.
    if !n.license_refs.is_empty()
        || n.expression == "NOASSERTION"
        || n.expression.contains("LicenseRef-")
    {
        return None;
    }
    Some(LicenseMatch {
        expression: n.expression,
        kind: MatchKind::Reference,
        score: 1.0,
        start_line: i as u32 + 1,
        end_line: i as u32 + 1,
        rule: Some("license-file-expression".into()),
        matched_text: Some(line.trim().to_string()),
    })
}

/// Phrases that only a full license text carries; a README with one embeds a license.
const FULL_TEXT_MARKERS: &[&str] = &[
    "permission is hereby granted",
    "redistribution and use in source and binary forms",
    "licensed under the apache license",
    "terms and conditions for use, reproduction",
    "permission to use, copy, modify",
    "this is free and unencumbered software",
];

/// Lines of context kept around each mention of a license in a README.
const README_CONTEXT: (usize, usize) = (3, 12);

fn readme(text: &str) -> Findings {
    let lower = text.to_ascii_lowercase();
    let mut licenses = Vec::new();
    let mut unrecognized = Vec::new();
    if FULL_TEXT_MARKERS.iter().any(|m| lower.contains(m)) {
        let found = text::identify(text, text::Mode::LicenseFile);
        licenses = found.matches;
        unrecognized = found.unrecognized;
    }
    // References sit near the word "license": only those parts of a long README are read
    // (other lines blanked, so line numbers stay right).
    let lower_lines: Vec<&str> = lower.split('\n').collect();
    let mut keep = vec![false; lower_lines.len()];
    for (i, l) in lower_lines.iter().enumerate() {
        if l.contains("licen") {
            let from = i.saturating_sub(README_CONTEXT.0);
            let to = (i + README_CONTEXT.1).min(keep.len());
            keep[from..to].iter_mut().for_each(|k| *k = true);
        }
    }
    if keep.iter().any(|k| *k) {
        let near: String = text
            .split('\n')
            .zip(&keep)
            .map(|(l, k)| if *k { l } else { "" })
            .collect::<Vec<_>>()
            .join("\n");
        licenses.extend(outside_texts(reference::find_references(&near), &licenses));
    }
    Findings {
        licenses,
        copyrights: Vec::new(),
        unrecognized,
    }
}

const HEADER_KEYWORDS: &[&str] = &[
    "licen",
    "copyright",
    "permission is hereby",
    "redistribution and use",
    "public domain",
    "free software",
];

fn source_header(text: &str, cache: &Cache) -> Findings {
    let block = comment_block(text, HEADER_LINES);
    if block.trim().is_empty() {
        return Findings::default();
    }
    let lower = block.to_ascii_lowercase();
    if !HEADER_KEYWORDS.iter().any(|k| lower.contains(k)) {
        return Findings::default();
    }
    let copyrights = copyrights(&block, None);
    if !HEADER_KEYWORDS[..1]
        .iter()
        .chain(&HEADER_KEYWORDS[2..])
        .any(|k| lower.contains(k))
    {
        // Only a copyright line: no matcher needed.
        return Findings {
            copyrights,
            ..Default::default()
        };
    }
    // The same header recurs in every file of a project with other years and authors:
    // match it without its copyright lines, so the cache sees one header.
    let mut found =
        (*cache.get_or_compute(b'H', &match_key(&block), || header_block(&block))).clone();
    found.copyrights = copyrights;
    found
}

/// The text as the matcher sees it, line for line (so cached line numbers stay right):
/// lower-case words only, and lines that hold a copyright statement blanked.
fn match_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for line in text.split('\n') {
        let lower = line.to_lowercase();
        if !bigram::is_copyright_line(&lower) {
            for w in lower
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                key.push_str(w);
                key.push(' ');
            }
        }
        key.push('\n');
    }
    key
}

/// Distinct words of license grants. Text with fewer than two of them only mentions a
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

fn header_block(block: &str) -> Findings {
    let lower = block.to_ascii_lowercase();
    let grant_words = license_words(&lower);
    // A block with fewer than two license words only mentions a license ("see LICENSE"):
    // the rules may still name it, but a text match is pointless.
    let found = if grant_words >= 2 {
        text::identify(block, text::Mode::Header)
    } else {
        Default::default()
    };
    let gnu = reference::gnu_notices(block);
    let mut licenses = prefer_gnu_rules(found.matches, &gnu);
    licenses.extend(gnu);
    // A reference ("Licensed under the Apache License, Version 2.0") inside a notice match
    // adds nothing: the rules read only the lines no match covers.
    let refs = reference::find_references(&blank_lines(block, &licenses));
    licenses.extend(refs);
    let unrecognized = if licenses.is_empty() {
        found.unrecognized
    } else {
        Vec::new()
    };
    Findings {
        licenses,
        copyrights: Vec::new(),
        unrecognized,
    }
}

/// `text` with the lines of `matches` blanked (line numbers kept).
fn blank_lines(text: &str, matches: &[LicenseMatch]) -> String {
    if matches.is_empty() {
        return text.to_string();
    }
    text.split('\n')
        .enumerate()
        .map(|(i, l)| {
            let n = i as u32 + 1;
            if matches.iter().any(|m| m.start_line <= n && n <= m.end_line) {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The comments at the top of a source file, markers stripped, one output line per input
/// line (code lines become empty) so line numbers stay those of the file. Stops at the
/// first code line after a comment has been seen, or after `max_lines`.
pub fn comment_block(text: &str, max_lines: usize) -> String {
    let mut out = String::new();
    let mut closer: Option<&'static str> = None;
    let mut seen_comment = false;
    let mut kept = 0usize;
    for (i, raw) in text.lines().enumerate() {
        if i >= max_lines {
            break;
        }
        let line = raw.trim();
        if let Some(end) = closer {
            seen_comment = true;
            let (body, done) = match line.find(end) {
                Some(p) => (&line[..p], true),
                None => (line, false),
            };
            push_line(&mut out, strip_inner(body));
            kept = i + 1;
            if done {
                closer = None;
            }
            continue;
        }
        if line.is_empty() || (i == 0 && (line.starts_with("#!") || line.starts_with("<?"))) {
            out.push('\n');
            continue;
        }
        if let Some((open, close)) = BLOCK_OPENERS.iter().find(|(o, _)| line.starts_with(o)) {
            seen_comment = true;
            let rest = &line[open.len()..];
            match rest.find(close) {
                Some(p) => push_line(&mut out, strip_inner(&rest[..p])),
                None => {
                    push_line(&mut out, strip_inner(rest));
                    closer = Some(close);
                }
            }
            kept = i + 1;
            continue;
        }
        if let Some(prefix) = LINE_PREFIXES
            .iter()
            .find(|p| line.starts_with(*p) && !is_directive(line))
        {
            seen_comment = true;
            push_line(
                &mut out,
                line[prefix.len()..]
                    .trim_start_matches(['/', '!', '#', '-', ';', '%'])
                    .trim(),
            );
            kept = i + 1;
            continue;
        }
        if seen_comment {
            break;
        }
        // Code before any comment (a `package` line, `"use strict"`): keep looking a little.
        out.push('\n');
        if i > 20 {
            break;
        }
    }
    // Drop the blank tail so the block ends at its last comment line.
    let lines: Vec<&str> = out.split('\n').take(kept).collect();
    lines.join("\n")
}

const BLOCK_OPENERS: &[(&str, &str)] = &[
    ("/*", "*/"),
    ("<!--", "-->"),
    ("\"\"\"", "\"\"\""),
    ("'''", "'''"),
    ("{-", "-}"),
    ("(*", "*)"),
    ("=begin", "=end"),
];
const LINE_PREFIXES: &[&str] = &[
    "//", "#", "--", ";", "%", "REM ", "rem ", "dnl ", "@rem", "::", "!",
];

/// `#include`, `#define`, `#[derive]`: code, not a `#` comment.
fn is_directive(line: &str) -> bool {
    line.strip_prefix('#')
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '[')
}

fn strip_inner(s: &str) -> &str {
    let s = s.trim();
    let s = s.strip_prefix('*').unwrap_or(s);
    let s = s.strip_prefix('!').unwrap_or(s);
    s.trim()
}

fn push_line(out: &mut String, s: &str) {
    out.push_str(s);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_block_keeps_line_numbers() {
        let src = "#!/bin/sh\n# Copyright 2020 A\n#\n# Licensed under MIT\n\necho hi\n# later\n";
        let b = comment_block(src, 100);
        let lines: Vec<&str> = b.split('\n').collect();
        assert_eq!(lines[1], "Copyright 2020 A");
        assert_eq!(lines[3], "Licensed under MIT");
        assert!(!b.contains("later"));
    }

    #[test]
    fn comment_block_c_style() {
        let src = "/*\n * Copyright (c) 2019 X\n *\n * SPDX-License-Identifier: MIT\n */\n#include <a.h>\n";
        let b = comment_block(src, 100);
        assert!(b.contains("Copyright (c) 2019 X"));
        assert_eq!(b.split('\n').nth(3), Some("SPDX-License-Identifier: MIT"));
        assert!(!b.contains("include"));
    }

    #[test]
    fn a_license_file_that_is_an_expression() {
        let m = bare_expression("MIT OR Apache-2.0").unwrap();
        assert_eq!(m.expression, "MIT OR Apache-2.0");
        assert_eq!(m.rule.as_deref(), Some("license-file-expression"));
        assert!(bare_expression("see LICENSE.txt").is_none());
        assert!(bare_expression("Copyright 2020 Foo").is_none());
        assert!(bare_expression("MIT\nApache-2.0\n").is_none());
        assert!(bare_expression("../LICENSE-MIT").is_none());
    }
}
