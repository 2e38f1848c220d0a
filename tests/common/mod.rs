//! Helpers shared by the integration tests (each test file uses a part of them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command as Std;
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// The SPDX tag keyword, split in the source so that scanning this repository does not
/// take the test data in string literals for tags of the test code itself.
pub const TAG: &str = concat!("SPDX-", "License-", "Identifier");

/// Matches below this score are not licenses (the matcher's threshold for license files).
pub const THRESHOLD: f64 = 0.85;

/// The crate root: fixture paths in the tests are relative to it.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// The `ospo` binary, run from the crate root, with a timeout so a hang fails the test.
pub fn ospo() -> Command {
    let mut cmd = Command::cargo_bin("ospo").expect("ospo binary");
    cmd.current_dir(root())
        .timeout(Duration::from_secs(120))
        .env("NO_COLOR", "1")
        // No test shares the user's result cache; tests/cache.rs turns it on where it is
        // the subject.
        .env("OSPO_NO_CACHE", "1")
        // The repository's own ospo.toml (which excludes the fixtures) is found above every
        // fixture; tests/config.rs removes this where the config is the subject.
        .env("OSPO_NO_CONFIG", "1");
    cmd
}

/// Run `ospo <args>`, expect exit 0, and parse stdout as JSON. Returns (json, stderr).
pub fn run_json(args: &[&str]) -> (Value, String) {
    let out = ospo().args(args).output().expect("run ospo");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "ospo {args:?} failed\nstdout: {}\nstderr: {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "ospo {args:?}: stdout is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (v, stderr)
}

/// `ospo scan PATH --format json --no-caches`: the Scan (no package caches of this
/// machine, so the result depends on the tree alone).
pub fn scan_tree(path: &Path) -> Value {
    let p = path.to_str().expect("UTF-8 fixture path");
    run_json(&["scan", p, "--format", "json", "--no-caches"]).0
}

/// The scan's components of one ecosystem (`cargo`, `npm`, `deb`, ...).
pub fn components_of<'a>(scan: &'a Value, ecosystem: &str) -> Vec<&'a Value> {
    scan["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ecosystem"] == ecosystem)
        .collect()
}

/// The scan's component whose `key` (`bom_ref`, `name`) is `value`; panics if none.
pub fn component_by<'a>(scan: &'a Value, key: &str, value: &str) -> &'a Value {
    scan["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[key] == value)
        .unwrap_or_else(|| {
            panic!(
                "no component with {key} {value} in {:#}",
                scan["components"]
            )
        })
}

/// `ospo detect FILE --format json`: the one FileRecord.
pub fn detect_one(path: &Path) -> Value {
    let p = path.to_str().expect("UTF-8 fixture path");
    let (v, _) = run_json(&["detect", p, "--format", "json"]);
    let files = v.as_array().expect("detect --format json prints an array");
    assert_eq!(files.len(), 1, "one record for {p}: {v:#}");
    files[0].clone()
}

