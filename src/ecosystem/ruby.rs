//! RubyGems: `Gemfile.lock` (Bundler's lockfile: the `GEM`/`PATH`/`GIT` sections' specs with
//! their versions and dependencies) and installed gems' `specifications/*.gemspec` (the
//! Ruby stub RubyGems writes, read as text for its literal `s.name`, `s.version`,
//! `s.licenses`, `s.homepage`; never run). purls `pkg:gem/<name>@<version>`.

use once_cell::sync::Lazy;
use regex::Regex;

use super::{dir_of, file_name, read_manifest, Collector, Context, Found};
use crate::model::{Component, Ecosystem as Eco, Scope};
use crate::relpath;

pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "gem",
    is_manifest: |name, dir| {
        name == "Gemfile.lock" || (name.ends_with(".gemspec") && file_name(dir) == "specifications")
    },
    dependency_dirs: &[],
    discover,
};

fn purl(name: &str, version: &str) -> Option<String> {
    let mut p = packageurl::PackageUrl::new("gem", name).ok()?;
    p.with_version(version.to_string()).ok()?;
    Some(p.to_string())
}

fn gem(name: &str, version: &str) -> Option<Component> {
    let purl = purl(name, version)?;
    Some(Component {
        bom_ref: purl.clone(),
        name: name.to_string(),
        version: Some(version.to_string()),
        purl: Some(purl),
        ecosystem: Eco::from_name("gem"),
        scope: Some(Scope::Required),
        ..Default::default()
    })
}

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut c = Collector::default();
    for rel in ctx.manifests {
        let name = file_name(rel);
        if name == "Gemfile.lock" {
            lockfile(ctx, rel, &mut c);
        } else if name.ends_with(".gemspec") && file_name(dir_of(rel)) == "specifications" {
            gemspec(ctx, rel, &mut c);
        }
    }
    c.finish()
}

/// `    name (version)` spec lines (4 spaces) and their `      dep (reqs)` lines (6).
fn lockfile(ctx: &Context<'_>, rel: &str, c: &mut Collector) {
    let Some(text) = read_manifest(ctx, rel, &mut c.found.diagnostics) else {
        return;
    };
    let mut section = "";
    let mut specs: Vec<(String, String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            section = line.trim();
            continue;
        }
        if !matches!(section, "GEM" | "PATH" | "GIT") {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        let (n, v) = match t.split_once(" (") {
            Some((n, v)) => (n.trim(), v.trim_end_matches(')').trim()),
            None => (t, ""),
        };
        match indent {
            4 if !v.is_empty() => specs.push((n.to_string(), v.to_string(), Vec::new())),
            6 => {
                if let Some(s) = specs.last_mut() {
                    s.2.push(n.to_string());
                }
            }
            _ => {}
        }
    }
    let mut by_name = std::collections::HashMap::new();
    for (n, v, _) in &specs {
        // A platform gem's version carries its platform: `1.17.2-arm64-darwin`.
        if let Some(comp) = gem(n, v) {
            by_name.insert(n.clone(), c.upsert(comp));
        }
    }
    for (n, _, deps) in &specs {
        let Some(from) = by_name.get(n) else { continue };
        for d in deps {
            if let Some(to) = by_name.get(d) {
                c.edges.entry(from.clone()).or_default().push(to.clone());
            }
        }
    }
}

static FIELD: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?m)^\s*s\.(name|version|homepage|licenses?)\s*=\s*(.+?)\s*$"#).unwrap()
});
static STR: Lazy<Regex> = Lazy::new(|| Regex::new(r#""([^"\\]{0,200})""#).unwrap());

/// An installed gem's specification stub; its files are in `../gems/<name>-<version>`.
fn gemspec(ctx: &Context<'_>, rel: &str, c: &mut Collector) {
    let Some(text) = read_manifest(ctx, rel, &mut c.found.diagnostics) else {
        return;
    };
    let (mut name, mut version, mut homepage, mut licenses) = (None, None, None, Vec::new());
    for cap in FIELD.captures_iter(&text) {
        let strings: Vec<String> = STR
            .captures_iter(&cap[2])
            .map(|s| s[1].to_string())
            .collect();
        match &cap[1] {
            "name" => name = strings.into_iter().next(),
            "version" => version = strings.into_iter().next(),
            "homepage" => homepage = strings.into_iter().next(),
            _ => licenses = strings,
        }
    }
    let (Some(name), Some(version)) = (name, version) else {
        c.found.diagnostics.push(crate::model::Diagnostic::warning(
            Some(rel.to_string()),
            "gemspec without a literal s.name and s.version; skipped",
        ));
        return;
    };
    let Some(mut comp) = gem(&name, &version) else {
        return;
    };
    let dir = relpath::child(dir_of(dir_of(rel)), &format!("gems/{name}-{version}"));
    comp.path = crate::cache::reads::is_dir(&ctx.root.join(&dir)).then_some(dir);
    // Several licenses in a gemspec: the gem may be used under any of them.
    comp.declared_raw = (!licenses.is_empty()).then(|| licenses.join(" OR "));
    comp.homepage = homepage.filter(|h| h.starts_with("http"));
    c.upsert(comp);
}
