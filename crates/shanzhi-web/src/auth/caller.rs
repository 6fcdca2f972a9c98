//! The extractor that authenticates a request: `Authorization: Bearer` for integrations and
//! scripts, else the session cookie of a logged-in user, whose changes must also carry the
//! session's CSRF token.

use std::ops::Deref;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use chrono::Utc;
use shanzhi_core::access::{Permission, Principal, Role, Scope};
use shanzhi_core::{Case, RegionCode};
use shanzhi_store::User;

use super::{CSRF_HEADER, SESSION_COOKIE, Secret};
use crate::{ApiError, AppState};

/// The authenticated caller of a handler. Taking it as an argument is what makes a route
/// private; [`Caller::require`] then checks the role.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl Deref for Caller {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl Caller {
    /// 403 `forbidden` unless the role may.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                code: "forbidden",
                message: format!("the role `{}` may not do this ({})", self.role.code(), permission.code()),
            })
        }
    }

    /// The case if the caller may read it; a case out of scope is reported as not found, so
    /// that a town's staff cannot even learn which case numbers another town has.
    pub fn visible(&self, case: Option<Case>, id: shanzhi_core::CaseId) -> Result<Case, ApiError> {
        self.require(Permission::ReadCases)?;
        case.filter(|c| self.scope.covers(c))
            .ok_or_else(|| ApiError::NotFound { code: "case_not_found", message: format!("case {id} does not exist") })
    }

    /// Whether the caller may read a case of which only the region is known (a match candidate,
    /// an assessment's facts): a role that reads cases, and a scope of the district or of a
    /// region holding it. A department's scope needs the whole case ([`Caller::visible`]).
    pub fn reads_region(&self, region: RegionCode) -> bool {
        self.may(Permission::ReadCases)
            && match &self.scope {
                Scope::District => true,
                Scope::Region(own) => region.is_within(*own),
                Scope::Department(_) => false,
            }
    }

    /// The region a list is limited to: the one asked for, which must lie in the caller's
    /// scope, or the scope's own.
    pub fn region_within(&self, asked: Option<RegionCode>) -> Result<Option<RegionCode>, ApiError> {
        match (self.scope.region(), asked) {
            (None, asked) => Ok(asked),
            (Some(own), None) => Ok(Some(own)),
            (Some(own), Some(asked)) if asked.is_within(own) => Ok(Some(asked)),
            (Some(_), Some(_)) => Err(out_of_scope("region")),
        }
    }

    /// The department a list is limited to, likewise.
    pub fn department_within(&self, asked: Option<String>) -> Result<Option<String>, ApiError> {
        match (self.scope.department(), asked) {
            (None, asked) => Ok(asked),
            (Some(own), None) => Ok(Some(own.to_owned())),
            (Some(own), Some(asked)) if asked == own => Ok(Some(asked)),
            (Some(_), Some(_)) => Err(out_of_scope("department")),
        }
    }

    /// Who the ledger's history says acted. A user is who they logged in as; an integration's
    /// token may name the person or system behind a step (`actor` in the body), recorded with
    /// the token's name so that it cannot pass for a login.
    pub fn recorded_as(&self, claimed: Option<&str>) -> Result<String, ApiError> {
        match claimed {
            Some(claimed) if self.by_token => {
                Ok(format!("{} via {}", crate::routes::cases::actor(Some(claimed))?, self.0.actor()))
            }
            _ => Ok(self.0.actor()),
        }
    }
}

fn out_of_scope(field: &'static str) -> ApiError {
    ApiError::Forbidden { code: "out_of_scope", message: format!("the {field} asked for lies outside your scope") }
}

fn unauthenticated(code: &'static str, message: &str) -> ApiError {
    ApiError::Unauthenticated { code, message: message.to_owned() }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .and_then(|t| Secret::parse(t.trim()))
                .ok_or_else(|| unauthenticated("bad_token", "`Authorization` must be `Bearer` and an API token"))?;
            let stored = state
                .store
                .api_token(&token.hash())
                .await?
                .ok_or_else(|| unauthenticated("bad_token", "the API token is unknown or revoked"))?;
            let scope = scope(state, stored.role, stored.region, stored.department.as_deref())?;
            return Ok(Caller(Principal {
                display_name: stored.name.clone(),
                name: stored.name,
                role: stored.role,
                scope,
                by_token: true,
            }));
        }
        let secret = session_secret(&parts.headers)
            .ok_or_else(|| unauthenticated("unauthenticated", "log in, or send an API token"))?;
        let user = state
            .store
            .session_user(&secret.hash(), Utc::now())
            .await?
            .ok_or_else(|| unauthenticated("session_expired", "the session has ended; log in again"))?;
        // A cookie is sent by the browser on any site's request; a change must prove that it
        // comes from our page, which alone can read the token.
        if !parts.method.is_safe() {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| blake3::Hash::from_hex(v).ok());
            // blake3::Hash compares in constant time.
            if sent != Some(secret.csrf_token()) {
                return Err(ApiError::Forbidden { code: "csrf", message: "missing or wrong CSRF token".into() });
            }
        }
        Ok(Caller(principal_of(state, user)?))
    }
}

/// The principal a logged-in user is.
pub(crate) fn principal_of(state: &AppState, user: User) -> Result<Principal, ApiError> {
    let scope = scope(state, user.role, user.region, user.department.as_deref())?;
    Ok(Principal { name: user.username, display_name: user.display_name, role: user.role, scope, by_token: false })
}

/// The scope of a stored user or token. One that no longer makes a scope (a department renamed
/// in the directory) locks its holder out until an administrator fixes it, rather than widening
/// what they see.
fn scope(
    state: &AppState,
    role: Role,
    region: Option<RegionCode>,
    department: Option<&str>,
) -> Result<Scope, ApiError> {
    Scope::for_role(role, region, department, &state.gazetteer, &state.departments).map_err(|e| {
        tracing::warn!(error = %e, "a user or token has a scope that the gazetteer or directory no longer has");
        unauthenticated("stale_scope", "your account's region or department no longer exists; ask an administrator")
    })
}

/// The session secret in the request's cookie, if any.
pub(crate) fn session_secret(headers: &HeaderMap) -> Option<Secret> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .and_then(|(_, value)| Secret::parse(value))
}
