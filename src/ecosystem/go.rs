//! Go modules: `go.mod`, `go.sum` and `vendor/modules.txt`, read as text (never running `go`).
//!
//! - Every `go.mod` in the tree (except under `vendor/` and `testdata/`, which the go
//!   command itself ignores as modules) is one of the project's own modules: a root
//!   component, without a version, whose `path` is the go.mod's directory.
//! - `require` lines (single and block form) become components with scope `required`; Go has
//!   no dev or optional dependencies, and `// indirect` only says the module is not imported
//!   directly, it is still built in.
//! - `replace` is applied: the component is what is actually built (the replacement module
//!   and version, or the local directory for a path replacement). `exclude`, `retract`,
//!   `go`, `toolchain`, `godebug`, `tool` and `ignore` are parsed for well-formedness only:
//!   they do not change the component list.
//! - Versions are kept verbatim, pseudo-versions (`v0.0.0-2023…-abcdef`) and `+incompatible`
//!   included: they are what `go` records and what vulnerability databases match on.
//! - go.mod is not a full dependency graph (only the module's own requirements, and since
//!   go 1.17 the pruned build list with `// indirect` markers), so the only edges are
//!   root module → its direct (non-`// indirect`) requirements.
//! - `vendor/modules.txt`: `# module version` lines add modules missing from go.mod (older
//!   go versions listed only direct requirements there) and give `path` = `vendor/<module>`
//!   when that directory exists.
//! - `go.sum` `h1:` digests of module zips become the modules' SHA-256 hashes: see [`read_go_sum`].
//! - With `use_local_caches`, each module's directory in the module cache is reported in
//!   `external_dirs` so its license files can be scanned (Go modules declare no license in
//!   metadata: `declared_raw` is always None, the license comes from files).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use packageurl::PackageUrl;

use super::{dir_of, file_name, read_manifest, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem, Hash, Scope};
use crate::relpath;

/// Go modules: `go.mod`, `go.sum`, and a `vendor/modules.txt`.
pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "golang",
    is_manifest: |name, dir| {
        matches!(name, "go.mod" | "go.sum")
            || (name == "modules.txt" && dir.ends_with("vendor"))
            || cached_mod(&relpath::child(dir, name)).is_some()
    },
    dependency_dirs: &["vendor"],
    discover,
};

pub fn discover(ctx: &Context<'_>) -> Found {
    let cache = if ctx.use_local_caches {
        module_cache()
    } else {
        None
    };
    discover_with_cache(ctx, cache.as_deref())
}

/// [`discover`] with the module cache given (None: not read).
fn discover_with_cache(ctx: &Context<'_>, cache: Option<&Path>) -> Found {
    let mut out = Out::default();
    let mut modules_txt: HashMap<&str, &str> = HashMap::new();
    let mut go_sums: HashMap<&str, &str> = HashMap::new();
    let mut go_mods = Vec::new();
    // go.mod files of modules in a module cache inside the tree, by module and version:
    // what each dependency itself requires (the transitive edges).
    let mut cached: HashMap<(String, String), &str> = HashMap::new();
    for rel in ctx.manifests {
        if let Some(key) = cached_mod(rel) {
            // The download cache's copy is the one the go command reads; an extracted
            // module's go.mod says the same.
            if rel.ends_with(".mod") || !cached.contains_key(&key) {
                cached.insert(key, rel.as_str());
            }
        }
    }
    for rel in ctx.manifests {
        let dir = dir_of(rel);
        if cached_mod(rel).is_some() {
            continue;
        }
        match file_name(rel) {
            "go.mod" if !ignored_dir(dir) => go_mods.push(rel.as_str()),
            "go.sum" if !ignored_dir(dir) => {
                go_sums.insert(dir, rel);
            }
            // modules.txt of the module whose go.mod is in the parent of vendor/.
            "modules.txt" if file_name(dir) == "vendor" => {
                modules_txt.insert(dir_of(dir), rel);
            }
            _ => {}
        }
    }
    for rel in go_mods {
        let dir = dir_of(rel);
        let Some(text) = read_manifest(ctx, rel, &mut out.found.diagnostics) else {
            continue;
        };
        let gomod = parse_go_mod(&text, rel, &mut out.found.diagnostics);
        let sums = go_sums
            .get(dir)
            .and_then(|sum| read_manifest(ctx, sum, &mut out.found.diagnostics).map(|t| (sum, t)))
            .map(|(sum, text)| read_go_sum(&text, sum, &mut out.found.diagnostics))
            .unwrap_or_default();
        let vendored = modules_txt.get(dir).and_then(|mt| {
            read_manifest(ctx, mt, &mut out.found.diagnostics)
                .map(|t| parse_modules_txt(&t, mt, &mut out.found.diagnostics))
        });
        let built = module_components(ctx, cache, dir, rel, &gomod, vendored.as_deref(), &mut out);
        transitive(ctx, &cached, &built, &mut out);
        for (module, version, digest) in sums {
            let Some(i) = purl(&module, Some(&version)).and_then(|r| out.index.get(&r).copied())
            else {
                continue;
            };
            let hash = Hash {
                alg: "SHA-256".into(),
                value: digest,
            };
            let c = &mut out.found.components[i];
            if !c.hashes.contains(&hash) {
                c.hashes.push(hash);
            }
        }
    }
    out.finish()
}

