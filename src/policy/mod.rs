//! Policy: is every component's license allowed? Shaped like cargo-deny's checks:
//! - [`cfg`]: `policy.toml` as written (deserialized with spans), checked by [`validate`]
//!   into the [`rules`] it means (or the built-in default);
//! - the matching: [`eval`] turns a Scan and a Policy into one [`ComponentVerdict`] per
//!   component, [`advisories`] judges audit findings by `[advisories]`; the license
//!   categories live in [`category`];
//! - [`diags`]: everything said about the outcome: the verdicts and the rules that decide
//!   them, and the mistakes of a policy file (file:line:col with a fix).
//!
//! Emitters (human, JSON, SARIF, GitHub annotations) live in `emit/`; nothing here prints.
//!
//! The [`Evaluation`] is also the `ospo check --format json` output (README.md documents it).

pub mod advisories;
pub mod category;
pub mod cfg;
pub mod date;
pub mod diags;
pub mod eval;
pub mod init;
pub mod rules;
mod validate;

pub use category::{category_of, Category};
pub use date::Date;
pub use diags::{
    ComponentVerdict, Counts, Evaluation, EvidenceRef, PolicyError, PolicyIssue, RuleKind, Status,
};
pub use eval::evaluate;
pub use rules::{Action, Policy};
