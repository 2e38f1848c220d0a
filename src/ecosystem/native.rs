//! Native code bundled inside packages: the C libraries a Cargo `-sys` (or `-src`) crate
//! carries as source (zstd, libgit2 with its `deps/`, libssh2, SQLite/SQLCipher, aws-lc
//! with its `third_party/`, zlib ...), those an npm package built by node-gyp carries in
//! its `deps/` (better-sqlite3's SQLite, leveldown's LevelDB and Snappy; [`node_gyp`]), and
//! the shared libraries a Python wheel bundles in `<dist>.libs/` (auditwheel, delocate).
//! Each becomes a component of its own, nested under the package that carries it
//! (`Component::parent`, and an edge from it: the package is linked against it), with its
//! version where its sources state it. An archive of sources (node-sqlite3's
//! `deps/sqlite-autoconf-*.tar.gz`) is never unpacked: a note on its package names it.
//!
//! Versions come from what the library's own sources say, first its version header
//! ([`PROBES`]: `ZSTD_VERSION_*` in zstd.h, `LIBGIT2_VERSION`, `SQLITE_VERSION`, ...), then
//! its build files (CMake `project(NAME VERSION x.y.z)`, `AC_INIT` in configure.ac,
//! `Version:` of a pkg-config `.pc.in`). Its licenses are found like any component's: its
//! folder is its `path`, so its own license files are its evidence. Like
//! [`super::vendored`], which finds copied code by its license file, this runs after the
//! ecosystems, on what they found.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use once_cell::sync::Lazy;
use regex::Regex;

use super::{Claim, Context, Found};
use crate::model::{Component, Ecosystem, Edge, Scope};
use crate::relpath;

/// Bytes of a version header or build file read (versions sit near the top).
const MAX_PROBE_BYTES: u64 = 1 << 20;
/// SQLCipher states its version deep inside its amalgamation.
const MAX_AMALGAMATION_BYTES: u64 = 32 << 20;
/// Entries listed in one folder.
const MAX_DIR_ENTRIES: usize = 512;
/// Folders of bundled dependencies followed inside a bundled library (aws-lc/third_party/
/// jitterentropy/...).
const MAX_NESTING: usize = 3;

