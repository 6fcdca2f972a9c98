use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use shanzhi_core::case::Party;
use shanzhi_core::{Case, CaseEvent, CaseId, EventKind};

use crate::{ApiError, AppState};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/cases/{id}", get(case_with_history))
}

/// One case with its parties (personal data masked) and its whole history.
async fn case_with_history(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = id.parse::<i64>().ok().and_then(CaseId::new).ok_or_else(|| ApiError::BadRequest {
        code: "bad_case_id",
        field: Some("id"),
        message: format!("`{}` is not a case id", shanzhi_core::pii::scrub_text(&id)),
    })?;
    let (case, history) = state
        .store
        .case_with_history(id)
        .await?
        .ok_or_else(|| ApiError::NotFound { code: "case_not_found", message: format!("case {id} does not exist") })?;
    Ok(Json(case_json(&state, &case, &history)))
}

fn case_json(state: &AppState, case: &Case, history: &[CaseEvent]) -> Value {
    let r = &case.record;
    json!({
        "id": case.id.get(),
        "status": case.status.code(),
        "status_label": case.status.label(),
        "channel": r.channel.code(),
        "channel_label": r.channel.label(),
        "external_id": r.external_id.as_str(),
        "received_at": r.received_at.to_rfc3339(),
        "registered_at": case.registered_at.to_rfc3339(),
        "region": { "code": r.region.to_string(), "name": state.gazetteer.display_name(r.region) },
        "title": r.title,
        "text": r.text.as_str(),
        "category": r.category,
        "amount_yuan": r.amount.map(|a| a.to_string()),
        "people_count": r.people_count,
        "lat": r.location.map(|p| p.lat()),
        "lon": r.location.map(|p| p.lon()),
        "parties": r.parties.iter().map(party_json).collect::<Vec<_>>(),
        "version": case.version,
        "history": history.iter().map(event_json).collect::<Vec<_>>(),
    })
}

fn party_json(p: &Party) -> Value {
    json!({
        "role": p.role.code(),
        "kind": p.kind.code(),
        "name": p.name,
        "id_number": p.id_number.as_ref().map(|x| &x.masked),
        "phone": p.phone.as_ref().map(|x| &x.masked),
    })
}

fn event_json(e: &CaseEvent) -> Value {
    let detail = match &e.kind {
        EventKind::Registered { channel } => json!({ "channel": channel.code() }),
        EventKind::StatusChanged { from, to } => json!({ "from": from.code(), "to": to.code() }),
        EventKind::CategoryChanged { from, to } => json!({ "from": from, "to": to }),
    };
    json!({ "seq": e.seq, "at": e.at.to_rfc3339(), "actor": e.actor, "kind": e.kind.code(), "detail": detail })
}
