//! How well the models find what a scenario planted: run them day by day as a district would,
//! deduplicate situations as the store does, and compare with the truth. Detection rate, days to
//! detection and false warnings per month come from here, in the tests and in the README.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;

use chrono::NaiveDate;
use shanzhi_core::warning::{Warning, WarningLevel, WarningModel};

use crate::scenario::{PlantKind, Planted, Scenario};
use crate::{Names, RiskSettings, assess};

/// What became of one planted situation.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub kind: PlantKind,
    pub decoy: bool,
    pub start: NaiveDate,
    /// The first day a warning of the right model named its subject, and that warning's level.
    pub first_warned: Option<(NaiveDate, WarningLevel)>,
    /// The highest level it reached on any day evaluated.
    pub highest: Option<WarningLevel>,
}

impl Detection {
    pub fn days_to_detection(&self) -> Option<i64> {
        self.first_warned.map(|(day, _)| (day - self.start).num_days())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub days_evaluated: usize,
    pub detections: Vec<Detection>,
    /// Situations warned that match nothing planted, by model: (situation key, highest level).
    pub false_situations: Vec<(String, WarningLevel)>,
}

impl Evaluation {
    /// Distinct false situations at `level` or above per 30 days evaluated.
    pub fn false_per_month(&self, level: WarningLevel) -> f64 {
        let count = self.false_situations.iter().filter(|(_, l)| *l >= level).count();
        count as f64 * 30.0 / self.days_evaluated.max(1) as f64
    }

    pub fn false_by_model(&self, level: WarningLevel) -> BTreeMap<String, usize> {
        let mut by_model = BTreeMap::new();
        for (key, l) in &self.false_situations {
            if *l >= level {
                *by_model.entry(key.split(':').next().unwrap_or("").to_owned()).or_default() += 1;
            }
        }
        by_model
    }
}

/// Whether `warning` is about the planted situation.
pub fn matches(warning: &Warning, planted: &Planted) -> bool {
    if warning.model != planted.kind.model() {
        return false;
    }
    match warning.model {
        // A region warning names the town(s); the plant names villages.
        WarningModel::Region => planted
            .subject_keys
            .iter()
            .any(|village| village.get(..9).is_some_and(|town| warning.subject.key.split('+').any(|k| k == town))),
        _ => planted.subject_keys.contains(&warning.subject.key),
    }
}

/// Runs the models on each of `days` and scores the result against the scenario's truth.
pub fn evaluate(
    scenario: &Scenario,
    days: &[NaiveDate],
    settings: &RiskSettings,
    names: &Names,
    threads: NonZeroUsize,
) -> Evaluation {
    let mut detections: Vec<Detection> = scenario
        .truth
        .iter()
        .map(|p| Detection { kind: p.kind, decoy: p.decoy, start: p.start, first_warned: None, highest: None })
        .collect();
    let mut false_situations: BTreeMap<String, WarningLevel> = BTreeMap::new();
    let mut seen: BTreeSet<&NaiveDate> = BTreeSet::new();
    for day in days {
        if !seen.insert(day) {
            continue;
        }
        for warning in assess(&scenario.cases, *day, settings, names, threads) {
            let mut planted_match = false;
            for (planted, detection) in scenario.truth.iter().zip(&mut detections) {
                // A situation is found from its start on; before it, the subject was ordinary.
                if *day >= planted.start && *day <= planted.end + chrono::Days::new(7) && matches(&warning, planted) {
                    planted_match = true;
                    if detection.first_warned.is_none_or(|(first, _)| *day < first) {
                        detection.first_warned = Some((*day, warning.level));
                    }
                    detection.highest = detection.highest.max(Some(warning.level));
                }
            }
            if !planted_match {
                let level = false_situations.entry(warning.situation_key()).or_insert(warning.level);
                *level = (*level).max(warning.level);
            }
        }
    }
    Evaluation { days_evaluated: seen.len(), detections, false_situations: false_situations.into_iter().collect() }
}