/// How a version is stated in a header.
enum Stated {
    /// `#define NAME "1.2.3"` (or unquoted).
    Define(&'static str),
    /// Major, minor, patch macros.
    Triple(&'static str, &'static str, &'static str),
    /// Major and minor only (PCRE2).
    Pair(&'static str, &'static str),
    /// Major and minor as C++ constants, `static const int NAME = 1;` (LevelDB).
    Constants(&'static str, &'static str),
}

/// A version header: the file (relative to the library's folder), the library's name,
/// how the version is written, and its GitHub home where that is its upstream.
struct Probe {
    files: &'static [&'static str],
    name: &'static str,
    version: &'static [Stated],
    github: Option<&'static str>,
}

const PROBES: &[Probe] = &[
    Probe {
        files: &["lib/zstd.h", "zstd.h"],
        name: "zstd",
        version: &[Stated::Triple(
            "ZSTD_VERSION_MAJOR",
            "ZSTD_VERSION_MINOR",
            "ZSTD_VERSION_RELEASE",
        )],
        github: Some("facebook/zstd"),
    },
    Probe {
        files: &["include/git2/version.h"],
        name: "libgit2",
        version: &[
            Stated::Define("LIBGIT2_VERSION"),
            Stated::Triple(
                "LIBGIT2_VER_MAJOR",
                "LIBGIT2_VER_MINOR",
                "LIBGIT2_VER_REVISION",
            ),
        ],
        github: Some("libgit2/libgit2"),
    },
    Probe {
        files: &["include/libssh2.h"],
        name: "libssh2",
        version: &[Stated::Define("LIBSSH2_VERSION")],
        github: Some("libssh2/libssh2"),
    },
    Probe {
        files: &["include/openssl/base.h"],
        name: "aws-lc",
        version: &[Stated::Define("AWSLC_VERSION_NUMBER_STRING")],
        github: Some("aws/aws-lc"),
    },
    Probe {
        files: &["include/openssl/opensslv.h"],
        name: "openssl",
        version: &[Stated::Define("OPENSSL_VERSION_STR")],
        github: Some("openssl/openssl"),
    },
    Probe {
        files: &["sqlite3.h"],
        name: "sqlite",
        version: &[Stated::Define("SQLITE_VERSION")],
        github: None,
    },
    Probe {
        files: &["zlib.h"],
        name: "zlib",
        version: &[Stated::Define("ZLIB_VERSION")],
        github: Some("madler/zlib"),
    },
    Probe {
        files: &["pcre2.h", "src/pcre2.h.generic"],
        name: "pcre2",
        version: &[Stated::Pair("PCRE2_MAJOR", "PCRE2_MINOR")],
        github: Some("PCRE2Project/pcre2"),
    },
    Probe {
        files: &["llhttp.h", "include/llhttp.h"],
        name: "llhttp",
        version: &[Stated::Triple(
            "LLHTTP_VERSION_MAJOR",
            "LLHTTP_VERSION_MINOR",
            "LLHTTP_VERSION_PATCH",
        )],
        github: Some("nodejs/llhttp"),
    },
    Probe {
        files: &["http_parser.h"],
        name: "http-parser",
        version: &[Stated::Triple(
            "HTTP_PARSER_VERSION_MAJOR",
            "HTTP_PARSER_VERSION_MINOR",
            "HTTP_PARSER_VERSION_PATCH",
        )],
        github: Some("nodejs/http-parser"),
    },
    Probe {
        files: &["jitterentropy.h", "jitterentropy-library/jitterentropy.h"],
        name: "jitterentropy",
        version: &[Stated::Triple(
            "JENT_MAJVERSION",
            "JENT_MINVERSION",
            "JENT_PATCHLEVEL",
        )],
        github: Some("smuellerDD/jitterentropy-library"),
    },
    Probe {
        files: &["lib/lz4.h", "lz4.h"],
        name: "lz4",
        version: &[Stated::Triple(
            "LZ4_VERSION_MAJOR",
            "LZ4_VERSION_MINOR",
            "LZ4_VERSION_RELEASE",
        )],
        github: Some("lz4/lz4"),
    },
    Probe {
        files: &["include/leveldb/db.h"],
        name: "leveldb",
        version: &[Stated::Constants("kMajorVersion", "kMinorVersion")],
        github: Some("google/leveldb"),
    },
    Probe {
        files: &["include/curl/curlver.h"],
        name: "curl",
        version: &[Stated::Define("LIBCURL_VERSION")],
        github: Some("curl/curl"),
    },
];

/// Folders inside a bundled library that hold its own bundled libraries.
const DEPENDENCY_FOLDERS: &[&str] = &[
    "deps",
    "third_party",
    "third-party",
    "3rdparty",
    "vendor",
    "external",
];

fn define(text: &str, name: &str) -> Option<String> {
    // Built per name; a few dozen per scan.
    let re = Regex::new(&format!(
        r#"(?m)^[ \t]*#[ \t]*define[ \t]+{}[ \t]+"?([0-9][0-9A-Za-z.+~-]*)"?"#,
        regex::escape(name)
    ))
    .ok()?;
    re.captures(text).map(|c| c[1].to_string())
}

fn stated(text: &str, how: &Stated) -> Option<String> {
    match how {
        Stated::Define(n) => define(text, n),
        Stated::Triple(a, b, c) => Some(format!(
            "{}.{}.{}",
            define(text, a)?,
            define(text, b)?,
            define(text, c)?
        )),
        Stated::Pair(a, b) => Some(format!("{}.{}", define(text, a)?, define(text, b)?)),
        Stated::Constants(a, b) => Some(format!("{}.{}", constant(text, a)?, constant(text, b)?)),
    }
}

fn constant(text: &str, name: &str) -> Option<String> {
    let re = Regex::new(&format!(
        r"(?m)^[ \t]*(?:static[ \t]+)?const(?:expr)?[ \t]+int[ \t]+{}[ \t]*=[ \t]*([0-9]+)[ \t]*;",
        regex::escape(name)
    ))
    .ok()?;
    re.captures(text).map(|c| c[1].to_string())
}

static CMAKE_PROJECT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?is)\bproject\s*\(\s*([A-Za-z0-9_+.-]+)[^)]*?\bVERSION\s+([0-9][0-9A-Za-z.+-]*)")
        .unwrap()
});
static AC_INIT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"AC_INIT\(\s*\[?([A-Za-z0-9_+. -]+?)\]?\s*,\s*\[?([0-9][0-9A-Za-z.+-]*)\]?")
        .unwrap()
});
static PC_VERSION: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?m)^Version:\s*([0-9][0-9A-Za-z.+-]*)\s*$").unwrap());

