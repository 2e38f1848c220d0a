//! Container images as input, without a daemon: a `docker save` archive, an OCI image
//! layout packed as a tar, or an OCI layout directory (see docs/adr/0010-image-input.md).
//!
//! The image's layers are applied in order ([`layer`]) into a private temporary directory,
//! which the ordinary pipeline then scans as a root filesystem; the directory is removed
//! when the scan ends, on error, and on SIGINT/SIGTERM/SIGHUP ([`cleanup`]). The scan's
//! root is then the image as given, its metadata ([`Image`]) says what the image is, and
//! each component records the layer that last wrote its package-database entry or
//! manifest.

pub mod cleanup;
pub mod layer;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use layer::Limits;

use crate::model::{Component, Diagnostic, FileClass, Image, Scan};

/// Largest JSON document (index, manifest, config) read from an image.
const MAX_JSON_BYTES: u64 = 16 << 20;
/// Most entries in an image archive's own (outer) tar.
const MAX_OUTER_ENTRIES: usize = 200_000;
/// Nested image indexes followed.
const MAX_INDEX_DEPTH: usize = 4;
/// Symlinks followed between entries of an outer archive (`layer.tar -> ../x.tar`).
const MAX_OUTER_LINKS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    DockerArchive,
    OciArchive,
    OciDir,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::DockerArchive => "docker-archive",
            Format::OciArchive => "oci-archive",
            Format::OciDir => "oci-dir",
        }
    }
}

/// An image to read: where, as what, and how the command line named it.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    /// None: an archive, docker or OCI by what it holds.
    pub format: Option<Format>,
    pub given: String,
}

/// Whether `arg` names an image: `oci-dir:PATH` / `oci:PATH` (a layout directory),
/// `oci-archive:PATH` / `docker-archive:PATH` (an archive), or a plain path that is a tar
/// file holding `manifest.json` or `index.json`, or a directory holding `oci-layout` and
/// `index.json`. Ok(None): not an image, scan it as a tree. An explicit prefix whose path
/// is missing is an error.
pub fn detect(arg: &Path) -> Result<Option<Source>> {
    let given = arg.to_string_lossy().into_owned();
    for (prefix, format) in [
        ("oci-dir:", Some(Format::OciDir)),
        ("oci:", Some(Format::OciDir)),
        ("oci-archive:", None),
        ("docker-archive:", None),
    ] {
        if let Some(rest) = given.strip_prefix(prefix) {
            let path = PathBuf::from(rest);
            let meta = std::fs::metadata(&path)
                .map_err(|e| anyhow!("{}: cannot read the image: {e}", shown(&given)))?;
            if format == Some(Format::OciDir) && !meta.is_dir() {
                bail!("{}: not a directory (an OCI image layout)", shown(&given));
            }
            if format.is_none() && !meta.is_file() {
                bail!("{}: not a file (an image archive)", shown(&given));
            }
            return Ok(Some(Source {
                path,
                format,
                given,
            }));
        }
    }
    let Ok(meta) = std::fs::metadata(arg) else {
        return Ok(None);
    };
    if meta.is_dir() {
        let is_layout = arg.join("oci-layout").is_file() && arg.join("index.json").is_file();
        return Ok(is_layout.then(|| Source {
            path: arg.to_path_buf(),
            format: Some(Format::OciDir),
            given,
        }));
    }
    if meta.is_file() && looks_like_tar(arg) {
        let store = Store::open_tar(arg)?;
        if store.has("manifest.json") || store.has("index.json") {
            return Ok(Some(Source {
                path: arg.to_path_buf(),
                format: None,
                given,
            }));
        }
    }
    Ok(None)
}

/// A POSIX tar header: `ustar` at offset 257.
fn looks_like_tar(p: &Path) -> bool {
    let mut head = [0u8; 512];
    std::fs::File::open(p)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head[257..262] == b"ustar"
}

fn shown(s: &str) -> String {
    crate::text::escape_controls(s).into_owned()
}

