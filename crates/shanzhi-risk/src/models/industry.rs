//! 行业 — a category (and with it an industry) rising above its seasonal baseline.
//!
//! The last `window_days` (3 and 7 days by default) ending on the day of the run are compared
//! with a Farrington-style baseline of windows of the same length on the same weekdays:
//! - with a year or more of history, the same-season weeks of earlier years (aligned on Spring
//!   Festival for categories whose season follows it, since the festival moves by weeks), scaled
//!   by the trend of the last weeks against the same weeks a year before;
//! - with less, the recent weeks before a guard week, adjusted by the known seasonal factors of
//!   seasons.toml.
//!
//! Either way the usual rise of wage arrears before Spring Festival is expected, not a warning;
//! a tripling in November is.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use shanzhi_core::warning::{CaseSummary, Factor, Statistic, Subject, SubjectKind, Warning, WarningModel};

use super::round2;
use crate::config::{IndustrySettings, Seasons};
use crate::names::Names;
use crate::stats::{Baseline, farrington_threshold};

const WEEK: i64 = 7;
/// A year back, in whole weeks, so that the weekdays line up.
const YEAR: i64 = 364;

pub fn warnings(
    cases: &[CaseSummary],
    as_of: NaiveDate,
    settings: &IndustrySettings,
    seasons: &Seasons,
    names: &Names,
) -> Vec<Warning> {
    let Some(first_day) = cases.first().map(|c| c.day) else { return Vec::new() };
    // Daily counts per category, by day number from the first day of the ledger.
    let span = (as_of - first_day).num_days() + 1;
    if span < WEEK * 4 {
        return Vec::new();
    }
    let mut daily: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for case in cases.iter().take_while(|c| c.day <= as_of) {
        let Some(category) = case.category.as_deref() else { continue };
        daily.entry(category).or_insert_with(|| vec![0; span as usize])[(case.day - first_day).num_days() as usize] +=
            1;
    }
    let ledger = Ledger { first_day, span };
    daily
        .into_iter()
        .filter_map(|(category, counts)| {
            let series = Series { ledger: &ledger, counts: &counts };
            assess(category, &series, cases, as_of, settings, seasons, names)
        })
        .collect()
}

struct Ledger {
    first_day: NaiveDate,
    span: i64,
}

struct Series<'a> {
    ledger: &'a Ledger,
    counts: &'a [u32],
}

impl Series<'_> {
    /// Cases in the `days` days ending on `last`, if the ledger covers them all.
    fn window(&self, last: NaiveDate, days: i64) -> Option<f64> {
        let end = (last - self.ledger.first_day).num_days();
        let start = end - days + 1;
        (start >= 0 && end < self.ledger.span)
            .then(|| self.counts[start as usize..=end as usize].iter().map(|&c| f64::from(c)).sum())
    }
}

fn assess(
    category: &str,
    series: &Series<'_>,
    cases: &[CaseSummary],
    as_of: NaiveDate,
    settings: &IndustrySettings,
    seasons: &Seasons,
    names: &Names,
) -> Option<Warning> {
    // The window that stands out most: a short one catches a surge in its first days, the week
    // a slower rise.
    let mut best: Option<Surge> = None;
    for &days in &settings.window_days {
        let days = i64::from(days.max(1));
        let Some(surge) = surge(category, series, as_of, days, settings, seasons) else { continue };
        if best.as_ref().is_none_or(|b| surge.ratio > b.ratio) {
            best = Some(surge);
        }
    }
    let Surge { days, observed, expected, ratio, threshold, references, method } = best?;
    let score = ratio * settings.points_per_ratio;
    let level = settings.levels.level_of(score)?;
    let name = names.category(category);
    let industry = names.industries.get(category).map(|i| format!("（{i}）")).unwrap_or_default();
    let from = as_of - Days::new(days as u64 - 1);
    let case_ids = cases
        .iter()
        .filter(|c| c.day >= from && c.day <= as_of && c.category.as_deref() == Some(category))
        .map(|c| c.id)
        .collect();
    let explanation = format!(
        "{name}{industry}：近{days}天{observed:.0}件，按同期季节性基线预期约{expected:.1}件（{}），为基线的{ratio:.1}倍，\
         超过预警阈值{threshold:.1}件。该领域矛盾明显上升，建议行业主管部门排查研判。",
        match method {
            "farrington_seasonal" => "参照往年同期",
            _ => "参照近几周并按已知季节规律调整",
        }
    );
    Some(Warning {
        model: WarningModel::Industry,
        level,
        subject: Subject { kind: SubjectKind::Category, key: category.to_owned(), label: name },
        score: round2(score),
        statistic: Statistic { method: method.into(), observed, expected: round2(expected), p_value: None, llr: None },
        factors: vec![Factor {
            code: "ratio_to_baseline".into(),
            label: format!("近{days}天为季节性基线的{ratio:.1}倍（基线依据{references}个参照期）"),
            points: round2(score),
        }],
        explanation,
        case_ids,
        since: from,
        as_of,
    })
}

