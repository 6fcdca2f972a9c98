//! Runs the four warning models on every day of a planted scenario year and prints detection,
//! days to detection and false warnings per month (the README's table):
//!
//!     cargo run --release -p shanzhi-risk --example evaluate -- [SEED] [CASES_PER_DAY]

use std::num::NonZeroUsize;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use shanzhi_core::defaults;
use shanzhi_core::warning::WarningLevel;
use shanzhi_risk::evaluation::evaluate;
use shanzhi_risk::scenario::{generate, standard};
use shanzhi_risk::{Names, RiskSettings};

fn main() {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().map_or(1, |s| s.parse().expect("SEED is a number"));
    let per_day: f64 = args.next().map_or(270.0, |s| s.parse().expect("CASES_PER_DAY is a number"));
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).expect("the embedded gazetteer");
    let villages: Vec<_> = gazetteer.villages().map(|v| v.code).collect();
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let config = standard(seed, &villages, start, 730, per_day);
    let scenario = generate(&config);
    // Every day from the 121st: the first four months give the models their baselines.
    let days: Vec<NaiveDate> = (120..730).map(|d| start + Days::new(d)).collect();
    let settings = RiskSettings::embedded();
    let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    let started = Instant::now();
    let result = evaluate(&scenario, &days, &settings, &Names::default(), threads);
    let elapsed = started.elapsed();
    println!(
        "seed {seed}: {} cases over 730 days; {} daily runs in {:.1} s ({:.2} s a run)\n",
        scenario.cases.len(),
        result.days_evaluated,
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / result.days_evaluated as f64
    );
    println!("| planted | decoy | start | first warned | days to detection | level then | highest |");
    println!("|---|---|---|---|---|---|---|");
    for d in &result.detections {
        println!(
            "| {:?} | {} | {} | {} | {} | {} | {} |",
            d.kind,
            if d.decoy { "yes" } else { "no" },
            d.start,
            d.first_warned.map_or("—".into(), |(day, _)| day.to_string()),
            d.days_to_detection().map_or("—".into(), |n| n.to_string()),
            d.first_warned.map_or("—", |(_, l)| l.code()),
            d.highest.map_or("—", |l| l.code()),
        );
    }
    for level in [WarningLevel::Blue, WarningLevel::Yellow, WarningLevel::Orange] {
        println!(
            "\nfalse situations at {} or above: {:.2} a month {:?}",
            level.code(),
            result.false_per_month(level),
            result.false_by_model(level)
        );
    }
}
