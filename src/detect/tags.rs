//! REUSE / SPDX file tags: `SPDX-License-Identifier:` and `SPDX-FileCopyrightText:` in any
//! comment syntax. Runs on every text file, so it bails out on a byte search first.

use crate::expression;
use crate::model::{LicenseMatch, MatchKind};
use memchr::memmem;
use once_cell::sync::Lazy;
use regex::Regex;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagFindings {
    pub licenses: Vec<LicenseMatch>,
    /// (1-based line, statement)
    pub copyrights: Vec<(u32, String)>,
}

static FINDER_UPPER: Lazy<memmem::Finder<'static>> = Lazy::new(|| memmem::Finder::new(b"SPDX-"));
static FINDER_LOWER: Lazy<memmem::Finder<'static>> = Lazy::new(|| memmem::Finder::new(b"spdx-"));

static TAG: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)\bSPDX-(License-Identifier|FileCopyrightText)\s*:\s*(.*)$").unwrap()
});

/// What a license expression may contain; anything else means the "tag" is really code,
/// a format string or a regex that talks about tags.
static EXPRESSION_CHARS: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"^[A-Za-z0-9(][A-Za-z0-9.+:()\- ]*$").unwrap());

pub fn find_tags(text: &str) -> TagFindings {
    let mut out = TagFindings::default();
    let bytes = text.as_bytes();
    // Only the lines that hold a marker, found by the byte search, not every line of the
    // file split and searched again: tagged Rust and C files are matched by the thousand.
    let mut at: Vec<usize> = FINDER_UPPER.find_iter(bytes).collect();
    at.extend(FINDER_LOWER.find_iter(bytes));
    if at.is_empty() {
        return out;
    }
    at.sort_unstable();
    let (mut line_no, mut counted, mut last_start) = (1u32, 0usize, usize::MAX);
    for p in at {
        let start = memchr::memrchr(b'\n', &bytes[..p]).map_or(0, |i| i + 1);
        if start == last_start {
            continue;
        }
        last_start = start;
        line_no += memchr::memchr_iter(b'\n', &bytes[counted..start]).count() as u32;
        counted = start;
        let end = memchr::memchr(b'\n', &bytes[p..]).map_or(bytes.len(), |i| p + i);
        // As `str::lines` gives it: without the `\r` of a CRLF ending.
        let line = text[start..end]
            .strip_suffix('\r')
            .unwrap_or(&text[start..end]);
        let Some(caps) = TAG.captures(line) else {
            continue;
        };
        // A tag inside a string literal is code that writes tags, not a tag.
        let before = &line[..caps.get(0).map_or(0, |m| m.start())];
        if before.contains(['"', '\'', '`']) {
            continue;
        }
        let value = strip_terminators(&caps[2]);
        if caps[1].eq_ignore_ascii_case("FileCopyrightText") {
            if !value.is_empty() && !looks_like_code(value) {
                // Written as a statement like every other copyright we report.
                let lower = value.to_ascii_lowercase();
                let statement = if lower.starts_with("copyright")
                    || value.starts_with('©')
                    || lower.starts_with("(c)")
                {
                    value.to_string()
                } else {
                    format!("Copyright {value}")
                };
                out.copyrights.push((line_no, statement));
            }
            continue;
        }
        if let Some(expr) = license_value(value) {
            out.licenses.push(LicenseMatch {
                expression: expr,
                kind: MatchKind::Tag,
                score: 1.0,
                start_line: line_no,
                end_line: line_no,
                rule: Some("spdx-tag".into()),
                matched_text: Some(line.trim().to_string()),
            });
        }
    }
    out
}

/// A line that gives a license by name: `License: X`, `license = "X"`, `@license X`,
/// `__license__ = "X"`, in any comment syntax.
static LICENSE_LINE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^[^A-Za-z0-9@]*@?(?:__license__|licen[sc]e)(?:\s*[:=]\s*|\s+)(.+)$").unwrap()
});

/// The expression a license line gives when it is a compound SPDX expression written as
/// SPDX writes it (`BSD-3-Clause AND MIT`, `GPL-2.0-or-later OR MIT`): ScanCode's rules
/// know the common pairs, and of any other the rule matcher found only the first license.
/// A single id is left to the rules; anything that is not a strict expression is prose.
pub fn compound_license_line(line: &str) -> Option<String> {
    // A license line is short; a minified bundle's one line is not parsed as one.
    const MAX_LINE: usize = 512;
    if line.len() > MAX_LINE {
        return None;
    }
    let caps = LICENSE_LINE.captures(line.trim())?;
    let value = strip_terminators(caps[1].trim_start_matches(['"', '\'', '`']));
    let lowered;
    let value = if [" AND ", " OR ", " WITH "]
        .iter()
        .any(|op| value.contains(op))
    {
        value
    } else {
        // "BSD-3-Clause and MIT": lower-case operators between ids written exactly as
        // SPDX lists them (no names, no prose: "MIT and Apache licensed" stays prose).
        lowered = lower_case_operators(value)?;
        &lowered
    };
    spdx::Expression::parse(value).ok()?;
    let n = expression::normalize(value);
    n.license_refs.is_empty().then_some(n.expression)
}

