//! Authentication at the HTTP edge: who is calling, from a login session's cookie or an API
//! token, turned into a [`Principal`] whose role and scope the handlers consult.
//!
//! Secrets never reach the store: passwords are kept as argon2id hashes, session and API tokens
//! as BLAKE3 hashes (they are 256-bit random values, so a fast hash is enough). The CSRF token of
//! a session is derived from the session's secret, so it needs no storage and dies with it.
//!
//! [`Principal`]: shanzhi_core::access::Principal

pub(crate) mod caller;
mod password;
mod secret;
mod throttle;

use std::time::Duration;

pub use caller::Caller;
pub use password::{hash_password, verify_password};
pub use secret::{Secret, TOKEN_PREFIX};
pub(crate) use throttle::LoginThrottle;

/// The name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "shanzhi_session";
/// The header in which a page sends its session's CSRF token with every change.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// How logins behave.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long a login lasts: a working day.
    pub session_lifetime: Duration,
    /// Whether the session cookie is `Secure` (sent over HTTPS only). Browsers accept secure
    /// cookies from `http://localhost` and `127.0.0.1`, so this stays on in development too.
    pub secure_cookies: bool,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings { session_lifetime: Duration::from_secs(12 * 3600), secure_cookies: true }
    }
}

/// The authentication state the app keeps in memory.
pub struct Auth {
    pub settings: AuthSettings,
    pub(crate) throttle: LoginThrottle,
}

impl Auth {
    pub fn new(settings: AuthSettings) -> Self {
        Auth { settings, throttle: LoginThrottle::default() }
    }
}

impl Default for Auth {
    fn default() -> Self {
        Auth::new(AuthSettings::default())
    }
}