/// Where an image's files (blobs, JSON documents) are read from.
enum Store {
    /// An archive: entry name -> (offset of its data, size), read by seeking.
    Tar {
        path: PathBuf,
        files: HashMap<String, (u64, u64)>,
        links: HashMap<String, String>,
    },
    Dir(PathBuf),
}

impl Store {
    fn open_tar(path: &Path) -> Result<Store> {
        let f = std::fs::File::open(path)
            .with_context(|| format!("cannot read {}", shown(&path.to_string_lossy())))?;
        let mut archive = tar::Archive::new(std::io::BufReader::new(f));
        let mut files = HashMap::new();
        let mut links = HashMap::new();
        for (i, entry) in archive.entries()?.enumerate() {
            if i >= MAX_OUTER_ENTRIES {
                bail!("the image archive has more than {MAX_OUTER_ENTRIES} entries; refused");
            }
            let entry = entry.context("the image archive is not a readable tar")?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Ok(name) = layer::clean_path(&raw) else {
                continue;
            };
            match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    files.insert(name, (entry.raw_file_position(), entry.size()));
                }
                kind @ (tar::EntryType::Symlink | tar::EntryType::Link) => {
                    let t = entry
                        .link_name_bytes()
                        .map(|t| String::from_utf8_lossy(&t).into_owned())
                        .unwrap_or_default();
                    // A symlink is relative to its folder (and kept inside the archive);
                    // a hard link names an entry from the archive's root.
                    let to = if kind == tar::EntryType::Symlink {
                        let rel = layer::contained_target(&name, &t);
                        crate::relpath::join(crate::relpath::dir_of(&name), &rel)
                    } else {
                        layer::clean_path(&t).ok()
                    };
                    if let Some(to) = to {
                        links.insert(name, to);
                    }
                }
                _ => {}
            }
        }
        Ok(Store::Tar {
            path: path.to_path_buf(),
            files,
            links,
        })
    }

    fn resolve(&self, name: &str) -> Option<String> {
        let Store::Tar { files, links, .. } = self else {
            return Some(name.to_string());
        };
        let mut n = name.to_string();
        for _ in 0..MAX_OUTER_LINKS {
            if files.contains_key(&n) {
                return Some(n);
            }
            n = links.get(&n)?.clone();
        }
        None
    }

    fn has(&self, name: &str) -> bool {
        match self {
            Store::Tar { .. } => self.resolve(name).is_some(),
            Store::Dir(d) => std::fs::symlink_metadata(d.join(name)).is_ok_and(|m| m.is_file()),
        }
    }

    /// A reader over one file of the image, and its size.
    fn open(&self, name: &str) -> Result<(Box<dyn Read>, u64)> {
        let clean = layer::clean_path(name)
            .ok()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| anyhow!("`{}`: not a path inside the image", shown(name)))?;
        match self {
            Store::Tar { path, files, .. } => {
                let at = self
                    .resolve(&clean)
                    .ok_or_else(|| anyhow!("`{}` is not in the image archive", shown(name)))?;
                let (offset, size) = files[&at];
                let mut f = std::fs::File::open(path)?;
                f.seek(SeekFrom::Start(offset))?;
                Ok((Box::new(f.take(size)), size))
            }
            Store::Dir(d) => {
                let p = d.join(&clean);
                // A blob that is a link could be anything on this machine: not read.
                let meta =
                    std::fs::symlink_metadata(&p).map_err(|e| anyhow!("`{}`: {e}", shown(name)))?;
                if !meta.is_file() {
                    bail!("`{}` is not a regular file in the layout", shown(name));
                }
                Ok((Box::new(std::fs::File::open(&p)?), meta.len()))
            }
        }
    }

    fn read_json(&self, name: &str) -> Result<(Value, Vec<u8>)> {
        let (r, size) = self.open(name)?;
        if size > MAX_JSON_BYTES {
            bail!(
                "`{}` is {} MiB, over the {} MiB limit for image metadata",
                shown(name),
                size >> 20,
                MAX_JSON_BYTES >> 20
            );
        }
        let mut bytes = Vec::with_capacity(size as usize);
        r.take(MAX_JSON_BYTES).read_to_end(&mut bytes)?;
        let v = serde_json::from_slice(&bytes)
            .with_context(|| format!("`{}` is not valid JSON", shown(name)))?;
        Ok((v, bytes))
    }
}

