//! Users, login sessions, API tokens and the unmasking log (migration 0007), as both dialects read
//! and write them: the SQL (the same text in both), the rows and their conversion. Secrets arrive
//! here already hashed; this module never sees a password or a token.

use chrono::{DateTime, Utc};
use shanzhi_core::access::Role;
use shanzhi_core::{CaseId, RegionCode};

use crate::StoreError;
use crate::rows::case_id;

/// A user to add. The caller has checked that role, region and department make a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// The argon2id hash in PHC string form.
    pub password_hash: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub department: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub department: Option<String>,
    pub created_at: DateTime<Utc>,
    pub disabled: bool,
}

/// An API token to keep: its hash only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    pub token_hash: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub department: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub department: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One time someone saw a case's personal data in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmasking {
    pub at: DateTime<Utc>,
    pub case_id: CaseId,
    pub actor: String,
    pub reason: String,
}

const USER_FIELDS: &str = "id, username, display_name, password_hash, role, region, department, created_at, disabled";

pub(crate) const INSERT_USER: &str = "INSERT INTO users (username, display_name, password_hash, role, region, \
     department, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub(crate) fn select_user() -> String {
    format!("SELECT {USER_FIELDS} FROM users WHERE username = $1")
}

pub(crate) fn list_users() -> String {
    format!("SELECT {USER_FIELDS} FROM users ORDER BY id")
}

/// The live session's user: not expired, user not disabled.
pub(crate) fn session_user() -> String {
    let fields = USER_FIELDS.split(", ").map(|f| format!("u.{f}")).collect::<Vec<_>>().join(", ");
    format!(
        "SELECT {fields} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled"
    )
}

pub(crate) const INSERT_SESSION: &str =
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
/// Run with each new session, so that the table holds live sessions only.
pub(crate) const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= $1";
pub(crate) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";

const TOKEN_FIELDS: &str = "id, name, role, region, department, created_at, revoked_at";

pub(crate) const INSERT_TOKEN: &str = "INSERT INTO api_tokens (name, token_hash, role, region, department, \
     created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

pub(crate) fn select_token_by_id() -> String {
    format!("SELECT {TOKEN_FIELDS} FROM api_tokens WHERE id = $1")
}

