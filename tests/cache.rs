//! The embedded result cache, end to end: a warm scan is byte-identical to a cold one and
//! reads what changed; --no-cache, --verify, a corrupt or tampered cache, two runs at once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::ospo;

/// A copy of `tests/fixtures/tree` to change, and a cache directory of its own.
pub struct Tree {
    pub dir: tempfile::TempDir,
    pub cache: tempfile::TempDir,
}

impl Tree {
    pub fn new() -> Tree {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("cp")
            .args(["-R", "tests/fixtures/tree/."])
            .arg(dir.path())
            .current_dir(crate::common::root())
            .status()
            .unwrap();
        assert!(ok.success());
        Tree {
            dir,
            cache: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Files this new are "racy" (a change in the same clock tick could hide behind an
    /// unchanged stat) and are checked again by content; wait them out.
    pub fn age(&self) {
        std::thread::sleep(Duration::from_millis(2100));
    }
}

/// `ospo scan ROOT --format json -v` with `extra` flags: (stdout, stderr).
pub fn scan(root: &Path, extra: &[&str]) -> (Vec<u8>, String) {
    let out = ospo()
        .env_remove("OSPO_NO_CACHE")
        .env_remove("OSPO_CACHE_URL")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["scan", "--format", "json", "--no-caches", "-v"])
        .arg(root)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    (out.stdout, stderr)
}

/// The cache's own counts from the `-v` note: (local hits, shared hits, stored).
pub fn counts(stderr: &str) -> (u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("ospo: note: cache: "))
        .unwrap_or_else(|| panic!("no cache note in: {stderr}"));
    let n: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    (n[0], n[1], n[2])
}

fn cache_dir(t: &Tree) -> [&str; 2] {
    ["--cache-dir", t.cache.path().to_str().unwrap()]
}

fn cold(root: &Path) -> Vec<u8> {
    scan(root, &["--no-cache"]).0
}

fn files_in(root: &Path) -> u64 {
    walkdir(root)
}

fn walkdir(p: &Path) -> u64 {
    let mut n = 0;
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        let t = e.file_type().unwrap();
        if t.is_dir() {
            n += walkdir(&e.path());
        } else if t.is_file() {
            n += 1;
        }
    }
    n
}

#[test]
fn warm_scan_is_byte_identical_and_reads_only_what_changed() {
    let t = Tree::new();
    t.age();
    let cold_out = cold(t.root());
    let (first, err) = scan(t.root(), &cache_dir(&t));
    assert_eq!(
        first, cold_out,
        "a scan that fills the cache is a cold scan"
    );
    let (_, _, stored) = counts(&err);
    assert!(stored > 10, "{err}");

    let (warm, err) = scan(t.root(), &cache_dir(&t));
    assert_eq!(warm, cold_out, "warm output differs from cold");
    let (hits, shared, stored_again) = counts(&err);
    assert_eq!((hits, shared, stored_again), (stored, 0, 0), "{err}");

    // A file given a license: that file alone is examined again, and the result is the
    // cold result of the changed tree.
    let changed = t.root().join("src/align.rs");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text.push_str(&format!("\n// {}: BSD-3-Clause\n", crate::common::TAG));
    std::fs::write(&changed, text).unwrap();
    let (after, err) = scan(t.root(), &cache_dir(&t));
    assert_eq!(after, cold(t.root()));
    assert!(String::from_utf8_lossy(&after).contains("BSD-3-Clause"));
    let (hits, _, stored_now) = counts(&err);
    assert_eq!((hits, stored_now), (stored - 1, 1), "{err}");

    // A file removed is gone from the result (and from the cache), not served stale.
    std::fs::remove_file(t.root().join("LICENSE-APACHE")).unwrap();
    let (after, _) = scan(t.root(), &cache_dir(&t));
    assert_eq!(after, cold(t.root()));
    assert!(!String::from_utf8_lossy(&after).contains("LICENSE-APACHE"));
}

