//! Maven: `pom.xml` files, read as XML (never running `mvn`, never touching the network).
//!
//! - Every pom.xml in the tree is a component `pkg:maven/<groupId>/<artifactId>@<version>`
//!   whose `path` is its directory, except those under `src/test/` and `src/it/` (Maven's
//!   test-resource and integration-test project directories hold fixture poms, not code of
//!   this project). groupId and version are inherited from `<parent>` when absent.
//! - Roots: the pom at the scan root and its `<modules>`, recursively; without a pom at the
//!   scan root, every top-level pom (no pom.xml in any ancestor directory) and its modules.
//! - The effective model is built the way Maven does, as far as the files allow: the parent
//!   pom is found through `<relativePath>` (default `../pom.xml`), else by coordinates among
//!   the tree's poms, else (with `use_local_caches`) in `~/.m2/repository`; properties,
//!   `<dependencyManagement>` (BOM imports included), `<dependencies>` and `<licenses>` are
//!   inherited, and `${…}` is interpolated on the child's effective model (so a parent's
//!   `${project.version}` means the child's version, as in Maven). A reference nothing
//!   defines (`${env.X}`, `-Drevision=…` given on a command line) leaves the version None and
//!   a diagnostic: a raw `${…}` is never put in a version or purl.
//! - Dependencies: scope `test` → dev; `provided` and `system` → optional (the runtime
//!   provides them: they are compiled against but not shipped); `compile` (the default) and
//!   `runtime` → required; `<optional>true</optional>` → optional. Version ranges are not
//!   resolved (that needs the repository's version list): version None and a diagnostic.
//!   Edges go from the pom's component to each of its dependencies. Transitive dependencies
//!   are not known without a repository: only what the poms in the tree (and, with caches,
//!   the `~/.m2` poms for licenses) say.
//! - Licenses: `<licenses><license><name>` (its `<url>` when it has no name) → `declared_raw`.
//!   Several licenses are joined with " AND ": Maven does not say whether two licenses are a
//!   choice or both apply, and for compliance assuming both apply is the safe reading (a
//!   dual-licensed project then looks stricter than it is, never looser). With
//!   `use_local_caches`, a dependency's license is read from its pom in `~/.m2/repository`
//!   (and that pom's parents there), when present.
//! - Security: poms are untrusted. quick-xml never expands DTD or external entities (a
//!   `&custom;` reference stays literal text), element depth and count are bounded, and the
//!   file size is bounded by `read_manifest`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::{dir_of, file_name, read_manifest, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem, Scope};
use crate::relpath;
use crate::xml::{self, Node};
use packageurl::PackageUrl;

/// Deeper than any real pom (they nest 6-8 levels): a bound against hostile input.
const MAX_DEPTH: usize = 64;
/// Elements per pom: real poms have hundreds to a few thousand.
const MAX_ELEMENTS: usize = 200_000;
/// Parent chains and BOM imports: real ones are a handful deep; also stops cycles.
const MAX_CHAIN: usize = 16;

/// Maven: `pom.xml` files (and, with caches, the poms of `~/.m2/repository`).
pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "maven",
    is_manifest: |name, _| name == "pom.xml",
    dependency_dirs: &[],
    discover,
};

pub fn discover(ctx: &Context<'_>) -> Found {
    let repo = if ctx.use_local_caches {
        local_repository()
    } else {
        None
    };
    discover_with_repo(ctx, repo)
}

/// `~/.m2/repository` (Maven's default local repository; a `settings.xml`
/// `<localRepository>` is not read).
fn local_repository() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".m2").join("repository"))
}

// ---------------------------------------------------------------------------------------
// The pom as an element tree (the shared bounded reader, crate::xml).

/// Poms are read for what they say: an undeclared `&name;` stays literal text.
const POM_XML: xml::Limits = xml::Limits {
    max_depth: MAX_DEPTH,
    max_elements: MAX_ELEMENTS,
    attributes: false,
    entities: xml::Entities::KeepLiteral,
};

fn parse_xml(text: &str) -> Result<Node, String> {
    xml::parse(text, &POM_XML).map_err(|e| match e.kind {
        xml::ErrorKind::Syntax => format!("XML error at byte {}: {}", e.offset, e.message),
        _ => e.message,
    })
}

// ---------------------------------------------------------------------------------------
// The pom model: raw strings, interpolated later on the effective model.

#[derive(Debug, Clone, Default)]
struct Dep {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    scope: Option<String>,
    optional: Option<String>,
    ty: Option<String>,
    classifier: Option<String>,
    /// The version was written but a `${…}` in it is undefined (already reported).
    version_unresolved: bool,
}

