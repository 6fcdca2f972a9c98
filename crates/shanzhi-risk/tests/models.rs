//! Each warning model on small ledgers built for it: the situation it exists for warns at the
//! right subject, and the ordinary situation that resembles it does not.

use std::num::NonZeroUsize;

use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shanzhi_core::warning::{CaseSummary, SubjectKind, WarningLevel, WarningModel};
use shanzhi_core::{CaseId, CaseStatus, Channel, RegionCode, RiskLevel};
use shanzhi_risk::models::{event, industry, person, region};
use shanzhi_risk::{Names, RiskSettings};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn village(n: u64) -> RegionCode {
    // Ten villages in each of three towns of 余杭区.
    RegionCode::from_digits(330_110_001_000 + (n / 10) * 1000 + 200 + n % 10).unwrap()
}

struct Ledger {
    cases: Vec<CaseSummary>,
    rng: ChaCha8Rng,
}

impl Ledger {
    fn new(seed: u64) -> Ledger {
        Ledger { cases: Vec::new(), rng: ChaCha8Rng::seed_from_u64(seed) }
    }

    fn add(&mut self, day: NaiveDate, region: RegionCode, category: &str) -> &mut CaseSummary {
        let id = CaseId::new(self.cases.len() as i64 + 1).unwrap();
        let person = format!("p:{:016x}", self.rng.random::<u64>());
        self.cases.push(CaseSummary {
            id,
            day,
            channel: Channel::Hotline,
            region,
            category: Some(category.to_owned()),
            respondent_key: None,
            respondent_name: None,
            complainants: vec![person],
            people_count: None,
            amount_yuan: None,
            risk: RiskLevel::None,
            signals: Vec::new(),
            status: CaseStatus::Accepted,
            primary: None,
            mediation_failed: false,
        });
        self.cases.last_mut().unwrap()
    }

    /// Poisson(mean) cases a day from `from` for `days` days, in random villages.
    fn background(&mut self, from: NaiveDate, days: u64, mean: f64, category: &str, villages: u64) {
        for d in 0..days {
            let n = poisson(&mut self.rng, mean);
            for _ in 0..n {
                let v = village(self.rng.random_range(0..villages));
                self.add(from + Days::new(d), v, category);
            }
        }
    }

    fn sorted(mut self) -> Vec<CaseSummary> {
        self.cases.sort_by_key(|c| (c.day, c.id));
        self.cases
    }
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    // Knuth's method, in chunks so that large means do not underflow.
    let mut n = 0;
    let mut left = mean;
    while left > 0.0 {
        let step = left.min(30.0);
        left -= step;
        let limit = (-step).exp();
        let mut p = rng.random::<f64>();
        while p > limit {
            n += 1;
            p *= rng.random::<f64>();
        }
    }
    n
}

#[test]
fn a_company_collapse_is_a_red_event_warning_on_its_first_days() {
    let settings = RiskSettings::embedded();
    let mut ledger = Ledger::new(1);
    ledger.background(day("2026-01-01"), 300, 20.0, "contract", 30);
    // The company had the odd complaint before.
    for d in ["2026-05-03", "2026-08-19"] {
        let case = ledger.add(day(d), village(3), "education_training");
        case.respondent_key = Some("某某教育科技".into());
        case.respondent_name = Some("杭州某某教育科技有限公司".into());
    }
    // It collapses on 2026-10-20: 12 then 15 complaints, from many villages, under three spellings.
    let names = ["杭州某某教育科技有限公司", "某某教育", "某某教育科技公司"];
    for (d, n) in [("2026-10-20", 12), ("2026-10-21", 15)] {
        for i in 0..n {
            let case = ledger.add(day(d), village(i % 25), "education_training");
            case.respondent_key = Some("某某教育科技".into());
            case.respondent_name = Some(names[i as usize % 3].into());
            if i == 0 {
                case.people_count = Some(8000);
                case.amount_yuan = Some(40_000_000.0);
                case.signals = vec!["group_action".into()];
            }
        }
    }
    let cases = ledger.sorted();
    let warnings = event::warnings(&cases, day("2026-10-21"), &settings.event);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let warning = &warnings[0];
    assert_eq!(warning.subject.key, "某某教育科技");
    assert_eq!(warning.subject.kind, SubjectKind::Respondent);
    assert_eq!(warning.level, WarningLevel::Red, "{warning:#?}");
    assert_eq!(warning.case_ids.len(), 27);
    assert_eq!(warning.since, day("2026-10-20"));
    assert!(warning.statistic.p_value.unwrap() < 1e-10);
    assert!(
        warning.explanation.contains("8000人") && warning.explanation.contains("4000万元"),
        "{}",
        warning.explanation
    );
    for factor in ["people_1000", "amount_10m", "group_action"] {
        assert!(warning.factors.iter().any(|f| f.code == factor), "{factor} missing");
    }
    assert!(!warning.factors.iter().any(|f| f.code == "people_100"), "tiers of one measure do not add up");
    // The day before the collapse nothing was wrong.
    assert!(event::warnings(&cases, day("2026-10-19"), &settings.event).is_empty());
}