/// `sha256:<64 hex>` (or sha512) -> the blob's path in an OCI layout. Anything else is
/// refused: a digest becomes a path, so it must not be able to name any other file.
fn blob_name(digest: &str) -> Result<String> {
    let (alg, hex) = digest
        .split_once(':')
        .ok_or_else(|| anyhow!("`{}`: not a digest", shown(digest)))?;
    let len = match alg {
        "sha256" => 64,
        "sha512" => 128,
        _ => bail!("`{}`: unsupported digest algorithm", shown(digest)),
    };
    if hex.len() != len
        || !hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        bail!("`{}`: not a valid digest", shown(digest));
    }
    Ok(format!("blobs/{alg}/{hex}"))
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A document whose digest is known must hash to it: a mismatch means a corrupt or
/// tampered image, and nothing read from it would be trustworthy.
fn verify(digest: &str, bytes: &[u8], what: &str) -> Result<()> {
    if digest.starts_with("sha256:") && sha256_digest(bytes) != digest {
        bail!("the image's {what} does not match its digest {digest}; refused");
    }
    Ok(())
}

/// What to apply and what to say about the image.
struct Plan {
    image: Image,
    /// Store name of each layer blob, and its digest if the manifest gives one.
    layers: Vec<(String, Option<String>)>,
    diagnostics: Vec<Diagnostic>,
}

fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn is_index(media_type: Option<&str>, doc: &Value) -> bool {
    matches!(
        media_type,
        Some(
            "application/vnd.oci.image.index.v1+json"
                | "application/vnd.docker.distribution.manifest.list.v2+json"
        )
    ) || (media_type.is_none() && doc.get("manifests").is_some())
}

/// The descriptor an index leads to: the only one, else linux/amd64, else the first
/// (fixed, so the output does not depend on the machine that scans).
fn pick<'a>(manifests: &'a [Value], diags: &mut Vec<Diagnostic>) -> Option<&'a Value> {
    let images: Vec<&Value> = manifests
        .iter()
        .filter(|m| {
            // Attestation manifests (buildx) are not images.
            str_field(&m["platform"], "os") != Some("unknown")
        })
        .collect();
    let chosen = images
        .iter()
        .find(|m| {
            str_field(&m["platform"], "os") == Some("linux")
                && str_field(&m["platform"], "architecture") == Some("amd64")
        })
        .or(images.first())
        .copied();
    if images.len() > 1 {
        diags.push(Diagnostic::info(
            None,
            format!(
                "the image index lists {} images; read {}",
                images.len(),
                chosen
                    .and_then(|m| str_field(m, "digest"))
                    .unwrap_or("the first")
            ),
        ));
    }
    chosen
}

