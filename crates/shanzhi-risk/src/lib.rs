//! The warning models of shanzhi (DESIGN.md: person, event, industry, region) and the statistics
//! under them. Pure functions over data: no IO, no clock, randomness only from a given seed, so
//! the same ledger and seed give the same warnings on every machine and thread count.
//!
//! This crate does not know the database, the web or the text analyser: callers hand it case
//! summaries ([`CaseSummary`], personal data only as keyed hashes) and get [`Warning`]s back. It
//! keeps no state between runs: deduplicating a situation across runs is the store's job, by
//! [`Warning::situation_key`].

pub mod config;
pub mod evaluation;
pub mod models;
mod names;
pub mod scan;
pub mod scenario;
mod stats;

use std::num::NonZeroUsize;

use chrono::NaiveDate;
pub use config::RiskSettings;
pub use names::Names;
use shanzhi_core::warning::{CaseSummary, Warning};

/// Runs the four models over `cases` (sorted by day; later days than `as_of` are ignored) and
/// returns their warnings, most severe first.
pub fn assess(
    cases: &[CaseSummary],
    as_of: NaiveDate,
    settings: &RiskSettings,
    names: &Names,
    threads: NonZeroUsize,
) -> Vec<Warning> {
    debug_assert!(cases.windows(2).all(|w| w[0].day <= w[1].day), "cases must be sorted by day");
    let mut warnings = models::event::warnings(cases, as_of, &settings.event);
    warnings.extend(models::person::warnings(cases, as_of, &settings.person));
    warnings.extend(models::industry::warnings(cases, as_of, &settings.industry, &settings.seasons, names));
    warnings.extend(models::region::warnings(cases, as_of, &settings.region, names, threads));
    warnings.sort_by(|a, b| b.level.cmp(&a.level).then(b.score.total_cmp(&a.score)));
    warnings
}
