//! `/api/v1/cases`: intake (one window, any channel), the filtered list, one case with its
//! history.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use shanzhi_core::{CaseId, CaseStatus, Channel, LedgerRecord, RegionCode};
use shanzhi_store::{CaseFilter, CaseOrder, Page};

use super::render::{case_json, case_with_history_json, evidence_json};
use crate::auth::Caller;
use crate::extract::JsonBody;
use crate::{ApiError, AppState, workflow};
use shanzhi_core::access::{Permission, Scope};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/cases", get(list).post(register)).route("/cases/{id}", get(case_with_history))
}

pub(crate) fn parse_case_id(id: &str) -> Result<CaseId, ApiError> {
    id.parse::<i64>().ok().and_then(CaseId::new).ok_or_else(|| ApiError::BadRequest {
        code: "bad_case_id",
        field: Some("id"),
        message: format!("`{}` is not a case id", shanzhi_core::pii::scrub_text(id)),
    })
}

/// One case with its parties (personal data masked) and its whole history.
async fn case_with_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadCases)?;
    let id = parse_case_id(&id)?;
    let (case, history) = state.store.case_with_history(id).await?.unzip();
    let case = caller.visible(case, id)?;
    let history = history.unwrap_or_default();
    let now = Utc::now();
    let mut json = case_with_history_json(&state, &case, &history, now);
    if !case.workflow.linked_records.is_empty() {
        let linked = CaseFilter { linked_to: Some(id), ..CaseFilter::default() };
        let page = Page { limit: Page::MAX_LIMIT, offset: 0 };
        let records = state.store.list_cases(&linked, CaseOrder::Received, page).await?;
        let records_json: Vec<Value> = records
            .cases
            .iter()
            .rev()
            .map(|c| {
                json!({
                    "case_id": c.id.get(),
                    "case_number": super::render::case_number(&state, c),
                    "channel": c.record.channel.code(),
                    "received_at": c.record.received_at.to_rfc3339(),
                    "relation": c.workflow.link.as_ref().map(|l| l.relation.code()),
                    "confirmed": c.workflow.link.as_ref().map(|l| l.confirmed),
                })
            })
            .collect();
        json["linked_records"] = json!({ "total": records.total, "records": records_json });
    }
    Ok(Json(json))
}

/// The body of an intake: a ledger record, and who registers it.
#[derive(Deserialize)]
struct IntakeBody {
    #[serde(flatten)]
    record: LedgerRecord,
    /// With an API token: the person or system behind it, recorded with the token's name.
    actor: Option<String>,
}

/// `POST /api/v1/cases`: 201 with the case, its number, the citizen's query code and the related
/// cases; 200 with the existing case when the record was already registered.
async fn register(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<IntakeBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // Any window takes any matter (一窗受理): registering is not limited by scope.
    caller.require(Permission::RegisterCases)?;
    let actor = caller.recorded_as(body.actor.as_deref())?;
    let intake = workflow::intake(&state, body.record, &actor).await?;
    if !intake.created && !caller.may_read(&intake.case) {
        // Registered before (same channel and external id): a caller who may not read that case
        // learns its number, to quote, and nothing of what it holds.
        let c = &intake.case;
        return Ok((
            StatusCode::OK,
            Json(json!({
                "id": c.id.get(),
                "case_number": super::render::case_number(&state, c),
                "channel": c.record.channel.code(),
                "external_id": c.record.external_id.as_str(),
                "already_registered": true,
            })),
        ));
    }
    let mut json = case_json(&state, &intake.case, Utc::now());
    json["query_code"] = json!(intake.query_code);
    // As in the preview: of a related case outside the caller's area, only that it exists.
    let ids: Vec<CaseId> = intake.related.iter().map(|e| e.case).collect();
    let readable: Vec<CaseId> =
        if ids.is_empty() || (caller.scope == Scope::District && caller.may(Permission::ReadCases)) {
            ids
        } else {
            let regions = state.store.case_regions(&ids).await?;
            regions.into_iter().filter(|(_, region)| caller.reads_region(*region)).map(|(id, _)| id).collect()
        };
    json["related"] = intake
        .related
        .iter()
        .map(|e| {
            let mut evidence = evidence_json(e);
            let visible = readable.contains(&e.case);
            evidence["visible"] = json!(visible);
            if !visible {
                evidence["case_id"] = Value::Null;
            }
            evidence
        })
        .collect();
    let status = if intake.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json)))
}