/// Directories whose go.mod files are not modules of this project: `vendor/` copies, and
/// `testdata/`, which the go command ignores (it holds test fixtures, often fake modules).
fn ignored_dir(dir: &str) -> bool {
    dir.split('/').any(|s| s == "vendor" || s == "testdata")
}

/// One `require` after `replace` is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Require {
    path: String,
    version: String,
    indirect: bool,
}

/// The right-hand side of a `replace`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Module {
        path: String,
        version: String,
    },
    /// A directory, as written (relative to the go.mod's directory, or absolute).
    Local(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Replace {
    path: String,
    /// None: every version of `path` is replaced.
    version: Option<String>,
    target: Target,
}

#[derive(Debug, Default)]
struct GoMod {
    module: Option<String>,
    requires: Vec<Require>,
    replaces: Vec<Replace>,
    excludes: Vec<(String, String)>,
}

impl GoMod {
    /// The replacement for `path@version`, if any: a version-specific replace wins over a
    /// path-wide one, as in the go command.
    fn replacement(&self, path: &str, version: &str) -> Option<&Target> {
        let exact = self
            .replaces
            .iter()
            .find(|r| r.path == path && r.version.as_deref() == Some(version));
        exact
            .or_else(|| {
                self.replaces
                    .iter()
                    .find(|r| r.path == path && r.version.is_none())
            })
            .map(|r| &r.target)
    }
}

/// Split a go.mod line into tokens: whitespace-separated, `"…"` and `` `…` `` strings as one
/// token, and the trailing `//` comment returned apart (it carries `// indirect`).
fn tokenize(line: &str) -> Result<(Vec<String>, Option<&str>), String> {
    let mut toks = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        if let Some(c) = rest.strip_prefix("//") {
            return Ok((toks, Some(c.trim())));
        }
        let (tok, after) = match rest.as_bytes()[0] {
            b'"' => {
                // Interpreted string: only the escapes a path could hold matter here.
                let end = rest[1..]
                    .find('"')
                    .ok_or_else(|| "unterminated quoted string".to_string())?;
                (rest[1..1 + end].replace("\\\\", "\\"), &rest[end + 2..])
            }
            b'`' => {
                let end = rest[1..]
                    .find('`')
                    .ok_or_else(|| "unterminated raw string".to_string())?;
                (rest[1..1 + end].to_string(), &rest[end + 2..])
            }
            _ => {
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '"' || c == '`')
                    .unwrap_or(rest.len());
                let end = rest[..end].find("//").unwrap_or(end);
                (rest[..end].to_string(), &rest[end..])
            }
        };
        toks.push(tok);
        rest = after.trim_start();
    }
    Ok((toks, None))
}

/// The go command's own version check is semver with a leading `v`; we only check the
/// shape, to catch garbage without rejecting anything `go` accepts.
fn valid_version(v: &str) -> bool {
    v.len() > 1
        && v.starts_with('v')
        && v.as_bytes()[1].is_ascii_digit()
        && !v.contains(char::is_whitespace)
}

fn valid_module_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.ends_with('/')
        && !p.contains("//")
        && p.chars().all(|c| c.is_ascii_graphic() && c != '\\')
}

/// A replacement target is a directory when it starts with `./`, `../` or `/` (or a drive
/// letter): the rule the go command uses (modfile.IsDirectoryPath).
fn is_dir_path(p: &str) -> bool {
    p.starts_with("./")
        || p.starts_with("../")
        || p == "."
        || p == ".."
        || p.starts_with('/')
        || p.starts_with(".\\")
        || p.starts_with("..\\")
        || (p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic())
}

