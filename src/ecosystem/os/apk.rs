//! Alpine packages: apk's database of a root filesystem in the tree,
//! `lib/apk/db/installed`.
//!
//! One paragraph per installed package, one field a line (`P:` name, `V:` version, `A:`
//! architecture, `L:` license as the APKBUILD states it, `o:` origin (source package),
//! `U:` homepage, `m:` maintainer, `D:` dependencies, `p:` what it provides, `F:` a
//! directory and the `R:` files in it). The license is declared as written; the files
//! become the package's own. purls as Syft and Trivy write them:
//! `pkg:apk/alpine/<name>@<version>?arch=<arch>&distro=alpine-<VERSION_ID>&upstream=<origin>`.

use super::{os_release, os_root, Installed};
use crate::ecosystem::{read_manifest, Collector, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem as Eco, Scope};
use crate::relpath;

const INSTALLED: &str = "lib/apk/db/installed";
/// Packages read from one database: a hostile tree must not make millions.
const MAX_PACKAGES: usize = 100_000;

pub const ECOSYSTEM: crate::ecosystem::Ecosystem = crate::ecosystem::Ecosystem {
    name: "apk",
    is_manifest: |name, dir| name == "installed" && os_root(dir, "lib/apk/db").is_some(),
    dependency_dirs: &[],
    discover,
};

#[derive(Default)]
struct Pkg {
    name: String,
    version: String,
    arch: String,
    license: Option<String>,
    origin: Option<String>,
    homepage: Option<String>,
    maintainer: Option<String>,
    depends: Vec<String>,
    provides: Vec<String>,
    files: Vec<String>,
    line: usize,
}

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut c = Collector::default();
    for rel in ctx.manifests {
        if let Some(os) = os_root(rel, INSTALLED) {
            one_root(ctx, os, rel, &mut c);
        }
    }
    c.finish()
}

fn one_root(ctx: &Context<'_>, os: &str, rel: &str, c: &mut Collector) {
    let Some(text) = read_manifest(ctx, rel, &mut c.found.diagnostics) else {
        return;
    };
    let distro = os_release(ctx, os, &mut c.found.diagnostics);
    let mut installed = Installed::new(ctx.root, os);
    let pkgs = parse(&text, rel, &mut c.found.diagnostics);
    let mut refs = Vec::with_capacity(pkgs.len());
    for p in &pkgs {
        let mut purl = packageurl::PackageUrl::new("apk", p.name.as_str()).expect("valid name");
        let _ = purl.with_namespace(distro.id.clone().unwrap_or_else(|| "alpine".into()));
        let _ = purl.with_version(p.version.clone());
        if !p.arch.is_empty() {
            let _ = purl.add_qualifier("arch", p.arch.clone());
        }
        if let Some(d) = distro.qualifier() {
            let _ = purl.add_qualifier("distro", d);
        }
        if let Some(o) = p.origin.as_ref().filter(|o| **o != p.name) {
            let _ = purl.add_qualifier("upstream", o.clone());
        }
        let purl = purl.to_string();
        let (declared_raw, note) = license(p.license.as_deref());
        let comp = Component {
            bom_ref: purl.clone(),
            name: p.name.clone(),
            version: Some(p.version.clone()),
            purl: Some(purl),
            ecosystem: Eco::from_name("apk"),
            declared_raw,
            scope: Some(Scope::Required),
            supplier: p.maintainer.clone(),
            homepage: p.homepage.clone(),
            notes: note.into_iter().collect(),
            ..Default::default()
        };
        // `D:` names no architecture: the first package that provides a name is the one.
        let names = std::iter::once(p.name.as_str()).chain(p.provides.iter().map(String::as_str));
        let files = p.files.iter().map(String::as_str);
        refs.push(installed.add(c, comp, "", names, files));
    }
    for (p, r) in pkgs.iter().zip(&refs) {
        for d in &p.depends {
            installed.depend(c, r, &[(d.clone(), None)], None);
        }
    }
    c.found.diagnostics.push(Diagnostic::info(
        Some(rel.to_string()),
        format!(
            "{} apk package(s) installed ({})",
            pkgs.len(),
            distro
                .qualifier()
                .unwrap_or_else(|| "no etc/os-release".into())
        ),
    ));
}

