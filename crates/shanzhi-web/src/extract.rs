//! Request extractors that fail in the API's error format (a 400 with a code), not axum's text.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};

use crate::ApiError;

/// A JSON body; a malformed or mistyped one is a 400 whose message names what is wrong, with
/// any number in it masked (messages quote the offending value).
pub(crate) struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => {
                let code = match &rejection {
                    JsonRejection::JsonDataError(_) => "bad_field",
                    JsonRejection::JsonSyntaxError(_) => "bad_json",
                    JsonRejection::MissingJsonContentType(_) => "not_json",
                    _ => "bad_body",
                };
                Err(ApiError::BadRequest {
                    code,
                    field: None,
                    message: shanzhi_core::pii::scrub_text(&rejection.body_text()),
                })
            }
        }
    }
}
