//! The keyed hash that lets the ledger match people without keeping their numbers, and the sealed
//! (encrypted) form that lets authorised staff see a number again, per case and logged.

use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{KeyInit, Tag, XChaCha20Poly1305, XNonce};

use super::{IdNumber, PhoneNumber, PiiKind};

/// The secret that keys identity hashes and seals numbers. Without it a hash cannot be
/// recomputed from a guessed number, which a plain hash of an 18-digit ID number would allow in
/// minutes, and a sealed number cannot be opened.
#[derive(Clone)]
pub struct PiiKey {
    key: [u8; 32],
    /// Encrypts sealed values (XChaCha20-Poly1305).
    seal_key: [u8; 32],
    /// Keys the synthetic nonce of a sealed value.
    nonce_key: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the personal-data key must be at least 16 characters long")]
pub struct PiiKeyError;

/// A keyed hash of one identifier: the same number under the same key gives the same hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentityHash(String);

/// What is kept of a personal identifier: its keyed hash, its masked display form and its
/// sealed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    pub hash: IdentityHash,
    pub masked: String,
    /// The number encrypted under the key, which [`PiiKey::unseal`] opens. `None` for parties
    /// registered before numbers were sealed: those cannot be unmasked.
    pub sealed: Option<Sealed>,
}

/// A personal number encrypted with XChaCha20-Poly1305, with its kind bound as associated data.
/// Text form: `v1:{kind}:{hex of nonce ‖ ciphertext ‖ tag}`, kind `id` or `phone`.
///
/// The nonce is synthetic (SIV-style): a keyed hash of kind and number, so sealing is
/// deterministic and needs no randomness. Two equal numbers give equal sealed values, which tells
/// no more than their equal hashes already do.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sealed(String);

/// A sealed value that does not open: another key, or an altered value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the sealed value does not open with this key, or has been altered")]
pub struct UnsealError;

const SEALED_VERSION: &str = "v1";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

impl PiiKey {
    /// Derives the hashing key from a configured secret (any string of 16 or more characters).
    pub fn from_secret(secret: &str) -> Result<Self, PiiKeyError> {
        if secret.chars().count() < 16 {
            return Err(PiiKeyError);
        }
        Ok(PiiKey {
            // Never change this context: every stored hash depends on it.
            key: blake3::derive_key("shanzhi 2026 personal identifier hashing key", secret.as_bytes()),
            seal_key: blake3::derive_key("shanzhi 2026 personal identifier sealing key", secret.as_bytes()),
            nonce_key: blake3::derive_key("shanzhi 2026 personal identifier sealing nonce key", secret.as_bytes()),
        })
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
        Protected {
            hash: self.hash("id", id.as_str()),
            masked: id.masked(),
            sealed: Some(self.seal(PiiKind::IdNumber, id.as_str())),
        }
    }

    pub fn protect_phone(&self, phone: &PhoneNumber) -> Protected {
        Protected {
            hash: self.hash("phone", phone.as_str()),
            masked: phone.masked(),
            sealed: Some(self.seal(PiiKind::Phone, phone.as_str())),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.seal_key.into())
    }

    fn nonce(&self, kind: &str, value: &[u8]) -> [u8; NONCE_LEN] {
        let mut hasher = blake3::Hasher::new_keyed(&self.nonce_key);
        hasher.update(kind.as_bytes());
        hasher.update(b":");
        hasher.update(value);
        let mut nonce = [0; NONCE_LEN];
        nonce.copy_from_slice(&hasher.finalize().as_bytes()[..NONCE_LEN]);
        nonce
    }

    fn seal(&self, kind: PiiKind, value: &str) -> Sealed {
        let kind = sealed_kind_code(kind);
        let nonce = self.nonce(kind, value.as_bytes());
        let mut buffer = value.as_bytes().to_vec();
        let tag = self
            .cipher()
            .encrypt_inout_detached(
                &XNonce::from(nonce),
                associated_data(kind).as_bytes(),
                buffer.as_mut_slice().into(),
            )
            .expect("a personal number is far below the cipher's length limit");
        let mut text = format!("{SEALED_VERSION}:{kind}:");
        for byte in nonce.iter().chain(&buffer).chain(tag.iter()) {
            text.push_str(&format!("{byte:02x}"));
        }
        Sealed(text)
    }

    /// The clear number of a sealed value. Only for a caller that has checked the permission and
    /// logged the unmasking; never write what it returns to a log.
    pub fn unseal(&self, sealed: &Sealed) -> Result<String, UnsealError> {
        let (kind, hex) = sealed.parts();
        let bytes = decode_hex(hex).ok_or(UnsealError)?;
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| UnsealError)?;
        let tag = Tag::try_from(tag).map_err(|_| UnsealError)?;
        let mut buffer = ciphertext.to_vec();
        self.cipher()
            .decrypt_inout_detached(
                &XNonce::from(nonce),
                associated_data(kind).as_bytes(),
                buffer.as_mut_slice().into(),
                &tag,
            )
            .map_err(|_| UnsealError)?;
        // The nonce must be the one this key derives from the number: a second check that the
        // value was sealed by this key, for this kind.
        if self.nonce(kind, &buffer) != nonce {
            return Err(UnsealError);
        }
        String::from_utf8(buffer).map_err(|_| UnsealError)
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

fn sealed_kind_code(kind: PiiKind) -> &'static str {
    match kind {
        PiiKind::IdNumber => "id",
        PiiKind::Phone => "phone",
        PiiKind::BankCard | PiiKind::LicencePlate => unreachable!("only ID numbers and phones are sealed"),
    }
}

