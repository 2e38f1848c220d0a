//! Debian and Ubuntu packages: dpkg's database of a root filesystem in the tree.
//!
//! - `var/lib/dpkg/status` (a full system) or `var/lib/dpkg/status.d/*` (distroless
//!   images, one file per package): the installed packages, their versions,
//!   architectures, source packages and dependencies;
//! - `var/lib/dpkg/info/<pkg>[:<arch>].list`: the files each package installed, which
//!   become that package's own (a package has no one root directory);
//! - `usr/share/doc/<pkg>/copyright`: its license. A machine-readable one ([`dep5`]) is
//!   read as a declaration, paragraph by paragraph; the file itself is the component's
//!   license file either way (the component's `path` is its doc folder), so the walk's
//!   detection gives the evidence of a free-form one.
//!
//! purls follow the purl spec's deb type as Syft and Trivy write it:
//! `pkg:deb/<ID>/<name>@<version>?arch=<arch>&distro=<ID>-<VERSION_ID>&upstream=<source>`
//! (`ID`, `VERSION_ID` from `etc/os-release`).

use std::collections::BTreeMap;

use super::{dep5, os_release, os_root, paragraphs, read_in_root, resolve_in_root};
use super::{Distro, Installed, Paragraph};
use crate::ecosystem::{file_name, read_manifest, Collector, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem as Eco, LicenseMatch, Scope};
use crate::relpath;

const STATUS: &str = "var/lib/dpkg/status";
const STATUS_D: &str = "var/lib/dpkg/status.d";
/// Packages read from one database: a hostile tree must not make millions.
const MAX_PACKAGES: usize = 100_000;

pub const ECOSYSTEM: crate::ecosystem::Ecosystem = crate::ecosystem::Ecosystem {
    name: "deb",
    is_manifest: |name, dir| {
        (name == "status" && os_root(dir, "var/lib/dpkg").is_some())
            || (os_root(dir, STATUS_D).is_some() && !name.ends_with(".md5sums"))
    },
    dependency_dirs: &[],
    discover,
};

/// One installed package, as the status database describes it.
struct Pkg {
    name: String,
    version: String,
    arch: String,
    source: Option<String>,
    para: Paragraph,
}

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut c = Collector::default();
    // OS root -> the database files of it.
    let mut dbs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rel in ctx.manifests {
        let dir = relpath::dir_of(rel);
        let name = file_name(rel);
        let os = if name == "status" {
            os_root(dir, "var/lib/dpkg")
        } else {
            os_root(dir, STATUS_D).filter(|_| !name.ends_with(".md5sums"))
        };
        if let Some(os) = os {
            dbs.entry(os.to_string()).or_default().push(rel.clone());
        }
    }
    for (os, files) in &dbs {
        one_root(ctx, os, files, &mut c);
    }
    c.finish()
}

