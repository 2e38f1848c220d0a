//! Applying image layers to a private directory, one after another, the way a container
//! runtime would, and safely for a hostile archive.
//!
//! Nothing a layer says is trusted: an entry that is absolute or climbs with `..` is skipped,
//! an entry whose parent is a symlink is skipped (extraction never writes through a link),
//! every symlink is rewritten to a relative one that resolves inside the root the way the
//! kernel resolves it in a chroot (so no reader later reaches the scanning machine's files
//! through it), a hard link must name a regular file already in the root, device nodes and
//! FIFOs are not made, and the bytes and entries of the whole image are capped. Permissions
//! from the archive are not applied (files 0644, directories 0755) so the walk can read all
//! and the directory can always be removed. Whiteouts (`.wh.NAME`, `.wh..wh..opq`) remove
//! what lower layers wrote. Each regular file's last writer (layer index) is recorded.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::model::Diagnostic;

/// Caps on what one image may expand to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of regular files written over all layers.
    pub max_bytes: u64,
    /// Entries read over all layers.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 4 << 30,
            max_entries: 2_000_000,
        }
    }
}

/// Skipped entries are counted per kind and reported once per layer, with an example,
/// rather than one diagnostic per entry (a hostile layer can hold millions).
#[derive(Default)]
struct Skips {
    by_reason: BTreeMap<&'static str, (u64, String)>,
}

impl Skips {
    fn add(&mut self, reason: &'static str, path: &str) {
        let e = self
            .by_reason
            .entry(reason)
            .or_insert_with(|| (0, path.to_string()));
        e.0 += 1;
    }
}

/// The root being built and what is known about who wrote what.
pub struct Unpacker {
    pub root: PathBuf,
    pub limits: Limits,
    /// Regular files and symlinks in the root -> index of the layer that last wrote them.
    pub written: BTreeMap<String, usize>,
    pub diagnostics: Vec<Diagnostic>,
    bytes: u64,
    entries: u64,
    /// Paths the layer being applied wrote (files, links, directories and their parents):
    /// an opaque whiteout hides only what lower layers wrote.
    this_layer: HashSet<String>,
}

/// Which compression a layer blob uses, by its first bytes (media types lie or are
/// missing in `docker save` archives; the bytes do not).
fn decompressed<'a>(r: impl Read + 'a) -> Result<Box<dyn Read + 'a>> {
    let mut br = BufReader::with_capacity(64 << 10, r);
    let head = br.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(br))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Box::new(zstd::stream::read::Decoder::with_buffer(br)?)
    } else {
        Box::new(br)
    })
}