fn parse_go_mod(text: &str, rel: &str, diags: &mut Vec<Diagnostic>) -> GoMod {
    let mut m = GoMod::default();
    let mut warn = |line: usize, msg: String| {
        diags.push(Diagnostic::warning(
            Some(rel.to_string()),
            format!("line {line}: {msg}"),
        ));
    };
    // The directive of the open `( … )` block, if any.
    let mut block: Option<(String, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let (toks, comment) = match tokenize(raw) {
            Ok(t) => t,
            Err(e) => {
                warn(n, e);
                continue;
            }
        };
        if toks.is_empty() {
            continue;
        }
        let (verb, args): (String, &[String]) = match &block {
            Some(_) if toks.len() == 1 && toks[0] == ")" => {
                block = None;
                continue;
            }
            Some((verb, _)) => (verb.clone(), &toks[..]),
            None => {
                if toks.len() == 2 && toks[1] == "(" {
                    block = Some((toks[0].clone(), n));
                    continue;
                }
                (toks[0].clone(), &toks[1..])
            }
        };
        let indirect = comment.is_some_and(|c| c == "indirect" || c.starts_with("indirect;"));
        match verb.as_str() {
            "module" => match args {
                [p] if valid_module_path(p) => m.module = Some(p.clone()),
                _ => warn(n, format!("malformed module directive: {}", raw.trim())),
            },
            "go" => match args {
                [v] if v.chars().next().is_some_and(|c| c.is_ascii_digit()) => {}
                _ => warn(n, format!("malformed go directive: {}", raw.trim())),
            },
            "require" => match args {
                [p, v] if valid_module_path(p) && valid_version(v) => m.requires.push(Require {
                    path: p.clone(),
                    version: v.clone(),
                    indirect,
                }),
                _ => warn(n, format!("malformed require: {}", raw.trim())),
            },
            "exclude" => match args {
                [p, v] if valid_module_path(p) && valid_version(v) => {
                    m.excludes.push((p.clone(), v.clone()))
                }
                _ => warn(n, format!("malformed exclude: {}", raw.trim())),
            },
            "replace" => {
                let arrow = args.iter().position(|t| t == "=>");
                let parsed = arrow.and_then(|a| {
                    let (lhs, rhs) = (&args[..a], &args[a + 1..]);
                    let (path, version) = match lhs {
                        [p] if valid_module_path(p) => (p.clone(), None),
                        [p, v] if valid_module_path(p) && valid_version(v) => {
                            (p.clone(), Some(v.clone()))
                        }
                        _ => return None,
                    };
                    let target = match rhs {
                        [d] if is_dir_path(d) => Target::Local(d.clone()),
                        [p, v] if valid_module_path(p) && valid_version(v) => Target::Module {
                            path: p.clone(),
                            version: v.clone(),
                        },
                        _ => return None,
                    };
                    Some(Replace {
                        path,
                        version,
                        target,
                    })
                });
                match parsed {
                    Some(r) => m.replaces.push(r),
                    None => warn(n, format!("malformed replace: {}", raw.trim())),
                }
            }
            // retract v1.0.0 | retract [v1.0.0, v1.2.0]: about this module's own published
            // versions, nothing for its consumers' component list.
            "retract" => {
                let ok = match args {
                    [v] => valid_version(v),
                    [lo, hi] => {
                        lo.strip_prefix('[')
                            .is_some_and(|v| valid_version(v.trim_end_matches(',')))
                            && hi.strip_suffix(']').is_some_and(valid_version)
                    }
                    [lo, comma, hi] => {
                        comma == ","
                            && lo.strip_prefix('[').is_some_and(valid_version)
                            && hi.strip_suffix(']').is_some_and(valid_version)
                    }
                    _ => false,
                };
                if !ok {
                    warn(n, format!("malformed retract: {}", raw.trim()));
                }
            }
            // Build settings, not dependencies.
            "toolchain" | "godebug" | "tool" | "ignore" => {}
            other => warn(n, format!("unknown directive {other:?}")),
        }
    }
    if let Some((verb, line)) = block {
        warn(line, format!("{verb} block is not closed"));
    }
    if m.module.is_none() {
        diags.push(Diagnostic::warning(
            Some(rel.to_string()),
            "no module directive",
        ));
    }
    for r in &m.requires {
        if m.excludes
            .iter()
            .any(|(p, v)| *p == r.path && *v == r.version)
        {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!(
                    "{} {} is both required and excluded; go would select a later version",
                    r.path, r.version
                ),
            ));
        }
    }
    m
}

