//! Copyright statements ("Copyright (c) 2014 The Rust Project Developers") with holder and
//! years, rejecting the license-text boilerplate and templates that merely say "copyright".

use memchr::memmem;
use once_cell::sync::Lazy;
use regex::Regex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copyright {
    pub line: u32,
    pub statement: String,
    pub holder: Option<String>,
    pub years: Option<String>,
}

static PRECHECK: Lazy<Vec<memmem::Finder<'static>>> = Lazy::new(|| {
    [
        &b"opyright"[..],
        b"OPYRIGHT",
        b"(c)",
        b"(C)",
        "\u{a9}".as_bytes(),
        b"&copy;",
        b"opyleft",
    ]
    .iter()
    .map(|n| memmem::Finder::new(*n))
    .collect()
});

/// Where a statement starts: the word, the symbol, or the REUSE tag.
static MARKER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?:spdx-filecopyrighttext\s*:|\bcopyright\b|\(c\)|\u{a9}|&copy;)").unwrap()
});
/// Markers repeated at the start of the rest: "Copyright (c)", "Copyright ©", "Copyright:".
static LEADING_MARKERS: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)^(?:\s*(?:copyright\b|\(c\)|\u{a9}|&copy;|:))+\s*").unwrap());
static YEARS: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"^(?:19|20)\d\d(?:\s*(?:[-\u{2013},/]|and)\s*(?:(?:19|20)\d\d|\d\d|present|now))*,?",
    )
    .unwrap()
});
static ANY_YEAR: Lazy<Regex> = Lazy::new(|| Regex::new(r"\b(?:19|20)\d\d\b").unwrap());
/// Words that follow "copyright" in license texts and prose, never a holder.
static PROSE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?ix)^(?:notices?|holders?|owners?|and\b|or\b|law|laws|act\b|acts\b|licen[cs]e|statements?|protection|
        of\b|in\b|is\b|are\b|to\b|for\b|on\b|as\b|by\s+the\b|this\b|that\b|these\b|those\b|claims?\b|info\b|information|
        headers?\b|year|date|text\b|string|policy|assignment|agreement|transfer|symbol|sign\b|line\b|field|
        message|character|infringement|violation|status|will\b|may\b|must\b|shall\b|should\b|can\b|
        has\b|have\b|was\b|were\b|be\b|not\b|no\b|if\b|with\b|from\b|at\b|it\b|its\b|their\b|other\b|such\b|
        interest|ownership|permission|terms|file|files|check|section|page|tag|remains|retained|
        the\s+(?:above|following|copyright|software|name|original|same|terms|license|holder|owner|notice|
        work|program|file|user|code|authors?\s+(?:and|or)|documentation|library|source)\b)",
    )
    .unwrap()
});
/// Template placeholders: `<year>`, `[yyyy]`, `[name of copyright owner]`, `{{ author }}`...
static PLACEHOLDER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)[<\[{](?:[^<>\[\]{}]*\b(?:year|yyyy|name|owner|holders?|author|fullname|organization|company|date)\b[^<>\[\]{}]*)[>\]}]|\{\{|\$\{|%s|\bYYYY\b|\bXXXX\b",
    )
    .unwrap()
});
static EMAIL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\s*<(?:[^<>\s]+@[^<>\s]+|https?://[^<>\s]+)>|\s*\([^()\s]+@[^()\s]+\)").unwrap()
});
/// Where the statement stops and the next sentence ("See the COPYRIGHT file") begins.
static SENTENCE_AFTER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\.\s+(?:See|Use|Licensed|This|Distributed|Released|Permission|Redistribution|Please|For)\b").unwrap()
});
static RIGHTS: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)[\s,.;]*all\s+rights\s+reserved\.?\s*$").unwrap());