impl Dep {
    fn from_node(n: &Node) -> Dep {
        Dep {
            group: n.text_of("groupId"),
            artifact: n.text_of("artifactId"),
            version: n.text_of("version"),
            scope: n.text_of("scope"),
            optional: n.text_of("optional"),
            ty: n.text_of("type"),
            classifier: n.text_of("classifier"),
            version_unresolved: false,
        }
    }
    /// Maven's management key: groupId:artifactId:type:classifier (raw, before interpolation
    /// of anything but these, which are almost always literal).
    fn key(&self) -> (String, String, String, String) {
        (
            self.group.clone().unwrap_or_default(),
            self.artifact.clone().unwrap_or_default(),
            self.ty.clone().unwrap_or_else(|| "jar".into()),
            self.classifier.clone().unwrap_or_default(),
        )
    }
}

#[derive(Debug, Clone, Default)]
struct Parent {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    /// None: the default `../pom.xml`; Some(""): `<relativePath/>`, repository only.
    relative_path: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Pom {
    /// Where it came from: path relative to the scan root, or the file in ~/.m2.
    rel: String,
    /// Directory relative to the scan root, for poms in the tree.
    dir: Option<String>,
    parent: Option<Parent>,
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    properties: Vec<(String, String)>,
    licenses: Vec<String>,
    deps: Vec<Dep>,
    managed: Vec<Dep>,
    modules: Vec<String>,
    url: Option<String>,
    organization: Option<String>,
}

fn parse_pom(text: &str, rel: &str, dir: Option<String>) -> Result<Pom, String> {
    let root = parse_xml(text)?;
    if root.name != "project" {
        return Err(format!("root element is <{}>, not <project>", root.name));
    }
    let parent = root.child("parent").map(|p| Parent {
        group: p.text_of("groupId"),
        artifact: p.text_of("artifactId"),
        version: p.text_of("version"),
        relative_path: p.child("relativePath").map(|r| r.text.trim().to_string()),
    });
    let licenses = root
        .child("licenses")
        .map(|ls| {
            ls.children("license")
                .filter_map(|l| l.text_of("name").or_else(|| l.text_of("url")))
                .collect()
        })
        .unwrap_or_default();
    let deps_of = |n: Option<&Node>| -> Vec<Dep> {
        n.map(|d| d.children("dependency").map(Dep::from_node).collect())
            .unwrap_or_default()
    };
    Ok(Pom {
        rel: rel.to_string(),
        dir,
        parent,
        group: root.text_of("groupId"),
        artifact: root.text_of("artifactId"),
        version: root.text_of("version"),
        properties: root
            .child("properties")
            .map(|ps| {
                ps.children
                    .iter()
                    .map(|p| (p.name.clone(), p.text.trim().to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        licenses,
        deps: deps_of(root.child("dependencies")),
        managed: deps_of(
            root.child("dependencyManagement")
                .and_then(|m| m.child("dependencies")),
        ),
        modules: root
            .child("modules")
            .map(|ms| {
                ms.children("module")
                    .map(|m| m.text.trim().to_string())
                    .collect()
            })
            .unwrap_or_default(),
        url: root.text_of("url"),
        organization: root.child("organization").and_then(|o| o.text_of("name")),
    })
}

// ---------------------------------------------------------------------------------------
// Interpolation.

/// Replace every `${name}`; Err lists the names nothing defines (or that loop).
fn interpolate(s: &str, props: &HashMap<String, String>) -> Result<String, Vec<String>> {
    fn go(
        s: &str,
        props: &HashMap<String, String>,
        depth: usize,
        missing: &mut Vec<String>,
    ) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}') else {
                // No closing brace: literal text.
                out.push_str(&rest[i..]);
                return out;
            };
            let name = &after[..j];
            match props.get(name) {
                Some(v) if depth < MAX_CHAIN => out.push_str(&go(v, props, depth + 1, missing)),
                _ => {
                    missing.push(name.to_string());
                    out.push_str(&rest[i..i + 3 + j]);
                }
            }
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        out
    }
    let mut missing = Vec::new();
    let out = go(s, props, 0, &mut missing);
    if missing.is_empty() {
        Ok(out)
    } else {
        missing.sort();
        missing.dedup();
        Err(missing)
    }
}

// ---------------------------------------------------------------------------------------
// Loading poms and building effective models.

/// The effective model of one pom, interpolated.
#[derive(Debug, Default)]
struct Effective {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    licenses: Vec<String>,
    deps: Vec<Dep>,
    managed: Vec<Dep>,
}

struct Poms<'a> {
    ctx: &'a Context<'a>,
    /// Local repositories searched in order: one inside the tree first, then `~/.m2`.
    repos: Vec<PathBuf>,
    /// bom-refs whose own dependencies were already followed through the repository.
    expanded: HashSet<String>,
    poms: Vec<Pom>,
    by_rel: HashMap<String, usize>,
    /// (g, a, v) → the pom in ~/.m2, if there (None cached too).
    by_gav: HashMap<(String, String, String), Option<usize>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Poms<'a> {
    fn warn(&mut self, rel: &str, msg: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(Some(rel.to_string()), msg));
    }