/// A module listed in vendor/modules.txt.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Vendored {
    path: String,
    version: String,
    /// Marked `## explicit`: required by go.mod directly.
    explicit: bool,
    /// `# a v1 => b v2` / `# a => ./dir`: what was vendored instead.
    target: Option<Target>,
}

fn parse_modules_txt(text: &str, rel: &str, diags: &mut Vec<Diagnostic>) -> Vec<Vendored> {
    let mut out: Vec<Vendored> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(marks) = line.strip_prefix("## ") {
            if let Some(last) = out.last_mut() {
                last.explicit |= marks.split(';').any(|m| m.trim() == "explicit");
            }
            continue;
        }
        let Some(rest) = line.strip_prefix("# ") else {
            // Package lines and blank lines.
            continue;
        };
        let toks: Vec<&str> = rest.split_whitespace().collect();
        let (lhs, rhs) = match toks.iter().position(|t| *t == "=>") {
            Some(a) => (&toks[..a], Some(&toks[a + 1..])),
            None => (&toks[..], None),
        };
        let (path, version) = match lhs {
            [p, v] if valid_module_path(p) && valid_version(v) => (p.to_string(), v.to_string()),
            // A wildcard replacement: `# a => b v2` has no version on the left.
            [p] if rhs.is_some() && valid_module_path(p) => (p.to_string(), String::new()),
            _ => {
                diags.push(Diagnostic::warning(
                    Some(rel.to_string()),
                    format!("line {}: malformed module line: {line}", i + 1),
                ));
                continue;
            }
        };
        let target = match rhs {
            None => None,
            Some([d]) if is_dir_path(d) => Some(Target::Local(d.to_string())),
            Some([p, v]) if valid_module_path(p) && valid_version(v) => Some(Target::Module {
                path: p.to_string(),
                version: v.to_string(),
            }),
            Some(_) => {
                diags.push(Diagnostic::warning(
                    Some(rel.to_string()),
                    format!("line {}: malformed replacement: {line}", i + 1),
                ));
                continue;
            }
        };
        out.push(Vendored {
            path,
            version,
            explicit: false,
            target,
        });
    }
    out
}

/// go.sum lines are `module version h1:<base64 of a SHA-256>` (the module zip) or
/// `module version/go.mod h1:…` (its go.mod alone). The h1 digest is a SHA-256 over a sorted
/// list of "sha256  filename" lines of the zip (Go's dirhash Hash1), not of any one file, but
/// it is the value an SBOM consumer can compare with the checksum database, so it is
/// recorded as the module's `SHA-256` (hex of the decoded digest). Returns (module,
/// version, hex) for the zip lines; malformed lines are warnings.
fn read_go_sum(
    text: &str,
    rel: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, String, String)> {
    use base64::Engine;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let toks: Vec<&str> = line.split_whitespace().collect();
        let ok = match toks[..] {
            [] => true,
            [p, v, h] => {
                let v = v.strip_suffix("/go.mod").unwrap_or(v);
                valid_module_path(p)
                    && valid_version(v)
                    && h.strip_prefix("h1:").is_some_and(well_formed_h1)
            }
            _ => false,
        };
        if !ok {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!("line {}: malformed go.sum line: {line}", i + 1),
            ));
            continue;
        }
        if let [module, version, h] = toks[..] {
            if version.ends_with("/go.mod") {
                continue;
            }
            let b64 = h.trim_start_matches("h1:");
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
                out.push((module.to_string(), version.to_string(), hex::encode(bytes)));
            }
        }
    }
    out
}

