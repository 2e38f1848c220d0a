//! `ospo.toml` discovery end to end (issue 16, item 4): found from a subdirectory of the
//! scanned tree's repository, not above the `.git` boundary, `--config FILE`,
//! `--no-config`, the command line winning over it, and a malformed file reported as
//! file:line:col with a fix, exit 2. The tree is a copy of tests/fixtures/list.

use std::path::{Path, PathBuf};

use crate::common::*;

/// TMP/outer/repo (with .git) holding sub/ = tests/fixtures/list.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("outer/repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    copy_dir(&fixture("list"), &repo.join("sub"));
    (dir, repo)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = ospo()
        .env_remove("OSPO_NO_CONFIG")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const CONFIG: &str = "# the repository's defaults\n[scan]\nno_caches = true\n\
                      exclude = [\"node_modules/mystery/\"]\n[format]\nlist = \"csv\"\n";

#[test]
fn found_from_a_subdirectory_up_to_the_repository_root() {
    let (_t, repo) = repo();
    std::fs::write(repo.join("ospo.toml"), CONFIG).unwrap();
    // Run inside sub/ on ".": the config is one level up, at the repository root.
    let (code, out, err) = run(&repo.join("sub"), &["list"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("name,version,ecosystem,"),
        "[format] list = csv:\n{out}"
    );
    assert!(!out.contains("mystery"), "[scan] exclude applied:\n{out}");
    // The command line wins over the config, and its excludes add up with the config's.
    let (_, out, _) = run(
        &repo.join("sub"),
        &["list", "--format", "table", "--exclude", "node_modules/ms/"],
    );
    assert!(out.starts_with("NAME "), "{out}");
    assert!(!out.contains("mystery") && !out.contains(" ms "), "{out}");
    // Scanning sub/ from the repository root finds the same config.
    let (_, from_root, _) = run(&repo, &["list", "sub"]);
    assert!(from_root.starts_with("name,version"), "{from_root}");
    // --no-config: back to the built-in defaults.
    let (_, out, _) = run(&repo.join("sub"), &["list", "--no-config"]);
    assert!(out.starts_with("NAME ") && out.contains("mystery"), "{out}");
}

#[test]
fn the_search_stops_at_the_git_boundary() {
    let (_t, repo) = repo();
    // Above the repository: written for something else, never read.
    std::fs::write(repo.parent().unwrap().join("ospo.toml"), CONFIG).unwrap();
    let (code, out, err) = run(&repo.join("sub"), &["list", "--no-caches"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("NAME "), "{out}");
}

#[test]
fn config_flag_policy_and_fail_on() {
    let (_t, repo) = repo();
    // A policy that passes everything but warns about WTFPL, named relative to the config.
    std::fs::create_dir_all(repo.join("legal")).unwrap();
    std::fs::write(
        repo.join("legal/policy.toml"),
        "[licenses]\nallow = [\"MIT\", \"ISC\", \"Apache-2.0\"]\nunknown = \"allow\"\nunlisted = \"warn\"\n",
    )
    .unwrap();
    let cfg = repo.join("legal/ci.toml");
    std::fs::write(
        &cfg,
        "policy = \"policy.toml\"\n[scan]\nno_caches = true\n[check]\nfail_on = [\"warnings\"]\n",
    )
    .unwrap();
    let sub = repo.join("sub");
    let c = cfg.to_str().unwrap();
    let (code, out, err) = run(&sub, &["check", "--config", c]);
    assert_eq!(code, 1, "fail_on = warnings from the config:\n{out}{err}");
    assert!(out.contains("legal/policy.toml"), "{out}");
    assert!(err.contains("--fail-on warnings: 1 warning"), "{err}");
    // The same policy without the config's gate passes (sub/policy.toml is the fixture's own).
    let (code, _, err) = run(
        &sub,
        &[
            "check",
            "--no-caches",
            "--policy",
            repo.join("legal/policy.toml").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_malformed_config_is_file_line_col_with_a_fix_and_exit_2() {
    let (_t, repo) = repo();
    let mut t = Transcript::default();
    for (text, _what) in [
        ("[scan]\nexlude = [\"x/\"]\n", "unknown key"),
        ("[format]\ncheck = \"sarf\"\n", "bad format"),
        ("[check]\nfail_on = [\"warning\"]\n", "bad fail_on"),
        ("[scan]\njobs = 0\n", "bad jobs"),
        ("[scan\n", "not TOML"),
    ] {
        std::fs::write(repo.join("ospo.toml"), text).unwrap();
        t.note(&format!("# ospo.toml:\n{text}"));
        let (code, out, _) = t.run(
            ospo()
                .env_remove("OSPO_NO_CONFIG")
                .current_dir(repo.join("sub"))
                .args(["check"]),
            &["check"],
            false,
        );
        assert_eq!(code, Some(2));
        assert_eq!(out, "", "nothing is checked");
    }
    t.redact(repo.to_str().unwrap(), "REPO");
    t.assert_golden("messages/config-errors.txt");
}
