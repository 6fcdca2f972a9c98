//! `/api/v1/warnings`: the warnings the risk models raised (预警), the contingency plans they
//! propose (预案), and the lifecycle staff take them through: acknowledge, activate a plan,
//! resolve, or dismiss with a reason.
//!
//! An action's body is the lifecycle's own word (`{"action": "dismiss", "reason": …}`) with the
//! `actor` who takes it and, optionally, the `expected_version` it was decided on; the answer is
//! the warning as it is after the action.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use shanzhi_core::warning::{WarningAction, WarningLevel, WarningModel, WarningState};
use shanzhi_core::{CaseId, RegionCode};
use shanzhi_store::{Page, StoreError, StoredWarning, WarningEvent, WarningFilter};

use crate::auth::Caller;
use crate::error::FieldProblem;
use crate::extract::JsonBody;
use crate::{ApiError, AppState};
use shanzhi_core::access::Permission;

/// The cases of a warning read to find the towns a plan's town offices are for: a mass event may
/// name thousands, and the first two hundred name its towns.
const MAX_CASES_FOR_TOWNS: usize = 200;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/warnings", get(list))
        .route("/warnings/{id}", get(warning_with_history))
        .route("/warnings/{id}/actions", post(take_action))
}

pub(crate) fn parse_warning_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| ApiError::BadRequest {
        code: "bad_warning_id",
        field: Some("id"),
        message: format!("`{}` is not a warning id", shanzhi_core::pii::scrub_text(id)),
    })
}

/// The warning and its history, or 404.
pub(crate) async fn load(state: &AppState, id: i64) -> Result<(StoredWarning, Vec<WarningEvent>), ApiError> {
    state.store.warning(id).await?.ok_or_else(|| ApiError::NotFound {
        code: "warning_not_found",
        message: format!("warning {id} does not exist"),
    })
}

/// A warning as the API writes it, with the plans it proposes.
pub(crate) fn warning_json(state: &AppState, stored: &StoredWarning) -> Value {
    let w = &stored.warning;
    let proposed: Vec<Value> = state.plans.proposed(w).map(|p| json!({ "code": p.code, "name": p.name })).collect();
    json!({
        "id": stored.id,
        "model": w.model.code(),
        "model_label": w.model.label(),
        "level": w.level.code(),
        "level_label": w.level.label(),
        "subject": { "kind": w.subject.kind.code(), "key": w.subject.key, "label": w.subject.label },
        "score": w.score,
        "statistic": w.statistic,
        "factors": w.factors,
        "explanation": w.explanation,
        "case_ids": w.case_ids,
        "since": w.since,
        "first_seen_on": stored.first_seen_on,
        "last_seen_on": stored.last_seen_on,
        "raised_at": stored.raised_at.to_rfc3339(),
        "state": stored.state.code(),
        "state_label": stored.state.label(),
        "open": stored.state.is_open(),
        "plan": stored.plan,
        "plan_name": stored.plan.as_deref().and_then(|code| state.plans.get(code)).map(|p| &p.name),
        "plan_tasks": stored.plan_tasks,
        "version": stored.version,
        "proposed_plans": proposed,
    })
}