/// A token that has not been revoked.
pub(crate) fn select_live_token() -> String {
    format!("SELECT {TOKEN_FIELDS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
}

pub(crate) fn list_tokens() -> String {
    format!("SELECT {TOKEN_FIELDS} FROM api_tokens ORDER BY id")
}

pub(crate) const REVOKE_TOKEN: &str = "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";

pub(crate) const INSERT_UNMASKING: &str =
    "INSERT INTO pii_unmaskings (at, case_id, actor, reason) VALUES ($1, $2, $3, $4)";
pub(crate) const SELECT_UNMASKINGS: &str =
    "SELECT at, case_id, actor, reason FROM pii_unmaskings WHERE case_id = $1 ORDER BY at, id";

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    password_hash: String,
    role: String,
    region: Option<String>,
    department: Option<String>,
    created_at: DateTime<Utc>,
    disabled: bool,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User, StoreError> {
        Ok(User {
            role: role(&self.role)?,
            region: region(self.region.as_deref())?,
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            password_hash: self.password_hash,
            department: self.department,
            created_at: self.created_at,
            disabled: self.disabled,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TokenRow {
    id: i64,
    name: String,
    role: String,
    region: Option<String>,
    department: Option<String>,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl TokenRow {
    pub(crate) fn into_token(self) -> Result<ApiToken, StoreError> {
        Ok(ApiToken {
            role: role(&self.role)?,
            region: region(self.region.as_deref())?,
            id: self.id,
            name: self.name,
            department: self.department,
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UnmaskingRow {
    at: DateTime<Utc>,
    case_id: i64,
    actor: String,
    reason: String,
}

impl UnmaskingRow {
    pub(crate) fn into_unmasking(self) -> Result<Unmasking, StoreError> {
        Ok(Unmasking { at: self.at, case_id: case_id(self.case_id)?, actor: self.actor, reason: self.reason })
    }
}

fn role(code: &str) -> Result<Role, StoreError> {
    code.parse().map_err(|e: shanzhi_core::UnknownName| StoreError::Corrupt(e.to_string()))
}

fn region(code: Option<&str>) -> Result<Option<RegionCode>, StoreError> {
    code.map(|c| RegionCode::parse(c).map_err(|e| StoreError::Corrupt(format!("region `{c}`: {e}")))).transpose()
}

/// Whether the insert failed on the users' unique user name.
pub(crate) fn is_taken(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// The store methods of this module for one dialect: `$reader` and `$writer` are the store's
/// pools for reads and for writes (the same pool in PostgreSQL; SQLite's one writer). Each is a
/// single statement, which both dialects run alike.
macro_rules! impl_access {
    ($store:ty, $reader:ident, $writer:ident) => {
        impl $store {
            pub(super) async fn insert_user(
                &self,
                user: &$crate::access::NewUser,
            ) -> Result<$crate::access::User, $crate::StoreError> {
                use $crate::access as a;
                sqlx::query(a::INSERT_USER)
                    .bind(&user.username)
                    .bind(&user.display_name)
                    .bind(&user.password_hash)
                    .bind(user.role.code())
                    .bind(user.region.map(|r| r.to_string()))
                    .bind(&user.department)
                    .bind($crate::rows::now())
                    .execute(&self.$writer)
                    .await
                    .map_err(|e| {
                        if a::is_taken(&e) { $crate::StoreError::UserExists(user.username.clone()) } else { e.into() }
                    })?;
                let row: a::UserRow =
                    sqlx::query_as(&a::select_user()).bind(&user.username).fetch_one(&self.$writer).await?;
                row.into_user()
            }

            pub(super) async fn select_user(
                &self,
                username: &str,
            ) -> Result<Option<$crate::access::User>, $crate::StoreError> {
                let row: Option<$crate::access::UserRow> =
                    sqlx::query_as(&$crate::access::select_user()).bind(username).fetch_optional(&self.$reader).await?;
                row.map($crate::access::UserRow::into_user).transpose()
            }

            pub(super) async fn select_users(&self) -> Result<Vec<$crate::access::User>, $crate::StoreError> {
                let rows: Vec<$crate::access::UserRow> =
                    sqlx::query_as(&$crate::access::list_users()).fetch_all(&self.$reader).await?;
                rows.into_iter().map($crate::access::UserRow::into_user).collect()
            }

            pub(super) async fn insert_session(
                &self,
                token_hash: &str,
                user_id: i64,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                use $crate::access as a;
                let now = $crate::rows::now();
                sqlx::query(a::DELETE_EXPIRED_SESSIONS).bind(now).execute(&self.$writer).await?;
                sqlx::query(a::INSERT_SESSION)
                    .bind(token_hash)
                    .bind(user_id)
                    .bind(now)
                    .bind($crate::rows::to_microseconds(expires_at))
                    .execute(&self.$writer)
                    .await?;
                Ok(())
            }

            pub(super) async fn select_session_user(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::access::User>, $crate::StoreError> {
                let row: Option<$crate::access::UserRow> = sqlx::query_as(&$crate::access::session_user())
                    .bind(token_hash)
                    .bind($crate::rows::to_microseconds(now))
                    .fetch_optional(&self.$reader)
                    .await?;
                row.map($crate::access::UserRow::into_user).transpose()
            }

            pub(super) async fn delete_session(&self, token_hash: &str) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::access::DELETE_SESSION).bind(token_hash).execute(&self.$writer).await?;
                Ok(())
            }

            pub(super) async fn insert_token(
                &self,
                token: &$crate::access::NewApiToken,
            ) -> Result<$crate::access::ApiToken, $crate::StoreError> {
                use $crate::access as a;
                let id: i64 = sqlx::query_scalar(a::INSERT_TOKEN)
                    .bind(&token.name)
                    .bind(&token.token_hash)
                    .bind(token.role.code())
                    .bind(token.region.map(|r| r.to_string()))
                    .bind(&token.department)
                    .bind($crate::rows::now())
                    .fetch_one(&self.$writer)
                    .await?;
                let row: a::TokenRow =
                    sqlx::query_as(&a::select_token_by_id()).bind(id).fetch_one(&self.$writer).await?;
                row.into_token()
            }

            pub(super) async fn select_live_token(
                &self,
                token_hash: &str,
            ) -> Result<Option<$crate::access::ApiToken>, $crate::StoreError> {
                let row: Option<$crate::access::TokenRow> = sqlx::query_as(&$crate::access::select_live_token())
                    .bind(token_hash)
                    .fetch_optional(&self.$reader)
                    .await?;
                row.map($crate::access::TokenRow::into_token).transpose()
            }

            pub(super) async fn select_tokens(&self) -> Result<Vec<$crate::access::ApiToken>, $crate::StoreError> {
                let rows: Vec<$crate::access::TokenRow> =
                    sqlx::query_as(&$crate::access::list_tokens()).fetch_all(&self.$reader).await?;
                rows.into_iter().map($crate::access::TokenRow::into_token).collect()
            }

            pub(super) async fn update_token_revoked(&self, id: i64) -> Result<bool, $crate::StoreError> {
                let done = sqlx::query($crate::access::REVOKE_TOKEN)
                    .bind(id)
                    .bind($crate::rows::now())
                    .execute(&self.$writer)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            pub(super) async fn insert_unmasking(
                &self,
                case: shanzhi_core::CaseId,
                actor: &str,
                reason: &str,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query($crate::access::INSERT_UNMASKING)
                    .bind($crate::rows::now())
                    .bind(case.get())
                    .bind(actor)
                    .bind(reason)
                    .execute(&self.$writer)
                    .await?;
                Ok(())
            }

            pub(super) async fn select_unmaskings(
                &self,
                case: shanzhi_core::CaseId,
            ) -> Result<Vec<$crate::access::Unmasking>, $crate::StoreError> {
                let rows: Vec<$crate::access::UnmaskingRow> =
                    sqlx::query_as($crate::access::SELECT_UNMASKINGS).bind(case.get()).fetch_all(&self.$reader).await?;
                rows.into_iter().map($crate::access::UnmaskingRow::into_unmasking).collect()
            }
        }
    };
}
pub(crate) use impl_access;
