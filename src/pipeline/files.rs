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

use rayon::prelude::*;

use crate::cache::local::{is_racy, NewEntry, Opened, Opening, Session, Stat};
use crate::cache::remote::Remote;
use crate::cache::stat::DirStat;
use crate::cache::{self, Outcome};
use crate::detect::{self, Cache};
use crate::model::{
    Diagnostic, FileClass, FileRecord, Scan, Severity, Summary, Tool, MAX_RECORDED_TEXT,
};
use crate::pipeline::outcome::Expect;
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
    /// The result cache, when one is used.
    run: Option<CacheRun>,
    new: Mutex<Vec<NewEntry>>,
    deferred: Mutex<Vec<Deferred>>,
}

/// What the walker threads share of the result cache: the root's index, read-only.
struct CacheRun {
    /// The local cache (being opened while the walk starts); None: no local cache. With
    /// one, every file is stat'ed, and examined files become rows of it.
    local: Option<Opening>,
    verify: bool,
    /// A shared cache is there: files that need the matcher wait for it.
    remote: bool,
    /// When the scan started (ns since the epoch): stats this recent are racy.
    start_ns: i64,
    hits: AtomicU64,
}

/// A file the local cache did not know that needs the matcher, put off until the shared
/// cache was asked (in batches, after the walk).
struct Deferred {
    rel: String,
    path: std::path::PathBuf,
    stat: Option<Stat>,
    class: Option<FileClass>,
    prose: bool,
    content: [u8; 32],
    size: u64,
}

/// Where outcomes go: one per walker thread, one for the files examined after the walk.
#[derive(Default)]
struct Sink {
    records: Vec<FileRecord>,
    diagnostics: Vec<Diagnostic>,
    /// (SHA-256, text) of the license files read, for [`Scan::texts`].
    texts: Vec<(String, String)>,
}

impl Sink {
    /// The one place an outcome, examined or stored, becomes part of the scan.
    fn apply(&mut self, totals: &Totals, rel: &str, o: Outcome) {
        totals.files.fetch_add(1, Relaxed);
        totals.bytes.fetch_add(o.size, Relaxed);
        if o.binary {
            totals.binary.fetch_add(1, Relaxed);
        }
        if rel.contains('\u{FFFD}') {
            self.diagnostics.push(Diagnostic::info(
                Some(rel.to_string()),
                "file name is not valid UTF-8; shown lossily",
            ));
        }
        for (severity, message) in o.diagnostics {
            self.diagnostics.push(Diagnostic {
                severity,
                path: Some(rel.to_string()),
                message,
            });
        }
        if let Some(mut r) = o.record {
            if let (Some(text), Some(h)) = (o.text, &r.sha256) {
                self.texts.push((h.clone(), text));
            }
            r.path = rel.to_string();
            self.records.push(r);
        }
    }

    fn flush(&mut self, shared: &Shared) {
        shared.records.lock().unwrap().append(&mut self.records);
        shared
            .diagnostics
            .lock()
            .unwrap()
            .append(&mut self.diagnostics);
        shared.texts.lock().unwrap().extend(self.texts.drain(..));
    }
}

/// One walker thread's state; flushes into [`Shared`] when dropped.
struct Worker {
    shared: Arc<Shared>,
    buf: Vec<u8>,
    sink: Sink,
    new: Vec<NewEntry>,
    deferred: Vec<Deferred>,
    /// The stat of each file, relative to its directory.
    dirstat: DirStat,
    /// Files stat'ed before the local cache's index was there, to be looked up once it is
    /// (the walk does not wait for the index).
    waiting: Vec<Waiting>,
}

