//! `/api/v1/dashboard`: the one screen (一屏观全区). Today's and this month's figures, the 30-day
//! trend, the breakdowns by category and channel, every town with its villages (cases per 1,000
//! residents and open warnings), the open warnings by level, and the league tables of towns and
//! departments — of the district, or of one town or village.
//!
//! The figures are the assessment's (`shanzhi_core::assessment`, docs/metrics.md): the month's
//! cases are read once, as they stand now, and assessed for the month and for today (today's
//! cohort is a part of the month's, at the same cut-off). Nothing is counted twice in two ways.
//!
//! The answer is kept per store and region: served as it is for [`FRESH_FOR`], then for up to
//! [`STALE_FOR`] while a newer one is computed in the background. A wall screen polls it; many
//! screens polling at once cost one computation, and none waits for it once the first has.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Days, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use shanzhi_core::assessment::{Assessment, CaseFacts, District, Figure, Metrics, Period, WarningFacts, assess};
use shanzhi_core::warning::{SubjectKind, WarningLevel};
use shanzhi_core::{CaseId, Channel, RegionCode, RegionLevel, calendar};
use shanzhi_store::{DayCounts, Page, Store, StoredWarning, WarningFilter};

use shanzhi_core::access::Permission;

use crate::assessment::region_name;
use crate::auth::Caller;
use crate::{ApiError, AppState};

/// How long an answer is served again before it is computed anew.
pub const FRESH_FOR: Duration = Duration::from_secs(10);

/// How long an older answer is still served while a newer one is computed (a screen polls every
/// 30 s: it gets the previous answer at once, and the next poll the one computed meanwhile).
pub const STALE_FOR: Duration = Duration::from_secs(120);

/// Days of the trend, today included.
const TREND_DAYS: u64 = 30;

/// Open warnings listed by name (all are counted).
const LATEST_WARNINGS: usize = 30;

/// Open warnings read at most: far more than a district ever has open at once.
const MAX_OPEN_WARNINGS: u64 = 5_000;

/// Cases handled in the month below which a unit is listed in a league table but not ranked.
pub const MIN_RANKED: u32 = 10;

/// Categories shown by name; the rest are summed as 其他.
const TOP_CATEGORIES: usize = 12;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DashboardQuery {
    /// A town's or a village's code: the screen of that region only.
    region: Option<String>,
}

/// `GET /api/v1/dashboard?region=330110014`.
///
/// A town's staff see their town's screen (asking for another region is 403 `out_of_scope`).
async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    caller.require(Permission::Dashboard)?;
    let Query(q) =
        query.map_err(|e| ApiError::BadRequest { code: "bad_query", field: Some("query"), message: e.body_text() })?;
    let region = caller.region_within(q.region.as_deref().map(|r| known_region(&state, r)).transpose()?)?;
    let body = cached(&state, region).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// A town or village of the district (400 for what is not a code, 404 for a code it lacks).
fn known_region(state: &AppState, written: &str) -> Result<RegionCode, ApiError> {
    let code = RegionCode::parse(written.trim()).map_err(|_| ApiError::BadRequest {
        code: "bad_region",
        field: Some("region"),
        message: format!("`{}` is not a region code", shanzhi_core::pii::scrub_text(written)),
    })?;
    if code.level() == RegionLevel::District {
        return Err(ApiError::BadRequest {
            code: "bad_region",
            field: Some("region"),
            message: "the district's screen is the one without a region".into(),
        });
    }
    match state.gazetteer.region(code) {
        Some(_) => Ok(code),
        None => Err(ApiError::NotFound { code: "unknown_region", message: format!("the district has no {code}") }),
    }
}

/// One store's and region's answer, computed once at a time.
struct Slot {
    /// Held weakly, so that a store dropped (a test's) never answers for another at its address.
    store: Weak<dyn Store>,
    region: Option<RegionCode>,
    answer: Arc<tokio::sync::Mutex<Option<Answer>>>,
}

