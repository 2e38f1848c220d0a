//! The one integration-test binary: every file of tests/ is a module of it (as ripgrep
//! does), so the crate is linked into one test executable instead of thirteen. Run one
//! area with `cargo test --test tests <module>::` (e.g. `notice::`). Golden files are
//! compared by `common::assert_golden`; `UPDATE_GOLDEN=1 cargo test` rewrites them.

mod common;

mod anywhere;
mod audit;
mod bad_input;
mod components;
mod conclusions;
mod detect;
mod diff;
mod fuzz;
mod hostile;
mod ingest;
mod lockfiles;
mod metrics;
mod notice;
mod os_packages;
mod policy;
mod report;
mod report_browser;
mod sbom;
mod scan;
mod security;
