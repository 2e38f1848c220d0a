//! Regenerates `license-db/store.bin.zst` from `license-db/` and the spdx crate's texts.
//!
//! Run after changing anything under `license-db/` or upgrading the `spdx` crate:
//! `cargo run --release --bin build-license-db`

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("license-db");
    let started = std::time::Instant::now();
    let bytes = ospo::licensedb::build(&dir)?;
    let out = dir.join("store.bin.zst");
    let tmp = dir.join("store.bin.zst.tmp");
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, &out)?;
    eprintln!(
        "wrote {} ({} bytes) in {:.1}s",
        out.display(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