struct Answer {
    at: Instant,
    body: Bytes,
    /// A newer answer is being computed in the background.
    refreshing: bool,
}

static CACHE: Mutex<Vec<Slot>> = Mutex::new(Vec::new());

/// The dashboard as JSON. A fresh answer ([`FRESH_FOR`]) is served as it is; an older one (up to
/// [`STALE_FOR`]) is served too while a newer one is computed in the background, so that a screen
/// that polls never waits; with none, the request computes it, and the requests for the same
/// region that arrive meanwhile wait for that one computation instead of starting their own.
pub async fn cached(state: &AppState, region: Option<RegionCode>) -> Result<Bytes, ApiError> {
    let slot = {
        let mut slots = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.retain(|s| s.store.strong_count() > 0);
        let store = Arc::as_ptr(&state.store);
        match slots.iter().find(|s| std::ptr::addr_eq(s.store.as_ptr(), store) && s.region == region) {
            Some(slot) => slot.answer.clone(),
            None => {
                let answer = Arc::new(tokio::sync::Mutex::new(None));
                slots.push(Slot { store: Arc::downgrade(&state.store), region, answer: answer.clone() });
                answer
            }
        }
    };
    let mut answer = slot.lock().await;
    match answer.as_mut() {
        Some(a) if a.at.elapsed() < FRESH_FOR => return Ok(a.body.clone()),
        Some(a) if a.at.elapsed() < STALE_FOR => {
            if !a.refreshing {
                a.refreshing = true;
                let (state, slot) = (state.clone(), slot.clone());
                tokio::spawn(async move {
                    let computed = compute(&state, region).await;
                    let mut answer = slot.lock().await;
                    match computed {
                        Ok(body) => *answer = Some(Answer { at: Instant::now(), body, refreshing: false }),
                        Err(e) => {
                            tracing::warn!(error = %e, "the dashboard could not be refreshed");
                            if let Some(a) = answer.as_mut() {
                                a.refreshing = false;
                            }
                        }
                    }
                });
            }
            return Ok(a.body.clone());
        }
        _ => {}
    }
    let body = compute(state, region).await?;
    *answer = Some(Answer { at: Instant::now(), body: body.clone(), refreshing: false });
    Ok(body)
}

async fn compute(state: &AppState, region: Option<RegionCode>) -> Result<Bytes, ApiError> {
    let value = build(state, region, Utc::now()).await?;
    Ok(Bytes::from(serde_json::to_vec(&value).expect("JSON values serialize")))
}

/// The open warnings with the regions they concern.
struct OpenWarning {
    stored: StoredWarning,
    regions: BTreeSet<RegionCode>,
}

/// Everything the screen shows, of the district or of `region` (a town or a village), as the
/// ledger stands at `now`.
#[tracing::instrument(skip(state))]
pub async fn build(state: &AppState, region: Option<RegionCode>, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let today = calendar::local_date(now);
    let month = Period::month_of(today);
    let day = Period::parse(&format!("{today}..{today}")).map_err(|e| ApiError::BadRequest {
        code: "bad_date",
        field: None,
        message: e.to_string(),
    })?;
    let cut_off = month.end().min(now);
    let store = &*state.store;
    let first_trend_day = today.checked_sub_days(Days::new(TREND_DAYS - 1)).unwrap_or(today);
    let (cases, warnings, trend, open) = tokio::try_join!(
        store.assessment_cases(month.start(), month.end(), cut_off),
        store.assessment_warnings(month.start(), month.end(), cut_off),
        store.daily_counts(first_trend_day, today, region),
        open_warnings(store),
    )?;
    let ids: Vec<CaseId> = open.iter().flat_map(|w| w.warning.case_ids.iter().copied()).collect();
    let case_regions: HashMap<CaseId, RegionCode> = store.case_regions(&ids).await?.into_iter().collect();
    let open: Vec<OpenWarning> = open
        .into_iter()
        .map(|stored| {
            let w = &stored.warning;
            let own = (w.subject.kind == SubjectKind::Region).then(|| RegionCode::parse(&w.subject.key).ok()).flatten();
            let regions = w.case_ids.iter().filter_map(|id| case_regions.get(id).copied()).chain(own).collect();
            OpenWarning { stored, regions }
        })
        .collect();
    let state = state.clone();
    let composed = tokio::task::spawn_blocking(move || {
        let input = Input { state: &state, region, now, month, day, trend };
        compose(input, cases, warnings, open)
    })
    .await;
    match composed {
        Ok(value) => Ok(value),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(ApiError::Store(shanzhi_store::StoreError::Corrupt(format!("dashboard: {e}")))),
    }
}

