//! Operating-system packages of a root filesystem in the tree (an unpacked container
//! image, a chroot, a debootstrap): Debian/Ubuntu dpkg ([`dpkg`], with the licenses of
//! machine-readable copyright files, [`dep5`]), Alpine apk ([`apk`]) and RPM's SQLite
//! database ([`rpm`]).
//!
//! A package database is found by its path (`var/lib/dpkg/status`, `lib/apk/db/installed`)
//! at any depth: what comes before that path is the root of that OS tree, and every other
//! file a database names (a package's file list, its copyright file, `etc/os-release`) is
//! looked up under it. Those names come from the scanned tree, so they are resolved the
//! way the OS itself would, inside its own root: an absolute symlink (`etc/os-release ->
//! /usr/lib/os-release`) points into the OS tree, never at the scanning machine's files,
//! and a `..` that would climb out of it is refused ([`resolve_in_root`]).

pub mod apk;
pub mod dep5;
pub mod dpkg;
pub mod rpm;

use std::collections::HashMap;
use std::path::Path;

use super::{Claim, Collector, Context};
use crate::model::{Component, Diagnostic};
use crate::relpath;

/// Symlinks followed while resolving one path (Linux's own limit is 40).
const MAX_LINK_HOPS: usize = 40;
/// Largest auxiliary file read (a copyright file, a file list, os-release).
pub const MAX_AUX_BYTES: u64 = 16 << 20;

/// The root of the OS tree a database at `rel` belongs to: `rel` without `suffix`
/// (`img/var/lib/dpkg/status` with `var/lib/dpkg/status` -> `img`); None when `rel` does
/// not end with it.
pub fn os_root<'a>(rel: &'a str, suffix: &str) -> Option<&'a str> {
    if rel == suffix {
        return Some("");
    }
    rel.strip_suffix(suffix)?.strip_suffix('/')
}

/// `rel`, a path inside the OS tree at `os_root` (absolute as a package database writes
/// it, or relative), resolved through its symlinks the way a process chrooted there would
/// see it: the scan-relative path of what it names, or None when it leaves the OS tree,
/// loops, or does not exist.
pub fn resolve_in_root(root: &Path, os_root: &str, rel: &str) -> Option<String> {
    let mut todo: Vec<String> = rel
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .rev()
        .map(str::to_string)
        .collect();
    // Components resolved so far, inside the OS tree.
    let mut done: Vec<String> = Vec::new();
    let mut hops = 0;
    while let Some(part) = todo.pop() {
        if part == ".." {
            // `..` at the OS root stays at the root, as in the kernel.
            done.pop();
            continue;
        }
        done.push(part);
        let here = relpath::child(os_root, &done.join("/"));
        let on_disk = relpath::under(root, &here)?;
        let meta = crate::cache::reads::symlink_metadata(&on_disk).ok()?;
        if !meta.file_type().is_symlink() {
            continue;
        }
        hops += 1;
        if hops > MAX_LINK_HOPS {
            return None;
        }
        let target = crate::cache::reads::read_link(&on_disk).ok()?;
        let target = target.to_str()?;
        done.pop();
        if target.starts_with('/') {
            done.clear();
        }
        todo.extend(
            target
                .split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .rev()
                .map(str::to_string),
        );
    }
    Some(relpath::child(os_root, &done.join("/"))).map(|p| p.trim_end_matches('/').to_string())
}

/// Read a file of the OS tree (see [`resolve_in_root`]) as text, at most `MAX_AUX_BYTES`;
/// None when it is missing. A file that exists but cannot be read, or is too large,
/// becomes a diagnostic.
pub fn read_in_root(
    ctx: &Context<'_>,
    os_root: &str,
    rel: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let at = resolve_in_root(ctx.root, os_root, rel)?;
    let path = relpath::under(ctx.root, &at)?;
    let meta = crate::cache::reads::metadata(&path).ok()?;
    if !meta.is_file() {
        return None;
    }
    if meta.len() > MAX_AUX_BYTES {
        diags.push(Diagnostic::warning(
            Some(at),
            format!(
                "{} MiB, over the {} MiB limit for package metadata; not read",
                meta.len() >> 20,
                MAX_AUX_BYTES >> 20
            ),
        ));
        return None;
    }
    match crate::cache::reads::read(&path) {
        Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        Err(e) => {
            diags.push(Diagnostic::warning(Some(at), format!("cannot read: {e}")));
            None
        }
    }
}