/// Every package of one OS tree.
fn one_root(ctx: &Context<'_>, os: &str, files: &[String], c: &mut Collector) {
    let diags = &mut c.found.diagnostics;
    let distro = os_release(ctx, os, diags);
    let mut pkgs: Vec<Pkg> = Vec::new();
    for rel in files {
        let Some(text) = read_manifest(ctx, rel, diags) else {
            continue;
        };
        for para in paragraphs(&text) {
            if pkgs.len() >= MAX_PACKAGES {
                diags.push(Diagnostic::warning(
                    Some(rel.clone()),
                    format!("more than {MAX_PACKAGES} packages; the rest are not read"),
                ));
                break;
            }
            if let Some(p) = package(rel, para, diags) {
                pkgs.push(p);
            }
        }
    }
    if pkgs.is_empty() {
        return;
    }
    let mut installed = Installed::new(ctx.root, os);
    let mut refs = Vec::with_capacity(pkgs.len());
    let mut dep5_count = 0usize;
    for p in &pkgs {
        let (comp, dep5) = component(ctx, os, &distro, p, &mut c.found);
        dep5_count += usize::from(dep5);
        let provides = relations(p.para.get("Provides").unwrap_or(""));
        let names = std::iter::once(p.name.as_str()).chain(
            provides
                .iter()
                .filter_map(|alts| Some(alts.first()?.0.as_str())),
        );
        let files = listed_files(ctx, os, p, &mut c.found.diagnostics);
        let r = installed.add(c, comp, &p.arch, names, files.iter().map(String::as_str));
        refs.push(r);
    }
    for (p, r) in pkgs.iter().zip(&refs) {
        // Recommends are installed by default and in use when present.
        for field in ["Pre-Depends", "Depends", "Recommends"] {
            for alts in relations(p.para.get(field).unwrap_or("")) {
                // The first alternative that is installed is the one in use.
                installed.depend(c, r, &alts, Some(&p.arch));
            }
        }
    }
    c.found.diagnostics.push(Diagnostic::info(
        Some(relpath::child(os, STATUS)),
        format!(
            "{} dpkg package(s) installed ({}); {dep5_count} with a machine-readable copyright file",
            pkgs.len(),
            distro.qualifier().unwrap_or_else(|| "no etc/os-release".into())
        ),
    ));
}

/// The installed package a status paragraph describes; None for a package that is not
/// installed (removed with its configuration files kept, ...).
fn package(rel: &str, para: Paragraph, diags: &mut Vec<Diagnostic>) -> Option<Pkg> {
    let name = para.get("Package")?.trim().to_string();
    // status.d files of distroless images carry no Status field: they are installed.
    if let Some(status) = para.get("Status") {
        let state = status.split_whitespace().nth(2).unwrap_or("");
        if !matches!(
            state,
            "installed" | "half-configured" | "unpacked" | "triggers-awaited" | "triggers-pending"
        ) {
            return None;
        }
    }
    let valid = |s: &str| {
        !s.is_empty()
            && s.len() <= 200
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.:~_".contains(c))
    };
    let version = para.get("Version").unwrap_or("").trim().to_string();
    if !valid(&name) || !valid(&version) {
        diags.push(Diagnostic::warning(
            Some(rel.to_string()),
            format!(
                "dpkg record at line {} without a valid Package or Version; skipped",
                para.start_line
            ),
        ));
        return None;
    }
    let arch = para
        .get("Architecture")
        .map(str::trim)
        .filter(|a| valid(a))
        .unwrap_or("")
        .to_string();
    // `Source: glibc (2.36-9)`: the source package, with its version when it differs.
    let source = para
        .get("Source")
        .and_then(|s| s.split_whitespace().next())
        .filter(|s| valid(s) && *s != name)
        .map(str::to_string);
    Some(Pkg {
        name,
        version,
        arch,
        source,
        para,
    })
}