/// Every open warning, most severe first (at most [`MAX_OPEN_WARNINGS`]).
async fn open_warnings(store: &dyn Store) -> Result<Vec<StoredWarning>, shanzhi_store::StoreError> {
    let filter = WarningFilter { open_only: true, ..WarningFilter::default() };
    let mut all = Vec::new();
    loop {
        let page = Page { limit: Page::MAX_LIMIT, offset: all.len() as u64 };
        let got = store.warnings(&filter, page).await?;
        let done = got.items.len() < Page::MAX_LIMIT as usize;
        all.extend(got.items);
        if done || all.len() as u64 >= got.total.min(MAX_OPEN_WARNINGS) {
            return Ok(all);
        }
    }
}

/// Whether two regions meet: one lies within the other (a town's warning concerns its villages).
fn overlaps(a: RegionCode, b: RegionCode) -> bool {
    a.is_within(b) || b.is_within(a)
}

struct Input<'a> {
    state: &'a AppState,
    region: Option<RegionCode>,
    now: DateTime<Utc>,
    month: Period,
    day: Period,
    trend: Vec<DayCounts>,
}

fn compose(
    input: Input<'_>,
    mut cases: Vec<CaseFacts>,
    mut warnings: Vec<WarningFacts>,
    mut open: Vec<OpenWarning>,
) -> Value {
    let Input { state, region, now, month, day, trend } = input;
    if let Some(r) = region {
        cases.retain(|c| c.basics.region.is_within(r));
        warnings.retain(|w| w.regions.iter().any(|x| overlaps(*x, r)));
        // A region's screen lists only the warnings that concern it: a town's staff see no other.
        open.retain(|o| o.regions.iter().any(|x| overlaps(*x, r)));
    }
    let district = District { gazetteer: &state.gazetteer, directory: &state.departments };
    let rules = &state.assessment.rules;
    let cut_off = month.end().min(now);
    let of_month = assess(&month, cut_off, &cases, &warnings, district, rules);
    let of_today = assess(&day, day.end().min(now), &cases, &warnings, district, rules);
    // Overdue now: a stage of a case of its own running past its deadline at this instant.
    let instant = now - chrono::Duration::microseconds(1);
    let overdue_now = cases.iter().filter(|c| c.merged().is_none() && c.overdue_within(instant, now)).count();
    let unit = |a: &Assessment| -> Metrics {
        match region {
            None => a.district.clone(),
            Some(r) if r.level() == RegionLevel::Town => a.towns.get(&r).cloned().unwrap_or_default(),
            Some(r) => a.villages.get(&r).cloned().unwrap_or_default(),
        }
    };
    let (month_metrics, today_metrics) = (unit(&of_month), unit(&of_today));
    let settings = &state.assessment;
    json!({
        "computed_at": now,
        "fresh_for_seconds": FRESH_FOR.as_secs(),
        "district": state.gazetteer.district().official_name,
        "scope": region.map(|r| json!({
            "code": r.to_string(),
            "name": region_name(&state.gazetteer, r),
            "level": r.level().code(),
        })),
        "today": {
            "date": day.first(),
            "figures": figures(&today_metrics),
        },
        "month": {
            "period": month.label(),
            "title": month.title(),
            "from": month.first(),
            "to": day.first(),
            "figures": figures(&month_metrics),
        },
        "overdue_now": overdue_now,
        "trend": trend.iter().map(|d| json!({
            "day": d.day, "received": d.received, "resolved": d.resolved,
        })).collect::<Vec<_>>(),
        "categories": categories(state, &month_metrics),
        "channels": Channel::ALL.iter().map(|c| json!({
            "code": c.code(),
            "label": c.label(),
            "count": month_metrics.by_channel.get(c).copied().unwrap_or(0),
        })).collect::<Vec<_>>(),
        "regions": {
            "residents": {
                "source": settings.residents.source,
                "estimated": settings.residents.estimated,
                "note": if settings.residents.estimated {
                    "千人案件数以估算常住人口计算，非普查数据"
                } else {
                    "千人案件数以常住人口计算"
                },
            },
            "towns": region_view(state, region, &of_month, &open),
        },
        "warnings": warnings_json(state, &open),
        "league": {
            "min_ranked": MIN_RANKED,
            "regions": league_of_regions(state, region, &of_month),
            "departments": league_of_departments(&of_month),
        },
    })
}

