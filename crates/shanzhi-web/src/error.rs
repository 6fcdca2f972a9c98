//! The one error type of the API: 4xx with a stable code and the field at fault; anything else a
//! logged 500 that tells the client nothing about the inside.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shanzhi_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, field: Option<&'static str>, message: String },
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    #[error("the ledger is not available")]
    Unavailable,
    #[error(transparent)]
    Store(#[from] StoreError),
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
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, field, message) = match self {
            ApiError::BadRequest { code, field, message } => (StatusCode::BAD_REQUEST, code, field, message),
            ApiError::NotFound { code, message } => (StatusCode::NOT_FOUND, code, None, message),
            ApiError::Store(StoreError::Conflict(id)) => (
                StatusCode::CONFLICT,
                "conflict",
                None,
                format!("case {id} was changed at the same time; reload and retry"),
            ),
            ApiError::Store(StoreError::CaseNotFound(id)) => {
                (StatusCode::NOT_FOUND, "case_not_found", None, format!("case {id} does not exist"))
            }
            ApiError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None, "the ledger is not available".into())
            }
            ApiError::Store(e) => {
                tracing::error!(error = %e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", None, "internal error; it has been logged".into())
            }
        };
        (status, Json(ErrorBody { error: ErrorDetail { code, message, field } })).into_response()
    }
}
