//! The metrics of one unit (the district, a town, a village, a department): the figures' counts,
//! and the sums that rates and means are made of. Rates are `None` where their denominator is
//! zero: no data is not 0%.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::facts::{CaseFacts, Stage};
use super::figures::{Figure, Judging};
use crate::warning::{WarningLevel, WarningModel};
use crate::{CaseStatus, Channel, RegionCode};

/// Deadlines met in one stage of the handling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StageCounts {
    /// Stages judged in the period: ended in it by their deadline, or their deadline passed in it.
    pub due: u32,
    /// Of those, ended by their deadline.
    pub on_time: u32,
}

/// Warnings of the period that concern the unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WarningCounts {
    pub raised: u32,
    pub by_level: BTreeMap<WarningLevel, u32>,
    /// Raised, and either acted on or past the response time at the cut-off.
    pub due: u32,
    /// First acted on within the response time of their level.
    pub handled_in_time: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    #[serde(serialize_with = "counts_by_code")]
    counts: [u32; Figure::COUNT],
    pub by_channel: BTreeMap<Channel, u32>,
    pub by_category: BTreeMap<String, u32>,
    pub stages: BTreeMap<CaseStatus, StageCounts>,
    pub follow_ups: u32,
    /// Follow-ups that reached the party (a rating was given).
    pub follow_ups_reached: u32,
    satisfaction_sum: u32,
    resolution_days_sum: f64,
    pub terms_checked: u32,
    pub terms_honoured: u32,
    pub warnings: WarningCounts,
}

fn counts_by_code<S: serde::Serializer>(counts: &[u32; Figure::COUNT], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(Figure::ALL.iter().map(|f| (f.code(), counts[*f as usize])))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            counts: [0; Figure::COUNT],
            by_channel: BTreeMap::new(),
            by_category: BTreeMap::new(),
            stages: BTreeMap::new(),
            follow_ups: 0,
            follow_ups_reached: 0,
            satisfaction_sum: 0,
            resolution_days_sum: 0.0,
            terms_checked: 0,
            terms_honoured: 0,
            warnings: WarningCounts::default(),
        }
    }
}

fn ratio(numerator: u32, denominator: u32) -> Option<f64> {
    (denominator > 0).then(|| f64::from(numerator) / f64::from(denominator))
}

impl Metrics {
    pub fn count(&self, figure: Figure) -> u32 {
        self.counts[figure as usize]
    }

    /// Counts a case in one figure only (a department that returned a case it does not lead).
    pub(crate) fn add_count(&mut self, figure: Figure) {
        self.counts[figure as usize] += 1;
    }

    /// Adds one case, given the figures it counts in.
    pub(crate) fn add_case(&mut self, case: &CaseFacts, figures: &[Figure], j: &Judging<'_>) {
        for f in figures {
            self.counts[*f as usize] += 1;
        }
        if figures.contains(&Figure::Received) {
            *self.by_channel.entry(case.basics.channel).or_default() += 1;
            let category = case.basics.category.clone().unwrap_or_else(|| "未分类".to_owned());
            *self.by_category.entry(category).or_default() += 1;
        }
        // Stages count in the period in which they are judged, whenever the case was received:
        // a case received on the 30th whose deadline falls on the 2nd is judged next month.
        if case.merged().is_none() {
            let judged = |s: &&Stage| s.judged_at().is_some_and(|at| j.period.start() <= at && at < j.cut_off);
            for stage in case.stages.iter().filter(judged) {
                let counts = self.stages.entry(stage.stage).or_default();
                counts.due += 1;
                counts.on_time += u32::from(stage.is_on_time());
            }
        }
        if !figures.contains(&Figure::Handled) {
            return;
        }
        for rating in case.follow_up_ratings() {
            self.follow_ups += 1;
            if let Some(r) = rating {
                self.follow_ups_reached += 1;
                self.satisfaction_sum += u32::from(r);
            }
        }
        if let Some(days) = case.days_to_resolution() {
            self.resolution_days_sum += days;
        }
        for term in case.workflow.agreement.iter().flat_map(|a| &a.terms) {
            if let Some(honoured) = term.honoured {
                self.terms_checked += 1;
                self.terms_honoured += u32::from(honoured);
            }
        }
    }

