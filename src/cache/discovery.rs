//! Component discovery, kept: a warm rescan of an unchanged tree reuses the last
//! discovery's result instead of reading and parsing every manifest again.
//!
//! Discovery (stage 3, `ecosystem::discover`) is a function of the walk's lists (the
//! manifests and license files it hands over), of a few settings (the root, whether
//! package caches are read, the environment variables that locate them, ospo's version)
//! and of what it reads on the disk, which `cache::reads` records. One row per root
//! keeps the last discovery: its [`context`], a hash of the walk's lists ([`inputs`]),
//! every read with its answer, and the [`Found`] it produced. A rescan asks every read
//! again (on the cache's opening thread, while the walk goes on: [`revive`]) and, when
//! every answer and the walk's lists are the same, uses the stored `Found`: what a fresh
//! discovery would have found, since it would have asked the same questions and got the
//! same answers. Anything else (a manifest edited, added or removed, a folder probed that
//! appeared, a stat too recent to be trusted) is a fresh discovery, kept for next time.
//!
//! A cache someone else wrote could hold any `Found`; as for files whose stat it knows,
//! keep the cache directory yours (docs/cache.md).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::reads::Reads;
use crate::ecosystem::Found;

/// Bumped whenever what discovery finds changes without a change of ospo's version, or
/// how it is stored does.
pub const FORMAT: u32 = 1;

/// Stored discoveries larger than this are not read (the benchmark tree's is ~2 MB).
pub const MAX_STORED: usize = 256 << 20;

/// The environment variables that tell ecosystems where package caches are.
const ENV: &[&str] = &[
    "CARGO_HOME",
    "GOMODCACHE",
    "GOPATH",
    "HOME",
    "NUGET_PACKAGES",
    "USERPROFILE",
];

/// A discovery as stored: one row per root.
pub struct Stored {
    pub ctx: Vec<u8>,
    pub inputs: Vec<u8>,
    pub reads: Vec<u8>,
    pub found: Vec<u8>,
}

/// A stored discovery whose every read still holds: its walk's lists (to compare with this
/// walk's) and what it found.
pub struct Prior {
    pub inputs: [u8; 32],
    pub found: Found,
}

/// Everything a discovery of `root` depends on but the walk's lists and the disk.
pub fn context(root: &Path, use_local_caches: bool) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(super::context());
    h.update(b"ospo discovery\0");
    h.update(FORMAT.to_le_bytes());
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let root = root.as_os_str().as_encoded_bytes();
    h.update((root.len() as u64).to_le_bytes());
    h.update(root);
    h.update([use_local_caches as u8]);
    for k in ENV {
        match std::env::var_os(k) {
            Some(v) => {
                let v = v.as_encoded_bytes();
                h.update([1]);
                h.update((v.len() as u64).to_le_bytes());
                h.update(v);
            }
            None => h.update([0]),
        }
    }
    h.finalize().into()
}

/// The walk's part of a discovery's input: the manifests and license files it is given.
pub fn inputs(manifests: &[String], license_files: &[String]) -> [u8; 32] {
    let mut h = Sha256::new();
    for list in [manifests, license_files] {
        h.update((list.len() as u64).to_le_bytes());
        for p in list {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p.as_bytes());
        }
    }
    h.finalize().into()
}

/// A fresh discovery to keep; None when it must not be (a read could not be noted, a stat
/// too recent to prove its file unchanged, a result that does not serialize).
pub fn keep(
    ctx: &[u8; 32],
    inputs: &[u8; 32],
    found: &Found,
    reads: &Reads,
    start_ns: i64,
) -> Option<Stored> {
    if reads.incomplete || reads.racy(start_ns) {
        return None;
    }
    let reads = serde_json::to_vec(reads).ok()?;
    let found = serde_json::to_vec(found).ok()?;
    (reads.len() <= MAX_STORED && found.len() <= MAX_STORED).then(|| Stored {
        ctx: ctx.to_vec(),
        inputs: inputs.to_vec(),
        reads,
        found,
    })
}

