//! Safe-village star ratings (星级平安村社): a scheme of weighted indicators per 1,000 residents,
//! bonuses and one-vote vetoes (一票否决), read from a versioned data file so that a town can
//! publish its own (`data/assessment/stars.toml`), and the rating of a village by it, with the
//! breakdown that explains it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::figures::Figure;
use super::metrics::Metrics;
use super::period::Period;
use crate::RegionCode;

/// A rate of the village that a bonus may reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    /// 化解率.
    ResolutionRate,
    /// 镇村两级化解占比.
    LocalResolutionShare,
    /// 满意度 (mean rating 1–5).
    Satisfaction,
    /// 按时办理率 over every stage.
    OnTimeRate,
}

impl RateSource {
    pub fn code(self) -> &'static str {
        match self {
            RateSource::ResolutionRate => "resolution_rate",
            RateSource::LocalResolutionShare => "local_resolution_share",
            RateSource::Satisfaction => "satisfaction",
            RateSource::OnTimeRate => "on_time_rate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RateSource::ResolutionRate => "化解率",
            RateSource::LocalResolutionShare => "镇村两级化解占比",
            RateSource::Satisfaction => "满意度",
            RateSource::OnTimeRate => "按时办理率",
        }
    }

    fn of(self, m: &Metrics) -> Option<f64> {
        match self {
            RateSource::ResolutionRate => m.resolution_rate(),
            RateSource::LocalResolutionShare => m.local_resolution_share(),
            RateSource::Satisfaction => m.mean_satisfaction(),
            RateSource::OnTimeRate => m.on_time_rate(),
        }
    }
}

/// Points deducted for a count, per 1,000 residents per 30 days.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deduction {
    #[serde(with = "figure_code")]
    pub figure: Figure,
    pub points_per_rate: f64,
    /// The most this indicator deducts.
    pub max_points: f64,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Bonus {
    pub rate: RateSource,
    pub at_least: f64,
    pub points: f64,
}

/// 一票否决: at least `at_least` of a figure caps the rating at `max_stars`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Veto {
    #[serde(with = "figure_code")]
    pub figure: Figure,
    #[serde(default = "one")]
    pub at_least: u32,
    pub max_stars: u8,
}

fn one() -> u32 {
    1
}

