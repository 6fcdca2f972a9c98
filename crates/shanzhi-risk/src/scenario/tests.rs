use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{Datelike, Weekday};
use shanzhi_core::{CaseStatus, Channel, RiskLevel};

use super::*;

fn yuhang_villages() -> Vec<RegionCode> {
    let gazetteer = shanzhi_core::defaults::gazetteer(shanzhi_core::defaults::DEFAULT_DISTRICT).unwrap();
    gazetteer.villages().map(|r| r.code).collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const SEED: u64 = 2025;

/// A Yuhang year from 2025-03-01, so that Spring Festival 2026 (02-17) falls inside.
fn year() -> &'static (ScenarioConfig, Scenario) {
    static YEAR: OnceLock<(ScenarioConfig, Scenario)> = OnceLock::new();
    YEAR.get_or_init(|| {
        let config = standard(SEED, &yuhang_villages(), date(2025, 3, 1), 365, 270.0);
        let scenario = generate(&config);
        (config, scenario)
    })
}

/// The background cases (planted ones left out).
fn background(scenario: &Scenario) -> Vec<&CaseSummary> {
    let planted: HashSet<CaseId> = scenario.truth.iter().flat_map(|t| t.case_ids.iter().copied()).collect();
    scenario.cases.iter().filter(|c| !planted.contains(&c.id)).collect()
}

fn truth(kind: PlantKind) -> &'static Planted {
    year().1.truth.iter().find(|t| t.kind == kind).unwrap()
}

fn cases_of(planted: &Planted) -> Vec<&'static CaseSummary> {
    planted.case_ids.iter().map(|id| year().1.case(*id).unwrap()).collect()
}

/// A Monday to Friday that the holiday table does not list.
fn is_plain_weekday(day: NaiveDate) -> bool {
    static CALENDAR: OnceLock<shanzhi_core::calendar::WorkCalendar> = OnceLock::new();
    let calendar = CALENDAR.get_or_init(|| shanzhi_core::defaults::calendar().unwrap());
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && calendar.day_name(day).is_none()
}

#[test]
fn same_seed_same_scenario_other_seed_other() {
    let villages = yuhang_villages();
    let config = standard(7, &villages, date(2025, 3, 1), 240, 40.0);
    let a = generate(&config);
    let b = generate(&config);
    assert_eq!(a, b);
    let c = generate(&ScenarioConfig { seed: 8, ..config.clone() });
    assert_ne!(a.cases, c.cases);
    // Another seed moves the plants' people and villages too.
    assert_ne!(standard(8, &villages, date(2025, 3, 1), 240, 40.0).plants, config.plants);
}

#[test]
fn ids_are_one_to_n_in_day_order_and_repeats_point_back() {
    let (config, scenario) = year();
    for (i, case) in scenario.cases.iter().enumerate() {
        assert_eq!(case.id.get(), i as i64 + 1);
        assert!(case.day >= config.start && case.day <= config.last_day());
        if let Some(primary) = case.primary {
            let primary = scenario.case(primary).unwrap();
            assert!(primary.id < case.id && primary.day <= case.day);
            assert_eq!(primary.complainants, case.complainants);
        }
    }
    assert!(scenario.cases.windows(2).all(|w| w[0].day <= w[1].day));
    for planted in &scenario.truth {
        assert!(!planted.case_ids.is_empty(), "{:?} planted nothing", planted.kind);
        assert!(planted.case_ids.windows(2).all(|w| w[0] < w[1]));
    }
    // Plants are shuffled into their days, not appended: on the collapse's first day some
    // background case comes after a planted one.
    let collapse = truth(PlantKind::MassCollapse);
    let first_day = scenario.case(collapse.case_ids[0]).unwrap().day;
    let day: Vec<bool> =
        scenario.cases.iter().filter(|c| c.day == first_day).map(|c| collapse.case_ids.contains(&c.id)).collect();
    let first_planted = day.iter().position(|&planted| planted).unwrap();
    assert!(day[first_planted..].iter().any(|&planted| !planted));
}

