//! End-to-end tests of complete and incomplete dependency graphs: Go transitive edges
//! from a module cache inside the tree (real go.mod files, tests/fixtures/ecosystems/go/
//! modcache/SOURCES.md), and what the SBOMs say where the graph is incomplete.

use std::fs;

use serde_json::Value;

use crate::common::{fixture, ospo, scan_tree, validate_sboms};

const TREE: &str = "tests/fixtures/ecosystems/go/modcache";

/// (module, version) of every .mod file in the fixture's cache, with what it requires.
fn cached() -> Vec<(String, String, Vec<String>)> {
    let root = fixture("ecosystems/go/modcache/gopath/pkg/mod/cache/download");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "mod") {
                let rel = p.strip_prefix(&root).unwrap().to_str().unwrap().to_string();
                let (module, file) = rel.rsplit_once("/@v/").unwrap();
                let module = module.replace("!b", "B").replace("!s", "S");
                let text = fs::read_to_string(&p).unwrap();
                let requires = text
                    .lines()
                    .map(str::trim)
                    .filter_map(|l| l.strip_prefix("require ").or(Some(l)))
                    .filter(|l| {
                        l.contains(" v") && !l.starts_with("module") && !l.starts_with("go ")
                    })
                    .map(|l| {
                        l.trim_matches('"')
                            .split_whitespace()
                            .next()
                            .unwrap()
                            .trim_matches('"')
                            .to_string()
                    })
                    .collect();
                out.push((module, file.trim_end_matches(".mod").to_string(), requires));
            }
        }
    }
    out
}

fn component<'a>(v: &'a Value, module: &str) -> Option<&'a Value> {
    v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == module)
}

#[test]
fn go_edges_come_from_the_cached_go_mod_files_and_gaps_are_marked() {
    let v = scan_tree(&fixture("ecosystems/go/modcache"));
    let cached = cached();
    assert!(cached.len() >= 4);
    let edges = v["dependencies"].as_array().unwrap();
    let to_of = |r: &Value| -> Vec<String> {
        edges
            .iter()
            .find(|e| e["from"] == *r)
            .map(|e| {
                e["to"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    for (module, version, requires) in &cached {
        let c = component(&v, module).unwrap_or_else(|| panic!("{module}"));
        assert_eq!(c["version"], version.as_str());
        assert_eq!(
            c["dependencies_complete"], true,
            "{module}: its go.mod was read"
        );
        let to = to_of(&c["bom_ref"]);
        for r in requires {
            // Each requirement the main module's build list has is an edge.
            if let Some(dep) = component(&v, r) {
                assert!(
                    to.contains(&dep["bom_ref"].as_str().unwrap().to_string()),
                    "{module} -> {r}: {to:?}"
                );
            }
        }
    }
    let cached_names: Vec<&str> = cached.iter().map(|c| c.0.as_str()).collect();
    for c in v["components"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        if c["ecosystem"] == "golang" && !cached_names.contains(&name) && c["version"].is_string() {
            assert_eq!(
                c["dependencies_complete"], false,
                "{name}: no go.mod in the tree"
            );
        }
    }
    // A cached module's go.mod is not a module of the project.
    assert!(v["project"]
        .as_str()
        .unwrap()
        .contains("example.com/ospo/cli"));
}

fn sbom(format: &str) -> Vec<u8> {
    let out = ospo()
        .args(["sbom", TREE, "--no-caches", "-q", "--format", format])
        .env("SOURCE_DATE_EPOCH", "1733097600")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    out.stdout
}

#[test]
fn sboms_say_which_dependency_lists_are_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (format, name) in [
        ("cyclonedx-json", "g.cdx.json"),
        ("cyclonedx-xml", "g.cdx.xml"),
        ("spdx-json", "g.spdx.json"),
        ("spdx-tv", "g.spdx"),
    ] {
        let p = dir.path().join(name);
        fs::write(&p, sbom(format)).unwrap();
        files.push(p);
    }
    let scan = scan_tree(&fixture("ecosystems/go/modcache"));
    let refs = |complete: bool| -> Vec<Value> {
        let mut r: Vec<Value> = scan["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["dependencies_complete"] == complete)
            .map(|c| c["bom_ref"].clone())
            .collect();
        r.sort_by_key(|v| v.to_string());
        r
    };
    let cdx: Value = serde_json::from_slice(&fs::read(&files[0]).unwrap()).unwrap();
    let group = |agg: &str| -> Vec<Value> {
        cdx["compositions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["aggregate"] == agg)
            .map(|c| c["dependencies"].as_array().unwrap().clone())
            .unwrap_or_default()
    };
    assert_eq!(group("incomplete"), refs(false));
    assert_eq!(group("complete"), refs(true));
    let spdx: Value = serde_json::from_slice(&fs::read(&files[2]).unwrap()).unwrap();
    let noassert = spdx["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["relatedSpdxElement"] == "NOASSERTION"
                && r["comment"]
                    .as_str()
                    .is_some_and(|c| c.contains("incomplete"))
        })
        .count();
    assert_eq!(noassert, refs(false).len());
    validate_sboms(&files);
}

/// The dependencies of a POM that Maven passes on (not test, provided or optional), as
/// `groupId:artifactId`, read here with a plain scan of its `<dependency>` blocks.
fn inherited_deps(pom: &str) -> Vec<String> {
    let text = fs::read_to_string(pom).unwrap();
    let deps = text.split("<dependencies>").nth(1).unwrap_or("");
    let deps = deps.split("</dependencies>").next().unwrap();
    let tag = |block: &str, t: &str| {
        block
            .split(&format!("<{t}>"))
            .nth(1)
            .and_then(|r| r.split(&format!("</{t}>")).next())
            .map(|s| s.trim().to_string())
    };
    deps.split("<dependency>")
        .skip(1)
        .filter(|b| {
            !matches!(
                tag(b, "scope").as_deref(),
                Some("test" | "provided" | "system")
            ) && tag(b, "optional").as_deref() != Some("true")
        })
        .map(|b| {
            format!(
                "{}:{}",
                tag(b, "groupId").unwrap(),
                tag(b, "artifactId").unwrap()
            )
        })
        .collect()
}

#[test]
fn maven_edges_come_from_the_poms_of_a_local_repository_in_the_tree() {
    let root = fixture("ecosystems/maven/localrepo");
    let v = scan_tree(&root);
    let plexus = component(&v, "org.eclipse.sisu:org.eclipse.sisu.plexus").unwrap();
    assert_eq!(plexus["dependencies_complete"], true);
    let pom = root.join(
        ".m2/repository/org/eclipse/sisu/org.eclipse.sisu.plexus/0.3.4/org.eclipse.sisu.plexus-0.3.4.pom",
    );
    let want = inherited_deps(pom.to_str().unwrap());
    assert!(want.len() >= 3);
    let edges = v["dependencies"].as_array().unwrap();
    let to: Vec<String> = edges
        .iter()
        .find(|e| e["from"] == plexus["bom_ref"])
        .unwrap()["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    for w in &want {
        let dep = component(&v, w).unwrap_or_else(|| panic!("{w} listed"));
        assert!(
            to.contains(&dep["bom_ref"].as_str().unwrap().to_string()),
            "{w}: {to:?}"
        );
    }
    assert_eq!(
        to.len(),
        want.len(),
        "test/provided/optional ones are not inherited"
    );
    let missing = component(&v, "org.example.ospo:not-in-the-repository").unwrap();
    assert_eq!(missing["dependencies_complete"], false);
}