/// A file stat'ed and not yet looked up.
struct Waiting {
    path: std::path::PathBuf,
    rel: String,
    stat: Stat,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // The end of this thread's share of the walk: what it stat'ed before the index was
        // read is looked up now, waiting for the index if it must. A worker with nothing
        // waiting must not wait: the walker builds one visitor on the calling thread and
        // drops it before it starts its threads, and that wait held the whole walk back
        // until the index was read (0.1 s of a 0.75 s warm rescan).
        let shared = self.shared.clone();
        if let Some(opening) = shared.run.as_ref().and_then(|r| r.local.as_ref()) {
            if !self.waiting.is_empty() {
                self.drain(opening.wait());
            }
        }
        self.sink.flush(&self.shared);
        self.shared.new.lock().unwrap().append(&mut self.new);
        self.shared
            .deferred
            .lock()
            .unwrap()
            .append(&mut self.deferred);
    }
}

/// The stores a run opened, beside what the walker threads share.
struct Stores {
    remote: Option<Remote>,
}

/// Open the stores `copts` asks for; a store that cannot be had is a warning. With
/// `discovery` (a discovery context), the local cache's opening also checks the root's
/// stored discovery.
fn open_cache(
    copts: &cache::Options,
    root: &Path,
    discovery: Option<[u8; 32]>,
) -> (Option<CacheRun>, Stores) {
    let mut stores = Stores { remote: None };
    if !copts.active() {
        return (None, stores);
    }
    let start_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    let mut local = None;
    if copts.enabled {
        match copts.dir.clone().or_else(cache::default_dir) {
            None => cache::warn(
                copts,
                "no cache directory (set OSPO_CACHE_DIR or HOME); scanning without the cache",
            ),
            // Its warnings are said when the walk is over (`scan`).
            Some(dir) => {
                local = Some(Opening::start(
                    dir,
                    root.to_path_buf(),
                    *cache::context(),
                    discovery,
                ))
            }
        }
    }
    if let Some(url) = &copts.url {
        match Remote::connect(url) {
            Ok(r) => stores.remote = Some(r),
            Err(e) => cache::warn(
                copts,
                &format!("shared cache unavailable ({e:#}); scanning without it"),
            ),
        }
    }
    let run = CacheRun {
        local,
        verify: copts.verify,
        remote: stores.remote.is_some(),
        start_ns,
        hits: AtomicU64::new(0),
    };
    (Some(run), stores)
}

