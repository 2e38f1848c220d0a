//! Licenses anywhere in a tree (issue 11): `ospo scan` on real files that keep their
//! license where real projects do (tests/fixtures/anywhere/, origins in SOURCES.md): a
//! text under docs/, a docstring, below the #includes, banners inside minified code, at
//! the end of a single-header library, in an HTML page; and the texts that used to come
//! out wrong (GPL-2.0 without its appendix, AFL-2.1, the GFDL).

use crate::common::*;
use std::collections::BTreeMap;

/// `ospo scan tests/fixtures/anywhere --files-only`: path -> [(expression, kind, line)].
fn scan() -> BTreeMap<String, Vec<(String, String, u64)>> {
    let (v, _) = run_json(&[
        "scan",
        "tests/fixtures/anywhere",
        "--files-only",
        "--format",
        "json",
        "-q",
    ]);
    v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let found = licenses(f)
                .iter()
                .map(|m| {
                    (
                        m["expression"].as_str().unwrap().to_string(),
                        m["kind"].as_str().unwrap().to_string(),
                        m["start_line"].as_u64().unwrap(),
                    )
                })
                .collect();
            (f["path"].as_str().unwrap().to_string(), found)
        })
        .collect()
}

fn found<'a>(all: &'a BTreeMap<String, Vec<(String, String, u64)>>, path: &str) -> Vec<&'a str> {
    all.get(path)
        .unwrap_or_else(|| panic!("{path} has no record: {all:#?}"))
        .iter()
        .map(|(e, _, _)| e.as_str())
        .collect()
}

#[test]
fn licenses_away_from_license_files_are_found() {
    let all = scan();
    // A full text in docs/terms.txt, not a license-named file.
    assert_eq!(
        all["docs/terms.txt"],
        [("Apache-2.0".into(), "text".into(), 2)]
    );
    // "Licensed under terms of MIT license" in a module docstring.
    assert_eq!(found(&all, "docopt.py"), ["MIT"]);
    // The BSD text on line 72, after the LGPL header and the #includes.
    let ip = &all["include/netinet/ip.h"];
    assert_eq!(ip[0].0, "LGPL-2.1-or-later");
    assert_eq!((ip[1].0.as_str(), ip[1].2), ("BSD-3-Clause", 72));
    // Both banners of the bundle: DOMPurify's (Apache-2.0 and MPL-2.0), then lodash's.
    assert_eq!(
        found(&all, "dist/bundle.min.js"),
        ["Apache-2.0", "MPL-2.0", "MIT"]
    );
    // stb's "ALTERNATIVE A - MIT / ALTERNATIVE B - Public Domain" at the end of the file.
    let stb = &all["stb_image.h"];
    let last = stb.last().unwrap();
    assert_eq!((last.0.as_str(), last.2), ("MIT OR Unlicense", 49));
    // A license sentence in an HTML page.
    assert_eq!(found(&all, "html/README.html"), ["MIT"]);
    // A one-line license URL, no keyword in it: a short prose file is matched whole.
    assert_eq!(
        found(&all, "docs/nuget-license-url.txt"),
        ["LicenseRef-scancode-proprietary-license"]
    );
}