/// `value` with its lower-case `and` / `or` written as SPDX operators, when it has one and
/// every other word is an SPDX license id as SPDX spells it.
fn lower_case_operators(value: &str) -> Option<String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    if words.len() < 3 || words.len() % 2 == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        if i % 2 == 1 {
            out.push(match *w {
                "and" => "AND",
                "or" => "OR",
                _ => return None,
            });
        } else {
            let id = w.strip_suffix('+').unwrap_or(w);
            spdx::license_id(id).filter(|l| l.name == id)?;
            out.push(w);
        }
    }
    Some(out.join(" "))
}

/// The normalized expression of a tag value, or None when the value is not an expression.
fn license_value(value: &str) -> Option<String> {
    if value.is_empty() || !EXPRESSION_CHARS.is_match(value) {
        return None;
    }
    let n = expression::normalize(value);
    if n.expression == "NOASSERTION" && !value.eq_ignore_ascii_case("NOASSERTION") {
        return None;
    }
    // Words that are no expression ("GPL 2.0+ BSD-3-Clause") made into one LicenseRef- say
    // nothing; the rule matcher reads the line instead.
    if n.license_refs
        .iter()
        .any(|(_, orig)| orig.trim().contains(char::is_whitespace))
    {
        return None;
    }
    // A lone lower-case word that names no license is prose ("identifier: expression"),
    // not a tag someone meant.
    if n.license_refs.len() == 1
        && n.expression == n.license_refs[0].0
        && value.chars().all(|c| c.is_ascii_lowercase())
    {
        return None;
    }
    Some(n.expression)
}

pub(crate) fn strip_terminators(v: &str) -> &str {
    let mut v = v.trim();
    loop {
        let before = v;
        for t in [
            "*/", "-->", "-}", "*)", "\"\"\"", "'''", "#}", "%>", "?>", "\\n", "\"", "'", ",", ";",
            "`", "]]",
        ] {
            if let Some(s) = v.strip_suffix(t) {
                v = s.trim_end();
            }
        }
        if v == before {
            break;
        }
    }
    v
}

