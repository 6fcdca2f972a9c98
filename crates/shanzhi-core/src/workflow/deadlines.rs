//! How long each stage of the workflow may take, in working days (`data/workflow/deadlines.toml`).

use std::collections::HashMap;

use serde::Deserialize;

use crate::CaseStatus;
use crate::region::RegionLevel;

/// Working days per stage; a table that leaves a stage out defers to the one below it.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StageDays {
    routed: Option<u32>,
    accepted: Option<u32>,
    screening: Option<u32>,
    mediating: Option<u32>,
    resolved: Option<u32>,
    returned: Option<u32>,
}

impl StageDays {
    fn get(&self, stage: CaseStatus) -> Option<u32> {
        match stage {
            CaseStatus::Routed => self.routed,
            CaseStatus::Accepted => self.accepted,
            CaseStatus::Screening => self.screening,
            CaseStatus::Mediating => self.mediating,
            CaseStatus::Resolved => self.resolved,
            CaseStatus::Returned => self.returned,
            CaseStatus::Registered | CaseStatus::Closed | CaseStatus::Merged => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRules {
    warn_working_days: u32,
    task_working_days: u32,
    agreement_check_days: u32,
    stage: StageDays,
    #[serde(default)]
    level: HashMap<RegionLevel, StageDays>,
    #[serde(default)]
    category: HashMap<String, StageDays>,
}

#[derive(Debug, thiserror::Error)]
pub enum DeadlineRulesError {
    #[error("deadline rules are not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("deadline rules: the default `[stage]` table must give every stage ({0} is missing)")]
    MissingStage(&'static str),
}

impl DeadlineRules {
    pub fn from_toml(text: &str) -> Result<Self, DeadlineRulesError> {
        let rules: DeadlineRules = toml::from_str(text)?;
        for stage in [
            CaseStatus::Routed,
            CaseStatus::Accepted,
            CaseStatus::Screening,
            CaseStatus::Mediating,
            CaseStatus::Resolved,
            CaseStatus::Returned,
        ] {
            if rules.stage.get(stage).is_none() {
                return Err(DeadlineRulesError::MissingStage(stage.code()));
            }
        }
        Ok(rules)
    }

    /// Working days allowed in `stage` for a case of `category` handled at `level`; `None` for
    /// stages without a clock (registered, closed, merged).
    pub fn working_days(&self, stage: CaseStatus, category: Option<&str>, level: Option<RegionLevel>) -> Option<u32> {
        let by_category = category.and_then(|c| self.category.get(c)).and_then(|d| d.get(stage));
        let by_level = level.and_then(|l| self.level.get(&l)).and_then(|d| d.get(stage));
        by_category.or(by_level).or_else(|| self.stage.get(stage))
    }

    pub fn warn_working_days(&self) -> u32 {
        self.warn_working_days
    }

    pub fn task_working_days(&self) -> u32 {
        self.task_working_days
    }

    pub fn agreement_check_days(&self) -> u32 {
        self.agreement_check_days
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_beats_level_beats_default() {
        let rules = DeadlineRules::from_toml(crate::defaults::DEADLINE_RULES).unwrap();
        let days = |stage, category, level| rules.working_days(stage, category, level);
        assert_eq!(days(CaseStatus::Mediating, None, None), Some(15));
        assert_eq!(days(CaseStatus::Mediating, None, Some(RegionLevel::District)), Some(30));
        assert_eq!(days(CaseStatus::Mediating, Some("wage_arrears"), Some(RegionLevel::District)), Some(10));
        assert_eq!(days(CaseStatus::Routed, Some("wage_arrears"), Some(RegionLevel::District)), Some(1));
        assert_eq!(days(CaseStatus::Closed, None, None), None);
    }

    #[test]
    fn every_stage_needs_a_default() {
        let text = crate::defaults::DEADLINE_RULES.replace("returned = 1\n", "");
        assert!(matches!(DeadlineRules::from_toml(&text), Err(DeadlineRulesError::MissingStage("returned"))));
    }
}