#[test]
fn background_volume_is_the_configured_mean() {
    let (config, scenario) = year();
    let per_day = background(scenario).len() as f64 / f64::from(config.days);
    assert!((per_day / config.cases_per_day - 1.0).abs() < 0.03, "{per_day} a day");
}

#[test]
fn plants_leave_the_background_as_it_was() {
    let villages = yuhang_villages();
    let config = standard(3, &villages, date(2025, 3, 1), 200, 30.0);
    let with = generate(&config);
    let without = generate(&ScenarioConfig { plants: Vec::new(), ..config.clone() });
    let strip = |cases: Vec<&CaseSummary>| -> Vec<(NaiveDate, Vec<String>, Option<String>)> {
        let mut v: Vec<_> = cases.into_iter().map(|c| (c.day, c.complainants.clone(), c.category.clone())).collect();
        v.sort();
        v
    };
    assert_eq!(strip(background(&with)), strip(without.cases.iter().collect()));
}

#[test]
fn weekends_and_holidays_are_quieter() {
    let (config, scenario) = year();
    let calendar = shanzhi_core::defaults::calendar().unwrap();
    let mut per_day: HashMap<NaiveDate, u32> = HashMap::new();
    for case in background(scenario) {
        *per_day.entry(case.day).or_default() += 1;
    }
    let mean = |pred: &dyn Fn(NaiveDate) -> bool| {
        let days: Vec<NaiveDate> =
            (0..config.days).map(|i| config.start + Days::new(u64::from(i))).filter(|d| pred(*d)).collect();
        days.iter().map(|d| f64::from(per_day.get(d).copied().unwrap_or(0))).sum::<f64>() / days.len() as f64
    };
    let weekday = mean(&|d| is_plain_weekday(d));
    let weekend = mean(&|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && calendar.day_name(d).is_none());
    let national_day = mean(&|d| d >= date(2025, 10, 1) && d <= date(2025, 10, 8));
    let ratio = weekend / weekday;
    assert!((0.52..0.68).contains(&ratio), "weekend/weekday {ratio}");
    assert!(national_day < weekend, "holiday {national_day} vs weekend {weekend}");
}

/// Mean daily count of a category on plain weekdays of [from, to).
fn weekday_mean(category: &str, from: NaiveDate, to: NaiveDate) -> f64 {
    let (_, scenario) = year();
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d < to).filter(|d| is_plain_weekday(*d)).collect();
    let count = background(scenario)
        .into_iter()
        .filter(|c| c.category.as_deref() == Some(category) && days.contains(&c.day))
        .count();
    count as f64 / days.len() as f64
}

#[test]
fn wage_arrears_rise_before_spring_festival() {
    let sf = date(2026, 2, 17);
    let before = weekday_mean("wage_arrears", sf - Days::new(21), sf - Days::new(7));
    let autumn = weekday_mean("wage_arrears", date(2025, 9, 1), date(2025, 11, 15));
    let ratio = before / autumn;
    assert!((1.8..2.8).contains(&ratio), "pre-festival {before} vs autumn {autumn}: ×{ratio}");
}

#[test]
fn neighbour_disputes_peak_in_summer() {
    let summer = weekday_mean("neighbour", date(2025, 6, 1), date(2025, 9, 1));
    let autumn = weekday_mean("neighbour", date(2025, 9, 15), date(2025, 12, 15));
    let ratio = summer / autumn;
    assert!((1.25..1.55).contains(&ratio), "×{ratio}");
}

#[test]
fn category_shares_are_realistic() {
    let cases = background(&year().1);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for case in &cases {
        *counts.entry(case.category.as_deref().unwrap()).or_default() += 1;
    }
    let share = |code: &str| counts[code] as f64 / cases.len() as f64;
    assert!(share("neighbour") > 0.11 && share("marriage_family") > 0.09 && share("wage_arrears") > 0.06);
    assert!(share("medical") < 0.02 && share("illegal_fundraising") < 0.015);
    assert_eq!(counts.len(), 24);
}

