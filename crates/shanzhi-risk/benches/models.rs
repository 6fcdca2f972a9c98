//! The four warning models over a year of a district ledger (the planted scenario year of
//! Yuhang, about 100,000 cases), as `shanzhi scan` runs them on its last day; best of three.
//!
//!     cargo bench -p shanzhi-risk --bench models

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use shanzhi_core::defaults;
use shanzhi_risk::models::{event, industry, person, region};
use shanzhi_risk::scenario::{generate, standard};
use shanzhi_risk::{Names, RiskSettings, assess};

fn best_of_three(mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut found = 0;
    for _ in 0..3 {
        let started = Instant::now();
        found = f();
        best = best.min(started.elapsed());
    }
    (best, found)
}

fn main() {
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).expect("the embedded gazetteer");
    let villages: Vec<_> = gazetteer.villages().map(|v| v.code).collect();
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let started = Instant::now();
    let scenario = generate(&standard(1, &villages, start, 365, 270.0));
    println!("generated {} cases in {:.2} s", scenario.cases.len(), started.elapsed().as_secs_f64());
    let as_of = start + Days::new(364);
    let settings = RiskSettings::embedded();
    let names = Names::default();
    let threads = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
    let cases = &scenario.cases;
    type Run<'a> = Box<dyn FnMut() -> usize + 'a>;
    let rows: [(&str, Run); 5] = [
        ("event", Box::new(|| event::warnings(cases, as_of, &settings.event).len())),
        ("person", Box::new(|| person::warnings(cases, as_of, &settings.person).len())),
        (
            "industry",
            Box::new(|| industry::warnings(cases, as_of, &settings.industry, &settings.seasons, &names).len()),
        ),
        ("region", Box::new(|| region::warnings(cases, as_of, &settings.region, &names, threads).len())),
        ("all four", Box::new(|| assess(cases, as_of, &settings, &names, threads).len())),
    ];
    for (name, mut run) in rows {
        let (time, found) = best_of_three(&mut run);
        println!("{name:>9}: {:>7.1} ms ({found} warnings)", time.as_secs_f64() * 1e3);
    }
}
