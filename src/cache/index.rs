//! A scan root's index in memory: what the local cache holds of every file (its path, stat
//! and stored outcome), looked up by path from every walker thread.
//!
//! A warm rescan reads the whole index (91,746 rows, 23 MB of outcomes on the benchmark
//! tree) before it can trust any file, so its shape is chosen for loading: every path and
//! outcome is copied into one arena of bytes and the rows into one vector, with an
//! open-addressing table of row numbers over them. Loading is then a few large
//! allocations instead of two per row plus a hash map's growth, and dropping it is three
//! frees (the per-row `String`/`Vec` version spent a tenth of a warm rescan's CPU loading
//! and freeing itself). The table is built once, after the rows are in, and only read
//! afterwards; the only thing that changes during a scan is each row's `seen` flag.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

use super::stat::Stat;

/// The root's entries, by path relative to the root.
#[derive(Default)]
pub struct Index {
    /// Every row's path, then its outcome, back to back.
    bytes: Vec<u8>,
    rows: Vec<Row>,
    /// Row number + 1 per slot (0: empty); a power of two, at most half full.
    slots: Vec<u32>,
    /// Seen by this run's walk (rows never seen are files gone from the tree).
    seen: Vec<AtomicBool>,
}

struct Row {
    hash: u64,
    start: usize,
    path_len: u32,
    outcome_len: u32,
    stat: Stat,
    racy: bool,
}

/// One file's stored state.
pub struct Entry<'a> {
    pub stat: Stat,
    /// Its ctime was too close to the scan that stored it for the stat to prove the
    /// content unchanged (see [`super::local::is_racy`]): the content is checked again.
    pub racy: bool,
    pub outcome: &'a [u8],
    seen: &'a AtomicBool,
}

impl Entry<'_> {
    /// This run's walk found the file (it is not deleted from the cache at the end).
    pub fn mark_seen(&self) {
        self.seen.store(true, Relaxed);
    }
}

/// foldhash: a lookup per file of the tree (SipHash was a twentieth of a warm rescan's user
/// time); fixed, so that nothing depends on a random seed.
fn hash(path: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(path)
}

impl Index {
    /// Add a row; [`Index::finish`] makes the rows findable. Paths must be unique (the
    /// table's key); of two rows with one path, the first is found.
    pub fn push(&mut self, path: &str, stat: Stat, racy: bool, outcome: &[u8]) {
        // Bounded by the query (paths of 4 KiB, outcomes of a few MiB): never truncated.
        let (Ok(path_len), Ok(outcome_len)) = (path.len().try_into(), outcome.len().try_into())
        else {
            return;
        };
        let start = self.bytes.len();
        self.bytes.extend_from_slice(path.as_bytes());
        self.bytes.extend_from_slice(outcome);
        self.rows.push(Row {
            hash: hash(path.as_bytes()),
            start,
            path_len,
            outcome_len,
            stat,
            racy,
        });
    }

    /// Build the table over the rows pushed.
    pub fn finish(&mut self) {
        // More rows than a u32 counts are not a cache of a real tree (MAX_ROWS is 5 million).
        self.rows.truncate(u32::MAX as usize / 2);
        let size = (self.rows.len() * 2).next_power_of_two().max(16);
        let mask = size - 1;
        let mut slots = vec![0u32; size];
        let mut doubles = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            let mut s = row.hash as usize & mask;
            loop {
                match slots[s] {
                    0 => {
                        slots[s] = i as u32 + 1;
                        break;
                    }
                    // A second row with the same path (only a corrupt file has one) stays
                    // out of the table, and counts as seen: the save must not delete the
                    // path the first row is found by.
                    n if self.rows[n as usize - 1].hash == row.hash
                        && self.path(n as usize - 1) == self.path(i) =>
                    {
                        doubles.push(i);
                        break;
                    }
                    _ => s = (s + 1) & mask,
                }
            }
        }
        self.slots = slots;
        self.seen = (0..self.rows.len())
            .map(|_| AtomicBool::new(false))
            .collect();
        for i in doubles {
            self.seen[i].store(true, Relaxed);
        }
    }

    fn path(&self, i: usize) -> &[u8] {
        let r = &self.rows[i];
        &self.bytes[r.start..r.start + r.path_len as usize]
    }

    /// The stored state of the file at `path` (relative to the root).
    pub fn get(&self, path: &str) -> Option<Entry<'_>> {
        if self.slots.is_empty() {
            return None;
        }
        let h = hash(path.as_bytes());
        let mask = self.slots.len() - 1;
        let mut s = h as usize & mask;
        loop {
            let n = self.slots[s] as usize;
            if n == 0 {
                return None;
            }
            let i = n - 1;
            let r = &self.rows[i];
            if r.hash == h && self.path(i) == path.as_bytes() {
                let start = r.start + r.path_len as usize;
                return Some(Entry {
                    stat: r.stat,
                    racy: r.racy,
                    outcome: &self.bytes[start..start + r.outcome_len as usize],
                    seen: &self.seen[i],
                });
            }
            s = (s + 1) & mask;
        }
    }

    /// Paths of the findable rows this run's walk did not see.
    pub fn unseen(&self) -> impl Iterator<Item = &[u8]> {
        self.seen
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.load(Relaxed))
            .map(|(i, _)| self.path(i))
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(n: u64) -> Stat {
        Stat {
            size: n,
            mtime_ns: n as i64,
            ctime_ns: n as i64,
            ino: n,
            dev: 1,
        }
    }

    #[test]
    fn finds_every_row_and_only_those() {
        let mut ix = Index::default();
        for i in 0..1000u64 {
            ix.push(
                &format!("dir/{i}.txt"),
                stat(i),
                i % 3 == 0,
                format!("o{i}").as_bytes(),
            );
        }
        ix.push("dir/5.txt", stat(99), false, b"second");
        ix.finish();
        for i in 0..1000u64 {
            let e = ix.get(&format!("dir/{i}.txt")).unwrap();
            assert_eq!(e.stat, stat(i));
            assert_eq!(e.racy, i % 3 == 0);
            assert_eq!(e.outcome, format!("o{i}").as_bytes());
        }
        // Of two rows with one path, the first is the one found, and the second is never
        // "gone" (deleting it would delete the first).
        assert_eq!(ix.get("dir/5.txt").unwrap().outcome, b"o5");
        assert_eq!(ix.unseen().count(), 1000);
        assert!(ix.get("dir/1000.txt").is_none());
        assert!(ix.get("").is_none());
        assert!(Index::default().get("a").is_none());
    }

    #[test]
    fn unseen_rows_are_the_files_gone() {
        let mut ix = Index::default();
        for p in ["a", "b", "c"] {
            ix.push(p, stat(1), false, b"{}");
        }
        ix.finish();
        ix.get("b").unwrap().mark_seen();
        let gone: Vec<&[u8]> = ix.unseen().collect();
        assert_eq!(gone, vec![b"a".as_slice(), b"c".as_slice()]);
    }
}