/// Standard padded base64 of 32 bytes: 43 alphabet characters and one `=`.
fn well_formed_h1(b64: &str) -> bool {
    b64.len() == 44
        && b64.ends_with('=')
        && b64[..43]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

/// `pkg:golang/<all but the last path segment>/<last segment>@<version>`.
fn purl(module: &str, version: Option<&str>) -> Option<String> {
    let (ns, name) = match module.rfind('/') {
        Some(i) => (Some(&module[..i]), &module[i + 1..]),
        None => (None, module),
    };
    let mut p = PackageUrl::new("golang", name).ok()?;
    if let Some(ns) = ns {
        p.with_namespace(ns).ok()?;
    }
    if let Some(v) = version {
        p.with_version(v).ok()?;
    }
    Some(p.to_string())
}

/// Go's module cache escaping (golang.org/x/mod/module.EscapePath): every upper-case letter
/// becomes `!` + its lower-case form, so the cache works on case-insensitive file systems.
fn escape_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The module cache: `$GOMODCACHE`, else the first `$GOPATH` entry's `pkg/mod`, else
/// `~/go/pkg/mod` (the go command's own order).
fn module_cache() -> Option<PathBuf> {
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(c) = non_empty("GOMODCACHE") {
        return Some(PathBuf::from(c));
    }
    if let Some(gp) = non_empty("GOPATH") {
        if let Some(first) = std::env::split_paths(&gp).next() {
            return Some(first.join("pkg").join("mod"));
        }
    }
    non_empty("HOME")
        .or_else(|| non_empty("USERPROFILE"))
        .map(|h| PathBuf::from(h).join("go").join("pkg").join("mod"))
}

/// One component per purl, edges merged per source (shared with the other ecosystems).
type Out = super::Collector;

fn component(
    module: &str,
    version: Option<&str>,
    path: Option<String>,
    scope: Option<Scope>,
) -> Option<Component> {
    let purl = purl(module, version)?;
    Some(Component {
        bom_ref: purl.clone(),
        name: module.to_string(),
        version: version.map(str::to_string),
        purl: Some(purl),
        ecosystem: Ecosystem::Golang,
        path,
        scope,
        ..Default::default()
    })
}

/// Components and edges of one module: its go.mod (already parsed) and its modules.txt.
fn module_components(
    ctx: &Context<'_>,
    cache: Option<&Path>,
    dir: &str,
    rel: &str,
    gomod: &GoMod,
    vendored: Option<&[Vendored]>,
    out: &mut Out,
) -> Built {
    let mut built = Built::default();
    let root_ref = gomod.module.as_deref().and_then(|m| {
        let c = component(m, None, Some(dir.to_string()), None)?;
        let r = out.upsert(c);
        out.found.roots.push(r.clone());
        Some(r)
    });
    built.root = root_ref.clone();
    // The vendor/ directory of a vendored module is named by its original module path,
    // whatever it was replaced with.
    let vendor_path = |module: &str| -> Option<String> {
        let v = if dir.is_empty() {
            format!("vendor/{module}")
        } else {
            format!("{dir}/vendor/{module}")
        };
        crate::cache::reads::is_dir(&ctx.root.join(&v)).then_some(v)
    };

    // What is built for `path@version`, after replace: (module path, version, dir in tree).
    // A local replacement outside the tree is not read: a go.mod must not make the scan
    // read (and embed the license files of) any folder on the machine.
    let resolve = |path: &str,
                   version: &str,
                   target: Option<&Target>|
     -> (String, Option<String>, Option<String>) {
        match target {
            Some(Target::Module {
                path: p,
                version: v,
            }) => (p.clone(), Some(v.clone()), None),
            Some(Target::Local(d)) => match relpath::join(dir, d) {
                // A local replacement is built from that directory; its go.mod names the
                // same module, so no version: it merges with that module's root component.
                Some(r) if crate::cache::reads::is_dir(&ctx.root.join(&r)) => {
                    (path.to_string(), None, Some(r))
                }
                _ => (path.to_string(), None, None),
            },
            None => (path.to_string(), Some(version.to_string()), None),
        }
    };

    let add = |path: &str,
               version: &str,
               target: Option<&Target>,
               direct: bool,
               vpath: Option<String>,
               out: &mut Out|
     -> Option<(String, String, Option<String>)> {
        let (module, ver, local) = resolve(path, version, target);
        if let (Some(Target::Local(d)), None) = (target, &local) {
            out.found.diagnostics.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!(
                    "replace {path} => {d}: not a directory inside the scan root; \
                     its license files are not read"
                ),
            ));
        }
        let Some(c) = component(
            &module,
            ver.as_deref(),
            local.or(vpath),
            Some(Scope::Required),
        ) else {
            out.found.diagnostics.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!(
                    "cannot make a purl for {module} {}",
                    ver.as_deref().unwrap_or("")
                ),
            ));
            return None;
        };
        let bom_ref = out.upsert(c);
        if let (Some(root), true) = (&root_ref, direct) {
            if *root != bom_ref {
                out.edges
                    .entry(root.clone())
                    .or_default()
                    .push(bom_ref.clone());
            }
        }
        // Directories outside the tree are read only when caches are allowed (`cache` is
        // Some): what a scan reads must not depend on the machine otherwise.
        let built = Some((
            path.to_string(),
            bom_ref.clone(),
            ver.clone()
                .map(|v| (module.clone(), v))
                .map(|(m, v)| format!("{m}@{v}")),
        ));
        let Some(cache) = cache else {
            return built;
        };
        if let Some(v) = &ver {
            let d = cache.join(format!("{}@{}", escape_case(&module), escape_case(v)));
            if crate::cache::reads::is_dir(&d) {
                out.found.external_dirs.push((bom_ref, d));
            }
        }
        built
    };

    for r in &gomod.requires {
        let vendored_here = vendored.is_some_and(|v| v.iter().any(|m| m.path == r.path));
        let vpath = if vendored_here {
            vendor_path(&r.path)
        } else {
            None
        };
        built.modules.extend(add(
            &r.path,
            &r.version,
            gomod.replacement(&r.path, &r.version),
            !r.indirect,
            vpath,
            out,
        ));
    }
    for v in vendored.unwrap_or_default() {
        if gomod.requires.iter().any(|r| r.path == v.path) {
            continue;
        }
        // A module only modules.txt lists (go < 1.17 kept indirect ones out of go.mod).
        let vpath = vendor_path(&v.path);
        built.modules.extend(add(
            &v.path,
            &v.version,
            v.target.as_ref(),
            v.explicit,
            vpath,
            out,
        ));
    }
    built
}

