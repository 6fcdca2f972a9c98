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
    Registered {
        channel: Channel,
    },
    StatusChanged {
        from: CaseStatus,
        to: CaseStatus,
    },
    CategoryChanged {
        from: Option<String>,
        to: Option<String>,
    },
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

impl Case {
    /// The case as it is after `event`; the store applies events with this and nothing else.
    pub fn apply(&mut self, event: &CaseEvent) {
        match &event.kind {
            EventKind::Registered { .. } => {}
            EventKind::StatusChanged { to, .. } => self.status = *to,
            EventKind::CategoryChanged { to, .. } => self.record.category.clone_from(to),
        }
        self.version = event.seq;
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
            CaseChange::Status(to) if *to != case.status => {
                Some(EventKind::StatusChanged { from: case.status, to: *to })
            }
            CaseChange::Category(to) if *to != case.record.category => {
                Some(EventKind::CategoryChanged { from: case.record.category.clone(), to: to.clone() })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RegionCode;
    use crate::case::{CaseRecord, CaseText, ExternalId};

    fn case() -> Case {
        Case {
            id: CaseId::new(1).unwrap(),
            status: CaseStatus::Registered,
            registered_at: DateTime::UNIX_EPOCH,
            version: 1,
            record: CaseRecord {
                channel: Channel::Window,
                external_id: ExternalId::parse("w-1").unwrap(),
                received_at: DateTime::UNIX_EPOCH,
                region: RegionCode::parse("330110014").unwrap(),
                title: None,
                text: CaseText::parse("邻里纠纷").unwrap(),
                parties: vec![],
                category: None,
                amount: None,
                people_count: None,
                location: None,
            },
        }
    }

    #[test]
    fn a_change_that_changes_nothing_makes_no_event() {
        let c = case();
        assert_eq!(CaseChange::Status(CaseStatus::Registered).event_for(&c), None);
        assert_eq!(CaseChange::Category(None).event_for(&c), None);
    }

    #[test]
    fn applying_an_event_moves_status_and_version() {
        let mut c = case();
        let kind = CaseChange::Status(CaseStatus::Routed).event_for(&c).unwrap();
        assert_eq!(kind, EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed });
        c.apply(&CaseEvent { case_id: c.id, seq: 2, at: DateTime::UNIX_EPOCH, actor: "test".into(), kind });
        assert_eq!((c.status, c.version), (CaseStatus::Routed, 2));
    }
}