    /// A pom in the local repository, parsed once.
    fn in_repo(&mut self, g: &str, a: &str, v: &str) -> Option<usize> {
        let key = (g.to_string(), a.to_string(), v.to_string());
        if let Some(hit) = self.by_gav.get(&key) {
            return *hit;
        }
        let repos = self.repos.clone();
        let found = repos.iter().find_map(|repo| {
            // Coordinates come from untrusted poms: no path tricks into other directories.
            let safe = |s: &str| !s.is_empty() && !s.contains(['/', '\\']) && s != "." && s != "..";
            if !(g.split('.').all(safe) && safe(a) && safe(v)) {
                return None;
            }
            let mut p = repo.clone();
            p.extend(g.split('.'));
            p.push(a);
            p.push(v);
            p.push(format!("{a}-{v}.pom"));
            let meta = crate::cache::reads::metadata(&p).ok()?;
            if meta.len() > super::MAX_MANIFEST_BYTES {
                return None;
            }
            let text = String::from_utf8_lossy(&crate::cache::reads::read(&p).ok()?).into_owned();
            // A broken pom in the cache is the cache's problem, not the project's: skipped.
            parse_pom(&text, &p.display().to_string(), None).ok()
        });
        let idx = found.map(|pom| {
            self.poms.push(pom);
            self.poms.len() - 1
        });
        self.by_gav.insert(key, idx);
        idx
    }

    /// The parent pom of `i`, if it can be found without the network.
    fn parent_of(&mut self, i: usize) -> Option<usize> {
        let parent = self.poms[i].parent.clone()?;
        let (pg, pa) = (parent.group.clone()?, parent.artifact.clone()?);
        let matches = |p: &Pom| {
            p.artifact.as_deref() == Some(pa.as_str())
                && p.group
                    .as_ref()
                    .or(p.parent.as_ref().and_then(|x| x.group.as_ref()))
                    == Some(&pg)
        };
        if let Some(dir) = self.poms[i].dir.clone() {
            let rp = parent
                .relative_path
                .clone()
                .unwrap_or_else(|| "../pom.xml".into());
            if !rp.is_empty() {
                if let Some(mut cand) = relpath::join(&dir, &rp) {
                    if !cand.ends_with(".xml") {
                        cand = if cand.is_empty() {
                            "pom.xml".into()
                        } else {
                            format!("{cand}/pom.xml")
                        };
                    }
                    if let Some(&j) = self.by_rel.get(&cand) {
                        if matches(&self.poms[j]) {
                            return Some(j);
                        }
                    }
                }
            }
            // Maven would go to the repository next; a pom elsewhere in the tree with the
            // same coordinates is what a reactor build would use.
            if let Some(j) = (0..self.poms.len())
                .find(|&j| j != i && self.poms[j].dir.is_some() && matches(&self.poms[j]))
            {
                return Some(j);
            }
        }
        let pv = parent.version.clone()?;
        self.in_repo(&pg, &pa, &pv)
    }

    /// `i` and its ancestors, child first.
    fn chain(&mut self, i: usize) -> Vec<usize> {
        let mut chain = vec![i];
        let mut seen = HashSet::from([i]);
        while chain.len() < MAX_CHAIN {
            match self.parent_of(*chain.last().unwrap()) {
                Some(p) if seen.insert(p) => chain.push(p),
                _ => break,
            }
        }
        chain
    }

