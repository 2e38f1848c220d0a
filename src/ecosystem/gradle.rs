//! Gradle: dependency locking and version catalogs. Both name Maven components
//! (`pkg:maven/<group>/<artifact>@<version>`); licenses come from the POMs the Maven
//! ecosystem reads where the local repository has them, as neither file states one.
//!
//! - `gradle.lockfile` (and `buildscript-gradle.lockfile`): one
//!   `group:artifact:version=configuration,...` line per locked module; a module locked
//!   only in test or build-tool configurations is a dev dependency.
//! - Version catalogs, `gradle/libs.versions.toml` and any `gradle/*.versions.toml`
//!   ([`catalog`]): `[libraries]` in every form (`"g:a:v"`, `module = "g:a"`, `group` and
//!   `name`; `version`, `version.ref` into `[versions]`, rich versions), `[plugins]`, and
//!   `[bundles]` (checked, they add nothing). A catalog declares what a build may use, not
//!   what it resolved: where a lockfile of the same build locks a module, the lockfile's
//!   version wins and the catalog adds nothing for it; what the lockfiles lack is added
//!   with its graph marked incomplete (`dependencies_complete = false`, ADR 0013), since
//!   nothing in the tree says what it depends on.
//! - A plugin is a build tool: a dev component under the artifact Gradle resolves it by,
//!   its plugin marker `<id>:<id>.gradle.plugin` (as a buildscript lockfile locks it). One
//!   without a version is not (see [`catalog`]).

use std::collections::{BTreeMap, HashSet};

use toml::{Table, Value};

use super::{dir_of, file_name, read_manifest, Collector, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem as Eco, Scope};
use crate::relpath;

pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "gradle",
    is_manifest: |name, dir| is_lockfile(name) || is_catalog(name, dir),
    dependency_dirs: &[],
    discover,
};

fn is_lockfile(name: &str) -> bool {
    name == "gradle.lockfile" || name == "buildscript-gradle.lockfile"
}

/// A version catalog: `*.versions.toml` in a `gradle/` folder.
fn is_catalog(name: &str, dir: &str) -> bool {
    name.len() > ".versions.toml".len()
        && name.ends_with(".versions.toml")
        && file_name(dir) == "gradle"
}

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut c = Collector::default();
    // Folder of each lockfile -> the `group:artifact`s it locks.
    let mut locked: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for rel in ctx.manifests.iter().filter(|r| is_lockfile(file_name(r))) {
        let modules = lockfile(ctx, rel, &mut c);
        locked
            .entry(dir_of(rel).to_string())
            .or_default()
            .extend(modules);
    }
    for rel in ctx.manifests {
        if !is_catalog(file_name(rel), dir_of(rel)) {
            continue;
        }
        let Some(text) = read_manifest(ctx, rel, &mut c.found.diagnostics) else {
            continue;
        };
        // The build a catalog belongs to is the folder that holds its `gradle/`; every
        // lockfile in it (the root project's and each subproject's) counts.
        let build = dir_of(dir_of(rel));
        let in_build: HashSet<&str> = locked
            .iter()
            .filter(|(d, _)| relpath::is_within(d, build))
            .flat_map(|(_, m)| m.iter().map(String::as_str))
            .collect();
        let any_lockfile = locked.keys().any(|d| relpath::is_within(d, build));
        match catalog(&text) {
            Ok(cat) => add_catalog(rel, cat, &in_build, any_lockfile, &mut c),
            Err(e) => c
                .found
                .diagnostics
                .push(Diagnostic::warning(Some(rel.clone()), e)),
        }
    }
    c.finish()
}

