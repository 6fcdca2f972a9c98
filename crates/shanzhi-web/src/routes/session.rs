//! `/api/v1/session`: log in (POST), who am I (GET), log out (DELETE).
//!
//! A login answers with the user, what their role may do, and the CSRF token that the page sends
//! with every change; the session itself travels in an HttpOnly, SameSite=Strict cookie.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use shanzhi_core::access::{Permission, Principal};

use crate::auth::{self, Caller, SESSION_COOKIE, Secret};
use crate::extract::JsonBody;
use crate::{ApiError, AppState};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/session", get(current).post(login).delete(logout))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    refuse_foreign_origin(&headers)?;
    let address = Some(client.ip());
    let throttle = &state.auth.throttle;
    let username = credentials.username.trim().to_owned();
    // Counted as a failure from here on, until it succeeds.
    let attempted = Instant::now();
    throttle
        .attempt(&username, address, attempted)
        .map_err(|wait| ApiError::TooManyAttempts { retry_after_secs: wait.as_secs().max(1) })?;
    let user = state.store.user(&username).await?.filter(|u| !u.disabled);
    let known = user.is_some();
    // An unknown name costs as much as a known one, so that timing does not tell which exist.
    let stored_hash = user.as_ref().map_or_else(|| dummy_hash().to_owned(), |u| u.password_hash.clone());
    let password = credentials.password;
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &stored_hash))
        .await
        .map_err(|_| ApiError::Unavailable)?;
    let Some(user) = user.filter(|_| matches) else {
        // A name that is no user's may be a password typed in the wrong box: not for the log.
        tracing::info!(user = %if known { username.as_str() } else { "(unknown)" }, "failed login");
        return Err(ApiError::Unauthenticated {
            code: "bad_credentials",
            message: "wrong user name or password".into(),
        });
    };
    throttle.succeeded(&username, address, attempted);
    let secret = Secret::generate();
    let lifetime = state.auth.settings.session_lifetime;
    let expires_at = Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::hours(12));
    state.store.start_session(&secret.hash(), user.id, expires_at).await?;
    tracing::info!(user = %user.username, "logged in");
    let principal = auth::caller::principal_of(&state, user)?;
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        secret.expose(),
        lifetime.as_secs(),
        if state.auth.settings.secure_cookies { "; Secure" } else { "" },
    );
    let body = session_json(&state, &principal, &secret);
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("an ASCII cookie"));
    Ok(response)
}

/// Who is logged in, with the CSRF token again (after a reload); `{"user": null}` when nobody
/// is: asking is not an error, it is how the page learns to show the login form.
async fn current(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let Some(secret) = auth::caller::session_secret(&headers) else {
        return Ok(Json(json!({ "user": null, "permissions": [] })));
    };
    match state.store.session_user(&secret.hash(), Utc::now()).await? {
        Some(user) => Ok(Json(session_json(&state, &auth::caller::principal_of(&state, user)?, &secret))),
        None => Ok(Json(json!({ "user": null, "permissions": [] }))),
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, _caller: Caller) -> Result<Response, ApiError> {
    if let Some(secret) = auth::caller::session_secret(&headers) {
        state.store.end_session(&secret.hash()).await?;
    }
    let expired = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&expired).expect("an ASCII cookie"));
    Ok(response)
}

fn session_json(state: &AppState, principal: &Principal, secret: &Secret) -> Value {
    let permissions: Vec<&str> =
        Permission::ALL.into_iter().filter(|p| principal.may(*p)).map(Permission::code).collect();
    json!({
        "user": {
            "username": principal.name,
            "display_name": principal.display_name,
            "role": principal.role.code(),
            "role_label": principal.role.label(),
            "scope_label": principal.scope.label(&state.gazetteer),
            "region": principal.scope.region().map(|r| r.to_string()),
            "department": principal.scope.department(),
        },
        "permissions": permissions,
        "csrf_token": secret.csrf_token().to_hex().to_string(),
    })
}

/// A login posted from another site's page (login CSRF) is refused: browsers send `Origin`
/// with every cross-site POST.
fn refuse_foreign_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST)) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("");
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    if origin_host == host.to_str().unwrap_or("") {
        Ok(())
    } else {
        Err(ApiError::Forbidden { code: "csrf", message: "a login must come from this site's own page".into() })
    }
}

/// A valid argon2id hash of a random password, computed once.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(Secret::generate().expose()))
}
