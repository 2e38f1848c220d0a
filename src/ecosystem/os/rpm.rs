//! RPM packages: the SQLite database of a root filesystem in the tree
//! (`var/lib/rpm/rpmdb.sqlite`, `usr/lib/sysimage/rpm/rpmdb.sqlite`: Fedora, RHEL 9+,
//! openSUSE), read with SQLite opened read-only and `immutable` (no lock, no journal, no
//! write to the tree), one RPM header blob per row of `Packages`.
//!
//! A header blob is rpm's header without its magic: the index count and data size (both
//! big-endian u32), that many 16-byte index entries (tag, type, offset, count) and the data
//! store. Everything in it comes from the tree, so every offset and count is checked
//! against the blob before it is used ([`Header`]). purls as Syft and Trivy write them:
//! `pkg:rpm/<distro>/<name>@<version>-<release>?arch=&epoch=&distro=&upstream=<srpm>`.
//!
//! The License tag is SPDX on Fedora since 2023 and on newer RHEL; older packages use
//! Fedora's legacy short names (`GPLv2+`, `ASL 2.0`): the common ones are read as SPDX by a
//! small table ([`fedora_legacy`]) with a note, anything else is kept as declared and marked
//! for review. The Berkeley DB (`Packages`) and NDB (`Packages.db`) formats are not read:
//! [`super::super::unsupported`] says so.

use std::path::Path;

use super::{os_release, os_root, Installed};
use crate::ecosystem::{Collector, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem as Eco, Scope};

/// Where rpm keeps its SQLite database, relative to the OS root.
const DATABASES: &[&str] = &[
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
];
/// Largest database file opened (a full Fedora workstation's is ~100 MiB).
const MAX_DB_BYTES: u64 = 1 << 30;
/// Largest header blob read (a big package's file list is a few MiB).
const MAX_HEADER_BYTES: usize = 64 << 20;
/// Packages read from one database.
const MAX_PACKAGES: usize = 100_000;
/// Index entries and array elements in one header.
const MAX_ENTRIES: usize = 1 << 20;

const NAME: u32 = 1000;
const VERSION: u32 = 1001;
const RELEASE: u32 = 1002;
const EPOCH: u32 = 1003;
const VENDOR: u32 = 1011;
const LICENSE: u32 = 1014;
const URL: u32 = 1020;
const ARCH: u32 = 1022;
const SOURCERPM: u32 = 1044;
const PROVIDENAME: u32 = 1047;
const REQUIRENAME: u32 = 1049;
const DIRINDEXES: u32 = 1116;
const BASENAMES: u32 = 1117;
const DIRNAMES: u32 = 1118;

const INT32: u32 = 4;
const STRING: u32 = 6;
const STRING_ARRAY: u32 = 8;
const I18NSTRING: u32 = 9;

pub const ECOSYSTEM: crate::ecosystem::Ecosystem = crate::ecosystem::Ecosystem {
    name: "rpm",
    is_manifest: is_database,
    dependency_dirs: &[],
    discover,
};

/// Whether `name` in `dir` is an rpm SQLite database (the walk records it though it is
/// binary).
pub fn is_database(name: &str, dir: &str) -> bool {
    name == "rpmdb.sqlite"
        && DATABASES
            .iter()
            .any(|d| os_root(&crate::relpath::child(dir, name), d).is_some())
}

/// One header, checked: every entry's data lies inside the data store.
pub struct Header<'a> {
    entries: Vec<[u32; 4]>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