    fn effective(&mut self, i: usize, depth: usize) -> Effective {
        let chain = self.chain(i);
        let me = self.poms[i].clone();
        // Raw inheritance, root ancestor first so children override.
        let mut props: HashMap<String, String> = HashMap::new();
        let mut licenses = Vec::new();
        let mut deps: Vec<Dep> = Vec::new();
        let mut managed: Vec<Dep> = Vec::new();
        for &j in chain.iter().rev() {
            let p = &self.poms[j];
            props.extend(p.properties.iter().cloned());
            if !p.licenses.is_empty() {
                licenses = p.licenses.clone();
            }
            merge_deps(&mut deps, &p.deps);
            merge_deps(&mut managed, &p.managed);
        }
        let parent = me.parent.clone().unwrap_or_default();
        let group = me.group.clone().or(parent.group.clone());
        let version = me.version.clone().or(parent.version.clone());
        // Built-in properties, on the child: a parent's ${project.version} is the child's.
        let mut builtin = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                for prefix in ["project.", "pom."] {
                    props.insert(format!("{prefix}{k}"), v.clone());
                }
            }
        };
        builtin("groupId", &group);
        builtin("artifactId", &me.artifact);
        builtin("version", &version);
        builtin("parent.groupId", &parent.group);
        builtin("parent.artifactId", &parent.artifact);
        builtin("parent.version", &parent.version);
        // Maven 2's bare ${version} and ${groupId} still work in Maven 3 (deprecated).
        for k in ["version", "groupId", "artifactId"] {
            if let Some(v) = props.get(&format!("project.{k}")).cloned() {
                props.entry(k.to_string()).or_insert(v);
            }
        }
        let rel = me.rel.clone();
        let interp =
            |what: &str, s: &Option<String>, diags: &mut Vec<Diagnostic>| -> Option<String> {
                match interpolate(s.as_deref()?, &props) {
                    Ok(v) => Some(v),
                    Err(missing) => {
                        diags.push(Diagnostic::warning(
                            Some(rel.clone()),
                            format!("{what}: unresolved property ${{{}}}", missing.join("}, ${")),
                        ));
                        None
                    }
                }
            };
        let mut diags = Vec::new();
        // Problems are reported once, for the tree's own poms, not for poms read as a
        // parent, a BOM or a dependency's license source.
        let report = me.dir.is_some() && depth == 0;
        let group = interp("groupId", &group, &mut diags);
        let artifact = interp("artifactId", &me.artifact, &mut diags);
        let version = interp("version", &version, &mut diags);
        let mut out_managed = Vec::new();
        let mut imports = Vec::new();
        for d in &managed {
            let d = interpolate_dep(d, &mut |w, s| interp(w, s, &mut diags));
            if d.scope.as_deref() == Some("import") && d.ty.as_deref() == Some("pom") {
                imports.push(d);
            } else {
                out_managed.push(d);
            }
        }
        let mut out_deps = Vec::new();
        for d in &deps {
            // Only versions can be filled in from management: interpolate the rest first.
            out_deps.push(interpolate_dep(d, &mut |w, s| interp(w, s, &mut diags)));
        }
        if report {
            self.diagnostics.extend(diags);
        }
        // BOM imports: their managed versions, after the pom's own (which win).
        if depth < MAX_CHAIN {
            for imp in imports {
                let (Some(g), Some(a), Some(v)) = (&imp.group, &imp.artifact, &imp.version) else {
                    continue;
                };
                let bom = self
                    .poms
                    .iter()
                    .position(|p| {
                        p.dir.is_some()
                            && p.group.as_ref() == Some(g)
                            && p.artifact.as_ref() == Some(a)
                    })
                    .or_else(|| self.in_repo(g, a, v));
                match bom {
                    Some(b) => {
                        let e = self.effective(b, depth + 1);
                        let have: Vec<_> = out_managed.iter().map(Dep::key).collect();
                        out_managed.extend(e.managed.into_iter().filter(|d| !have.contains(&d.key())));
                    }
                    None if report => self.diagnostics.push(Diagnostic::info(
                        Some(rel.clone()),
                        format!("imported BOM {g}:{a}:{v} is not in the tree or the local repository; versions it manages are unknown"),
                    )),
                    None => {}
                }
            }
        }
        Effective {
            group,
            artifact,
            version,
            licenses,
            deps: out_deps,
            managed: out_managed,
        }
    }
}

/// Child entries replace parent entries with the same management key.
fn merge_deps(into: &mut Vec<Dep>, from: &[Dep]) {
    for d in from {
        match into.iter_mut().find(|x| x.key() == d.key()) {
            Some(x) => *x = d.clone(),
            None => into.push(d.clone()),
        }
    }
}

fn interpolate_dep(
    d: &Dep,
    interp: &mut dyn FnMut(&str, &Option<String>) -> Option<String>,
) -> Dep {
    let name = format!(
        "dependency {}:{}",
        d.group.as_deref().unwrap_or("?"),
        d.artifact.as_deref().unwrap_or("?")
    );
    let version = interp(&format!("{name} version"), &d.version);
    Dep {
        group: interp(&format!("{name} groupId"), &d.group),
        artifact: interp(&format!("{name} artifactId"), &d.artifact),
        version_unresolved: d.version.is_some() && version.is_none(),
        version,
        scope: interp(&format!("{name} scope"), &d.scope),
        optional: interp(&format!("{name} optional"), &d.optional),
        ty: d.ty.clone(),
        classifier: d.classifier.clone(),
    }
}

fn purl(group: &str, artifact: &str, version: Option<&str>) -> Option<String> {
    let mut p = PackageUrl::new("maven", artifact).ok()?;
    p.with_namespace(group).ok()?;
    if let Some(v) = version {
        p.with_version(v).ok()?;
    }
    Some(p.to_string())
}

fn scope_of(d: &Dep) -> Scope {
    match d.scope.as_deref() {
        Some("test") => Scope::Dev,
        _ if d.optional.as_deref() == Some("true") => Scope::Optional,
        Some("provided") | Some("system") => Scope::Optional,
        _ => Scope::Required,
    }
}

