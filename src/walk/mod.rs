//! The parallel walk of a tree (ignore::WalkParallel) and the classification of file names.
//!
//! Each walker thread gets its own visitor (its own buffers, its own results), so the hot
//! path shares nothing but the walker's queue; visitors flush their results when dropped.
//! Problems with one entry (permission denied, a symlink loop) are handed to the visitor
//! as a diagnostic and the walk goes on.
//!
//! One walk covers the whole tree: the ignore rules (`.gitignore`, `.ignore`,
//! `.git/info/exclude`, also those of the folders above the root) are applied by
//! [`rules::IgnoreRules`] as the walk goes, so that a dependency folder the rules list
//! (`node_modules/`, a virtualenv) is still entered: it ships with the product.

mod rules;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

use crate::model::{Diagnostic, FileClass};

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub root: PathBuf,
    /// Do not read .gitignore / .ignore files.
    pub no_ignore: bool,
    /// gitignore-style globs, relative to the root, of paths to leave out.
    pub excludes: Vec<String>,
    pub follow_links: bool,
    /// Walker threads; 0 = one per core.
    pub threads: usize,
}

impl WalkOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        WalkOptions {
            root: root.into(),
            no_ignore: false,
            excludes: Vec::new(),
            follow_links: false,
            threads: 0,
        }
    }
}

/// What the walker hands a visitor.
pub enum Entry<'a> {
    File { path: &'a Path, rel: String },
    Problem(Diagnostic),
}

pub type Visitor = Box<dyn for<'a> FnMut(Entry<'a>) + Send>;

/// Walk `opts.root` in parallel; `make_visitor` is called once per walker thread (and once
/// more, at the end, for problems with the ignore files themselves).
pub fn walk<F>(opts: &WalkOptions, make_visitor: F) -> Result<()>
where
    F: Fn() -> Visitor + Sync,
{
    let root = &opts.root;
    let meta =
        std::fs::metadata(root).with_context(|| format!("cannot read {}", root.display()))?;
    if meta.is_dir() {
        std::fs::read_dir(root)
            .with_context(|| format!("cannot read directory {}", root.display()))?;
    }

    // The ignore rules are ours to apply (see `rules`): the walker itself reads none.
    let rules = (!opts.no_ignore && meta.is_dir()).then(|| rules::IgnoreRules::new(opts));
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_global(false)
        .git_ignore(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .require_git(false)
        .follow_links(opts.follow_links)
        .threads(if opts.threads == 0 {
            default_threads()
        } else {
            opts.threads.min(max_threads())
        });
    // With -L, a link is followed only while it stays inside the root: a link to `/` or to
    // a home folder must not make the scan read (and record) the machine. Such links are
    // reported and skipped.
    let escapes: std::sync::Arc<std::sync::Mutex<Vec<Diagnostic>>> = Default::default();
    let canonical_root = if opts.follow_links {
        std::fs::canonicalize(root).ok()
    } else {
        None
    };
    {
        let rules = rules.clone();
        let escapes = escapes.clone();
        let root_is_file = meta.is_file();
        let root = root.clone();
        builder.filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            if let (Some(croot), true) = (&canonical_root, e.path_is_symlink()) {
                let inside = std::fs::canonicalize(e.path()).is_ok_and(|t| t.starts_with(croot));
                if !inside {
                    if let Ok(mut v) = escapes.lock() {
                        v.push(Diagnostic::warning(
                            Some(relative(&root, e.path(), root_is_file)),
                            "symbolic link out of the scan root; not followed",
                        ));
                    }
                    return false;
                }
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir && is_vcs_dir(e.file_name()) {
                return false;
            }
            rules.as_ref().is_none_or(|r| r.keep(e.path(), is_dir))
        });
    }
    if !opts.excludes.is_empty() {
        let mut ov = OverrideBuilder::new(root);
        for g in &opts.excludes {
            let g = g.trim();
            if g.is_empty() {
                continue;
            }
            if let Err(e) = ov.add(&format!("!{g}")) {
                bail!("--exclude {g:?}: {e}");
            }
        }
        builder.overrides(ov.build().context("building --exclude globs")?);
    }

    let root_is_file = meta.is_file();
    builder.build_parallel().run(|| {
        let mut visit = make_visitor();
        Box::new(move |result| {
            match result {
                Ok(e) => {
                    let Some(ft) = e.file_type() else {
                        return WalkState::Continue;
                    };
                    if !ft.is_file() {
                        // Directories are walked; symlinks not followed are skipped, as are
                        // sockets, fifos and devices (reading a fifo would block).
                        return WalkState::Continue;
                    }
                    // The size comes from the read, not from a stat per file.
                    let rel = relative(root, e.path(), root_is_file);
                    visit(Entry::File {
                        path: e.path(),
                        rel,
                    });
                }
                Err(err) => visit(Entry::Problem(problem(root, &err, root_is_file))),
            }
            WalkState::Continue
        })
    });
    let mut escaped = std::mem::take(&mut *escapes.lock().unwrap_or_else(|e| e.into_inner()));
    if !escaped.is_empty() {
        // Found by several threads: in path order, so the output is the same every run.
        escaped.sort_by(|a, b| a.path.cmp(&b.path));
        let mut visit = make_visitor();
        for d in escaped {
            visit(Entry::Problem(d));
        }
    }
    if let Some(rules) = &rules {
        let big = rules.take_oversized();
        if !big.is_empty() {
            let mut visit = make_visitor();
            for dir in big {
                visit(Entry::Problem(Diagnostic::warning(
                    Some(crate::relpath::child(&dir, ".gitignore")),
                    format!(
                        "ignore files here have over {} rules or {} bytes; not applied, so \
                         everything under {} is scanned",
                        rules::MAX_IGNORE_LINES,
                        rules::MAX_IGNORE_BYTES,
                        if dir.is_empty() { "the root" } else { &dir }
                    ),
                )));
            }
        }
    }
    if let Some(rules) = rules {
        let problems = rules.take_problems();
        if !problems.is_empty() {
            let mut visit = make_visitor();
            for err in &problems {
                visit(Entry::Problem(problem(root, err, root_is_file)));
            }
        }
    }
    Ok(())
}