/// Walk `opts.root` once and examine every file: the Scan's files, summary, diagnostics
/// and recorded texts (no components yet, and no wall time). With a cache (`copts`),
/// files it knows are taken from it and what was examined is stored at the end; the
/// local cache stays open for the stages after the walk (the [`Session`]; with
/// `discovery`, a discovery context, it has checked the root's stored discovery).
pub fn scan(
    opts: &WalkOptions,
    progress: bool,
    copts: &cache::Options,
    discovery: Option<[u8; 32]>,
) -> Result<(Scan, Option<Session>)> {
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
    let (run, stores) = open_cache(copts, &opts.root, discovery);
    // Without a local cache every file with a keyword needs the matcher: load the license
    // store while the walk starts. With one, a rescan may need no matcher at all (the store
    // is 70 MB and a tenth of a second of a core): the first file that does loads it.
    if run.as_ref().is_none_or(|r| r.local.is_none()) {
        crate::licensedb::prefetch();
    }
    let shared = Arc::new(Shared {
        cache: Cache::default(),
        totals: Totals::default(),
        records: Mutex::new(Vec::new()),
        diagnostics: Mutex::new(Vec::new()),
        texts: Mutex::new(BTreeMap::new()),
        progress,
        run,
        new: Mutex::new(Vec::new()),
        deferred: Mutex::new(Vec::new()),
    });
    walk::walk(opts, || -> walk::Visitor {
        let mut worker = Worker {
            shared: shared.clone(),
            buf: Vec::with_capacity(64 << 10),
            sink: Sink::default(),
            new: Vec::new(),
            deferred: Vec::new(),
            dirstat: DirStat::default(),
            waiting: Vec::new(),
        };
        Box::new(move |entry: Entry<'_>| worker.visit(entry))
    })?;
    // Every visitor (and its clone of `shared`) was dropped when the walk joined.
    let mut shared =
        Arc::try_unwrap(shared).unwrap_or_else(|_| unreachable!("walker threads still running"));
    let deferred = std::mem::take(shared.deferred.get_mut().unwrap());
    let remote_hits = if deferred.is_empty() {
        0
    } else {
        shared_cache(&mut shared, &stores, deferred, opts.threads, copts)
    };
    if let Some(pb) = &shared.progress {
        pb.finish_and_clear();
    }
    let hits = shared.run.as_ref().map_or(0, |r| r.hits.load(Relaxed));
    let mut session = shared
        .run
        .as_mut()
        .and_then(|r| r.local.take())
        .map(Opening::into_session);
    if let Some(session) = &mut session {
        for n in &session.opened().notes {
            cache::warn(copts, n);
        }
        if session.usable() {
            let new = std::mem::take(shared.new.get_mut().unwrap());
            let examined = new.len();
            session.save(new, copts);
            if copts.verbose && !copts.quiet {
                eprintln!(
                    "ospo: note: cache: {hits} files from the local cache, {remote_hits} from the shared cache, {examined} stored",
                );
            }
        }
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
    let scan = Scan {
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
    };
    Ok((scan, session))
}

impl Worker {
    fn visit(&mut self, entry: Entry<'_>) {
        match entry {
            Entry::Problem(d) => {
                self.shared.totals.skipped.fetch_add(1, Relaxed);
                self.sink.diagnostics.push(d);
            }
            Entry::File { path, rel } => {
                if let Some(pb) = &self.shared.progress {
                    pb.inc(1);
                }
                self.guarded(&rel, |w| w.file(path, &rel));
            }
        }
    }

    /// Run `f` on one file: a bug in a detector must cost one file, not the scan.
    fn guarded(&mut self, rel: &str, f: impl FnOnce(&mut Self) -> std::io::Result<()>) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        if let Some(message) = problem(outcome) {
            self.shared.totals.skipped.fetch_add(1, Relaxed);
            self.sink
                .diagnostics
                .push(Diagnostic::warning(Some(rel.to_string()), message));
        }
    }

    /// One file: from the cache when its stat (or, with --verify, its content) is what
    /// the cache holds, else examined; either way one [`Outcome`] applied to the sink.
    fn file(&mut self, path: &Path, rel: &str) -> std::io::Result<()> {
        let shared = self.shared.clone();
        let Some(run) = &shared.run else {
            let examined = examine(&mut self.buf, &shared.cache, path, rel, Mode::Plain)?;
            if let Examined::Done(o) = examined {
                self.sink.apply(&shared.totals, rel, o);
            }
            return Ok(());
        };
        // The stat comes before the read: a change during the read leaves a stat that no
        // longer matches the one stored with the outcome.
        let stat = match &run.local {
            Some(_) => self.dirstat.stat(path),
            None => None,
        };
        let opened = match (&run.local, stat) {
            (Some(opening), Some(stat)) => match opening.ready() {
                Some(opened) => {
                    if !self.waiting.is_empty() {
                        self.drain(opened);
                    }
                    Some(opened)
                }
                None => {
                    self.waiting.push(Waiting {
                        path: path.to_path_buf(),
                        rel: rel.to_string(),
                        stat,
                    });
                    return Ok(());
                }
            },
            _ => None,
        };
        self.look_up(run, opened, path, rel, stat)
    }

    /// The files stat'ed before the index was there, looked up in it.
    fn drain(&mut self, opened: &Opened) {
        let shared = self.shared.clone();
        let Some(run) = &shared.run else { return };
        for w in std::mem::take(&mut self.waiting) {
            self.guarded(&w.rel, |me| {
                me.look_up(run, Some(opened), &w.path, &w.rel, Some(w.stat))
            });
        }
    }

    /// A stat'ed file (stat None: none could be had) against the local cache's index, if
    /// there is one: its stored outcome, or examined.
    fn look_up(
        &mut self,
        run: &CacheRun,
        opened: Option<&Opened>,
        path: &Path,
        rel: &str,
        stat: Option<Stat>,
    ) -> std::io::Result<()> {
        let shared = self.shared.clone();
        let found = match (stat, opened) {
            (Some(stat), Some(o)) => o.index.get(rel).map(|e| (stat, e)),
            _ => None,
        };
        if let Some((stat, entry)) = found {
            entry.mark_seen();
            if entry.stat == stat {
                if let Some(o) = self.stored(run, path, rel, stat, &entry)? {
                    run.hits.fetch_add(1, Relaxed);
                    self.sink.apply(&shared.totals, rel, o);
                    return Ok(());
                }
            }
        }
        let mode = if run.remote { Mode::Defer } else { Mode::Hash };
        match examine(&mut self.buf, &shared.cache, path, rel, mode)? {
            Examined::Done(o) => {
                if let (Some(stat), true) = (stat, run.local.is_some()) {
                    self.new.push(NewEntry {
                        path: rel.to_string(),
                        stat,
                        racy: is_racy(&stat, run.start_ns),
                        outcome: o.encode(),
                    });
                }
                self.sink.apply(&shared.totals, rel, o);
            }
            Examined::Deferred { content, size } => self.deferred.push(Deferred {
                rel: rel.to_string(),
                path: path.to_path_buf(),
                stat,
                class: walk::classify_name(rel),
                prose: detect::prefilter::is_prose(rel),
                content,
                size,
            }),
        }
        Ok(())
    }

    /// The stored outcome of a file whose stat is unchanged, if it can be trusted: at
    /// once, or (a racy entry, --verify) after its content hash was found unchanged.
    fn stored(
        &mut self,
        run: &CacheRun,
        path: &Path,
        rel: &str,
        stat: Stat,
        entry: &crate::cache::local::Entry<'_>,
    ) -> std::io::Result<Option<Outcome>> {
        let Some(o) = Outcome::parse(entry.outcome) else {
            return Ok(None);
        };
        // The name's class is compared only with a stored record's (Outcome::agrees):
        // three files in four have none, and classifying every name was 6% of the CPU.
        let class = match o.record {
            Some(_) => walk::classify_name(rel),
            None => None,
        };
        let expect = Expect {
            size: stat.size,
            class,
            content: None,
        };
        if !o.agrees(&expect) {
            return Ok(None);
        }
        if !entry.racy && !run.verify {
            return Ok(Some(o));
        }
        // An outcome without a content hash is of a file that never reached the matcher:
        // examining it again costs about what hashing it would.
        let Some(content) = &o.content else {
            return Ok(None);
        };
        let mut file = std::fs::File::open(path)?;
        self.buf.clear();
        let now = hex::encode(sha256(&self.buf, true, &mut file)?);
        if &now != content {
            return Ok(None);
        }
        let racy = is_racy(&stat, run.start_ns);
        if racy != entry.racy {
            // The entry again under its own path, with the flag cleared: without the path
            // the row was never found, and a file once racy was re-hashed on every scan.
            self.new.push(NewEntry {
                path: rel.to_string(),
                stat,
                racy,
                outcome: entry.outcome.to_vec(),
            });
        }
        Ok(Some(o))
    }
}

/// The message of a file that could not be examined (None: it was).
fn problem(outcome: std::thread::Result<std::io::Result<()>>) -> Option<String> {
    match outcome {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(format!("cannot read: {e}")),
        Err(panic) => Some(format!(
            "internal error while examining this file (skipped): {}",
            panic_message(&panic)
        )),
    }
}

/// How a file is examined: as always (no cache: hashes only for files kept), hashing
/// every file that reaches the matcher (its outcome keeps the content hash), or stopping
/// before the matcher with that hash (the shared cache may know the outcome).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    Hash,
    Defer,
}

