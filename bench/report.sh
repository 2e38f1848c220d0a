#!/usr/bin/env bash
# Benchmark: `ospo report` of 10,000 components, rendered by headless Chromium, against the
# 2 s budget (the README's figure). The test that drives the browser lives with the other
# report tests (tests/report_browser.rs); `cargo test` runs it without a time limit, this
# script runs it with one.
#
#   bench/report.sh                 budget 2000 ms
#   OSPO_RENDER_BUDGET_MS=1500 bench/report.sh
#
# Needs /usr/bin/chromium (or $OSPO_CHROMIUM); without it the test says SKIPPED.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export OSPO_RENDER_BUDGET_MS="${OSPO_RENDER_BUDGET_MS:-2000}"
cargo test --release --test tests report_browser::ten_thousand_components_render -- \
    --exact --nocapture