#[test]
fn a_respondent_with_steady_high_volume_does_not_warn_above_blue() {
    let settings = RiskSettings::embedded();
    let mut ledger = Ledger::new(2);
    for d in 0..300 {
        for _ in 0..poisson(&mut ledger.rng, 4.0) {
            let v = village(ledger.rng.random_range(0..30));
            let case = ledger.add(day("2026-01-01") + Days::new(d), v, "property_management");
            case.respondent_key = Some("大型物业".into());
            case.respondent_name = Some("余杭区大型物业管理有限公司".into());
        }
    }
    let cases = ledger.sorted();
    let mut worst = None;
    for d in 120..300 {
        for warning in event::warnings(&cases, day("2026-01-01") + Days::new(d), &settings.event) {
            worst = worst.max(Some(warning.level));
        }
    }
    assert!(worst.is_none_or(|level| level <= WarningLevel::Blue), "{worst:?}");
}

#[test]
fn an_escalating_person_warns_and_an_ordinary_repeat_caller_does_not() {
    let settings = RiskSettings::embedded();
    let mut ledger = Ledger::new(3);
    ledger.background(day("2026-06-01"), 120, 10.0, "neighbour", 30);
    let escalating = "p:00000000deadbeef";
    let steps = [
        ("2026-08-01", Channel::Grid, RiskLevel::None, vec![]),
        ("2026-08-20", Channel::Window, RiskLevel::Low, vec!["emotion"]),
        ("2026-09-05", Channel::Petition, RiskLevel::Medium, vec!["over_level"]),
        ("2026-09-20", Channel::Police, RiskLevel::High, vec!["violence", "weapon"]),
    ];
    for (i, (d, channel, risk, signals)) in steps.into_iter().enumerate() {
        let case = ledger.add(day(d), village(4), "neighbour");
        case.complainants = vec![escalating.into()];
        case.channel = channel;
        case.risk = risk;
        case.signals = signals.into_iter().map(String::from).collect();
        case.mediation_failed = i == 1;
    }
    let ordinary = "p:0000000012345678";
    for d in ["2026-09-01", "2026-09-15"] {
        let case = ledger.add(day(d), village(5), "tenancy");
        case.complainants = vec![ordinary.into()];
    }
    let cases = ledger.sorted();
    let warnings = person::warnings(&cases, day("2026-09-21"), &settings.person);
    let warning = warnings.iter().find(|w| w.subject.key == escalating).expect("the escalating person warns");
    assert!(warning.level >= WarningLevel::Orange, "{warning:#?}");
    assert_eq!(warning.model, WarningModel::Person);
    assert_eq!(warning.case_ids.len(), 4);
    assert!(!warning.subject.label.contains("deadbeef"), "the label shows only a short prefix");
    for factor in
        ["repeat_contacts", "channel_escalation", "failed_mediation", "escalation_language", "rising_language"]
    {
        assert!(warning.factors.iter().any(|f| f.code == factor), "{factor} missing: {:#?}", warning.factors);
    }
    assert!(warning.explanation.contains("网格→来访→信访→110"), "{}", warning.explanation);
    assert!(!warnings.iter().any(|w| w.subject.key == ordinary), "two quiet calls are not a warning");
}

