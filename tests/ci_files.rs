//! The CI integrations shipped in the repository (issue 16, item 3): action.yml (a
//! composite GitHub Action) and docs/ci/gitlab-ci.yml parse as YAML with the shape their
//! platforms need, and every `ospo` command line in them parses with ospo's own CLI.

use clap::Parser;
use serde_yaml_ng::Value;

use crate::common::*;

fn yaml(rel: &str) -> Value {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `ospo ...` command in a shell script, `$VAR` / `"${args[@]}"` words dropped and
/// `${X:+...}` expansions left out (they add flags only when set).
fn ospo_commands(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in script.lines() {
        let line = line.trim().trim_start_matches("- ");
        let Some(rest) = line.strip_prefix("ospo ") else {
            continue;
        };
        let rest = rest.split(['|', '>']).next().unwrap();
        let rest = rest.split(" || ").next().unwrap();
        let mut words = vec!["ospo".to_string()];
        let mut in_expansion = false;
        for w in rest.split_whitespace() {
            if w.starts_with("${") && w.contains(":+") {
                in_expansion = !w.ends_with('}');
                continue;
            }
            if in_expansion {
                in_expansion = !w.ends_with('}');
                continue;
            }
            if w.contains("[@]") {
                continue;
            }
            words.push(
                w.trim_matches('"')
                    .replace("$RUNNER_TEMP", "/tmp")
                    .replace('$', ""),
            );
        }
        out.push(words);
    }
    out
}

fn assert_parses(cmds: &[Vec<String>], file: &str) {
    assert!(!cmds.is_empty(), "{file} runs ospo");
    for c in cmds {
        ospo::cli::Cli::try_parse_from(c).unwrap_or_else(|e| panic!("{file}: {c:?}: {e}"));
    }
}

#[test]
fn the_github_action_is_a_composite_that_uploads_sarif_and_writes_a_summary() {
    let a = yaml("action.yml");
    assert!(a["name"].is_string() && a["description"].is_string());
    assert_eq!(a["runs"]["using"], "composite");
    let steps = a["runs"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let script = runs.join("\n");
    assert!(script.contains("cargo install --locked --quiet --path \"$GITHUB_ACTION_PATH\""));
    assert!(script.contains("--format sarif"));
    assert!(script.contains(">> \"$GITHUB_STEP_SUMMARY\""));
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))));
    // Composite steps with `run` must name their shell.
    for s in steps.iter().filter(|s| s.get("run").is_some()) {
        assert_eq!(s["shell"], "bash", "{s:?}");
    }
    // Every input the steps use is declared.
    let inputs = a["inputs"].as_mapping().unwrap();
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .collect();
        assert!(
            inputs.contains_key(name.as_str()),
            "input `{name}` is not declared"
        );
    }
    assert_parses(&ospo_commands(&script), "action.yml");
}

#[test]
fn the_gitlab_snippet_is_a_job_that_runs_check() {
    let g = yaml("docs/ci/gitlab-ci.yml");
    let job = &g["ospo-check"];
    let script: Vec<&str> = job["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(job["image"].is_string());
    assert!(job["artifacts"]["paths"].as_sequence().is_some());
    let script = script.join("\n");
    assert!(script.contains("ospo check"));
    assert_parses(&ospo_commands(&script), "docs/ci/gitlab-ci.yml");
}