/// The build list of one main module: its root component and, for each module it
/// requires, (module path as required, bom-ref, `module@version` actually built).
#[derive(Default)]
struct Built {
    root: Option<String>,
    modules: Vec<(String, String, Option<String>)>,
}

/// `(module, version)` of a go.mod in a module cache inside the tree:
/// `…/cache/download/<module>/@v/<version>.mod`, or an extracted module's
/// `…/pkg/mod/<module>@<version>/go.mod`; both with the cache's case escaping.
fn cached_mod(rel: &str) -> Option<(String, String)> {
    if let Some((_, rest)) = rel.split_once("cache/download/") {
        let (module, file) = rest.rsplit_once("/@v/")?;
        let version = file.strip_suffix(".mod")?;
        return Some((unescape_case(module)?, unescape_case(version)?));
    }
    let (_, rest) = rel.split_once("pkg/mod/")?;
    let dir = rest.strip_suffix("/go.mod")?;
    let (module, version) = dir.split_once('@')?;
    (!version.contains('/')).then_some(())?;
    Some((unescape_case(module)?, unescape_case(version)?))
}

/// The inverse of [`escape_case`]; None for a `!` not followed by a lower-case letter.
fn unescape_case(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut bang = false;
    for c in s.chars() {
        match (bang, c) {
            (false, '!') => bang = true,
            (true, c) if c.is_ascii_lowercase() => {
                out.push(c.to_ascii_uppercase());
                bang = false;
            }
            (true, _) => return None,
            (false, c) => out.push(c),
        }
    }
    (!bang).then_some(out)
}

/// Edges from each module of the build list to what its own go.mod requires (the
/// versions the main module selected: Go's minimal version selection takes the highest
/// required, which the main go.mod lists since go 1.17), from the go.mod files of a module
/// cache inside the tree. Each module's dependency list is then known complete, or
/// incomplete where its go.mod is not in the tree.
fn transitive(
    ctx: &Context<'_>,
    cached: &HashMap<(String, String), &str>,
    built: &Built,
    out: &mut Out,
) {
    let selected: HashMap<&str, &str> = built
        .modules
        .iter()
        .map(|(m, r, _)| (m.as_str(), r.as_str()))
        .collect();
    if let Some(root) = &built.root {
        // The main module's own requirements are all in its go.mod.
        set_complete(out, root, true);
    }
    for (_, bom_ref, at) in &built.modules {
        let Some((module, version)) = at.as_deref().and_then(|a| a.rsplit_once('@')) else {
            // A local replacement: its own go.mod is a main module of the tree, if there.
            continue;
        };
        let Some(rel) = cached.get(&(module.to_string(), version.to_string())) else {
            set_complete(out, bom_ref, false);
            continue;
        };
        let mut diags = Vec::new();
        let Some(text) = read_manifest(ctx, rel, &mut diags) else {
            out.found.diagnostics.extend(diags);
            set_complete(out, bom_ref, false);
            continue;
        };
        let gomod = parse_go_mod(&text, rel, &mut diags);
        out.found.diagnostics.extend(diags);
        for r in &gomod.requires {
            if let Some(to) = selected.get(r.path.as_str()).filter(|t| **t != bom_ref) {
                out.edges
                    .entry(bom_ref.clone())
                    .or_default()
                    .push(to.to_string());
            }
        }
        set_complete(out, bom_ref, true);
    }
}

