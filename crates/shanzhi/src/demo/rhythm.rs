//! The rhythm of the demo's year (`data/demo/rhythm.toml`): fewer cases at weekends and on
//! holidays, the window and court closed on rest days, wage arrears before Spring Festival and
//! neighbourhood noise in summer (the seasons the industry model knows, data/risk/seasons.toml),
//! property matters in communities and land matters in villages.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;
use shanzhi_core::calendar::WorkCalendar;
use shanzhi_core::{Channel, RegionCode};
use shanzhi_risk::config::Seasons;

use super::population::is_community;

const RHYTHM: &str = include_str!("../../../../data/demo/rhythm.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DayFactors {
    working: f64,
    weekend: f64,
    holiday: f64,
    spring_festival: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LocaleFactors {
    urban_in_community: f64,
    urban_in_village: f64,
    rural_in_village: f64,
    rural_in_community: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RhythmFile {
    day: DayFactors,
    rest_day_channels: HashMap<String, f64>,
    locale: LocaleFactors,
}

/// Where a kind of matter arises: anywhere alike, mostly in urban communities, or mostly in
/// villages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Any,
    Urban,
    Rural,
}

pub struct Rhythm {
    day: DayFactors,
    rest_day_channels: HashMap<Channel, f64>,
    locale: LocaleFactors,
    seasons: Seasons,
    calendar: WorkCalendar,
}

impl Rhythm {
    pub fn embedded() -> anyhow::Result<Rhythm> {
        let file: RhythmFile = toml::from_str(RHYTHM).context("data/demo/rhythm.toml")?;
        let rest_day_channels = file
            .rest_day_channels
            .iter()
            .map(|(code, factor)| Ok((code.parse::<Channel>()?, *factor)))
            .collect::<anyhow::Result<_>>()
            .context("data/demo/rhythm.toml: rest_day_channels")?;
        Ok(Rhythm {
            day: file.day,
            rest_day_channels,
            locale: file.locale,
            seasons: shanzhi_risk::RiskSettings::embedded().seasons,
            calendar: shanzhi_core::defaults::calendar().context("the embedded holiday calendar")?,
        })
    }

    /// A day's volume relative to an ordinary working day, and whether it is a rest day. Years
    /// the holiday table does not cover fall back on weekends and the Spring Festival week.
    fn day_factor(&self, day: NaiveDate) -> (f64, bool) {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let (working, name) = if self.calendar.covers(day.year()) {
            let working = self.calendar.is_working_day(day);
            (working, if working { None } else { self.calendar.day_name(day) })
        } else if self.in_spring_festival_week(day) {
            (false, Some("春节"))
        } else {
            (!weekend, None)
        };
        let factor = match (working, name) {
            (true, _) => self.day.working,
            (false, Some(name)) if name.contains("春节") => self.day.spring_festival,
            (false, Some(_)) => self.day.holiday,
            (false, None) => self.day.weekend,
        };
        (factor, !working)
    }

    fn in_spring_festival_week(&self, day: NaiveDate) -> bool {
        self.seasons.spring_festival.iter().any(|&sf| day + Days::new(1) >= sf && day <= sf + Days::new(6))
    }

    /// How many cases of `category` (a taxonomy code) arrive through `channel` on `day`,
    /// relative to an ordinary working day out of season.
    pub fn weight(&self, category: &str, channel: Channel, day: NaiveDate) -> f64 {
        let (factor, rest) = self.day_factor(day);
        let channel = if rest { self.rest_day_channels.get(&channel).copied().unwrap_or(1.0) } else { 1.0 };
        factor * channel * self.seasons.factor(category, day)
    }

    /// How much more often a matter of `locale` arises in `village` than its population says.
    pub fn locale_factor(&self, locale: Locale, village: RegionCode) -> f64 {
        let community = is_community(village);
        match (locale, community) {
            (Locale::Any, _) => 1.0,
            (Locale::Urban, true) => self.locale.urban_in_community,
            (Locale::Urban, false) => self.locale.urban_in_village,
            (Locale::Rural, false) => self.locale.rural_in_village,
            (Locale::Rural, true) => self.locale.rural_in_community,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weekends_holidays_and_seasons_shape_the_year() {
        let rhythm = Rhythm::embedded().unwrap();
        let tuesday = rhythm.weight("neighbour", Channel::Hotline, day("2026-04-14"));
        assert_eq!(tuesday, 1.0);
        assert!(rhythm.weight("neighbour", Channel::Hotline, day("2026-04-18")) < tuesday, "a Saturday");
        // 2026-10-01 is National Day, and the window is closed on it.
        assert!(rhythm.weight("other", Channel::Window, day("2026-10-01")) < 0.2);
        // Police work on rest days.
        assert!(rhythm.weight("other", Channel::Police, day("2026-04-18")) > 0.6);
        // Wage arrears rise in the weeks before Spring Festival (2026-02-17), noise in summer.
        assert!(rhythm.weight("wage_arrears", Channel::Hotline, day("2026-01-20")) > 2.0);
        assert_eq!(rhythm.weight("wage_arrears", Channel::Hotline, day("2026-11-17")), 1.0);
        assert!(rhythm.weight("neighbour", Channel::Hotline, day("2026-07-14")) > 1.0);
        // A year the holiday table does not cover: the Spring Festival week is still a holiday.
        assert!(rhythm.weight("other", Channel::Hotline, day("2029-02-14")) < 0.5);
    }
}
