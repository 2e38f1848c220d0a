//! Reads of the disk, recorded: what was computed from them can be used again for as long
//! as every one of them would still give the answer it gave.
//!
//! Component discovery (stage 3) reads thousands of manifests and lockfiles, probes for
//! folders, lists some and resolves links; on an unchanged tree it finds the same
//! components every time, and was a fifth of a warm rescan. Every access to the disk the
//! ecosystems make goes through the functions here, which behave as their `std::fs` and
//! `Path` namesakes (clippy's `disallowed_methods`, denied in `ecosystem` and `relpath`,
//! keeps it so). While [`record`] runs a computation, each of them notes what it asked and
//! what it got, in the form that is cheapest to ask again:
//!
//! - a file's content: the stat of the file as it was opened (same stat, same file, as
//!   the result cache trusts it; a stat too recent to prove that is [`Reads::racy`]);
//! - a stat: the whole stat; a kind (`is_dir`, `is_file`): only the kind;
//! - a folder's listing: a hash of its names and kinds, in the order read;
//! - a link resolved (`canonicalize`, `read_link`): where it led, or the error.
//!
//! [`Reads::still_hold`] asks every question again. A computation that is a function of
//! its inputs and of these answers (discovery is: no clock, no randomness, its
//! environment variables in the cache key) gives the same result when every answer is the
//! same, since it then asks the same questions in turn. Reads made by another thread
//! while a recording runs are noted too: more questions can only make a reuse rarer.

use std::ffi::OsString;
use std::fs::{File, FileType, Metadata};
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::stat::Stat;

/// One question asked of the disk, and its answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Read {
    /// The content of the file at `path` (links followed): the stat of the file opened,
    /// or the error opening or reading it gave.
    Content {
        path: String,
        stat: Result<Stat, i32>,
    },
    /// The stat of `path` (`follow`: links followed).
    Meta {
        path: String,
        follow: bool,
        meta: Result<(Kind, Stat), i32>,
    },
    /// Only the kind of what is at `path` (links followed; None: nothing, or an error).
    Kind { path: String, kind: Option<Kind> },
    /// A folder's entries: SHA-256 of their names and kinds, in the order read.
    List {
        path: String,
        listing: Result<[u8; 32], i32>,
    },
    /// `canonicalize(path)`.
    Canonical {
        path: String,
        to: Result<String, i32>,
    },
    /// `read_link(path)`.
    Link {
        path: String,
        to: Result<String, i32>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Other,
}

impl Kind {
    fn of(t: FileType) -> Kind {
        if t.is_symlink() {
            Kind::Symlink
        } else if t.is_dir() {
            Kind::Dir
        } else if t.is_file() {
            Kind::File
        } else {
            Kind::Other
        }
    }
}

/// What a computation read, as [`record`] noted it: sorted, each question once.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reads {
    pub reads: Vec<Read>,
    /// Some path could not be noted (not UTF-8) or no stat could be had: the reads do not
    /// describe the computation, and it must not be reused.
    pub incomplete: bool,
}

/// The recordings running now (usually none, or one).
static RECORDERS: Mutex<Vec<Arc<Mutex<Reads>>>> = Mutex::new(Vec::new());
/// How many there are: a read made while nothing records costs one atomic load.
static RECORDING: AtomicUsize = AtomicUsize::new(0);