fn set_complete(out: &mut Out, bom_ref: &str, complete: bool) {
    if let Some(&i) = out.index.get(bom_ref) {
        let c = &mut out.found.components[i];
        // Known complete from one main module stays so; unknown becomes what is known.
        c.dependencies_complete = Some(c.dependencies_complete.unwrap_or(false) || complete);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        crate::ecosystem::fixture_dir("go", name)
    }

    fn run(root: &Path) -> Found {
        crate::ecosystem::with_context(root, false, discover)
    }

    fn get<'a>(f: &'a Found, bom_ref: &str) -> &'a Component {
        f.components
            .iter()
            .find(|c| c.bom_ref == bom_ref)
            .unwrap_or_else(|| {
                panic!(
                    "no {bom_ref} in {:#?}",
                    f.components.iter().map(|c| &c.bom_ref).collect::<Vec<_>>()
                )
            })
    }

    #[test]
    fn purl_namespace_split() {
        assert_eq!(
            purl("github.com/spf13/cobra", Some("v1.8.0")).unwrap(),
            "pkg:golang/github.com/spf13/cobra@v1.8.0"
        );
        assert_eq!(
            purl("golang.org/x/text", None).unwrap(),
            "pkg:golang/golang.org/x/text"
        );
        assert_eq!(
            purl("example", Some("v1.0.0")).unwrap(),
            "pkg:golang/example@v1.0.0"
        );
        // Major version suffix is the name, per the purl spec's last-segment rule.
        assert_eq!(
            purl("github.com/go-chi/chi/v5", Some("v5.0.12")).unwrap(),
            "pkg:golang/github.com/go-chi/chi/v5@v5.0.12"
        );
    }

    #[test]
    fn cache_escaping() {
        assert_eq!(
            escape_case("github.com/BurntSushi/toml"),
            "github.com/!burnt!sushi/toml"
        );
        assert_eq!(escape_case("v1.0.0-RC1"), "v1.0.0-!r!c1");
    }

    #[test]
    fn tokenizer() {
        let (t, c) = tokenize("\tgithub.com/a/b v1.0.0 // indirect").unwrap();
        assert_eq!(t, vec!["github.com/a/b", "v1.0.0"]);
        assert_eq!(c, Some("indirect"));
        let (t, _) = tokenize(r#"module "example.com/quoted""#).unwrap();
        assert_eq!(t, vec!["module", "example.com/quoted"]);
        assert!(tokenize("module \"unterminated").is_err());
    }

    #[test]
    fn project() {
        let f = run(&fixture("project"));
        let root = "pkg:golang/example.com/ospo/demo";
        // The nested module's go.mod is the project's own code too.
        assert_eq!(
            f.roots,
            vec![
                root.to_string(),
                "pkg:golang/example.com/ospo/helper".to_string()
            ]
        );
        let r = get(&f, root);
        assert_eq!(r.path.as_deref(), Some(""));
        assert_eq!(r.version, None);
        assert_eq!(r.name, "example.com/ospo/demo");

        let cobra = get(&f, "pkg:golang/github.com/spf13/cobra@v1.8.0");
        assert_eq!(cobra.ecosystem, "golang");
        assert_eq!(cobra.scope, Some(Scope::Required));
        assert_eq!(cobra.concluded, crate::model::NOASSERTION);
        assert_eq!(cobra.declared_raw, None);
        assert_eq!(cobra.path.as_deref(), Some("vendor/github.com/spf13/cobra"));
        // The go.sum h1 digest of the module zip, as hex.
        assert_eq!(cobra.hashes.len(), 1, "{:?}", cobra.hashes);
        assert_eq!(cobra.hashes[0].alg, "SHA-256");
        assert_eq!(cobra.hashes[0].value.len(), 64);

        // Indirect requirement: still required, but no edge from the root.
        let pflag = get(&f, "pkg:golang/github.com/spf13/pflag@v1.0.5");
        assert_eq!(pflag.scope, Some(Scope::Required));

        // Pseudo-version and +incompatible kept verbatim.
        let pseudo = get(
            &f,
            "pkg:golang/golang.org/x/exp@v0.0.0-20231110203233-9a3e6036ecaa",
        );
        assert_eq!(
            pseudo.version.as_deref(),
            Some("v0.0.0-20231110203233-9a3e6036ecaa")
        );
        let inc = f
            .components
            .iter()
            .find(|c| c.name == "github.com/docker/docker")
            .unwrap();
        assert_eq!(inc.version.as_deref(), Some("v24.0.7+incompatible"));
        assert_eq!(
            inc.purl.as_deref(),
            Some("pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible")
        );
        // ('+' is percent-encoded in purl versions by the packageurl crate.)

        // replace module => fork version: the fork is what is built.
        assert!(f.components.iter().all(|c| c.name != "golang.org/x/text"));
        let fork = get(&f, "pkg:golang/github.com/example/text-fork@v0.14.1");
        assert_eq!(fork.name, "github.com/example/text-fork");
        // replace => local path: the directory in the tree, merged with that module's root.
        let local = get(&f, "pkg:golang/example.com/ospo/helper");
        assert_eq!(local.path.as_deref(), Some("helper"));
        assert!(f
            .roots
            .contains(&"pkg:golang/example.com/ospo/helper".to_string()));

        // Only in modules.txt (go < 1.17 style): added, explicit → edge.
        get(&f, "pkg:golang/github.com/inconshreveable/mousetrap@v1.1.0");

        let edges: Vec<&String> = f
            .edges
            .iter()
            .find(|e| e.from == root)
            .unwrap()
            .to
            .iter()
            .collect();
        assert!(edges.contains(&&"pkg:golang/github.com/spf13/cobra@v1.8.0".to_string()));
        assert!(edges.contains(&&"pkg:golang/github.com/example/text-fork@v0.14.1".to_string()));
        assert!(edges.contains(&&"pkg:golang/example.com/ospo/helper".to_string()));
        assert!(!edges.contains(&&"pkg:golang/github.com/spf13/pflag@v1.0.5".to_string()));

        // One component per purl.
        let mut refs: Vec<_> = f.components.iter().map(|c| &c.bom_ref).collect();
        let n = refs.len();
        refs.sort();
        refs.dedup();
        assert_eq!(refs.len(), n);
        assert!(f.diagnostics.is_empty(), "{:#?}", f.diagnostics);
    }

    #[test]
    fn malformed() {
        let f = run(&fixture("malformed"));
        let msgs: Vec<&str> = f.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(f
            .diagnostics
            .iter()
            .all(|d| d.path.as_deref().is_some_and(|p| p.starts_with("go."))));
        assert!(
            msgs.iter().any(|m| m.contains("malformed require")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("unknown directive")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("malformed replace")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("not closed")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("malformed go.sum line")),
            "{msgs:?}"
        );
        // The good lines still count.
        assert_eq!(f.roots, vec!["pkg:golang/example.com/broken".to_string()]);
        get(&f, "pkg:golang/github.com/pkg/errors@v0.9.1");
    }

    #[test]
    fn module_cache_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = tmp.path().join("mod");
        std::fs::create_dir_all(cache.join("github.com/!burnt!sushi/toml@v1.3.2")).unwrap();
        let proj = tmp.path().join("p");
        std::fs::create_dir_all(&proj).unwrap();
        std::fs::write(
            proj.join("go.mod"),
            "module example.com/p\n\ngo 1.21\n\nrequire github.com/BurntSushi/toml v1.3.2\n",
        )
        .unwrap();
        let manifests = vec!["go.mod".to_string()];
        let ctx = Context {
            root: &proj,
            manifests: &manifests,
            license_files: &[],
            use_local_caches: true,
        };
        let f = discover_with_cache(&ctx, Some(&cache));
        assert_eq!(f.external_dirs.len(), 1);
        assert_eq!(
            f.external_dirs[0].1,
            cache.join("github.com/!burnt!sushi/toml@v1.3.2")
        );
        // The purl crate lower-cases golang namespaces (purl spec); the name keeps its case.
        assert_eq!(
            f.external_dirs[0].0,
            "pkg:golang/github.com/burntsushi/toml@v1.3.2"
        );
    }

    #[test]
    fn sum_hash_form() {
        assert!(well_formed_h1(
            "7aJaZx1B85qltLMc546zn58BxxfZdR/W22ej9CFoEf0="
        ));
        assert!(!well_formed_h1("not-base64"));
    }
}