/// The component of a package, with the licenses of its copyright file; whether that
/// file is machine-readable.
fn component(
    ctx: &Context<'_>,
    os: &str,
    distro: &Distro,
    p: &Pkg,
    found: &mut Found,
) -> (Component, bool) {
    let vendor = distro.id.clone().unwrap_or_else(|| "debian".into());
    let mut purl = packageurl::PackageUrl::new("deb", p.name.as_str()).expect("valid name");
    let _ = purl.with_namespace(vendor.clone());
    let _ = purl.with_version(p.version.clone());
    if !p.arch.is_empty() {
        let _ = purl.add_qualifier("arch", p.arch.clone());
    }
    if let Some(d) = distro.qualifier() {
        let _ = purl.add_qualifier("distro", d);
    }
    if let Some(s) = &p.source {
        let _ = purl.add_qualifier("upstream", s.clone());
    }
    let purl = purl.to_string();
    let homepage = p
        .para
        .get("Homepage")
        .map(str::trim)
        .filter(|h| h.starts_with("http"))
        .map(str::to_string);
    // The doc folder may be a symlink to another package's of the same source
    // (libgcc-s1 -> gcc-12-base): the copyright file is the one it points to.
    let doc = resolve_in_root(ctx.root, os, &format!("usr/share/doc/{}", p.name));
    let mut comp = Component {
        bom_ref: purl.clone(),
        name: p.name.clone(),
        version: Some(p.version.clone()),
        purl: Some(purl),
        ecosystem: Eco::from_name("deb"),
        path: doc.clone(),
        scope: Some(Scope::Required),
        supplier: p
            .para
            .get("Maintainer")
            .map(|m| m.split('<').next().unwrap_or(m).trim().to_string())
            .filter(|m| !m.is_empty()),
        homepage,
        ..Default::default()
    };
    let mut is_dep5 = false;
    let copyright = doc.as_deref().map(|d| format!("{d}/copyright"));
    let text = copyright
        .as_deref()
        .and_then(|c| read_in_root(ctx, "", c, &mut found.diagnostics));
    match (&copyright, text) {
        (Some(path), Some(text)) if dep5::is_dep5(&text) => {
            is_dep5 = true;
            let d = dep5::declared(&paragraphs(&text));
            comp.declared_raw = d.expression;
            for r in d.readings {
                comp.notes.push(format!("{path} (DEP-5): {r}"));
            }
            found.file_licenses.extend(
                d.matches
                    .into_iter()
                    .map(|m: LicenseMatch| (path.clone(), m)),
            );
        }
        (Some(_), Some(_)) => {}
        _ => comp.notes.push(format!(
            "no usr/share/doc/{}/copyright in the tree (the image may exclude docs)",
            p.name
        )),
    }
    (comp, is_dep5)
}

/// The files a package installed (`info/<pkg>.list`, `info/<pkg>:<arch>.list`), and
/// dpkg's own records of it, as the OS names them.
fn listed_files(ctx: &Context<'_>, os: &str, p: &Pkg, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let info = "var/lib/dpkg/info";
    let mut files = Vec::new();
    let mut list = None;
    for name in [format!("{}:{}", p.name, p.arch), p.name.clone()] {
        // dpkg's own records of the package (file list, md5sums, maintainer scripts)
        // are about it: they name license files, and must not count as the project's.
        for ext in [
            "list",
            "md5sums",
            "conffiles",
            "preinst",
            "postinst",
            "prerm",
            "postrm",
        ] {
            files.push(format!("{info}/{name}.{ext}"));
        }
        if list.is_none() {
            list = read_in_root(ctx, os, &format!("{info}/{name}.list"), diags);
        }
    }
    files.extend(list.iter().flat_map(|l| l.lines()).map(str::to_string));
    files
}

/// A dpkg relationship field (`libc6 (>= 2.34), libfoo | libbar, perl:any`): each entry's
/// alternatives as (name, architecture qualifier).
fn relations(field: &str) -> Vec<Vec<(String, Option<String>)>> {
    field
        .split(',')
        .map(|entry| {
            entry
                .split('|')
                .filter_map(|alt| {
                    let name = alt.split(['(', '[', '<']).next()?.trim();
                    let (n, arch) = match name.split_once(':') {
                        Some((n, "any" | "native")) => (n, None),
                        Some((n, a)) => (n, Some(a.to_string())),
                        None => (name, None),
                    };
                    (!n.is_empty()).then(|| (n.to_string(), arch))
                })
                .collect::<Vec<_>>()
        })
        .filter(|a| !a.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relationship_fields() {
        let r = relations("libc6 (>= 2.34), libfoo | libbar [amd64], perl:any, libx:i386");
        assert_eq!(r.len(), 4);
        assert_eq!(r[1][1].0, "libbar");
        assert_eq!(r[2][0], ("perl".into(), None));
        assert_eq!(r[3][0], ("libx".into(), Some("i386".into())));
    }
}