/// Fixture and test-project poms, not part of the project's build.
fn skipped(rel: &str) -> bool {
    let dir = format!("/{}/", dir_of(rel));
    dir.contains("/src/test/") || dir.contains("/src/it/")
}

/// The discovery of one tree, with any local repository: read every pom in the tree,
/// find the roots (top-level poms and their modules), then one component per pom with an
/// edge to each of its dependencies.
pub(crate) fn discover_with_repo(ctx: &Context<'_>, repo: Option<PathBuf>) -> Found {
    let mut repos: Vec<PathBuf> = in_tree_repository(ctx).into_iter().collect();
    repos.extend(repo);
    let mut poms = Poms {
        ctx,
        repos,
        expanded: HashSet::new(),
        poms: Vec::new(),
        by_rel: HashMap::new(),
        by_gav: HashMap::new(),
        diagnostics: Vec::new(),
    };
    for rel in ctx.manifests {
        if file_name(rel) != "pom.xml" || skipped(rel) {
            continue;
        }
        let Some(text) = read_manifest(poms.ctx, rel, &mut poms.diagnostics) else {
            continue;
        };
        match parse_pom(&text, rel, Some(dir_of(rel).to_string())) {
            Ok(p) => {
                poms.by_rel.insert(rel.clone(), poms.poms.len());
                poms.poms.push(p);
            }
            Err(e) => poms.warn(rel, format!("malformed pom.xml: {e}")),
        }
    }
    let is_root = roots(&mut poms);
    let mut out = Out::default();
    for (i, &root) in is_root.iter().enumerate() {
        pom_component(&mut poms, i, root, &mut out);
    }
    out.found.diagnostics.append(&mut poms.diagnostics);
    out.finish()
}

/// A Maven local repository inside the scanned tree (a CI cache, a container image's
/// `root/.m2`), whose poms give the dependencies of dependencies.
fn in_tree_repository(ctx: &Context<'_>) -> Option<PathBuf> {
    [
        ".m2/repository",
        "root/.m2/repository",
        "m2/repository",
        "repository",
    ]
    .iter()
    .map(|r| ctx.root.join(r))
    .find(|p| crate::cache::reads::symlink_metadata(p).is_ok_and(|m| m.is_dir()))
}

/// Which poms of the tree are the project's: the top-level ones and, recursively, their
/// modules (one flag per pom read so far).
fn roots(poms: &mut Poms<'_>) -> Vec<bool> {
    let in_tree = poms.poms.len();
    let dirs: HashSet<String> = poms.poms.iter().filter_map(|p| p.dir.clone()).collect();
    let top_level = |d: &str| {
        let mut cur = d;
        while !cur.is_empty() {
            cur = dir_of(cur);
            if dirs.contains(cur) {
                return false;
            }
        }
        true
    };
    let mut is_root = vec![false; in_tree];
    let mut queue: Vec<usize> = (0..in_tree)
        .filter(|&i| top_level(poms.poms[i].dir.as_deref().unwrap_or("")))
        .collect();
    while let Some(i) = queue.pop() {
        if std::mem::replace(&mut is_root[i], true) {
            continue;
        }
        let dir = poms.poms[i].dir.clone().unwrap_or_default();
        for m in poms.poms[i].modules.clone() {
            let target = relpath::join(&dir, &m).map(|t| {
                if t.ends_with(".xml") {
                    t
                } else if t.is_empty() {
                    "pom.xml".into()
                } else {
                    format!("{t}/pom.xml")
                }
            });
            match target.and_then(|t| poms.by_rel.get(&t).copied()) {
                Some(j) => queue.push(j),
                None => {
                    let rel = poms.poms[i].rel.clone();
                    poms.warn(&rel, format!("module {m:?} has no pom.xml in the tree"));
                }
            }
        }
    }
    is_root
}

/// The component of pom `i` (its effective model: parents and properties applied), and
/// its dependencies.
fn pom_component(poms: &mut Poms<'_>, i: usize, root: bool, out: &mut Out) {
    let eff = poms.effective(i, 0);
    let pom = poms.poms[i].clone();
    let (Some(g), Some(a)) = (eff.group.clone(), eff.artifact.clone()) else {
        if pom.artifact.is_none()
            || (pom.group.is_none() && pom.parent.as_ref().and_then(|p| p.group.as_ref()).is_none())
        {
            poms.warn(
                &pom.rel,
                "no groupId or artifactId (and no <parent> to inherit from)",
            );
        }
        return;
    };
    if pom.version.is_none()
        && pom
            .parent
            .as_ref()
            .and_then(|p| p.version.as_ref())
            .is_none()
    {
        poms.warn(&pom.rel, "no version (and no <parent> to inherit from)");
    }
    let Some(own) = purl(&g, &a, eff.version.as_deref()) else {
        poms.warn(&pom.rel, format!("cannot make a purl for {g}:{a}"));
        return;
    };
    out.upsert(Component {
        bom_ref: own.clone(),
        name: format!("{g}:{a}"),
        version: eff.version.clone(),
        purl: Some(own.clone()),
        ecosystem: Ecosystem::Maven,
        path: pom.dir.clone(),
        declared_raw: declared(&eff.licenses),
        supplier: pom.organization.clone(),
        homepage: pom.url.clone(),
        ..Default::default()
    });
    if root {
        out.found.roots.push(own.clone());
    }
    // A pom of the tree lists its own dependencies: that list is complete.
    set_complete(out, &own, true);
    for d in &eff.deps {
        if let Some(bom_ref) = dependency(poms, &pom, &eff, d, Scope::Required, 0, out) {
            if bom_ref != own {
                out.edges.entry(own.clone()).or_default().push(bom_ref);
            }
        }
    }
}

