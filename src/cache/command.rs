//! `ospo cache stats|prune|clear`: the local cache seen and trimmed by hand.

use anyhow::{bail, Result};

use super::local;
use crate::cli::{CacheAction, CacheArgs};

pub fn run(a: &CacheArgs) -> Result<u8> {
    let dir = a
        .cache_dir
        .clone()
        .or_else(|| {
            std::env::var_os("OSPO_CACHE_DIR")
                .filter(|v| !v.is_empty())
                .map(Into::into)
        })
        .or_else(super::default_dir);
    let Some(dir) = dir else {
        bail!("no cache directory: give --cache-dir or set OSPO_CACHE_DIR or HOME");
    };
    match a.action {
        CacheAction::Stats => {
            let (roots, files, bytes) = local::stats(&dir)?;
            println!("cache: {}", dir.display());
            println!("roots: {roots}");
            println!("files: {files}");
            println!("bytes: {bytes}");
        }
        CacheAction::Prune => {
            let dropped = local::prune(&dir, a.days as i64)?;
            println!("dropped {dropped} root(s) not scanned for {} days", a.days);
        }
        CacheAction::Clear => {
            local::clear(&dir)?;
            println!("removed the cache in {}", dir.display());
        }
    }
    Ok(0)
}
