//! `GET /api/v1/routing/overrides?from=…&to=…`: every routing decision a clerk changed, with the
//! rules' proposal and the reason, and counts per proposal → choice, so that the routing rules
//! (`data/workflow/routing.toml`) can be improved where people keep correcting them.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use shanzhi_core::EventKind;
use shanzhi_core::calendar::{end_of_day, local_date};

use crate::auth::Caller;
use crate::{ApiError, AppState};
use shanzhi_core::access::Permission;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/routing/overrides", get(overrides))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Period {
    /// First day, inclusive (default: 30 days ago).
    from: Option<NaiveDate>,
    /// Last day, inclusive (default: today).
    to: Option<NaiveDate>,
}

async fn overrides(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<Period>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    // Which suggestions staff overrode, district-wide: for whoever tunes the routing rules.
    caller.require(Permission::ReadWarnings)?;
    let Query(period) =
        query.map_err(|e| ApiError::BadRequest { code: "bad_query", field: None, message: e.body_text() })?;
    let today = local_date(Utc::now());
    let to = period.to.unwrap_or(today);
    let from = period.from.unwrap_or(to - chrono::Days::new(29));
    if from > to {
        return Err(ApiError::BadRequest {
            code: "bad_period",
            field: Some("from"),
            message: "`from` is after `to`".into(),
        });
    }
    let since = end_of_day(from - chrono::Days::new(1));
    let before = end_of_day(to);
    let mut routed = state.store.events_of_kind("routed", since, before).await?;
    routed.sort_by_key(|e| e.at);
    let mut counts: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut list = Vec::new();
    let mut total = 0u32;
    for event in &routed {
        let EventKind::Routed { routing, .. } = &event.kind else { continue };
        total += 1;
        let Some(o) = &routing.overridden else { continue };
        *counts.entry((o.suggested_lead.clone(), routing.lead.clone())).or_default() += 1;
        list.push(json!({
            "case_id": event.case_id.get(),
            "at": event.at.to_rfc3339(),
            "actor": event.actor,
            "suggested_lead": o.suggested_lead,
            "suggested_level": o.suggested_level.code(),
            "lead": routing.lead,
            "level": routing.level.code(),
            "reason": o.reason,
        }));
    }
    let by_pair: Vec<Value> = counts
        .into_iter()
        .map(|((suggested, chosen), n)| json!({ "suggested_lead": suggested, "lead": chosen, "count": n }))
        .collect();
    Ok(Json(json!({
        "from": from.to_string(),
        "to": to.to_string(),
        "routed": total,
        "overridden": list.len(),
        "by_pair": by_pair,
        "overrides": list,
    })))
}
