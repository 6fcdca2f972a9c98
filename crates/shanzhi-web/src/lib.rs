//! The HTTP edge of shanzhi: the JSON API under `/api/v1/`, `/healthz`, and the web pages.
//!
//! This is the only crate that knows HTTP and JSON. It turns requests into calls on the
//! [`shanzhi_store::Store`] and domain values into JSON; it holds no business rule of its own.
//! Page assets are embedded in the binary: government networks are closed to the internet.

pub mod assessment;
pub mod auth;
mod error;
mod extract;
mod routes;
mod workflow;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use shanzhi_core::warning::ContingencyPlans;
use shanzhi_core::workflow::Rules;
use shanzhi_core::{DepartmentDirectory, Gazetteer, PiiKey};
use shanzhi_store::Store;
use tokio::net::TcpListener;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::ApiError;

/// The one screen (`/api/v1/dashboard`, in `routes/dashboard.rs`), for the benchmark.
pub mod dashboard {
    pub use crate::routes::dashboard::{FRESH_FOR, build, cached};
}

/// What every handler may use.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub gazetteer: Arc<Gazetteer>,
    pub departments: Arc<DepartmentDirectory>,
    /// Hashes ID numbers, phones and query codes of new records.
    pub pii_key: PiiKey,
    /// Reads category, amounts, head-counts, risk and respondent from a record's text.
    pub analyzer: Arc<shanzhi_text::TextAnalyzer>,
    pub rules: Arc<Rules>,
    /// The contingency plans (预案) that warnings propose.
    pub plans: Arc<ContingencyPlans>,
    /// The assessment's rules, star-rating scheme and residents per village.
    pub assessment: Arc<assessment::AssessmentSettings>,
    /// Login settings and the failed-login throttle.
    pub auth: Arc<auth::Auth>,
}

/// The web application bound to its port, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Binds `addr` (port 0 picks a free port) and builds the routes.
    pub async fn build(addr: SocketAddr, state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Application { listener, router: router(state) })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn port(&self) -> u16 {
        self.local_addr().port()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        // The client's address feeds the login throttle.
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(routes::health::router())
        .merge(routes::assets::router())
        .nest(
            "/api/v1",
            routes::session::router()
                .merge(routes::ledger::router())
                .merge(routes::cases::router())
                .merge(routes::intake::router())
                .merge(routes::actions::router())
                .merge(routes::track::router())
                .merge(routes::routing::router())
                .merge(routes::warnings::router())
                .merge(routes::assessments::router())
                .merge(routes::dashboard::router())
                .merge(routes::backtrace::router())
                .merge(routes::unmask::router()),
        )
        .fallback(routes::not_found)
        .layer(
            TraceLayer::new_for_http()
                // The path only: a query string can hold a citizen's query code or search words.
                .make_span_with(|request: &axum::http::Request<axum::body::Body>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}