/// The packages of an `installed` database.
fn parse(text: &str, rel: &str, diags: &mut Vec<Diagnostic>) -> Vec<Pkg> {
    let mut out = Vec::new();
    let mut cur = Pkg::default();
    let mut dir = String::new();
    let finish = |cur: &mut Pkg, out: &mut Vec<Pkg>, diags: &mut Vec<Diagnostic>| {
        let p = std::mem::take(cur);
        if p.name.is_empty() && p.version.is_empty() {
            return;
        }
        if !valid(&p.name) || !valid(&p.version) {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!(
                    "apk record at line {} without a valid P: or V:; skipped",
                    p.line
                ),
            ));
            return;
        }
        if out.len() < MAX_PACKAGES {
            out.push(p);
        }
    };
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            finish(&mut cur, &mut out, diags);
            dir.clear();
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if cur.line == 0 {
            cur.line = i + 1;
        }
        let v = v.trim();
        match k {
            "P" => cur.name = v.to_string(),
            "V" => cur.version = v.to_string(),
            "A" => cur.arch = v.to_string(),
            "L" if !v.is_empty() => cur.license = Some(v.to_string()),
            "o" if valid(v) => cur.origin = Some(v.to_string()),
            "U" if v.starts_with("http") => cur.homepage = Some(v.to_string()),
            "m" => {
                cur.maintainer = Some(v.split('<').next().unwrap_or(v).trim().to_string())
                    .filter(|m| !m.is_empty())
            }
            // `so:libc.musl-x86_64.so.1`, `musl>=1.2`, `!vlan` (a conflict: no edge).
            "D" => cur.depends.extend(
                v.split_whitespace()
                    .filter(|d| !d.starts_with('!'))
                    .map(|d| dep_name(d).to_string()),
            ),
            "p" => cur
                .provides
                .extend(v.split_whitespace().map(|d| dep_name(d).to_string())),
            "F" => dir = v.to_string(),
            "R" => cur.files.push(relpath::child(&dir, v)),
            _ => {}
        }
    }
    finish(&mut cur, &mut out, diags);
    out
}

/// An `L:` field as a license expression: older APKBUILDs list licenses separated by
/// spaces (`MIT BSD GPL2+`), every one of them in force, which is an AND; with a note
/// saying so. Anything with an operator is an expression already.
fn license(l: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(l) = l else {
        return (None, None);
    };
    let words: Vec<&str> = l.split_whitespace().collect();
    let has_op = words.iter().any(|w| {
        matches!(w.to_ascii_uppercase().as_str(), "AND" | "OR" | "WITH") || w.contains(['(', ')'])
    });
    if words.len() < 2 || has_op {
        return (Some(l.to_string()), None);
    }
    let joined = words.join(" AND ");
    let note = format!("apk license list `{l}` read as `{joined}` (every license listed applies)");
    (Some(joined), Some(note))
}

/// The name of a dependency or a provided name, without its version constraint.
fn dep_name(d: &str) -> &str {
    d.split(['=', '<', '>', '~']).next().unwrap_or(d)
}

fn valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-._~".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_files_and_dependencies() {
        let text = "P:musl\nV:1.2.2-r3\nA:armv7\nL:MIT\np:so:libc.musl-armv7.so.1=1\nF:lib\nR:ld-musl-armhf.so.1\n\nP:zlib\nV:1.2.11-r3\nD:so:libc.musl-armv7.so.1 !vlan musl>=1.2\n";
        let mut d = Vec::new();
        let p = parse(text, "lib/apk/db/installed", &mut d);
        assert!(d.is_empty());
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].files, ["lib/ld-musl-armhf.so.1"]);
        assert_eq!(p[0].provides, ["so:libc.musl-armv7.so.1"]);
        assert_eq!(p[1].depends, ["so:libc.musl-armv7.so.1", "musl"]);
    }
}