#[test]
fn no_cache_writes_nothing_and_the_env_can_point_the_cache() {
    let t = Tree::new();
    let (_, err) = scan(
        t.root(),
        &[
            "--no-cache",
            "--cache-dir",
            t.cache.path().to_str().unwrap(),
        ],
    );
    assert!(!err.contains("cache:"), "{err}");
    assert_eq!(std::fs::read_dir(t.cache.path()).unwrap().count(), 0);
    // OSPO_CACHE_DIR instead of the flag, and the XDG default: the same cache file.
    let env_dir = tempfile::tempdir().unwrap();
    let out = ospo()
        .env_remove("OSPO_NO_CACHE")
        .env("OSPO_CACHE_DIR", env_dir.path())
        .args(["scan", "--format", "json", "--no-caches"])
        .arg(t.root())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(env_dir.path().join("ospo-cache-v1.sqlite").is_file());
    let xdg = tempfile::tempdir().unwrap();
    let out = ospo()
        .env_remove("OSPO_NO_CACHE")
        .env_remove("OSPO_CACHE_DIR")
        .env("XDG_CACHE_HOME", xdg.path())
        .args(["sbom"])
        .arg(t.root())
        .args(["--no-caches", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(xdg.path().join("ospo/ospo-cache-v1.sqlite").is_file());
}

/// The stat the cache keeps of `rel`, set to the file's current one: as if the change
/// had kept every field of its stat (what --verify is for).
fn forge_stat(t: &Tree, rel: &str) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(t.root().join(rel)).unwrap();
    let db = rusqlite::Connection::open(t.cache.path().join("ospo-cache-v1.sqlite")).unwrap();
    let n = db
        .execute(
            "UPDATE files SET size = ?1, mtime = ?2, ctime = ?3, ino = ?4, dev = ?5 WHERE path = ?6",
            rusqlite::params![
                m.size() as i64,
                m.mtime() * 1_000_000_000 + m.mtime_nsec(),
                m.ctime() * 1_000_000_000 + m.ctime_nsec(),
                m.ino() as i64,
                m.dev() as i64,
                rel.as_bytes()
            ],
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_change_that_keeps_the_mtime_is_caught_and_verify_rehashes() {
    let t = Tree::new();
    t.age();
    scan(t.root(), &cache_dir(&t));
    // Same size, mtime put back with touch -d: the change time still gives it away.
    let lic = t.root().join("LICENSE");
    let before = std::fs::read_to_string(&lic).unwrap();
    assert!(before.contains("MIT"), "fixture LICENSE is MIT");
    let stamp = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(&lic).unwrap().mtime()
    };
    let after = before.replacen(
        "Permission is hereby granted",
        "Permission is hereby DENIED!",
        1,
    );
    assert_eq!(after.len(), before.len());
    std::fs::write(&lic, &after).unwrap();
    let restored = std::process::Command::new("touch")
        .arg("-d")
        .arg(format!("@{stamp}"))
        .arg(&lic)
        .status()
        .unwrap();
    assert!(restored.success());
    t.age();
    let expected = cold(t.root());
    let (plain, err) = scan(t.root(), &cache_dir(&t));
    assert_eq!(plain, expected, "{err}");
    assert_eq!(counts(&err).2, 1, "only LICENSE is examined again: {err}");

    // Now the cache's stat is forged to match a changed file: trusted without --verify,
    // re-hashed (and re-examined) with it.
    std::fs::write(&lic, &before).unwrap();
    let expected = cold(t.root());
    forge_stat(&t, "LICENSE");
    let (verified, err) = scan(t.root(), &[&cache_dir(&t)[..], &["--verify"]].concat());
    assert_eq!(verified, expected, "--verify must see the change: {err}");
    let (hits, _, stored) = counts(&err);
    assert!(stored >= 1 && hits > 0, "{err}");
}

#[test]
fn a_corrupt_or_tampered_cache_is_a_warning_and_a_correct_scan() {
    let t = Tree::new();
    let expected = cold(t.root());
    let db = t.cache.path().join("ospo-cache-v1.sqlite");
    // Junk where the database should be.
    std::fs::write(
        &db,
        b"this is not a database, it is a hostile file\n".repeat(200),
    )
    .unwrap();
    let (out, err) = scan(t.root(), &cache_dir(&t));
    assert_eq!(out, expected);
    assert!(
        err.contains("warning: cache:") && err.contains("not a valid cache"),
        "{err}"
    );
    // It was replaced by a working cache.
    t.age();
    let (out, err) = scan(t.root(), &cache_dir(&t));
    assert_eq!(out, expected);
    assert!(!err.contains("warning: cache"), "{err}");

    // Rows a hostile party rewrote: outcomes of junk, of another size, naming a path
    // outside the tree, a huge blob. Every such row is a miss, never a finding.
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "UPDATE files SET outcome = x'00ff' WHERE path = CAST('LICENSE' AS BLOB);
         UPDATE files SET outcome = '{\"size\":1}' WHERE path = CAST('README.md' AS BLOB);
         UPDATE files SET outcome = zeroblob(50000000) WHERE path = CAST('Cargo.toml' AS BLOB);
         UPDATE files SET outcome = '{\"size\":' || size || ',\"record\":{\"path\":\"/etc/passwd\",\"size\":' || size || ',\"class\":\"text\"}}' WHERE path = CAST('src/align.rs' AS BLOB);",
    )
    .unwrap();
    drop(c);
    let (out, err) = scan(t.root(), &cache_dir(&t));
    assert_eq!(out, expected, "{err}");
    assert!(!String::from_utf8_lossy(&out).contains("/etc/passwd"));
    assert_eq!(
        counts(&err).2,
        4,
        "the four tampered rows were examined again: {err}"
    );

    // An unusable cache directory (a file in its place): a warning, a cold scan.
    let not_dir = t.cache.path().join("plain-file");
    std::fs::write(&not_dir, b"x").unwrap();
    let (out, err) = scan(t.root(), &["--cache-dir", not_dir.to_str().unwrap()]);
    assert_eq!(out, expected);
    assert!(err.contains("warning: cache:"), "{err}");
}

#[test]
fn two_scans_at_once_on_one_cache() {
    let t = Tree::new();
    let other = Tree::new();
    let expected = cold(t.root());
    let expected_other = cold(other.root());
    let cache = t.cache.path().to_path_buf();
    let run = |root: PathBuf, cache: PathBuf| {
        std::thread::spawn(move || scan(&root, &["--cache-dir", cache.to_str().unwrap()]))
    };
    let a = run(t.root().to_path_buf(), cache.clone());
    let b = run(t.root().to_path_buf(), cache.clone());
    let c = run(other.root().to_path_buf(), cache.clone());
    let (a, b, c) = (a.join().unwrap(), b.join().unwrap(), c.join().unwrap());
    assert_eq!(a.0, expected, "{}", a.1);
    assert_eq!(b.0, expected, "{}", b.1);
    assert_eq!(c.0, expected_other, "{}", c.1);
    for err in [&a.1, &b.1, &c.1] {
        assert!(!err.contains("warning: cache"), "{err}");
    }
    // Both roots are in the one cache afterwards.
    let (out, _) = scan(other.root(), &["--cache-dir", cache.to_str().unwrap()]);
    assert_eq!(out, expected_other);
    let stats = ospo()
        .args(["cache", "stats", "--cache-dir", cache.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&stats.stdout);
    assert!(stats.status.success(), "{text}");
    assert!(text.contains("roots: 2"), "{text}");
    assert!(
        text.contains(&format!(
            "files: {}",
            files_in(t.root()) + files_in(other.root()) - count_ignored(t.root()) * 2
        )),
        "{text}"
    );
}

/// Files the scan does not walk (.gitignore'd ones, .git): the tree's files minus the
/// scan's count.
fn count_ignored(root: &Path) -> u64 {
    let out = scan(root, &["--no-cache"]).0;
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    files_in(root) - v["summary"]["files_scanned"].as_u64().unwrap()
}
