//! Stages 1 and 2: one walk of the tree that reads each file once, detects its license
//! evidence, and records what emitters will need of it, into a [`Scan`] of files.
//!
//! The parallelism is the walker's: every walker thread runs its own [`Worker`] (its own
//! read buffer, its own records), so nothing is shared on the hot path but the match cache
//! of license texts. A file is read once, only as far as detection needs; hashes are
//! computed only for the files that end up in the result. The text of every license file
//! (LICENSE, COPYING, NOTICE, `LICENSES/*` ...) up to [`MAX_RECORDED_TEXT`] is kept in
//! [`Scan::texts`] under its SHA-256, once however many copies the tree holds: notices,
//! reports and SBOMs print and quote it from there, never from the disk.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::detect::{self, Cache};
use crate::model::{Diagnostic, FileClass, FileRecord, Scan, Summary, Tool, MAX_RECORDED_TEXT};
use crate::text::decode;
use crate::walk::{self, Entry, WalkOptions};

/// Text files are examined this far: license evidence may stand anywhere in a file (the
/// end of a single-header library, a banner in a bundle).
pub const TEXT_READ_LIMIT: u64 = 64 << 20;
/// License files and READMEs are read whole up to this size.
pub const LICENSE_READ_LIMIT: u64 = 8 << 20;
/// Files above this size get a note that only their start was examined.
pub const HUGE_FILE: u64 = 64 << 20;
/// How much of a file tells whether it is binary (as `text::is_binary` looks).
const BINARY_SNIFF: u64 = 8192;

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
    texts: Mutex<BTreeMap<String, String>>,
    progress: Option<indicatif::ProgressBar>,
}

/// One walker thread's state; flushes into [`Shared`] when dropped.
struct Worker {
    shared: Arc<Shared>,
    buf: Vec<u8>,
    records: Vec<FileRecord>,
    diagnostics: Vec<Diagnostic>,
    /// (SHA-256, text) of the license files read, for [`Scan::texts`].
    texts: Vec<(String, String)>,
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
        self.shared
            .texts
            .lock()
            .unwrap()
            .extend(self.texts.drain(..));
    }
}

/// Walk `opts.root` once and examine every file: the Scan's files, summary, diagnostics
/// and recorded texts (no components yet, and no wall time).
pub fn scan(opts: &WalkOptions, progress: bool) -> Result<Scan> {
    // Load the license database while the walk starts.
    crate::licensedb::prefetch();
    let progress = (progress && std::io::IsTerminal::is_terminal(&std::io::stderr())).then(|| {
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
    let shared = Arc::new(Shared {
        cache: Cache::default(),
        totals: Totals::default(),
        records: Mutex::new(Vec::new()),
        diagnostics: Mutex::new(Vec::new()),
        texts: Mutex::new(BTreeMap::new()),
        progress,
    });
    walk::walk(opts, || -> walk::Visitor {
        let mut worker = Worker {
            shared: shared.clone(),
            buf: Vec::with_capacity(64 << 10),
            records: Vec::new(),
            diagnostics: Vec::new(),
            texts: Vec::new(),
        };
        Box::new(move |entry: Entry<'_>| worker.visit(entry))
    })?;
    // Every visitor (and its clone of `shared`) was dropped when the walk joined.
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
        elapsed_ms: None,
    };
    Ok(Scan {
        format_version: crate::model::SCAN_FORMAT_VERSION,
        tool: Tool::current(crate::licensedb::LICENSE_LIST_VERSION),
        root: opts.root.to_string_lossy().into_owned(),
        summary,
        project: None,
        files: records,
        components: Vec::new(),
        dependencies: Vec::new(),
        diagnostics,
        texts: shared.texts.into_inner().unwrap(),
        image: None,
    })
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
        // The first 8 KiB tell a binary file (a NUL byte); nothing in a binary is examined,
        // so the rest of it is never read (a quarter of the bytes of a vendored tree).
        (&mut file).take(BINARY_SNIFF).read_to_end(&mut self.buf)?;
        let binary = crate::text::is_binary(&self.buf);
        let limit = if binary { BINARY_SNIFF } else { limit };
        if !binary && self.buf.len() as u64 == BINARY_SNIFF {
            (&mut file)
                .take(limit - BINARY_SNIFF)
                .read_to_end(&mut self.buf)?;
        }
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
        if size > HUGE_FILE && !binary {
            self.diagnostics.push(Diagnostic::info(
                Some(rel.clone()),
                format!(
                    "large file ({} MiB): only the first {} KiB were examined, and it is not hashed",
                    size >> 20,
                    limit >> 10
                ),
            ));
        }

        // Every byte of a text file gets the keyword pre-filter; a file without a hit (most
        // source files) is not even decoded. License files and READMEs are always examined.
        if class.is_none()
            && !binary
            && !detect::prefilter::worth_matching(&self.buf, detect::prefilter::is_prose(&rel))
        {
            return Ok(());
        }
        let bytes = &self.buf[..];
        let Some(decoded) = decode(bytes) else {
            totals.binary.fetch_add(1, Relaxed);
            match class {
                Some(FileClass::License) => self.diagnostics.push(Diagnostic::warning(
                    Some(rel),
                    "license file is binary; not examined",
                )),
                Some(FileClass::Manifest) => {
                    // A binary package database (rpmdb.sqlite) is expected to be binary:
                    // its ecosystem still needs to know it is there, if only to say it
                    // cannot read it. Any other binary manifest is never handed to its
                    // ecosystem: said here, or the lockfile's packages would vanish
                    // without a word.
                    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", &rel));
                    if !crate::ecosystem::unsupported::is_known(name, dir)
                        && !crate::ecosystem::os::rpm::is_database(name, dir)
                    {
                        self.diagnostics.push(Diagnostic::warning(
                            Some(rel.clone()),
                            "manifest or lockfile is binary (a NUL byte); its packages are not read",
                        ));
                    }
                    self.records.push(FileRecord {
                        path: rel,
                        size,
                        class,
                        ..Default::default()
                    });
                }
                _ => {}
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
        let findings = detect::detect_file(
            Some(&rel),
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
        // What a notice prints and a report quotes: the whole text of a license file.
        if let (Some(FileClass::License), Some(h)) = (class, &sha256) {
            if !truncated && size <= MAX_RECORDED_TEXT {
                self.texts.push((h.clone(), decoded.text));
            }
        }
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