fn looks_like_code(v: &str) -> bool {
    v.starts_with(['"', '\'', '+', '{', '$', '%', '<', '('])
        || v.contains("\" +")
        || v.contains("{}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exprs(text: &str) -> Vec<String> {
        find_tags(text)
            .licenses
            .into_iter()
            .map(|m| m.expression)
            .collect()
    }

    #[test]
    fn comment_syntaxes() {
        let cases = [
            ("// SPDX-License-Identifier: MIT", "MIT"),
            ("# SPDX-License-Identifier: Apache-2.0", "Apache-2.0"),
            (
                "/* SPDX-License-Identifier: GPL-2.0-only */",
                "GPL-2.0-only",
            ),
            ("<!-- SPDX-License-Identifier: CC-BY-4.0 -->", "CC-BY-4.0"),
            ("-- SPDX-License-Identifier: MPL-2.0", "MPL-2.0"),
            ("; SPDX-License-Identifier: ISC", "ISC"),
            ("% SPDX-License-Identifier: LPPL-1.3c", "LPPL-1.3c"),
            (" * SPDX-License-Identifier: BSD-3-Clause", "BSD-3-Clause"),
            (
                "{- SPDX-License-Identifier: BSD-2-Clause -}",
                "BSD-2-Clause",
            ),
            (
                "(* SPDX-License-Identifier: LGPL-2.1-or-later *)",
                "LGPL-2.1-or-later",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(exprs(line), vec![want.to_string()], "{line}");
        }
    }

    /// `License:` lines in their usual syntaxes give their compound expression; a single
    /// id and prose are left to the rules, and lower-case operators count only between
    /// ids spelt as SPDX lists them.
    #[test]
    fn compound_license_lines() {
        let cases = [
            (
                "# License: BSD-3-Clause AND MIT",
                Some("BSD-3-Clause AND MIT"),
            ),
            ("license = \"Unlicense OR MIT\"", Some("Unlicense OR MIT")),
            (
                "/*! @license GPL-2.0-or-later OR MIT */",
                Some("GPL-2.0-or-later OR MIT"),
            ),
            (
                "__license__ = '(MIT OR Apache-2.0) AND Unicode-3.0'",
                Some("(MIT OR Apache-2.0) AND Unicode-3.0"),
            ),
            (
                " * Licence: Apache-2.0 WITH LLVM-exception",
                Some("Apache-2.0 WITH LLVM-exception"),
            ),
            ("# License: MIT", None),
            ("# License: MIT or Apache-2.0", Some("MIT OR Apache-2.0")),
            (
                "/* @license BSD-3-Clause and MIT */",
                Some("BSD-3-Clause AND MIT"),
            ),
            (
                "# License: GPL-2.0-or-later or LGPL-2.1-only",
                Some("GPL-2.0-or-later OR LGPL-2.1-only"),
            ),
            ("# License: MIT and Apache licensed", None),
            ("# License: mit or apache-2.0", None),
            ("# License: GPL or LGPL", None),
            ("# License: MIT with Apache-2.0", None),
            ("# License: MIT AND the terms below", None),
            ("licensed = \"MIT OR Apache-2.0\"", None),
        ];
        let long = format!("# License: MIT OR Apache-2.0 {}", " ".repeat(600));
        assert_eq!(compound_license_line(&long), None);
        for (line, want) in cases {
            assert_eq!(compound_license_line(line).as_deref(), want, "{line}");
        }
    }

    #[test]
    fn full_expressions() {
        assert_eq!(
            exprs("// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception"),
            vec!["Apache-2.0 WITH LLVM-exception"]
        );
        assert_eq!(
            exprs("# SPDX-License-Identifier: (MIT OR Apache-2.0) AND LicenseRef-Foo"),
            vec!["(MIT OR Apache-2.0) AND LicenseRef-Foo"]
        );
        assert_eq!(
            exprs("# SPDX-License-Identifier: DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2"),
            vec!["DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2"]
        );
        assert_eq!(
            exprs("// SPDX-License-Identifier: GPL-2.0+"),
            vec!["GPL-2.0-or-later"]
        );
        assert_eq!(
            exprs("// SPDX-License-Identifier: GPL-2.0"),
            vec!["GPL-2.0-only"]
        );
        assert_eq!(
            exprs("// SPDX-License-Identifier: MIT or Apache-2.0"),
            vec!["MIT OR Apache-2.0"]
        );
        assert_eq!(exprs("// spdx-license-identifier: mit"), vec!["MIT"]);
        assert_eq!(
            exprs("// SPDX-License-Identifier:    MPL-2.0   "),
            vec!["MPL-2.0"]
        );
    }

    #[test]
    fn line_numbers_and_crlf() {
        let text = "\u{feff}#!/bin/sh\r\n# SPDX-FileCopyrightText: 2023 Jane Doe <jane@example.org>\r\n# SPDX-License-Identifier: MIT\r\n";
        let f = find_tags(text);
        assert_eq!(f.licenses.len(), 1);
        assert_eq!(f.licenses[0].start_line, 3);
        assert_eq!(f.licenses[0].rule.as_deref(), Some("spdx-tag"));
        assert_eq!(f.licenses[0].kind, MatchKind::Tag);
        assert_eq!(
            f.copyrights,
            vec![(2, "Copyright 2023 Jane Doe <jane@example.org>".to_string())]
        );
    }

    #[test]
    fn tags_inside_string_literals_are_code() {
        assert!(exprs("\"SPDX-License-Identifier: MIT\",").is_empty());
        assert!(exprs("    \"/* SPDX-License-Identifier: GPL-2.0-only */\",").is_empty());
        assert!(exprs("let t = 'SPDX-License-Identifier: MIT';").is_empty());
    }

    #[test]
    fn code_that_talks_about_tags_is_ignored() {
        let lines = [
            r#"let tag = "SPDX-License-Identifier: " + license;"#,
            r#"writeln!(f, "// SPDX-License-Identifier: {}", expr)?;"#,
            r#"static RE: &str = r"SPDX-License-Identifier:\s*(.*)$";"#,
            r#"const P = /SPDX-License-Identifier: ([^\n]+)/;"#,
            "printf(\"SPDX-License-Identifier: %s\\n\", lic);",
            "The tag looks like SPDX-License-Identifier: <SPDX License Expression>",
            "SPDX-License-Identifier: expression",
            "SPDX-License-Identifier:",
            r#"if line.starts_with("SPDX-FileCopyrightText: ") {"#,
        ];
        for l in lines {
            let f = find_tags(l);
            assert!(
                f.licenses.is_empty() && f.copyrights.is_empty(),
                "{l}: {f:?}"
            );
        }
    }

    #[test]
    fn fixtures() {
        let f = find_tags(include_str!(
            "../../tests/fixtures/snippets/llvm-exception-tag.rs"
        ));
        assert_eq!(f.licenses.len(), 1);
        assert_eq!(f.licenses[0].expression, "Apache-2.0 WITH LLVM-exception");
        assert_eq!(f.licenses[0].start_line, 4);
        let f = find_tags(include_str!(
            "../../tests/fixtures/snippets/gpl-2.0-only-linux.c"
        ));
        assert_eq!(f.licenses[0].expression, "GPL-2.0-only");
    }

    #[test]
    fn no_tag_no_work() {
        assert_eq!(find_tags("fn main() {}\n"), TagFindings::default());
    }
}
