//! Bytes to text, the one way every stage reads a file's content: UTF-8 (a BOM dropped),
//! UTF-16 with a byte-order mark, else Latin-1; binary content (a NUL byte near the start)
//! is not text at all. Line endings become `\n`, so line numbers mean the same everywhere.

pub struct Decoded {
    pub text: String,
    pub latin1: bool,
}

/// Bytes to text: UTF-8 (BOM dropped), UTF-16 with a BOM, else Latin-1; `None` when the
/// content is binary (a NUL byte in the first 8 KiB, as git and ripgrep decide).
/// Line endings become `\n`.
pub fn decode(bytes: &[u8]) -> Option<Decoded> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Some(Decoded {
            text: newlines(utf16(rest, u16::from_le_bytes)),
            latin1: false,
        });
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Some(Decoded {
            text: newlines(utf16(rest, u16::from_be_bytes)),
            latin1: false,
        });
    }
    if is_binary(bytes) {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, latin1) = match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        // A read cut inside a multi-byte character is still UTF-8.
        Err(e) if e.error_len().is_none() => (
            String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned(),
            false,
        ),
        Err(_) => (bytes.iter().map(|&b| b as char).collect(), true),
    };
    Some(Decoded {
        text: newlines(text),
        latin1,
    })
}

/// A NUL byte in the first 8 KiB (and no UTF-16 byte-order mark), as git and ripgrep decide.
pub fn is_binary(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return false;
    }
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

fn utf16(b: &[u8], f: fn([u8; 2]) -> u16) -> String {
    let units = b.chunks_exact(2).map(|c| f([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect()
}

fn newlines(s: String) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFMIT\r\nx").unwrap().text, "MIT\nx");
        let l1 = decode(b"Copyright \xA9 2001 J\xFCrgen").unwrap();
        assert!(l1.latin1);
        assert_eq!(l1.text, "Copyright © 2001 Jürgen");
        assert!(decode(b"\x7fELF\x00\x00").is_none());
        let u16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("MIT".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&u16le).unwrap().text, "MIT");
    }
}