/// One dependency of `pom`, its version and scope completed from
/// `<dependencyManagement>`, its license from the local repository: its bom-ref.
fn dependency(
    poms: &mut Poms<'_>,
    pom: &Pom,
    eff: &Effective,
    d: &Dep,
    floor: Scope,
    depth: usize,
    out: &mut Out,
) -> Option<String> {
    let (Some(dg), Some(da)) = (&d.group, &d.artifact) else {
        // Unresolved coordinates were reported by interpolation; a missing one here.
        if d.group.is_some() || d.artifact.is_some() {
            poms.warn(&pom.rel, "dependency without groupId or artifactId");
        }
        return None;
    };
    let mut d = d.clone();
    if let Some(m) = eff.managed.iter().find(|m| m.key() == d.key()) {
        // A version the pom wrote but could not resolve is not silently replaced.
        if d.version.is_none() && !d.version_unresolved {
            d.version = m.version.clone();
            d.version_unresolved = m.version_unresolved;
        }
        if d.scope.is_none() {
            d.scope = m.scope.clone();
        }
        if d.optional.is_none() {
            d.optional = m.optional.clone();
        }
    }
    let mut version = d.version.clone();
    match &version {
        Some(v) if v.starts_with('[') || v.starts_with('(') => {
            poms.diagnostics.push(Diagnostic::info(
                Some(pom.rel.clone()),
                format!(
                    "dependency {dg}:{da}: version range {v} not resolved (needs the repository)"
                ),
            ));
            version = None;
        }
        Some(_) => {}
        None if d.version_unresolved => {} // an undefined property: already reported
        None => poms.warn(
            &pom.rel,
            format!(
                "dependency {dg}:{da}: no version, and no <dependencyManagement> entry gives one"
            ),
        ),
    }
    let Some(dp) = purl(dg, da, version.as_deref()) else {
        poms.warn(&pom.rel, format!("cannot make a purl for {dg}:{da}"));
        return None;
    };
    let in_repo = version.as_ref().and_then(|v| poms.in_repo(dg, da, v));
    let repo_eff = in_repo.map(|r| poms.effective(r, 0));
    let declared_raw = repo_eff.as_ref().and_then(|e| declared(&e.licenses));
    let scope = scope_of(&d).max(floor);
    let bom_ref = out.upsert(Component {
        bom_ref: dp.clone(),
        name: format!("{dg}:{da}"),
        version,
        purl: Some(dp.clone()),
        ecosystem: Ecosystem::Maven,
        declared_raw,
        scope: Some(scope),
        ..Default::default()
    });
    // Its own dependencies, from its pom in a local repository: what Maven would add
    // transitively (compile and runtime scope, not optional; test and provided ones are
    // not inherited). Versions are those its pom states: Maven's nearest-wins mediation
    // against the project's dependencyManagement is not applied.
    let (Some(r), Some(reff)) = (in_repo, repo_eff) else {
        set_complete(out, &bom_ref, false);
        return Some(bom_ref);
    };
    set_complete(out, &bom_ref, true);
    if depth >= MAX_TRANSITIVE_DEPTH
        || poms.expanded.len() >= MAX_TRANSITIVE
        || !poms.expanded.insert(bom_ref.clone())
    {
        return Some(bom_ref);
    }
    let rpom = poms.poms[r].clone();
    for d2 in &reff.deps {
        let inherited = matches!(
            d2.scope.as_deref(),
            None | Some("compile") | Some("runtime")
        ) && d2.optional.as_deref() != Some("true");
        if !inherited {
            continue;
        }
        if let Some(to) = dependency(poms, &rpom, &reff, d2, scope, depth + 1, out) {
            if to != bom_ref {
                out.edges.entry(bom_ref.clone()).or_default().push(to);
            }
        }
    }
    Some(bom_ref)
}

/// How deep transitive dependencies are followed, and how many poms at most.
const MAX_TRANSITIVE_DEPTH: usize = 32;
const MAX_TRANSITIVE: usize = 20_000;

