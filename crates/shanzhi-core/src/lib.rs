//! The domain of the shanzhi ledger (一本账): cases and their parties, channels, the region tree
//! and the department directory, and the rules that turn an incoming ledger record into a case.
//!
//! This crate does no IO. Everything here is a pure function of its inputs: the gazetteer and the
//! department directory are parsed from text that the caller hands in, the current time is a
//! parameter, and personal data is protected with a key the caller supplies. It knows nothing of
//! databases, HTTP or files; [`defaults`] only embeds the default data at compile time.

pub mod access;
pub mod assessment;
pub mod calendar;
pub mod case;
pub mod channel;
mod codes;
pub mod defaults;
pub mod department;
pub mod incident;
pub mod money;
pub mod pii;
pub mod record;
pub mod region;
pub mod risk;
pub mod warning;
pub mod workflow;

pub use case::{Case, CaseEvent, CaseId, CaseRecord, CaseStatus, CaseText, EventKind, ExternalId, NewCase};
pub use channel::Channel;
pub use department::{Department, DepartmentDirectory, DepartmentKind};
pub use incident::Incident;
pub use money::Yuan;
pub use pii::{IdNumber, IdentityHash, PhoneNumber, PiiKey, Protected, Sealed};
pub use record::{FieldError, LedgerRecord, RecordContext};
pub use region::{Gazetteer, Region, RegionCode, RegionLevel};
pub use risk::RiskLevel;

/// A value that is not one of the names a closed vocabulary accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`; expected one of: {expected}")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}
