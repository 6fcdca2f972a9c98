//! `GET /api/v1/track?number=YH-2026-000123&code=…`: a citizen follows a case with the number and
//! query code given at intake, without an account. The answer says where the case stands and
//! nothing personal; a wrong number or code is the same 404, so that numbers cannot be probed.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use shanzhi_core::workflow;

use super::render::case_number;
use crate::{ApiError, AppState};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/track", get(track))
}

#[derive(Deserialize)]
struct TrackQuery {
    number: String,
    code: String,
}

async fn track(
    State(state): State<AppState>,
    query: Result<Query<TrackQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query.map_err(|_| ApiError::BadRequest {
        code: "bad_query",
        field: None,
        message: "`number` and `code` are required".into(),
    })?;
    let not_found =
        || ApiError::NotFound { code: "not_found", message: "no case with this number and query code".into() };
    let id = workflow::case_id_of_number(&q.number).ok_or_else(not_found)?;
    let (case, history) = state.store.case_with_history(id).await?.ok_or_else(not_found)?;
    let given = state.pii_key.protect_query_code(q.code.trim().to_ascii_uppercase().as_str());
    let number_matches = case_number(&state, &case).eq_ignore_ascii_case(q.number.trim());
    if case.workflow.query_code_hash.as_deref() != Some(given.as_str()) || !number_matches {
        return Err(not_found());
    }
    let w = &case.workflow;
    // A linked record is handled as its primary case: the citizen is told that case's number.
    let primary = match &w.link {
        Some(link) => state.store.case(link.primary).await?.map(|p| case_number(&state, &p)),
        None => None,
    };
    let steps: Vec<Value> = history
        .iter()
        .filter_map(|e| public_step(&e.kind).map(|label| json!({ "at": e.at.to_rfc3339(), "step": label })))
        .collect();
    Ok(Json(json!({
        "case_number": case_number(&state, &case),
        "status": case.status.code(),
        "status_label": case.status.label(),
        "kind_label": w.kind.label(),
        "received_at": case.record.received_at.to_rfc3339(),
        "department": w.routing.as_ref().map(|r| &r.lead),
        "due_at": w.clock.as_ref().map(|c| c.due_at.to_rfc3339()),
        "outcome_label": w.resolution.as_ref().map(|r| r.outcome.label()),
        "primary_case_number": primary,
        "steps": steps,
        "as_of": Utc::now().to_rfc3339(),
    })))
}

/// What a citizen sees of each step (UI text); internal steps are left out.
fn public_step(kind: &shanzhi_core::EventKind) -> Option<&'static str> {
    use shanzhi_core::EventKind::*;
    Some(match kind {
        Registered { .. } => "已登记",
        Routed { .. } | Transferred { .. } => "已分派承办部门",
        Escalated { .. } => "已提级处理",
        Accepted { .. } => "承办部门已受理",
        Returned { .. } => "重新分派中",
        ScreeningStarted { .. } => "排查中",
        MediationStarted { .. } => "调解中",
        SessionRecorded { .. } => "已组织调解",
        AgreementRecorded { .. } => "已达成调解协议",
        Resolved { .. } => "已化解",
        FollowedUp { reopened: false, .. } => "已回访办结",
        FollowedUp { reopened: true, .. } | Reopened { .. } => "重新办理",
        Linked { .. } => "已并入同一事项办理",
        _ => return None,
    })
}
