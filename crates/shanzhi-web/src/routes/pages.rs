use axum::Router;
use axum::response::Html;
use axum::routing::get;

use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/", get(|| async { Html(include_str!("../assets/index.html")) }))
}
