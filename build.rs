//! Build script: a digest of ospo's own source, so the result cache never hands one build
//! of the matcher the findings of another (a version number is not bumped per change).

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    files(&root.join("src"), &mut all);
    // Sorted by path relative to the root: the digest is the same in every checkout.
    let mut rel: Vec<(String, PathBuf)> = all
        .into_iter()
        .map(|p| {
            let r = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            (r, p)
        })
        .collect();
    rel.sort();
    let mut h = Sha256::new();
    for (r, p) in &rel {
        let bytes = std::fs::read(p).unwrap_or_default();
        h.update(r.as_bytes());
        h.update([0]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    let digest: [u8; 32] = h.finalize().into();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=OSPO_SOURCE_DIGEST={hex}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=build.rs");
}