/// A file of the tree as text, at most `limit` bytes; never through a link out of it.
fn read(root: &Path, rel: &str, limit: u64) -> Option<String> {
    let p = relpath::under(root, rel)?;
    let meta = crate::cache::reads::symlink_metadata(&p).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut buf = Vec::new();
    crate::cache::reads::open(&p)
        .ok()?
        .take(limit)
        .read_to_end(&mut buf)
        .ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Names of the real (not symlinked) folders and files in a folder of the tree, sorted.
fn list(root: &Path, rel: &str) -> (Vec<String>, Vec<String>) {
    let (mut dirs, mut files) = (Vec::new(), Vec::new());
    let Some(p) = relpath::under(root, rel) else {
        return (dirs, files);
    };
    let Ok(entries) = crate::cache::reads::read_dir(&p) else {
        return (dirs, files);
    };
    for e in entries.into_iter().take(MAX_DIR_ENTRIES) {
        let Ok(name) = e.name.into_string() else {
            continue;
        };
        match e.file_type {
            Ok(t) if t.is_dir() => dirs.push(name),
            Ok(t) if t.is_file() => files.push(name),
            _ => {}
        }
    }
    dirs.sort();
    files.sort();
    (dirs, files)
}

/// A bundled library recognised in a folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Library {
    pub name: String,
    pub version: Option<String>,
    pub github: Option<&'static str>,
    /// What told the version ("lib/zstd.h: ZSTD_VERSION_*").
    pub source: String,
    /// The library's own folder below the one probed, when its header sits in a folder
    /// of its own (`jitterentropy/jitterentropy-library/jitterentropy.h`).
    pub subdir: Option<&'static str>,
}

/// What the library in folder `dir` is, by its version header, else its build files.
pub fn identify(root: &Path, dir: &str) -> Option<Library> {
    let folder = relpath::file_name(dir).to_ascii_lowercase();
    for probe in PROBES {
        for f in probe.files {
            let rel = relpath::child(dir, f);
            let Some(text) = read(root, &rel, MAX_PROBE_BYTES) else {
                continue;
            };
            let version = probe.version.iter().find_map(|h| stated(&text, h));
            let Some(version) = version else {
                continue;
            };
            if probe.name == "sqlite" && folder.contains("sqlcipher") {
                // SQLCipher is SQLite with encryption, under its own version.
                let cipher = read(
                    root,
                    &relpath::child(dir, "sqlite3.c"),
                    MAX_AMALGAMATION_BYTES,
                )
                .and_then(|t| define(&t, "CIPHER_VERSION_NUMBER"));
                return Some(Library {
                    name: "sqlcipher".into(),
                    version: cipher,
                    github: Some("sqlcipher/sqlcipher"),
                    source: format!("{f}: SQLite {version}; sqlite3.c: CIPHER_VERSION_NUMBER"),
                    subdir: None,
                });
            }
            let subdir = f
                .split_once('/')
                .map(|(d, _)| d)
                .filter(|d| !["lib", "include", "src"].contains(d));
            return Some(Library {
                name: probe.name.into(),
                version: Some(version),
                github: probe.github,
                source: format!("{f}: {}", describe(probe.version)),
                subdir,
            });
        }
    }
    if let Some(text) = read(
        root,
        &relpath::child(dir, "CMakeLists.txt"),
        MAX_PROBE_BYTES,
    ) {
        if let Some(c) = CMAKE_PROJECT.captures(&text) {
            return Some(Library {
                name: c[1].to_ascii_lowercase(),
                version: Some(c[2].to_string()),
                github: None,
                source: "CMakeLists.txt: project(... VERSION ...)".into(),
                subdir: None,
            });
        }
    }
    for f in ["configure.ac", "configure.in"] {
        if let Some(text) = read(root, &relpath::child(dir, f), MAX_PROBE_BYTES) {
            if let Some(c) = AC_INIT.captures(&text) {
                return Some(Library {
                    name: c[1].trim().to_ascii_lowercase().replace(' ', "-"),
                    version: Some(c[2].to_string()),
                    github: None,
                    source: format!("{f}: AC_INIT"),
                    subdir: None,
                });
            }
        }
    }
    let (_, files) = list(root, dir);
    for f in files.iter().filter(|f| f.ends_with(".pc.in")) {
        if let Some(text) = read(root, &relpath::child(dir, f), MAX_PROBE_BYTES) {
            if let Some(c) = PC_VERSION.captures(&text) {
                return Some(Library {
                    name: f.trim_end_matches(".pc.in").to_string(),
                    version: Some(c[1].to_string()),
                    github: None,
                    source: format!("{f}: Version"),
                    subdir: None,
                });
            }
        }
    }
    None
}