impl<'a> Header<'a> {
    pub fn parse(blob: &'a [u8]) -> Result<Self, String> {
        let il = be32(blob, 0).ok_or("shorter than a header")? as usize;
        let dl = be32(blob, 4).ok_or("shorter than a header")? as usize;
        if il > MAX_ENTRIES {
            return Err(format!("{il} index entries"));
        }
        let start = il
            .checked_mul(16)
            .and_then(|n| n.checked_add(8))
            .ok_or("index size overflows")?;
        let end = start.checked_add(dl).ok_or("data size overflows")?;
        if end > blob.len() {
            return Err(format!(
                "index and data ({end} bytes) longer than the blob ({})",
                blob.len()
            ));
        }
        let mut entries = Vec::with_capacity(il);
        for i in 0..il {
            let at = 8 + i * 16;
            let e = [
                be32(blob, at).unwrap_or(0),
                be32(blob, at + 4).unwrap_or(0),
                be32(blob, at + 8).unwrap_or(u32::MAX),
                be32(blob, at + 12).unwrap_or(0),
            ];
            entries.push(e);
        }
        Ok(Header {
            entries,
            data: &blob[start..end],
        })
    }

    fn entry(&self, tag: u32) -> Option<[u32; 4]> {
        self.entries.iter().find(|e| e[0] == tag).copied()
    }

    /// The strings of an entry (a STRING, the first of an I18N string, every one of a
    /// STRING_ARRAY), each ended by a NUL inside the data store.
    pub fn strings(&self, tag: u32) -> Vec<String> {
        let Some([_, ty, off, count]) = self.entry(tag) else {
            return Vec::new();
        };
        let n = match ty {
            STRING => 1,
            I18NSTRING => 1.min(count as usize),
            STRING_ARRAY => (count as usize).min(MAX_ENTRIES),
            _ => return Vec::new(),
        };
        let mut out = Vec::with_capacity(n);
        let mut at = off as usize;
        for _ in 0..n {
            let Some(rest) = self.data.get(at..) else {
                break;
            };
            let Some(len) = memchr::memchr(0, rest) else {
                break;
            };
            out.push(String::from_utf8_lossy(&rest[..len]).into_owned());
            at += len + 1;
        }
        out
    }

    pub fn string(&self, tag: u32) -> Option<String> {
        self.strings(tag)
            .into_iter()
            .next()
            .filter(|s| !s.is_empty())
    }

    pub fn int32s(&self, tag: u32) -> Vec<u32> {
        let Some([_, ty, off, count]) = self.entry(tag) else {
            return Vec::new();
        };
        if ty != INT32 || count as usize > MAX_ENTRIES {
            return Vec::new();
        }
        (0..count as usize)
            .map_while(|i| be32(self.data, (off as usize).checked_add(i * 4)?))
            .collect()
    }
}

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut c = Collector::default();
    for rel in ctx.manifests {
        if let Some(os) = DATABASES.iter().find_map(|d| os_root(rel, d)) {
            one_root(ctx, os, rel, &mut c);
        }
    }
    c.finish()
}

/// The header blobs of a database, opened so that nothing is written: read-only,
/// `immutable=1` (no locks, no WAL or journal files made beside it).
fn read_blobs(path: &Path) -> Result<Vec<Vec<u8>>, String> {
    use rusqlite::OpenFlags;
    let mut uri = String::from("file:");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    // SQLite reads the file, not `cache::reads`: its stat is noted first.
    crate::cache::reads::will_read(path);
    #[allow(clippy::disallowed_methods)]
    let conn = rusqlite::Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open: {e}"))?;
    // A crafted database could make a query run for ever: give up after ~1e9 steps.
    let mut steps = 0u32;
    let _ = conn.progress_handler(
        100_000,
        Some(move || {
            steps += 1;
            steps > 10_000
        }),
    );
    let mut stmt = conn
        .prepare("SELECT blob FROM Packages ORDER BY hnum")
        .map_err(|e| format!("not an rpm database: {e}"))?;
    let mut rows = stmt.query([]).map_err(|e| format!("cannot read: {e}"))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| format!("cannot read: {e}"))? {
        if out.len() >= MAX_PACKAGES {
            break;
        }
        let blob = row.get_ref(0).map_err(|e| e.to_string())?;
        let bytes = blob.as_blob().map_err(|e| e.to_string())?;
        if bytes.len() <= MAX_HEADER_BYTES {
            out.push(bytes.to_vec());
        } else {
            out.push(Vec::new());
        }
    }
    Ok(out)
}

