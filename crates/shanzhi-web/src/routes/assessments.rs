//! `/api/v1/assessments`: a period's metrics per town, village and department with the villages'
//! star ratings; the cases behind any figure; the accountability lists (倒查); and the history of
//! recorded ratings.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use shanzhi_core::RegionCode;
use shanzhi_core::assessment::{ACCOUNTABILITY_FIGURES, Figure, Period, Unit, cases_behind};
use shanzhi_core::assessment::{CaseFacts, WarningFacts};

use crate::assessment::{PeriodAssessment, compute, metrics_json};
use crate::auth::Caller;
use crate::{ApiError, AppState};
use shanzhi_core::access::{Permission, Scope};

/// The cases listed behind one figure.
const MAX_LISTED: usize = 500;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/assessments", get(overview))
        .route("/assessments/cases", get(behind))
        .route("/assessments/accountability", get(accountability))
        .route("/assessments/ratings", post(record_ratings))
        .route("/villages/{code}/ratings", get(village_ratings))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodQuery {
    period: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BehindQuery {
    period: Option<String>,
    figure: String,
    /// `district`, `town:330110014`, `village:330110014224` or `department:NAME`.
    unit: Option<String>,
}

fn bad(code: &'static str, field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::BadRequest { code, field: Some(field), message: message.into() }
}

/// The period of a `?period=` query.
fn asked_period(query: Result<Query<PeriodQuery>, QueryRejection>) -> Result<Period, ApiError> {
    let Query(q) = query.map_err(|e| bad("bad_query", "query", e.body_text()))?;
    period(q.period.as_deref())
}

/// The period asked for; the current month (Beijing time) when none is.
fn period(written: Option<&str>) -> Result<Period, ApiError> {
    match written {
        Some(p) => Period::parse(p).map_err(|e| bad("bad_period", "period", e.to_string())),
        None => Ok(Period::month_of(shanzhi_core::calendar::local_date(Utc::now()))),
    }
}

/// The unit written, if the district has it (404 otherwise).
fn known_unit(state: &AppState, written: Option<&str>) -> Result<Unit, ApiError> {
    let unit = unit(written)?;
    let known = match &unit {
        Unit::District => true,
        Unit::Town(code) | Unit::Village(code) => state.gazetteer.region(*code).is_some(),
        Unit::Department(name) => state.departments.get(name).is_some(),
    };
    if known {
        Ok(unit)
    } else {
        Err(ApiError::NotFound {
            code: "unknown_unit",
            message: format!("the district has no {}", written.unwrap_or("")),
        })
    }
}

fn unit(written: Option<&str>) -> Result<Unit, ApiError> {
    let written = written.unwrap_or("district").trim();
    let region = |code: &str, level| {
        RegionCode::parse(code)
            .ok()
            .filter(|c| c.level() == level)
            .ok_or_else(|| bad("bad_unit", "unit", format!("`{code}` is not a {} code", level.label())))
    };
    match written.split_once(':') {
        None if written == "district" => Ok(Unit::District),
        Some(("town", code)) => Ok(Unit::Town(region(code, shanzhi_core::RegionLevel::Town)?)),
        Some(("village", code)) => Ok(Unit::Village(region(code, shanzhi_core::RegionLevel::Village)?)),
        Some(("department", name)) if !name.trim().is_empty() => Ok(Unit::Department(name.trim().to_owned())),
        _ => Err(bad("bad_unit", "unit", "unit is district, town:CODE, village:CODE or department:NAME")),
    }
}

async fn assessed(state: &AppState, period: &Period) -> Result<PeriodAssessment, ApiError> {
    Ok(compute(&*state.store, &state.gazetteer, &state.departments, &state.assessment, period, Utc::now()).await?)
}

/// A town by its official name (中泰街道), a village by its short one (南湖村, not 南湖村委会).
fn region_name(state: &AppState, code: RegionCode) -> String {
    crate::assessment::region_name(&state.gazetteer, code)
}

/// `GET /api/v1/assessments?period=2026-10`.
async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadAssessment)?;
    let period = asked_period(query)?;
    let p = assessed(&state, &period).await?;
    let a = &p.assessment;
    let towns: Vec<Value> = a
        .towns
        .iter()
        .map(|(code, m)| json!({ "code": code.to_string(), "name": region_name(&state, *code), "metrics": metrics_json(m) }))
        .collect();
    let ratings: std::collections::HashMap<RegionCode, &shanzhi_core::assessment::StarRating> =
        p.ratings.iter().map(|r| (r.village, r)).collect();
    let villages: Vec<Value> = a
        .villages
        .iter()
        .map(|(code, m)| {
            json!({
                "code": code.to_string(),
                "name": region_name(&state, *code),
                "town": code.town().map(|t| t.to_string()),
                "metrics": metrics_json(m),
                "rating": ratings.get(code),
            })
        })
        .collect();
    let departments: Vec<Value> =
        a.departments.iter().map(|(name, m)| json!({ "name": name, "metrics": metrics_json(m) })).collect();
    let warnings: Vec<&WarningFacts> = a.warnings.iter().filter(|w| concerns(&caller, w)).collect();
    Ok(Json(json!({
        "period": period.label(),
        "title": period.title(),
        "from": period.first(),
        "to": period.last(),
        "cut_off": a.cut_off,
        "scheme": { "name": state.assessment.scheme.name, "version": state.assessment.scheme.version },
        "residents": { "source": state.assessment.residents.source, "estimated": state.assessment.residents.estimated },
        "figures": Figure::ALL.iter().map(|f| json!({ "code": f.code(), "label": f.label() })).collect::<Vec<_>>(),
        "district": metrics_json(&a.district),
        "towns": towns,
        "villages": villages,
        "unrated_villages": p.unrated.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "departments": departments,
        "warnings": warnings,
    })))
}