fn oci_plan(store: &Store, format: Format, fallback_name: &str) -> Result<Plan> {
    let mut diags = Vec::new();
    let (layout, _) = store.read_json("oci-layout")?;
    if let Some(v) = str_field(&layout, "imageLayoutVersion") {
        if !v.starts_with("1.") {
            diags.push(Diagnostic::warning(
                None,
                format!("OCI layout version {}: read as 1.x", shown(v)),
            ));
        }
    }
    let (mut doc, _) = store.read_json("index.json")?;
    let mut tags: Vec<String> = Vec::new();
    let mut descriptor: Option<Value> = None;
    for depth in 0.. {
        if depth > MAX_INDEX_DEPTH {
            bail!("image indexes nested more than {MAX_INDEX_DEPTH} deep; refused");
        }
        let manifests = doc["manifests"].as_array().cloned().unwrap_or_default();
        let d = pick(&manifests, &mut diags)
            .cloned()
            .ok_or_else(|| anyhow!("the image index lists no image"))?;
        for key in [
            "io.containerd.image.name",
            "org.opencontainers.image.ref.name",
        ] {
            if let Some(t) = str_field(&d["annotations"], key) {
                if !tags.iter().any(|x| x == t) {
                    tags.push(t.to_string());
                }
            }
        }
        let digest =
            str_field(&d, "digest").ok_or_else(|| anyhow!("a descriptor without a digest"))?;
        let (next, bytes) = store.read_json(&blob_name(digest)?)?;
        verify(digest, &bytes, "manifest")?;
        let media = str_field(&d, "mediaType").or(str_field(&next, "mediaType"));
        descriptor = Some(d.clone());
        if is_index(media, &next) {
            doc = next;
            continue;
        }
        doc = next;
        break;
    }
    let manifest_digest = descriptor
        .as_ref()
        .and_then(|d| str_field(d, "digest"))
        .map(str::to_string);
    let config_digest = str_field(&doc["config"], "digest")
        .ok_or_else(|| anyhow!("the image manifest has no config"))?
        .to_string();
    let (config, bytes) = store.read_json(&blob_name(&config_digest)?)?;
    verify(&config_digest, &bytes, "configuration")?;
    let mut layers = Vec::new();
    for l in doc["layers"].as_array().into_iter().flatten() {
        let digest = str_field(l, "digest").ok_or_else(|| anyhow!("a layer without a digest"))?;
        layers.push((blob_name(digest)?, Some(digest.to_string())));
    }
    // A ref name that is only a tag (`latest`) names no image: the file's name does.
    let name = tags
        .iter()
        .find(|t| t.contains('/') || t.contains(':'))
        .cloned()
        .unwrap_or_else(|| match tags.first() {
            Some(t) => format!("{fallback_name}:{t}"),
            None => fallback_name.to_string(),
        });
    Ok(Plan {
        image: Image {
            name,
            format: format.name().into(),
            config_digest,
            manifest_digest,
            repo_tags: tags,
            layers: Vec::new(),
            os: str_field(&config, "os").map(str::to_string),
            architecture: str_field(&config, "architecture").map(str::to_string),
        },
        layers,
        diagnostics: diags,
    })
}

fn docker_plan(store: &Store, fallback_name: &str) -> Result<Plan> {
    let mut diags = Vec::new();
    let (doc, _) = store.read_json("manifest.json")?;
    let images = doc.as_array().cloned().unwrap_or_default();
    let first = images
        .first()
        .ok_or_else(|| anyhow!("manifest.json lists no image"))?;
    if images.len() > 1 {
        diags.push(Diagnostic::info(
            None,
            format!("the archive holds {} images; read the first", images.len()),
        ));
    }
    let config_name =
        str_field(first, "Config").ok_or_else(|| anyhow!("manifest.json: no Config"))?;
    let (config, bytes) = store.read_json(config_name)?;
    let tags: Vec<String> = first["RepoTags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let layers = first["Layers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|l| (l.to_string(), None))
        .collect();
    Ok(Plan {
        image: Image {
            name: tags
                .first()
                .cloned()
                .unwrap_or_else(|| fallback_name.into()),
            format: Format::DockerArchive.name().into(),
            config_digest: sha256_digest(&bytes),
            manifest_digest: None,
            repo_tags: tags,
            layers: Vec::new(),
            os: str_field(&config, "os").map(str::to_string),
            architecture: str_field(&config, "architecture").map(str::to_string),
        },
        layers,
        diagnostics: diags,
    })
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Package database files whose entries say which packages a layer installed: each
/// layer's copy is read for (name, version) pairs, and a package belongs to the first
/// layer of the last unbroken run of copies that list it.
const SHARED_DATABASES: &[&str] = &["var/lib/dpkg/status", "lib/apk/db/installed"];

type Snapshot = (usize, HashSet<(String, String)>);

fn database_entries(path: &Path, apk: bool) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    let Ok(f) = std::fs::File::open(path) else {
        return out;
    };
    let mut text = String::new();
    if f.take(crate::ecosystem::os::MAX_AUX_BYTES)
        .read_to_string(&mut text)
        .is_err()
    {
        return out;
    }
    let (nk, vk) = if apk {
        ("P:", "V:")
    } else {
        ("Package:", "Version:")
    };
    for para in text.split("\n\n") {
        let mut name = None;
        let mut version = None;
        for line in para.lines() {
            if let Some(v) = line.strip_prefix(nk) {
                name = Some(v.trim().to_string());
            } else if let Some(v) = line.strip_prefix(vk) {
                version = Some(v.trim().to_string());
            }
        }
        if let (Some(n), Some(v)) = (name, version) {
            out.insert((n, v));
        }
    }
    out
}

