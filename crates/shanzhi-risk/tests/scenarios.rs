//! The planted scenario year of Yuhang (crates/shanzhi-risk/src/scenario): every planted situation
//! is warned at the right subject within 3 days of its start, the decoys raise nothing above
//! yellow, and false warnings stay rare. The README's table comes from the same evaluation run on
//! every day (`cargo run --release -p shanzhi-risk --example evaluate`); this test runs the days
//! around each plant and every seventh day, to stay quick.

use std::num::NonZeroUsize;

use chrono::{Days, NaiveDate};
use shanzhi_core::defaults;
use shanzhi_core::warning::WarningLevel;
use shanzhi_risk::evaluation::evaluate;
use shanzhi_risk::scenario::{generate, standard};
use shanzhi_risk::{Names, RiskSettings};

#[test]
fn planted_situations_are_found_within_three_days_and_decoys_stay_quiet() {
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
    let villages: Vec<_> = gazetteer.villages().map(|v| v.code).collect();
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let scenario = generate(&standard(7, &villages, start, 730, 270.0));

    let mut days: Vec<NaiveDate> = (120..730).step_by(7).map(|d| start + Days::new(d)).collect();
    for planted in scenario.truth.iter().filter(|p| !p.decoy) {
        days.extend((0..=3).map(|d| planted.start + Days::new(d)));
    }
    days.sort();
    let threads = NonZeroUsize::new(2).unwrap();
    let result = evaluate(&scenario, &days, &RiskSettings::embedded(), &Names::default(), threads);

    for detection in &result.detections {
        if detection.decoy {
            assert!(
                detection.highest.is_none_or(|level| level <= WarningLevel::Yellow),
                "decoy {:?} warned at {:?}",
                detection.kind,
                detection.highest
            );
        } else {
            let days = detection.days_to_detection();
            assert!(days.is_some_and(|d| d <= 3), "{:?} found after {days:?} days: {detection:?}", detection.kind);
        }
    }
    let orange = result.false_per_month(WarningLevel::Orange);
    assert!(
        orange <= 1.0,
        "{orange} false orange-or-red situations a month: {:?}",
        result.false_by_model(WarningLevel::Orange)
    );
}
