//! `POST /api/v1/cases/{id}/actions`: one step of the workflow on one case.
//!
//! The body is an action of the state machine (`{"action": "accept", "department": …}`) with the
//! `actor` who takes it; or one of the link actions that touch two cases: `merge` (`into`,
//! `reason`), `confirm_link`, `split` (`reason`). The answer is the case as it is after the step.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use serde_json::Value;
use shanzhi_core::workflow::{self, Action, Relation};

use super::cases::parse_case_id;
use super::render::case_json;
use crate::auth::Caller;
use crate::extract::JsonBody;
use crate::workflow::{act, load};
use crate::{ApiError, AppState};
use shanzhi_core::access::Permission;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/cases/{id}/actions", post(take_action))
}

async fn take_action(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(mut body): JsonBody<serde_json::Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_case_id(&id)?;
    // Out of scope reads as not found, before any other answer can tell that the case exists.
    caller.visible(state.store.case(id).await?, id)?;
    caller.require(Permission::ActOnCases)?;
    let actor = caller.recorded_as(body.remove("actor").as_ref().and_then(Value::as_str))?;
    let text = |body: &serde_json::Map<String, Value>, field: &'static str| {
        body.get(field).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| ApiError::BadRequest {
            code: "missing_field",
            field: Some(field),
            message: format!("`{field}` is required"),
        })
    };
    let case = match body.get("action").and_then(Value::as_str) {
        Some("merge") => {
            let into =
                body.get("into").and_then(Value::as_i64).and_then(shanzhi_core::CaseId::new).ok_or_else(|| {
                    ApiError::BadRequest {
                        code: "missing_field",
                        field: Some("into"),
                        message: "`into` (a case id) is required".into(),
                    }
                })?;
            let case = load(&state, id).await?;
            let primary = caller.visible(state.store.case(into).await?, into)?;
            let (linked, attached) = workflow::link(
                &case,
                &workflow::Candidate::of(&primary),
                Relation::SameMatter,
                &text(&body, "reason")?,
                true,
            )?;
            let case = state.store.append_event(id, Some(case.version), linked, &actor).await?.0;
            state.store.append_event(into, None, attached, &actor).await?;
            case
        }
        Some("confirm_link") => {
            let case = load(&state, id).await?;
            let kind = workflow::confirm_link(&case)?;
            state.store.append_event(id, Some(case.version), kind, &actor).await?.0
        }
        Some("split") => {
            let case = load(&state, id).await?;
            let primary = case.workflow.link.as_ref().map(|l| l.primary);
            let (split, detached) = workflow::split(&case, &text(&body, "reason")?)?;
            let case = state.store.append_event(id, Some(case.version), split, &actor).await?.0;
            if let Some(primary) = primary {
                state.store.append_event(primary, None, detached, &actor).await?;
            }
            case
        }
        _ => {
            let action: Action = serde_json::from_value(Value::Object(body)).map_err(|e| ApiError::BadRequest {
                code: "bad_action",
                field: Some("action"),
                message: shanzhi_core::pii::scrub_text(&e.to_string()),
            })?;
            // Staff may write a category by its name (劳资纠纷); the ledger keeps the taxonomy's code.
            let action = match action {
                Action::ChangeCategory { category } => Action::ChangeCategory {
                    category: state.analyzer.taxonomy().find(&category).map_or(category, |c| c.code.clone()),
                },
                other => other,
            };
            act(&state, id, &action, &actor).await?
        }
    };
    Ok(Json(case_json(&state, &case, Utc::now())))
}