fn describe(how: &[Stated]) -> String {
    match how.first() {
        Some(Stated::Define(n)) => n.to_string(),
        Some(Stated::Constants(a, b)) => format!("{a}, {b}"),
        Some(Stated::Triple(a, ..)) | Some(Stated::Pair(a, _)) => {
            format!(
                "{}*",
                a.trim_end_matches("MAJOR").trim_end_matches("MAJVERSION")
            )
        }
        None => String::new(),
    }
}

fn purl(lib: &Library, dir: &str) -> String {
    let mut p = match lib.github.and_then(|g| g.split_once('/')) {
        Some((owner, name)) => {
            let mut p = packageurl::PackageUrl::new("github", name.to_ascii_lowercase())
                .expect("valid name");
            let _ = p.with_namespace(owner.to_ascii_lowercase());
            p
        }
        None => packageurl::PackageUrl::new("generic", lib.name.clone()).expect("valid name"),
    };
    if let Some(v) = &lib.version {
        let _ = p.with_version(v.clone());
    }
    // The folder keeps two bundled copies of one library apart (zstd in two crates).
    let _ = p.add_qualifier("vendored_at", dir.to_string());
    p.to_string()
}

/// Bundled libraries of every `-sys`/`-src` crate, every npm package built by node-gyp
/// and every wheel's `.libs` folder that the ecosystems found (`so_far`). An archive of
/// sources a package carries is named in a note on the package (in `so_far`), never
/// unpacked.
pub fn discover(ctx: &Context<'_>, so_far: &mut Found) -> Found {
    let mut found = Found::default();
    let license_dirs: BTreeSet<&str> = ctx
        .license_files
        .iter()
        .map(|l| relpath::dir_of(l))
        .collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut archives: Vec<(usize, String)> = Vec::new();
    for (i, c) in so_far.components.iter().enumerate() {
        let Some(path) = c.path.as_deref().filter(|p| !p.is_empty()) else {
            continue;
        };
        let crate_like = c.ecosystem == Ecosystem::Cargo
            && (c.name.ends_with("-sys") || c.name.ends_with("-src"));
        let addon = c.ecosystem == Ecosystem::Npm
            && list(ctx.root, path).1.iter().any(|f| f == "binding.gyp");
        if !(crate_like || addon) || !seen.insert(path.to_string()) {
            continue;
        }
        if addon {
            let (libs, tarballs) = node_gyp(ctx.root, path);
            for (lib, dir) in libs {
                add(ctx, &mut found, &lib, &dir, &c.bom_ref, &license_dirs, 0);
            }
            archives.extend(tarballs.into_iter().map(|t| (i, t)));
            continue;
        }
        // The library sits in a folder of the crate (zstd-sys/zstd, libz-sys/src/zlib).
        let (dirs, _) = list(ctx.root, path);
        let mut candidates: Vec<String> = Vec::new();
        for d in &dirs {
            let rel = relpath::child(path, d);
            if d == "src" {
                candidates.extend(
                    list(ctx.root, &rel)
                        .0
                        .iter()
                        .map(|s| relpath::child(&rel, s)),
                );
            } else {
                candidates.push(rel);
            }
        }
        for dir in candidates {
            // A folder of a `-sys` crate that some stray manifest made a package of (the
            // package.json of libgit2's own tooling) is still the bundled library.
            if let Some(lib) = identify(ctx.root, &dir) {
                add(ctx, &mut found, &lib, &dir, &c.bom_ref, &license_dirs, 0);
            }
        }
    }
    for (i, archive) in archives {
        so_far.components[i].notes.push(format!(
            "bundles native sources as an archive, {archive}, which its build unpacks; \
             archives are not unpacked, so what it holds is not in this inventory"
        ));
    }
    wheel_libs(ctx, so_far, &mut found);
    found
}

