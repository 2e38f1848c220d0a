//! Installed distributions: `*.dist-info/METADATA` and `*.egg-info/PKG-INFO`, the only
//! source that states the license of a dependency.

use super::*;

/// One installed distribution (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`).
pub(super) fn installed(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
    let Some(text) = read_manifest(ctx, rel, &mut acc.diags) else {
        return;
    };
    let fields = parse_metadata(&text);
    let (Some(name), Some(version)) = (field(&fields, "name"), field(&fields, "version")) else {
        acc.warn(rel, "core metadata without Name or Version; skipped");
        return;
    };
    let dist_dir = dir_of(rel);
    let (declared_raw, note) = metadata_license(&fields);
    if let Some(n) = note {
        acc.info(rel, n);
    }
    let pkg = Pkg {
        name: name.to_string(),
        version: Some(version.to_string()),
        // The dist-info dir is where the license files live (PEP 639 `licenses/`).
        path: Some(dist_dir.to_string()),
        declared_raw,
        hashes: Vec::new(),
        supplier: metadata_supplier(&fields),
        homepage: metadata_homepage(&fields),
    };
    let site = dir_of(dist_dir).to_string();
    let Some(r) = acc.add(pkg, RANK_INSTALLED, None, &site, rel) else {
        return;
    };
    if dist_dir.ends_with(".dist-info") {
        record(ctx, dist_dir, &site, &r, acc);
    }
    for spec in fields_all(&fields, "requires-dist") {
        let Some(dep) = requirement_name(spec) else {
            acc.warn(rel, format!("unreadable Requires-Dist {spec:?}"));
            continue;
        };
        let kind = if marker_has_extra(spec) {
            Scope::Optional
        } else {
            Scope::Required
        };
        acc.dep(&r, &dep, None, kind, &site);
    }
}

/// At most this many RECORD entries are read per distribution (the largest real wheels,
/// with vendored data, list some tens of thousands).
const MAX_RECORD_ENTRIES: usize = 200_000;

/// The files a wheel installed (`RECORD`, PEP 376 / 627: `path,hash,size` per line, paths
/// relative to the site-packages directory): they are the distribution's own, so its
/// package code, its license headers and its PEP 639 `licenses/` are credited to it and
/// not to whatever holds the site-packages. Paths that leave the scan root (`../../bin/x`
/// of a tree that is the site-packages itself) are skipped.
fn record(ctx: &Context<'_>, dist_dir: &str, site: &str, r: &str, acc: &mut Acc) {
    let rel = crate::relpath::child(dist_dir, "RECORD");
    if crate::relpath::under(ctx.root, &rel).is_none_or(|p| !crate::cache::reads::is_file(&p)) {
        return;
    }
    let Some(text) = read_manifest(ctx, &rel, &mut acc.diags) else {
        return;
    };
    for line in text.lines().take(MAX_RECORD_ENTRIES) {
        let Some(path) = record_path(line) else {
            continue;
        };
        if let Some(p) = crate::relpath::join(site, &path) {
            acc.owned_files.push(FileOwner {
                path: p,
                bom_ref: r.to_string(),
                claim: Claim::Listed,
            });
        }
    }
}

/// The path field of one RECORD line: CSV, quoted when it holds a comma or a quote.
pub(super) fn record_path(line: &str) -> Option<String> {
    let line = line.trim_end_matches('\r');
    if let Some(rest) = line.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(ch) = chars.next() {
            if ch == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    out.push('"');
                } else {
                    return (!out.is_empty()).then_some(out);
                }
            } else {
                out.push(ch);
            }
        }
        return None;
    }
    let p = line.split(',').next()?.trim();
    (!p.is_empty()).then(|| p.to_string())
}
