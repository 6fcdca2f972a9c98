//! The one error type of the API: 4xx with a stable code and the field at fault; anything else a
//! logged 500 that tells the client nothing about the inside.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shanzhi_core::warning::WarningError;
use shanzhi_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, field: Option<&'static str>, message: String },
    /// No valid login session or API token (401).
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    /// Authenticated, but the role or scope does not allow it (403).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// Too many failed logins: try again after `retry_after_secs` (429).
    #[error("too many failed logins; retry in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// The request conflicts with the state of the case or warning (an illegal transition).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Well-formed but invalid content: every field at fault.
    #[error("{} invalid field(s)", fields.len())]
    Invalid { fields: Vec<FieldProblem> },
    #[error("the ledger is not available")]
    Unavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One field at fault in a 422 answer.
#[derive(Debug, Clone, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl From<shanzhi_core::FieldError> for FieldProblem {
    fn from(e: shanzhi_core::FieldError) -> Self {
        FieldProblem { field: e.field, code: e.code, message: e.message }
    }
}

impl From<shanzhi_core::workflow::WorkflowError> for ApiError {
    fn from(e: shanzhi_core::workflow::WorkflowError) -> Self {
        use shanzhi_core::workflow::WorkflowError;
        match e {
            WorkflowError::NotAllowed { .. } => {
                ApiError::Conflict { code: "illegal_transition", message: e.to_string() }
            }
            // A refusal about the action as a whole is about the case's state (already paused, no
            // agreement, an extension already pending …), not about the request's content.
            WorkflowError::Invalid { code, field: "action", message } if code != "control_characters" => {
                ApiError::Conflict { code, message }
            }
            WorkflowError::Invalid { code, field, message } => {
                ApiError::Invalid { fields: vec![FieldProblem { field: field.to_owned(), code, message }] }
            }
        }
    }
}

impl From<WarningError> for ApiError {
    fn from(e: WarningError) -> Self {
        match e {
            WarningError::NotAllowed { .. } => ApiError::Conflict { code: "not_allowed", message: e.to_string() },
            WarningError::Missing { field } => {
                let code = match field {
                    "reason" => "missing_reason",
                    "plan" => "missing_plan",
                    "note" => "missing_note",
                    _ => "missing_field",
                };
                ApiError::Invalid {
                    fields: vec![FieldProblem { field: field.to_owned(), code, message: e.to_string() }],
                }
            }
            WarningError::Invalid { field, code, .. } => ApiError::Invalid {
                fields: vec![FieldProblem { field: field.to_owned(), code, message: e.to_string() }],
            },
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldProblem>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let simple = |status, code, field, message| (status, ErrorDetail { code, message, field, fields: Vec::new() });
        let (status, detail) = match &self {
            ApiError::BadRequest { code, field, message } => {
                simple(StatusCode::BAD_REQUEST, code, *field, message.clone())
            }
            ApiError::Unauthenticated { code, message } => {
                let mut response = (
                    StatusCode::UNAUTHORIZED,
                    Json(ErrorBody {
                        error: ErrorDetail { code, message: message.clone(), field: None, fields: Vec::new() },
                    }),
                )
                    .into_response();
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return response;
            }
            ApiError::Forbidden { code, message } => simple(StatusCode::FORBIDDEN, code, None, message.clone()),
            ApiError::TooManyAttempts { retry_after_secs } => {
                let message = format!("too many failed logins; retry in {retry_after_secs} s");
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(ErrorBody {
                        error: ErrorDetail { code: "too_many_attempts", message, field: None, fields: Vec::new() },
                    }),
                )
                    .into_response();
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                return response;
            }
            ApiError::NotFound { code, message } => simple(StatusCode::NOT_FOUND, code, None, message.clone()),
            ApiError::Conflict { code, message } => simple(StatusCode::CONFLICT, code, None, message.clone()),
            ApiError::Invalid { fields } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorDetail {
                    code: fields.first().map_or("invalid", |f| f.code),
                    message: fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; "),
                    field: fields.first().map(|f| f.field.as_str()),
                    fields: fields.clone(),
                },
            ),
            ApiError::Store(StoreError::Conflict(id)) => simple(
                StatusCode::CONFLICT,
                "conflict",
                None,
                format!("case {id} was changed at the same time; reload and retry"),
            ),
            ApiError::Store(StoreError::WarningNotFound(id)) => {
                simple(StatusCode::NOT_FOUND, "warning_not_found", None, format!("warning {id} does not exist"))
            }
            ApiError::Store(StoreError::WarningConflict(id)) => simple(
                StatusCode::CONFLICT,
                "conflict",
                None,
                format!("warning {id} was changed at the same time; reload and retry"),
            ),
            ApiError::Store(StoreError::WarningAction(e)) => return ApiError::from(e.clone()).into_response(),
            ApiError::Store(StoreError::CaseNotFound(id)) => {
                simple(StatusCode::NOT_FOUND, "case_not_found", None, format!("case {id} does not exist"))
            }
            ApiError::Unavailable => {
                simple(StatusCode::SERVICE_UNAVAILABLE, "unavailable", None, "the ledger is not available".into())
            }
            ApiError::Store(e) => {
                tracing::error!(error = %e, "internal error");
                simple(StatusCode::INTERNAL_SERVER_ERROR, "internal", None, "internal error; it has been logged".into())
            }
        };
        (status, Json(ErrorBody { error: detail })).into_response()
    }
}
