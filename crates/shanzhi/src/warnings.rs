//! One run of the warning models over the ledger: read the case summaries the models need, add
//! the escalation language of the recent texts, run the four models, and record what they found
//! (the store deduplicates by situation). `shanzhi scan` runs it once; `serve` runs it as a
//! background job.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Days, NaiveDate, Utc};
use shanzhi_core::calendar::end_of_day;
use shanzhi_core::warning::{CaseSummary, Warning};
use shanzhi_risk::{Names, RiskSettings};
use shanzhi_store::WarningRunOutcome;

use crate::ledger::Ledger;

/// What a run found and did.
#[derive(Debug)]
pub struct WarningRun {
    pub as_of: NaiveDate,
    pub cases_read: usize,
    pub warnings: Vec<Warning>,
    pub outcome: WarningRunOutcome,
    pub elapsed: Duration,
}

/// How far back the models look: the industry model's earlier years decide it.
fn history_days(settings: &RiskSettings) -> u64 {
    let industry = &settings.industry;
    let seasons = 364 * u64::from(industry.years_back) + 7 * (u64::from(industry.season_half_width_weeks) + 1);
    let recent = 7 * (u64::from(industry.recent_weeks) + 2) + 364;
    seasons.max(recent).max(u64::from(settings.region.study_days)).max(u64::from(settings.person.lookback_days))
}

pub async fn run(ledger: &Ledger, as_of: NaiveDate) -> anyhow::Result<WarningRun> {
    let started = Instant::now();
    let settings = ledger.risk.clone();
    let from = end_of_day(as_of - Days::new(history_days(&settings)));
    let before = end_of_day(as_of);
    // Escalation language matters in the contacts the person model reads and in an event's burst.
    let text_days = settings.person.lookback_days.max(settings.event.max_window_days);
    let text_from = end_of_day(as_of - Days::new(u64::from(text_days)));
    let rows = ledger.store.case_summaries(from, before, text_from).await.context("reading the case summaries")?;
    let cases_read = rows.len();

    let analyzer = ledger.analyzer.clone();
    let names = names(ledger);
    let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    let warnings = tokio::task::spawn_blocking(move || {
        let cases: Vec<CaseSummary> = rows
            .into_iter()
            .map(|(mut case, text)| {
                if let Some(text) = text {
                    let mut kinds: Vec<String> = analyzer.risk(&text).signals.into_iter().map(|s| s.kind).collect();
                    kinds.sort();
                    kinds.dedup();
                    case.signals = kinds;
                }
                case
            })
            .collect();
        shanzhi_risk::assess(&cases, as_of, &settings, &names, threads)
    })
    .await
    .context("the warning models stopped")?;

    let outcome = ledger.store.record_warnings(as_of, Utc::now(), &warnings).await.context("recording the warnings")?;
    let run = WarningRun { as_of, cases_read, warnings, outcome, elapsed: started.elapsed() };
    tracing::info!(
        as_of = %run.as_of,
        cases = run.cases_read,
        warnings = run.warnings.len(),
        raised = run.outcome.raised.len(),
        updated = run.outcome.updated.len(),
        elapsed_ms = run.elapsed.as_millis() as u64,
        "warning models run"
    );
    Ok(run)
}

/// Region and category names for the explanations.
fn names(ledger: &Ledger) -> Names {
    let gazetteer = &ledger.gazetteer;
    let mut names = Names::default();
    for town in gazetteer.towns() {
        names.regions.insert(town.code, town.official_name.clone());
    }
    for village in gazetteer.villages() {
        names.regions.insert(village.code, village.short_name.clone());
    }
    for category in ledger.analyzer.taxonomy().categories() {
        names.categories.insert(category.code.clone(), category.name.clone());
        names.industries.insert(category.code.clone(), category.industry_name().to_owned());
    }
    names
}
