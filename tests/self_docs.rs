//! `ospo completions SHELL` and `ospo man` (issue 16, item 5): generated from the clap
//! definitions, non-empty, naming every subcommand.

use crate::common::*;

const SUBCOMMANDS: [&str; 15] = [
    "scan",
    "detect",
    "sbom",
    "check",
    "init",
    "notice",
    "report",
    "diff",
    "metrics",
    "audit",
    "list",
    "completions",
    "man",
    "schema",
    "help",
];

fn run(args: &[&str]) -> String {
    let out = ospo().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completions_for_bash_zsh_and_fish_name_every_subcommand() {
    for (shell, marker) in [
        ("bash", "complete -F _ospo"),
        ("zsh", "#compdef ospo"),
        ("fish", "complete -c ospo"),
    ] {
        let script = run(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} completion lacks `{sub}`");
        }
        // Flags and their values are completed too.
        assert!(script.contains("fail-on"), "{shell}: no --fail-on");
        assert!(
            script.contains("cyclonedx-json"),
            "{shell}: no format values"
        );
    }
    let out = ospo().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_is_roff_with_every_subcommand_and_the_exit_codes() {
    let page = run(&["man"]);
    assert!(page.contains(".TH ospo 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("ospo\\-{sub}")),
            "man page lacks `{sub}`"
        );
    }
    assert!(page.contains("Exit codes"), "{page}");
}
