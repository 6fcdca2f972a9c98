//! Assessment (考核): metrics per town, village and department for a period, safe-village star
//! ratings, and the accountability lists (倒查) that go with them. The definitions are written
//! down in docs/metrics.md; [`figures::Figure::counts`] is their one implementation.
//!
//! Everything here is a pure function of the cases' histories ([`CaseFacts`]), the period's
//! warnings and the district's rules: an assessment of October made in December reads the
//! ledger as it stood at the end of October (the cut-off), so it never changes after the fact.
//! This module does not know where the facts come from (the store reads them) nor how the result
//! is shown (spreadsheets, the API).

mod facts;
mod figures;
mod metrics;
mod period;
mod stars;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use facts::{CaseBasics, CaseFacts, Stage};
pub use figures::{Figure, Judging};
pub use metrics::{Metrics, StageCounts, WarningCounts, WarningFacts};
pub use period::{Period, PeriodError};
pub use stars::{
    Bonus, Deduction, Line, RateSource, ResidentRegister, Residents, SchemeError, StarRating, StarScheme,
    StarThresholds, Veto, VetoLine,
};

use crate::warning::WarningLevel;
use crate::{CaseStatus, DepartmentDirectory, Gazetteer, RegionCode};

/// The tunable parts of the metrics (`data/assessment/metrics.toml`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRules {
    /// Hours within which staff must first act on a warning of each level.
    pub warning_response_hours: BTreeMap<WarningLevel, u32>,
    /// A follow-up rating at or below this is 不满意.
    pub unsatisfied_at_most: u8,
}

impl AssessmentRules {
    pub fn from_toml(text: &str) -> Result<AssessmentRules, SchemeError> {
        let rules: AssessmentRules = toml::from_str(text)?;
        if let Some(missing) = WarningLevel::ALL.into_iter().find(|l| !rules.warning_response_hours.contains_key(l)) {
            return Err(SchemeError::Invalid(format!("warning_response_hours has no `{}`", missing.code())));
        }
        if !(1..=5).contains(&rules.unsatisfied_at_most) {
            return Err(SchemeError::Invalid("unsatisfied_at_most is a rating from 1 to 5".into()));
        }
        Ok(rules)
    }
}

/// What a figure is counted for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Unit {
    District,
    Town(RegionCode),
    Village(RegionCode),
    /// By the lead department at the cut-off.
    Department(String),
}

impl Unit {
    /// Whether `figure` of `case` is the unit's. A department answers for the cases it leads at
    /// the cut-off, except for returns (退回), which are the returning department's.
    fn answers_for(&self, figure: Figure, case: &CaseFacts) -> bool {
        match self {
            Unit::District => true,
            Unit::Town(code) => case.town() == Some(*code),
            Unit::Village(code) => case.village() == Some(*code),
            Unit::Department(name) if figure == Figure::Returned => case.returned_by.contains(name),
            Unit::Department(name) => case.lead() == Some(name.as_str()),
        }
    }
}

/// The assessment of a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub period: Period,
    pub cut_off: DateTime<Utc>,
    pub district: Metrics,
    /// Every town and village of the gazetteer, and every department of the directory, with or
    /// without cases; then any lead department the directory no longer lists.
    pub towns: BTreeMap<RegionCode, Metrics>,
    pub villages: BTreeMap<RegionCode, Metrics>,
    pub departments: BTreeMap<String, Metrics>,
    /// The warnings raised in the period.
    pub warnings: Vec<WarningFacts>,
}

/// The district the assessment is of.
#[derive(Clone, Copy)]
pub struct District<'a> {
    pub gazetteer: &'a Gazetteer,
    pub directory: &'a DepartmentDirectory,
}