pub fn find_copyrights(text: &str, max_lines: Option<usize>) -> Vec<Copyright> {
    let bytes = text.as_bytes();
    if !PRECHECK.iter().any(|f| f.find(bytes).is_some()) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().take(max_lines.unwrap_or(usize::MAX)).collect();
    let mut out: Vec<Copyright> = Vec::new();
    for (idx, raw) in lines.iter().enumerate() {
        let line = strip_comment(raw);
        let Some(m) = MARKER.find(line) else { continue };
        let marker = m.as_str().to_ascii_lowercase();
        // "(c)" alone is a list item or an enumeration far more often than a statement:
        // trust it only at the start of the line.
        if (marker == "(c)") && m.start() != 0 {
            continue;
        }
        // `self.copyright = ...`, `get_copyright()`: code, not a statement.
        if line[..m.start()].ends_with(['.', '_', '$', '"', '\'']) {
            continue;
        }
        let mut line = line;
        // Cut at a sentence that follows the statement (never before the marker).
        if let Some(cut) = SENTENCE_AFTER.find(&line[m.end()..]) {
            line = &line[..m.end() + cut.start() + 1];
        }
        let mut statement = line[m.start()..].trim().to_string();
        let mut rest = LEADING_MARKERS
            .replace(&line[m.end()..], "")
            .trim()
            .to_string();
        if marker.starts_with("spdx") {
            // Reported as a statement, the same way the tag parser does.
            let lower = rest.to_ascii_lowercase();
            statement = if lower.starts_with("copyright")
                || lower.starts_with("(c)")
                || rest.starts_with('©')
            {
                rest.clone()
            } else {
                format!("Copyright {rest}")
            };
        }
        // Holder on the next line: "Copyright (c) 2014-2020\n *   The Foo Authors".
        if YEARS
            .find(&rest)
            .is_some_and(|y| rest[y.end()..].trim().is_empty())
        {
            if let Some(next) = lines.get(idx + 1).map(|l| strip_comment(l)) {
                if !next.is_empty() && !MARKER.is_match(next) && next.len() < 80 {
                    statement = format!("{statement} {next}");
                    rest = format!("{rest} {next}");
                }
            }
        }
        if let Some(c) = parse(
            idx as u32 + 1,
            &statement,
            &rest,
            marker.starts_with("copyright") || marker.starts_with("spdx"),
        ) {
            let key = collapse(&c.statement);
            if !out.iter().any(|o| collapse(&o.statement) == key) {
                out.push(c);
            }
        }
    }
    out
}

fn parse(line: u32, statement: &str, rest: &str, has_word: bool) -> Option<Copyright> {
    if rest.is_empty() || PROSE.is_match(rest) || PLACEHOLDER.is_match(rest) {
        return None;
    }
    if rest.starts_with([
        '=', '(', ')', '.', ';', ',', '[', '{', '"', '\'', '<', '-', '*', '/', '&', '|', '!', '?',
    ]) {
        return None;
    }
    let years_m = YEARS.find(rest);
    let years = years_m.map(|y| y.as_str().trim_end_matches(',').trim().to_string());
    let after_years = years_m.map_or(rest, |y| &rest[y.end()..]);
    let after_years = after_years.trim_start_matches([',', ' ', '\t']);
    let after_years = after_years.strip_prefix("by ").unwrap_or(after_years);
    let after_years = LEADING_MARKERS.replace(after_years, "");
    let holder = RIGHTS
        .replace(&EMAIL.replace_all(&after_years, ""), "")
        .trim()
        .trim_end_matches([',', '.', ';', ':'])
        .trim()
        .to_string();
    if years.is_none() {
        // Without a year, only "Copyright <Capitalized name>" counts as a statement.
        if !has_word
            || !holder.starts_with(|c: char| c.is_uppercase())
            || ANY_YEAR.is_match(&holder)
        {
            return None;
        }
        // Headings and prose: "Copyright Notice", "COPYRIGHT AND LICENSE".
        if holder.split_whitespace().count() > 12
            || holder.chars().all(|c| !c.is_lowercase())
                && holder.len() > 4
                && !holder.contains(['.', ','])
        {
            return None;
        }
    }
    if holder.is_empty() && years.is_none() {
        return None;
    }
    if holder.contains(['=', '{', '}', ';']) && !holder.contains("&amp;") {
        return None;
    }
    let mut statement = statement.trim().to_string();
    if statement.chars().count() > 300 {
        statement = statement.chars().take(300).collect();
    }
    Some(Copyright {
        line,
        statement,
        holder: (!holder.is_empty()).then_some(holder),
        years,
    })
}

