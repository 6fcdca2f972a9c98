//! Passwords: argon2id with the crate's recommended parameters (19 MiB, 2 passes).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The PHC string of `password` under a fresh salt.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2id hashes any password").to_string()
}

/// Whether `password` matches the stored hash; a malformed hash matches nothing. Slow on
/// purpose (tens of milliseconds): call it off the async threads.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_its_hash_only() {
        let hash = hash_password("调解员的密码 2026");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("调解员的密码 2026", &hash));
        assert!(!verify_password("调解员的密码 2027", &hash));
        assert!(!verify_password("调解员的密码 2026", "not a hash"));
        assert_ne!(hash, hash_password("调解员的密码 2026"), "each hash has its own salt");
    }
}