/// A path from an archive as a relative '/'-path without `.` parts; Err(reason) when it
/// is absolute or climbs with `..`.
pub fn clean_path(raw: &str) -> std::result::Result<String, &'static str> {
    if raw.starts_with('/') {
        return Err("absolute path");
    }
    let mut parts = Vec::new();
    for p in raw.split('/') {
        match p {
            "" | "." => {}
            ".." => return Err("path with `..`"),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// The target of a symlink at `at` (root-relative), resolved lexically as the kernel does
/// inside a chroot (`..` stops at the root, an absolute target starts there), as a
/// relative link target that stays inside the root.
pub fn contained_target(at: &str, target: &str) -> String {
    let parent: Vec<&str> = match at.rsplit_once('/') {
        Some((dir, _)) => dir.split('/').collect(),
        None => Vec::new(),
    };
    let mut out: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        parent.clone()
    };
    for p in target.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    // Shorten by the common prefix so ordinary relative links stay as they were written.
    let common = parent.iter().zip(&out).take_while(|(a, b)| a == b).count();
    let mut rel: Vec<&str> = std::iter::repeat_n("..", parent.len() - common).collect();
    rel.extend(&out[common..]);
    if rel.is_empty() {
        ".".into()
    } else {
        rel.join("/")
    }
}

impl Unpacker {
    pub fn new(root: PathBuf, limits: Limits) -> Self {
        Unpacker {
            root,
            limits,
            written: BTreeMap::new(),
            diagnostics: Vec::new(),
            bytes: 0,
            entries: 0,
            this_layer: HashSet::new(),
        }
    }

    /// Apply one layer blob (a tar, gzip- or zstd-compressed or not). `name` is how the
    /// layer is called in diagnostics. An error (a cap exceeded, an unreadable archive)
    /// stops the whole image: a half-applied image would give a wrong inventory.
    pub fn apply(&mut self, index: usize, name: &str, blob: impl Read) -> Result<()> {
        self.this_layer.clear();
        let mut skips = Skips::default();
        let mut archive = tar::Archive::new(decompressed(blob)?);
        let entries = archive
            .entries()
            .with_context(|| format!("layer {name}: not a tar archive"))?;
        for entry in entries {
            let mut entry = entry.with_context(|| format!("layer {name}: broken tar entry"))?;
            self.entries += 1;
            if self.entries > self.limits.max_entries {
                bail!(
                    "layer {name}: the image has more than {} entries; refused (raise the \
                     limit with --max-image-entries)",
                    self.limits.max_entries
                );
            }
            let raw = entry.path_bytes();
            let Ok(raw) = std::str::from_utf8(&raw).map(str::to_string) else {
                skips.add("name not UTF-8", &String::from_utf8_lossy(&raw));
                continue;
            };
            let path = match clean_path(&raw) {
                Ok(p) if p.is_empty() => continue,
                Ok(p) => p,
                Err(reason) => {
                    skips.add(reason, &raw);
                    continue;
                }
            };
            let (dir, file) = match path.rsplit_once('/') {
                Some((d, f)) => (d, f),
                None => ("", path.as_str()),
            };
            if file == ".wh..wh..opq" {
                if self.parents(dir, &mut skips, &path) {
                    self.opaque(dir)?;
                }
                continue;
            }
            if let Some(hidden) = file.strip_prefix(".wh.") {
                let victim = crate::relpath::child(dir, hidden);
                if self.parents(dir, &mut skips, &path) {
                    self.remove(&victim)?;
                }
                continue;
            }
            if !self.parents(dir, &mut skips, &path) {
                continue;
            }
            let kind = entry.header().entry_type();
            let at = self.root.join(&path);
            use tar::EntryType as T;
            match kind {
                T::Directory => {
                    match std::fs::symlink_metadata(&at) {
                        Ok(m) if m.is_dir() => {}
                        Ok(_) => {
                            self.remove(&path)?;
                            std::fs::create_dir(&at)?;
                        }
                        Err(_) => std::fs::create_dir(&at)?,
                    }
                    self.this_layer.insert(path);
                }
                T::Regular | T::Continuous | T::GNUSparse => {
                    let size = entry.size();
                    self.bytes = self.bytes.saturating_add(size);
                    if self.bytes > self.limits.max_bytes {
                        bail!(
                            "layer {name}: the image expands to more than {} MiB; refused \
                             (raise the limit with --max-image-size)",
                            self.limits.max_bytes >> 20
                        );
                    }
                    self.remove(&path)?;
                    // create_new: never opens through whatever might be at the path.
                    let mut f = std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(&at)
                        .with_context(|| format!("layer {name}: cannot write {path}"))?;
                    let copied = std::io::copy(&mut (&mut entry).take(size), &mut f)
                        .with_context(|| format!("layer {name}: cannot read {path}"))?;
                    if copied != size {
                        bail!("layer {name}: {path} is cut short");
                    }
                    self.wrote(path, index);
                }
                T::Symlink => {
                    let target = entry
                        .link_name_bytes()
                        .map(|t| String::from_utf8_lossy(&t).into_owned())
                        .unwrap_or_default();
                    let target = contained_target(&path, &target);
                    self.remove(&path)?;
                    #[cfg(unix)]
                    std::os::unix::fs::symlink(&target, &at)
                        .with_context(|| format!("layer {name}: cannot make link {path}"))?;
                    self.wrote(path, index);
                }
                T::Link => {
                    let target = entry
                        .link_name_bytes()
                        .map(|t| String::from_utf8_lossy(&t).into_owned())
                        .unwrap_or_default();
                    let Some(source) = self.hard_link_source(&target) else {
                        skips.add("hard link to nothing inside the image", &path);
                        continue;
                    };
                    self.remove(&path)?;
                    std::fs::hard_link(self.root.join(&source), &at)
                        .with_context(|| format!("layer {name}: cannot link {path}"))?;
                    self.wrote(path, index);
                }
                T::Char | T::Block | T::Fifo => skips.add("device or FIFO, not made", &path),
                T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => {}
                _ => skips.add("unknown entry type", &path),
            }
        }
        for (reason, (n, example)) in skips.by_reason {
            self.diagnostics.push(Diagnostic::warning(
                None,
                format!(
                    "layer {name}: {n} entr{} skipped ({reason}), e.g. `{example}`",
                    if n == 1 { "y" } else { "ies" }
                ),
            ));
        }
        Ok(())
    }

    fn wrote(&mut self, path: String, index: usize) {
        self.written.insert(path.clone(), index);
        self.this_layer.insert(path);
    }

    /// Make every parent of an entry a real directory. False (and the entry skipped) when
    /// one is a symlink: extraction never writes through a link.
    fn parents(&mut self, dir: &str, skips: &mut Skips, path: &str) -> bool {
        if dir.is_empty() {
            return true;
        }
        let mut here = self.root.clone();
        let mut rel = String::new();
        for part in dir.split('/') {
            here.push(part);
            rel = crate::relpath::child(&rel, part);
            match std::fs::symlink_metadata(&here) {
                Ok(m) if m.is_dir() => {}
                Ok(m) if m.file_type().is_symlink() => {
                    skips.add("inside a symbolic link", path);
                    return false;
                }
                Ok(_) => {
                    // A file of a lower layer replaced by a directory.
                    if self.remove(&rel).is_err() || std::fs::create_dir(&here).is_err() {
                        skips.add("parent not a directory", path);
                        return false;
                    }
                }
                Err(_) => {
                    if std::fs::create_dir(&here).is_err() {
                        skips.add("parent cannot be made", path);
                        return false;
                    }
                }
            }
            self.this_layer.insert(rel.clone());
        }
        true
    }

    /// A hard link's target: a regular file already in the root, reached without a symlink.
    fn hard_link_source(&self, target: &str) -> Option<String> {
        let t = clean_path(target).ok().filter(|t| !t.is_empty())?;
        let mut here = self.root.clone();
        for part in t.split('/') {
            here.push(part);
            let m = std::fs::symlink_metadata(&here).ok()?;
            if m.file_type().is_symlink() {
                return None;
            }
        }
        std::fs::symlink_metadata(&here)
            .ok()
            .filter(|m| m.is_file())
            .map(|_| t)
    }

    /// Remove whatever is at `rel` (a whiteout, or an entry replacing it), and forget who
    /// wrote it and everything under it.
    fn remove(&mut self, rel: &str) -> Result<()> {
        let at = self.root.join(rel);
        match std::fs::symlink_metadata(&at) {
            // remove_dir_all does not follow symlinks inside the tree.
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&at)?,
            Ok(_) => std::fs::remove_file(&at)?,
            Err(_) => return Ok(()),
        }
        self.forget(rel);
        Ok(())
    }

    fn forget(&mut self, rel: &str) {
        self.written.remove(rel);
        let prefix = format!("{rel}/");
        let under: Vec<String> = self
            .written
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in under {
            self.written.remove(&k);
        }
    }

    /// `.wh..wh..opq` in `dir`: what lower layers put in `dir` is gone; what this layer
    /// wrote there stays.
    fn opaque(&mut self, dir: &str) -> Result<()> {
        let at = if dir.is_empty() {
            self.root.clone()
        } else {
            self.root.join(dir)
        };
        self.this_layer.insert(dir.to_string());
        self.clear_lower(&at, dir)
    }

    fn clear_lower(&mut self, at: &Path, rel: &str) -> Result<()> {
        let Ok(list) = std::fs::read_dir(at) else {
            return Ok(());
        };
        let mut names: Vec<String> = list
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        for n in names {
            let child = crate::relpath::child(rel, &n);
            if !self.this_layer.contains(&child) {
                self.remove(&child)?;
                continue;
            }
            let p = at.join(&n);
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                self.clear_lower(&p, &child)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_or_refused() {
        assert_eq!(clean_path("./usr/bin/x"), Ok("usr/bin/x".into()));
        assert_eq!(clean_path("usr//lib/"), Ok("usr/lib".into()));
        assert!(clean_path("/etc/passwd").is_err());
        assert!(clean_path("a/../../etc").is_err());
    }

    #[test]
    fn symlink_targets_stay_inside() {
        assert_eq!(
            contained_target("etc/os-release", "../usr/lib/os-release"),
            "../usr/lib/os-release"
        );
        assert_eq!(
            contained_target("etc/os-release", "/usr/lib/os-release"),
            "../usr/lib/os-release"
        );
        assert_eq!(contained_target("bin", "usr/bin"), "usr/bin");
        assert_eq!(
            contained_target("a/b/evil", "../../../../../etc/shadow"),
            "../../etc/shadow"
        );
        assert_eq!(contained_target("a/root", "/"), "..");
        assert_eq!(contained_target("a/self", "."), ".");
    }

    /// A layer tar built in the test: entries of every kind a hostile layer can hold.
    fn layer(entries: &[(&str, tar::EntryType, &[u8], Option<&str>)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, kind, data, link) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            // set_path refuses `..`; write the raw name as a hostile tool would.
            let name = h.as_old_mut().name.as_mut();
            name[..path.len()].copy_from_slice(path.as_bytes());
            if let Some(l) = link {
                h.set_link_name(l).unwrap();
            }
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn whiteouts_opaque_dirs_and_hostile_entries() {
        use tar::EntryType as T;
        let t = tempfile::tempdir().unwrap();
        let mut u = Unpacker::new(t.path().to_path_buf(), Limits::default());
        let l1 = layer(&[
            ("etc/a", T::Regular, b"a", None),
            ("etc/b", T::Regular, b"b", None),
            ("opt/x/1", T::Regular, b"1", None),
            ("opt/x/2", T::Regular, b"2", None),
            ("link", T::Symlink, b"", Some("/etc")),
            ("../escape", T::Regular, b"bad", None),
            ("/abs", T::Regular, b"bad", None),
            ("dev/null", T::Char, b"", None),
            ("hard", T::Link, b"", Some("/etc/passwd")),
            ("hard2", T::Link, b"", Some("etc/a")),
        ]);
        u.apply(0, "l1", &l1[..]).unwrap();
        let l2 = layer(&[
            ("etc/.wh.a", T::Regular, b"", None),
            ("opt/x/3", T::Regular, b"3", None),
            ("opt/x/.wh..wh..opq", T::Regular, b"", None),
            ("link/through", T::Regular, b"never", None),
        ]);
        u.apply(1, "l2", &l2[..]).unwrap();
        let r = t.path();
        assert!(!r.join("etc/a").exists(), "whiteout removes a lower file");
        assert!(r.join("etc/b").exists());
        assert!(!r.join("opt/x/1").exists(), "opaque dir hides lower files");
        assert_eq!(std::fs::read(r.join("opt/x/3")).unwrap(), b"3");
        assert_eq!(
            std::fs::read_link(r.join("link")).unwrap(),
            Path::new("etc")
        );
        assert!(
            !r.join("etc/through").exists(),
            "never written through a link"
        );
        assert!(!r.parent().unwrap().join("escape").exists());
        assert!(!r.join("dev/null").exists() && !r.join("hard").exists());
        assert_eq!(std::fs::read(r.join("hard2")).unwrap(), b"a");
        assert_eq!(u.written.get("etc/b"), Some(&0));
        assert_eq!(u.written.get("opt/x/3"), Some(&1));
        assert!(!u.written.contains_key("etc/a") && !u.written.contains_key("opt/x/1"));
        let said = format!("{:?}", u.diagnostics);
        for reason in [
            "absolute path",
            "`..`",
            "device",
            "hard link",
            "symbolic link",
        ] {
            assert!(said.contains(reason), "{reason} reported: {said}");
        }
    }

    #[test]
    fn caps_refuse_the_image() {
        use tar::EntryType as T;
        let t = tempfile::tempdir().unwrap();
        let limits = Limits {
            max_bytes: 10,
            max_entries: 100,
        };
        let mut u = Unpacker::new(t.path().to_path_buf(), limits);
        let big = layer(&[("big", T::Regular, &[0u8; 64], None)]);
        let e = u.apply(0, "l", &big[..]).unwrap_err().to_string();
        assert!(e.contains("expands to more than"), "{e}");
        let mut u = Unpacker::new(
            t.path().to_path_buf(),
            Limits {
                max_bytes: 1 << 20,
                max_entries: 2,
            },
        );
        let many = layer(&[
            ("a", T::Regular, b"", None),
            ("b", T::Regular, b"", None),
            ("c", T::Regular, b"", None),
        ]);
        let e = u.apply(0, "l", &many[..]).unwrap_err().to_string();
        assert!(e.contains("more than 2 entries"), "{e}");
    }
}