/// The figures of the tiles.
fn figures(m: &Metrics) -> Value {
    json!({
        "received": m.count(Figure::Received),
        "handled": m.count(Figure::Handled),
        "resolved": m.count(Figure::Resolved),
        "resolution_rate": m.resolution_rate(),
        "resolved_locally": m.count(Figure::ResolvedLocally),
        "local_resolution_share": m.local_resolution_share(),
        "overdue": m.count(Figure::Overdue),
        "satisfaction": m.mean_satisfaction(),
        "satisfaction_ratings": m.follow_ups_reached,
        "crimes": m.count(Figure::Crimes),
        "warnings_raised": m.warnings.raised,
    })
}

/// The month's records by category, by name, the largest first; past [`TOP_CATEGORIES`] as 其他.
fn categories(state: &AppState, m: &Metrics) -> Vec<Value> {
    let taxonomy = state.analyzer.taxonomy();
    let mut rows: Vec<(String, String, u32)> = m
        .by_category
        .iter()
        .map(|(code, n)| {
            let name = taxonomy.get(code).map_or_else(|| code.clone(), |c| c.name.clone());
            (code.clone(), name, *n)
        })
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
    let rest: u32 = rows.iter().skip(TOP_CATEGORIES).map(|r| r.2).sum();
    let mut out: Vec<Value> = rows
        .into_iter()
        .take(TOP_CATEGORIES)
        .map(|(code, name, count)| json!({ "code": code, "name": name, "count": count }))
        .collect();
    if rest > 0 {
        out.push(json!({ "code": null, "name": "其他", "count": rest }));
    }
    out
}

/// Open warnings of a region: how many, and the highest level.
#[derive(Default)]
struct WarningMark {
    count: u32,
    highest: Option<WarningLevel>,
}

impl WarningMark {
    fn json(&self) -> Value {
        json!({
            "open_warnings": self.count,
            "warning_level": self.highest.map(WarningLevel::code),
        })
    }
}

/// The open warnings concerning each town (any of its villages) and each village.
fn marks(open: &[OpenWarning]) -> HashMap<RegionCode, WarningMark> {
    let mut marks: HashMap<RegionCode, WarningMark> = HashMap::new();
    for w in open {
        let mut touched: BTreeSet<RegionCode> = BTreeSet::new();
        for r in &w.regions {
            touched.insert(*r);
            touched.extend(r.town());
        }
        for r in touched {
            let mark = marks.entry(r).or_default();
            mark.count += 1;
            mark.highest = mark.highest.max(Some(w.stored.warning.level));
        }
    }
    marks
}