/// The modules a lockfile locks, as components; their `group:artifact`s.
fn lockfile(ctx: &Context<'_>, rel: &str, c: &mut Collector) -> Vec<String> {
    let mut modules = Vec::new();
    let Some(text) = read_manifest(ctx, rel, &mut c.found.diagnostics) else {
        return modules;
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coord, configs) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coord.split(':').collect();
        let [group, artifact, version] = parts[..] else {
            c.found.diagnostics.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!("line {}: not group:artifact:version; skipped", i + 1),
            ));
            continue;
        };
        let Some(purl) = purl(group, artifact, Some(version)) else {
            continue;
        };
        let test_only = !configs.is_empty()
            && configs
                .split(',')
                .all(|cfg| cfg.trim().to_ascii_lowercase().starts_with("test"));
        let build_only = !configs.is_empty()
            && configs
                .split(',')
                .all(|cfg| !cfg.contains("ompileClasspath") && !cfg.contains("untimeClasspath"));
        modules.push(format!("{group}:{artifact}"));
        c.upsert(Component {
            bom_ref: purl.clone(),
            name: format!("{group}:{artifact}"),
            version: Some(version.to_string()),
            purl: Some(purl),
            ecosystem: Eco::Maven,
            // Tools the build runs (checkstyle, jacoco) do not ship: dev, like tests.
            scope: Some(if test_only || build_only {
                Scope::Dev
            } else {
                Scope::Required
            }),
            ..Default::default()
        });
    }
    modules
}

fn purl(group: &str, artifact: &str, version: Option<&str>) -> Option<String> {
    let mut p = packageurl::PackageUrl::new("maven", artifact).ok()?;
    p.with_namespace(group.to_string()).ok()?;
    if let Some(v) = version {
        p.with_version(v.to_string()).ok()?;
    }
    Some(p.to_string())
}

/// A version as a catalog states it.
#[derive(Debug, Clone, PartialEq)]
pub enum Version {
    /// One version (`"1.2.3"`, a rich version's `strictly` or `prefer`).
    Exact(String),
    /// A range or a dynamic version (`"[1.0,2.0["`, `"1.+"`, `latest.release`): which one
    /// Gradle picks is not in the catalog. As written.
    Unpinned(String),
    /// None: a platform or BOM supplies it.
    Unstated,
}

/// One `[libraries]` or `[plugins]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub alias: String,
    pub group: String,
    pub artifact: String,
    pub version: Version,
    pub plugin: bool,
}

/// What a catalog declares: its libraries and plugins, and what is wrong with it (each a
/// warning).
#[derive(Debug, Default)]
pub struct Catalog {
    pub entries: Vec<Entry>,
    pub problems: Vec<String>,
}

/// Parse a version catalog. Err only when it is not TOML at all.
pub fn catalog(text: &str) -> Result<Catalog, String> {
    let t: Table = toml::from_str(text).map_err(|e| format!("invalid TOML: {e}"))?;
    let empty = Table::new();
    let table = |k: &str| t.get(k).and_then(Value::as_table).unwrap_or(&empty);
    let versions = table("versions");
    let mut cat = Catalog::default();
    for (alias, v) in table("libraries") {
        match library(v, versions) {
            Ok((group, artifact, version)) => cat.entries.push(Entry {
                alias: alias.clone(),
                group,
                artifact,
                version,
                plugin: false,
            }),
            Err(e) => cat
                .problems
                .push(format!("[libraries] {alias}: {e}; skipped")),
        }
    }
    for (alias, v) in table("plugins") {
        match plugin(v, versions) {
            // Without a version a plugin is the build's own (a convention plugin of an
            // included build: nowinandroid's `nowinandroid.android.library`) or one whose
            // version some other declaration sets: no artifact the catalog names.
            Ok((_, Version::Unstated)) => {}
            Ok((id, version)) => cat.entries.push(Entry {
                alias: alias.clone(),
                artifact: format!("{id}.gradle.plugin"),
                group: id,
                version,
                plugin: true,
            }),
            Err(e) => cat
                .problems
                .push(format!("[plugins] {alias}: {e}; skipped")),
        }
    }
    // Bundles group libraries under one name: nothing of their own, but a bundle that
    // names no library is a catalog Gradle refuses.
    let norm = |a: &str| a.replace(['-', '_'], ".");
    let aliases: HashSet<String> = table("libraries").keys().map(|a| norm(a)).collect();
    for (bundle, v) in table("bundles") {
        let Some(members) = v.as_array() else {
            cat.problems
                .push(format!("[bundles] {bundle}: not a list of library aliases"));
            continue;
        };
        for m in members {
            match m.as_str() {
                Some(a) if aliases.contains(&norm(a)) => {}
                _ => cat.problems.push(format!(
                    "[bundles] {bundle}: `{}` is not one of [libraries]",
                    m.as_str().map_or_else(|| m.to_string(), str::to_string)
                )),
            }
        }
    }
    Ok(cat)
}