/// Run `f`, noting every read of the disk made through this module while it runs.
pub fn record<R>(f: impl FnOnce() -> R) -> (R, Reads) {
    let mine = Arc::new(Mutex::new(Reads::default()));
    RECORDERS.lock().unwrap().push(mine.clone());
    RECORDING.fetch_add(1, Ordering::SeqCst);
    // Unregistered even if `f` panics (the panic goes on afterwards).
    struct Unregister(Arc<Mutex<Reads>>);
    impl Drop for Unregister {
        fn drop(&mut self) {
            let mut all = RECORDERS.lock().unwrap_or_else(|e| e.into_inner());
            all.retain(|r| !Arc::ptr_eq(r, &self.0));
            RECORDING.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let guard = Unregister(mine.clone());
    let out = f();
    drop(guard);
    let mut reads = std::mem::take(&mut *mine.lock().unwrap());
    reads.reads.sort();
    reads.reads.dedup();
    (out, reads)
}

fn recording() -> bool {
    RECORDING.load(Ordering::SeqCst) > 0
}

/// Note one read in every recording; `None`: it could not be noted.
fn note(read: Option<Read>) {
    let all = RECORDERS.lock().unwrap_or_else(|e| e.into_inner());
    for r in all.iter() {
        let mut r = r.lock().unwrap_or_else(|e| e.into_inner());
        match &read {
            Some(read) => r.reads.push(read.clone()),
            None => r.incomplete = true,
        }
    }
}

fn text(p: &Path) -> Option<String> {
    p.to_str().map(str::to_string)
}

fn code(e: &io::Error) -> i32 {
    // Errors without an OS code (invalid data...) are all one answer: -1.
    e.raw_os_error().unwrap_or(-1)
}

fn meta_answer(m: &io::Result<Metadata>) -> Option<Result<(Kind, Stat), i32>> {
    match m {
        Ok(m) => Some(Ok((Kind::of(m.file_type()), Stat::of(m)?))),
        Err(e) => Some(Err(code(e))),
    }
}

fn note_meta(path: &Path, follow: bool, m: &io::Result<Metadata>) {
    if recording() {
        note(
            text(path)
                .zip(meta_answer(m))
                .map(|(path, meta)| Read::Meta { path, follow, meta }),
        );
    }
}

fn note_content(path: &Path, stat: Result<Option<Stat>, i32>) {
    if recording() {
        let stat = match stat {
            Ok(Some(s)) => Some(Ok(s)),
            Ok(None) => None,
            Err(c) => Some(Err(c)),
        };
        note(
            text(path)
                .zip(stat)
                .map(|(path, stat)| Read::Content { path, stat }),
        );
    }
}

/// `std::fs::metadata`, noted.
pub fn metadata(path: &Path) -> io::Result<Metadata> {
    let m = std::fs::metadata(path);
    note_meta(path, true, &m);
    m
}

/// `std::fs::symlink_metadata`, noted.
pub fn symlink_metadata(path: &Path) -> io::Result<Metadata> {
    let m = std::fs::symlink_metadata(path);
    note_meta(path, false, &m);
    m
}

fn kind(path: &Path) -> Option<Kind> {
    let k = std::fs::metadata(path)
        .ok()
        .map(|m| Kind::of(m.file_type()));
    if recording() {
        note(text(path).map(|path| Read::Kind { path, kind: k }));
    }
    k
}

/// `Path::is_dir`, noted.
pub fn is_dir(path: &Path) -> bool {
    kind(path) == Some(Kind::Dir)
}

/// `Path::is_file`, noted.
pub fn is_file(path: &Path) -> bool {
    kind(path) == Some(Kind::File)
}

/// A file opened by [`open`]: a `std::fs::File` whose read errors are noted (a result
/// computed from a read that failed is not one to keep: the next read may not fail).
pub struct Opened(File);

impl Opened {
    pub fn metadata(&self) -> io::Result<Metadata> {
        self.0.metadata()
    }
}

impl io::Read for Opened {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = self.0.read(buf);
        if r.is_err() && recording() {
            note(None);
        }
        r
    }
}

impl io::Seek for Opened {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        let r = self.0.seek(pos);
        if r.is_err() && recording() {
            note(None);
        }
        r
    }
}

/// `File::open`, noted as a read of the file's content (the stat of the file opened).
pub fn open(path: &Path) -> io::Result<Opened> {
    let f = File::open(path);
    if recording() {
        let stat = match &f {
            Ok(f) => match f.metadata() {
                Ok(m) => Ok(Stat::of(&m)),
                Err(e) => Err(code(&e)),
            },
            Err(e) => Err(code(e)),
        };
        note_content(path, stat);
    }
    f.map(Opened)
}

/// `std::fs::read`, noted (the stat is taken when the file is open, before it is read).
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut f = open(path)?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

/// A file whose content something other than this module reads (SQLite opening a
/// package database): noted by its stat, taken now, before it is read.
pub fn will_read(path: &Path) {
    if recording() {
        let stat = match std::fs::metadata(path) {
            Ok(m) => Ok(Stat::of(&m)),
            Err(e) => Err(code(&e)),
        };
        note_content(path, stat);
    }
}

/// One entry of a folder, as [`read_dir`] gives it.
pub struct DirEntry {
    pub path: PathBuf,
    pub name: OsString,
    pub file_type: io::Result<FileType>,
}

/// `std::fs::read_dir`, read whole (entries that cannot be read are left out, as
/// `.flatten()` leaves them), noted by a hash of the names and kinds in the order read.
pub fn read_dir(path: &Path) -> io::Result<Vec<DirEntry>> {
    let entries = std::fs::read_dir(path).map(|rd| {
        rd.flatten()
            .map(|e| DirEntry {
                path: e.path(),
                name: e.file_name(),
                file_type: e.file_type(),
            })
            .collect::<Vec<_>>()
    });
    if recording() {
        let listing = match &entries {
            Ok(es) => Ok(listing_hash(es)),
            Err(e) => Err(code(e)),
        };
        note(text(path).map(|path| Read::List { path, listing }));
    }
    entries
}

