//! Reading SBOMs and saved scans back in (`--from`): the official CycloneDX and SPDX
//! example documents and real output of other tools (tests/fixtures/sbom/SOURCES.md), each
//! checked against what the document says; malformed input; lost content as diagnostics;
//! a saved `ospo scan --format json` read back unchanged.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use crate::common::{assert_golden, fixture, ospo};
use ospo::ingest;
use ospo::model::{Component, Scan, Scope, Severity};
use serde_json::Value;

fn sbom(rel: &str) -> PathBuf {
    fixture(&format!("sbom/{rel}"))
}

fn read(rel: &str) -> Scan {
    ingest::read(&sbom(rel)).unwrap_or_else(|e| panic!("{rel}: {e:#}"))
}

fn comp<'a>(s: &'a Scan, bom_ref: &str) -> &'a Component {
    s.components
        .iter()
        .find(|c| c.bom_ref == bom_ref)
        .unwrap_or_else(|| {
            let refs: Vec<&str> = s.components.iter().map(|c| c.bom_ref.as_str()).collect();
            panic!("no component {bom_ref}; have {refs:?}")
        })
}

fn edges(s: &Scan) -> BTreeSet<(String, String)> {
    s.dependencies
        .iter()
        .flat_map(|e| e.to.iter().map(move |t| (e.from.clone(), t.clone())))
        .collect()
}

fn edge_count(s: &Scan) -> usize {
    s.dependencies.iter().map(|e| e.to.len()).sum()
}

/// The diagnostic whose message contains `needle`.
fn diag<'a>(s: &'a Scan, needle: &str) -> &'a ospo::model::Diagnostic {
    s.diagnostics
        .iter()
        .find(|d| d.message.contains(needle))
        .unwrap_or_else(|| {
            let all: Vec<&str> = s.diagnostics.iter().map(|d| d.message.as_str()).collect();
            panic!("no diagnostic with {needle:?}; have {all:?}")
        })
}

/// What a CycloneDX JSON document itself holds: every component (nested ones and
/// metadata.component included) and every dependsOn edge, counted on the raw JSON.
fn cdx_json_counts(rel: &str) -> (usize, usize, Vec<(String, String, String)>) {
    fn walk(v: &Value, out: &mut Vec<(String, String, String)>) {
        for c in v.as_array().into_iter().flatten() {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            out.push((s("name"), s("version"), s("purl")));
            walk(&c["components"], out);
        }
    }
    let v: Value = serde_json::from_str(&fs::read_to_string(sbom(rel)).unwrap()).unwrap();
    let mut comps = Vec::new();
    if v["metadata"]["component"].is_object() {
        walk(
            &Value::Array(vec![v["metadata"]["component"].clone()]),
            &mut comps,
        );
    }
    walk(&v["components"], &mut comps);
    let deps = v["dependencies"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| e["dependsOn"].as_array().map_or(0, Vec::len))
                .sum()
        })
        .unwrap_or(0);
    (comps.len(), deps, comps)
}

// ---------------------------------------------------------------------------------------
// CycloneDX: the specification's own test documents, 1.4 to 1.6, JSON and XML.

