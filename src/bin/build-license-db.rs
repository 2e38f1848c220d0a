//! Regenerates `license-db/store.bin.zst` from ScanCode's license database, the spdx
//! crate's texts and `license-db/rules/`.
//!
//! ```text
//! license-db/fetch-scancode.sh                      # the pinned wheel, into target/license-data/
//! cargo run --release --bin build-license-db        # reads it from there
//! cargo run --release --bin build-license-db -- --scancode PATH   # a wheel or licensedcode/data
//! ```

use std::path::PathBuf;

use anyhow::{bail, Context};

/// The wheel `license-db/fetch-scancode.sh` downloads.
const DEFAULT_WHEEL: &str = "target/license-data/scancode_toolkit_mini-32.5.0-cp311-none-any.whl";

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    let mut source = root.join(DEFAULT_WHEEL);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scancode" => source = PathBuf::from(args.next().context("--scancode PATH")?),
            "-h" | "--help" => {
                println!("usage: build-license-db [--scancode WHEEL_OR_DATA_DIR]\n\ndefault: {DEFAULT_WHEEL} (license-db/fetch-scancode.sh downloads it)");
                return Ok(());
            }
            other => bail!("unknown argument {other:?} (see --help)"),
        }
    }
    if !source.exists() {
        bail!(
            "{} is missing: run license-db/fetch-scancode.sh first, or pass --scancode PATH",
            source.display()
        );
    }
    let started = std::time::Instant::now();
    let data = ospo::licensedb::scancode::Data::read(&source)?;
    eprintln!(
        "read {} licenses and {} rules from {} in {:.1}s",
        data.licenses.len(),
        data.rules.len(),
        data.source,
        started.elapsed().as_secs_f64()
    );
    let dir = root.join("license-db");
    let bytes = ospo::licensedb::build::build(&dir, &data)?;
    let out = dir.join("store.bin.zst");
    let tmp = dir.join("store.bin.zst.tmp");
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, &out)?;
    let db = ospo::licensedb::LicenseDb::from_bytes(&bytes)?;
    for (k, v) in &db.meta.stats {
        eprintln!("  {k}: {v}");
    }
    eprintln!(
        "wrote {} ({} bytes) in {:.1}s",
        out.display(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
