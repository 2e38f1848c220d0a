//! The embedded cache: one SQLite database (`ospo-cache-v1.sqlite` in the cache directory)
//! holding, per scan root, every file's stat and outcome.
//!
//! A run reads its root's whole index in one query at start ([`Local::open`], into an
//! [`Index`] the walker threads share read-only; [`Opening`] does it on a thread of its
//! own while the walk starts) and writes what changed in one transaction at the end
//! ([`Local::save`]), so a file costs a hash-table probe, never a query. Beside the
//! files, a root has one row of the `discovery` table: its last component discovery and
//! what it read (see `cache::discovery`). SQLite in WAL mode lets concurrent runs read while one writes; a lock not had
//! within [`BUSY_MS`] is a warning and a run (or a save) without the cache. The file may
//! be corrupt or written by someone else: the schema is not trusted (`trusted_schema`
//! off, defensive mode), every row is bounded, and every outcome is checked before use.
//!
//! Size: a root's rows are replaced by what its last scan saw (files gone from the tree
//! go), roots not scanned for [`MAX_AGE_DAYS`] are dropped, and beyond [`MAX_ROWS`] rows
//! the least recently scanned roots go first. `ospo cache stats|prune|clear` does the same
//! on demand.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::{params, Connection, OpenFlags, TransactionBehavior};

pub use super::discovery::Stored as StoredDiscovery;
pub use super::index::{Entry, Index};
pub use super::opening::{Opened, Opening, Session};
pub use super::stat::Stat;

/// How long a run waits for another's lock before it goes on without the cache.
pub const BUSY_MS: u64 = 3000;
/// Roots not scanned for this long are dropped.
pub const MAX_AGE_DAYS: i64 = 30;
/// A scan that changed nothing does not write the root's last use if it is this recent.
const FRESH_S: i64 = 3600;
/// The rows (files) the whole cache keeps at most.
pub const MAX_ROWS: i64 = 5_000_000;
/// A path longer than this is not cached (it cannot be a real file's).
const MAX_PATH: usize = 4096;
const FILE_NAME: &str = "ospo-cache-v1.sqlite";

/// What a run stores at the end: one row per file examined (or re-checked).
pub struct NewEntry {
    pub path: String,
    pub stat: Stat,
    pub racy: bool,
    pub outcome: Vec<u8>,
}

/// A stat is racy when the file changed within this long of the scan's start: a change
/// made in the same clock tick as our read would leave the stat as it was (git's "racy
/// clean" problem). Two seconds cover FAT's timestamps.
pub const RACY_NS: i64 = 2_000_000_000;

pub fn is_racy(stat: &Stat, scan_start_ns: i64) -> bool {
    stat.ctime_ns >= scan_start_ns - RACY_NS || stat.mtime_ns >= scan_start_ns - RACY_NS
}