struct Pkg {
    name: String,
    version: String,
    release: String,
    epoch: Option<u32>,
    arch: Option<String>,
    license: Option<String>,
    vendor: Option<String>,
    url: Option<String>,
    source: Option<String>,
    provides: Vec<String>,
    requires: Vec<String>,
    files: Vec<String>,
}

fn package(h: &Header<'_>) -> Option<Pkg> {
    let name = h.string(NAME)?;
    let version = h.string(VERSION)?;
    let release = h.string(RELEASE).unwrap_or_default();
    let dirs = h.strings(DIRNAMES);
    let idx = h.int32s(DIRINDEXES);
    let files = h
        .strings(BASENAMES)
        .into_iter()
        .zip(idx)
        .filter_map(|(b, i)| dirs.get(i as usize).map(|d| format!("{d}{b}")))
        .collect();
    Some(Pkg {
        name,
        version,
        release,
        epoch: h.int32s(EPOCH).first().copied(),
        arch: h.string(ARCH),
        license: h.string(LICENSE),
        vendor: h.string(VENDOR),
        url: h.string(URL),
        source: h.string(SOURCERPM),
        provides: h.strings(PROVIDENAME),
        requires: h.strings(REQUIRENAME),
        files,
    })
}

fn valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-._~^".contains(c))
}

fn one_root(ctx: &Context<'_>, os: &str, rel: &str, c: &mut Collector) {
    let diags = &mut c.found.diagnostics;
    let Some(path) =
        crate::relpath::under(ctx.root, rel).filter(|p| crate::relpath::stays_inside(ctx.root, p))
    else {
        diags.push(Diagnostic::warning(
            Some(rel.to_string()),
            "a symbolic link out of the scan root; not read",
        ));
        return;
    };
    match crate::cache::reads::metadata(&path) {
        Ok(m) if m.len() > MAX_DB_BYTES => {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!(
                    "{} MiB, over the limit for an rpm database; not read",
                    m.len() >> 20
                ),
            ));
            return;
        }
        Ok(_) => {}
        Err(e) => {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!("cannot read: {e}"),
            ));
            return;
        }
    }
    let blobs = match read_blobs(&path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!("rpm database (SQLite): {e}; its packages are missing from this inventory"),
            ));
            return;
        }
    };
    let distro = os_release(ctx, os, diags);
    let mut installed = Installed::new(ctx.root, os);
    let namespace = match distro.id.as_deref() {
        Some("rhel") => "redhat".to_string(),
        Some(id) => id.to_string(),
        None => "rpm".to_string(),
    };
    let mut bad = 0usize;
    let mut pkgs = Vec::new();
    for b in &blobs {
        match Header::parse(b).ok().and_then(|h| package(&h)) {
            // Imported signing keys are rows too, not packages.
            Some(p) if p.name == "gpg-pubkey" => {}
            Some(p)
                if valid(&p.name)
                    && valid(&p.version)
                    && (p.release.is_empty() || valid(&p.release)) =>
            {
                pkgs.push(p)
            }
            _ => bad += 1,
        }
    }
    let diags = &mut c.found.diagnostics;
    if bad > 0 {
        diags.push(Diagnostic::warning(
            Some(rel.to_string()),
            format!("{bad} rpm header(s) unreadable or without a valid name and version; skipped"),
        ));
    }
    let mut refs = Vec::with_capacity(pkgs.len());
    for p in &pkgs {
        let mut purl = packageurl::PackageUrl::new("rpm", p.name.as_str()).expect("valid name");
        let _ = purl.with_namespace(namespace.clone());
        let version = if p.release.is_empty() {
            p.version.clone()
        } else {
            format!("{}-{}", p.version, p.release)
        };
        let _ = purl.with_version(version.clone());
        if let Some(a) = &p.arch {
            let _ = purl.add_qualifier("arch", a.clone());
        }
        if let Some(e) = p.epoch.filter(|e| *e > 0) {
            let _ = purl.add_qualifier("epoch", e.to_string());
        }
        if let Some(d) = distro.qualifier() {
            let _ = purl.add_qualifier("distro", d);
        }
        if let Some(s) = p.source.as_ref().filter(|s| s.len() <= 300) {
            let _ = purl.add_qualifier("upstream", s.clone());
        }
        let purl = purl.to_string();
        let mut notes = Vec::new();
        let mut review = Vec::new();
        let declared_raw = p.license.as_ref().map(|l| match fedora_legacy(l) {
            Some(spdx) if spdx != *l => {
                notes.push(format!("RPM license `{l}` (Fedora's legacy names) read as `{spdx}`"));
                spdx
            }
            Some(spdx) => spdx,
            None => {
                review.push(format!(
                    "RPM license `{l}` is neither SPDX nor a known Fedora legacy name: kept as declared"
                ));
                l.clone()
            }
        });
        let comp = Component {
            bom_ref: purl.clone(),
            name: p.name.clone(),
            version: Some(match p.epoch.filter(|e| *e > 0) {
                Some(e) => format!("{e}:{version}"),
                None => version,
            }),
            purl: Some(purl),
            ecosystem: Eco::from_name("rpm"),
            declared_raw,
            scope: Some(Scope::Required),
            supplier: p.vendor.clone(),
            homepage: p.url.clone().filter(|u| u.starts_with("http")),
            notes,
            review,
            ..Default::default()
        };
        // Requires name no architecture: the first package that provides a name is the one.
        let names = std::iter::once(p.name.as_str()).chain(p.provides.iter().map(String::as_str));
        let files = p.files.iter().map(String::as_str);
        refs.push(installed.add(c, comp, "", names, files));
    }
    for (p, r) in pkgs.iter().zip(&refs) {
        for d in p.requires.iter().filter(|d| !d.starts_with("rpmlib(")) {
            installed.depend(c, r, &[(d.clone(), None)], None);
        }
    }
    c.found.diagnostics.push(Diagnostic::info(
        Some(rel.to_string()),
        format!(
            "{} rpm package(s) installed ({})",
            pkgs.len(),
            distro
                .qualifier()
                .unwrap_or_else(|| "no etc/os-release".into())
        ),
    ));
}

