//! README.md (issue 16, item 8): it starts with the two set-up commands, its links into
//! docs/ resolve (files and headings), and the five-minute workflow shows real output: the
//! `init`, `check` and `list` blocks are compared with fresh runs on a copy of
//! tests/fixtures/list, made the way the README says.

use std::path::Path;

use crate::common::*;

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

#[test]
fn starts_with_the_two_set_up_commands() {
    assert!(readme().starts_with("# ospo\n\n```\ncargo run --release -- sbom .\ncargo test\n```\n"));
}

/// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces
/// as `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn links_into_docs_resolve() {
    let text = readme();
    let mut checked = 0;
    for part in text.split("](").skip(1) {
        let target = part.split(')').next().unwrap();
        if target.starts_with("http") || target.starts_with('#') {
            continue;
        }
        let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
        let path = root().join(file);
        assert!(
            path.exists(),
            "README links to {file}, which does not exist"
        );
        if !anchor.is_empty() {
            let doc = std::fs::read_to_string(&path).unwrap();
            let found = doc
                .lines()
                .filter_map(|l| l.strip_prefix('#'))
                .any(|h| slug(h.trim_start_matches('#')) == anchor);
            assert!(found, "{file} has no heading for #{anchor}");
        }
        checked += 1;
    }
    assert!(checked >= 6, "the README links its docs pages ({checked})");
}

/// The lines of the README's fenced block that starts with `$ <command>`, up to the next
/// `$ ` line or the end of the block.
fn shown_output(text: &str, command: &str) -> String {
    let start = text
        .find(&format!("\n$ {command}\n"))
        .unwrap_or_else(|| panic!("README shows `$ {command}`"));
    let rest = &text[start + command.len() + 4..];
    let end = [rest.find("\n$ "), rest.find("\n```")]
        .into_iter()
        .flatten()
        .min()
        .unwrap();
    format!("{}\n", &rest[..end])
}

fn run_in(dir: &Path, args: &[&str]) -> String {
    let out = ospo()
        .current_dir(dir)
        .args(args)
        .env("OSPO_TODAY", "2026-12-01")
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8(out.stderr).unwrap(),
        String::from_utf8(out.stdout).unwrap()
    )
}

#[test]
fn the_five_minute_workflow_shows_real_output() {
    let text = readme();
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("my-app");
    std::process::Command::new("cp")
        .arg("-r")
        .arg(fixture("list"))
        .arg(&app)
        .status()
        .unwrap();
    std::fs::remove_file(app.join("policy.toml")).unwrap();
    for cmd in ["init my-app", "check my-app", "list my-app"] {
        let args: Vec<&str> = cmd.split(' ').collect();
        assert_eq!(
            run_in(dir.path(), &args),
            shown_output(&text, &format!("ospo {cmd}")),
            "README's `ospo {cmd}`"
        );
    }
}

/// The README's first command, `ospo sbom .` in this repository, describes ospo and its
/// crates: the repository's ospo.toml keeps the fixtures' packages (and their deliberately
/// malformed lockfiles' warnings) out of it.
#[test]
fn the_first_command_describes_ospo_alone() {
    let out = ospo()
        .env_remove("OSPO_NO_CONFIG")
        .args(["sbom", "."])
        .output()
        .expect("run ospo");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("tests/fixtures"), "{stderr}");
    let bom: serde_json::Value = serde_json::from_slice(&out.stdout).expect("CycloneDX JSON");
    let components = bom["components"].as_array().expect("components");
    assert!(components.len() > 100, "{}", components.len());
    for c in components {
        let purl = c["purl"].as_str().unwrap_or_default();
        assert!(
            purl.starts_with("pkg:cargo/"),
            "not one of ospo's crates: {purl}"
        );
    }
    assert_eq!(
        bom["metadata"]["component"]["name"].as_str(),
        Some("ospo"),
        "{}",
        bom["metadata"]["component"]
    );
}
