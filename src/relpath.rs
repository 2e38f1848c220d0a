//! Relative paths, with one meaning: '/'-separated, relative to a root (the scan root, or
//! a package cache), never absolute and never above that root.
//!
//! Every path that comes from input (a manifest's `path = "../x"`, a lockfile key, a pom's
//! `<module>`, a saved scan) goes through [`join`]: it resolves `.` and `..`, refuses an
//! absolute path, and refuses a `..` that climbs out of the root, instead of clamping it
//! to the root (which would quietly read the wrong file). The walk produces paths of the
//! same shape, so the two can be compared as strings.
//!
//! The few functions here that look at the disk (for component discovery) do it through
//! `cache::reads`, so that what they saw is part of what a cached discovery depends on.

// Every look at the disk goes through `cache::reads` (see there).
#![deny(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use crate::cache::reads;

/// `p`, a path read from input, joined onto the relative directory `dir` ("" = the root),
/// with `.` and `..` resolved; `\` is read as a separator too (manifests written on
/// Windows). `None` when `p` is absolute (`/x`, `\x`, `C:\x`, `C:/x`) or climbs above
/// the root.
pub fn join(dir: &str, p: &str) -> Option<String> {
    if is_absolute(p) {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for s in dir.split(['/', '\\']).chain(p.split(['/', '\\'])) {
        match s {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// A relative path from input on its own: [`join`] onto the root.
pub fn normalize(p: &str) -> Option<String> {
    join("", p)
}

/// `dir/name` for a name the code itself chose ("Cargo.toml", "node_modules/x"), where
/// nothing needs resolving.
pub fn child(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The place on disk of a relative path under `root`; `None` when the path is not
/// relative or leaves the root (see [`join`]).
pub fn under(root: &Path, rel: &str) -> Option<PathBuf> {
    let rel = normalize(rel)?;
    Some(if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel)
    })
}

/// `under`, for a path the walk could only show lossily (a folder or file name that is
/// not UTF-8, written with U+FFFD): each such component is found again among its folder's
/// entries by its lossy form (the first, in byte order, when two names look alike). A
/// path with no U+FFFD, or one that exists as written, is `under`'s.
pub fn under_lossy(root: &Path, rel: &str) -> Option<PathBuf> {
    let plain = under(root, rel)?;
    if !rel.contains('\u{FFFD}') || reads::symlink_metadata(&plain).is_ok() {
        return Some(plain);
    }
    let mut path = root.to_path_buf();
    for part in normalize(rel)?.split('/') {
        let direct = path.join(part);
        if !part.contains('\u{FFFD}') || reads::symlink_metadata(&direct).is_ok() {
            path = direct;
            continue;
        }
        let mut names: Vec<std::ffi::OsString> = reads::read_dir(&path)
            .ok()?
            .into_iter()
            .map(|e| e.name)
            .filter(|n| n.to_string_lossy() == part)
            .collect();
        names.sort();
        path.push(names.into_iter().next()?);
    }
    Some(path)
}

/// Whether `path` (under `root`), with every symbolic link on the way resolved, is still
/// inside `root`. A path that does not exist is inside (there is nothing to follow); one
/// that cannot be resolved otherwise is not.
pub fn stays_inside(root: &Path, path: &Path) -> bool {
    let Ok(croot) = reads::canonicalize(root) else {
        return false;
    };
    match reads::canonicalize(path) {
        Ok(p) => p.starts_with(&croot),
        Err(e) => {
            e.kind() == std::io::ErrorKind::NotFound && reads::symlink_metadata(path).is_err()
        }
    }
}

/// Whether `p` is an absolute path on any platform: `/x`, `\x`, `C:\x`, `C:/x`, `C:`.
pub fn is_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with(['/', '\\']) || (b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic())
}

/// The directory part of a relative path ("" for a file at the root).
pub fn dir_of(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

/// The file-name part of a relative path.
pub fn file_name(rel: &str) -> &str {
    rel.rfind('/').map_or(rel, |i| &rel[i + 1..])
}

/// Whether `rel` is `dir` itself or inside it ("" holds everything).
pub fn is_within(rel: &str, dir: &str) -> bool {
    dir.is_empty()
        || rel == dir
        || (rel.len() > dir.len() && rel.starts_with(dir) && rel.as_bytes()[dir.len()] == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_resolves_and_refuses() {
        assert_eq!(join("a/b", "../c/./d").as_deref(), Some("a/c/d"));
        assert_eq!(join("", "x/y/").as_deref(), Some("x/y"));
        assert_eq!(join("a", ".").as_deref(), Some("a"));
        assert_eq!(join("a", "..").as_deref(), Some(""));
        assert_eq!(join("a", "..\\b").as_deref(), Some("b"));
        assert_eq!(join("a", "../.."), None, "above the root");
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("a", "/etc/passwd"), None, "absolute");
        assert_eq!(join("a", "\\\\server\\share"), None);
        assert_eq!(join("a", "C:\\x"), None);
        assert_eq!(join("a", "c:/x"), None);
        assert_eq!(normalize("a/b/../c").as_deref(), Some("a/c"));
    }

    #[test]
    fn small_parts() {
        assert_eq!(child("", "Cargo.toml"), "Cargo.toml");
        assert_eq!(child("a/b", "Cargo.toml"), "a/b/Cargo.toml");
        assert_eq!(dir_of("a/b/c"), "a/b");
        assert_eq!(dir_of("c"), "");
        assert_eq!(file_name("a/b/c"), "c");
        assert_eq!(file_name("c"), "c");
        assert_eq!(
            under(Path::new("/r"), "a/../b"),
            Some(PathBuf::from("/r/b"))
        );
        assert_eq!(under(Path::new("/r"), ""), Some(PathBuf::from("/r")));
        assert_eq!(under(Path::new("/r"), "../b"), None);
        assert_eq!(under(Path::new("/r"), "/etc"), None);
        assert!(is_within("a/b", "a"));
        assert!(is_within("a", "a"));
        assert!(is_within("a", ""));
        assert!(!is_within("ab", "a"));
    }
}