/// A stored discovery, if it is of this context and every read it made still gets the
/// same answer: decoded. None otherwise.
pub fn revive(stored: Stored, ctx: &[u8; 32]) -> Option<Prior> {
    if stored.ctx != ctx {
        return None;
    }
    let inputs: [u8; 32] = stored.inputs.try_into().ok()?;
    let reads: Reads = serde_json::from_slice(&stored.reads).ok()?;
    if !reads.still_hold() {
        return None;
    }
    let found: Found = serde_json::from_slice(&stored.found).ok()?;
    Some(Prior { inputs, found })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::ecosystem;

    /// Every fixture tree of the ecosystems' and OS tests (the layouts discovery knows).
    fn fixture_trees() -> Vec<std::path::PathBuf> {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut trees = Vec::new();
        for group in ["ecosystems", "os"] {
            for eco in std::fs::read_dir(base.join(group)).unwrap().flatten() {
                let eco = eco.path();
                if !eco.is_dir() {
                    continue;
                }
                trees.push(eco.clone());
                for t in std::fs::read_dir(&eco).unwrap().flatten() {
                    if t.path().is_dir() {
                        trees.push(t.path());
                    }
                }
            }
        }
        trees.push(base.join("tree"));
        trees.sort();
        trees
    }

    /// What is kept is what was found, exactly (the warm output is the cold one only if
    /// the stored `Found` decodes to the same value), and what a discovery read still holds
    /// when nothing changed (else it would never be reused).
    #[test]
    fn every_fixture_discovery_round_trips_and_its_reads_hold() {
        let trees = fixture_trees();
        assert!(trees.len() > 40, "{} fixture trees", trees.len());
        for root in &trees {
            let (found, reads) = ecosystem::with_context(root, false, |ctx| {
                crate::cache::reads::record(|| ecosystem::discover(ctx))
            });
            let bytes = serde_json::to_vec(&found).unwrap();
            let back: Found = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(back, found, "{}", root.display());
            assert!(!reads.incomplete, "{}", root.display());
            let root_str = root.to_str().unwrap();
            // Other tests of this process may read while this one records: only the
            // reads under this tree are its own.
            let mine = Reads {
                reads: reads
                    .reads
                    .into_iter()
                    .filter(|r| r.path().starts_with(root_str))
                    .collect(),
                incomplete: false,
            };
            assert!(mine.still_hold(), "{}", root.display());
            // (As if the scan ran an hour later: the fixtures' stats are old by then.)
            let kept = keep(&[0; 32], &[1; 32], &found, &mine, now_ns() + HOUR).unwrap();
            let prior = revive(kept, &[0; 32]).unwrap();
            assert_eq!(prior.found, found, "{}", root.display());
            assert_eq!(prior.inputs, [1; 32]);
        }
    }

    #[test]
    fn another_context_or_a_read_that_no_longer_holds_is_not_revived() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("Cargo.toml");
        std::fs::write(&f, "[package]\nname = \"a\"\nversion = \"1.0.0\"\n").unwrap();
        let ((), reads) = crate::cache::reads::record(|| {
            crate::cache::reads::read(&f).unwrap();
        });
        let found = Found::default();
        // Just written: racy, not kept.
        assert!(keep(&[0; 32], &[1; 32], &found, &reads, now_ns()).is_none());
        let kept = || keep(&[0; 32], &[1; 32], &found, &reads, now_ns() + HOUR).unwrap();
        assert!(revive(kept(), &[0; 32]).is_some());
        assert!(revive(kept(), &[9; 32]).is_none(), "another context");
        let mut junk = kept();
        junk.found = b"{not json".to_vec();
        assert!(
            revive(junk, &[0; 32]).is_none(),
            "a found that does not decode"
        );
        std::fs::write(&f, "[package]\nname = \"b\"\nversion = \"1.0.0\"\n").unwrap();
        assert!(revive(kept(), &[0; 32]).is_none(), "the manifest changed");
        assert_ne!(
            inputs(&["a".into()], &[]),
            inputs(&[], &["a".into()]),
            "a manifest is not a license file"
        );
    }

    const HOUR: i64 = 3600 * 1_000_000_000;

    fn now_ns() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as i64
    }
}
