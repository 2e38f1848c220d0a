//! The fan-out examples of docs/cache.md (a GitHub Actions matrix, a Kubernetes Job) are
//! valid YAML of the right shape, and every `ospo` command in them parses with ospo's own
//! command line (a renamed flag breaks this test, not a user's fleet).

use clap::Parser;
use serde_yaml_ng::Value;

use crate::common::root;

fn docs(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("docs/examples").join(name)).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

use serde::Deserialize;

fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Sequence(s) => s.iter().for_each(|v| strings(v, out)),
        Value::Mapping(m) => m.iter().for_each(|(_, v)| strings(v, out)),
        _ => {}
    }
}

/// Words of a shell command line: quotes removed, nothing expanded.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// Every `ospo ...` command line in the strings of `docs`, parsed by ospo's CLI.
fn ospo_commands(docs: &[Value]) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for d in docs {
        strings(d, &mut all);
    }
    let mut commands = Vec::new();
    for s in all {
        for line in s.lines() {
            let line = line.trim();
            if !line.starts_with("ospo ") {
                continue;
            }
            let argv = words(line);
            if let Err(e) = ospo::cli::Cli::try_parse_from(&argv) {
                panic!("{line:?} is not an ospo command line: {e}");
            }
            commands.push(argv);
        }
    }
    commands
}

#[test]
fn github_actions_matrix_example() {
    let d = docs("github-actions-matrix.yml");
    assert_eq!(d.len(), 1);
    let jobs = &d[0]["jobs"];
    assert!(jobs["scan"]["strategy"]["matrix"]["repo"].is_sequence());
    assert_eq!(jobs["metrics"]["needs"], Value::from("scan"));
    assert!(jobs["scan"]["steps"].as_sequence().unwrap().len() >= 4);
    let cmds = ospo_commands(&d);
    assert!(cmds
        .iter()
        .any(|c| c[1] == "sbom" && c.contains(&"--cache-url".into())));
    assert!(cmds
        .iter()
        .any(|c| c[1] == "metrics" && c.contains(&"--from".into())));
    assert!(cmds.iter().any(|c| c[1] == "check"));
}

#[test]
fn kubernetes_job_example() {
    let d = docs("kubernetes-job.yml");
    let kinds: Vec<&str> = d.iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ConfigMap", "Job", "Job"]);
    for job in &d[1..] {
        assert_eq!(job["apiVersion"], Value::from("batch/v1"));
        let containers = job["spec"]["template"]["spec"]["containers"]
            .as_sequence()
            .unwrap();
        assert!(!containers.is_empty());
    }
    assert_eq!(d[1]["spec"]["completionMode"], Value::from("Indexed"));
    let env = &d[1]["spec"]["template"]["spec"]["containers"][0]["env"];
    assert!(env
        .as_sequence()
        .unwrap()
        .iter()
        .any(|e| e["name"] == "OSPO_CACHE_URL"));
    let cmds = ospo_commands(&d);
    assert!(cmds.iter().any(|c| c[1] == "sbom"));
    assert!(cmds.iter().any(|c| c[1] == "metrics"));
}