fn listing_hash(entries: &[DirEntry]) -> [u8; 32] {
    let mut h = Sha256::new();
    for e in entries {
        let kind = e.file_type.as_ref().ok().map(|t| Kind::of(*t));
        let name = e.name.as_encoded_bytes();
        h.update((name.len() as u64).to_le_bytes());
        h.update(name);
        h.update([kind.map_or(0, |k| k as u8 + 1)]);
    }
    h.finalize().into()
}

fn note_target(path: &Path, to: &io::Result<PathBuf>, link: bool) {
    if !recording() {
        return;
    }
    let to = match to {
        Ok(t) => text(t).map(Ok),
        Err(e) => Some(Err(code(e))),
    };
    note(text(path).zip(to).map(|(path, to)| match link {
        true => Read::Link { path, to },
        false => Read::Canonical { path, to },
    }));
}

/// `std::fs::canonicalize`, noted.
pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    let to = std::fs::canonicalize(path);
    note_target(path, &to, false);
    to
}

/// `std::fs::read_link`, noted.
pub fn read_link(path: &Path) -> io::Result<PathBuf> {
    let to = std::fs::read_link(path);
    note_target(path, &to, true);
    to
}

impl Reads {
    /// Whether some stat noted is within [`super::local::RACY_NS`] of `start_ns` (when
    /// the computation started): a change in the same clock tick could hide behind it,
    /// so the result must not be kept (it is, on a later run, once the files are older).
    pub fn racy(&self, start_ns: i64) -> bool {
        self.reads.iter().any(|r| match r {
            Read::Content { stat: Ok(s), .. }
            | Read::Meta {
                meta: Ok((_, s)), ..
            } => super::local::is_racy(s, start_ns),
            _ => false,
        })
    }

    /// Whether every question noted still gets the answer it got. The questions are
    /// independent: asked in parallel.
    pub fn still_hold(&self) -> bool {
        use rayon::prelude::*;
        !self.incomplete && self.reads.par_iter().all(holds)
    }
}

impl Read {
    pub fn path(&self) -> &str {
        match self {
            Read::Content { path, .. }
            | Read::Meta { path, .. }
            | Read::Kind { path, .. }
            | Read::List { path, .. }
            | Read::Canonical { path, .. }
            | Read::Link { path, .. } => path,
        }
    }
}

