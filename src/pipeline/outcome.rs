//! What examining one file produced, apart from its path: the unit the result cache stores.
//!
//! A cold examination builds an [`Outcome`] and the walk applies it; a cache hit applies a
//! stored one the same way, so a warm scan cannot differ from a cold one. Everything in
//! it is a function of the file's bytes, its name class and whether its name is prose
//! (see `cache::content_key`), never of its path, so one outcome serves every copy of a
//! file, on any machine. A stored outcome may come from a corrupt file or a hostile
//! database: [`Outcome::decode`] bounds it and checks it against what is known of the
//! file before it is used.

use serde::{Deserialize, Serialize};

use crate::model::{FileClass, FileRecord, Severity, MAX_RECORDED_TEXT};

/// A stored outcome is never larger than this (a recorded license text and its findings),
/// compressed or not.
pub const MAX_ENCODED: usize = (MAX_RECORDED_TEXT as usize) * 4 + (1 << 20);

/// Outcomes longer than this are stored compressed (zstd, level 1). Nine in ten are a
/// size alone, and a compressed frame of a few bytes is longer than its text; the long
/// ones (a record's findings with their matched texts, a license file's whole text) are
/// 94% of the bytes and shrink about fivefold, so the local cache's file, its writes and
/// a warm rescan's read of it shrink with them.
const COMPRESS_OVER: usize = 512;

/// How a zstd frame starts; JSON never does.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
/// At most this many diagnostics of one file are taken from a stored outcome.
const MAX_DIAGNOSTICS: usize = 16;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Bytes of the file (counted in the summary).
    pub size: u64,
    /// Counted as a binary file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub binary: bool,
    /// SHA-256 (hex) of the whole file, for files that went through detection: what
    /// `--verify` re-hashes and what the shared cache is keyed by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The file's diagnostics, without their path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<(Severity, String)>,
    /// The file's record, with an empty path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<FileRecord>,
    /// The license text recorded under the record's SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// What is known of a file before its stored outcome is trusted.
pub struct Expect<'a> {
    pub size: u64,
    pub class: Option<FileClass>,
    /// The content hash the outcome was looked up by (shared cache, --verify).
    pub content: Option<&'a str>,
}