/// The version and kind, authenticated with the ciphertext: an ID number's sealed value relabelled
/// as a phone's does not open.
fn associated_data(kind: &str) -> String {
    format!("shanzhi sealed {SEALED_VERSION}:{kind}")
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    hex.as_bytes().chunks(2).map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?)).collect()
}

impl Sealed {
    /// Accepts a stored sealed value (its shape only: whether it opens, [`PiiKey::unseal`] says).
    pub fn parse(s: &str) -> Option<Self> {
        let rest = s.strip_prefix(SEALED_VERSION)?.strip_prefix(':')?;
        let (kind, hex) = rest.split_once(':')?;
        let well_formed =
            matches!(kind, "id" | "phone") && hex.len() >= 2 * (NONCE_LEN + TAG_LEN) && decode_hex(hex).is_some();
        well_formed.then(|| Sealed(s.to_owned()))
    }

    /// The kind of number sealed: [`PiiKind::IdNumber`] or [`PiiKind::Phone`].
    pub fn kind(&self) -> PiiKind {
        match self.parts().0 {
            "id" => PiiKind::IdNumber,
            _ => PiiKind::Phone,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// (kind code, hex), of a value checked by `parse` or made by `seal`.
    fn parts(&self) -> (&str, &str) {
        let rest = &self.0[SEALED_VERSION.len() + 1..];
        rest.split_once(':').expect("a sealed value has a kind")
    }
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealed({})", self.parts().0)
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

    const ID: &str = "11010519491231002X";
    const PHONE: &str = "13812345678";

    fn sealed_id(k: &PiiKey) -> Sealed {
        k.protect_id_number(&IdNumber::parse(ID).unwrap()).sealed.unwrap()
    }

    fn sealed_phone(k: &PiiKey) -> Sealed {
        k.protect_phone(&PhoneNumber::parse(PHONE).unwrap()).sealed.unwrap()
    }

    #[test]
    fn sealed_numbers_open_with_the_key() {
        let k = key("a district secret of some length");
        let id = sealed_id(&k);
        let phone = sealed_phone(&k);
        assert_eq!((id.kind(), phone.kind()), (PiiKind::IdNumber, PiiKind::Phone));
        assert!(id.as_str().starts_with("v1:id:") && phone.as_str().starts_with("v1:phone:"), "{id:?}");
        assert!(!id.as_str().contains(ID) && !phone.as_str().contains(PHONE));
        assert_eq!(k.unseal(&id).unwrap(), ID);
        assert_eq!(k.unseal(&phone).unwrap(), PHONE);
        // Through the stored text form.
        let stored = Sealed::parse(phone.as_str()).unwrap();
        assert_eq!(stored, phone);
        assert_eq!(k.unseal(&stored).unwrap(), PHONE);
        assert_eq!(format!("{phone:?}"), "Sealed(phone)", "Debug shows the kind only");
    }

    #[test]
    fn sealing_is_deterministic_and_keeps_hashes() {
        let k = key("a district secret of some length");
        let a = k.protect_phone(&PhoneNumber::parse(PHONE).unwrap());
        let b = k.protect_phone(&PhoneNumber::parse("+86 138-1234-5678").unwrap());
        assert_eq!(a.sealed, b.sealed);
        assert_ne!(sealed_phone(&k), sealed_phone(&key("another secret, long enough")));
        // The hash is what it was before sealing existed: stored hashes still match.
        assert_eq!(a.hash.as_str(), "f4b5516711f6077a510f7e4334f06f73");
    }

    #[test]
    fn another_key_cannot_open() {
        let sealed = sealed_id(&key("a district secret of some length"));
        assert_eq!(key("another secret, long enough").unseal(&sealed), Err(UnsealError));
    }

    #[test]
    fn tampering_is_refused() {
        let k = key("a district secret of some length");
        let sealed = sealed_phone(&k);
        let text = sealed.as_str();
        // Flip each hex digit in turn: nonce, ciphertext and tag are all covered.
        for i in "v1:phone:".len()..text.len() {
            let mut bytes = text.as_bytes().to_vec();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let altered = Sealed::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
            assert_eq!(k.unseal(&altered), Err(UnsealError), "digit {i}");
        }
        // Shortened or not hex: not even a sealed value.
        assert!(Sealed::parse(&text[..text.len() - 2]).is_some_and(|s| k.unseal(&s).is_err()));
        let prefix = "v1:phone:".len();
        assert!(Sealed::parse(&text[..prefix + 2 * (NONCE_LEN + TAG_LEN) - 2]).is_none(), "shorter than nonce and tag");
        assert!(Sealed::parse(&format!("{}g", &text[..text.len() - 1])).is_none());
        assert!(Sealed::parse(&text.replacen("v1", "v2", 1)).is_none());
    }

    #[test]
    fn a_kind_swap_is_refused() {
        let k = key("a district secret of some length");
        let id = sealed_id(&k);
        let relabelled = Sealed::parse(&id.as_str().replacen("v1:id:", "v1:phone:", 1)).unwrap();
        assert_eq!(relabelled.kind(), PiiKind::Phone);
        assert_eq!(k.unseal(&relabelled), Err(UnsealError));
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(PiiKey::from_secret("short").is_err());
    }
}
