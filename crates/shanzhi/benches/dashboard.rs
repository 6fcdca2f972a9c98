//! Dashboard benchmark: the one screen (`GET /api/v1/dashboard`) over a year of a district's
//! ledger (100,000 demo cases with their simulated histories, seed 1, and one run of the warning
//! models), in a SQLite file or a PostgreSQL database.
//!
//! Times `shanzhi_web::dashboard::build` — the month's cases read and replayed, assessed for the
//! month and for today, the 30-day trend, the open warnings and their regions, every town and
//! village — for the district and for one town: the first call of the process (cold: nothing of
//! the ledger in the process yet), then warm calls; and the answer of the handler's cache.
//!
//! The demo's year raises no warning (as of this writing), so when the ledger has none open the
//! bench records 40 synthetic ones over its cases (see `synthetic_warnings`).
//!
//! Run with `cargo bench -p shanzhi --bench dashboard`; `-- --db sqlite:///tmp/dashboard.db`
//! keeps the ledger and reuses it, `-- --cases 50000` another size, and `-- --as-of 2026-11-27`
//! the demo's last day when reusing a ledger loaded on another day (the screen is computed as of
//! 23:59 that day, Beijing time, so that "today" holds a full day). Prints Markdown rows for
//! BENCHMARKS.md.

use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use shanzhi::config::Config;
use shanzhi::demo::{DemoOptions, load_with};
use shanzhi::ledger::{Ledger, Mode};
use shanzhi_core::RegionCode;
use shanzhi_core::warning::{Factor, Statistic, Subject, SubjectKind, Warning, WarningLevel, WarningModel};
use shanzhi_store::{CaseFilter, CaseOrder, Page, WarningFilter};

const RUNS: usize = 7;

/// Warnings for the screen to show when the models raised none (the demo's year raises none as of
/// this bench's writing): 40, of every level and model, each over the cases of one village (up to
/// 500) or, one in eight, of one town (up to 2,000), so that the open warnings and their regions
/// cost what they would.
async fn synthetic_warnings(ledger: &Ledger, as_of: NaiveDate) -> anyhow::Result<usize> {
    let villages: Vec<RegionCode> = ledger.gazetteer.villages().map(|v| v.code).collect();
    let towns: Vec<RegionCode> = ledger.gazetteer.towns().map(|t| t.code).collect();
    let mut warnings = Vec::new();
    for i in 0..40usize {
        let (region, most) =
            if i % 8 == 7 { (towns[i % towns.len()], 2_000) } else { (villages[(i * 37) % villages.len()], 500) };
        let mut case_ids = Vec::new();
        while case_ids.len() < most {
            let filter = CaseFilter { region: Some(region), ..CaseFilter::default() };
            let page = Page { limit: Page::MAX_LIMIT, offset: case_ids.len() as u64 };
            let got = ledger.store.list_cases(&filter, CaseOrder::Received, page).await?;
            let done = got.cases.len() < Page::MAX_LIMIT as usize;
            case_ids.extend(got.cases.iter().map(|c| c.id));
            if done {
                break;
            }
        }
        let n = case_ids.len();
        warnings.push(Warning {
            model: WarningModel::ALL[i % 4],
            level: WarningLevel::ALL[(i / 4) % 4],
            subject: Subject {
                kind: SubjectKind::Respondent,
                key: format!("bench-{i}"),
                label: format!("基准测试预警 {i}"),
            },
            score: 10.0 + i as f64,
            statistic: Statistic {
                method: "poisson_cusum".into(),
                observed: n as f64,
                expected: 1.0,
                p_value: None,
                llr: None,
            },
            factors: vec![Factor { code: "case_count".into(), label: format!("相关案件{n}件"), points: 5.0 }],
            explanation: "基准测试用的合成预警".into(),
            case_ids,
            since: as_of - chrono::Days::new(20),
            as_of,
        });
    }
    ledger
        .store
        .record_warnings(as_of, shanzhi_core::calendar::end_of_day(as_of) - Duration::hours(2), &warnings)
        .await?;
    Ok(warnings.len())
}

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let cases: u32 = arg(&args, "--cases").map(|n| n.parse()).transpose()?.unwrap_or(100_000);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let dir = tempfile::tempdir()?;
        let db = match arg(&args, "--db") {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", dir.path().join("bench.db").display()),
        };
        let until = match arg(&args, "--as-of") {
            Some(day) => NaiveDate::parse_from_str(day, "%Y-%m-%d").context("--as-of YYYY-MM-DD")?,
            None => DemoOptions::new(cases, 1).until,
        };
        let config = Config::load(None)?;
        let ledger = Ledger::open(&db, &config, Mode::Demo).await?;
        if ledger.store.count_cases().await? == 0 {
            let started = Instant::now();
            let loaded = load_with(&ledger, &DemoOptions { cases, seed: 1, until, years: 1 }).await?;
            let run = shanzhi::warnings::run(&ledger, until).await?;
            eprintln!(
                "demo ledger: {} cases, {} history events, {} warnings in {:.1} s",
                loaded.registered,
                loaded.events,
                run.warnings.len(),
                started.elapsed().as_secs_f64()
            );
        }
        let open = WarningFilter { open_only: true, ..WarningFilter::default() };
        if ledger.store.warnings(&open, Page { limit: 1, offset: 0 }).await?.total == 0 {
            let n = synthetic_warnings(&ledger, until).await?;
            eprintln!("the ledger had no open warning: {n} synthetic ones recorded");
        }
        let state = ledger.app_state();
        // The last minute of the demo's last day.
        let now = shanzhi_core::calendar::end_of_day(until) - Duration::minutes(1);
        let town = RegionCode::parse("330110014").expect("中泰街道");

        println!("| what | first call (cold) | median of {RUNS} warm | min | max | answer |");
        println!("|---|---|---|---|---|---|");
        for (label, region) in [("district", None), ("one town (中泰街道)", Some(town))] {
            let t = Instant::now();
            let first = shanzhi_web::dashboard::build(&state, region, now).await?;
            let cold = t.elapsed().as_secs_f64();
            let mut times = Vec::with_capacity(RUNS);
            for _ in 0..RUNS {
                let t = Instant::now();
                shanzhi_web::dashboard::build(&state, region, now).await?;
                times.push(t.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            let bytes = serde_json::to_vec(&first)?.len();
            let m = &first["month"]["figures"];
            println!(
                "| `build`, {label}: {} received this month, {} today, {} overdue now, {} open warnings | {:.3} s | {:.3} s | {:.3} s | {:.3} s | {} kB |",
                m["received"],
                first["today"]["figures"]["received"],
                first["overdue_now"],
                first["warnings"]["open"],
                cold,
                times[RUNS / 2],
                times[0],
                times[RUNS - 1],
                bytes / 1000
            );
        }
        // The handler's cache: the first request computes (at the real clock), the next are served.
        let t = Instant::now();
        shanzhi_web::dashboard::cached(&state, None).await?;
        let computed = t.elapsed().as_secs_f64();
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            shanzhi_web::dashboard::cached(&state, None).await?;
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| the handler's answer, district: computed, then from the cache (fresh for {} s) | {:.3} s | {:.6} s | {:.6} s | {:.6} s | |",
            shanzhi_web::dashboard::FRESH_FOR.as_secs(),
            computed,
            times[RUNS / 2],
            times[0],
            times[RUNS - 1]
        );
        anyhow::Ok(())
    })
}
