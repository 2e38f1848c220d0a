//! The parallel walk of a tree (ignore::WalkParallel) and the classification of file names.
//!
//! Each walker thread gets its own visitor (its own buffers, its own results), so the hot
//! path shares nothing but the walker's queue; visitors flush their results when dropped.
//! Problems with one entry (permission denied, a symlink loop) are handed to the visitor
//! as a diagnostic and the walk goes on.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

use crate::model::{Diagnostic, FileClass};

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub root: PathBuf,
    /// Paths (and --exclude globs) are relative to this; default: `root`. Set when a
    /// subdirectory of the scan is walked on its own (a dependency directory).
    pub base: Option<PathBuf>,
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
            base: None,
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

/// Walk `opts.root` in parallel; `make_visitor` is called once per walker thread.
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

    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_global(false)
        .git_ignore(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        // A tree is often not a git checkout (an unpacked tarball, a container root), and
        // its .gitignore still says what is not part of it.
        .require_git(false)
        .follow_links(opts.follow_links)
        .threads(if opts.threads == 0 {
            default_threads()
        } else {
            opts.threads
        })
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir()) && is_vcs_dir(e.file_name()))
        });
    if !opts.excludes.is_empty() {
        let mut ov = OverrideBuilder::new(opts.base.as_ref().unwrap_or(root));
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
        let root = opts.base.clone().unwrap_or_else(|| root.clone());
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
                    let rel = relative(&root, e.path(), root_is_file);
                    visit(Entry::File {
                        path: e.path(),
                        rel,
                    });
                }
                Err(err) => {
                    let path = error_path(&err);
                    let message = clean(&err, path.as_deref());
                    let rel = path.map(|p| relative(&root, &p, root_is_file));
                    visit(Entry::Problem(Diagnostic::warning(rel, message)));
                }
            }
            WalkState::Continue
        })
    });
    Ok(())
}

/// Whether `--exclude` leaves out the directory `rel` (relative to the scan root).
pub fn is_excluded(opts: &WalkOptions, rel: &str) -> bool {
    if opts.excludes.is_empty() {
        return false;
    }
    let base = opts.base.as_ref().unwrap_or(&opts.root);
    let mut ov = OverrideBuilder::new(base);
    for g in opts.excludes.iter().filter(|g| !g.trim().is_empty()) {
        if ov.add(&format!("!{}", g.trim())).is_err() {
            return false;
        }
    }
    let Ok(ov) = ov.build() else { return false };
    // A directory is out when it, or anything in it, matches.
    let path = base.join(rel);
    ov.matched(&path, true).is_ignore() || ov.matched(path.join("x"), false).is_ignore()
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
    if is_manifest(name, dir) {
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

fn is_manifest(name: &str, dir: &str) -> bool {
    match name {
        "Cargo.toml"
        | "Cargo.lock"
        | ".cargo-checksum.json"
        | "package.json"
        | "package-lock.json"
        | "npm-shrinkwrap.json"
        | "yarn.lock"
        | "pnpm-lock.yaml"
        | "pyproject.toml"
        | "setup.cfg"
        | "setup.py"
        | "poetry.lock"
        | "uv.lock"
        | "Pipfile"
        | "Pipfile.lock"
        | "PKG-INFO"
        | "go.mod"
        | "go.sum"
        | "pom.xml" => true,
        "METADATA" => dir.ends_with(".dist-info"),
        "modules.txt" => dir.ends_with("vendor"),
        _ => name.starts_with("requirements") && name.ends_with(".txt"),
    }
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
