//! The result cache: what examining a file produced ([`Outcome`]), kept so that a rescan
//! does not examine it again.
//!
//! Two stores, both optional, both only ever a shortcut to the cold result:
//! - [`local`]: an SQLite database in the user's cache directory, on by default. Per scan
//!   root it maps each path to the file's stat (size, mtime, ctime, inode, device) and its
//!   outcome, and is trusted the way git trusts its index: an unchanged stat means an
//!   unchanged file, so a rescan of an unchanged tree reads no file content.
//! - [`remote`]: PostgreSQL (`--cache-url`), content-addressed: outcomes of the files that
//!   needed the matcher, keyed by their SHA-256 and [`context`], never by path, so many
//!   machines share one another's work.
//!
//! Any problem with either (a corrupt file, a lock held too long, a server that is down
//! or answers junk) is a warning on stderr and a scan without that store; every stored
//! outcome is bounded and checked before use (`Outcome::decode`). What the cache did is
//! never part of the scan's output, which is the same whether it helped or not.
//!
//! See docs/cache.md and docs/adr/0040-result-cache.md.

pub mod command;
pub mod discovery;
pub mod index;
pub mod local;
pub mod opening;
pub mod reads;
pub mod remote;
pub mod stat;

use std::path::PathBuf;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::model::FileClass;
pub use crate::pipeline::outcome::Outcome;
pub use opening::finish;

/// Bumped whenever what an [`Outcome`] holds, or how a file is examined, changes without a
/// change of ospo's version.
pub const FORMAT: u32 = 1;

/// How a run uses the cache (from `--no-cache`, `--cache-dir`, `--verify`, `--cache-url`).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Use the local cache (off: read and write nothing local).
    pub enabled: bool,
    /// Where the local cache lives; None = the XDG default ([`default_dir`]).
    pub dir: Option<PathBuf>,
    /// Re-hash files the stat says are unchanged instead of trusting the stat.
    pub verify: bool,
    /// A PostgreSQL URL for the shared cache.
    pub url: Option<String>,
    /// Say nothing on stderr (warnings included).
    pub quiet: bool,
    /// Say on stderr what the cache did.
    pub verbose: bool,
}

impl Options {
    pub fn active(&self) -> bool {
        self.enabled || self.url.is_some()
    }
}

/// `$XDG_CACHE_HOME/ospo`, else `~/.cache/ospo`; None without either.
pub fn default_dir() -> Option<PathBuf> {
    let abs = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").and_then(abs) {
        return Some(x.join("ospo"));
    }
    std::env::var_os("HOME")
        .and_then(abs)
        .map(|h| h.join(".cache").join("ospo"))
}

/// A warning about the cache on stderr (not in the scan: the cache is not the tree).
pub fn warn(opts: &Options, message: &str) {
    if !opts.quiet {
        eprintln!("ospo: warning: cache: {message}");
    }
}

/// Everything besides a file's bytes, class and prose-ness that its outcome depends on:
/// the cache format, ospo's version and source (`build.rs` digests `src/`, so a rebuilt
/// matcher never meets another build's results), the license store's bytes and the read
/// limits.
pub fn context() -> &'static [u8; 32] {
    static CTX: OnceLock<[u8; 32]> = OnceLock::new();
    CTX.get_or_init(|| {
        let mut h = Sha256::new();
        h.update(b"ospo result cache\0");
        h.update(FORMAT.to_le_bytes());
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update([0]);
        h.update(env!("OSPO_SOURCE_DIGEST").as_bytes());
        h.update(crate::licensedb::store_identity());
        for limit in [
            crate::pipeline::files::TEXT_READ_LIMIT,
            crate::pipeline::files::LICENSE_READ_LIMIT,
            crate::pipeline::files::HUGE_FILE,
            crate::model::MAX_RECORDED_TEXT,
        ] {
            h.update(limit.to_le_bytes());
        }
        h.finalize().into()
    })
}

/// The shared cache's key of a file's outcome: its content hash, its name class and its
/// prose-ness under [`context`].
pub fn content_key(content: &[u8; 32], class: Option<FileClass>, prose: bool) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(context());
    let class = match class {
        None => 0u8,
        Some(c) => 1 + c as u8,
    };
    h.update([class, prose as u8]);
    h.update(content);
    h.finalize().into()
}