/// The distribution of an OS tree, from `etc/os-release` (or `usr/lib/os-release`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distro {
    /// `ID`: debian, ubuntu, alpine ...
    pub id: Option<String>,
    /// `VERSION_ID`: 12, 22.04, 3.19.1 ...
    pub version_id: Option<String>,
}

impl Distro {
    /// The purl `distro` qualifier: `debian-12`, `alpine-3.19.1`.
    pub fn qualifier(&self) -> Option<String> {
        Some(format!(
            "{}-{}",
            self.id.as_ref()?,
            self.version_id.as_ref()?
        ))
    }
}

pub fn os_release(ctx: &Context<'_>, os_root: &str, diags: &mut Vec<Diagnostic>) -> Distro {
    let text = read_in_root(ctx, os_root, "etc/os-release", diags)
        .or_else(|| read_in_root(ctx, os_root, "usr/lib/os-release", diags))
        .unwrap_or_default();
    let mut d = Distro::default();
    for line in text.lines().take(200) {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches(['"', '\'']).trim();
        // Values become purl qualifiers: keep them to what os-release(5) allows.
        let ok = !v.is_empty()
            && v.len() <= 64
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-~".contains(c));
        match k.trim() {
            "ID" if ok => d.id = Some(v.to_ascii_lowercase()),
            "VERSION_ID" if ok => d.version_id = Some(v.to_string()),
            _ => {}
        }
    }
    d
}

/// One paragraph of a deb822 file (dpkg's status, a DEP-5 copyright file): fields in
/// order, names as written, values with continuation lines joined by '\n' (a ` .` line
/// is an empty line), and the 1-based lines it spans.
#[derive(Debug, Clone, Default)]
pub struct Paragraph {
    pub fields: Vec<(String, String)>,
    pub start_line: u32,
    pub end_line: u32,
}

