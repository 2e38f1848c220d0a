//! `ospo scan`: walk the tree, read each file once, detect, and assemble the [`Scan`].
//!
//! The parallelism is the walker's: every walker thread runs its own [`Worker`] (its own
//! read buffer, its own records), so nothing is shared on the hot path but the match cache
//! of license texts. A file is read once, only as far as detection needs; hashes are
//! computed only for the files that end up in the result.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Result;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::detect::{self, Cache};
use crate::model::{Diagnostic, FileClass, FileRecord, Scan, Summary, Tool};
use crate::walk::{self, Entry, WalkOptions};

/// Source files are examined this far (their header and tags live near the top).
pub const TEXT_READ_LIMIT: u64 = 1 << 20;
/// License files and READMEs are read whole up to this size.
pub const LICENSE_READ_LIMIT: u64 = 8 << 20;
/// Files above this size get a note that only their start was examined.
pub const HUGE_FILE: u64 = 64 << 20;

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub walk: WalkOptions,
    /// Show a progress bar on stderr (only honoured when stderr is a terminal).
    pub progress: bool,
    /// Find components and conclude their licenses (stages 3 and 4).
    pub components: bool,
    /// Read package caches outside the tree (cargo registry sources, Go module cache).
    pub use_local_caches: bool,
}

impl ScanOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ScanOptions {
            walk: WalkOptions::new(root),
            progress: false,
            components: true,
            use_local_caches: true,
        }
    }
}

#[derive(Default)]
struct Totals {
    files: AtomicU64,
    bytes: AtomicU64,
    binary: AtomicU64,
    skipped: AtomicU64,
}

struct Shared {
    cache: Cache,
    totals: Totals,
    records: Mutex<Vec<FileRecord>>,
    diagnostics: Mutex<Vec<Diagnostic>>,
    progress: Option<indicatif::ProgressBar>,
}

/// One walker thread's state; flushes into [`Shared`] when dropped.
struct Worker {
    shared: Arc<Shared>,
    buf: Vec<u8>,
    records: Vec<FileRecord>,
    diagnostics: Vec<Diagnostic>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shared
            .records
            .lock()
            .unwrap()
            .append(&mut self.records);
        self.shared
            .diagnostics
            .lock()
            .unwrap()
            .append(&mut self.diagnostics);
    }
}

pub fn scan(opts: &ScanOptions) -> Result<Scan> {
    let started = Instant::now();
    // Load the license database while the walk starts.
    crate::licensedb::prefetch();
    let progress =
        (opts.progress && std::io::IsTerminal::is_terminal(&std::io::stderr())).then(|| {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {pos} files scanned {msg} [{elapsed}]",
                )
                .expect("valid template"),
            );
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            pb
        });
    let shared = Shared {
        cache: Cache::default(),
        totals: Totals::default(),
        records: Mutex::new(Vec::new()),
        diagnostics: Mutex::new(Vec::new()),
        progress,
    };
    let shared = Arc::new(shared);
    run_walk(&shared, &opts.walk)?;
    // Dependency directories ship with the product even where .gitignore lists them:
    // walk those the first walk skipped, with the ignore rules off.
    if !opts.walk.no_ignore && opts.walk.root.is_dir() {
        let seen: Vec<String> = shared
            .records
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.path.clone())
            .collect();
        for dir in skipped_dependency_dirs(&opts.walk.root, &seen) {
            if walk::is_excluded(&opts.walk, &dir) {
                continue;
            }
            let mut sub = opts.walk.clone();
            sub.base = Some(opts.walk.root.clone());
            sub.root = opts.walk.root.join(&dir);
            sub.no_ignore = true;
            run_walk(&shared, &sub)?;
        }
    }
    // Every visitor (and its clone of `shared`) was dropped when the walks joined.
    let shared =
        Arc::try_unwrap(shared).unwrap_or_else(|_| unreachable!("walker threads still running"));
    if let Some(pb) = &shared.progress {
        pb.finish_and_clear();
    }

    let mut records = shared.records.into_inner().unwrap();
    let mut diagnostics = shared.diagnostics.into_inner().unwrap();
    records.sort_by(|a, b| a.path.cmp(&b.path));
    diagnostics.sort();
    let t = &shared.totals;
    let summary = Summary {
        files_scanned: t.files.load(Relaxed),
        bytes_scanned: t.bytes.load(Relaxed),
        files_with_licenses: records.iter().filter(|r| !r.licenses.is_empty()).count() as u64,
        files_with_copyrights: records.iter().filter(|r| !r.copyrights.is_empty()).count() as u64,
        binary_files: t.binary.load(Relaxed),
        skipped_files: t.skipped.load(Relaxed),
        elapsed_ms: Some(started.elapsed().as_millis() as u64),
    };
    let mut scan = Scan {
        format_version: crate::model::SCAN_FORMAT_VERSION,
        tool: Tool::current(),
        root: opts.walk.root.to_string_lossy().into_owned(),
        summary,
        project: None,
        files: records,
        components: Vec::new(),
        dependencies: Vec::new(),
        diagnostics,
    };
    if opts.components {
        crate::resolve::components(&mut scan, &opts.walk.root, opts.use_local_caches);
    }
    scan.normalize();
    Ok(scan)
}

