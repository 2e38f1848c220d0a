//! The one driver: the stages of DESIGN.md, in order, each a function of the model and of
//! what the stage before it produced.
//!
//! ```text
//!  files::scan ──► ecosystem::discover ──► external::licenses ──► resolve::resolve
//!  walk + detect    manifests → Found       package caches          Found + files
//!  (one walk)       (components, edges)     → evidence, texts       → components, graph
//! ```
//! Every stage that reads the disk is here or behind one of these calls (the walk, the
//! manifests, the package caches outside the tree); `resolve` reads nothing, and what
//! comes after the pipeline (policy, emitters) works from the returned [`Scan`] alone.

pub mod external;
pub mod files;
pub mod outcome;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;

use crate::ecosystem;
use crate::model::{FileClass, Scan};
use crate::resolve;
use crate::walk::WalkOptions;

/// How one run of the pipeline goes.
#[derive(Debug, Clone)]
pub struct Options {
    pub walk: WalkOptions,
    /// Show a progress bar on stderr (only honoured when stderr is a terminal).
    pub progress: bool,
    /// Find components and conclude their licenses (stages 3 and 4); off for
    /// `scan --files-only` and `detect DIR`.
    pub components: bool,
    /// Read package caches outside the tree (cargo registry sources, Go module cache,
    /// `~/.m2`). Off in tests so results do not depend on the machine.
    pub use_local_caches: bool,
    /// Caps on what a container image given as input may expand to.
    pub image_limits: crate::image::Limits,
    /// The project component's name when no manifest at the root names it (an image's
    /// name); None: the root folder's name.
    pub project_name: Option<String>,
    /// The result cache (off unless a command turns it on).
    pub cache: crate::cache::Options,
}

impl Options {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Options {
            walk: WalkOptions::new(root),
            progress: false,
            components: true,
            use_local_caches: true,
            image_limits: crate::image::Limits::default(),
            project_name: None,
            cache: crate::cache::Options::default(),
        }
    }
}

/// Run the pipeline on `opts.walk.root`: the finished, normalized Scan. A container image
/// (an archive or an OCI layout, see [`crate::image`]) is unpacked and its root
/// filesystem scanned.
pub fn run(opts: &Options) -> Result<Scan> {
    if let Some(src) = crate::image::detect(&opts.walk.root)? {
        let started = Instant::now();
        let mut scan = crate::image::scan(&src, opts, run_tree)?;
        scan.summary.elapsed_ms = Some(started.elapsed().as_millis() as u64);
        return Ok(scan);
    }
    run_tree(opts)
}

/// The pipeline on a directory (or a single file).
fn run_tree(opts: &Options) -> Result<Scan> {
    let started = Instant::now();
    let root = &opts.walk.root;
    let components = opts.components && root.is_dir();
    // With a local cache, its opening (beside the walk) checks the last discovery of this
    // root under this context.
    let discovery = (components && opts.cache.enabled)
        .then(|| crate::cache::discovery::context(root, opts.use_local_caches));
    let (mut scan, mut session) = files::scan(&opts.walk, opts.progress, &opts.cache, discovery)?;
    if components {
        let kept = session.as_mut().zip(discovery).map(|(session, ctx)| Kept {
            session,
            ctx,
            opts: &opts.cache,
        });
        let mut found = discover(&scan, root, opts.use_local_caches, kept);
        let external = external::licenses(&found.external_dirs);
        scan.texts.extend(external.texts);
        add_file_licenses(&mut scan, std::mem::take(&mut found.file_licenses));
        let name = opts
            .project_name
            .clone()
            .unwrap_or_else(|| project_name(root));
        resolve::resolve(&mut scan, found, &external.evidence, &name);
    }
    scan.summary.elapsed_ms = Some(started.elapsed().as_millis() as u64);
    scan.normalize();
    Ok(scan)
}

/// The local cache, for stage 3 to reuse or keep a discovery.
pub struct Kept<'a> {
    pub session: &'a mut crate::cache::local::Session,
    /// The discovery context (`cache::discovery::context`).
    pub ctx: [u8; 32],
    pub opts: &'a crate::cache::Options,
}

/// Stage 3: every ecosystem over the manifests and license files the walk recorded. With
/// a local cache (`kept`), the last discovery of the tree when nothing it read changed
/// (see `cache::discovery`); else a fresh one, recorded and kept for next time.
pub fn discover(
    scan: &Scan,
    root: &Path,
    use_local_caches: bool,
    kept: Option<Kept<'_>>,
) -> ecosystem::Found {
    let of_class = |class| -> Vec<String> {
        scan.files
            .iter()
            .filter(|f| f.class == Some(class))
            .map(|f| f.path.clone())
            .collect()
    };
    let manifests = of_class(FileClass::Manifest);
    let license_files = of_class(FileClass::License);
    let ctx = ecosystem::Context {
        root,
        manifests: &manifests,
        license_files: &license_files,
        use_local_caches,
    };
    let Some(kept) = kept else {
        return ecosystem::discover(&ctx);
    };
    use crate::cache::discovery;
    let say = |what: &str| {
        if kept.opts.verbose && !kept.opts.quiet {
            eprintln!("ospo: note: cache: component discovery {what}");
        }
    };
    let inputs = discovery::inputs(&manifests, &license_files);
    // --verify trusts no stat: discovery runs again (and is kept).
    let prior = kept.session.prior().filter(|_| !kept.opts.verify);
    if let Some(prior) = prior.filter(|p| p.inputs == inputs) {
        say("from the local cache");
        return prior.found;
    }
    let start_ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    let (found, reads) = crate::cache::reads::record(|| ecosystem::discover(&ctx));
    if !kept.session.usable() {
        return found;
    }
    match discovery::keep(&kept.ctx, &inputs, &found, &reads, start_ns) {
        Some(stored) => match kept.session.save_discovery(stored) {
            Ok(()) => say(&format!("run and stored ({} reads)", reads.reads.len())),
            Err(e) => crate::cache::warn(kept.opts, &format!("discovery not saved ({e:#})")),
        },
        None => say(
            "run, not stored (something it read changed too recently to be trusted, \
             or could not be noted)",
        ),
    }
    found
}

/// License statements an ecosystem read in a recorded file's structure (a DEP-5
/// copyright file's paragraphs) join that file's detected ones, as evidence of the kind
/// `manifest`, before the resolver gathers evidence.
fn add_file_licenses(scan: &mut Scan, mut found: Vec<(String, crate::model::LicenseMatch)>) {
    if found.is_empty() {
        return;
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    for f in &mut scan.files {
        let start = found.partition_point(|(p, _)| p.as_str() < f.path.as_str());
        for (_, m) in found[start..].iter().take_while(|(p, _)| *p == f.path) {
            if !f.licenses.contains(m) {
                f.licenses.push(m.clone());
            }
        }
    }
    scan.summary.files_with_licenses =
        scan.files.iter().filter(|f| !f.licenses.is_empty()).count() as u64;
}

/// The scanned project's name when no manifest at the root names it: its folder's.
fn project_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "project".into())
}
