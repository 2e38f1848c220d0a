//! The words of an RTF document (a Windows installer's `License.rtf`, a EULA saved by
//! WordPad) as plain text, line for line: control words (`\par`, `\f0`, `\fs20`), group
//! braces and the destinations that hold no document text (font and colour tables, the
//! `{\*\generator ...}` stamp) are dropped, escapes become their characters. Every line of
//! the result is the same line of the file, so reported lines point into the RTF itself.
//!
//! Read without an RTF parser: detection needs the words and their lines, not the layout.
//! One pass, no recursion; a group left open at the end simply ends there.

use std::borrow::Cow;

/// Whether `text` is an RTF document (`{\rtf1`, after any leading whitespace).
pub fn is_rtf(text: &str) -> bool {
    text.trim_start().starts_with("{\\rtf")
}

/// Destinations whose content is not the document's text.
const SKIPPED: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "pict",
    "listtable",
    "listoverridetable",
    "rsidtbl",
    "themedata",
    "datastore",
    "latentstyles",
    "xmlnstbl",
];

/// The text of an RTF document, its newlines kept (see the module doc).
pub fn plain(text: &str) -> Cow<'_, str> {
    if !is_rtf(text) {
        return Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // Depth of braces, and the depth at which a skipped destination began (its content
    // is dropped until the brace that closes it).
    let (mut depth, mut skip_from) = (0usize, None::<usize>);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'{' => {
                depth += 1;
                i += 1;
                // `{\*\dest ...}`: an optional destination, never document text.
                if skip_from.is_none() && b[i..].starts_with(b"\\*") {
                    skip_from = Some(depth);
                }
            }
            b'}' => {
                if skip_from == Some(depth) {
                    skip_from = None;
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'\n' => {
                out.push('\n');
                i += 1;
            }
            b'\\' => {
                let (word, param, next) = control(b, i + 1);
                i = next;
                if let Some(w) = word {
                    if skip_from.is_none() && SKIPPED.contains(&w) {
                        skip_from = Some(depth);
                    }
                }
                if skip_from.is_some() {
                    continue;
                }
                match (word, param) {
                    // `\'e9`: a byte in the document's code page, read as Latin-1.
                    (None, Some(Param::Hex(v))) => out.push(char::from(v)),
                    (None, Some(Param::Char(ch))) => out.push(ch),
                    // `\u233?`: a Unicode character, then its fallback for old readers.
                    (Some("u"), Some(Param::Num(n))) => {
                        let n = if n < 0 { n + 65536 } else { n };
                        out.push(char::from_u32(n as u32).unwrap_or('\u{FFFD}'));
                        if b.get(i) == Some(&b'?') {
                            i += 1;
                        }
                    }
                    (Some("tab" | "par" | "line" | "cell" | "row" | "sect" | "page"), _) => {
                        out.push(' ')
                    }
                    _ => {}
                }
            }
            b'\r' => i += 1,
            _ => {
                // A run of plain text, copied as it is (UTF-8 intact).
                let end = b[i..]
                    .iter()
                    .position(|&x| matches!(x, b'{' | b'}' | b'\\' | b'\n' | b'\r'))
                    .map_or(b.len(), |p| i + p);
                if skip_from.is_none() {
                    out.push_str(&text[i..end]);
                }
                i = end;
            }
        }
    }
    Cow::Owned(out)
}

enum Param {
    Num(i32),
    Hex(u8),
    Char(char),
}

/// The control sequence after a backslash at `i`: its word and parameter, and where the
/// text resumes (after the one space that ends a control word).
fn control(b: &[u8], i: usize) -> (Option<&str>, Option<Param>, usize) {
    let Some(&c) = b.get(i) else {
        return (None, None, i);
    };
    if c.is_ascii_alphabetic() {
        let end = b[i..]
            .iter()
            .position(|x| !x.is_ascii_alphabetic())
            .map_or(b.len(), |p| i + p);
        // Letters only, so the slice is UTF-8.
        let word = std::str::from_utf8(&b[i..end]).unwrap_or("");
        let mut j = end;
        let neg = b.get(j) == Some(&b'-');
        if neg {
            j += 1;
        }
        let digits = b[j..].iter().take_while(|x| x.is_ascii_digit()).count();
        let param = (digits > 0).then(|| {
            // (A parameter is 16 bits; a longer run of digits is read to its 9th.)
            let v: i64 = std::str::from_utf8(&b[j..j + digits.min(9)])
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            Param::Num((if neg { -v } else { v }).clamp(i32::MIN as i64, i32::MAX as i64) as i32)
        });
        if digits > 0 {
            j += digits;
        } else if neg {
            j -= 1;
        }
        if b.get(j) == Some(&b' ') {
            j += 1;
        }
        return (Some(word), param, j);
    }
    match c {
        b'\'' => {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => (None, Some(Param::Hex(v)), i + 3),
                None => (None, None, i + 1),
            }
        }
        b'\\' | b'{' | b'}' => (None, Some(Param::Char(c as char)), i + 1),
        b'~' => (None, Some(Param::Char(' ')), i + 1),
        b'_' => (None, Some(Param::Char('-')), i + 1),
        // `\` before a line break is a paragraph mark: the newline itself is kept.
        b'\n' | b'\r' => (None, None, i),
        // Any other character after a backslash is dropped with it, whole (UTF-8).
        _ => {
            let mut j = i + 1;
            while b.get(j).is_some_and(|x| x & 0xC0 == 0x80) {
                j += 1;
            }
            (None, None, j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WordPad's RTF (the opening of ScanCode's test file
    /// `external/fossology-tests/LGPL/License.rtf`): the words, line for line.
    #[test]
    fn wordpad_rtf_reads_as_its_words() {
        let rtf = "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}}\r\n\
{\\*\\generator Msftedit 5.41.21.2500;}\\viewkind4\\uc1\\pard\\lang1033\\f0\\fs20 Copyright (C) 2007 Red Hat, Inc.\\par\r\n\
All rights reserved.\\par\r\n\
modify it under the terms of the GNU Lesser General Public\\par\r\n\
J\\'fcrgen \\u8212? caf\\u233?\\par\r\n\
}\r\n";
        let text = plain(rtf);
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        assert_eq!(
            lines,
            [
                "",
                "Copyright (C) 2007 Red Hat, Inc.",
                "All rights reserved.",
                "modify it under the terms of the GNU Lesser General Public",
                "Jürgen \u{2014} café",
                "",
            ]
        );
    }

    #[test]
    fn plain_text_is_left_alone() {
        assert!(matches!(plain("MIT License\n"), Cow::Borrowed(_)));
        // Hostile input: unbalanced braces, a lone backslash, huge numbers.
        let t = plain("{\\rtf1 }}}{\\fs99999999999999 a\\");
        assert_eq!(t.trim(), "a");
        assert_eq!(plain("{\\rtf1 \\\u{e9}t\u{e9}").trim(), "t\u{e9}");
    }
}