/// A named actor as written in a body: trimmed, short, printable, numbers masked.
pub(crate) fn actor(actor: Option<&str>) -> Result<String, ApiError> {
    match actor.map(str::trim) {
        Some(a) if !a.is_empty() && a.chars().count() <= 64 && !shanzhi_core::record::has_control_characters(a) => {
            Ok(shanzhi_core::pii::scrub_text(a))
        }
        _ => Err(ApiError::BadRequest {
            code: "missing_actor",
            field: Some("actor"),
            message: "`actor` (who does this, e.g. `clerk:王`) is required, at most 64 characters".into(),
        }),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
    region: Option<String>,
    department: Option<String>,
    category: Option<String>,
    channel: Option<String>,
    kind: Option<String>,
    overdue: Option<bool>,
    q: Option<String>,
    /// First day received (YYYY-MM-DD, Beijing time), inclusive.
    from: Option<NaiveDate>,
    /// Last day received, inclusive.
    to: Option<NaiveDate>,
    /// `received` (newest first, the default) or `due` (nearest deadline first).
    order: Option<String>,
    primary_only: Option<bool>,
    /// Cases with an agreement term due for its check (履约回访) today.
    agreement_check_due: Option<bool>,
    /// village, town or district: cases resolved at that level.
    resolved_level: Option<String>,
    page: Option<u64>,
    per_page: Option<u32>,
}

fn bad(code: &'static str, field: &'static str, message: String) -> ApiError {
    ApiError::BadRequest { code, field: Some(field), message }
}

/// `GET /api/v1/cases?status=…&region=…&department=…&category=…&channel=…&kind=…&overdue=true&q=…&from=…&to=…`
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadCases)?;
    let Query(q) = query.map_err(|e| bad("bad_query", "query", e.body_text()))?;
    let now = Utc::now();
    let start_of = |day: NaiveDate| -> DateTime<Utc> { shanzhi_core::calendar::end_of_day(day - chrono::Days::new(1)) };
    let region = match q.region.as_deref() {
        None => None,
        Some(r) => Some(
            RegionCode::parse(r)
                .ok()
                .filter(|c| state.gazetteer.region(*c).is_some())
                .or_else(|| state.gazetteer.resolve(r).ok())
                .ok_or_else(|| {
                    bad("unknown_region", "region", format!("`{r}` is not a town or village of the district"))
                })?,
        ),
    };
    let filter = CaseFilter {
        status: q
            .status
            .as_deref()
            .map(|s| s.parse::<CaseStatus>().map_err(|e| bad("unknown_status", "status", e.to_string())))
            .transpose()?,
        region: caller.region_within(region)?,
        department: caller.department_within(
            q.department
                .filter(|d| !d.trim().is_empty())
                .map(|d| state.departments.find(&d).map_or(d, |known| known.name.clone())),
        )?,
        category: q.category.map(|c| state.analyzer.taxonomy().find(&c).map_or(c, |cat| cat.code.clone())),
        respondent_key: None,
        channel: q
            .channel
            .as_deref()
            .map(|c| c.parse::<Channel>().map_err(|e| bad("unknown_channel", "channel", e.to_string())))
            .transpose()?,
        kind: q.kind.as_deref().map(workflow::parse_kind).transpose()?,
        overdue_at: q.overdue.unwrap_or(false).then_some(now),
        // Control characters match nothing a record may hold (and PostgreSQL refuses NUL).
        text: q.q.map(|t| t.chars().filter(|c| !c.is_control()).collect()),
        received_from: q.from.map(start_of),
        received_before: q.to.map(|d| start_of(d + chrono::Days::new(1))),
        primary_only: q.primary_only.unwrap_or(false),
        agreement_check_by: q.agreement_check_due.unwrap_or(false).then_some(now),
        linked_to: None,
        resolved_level: q
            .resolved_level
            .as_deref()
            .map(|l| {
                l.parse().map_err(|e: shanzhi_core::UnknownName| bad("unknown_level", "resolved_level", e.to_string()))
            })
            .transpose()?,
    };
    let order = match q.order.as_deref() {
        None | Some("received") => CaseOrder::Received,
        Some("due") => CaseOrder::Due,
        Some(other) => return Err(bad("unknown_order", "order", format!("order `{other}`: use received or due"))),
    };
    let per_page = q.per_page.unwrap_or(50);
    if !(1..=Page::MAX_LIMIT).contains(&per_page) {
        return Err(bad("bad_per_page", "per_page", format!("per_page is 1 to {}", Page::MAX_LIMIT)));
    }
    let page = q.page.unwrap_or(1).max(1);
    let result = state
        .store
        .list_cases(&filter, order, Page { limit: per_page, offset: (page - 1).saturating_mul(u64::from(per_page)) })
        .await?;
    Ok(Json(json!({
        "total": result.total,
        "page": page,
        "per_page": per_page,
        "cases": result.cases.iter().map(|c| case_json(&state, c, now)).collect::<Vec<_>>(),
    })))
}
