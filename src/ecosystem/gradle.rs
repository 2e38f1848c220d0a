//! Gradle dependency locking: `gradle.lockfile` (and `buildscript-gradle.lockfile`), one
//! `group:artifact:version=configuration,...` line per locked module. They are Maven
//! components (`pkg:maven/<group>/<artifact>@<version>`); a module locked only in test
//! configurations is a dev dependency. Licenses come from the POMs the Maven ecosystem
//! reads where the local repository has them; a lockfile states none.

use super::{file_name, read_manifest, Collector, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem as Eco, Scope};

pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "gradle",
    is_manifest: |name, _| name == "gradle.lockfile" || name == "buildscript-gradle.lockfile",
    dependency_dirs: &[],
    discover,
};

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut c = Collector::default();
    for rel in ctx.manifests {
        if matches!(
            file_name(rel),
            "gradle.lockfile" | "buildscript-gradle.lockfile"
        ) {
            lockfile(ctx, rel, &mut c);
        }
    }
    c.finish()
}

fn lockfile(ctx: &Context<'_>, rel: &str, c: &mut Collector) {
    let Some(text) = read_manifest(ctx, rel, &mut c.found.diagnostics) else {
        return;
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
        let Ok(mut p) = packageurl::PackageUrl::new("maven", artifact) else {
            continue;
        };
        let _ = p.with_namespace(group.to_string());
        let _ = p.with_version(version.to_string());
        let purl = p.to_string();
        let test_only = !configs.is_empty()
            && configs
                .split(',')
                .all(|cfg| cfg.trim().to_ascii_lowercase().starts_with("test"));
        let build_only = !configs.is_empty()
            && configs
                .split(',')
                .all(|cfg| !cfg.contains("ompileClasspath") && !cfg.contains("untimeClasspath"));
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
}
