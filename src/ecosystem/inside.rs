//! Manifests that are not the product's: the CI, test, example and script manifests of
//! code installed or vendored into the tree, and manifests of another ecosystem inside a
//! vendored package. `vendor/libssh2-sys/libssh2/.github/workflows/requirements.txt` lists
//! the tools libssh2's CI installs, and `vendor/libgit2-sys/libgit2/package.json` is the C
//! library's clib manifest inside a Cargo crate: read as manifests, they become required
//! PyPI and npm packages nothing ships. They are left out, and a note says which.
//!
//! Only below a dependency folder (`node_modules`, `vendor`, `site-packages`, ... as the
//! ecosystems name them): the project's own CI requirements are the project's business.

use super::{file_name, REGISTRY};

/// Folders whose manifests describe how a package is built, tested or shown, not what it
/// ships.
const NOT_SHIPPED: &[&str] = &[
    ".github",
    ".gitlab",
    ".circleci",
    ".buildkite",
    ".ci",
    "ci",
    "test",
    "tests",
    "testdata",
    "test-data",
    "fixtures",
    "example",
    "examples",
    "demo",
    "docs",
    "doc",
    "script",
    "scripts",
    "tools",
    "benches",
    "bench",
    "fuzz",
];

/// Why `rel` (a manifest path) is not one of the product's, if it is not.
pub fn not_the_products(rel: &str) -> Option<&'static str> {
    let segs: Vec<&str> = rel.split('/').collect();
    let dir_segs = &segs[..segs.len().saturating_sub(1)];
    // The innermost dependency folder and the package right below it.
    let d = dir_segs
        .iter()
        .rposition(|s| REGISTRY.iter().any(|e| e.dependency_dirs.contains(s)))?;
    let mut root_end = d + 2; // dependency folder, package name
    if dir_segs.get(d + 1).is_some_and(|s| s.starts_with('@')) {
        root_end += 1; // an npm scope
    }
    if dir_segs.len() <= root_end {
        return None; // the package's own manifest (or the folder's)
    }
    let inner = &dir_segs[root_end..];
    if inner.iter().any(|s| NOT_SHIPPED.contains(s)) {
        return Some(
            "a CI, test, example or script manifest inside an installed or vendored package",
        );
    }
    let dep_dir = dir_segs[d];
    let name = file_name(rel);
    let dir = &rel[..rel.len() - name.len()].trim_end_matches('/');
    let claims: Vec<_> = REGISTRY
        .iter()
        .filter(|e| (e.is_manifest)(name, dir))
        .collect();
    if !claims.is_empty() && claims.iter().all(|e| !e.dependency_dirs.contains(&dep_dir)) {
        return Some("a manifest of another ecosystem inside a vendored package's sources");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_ci_and_foreign_manifests_are_not_the_products() {
        for rel in [
            "vendor/libssh2-sys/libssh2/.github/workflows/requirements.txt",
            "vendor/libgit2-sys/libgit2/package.json",
            "vendor/libgit2-sys/libgit2/script/api-docs/package.json",
            "node_modules/@scope/pkg/test/fixtures/package.json",
        ] {
            assert!(not_the_products(rel).is_some(), "{rel}");
        }
        for rel in [
            "package.json",
            ".github/workflows/requirements.txt",
            "node_modules/left-pad/package.json",
            "node_modules/@babel/core/package.json",
            "node_modules/a/node_modules/b/package.json",
            "vendor/serde/Cargo.toml",
            "vendor/modules.txt",
            "vendor/github.com/x/y/go.mod",
            "venv/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
        ] {
            assert_eq!(not_the_products(rel), None, "{rel}");
        }
    }
}