pub struct Local {
    conn: Connection,
    path: PathBuf,
    root: Vec<u8>,
    ctx: [u8; 32],
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Local {
    /// Open (or create) the cache in `dir` and read `root`'s index under `ctx`.
    /// A database that is not one (corrupt, truncated, junk) is replaced by a new one.
    pub fn open(dir: &Path, root: &Path, ctx: [u8; 32]) -> Result<(Local, Index, Vec<String>)> {
        let mut notes = Vec::new();
        create_private_dir(dir)?;
        let path = dir.join(FILE_NAME);
        let root = std::fs::canonicalize(root)
            .unwrap_or_else(|_| root.to_path_buf())
            .into_os_string()
            .into_encoded_bytes();
        let conn = match connect(&path).and_then(|c| init(&c).map(|_| c)) {
            Ok(c) => c,
            Err(e) if is_corrupt(&e) => {
                notes.push(format!(
                    "{} is not a valid cache ({e:#}); starting a new one",
                    path.display()
                ));
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                let c = connect(&path)?;
                init(&c)?;
                c
            }
            Err(e) => return Err(e),
        };
        let local = Local {
            conn,
            path,
            root,
            ctx,
        };
        let index = match local.load() {
            Ok(i) => i,
            Err(e) => {
                notes.push(format!(
                    "cannot read {} ({e:#}); scanning cold",
                    local.path.display()
                ));
                Index::default()
            }
        };
        Ok((local, index, notes))
    }

    fn load(&self) -> Result<Index> {
        let root_row: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT id, ctx FROM roots WHERE root = ?1",
                params![self.root],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        let Some((id, ctx)) = root_row else {
            return Ok(Index::default());
        };
        if ctx != self.ctx {
            // Another version of ospo or of the license store: nothing of it is valid.
            return Ok(Index::default());
        }
        let mut index = Index::default();
        let mut stmt = self.conn.prepare(
            "SELECT path, size, mtime, ctime, ino, dev, racy, outcome FROM files \
             WHERE root = ?1 AND length(path) <= ?2 AND length(outcome) <= ?3 LIMIT ?4",
        )?;
        let mut rows = stmt.query(params![
            id,
            MAX_PATH as i64,
            crate::pipeline::outcome::MAX_ENCODED as i64,
            MAX_ROWS
        ])?;
        while let Some(r) = rows.next()? {
            // A row of the wrong types is skipped, not fatal. Paths and outcomes are read
            // in place and copied once, into the index's arena.
            let row = || -> Option<_> {
                let int = |i| r.get::<_, i64>(i).ok();
                let stat = Stat {
                    size: int(1)? as u64,
                    mtime_ns: int(2)?,
                    ctime_ns: int(3)?,
                    ino: int(4)? as u64,
                    dev: int(5)? as u64,
                };
                let racy = int(6)? != 0;
                let path = r.get_ref(0).ok()?.as_blob().ok()?;
                let outcome = r.get_ref(7).ok()?.as_blob().ok()?;
                Some((path, stat, racy, outcome))
            };
            let Some((path, stat, racy, outcome)) = row() else {
                continue;
            };
            let Ok(path) = std::str::from_utf8(path) else {
                continue;
            };
            index.push(path, stat, racy, outcome);
        }
        index.finish();
        Ok(index)
    }

    /// Write this run's rows in one transaction: new and changed files, files gone from
    /// the tree removed, old roots evicted.
    pub fn save(&mut self, index: &Index, new: Vec<NewEntry>) -> Result<()> {
        let gone: Vec<&[u8]> = index.unseen().collect();
        let now = now_s();
        if new.is_empty() && gone.is_empty() && self.fresh(now) {
            // Nothing changed and the root's last use is recent: no write at all (a write
            // transaction, and the checkpoint when the connection closes, for one date).
            return Ok(());
        }
        let grew = !new.is_empty();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT id, ctx FROM roots WHERE root = ?1",
                params![self.root],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        let id = match old {
            Some((id, ctx)) => {
                if ctx != self.ctx {
                    tx.execute("DELETE FROM files WHERE root = ?1", params![id])?;
                }
                tx.execute(
                    "UPDATE roots SET ctx = ?2, last_used = ?3 WHERE id = ?1",
                    params![id, self.ctx.as_slice(), now],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO roots (root, ctx, last_used) VALUES (?1, ?2, ?3)",
                    params![self.root, self.ctx.as_slice(), now],
                )?;
                tx.last_insert_rowid()
            }
        };
        {
            let mut put = tx.prepare(
                "INSERT OR REPLACE INTO files (root, path, size, mtime, ctime, ino, dev, racy, outcome) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for e in &new {
                if e.path.len() > MAX_PATH {
                    continue;
                }
                put.execute(params![
                    id,
                    e.path.as_bytes(),
                    e.stat.size as i64,
                    e.stat.mtime_ns,
                    e.stat.ctime_ns,
                    e.stat.ino as i64,
                    e.stat.dev as i64,
                    e.racy as i64,
                    e.outcome
                ])?;
            }
            let mut del = tx.prepare("DELETE FROM files WHERE root = ?1 AND path = ?2")?;
            for p in gone {
                del.execute(params![id, p])?;
            }
        }
        evict(&tx, now - MAX_AGE_DAYS * 86_400, Some(id), grew)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether the root's row is of this context and was used within [`FRESH_S`].
    fn fresh(&self, now: i64) -> bool {
        self.conn
            .query_row(
                "SELECT ctx, last_used FROM roots WHERE root = ?1",
                params![self.root],
                |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)),
            )
            .is_ok_and(|(ctx, used)| ctx == self.ctx && (0..FRESH_S).contains(&(now - used)))
    }
}

