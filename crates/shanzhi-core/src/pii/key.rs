//! The keyed hash that lets the ledger match people without keeping their numbers.

use super::{IdNumber, PhoneNumber};

/// The secret that keys identity hashes. Without it a hash cannot be recomputed from a guessed
/// number, which a plain hash of an 18-digit ID number would allow in minutes.
#[derive(Clone)]
pub struct PiiKey {
    key: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the personal-data key must be at least 16 characters long")]
pub struct PiiKeyError;

/// A keyed hash of one identifier: the same number under the same key gives the same hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentityHash(String);

/// What is kept of a personal identifier: its keyed hash and its masked display form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    pub hash: IdentityHash,
    pub masked: String,
}

impl PiiKey {
    /// Derives the hashing key from a configured secret (any string of 16 or more characters).
    pub fn from_secret(secret: &str) -> Result<Self, PiiKeyError> {
        if secret.chars().count() < 16 {
            return Err(PiiKeyError);
        }
        Ok(PiiKey { key: blake3::derive_key("shanzhi 2026 personal identifier hashing key", secret.as_bytes()) })
    }

    /// A short value that identifies the key without revealing it: stored beside the ledger so
    /// that a run with a different key is refused instead of silently breaking every match.
    pub fn fingerprint(&self) -> String {
        let hash = blake3::keyed_hash(&self.key, b"shanzhi key fingerprint");
        hash.to_hex()[..16].to_owned()
    }

    fn hash(&self, kind: &str, value: &str) -> IdentityHash {
        let mut hasher = blake3::Hasher::new_keyed(&self.key);
        hasher.update(kind.as_bytes());
        hasher.update(b":");
        hasher.update(value.as_bytes());
        // 128 bits: collisions are out of reach for any population, and rows stay small.
        IdentityHash(hasher.finalize().to_hex()[..32].to_owned())
    }

    pub fn protect_id_number(&self, id: &IdNumber) -> Protected {
        Protected { hash: self.hash("id", id.as_str()), masked: id.masked() }
    }

    pub fn protect_phone(&self, phone: &PhoneNumber) -> Protected {
        Protected { hash: self.hash("phone", phone.as_str()), masked: phone.masked() }
    }

    /// The stored form of a citizen's query code (查询码): a keyed hash, so that a copy of the
    /// database does not let anyone follow a case.
    pub fn protect_query_code(&self, code: &str) -> IdentityHash {
        self.hash("query", code)
    }
}

impl std::fmt::Debug for PiiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PiiKey(fingerprint {})", self.fingerprint())
    }
}

impl IdentityHash {
    /// Accepts a stored hash (32 lower-case hex digits).
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then(|| IdentityHash(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> PiiKey {
        PiiKey::from_secret(secret).unwrap()
    }

    #[test]
    fn same_number_same_key_same_hash_across_spellings() {
        let k = key("a district secret of some length");
        let a = k.protect_phone(&PhoneNumber::parse("13812345678").unwrap());
        let b = k.protect_phone(&PhoneNumber::parse("+86 138-1234-5678").unwrap());
        assert_eq!(a, b);
        assert_eq!(a.masked, "138****5678");
        assert!(IdentityHash::parse(a.hash.as_str()).is_some());
    }

    #[test]
    fn another_key_gives_another_hash() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let a = key("first secret, long enough").protect_id_number(&id);
        let b = key("second secret, long enough").protect_id_number(&id);
        assert_ne!(a.hash, b.hash);
        assert_eq!(a.masked, b.masked);
        assert_ne!(key("first secret, long enough").fingerprint(), key("second secret, long enough").fingerprint());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(PiiKey::from_secret("short").is_err());
    }
}