#[test]
fn texts_that_used_to_be_misread() {
    let all = scan();
    // GPL-2.0 cut at END OF TERMS AND CONDITIONS is GPL-2.0, not network copyleft.
    assert_eq!(
        found(&all, "common-licenses/GPL-2-cut-at-end-of-terms"),
        ["GPL-2.0-only"]
    );
    // Valid SPDX ids for the GFDL texts.
    assert_eq!(found(&all, "common-licenses/GFDL-1.2"), ["GFDL-1.2-only"]);
    assert_eq!(found(&all, "common-licenses/GFDL-1.3"), ["GFDL-1.3-only"]);
    // "Academic Free License version 2.1": AFL-2.1, offered beside BSD-3-Clause.
    let js = found(&all, "json-schema-0.4.0.LICENSE");
    assert_eq!(js[0], "AFL-2.1 OR BSD-3-Clause");
    assert!(
        js.contains(&"AFL-2.1") && js.contains(&"BSD-3-Clause"),
        "{js:?}"
    );
    assert!(
        !js.iter()
            .any(|e| e.contains("AFL-2.0") || e.contains("AFL-3.0")),
        "{js:?}"
    );
    // A README's contribution clause licenses contributions "as above": no license (and
    // no LLVM exception) of its own.
    assert_eq!(
        found(&all, "readme/profiling-1.0.18-README.md"),
        ["Apache-2.0 OR MIT", "Apache-2.0", "MIT"]
    );
    assert_eq!(found(&all, "readme/bytes-1.12.2-README.md"), ["MIT"]);
    // Notices that differ from another license's only in the name and version: the
    // verbatim rule wins over an alignment with the other license that skips those words.
    assert_eq!(found(&all, "variants/config.mak"), ["NPL-1.1"]);
    assert_eq!(found(&all, "variants/mpl-1.1.sh"), ["MPL-1.1"]);
    // A BSD-3-Clause text whose first clauses match exactly: the rest is aligned with the
    // BSD-3-Clause text that holds them too, not a variant that merely ties on the rest.
    assert_eq!(found(&all, "variants/dhclient.c"), ["BSD-3-Clause"]);
    // A near tie between BSD-3-Clause and a ScanCode variant of it goes to BSD-3-Clause.
    assert_eq!(
        found(&all, "variants/cryptography-LICENSE.BSD"),
        ["BSD-3-Clause"]
    );
    // A BSD-3-Clause text with its own disclaimer wording ("PROVIDED ''AS IS''"): aligned
    // slightly better with a plain BSD-3-Clause text ScanCode files under `bsd-x11`, but
    // within 2% the license SPDX lists wins.
    assert_eq!(
        found(&all, "variants/bsd-3-clause-as-is.txt"),
        ["BSD-3-Clause"]
    );
    // A GPL notice in its own words, "under version 3 of the License": GPL-3.0-only, and
    // its "See the GNU General Public License" is that notice's echo, not GPL-1.0-or-later.
    assert_eq!(
        found(&all, "variants/gpl-header-version-3.txt"),
        ["GPL-3.0-only"]
    );
    // An MIT text inside a source map's JSON string, a `\n` before every line: MIT, not
    // the proprietary-license variant an alignment through "nthe", "npermission" found.
    assert_eq!(found(&all, "dist/jest-transformer.js.map"), ["MIT"]);
    // An RTF document saved by WordPad ends in a NUL byte, and its control words stand
    // between the words: text all the same, and the notice on the lines of the file.
    let rtf = &all["installer/License.rtf"];
    assert_eq!(rtf[0].0, "LGPL-2.1-only", "{rtf:?}");
    assert_eq!(rtf[0].2, 5, "{rtf:?}");
    // Every id ospo writes is a valid SPDX id (or a LicenseRef-).
    for (path, ms) in &all {
        for (e, _, _) in ms {
            for id in e.split([' ', '(', ')']).filter(|t| !t.is_empty()) {
                if matches!(id, "AND" | "OR" | "WITH") || id.starts_with("LicenseRef-") {
                    continue;
                }
                assert!(
                    spdx::license_id(id).is_some() || spdx::exception_id(id).is_some(),
                    "{path}: {id} is not an SPDX id"
                );
            }
        }
    }
}

#[test]
fn detect_reads_them_the_same_way() {
    let out = ospo()
        .args(["detect", "tests/fixtures/anywhere"])
        .output()
        .expect("run ospo");
    assert_eq!(out.status.code(), Some(0));
    assert_golden("detect/anywhere.txt", &String::from_utf8_lossy(&out.stdout));
}

/// Every fixture holds a license, so every one has a record with at least one finding.
#[test]
fn every_fixture_has_a_finding() {
    let all = scan();
    assert_eq!(all.len(), 21, "{:?}", all.keys().collect::<Vec<_>>());
    assert!(all.values().all(|ms| !ms.is_empty()), "{all:#?}");
}

/// The license text a scan records for a NOTICE is an RTF document's words, not its
/// markup: the same decoding as detection's.
#[test]
fn an_rtf_license_file_is_recorded_as_its_words() {
    let (v, _) = run_json(&[
        "scan",
        "tests/fixtures/anywhere/installer",
        "--files-only",
        "--format",
        "json",
        "-q",
    ]);
    let rec = &v["files"][0];
    assert_eq!(rec["path"], "License.rtf", "{v:#}");
    let text = v["texts"][rec["sha256"].as_str().unwrap()]
        .as_str()
        .unwrap_or_else(|| panic!("no recorded text: {v:#}"));
    assert!(
        text.contains("GNU Lesser General Public \nLicense"),
        "{text}"
    );
    assert!(!text.contains('\\') && !text.contains('{'), "{text}");
    // Line for line: the file's 18 line breaks are all there.
    assert_eq!(text.matches('\n').count(), 18, "{text}");
}