#[test]
fn some_villages_are_five_times_as_busy_as_others() {
    let (config, scenario) = year();
    let mut counts: HashMap<RegionCode, usize> = config.villages.iter().map(|v| (*v, 0)).collect();
    for case in background(scenario) {
        *counts.get_mut(&case.region).unwrap() += 1;
    }
    let mut sorted: Vec<usize> = counts.into_values().collect();
    sorted.sort_unstable();
    let (p10, p90) = (sorted[sorted.len() / 10], sorted[sorted.len() * 9 / 10]);
    assert!(p90 >= 3 * p10, "p10 {p10}, p90 {p90}");
    assert!(sorted[sorted.len() - 1] >= 5 * sorted[sorted.len() / 10]);
}

#[test]
fn hotline_and_grid_bring_most_cases_and_police_work_weekends() {
    let cases = background(&year().1);
    let share = |channel: Channel, weekend: bool| {
        let of_days: Vec<_> =
            cases.iter().filter(|c| matches!(c.day.weekday(), Weekday::Sat | Weekday::Sun) == weekend).collect();
        of_days.iter().filter(|c| c.channel == channel).count() as f64 / of_days.len() as f64
    };
    let mut shares: Vec<(Channel, f64)> = Channel::ALL.iter().map(|&c| (c, share(c, false))).collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: HashSet<Channel> = shares[..2].iter().map(|s| s.0).collect();
    assert_eq!(top, HashSet::from([Channel::Hotline, Channel::Grid]), "{shares:?}");
    assert!(shares.iter().all(|s| s.1 > 0.02), "{shares:?}");
    assert!(share(Channel::Police, true) > share(Channel::Police, false));
    assert!(share(Channel::Window, true) < share(Channel::Window, false) / 2.0);
}

#[test]
fn organisations_named_with_shared_keys_and_a_few_common() {
    let cases = background(&year().1);
    let named_categories = [
        "wage_arrears",
        "labour_contract",
        "consumer_prepaid",
        "property_management",
        "contract",
        "education_training",
    ];
    let eligible: Vec<_> =
        cases.iter().filter(|c| named_categories.contains(&c.category.as_deref().unwrap())).collect();
    let named = eligible.iter().filter(|c| c.respondent_key.is_some()).count() as f64 / eligible.len() as f64;
    assert!((0.37..0.43).contains(&named), "{named}");
    let mut per_key: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for case in &cases {
        assert_eq!(case.respondent_key.is_some(), case.respondent_name.is_some());
        if let (Some(key), Some(name)) = (&case.respondent_key, &case.respondent_name) {
            assert_eq!(&respondent_key(name), key, "{name}");
            per_key.entry(key).or_default().insert(name);
            *counts.entry(key).or_default() += 1;
        }
    }
    assert!((150..=350).contains(&per_key.len()), "{} organisations", per_key.len());
    assert!(per_key.values().filter(|names| names.len() >= 2).count() > 100, "spelling variants");
    let mut sorted: Vec<usize> = counts.into_values().collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert!(sorted[0] >= 10 * sorted[sorted.len() / 2], "top {} vs median {}", sorted[0], sorted[sorted.len() / 2]);
    // The planted organisations are nobody else's.
    for key in [&truth(PlantKind::MassCollapse).subject_keys[0], &truth(PlantKind::SteadyRespondent).subject_keys[0]] {
        assert!(!per_key.contains_key(key.as_str()), "{key}");
    }
}

#[test]
fn most_people_come_once_and_repeaters_stay_calm() {
    let cases = background(&year().1);
    let mut contacts: HashMap<&str, Vec<&CaseSummary>> = HashMap::new();
    for case in &cases {
        for person in &case.complainants {
            contacts.entry(person).or_default().push(case);
        }
    }
    let repeaters = contacts.values().filter(|c| c.len() >= 2).count() as f64 / contacts.len() as f64;
    assert!((0.05..0.10).contains(&repeaters), "{repeaters}");
    assert!(contacts.values().all(|c| c.len() <= 3));
    for list in contacts.values().filter(|c| c.len() >= 2) {
        assert!(list.iter().all(|c| c.channel == list[0].channel && c.region == list[0].region));
        assert!(list[1..].iter().all(|c| c.signals.is_empty() && c.primary == Some(list[0].id)));
    }
    for case in &cases {
        assert!(case.complainants.iter().all(|p| p.len() == 18 && p.starts_with("p:")));
    }
}