/// Cases per 1,000 residents.
fn rate(received: u32, residents: Option<u32>) -> Option<f64> {
    residents.filter(|r| *r > 0).map(|r| (f64::from(received) * 1000.0 / f64::from(r) * 100.0).round() / 100.0)
}

/// Every town (or the one of the scope) with its villages: the month's cases, cases per 1,000
/// residents, and open warnings.
fn region_view(state: &AppState, region: Option<RegionCode>, a: &Assessment, open: &[OpenWarning]) -> Vec<Value> {
    let marks = marks(open);
    let none = WarningMark::default();
    let residents = &state.assessment.residents;
    let received = |m: Option<&Metrics>| m.map_or(0, |m| m.count(Figure::Received));
    state
        .gazetteer
        .towns()
        .filter(|t| region.is_none_or(|r| overlaps(t.code, r)))
        .map(|town| {
            let villages: Vec<Value> = state
                .gazetteer
                .villages_of(town.code)
                .filter(|v| region.is_none_or(|r| r.level() == RegionLevel::Town || v.code == r))
                .map(|v| {
                    let n = received(a.villages.get(&v.code));
                    let people = residents.of(v.code).map(|r| r.count);
                    let mut row = json!({
                        "code": v.code.to_string(),
                        "name": region_name(&state.gazetteer, v.code),
                        "received": n,
                        "residents": people,
                        "per_1000": rate(n, people),
                    });
                    merge(&mut row, marks.get(&v.code).unwrap_or(&none).json());
                    row
                })
                .collect();
            let people: u32 =
                state.gazetteer.villages_of(town.code).filter_map(|v| residents.of(v.code)).map(|r| r.count).sum();
            let people = (people > 0).then_some(people);
            let n = received(a.towns.get(&town.code));
            let mut row = json!({
                "code": town.code.to_string(),
                "name": region_name(&state.gazetteer, town.code),
                "received": n,
                "residents": people,
                "per_1000": rate(n, people),
                "villages": villages,
            });
            merge(&mut row, marks.get(&town.code).unwrap_or(&none).json());
            row
        })
        .collect()
}

fn merge(row: &mut Value, more: Value) {
    if let (Value::Object(row), Value::Object(more)) = (row, more) {
        row.extend(more);
    }
}