/// The `licenses` of a record (absent = none).
pub fn licenses(record: &Value) -> Vec<Value> {
    record
        .get("licenses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The expressions of a record's licenses, in file order.
pub fn expressions(record: &Value) -> Vec<String> {
    licenses(record)
        .iter()
        .map(|m| m["expression"].as_str().unwrap().to_string())
        .collect()
}

pub fn copyrights(record: &Value) -> Vec<String> {
    record
        .get("copyrights")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|c| c.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

pub fn lines(m: &Value) -> (u64, u64) {
    (
        m["start_line"].as_u64().unwrap(),
        m["end_line"].as_u64().unwrap(),
    )
}

pub fn score(m: &Value) -> f64 {
    m["score"].as_f64().unwrap()
}

/// The record of `path` in a scan's `files`.
pub fn file<'a>(scan: &'a Value, path: &str) -> Option<&'a Value> {
    scan["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
}

pub fn paths(scan: &Value) -> Vec<String> {
    scan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

/// Every difference between two JSON values, one line each, as `/json/pointer: ...`.
pub fn json_diff(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff_at("", expected, actual, &mut out);
    out
}

fn diff_at(at: &str, e: &Value, a: &Value, out: &mut Vec<String>) {
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            for (k, ev) in eo {
                let p = format!("{at}/{k}");
                match ao.get(k) {
                    Some(av) => diff_at(&p, ev, av, out),
                    None => out.push(format!("{p}: missing (expected {ev})")),
                }
            }
            for (k, av) in ao {
                if !eo.contains_key(k) {
                    out.push(format!("{at}/{k}: unexpected {av}"));
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) => {
            for i in 0..ea.len().max(aa.len()) {
                // Name records by their path: "/files/4(csrc/driver.h)/licenses/0/kind".
                let name = ea
                    .get(i)
                    .or(aa.get(i))
                    .and_then(|v| v.get("path"))
                    .and_then(Value::as_str);
                let p = match name {
                    Some(n) => format!("{at}/{i}({n})"),
                    None => format!("{at}/{i}"),
                };
                match (ea.get(i), aa.get(i)) {
                    (Some(ev), Some(av)) => diff_at(&p, ev, av, out),
                    (Some(ev), None) => out.push(format!("{p}: missing (expected {ev})")),
                    (None, Some(av)) => out.push(format!("{p}: unexpected {av}")),
                    (None, None) => {}
                }
            }
        }
        _ if e != a => out.push(format!("{at}: expected {e}, got {a}")),
        _ => {}
    }
}

/// The Python validators of tests/validators.txt (schemas, cyclonedx-python-lib, spdx-tools,
/// the NTIA checker), installed once into target/sbom-validators; None when
/// OSPO_SKIP_VALIDATORS is set.
pub fn validators() -> Option<PathBuf> {
    static PY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    if std::env::var_os("OSPO_SKIP_VALIDATORS").is_some_and(|v| v != "0") {
        eprintln!("SKIPPED: OSPO_SKIP_VALIDATORS is set; the SBOM validators did not run");
        return None;
    }
    match PY.get_or_init(install_validators) {
        Ok(p) => Some(p.clone()),
        Err(e) => panic!("{e}"),
    }
}

fn install_validators() -> Result<PathBuf, String> {
    let dir = root().join("target/sbom-validators");
    let python = dir.join("bin/python");
    let stamp = dir.join("installed-from.txt");
    let wanted = std::fs::read_to_string(root().join("tests/validators.txt")).unwrap();
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) && python.exists() {
        return Ok(python);
    }
    let hint = "the SBOM validator tests need python3 (with venv) and PyPI to install \
                tests/validators.txt; set OSPO_SKIP_VALIDATORS=1 to skip them";
    let _ = std::fs::remove_dir_all(&dir);
    let run = |cmd: &mut Std| -> Result<(), String> {
        let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}; {hint}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{cmd:?} failed: {}{}; {hint}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(Std::new("python3").args(["-m", "venv"]).arg(&dir))?;
    run(Std::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        root().join("tests/validators.txt").to_str().unwrap(),
    ]))?;
    std::fs::write(&stamp, wanted).unwrap();
    Ok(python)
}

/// Run tests/validate_sbom.py over `files`: every one must be reported ok.
pub fn validate_sboms(files: &[PathBuf]) {
    let Some(python) = validators() else { return };
    let out = Std::new(python)
        .arg(root().join("tests/validate_sbom.py"))
        .args(files)
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{report}");
    assert!(out.status.success(), "SBOM validation failed:\n{report}");
    assert_eq!(
        report.matches(": ok").count(),
        files.len(),
        "every file is reported ok:\n{report}"
    );
}

/// Whether this run rewrites golden files instead of comparing them (`UPDATE_GOLDEN=1`).
pub fn updating_golden() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v != "0")
}