/// Computes every metric of `period` for every unit. `cases` are, as they stood at `cut_off`
/// (the end of the period, or now if it has not ended), the cases received in the period, those
/// with a crime recorded in it, and those still handled in it (received before its end, and
/// with an event in it or after it, or still open); `warnings` those raised in the period.
pub fn assess(
    period: &Period,
    cut_off: DateTime<Utc>,
    cases: &[CaseFacts],
    warnings: &[WarningFacts],
    district: District<'_>,
    rules: &AssessmentRules,
) -> Assessment {
    let judging = Judging { period, cut_off, unsatisfied_at_most: rules.unsatisfied_at_most };
    let mut assessment = Assessment {
        period: period.clone(),
        cut_off,
        district: Metrics::default(),
        towns: district.gazetteer.towns().map(|t| (t.code, Metrics::default())).collect(),
        villages: district.gazetteer.villages().map(|v| (v.code, Metrics::default())).collect(),
        departments: district.directory.iter().map(|d| (d.name.clone(), Metrics::default())).collect(),
        warnings: Vec::new(),
    };
    let mut figures = Vec::with_capacity(Figure::COUNT);
    for case in cases {
        figures.clear();
        figures.extend(Figure::ALL.iter().copied().filter(|f| f.counts(case, &judging)));
        // A case in no figure may still have a stage judged in the period.
        assessment.district.add_case(case, &figures, &judging);
        if let Some(town) = case.town() {
            assessment.towns.entry(town).or_default().add_case(case, &figures, &judging);
        }
        if let Some(village) = case.village() {
            assessment.villages.entry(village).or_default().add_case(case, &figures, &judging);
        }
        // A return is the returning department's, not the lead's (unless it is both).
        let returned = figures.contains(&Figure::Returned);
        if let Some(lead) = case.lead() {
            let mut of_lead = figures.clone();
            if returned && !case.returned_by.iter().any(|d| d == lead) {
                of_lead.retain(|f| *f != Figure::Returned);
            }
            assessment.departments.entry(lead.to_owned()).or_default().add_case(case, &of_lead, &judging);
        }
        if returned {
            for department in case.returned_by.iter().filter(|d| case.lead() != Some(d.as_str())) {
                assessment.departments.entry(department.clone()).or_default().add_count(Figure::Returned);
            }
        }
    }
    for w in warnings.iter().filter(|w| period.contains(w.raised_at)) {
        let hours = &rules.warning_response_hours;
        assessment.district.add_warning(w, hours, cut_off);
        let mut towns: Vec<RegionCode> = w.regions.iter().filter_map(|r| r.town()).collect();
        towns.sort();
        towns.dedup();
        for town in towns {
            assessment.towns.entry(town).or_default().add_warning(w, hours, cut_off);
        }
        let mut villages: Vec<RegionCode> =
            w.regions.iter().copied().filter(|r| r.level() == crate::RegionLevel::Village).collect();
        villages.sort();
        villages.dedup();
        for village in villages {
            assessment.villages.entry(village).or_default().add_warning(w, hours, cut_off);
        }
        assessment.warnings.push(w.clone());
    }
    assessment
}

/// The cases behind a figure of a unit: the same predicate that counted them.
pub fn cases_behind<'a>(
    figure: Figure,
    unit: &'a Unit,
    cases: &'a [CaseFacts],
    judging: Judging<'a>,
) -> impl Iterator<Item = &'a CaseFacts> + 'a {
    cases.iter().filter(move |c| unit.answers_for(figure, c) && figure.counts(c, &judging))
}

/// The stages whose deadlines the metrics judge, with their names in assessments.
pub const STAGES: [(CaseStatus, &str); 6] = [
    (CaseStatus::Routed, "签收"),
    (CaseStatus::Returned, "退回重派"),
    (CaseStatus::Accepted, "受理"),
    (CaseStatus::Screening, "排查"),
    (CaseStatus::Mediating, "调解"),
    (CaseStatus::Resolved, "回访"),
];

impl Assessment {
    /// How this assessment judged its cases: for opening its figures into their cases.
    pub fn judging<'a>(&'a self, rules: &AssessmentRules) -> Judging<'a> {
        Judging { period: &self.period, cut_off: self.cut_off, unsatisfied_at_most: rules.unsatisfied_at_most }
    }
}

/// What accountability (倒查) lists for a unit: the cases overdue, returned, reopened or rated
/// unsatisfied in the period.
pub const ACCOUNTABILITY_FIGURES: [Figure; 4] =
    [Figure::Overdue, Figure::Returned, Figure::Reopened, Figure::Unsatisfied];
