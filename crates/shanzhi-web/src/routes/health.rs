use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::{ApiError, AppState};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// 200 when the ledger answers; 503 otherwise, so a load balancer takes the instance out.
async fn healthz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "health check: database unavailable");
        ApiError::Unavailable
    })?;
    Ok(Json(json!({ "status": "ok" })))
}
