//! 事 — mass-involvement events (涉众): a burst of cases against one respondent organisation.
//!
//! For each respondent key (spelling variants of a name share it), a prospective temporal scan
//! compares the cases of every window of 1 to `max_window_days` days ending on the day of the run
//! with the respondent's own rate over the days before (floored, so that a respondent with little
//! history is compared with a small district-wide rate: the short-baseline case of EARS). The
//! window with the highest Poisson likelihood ratio is the burst; its exact Poisson tail,
//! corrected for the windows tried, must pass `alpha`. What the texts of the burst say — head
//! counts, amounts, how many people and villages beyond the usual volume, group-action
//! language — raises the level.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use shanzhi_core::warning::{CaseSummary, Factor, Statistic, Subject, SubjectKind, Warning, WarningModel};

use super::{chinese_amount, days, round2};
use crate::config::{Boost, EventSettings};
use crate::stats::{poisson_llr, poisson_upper_tail};

pub fn warnings(cases: &[CaseSummary], as_of: NaiveDate, settings: &EventSettings) -> Vec<Warning> {
    let window = settings.max_window_days;
    let window_start = as_of - Days::new(u64::from(window - 1));
    let baseline_start = window_start - Days::new(u64::from(settings.baseline_days));
    let mut by_respondent: BTreeMap<&str, Vec<&CaseSummary>> = BTreeMap::new();
    for case in days(cases, baseline_start, as_of) {
        if let Some(key) = case.respondent_key.as_deref() {
            by_respondent.entry(key).or_default().push(case);
        }
    }
    // A young ledger has fewer baseline days than the settings ask for: dividing by the days it
    // has keeps a busy respondent's rate right. (A ledger younger than the window has no
    // baseline at all; the floor rate stands in for it.)
    let ledger_days = cases.first().map_or(0, |c| (window_start - c.day).num_days().max(0) as u32);
    let baseline_days = settings.baseline_days.min(ledger_days).max(1);
    by_respondent
        .into_iter()
        .filter_map(|(key, cases)| assess(key, &cases, as_of, window_start, baseline_days, settings))
        .collect()
}

fn assess(
    key: &str,
    cases: &[&CaseSummary],
    as_of: NaiveDate,
    window_start: NaiveDate,
    baseline_days: u32,
    settings: &EventSettings,
) -> Option<Warning> {
    let (baseline, recent): (Vec<&CaseSummary>, Vec<&CaseSummary>) = cases.iter().partition(|c| c.day < window_start);
    if recent.len() < settings.min_cases as usize {
        return None;
    }
    let rate = (baseline.len() as f64 / f64::from(baseline_days)).max(settings.min_daily_rate);
    // Cases per day back from the day of the run: index 0 is `as_of`.
    let mut per_day = vec![0u64; settings.max_window_days as usize];
    for case in &recent {
        if let Some(slot) = usize::try_from((as_of - case.day).num_days()).ok().and_then(|d| per_day.get_mut(d)) {
            *slot += 1;
        }
    }
    let (mut observed, mut best) = (0u64, (0.0, 0usize, 0u64));
    for (len, count) in per_day.iter().enumerate() {
        observed += count;
        let llr = poisson_llr(observed as f64, rate * (len + 1) as f64);
        if llr > best.0 {
            best = (llr, len + 1, observed);
        }
    }
    let (llr, length, observed) = best;
    if observed < u64::from(settings.min_cases) {
        return None;
    }
    let expected = rate * length as f64;
    let p_value = (poisson_upper_tail(observed, expected) * f64::from(settings.max_window_days)).min(1.0);
    if p_value >= settings.alpha {
        return None;
    }
    let since = as_of - Days::new(length as u64 - 1);
    let burst: Vec<&CaseSummary> = recent.into_iter().filter(|c| c.day >= since).collect();

    let significance = (-p_value.max(1e-300).log10()).min(settings.max_significance_points);
    let mut factors = vec![Factor {
        code: "burst".into(),
        label: format!("近{length}天{observed}件，按以往水平预期{expected:.1}件"),
        points: round2(significance),
    }];
    let evidence = Evidence::of(&burst, expected);
    // Of the tiers of one measure (100 people, 1,000 people) only the highest that holds counts.
    let mut boosts: BTreeMap<&str, Factor> = BTreeMap::new();
    for (measure, factor) in settings.boosts.iter().filter_map(|b| evidence.boost(b).map(|f| (b.measure(), f))) {
        if boosts.get(measure).is_none_or(|held| held.points < factor.points) {
            boosts.insert(measure, factor);
        }
    }
    factors.extend(boosts.into_values());
    let score: f64 = factors.iter().map(|f| f.points).sum();
    let level = settings.levels.level_of(score)?;

    let name = evidence.name.clone().unwrap_or_else(|| key.to_owned());
    let mut explanation = format!(
        "{name}：近{length}天收到针对该主体的投诉、警情等{observed}件，按其以往水平预期约{expected:.1}件\
         （泊松检验p={p_value:.1e}）；涉及投诉人{}人、{}个村社",
        evidence.complainants, evidence.villages
    );
    if let Some(people) = evidence.max_people {
        explanation.push_str(&format!("，文本提及涉及人数最多{people}人"));
    }
    if let Some(amount) = evidence.max_amount {
        explanation.push_str(&format!("，涉及金额最高{}", chinese_amount(amount)));
    }
    if evidence.signals.contains("group_action") {
        explanation.push_str("，出现拉横幅、集体上访等集体行动言论");
    }
    explanation.push_str("。存在涉众风险，建议研判并启动相应预案。");

    Some(Warning {
        model: WarningModel::Event,
        level,
        subject: Subject { kind: SubjectKind::Respondent, key: key.to_owned(), label: name },
        score: round2(score),
        statistic: Statistic {
            method: "prospective_poisson_scan".into(),
            observed: observed as f64,
            expected: round2(expected),
            p_value: Some(p_value),
            llr: Some(llr),
        },
        factors,
        explanation,
        case_ids: burst.iter().map(|c| c.id).collect(),
        since: burst.first().map_or(since, |c| c.day),
        as_of,
    })
}