fn event_json(e: &WarningEvent) -> Value {
    let label = match e.action.as_str() {
        "raised" => "预警生成",
        "updated" => "预警更新",
        "acknowledge" => "签收",
        "activate_plan" => "启动预案",
        "resolve" => "化解",
        "dismiss" => "排除",
        _ => "其他",
    };
    json!({
        "seq": e.seq,
        "at": e.at.to_rfc3339(),
        "actor": e.actor,
        "action": e.action,
        "action_label": label,
        "detail": e.detail,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    state: Option<String>,
    /// Only raised, acknowledged or plan-activated warnings.
    open: Option<bool>,
    model: Option<String>,
    /// This level or above.
    min_level: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

fn bad(code: &'static str, field: &'static str, message: String) -> ApiError {
    ApiError::BadRequest { code, field: Some(field), message }
}

/// `GET /api/v1/warnings?state=…&open=true&model=…&min_level=…&limit=…&offset=…`: red first, then
/// the most recently seen.
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadWarnings)?;
    let Query(q) = query.map_err(|e| bad("bad_query", "query", e.body_text()))?;
    let filter = WarningFilter {
        state: q
            .state
            .as_deref()
            .map(|s| s.parse::<WarningState>().map_err(|e| bad("unknown_state", "state", e.to_string())))
            .transpose()?,
        open_only: q.open.unwrap_or(false),
        model: q
            .model
            .as_deref()
            .map(|m| m.parse::<WarningModel>().map_err(|e| bad("unknown_model", "model", e.to_string())))
            .transpose()?,
        min_level: q
            .min_level
            .as_deref()
            .map(|l| l.parse::<WarningLevel>().map_err(|e| bad("unknown_level", "min_level", e.to_string())))
            .transpose()?,
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=Page::MAX_LIMIT).contains(&limit) {
        return Err(bad("bad_limit", "limit", format!("limit is 1 to {}", Page::MAX_LIMIT)));
    }
    let offset = q.offset.unwrap_or(0);
    let page = state.store.warnings(&filter, Page { limit, offset }).await?;
    Ok(Json(json!({
        "total": page.total,
        "limit": limit,
        "offset": offset,
        "items": page.items.iter().map(|w| warning_json(&state, w)).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/warnings/{id}`: the warning and its history, oldest first.
async fn warning_with_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ReadWarnings)?;
    let id = parse_warning_id(&id)?;
    let (stored, history) = load(&state, id).await?;
    let mut json = warning_json(&state, &stored);
    json["history"] = history.iter().map(event_json).collect();
    Ok(Json(json))
}

/// `POST /api/v1/warnings/{id}/actions`.
async fn take_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(mut body): JsonBody<Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::ActOnWarnings)?;
    let id = parse_warning_id(&id)?;
    let actor = caller.recorded_as(body.remove("actor").as_ref().and_then(Value::as_str))?;
    let expected_version = match body.remove("expected_version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
            bad("bad_field", "expected_version", "`expected_version` is the warning's version, a number".into())
        })?),
    };
    let action = parse_action(body)?;
    let now = Utc::now();
    let (stored, _) = load(&state, id).await?;
    // Refused before any work: a state the action is not allowed from, missing content, a stale
    // version. The store checks the first and the last again, atomically.
    action.apply(stored.state)?;
    if expected_version.is_some_and(|v| v != stored.version) {
        return Err(StoreError::WarningConflict(id).into());
    }
    let (expected_version, plan_tasks) = match &action {
        WarningAction::ActivatePlan { plan } => {
            let tasks = plan_tasks(&state, &stored, plan, now).await?;
            // The tasks are computed for the warning as read: it must not move in between.
            (Some(expected_version.unwrap_or(stored.version)), Some(tasks))
        }
        _ => (expected_version, None),
    };
    let after = state.store.act_on_warning(id, expected_version, &action, plan_tasks, &actor, now).await?;
    Ok(Json(warning_json(&state, &after)))
}

/// The lifecycle's action from the body. The texts it requires may be left out: the lifecycle
/// then refuses them as missing (422 naming the field), as it refuses blank ones.
fn parse_action(mut body: Map<String, Value>) -> Result<WarningAction, ApiError> {
    let text_field = match body.get("action").and_then(Value::as_str) {
        Some("activate_plan") => Some("plan"),
        Some("resolve") => Some("note"),
        Some("dismiss") => Some("reason"),
        _ => None,
    };
    if let Some(field) = text_field
        && body.get(field).is_none_or(Value::is_null)
    {
        body.insert(field.to_owned(), Value::String(String::new()));
    }
    let action: WarningAction = serde_json::from_value(Value::Object(body)).map_err(|e| {
        bad(
            "bad_action",
            "action",
            format!(
                "{}; the actions are acknowledge, activate_plan (plan), resolve (note), dismiss (reason)",
                shanzhi_core::pii::scrub_text(&e.to_string())
            ),
        )
    })?;
    Ok(action.cleaned()?)
}

/// The dated tasks of the plan `code` for this warning, as JSON: the plan must exist and be one
/// the warning proposes; the town offices are those of the towns of the warning's cases.
async fn plan_tasks(
    state: &AppState,
    stored: &StoredWarning,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let plan = state.plans.get(code).ok_or_else(|| ApiError::Invalid {
        fields: vec![FieldProblem {
            field: "plan".into(),
            code: "unknown_plan",
            message: format!("there is no contingency plan `{}`", shanzhi_core::pii::scrub_text(code)),
        }],
    })?;
    if !state.plans.proposed(&stored.warning).any(|p| p.code == plan.code) {
        return Err(ApiError::Conflict {
            code: "plan_not_proposed",
            message: format!(
                "plan `{}` is not proposed for a {} {} warning",
                plan.code,
                stored.warning.level.code(),
                stored.warning.model.code()
            ),
        });
    }
    let towns = towns_of(state, &stored.warning.case_ids).await?;
    let today = shanzhi_core::calendar::local_date(now);
    let tasks = plan.tasks(&towns, &state.departments, &state.rules.calendar, today);
    Ok(serde_json::to_value(&tasks).expect("plan tasks serialize"))
}

/// The distinct towns of the cases (of the first [`MAX_CASES_FOR_TOWNS`]), in the order met.
async fn towns_of(state: &AppState, case_ids: &[CaseId]) -> Result<Vec<RegionCode>, ApiError> {
    let mut towns = Vec::new();
    for id in case_ids.iter().take(MAX_CASES_FOR_TOWNS) {
        let Some(case) = state.store.case(*id).await? else { continue };
        if let Some(town) = case.record.region.town()
            && !towns.contains(&town)
        {
            towns.push(town);
        }
    }
    Ok(towns)
}