/// Archives of sources, by their name.
const ARCHIVES: &[&str] = &[".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar", ".zip"];

/// The libraries an npm package built by node-gyp bundles (each with its folder), and the
/// archives of sources it carries instead (their paths). The places looked at are the
/// folders of its `deps/` (node-gyp's convention: better-sqlite3's `deps/sqlite3`,
/// leveldown's `deps/leveldb` and `deps/snappy`), and the folders its binding.gyp's
/// `dependencies` and `include_dirs` name under a dependency folder (`third_party/zlib/
/// include` is `third_party/zlib`). A folder that states no library is searched one level
/// down for one (`deps/leveldb/leveldb-1.20`), else is a library without a version if it
/// holds C or C++ sources (not `deps/patches`).
fn node_gyp(root: &Path, pkg: &str) -> (Vec<(Library, String)>, Vec<String>) {
    let deps = relpath::child(pkg, "deps");
    let (dirs, files) = list(root, &deps);
    let mut candidates: BTreeSet<String> = dirs.iter().map(|d| relpath::child(&deps, d)).collect();
    let gyp = read(root, &relpath::child(pkg, "binding.gyp"), MAX_PROBE_BYTES).unwrap_or_default();
    for named in gyp_paths(&gyp) {
        let Some(at) = relpath::join("", &named) else {
            continue;
        };
        let mut segs = at.split('/');
        if let (Some(folder), Some(lib)) = (segs.next(), segs.next()) {
            let is_file = lib.contains(".gyp");
            if DEPENDENCY_FOLDERS.contains(&folder) && !is_file {
                candidates.insert(relpath::child(pkg, &format!("{folder}/{lib}")));
            }
        }
    }
    let archives = files
        .iter()
        .filter(|f| ARCHIVES.iter().any(|a| f.to_ascii_lowercase().ends_with(a)))
        .map(|f| relpath::child(&deps, f))
        .collect();
    let mut libs = Vec::new();
    for dir in candidates {
        if let Some(lib) = identify(root, &dir) {
            libs.push((lib, dir));
            continue;
        }
        let inner: Vec<(Library, String)> = list(root, &dir)
            .0
            .iter()
            .map(|d| relpath::child(&dir, d))
            .filter_map(|d| Some((identify(root, &d)?, d)))
            .collect();
        if !inner.is_empty() {
            libs.extend(inner);
        } else if has_native_sources(root, &dir, 2) {
            let name = relpath::file_name(&dir).to_ascii_lowercase();
            libs.push((
                Library {
                    name,
                    version: None,
                    github: None,
                    source: "nothing (no version stated)".into(),
                    subdir: None,
                },
                dir,
            ));
        }
    }
    (libs, archives)
}