#[test]
fn risk_is_rare_and_follows_the_signals() {
    let cases = background(&year().1);
    let n = cases.len() as f64;
    let with_signals = cases.iter().filter(|c| !c.signals.is_empty()).count() as f64 / n;
    let high = cases.iter().filter(|c| c.risk == RiskLevel::High).count() as f64 / n;
    assert!((0.02..0.035).contains(&with_signals), "{with_signals}");
    assert!(high > 0.0 && high < 0.004, "{high}");
    assert!(cases.iter().all(|c| (c.risk == RiskLevel::None) == c.signals.is_empty() && c.signals.len() <= 1));
}

#[test]
fn old_cases_are_done_recent_ones_open() {
    let (config, scenario) = year();
    let cases = background(scenario);
    let done = |c: &CaseSummary| matches!(c.status, CaseStatus::Resolved | CaseStatus::Closed | CaseStatus::Merged);
    let old: Vec<_> = cases.iter().filter(|c| c.day < config.start + Days::new(200)).collect();
    let recent: Vec<_> = cases.iter().filter(|c| c.day > config.last_day() - Days::new(3)).collect();
    assert!(old.iter().filter(|c| done(c)).count() as f64 / old.len() as f64 > 0.97);
    assert!((recent.iter().filter(|c| done(c)).count() as f64 / recent.len() as f64) < 0.3);
    let resolved: Vec<_> =
        cases.iter().filter(|c| matches!(c.status, CaseStatus::Resolved | CaseStatus::Closed)).collect();
    let failed = resolved.iter().filter(|c| c.mediation_failed).count() as f64 / resolved.len() as f64;
    assert!((0.04..0.06).contains(&failed), "{failed}");
    assert!(cases.iter().all(|c| !c.mediation_failed || matches!(c.status, CaseStatus::Resolved | CaseStatus::Closed)));
}

#[test]
fn amounts_and_head_counts_where_they_belong() {
    let cases = background(&year().1);
    fn of<'a>(cases: &'a [&'a CaseSummary], code: &'a str) -> impl Iterator<Item = &'a &'a CaseSummary> {
        cases.iter().filter(move |c| c.category.as_deref() == Some(code))
    }
    let wages: Vec<_> = of(&cases, "wage_arrears").collect();
    let with_amount = wages.iter().filter(|c| c.amount_yuan.is_some()).count() as f64 / wages.len() as f64;
    assert!((0.5..0.7).contains(&with_amount));
    assert!(wages.iter().any(|c| c.people_count.unwrap_or(0) >= 16));
    assert!(of(&cases, "neighbour").all(|c| c.amount_yuan.is_none() && c.people_count.is_none()));
    let lending: Vec<f64> = of(&cases, "private_lending").filter_map(|c| c.amount_yuan).collect();
    let mut sorted = lending.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    assert!((30_000.0..80_000.0).contains(&median), "{median}");
    assert!(cases.iter().filter_map(|c| c.amount_yuan).all(|a| a >= 100.0 && a % 100.0 == 0.0));
}