/// The one snapshot mechanism of the tests: compare `actual` with the golden file
/// `tests/golden/<rel>`. On a difference the output is written beside it as
/// `<rel>.actual` (git-ignored) and the error names the first differing lines (for JSON,
/// every differing value by its JSON pointer); with `UPDATE_GOLDEN=1` the golden file is
/// (re)written instead, to be reviewed with `git diff tests/golden`.
pub fn check_golden(rel: &str, actual: &str) -> Result<(), String> {
    let path = root().join("tests/golden").join(rel);
    let actual_path = root().join(format!("tests/golden/{rel}.actual"));
    if updating_golden() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        let _ = std::fs::remove_file(&actual_path);
        eprintln!("wrote {}", path.display());
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path)
        .map_err(|e| format!("tests/golden/{rel}: {e} (UPDATE_GOLDEN=1 writes it)"))?;
    if expected == actual {
        let _ = std::fs::remove_file(&actual_path);
        return Ok(());
    }
    std::fs::write(&actual_path, actual).unwrap();
    let json = |s: &str| serde_json::from_str::<Value>(s).ok();
    let diff: Vec<String> = match (rel.ends_with(".json"), json(&expected), json(actual)) {
        (true, Some(e), Some(a)) if e != a => json_diff(&e, &a).into_iter().take(20).collect(),
        _ => expected
            .lines()
            .map(Some)
            .chain(std::iter::repeat(None))
            .zip(actual.lines().map(Some).chain(std::iter::repeat(None)))
            .take_while(|(e, a)| e.is_some() || a.is_some())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .map(|(i, (e, a))| {
                format!(
                    "line {}:\n  expected: {}\n  actual:   {}",
                    i + 1,
                    e.unwrap_or("(end of file)"),
                    a.unwrap_or("(end of file)")
                )
            })
            .take(10)
            .collect(),
    };
    Err(format!(
        "tests/golden/{rel} differs ({} vs {} lines):\n{}\nThe whole output is in \
         tests/golden/{rel}.actual; if the change is intended, run `UPDATE_GOLDEN=1 cargo \
         test` and review `git diff tests/golden`.",
        expected.lines().count(),
        actual.lines().count(),
        diff.join("\n"),
    ))
}

/// [`check_golden`], failing the test on a difference.
pub fn assert_golden(rel: &str, actual: &str) {
    if let Err(e) = check_golden(rel, actual) {
        panic!("{e}");
    }
}

/// A transcript of commands and what they said, for a golden file: each `ospo` run with
/// its arguments, exit code, and the stream under review (stderr, or stdout), so the
/// wording of messages is a reviewed diff.
#[derive(Default)]
pub struct Transcript(String);

impl Transcript {
    /// Run `ospo <args>` (from the crate root) and record its exit code and stderr; returns
    /// (exit code, stdout, stderr).
    pub fn stderr_of(&mut self, args: &[&str]) -> (Option<i32>, String, String) {
        self.run(ospo().args(args), args, false)
    }

    /// As [`Transcript::stderr_of`], recording stdout instead of stderr.
    pub fn stdout_of(&mut self, args: &[&str]) -> (Option<i32>, String, String) {
        self.run(ospo().args(args), args, true)
    }

    /// Run a prepared command (environment, directory) shown as `ospo <shown>`.
    pub fn run(
        &mut self,
        cmd: &mut Command,
        shown: &[&str],
        stdout: bool,
    ) -> (Option<i32>, String, String) {
        let out = cmd.output().expect("run ospo");
        let o = String::from_utf8_lossy(&out.stdout).into_owned();
        let e = String::from_utf8_lossy(&out.stderr).into_owned();
        let code = out.status.code();
        self.0.push_str(&format!(
            "$ ospo {}\nexit {}\n",
            shown.join(" "),
            code.map_or("?".into(), |c| c.to_string())
        ));
        self.note(if stdout { &o } else { &e });
        (code, o, e)
    }

    /// Record a run made elsewhere: `ospo <shown>`, its exit code and the text under review.
    pub fn record(&mut self, shown: &[&str], code: i32, text: &str) {
        self.0
            .push_str(&format!("$ ospo {}\nexit {code}\n", shown.join(" ")));
        self.note(text);
    }

    /// Add text as it is (with a final newline), then a blank line.
    pub fn note(&mut self, text: &str) {
        self.0.push_str(text);
        if !text.is_empty() && !text.ends_with('\n') {
            self.0.push('\n');
        }
        self.0.push('\n');
    }

    /// Replace every occurrence of `from` (a temporary directory) with `to`.
    pub fn redact(&mut self, from: &str, to: &str) {
        self.0 = self.0.replace(from, to);
    }

    pub fn assert_golden(&self, rel: &str) {
        assert_golden(rel, &self.0);
    }
}

/// Copy a fixture tree (files and folders) into a temp dir, to change it in a test.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}