#[test]
fn a_november_tripling_warns_but_the_spring_festival_rise_does_not() {
    let settings = RiskSettings::embedded();
    let mut ledger = Ledger::new(4);
    let start = day("2024-11-01");
    // Two years of wage arrears at 6 a day, 2.2 times that in the seven weeks before each Spring
    // Festival, and three times that from 2026-11-20.
    for d in 0..760u64 {
        let today = start + Days::new(d);
        let mean =
            6.0 * settings.seasons.factor("wage_arrears", today) * if today >= day("2026-11-20") { 3.0 } else { 1.0 };
        for _ in 0..poisson(&mut ledger.rng, mean) {
            let v = village(ledger.rng.random_range(0..30));
            ledger.add(today, v, "wage_arrears");
        }
    }
    let cases = ledger.sorted();
    let run = |d: &str| industry::warnings(&cases, day(d), &settings.industry, &settings.seasons, &Names::default());
    // The pre-festival peaks of both years, with and without a year of history behind them.
    for d in ["2025-01-20", "2025-01-27", "2026-01-25", "2026-02-10"] {
        assert!(run(d).is_empty(), "{d}: {:#?}", run(d));
    }
    let warnings = run("2026-11-26");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0].subject.key, "wage_arrears");
    assert!(warnings[0].level >= WarningLevel::Orange, "{:#?}", warnings[0]);
    assert_eq!(warnings[0].statistic.method, "farrington_seasonal");
    // Ordinary days are quiet, but for the rare fluke the threshold allows (0.05% a window).
    let ordinary = day("2026-09-01");
    let warned: Vec<NaiveDate> =
        (0..80).map(|d| ordinary + Days::new(d)).filter(|d| !run(&d.to_string()).is_empty()).collect();
    assert!(warned.len() <= 2, "ordinary days that warned: {warned:?}");
    // The surge is caught on its third day.
    assert!(!run("2026-11-22").is_empty(), "the tripling warns by its third day");
}

#[test]
fn a_village_hotspot_warns_at_its_town_and_a_busy_village_does_not() {
    let settings = RiskSettings::embedded();
    let mut ledger = Ledger::new(5);
    let start = day("2026-07-01");
    for d in 0..120u64 {
        let today = start + Days::new(d);
        for v in 0..30 {
            // Village 7 is always five times as busy.
            let mean = if v == 7 { 2.5 } else { 0.5 };
            for _ in 0..poisson(&mut ledger.rng, mean) {
                ledger.add(today, village(v), "neighbour");
            }
        }
    }
    // From 2026-10-26 villages 21 and 22 get three extra cases a day.
    for d in 0..3u64 {
        for v in [21, 22] {
            for _ in 0..3 {
                ledger.add(day("2026-10-26") + Days::new(d), village(v), "environment_noise");
            }
        }
    }
    let cases = ledger.sorted();
    let threads = NonZeroUsize::new(2).unwrap();
    let warnings = region::warnings(&cases, day("2026-10-28"), &settings.region, &Names::default(), threads);
    assert!(!warnings.is_empty(), "the hotspot warns");
    let top = &warnings[0];
    assert_eq!(top.subject.key, village(21).town().unwrap().to_string());
    assert!(top.level >= WarningLevel::Orange, "{top:#?}");
    assert!(top.statistic.p_value.unwrap() <= 0.002);
    let busy_town = village(7).town().unwrap().to_string();
    assert!(warnings.iter().all(|w| w.subject.key != busy_town || w.level <= WarningLevel::Yellow), "{warnings:#?}");
    // Before the hotspot nothing above yellow.
    let before = region::warnings(&cases, day("2026-10-20"), &settings.region, &Names::default(), threads);
    assert!(before.iter().all(|w| w.level <= WarningLevel::Yellow), "{before:#?}");
}

#[test]
fn a_busy_respondent_in_a_young_ledger_is_measured_by_the_days_the_ledger_has() {
    let settings = RiskSettings::embedded();
    let mut ledger = Ledger::new(6);
    for d in 0..40 {
        for _ in 0..poisson(&mut ledger.rng, 3.0) {
            let case = ledger.add(day("2026-09-01") + Days::new(d), village(1), "property_management");
            case.respondent_key = Some("大型物业".into());
        }
    }
    let cases = ledger.sorted();
    // Forty days in: 26 baseline days, not the 90 the settings ask for.
    let warnings = event::warnings(&cases, day("2026-10-10"), &settings.event);
    assert!(warnings.iter().all(|w| w.level <= WarningLevel::Blue), "{warnings:#?}");
}