#[test]
fn cyclonedx_1_6_example_bom_json_and_xml() {
    for rel in [
        "cyclonedx/valid-bom-1.6.json",
        "cyclonedx/valid-bom-1.6.xml",
    ] {
        let s = read(rel);
        assert_eq!(s.components.len(), 4, "{rel}");
        assert_eq!(
            s.project.as_deref(),
            Some("Acme Application@9.1.1"),
            "{rel}"
        );
        assert_eq!(s.root, sbom(rel).display().to_string());
        assert_eq!(s.tool.name, "ospo");

        let app = comp(&s, "Acme Application@9.1.1");
        assert_eq!(
            (app.name.as_str(), app.version.as_deref()),
            ("Acme Application", Some("9.1.1"))
        );
        assert_eq!(app.concluded, "NOASSERTION");

        let tomcat = comp(
            &s,
            "pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar",
        );
        assert_eq!(tomcat.name, "com.acme:tomcat-catalina");
        assert_eq!(tomcat.version.as_deref(), Some("9.0.14"));
        assert_eq!(tomcat.ecosystem, "maven");
        assert_eq!(tomcat.declared.as_deref(), Some("Apache-2.0"));
        assert_eq!(tomcat.concluded, "Apache-2.0");
        assert_eq!(tomcat.scope, Some(Scope::Required));
        let algs: Vec<&str> = tomcat.hashes.iter().map(|h| h.alg.as_str()).collect();
        assert_eq!(algs, ["MD5", "SHA-1", "SHA-256", "SHA-512"]);
        assert_eq!(
            tomcat.hashes[2].value,
            "f498a8ff2dd007e29c2074f5e4b01a9a01775c3ff3aeaf6906ea503bc5791b7b"
        );

        // A deprecated id in an expression is read as the current one, the text kept.
        let lib = comp(
            &s,
            "pkg:maven/com.example/myapplication@1.0.0?packaging=war",
        );
        assert_eq!(lib.name, "org.example:mylibrary");
        assert_eq!(
            lib.declared.as_deref(),
            Some("EPL-2.0 OR GPL-2.0-only WITH Classpath-exception-2.0")
        );
        assert_eq!(
            lib.declared_raw.as_deref(),
            Some("EPL-2.0 OR GPL-2.0-with-classpath-exception")
        );
        assert_eq!(lib.supplier.as_deref(), Some("Example, Inc."));

        // A license by name only: a LicenseRef that keeps the words.
        let fw = comp(&s, "pkg:maven/com.example/myframework@1.0.0?packaging=war");
        assert!(fw.concluded.starts_with("LicenseRef-"), "{}", fw.concluded);
        assert_eq!(fw.declared_raw.as_deref(), Some("Some random license"));
        assert_eq!(
            fw.homepage.as_deref(),
            Some("http://example.com/myframework")
        );

        assert_eq!(
            edges(&s),
            BTreeSet::from([(
                "pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar".to_string(),
                "pkg:maven/com.example/myapplication@1.0.0?packaging=war".to_string()
            )])
        );
        // The embedded license text and pedigree are reported, not dropped; the
        // component's copyright text is kept.
        assert_eq!(diag(&s, "license texts").severity, Severity::Warning);
        assert!(s
            .components
            .iter()
            .any(|c| c.copyrights == ["Copyright Example Inc. All rights reserved."]));
        assert!(diag(&s, "component fields")
            .message
            .contains("pedigree (1)"));
    }
    assert_eq!(cdx_json_counts("cyclonedx/valid-bom-1.6.json").0, 4);
}

#[test]
fn cyclonedx_1_4_and_1_5_example_boms() {
    for v in ["1.4", "1.5"] {
        // The JSON examples name components by their own bom-refs and carry a dependency.
        let rel = format!("cyclonedx/valid-bom-{v}.json");
        let s = read(&rel);
        let (n, deps, raw) = cdx_json_counts(&rel);
        assert_eq!((s.components.len(), n), (3, 3), "{rel}");
        assert_eq!(edge_count(&s), deps, "{rel}");
        for (name, version, purl) in &raw {
            assert!(
                s.components.iter().any(|c| c.name.ends_with(name.as_str())
                    && c.version.as_deref() == Some(version.as_str())
                    && c.purl.as_deref().unwrap_or("") == purl),
                "{rel}: {name} {version} {purl}"
            );
        }
        let c = comp(&s, "pkg:npm/acme/component@1.0.0");
        assert_eq!(c.concluded, "Apache-2.0");
        assert_eq!(c.ecosystem, "npm");
        // The XML examples list one more component and no dependencies.
        let s = read(&format!("cyclonedx/valid-bom-{v}.xml"));
        assert_eq!(s.components.len(), 4, "{v} xml");
        assert_eq!(edge_count(&s), 0);
        assert_eq!(
            comp(&s, "pkg:maven/com.example/myframework@1.0.0?packaging=war")
                .declared_raw
                .as_deref(),
            Some("Some random license")
        );
        assert!(s
            .diagnostics
            .iter()
            .all(|d| !d.message.contains("not a supported version")));
    }
}

#[test]
fn cyclonedx_dependency_examples_in_every_version_and_encoding() {
    for v in ["1.4", "1.5", "1.6"] {
        for ext in ["json", "xml"] {
            let rel = format!("cyclonedx/valid-dependency-{v}.{ext}");
            let s = read(&rel);
            let refs: Vec<&str> = s.components.iter().map(|c| c.bom_ref.as_str()).collect();
            assert_eq!(refs, ["library-a", "library-b", "library-c"], "{rel}");
            assert!(s
                .components
                .iter()
                .all(|c| c.version.as_deref() == Some("1.0.0")));
            assert_eq!(
                edges(&s),
                BTreeSet::from([("library-b".to_string(), "library-c".to_string())]),
                "{rel}"
            );
            // library-a's entry is kept, with no targets.
            assert!(s
                .dependencies
                .iter()
                .any(|e| e.from == "library-a" && e.to.is_empty()));
        }
    }
}