mod figure_code {
    use super::Figure;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(f: &Figure, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(f.code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Figure, D::Error> {
        let code = String::deserialize(d)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

/// A star-rating scheme, as published.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StarScheme {
    pub name: String,
    /// Ratings record the version they were made by.
    pub version: String,
    pub base_score: f64,
    #[serde(rename = "deduction", default)]
    pub deductions: Vec<Deduction>,
    #[serde(rename = "bonus", default)]
    pub bonuses: Vec<Bonus>,
    #[serde(rename = "veto", default)]
    pub vetoes: Vec<Veto>,
    /// The least score for 2, 3, 4 and 5 stars; below the first, one star.
    pub thresholds: StarThresholds,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StarThresholds {
    pub two: f64,
    pub three: f64,
    pub four: f64,
    pub five: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum SchemeError {
    #[error("star-rating scheme: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("star-rating scheme: {0}")]
    Invalid(String),
}

impl StarScheme {
    pub fn from_toml(text: &str) -> Result<StarScheme, SchemeError> {
        let scheme: StarScheme = toml::from_str(text)?;
        let invalid = |why: String| Err(SchemeError::Invalid(why));
        let t = scheme.thresholds;
        let numbers = [scheme.base_score, t.two, t.three, t.four, t.five]
            .into_iter()
            .chain(scheme.deductions.iter().flat_map(|d| [d.points_per_rate, d.max_points]))
            .chain(scheme.bonuses.iter().flat_map(|b| [b.at_least, b.points]));
        if let Some(bad) = numbers.into_iter().find(|n| !n.is_finite()) {
            return invalid(format!("every number of a scheme is finite, not {bad}"));
        }
        if !(t.two <= t.three && t.three <= t.four && t.four <= t.five) {
            return invalid(format!("thresholds must rise from two to five stars: {t:?}"));
        }
        if scheme.name.trim().is_empty() || scheme.version.trim().is_empty() {
            return invalid("a scheme has a name and a version".into());
        }
        for d in &scheme.deductions {
            if !(d.points_per_rate >= 0.0 && d.max_points >= 0.0) {
                return invalid(format!("deduction for {}: points are not negative", d.figure.code()));
            }
        }
        if let Some(v) = scheme.vetoes.iter().find(|v| !(1..=5).contains(&v.max_stars)) {
            return invalid(format!("veto on {}: max_stars is 1 to 5", v.figure.code()));
        }
        Ok(scheme)
    }

    fn stars_for(&self, score: f64) -> u8 {
        let t = self.thresholds;
        match score {
            s if s >= t.five => 5,
            s if s >= t.four => 4,
            s if s >= t.three => 3,
            s if s >= t.two => 2,
            _ => 1,
        }
    }

    /// Rates a village from its metrics of `period`.
    pub fn rate(&self, village: RegionCode, metrics: &Metrics, residents: Residents, period: &Period) -> StarRating {
        // Counts become rates per 1,000 residents per 30 days, so villages of any size and
        // periods of any length compare.
        let scale = 1000.0 / f64::from(residents.count.max(1)) / period.months();
        let deductions: Vec<Line> = self
            .deductions
            .iter()
            .map(|d| {
                let count = metrics.count(d.figure);
                let rate = f64::from(count) * scale;
                Line {
                    code: d.figure.code().to_owned(),
                    label: d.figure.label().to_owned(),
                    value: Some(f64::from(count)),
                    rate: Some(rate),
                    points: -(d.points_per_rate * rate).min(d.max_points),
                }
            })
            .collect();
        let bonuses: Vec<Line> = self
            .bonuses
            .iter()
            .map(|b| {
                let value = b.rate.of(metrics);
                Line {
                    code: b.rate.code().to_owned(),
                    label: b.rate.label().to_owned(),
                    value,
                    rate: None,
                    points: if value.is_some_and(|v| v >= b.at_least) { b.points } else { 0.0 },
                }
            })
            .collect();
        let score = self.base_score + deductions.iter().chain(&bonuses).map(|l| l.points).sum::<f64>();
        let vetoes: Vec<VetoLine> = self
            .vetoes
            .iter()
            .filter(|v| metrics.count(v.figure) >= v.at_least)
            .map(|v| VetoLine {
                code: v.figure.code().to_owned(),
                label: v.figure.label().to_owned(),
                count: metrics.count(v.figure),
                max_stars: v.max_stars,
            })
            .collect();
        let by_score = self.stars_for(score);
        let stars = vetoes.iter().map(|v| v.max_stars).fold(by_score, u8::min);
        StarRating {
            village,
            stars,
            stars_by_score: by_score,
            score: (score * 100.0).round() / 100.0,
            residents,
            scheme: self.name.clone(),
            scheme_version: self.version.clone(),
            deductions,
            bonuses,
            vetoes,
        }
    }
}

/// A village's residents, and whether the figure is an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Residents {
    pub count: u32,
    pub estimated: bool,
}

/// Residents per village, from `data/assessment/residents.toml` or a district's own file.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentRegister {
    pub source: String,
    pub estimated: bool,
    residents: BTreeMap<RegionCode, u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResidentFile {
    source: String,
    estimated: bool,
    residents: BTreeMap<String, u32>,
}

impl ResidentRegister {
    pub fn from_toml(text: &str) -> Result<ResidentRegister, SchemeError> {
        let file: ResidentFile = toml::from_str(text)?;
        let residents = file
            .residents
            .into_iter()
            .map(|(code, n)| {
                let code = RegionCode::parse(&code).map_err(|e| SchemeError::Invalid(format!("residents: {e}")))?;
                if n == 0 {
                    return Err(SchemeError::Invalid(format!("residents: {code} has no residents")));
                }
                Ok((code, n))
            })
            .collect::<Result<_, _>>()?;
        Ok(ResidentRegister { source: file.source, estimated: file.estimated, residents })
    }

    pub fn of(&self, village: RegionCode) -> Option<Residents> {
        self.residents.get(&village).map(|&count| Residents { count, estimated: self.estimated })
    }
}

/// One line of a rating's breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub code: String,
    pub label: String,
    /// The count (deductions) or the rate (bonuses; none where there was no data).
    pub value: Option<f64>,
    /// Per 1,000 residents per 30 days (deductions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Points added (bonus) or taken (deduction, negative).
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VetoLine {
    pub code: String,
    pub label: String,
    pub count: u32,
    pub max_stars: u8,
}

/// A village's rating for a period, with its breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StarRating {
    pub village: RegionCode,
    pub stars: u8,
    /// What the score alone gives, before vetoes.
    pub stars_by_score: u8,
    pub score: f64,
    pub residents: Residents,
    pub scheme: String,
    pub scheme_version: String,
    pub deductions: Vec<Line>,
    pub bonuses: Vec<Line>,
    pub vetoes: Vec<VetoLine>,
}
