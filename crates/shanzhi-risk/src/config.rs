//! The models' settings (data/risk/models.toml) and known seasons (data/risk/seasons.toml),
//! parsed strictly: an unknown key is an error rather than a setting silently ignored.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use shanzhi_core::warning::WarningLevel;

/// The shipped settings, embedded so that the binary runs anywhere.
pub const DEFAULT_MODELS: &str = include_str!("../../../data/risk/models.toml");
pub const DEFAULT_SEASONS: &str = include_str!("../../../data/risk/seasons.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("risk model settings: {0}")]
    Models(toml::de::Error),
    #[error("seasons: {0}")]
    Seasons(toml::de::Error),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskSettings {
    pub event: EventSettings,
    pub person: PersonSettings,
    pub industry: IndustrySettings,
    pub region: RegionSettings,
    #[serde(skip)]
    pub seasons: Seasons,
}

impl RiskSettings {
    pub fn parse(models: &str, seasons: &str) -> Result<RiskSettings, ConfigError> {
        let mut settings: RiskSettings = toml::from_str(models).map_err(ConfigError::Models)?;
        settings.seasons = toml::from_str(seasons).map_err(ConfigError::Seasons)?;
        settings.check()?;
        Ok(settings)
    }

    pub fn embedded() -> RiskSettings {
        RiskSettings::parse(DEFAULT_MODELS, DEFAULT_SEASONS).expect("the shipped risk settings parse")
    }

    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |what: &str| Err(ConfigError::Invalid(what.to_owned()));
        for (model, levels) in
            [("event", &self.event.levels), ("person", &self.person.levels), ("industry", &self.industry.levels)]
        {
            if !(levels.blue <= levels.yellow && levels.yellow <= levels.orange && levels.orange <= levels.red) {
                return invalid(&format!("{model}.levels must rise from blue to red"));
            }
        }
        if self.event.max_window_days == 0 || self.region.max_window_days == 0 || self.region.study_days < 7 {
            return invalid("windows must be at least a day and the region study at least a week");
        }
        if !(0.0..1.0).contains(&self.event.alpha) || self.event.alpha == 0.0 {
            return invalid("event.alpha must lie in (0, 1)");
        }
        if self.region.replications < 99 {
            return invalid("region.replications must be at least 99 for a p-value to mean anything");
        }
        if let Some(rule) = self.region.levels.iter().find(|r| r.level.parse::<WarningLevel>().is_err()) {
            return invalid(&format!("region.levels: `{}` is not blue, yellow, orange or red", rule.level));
        }
        if self.region.max_window_days >= self.region.study_days {
            return invalid("region.max_window_days must be shorter than region.study_days");
        }
        Ok(())
    }
}

/// Score thresholds of the four levels.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levels {
    pub blue: f64,
    pub yellow: f64,
    pub orange: f64,
    pub red: f64,
}