impl Local {
    /// The root's stored discovery, if there is one (bounded; unchecked: see
    /// `discovery::revive`).
    pub fn load_discovery(&self) -> Result<Option<StoredDiscovery>> {
        let max = super::discovery::MAX_STORED as i64;
        let row = self.conn.query_row(
            "SELECT d.ctx, d.inputs, d.reads, d.found FROM discovery d \
             JOIN roots r ON r.id = d.root \
             WHERE r.root = ?1 AND length(d.reads) <= ?2 AND length(d.found) <= ?2",
            params![self.root, max],
            |r| {
                Ok(StoredDiscovery {
                    ctx: r.get(0)?,
                    inputs: r.get(1)?,
                    reads: r.get(2)?,
                    found: r.get(3)?,
                })
            },
        );
        match row {
            Ok(d) => Ok(Some(d)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Keep `d` as the root's discovery (the root's row exists once its files were saved;
    /// without one, nothing is kept).
    pub fn save_discovery(&mut self, d: &StoredDiscovery) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: Option<i64> = tx
            .query_row(
                "SELECT id FROM roots WHERE root = ?1",
                params![self.root],
                |r| r.get(0),
            )
            .ok();
        if let Some(id) = id {
            tx.execute(
                "INSERT OR REPLACE INTO discovery (root, ctx, inputs, reads, found) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, d.ctx, d.inputs, d.reads, d.found],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Drop roots last scanned before `cutoff`, then (when rows were added: `grew`) the least
/// recently scanned ones while the cache holds more than [`MAX_ROWS`] rows (never `keep`,
/// the root just scanned). Counting the rows reads the whole table: a save that added
/// none cannot have made it too large.
fn evict(tx: &Connection, cutoff: i64, keep: Option<i64>, grew: bool) -> Result<u64> {
    let keep = keep.unwrap_or(-1);
    let mut dropped = 0;
    let old: Vec<i64> = {
        let mut s = tx.prepare("SELECT id FROM roots WHERE last_used < ?1 AND id != ?2")?;
        let ids = s
            .query_map(params![cutoff, keep], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        ids
    };
    for id in old {
        drop_root(tx, id)?;
        dropped += 1;
    }
    if !grew {
        return Ok(dropped);
    }
    loop {
        let rows: i64 = tx.query_row("SELECT count(*) FROM files", [], |r| r.get(0))?;
        if rows <= MAX_ROWS {
            break;
        }
        let lru: Option<i64> = tx
            .query_row(
                "SELECT id FROM roots WHERE id != ?1 ORDER BY last_used LIMIT 1",
                params![keep],
                |r| r.get(0),
            )
            .ok();
        let Some(id) = lru else { break };
        drop_root(tx, id)?;
        dropped += 1;
    }
    Ok(dropped)
}

fn drop_root(tx: &Connection, id: i64) -> Result<()> {
    tx.execute("DELETE FROM files WHERE root = ?1", params![id])?;
    tx.execute("DELETE FROM discovery WHERE root = ?1", params![id])?;
    tx.execute("DELETE FROM roots WHERE id = ?1", params![id])?;
    Ok(())
}

fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening {}", path.display()))?;
    conn.busy_timeout(Duration::from_millis(BUSY_MS))?;
    // The file may have been written by someone else: its schema (triggers, views) is
    // not allowed to run functions with side effects, and its structure cannot be
    // changed behind SQLite's back.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA,
        false,
    )?;
    Ok(conn)
}

/// [`init_once`], again while the database is busy, for up to [`BUSY_MS`]: SQLite does
/// not wait on a lock where waiting could deadlock (two runs creating the tables of a new
/// cache at once, one still in rollback-journal mode), it answers "database is locked" at
/// once; a moment later the other run is done.
fn init(conn: &Connection) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        match init_once(conn) {
            Err(e) if is_busy(&e) && started.elapsed() < Duration::from_millis(BUSY_MS) => {
                std::thread::sleep(Duration::from_millis(20));
            }
            r => return r,
        }
    }
}

/// The SQLite error code somewhere in `e`'s chain, if it has one.
fn sqlite_code(e: &anyhow::Error) -> Option<rusqlite::ErrorCode> {
    e.chain()
        .find_map(|c| match c.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(f, _)) => Some(f.code),
            _ => None,
        })
}

fn is_busy(e: &anyhow::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    matches!(sqlite_code(e), Some(DatabaseBusy | DatabaseLocked))
}

fn init_once(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // One immediate transaction: the write lock is taken (or waited for) up front, never
    // upgraded from a read, which is where SQLite gives up rather than wait.
    let created = conn.execute_batch(
        "BEGIN IMMEDIATE;
         CREATE TABLE IF NOT EXISTS roots (
             id INTEGER PRIMARY KEY,
             root BLOB NOT NULL UNIQUE,
             ctx BLOB NOT NULL,
             last_used INTEGER NOT NULL
         );
         CREATE TABLE IF NOT EXISTS files (
             root INTEGER NOT NULL,
             path BLOB NOT NULL,
             size INTEGER NOT NULL,
             mtime INTEGER NOT NULL,
             ctime INTEGER NOT NULL,
             ino INTEGER NOT NULL,
             dev INTEGER NOT NULL,
             racy INTEGER NOT NULL,
             outcome BLOB NOT NULL,
             PRIMARY KEY (root, path)
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS discovery (
             root INTEGER PRIMARY KEY,
             ctx BLOB NOT NULL,
             inputs BLOB NOT NULL,
             reads BLOB NOT NULL,
             found BLOB NOT NULL
         );
         COMMIT;",
    );
    if created.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    created?;
    // A file whose tables are not what we made (junk, a future format) fails here.
    conn.query_row("SELECT count(*) FROM roots", [], |r| r.get::<_, i64>(0))?;
    Ok(())
}

fn is_corrupt(e: &anyhow::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    matches!(sqlite_code(e), Some(NotADatabase | DatabaseCorrupt))
}

fn create_private_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating {}", dir.display()))
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// `ospo cache stats`: (roots, files, bytes on disk) of the cache in `dir`.
pub fn stats(dir: &Path) -> Result<(i64, i64, u64)> {
    let path = dir.join(FILE_NAME);
    if !path.exists() {
        return Ok((0, 0, 0));
    }
    let conn = connect(&path)?;
    let roots = conn.query_row("SELECT count(*) FROM roots", [], |r| r.get(0))?;
    let files = conn.query_row("SELECT count(*) FROM files", [], |r| r.get(0))?;
    let mut bytes = 0;
    for suffix in ["", "-wal"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        bytes += std::fs::metadata(PathBuf::from(p))
            .map(|m| m.len())
            .unwrap_or(0);
    }
    Ok((roots, files, bytes))
}

/// `ospo cache prune`: drop roots not scanned for `days` days (and the oldest beyond
/// [`MAX_ROWS`]), then give the space back. The number of roots dropped.
pub fn prune(dir: &Path, days: i64) -> Result<u64> {
    let path = dir.join(FILE_NAME);
    if !path.exists() {
        return Ok(0);
    }
    let mut conn = connect(&path)?;
    init(&conn)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let dropped = evict(&tx, now_s() - days * 86_400, None, true)?;
    tx.commit()?;
    conn.execute_batch("VACUUM")?;
    Ok(dropped)
}

/// `ospo cache clear`: remove the cache's files.
pub fn clear(dir: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = dir.join(format!("{FILE_NAME}{suffix}"));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", p.display())),
        }
    }
    Ok(())
}