/// The open warnings: how many of each level, and the first [`LATEST_WARNINGS`] (most severe,
/// then most recently seen) with the towns they concern.
fn warnings_json(state: &AppState, open: &[OpenWarning]) -> Value {
    let mut by_level: BTreeMap<&str, u32> = WarningLevel::ALL.iter().map(|l| (l.code(), 0)).collect();
    for w in open {
        *by_level.entry(w.stored.warning.level.code()).or_default() += 1;
    }
    let latest: Vec<Value> = open
        .iter()
        .take(LATEST_WARNINGS)
        .map(|o| {
            let (s, w) = (&o.stored, &o.stored.warning);
            let towns: BTreeSet<RegionCode> = o.regions.iter().filter_map(|r| r.town()).collect();
            json!({
                "id": s.id,
                "level": w.level.code(),
                "level_label": w.level.label(),
                "model": w.model.code(),
                "model_label": w.model.label(),
                "subject": w.subject.label,
                "explanation": w.explanation,
                "cases": w.case_ids.len(),
                "state": s.state.code(),
                "state_label": s.state.label(),
                "raised_at": s.raised_at,
                "last_seen_on": s.last_seen_on,
                "towns": towns.iter().map(|t| region_name(&state.gazetteer, *t)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "open": open.len(),
        "by_level": by_level,
        "levels": WarningLevel::ALL.iter().rev().map(|l| json!({ "code": l.code(), "label": l.label() })).collect::<Vec<_>>(),
        "latest": latest,
    })
}

/// A unit's row of a league table.
fn league_row(name: String, code: Option<String>, m: &Metrics) -> Value {
    json!({
        "name": name,
        "code": code,
        "received": m.count(Figure::Received),
        "handled": m.count(Figure::Handled),
        "resolved": m.count(Figure::Resolved),
        "resolution_rate": m.resolution_rate(),
        "local_resolution_share": m.local_resolution_share(),
        "on_time_rate": m.on_time_rate(),
        "overdue": m.count(Figure::Overdue),
        "satisfaction": m.mean_satisfaction(),
    })
}

/// Ranks the units with at least [`MIN_RANKED`] cases handled by resolution rate (then by cases
/// handled); the others follow unranked (`rank` null), most cases first: a rate of two cases says
/// little, and a committee that resolved its three should not lead the district's table.
fn ranked(mut rows: Vec<(Option<f64>, u32, Value)>) -> Vec<Value> {
    let counts = |handled: u32| handled >= MIN_RANKED;
    rows.sort_by(|a, b| {
        let rate = |r: Option<f64>| r.unwrap_or(-1.0);
        counts(b.1)
            .cmp(&counts(a.1))
            .then_with(|| if counts(a.1) { rate(b.0).total_cmp(&rate(a.0)) } else { std::cmp::Ordering::Equal })
            .then(b.1.cmp(&a.1))
    });
    rows.into_iter()
        .enumerate()
        .map(|(i, (_, handled, mut row))| {
            merge(&mut row, json!({ "rank": counts(handled).then_some(i + 1) }));
            row
        })
        .collect()
}

/// The towns of the district; for a town's screen its villages; for a village's, the village.
fn league_of_regions(state: &AppState, region: Option<RegionCode>, a: &Assessment) -> Value {
    let (level, units): (RegionLevel, Vec<(&RegionCode, &Metrics)>) = match region {
        None => (RegionLevel::Town, a.towns.iter().collect()),
        Some(r) => (RegionLevel::Village, a.villages.iter().filter(|(v, _)| v.is_within(r)).collect()),
    };
    let rows = units
        .into_iter()
        .map(|(code, m)| {
            let row = league_row(region_name(&state.gazetteer, *code), Some(code.to_string()), m);
            (m.resolution_rate(), m.count(Figure::Handled), row)
        })
        .collect();
    json!({ "level": level.code(), "rows": ranked(rows) })
}

/// The departments that lead a case of the month (or had one overdue in it).
fn league_of_departments(a: &Assessment) -> Vec<Value> {
    let rows = a
        .departments
        .iter()
        .filter(|(_, m)| m.count(Figure::Handled) > 0 || m.count(Figure::Overdue) > 0)
        .map(|(name, m)| (m.resolution_rate(), m.count(Figure::Handled), league_row(name.clone(), None, m)))
        .collect();
    ranked(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_with_enough_cases_are_ranked_by_resolution_rate_and_the_rest_follow_by_cases() {
        let row = |name: &str, rate: Option<f64>, handled: u32| (rate, handled, json!({ "name": name }));
        let rows = ranked(vec![
            row("busy", Some(0.5), 20),
            row("small but perfect", Some(1.0), 3),
            row("none", None, 0),
            row("best", Some(0.9), 12),
            row("few", Some(0.2), 5),
            row("exactly ten", Some(0.5), 10),
        ]);
        let got: Vec<(&str, Option<u64>)> =
            rows.iter().map(|r| (r["name"].as_str().unwrap(), r["rank"].as_u64())).collect();
        assert_eq!(
            got,
            [
                ("best", Some(1)),
                ("busy", Some(2)),
                ("exactly ten", Some(3)),
                ("few", None),
                ("small but perfect", None),
                ("none", None),
            ]
        );
    }

    #[test]
    fn cases_per_thousand_residents_are_rounded_and_empty_without_residents() {
        assert_eq!(rate(12, Some(4000)), Some(3.0));
        assert_eq!(rate(1, Some(3000)), Some(0.33));
        assert_eq!(rate(5, None), None);
        assert_eq!(rate(5, Some(0)), None);
    }
}
