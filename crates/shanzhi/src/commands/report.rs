//! `shanzhi report --period 2026-10 --out FILE.xlsx|FILE.csv`: the period's assessment as a
//! spreadsheet, with the villages' star ratings recorded in the ledger (earlier computations of
//! the period stay as their history).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use shanzhi_core::assessment::{Figure, Period};

use crate::ledger::Ledger;
use crate::report;

pub async fn run(ledger: &Ledger, period: &str, out: &Path, record: bool) -> anyhow::Result<ExitCode> {
    let period = Period::parse(period)?;
    let started = std::time::Instant::now();
    let assessed = shanzhi_web::assessment::compute(
        &*ledger.store,
        &ledger.gazetteer,
        &ledger.departments,
        &ledger.assessment,
        &period,
        Utc::now(),
    )
    .await
    .context("reading the ledger for the assessment")?;
    let computed = started.elapsed();
    let sheets = report::assessment::sheets(&assessed, &ledger.gazetteer, ledger.assessment.rules.unsatisfied_at_most)?;
    let written = report::write(out, &sheets)?;
    // Ratings of a period still running would change: they are recorded once it has ended.
    let record = record && assessed.is_final();
    if record {
        ledger.store.record_star_ratings(period.label(), &assessed.ratings, Utc::now()).await?;
    } else if !assessed.is_final() {
        eprintln!("notice: {} has not ended; the ratings are provisional and not recorded", period.title());
    }
    let d = &assessed.assessment.district;
    let percent = |r: Option<f64>| r.map_or("—".to_owned(), |r| format!("{:.1}%", r * 100.0));
    println!(
        "{}: {} cases received, {} resolved ({}), {} at town/village level; {} villages rated{} in {:.2} s",
        period.title(),
        d.count(Figure::Received),
        d.count(Figure::Resolved),
        percent(d.resolution_rate()),
        percent(d.local_resolution_share()),
        assessed.ratings.len(),
        if record { " and recorded" } else { "" },
        computed.as_secs_f64(),
    );
    if !assessed.unrated.is_empty() {
        eprintln!("warning: {} villages have no residents figure and are not rated", assessed.unrated.len());
    }
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