/// The paths a binding.gyp's `dependencies` (`deps/leveldb/leveldb.gyp:leveldb`, the part
/// before the target) and `include_dirs` name, relative to the package; those made by a
/// command or a variable (`<!(node -e ...)`, `<(SHARED_INTERMEDIATE_DIR)`) are left out,
/// as nothing is run. GYP is a Python literal: strings in either quotes, `#` comments.
fn gyp_paths(gyp: &str) -> Vec<String> {
    static LIST: Lazy<Regex> =
        Lazy::new(|| Regex::new(r#"['"](?:dependencies|include_dirs)['"]\s*:\s*\["#).unwrap());
    let gyp = without_comments(gyp);
    let mut out = Vec::new();
    for m in LIST.find_iter(&gyp) {
        let mut quote: Option<char> = None;
        let mut cur = String::new();
        let mut chars = gyp[m.end()..].chars();
        while let Some(ch) = chars.next() {
            match (quote, ch) {
                (None, ']') => break,
                (None, '\'' | '"') => quote = Some(ch),
                (None, _) => {}
                (Some(_), '\\') => cur.extend(chars.next()),
                (Some(q), _) if ch == q => {
                    let p = std::mem::take(&mut cur);
                    let p = p.strip_prefix("<(module_root_dir)/").unwrap_or(&p);
                    let p = p.split(':').next().unwrap_or(p);
                    if !p.is_empty() && !p.contains(['<', '>', '$', '!', '@']) {
                        out.push(p.to_string());
                    }
                    quote = None;
                }
                (Some(_), _) => cur.push(ch),
            }
        }
    }
    out
}

/// A GYP file without its `#` comments (a `#` inside a string is kept).
fn without_comments(gyp: &str) -> String {
    let mut out = String::with_capacity(gyp.len());
    for line in gyp.lines() {
        let mut quote: Option<char> = None;
        let mut escaped = false;
        for ch in line.chars() {
            match (quote, ch) {
                (Some(_), _) if escaped => escaped = false,
                (Some(_), '\\') => escaped = true,
                (Some(q), _) if ch == q => quote = None,
                (None, '\'' | '"') => quote = Some(ch),
                (None, '#') => break,
                _ => {}
            }
            out.push(ch);
        }
        out.push('\n');
    }
    out
}

/// Whether a folder holds C or C++ sources or build files, `depth` levels down at most.
fn has_native_sources(root: &Path, dir: &str, depth: usize) -> bool {
    const EXTS: &[&str] = &["c", "cc", "cpp", "cxx", "h", "hh", "hpp", "hxx"];
    const BUILD: &[&str] = &["CMakeLists.txt", "configure", "configure.ac", "Makefile"];
    let (dirs, files) = list(root, dir);
    files.iter().any(|f| {
        BUILD.contains(&f.as_str())
            || f.rsplit_once('.')
                .is_some_and(|(_, e)| EXTS.contains(&e.to_ascii_lowercase().as_str()))
    }) || (depth > 0
        && dirs
            .iter()
            .any(|d| has_native_sources(root, &relpath::child(dir, d), depth - 1)))
}

fn add(
    ctx: &Context<'_>,
    found: &mut Found,
    lib: &Library,
    dir: &str,
    parent: &str,
    license_dirs: &BTreeSet<&str>,
    depth: usize,
) {
    let own;
    let dir = match lib.subdir {
        Some(sub) => {
            own = relpath::child(dir, sub);
            own.as_str()
        }
        None => dir,
    };
    let bom_ref = purl(lib, dir);
    if found.components.iter().any(|c| c.bom_ref == bom_ref) {
        return;
    }
    found.components.push(Component {
        bom_ref: bom_ref.clone(),
        name: lib.name.clone(),
        version: lib.version.clone(),
        purl: Some(bom_ref.clone()),
        ecosystem: Ecosystem::Generic,
        path: Some(dir.to_string()),
        scope: Some(Scope::Required),
        parent: Some(parent.to_string()),
        notes: vec![format!(
            "native library bundled as source in {dir}/; version from {}",
            lib.source
        )],
        ..Default::default()
    });
    push_edge(found, parent, &bom_ref);
    if depth >= MAX_NESTING {
        return;
    }
    // Its own bundled libraries: every folder of its deps/ or third_party/.
    let (dirs, _) = list(ctx.root, dir);
    for d in dirs
        .iter()
        .filter(|d| DEPENDENCY_FOLDERS.contains(&d.as_str()))
    {
        let deps = relpath::child(dir, d);
        for sub in list(ctx.root, &deps).0 {
            let at = relpath::child(&deps, &sub);
            let lib = identify(ctx.root, &at).unwrap_or_else(|| Library {
                name: sub.to_ascii_lowercase(),
                version: None,
                github: None,
                source: if license_dirs.iter().any(|l| relpath::is_within(l, &at)) {
                    "nothing (a license file, no version stated)".into()
                } else {
                    "nothing (no version stated)".into()
                },
                subdir: None,
            });
            add(ctx, found, &lib, &at, &bom_ref, license_dirs, depth + 1);
        }
    }
}

fn push_edge(found: &mut Found, from: &str, to: &str) {
    match found.edges.iter_mut().find(|e| e.from == from) {
        Some(e) => {
            if !e.to.iter().any(|t| t == to) {
                e.to.push(to.to_string());
            }
        }
        None => found.edges.push(Edge {
            from: from.to_string(),
            to: vec![to.to_string()],
        }),
    }
}

/// `libgfortran-040039e1.so.5.0.0` -> (`libgfortran`, `5.0.0`); `libopenblas64_p-r0-
/// 0cf96a72.3.23.dev.so` -> (`libopenblas64_p-r0`, `3.23.dev`); `libz.1.3.dylib` (delocate
/// keeps the name) -> (`libz`, `1.3`). The 8-hex part is auditwheel's content hash.
pub fn shared_library_name(file: &str) -> Option<(String, Option<String>)> {
    static HASHED: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^(?P<n>[A-Za-z0-9_+.-]+?)-[0-9a-f]{8}(?:\.(?P<v1>[0-9][0-9A-Za-z.]*?))?\.so(?:\.(?P<v2>[0-9][0-9.]*))?$")
            .unwrap()
    });
    static PLAIN: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^(?P<n>lib[A-Za-z0-9_+-]+?)(?:[.-](?P<v1>[0-9][0-9.]*?))?\.(?:so|dylib|dll)(?:\.(?P<v2>[0-9][0-9.]*))?$").unwrap()
    });
    let c = HASHED.captures(file).or_else(|| PLAIN.captures(file))?;
    let version = c
        .name("v2")
        .or(c.name("v1"))
        .map(|m| m.as_str().trim_end_matches('.').to_string())
        .filter(|v| !v.is_empty());
    Some((c["n"].to_string(), version))
}