#[test]
fn cyclonedx_license_forms() {
    for ext in ["json", "xml"] {
        let tomcat = "pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar";
        let s = read(&format!("cyclonedx/valid-license-id-1.6.{ext}"));
        let c = comp(&s, tomcat);
        assert_eq!(
            (c.declared.as_deref(), c.declared_raw.as_deref()),
            (Some("Apache-2.0"), None)
        );
        let s = read(&format!("cyclonedx/valid-license-name-1.6.{ext}"));
        let c = comp(&s, tomcat);
        assert_eq!(c.concluded, "Apache-2.0");
        assert_eq!(c.declared_raw.as_deref(), Some("Apache License 2.0"));
        assert!(
            c.notes.iter().any(|n| n.contains("Apache License 2.0")),
            "{:?}",
            c.notes
        );
        let s = read(&format!("cyclonedx/valid-license-expression-1.6.{ext}"));
        assert_eq!(
            comp(&s, tomcat).concluded,
            "EPL-2.0 OR GPL-2.0-only WITH Classpath-exception-2.0"
        );
    }
}

#[test]
fn cyclonedx_evidence_hashes_and_what_is_lost() {
    for ext in ["json", "xml"] {
        let s = read(&format!("cyclonedx/valid-evidence-1.6.{ext}"));
        let c = comp(
            &s,
            "pkg:maven/com.google.code.findbugs/findbugs-project@3.0.0",
        );
        assert_eq!(c.declared.as_deref(), Some("LGPL-3.0-or-later"));
        assert_eq!(c.detected.as_deref(), Some("Apache-2.0 AND LGPL-2.1-only"));
        // Copyright evidence is kept on the component.
        assert_eq!(c.copyrights.len(), 4, "{:?}", c.copyrights);
        assert!(diag(&s, "evidence occurrences").message.contains(" 2 "));

        let s = read(&format!("cyclonedx/valid-vulnerability-1.6.{ext}"));
        assert_eq!(s.components.len(), 1);
        assert_eq!(
            diag(&s, "vulnerabilities").message,
            "not carried over: 1 vulnerabilities"
        );

        let s = read(&format!("cyclonedx/valid-service-1.6.{ext}"));
        assert_eq!(
            comp(&s, "pkg:maven/com.acme/stock-java-client@1.0.12").concluded,
            "Apache-2.0"
        );
        assert_eq!(diag(&s, "services").severity, Severity::Warning);
        // The client's edge to the service cannot be an edge between components.
        diag(&s, "dependency edges to refs that name no component");

        let s = read(&format!("cyclonedx/valid-compositions-1.6.{ext}"));
        assert_eq!(s.project.as_deref(), Some("acme-application-1.0"));
        assert_eq!(edge_count(&s), 3);
        assert_eq!(
            diag(&s, "compositions").message,
            "not carried over: 3 compositions"
        );

        let s = read(&format!("cyclonedx/valid-annotation-1.6.{ext}"));
        diag(&s, "annotations");

        let s = read(&format!("cyclonedx/valid-component-hashes-1.6.{ext}"));
        let algs: BTreeSet<&str> = s.components[0]
            .hashes
            .iter()
            .map(|h| h.alg.as_str())
            .collect();
        assert!(
            algs.contains("SHA-256") && algs.contains("SHA-512"),
            "{algs:?}"
        );

        // Tools only, no components: an empty but valid model.
        let s = read(&format!("cyclonedx/valid-metadata-tool-1.6.{ext}"));
        assert!(s.components.is_empty() && s.dependencies.is_empty());
    }
}

