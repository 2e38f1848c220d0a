//! Vendored code without a manifest: a folder under `third_party/`, `vendor/`,
//! `external/`, `deps/`, `3rdparty/` (and the like) that holds its own license file is a
//! component of its own, named after the folder, with a `pkg:generic` purl.
//!
//! Copied third-party code is the part of a tree other tools miss most (it has no
//! manifest to read); its license file is the one thing it reliably keeps.

use std::collections::BTreeSet;

use super::{dir_of, file_name, Context, Found};
use crate::model::{Component, Ecosystem, Scope};

/// Folder names under which copied third-party code conventionally lives.
const VENDOR_DIRS: &[&str] = &[
    "third_party",
    "third-party",
    "thirdparty",
    "3rdparty",
    "3rd_party",
    "3rd-party",
    "vendor",
    "vendored",
    "external",
    "externals",
    "deps",
    "extern",
    "contrib",
    "ext",
];

/// Components for vendored folders that no ecosystem has claimed (`so_far`).
pub fn discover(ctx: &Context<'_>, so_far: &Found) -> Found {
    let claimed: BTreeSet<&str> = so_far
        .components
        .iter()
        .filter_map(|c| c.path.as_deref())
        .collect();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    for lic in ctx.license_files {
        let dir = dir_of(lic);
        // The license may sit in a LICENSES/ folder of the vendored package.
        let dir = if file_name(dir).eq_ignore_ascii_case("LICENSES") {
            dir_of(dir)
        } else {
            dir
        };
        let parent = file_name(dir_of(dir));
        if dir.is_empty() || !VENDOR_DIRS.iter().any(|v| parent.eq_ignore_ascii_case(v)) {
            continue;
        }
        // Inside a package another ecosystem found (node_modules/x/vendor/y) or inside a
        // dependency directory: that package owns it.
        let mut up = dir;
        let mut inside_claimed = false;
        while !up.is_empty() && !inside_claimed {
            inside_claimed = claimed.contains(up);
            up = dir_of(up);
        }
        if inside_claimed {
            continue;
        }
        if dir
            .split('/')
            .any(|seg| seg == "node_modules" || seg == "site-packages")
        {
            continue;
        }
        dirs.insert(dir.to_string());
    }
    let mut found = Found::default();
    for dir in dirs {
        let name = file_name(&dir).to_string();
        let purl = packageurl::PackageUrl::new("generic", name.as_str())
            .map(|mut p| {
                // The path keeps two vendored copies of one name apart.
                let _ = p.add_qualifier("vendored_at", dir.clone());
                p.to_string()
            })
            .ok();
        found.components.push(Component {
            bom_ref: purl.clone().unwrap_or_else(|| format!("vendored:{dir}")),
            name,
            purl,
            ecosystem: Ecosystem::Generic,
            path: Some(dir.clone()),
            scope: Some(Scope::Required),
            notes: vec![format!(
                "vendored code without a manifest, found by its license file in {dir}/"
            )],
            ..Default::default()
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn vendored_folders_with_a_license_become_components() {
        let lic = vec![
            "LICENSE".to_string(),
            "third_party/zlib/LICENSE".to_string(),
            "vendor/foo/LICENSES/MIT.txt".to_string(),
            "src/LICENSE".to_string(),
            "vendor/serde-1.0.0/LICENSE-MIT".to_string(),
            "node_modules/x/vendor/y/LICENSE".to_string(),
        ];
        let ctx = Context {
            root: Path::new("."),
            manifests: &[],
            license_files: &lic,
            use_local_caches: false,
        };
        let mut so_far = Found::default();
        so_far.components.push(Component {
            path: Some("vendor/serde-1.0.0".into()),
            ..Default::default()
        });
        let found = discover(&ctx, &so_far);
        let paths: Vec<&str> = found
            .components
            .iter()
            .filter_map(|c| c.path.as_deref())
            .collect();
        assert_eq!(paths, ["third_party/zlib", "vendor/foo"]);
        assert_eq!(found.components[0].name, "zlib");
        assert_eq!(
            found.components[0].purl.as_deref(),
            Some("pkg:generic/zlib?vendored_at=third_party%2Fzlib")
        );
    }
}