fn set_complete(out: &mut Out, bom_ref: &str, complete: bool) {
    if let Some(&i) = out.index.get(bom_ref) {
        let c = &mut out.found.components[i];
        c.dependencies_complete = Some(c.dependencies_complete.unwrap_or(false) || complete);
    }
}

fn declared(licenses: &[String]) -> Option<String> {
    let names: Vec<&str> = licenses
        .iter()
        .map(|s| s.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    (!names.is_empty()).then(|| names.join(" AND "))
}

/// One component per purl, edges merged per source (shared with the other ecosystems).
type Out = super::Collector;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn fixture(name: &str) -> PathBuf {
        crate::ecosystem::fixture_dir("maven", name)
    }

    fn run(root: &Path, repo: Option<PathBuf>) -> Found {
        crate::ecosystem::with_context(root, repo.is_some(), |ctx| discover_with_repo(ctx, repo))
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

    fn edges<'a>(f: &'a Found, from: &str) -> Vec<&'a str> {
        f.edges
            .iter()
            .find(|e| e.from == from)
            .map(|e| e.to.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    const PARENT: &str = "pkg:maven/org.example.ospo/ospo-parent@1.2.0";
    const CORE: &str = "pkg:maven/org.example.ospo/ospo-core@1.2.0";
    const APP: &str = "pkg:maven/org.example.ospo/ospo-app@1.2.0";

    #[test]
    fn multi_module() {
        let f = run(&fixture("multi"), None);
        assert!(f.diagnostics.is_empty(), "{:#?}", f.diagnostics);
        assert_eq!(
            f.roots,
            vec![APP.to_string(), CORE.to_string(), PARENT.to_string()]
        );

        let parent = get(&f, PARENT);
        assert_eq!(parent.name, "org.example.ospo:ospo-parent");
        assert_eq!(parent.path.as_deref(), Some(""));
        assert_eq!(parent.ecosystem, "maven");
        assert_eq!(parent.concluded, crate::model::NOASSERTION);
        assert_eq!(parent.scope, None);
        assert_eq!(parent.homepage.as_deref(), Some("https://example.org/ospo"));
        assert_eq!(parent.supplier.as_deref(), Some("Example Org"));
        // Two licenses: both apply (the conservative reading).
        assert_eq!(
            parent.declared_raw.as_deref(),
            Some("Apache License, Version 2.0 AND MIT License")
        );

        // Child: groupId and version inherited, licenses too.
        let core = get(&f, CORE);
        assert_eq!(core.version.as_deref(), Some("1.2.0"));
        assert_eq!(core.path.as_deref(), Some("core"));
        assert_eq!(core.declared_raw, parent.declared_raw);

        // Versions from the parent's dependencyManagement and properties.
        let guava = get(&f, "pkg:maven/com.google.guava/guava@32.1.3-jre");
        assert_eq!(guava.scope, Some(Scope::Required));
        assert_eq!(guava.name, "com.google.guava:guava");
        assert_eq!(guava.declared_raw, None);
        // The module's own property.
        get(
            &f,
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.16.0",
        );
        // Scopes.
        assert_eq!(
            get(&f, "pkg:maven/org.junit.jupiter/junit-jupiter@5.10.1").scope,
            Some(Scope::Dev)
        );
        assert_eq!(
            get(&f, "pkg:maven/javax.servlet/javax.servlet-api@4.0.1").scope,
            Some(Scope::Optional)
        );
        assert_eq!(
            get(&f, "pkg:maven/org.apache.commons/commons-lang3@3.14.0").scope,
            Some(Scope::Optional)
        );
        assert_eq!(
            get(&f, "pkg:maven/ch.qos.logback/logback-classic@1.4.14").scope,
            Some(Scope::Required)
        );

        // Edges: inherited dependency (slf4j-api) on every pom, the sibling module via
        // ${project.version} in the parent's management, interpolated on the child.
        let slf4j = "pkg:maven/org.slf4j/slf4j-api@2.0.9";
        assert_eq!(edges(&f, PARENT), vec![slf4j]);
        let mut core_edges = edges(&f, CORE);
        core_edges.sort();
        assert_eq!(
            core_edges,
            vec![
                "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.16.0",
                "pkg:maven/com.google.guava/guava@32.1.3-jre",
                "pkg:maven/javax.servlet/javax.servlet-api@4.0.1",
                "pkg:maven/org.apache.commons/commons-lang3@3.14.0",
                "pkg:maven/org.junit.jupiter/junit-jupiter@5.10.1",
                slf4j,
            ]
        );
        let app_edges = edges(&f, APP);
        assert!(app_edges.contains(&CORE), "{app_edges:?}");
        assert!(app_edges.contains(&slf4j));
        // The sibling is one component (its own, with its path), still a root.
        assert_eq!(f.components.iter().filter(|c| c.bom_ref == CORE).count(), 1);
        assert_eq!(get(&f, CORE).scope, None);

        // The fixture pom under src/test/resources is not part of the project.
        assert!(f.components.iter().all(|c| !c.bom_ref.contains("fake")));
    }

    #[test]
    fn unresolved_properties() {
        let f = run(&fixture("unresolved"), None);
        let me = get(&f, "pkg:maven/org.example/ci-friendly");
        assert_eq!(me.version, None);
        assert_eq!(f.roots, vec![me.bom_ref.clone()]);
        // A license with only a URL.
        assert_eq!(
            me.declared_raw.as_deref(),
            Some("https://www.eclipse.org/legal/epl-2.0/")
        );
        let netty = get(&f, "pkg:maven/io.netty/netty-handler");
        assert_eq!(netty.version, None);
        assert!(f
            .components
            .iter()
            .all(|c| !c.bom_ref.contains("${") && !c.bom_ref.contains("%7B")));
        get(&f, "pkg:maven/commons-io/commons-io");
        // A version range is not a version.
        assert_eq!(get(&f, "pkg:maven/org.yaml/snakeyaml").version, None);
        let msgs: Vec<&str> = f.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(f
            .diagnostics
            .iter()
            .all(|d| d.path.as_deref() == Some("pom.xml")));
        assert!(msgs.iter().any(|m| m.contains("${revision}")), "{msgs:?}");
        assert!(
            msgs.iter().any(|m| m.contains("${netty.version}")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("commons-io:commons-io: no version")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("version range")), "{msgs:?}");
        assert_eq!(msgs.len(), 4, "{msgs:?}");
    }

    #[test]
    fn malformed_pom() {
        let f = run(&fixture("malformed"), None);
        assert!(f.components.is_empty());
        assert_eq!(f.diagnostics.len(), 1);
        assert_eq!(f.diagnostics[0].path.as_deref(), Some("pom.xml"));
        assert!(
            f.diagnostics[0].message.starts_with("malformed pom.xml"),
            "{:?}",
            f.diagnostics
        );
    }

    #[test]
    fn entities_are_not_expanded() {
        let f = run(&fixture("xxe"), None);
        let c = get(&f, "pkg:maven/org.example/xxe@1.0");
        assert_eq!(c.declared_raw.as_deref(), Some("&xxe; AND &lic; & more"));
    }

    #[test]
    fn xml_bounds() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(parse_xml(&deep).is_err());
        assert!(parse_xml("<project><a></b></project>").is_err());
        assert!(parse_xml("<project>").is_err());
        assert!(parse_xml("").is_err());
    }

    #[test]
    fn interpolation() {
        let props: HashMap<String, String> = [("a", "${b}-x"), ("b", "1"), ("loop", "${loop}")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(interpolate("v${a}", &props).unwrap(), "v1-x");
        assert_eq!(interpolate("${nope}", &props).unwrap_err(), vec!["nope"]);
        assert!(interpolate("${loop}", &props).is_err());
        assert_eq!(interpolate("${unclosed", &props).unwrap(), "${unclosed");
    }

    #[test]
    fn licenses_from_local_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repository");
        let write = |rel: &str, text: &str| {
            let p = repo.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        // guava declares its license itself; slf4j-api inherits it from slf4j-parent.
        write(
            "com/google/guava/guava/32.1.3-jre/guava-32.1.3-jre.pom",
            "<project><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>32.1.3-jre</version>\
             <licenses><license><name>Apache License, Version 2.0</name></license></licenses></project>",
        );
        write(
            "org/slf4j/slf4j-api/2.0.9/slf4j-api-2.0.9.pom",
            "<project><parent><groupId>org.slf4j</groupId><artifactId>slf4j-parent</artifactId><version>2.0.9</version></parent>\
             <artifactId>slf4j-api</artifactId></project>",
        );
        write(
            "org/slf4j/slf4j-parent/2.0.9/slf4j-parent-2.0.9.pom",
            "<project><groupId>org.slf4j</groupId><artifactId>slf4j-parent</artifactId><version>2.0.9</version>\
             <licenses><license><name>MIT License</name><url>http://www.opensource.org/licenses/mit-license.php</url></license></licenses></project>",
        );
        let f = run(&fixture("multi"), Some(repo));
        assert_eq!(
            get(&f, "pkg:maven/com.google.guava/guava@32.1.3-jre")
                .declared_raw
                .as_deref(),
            Some("Apache License, Version 2.0")
        );
        assert_eq!(
            get(&f, "pkg:maven/org.slf4j/slf4j-api@2.0.9")
                .declared_raw
                .as_deref(),
            Some("MIT License")
        );
        // Not in the repository: nothing declared, no error.
        assert_eq!(
            get(&f, "pkg:maven/ch.qos.logback/logback-classic@1.4.14").declared_raw,
            None
        );
        assert!(f.diagnostics.is_empty(), "{:#?}", f.diagnostics);
    }
}