/// Fedora's legacy short license names (before its 2023 move to SPDX) that have one SPDX
/// reading. Names with several readings (`BSD`, `LGPLv2`: 2.0 or 2.1) are left out: a
/// reviewer decides them.
const LEGACY: &[(&str, &str)] = &[
    ("GPL+", "GPL-1.0-or-later"),
    ("GPLv2", "GPL-2.0-only"),
    ("GPLv2+", "GPL-2.0-or-later"),
    ("GPLv3", "GPL-3.0-only"),
    ("GPLv3+", "GPL-3.0-or-later"),
    ("LGPLv2.1", "LGPL-2.1-only"),
    ("LGPLv2.1+", "LGPL-2.1-or-later"),
    ("LGPLv3", "LGPL-3.0-only"),
    ("LGPLv3+", "LGPL-3.0-or-later"),
    ("AGPLv3", "AGPL-3.0-only"),
    ("AGPLv3+", "AGPL-3.0-or-later"),
    ("ASL 1.1", "Apache-1.1"),
    ("ASL 2.0", "Apache-2.0"),
    ("MPLv1.1", "MPL-1.1"),
    ("MPLv2.0", "MPL-2.0"),
    ("Artistic 2.0", "Artistic-2.0"),
    ("Artistic clarified", "ClArtistic"),
    ("Boost", "BSL-1.0"),
    ("zlib", "Zlib"),
    ("CC0", "CC0-1.0"),
    ("OpenLDAP", "OLDAP-2.8"),
    ("Vim", "Vim"),
    ("UCD", "Unicode-DFS-2016"),
];