impl Levels {
    pub fn level_of(&self, score: f64) -> Option<WarningLevel> {
        [
            (self.red, WarningLevel::Red),
            (self.orange, WarningLevel::Orange),
            (self.yellow, WarningLevel::Yellow),
            (self.blue, WarningLevel::Blue),
        ]
        .into_iter()
        .find(|(threshold, _)| score >= *threshold)
        .map(|(_, level)| level)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSettings {
    pub max_window_days: u32,
    pub baseline_days: u32,
    pub min_daily_rate: f64,
    pub alpha: f64,
    pub min_cases: u32,
    pub max_significance_points: f64,
    pub boosts: Vec<Boost>,
    pub levels: Levels,
}

/// Points added to a burst when its cases say something; one condition per boost.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Boost {
    pub code: String,
    pub label: String,
    pub points: f64,
    pub people_at_least: Option<u32>,
    pub yuan_at_least: Option<f64>,
    pub complainants_at_least: Option<usize>,
    pub villages_at_least: Option<usize>,
    pub signal: Option<String>,
}

impl Boost {
    /// What the boost measures; tiers of one measure do not add up.
    pub fn measure(&self) -> &str {
        match self {
            Boost { people_at_least: Some(_), .. } => "people",
            Boost { yuan_at_least: Some(_), .. } => "amount",
            Boost { complainants_at_least: Some(_), .. } => "complainants",
            Boost { villages_at_least: Some(_), .. } => "villages",
            Boost { signal: Some(signal), .. } => signal,
            _ => &self.code,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonSettings {
    pub lookback_days: u32,
    pub recent_days: u32,
    pub min_contacts: u32,
    pub channel_steps: BTreeMap<String, u32>,
    pub points_per_repeat: f64,
    pub max_repeat_points: f64,
    pub points_per_channel_step: f64,
    pub points_per_failed_mediation: f64,
    pub signal_points: BTreeMap<String, f64>,
    pub rising_language_bonus: f64,
    pub recent_contact_days: u32,
    pub recent_contact_points: f64,
    pub levels: Levels,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndustrySettings {
    pub window_days: Vec<u32>,
    pub season_half_width_weeks: u32,
    pub years_back: u32,
    pub recent_weeks: u32,
    pub z: f64,
    pub min_weekly_count: u32,
    pub points_per_ratio: f64,
    pub levels: Levels,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSettings {
    pub study_days: u32,
    pub max_window_days: u32,
    pub replications: u32,
    pub seed: u64,
    pub min_cases: u32,
    pub max_radius_km: f64,
    pub levels: Vec<RegionLevelRule>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionLevelRule {
    pub level: String,
    pub p_below: f64,
    pub ratio_at_least: f64,
}

/// Known seasonal patterns, by category.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seasons {
    pub spring_festival: Vec<NaiveDate>,
    #[serde(default, rename = "pattern")]
    pub patterns: Vec<SeasonPattern>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeasonPattern {
    pub category: String,
    pub label: String,
    pub factor: f64,
    #[serde(default)]
    pub months: Vec<u32>,
    pub days_before_spring_festival: Option<u32>,
}

impl Seasons {
    /// The known seasonal factor of a category on a day (1 outside every pattern).
    pub fn factor(&self, category: &str, day: NaiveDate) -> f64 {
        self.patterns.iter().filter(|p| p.category == category && self.applies(p, day)).map(|p| p.factor).product()
    }

    fn applies(&self, pattern: &SeasonPattern, day: NaiveDate) -> bool {
        if pattern.months.contains(&day.month()) {
            return true;
        }
        pattern.days_before_spring_festival.is_some_and(|before| {
            self.spring_festival.iter().any(|&festival| {
                let until = (festival - day).num_days();
                (0..=i64::from(before)).contains(&until)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_settings_parse() {
        let settings = RiskSettings::embedded();
        assert_eq!(settings.event.levels.level_of(11.5), Some(WarningLevel::Red));
        assert_eq!(settings.event.levels.level_of(5.0), Some(WarningLevel::Yellow));
        assert_eq!(settings.event.levels.level_of(1.0), None);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let models = DEFAULT_MODELS.replace("alpha = 0.001", "alpha = 0.001\nalpah = 0.1");
        assert!(matches!(RiskSettings::parse(&models, DEFAULT_SEASONS), Err(ConfigError::Models(_))));
    }

    #[test]
    fn spring_festival_moves_with_the_lunar_calendar() {
        let seasons = RiskSettings::embedded().seasons;
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(seasons.factor("wage_arrears", day("2026-01-20")), 2.2, "four weeks before 2026-02-17");
        assert_eq!(seasons.factor("wage_arrears", day("2025-01-20")), 2.2, "nine days before 2025-01-29");
        assert_eq!(seasons.factor("wage_arrears", day("2025-11-20")), 1.0, "November is no season");
        assert_eq!(seasons.factor("neighbour", day("2025-07-01")), 1.4);
    }
}
