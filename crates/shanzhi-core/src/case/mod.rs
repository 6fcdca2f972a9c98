//! Cases (矛盾纠纷/事件): one matter in the ledger, whatever channel it came from, and its history.

mod event;
mod ids;
mod party;
mod status;

use chrono::{DateTime, Utc};

pub use event::{CaseEvent, EventKind};
pub use ids::{CaseId, CaseText, ExternalId, GeoPoint, TextError};
pub use party::{Party, PartyKind, PartyRole};
pub use status::CaseStatus;

use crate::workflow::{CaseKind, Workflow};
use crate::{Channel, Incident, RegionCode, Yuan};

/// The validated content of one ledger record: what a case is when it enters the ledger.
/// Only [`crate::record::LedgerRecord::validate`] makes one from outside input.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    pub channel: Channel,
    /// The record's id in the system it came from; (channel, external id) is unique.
    pub external_id: ExternalId,
    pub received_at: DateTime<Utc>,
    /// A town or village of the district.
    pub region: RegionCode,
    /// Free text, with ID and phone numbers masked.
    pub title: Option<String>,
    pub text: CaseText,
    pub parties: Vec<Party>,
    /// Dispute, complaint, request for help, consultation or suggestion; derived when absent.
    pub kind: Option<CaseKind>,
    /// The category as the source system gave it; the taxonomy comes with the text crate.
    pub category: Option<String>,
    /// The police classification (警情类别), when the source gave one.
    pub incident: Option<Incident>,
    pub amount: Option<Yuan>,
    pub people_count: Option<u32>,
    pub location: Option<GeoPoint>,
}

/// A record as it enters the ledger, with the workflow state it starts with (its kind, the risk
/// read in its text, its respondent's key, the citizen's query code).
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub record: CaseRecord,
    pub workflow: Workflow,
}

impl From<CaseRecord> for NewCase {
    /// A record that does not say its kind is a dispute; the ledger always knows the kind.
    fn from(mut record: CaseRecord) -> Self {
        let kind = *record.kind.get_or_insert_default();
        NewCase { record, workflow: Workflow { kind, ..Workflow::default() } }
    }
}

/// A case as the ledger holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: CaseId,
    pub status: CaseStatus,
    /// When the ledger registered it (not when the source received it).
    pub registered_at: DateTime<Utc>,
    /// Sequence number of the last event of its history.
    pub version: u32,
    pub record: CaseRecord,
    /// Where the case stands in the mediation workflow, beyond its status.
    pub workflow: Workflow,
}