/// What the texts of a burst say.
struct Evidence {
    name: Option<String>,
    /// Distinct complainants and villages beyond what the usual volume would bring.
    complainants: usize,
    villages: usize,
    excess_complainants: f64,
    excess_villages: f64,
    max_people: Option<u32>,
    max_amount: Option<f64>,
    signals: BTreeSet<String>,
}

impl Evidence {
    fn of(burst: &[&CaseSummary], expected: f64) -> Evidence {
        let mut names: HashMap<&str, usize> = HashMap::new();
        for name in burst.iter().filter_map(|c| c.respondent_name.as_deref()) {
            *names.entry(name).or_default() += 1;
        }
        // The most used spelling, ties to the first in order of the name.
        let name = names.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0))).map(|(n, _)| n.to_owned());
        let complainants: BTreeSet<&str> =
            burst.iter().flat_map(|c| c.complainants.iter().map(String::as_str)).collect();
        let villages: BTreeSet<_> = burst.iter().map(|c| c.region).collect();
        Evidence {
            name,
            complainants: complainants.len(),
            villages: villages.len(),
            // Each usual case brings at most one new person and one new village.
            excess_complainants: complainants.len() as f64 - expected,
            excess_villages: villages.len() as f64 - expected,
            max_people: burst.iter().filter_map(|c| c.people_count).max(),
            max_amount: burst.iter().filter_map(|c| c.amount_yuan).max_by(f64::total_cmp),
            signals: burst.iter().flat_map(|c| c.signals.iter().cloned()).collect(),
        }
    }

    fn boost(&self, boost: &Boost) -> Option<Factor> {
        let holds = boost.people_at_least.is_some_and(|n| self.max_people.is_some_and(|p| p >= n))
            || boost.yuan_at_least.is_some_and(|y| self.max_amount.is_some_and(|a| a >= y))
            || boost.complainants_at_least.is_some_and(|n| self.excess_complainants >= n as f64)
            || boost.villages_at_least.is_some_and(|n| self.excess_villages >= n as f64)
            || boost.signal.as_ref().is_some_and(|s| self.signals.contains(s));
        holds.then(|| Factor { code: boost.code.clone(), label: boost.label.clone(), points: boost.points })
    }
}