impl Outcome {
    pub fn encode(&self) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("an outcome serializes");
        if json.len() <= COMPRESS_OVER {
            return json;
        }
        // One compressor per thread: making one per call (its tables allocated and
        // cleared) cost more than the compression.
        thread_local! {
            static PACK: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
                const { std::cell::RefCell::new(None) };
        }
        PACK.with(|c| {
            let mut c = c.borrow_mut();
            if c.is_none() {
                *c = zstd::bulk::Compressor::new(1).ok();
            }
            // Compressing a slice in memory fails only when memory does.
            c.as_mut().and_then(|c| c.compress(&json).ok())
        })
        .unwrap_or(json)
    }

    /// A stored outcome, if it is well formed and agrees with `expect`; None otherwise
    /// (the file is then examined as if nothing were stored).
    pub fn decode(bytes: &[u8], expect: &Expect<'_>) -> Option<Outcome> {
        Outcome::parse(bytes).filter(|o| o.agrees(expect))
    }

    /// A stored outcome, if it is well formed (bounded); not yet checked ([`Outcome::agrees`]).
    pub fn parse(bytes: &[u8]) -> Option<Outcome> {
        if bytes.len() > MAX_ENCODED {
            return None;
        }
        // Three files in four are only their size (no keyword, nothing recorded), often
        // binary: `{"size":N}` and `{"size":N,"binary":true}` are read here, to the same
        // Outcome serde would make (the general parse was 4% of a warm rescan).
        if let Some(o) = Self::parse_plain(bytes) {
            return Some(o);
        }
        if bytes.starts_with(&ZSTD_MAGIC) {
            // Bounded: a frame that would unpack past the limit is refused, not unpacked.
            thread_local! {
                static UNPACK: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
                    const { std::cell::RefCell::new(None) };
            }
            let json = UNPACK.with(|d| {
                let mut d = d.borrow_mut();
                if d.is_none() {
                    *d = zstd::bulk::Decompressor::new().ok();
                }
                d.as_mut()?.decompress(bytes, MAX_ENCODED).ok()
            })?;
            return serde_json::from_slice(&json).ok();
        }
        serde_json::from_slice(bytes).ok()
    }

    /// `{"size":N}` or `{"size":N,"binary":true}`, exactly as [`Outcome::encode`] writes
    /// them (N without leading zeros, within u64); None for anything else.
    fn parse_plain(bytes: &[u8]) -> Option<Outcome> {
        let rest = bytes.strip_prefix(b"{\"size\":")?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 20 || (digits > 1 && rest[0] == b'0') {
            return None;
        }
        let size: u64 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
        let binary = match &rest[digits..] {
            b"}" => false,
            b",\"binary\":true}" => true,
            _ => return None,
        };
        Some(Outcome {
            size,
            binary,
            ..Default::default()
        })
    }

    /// Whether this outcome fits what is known of the file. The name class is only
    /// compared with a record's: an outcome without one agrees whatever `e.class` is
    /// (a caller may leave the class unknown then, see `pipeline::files`).
    pub fn agrees(&self, e: &Expect<'_>) -> bool {
        if self.size != e.size || self.diagnostics.len() > MAX_DIAGNOSTICS {
            return false;
        }
        if self.diagnostics.iter().any(|(_, m)| m.len() > 1024) {
            return false;
        }
        let hex_ok = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
        if let Some(c) = &self.content {
            if !hex_ok(c) {
                return false;
            }
        }
        if e.content.is_some() && self.content.as_deref() != e.content {
            return false;
        }
        if let Some(r) = &self.record {
            // A record is always of the file's own class (Text for an unnamed file).
            let class_ok = r.class == Some(e.class.unwrap_or(FileClass::Text));
            if !r.path.is_empty() || r.component.is_some() || r.size != self.size || !class_ok {
                return false;
            }
            if let (Some(c), Some(s)) = (&self.content, &r.sha256) {
                if c != s {
                    return false;
                }
            }
            if r.sha1.as_deref().is_some_and(|h| h.len() != 40) {
                return false;
            }
        }
        match (&self.text, &self.record) {
            (None, _) => true,
            (Some(t), Some(r)) => {
                r.class == Some(FileClass::License)
                    && r.sha256.is_some()
                    && t.len() as u64 <= MAX_RECORDED_TEXT * 2
            }
            (Some(_), None) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examined() -> Outcome {
        let h = "ab".repeat(32);
        Outcome {
            size: 10,
            content: Some(h.clone()),
            record: Some(FileRecord {
                size: 10,
                sha1: Some("cd".repeat(20)),
                sha256: Some(h),
                class: Some(FileClass::License),
                ..Default::default()
            }),
            text: Some("MIT License".into()),
            ..Default::default()
        }
    }

    #[test]
    fn round_trip_and_checks() {
        let o = examined();
        let e = Expect {
            size: 10,
            class: Some(FileClass::License),
            content: None,
        };
        assert_eq!(Outcome::decode(&o.encode(), &e), Some(o.clone()));
        // Another size, another class, another content hash: not this file's outcome.
        let wrong_size = Expect { size: 11, ..e };
        assert_eq!(Outcome::decode(&o.encode(), &wrong_size), None);
        let wrong_class = Expect {
            size: 10,
            class: None,
            content: None,
        };
        assert_eq!(Outcome::decode(&o.encode(), &wrong_class), None);
        let other = "ef".repeat(32);
        let wrong_content = Expect {
            size: 10,
            class: Some(FileClass::License),
            content: Some(&other),
        };
        assert_eq!(Outcome::decode(&o.encode(), &wrong_content), None);
        // Junk and a record that names a path are refused.
        let e = Expect {
            size: 10,
            class: Some(FileClass::License),
            content: None,
        };
        assert_eq!(Outcome::decode(b"\x00junk", &e), None);
        let mut named = examined();
        named.record.as_mut().unwrap().path = "../etc/passwd".into();
        assert_eq!(Outcome::decode(&named.encode(), &e), None);
    }

    #[test]
    fn long_outcomes_are_stored_compressed_and_read_back_bounded() {
        // A license file's outcome: its whole text (the MIT text from tests/fixtures).
        let mit = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/licenses/mit-carl-lerche.LICENSE"
        ))
        .unwrap();
        let mut o = examined();
        o.text = Some(mit.repeat(4));
        let bytes = o.encode();
        assert!(bytes.starts_with(&ZSTD_MAGIC));
        assert!(bytes.len() * 3 < serde_json::to_vec(&o).unwrap().len());
        assert_eq!(Outcome::parse(&bytes), Some(o.clone()));
        // An outcome stored before compression (plain JSON) still reads.
        assert_eq!(Outcome::parse(&serde_json::to_vec(&o).unwrap()), Some(o));
        // Short ones stay JSON.
        assert!(examined().encode().starts_with(b"{"));
        // A frame that unpacks past the bound is refused without being unpacked, and a
        // damaged frame is junk.
        let bomb = zstd::bulk::compress(&vec![b' '; MAX_ENCODED + 1], 19).unwrap();
        assert!(bomb.len() < 4096);
        assert_eq!(Outcome::parse(&bomb), None);
        let mut damaged = bytes.clone();
        let mid = damaged.len() / 2;
        damaged.truncate(mid);
        assert_eq!(Outcome::parse(&damaged), None);
    }

    #[test]
    fn plain_outcomes_read_as_serde_reads_them() {
        for o in [
            Outcome::default(),
            Outcome {
                size: 1234,
                ..Default::default()
            },
            Outcome {
                size: u64::MAX,
                binary: true,
                ..Default::default()
            },
        ] {
            let bytes = o.encode();
            assert!(Outcome::parse_plain(&bytes).is_some(), "{bytes:?}");
            assert_eq!(Outcome::parse(&bytes), Some(o.clone()));
            assert_eq!(serde_json::from_slice::<Outcome>(&bytes).ok(), Some(o));
        }
        // Anything else goes to serde, which decides (the same as before the fast path).
        for junk in [
            &b"{\"size\":01}"[..],
            b"{\"size\":}",
            b"{\"size\":18446744073709551616}",
            b"{\"size\":1,\"binary\":false}",
            b"{\"size\":1} ",
            b"{\"size\": 1}",
        ] {
            assert_eq!(Outcome::parse_plain(junk), None, "{junk:?}");
            assert_eq!(
                Outcome::parse(junk),
                serde_json::from_slice::<Outcome>(junk).ok(),
                "{junk:?}"
            );
        }
        // Without a record the class is not compared: any class agrees.
        let o = Outcome {
            size: 5,
            ..Default::default()
        };
        for class in [None, Some(FileClass::License), Some(FileClass::Manifest)] {
            let e = Expect {
                size: 5,
                class,
                content: None,
            };
            assert!(o.agrees(&e));
        }
    }
}