fn holds(r: &Read) -> bool {
    let p = |s: &String| PathBuf::from(s);
    match r {
        Read::Content { path, stat } => {
            let now = match stat {
                // Same stat, same content (the stat of what opening it now would open).
                Ok(_) => std::fs::metadata(p(path)).map(|m| Stat::of(&m)),
                // It could not be opened or read then: it must fail the same way now.
                Err(_) => File::open(p(path))
                    .and_then(|mut f| f.read_to_end(&mut Vec::new()))
                    .map(|_| None),
            };
            let now = match now {
                Ok(Some(s)) => Ok(s),
                Ok(None) => return false,
                Err(e) => Err(code(&e)),
            };
            &now == stat
        }
        Read::Meta { path, follow, meta } => {
            let m = match follow {
                true => std::fs::metadata(p(path)),
                false => std::fs::symlink_metadata(p(path)),
            };
            meta_answer(&m).as_ref() == Some(meta)
        }
        Read::Kind { path, kind } => {
            std::fs::metadata(p(path))
                .ok()
                .map(|m| Kind::of(m.file_type()))
                == *kind
        }
        Read::List { path, listing } => {
            let now = std::fs::read_dir(p(path)).map(|rd| {
                let es: Vec<DirEntry> = rd
                    .flatten()
                    .map(|e| DirEntry {
                        path: PathBuf::new(),
                        name: e.file_name(),
                        file_type: e.file_type(),
                    })
                    .collect();
                listing_hash(&es)
            });
            now.map_err(|e| code(&e)) == *listing
        }
        Read::Canonical { path, to } => {
            let now = std::fs::canonicalize(p(path));
            now.map(|t| text(&t)).map_err(|e| code(&e)) == to.clone().map(Some)
        }
        Read::Link { path, to } => {
            let now = std::fs::read_link(p(path));
            now.map(|t| text(&t)).map_err(|e| code(&e)) == to.clone().map(Some)
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A computation over a folder: what a discovery would do, in miniature.
    fn look(root: &Path) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(b) = read(&root.join("a.toml")) {
            out.push(String::from_utf8_lossy(&b).into_owned());
        }
        out.push(format!("sub is a dir: {}", is_dir(&root.join("sub"))));
        for e in read_dir(&root.join("sub")).unwrap_or_default() {
            out.push(e.name.to_string_lossy().into_owned());
        }
        out.push(format!("{:?}", canonicalize(&root.join("link")).ok()));
        out.push(format!(
            "{:?}",
            metadata(&root.join("b.txt")).ok().map(|m| m.len())
        ));
        out
    }

    #[test]
    fn any_change_to_what_was_read_is_seen() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        std::fs::write(root.join("a.toml"), "name = 'a'").unwrap();
        std::fs::write(root.join("b.txt"), "bbb").unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/x"), "").unwrap();
        std::os::unix::fs::symlink(root.join("sub"), root.join("link")).unwrap();
        // Other tests of this process may read while this one records: only what is under
        // this test's folder is its own.
        let mine = |r: Reads| Reads {
            reads: r
                .reads
                .into_iter()
                .filter(|r| r.path().starts_with(root.to_str().unwrap()))
                .collect(),
            incomplete: r.incomplete,
        };
        let record = |f: &dyn Fn() -> Vec<String>| {
            let (out, reads) = record(f);
            (out, mine(reads))
        };
        let (first, reads) = record(&|| look(root));
        assert!(reads.still_hold());
        assert!(reads.racy(now_ns()), "files just written are racy");
        let kinds = |r: &Reads| {
            let mut k: Vec<&str> = r
                .reads
                .iter()
                .map(|r| match r {
                    Read::Content { .. } => "content",
                    Read::Meta { .. } => "meta",
                    Read::Kind { .. } => "kind",
                    Read::List { .. } => "list",
                    Read::Canonical { .. } => "canonical",
                    Read::Link { .. } => "link",
                })
                .collect();
            k.dedup();
            k
        };
        assert_eq!(
            kinds(&reads),
            ["content", "meta", "kind", "list", "canonical"]
        );
        // Each change below breaks one answer; each is undone before the next.
        type Change<'a> = (&'a str, Box<dyn Fn() + 'a>, Box<dyn Fn() + 'a>);
        let changes: Vec<Change> = vec![
            (
                "content rewritten",
                Box::new(|| std::fs::write(root.join("a.toml"), "name = 'b'").unwrap()),
                Box::new(|| std::fs::write(root.join("a.toml"), "name = 'a'").unwrap()),
            ),
            (
                "file added to a listed folder",
                Box::new(|| std::fs::write(root.join("sub/y"), "").unwrap()),
                Box::new(|| std::fs::remove_file(root.join("sub/y")).unwrap()),
            ),
            (
                "folder replaced by a file",
                Box::new(|| {
                    std::fs::rename(root.join("sub"), root.join("sub.old")).unwrap();
                    std::fs::write(root.join("sub"), "").unwrap();
                }),
                Box::new(|| {
                    std::fs::remove_file(root.join("sub")).unwrap();
                    std::fs::rename(root.join("sub.old"), root.join("sub")).unwrap();
                }),
            ),
            (
                "link retargeted",
                Box::new(|| {
                    std::fs::remove_file(root.join("link")).unwrap();
                    std::os::unix::fs::symlink(root.join("b.txt"), root.join("link")).unwrap();
                }),
                Box::new(|| {
                    std::fs::remove_file(root.join("link")).unwrap();
                    std::os::unix::fs::symlink(root.join("sub"), root.join("link")).unwrap();
                }),
            ),
            (
                "stat'ed file grown",
                Box::new(|| std::fs::write(root.join("b.txt"), "bbbb").unwrap()),
                Box::new(|| std::fs::write(root.join("b.txt"), "bbb").unwrap()),
            ),
            (
                "read file removed",
                Box::new(|| std::fs::rename(root.join("a.toml"), root.join("a.old")).unwrap()),
                Box::new(|| std::fs::rename(root.join("a.old"), root.join("a.toml")).unwrap()),
            ),
        ];
        for (what, change, undo) in &changes {
            let (_, before) = record(&|| look(root));
            assert!(before.still_hold(), "{what}: holds before the change");
            change();
            assert!(!before.still_hold(), "{what}: not seen");
            undo();
        }
        // Unchanged files: the same reads, the same result; not racy for a scan that
        // starts well after the files were written.
        let (again, reads) = record(&|| look(root));
        assert_eq!(again, first);
        assert!(!reads.racy(now_ns() + 3600 * 1_000_000_000));
        assert!(reads.still_hold());
        // Nothing is noted outside a recording.
        let (_, none) = record(&Vec::new);
        look(root);
        assert!(none.reads.is_empty());
    }

    fn now_ns() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as i64
    }
}