/// Real output of another tool (cyclonedx-py), in JSON 1.6 and XML 1.5: the same
/// environment, so the same components, licenses and graph.
#[test]
fn cyclonedx_py_output_json_and_xml_agree() {
    let rel = "cyclonedx/cyclonedx-py_with-extras_1.6.json";
    let json = read(rel);
    let (n, deps, _) = cdx_json_counts(rel);
    assert_eq!((json.components.len(), n), (32, 32));
    assert_eq!((edge_count(&json), deps), (37, 37));
    assert_eq!(json.project.as_deref(), Some("root-component"));
    let lib = comp(&json, "cyclonedx-python-lib==11.2.0");
    assert_eq!(
        lib.purl.as_deref(),
        Some("pkg:pypi/cyclonedx-python-lib@11.2.0")
    );
    assert_eq!(lib.ecosystem, "pypi");
    // Two declared licenses (an id and a trove classifier) that say the same thing.
    assert_eq!(lib.concluded, "Apache-2.0");
    let arrow = comp(&json, "arrow==1.3.0");
    assert_eq!(arrow.concluded, "Apache-2.0");
    assert_eq!(
        arrow.declared_raw.as_deref(),
        Some("License :: OSI Approved :: Apache Software License")
    );
    assert_eq!(comp(&json, "attrs==25.4.0").concluded, "MIT");
    assert!(edges(&json).contains(&(
        "root-component".to_string(),
        "cyclonedx-python-lib==11.2.0".to_string()
    )));
    assert!(edges(&json).contains(&(
        "arrow==1.3.0".to_string(),
        "python-dateutil==2.9.0.post0".to_string()
    )));

    let xml = read("cyclonedx/cyclonedx-py_with-extras_1.5.xml");
    assert_eq!(xml.components, json.components);
    assert_eq!(xml.dependencies, json.dependencies);
}

// ---------------------------------------------------------------------------------------
// SPDX: the specification's examples (2.2 and 2.3, JSON and tag-value) and real output.

fn check_spdx_example(s: &Scan, rel: &str) {
    assert_eq!(s.root, "SPDX-Tools-v2.0", "{rel}");
    assert_eq!(s.components.len(), 4, "{rel}");
    assert_eq!(s.project.as_deref(), Some("glibc@2.11.1"), "{rel}");
    let glibc = comp(s, "glibc@2.11.1");
    assert_eq!(
        glibc.declared.as_deref(),
        Some("LGPL-2.0-only AND LicenseRef-3")
    );
    assert_eq!(glibc.concluded, "LGPL-2.0-only OR LicenseRef-3");
    assert_eq!(
        glibc.detected.as_deref(),
        Some("GPL-2.0-only AND LicenseRef-1 AND LicenseRef-2")
    );
    assert_eq!(
        glibc.supplier.as_deref(),
        Some("Jane Doe <jane.doe@example.com>")
    );
    assert_eq!(
        glibc.homepage.as_deref(),
        Some("http://ftp.gnu.org/gnu/glibc")
    );
    assert!(glibc
        .hashes
        .iter()
        .any(|h| h.alg == "SHA-1" && h.value == "85ed0817af83a24ad8da68c2b5094de69833983c"));
    let jena = comp(s, "pkg:maven/org.apache.jena/apache-jena@3.12.0");
    assert_eq!(
        (jena.name.as_str(), jena.version.as_deref()),
        ("Jena", Some("3.12.0"))
    );
    assert_eq!(jena.ecosystem, "maven");
    assert_eq!(comp(s, "Saxon@8.8").concluded, "MPL-1.0");
    // NOASSERTION everywhere: nothing is known, and nothing is made up.
    let lang = comp(s, "Apache Commons Lang");
    assert_eq!(
        (lang.declared.as_deref(), lang.concluded.as_str()),
        (None, "NOASSERTION")
    );
    // DYNAMIC_LINK is a dependency; CONTAINS a file is ownership, not an edge.
    assert_eq!(
        edges(s),
        BTreeSet::from([("glibc@2.11.1".to_string(), "Saxon@8.8".to_string())]),
        "{rel}"
    );
    let jar = s
        .files
        .iter()
        .find(|f| f.path == "lib-source/jena-2.6.3-sources.jar")
        .unwrap_or_else(|| panic!("{rel}: {:?}", s.files));
    assert_eq!(jar.component.as_deref(), Some("glibc@2.11.1"));
    assert_eq!(jar.licenses[0].expression, "LicenseRef-1");
    assert_eq!(
        jar.sha1.as_deref(),
        Some("3ab4e1c67a2d28fced849ee1bb76e7391b93f125")
    );
    assert_eq!(
        jar.copyrights,
        vec!["(c) Copyright 2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009 Hewlett-Packard Development Company, LP"]
    );
    let foo_c = s.files.iter().find(|f| f.path == "package/foo.c").unwrap();
    let ids: Vec<&str> = foo_c
        .licenses
        .iter()
        .map(|l| l.expression.as_str())
        .collect();
    assert_eq!(ids, ["GPL-2.0-only", "LicenseRef-2"]);
    assert_eq!(foo_c.component, None, "{rel}: foo.c belongs to no package");
    // Lost content, one diagnostic per kind with its count.
    assert_eq!(diag(s, "snippets").message, "not carried over: 1 snippets");
    assert_eq!(diag(s, "snippets").severity, Severity::Warning);
    assert!(diag(s, "extracted license texts")
        .message
        .starts_with("not carried over: 5 "));
    assert!(diag(s, "relationships that are not package dependencies")
        .message
        .contains("GENERATED_FROM (2)"));
    diag(s, "other SPDX documents");
    diag(s, "annotations");
    assert!(s
        .diagnostics
        .iter()
        .all(|d| d.path.as_deref() == Some(sbom(rel).display().to_string().as_str())));
}