/// An RPM License tag as an SPDX expression: as it is when it already parses as one,
/// else with every term a known Fedora legacy name (joined by `and`/`or`, in
/// parentheses) replaced. None when some term is neither.
pub fn fedora_legacy(l: &str) -> Option<String> {
    if spdx::Expression::parse(l).is_ok() {
        return Some(l.to_string());
    }
    // Terms between operators and parentheses; legacy names contain spaces.
    let mut out = String::new();
    let mut term = String::new();
    let flush = |term: &mut String, out: &mut String| -> Option<()> {
        let t = term.trim();
        if !t.is_empty() {
            let id = LEGACY
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(t))
                .map(|(_, v)| v.to_string())
                .or_else(|| spdx::license_id(t).map(|_| t.to_string()))?;
            out.push_str(&id);
        }
        term.clear();
        Some(())
    };
    let words: Vec<&str> = l.split_inclusive([' ', '(', ')']).collect();
    for w in words {
        let bare = w.trim();
        match bare.to_ascii_lowercase().as_str() {
            "and" | "or" => {
                flush(&mut term, &mut out)?;
                out.push_str(&format!(" {} ", bare.to_ascii_uppercase()));
            }
            "(" => {
                flush(&mut term, &mut out)?;
                out.push('(');
            }
            _ if w.ends_with(')') => {
                term.push_str(w.trim_end_matches(')'));
                flush(&mut term, &mut out)?;
                out.push(')');
            }
            _ if w.ends_with('(') => {
                term.push_str(w.trim_end_matches('('));
                flush(&mut term, &mut out)?;
                out.push('(');
            }
            _ => term.push_str(w),
        }
    }
    flush(&mut term, &mut out)?;
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let out = out.replace("( ", "(").replace(" )", ")");
    spdx::Expression::parse(&out).ok().map(|_| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_fedora_names_become_spdx() {
        assert_eq!(fedora_legacy("GPLv2+").as_deref(), Some("GPL-2.0-or-later"));
        assert_eq!(
            fedora_legacy("GPLv2+ and ASL 2.0").as_deref(),
            Some("GPL-2.0-or-later AND Apache-2.0")
        );
        assert_eq!(
            fedora_legacy("(GPLv3+ or LGPLv3+) and MIT").as_deref(),
            Some("(GPL-3.0-or-later OR LGPL-3.0-or-later) AND MIT")
        );
        assert_eq!(
            fedora_legacy("MIT AND (Apache-2.0 OR BSD-3-Clause)").as_deref(),
            Some("MIT AND (Apache-2.0 OR BSD-3-Clause)")
        );
        assert_eq!(fedora_legacy("BSD"), None, "ambiguous: left for review");
        assert_eq!(fedora_legacy("GPLv2 with exceptions"), None);
    }

    fn blob(entries: &[[u32; 4]], data: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend((entries.len() as u32).to_be_bytes());
        b.extend((data.len() as u32).to_be_bytes());
        for e in entries {
            for v in e {
                b.extend(v.to_be_bytes());
            }
        }
        b.extend(data);
        b
    }

    #[test]
    fn headers_are_bounds_checked() {
        let data = b"zlib\x001.2\x00\x00\x00\x00\x07";
        let ok = blob(
            &[
                [NAME, STRING, 0, 1],
                [VERSION, STRING, 5, 1],
                [EPOCH, INT32, 9, 1],
            ],
            data,
        );
        let h = Header::parse(&ok).unwrap();
        assert_eq!(h.string(NAME).as_deref(), Some("zlib"));
        assert_eq!(h.int32s(EPOCH), [7]);
        // Offsets past the data, counts past the end, a string without its NUL.
        let bad = blob(
            &[
                [NAME, STRING, 1000, 1],
                [EPOCH, INT32, 8, 1000],
                [VERSION, STRING_ARRAY, 10, 5],
            ],
            b"abcdefghijk",
        );
        let h = Header::parse(&bad).unwrap();
        assert_eq!(h.string(NAME), None);
        assert!(h.int32s(EPOCH).len() <= 1);
        assert!(h.strings(VERSION).is_empty());
        assert!(Header::parse(&[0, 0, 0, 9, 0, 0, 0, 0]).is_err());
        assert!(Header::parse(&[0xff; 8]).is_err());
        assert!(Header::parse(&[1, 2]).is_err());
    }
}