/// A window above its threshold.
struct Surge {
    days: i64,
    observed: f64,
    expected: f64,
    ratio: f64,
    threshold: f64,
    references: usize,
    method: &'static str,
}

fn surge(
    category: &str,
    series: &Series<'_>,
    as_of: NaiveDate,
    days: i64,
    settings: &IndustrySettings,
    seasons: &Seasons,
) -> Option<Surge> {
    let observed = series.window(as_of, days)?;
    // The floor scales with the window: ten a week is about four in three days.
    if observed < f64::from(settings.min_weekly_count) * days as f64 / WEEK as f64 {
        return None;
    }
    let (baseline, method) = seasonal_baseline(category, series, as_of, days, settings, seasons)
        .map(|b| (b, "farrington_seasonal"))
        .or_else(|| {
            recent_baseline(category, series, as_of, days, settings, seasons)
                .map(|b| (b, "recent_weeks_seasonal_factors"))
        })?;
    let threshold = farrington_threshold(baseline.expected, baseline.dispersion, settings.z);
    if observed <= threshold {
        return None;
    }
    let expected = baseline.expected.max(0.5);
    Some(Surge {
        days,
        observed,
        expected,
        ratio: observed / expected,
        threshold,
        references: baseline.references,
        method,
    })
}

/// Same-season weeks of earlier years, scaled by the year-on-year trend.
fn seasonal_baseline(
    category: &str,
    series: &Series<'_>,
    as_of: NaiveDate,
    days: i64,
    settings: &IndustrySettings,
    seasons: &Seasons,
) -> Option<Baseline> {
    let half = i64::from(settings.season_half_width_weeks);
    let mut references = Vec::new();
    for years in 1..=i64::from(settings.years_back) {
        let centre = aligned_day(category, as_of, years, seasons);
        references
            .extend((-half..=half).filter_map(|k| series.window(centre + chrono::Duration::days(k * WEEK), days)));
    }
    // A year of history at least: the whole window of the year before.
    if references.len() < (2 * half + 1) as usize {
        return None;
    }
    // Trend: the recent weeks (after a guard week) against the same weeks a year before.
    let recent: f64 = (2..2 + i64::from(settings.recent_weeks))
        .filter_map(|k| series.window(as_of - chrono::Duration::days(k * WEEK), WEEK))
        .sum();
    let year_before: f64 = (2..2 + i64::from(settings.recent_weeks))
        .filter_map(|k| series.window(as_of - chrono::Duration::days(k * WEEK + YEAR), WEEK))
        .sum();
    let trend = if recent >= 20.0 && year_before >= 20.0 { (recent / year_before).clamp(0.67, 1.5) } else { 1.0 };
    Baseline::from_references(&references, trend)
}

/// The recent weeks before a guard week, each divided by its known seasonal factor, times the
/// factor of the current week.
fn recent_baseline(
    category: &str,
    series: &Series<'_>,
    as_of: NaiveDate,
    days: i64,
    settings: &IndustrySettings,
    seasons: &Seasons,
) -> Option<Baseline> {
    let window_factor = |last: NaiveDate| -> f64 {
        (0..days).map(|d| seasons.factor(category, last - chrono::Duration::days(d))).sum::<f64>() / days as f64
    };
    let references: Vec<f64> = (2..2 + i64::from(settings.recent_weeks))
        .filter_map(|k| {
            let last = as_of - chrono::Duration::days(k * WEEK);
            series.window(last, days).map(|count| count / window_factor(last))
        })
        .collect();
    Baseline::from_references(&references, window_factor(as_of))
}

/// The day `years` earlier in the same season: for a category whose season follows Spring
/// Festival and a day near one, the same distance from that year's festival; else whole weeks.
fn aligned_day(category: &str, day: NaiveDate, years: i64, seasons: &Seasons) -> NaiveDate {
    let lunar = seasons.patterns.iter().any(|p| p.category == category && p.days_before_spring_festival.is_some());
    let festivals: BTreeSet<NaiveDate> = seasons.spring_festival.iter().copied().collect();
    if lunar
        && let Some(&festival) = festivals.iter().min_by_key(|f| (**f - day).num_days().abs())
        && (festival - day).num_days().abs() <= 60
        && let Some(&earlier) = festivals.iter().rev().filter(|f| **f < festival).nth(years as usize - 1)
    {
        return earlier + (day - festival);
    }
    day - chrono::Duration::days(YEAR * years)
}
