//! Personal data at rest: resident ID numbers and phone numbers are never kept in clear.
//!
//! Each is parsed (with its checksum or shape), then [`PiiKey::protect`]ed into a keyed hash,
//! which matches the same person across channels, a masked form for display, and a sealed
//! (encrypted) form that [`PiiKey::unseal`] opens for staff allowed to unmask, who are logged.
//! The key comes from the caller's configuration; this module never sees where it is kept.

mod id_number;
mod key;
mod phone;
mod scrub;

pub use id_number::{IdNumber, IdNumberError, check_character};
pub use key::{IdentityHash, PiiKey, PiiKeyError, Protected, Sealed, UnsealError};
pub use phone::{PhoneNumber, PhoneNumberError};
pub use scrub::{PiiKind, mask_numbers, scrub_text};
