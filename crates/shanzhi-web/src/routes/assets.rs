//! The web UI's files, embedded in the binary: government networks are closed to the internet,
//! so every script, style and chart library is served from here, never from a CDN.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::not_found;
use crate::AppState;

/// Each file under `/assets/`, with its content type.
const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../assets/app.css")),
    ("app.js", JS, include_bytes!("../../assets/app.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../../assets/favicon.svg")),
    ("start.js", JS, include_bytes!("../../assets/start.js")),
    ("pages/login.js", JS, include_bytes!("../../assets/pages/login.js")),
    ("pages/dashboard.js", JS, include_bytes!("../../assets/pages/dashboard.js")),
    ("pages/intake.js", JS, include_bytes!("../../assets/pages/intake.js")),
    ("pages/inbox.js", JS, include_bytes!("../../assets/pages/inbox.js")),
    ("pages/case.js", JS, include_bytes!("../../assets/pages/case.js")),
    ("pages/warnings.js", JS, include_bytes!("../../assets/pages/warnings.js")),
    ("pages/assessment.js", JS, include_bytes!("../../assets/pages/assessment.js")),
    ("vendor/echarts/echarts.min.js", JS, include_bytes!("../../assets/vendor/echarts/echarts.min.js")),
    ("vendor/echarts/LICENSE", TEXT, include_bytes!("../../assets/vendor/echarts/LICENSE")),
    ("vendor/echarts/NOTICE", TEXT, include_bytes!("../../assets/vendor/echarts/NOTICE")),
];

const JS: &str = "text/javascript; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Scripts and styles from this server only; no inline script. Inline styles stay allowed
/// because ECharts positions its tooltips with them.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
     frame-ancestors 'none'; form-action 'self'";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{*file}", get(asset))
        // Browsers ask for it whatever the page says.
        .route("/favicon.ico", get(|| async { Redirect::permanent("/assets/favicon.svg") }))
}

async fn index() -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
        include_str!("../../assets/index.html"),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(index) = FILES.iter().position(|(name, _, _)| *name == file) else {
        return not_found().await.into_response();
    };
    let (_, content_type, body) = FILES[index];
    let etag = &etags()[index];
    // Revalidated on each load (`no-cache`), so that a new binary never leaves old scripts in a
    // browser; the ETag makes the revalidation of an unchanged file a bodiless 304.
    let fresh = headers.get(header::IF_NONE_MATCH).is_some_and(|sent| sent.as_bytes() == etag.as_bytes());
    let common = [(header::CACHE_CONTROL, "no-cache"), (header::ETAG, etag.as_str())];
    if fresh {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (common, [(header::CONTENT_TYPE, content_type), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")], body).into_response()
}

/// Each file's ETag: a hash of its bytes, computed once.
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        FILES.iter().map(|(_, _, body)| format!("\"{}\"", &blake3::hash(body).to_hex()[..20])).collect()
    })
}