impl Paragraph {
    /// The value of a field, by case-insensitive name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Paragraphs of a deb822 file. Comment lines (`#`) are skipped; a line that is neither a
/// field nor a continuation is ignored (dpkg refuses such a file, a scanner reads on).
pub fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut cur = Paragraph::default();
    for (i, line) in text.lines().enumerate() {
        let n = i as u32 + 1;
        if line.trim().is_empty() {
            if !cur.fields.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = cur.fields.last_mut() {
                let t = line.trim();
                v.push('\n');
                if t != "." {
                    v.push_str(t);
                }
                cur.end_line = n;
            }
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if cur.fields.is_empty() {
            cur.start_line = n;
        }
        cur.end_line = n;
        cur.fields
            .push((k.trim().to_string(), v.trim().to_string()));
    }
    if !cur.fields.is_empty() {
        out.push(cur);
    }
    out
}

/// Top-level symlinks of an OS tree that point at a directory inside it (merged /usr:
/// `bin -> usr/bin`, `lib -> usr/lib`): (`bin/`, `usr/bin/`) pairs, scan-relative, so
/// that a file list's `/bin/bash` names the `usr/bin/bash` the walk saw.
pub fn top_level_links(root: &Path, os_root: &str) -> Vec<(String, String)> {
    let Some(dir) = relpath::under(root, os_root) else {
        return Vec::new();
    };
    let Ok(entries) = crate::cache::reads::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.into_iter().take(1000) {
        let Ok(name) = e.name.into_string() else {
            continue;
        };
        if !e.file_type.is_ok_and(|t| t.is_symlink()) {
            continue;
        }
        if let Some(to) = resolve_in_root(root, os_root, &name) {
            let from = relpath::child(os_root, &name);
            if to != from && !to.is_empty() {
                out.push((format!("{from}/"), format!("{to}/")));
            }
        }
    }
    out.sort();
    out
}

/// A path as a package database writes it (`/usr/bin/bash`), scan-relative under the OS
/// root with the top-level links applied; None when it is not a plain path inside.
pub fn owned_path(os_root: &str, listed: &str, links: &[(String, String)]) -> Option<String> {
    let listed = listed.trim_end_matches('\r');
    if listed.is_empty() || listed.contains('\0') {
        return None;
    }
    let inner = relpath::normalize(listed.trim_start_matches('/'))?;
    if inner.is_empty() {
        return None;
    }
    let p = relpath::child(os_root, &inner);
    for (from, to) in links {
        if let Some(rest) = p.strip_prefix(from.as_str()) {
            return Some(format!("{to}{rest}"));
        }
    }
    Some(p)
}

/// The packages of one OS database as dpkg, apk and rpm register them: each one a
/// component, known by its name and by what it provides, owning the files the database
/// lists ([`Claim::Database`]); its dependencies become edges to the packages that answer
/// to their names.
pub struct Installed {
    os: String,
    /// Top-level links of the OS tree (merged /usr), for the listed files.
    links: Vec<(String, String)>,
    /// Name (or provided name) -> (architecture, bom-ref), in the order registered.
    by_name: HashMap<String, Vec<(String, String)>>,
}

impl Installed {
    pub fn new(root: &Path, os: &str) -> Self {
        Installed {
            os: os.to_string(),
            links: top_level_links(root, os),
            by_name: HashMap::new(),
        }
    }

    /// Register a package built for `arch` ("" where the database says nothing): its
    /// component, the `names` it answers to (its own and what it provides), and the
    /// `files` its database lists as the OS sees them (`/usr/bin/bash`). Its bom-ref.
    pub fn add<'a>(
        &mut self,
        c: &mut Collector,
        comp: Component,
        arch: &str,
        names: impl IntoIterator<Item = &'a str>,
        files: impl IntoIterator<Item = &'a str>,
    ) -> String {
        let r = c.upsert(comp);
        for n in names {
            self.by_name
                .entry(n.to_string())
                .or_default()
                .push((arch.to_string(), r.clone()));
        }
        for f in files {
            if let Some(path) = owned_path(&self.os, f, &self.links) {
                c.found.claim(path, &r, Claim::Database);
            }
        }
        r
    }

