//! The assessment of a period as the API and the reports show it: the ledger's facts read from
//! the store, assessed by `shanzhi_core::assessment`, and every village rated by the district's
//! star scheme. Shared by `/api/v1/assessments` and `shanzhi report`.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use shanzhi_core::assessment::{
    Assessment, AssessmentRules, CaseFacts, District, Figure, Metrics, Period, ResidentRegister, STAGES, SchemeError,
    StarRating, StarScheme, assess,
};
use shanzhi_core::{DepartmentDirectory, Gazetteer, RegionCode, defaults};
use shanzhi_store::{Store, StoreError};

/// The district's assessment data: the metrics' rules, the star scheme, residents per village.
#[derive(Debug, Clone)]
pub struct AssessmentSettings {
    pub rules: AssessmentRules,
    pub scheme: StarScheme,
    pub residents: ResidentRegister,
}

impl AssessmentSettings {
    /// From the texts of `metrics.toml`, `stars.toml` and `residents.toml`.
    pub fn parse(rules: &str, scheme: &str, residents: &str) -> Result<Self, SchemeError> {
        Ok(AssessmentSettings {
            rules: AssessmentRules::from_toml(rules)?,
            scheme: StarScheme::from_toml(scheme)?,
            residents: ResidentRegister::from_toml(residents)?,
        })
    }

    /// The shipped files: Yuhang's example scheme and estimated residents.
    pub fn embedded() -> Self {
        Self::parse(defaults::ASSESSMENT_RULES, defaults::STAR_SCHEME, defaults::RESIDENTS)
            .expect("the shipped assessment files are valid (tested)")
    }
}

/// A period's assessment, its village ratings, and the facts behind them (for drill-down).
pub struct PeriodAssessment {
    pub assessment: Assessment,
    /// One per village with a residents figure, by village code.
    pub ratings: Vec<StarRating>,
    /// Villages that could not be rated: no residents figure.
    pub unrated: Vec<RegionCode>,
    pub cases: Vec<CaseFacts>,
}

/// Reads and assesses `period` as the ledger stood at its end (or `now`, if it has not ended).
pub async fn compute(
    store: &dyn Store,
    gazetteer: &Gazetteer,
    directory: &DepartmentDirectory,
    settings: &AssessmentSettings,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<PeriodAssessment, StoreError> {
    let cut_off = period.end().min(now);
    let cases = store.assessment_cases(period.start(), period.end(), cut_off).await?;
    let warnings = store.assessment_warnings(period.start(), period.end(), cut_off).await?;
    let assessment = assess(period, cut_off, &cases, &warnings, District { gazetteer, directory }, &settings.rules);
    let (mut ratings, mut unrated) = (Vec::new(), Vec::new());
    for (village, metrics) in &assessment.villages {
        match settings.residents.of(*village) {
            Some(residents) => ratings.push(settings.scheme.rate(*village, metrics, residents, period)),
            None => unrated.push(*village),
        }
    }
    Ok(PeriodAssessment { assessment, ratings, unrated, cases })
}

impl PeriodAssessment {
    /// Whether the period had ended when it was assessed: only then are its ratings final and
    /// recorded.
    pub fn is_final(&self) -> bool {
        self.assessment.cut_off >= self.assessment.period.end()
    }
}

/// One unit's metrics as JSON: every figure's count, the rates (null where there is no data),
/// the breakdowns, and the warnings.
pub fn metrics_json(m: &Metrics) -> Value {
    let counts: serde_json::Map<String, Value> =
        Figure::ALL.iter().map(|f| (f.code().to_owned(), json!(m.count(*f)))).collect();
    let stages: serde_json::Map<String, Value> = STAGES
        .iter()
        .map(|(stage, label)| {
            let c = m.stages.get(stage).copied().unwrap_or_default();
            let rate = m.stage_on_time_rate(*stage);
            (stage.code().to_owned(), json!({ "label": label, "due": c.due, "on_time": c.on_time, "rate": rate }))
        })
        .collect();
    json!({
        "counts": counts,
        "rates": {
            "resolution_rate": m.resolution_rate(),
            "local_resolution_share": m.local_resolution_share(),
            "accepted_on_time_rate": m.accepted_on_time_rate(),
            "on_time_rate": m.on_time_rate(),
            "mean_days_to_resolution": m.mean_days_to_resolution(),
            "repeat_visit_rate": m.repeat_visit_rate(),
            "reopen_rate": m.reopen_rate(),
            "mean_satisfaction": m.mean_satisfaction(),
            "follow_up_response_rate": m.follow_up_response_rate(),
            "agreement_honoured_rate": m.agreement_honoured_rate(),
            "warnings_handled_in_time_rate": m.warnings_handled_in_time_rate(),
        },
        "stages": stages,
        "by_channel": m.by_channel.iter().map(|(c, n)| (c.code().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "by_category": m.by_category,
        "follow_ups": { "made": m.follow_ups, "reached": m.follow_ups_reached },
        "terms": { "checked": m.terms_checked, "honoured": m.terms_honoured },
        "warnings": m.warnings,
    })
}

/// A town by its official name (中泰街道), a village by its short one (南湖村, not 南湖村委会).
pub fn region_name(gazetteer: &Gazetteer, code: RegionCode) -> String {
    match gazetteer.region(code) {
        Some(r) if r.level() == shanzhi_core::RegionLevel::Village => r.short_name.clone(),
        Some(r) => r.official_name.clone(),
        None => code.to_string(),
    }
}