fn collapse(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The line without comment markers on either side.
pub(crate) fn strip_comment(line: &str) -> &str {
    let mut s = line.trim_start_matches('\u{feff}').trim();
    loop {
        let before = s;
        for p in [
            "///", "//!", "//", "/**", "/*", "*", "#", "--", ";;", ";", "%", "<!--", "{-", "(*",
            "\"\"\"", "'''", "!", "dnl ", "REM ", "@rem ",
        ] {
            if let Some(r) = s.strip_prefix(p) {
                s = r.trim_start();
            }
        }
        for t in ["*/", "-->", "-}", "*)", "\"\"\"", "'''"] {
            if let Some(r) = s.strip_suffix(t) {
                s = r.trim_end();
            }
        }
        if s == before {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures() {
        let snip = |n: &str| {
            std::fs::read_to_string(format!(
                "{}/tests/fixtures/snippets/{n}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        let v = find_copyrights(&snip("rust-copyright-lines.txt"), None);
        let holders: Vec<_> = v
            .iter()
            .map(|c| c.holder.clone().unwrap_or_default())
            .collect();
        assert_eq!(v.len(), 13, "{v:#?}");
        assert_eq!(holders[0], "Amazon.com, Inc. or its affiliates");
        assert_eq!(holders[5], "The Servo Project Developers");
        assert_eq!(
            v[5].statement,
            "Copyright 2013 The Servo Project Developers."
        );
        assert_eq!(holders[7], "The rav1e contributors");
        assert_eq!(v[7].years.as_deref(), Some("2019-2022"));
        assert_eq!(holders[12], "SixtyFPS GmbH");
        assert!(find_copyrights(&snip("mit-license-template.txt"), None).is_empty());
        let v = find_copyrights(&snip("gpl-2.0-howto-appendix.txt"), None);
        assert!(v.is_empty(), "{v:?}");
        let v = find_copyrights(&snip("gpl-2.0-or-later-crlf-bom.c"), None);
        assert_eq!(v.len(), 1);
        assert_eq!(
            (v[0].line, v[0].holder.as_deref()),
            (4, Some("Jane Hacker"))
        );
        let v = find_copyrights(&snip("lgpl-2.1-or-later-libxdiff.h"), None);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].holder.as_deref(), Some("Davide Libenzi"));
    }

    fn one(line: &str) -> Copyright {
        let v = find_copyrights(line, None);
        assert_eq!(v.len(), 1, "{line}: {v:?}");
        v.into_iter().next().unwrap()
    }

    fn none(line: &str) {
        let v = find_copyrights(line, None);
        assert!(v.is_empty(), "{line}: {v:?}");
    }

    #[test]
    fn real_world_statements() {
        let c = one("// Copyright (c) 2014 The Rust Project Developers");
        assert_eq!(
            c.statement,
            "Copyright (c) 2014 The Rust Project Developers"
        );
        assert_eq!(c.holder.as_deref(), Some("The Rust Project Developers"));
        assert_eq!(c.years.as_deref(), Some("2014"));

        let c = one(" * Copyright \u{a9} 2015-2024 Foo Bar <foo@bar.org>");
        assert_eq!(
            c.statement,
            "Copyright \u{a9} 2015-2024 Foo Bar <foo@bar.org>"
        );
        assert_eq!(c.holder.as_deref(), Some("Foo Bar"));
        assert_eq!(c.years.as_deref(), Some("2015-2024"));

        let c = one("(c) 2009 Jane");
        assert_eq!(c.holder.as_deref(), Some("Jane"));

        let c = one("# Copyright 2018 Google LLC");
        assert_eq!(c.holder.as_deref(), Some("Google LLC"));

        let c = one("    Copyright (C) 1989, 1991 Free Software Foundation, Inc.");
        assert_eq!(c.years.as_deref(), Some("1989, 1991"));
        assert_eq!(c.holder.as_deref(), Some("Free Software Foundation, Inc"));

        let c = one("Copyright: 2020 Debian Folks");
        assert_eq!(c.holder.as_deref(), Some("Debian Folks"));

        let c = one("# SPDX-FileCopyrightText: 2023 X Corp");
        assert_eq!(c.statement, "Copyright 2023 X Corp");
        assert_eq!(c.holder.as_deref(), Some("X Corp"));

        let c = one("Copyright (c) 2016 Alex Crichton, Jane Roe. All rights reserved.");
        assert_eq!(c.holder.as_deref(), Some("Alex Crichton, Jane Roe"));

        let c = one("Copyright The Tokio Authors");
        assert_eq!(c.holder.as_deref(), Some("The Tokio Authors"));
        assert_eq!(c.years, None);

        let c = one("/* Copyright 2010-2012 Someone */");
        assert_eq!(c.statement, "Copyright 2010-2012 Someone");
    }

    #[test]
    fn holder_on_next_line() {
        let v = find_copyrights(" * Copyright (c) 2014-2020\n *     The Foo Authors\n", None);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].holder.as_deref(), Some("The Foo Authors"));
    }

    #[test]
    fn boilerplate_and_templates_are_not_statements() {
        none("The above copyright notice and this permission notice shall be included in");
        none("Copyright notice");
        none("copyright holders");
        none("IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE");
        none("THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS \"AS IS\"");
        none("Copyright (c) <year> <copyright holders>");
        none("   Copyright [yyyy] [name of copyright owner]");
        none("    Copyright (C) <year>  <name of author>");
        none("Copyright (C) {{ year }} {{ author }}");
        none("let copyright = format!(\"Copyright {}\", holder);");
        none("self.copyright = value");
        none("\"copyright\": \"see LICENSE\",");
        none("Redistributions of source code must retain the above copyright");
        none("copyright law");
        none("COPYRIGHT AND LICENSE");
        none("a) something (c) else");
        none("fn main() {}");
    }

    #[test]
    fn dedupe_and_max_lines() {
        let t = "// Copyright 2020 A\n// Copyright 2020 A\n// Copyright 2021 B\n";
        assert_eq!(find_copyrights(t, None).len(), 2);
        assert_eq!(find_copyrights(t, Some(1)).len(), 1);
        assert_eq!(find_copyrights(t, None)[1].line, 3);
    }

    #[test]
    fn gpl_text_keeps_only_real_statement() {
        let t = " Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>\n Everyone is permitted to copy and distribute verbatim copies\n of this license document, but changing it is not allowed.\n  To protect your rights, we need to prevent others from denying you\nthese rights.  Developers that use the GNU GPL protect your rights with two steps:\n(1) assert copyright on the software, and (2) offer you this License\n    <one line to give the program's name and a brief idea of what it does.>\n    Copyright (C) <year>  <name of author>\n";
        let v = find_copyrights(t, None);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(
            v[0].holder.as_deref(),
            Some("Free Software Foundation, Inc")
        );
    }

    #[test]
    fn sentence_before_the_marker_is_not_cut() {
        let t = "These documentation pages include resources by third parties. This copyright info\nis below.";
        let _ = find_copyrights(t, None);
        let t = "Docs by others. Copyright 2020 Jane Doe. See LICENSE.";
        let found = find_copyrights(t, None);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].statement.starts_with("Copyright 2020 Jane Doe"),
            "{:?}",
            found[0]
        );
    }
}