/// A `[libraries]` entry: `"g:a:v"` / `"g:a"`, or a table with `module = "g:a"` or
/// `group` and `name`, and `version` (a string, `{ ref = ... }`, a rich version).
fn library(v: &Value, versions: &Table) -> Result<(String, String, Version), String> {
    let coord = |s: &str| -> Result<(String, String, Option<String>), String> {
        let parts: Vec<&str> = s.split(':').map(str::trim).collect();
        match parts[..] {
            [g, a] if !g.is_empty() && !a.is_empty() => Ok((g.into(), a.into(), None)),
            [g, a, v] if !g.is_empty() && !a.is_empty() => {
                Ok((g.into(), a.into(), Some(v.to_string())))
            }
            _ => Err(format!("`{s}` is not group:artifact[:version]")),
        }
    };
    match v {
        Value::String(s) => {
            let (g, a, ver) = coord(s)?;
            Ok((g, a, ver.map_or(Version::Unstated, |v| single(&v))))
        }
        Value::Table(t) => {
            let (g, a) = match (t.get("module"), t.get("group"), t.get("name")) {
                (Some(Value::String(m)), None, None) => {
                    let (g, a, ver) = coord(m)?;
                    if ver.is_some() {
                        return Err("`module` with a version".into());
                    }
                    (g, a)
                }
                (None, Some(Value::String(g)), Some(Value::String(n))) => {
                    (g.trim().to_string(), n.trim().to_string())
                }
                _ => return Err("neither `module` nor `group` and `name`".into()),
            };
            Ok((g, a, version(t.get("version"), versions)?))
        }
        _ => Err("neither a string nor a table".into()),
    }
}

/// A `[plugins]` entry: `"id:version"` / `"id"`, or `{ id = ..., version ... }`.
fn plugin(v: &Value, versions: &Table) -> Result<(String, Version), String> {
    match v {
        Value::String(s) => match s.split_once(':') {
            Some((id, ver)) if !id.trim().is_empty() => Ok((id.trim().into(), single(ver))),
            None if !s.trim().is_empty() => Ok((s.trim().into(), Version::Unstated)),
            _ => Err(format!("`{s}` is not id[:version]")),
        },
        Value::Table(t) => match t.get("id") {
            Some(Value::String(id)) if !id.trim().is_empty() => {
                Ok((id.trim().into(), version(t.get("version"), versions)?))
            }
            _ => Err("no `id`".into()),
        },
        _ => Err("neither a string nor a table".into()),
    }
}

/// A `version`: absent, a string, `{ ref = "alias" }` (written `version.ref`) into
/// `[versions]`, or a rich version.
fn version(v: Option<&Value>, versions: &Table) -> Result<Version, String> {
    match v {
        None => Ok(Version::Unstated),
        Some(Value::String(s)) => Ok(single(s)),
        Some(Value::Table(t)) => match t.get("ref") {
            Some(Value::String(r)) => match versions.get(r) {
                Some(Value::String(s)) => Ok(single(s)),
                Some(Value::Table(rich_version)) => Ok(rich(rich_version)),
                _ => Err(format!("version.ref `{r}` is not in [versions]")),
            },
            Some(_) => Err("version.ref is not a string".into()),
            None => Ok(rich(t)),
        },
        Some(_) => Err("version is neither a string nor a table".into()),
    }
}

