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
