use chrono::{DateTime, Utc};

use super::{Case, CaseId, CaseStatus};
use crate::Channel;

/// One entry of a case's history. Histories are append-only: the ledger never changes a case
/// without writing one of these in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    pub case_id: CaseId,
    /// 1 for the registration, then consecutive.
    pub seq: u32,
    pub at: DateTime<Utc>,
    /// Who did it: a user, a system integration, or `import:<file>`.
    pub actor: String,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// The case entered the ledger.
    Registered { channel: Channel },
    StatusChanged { from: CaseStatus, to: CaseStatus },
    CategoryChanged { from: Option<String>, to: Option<String> },
}

impl EventKind {
    pub fn code(&self) -> &'static str {
        match self {
            EventKind::Registered { .. } => "registered",
            EventKind::StatusChanged { .. } => "status_changed",
            EventKind::CategoryChanged { .. } => "category_changed",
        }
    }
}

/// A change someone asks the ledger to make to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseChange {
    Status(CaseStatus),
    Category(Option<String>),
}

impl CaseChange {
    /// The event that records this change to `case`, or `None` when it would change nothing.
    pub fn event_for(&self, case: &Case) -> Option<EventKind> {
        match self {
            CaseChange::Status(to) if *to != case.status => Some(EventKind::StatusChanged { from: case.status, to: *to }),
            CaseChange::Category(to) if *to != case.record.category => {
                Some(EventKind::CategoryChanged { from: case.record.category.clone(), to: to.clone() })
            }
            _ => None,
        }
    }
}
