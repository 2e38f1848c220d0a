//! End-to-end tests of Gradle version catalogs on real ones
//! (tests/fixtures/ecosystems/gradle/SOURCES.md): with the build's lockfiles (gwt-http)
//! the lockfiles' versions win and the catalog adds only what they lack; without any
//! (nowinandroid) every library and plugin is a component and the SBOM says the graph is
//! incomplete.

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;

use crate::common::{assert_golden, component_by, fixture, ospo, scan_tree};

/// `group:artifact` of every `[libraries]` entry and plugin marker of a catalog, read
/// here with the toml crate, independently of ospo.
fn declared(catalog: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let t: toml::Table = toml::from_str(&fs::read_to_string(fixture(catalog)).unwrap()).unwrap();
    let libraries = t["libraries"]
        .as_table()
        .unwrap()
        .values()
        .map(|v| match v {
            toml::Value::String(s) => s.rsplit_once(':').unwrap().0.to_string(),
            toml::Value::Table(t) => match t.get("module") {
                Some(m) => m.as_str().unwrap().to_string(),
                None => format!(
                    "{}:{}",
                    t["group"].as_str().unwrap(),
                    t["name"].as_str().unwrap()
                ),
            },
            _ => unreachable!(),
        })
        .collect();
    let plugins = t["plugins"]
        .as_table()
        .unwrap()
        .values()
        // A plugin without a version is the build's own: no component.
        .filter(|v| {
            v.as_str()
                .map_or(v.get("version").is_some(), |s| s.contains(':'))
        })
        .map(|v| {
            let id = match v {
                toml::Value::String(s) => s.split(':').next().unwrap().to_string(),
                toml::Value::Table(t) => t["id"].as_str().unwrap().to_string(),
                _ => unreachable!(),
            };
            format!("{id}:{id}.gradle.plugin")
        })
        .collect();
    (libraries, plugins)
}

fn maven(v: &Value) -> Vec<&Value> {
    v["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ecosystem"] == "maven")
        .collect()
}

#[test]
fn the_lockfiles_win_and_the_catalog_adds_only_what_they_lack() {
    let v = scan_tree(&fixture("ecosystems/gradle/gwt-http"));
    let mut locked = BTreeSet::new();
    for f in ["gradle.lockfile", "buildscript-gradle.lockfile"] {
        let text = fs::read_to_string(fixture("ecosystems/gradle/gwt-http").join(f)).unwrap();
        for l in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("empty="))
        {
            let coord = l.split('=').next().unwrap();
            locked.insert(coord.to_string());
        }
    }
    let comps = maven(&v);
    // One component per locked module, and junit, which the catalog declares and the
    // (trimmed) lockfile does not lock.
    assert_eq!(comps.len(), locked.len() + 1);
    let (libraries, plugins) = declared("ecosystems/gradle/gwt-http/gradle/libs.versions.toml");
    for ga in libraries.iter().chain(&plugins) {
        let n = comps.iter().filter(|c| c["name"] == ga.as_str()).count();
        assert_eq!(n, 1, "{ga}: once, whichever file names it");
    }
    let junit = component_by(&v, "bom_ref", "pkg:maven/junit/junit@4.13.2");
    assert_eq!(junit["dependencies_complete"], false);
    assert!(junit["notes"][0]
        .as_str()
        .unwrap()
        .contains("not in the build's lockfiles"));
    // A locked module keeps the lockfile's version and says nothing about its graph.
    let gwt = component_by(&v, "bom_ref", "pkg:maven/com.google.gwt/gwt-user@2.9.0");
    assert!(gwt.get("dependencies_complete").is_none());
    assert_eq!(gwt["scope"], "dev", "locked only on test classpaths");
    // Plugins are the markers the buildscript lockfile locks: dev.
    let spotless = component_by(
        &v,
        "name",
        "com.diffplug.spotless:com.diffplug.spotless.gradle.plugin",
    );
    assert_eq!(spotless["version"], "6.3.0");
    assert_eq!(spotless["scope"], "dev");

    let added: Vec<String> = comps
        .iter()
        .filter(|c| c["dependencies_complete"] == false)
        .map(|c| {
            format!(
                "{} {}",
                c["bom_ref"].as_str().unwrap(),
                c["scope"].as_str().unwrap()
            )
        })
        .collect();
    assert_golden(
        "inventory/gradle-gwt-http-catalog-only.txt",
        &(added.join("\n") + "\n"),
    );
}

#[test]
fn without_a_lockfile_every_entry_is_a_component_and_the_graph_is_incomplete() {
    let tree = fixture("ecosystems/gradle/nowinandroid");
    let v = scan_tree(&tree);
    let (libraries, plugins) = declared("ecosystems/gradle/nowinandroid/gradle/libs.versions.toml");
    let comps = maven(&v);
    let names: BTreeSet<String> = comps
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    let want: BTreeSet<String> = libraries.union(&plugins).cloned().collect();
    assert_eq!(names, want);
    for c in &comps {
        assert_eq!(c["dependencies_complete"], false, "{c}");
        // A plugin runs in the build: dev, unless the catalog declares its marker as a
        // library too (nowinandroid's `ksp-gradlePlugin`).
        let name = c["name"].as_str().unwrap();
        let plugin_only = plugins.contains(name) && !libraries.contains(name);
        assert_eq!(
            c["scope"],
            if plugin_only { "dev" } else { "required" },
            "{name}"
        );
    }
    // A library whose version a BOM supplies has none, and says so.
    let layout = component_by(&v, "name", "androidx.compose.foundation:foundation-layout");
    assert!(layout.get("version").is_none());
    assert_eq!(
        layout["purl"],
        "pkg:maven/androidx.compose.foundation/foundation-layout"
    );
    // The SBOM says where the graph stops (ADR 0013).
    let out = ospo()
        .args(["sbom", tree.to_str().unwrap(), "--no-caches"])
        .env("SOURCE_DATE_EPOCH", "0")
        .output()
        .unwrap();
    assert!(out.status.success());
    let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
    let incomplete = bom["compositions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["aggregate"] == "incomplete")
        .unwrap();
    assert_eq!(
        incomplete["dependencies"].as_array().unwrap().len(),
        comps.len()
    );
    assert_golden(
        "inventory/gradle-nowinandroid.compositions.json",
        &(serde_json::to_string_pretty(&bom["compositions"]).unwrap() + "\n"),
    );
}