// Returned once per file and consumed at once: a box would cost an allocation per file.
#[allow(clippy::large_enum_variant)]
enum Examined {
    Done(Outcome),
    Deferred { content: [u8; 32], size: u64 },
}

/// Read one file (only as far as detection needs) and examine it: its [`Outcome`].
fn examine(
    buf: &mut Vec<u8>,
    cache: &Cache,
    path: &Path,
    rel: &str,
    mode: Mode,
) -> std::io::Result<Examined> {
    let class = walk::classify_name(rel);
    let limit = match class {
        Some(FileClass::License | FileClass::Readme | FileClass::Manifest) => LICENSE_READ_LIMIT,
        _ => TEXT_READ_LIMIT,
    };
    let mut file = std::fs::File::open(path)?;
    buf.clear();
    // The first 8 KiB tell a binary file (a NUL byte); nothing in a binary is examined,
    // so the rest of it is never read (a quarter of the bytes of a vendored tree).
    (&mut file).take(BINARY_SNIFF).read_to_end(buf)?;
    let binary = crate::text::is_binary(buf);
    let limit = if binary { BINARY_SNIFF } else { limit };
    if !binary && buf.len() as u64 == BINARY_SNIFF {
        (&mut file).take(limit - BINARY_SNIFF).read_to_end(buf)?;
    }
    // A read that stopped short of the limit saw the whole file; only a longer file
    // needs a stat for its size.
    let size = if (buf.len() as u64) < limit {
        buf.len() as u64
    } else {
        file.metadata()?.len()
    };
    let mut o = Outcome {
        size,
        ..Default::default()
    };
    if size > HUGE_FILE && !binary {
        o.diagnostics.push((
            Severity::Info,
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
        && !detect::prefilter::worth_matching(buf, detect::prefilter::is_prose(rel))
    {
        return Ok(Examined::Done(o));
    }
    let Some(decoded) = decode(buf) else {
        o.binary = true;
        match class {
            Some(FileClass::License) => o.diagnostics.push((
                Severity::Warning,
                "license file is binary; not examined".into(),
            )),
            Some(FileClass::Manifest) => {
                // A binary package database (rpmdb.sqlite) or package archive (a .nupkg)
                // is expected to be binary: its ecosystem still needs to know it is there,
                // if only to say it cannot read it. Any other binary manifest is never
                // handed to its ecosystem: said here, or the lockfile's packages would
                // vanish without a word.
                let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
                if !crate::ecosystem::unsupported::is_known(name, dir)
                    && !crate::ecosystem::os::rpm::is_database(name, dir)
                    && crate::ecosystem::nuget::layout(name, dir)
                        != Some(crate::ecosystem::nuget::Layout::Archive)
                {
                    o.diagnostics.push((
                        Severity::Warning,
                        "manifest or lockfile is binary (a NUL byte); its packages are not read"
                            .into(),
                    ));
                }
                o.record = Some(FileRecord {
                    size,
                    class,
                    ..Default::default()
                });
            }
            _ => {}
        }
        return Ok(Examined::Done(o));
    };
    if decoded.latin1 {
        o.diagnostics.push((
            Severity::Info,
            "content is not valid UTF-8; read as Latin-1".into(),
        ));
    }
    let truncated = (buf.len() as u64) < size;
    // A multi-gigabyte file is not read to the end just for its hashes.
    let hashable = size <= HUGE_FILE;
    // License files are always recorded and READMEs often: hash them first, so that
    // identical copies share one detection. With a cache, every file that reaches the
    // matcher is hashed: its content hash is what --verify and the shared cache go by.
    // SHA-1 is only for the record, so a file that may not be recorded waits for it (a
    // quarter of the files a first scan hashed had no finding: 210 MiB of SHA-1 saved).
    let early = match (mode, class) {
        (_, _) if !hashable => None,
        (_, Some(FileClass::License | FileClass::Readme)) => {
            let (sha1, sha256) = hashes(buf, truncated, &mut file)?;
            Some((Some(sha1), sha256))
        }
        (Mode::Hash | Mode::Defer, _) => Some((None, sha256(buf, truncated, &mut file)?)),
        _ => None,
    };
    if let (Mode::Defer, Some((_, content))) = (mode, &early) {
        if class != Some(FileClass::Manifest) {
            return Ok(Examined::Deferred {
                content: *content,
                size,
            });
        }
    }
    let findings = detect::detect_file(
        Some(rel),
        class,
        &decoded.text,
        cache,
        early.as_ref().map(|h| &h.1),
    );
    // The hex SHA-256, made once: the cache's content hash and the record's.
    let sha256 = early.as_ref().map(|h| hex::encode(h.1));
    if mode != Mode::Plain {
        o.content = sha256.clone();
    }
    let keep =
        !findings.is_empty() || matches!(class, Some(FileClass::License | FileClass::Manifest));
    if !keep {
        return Ok(Examined::Done(o));
    }
    let (sha1, sha256) = match early {
        Some((Some(sha1), _)) => (Some(sha1), sha256),
        Some((None, _)) => (Some(sha1_again(buf, truncated, &mut file)?), sha256),
        None if hashable => {
            let (sha1, sha256) = hashes(buf, truncated, &mut file)?;
            (Some(sha1), Some(hex::encode(sha256)))
        }
        None => (None, None),
    };
    // What a notice prints and a report quotes: the whole text of a license file.
    if class == Some(FileClass::License)
        && sha256.is_some()
        && !truncated
        && size <= MAX_RECORDED_TEXT
    {
        o.text = Some(decoded.text.into_owned());
    }
    o.record = Some(FileRecord {
        path: String::new(),
        size,
        sha1,
        sha256,
        class: Some(class.unwrap_or(FileClass::Text)),
        licenses: findings.licenses,
        copyrights: findings.copyrights,
        unrecognized: findings.unrecognized,
        component: None,
    });
    Ok(Examined::Done(o))
}

/// The files put off for the shared cache: asked for in batches, those it knows applied,
/// the rest examined in parallel (and stored for the next machine). Returns the hits.
fn shared_cache(
    shared: &mut Shared,
    stores: &Stores,
    deferred: Vec<Deferred>,
    threads: usize,
    copts: &cache::Options,
) -> u64 {
    let keys: Vec<[u8; 32]> = deferred
        .iter()
        .map(|d| cache::content_key(&d.content, d.class, d.prose))
        .collect();
    let remote = stores.remote.as_ref();
    let mut usable = remote.is_some();
    let found = match remote.map(|r| r.lookup(&keys)) {
        Some(Ok(f)) => f,
        Some(Err(e)) => {
            cache::warn(
                copts,
                &format!("shared cache lookup failed ({e:#}); examining locally"),
            );
            usable = false;
            Default::default()
        }
        None => Default::default(),
    };
    let start_ns = shared.run.as_ref().map_or(0, |r| r.start_ns);
    let mut sink = Sink::default();
    let mut new = Vec::new();
    let mut misses = Vec::new();
    let mut hits = 0;
    for (d, key) in deferred.into_iter().zip(keys) {
        let content = hex::encode(d.content);
        let expect = Expect {
            size: d.size,
            class: d.class,
            content: Some(&content),
        };
        match found.get(&key).and_then(|b| Outcome::decode(b, &expect)) {
            Some(o) => {
                hits += 1;
                if let Some(stat) = d.stat {
                    new.push(NewEntry {
                        path: d.rel.clone(),
                        stat,
                        racy: is_racy(&stat, start_ns),
                        outcome: o.encode(),
                    });
                }
                sink.apply(&shared.totals, &d.rel, o);
            }
            None => misses.push((d, key, content)),
        }
    }
    let examine_all = || {
        misses
            .par_iter()
            .map_init(
                || Vec::with_capacity(64 << 10),
                |buf, (d, _, _)| {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        examine(buf, &shared.cache, &d.path, &d.rel, Mode::Hash)
                    }))
                },
            )
            .collect::<Vec<_>>()
    };
    let results = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(examine_all),
        Err(_) => examine_all(),
    };
    let mut store = Vec::new();
    for ((d, key, content), result) in misses.iter().zip(results) {
        let result = result.map(|r| {
            r.map(|e| match e {
                Examined::Done(o) => o,
                Examined::Deferred { .. } => unreachable!("examined without deferring"),
            })
        });
        let o = match result {
            Ok(Ok(o)) => o,
            other => {
                let message = problem(other.map(|r| r.map(|_| ()))).unwrap_or_default();
                shared.totals.skipped.fetch_add(1, Relaxed);
                sink.diagnostics
                    .push(Diagnostic::warning(Some(d.rel.clone()), message));
                continue;
            }
        };
        let encoded = o.encode();
        // Stored for others only when the bytes examined are the bytes hashed before.
        if usable && o.content.as_deref() == Some(content.as_str()) {
            store.push((*key, encoded.clone()));
        }
        if let Some(stat) = d.stat {
            new.push(NewEntry {
                path: d.rel.clone(),
                stat,
                racy: is_racy(&stat, start_ns),
                outcome: encoded,
            });
        }
        sink.apply(&shared.totals, &d.rel, o);
    }
    if let (true, Some(r)) = (usable && !store.is_empty(), remote) {
        if let Err(e) = r.store(store) {
            cache::warn(copts, &format!("shared cache not updated ({e:#})"));
        }
    }
    shared.new.get_mut().unwrap().append(&mut new);
    sink.flush(shared);
    hits
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Feed the whole file to `update`: `head` was read already and, when `truncated`, the
/// rest is streamed from `rest` (which stands at the end of `head`).
fn stream(
    head: &[u8],
    truncated: bool,
    rest: &mut std::fs::File,
    mut update: impl FnMut(&[u8]),
) -> std::io::Result<()> {
    update(head);
    if truncated {
        let mut chunk = vec![0u8; 1 << 20];
        loop {
            let n = rest.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            update(&chunk[..n]);
        }
    }
    Ok(())
}