#[test]
fn spdx_2_3_examples_json_and_tag_value() {
    let json = read("spdx/SPDXJSONExample-v2.3.spdx.json");
    check_spdx_example(&json, "spdx/SPDXJSONExample-v2.3.spdx.json");
    assert_eq!(json.files.len(), 5);
    let tv = read("spdx/SPDXTagExample-v2.3.spdx");
    check_spdx_example(&tv, "spdx/SPDXTagExample-v2.3.spdx");
    // The two encodings of one document read the same.
    assert_eq!(tv.components, json.components);
    assert_eq!(tv.dependencies, json.dependencies);
    assert_eq!(tv.files, json.files);
}

#[test]
fn spdx_2_2_examples_json_and_tag_value() {
    let json = read("spdx/SPDXJSONExample-v2.2.spdx.json");
    check_spdx_example(&json, "spdx/SPDXJSONExample-v2.2.spdx.json");
    let tv = read("spdx/SPDXTagExample-v2.2.spdx");
    check_spdx_example(&tv, "spdx/SPDXTagExample-v2.2.spdx");
    assert_eq!(json.files.len(), 4);
    assert_eq!(tv.components, json.components);
    assert_eq!(tv.files, json.files);
}

#[test]
fn spdx_real_tool_output() {
    // trivy, JSON: 514 packages of a container image; `spdxVersion` comes after them.
    let s = read("spdx/trivy-fluentd.spdx.json");
    assert_eq!(s.components.len(), 514);
    assert_eq!(edge_count(&s), 513);
    assert_eq!(s.files.len(), 91);
    let apt = comp(&s, "pkg:deb/debian/apt@1.8.2.2?distro=debian-10.8");
    assert_eq!((apt.name.as_str(), apt.ecosystem.as_str()), ("apt", "deb"));
    assert_eq!(apt.declared.as_deref(), Some("GPL-2.0-only"));
    assert_eq!(apt.declared_raw.as_deref(), Some("GPL-2.0"));
    assert!(edges(&s).contains(&(
        "debian@10.8".to_string(),
        "pkg:deb/debian/apt@1.8.2.2?distro=debian-10.8".to_string()
    )));
    // trivy wrote `DESCRIBE`, which is no SPDX relationship: said, not guessed at.
    assert!(diag(&s, "relationships that are not")
        .message
        .contains("DESCRIBE (1)"));
    assert_eq!(s.project, None);

    // syft, tag-value.
    let s = read("spdx/syft-sample.spdx");
    assert_eq!(s.root, "user-image-input");
    let refs: Vec<&str> = s.components.iter().map(|c| c.bom_ref.as_str()).collect();
    assert_eq!(refs, ["a-purl-1", "pkg:deb/debian/package-2@2.0.1"]);
    let p1 = comp(&s, "a-purl-1");
    assert_eq!(
        (p1.name.as_str(), p1.version.as_deref()),
        ("package-1", Some("1.0.1"))
    );
    assert_eq!(
        (p1.declared.as_deref(), p1.concluded.as_str()),
        (Some("MIT"), "MIT")
    );
    assert_eq!(p1.ecosystem, "unknown");
    let p2 = comp(&s, "pkg:deb/debian/package-2@2.0.1");
    assert_eq!(
        (p2.concluded.as_str(), p2.ecosystem.as_str()),
        ("NOASSERTION", "deb")
    );
    assert_eq!(s.project, None, "the document describes only itself");

    // trivy, tag-value: one package the document describes.
    let s = read("spdx/trivy-pom.spdx");
    assert_eq!(s.components.len(), 1);
    assert_eq!(
        s.project.as_deref(),
        Some("metadata/java/alibaba_arthas_pom.xml")
    );

    // sbom4python, tag-value: 66 packages, 93 DEPENDS_ON.
    let s = read("spdx/sbom4python-sample.spdx");
    assert_eq!(s.components.len(), 66);
    assert_eq!(edge_count(&s), 93);
    assert_eq!(s.project.as_deref(), Some("pkg:pypi/cve-bin-tool@3.3"));
    let aiohttp = s.components.iter().find(|c| c.name == "aiohttp").unwrap();
    assert!(aiohttp
        .purl
        .as_deref()
        .unwrap()
        .starts_with("pkg:pypi/aiohttp@"));
    assert!(edges(&s).contains(&(
        "pkg:pypi/cve-bin-tool@3.3".to_string(),
        aiohttp.bom_ref.clone()
    )));

    // vcpkg, JSON: files contained by the port package.
    let s = read("spdx/vcpkg-sample.spdx.json");
    assert_eq!(s.components.len(), 2);
    assert_eq!(s.files.len(), 5);
    let port = s
        .components
        .iter()
        .find(|c| c.name == "vcpkg-cmake-config")
        .unwrap();
    assert_eq!(port.concluded, "MIT");
    assert!(s
        .files
        .iter()
        .all(|f| f.component.as_deref() == Some(port.bom_ref.as_str())));
}