impl Worker {
    fn visit(&mut self, entry: Entry<'_>) {
        match entry {
            Entry::Problem(d) => {
                self.shared.totals.skipped.fetch_add(1, Relaxed);
                self.diagnostics.push(d);
            }
            Entry::File { path, rel } => {
                if let Some(pb) = &self.shared.progress {
                    pb.inc(1);
                }
                // A bug in a detector must cost one file, not the scan.
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.file(path, rel.clone())
                }));
                let problem = match outcome {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(format!("cannot read: {e}")),
                    Err(panic) => Some(format!(
                        "internal error while examining this file (skipped): {}",
                        panic_message(&panic)
                    )),
                };
                if let Some(message) = problem {
                    self.shared.totals.skipped.fetch_add(1, Relaxed);
                    self.diagnostics
                        .push(Diagnostic::warning(Some(rel), message));
                }
            }
        }
    }

    fn file(&mut self, path: &Path, rel: String) -> std::io::Result<()> {
        let class = walk::classify_name(&rel);
        let limit = match class {
            Some(FileClass::License | FileClass::Readme | FileClass::Manifest) => {
                LICENSE_READ_LIMIT
            }
            _ => TEXT_READ_LIMIT,
        };
        let mut file = std::fs::File::open(path)?;
        self.buf.clear();
        (&mut file).take(limit).read_to_end(&mut self.buf)?;
        // A read that stopped short of the limit saw the whole file; only a longer file
        // needs a stat for its size.
        let size = if (self.buf.len() as u64) < limit {
            self.buf.len() as u64
        } else {
            file.metadata()?.len()
        };
        let totals = &self.shared.totals;
        totals.files.fetch_add(1, Relaxed);
        totals.bytes.fetch_add(size, Relaxed);
        if rel.contains('\u{FFFD}') {
            self.diagnostics.push(Diagnostic::info(
                Some(rel.clone()),
                "file name is not valid UTF-8; shown lossily",
            ));
        }
        if size > HUGE_FILE {
            self.diagnostics.push(Diagnostic::info(
                Some(rel.clone()),
                format!(
                    "large file ({} MiB): only the first {} KiB were examined, and it is not hashed",
                    size >> 20,
                    limit >> 10
                ),
            ));
        }

        // Source files: only the header and any SPDX tag matter, so unless the file has a
        // tag only its head is decoded (no copy or validation of the rest).
        let head_only = class.is_none()
            && memchr::memmem::find(&self.buf, b"SPDX-").is_none()
            && !is_binary(&self.buf);
        let bytes = if head_only {
            head(&self.buf, detect::HEADER_LINES)
        } else {
            &self.buf[..]
        };
        let Some(decoded) = decode(bytes) else {
            totals.binary.fetch_add(1, Relaxed);
            if matches!(class, Some(FileClass::License)) {
                self.diagnostics.push(Diagnostic::warning(
                    Some(rel),
                    "license file is binary; not examined",
                ));
            }
            return Ok(());
        };
        if decoded.latin1 {
            self.diagnostics.push(Diagnostic::info(
                Some(rel.clone()),
                "content is not valid UTF-8; read as Latin-1",
            ));
        }
        // License files are always recorded and READMEs often: hash them first, so that
        // identical copies share one detection.
        let truncated = (self.buf.len() as u64) < size;
        // A multi-gigabyte file is not read to the end just for its hashes.
        let hashable = size <= HUGE_FILE;
        let early = match class {
            Some(FileClass::License | FileClass::Readme) if hashable => {
                Some(hashes(&self.buf, truncated, &mut file)?)
            }
            _ => None,
        };
        let findings = detect::detect(
            class,
            &decoded.text,
            &self.shared.cache,
            early.as_ref().map(|h| &h.2),
        );
        let keep =
            !findings.is_empty() || matches!(class, Some(FileClass::License | FileClass::Manifest));
        if !keep {
            return Ok(());
        }
        let (sha1, sha256) = match early {
            Some(h) => (Some(h.0), Some(h.1)),
            None if hashable => {
                let h = hashes(&self.buf, truncated, &mut file)?;
                (Some(h.0), Some(h.1))
            }
            None => (None, None),
        };
        self.records.push(FileRecord {
            path: rel,
            size,
            sha1,
            sha256,
            class: Some(class.unwrap_or(FileClass::Text)),
            licenses: findings.licenses,
            copyrights: findings.copyrights,
            unrecognized: findings.unrecognized,
            component: None,
        });
        Ok(())
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

fn run_walk(shared: &Arc<Shared>, opts: &WalkOptions) -> Result<()> {
    walk::walk(opts, || -> walk::Visitor {
        let mut worker = Worker {
            shared: shared.clone(),
            buf: Vec::with_capacity(64 << 10),
            records: Vec::new(),
            diagnostics: Vec::new(),
        };
        Box::new(move |entry: Entry<'_>| worker.visit(entry))
    })
}

/// Directories of installed dependencies (node_modules, a Cargo/Go `vendor/`, a
/// virtualenv) beside a manifest, that exist on disk but that the walk did not enter.
pub fn skipped_dependency_dirs(root: &Path, seen: &[String]) -> Vec<String> {
    let mut manifest_dirs: Vec<&str> = vec![""];
    for p in seen {
        if walk::classify_name(p) == Some(FileClass::Manifest) {
            manifest_dirs.push(crate::ecosystem::dir_of(p));
        }
    }
    manifest_dirs.sort();
    manifest_dirs.dedup();
    let mut out = Vec::new();
    for d in manifest_dirs {
        for sub in ["node_modules", "vendor", ".venv", "venv", "site-packages"] {
            let rel = if d.is_empty() {
                sub.to_string()
            } else {
                format!("{d}/{sub}")
            };
            let prefix = format!("{rel}/");
            // Inside a dependency directory already: its own nested ones were walked.
            if ["node_modules/", "vendor/", ".venv/", "venv/"]
                .iter()
                .any(|n| d.contains(n) || d.starts_with(n.trim_end_matches('/')))
            {
                continue;
            }
            if root.join(&rel).is_dir() && !seen.iter().any(|p| p.starts_with(&prefix)) {
                out.push(rel);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The first `lines` lines of `bytes`.
fn head(bytes: &[u8], lines: usize) -> &[u8] {
    let mut end = 0;
    for _ in 0..lines {
        match memchr::memchr(b'\n', &bytes[end..]) {
            Some(i) => end += i + 1,
            None => return bytes,
        }
    }
    &bytes[..end]
}

/// SHA-1 and SHA-256 (hex, and the raw SHA-256) of the whole file: `head` was read
/// already, the rest is streamed.
fn hashes(
    head: &[u8],
    truncated: bool,
    rest: &mut std::fs::File,
) -> std::io::Result<(String, String, [u8; 32])> {
    let mut s1 = Sha1::new();
    let mut s256 = Sha256::new();
    s1.update(head);
    s256.update(head);
    if truncated {
        let mut chunk = vec![0u8; 1 << 20];
        loop {
            let n = rest.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            s1.update(&chunk[..n]);
            s256.update(&chunk[..n]);
        }
    }
    let sha256: [u8; 32] = s256.finalize().into();
    Ok((hex::encode(s1.finalize()), hex::encode(sha256), sha256))
}

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
