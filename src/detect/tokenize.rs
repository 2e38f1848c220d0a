//! Words as the license matcher sees them, the same for rule texts and for the files scanned.
//!
//! A token is a run of letters and digits, lower-cased, optionally with one `+` inside or at
//! its end (`gpl2+`, `lgplv2.1+` gives `lgplv2`, `1+`): the `+` of "GPL-2.0+" changes the
//! license, so it is kept. Punctuation, spacing and case never matter. Markup words (HTML
//! tags and entities, `rem`/`dnl` comment markers) are dropped everywhere: a license in an
//! HTML page or a batch file is the same license.
//!
//! Copyright lines are tokens like any other: many rules hold one ("Copyright (c) <year>
//! <owner>. All rights reserved. Licensed under ..."), and a rule must be tokenized the way
//! its authors (ScanCode's) did.

/// Words of markup and comment syntax that carry no license meaning.
///
/// A `match`, not a list searched with `contains`: every word of every region is tested,
/// and a constant pattern compiles to a length switch and inline compares where a list
/// costs a `memcmp` call per entry of the same length.
pub fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        // HTML / XML markup, attributes and entities
        "a"
        | "abbr"
        | "alt"
        | "blockquote"
        | "body"
        | "br"
        | "class"
        | "div"
        | "em"
        | "h1"
        | "h2"
        | "h3"
        | "h4"
        | "h5"
        | "hr"
        | "href"
        | "img"
        | "li"
        | "ol"
        | "p"
        | "pre"
        | "rel"
        | "script"
        | "span"
        | "src"
        | "td"
        | "th"
        | "tr"
        | "ul"
        | "para"
        | "ulink"
        | "nav"
        | "lt"
        | "gt"
        | "amp"
        | "quot"
        | "apos"
        | "nbsp"
        | "ldquo"
        | "rdquo"
        | "lsquo"
        | "rsquo"
        | "mdash"
        | "ndash"
        | "hellip"
        | "bull"
        | "x3c"
        | "x3e"
        // comment markers of batch files and m4
        | "rem"
        | "dnl"
    )
}

/// Rebuild the store when this changes (it is part of the store's source digest).
pub const TOKENIZER_VERSION: u32 = 4;

/// One token with the line it is on (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located<'a> {
    pub text: &'a str,
    pub line: u32,
}

/// What the tokenizer reports: a word (with its line and its byte span in the text), a
/// markup break dropped (`<br>`, or with `true` a paragraph's: `<p>`, `<hr>`; where one
/// stood matters to a rule that must be matched without a gap), or a `{{` / `}}`
/// required-phrase marker (rules only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Word(&'a str, u32, (usize, usize)),
    Break { paragraph: bool },
    Open,
    Close,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Calls `f` for every piece of `text` in order, starting at line `first_line`. `markers`:
/// report `{{` and `}}` (rule texts); queries treat braces as punctuation.
pub fn pieces(text: &str, first_line: u32, markers: bool, mut f: impl FnMut(Piece<'_>)) {
    let mut buf = String::with_capacity(32);
    let mut offset = 0;
    for (line, raw) in (first_line..).zip(text.split('\n')) {
        line_pieces(raw, line, offset, markers, &mut buf, &mut f);
        offset += raw.len() + 1;
    }
}

fn line_pieces(
    s: &str,
    line: u32,
    offset: usize,
    markers: bool,
    buf: &mut String,
    f: &mut impl FnMut(Piece<'_>),
) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if markers && (c == b'{' || c == b'}') && b.get(i + 1) == Some(&c) {
                f(if c == b'{' { Piece::Open } else { Piece::Close });
                i += 2;
                continue;
            }
            if !c.is_ascii_alphanumeric() {
                // An escaped newline or tab (`\n`, `\t`, `\r`) of a string literal is
                // spacing: a license text kept in JSON (a source map's `sourcesContent`, a
                // notebook cell) or in a C string has one before every line's first word.
                let escape = c == b'\\' && matches!(b.get(i + 1), Some(b'n' | b't' | b'r'));
                i += if escape { 2 } else { 1 };
                continue;
            }
        } else {
            let ch = s[i..].chars().next().unwrap_or(' ');
            if !is_word_char(ch) {
                i += ch.len_utf8();
                continue;
            }
        }
        buf.clear();
        let start = i;
        i = word(s, i, buf);
        if b.get(i) == Some(&b'+') {
            buf.push('+');
            i = word(s, i + 1, buf);
        }
        if is_stopword(buf) {
            // Inline markup (`<em>`, `<td>`, an entity) joins what it separates: "License:
            // <em>MIT</em>" and a table row "License | MIT" state a license. A break does not.
            match buf.as_str() {
                "br" => f(Piece::Break { paragraph: false }),
                "p" | "hr" | "para" => f(Piece::Break { paragraph: true }),
                _ => {}
            }
        } else {
            fold(buf);
            f(Piece::Word(buf, line, (offset + start, offset + i)));
        }
    }
}

