//! The stat the local cache trusts (as git's index does: size, mtime, ctime, inode and
//! device), and a cheaper way to take it for every file of a walk.
//!
//! A warm rescan's one system call per file is this stat. Taken by full path (what
//! `std::fs::metadata` does), the kernel walks every component of the path again for every
//! file: that walk was 9% of a warm rescan's CPU, more than the stat itself. [`DirStat`]
//! keeps, per walker thread, descriptors of the last few directories it stat'ed files in
//! and stats each file relative to its directory (`fstatat`), so the path is walked once
//! per directory instead of once per file. The result is the same call's result:
//! `fstatat` with no flags follows a final symbolic link as `metadata` does, and the
//! directory is opened by the same path the walk gave, following links the same way.

use std::path::Path;

/// What the cache trusts: same stat, same file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Stat {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub ino: u64,
    pub dev: u64,
}

impl Stat {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<Stat> {
        use std::os::unix::fs::MetadataExt;
        Some(Stat {
            size: meta.size(),
            mtime_ns: meta.mtime().checked_mul(1_000_000_000)? + meta.mtime_nsec(),
            ctime_ns: meta.ctime().checked_mul(1_000_000_000)? + meta.ctime_nsec(),
            ino: meta.ino(),
            dev: meta.dev(),
        })
    }

    /// Without inode and change time the stat cannot be trusted: nothing is cached.
    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<Stat> {
        None
    }
}

/// How many directories a walker thread keeps open. The walk is depth-first per thread
/// and comes back to a directory's remaining files after each of its subdirectories, so
/// the directories open are about the ones on the path from the root: 32 levels cover
/// real trees; a deeper one only reopens some.
const OPEN_DIRS: usize = 32;

/// Stats walked files relative to their directory; one per walker thread.
#[derive(Default)]
pub struct DirStat {
    #[cfg(target_os = "linux")]
    dirs: Vec<(Vec<u8>, std::os::fd::OwnedFd)>,
    /// The file name being stat'ed, NUL-terminated.
    #[cfg(target_os = "linux")]
    name: Vec<u8>,
}

impl DirStat {
    /// The stat of the file at `path` (following a final symbolic link); None when it
    /// cannot be had (the file is gone, or has no usable stat).
    pub fn stat(&mut self, path: &Path) -> Option<Stat> {
        #[cfg(target_os = "linux")]
        if let Some(s) = self.relative(path) {
            return Some(s);
        }
        std::fs::metadata(path).ok().and_then(|m| Stat::of(&m))
    }

    /// The stat relative to the file's directory; None to take it by the full path.
    #[cfg(target_os = "linux")]
    fn relative(&mut self, path: &Path) -> Option<Stat> {
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
        use std::os::unix::ffi::OsStrExt;
        // The walk's paths are a directory joined with a name: split at the last '/'
        // (bytes, not `Path::parent`, whose component parsing cost more than the lookup).
        let bytes = path.as_os_str().as_bytes();
        let cut = memchr::memrchr(b'/', bytes)?;
        let (dir, name) = (&bytes[..cut], &bytes[cut + 1..]);
        if dir.is_empty() || name.is_empty() || name == b"." || name == b".." {
            return None;
        }
        let at = match self.dirs.iter().rposition(|(d, _)| d.as_slice() == dir) {
            Some(i) => {
                // Most recently used last: the one evicted is the least recently used.
                if i + 1 != self.dirs.len() {
                    let e = self.dirs.remove(i);
                    self.dirs.push(e);
                }
                self.dirs.len() - 1
            }
            None => {
                let mut c = dir.to_vec();
                c.push(0);
                // SAFETY: `c` is NUL-terminated; the descriptor returned is ours to close.
                let fd = unsafe {
                    libc::open(
                        c.as_ptr().cast(),
                        libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
                    )
                };
                if fd < 0 {
                    return None;
                }
                if self.dirs.len() == OPEN_DIRS {
                    self.dirs.remove(0);
                }
                // SAFETY: `fd` was just opened and is owned by nothing else.
                self.dirs
                    .push((dir.to_vec(), unsafe { OwnedFd::from_raw_fd(fd) }));
                self.dirs.len() - 1
            }
        };
        self.name.clear();
        self.name.extend_from_slice(name);
        self.name.push(0);
        // SAFETY: an all-zero `stat` is a valid value to be overwritten.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: the descriptor is open, the name NUL-terminated, `st` writable.
        let r = unsafe {
            libc::fstatat(
                self.dirs[at].1.as_raw_fd(),
                self.name.as_ptr().cast(),
                &mut st,
                0,
            )
        };
        if r != 0 {
            // Gone, or a descriptor kept of a directory since removed or replaced: the
            // full path decides (an error path, rare enough to cost a second call).
            self.dirs.remove(at);
            return None;
        }
        Some(Stat {
            size: st.st_size as u64,
            mtime_ns: (st.st_mtime as i64).checked_mul(1_000_000_000)? + st.st_mtime_nsec as i64,
            ctime_ns: (st.st_ctime as i64).checked_mul(1_000_000_000)? + st.st_ctime_nsec as i64,
            ino: st.st_ino as u64,
            dev: st.st_dev as u64,
        })
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn full(p: &Path) -> Option<Stat> {
        std::fs::metadata(p).ok().and_then(|m| Stat::of(&m))
    }

    #[test]
    fn same_stat_as_by_full_path() {
        let t = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        // More directories than are kept open, visited twice: reopened ones too.
        for d in 0..(OPEN_DIRS + 5) {
            let dir = t.path().join(format!("d{d}")).join("sub");
            std::fs::create_dir_all(&dir).unwrap();
            for f in 0..3 {
                let p = dir.join(format!("f{f}.txt"));
                std::fs::write(&p, "x".repeat(d * 10 + f)).unwrap();
                files.push(p);
            }
        }
        let mut ds = DirStat::default();
        for _ in 0..2 {
            for p in &files {
                assert_eq!(ds.stat(p), full(p), "{}", p.display());
                assert!(ds.stat(p).is_some());
            }
        }
        // A link is followed, as metadata does; a dangling one and a missing file have none.
        let target = &files[4];
        let link = t.path().join("d0/sub/link");
        std::os::unix::fs::symlink(target, &link).unwrap();
        assert_eq!(ds.stat(&link), full(target));
        std::os::unix::fs::symlink(t.path().join("nothing"), t.path().join("d0/sub/dangling"))
            .unwrap();
        assert_eq!(ds.stat(&t.path().join("d0/sub/dangling")), None);
        assert_eq!(ds.stat(&t.path().join("d0/sub/missing")), None);
        assert_eq!(ds.stat(&t.path().join("no-dir/missing")), None);
        // A file replaced under the same name: the new file's stat, not the old one's.
        std::fs::remove_file(&files[0]).unwrap();
        std::fs::write(&files[0], "new content").unwrap();
        assert_eq!(ds.stat(&files[0]), full(&files[0]));
        // A directory replaced under the same path: its new files are found (the kept
        // descriptor is of the removed directory, where the name is not found).
        let dir = files[3].parent().unwrap().to_path_buf();
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&files[3], "again").unwrap();
        assert_eq!(ds.stat(&files[3]), full(&files[3]));
    }
}