/// A walk error as a diagnostic on the path it names.
fn problem(root: &Path, err: &ignore::Error, root_is_file: bool) -> Diagnostic {
    let path = error_path(err);
    let message = clean(err, path.as_deref());
    let rel = path.map(|p| relative(root, &p, root_is_file));
    Diagnostic::warning(rel, message)
}

/// The most walker threads `-j` gets: more than a few per core only adds contention (and
/// each thread has its own buffers), so `-j 2000` means "as many as help".
pub fn max_threads() -> usize {
    (default_threads() * 4).clamp(4, 256)
}

pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

fn is_vcs_dir(name: &std::ffi::OsStr) -> bool {
    matches!(
        name.to_str(),
        Some(".git" | ".hg" | ".svn" | ".bzr" | "_darcs" | ".jj")
    )
}

/// `path` relative to `root`, '/'-separated; lossy for non-UTF-8 names.
pub fn relative(root: &Path, path: &Path, root_is_file: bool) -> String {
    let rel = if root_is_file {
        path.file_name().map(Path::new).unwrap_or(path)
    } else {
        path.strip_prefix(root).unwrap_or(path)
    };
    let s = rel.to_string_lossy();
    if std::path::MAIN_SEPARATOR != '/' {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    } else {
        s.into_owned()
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// The error text without the path ignore puts in front (the path is shown apart).
fn clean(err: &ignore::Error, path: Option<&Path>) -> String {
    let s = err.to_string();
    if let Some(p) = path {
        if let Some(rest) = s.strip_prefix(&format!("{}: ", p.display())) {
            return rest.to_string();
        }
    }
    s
}

/// The class a file's name alone decides; `None` means ordinary text (or binary, which
/// only the content tells).
pub fn classify_name(rel: &str) -> Option<FileClass> {
    let (dir, name) = match rel.rfind('/') {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => ("", rel),
    };
    // Each ecosystem names the manifests and lockfiles it reads.
    if crate::ecosystem::is_manifest(name, dir) {
        return Some(FileClass::Manifest);
    }
    let parent = dir.rsplit('/').next().unwrap_or("");
    if is_license_name(name) || (parent.eq_ignore_ascii_case("LICENSES") && !has_code_ext(name)) {
        return Some(FileClass::License);
    }
    let upper = name.to_ascii_uppercase();
    if upper.starts_with("README") && !has_code_ext(name) {
        return Some(FileClass::Readme);
    }
    None
}

const CODE_EXTS: &[&str] = &[
    "rs", "js", "mjs", "cjs", "ts", "tsx", "jsx", "py", "pyc", "go", "java", "kt", "c", "h", "cc",
    "cpp", "hpp", "cs", "rb", "php", "swift", "m", "json", "toml", "yaml", "yml", "xml", "css",
    "scss", "vue", "svelte", "sh", "bat", "ps1", "pl", "pm", "lua", "dart", "scala", "clj", "ex",
    "exs", "erl", "hs", "ml", "d.ts", "map", "class", "jar", "png", "svg", "jpg", "gif", "ico",
    "o", "a", "so", "dll", "exe", "wasm", "pyi", "r",
];

fn has_code_ext(name: &str) -> bool {
    match name.rsplit_once('.') {
        Some((_, ext)) => CODE_EXTS.contains(&ext.to_ascii_lowercase().as_str()),
        None => false,
    }
}

/// LICENSE*, LICENCE*, COPYING*, COPYRIGHT*, NOTICE*, UNLICENSE, *.LICENSE, MIT-LICENSE,
/// LICENSE_1_0.txt, THIRD-PARTY-NOTICES ... but not license.rs or LicenseManager.java.
pub fn is_license_name(name: &str) -> bool {
    if has_code_ext(name) {
        return false;
    }
    let upper = name.to_ascii_uppercase();
    let stem = upper.split('.').next().unwrap_or(&upper);
    let ends_license = upper.ends_with(".LICENSE") || upper.ends_with(".LICENCE");
    ends_license
        || stem.starts_with("LICENSE")
        || stem.starts_with("LICENCE")
        || stem.starts_with("COPYING")
        || stem.starts_with("COPYRIGHT")
        || stem.starts_with("NOTICE")
        || stem.starts_with("UNLICENSE")
        || stem.ends_with("-LICENSE")
        || stem.ends_with("_LICENSE")
        || stem.ends_with("-LICENCE")
        || stem.contains("THIRD-PARTY-NOTICE")
        || stem.contains("THIRDPARTYNOTICE")
        || stem.contains("THIRD_PARTY_NOTICE")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_names() {
        for n in [
            "LICENSE",
            "LICENSE-MIT",
            "LICENSE-APACHE",
            "LICENSE.md",
            "LICENCE.txt",
            "COPYING",
            "COPYING.LESSER",
            "COPYRIGHT",
            "NOTICE",
            "NOTICE.txt",
            "UNLICENSE",
            "MIT-LICENSE",
            "LICENSE_1_0.txt",
            "foo.LICENSE",
            "license",
            "License.txt",
            "ThirdPartyNotices.txt",
            "THIRD-PARTY-NOTICES",
        ] {
            assert_eq!(classify_name(n), Some(FileClass::License), "{n}");
        }
        for n in [
            "license.rs",
            "LicenseManager.java",
            "licenses.json",
            "src/licence.py",
            "README.md",
            "main.rs",
        ] {
            assert_ne!(classify_name(n), Some(FileClass::License), "{n}");
        }
        assert_eq!(classify_name("LICENSES/MIT.txt"), Some(FileClass::License));
        assert_eq!(classify_name("a/b/README.md"), Some(FileClass::Readme));
        assert_eq!(classify_name("x/Cargo.toml"), Some(FileClass::Manifest));
        assert_eq!(
            classify_name("site/foo-1.0.dist-info/METADATA"),
            Some(FileClass::Manifest)
        );
        assert_eq!(
            classify_name("requirements-dev.txt"),
            Some(FileClass::Manifest)
        );
    }
}
