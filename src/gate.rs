//! What makes `ospo check` exit 1 beyond a violation: `--fail-on warnings` (any warning,
//! license or advisory), `review` (any judged component a human should look at) and
//! `unknown` (any judged component whose license is unknown, even where the policy
//! allows unknown licenses). A violation always fails; these only make the gate stricter.

use std::collections::HashSet;

use crate::cli::CheckFailOn;
use crate::model::{Scan, NOASSERTION};
use crate::policy::{Evaluation, RuleKind, Status};

/// Why the run fails under `fail_on`: one sentence per condition met, empty when none is.
pub fn reasons(ev: &Evaluation, scan: &Scan, fail_on: &[CheckFailOn]) -> Vec<String> {
    let judged: HashSet<&str> = ev.components.iter().map(|v| v.bom_ref.as_str()).collect();
    let mut out = Vec::new();
    for f in fail_on {
        let (n, what) = match f {
            CheckFailOn::Warnings => (
                ev.components
                    .iter()
                    .filter(|v| v.status == Status::Warn)
                    .count()
                    + ev.advisories.as_ref().map_or(0, |a| a.summary.warn),
                ("warning", "warnings"),
            ),
            CheckFailOn::Review => (
                scan.components
                    .iter()
                    .filter(|c| judged.contains(c.bom_ref.as_str()) && !c.review.is_empty())
                    .count(),
                ("component to review", "components to review"),
            ),
            CheckFailOn::Unknown => (
                ev.components
                    .iter()
                    .filter(|v| v.rule_id == RuleKind::Unknown || v.expression == NOASSERTION)
                    .count(),
                (
                    "component with an unknown license",
                    "components with an unknown license",
                ),
            ),
        };
        if n > 0 {
            out.push(format!(
                "--fail-on {}: {}",
                f.name(),
                crate::text::plural(n, what.0, what.1)
            ));
        }
    }
    out
}