    /// An edge from `from` to the package that satisfies a dependency: the first of its
    /// `alternatives` (name, architecture asked for) that some package answers to. Of the
    /// packages with that name, the one of the architecture asked for, else of `arch`
    /// (the dependent's), else of `all`, else the first registered; with no architecture
    /// at all (apk, rpm), the first registered.
    pub fn depend(
        &self,
        c: &mut Collector,
        from: &str,
        alternatives: &[(String, Option<String>)],
        arch: Option<&str>,
    ) {
        let hit = alternatives.iter().find_map(|(n, a)| {
            let cands = self.by_name.get(n)?;
            let wanted = a.as_deref().or(arch);
            let found = match wanted {
                Some(w) => cands
                    .iter()
                    .find(|(a, _)| a == w)
                    .or_else(|| cands.iter().find(|(a, _)| a == "all")),
                None => None,
            };
            found.or_else(|| cands.first()).map(|(_, r)| r)
        });
        if let Some(to) = hit.filter(|to| *to != from) {
            c.edges
                .entry(from.to_string())
                .or_default()
                .push(to.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_root_of_a_database_path() {
        assert_eq!(
            os_root("var/lib/dpkg/status", "var/lib/dpkg/status"),
            Some("")
        );
        assert_eq!(
            os_root("img/var/lib/dpkg/status", "var/lib/dpkg/status"),
            Some("img")
        );
        assert_eq!(os_root("xvar/lib/dpkg/status", "var/lib/dpkg/status"), None);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_resolve_inside_the_os_tree_only() {
        use std::os::unix::fs::symlink;
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        std::fs::create_dir_all(r.join("os/usr/lib")).unwrap();
        std::fs::create_dir_all(r.join("os/etc")).unwrap();
        std::fs::write(r.join("os/usr/lib/os-release"), "ID=debian\n").unwrap();
        symlink("/usr/lib/os-release", r.join("os/etc/os-release")).unwrap();
        symlink("../../../../../etc/passwd", r.join("os/etc/passwd-link")).unwrap();
        symlink("loop", r.join("os/etc/loop")).unwrap();
        assert_eq!(
            resolve_in_root(r, "os", "/etc/os-release").as_deref(),
            Some("os/usr/lib/os-release")
        );
        // `..` stops at the OS root, as it does in a chroot: never the host's /etc/passwd.
        assert_eq!(resolve_in_root(r, "os", "etc/passwd-link"), None);
        assert_eq!(resolve_in_root(r, "os", "etc/loop"), None);
    }

    #[cfg(unix)]
    #[test]
    fn installed_packages_answer_to_names_and_own_their_files() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("os/usr/bin")).unwrap();
        std::os::unix::fs::symlink("usr/bin", t.path().join("os/bin")).unwrap();
        let comp = |r: &str| Component {
            bom_ref: r.into(),
            ..Default::default()
        };
        let mut c = Collector::default();
        let mut i = Installed::new(t.path(), "os");
        let libc64 = i.add(&mut c, comp("libc:amd64"), "amd64", ["libc6"], ["/bin/sh"]);
        let libc32 = i.add(&mut c, comp("libc:i386"), "i386", ["libc6"], []);
        let mawk = i.add(&mut c, comp("mawk"), "all", ["mawk", "awk"], ["/../etc/x"]);
        let app = i.add(&mut c, comp("app"), "i386", ["app"], []);
        let awk = ("awk".to_string(), None);
        // The dependent's architecture, then an alternative's own, then `all`, then the first.
        i.depend(&mut c, &app, &[("libc6".into(), None)], Some("i386"));
        i.depend(
            &mut c,
            &app,
            &[("gawk".into(), None), awk.clone()],
            Some("i386"),
        );
        i.depend(
            &mut c,
            &mawk,
            &[("libc6".into(), Some("amd64".into()))],
            Some("all"),
        );
        i.depend(&mut c, &libc64, &[("libc6".into(), None)], None);
        i.depend(&mut c, &mawk, &[awk], None);
        assert_eq!(c.edges[&app], [libc32, mawk.clone()]);
        assert_eq!(c.edges[&mawk], std::slice::from_ref(&libc64));
        assert!(
            !c.edges.contains_key(&libc64),
            "the first libc6 is itself: no edge"
        );
        // `/bin/sh` through the merged-/usr link; a `..` out of the OS root is refused.
        let owned: Vec<(&str, &str)> = c
            .found
            .file_owners
            .iter()
            .map(|o| (o.path.as_str(), o.bom_ref.as_str()))
            .collect();
        assert_eq!(owned, [("os/usr/bin/sh", "libc:amd64")]);
        assert!(c
            .found
            .file_owners
            .iter()
            .all(|o| o.claim == Claim::Database));
    }

    #[test]
    fn deb822_paragraphs_with_continuations() {
        let p = paragraphs("Package: a\nDescription: x\n more\n .\n end\n\n# c\nPackage: b\n");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].get("description"), Some("x\nmore\n\nend"));
        assert_eq!((p[0].start_line, p[0].end_line), (1, 5));
        assert_eq!(p[1].get("Package"), Some("b"));
        assert_eq!(p[1].start_line, 8);
    }
}