/// Unpack `src` into `dir` (which must exist and be empty): the image's description and
/// the unpacker with who-wrote-what and its diagnostics.
fn unpack(
    src: &Source,
    dir: &Path,
    limits: Limits,
) -> Result<(Image, layer::Unpacker, Vec<Snapshot>)> {
    let fallback = src
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .map(|n| n.strip_suffix(".tar").map(str::to_string).unwrap_or(n))
        .unwrap_or_else(|| "image".into());
    let (store, oci) = match src.format {
        Some(Format::OciDir) => (Store::Dir(src.path.clone()), true),
        _ => {
            let s = Store::open_tar(&src.path)?;
            let oci = s.has("index.json") && s.has("oci-layout");
            if !oci && !s.has("manifest.json") {
                bail!(
                    "{}: neither a docker save archive (manifest.json) nor an OCI layout \
                     (oci-layout, index.json)",
                    shown(&src.given)
                );
            }
            (s, oci)
        }
    };
    let mut plan = if oci {
        let format = if matches!(src.format, Some(Format::OciDir)) {
            Format::OciDir
        } else {
            Format::OciArchive
        };
        let mut p = oci_plan(&store, format, &fallback)?;
        // docker 25+ writes both: manifest.json has the repository tags.
        if store.has("manifest.json") {
            if let Ok(d) = docker_plan(&store, &fallback) {
                for t in d.image.repo_tags.into_iter().rev() {
                    if !p.image.repo_tags.contains(&t) {
                        p.image.repo_tags.insert(0, t);
                    }
                }
                if let Some(t) = p.image.repo_tags.first() {
                    p.image.name = t.clone();
                }
            }
        }
        p
    } else {
        docker_plan(&store, &fallback)?
    };
    let mut unpacker = layer::Unpacker::new(dir.to_path_buf(), limits);
    let mut snapshots: Vec<Snapshot> = Vec::new();
    for (i, (name, digest)) in plan.layers.iter().enumerate() {
        let (blob, _) = store.open(name)?;
        let mut r = Hashing {
            inner: blob,
            hash: Sha256::new(),
        };
        let label = digest.clone().unwrap_or_else(|| name.clone());
        unpacker.apply(i, &shown(&label), &mut r)?;
        std::io::copy(&mut r, &mut std::io::sink())?;
        let got = format!("sha256:{}", hex::encode(r.hash.finalize()));
        if let Some(d) = digest {
            if d.starts_with("sha256:") && *d != got {
                bail!("layer {d} does not match its digest (it hashes to {got}); refused");
            }
        }
        plan.image.layers.push(digest.clone().unwrap_or(got));
        for db in SHARED_DATABASES {
            if unpacker.written.get(*db) == Some(&i) {
                snapshots.push((
                    i,
                    database_entries(&dir.join(db), db.starts_with("lib/apk")),
                ));
            }
        }
    }
    unpacker.diagnostics.append(&mut plan.diagnostics);
    Ok((plan.image, unpacker, snapshots))
}

/// Scan an image: unpack, run the pipeline on the root filesystem, and say which layer
/// each component came from. `run_tree` is the pipeline on a directory.
pub fn scan(
    src: &Source,
    opts: &crate::pipeline::Options,
    run_tree: impl Fn(&crate::pipeline::Options) -> Result<Scan>,
) -> Result<Scan> {
    let tmp = cleanup::TempRoot::new()?;
    let (image, unpacker, snapshots) =
        unpack(src, tmp.path(), opts.image_limits).with_context(|| shown(&src.given))?;
    let mut inner = opts.clone();
    inner.walk.root = tmp.path().to_path_buf();
    // The image's files are the input; this machine's package caches are not its.
    inner.use_local_caches = false;
    inner.project_name = Some(image.name.clone());
    // Unpacked into a fresh temporary root each run: the local cache (by root and stat)
    // could never hit and would only fill with dead roots. The shared cache goes by
    // content, so it still serves an image.
    inner.cache.enabled = false;
    let mut scan = run_tree(&inner)?;
    scan.root = src.given.clone();
    attribute_layers(&mut scan, &image, &unpacker.written, &snapshots);
    scan.diagnostics.extend(unpacker.diagnostics);
    scan.image = Some(image);
    scan.normalize();
    drop(tmp);
    Ok(scan)
}

