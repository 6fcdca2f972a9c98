use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::{ApiError, AppState};
use shanzhi_core::access::{Permission, Scope};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/ledger/summary", get(summary))
}

/// Counts of the whole ledger by channel, status and town, with the names to show.
async fn summary(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::Dashboard)?;
    // The district's counts: a town's staff have their town's screen (`/dashboard`) instead.
    if caller.scope != Scope::District {
        return Err(ApiError::Forbidden {
            code: "out_of_scope",
            message: "the ledger's summary is the district's; your screen is /api/v1/dashboard".into(),
        });
    }
    let summary = state.store.ledger_summary().await?;
    let gazetteer = &state.gazetteer;
    let towns: Vec<Value> = gazetteer
        .towns()
        .map(|town| {
            let count = summary.by_town.iter().find(|(code, _)| *code == town.code).map_or(0, |(_, n)| *n);
            json!({ "code": town.code.to_string(), "name": town.official_name, "count": count })
        })
        .collect();
    Ok(Json(json!({
        "district": { "code": gazetteer.district().code.to_string(), "name": gazetteer.district().official_name },
        "total": summary.total,
        "by_channel": summary.by_channel.iter().map(|(c, n)| json!({ "code": c.code(), "label": c.label(), "count": n })).collect::<Vec<_>>(),
        "by_status": summary.by_status.iter().map(|(s, n)| json!({ "code": s.code(), "label": s.label(), "count": n })).collect::<Vec<_>>(),
        "by_town": towns,
        "departments": state.departments.len(),
    })))
}
