//! Regenerates `license-db/store.bin.zst` from ScanCode's license database, the spdx
//! crate's texts and `license-db/rules/`.
//!
//! ```text
//! license-db/fetch-scancode.sh                      # the pinned wheel, into target/license-data/
//! cargo run --release --bin build-license-db        # reads it from there
//! cargo run --release --bin build-license-db -- --scancode PATH   # a wheel or licensedcode/data
//! cargo run --release --bin build-license-db -- --self-check        # each rule finds itself?
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
            "--self-check" => return self_check(args.next().as_deref()),
            "-h" | "--help" => {
                println!("usage: build-license-db [--scancode WHEEL_OR_DATA_DIR] | --self-check [SHOW]\n\ndefault: {DEFAULT_WHEEL} (license-db/fetch-scancode.sh downloads it)");
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

/// Matches the text of every rule of the committed store alone and prints the share that
/// finds its own expression, and the first SHOW misses (default 20).
fn self_check(show: Option<&str>) -> anyhow::Result<()> {
    let show: usize = show.map(str::parse).transpose()?.unwrap_or(20);
    let started = std::time::Instant::now();
    let c = ospo::detect::selfcheck::self_check(1);
    println!(
        "{} of {} rules find their own expression ({:.2}%) in {:.1}s",
        c.found,
        c.checked,
        100.0 * c.found as f64 / c.checked.max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    for (rule, want, got) in c.misses.iter().take(show) {
        println!("  {rule}: want {want}, found [{got}]");
    }
    Ok(())
}