/// Python wheels' bundled shared libraries: `<site-packages>/<dist>.libs/*.so*`.
fn wheel_libs(ctx: &Context<'_>, so_far: &Found, found: &mut Found) {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
    // Installed distributions by site-packages folder and normalised name.
    let mut dists: HashMap<(String, String), &str> = HashMap::new();
    for c in so_far
        .components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::Pypi)
    {
        if let Some(p) = c.path.as_deref().filter(|p| p.ends_with(".dist-info")) {
            dists.insert(
                (relpath::dir_of(p).to_string(), norm(&c.name)),
                c.bom_ref.as_str(),
            );
        }
    }
    let sites: BTreeSet<&str> = dists.keys().map(|(s, _)| s.as_str()).collect();
    for site in sites {
        for d in list(ctx.root, site).0 {
            let Some(dist) = d.strip_suffix(".libs") else {
                continue;
            };
            let Some(parent) = dists.get(&(site.to_string(), norm(dist))) else {
                continue;
            };
            let dir = relpath::child(site, &d);
            for f in list(ctx.root, &dir).1 {
                let Some((name, version)) = shared_library_name(&f) else {
                    continue;
                };
                let lib = Library {
                    name,
                    version,
                    github: None,
                    source: String::new(),
                    subdir: None,
                };
                let at = relpath::child(&dir, &f);
                let bom_ref = purl(&lib, &at);
                found.components.push(Component {
                    bom_ref: bom_ref.clone(),
                    name: lib.name,
                    version: lib.version,
                    purl: Some(bom_ref.clone()),
                    ecosystem: Ecosystem::Generic,
                    scope: Some(Scope::Required),
                    parent: Some(parent.to_string()),
                    notes: vec![format!(
                        "shared library bundled in the wheel ({at}); name and version from its \
                         file name; its license is not in the wheel's metadata"
                    )],
                    ..Default::default()
                });
                found.claim(at, &bom_ref, Claim::Listed);
                push_edge(found, parent, &bom_ref);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_library_file_names() {
        let n = |f: &str| shared_library_name(f);
        assert_eq!(
            n("libgfortran-040039e1.so.5.0.0"),
            Some(("libgfortran".into(), Some("5.0.0".into())))
        );
        assert_eq!(
            n("libopenblas64_p-r0-0cf96a72.3.23.dev.so"),
            Some(("libopenblas64_p-r0".into(), Some("3.23.dev".into())))
        );
        assert_eq!(n("libquadmath-96973f99.so.0.0.0").unwrap().0, "libquadmath");
        assert_eq!(
            n("libz.1.3.dylib"),
            Some(("libz".into(), Some("1.3".into())))
        );
        assert_eq!(n("README.txt"), None);
    }

    #[test]
    fn binding_gyp_paths_without_running_anything() {
        let gyp = r#"{
  'targets': [{
    # 'dependencies': ['commented/out.gyp:x'],
    "dependencies": [
      "<(module_root_dir)/deps/leveldb/leveldb.gyp:leveldb",
      'third_party/zlib/zlib.gyp:zlib',
    ],
    'include_dirs': ["<!(node -e \"require('napi-macros')\")", 'src', "<(SHARED_INTERMEDIATE_DIR)/x"],
  }]
}"#;
        assert_eq!(
            gyp_paths(gyp),
            [
                "deps/leveldb/leveldb.gyp",
                "third_party/zlib/zlib.gyp",
                "src"
            ]
        );
        assert_eq!(
            constant("static const int kMajorVersion = 1;\n", "kMajorVersion").as_deref(),
            Some("1")
        );
    }

    #[test]
    fn node_gyp_folders_named_by_the_binding_or_holding_sources() {
        let t = tempfile::tempdir().unwrap();
        let w = |rel: &str, text: &str| {
            let p = t.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        w(
            "a/binding.gyp",
            "{'dependencies': ['third_party/zlib/zlib.gyp:zlib', '../../up.gyp:x']}",
        );
        w(
            "a/third_party/zlib/zlib.h",
            "#define ZLIB_VERSION \"1.3.1\"\n",
        );
        w("a/deps/patches/1.patch", "diff");
        w("a/deps/libfoo/src/foo.c", "int foo;");
        w("a/deps/libuv.tar.gz", "");
        let (libs, archives) = node_gyp(t.path(), "a");
        let found: Vec<(&str, Option<&str>, &str)> = libs
            .iter()
            .map(|(l, d)| (l.name.as_str(), l.version.as_deref(), d.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("libfoo", None, "a/deps/libfoo"),
                ("zlib", Some("1.3.1"), "a/third_party/zlib")
            ]
        );
        assert_eq!(archives, ["a/deps/libuv.tar.gz"]);
    }

    #[test]
    fn versions_from_headers_and_build_files() {
        assert_eq!(
            define(
                "#define SQLITE_VERSION        \"3.51.3\"\n",
                "SQLITE_VERSION"
            )
            .as_deref(),
            Some("3.51.3")
        );
        assert_eq!(
            define("#define SQLITE_VERSION_NUMBER 3051003\n", "SQLITE_VERSION"),
            None
        );
        let c = CMAKE_PROJECT
            .captures(
                "cmake_minimum_required(VERSION 3.5)\nproject(libssh2 VERSION 1.11.1 LANGUAGES C)",
            )
            .unwrap();
        assert_eq!((&c[1], &c[2]), ("libssh2", "1.11.1"));
        let c = AC_INIT
            .captures("AC_INIT([libssh2],[1.11.0],[libssh2-devel@lists])")
            .unwrap();
        assert_eq!((&c[1], &c[2]), ("libssh2", "1.11.0"));
    }
}