/// Each component's layer: the one that last wrote its package-database entry (dpkg's
/// `info/NAME.list`, a distroless `status.d/NAME`, the layer that added its entry to a
/// shared database), else the last that wrote its manifest, else any of its files.
fn attribute_layers(
    scan: &mut Scan,
    image: &Image,
    written: &BTreeMap<String, usize>,
    snapshots: &[Snapshot],
) {
    let mut owned: HashMap<&str, Vec<(&str, bool)>> = HashMap::new();
    for f in &scan.files {
        if let Some(c) = &f.component {
            owned
                .entry(c.as_str())
                .or_default()
                .push((f.path.as_str(), f.class == Some(FileClass::Manifest)));
        }
    }
    let mut layers: Vec<Option<usize>> = Vec::with_capacity(scan.components.len());
    for c in &scan.components {
        let files = owned
            .get(c.bom_ref.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        layers.push(layer_of(c, files, written, snapshots));
    }
    for (c, l) in scan.components.iter_mut().zip(layers) {
        // The image itself is in every layer.
        if Some(&c.bom_ref) != scan.project.as_ref() {
            c.layer = l.and_then(|i| image.layers.get(i).cloned());
        }
    }
}

fn layer_of(
    c: &Component,
    files: &[(&str, bool)],
    written: &BTreeMap<String, usize>,
    snapshots: &[Snapshot],
) -> Option<usize> {
    let purl_type = c
        .purl
        .as_deref()
        .and_then(|p| p.strip_prefix("pkg:"))
        .and_then(|p| p.split('/').next());
    if matches!(purl_type, Some("deb" | "apk")) {
        let arch = c.purl.as_deref().and_then(|p| {
            p.split_once("arch=")
                .map(|(_, a)| a.split('&').next().unwrap_or(""))
        });
        let mut own = vec![
            format!("var/lib/dpkg/info/{}.list", c.name),
            format!("var/lib/dpkg/status.d/{}", c.name),
        ];
        if let Some(a) = arch {
            own.insert(0, format!("var/lib/dpkg/info/{}:{a}.list", c.name));
        }
        if let Some(l) = own.iter().find_map(|p| written.get(p)) {
            return Some(*l);
        }
        let version = c.version.clone().unwrap_or_default();
        let key = (c.name.clone(), version);
        // The first layer of the last run of database copies that list it.
        let mut start = None;
        for (layer, entries) in snapshots {
            if entries.contains(&key) {
                start.get_or_insert(*layer);
            } else {
                start = None;
            }
        }
        if start.is_some() {
            return start;
        }
    }
    let last = |manifests_only: bool| {
        files
            .iter()
            .filter(|(_, m)| *m || !manifests_only)
            .filter_map(|(p, _)| written.get(*p))
            .max()
            .copied()
    };
    last(true).or_else(|| last(false)).or_else(|| {
        let dir = c.path.as_deref().filter(|p| !p.is_empty())?;
        let prefix = format!("{dir}/");
        written
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(_, l)| *l)
            .max()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_checked_before_they_become_paths() {
        let h = "a".repeat(64);
        assert_eq!(
            blob_name(&format!("sha256:{h}")).unwrap(),
            format!("blobs/sha256/{h}")
        );
        assert!(blob_name("sha256:../../etc/passwd").is_err());
        assert!(blob_name(&format!("md5:{h}")).is_err());
        assert!(blob_name(&format!("sha256:{}", "A".repeat(64))).is_err());
    }
}