/// Appends the word characters of `s` from byte `i` to `buf`, lower-cased; returns the end.
fn word(s: &str, mut i: usize, buf: &mut String) -> usize {
    let b = s.as_bytes();
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if !c.is_ascii_alphanumeric() {
                break;
            }
            buf.push(c.to_ascii_lowercase() as char);
            i += 1;
        } else {
            let ch = s[i..].chars().next().unwrap_or(' ');
            if !is_word_char(ch) {
                break;
            }
            buf.extend(ch.to_lowercase());
            i += ch.len_utf8();
        }
    }
    i
}

/// Spellings that do not change what a license says are one word: British "licence" is
/// "license" (also inside "sublicence", "licenced"), and a plural is its singular ("terms",
/// "rights"; not "licenses"). Rules and files are folded alike, so a rule written with one
/// spelling matches a text written with the other.
fn fold(w: &mut String) {
    // A window test, not `str::find`: that builds a searcher for every word, and the
    // tokenizer sees millions of them.
    if let Some(p) = w.as_bytes().windows(6).position(|x| x == b"licenc") {
        w.replace_range(p..p + 6, "licens");
    }
    let b = w.as_bytes();
    let n = b.len();
    // "licenses" stays plural: "GNU Licenses" (a link to the FSF's list) is no GPL notice.
    if n >= 5
        && b[n - 1] == b's'
        && !matches!(b[n - 2], b's' | b'u' | b'i')
        && b.is_ascii()
        && w != "licenses"
    {
        w.truncate(n - 1);
    }
}

/// Every token of `text` (no markers), with its line.
pub fn tokens(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    pieces(text, 1, false, |p| {
        if let Piece::Word(w, l, _) = p {
            out.push((w.to_string(), l));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn words_plus_and_case() {
        assert_eq!(
            words("GPL-2.0+ and LGPLv2.1+, Foo_Bar"),
            ["gpl", "2", "0+", "and", "lgplv2", "1+", "foo", "bar"]
        );
        assert_eq!(words("C++ rocks"), ["c+", "rock"]);
        assert_eq!(words("Ünïcode Straße"), ["ünïcode", "straße"]);
        assert_eq!(
            words("Licences, licensed, sublicence: the terms and rights is its status"),
            [
                "licenses",
                "licensed",
                "sublicense",
                "the",
                "term",
                "and",
                "right",
                "is",
                "its",
                "status"
            ]
        );
    }

    #[test]
    fn escaped_line_breaks_are_spacing() {
        assert_eq!(
            words(r#""MIT License\n\nPermission is\thereby granted\r\n""#),
            ["mit", "license", "permission", "is", "hereby", "granted"]
        );
    }

    #[test]
    fn markup_is_dropped() {
        assert_eq!(
            words("<p>Licensed under the <a href=\"x\">MIT</a> license&nbsp;</p>"),
            ["licensed", "under", "the", "x", "mit", "license"]
        );
    }

    #[test]
    fn required_phrase_markers() {
        let mut seen = Vec::new();
        pieces("the {{MIT License}} x<br>y <em>z</em><p>", 1, true, |p| {
            seen.push(match p {
                Piece::Word(w, ..) => w.to_string(),
                Piece::Break { paragraph } => if paragraph { "<p>" } else { "<br>" }.into(),
                Piece::Open => "{{".into(),
                Piece::Close => "}}".into(),
            })
        });
        // A markup break is reported, inline markup is not.
        assert_eq!(
            seen,
            ["the", "{{", "mit", "license", "}}", "x", "<br>", "y", "z", "<p>"]
        );
    }
}