fn case_brief(state: &AppState, c: &CaseFacts) -> Value {
    let year = chrono::Datelike::year(&shanzhi_core::calendar::local_date(c.basics.received_at));
    json!({
        "id": c.basics.id,
        "case_number": shanzhi_core::workflow::case_number(state.rules.routing.case_number_prefix(), year, c.basics.id),
        "received_at": c.basics.received_at,
        "channel": c.basics.channel.code(),
        "region": c.basics.region.to_string(),
        "region_name": region_name(state, c.basics.region),
        "category": c.basics.category,
        "category_name": c.basics.category.as_deref().and_then(|code| state.analyzer.taxonomy().get(code)).map(|k| &k.name),
        "status": c.status.code(),
        "status_label": c.status.label(),
        "lead": c.lead(),
    })
}

/// `GET /api/v1/assessments/cases?period=2026-10&figure=overdue&unit=town:330110014`: the cases
/// behind a figure (the first 500, oldest id first), and their number.
async fn behind(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<BehindQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadAssessment)?;
    let Query(q) = query.map_err(|e| bad("bad_query", "query", e.body_text()))?;
    let period = period(q.period.as_deref())?;
    let figure: Figure =
        q.figure.parse().map_err(|e: shanzhi_core::UnknownName| bad("bad_figure", "figure", e.to_string()))?;
    let unit = known_unit(&state, q.unit.as_deref())?;
    // A town's staff drill into their town: another's is out of scope, and the district's or a
    // department's figure lists the cases of their town only.
    if let Unit::Town(code) | Unit::Village(code) = &unit {
        caller.region_within(Some(*code))?;
    }
    let p = assessed(&state, &period).await?;
    let judging = p.assessment.judging(&state.assessment.rules);
    let cases: Vec<&CaseFacts> =
        cases_behind(figure, &unit, &p.cases, judging).filter(|c| caller.reads_region(c.basics.region)).collect();
    Ok(Json(json!({
        "period": period.label(),
        "figure": figure.code(),
        "label": figure.label(),
        "unit": unit,
        "total": cases.len(),
        "cases": cases.iter().take(MAX_LISTED).map(|c| case_brief(&state, c)).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/assessments/accountability?period=2026-10`: the red warnings and the 民转刑
/// cases of the period (each to be back-traced with `/warnings/{id}/backtrace` and
/// `/cases/{id}/backtrace`), and per town and department the cases overdue, returned, reopened
/// or rated unsatisfied.
async fn accountability(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadAssessment)?;
    let period = asked_period(query)?;
    let p = assessed(&state, &period).await?;
    let judging = p.assessment.judging(&state.assessment.rules);
    let red: Vec<Value> = p
        .assessment
        .warnings
        .iter()
        .filter(|w| w.level == shanzhi_core::warning::WarningLevel::Red && concerns(&caller, w))
        .map(|w| json!({ "warning": w, "backtrace": format!("/api/v1/warnings/{}/backtrace", w.id) }))
        .collect();
    let crimes: Vec<Value> = cases_behind(Figure::Crimes, &Unit::District, &p.cases, judging)
        .filter(|c| caller.reads_region(c.basics.region))
        .map(|c| {
            json!({
                "case": case_brief(&state, c),
                "crime": c.crime(),
                "backtrace": format!("/api/v1/cases/{}/backtrace", c.basics.id),
            })
        })
        .collect();
    let units = p
        .assessment
        .towns
        .keys()
        .map(|t| (Unit::Town(*t), region_name(&state, *t)))
        .chain(p.assessment.departments.keys().map(|d| (Unit::Department(d.clone()), d.clone())));
    let lists: Vec<Value> = units
        .filter_map(|(unit, name)| {
            let lists: serde_json::Map<String, Value> = ACCOUNTABILITY_FIGURES
                .iter()
                .map(|f| {
                    let ids: Vec<i64> = cases_behind(*f, &unit, &p.cases, judging)
                        .filter(|c| caller.reads_region(c.basics.region))
                        .map(|c| c.basics.id.get())
                        .collect();
                    (f.code().to_owned(), json!(ids))
                })
                .collect();
            let any = lists.values().any(|v| v.as_array().is_some_and(|a| !a.is_empty()));
            any.then(|| json!({ "unit": unit, "name": name, "cases": lists }))
        })
        .collect();
    Ok(Json(json!({
        "period": period.label(),
        "red_warnings": red,
        "crimes": crimes,
        "units": lists,
    })))
}

/// Whether a warning of the assessment is one the caller may see listed: the district's roles
/// see all; a town's staff those that concern their town, as on their screen.
fn concerns(caller: &Caller, w: &WarningFacts) -> bool {
    match &caller.scope {
        Scope::District => true,
        Scope::Region(own) => w.regions.iter().any(|r| r.is_within(*own) || own.is_within(*r)),
        Scope::Department(_) => false,
    }
}

/// `POST /api/v1/assessments/ratings?period=2026-10`: rates every village for an ended period and
/// records the ratings (earlier ones of the period stay as history); 409 for a period that has
/// not ended.
async fn record_ratings(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::RateVillages)?;
    let period = asked_period(query)?;
    let p = assessed(&state, &period).await?;
    if !p.is_final() {
        return Err(ApiError::Conflict {
            code: "period_not_ended",
            message: format!("{} has not ended: its ratings are recorded once it has", period.title()),
        });
    }
    state.store.record_star_ratings(period.label(), &p.ratings, Utc::now()).await?;
    Ok(Json(json!({ "period": period.label(), "recorded": p.ratings.len(), "ratings": p.ratings })))
}

/// `GET /api/v1/villages/{code}/ratings`: every recorded rating of a village, the latest first.
async fn village_ratings(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadAssessment)?;
    let village = RegionCode::parse(&code)
        .ok()
        .filter(|c| state.gazetteer.region(*c).is_some_and(|r| r.level() == shanzhi_core::RegionLevel::Village))
        .ok_or_else(|| ApiError::NotFound { code: "unknown_village", message: format!("no village `{code}`") })?;
    let history = state.store.village_ratings(village).await?;
    let ratings: Vec<Value> = history
        .into_iter()
        .map(|r| json!({ "period": r.period, "computed_at": r.computed_at, "rating": r.rating }))
        .collect();
    Ok(Json(json!({ "village": village.to_string(), "name": region_name(&state, village), "ratings": ratings })))
}