#[test]
fn mass_collapse_is_one_key_many_names_many_people_many_villages() {
    let (config, _) = year();
    let planted = truth(PlantKind::MassCollapse);
    let Plant::MassCollapse { start, respondent_key: key, names, category, cases_per_day, days } = &config.plants[0]
    else {
        panic!("standard plants start with the collapse")
    };
    assert_eq!(planted.subject_keys, std::slice::from_ref(key));
    assert_eq!((planted.start, planted.end), (*start, *start + Days::new(u64::from(*days) - 1)));
    let cases = cases_of(planted);
    let expected = cases_per_day * f64::from(*days);
    assert!((cases.len() as f64 - expected).abs() < 4.0 * expected.sqrt(), "{} cases", cases.len());
    assert!(cases.iter().all(|c| c.respondent_key.as_ref() == Some(key) && c.category.as_ref() == Some(category)));
    assert!(cases.iter().all(|c| c.day >= planted.start && c.day <= planted.end));
    let used: HashSet<&str> = cases.iter().filter_map(|c| c.respondent_name.as_deref()).collect();
    assert_eq!(used.len(), names.len(), "every spelling shows up");
    assert!(names.iter().all(|n| respondent_key(n) == *key));
    let people: Vec<&String> = cases.iter().flat_map(|c| &c.complainants).collect();
    let distinct: HashSet<&&String> = people.iter().collect();
    assert_eq!(distinct.len(), people.len(), "every complainant is a new person");
    let villages: HashSet<RegionCode> = cases.iter().map(|c| c.region).collect();
    let towns: HashSet<_> = villages.iter().map(|v| v.town()).collect();
    assert!(villages.len() >= 40 && towns.len() >= 8, "{} villages, {} towns", villages.len(), towns.len());
    assert!(cases.iter().any(|c| c.people_count.unwrap_or(0) >= 2_500));
    assert!(cases.iter().any(|c| c.amount_yuan.unwrap_or(0.0) >= 5e6));
    let group = cases.iter().filter(|c| c.signals.iter().any(|s| s == "group_action")).count();
    assert!(group >= 10, "{group}");
}

#[test]
fn escalating_person_climbs_the_ladder() {
    let (config, _) = year();
    let planted = truth(PlantKind::EscalatingPerson);
    let Plant::EscalatingPerson { person, region, category, contacts, .. } = &config.plants[1] else { panic!() };
    assert_eq!(planted.subject_keys, std::slice::from_ref(person));
    let cases = cases_of(planted);
    assert_eq!(cases.len(), *contacts as usize);
    assert!(cases.iter().all(|c| c.complainants == [person.clone()] && c.region == *region));
    assert!(cases.iter().all(|c| c.category.as_ref() == Some(category)));
    let rank = |c: &CaseSummary| ESCALATION_LADDER.iter().position(|l| *l == c.channel).unwrap();
    assert!(cases.windows(2).all(|w| rank(w[0]) <= rank(w[1]) && w[0].day <= w[1].day));
    assert_eq!((cases[0].channel, cases[cases.len() - 1].channel), (Channel::Grid, Channel::Police));
    assert!(cases[0].signals.is_empty());
    assert!(cases.windows(2).all(|w| w[0].risk <= w[1].risk));
    assert_eq!(cases[cases.len() - 1].risk, RiskLevel::High);
    assert_eq!(cases.iter().filter(|c| c.mediation_failed).count(), 1);
    assert!(cases[1..].iter().all(|c| c.primary == Some(cases[0].id)));
    // Nobody in the background contacts as often.
    let background_max = {
        let mut per: HashMap<&str, usize> = HashMap::new();
        for c in background(&year().1) {
            for p in &c.complainants {
                *per.entry(p).or_default() += 1;
            }
        }
        per.into_values().max().unwrap()
    };
    assert!(background_max < *contacts as usize);
}

#[test]
fn industry_surge_multiplies_the_category() {
    let (config, scenario) = year();
    let planted = truth(PlantKind::IndustrySurge);
    let Plant::IndustrySurge { category, factor, .. } = &config.plants[2] else { panic!() };
    assert_eq!(planted.subject_keys, std::slice::from_ref(category));
    let in_window =
        |c: &&CaseSummary| c.category.as_ref() == Some(category) && c.day >= planted.start && c.day <= planted.end;
    let all = scenario.cases.iter().filter(in_window).count() as f64;
    let ordinary = background(scenario).into_iter().filter(in_window).count() as f64;
    assert!((all / ordinary - factor).abs() < 0.2, "×{}", all / ordinary);
    let cases = cases_of(planted);
    assert!(cases.iter().all(in_window));
    let villages: HashSet<_> = cases.iter().map(|c| c.region).collect();
    assert!(villages.len() >= 50, "spread over the district: {}", villages.len());
    let keys: HashSet<_> = cases.iter().filter_map(|c| c.respondent_key.as_deref()).collect();
    assert!(keys.len() >= 10, "many respondents, not one: {}", keys.len());
}

