//! Unmasking (`/api/v1/cases/{id}/unmask`): a party's ID number and phone in clear, for the roles
//! that may (`pii.unmask`), one case at a time, with a reason. Every unmasking is written to the
//! append-only log (`pii_unmaskings`: who, when, why) before the numbers are answered, and the log
//! of a case is read at `/api/v1/cases/{id}/unmaskings`.
//!
//! The clear numbers go into the response body only: never into a log line or an error message
//! (the request span carries the path, which holds none). Parties registered before numbers were
//! sealed (migration 0008) have none to open: they answer `"sealed": false` and stay masked.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use shanzhi_core::Protected;
use shanzhi_core::access::Permission;
use shanzhi_store::StoreError;

use super::cases::parse_case_id;
use super::render::case_number;
use crate::auth::Caller;
use crate::error::FieldProblem;
use crate::extract::JsonBody;
use crate::{ApiError, AppState};

/// The shortest and longest reason, in characters.
const REASON_CHARS: std::ops::RangeInclusive<usize> = 4..=200;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/cases/{id}/unmask", post(unmask)).route("/cases/{id}/unmaskings", get(unmaskings))
}

#[derive(Deserialize)]
struct UnmaskBody {
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /api/v1/cases/{id}/unmask` with `{"reason": "…"}`: 200 with the parties' numbers in
/// clear; 403 for a role that may not, 404 for a case out of scope, 422 without a good reason.
/// Nothing is logged unless the numbers are answered, and nothing is answered unless logged.
async fn unmask(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UnmaskBody>,
) -> Result<Response, ApiError> {
    caller.require(Permission::UnmaskPersonalData)?;
    let id = parse_case_id(&id)?;
    let case = caller.visible(state.store.case(id).await?, id)?;
    let reason = reason(body.reason.as_deref())?;

    // Open every sealed number before logging, so that a value that does not open is a 500 with
    // nothing logged rather than a logged unmasking that showed nothing.
    let opened = |protected: Option<&Protected>, party: usize, field: &str| -> Result<Value, ApiError> {
        let Some(p) = protected else { return Ok(Value::Null) };
        let clear = match &p.sealed {
            Some(sealed) => Some(state.pii_key.unseal(sealed).map_err(|_| {
                ApiError::Store(StoreError::Corrupt(format!(
                    "the sealed {field} of party {party} of case {id} does not open with the configured key"
                )))
            })?),
            None => None,
        };
        Ok(json!({ "masked": p.masked, "sealed": p.sealed.is_some(), "clear": clear }))
    };
    let mut parties = Vec::with_capacity(case.record.parties.len());
    for (i, p) in case.record.parties.iter().enumerate() {
        parties.push(json!({
            "position": i,
            "role": p.role.code(),
            "kind": p.kind.code(),
            "name": p.name,
            "id_number": opened(p.id_number.as_ref(), i, "ID number")?,
            "phone": opened(p.phone.as_ref(), i, "phone")?,
        }));
    }

    state.store.record_unmasking(id, &caller.actor(), &reason).await?;
    tracing::info!(case = id.get(), actor = %caller.actor(), "personal data unmasked");

    let body = json!({
        "case_id": id.get(),
        "case_number": case_number(&state, &case),
        "actor": caller.actor(),
        "reason": reason,
        "parties": parties,
    });
    let mut response = Json(body).into_response();
    // Clear numbers must not stay in a browser's or a proxy's cache.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The reason as logged: trimmed, 4 to 200 characters, no control characters, and any personal
/// number written into it masked (the log is no place for one).
fn reason(given: Option<&str>) -> Result<String, ApiError> {
    let invalid = |code, message: String| ApiError::Invalid {
        fields: vec![FieldProblem { field: "reason".into(), code, message }],
    };
    let reason = given.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(invalid("missing_reason", "say why the personal data must be seen (`reason`)".into()));
    }
    if shanzhi_core::record::has_control_characters(reason) {
        return Err(invalid("bad_reason", "`reason` contains control characters".into()));
    }
    if !REASON_CHARS.contains(&reason.chars().count()) {
        return Err(invalid(
            "bad_reason",
            format!("`reason` must have {} to {} characters", REASON_CHARS.start(), REASON_CHARS.end()),
        ));
    }
    Ok(shanzhi_core::pii::scrub_text(reason))
}

/// `GET /api/v1/cases/{id}/unmaskings`: who saw the case's personal data in clear, when and why,
/// oldest first; for the roles that may unmask (the administrator among them), in scope.
async fn unmaskings(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::UnmaskPersonalData)?;
    let id = parse_case_id(&id)?;
    caller.visible(state.store.case(id).await?, id)?;
    let log: Vec<Value> = state
        .store
        .unmaskings(id)
        .await?
        .into_iter()
        .map(|u| json!({ "at": u.at.to_rfc3339(), "actor": u.actor, "reason": u.reason }))
        .collect();
    Ok(Json(json!({ "case_id": id.get(), "unmaskings": log })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<String, ApiError>) -> &'static str {
        match result {
            Err(ApiError::Invalid { fields }) => fields[0].code,
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn a_reason_is_required_short_and_clean() {
        assert_eq!(code(reason(None)), "missing_reason");
        assert_eq!(code(reason(Some("  "))), "missing_reason");
        assert_eq!(code(reason(Some("看看"))), "bad_reason");
        assert_eq!(code(reason(Some(&"调".repeat(201)))), "bad_reason");
        assert_eq!(code(reason(Some("核实\u{0}身份"))), "bad_reason");
        assert_eq!(reason(Some(" 联系申请人确认调解时间 ")).unwrap(), "联系申请人确认调解时间");
        assert_eq!(reason(Some(&"调".repeat(200))).unwrap().chars().count(), 200);
        let with_number = reason(Some("回拨13812345678确认")).unwrap();
        assert!(!with_number.contains("13812345678"), "{with_number}");
    }
}
