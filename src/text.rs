//! Bytes to text, the one way every stage reads a file's content: UTF-8 (a BOM dropped),
//! UTF-16 with a byte-order mark, else Latin-1; binary content (a NUL byte near the start)
//! is not text at all. Line endings become `\n`, so line numbers mean the same everywhere.
//! An RTF document is its words ([`crate::rtf`]), line for line, for every stage alike: the
//! matcher, the copyright finder and the license texts a NOTICE reproduces.

use std::borrow::Cow;

/// Decoded text: borrowed from the bytes when they already are UTF-8 with `\n` line
/// endings (nearly every file), so the common case copies nothing.
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub latin1: bool,
}

/// Bytes to text: UTF-8 (BOM dropped), UTF-16 with a BOM, else Latin-1; `None` when the
/// content is binary (a NUL byte in the first 8 KiB, as git and ripgrep decide).
/// Line endings become `\n`.
pub fn decode(bytes: &[u8]) -> Option<Decoded<'_>> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Some(Decoded {
            text: newlines(utf16(rest, u16::from_le_bytes).into()),
            latin1: false,
        });
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Some(Decoded {
            text: newlines(utf16(rest, u16::from_be_bytes).into()),
            latin1: false,
        });
    }
    if is_binary(bytes) {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // The NUL padding a text file may end with (see is_binary) is not text.
    let bytes = &bytes[..bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1)];
    let (text, latin1): (Cow<'_, str>, bool) = match std::str::from_utf8(bytes) {
        Ok(s) => (s.into(), false),
        // A read cut inside a multi-byte character is still UTF-8.
        Err(e) if e.error_len().is_none() => {
            (String::from_utf8_lossy(&bytes[..e.valid_up_to()]), false)
        }
        Err(_) => (
            bytes.iter().map(|&b| b as char).collect::<String>().into(),
            true,
        ),
    };
    let mut text = newlines(text);
    if crate::rtf::is_rtf(&text) {
        text = Cow::Owned(crate::rtf::plain(&text).into_owned());
    }
    Some(Decoded { text, latin1 })
}

/// A NUL byte in the first 8 KiB (and no UTF-16 byte-order mark), as git and ripgrep decide;
/// but not the NULs that only pad the end of a short file: WordPad ends every RTF file it
/// saves with one (a Windows installer's `License.rtf`), and such a file is text.
pub fn is_binary(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return false;
    }
    match memchr::memchr(0, &bytes[..bytes.len().min(SNIFF)]) {
        None => false,
        Some(i) => {
            let text =
                |b: &u8| (*b >= 0x20 && *b != 0x7f) || matches!(b, b'\t' | b'\n' | b'\r' | 0x0c);
            !(i > 0
                && bytes.len() < SNIFF
                && bytes[i..].iter().all(|&b| b == 0)
                && bytes[..i].iter().all(text))
        }
    }
}

/// How many leading bytes [`is_binary`] looks at.
const SNIFF: usize = 8192;

fn utf16(b: &[u8], f: fn([u8; 2]) -> u16) -> String {
    let units = b.chunks_exact(2).map(|c| f([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect()
}

fn newlines(s: Cow<'_, str>) -> Cow<'_, str> {
    if memchr::memchr(b'\r', s.as_bytes()).is_some() {
        s.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        s
    }
}

/// Read a file whole, but never more than `cap` bytes: more is refused with an
/// `InvalidData` error naming the limit when there is more (a 3 GB file given as a policy,
/// `/dev/zero` given to `detect`). The file is read, not stat'ed, so a device or a FIFO is
/// bounded too.
pub fn read_capped(path: &std::path::Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    file.take(cap + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than the {} limit; not read", human_size(cap)),
        ));
    }
    Ok(buf)
}

/// "256 MiB", "64 KiB".
pub fn human_size(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// Whether `c` must not reach a terminal or a one-line format as itself: C0 controls
/// (newline and tab too), DEL, C1 controls (8-bit CSI), the line and paragraph separators,
/// and the bidirectional overrides that make text display other than it reads.
fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` as one line of plain text: every control character (see [`is_hazard`]) shown as
/// its escape, `\u{1b}`, so a name read from input cannot move the cursor, retitle the
/// window or start a new line that looks like ours. Borrowed when there is nothing to do.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    escape_where(s, is_hazard)
}

/// A multi-line text for a terminal: like [`escape_controls`], but the newlines and tabs
/// the text is laid out with stay, and form feeds (license texts have page breaks).
pub fn terminal_text(s: &str) -> std::borrow::Cow<'_, str> {
    escape_where(s, |c| !matches!(c, '\n' | '\t' | '\x0c') && is_hazard(c))
}

fn escape_where(s: &str, bad: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(&bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// "1 file", "2 files": a count with the noun that agrees with it.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_escaped() {
        assert_eq!(
            escape_controls("a\x1b]0;pwned\x07b"),
            "a\\u{1b}]0;pwned\\u{7}b"
        );
        assert_eq!(escape_controls("x\nfail: y"), "x\\u{a}fail: y");
        assert_eq!(escape_controls("\u{9b}2J\u{202e}"), "\\u{9b}2J\\u{202e}");
        assert!(matches!(
            escape_controls("plain é"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(terminal_text("a\tb\nc\x1b[2J\r"), "a\tb\nc\\u{1b}[2J\\u{d}");
    }

    #[test]
    fn decodes_encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFMIT\r\nx").unwrap().text, "MIT\nx");
        let l1 = decode(b"Copyright \xA9 2001 J\xFCrgen").unwrap();
        assert!(l1.latin1);
        assert_eq!(l1.text, "Copyright © 2001 Jürgen");
        assert!(decode(b"\x7fELF\x00\x00").is_none());
        // WordPad's RTF ends in a NUL (ScanCode's test file lic1/gpl_eula.rtf): text, the
        // NUL not part of it, and read as its words. NULs inside a text make it binary.
        let rtf = decode(b"{\\rtf1\\ansi GNU General Public License\\par\r\n}\r\n\x00").unwrap();
        assert_eq!(rtf.text, "GNU General Public License \n\n");
        assert!(decode(b"MIT\x00License\x00").is_none());
        assert!(decode(b"\x00\x00").is_none());
        let u16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("MIT".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&u16le).unwrap().text, "MIT");
    }
}