#[test]
fn hotspot_is_a_few_neighbours_of_one_town() {
    let (config, scenario) = year();
    let planted = truth(PlantKind::VillageHotspot);
    let Plant::VillageHotspot { villages, extra_per_day, days, .. } = &config.plants[3] else { panic!() };
    assert_eq!(planted.subject_keys, villages.iter().map(|v| v.to_string()).collect::<Vec<_>>());
    assert_eq!(villages.len(), 3);
    assert!(villages.iter().all(|v| v.town() == villages[0].town() && config.villages.contains(v)));
    let cases = cases_of(planted);
    let expected = extra_per_day * f64::from(*days);
    assert!((cases.len() as f64 - expected).abs() < 4.0 * expected.sqrt());
    assert!(cases.iter().all(|c| villages.contains(&c.region) && c.day >= planted.start && c.day <= planted.end));
    // The hotspot at least doubles what these villages see in those weeks.
    let ordinary = background(scenario)
        .into_iter()
        .filter(|c| villages.contains(&c.region) && c.day >= planted.start && c.day <= planted.end)
        .count();
    assert!(cases.len() + ordinary >= 2 * ordinary, "{} + {ordinary}", cases.len());
}

#[test]
fn decoys_are_steady_all_year() {
    let (config, scenario) = year();
    let steady = truth(PlantKind::SteadyRespondent);
    let busy = truth(PlantKind::BusyVillage);
    assert!(steady.decoy && busy.decoy);
    assert!(scenario.truth.iter().filter(|t| t.decoy).count() == 2);
    assert_eq!((steady.start, steady.end), (config.start, config.last_day()));
    let Plant::SteadyRespondent { respondent_key: key, name, cases_per_day, .. } = &config.plants[4] else { panic!() };
    let cases = cases_of(steady);
    let expected = cases_per_day * f64::from(config.days);
    assert!((cases.len() as f64 - expected).abs() < 4.0 * expected.sqrt());
    assert!(cases.iter().all(|c| c.respondent_key.as_ref() == Some(key) && c.respondent_name.as_ref() == Some(name)));
    // Spread over the year: every month has its share.
    let mut months: HashMap<u32, usize> = HashMap::new();
    for c in &cases {
        *months.entry(c.day.month()).or_default() += 1;
    }
    assert_eq!(months.len(), 12);
    assert!(months.values().all(|&n| n as f64 > expected / 12.0 * 0.6));

    let Plant::BusyVillage { village, factor } = &config.plants[5] else { panic!() };
    assert_eq!(busy.subject_keys, [village.to_string()]);
    let extra = cases_of(busy);
    assert!(extra.iter().all(|c| c.region == *village));
    let ordinary = background(scenario).into_iter().filter(|c| c.region == *village).count() as f64;
    let ratio = (extra.len() as f64 + ordinary) / ordinary;
    assert!((ratio - factor).abs() < 0.35, "×{ratio}");
}

#[test]
fn plants_outside_the_scenario_are_cut() {
    let villages = yuhang_villages();
    let mut config = standard(1, &villages, date(2025, 3, 1), 130, 20.0);
    config.plants.push(Plant::IndustrySurge {
        start: date(2024, 1, 1),
        category: "neighbour".into(),
        factor: 3.0,
        days: 30,
    });
    let scenario = generate(&config);
    assert_eq!(scenario.truth.len(), 7);
    assert!(scenario.truth[6].case_ids.is_empty());
    assert!(scenario.cases.iter().all(|c| c.day <= config.last_day()));
    // The collapse starts on day 123 of 130 and keeps its first seven days.
    let collapse = &scenario.truth[0];
    assert!(!collapse.case_ids.is_empty());
    assert!(collapse.case_ids.iter().all(|id| scenario.case(*id).unwrap().day <= config.last_day()));
}

#[test]
#[ignore = "timing; run with --release"]
fn a_yuhang_year_generates_in_well_under_a_second() {
    let config = standard(1, &yuhang_villages(), date(2025, 3, 1), 365, 270.0);
    let started = std::time::Instant::now();
    let scenario = generate(&config);
    let elapsed = started.elapsed();
    eprintln!("{} cases in {elapsed:?}", scenario.cases.len());
    assert!(elapsed.as_secs_f64() < 0.5);
}
