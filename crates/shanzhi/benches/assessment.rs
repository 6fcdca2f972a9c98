//! Assessment benchmark: a year of a district's ledger (100,000 demo cases with their simulated
//! histories, seed 1) in a fresh SQLite file; then every metric of every town, village and
//! department and every village's star rating for the year, as `shanzhi report` computes them
//! (read from the store, replayed to the cut-off, assessed, rated), and the same for one month.
//!
//! Run with `cargo bench -p shanzhi --bench assessment` (`-- --cases 50000` for another size,
//! `-- --db sqlite:///tmp/assess.db` to keep the ledger and reuse it).
//! The target: under 2 seconds for the year. Prints Markdown rows for BENCHMARKS.md.

use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use shanzhi::config::Config;
use shanzhi::demo::{DemoOptions, load_with};
use shanzhi::ledger::{Ledger, Mode};
use shanzhi_core::assessment::{Figure, Period};

const RUNS: usize = 5;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let cases: u32 = match args.iter().position(|a| a == "--cases") {
        Some(i) => args.get(i + 1).context("a number after --cases")?.parse()?,
        None => 100_000,
    };
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        // `--db sqlite://FILE` keeps the ledger (and reuses it when it is already loaded).
        let dir = tempfile::tempdir()?;
        let db = match args.iter().position(|a| a == "--db") {
            Some(i) => args.get(i + 1).context("a URL after --db")?.clone(),
            None => format!("sqlite://{}", dir.path().join("bench.db").display()),
        };
        let config = Config::load(None)?;
        let ledger = Ledger::open(&db, &config, Mode::Demo).await?;
        if ledger.store.count_cases().await? == 0 {
            let until = NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date");
            let started = Instant::now();
            let loaded = load_with(&ledger, &DemoOptions { cases, seed: 1, until, years: 1 }).await?;
            eprintln!(
                "demo ledger: {} cases, {} history events in {:.1} s",
                loaded.registered,
                loaded.events,
                started.elapsed().as_secs_f64()
            );
        }

        println!("| what | median of {RUNS} | min | max |");
        println!("|---|---|---|---|");
        for label in ["2025-11-28..2026-11-27", "2026-10"] {
            let period = Period::parse(label)?;
            let mut times = Vec::with_capacity(RUNS);
            let mut summary = String::new();
            for _ in 0..RUNS {
                let t = Instant::now();
                let p = shanzhi_web::assessment::compute(
                    &*ledger.store,
                    &ledger.gazetteer,
                    &ledger.departments,
                    &ledger.assessment,
                    &period,
                    chrono::Utc::now(),
                )
                .await?;
                times.push(t.elapsed().as_secs_f64());
                let d = &p.assessment.district;
                summary = format!(
                    "{} cases received, {} resolved, {} villages rated",
                    d.count(Figure::Received),
                    d.count(Figure::Resolved),
                    p.ratings.len()
                );
            }
            times.sort_by(f64::total_cmp);
            println!(
                "| every metric and star rating, {label} ({summary}) | {:.2} s | {:.2} s | {:.2} s |",
                times[RUNS / 2],
                times[0],
                times[RUNS - 1]
            );
        }
        anyhow::Ok(())
    })
}