    pub(crate) fn add_warning(
        &mut self,
        w: &WarningFacts,
        response_hours: &BTreeMap<WarningLevel, u32>,
        cut_off: DateTime<Utc>,
    ) {
        let counts = &mut self.warnings;
        counts.raised += 1;
        *counts.by_level.entry(w.level).or_default() += 1;
        // `AssessmentRules::from_toml` refuses rules without a response time for every level.
        let hours = response_hours[&w.level];
        let deadline = w.raised_at + chrono::Duration::hours(i64::from(hours));
        if w.first_action_at.is_some() || cut_off > deadline {
            counts.due += 1;
        }
        if w.first_action_at.is_some_and(|at| at <= deadline && at < cut_off) {
            counts.handled_in_time += 1;
        }
    }

    /// 化解率: resolved ÷ handled.
    pub fn resolution_rate(&self) -> Option<f64> {
        ratio(self.count(Figure::Resolved), self.count(Figure::Handled))
    }

    /// 镇村两级化解占比: resolved at town or village level ÷ resolved (the district targets > 90%).
    pub fn local_resolution_share(&self) -> Option<f64> {
        ratio(self.count(Figure::ResolvedLocally), self.count(Figure::Resolved))
    }

    /// 按时签收率.
    pub fn accepted_on_time_rate(&self) -> Option<f64> {
        ratio(self.count(Figure::AcceptedOnTime), self.count(Figure::Accepted))
    }

    /// On-time rate of one stage.
    pub fn stage_on_time_rate(&self, stage: CaseStatus) -> Option<f64> {
        self.stages.get(&stage).and_then(|c| ratio(c.on_time, c.due))
    }

    /// On-time rate over every stage.
    pub fn on_time_rate(&self) -> Option<f64> {
        let (on_time, due) = self.stages.values().fold((0, 0), |(o, d), c| (o + c.on_time, d + c.due));
        ratio(on_time, due)
    }

    /// 平均化解天数.
    pub fn mean_days_to_resolution(&self) -> Option<f64> {
        let n = self.count(Figure::Resolved);
        (n > 0).then(|| self.resolution_days_sum / f64::from(n))
    }

    /// 重复访率: records that were repeat visits ÷ records received.
    pub fn repeat_visit_rate(&self) -> Option<f64> {
        ratio(self.count(Figure::RepeatVisits), self.count(Figure::Received))
    }

    /// 重新办理率: reopened ÷ resolved at least once.
    pub fn reopen_rate(&self) -> Option<f64> {
        ratio(self.count(Figure::Reopened), self.count(Figure::ResolvedOnce))
    }

    /// 满意度: the mean rating (1–5) of the follow-ups that reached the party.
    pub fn mean_satisfaction(&self) -> Option<f64> {
        (self.follow_ups_reached > 0).then(|| f64::from(self.satisfaction_sum) / f64::from(self.follow_ups_reached))
    }

    /// 回访接通率: follow-ups that reached the party ÷ follow-ups made.
    pub fn follow_up_response_rate(&self) -> Option<f64> {
        ratio(self.follow_ups_reached, self.follow_ups)
    }

    /// 履约率: agreements whose checked terms were all honoured ÷ agreements with a checked term.
    pub fn agreement_honoured_rate(&self) -> Option<f64> {
        ratio(self.count(Figure::AgreementsHonoured), self.count(Figure::AgreementsChecked))
    }

    /// 预警按时处置率.
    pub fn warnings_handled_in_time_rate(&self) -> Option<f64> {
        ratio(self.warnings.handled_in_time, self.warnings.due)
    }
}

/// A warning as the assessment reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarningFacts {
    pub id: i64,
    pub model: WarningModel,
    pub level: WarningLevel,
    pub subject: String,
    pub raised_at: DateTime<Utc>,
    /// The first action of staff on it (acknowledge, activate a plan, resolve, dismiss).
    pub first_action_at: Option<DateTime<Utc>>,
    /// The villages or towns of its cases (or of its region).
    pub regions: Vec<RegionCode>,
    /// Its cases, for back-tracing.
    pub case_ids: Vec<crate::CaseId>,
}
