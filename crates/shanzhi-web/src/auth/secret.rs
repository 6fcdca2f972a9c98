//! Session and API token secrets: 256 random bits, shown once, kept as a hash.

use std::fmt;

/// What API tokens start with, so that one found in a log or a script is recognisable.
pub const TOKEN_PREFIX: &str = "szt_";

/// A secret as the client holds it. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A new session secret.
    pub fn generate() -> Secret {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        Secret(hex(&bytes))
    }

    /// A new API token: the prefix and a fresh secret.
    pub fn generate_token() -> Secret {
        Secret(format!("{TOKEN_PREFIX}{}", Secret::generate().0))
    }

    /// A secret the client sent; anything else is not one of ours.
    pub fn parse(s: &str) -> Option<Secret> {
        let body = s.strip_prefix(TOKEN_PREFIX).unwrap_or(s);
        (body.len() == 64 && body.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
            .then(|| Secret(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the store keeps.
    pub fn hash(&self) -> String {
        blake3::hash(self.0.as_bytes()).to_hex().to_string()
    }

    /// The CSRF token of the session with this secret.
    pub fn csrf_token(&self) -> blake3::Hash {
        blake3::Hash::from(blake3::derive_key("shanzhi 2026 session csrf token", self.0.as_bytes()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_parse_back_and_hash_apart() {
        let (a, b) = (Secret::generate(), Secret::generate_token());
        assert_ne!(a.expose(), b.expose().trim_start_matches(TOKEN_PREFIX));
        assert_eq!(Secret::parse(a.expose()), Some(a.clone()));
        assert_eq!(Secret::parse(b.expose()), Some(b.clone()));
        assert_eq!(Secret::parse("szt_short"), None);
        assert_eq!(Secret::parse(&a.expose().to_uppercase()), None);
        assert_ne!(a.hash(), b.hash());
        assert_ne!(a.hash(), a.csrf_token().to_hex().to_string());
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