/// A version string: exact, or a range / dynamic version.
fn single(s: &str) -> Version {
    let s = s.trim();
    // `1.+` is a prefix; a `+` inside is part of a version (`9+181-r4173-1`).
    let dynamic = s.is_empty()
        || s.ends_with('+')
        || s.contains(['[', ']', '(', ')', ','])
        || s.starts_with("latest.");
    if dynamic {
        Version::Unpinned(s.to_string())
    } else {
        Version::Exact(s.to_string())
    }
}

/// A rich version (`{ strictly, require, prefer, reject }`): the version it settles on
/// without a conflict: an exact `strictly`, else `prefer` (which refines a range), else
/// an exact `require`.
fn rich(t: &Table) -> Version {
    let get = |k: &str| t.get(k).and_then(Value::as_str).map(single);
    for k in ["strictly", "prefer", "require"] {
        if let Some(Version::Exact(v)) = get(k) {
            return Version::Exact(v);
        }
    }
    let written: Vec<String> = ["strictly", "require", "prefer"]
        .iter()
        .filter_map(|k| Some(format!("{k} {}", t.get(*k)?.as_str()?)))
        .collect();
    if written.is_empty() {
        Version::Unstated
    } else {
        Version::Unpinned(written.join(", "))
    }
}

/// The catalog's entries that no lockfile of its build locks, as components.
fn add_catalog(
    rel: &str,
    cat: Catalog,
    locked: &HashSet<&str>,
    any_lockfile: bool,
    c: &mut Collector,
) {
    for p in cat.problems {
        c.found
            .diagnostics
            .push(Diagnostic::warning(Some(rel.to_string()), p));
    }
    for e in cat.entries {
        let name = format!("{}:{}", e.group, e.artifact);
        if locked.contains(name.as_str()) {
            continue;
        }
        let exact = match &e.version {
            Version::Exact(v) => Some(v.as_str()),
            _ => None,
        };
        let Some(purl) = purl(&e.group, &e.artifact, exact) else {
            c.found.diagnostics.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!("{}: cannot make a purl of `{name}`; skipped", e.alias),
            ));
            continue;
        };
        let kind = if e.plugin { "plugin" } else { "library" };
        let mut notes = vec![format!(
            "declared in the version catalog {rel} ({kind} `{}`){}; what it depends on is not \
             in the tree",
            e.alias,
            if any_lockfile {
                ", not in the build's lockfiles"
            } else {
                ", and no lockfile says what the build resolved"
            }
        )];
        match &e.version {
            Version::Exact(_) => {}
            Version::Unpinned(w) => notes.push(format!(
                "the catalog gives no single version (`{w}`): the one Gradle resolves is unknown"
            )),
            Version::Unstated => notes
                .push("the catalog states no version (a platform or BOM supplies it)".to_string()),
        }
        c.upsert(Component {
            bom_ref: purl.clone(),
            name,
            version: exact.map(str::to_string),
            purl: Some(purl),
            ecosystem: Eco::Maven,
            // A plugin runs in the build and does not ship, like a buildscript lock.
            scope: Some(if e.plugin {
                Scope::Dev
            } else {
                Scope::Required
            }),
            dependencies_complete: Some(false),
            notes,
            ..Default::default()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(cat: &'a Catalog, alias: &str) -> &'a Entry {
        cat.entries.iter().find(|e| e.alias == alias).unwrap()
    }

    #[test]
    fn every_form_of_a_library_and_a_plugin() {
        let cat = catalog(
            r#"
[versions]
gwt = "2.9.0"
guava = { strictly = "[31.0, 33.0[", prefer = "32.1.3-jre" }
range = { require = "[1.0,2.0)" }

[libraries]
junit = "junit:junit:4.13.2"
javac = "com.google.errorprone:javac:9+181-r4173-1"
bom-managed = "androidx.compose.ui:ui"
gwt-user = { module = "com.google.gwt:gwt-user", version.ref = "gwt" }
guava = { group = "com.google.guava", name = "guava", version.ref = "guava" }
strict = { module = "a:b", version = { strictly = "1.7.0" } }
dynamic = { module = "a:c", version = "1.+" }
ranged = { module = "a:d", version.ref = "range" }
bad = { module = "no-colon" }
missing = { module = "a:e", version.ref = "nope" }

[bundles]
gwt = ["gwt-user", "junit", "nothing"]

[plugins]
spotless = "com.diffplug.spotless:6.3.0"
android = { id = "com.android.application", version.ref = "gwt" }
own = { id = "my.convention" }
"#,
        )
        .unwrap();
        let v = |a: &str| entry(&cat, a).version.clone();
        let exact = |s: &str| Version::Exact(s.into());
        assert_eq!(v("junit"), exact("4.13.2"));
        assert_eq!(v("javac"), exact("9+181-r4173-1"));
        assert_eq!(v("bom-managed"), Version::Unstated);
        assert_eq!(v("gwt-user"), exact("2.9.0"));
        assert_eq!(entry(&cat, "guava").group, "com.google.guava");
        assert_eq!(
            v("guava"),
            exact("32.1.3-jre"),
            "prefer refines a strict range"
        );
        assert_eq!(v("strict"), exact("1.7.0"));
        assert_eq!(v("dynamic"), Version::Unpinned("1.+".into()));
        assert_eq!(v("ranged"), Version::Unpinned("require [1.0,2.0)".into()));
        let spotless = entry(&cat, "spotless");
        assert!(spotless.plugin);
        assert_eq!(
            (spotless.group.as_str(), spotless.artifact.as_str()),
            (
                "com.diffplug.spotless",
                "com.diffplug.spotless.gradle.plugin"
            )
        );
        assert_eq!(v("android"), exact("2.9.0"));
        assert!(
            !cat.entries.iter().any(|e| e.alias == "own"),
            "the build's own plugin"
        );
        let problems = cat.problems.join("\n");
        assert!(
            problems.contains("[libraries] bad: `no-colon`"),
            "{problems}"
        );
        assert!(problems.contains("version.ref `nope`"), "{problems}");
        assert!(
            problems.contains("`nothing` is not one of [libraries]"),
            "{problems}"
        );
        assert_eq!(cat.problems.len(), 3, "{problems}");
        assert!(catalog("[libraries\n")
            .unwrap_err()
            .starts_with("invalid TOML"));
    }

    #[test]
    fn a_lockfile_of_the_build_wins_over_its_catalog() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("gradle")).unwrap();
        std::fs::create_dir_all(t.path().join("app")).unwrap();
        std::fs::write(
            t.path().join("gradle/libs.versions.toml"),
            "[libraries]\njunit = \"junit:junit:4.12\"\nguava = \"com.google.guava:guava:33.0.0-jre\"\n",
        )
        .unwrap();
        // A subproject's lockfile belongs to the build too.
        std::fs::write(
            t.path().join("app/gradle.lockfile"),
            "junit:junit:4.13.2=testCompileClasspath\nempty=\n",
        )
        .unwrap();
        let f = crate::ecosystem::with_context(t.path(), false, discover);
        let refs: Vec<&str> = f.components.iter().map(|c| c.bom_ref.as_str()).collect();
        assert_eq!(
            refs,
            [
                "pkg:maven/junit/junit@4.13.2",
                "pkg:maven/com.google.guava/guava@33.0.0-jre"
            ]
        );
        assert_eq!(f.components[0].dependencies_complete, None);
        assert_eq!(f.components[1].dependencies_complete, Some(false));
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    }
}
