//! The ignore rules of a walk, applied entry by entry, with one exception: dependency
//! folders.
//!
//! The rules are the ignore crate's own (`.gitignore`, `.ignore`, `.git/info/exclude`, in
//! the tree and in the folders above it, with git's precedence), through its
//! [`IncrementalIgnore`] matcher, so they mean exactly what they mean to ripgrep. What the
//! walker's built-in filtering cannot do is make an exception: a folder of installed
//! dependencies (`node_modules`, a Cargo or Go `vendor/`, a virtualenv, `site-packages`,
//! as the ecosystems name them) beside a manifest, or at the root, ships with the product
//! even when `.gitignore` lists it: inside such a folder no rule ignores anything, whether
//! the project's rules list the folder or part of it, or its packages' own `.gitignore`
//! files list their build output (those describe their repositories, not what was
//! installed). Everywhere else the rules apply as written.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use ignore::{IncrementalIgnore, WalkBuilder};

use super::WalkOptions;

pub(super) struct IgnoreRules {
    /// The walk root as given: entry paths start with it.
    root: PathBuf,
    /// `&mut` to match (it caches the rules of every folder it has seen).
    matcher: Mutex<IncrementalIgnore>,
    /// Dependency folders (relative to the root) whose content something ignored: whether
    /// they ship (at the root or beside a manifest), so that the rules are off inside.
    decided: RwLock<HashMap<PathBuf, bool>>,
    /// Problems with the ignore files themselves (a bad glob), reported after the walk.
    problems: Mutex<Vec<ignore::Error>>,
    /// Folders (relative) whose ignore files were looked at, and those found too big to
    /// compile: under those the rules are not applied (everything is scanned), since the
    /// matcher would compile every line (a 50,000-line .gitignore took 1.4 GB).
    sized: RwLock<HashMap<PathBuf, bool>>,
    oversized: Mutex<Vec<String>>,
}

/// The most rule lines an ignore file (`.gitignore`, `.ignore`) may have, and its largest
/// size: real ones have tens to hundreds of lines.
pub(super) const MAX_IGNORE_LINES: usize = 10_000;
pub(super) const MAX_IGNORE_BYTES: u64 = 1 << 20;

/// Whether the ignore files of `dir` are over the limits.
fn too_big(dir: &Path) -> bool {
    [".gitignore", ".ignore"].iter().any(|name| {
        let p = dir.join(name);
        match std::fs::metadata(&p) {
            Ok(m) if m.len() > MAX_IGNORE_BYTES => true,
            Ok(m) if m.is_file() => std::fs::read(&p).is_ok_and(|b| {
                b.split(|&c| c == b'\n')
                    .filter(|l| {
                        let l = l.trim_ascii();
                        !l.is_empty() && !l.starts_with(b"#")
                    })
                    .count()
                    > MAX_IGNORE_LINES
            }),
            _ => false,
        }
    })
}

impl IgnoreRules {
    pub(super) fn new(opts: &WalkOptions) -> Arc<Self> {
        let mut b = WalkBuilder::new(&opts.root);
        b.hidden(false)
            .git_global(false)
            .git_ignore(true)
            .git_exclude(true)
            .ignore(true)
            .parents(true)
            // A tree is often not a git checkout (an unpacked tarball, a container root),
            // and its .gitignore still says what is not part of it.
            .require_git(false)
            .follow_links(opts.follow_links);
        let matcher = b
            .build_matchers()
            .pop()
            .expect("one matcher per root, and there is one root");
        Arc::new(IgnoreRules {
            root: opts.root.clone(),
            matcher: Mutex::new(matcher),
            decided: RwLock::new(HashMap::new()),
            problems: Mutex::new(Vec::new()),
            sized: RwLock::new(HashMap::new()),
            oversized: Mutex::new(Vec::new()),
        })
    }

    /// Whether `dir` (relative) or a folder above it has ignore files over the limits; the
    /// first time a folder is met its files are measured (before the matcher loads them).
    /// The walk goes top down, so a folder's parent is known by then: one lookup per entry.
    fn in_oversized(&self, dir: &Path) -> bool {
        if let Some(&big) = self.sized.read().unwrap().get(dir) {
            return big;
        }
        let inherited = dir.parent().is_some_and(|up| self.in_oversized(up));
        let big = inherited || too_big(&self.root.join(dir));
        if big && !inherited {
            let shown = super::relative(Path::new(""), dir, false);
            self.oversized.lock().unwrap().push(shown);
        }
        self.sized.write().unwrap().insert(dir.to_path_buf(), big);
        big
    }

    /// Folders (relative, "" for the root) whose ignore files were too big to apply, sorted.
    pub(super) fn take_oversized(&self) -> Vec<String> {
        let mut v = std::mem::take(&mut *self.oversized.lock().unwrap());
        v.sort();
        v
    }

    /// Whether the walk keeps (visits, or descends into) the entry at `path`.
    pub(super) fn keep(&self, path: &Path, is_dir: bool) -> bool {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        // Matching `rel` loads the ignore files of the folders above it: not those over
        // the limits (everything under them is kept).
        if self.in_oversized(rel.parent().unwrap_or(Path::new(""))) {
            return true;
        }
        let deps = shipped_candidate(rel);
        if let Some(d) = deps {
            if self.decided.read().unwrap().get(d) == Some(&true) {
                return true;
            }
        }
        let (m, err) = self
            .matcher
            .lock()
            .unwrap()
            .matched_with_errors(rel, is_dir);
        if let Some(err) = err {
            self.problems.lock().unwrap().push(err);
        }
        if !m.is_ignore() {
            return true;
        }
        let Some(d) = deps else { return false };
        if let Some(&known) = self.decided.read().unwrap().get(d) {
            return known;
        }
        let shipped = self.is_beside_a_manifest(d);
        self.decided
            .write()
            .unwrap()
            .insert(d.to_path_buf(), shipped);
        shipped
    }

    /// Whether the dependency folder `dir` sits at the root or beside a manifest.
    fn is_beside_a_manifest(&self, dir: &Path) -> bool {
        let parent = dir.parent().unwrap_or(Path::new(""));
        if parent.as_os_str().is_empty() {
            return true;
        }
        let parent_rel = super::relative(Path::new(""), parent, false);
        let Ok(entries) = std::fs::read_dir(self.root.join(parent)) else {
            return false;
        };
        entries.filter_map(Result::ok).any(|e| {
            let rel = crate::relpath::child(&parent_rel, &e.file_name().to_string_lossy());
            super::classify_name(&rel) == Some(crate::model::FileClass::Manifest)
        })
    }

    pub(super) fn take_problems(&self) -> Vec<ignore::Error> {
        std::mem::take(&mut *self.problems.lock().unwrap())
    }
}

/// The outermost dependency folder on the way to `rel` (`rel` itself included): the one
/// whose content would ship.
fn shipped_candidate(rel: &Path) -> Option<&Path> {
    let mut end = 0;
    for c in rel.components() {
        end += 1;
        if c.as_os_str()
            .to_str()
            .is_some_and(crate::ecosystem::is_dependency_dir)
        {
            return rel.ancestors().nth(rel.components().count() - end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outermost_dependency_folder() {
        let c = |p: &str| shipped_candidate(Path::new(p)).map(|d| d.to_string_lossy().into_owned());
        assert_eq!(c("node_modules").as_deref(), Some("node_modules"));
        assert_eq!(
            c("a/node_modules/x/node_modules/y").as_deref(),
            Some("a/node_modules")
        );
        assert_eq!(c(".venv/lib/site-packages/x").as_deref(), Some(".venv"));
        assert_eq!(c("src/main.rs"), None);
    }
}