// ---------------------------------------------------------------------------------------
// Malformed input and the saved scan.

/// A document that cannot be read is an error naming the file and, where the parser says,
/// the line: tests/golden/messages/ingest-errors.txt.
#[test]
fn malformed_documents_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("bad.cdx.json", "{\n  \"bomFormat\": \"CycloneDX\",\n  \"components\": [\n    {\"name\": \"x\",}\n  ]\n}\n"),
        ("bad.cdx.xml", "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components>\n</bom>\n"),
        ("bad.spdx.json", "{\"spdxVersion\": \"SPDX-2.3\",\n\"packages\": [\n{\"name\": }]}"),
        ("bad.spdx", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nPackageName: x\njust words\n"),
        ("notes.txt", "hello\n"),
        ("scan.json", "{\"format_version\": 1, \"tool\": 3}"),
        ("missing.json", ""),
    ];
    let mut all = String::new();
    for (name, content) in cases {
        let p = dir.path().join(name);
        if name != "missing.json" {
            fs::write(&p, content).unwrap();
        }
        let e = format!("{:#}", ingest::read(&p).unwrap_err());
        assert!(e.contains(&p.display().to_string()), "{name}: {e}");
        all.push_str(&format!("{name}:\n  {e}\n"));
    }
    let all = all.replace(&dir.path().display().to_string(), "<dir>");
    assert_golden("messages/ingest-errors.txt", &all);
}

/// `ospo scan --format json -o x.json`, read back: the same scan, byte for byte.
#[test]
fn saved_scan_reads_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.json");
    let status = ospo()
        .args([
            "scan",
            "tests/fixtures/ecosystems/npm",
            "--format",
            "json",
            "-q",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let saved = fs::read_to_string(&out).unwrap();
    let scan = ingest::read(&out).unwrap();
    assert!(!scan.components.is_empty(), "the fixture has components");
    assert!(!scan.dependencies.is_empty(), "the fixture has edges");
    assert_eq!(scan.root, "tests/fixtures/ecosystems/npm");
    let again = serde_json::to_string_pretty(&scan).unwrap();
    assert_eq!(again.trim_end(), saved.trim_end());
    assert_eq!(scan, serde_json::from_str::<Scan>(&saved).unwrap());
}

/// Reading is deterministic: the same document gives the same model every time.
#[test]
fn reading_is_deterministic() {
    for rel in [
        "cyclonedx/cyclonedx-py_with-extras_1.6.json",
        "spdx/SPDXTagExample-v2.3.spdx",
    ] {
        let a = serde_json::to_string(&read(rel)).unwrap();
        let b = serde_json::to_string(&read(rel)).unwrap();
        assert_eq!(a, b, "{rel}");
    }
}