/// SHA-1 (hex) and SHA-256 of the whole file, in one pass.
fn hashes(
    head: &[u8],
    truncated: bool,
    rest: &mut std::fs::File,
) -> std::io::Result<(String, [u8; 32])> {
    let mut s1 = Sha1::new();
    let mut s256 = Sha256::new();
    stream(head, truncated, rest, |b| {
        s1.update(b);
        s256.update(b);
    })?;
    Ok((hex::encode(s1.finalize()), s256.finalize().into()))
}

/// SHA-256 of the whole file.
fn sha256(head: &[u8], truncated: bool, rest: &mut std::fs::File) -> std::io::Result<[u8; 32]> {
    let mut s256 = Sha256::new();
    stream(head, truncated, rest, |b| s256.update(b))?;
    Ok(s256.finalize().into())
}

/// SHA-1 (hex) of a file whose SHA-256 was taken already: the rest of it, when there is
/// one, is read again from the end of `head`.
fn sha1_again(head: &[u8], truncated: bool, rest: &mut std::fs::File) -> std::io::Result<String> {
    use std::io::{Seek, SeekFrom};
    if truncated {
        rest.seek(SeekFrom::Start(head.len() as u64))?;
    }
    let mut s1 = Sha1::new();
    stream(head, truncated, rest, |b| s1.update(b))?;
    Ok(hex::encode(s1.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-1 taken after SHA-256 (a recorded file whose SHA-256 was taken first) is the
    /// whole file's, also when only its head was read and the rest was streamed already.
    #[test]
    fn sha1_after_sha256_is_of_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.txt");
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&p, &bytes).unwrap();
        let whole_sha1 = hex::encode(Sha1::digest(&bytes));
        let whole_sha256: [u8; 32] = Sha256::digest(&bytes).into();
        for head_len in [bytes.len(), 1 << 20] {
            let mut f = std::fs::File::open(&p).unwrap();
            let mut head = vec![0u8; head_len];
            f.read_exact(&mut head).unwrap();
            let truncated = head_len < bytes.len();
            assert_eq!(sha256(&head, truncated, &mut f).unwrap(), whole_sha256);
            assert_eq!(sha1_again(&head, truncated, &mut f).unwrap(), whole_sha1);
            let mut f = std::fs::File::open(&p).unwrap();
            f.read_exact(&mut head).unwrap();
            assert_eq!(
                hashes(&head, truncated, &mut f).unwrap(),
                (whole_sha1.clone(), whole_sha256)
            );
        }
    }
}
