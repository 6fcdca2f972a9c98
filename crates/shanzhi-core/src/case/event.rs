use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Case, CaseId, CaseStatus};
use crate::Channel;
use crate::region::RegionLevel;
use crate::workflow::{
    Agreement, Attached, Crime, ExtensionRequest, FollowUp, JudicialConfirmation, Link, MediationSession, Pause,
    Relation, Resolution, Routing, StageClock,
};

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

/// What happened. The workflow's decisions ([`crate::workflow::decide`]) produce these; the
/// fields carry everything [`Case::apply`] needs, so that replaying a history rebuilds the case.
/// Serialized with the variant's code in `kind` and its fields beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The case entered the ledger.
    Registered {
        channel: Channel,
    },
    /// A status set outside the workflow (kept for histories written before it).
    StatusChanged {
        from: CaseStatus,
        to: CaseStatus,
    },
    /// The category set or corrected by staff; the classifier learns from these.
    CategoryChanged {
        from: Option<String>,
        to: Option<String>,
    },
    /// Staff confirmed the case's category as it was; the classifier learns from these too.
    CategoryConfirmed {
        category: String,
    },
    /// 分流: a lead, co-handlers and a level; by the rules, or overridden with a reason.
    Routed {
        routing: Routing,
        due_at: DateTime<Utc>,
    },
    /// The lead department took the case on (签收).
    Accepted {
        department: String,
        due_at: DateTime<Utc>,
    },
    /// 退回: the department sends the case back to the dispatcher.
    Returned {
        department: String,
        reason: String,
        due_at: DateTime<Utc>,
    },
    /// To a higher level (skipping one for high risk), with a new lead.
    Escalated {
        routing: Routing,
        reason: String,
        due_at: DateTime<Utc>,
    },
    /// To another department at the same level.
    Transferred {
        routing: Routing,
        reason: String,
        due_at: DateTime<Utc>,
    },
    ScreeningStarted {
        due_at: DateTime<Utc>,
    },
    MediationStarted {
        due_at: DateTime<Utc>,
    },
    SessionRecorded {
        session: MediationSession,
    },
    AgreementRecorded {
        agreement: Agreement,
    },
    /// The check that an agreement's term was honoured (履约回访).
    TermChecked {
        term: usize,
        honoured: bool,
        note: String,
    },
    JudicialConfirmationRequested {
        confirmation: JudicialConfirmation,
    },
    JudicialConfirmationGranted {
        at: DateTime<Utc>,
    },
    /// A co-handler finished its part.
    TaskCompleted {
        department: String,
        note: String,
    },
    Resolved {
        resolution: Resolution,
        due_at: DateTime<Utc>,
    },
    /// 回访. A satisfied (or unreachable) party closes the case; a rating of 1–2 reopens it.
    FollowedUp {
        follow_up: FollowUp,
        reopened: bool,
        due_at: Option<DateTime<Utc>>,
    },
    Reopened {
        reason: String,
        due_at: DateTime<Utc>,
    },
    /// The clock stops while the case waits on a party.
    Paused {
        pause: Pause,
    },
    Resumed {
        due_at: DateTime<Utc>,
    },
    ExtensionRequested {
        request: ExtensionRequest,
    },
    ExtensionDecided {
        approved: bool,
        reason: String,
        due_at: DateTime<Utc>,
    },
    /// 民转刑: the dispute turned into a criminal case.
    TurnedCriminal {
        crime: Crime,
    },
    /// This record was linked to a primary case (one case per matter).
    Linked {
        link: Link,
    },
    /// A person confirmed the link.
    LinkConfirmed,
    /// The link was wrong: the record becomes a case of its own again.
    Split {
        reason: String,
    },
    /// On the primary: a record was linked to it.
    RecordAttached {
        attached: Attached,
    },
    /// On the primary: a linked record was split off.
    RecordDetached {
        case: CaseId,
        relation: Relation,
    },
}

impl EventKind {
    pub fn code(&self) -> &'static str {
        match self {
            EventKind::Registered { .. } => "registered",
            EventKind::StatusChanged { .. } => "status_changed",
            EventKind::CategoryChanged { .. } => "category_changed",
            EventKind::CategoryConfirmed { .. } => "category_confirmed",
            EventKind::Routed { .. } => "routed",
            EventKind::Accepted { .. } => "accepted",
            EventKind::Returned { .. } => "returned",
            EventKind::Escalated { .. } => "escalated",
            EventKind::Transferred { .. } => "transferred",
            EventKind::ScreeningStarted { .. } => "screening_started",
            EventKind::MediationStarted { .. } => "mediation_started",
            EventKind::SessionRecorded { .. } => "session_recorded",
            EventKind::AgreementRecorded { .. } => "agreement_recorded",
            EventKind::TermChecked { .. } => "term_checked",
            EventKind::JudicialConfirmationRequested { .. } => "judicial_confirmation_requested",
            EventKind::JudicialConfirmationGranted { .. } => "judicial_confirmation_granted",
            EventKind::TaskCompleted { .. } => "task_completed",
            EventKind::Resolved { .. } => "resolved",
            EventKind::FollowedUp { .. } => "followed_up",
            EventKind::Reopened { .. } => "reopened",
            EventKind::Paused { .. } => "paused",
            EventKind::Resumed { .. } => "resumed",
            EventKind::ExtensionRequested { .. } => "extension_requested",
            EventKind::ExtensionDecided { .. } => "extension_decided",
            EventKind::TurnedCriminal { .. } => "turned_criminal",
            EventKind::Linked { .. } => "linked",
            EventKind::LinkConfirmed => "link_confirmed",
            EventKind::Split { .. } => "split",
            EventKind::RecordAttached { .. } => "record_attached",
            EventKind::RecordDetached { .. } => "record_detached",
        }
    }

    /// Whether the event changes who handles the case (a linked record is handled as its
    /// primary; split off, it is its own again).
    pub fn changes_routing(&self) -> bool {
        matches!(
            self,
            EventKind::Routed { .. }
                | EventKind::Escalated { .. }
                | EventKind::Transferred { .. }
                | EventKind::Linked { .. }
                | EventKind::Split { .. }
        )
    }

    /// Whether the event ends the stage the case was in and sets a new stage clock.
    pub fn starts_a_stage(&self) -> bool {
        matches!(
            self,
            EventKind::Routed { .. }
                | EventKind::Escalated { .. }
                | EventKind::Transferred { .. }
                | EventKind::Returned { .. }
                | EventKind::Accepted { .. }
                | EventKind::ScreeningStarted { .. }
                | EventKind::MediationStarted { .. }
                | EventKind::Reopened { .. }
                | EventKind::Resolved { .. }
                | EventKind::FollowedUp { .. }
                | EventKind::Linked { .. }
        )
    }

    /// The status a case has after this event, when the event moves it.
    fn status_after(&self, before: CaseStatus) -> CaseStatus {
        match self {
            EventKind::StatusChanged { to, .. } => *to,
            EventKind::Routed { .. } | EventKind::Escalated { .. } | EventKind::Transferred { .. } => {
                CaseStatus::Routed
            }
            EventKind::Accepted { .. } => CaseStatus::Accepted,
            EventKind::Returned { .. } => CaseStatus::Returned,
            EventKind::ScreeningStarted { .. } => CaseStatus::Screening,
            EventKind::MediationStarted { .. } | EventKind::Reopened { .. } => CaseStatus::Mediating,
            EventKind::Resolved { .. } => CaseStatus::Resolved,
            EventKind::FollowedUp { reopened: true, .. } => CaseStatus::Mediating,
            EventKind::FollowedUp { reopened: false, .. } => CaseStatus::Closed,
            EventKind::Linked { .. } => CaseStatus::Merged,
            EventKind::Split { .. } => CaseStatus::Registered,
            _ => before,
        }
    }
}

impl Case {
    /// The case as it is after `event`; the store applies events with this and nothing else.
    pub fn apply(&mut self, event: &CaseEvent) {
        let before = self.status;
        self.status = event.kind.status_after(before);
        let w = &mut self.workflow;
        // A new stage starts a new clock; an extension asked for the old one lapses with it.
        if event.kind.starts_a_stage() {
            w.extension = None;
        }
        let clock = |stage: CaseStatus, due_at: DateTime<Utc>| {
            Some(StageClock { stage, started_at: event.at, due_at, paused: None })
        };
        match &event.kind {
            EventKind::Registered { .. } | EventKind::StatusChanged { .. } | EventKind::LinkConfirmed => {}
            EventKind::CategoryChanged { to, .. } => self.record.category.clone_from(to),
            EventKind::CategoryConfirmed { category } => self.record.category = Some(category.clone()),
            EventKind::Routed { routing, due_at } => {
                w.routing = Some(routing.clone());
                w.clock = clock(CaseStatus::Routed, *due_at);
            }
            EventKind::Escalated { routing, due_at, .. } => {
                w.routing = Some(routing.clone());
                w.clock = clock(CaseStatus::Routed, *due_at);
                w.times_escalated += 1;
            }
            EventKind::Transferred { routing, due_at, .. } => {
                w.routing = Some(routing.clone());
                w.clock = clock(CaseStatus::Routed, *due_at);
            }
            EventKind::Returned { due_at, .. } => {
                w.clock = clock(CaseStatus::Returned, *due_at);
                w.times_returned += 1;
            }
            EventKind::Accepted { due_at, .. }
            | EventKind::ScreeningStarted { due_at }
            | EventKind::MediationStarted { due_at } => w.clock = clock(self.status, *due_at),
            EventKind::Reopened { due_at, .. } => {
                w.clock = clock(CaseStatus::Mediating, *due_at);
                w.resolution = None;
                w.times_reopened += 1;
            }
            EventKind::SessionRecorded { session } => w.sessions.push(session.clone()),
            EventKind::AgreementRecorded { agreement } => w.agreement = Some(agreement.clone()),
            EventKind::TermChecked { term, honoured, .. } => {
                if let Some(t) = w.agreement.as_mut().and_then(|a| a.terms.get_mut(*term)) {
                    t.honoured = Some(*honoured);
                }
            }
            EventKind::JudicialConfirmationRequested { confirmation } => {
                if let Some(a) = w.agreement.as_mut() {
                    a.judicial_confirmation = Some(confirmation.clone());
                }
            }
            EventKind::JudicialConfirmationGranted { at } => {
                if let Some(j) = w.agreement.as_mut().and_then(|a| a.judicial_confirmation.as_mut()) {
                    j.confirmed_at = Some(*at);
                }
            }
            EventKind::TaskCompleted { department, note } => {
                let task =
                    w.routing.as_mut().and_then(|r| r.co_handlers.iter_mut().find(|t| &t.department == department));
                if let Some(task) = task {
                    task.done_at = Some(event.at);
                    task.note = Some(note.clone());
                }
            }
            EventKind::Resolved { resolution, due_at } => {
                w.resolution = Some(resolution.clone());
                w.clock = clock(CaseStatus::Resolved, *due_at);
            }
            EventKind::FollowedUp { follow_up, reopened, due_at } => {
                w.follow_ups.push(follow_up.clone());
                if *reopened {
                    w.resolution = None;
                    w.times_reopened += 1;
                }
                w.clock = due_at.and_then(|due| clock(CaseStatus::Mediating, due));
            }
            EventKind::Paused { pause } => {
                if let Some(c) = w.clock.as_mut() {
                    c.paused = Some(pause.clone());
                }
            }
            EventKind::Resumed { due_at } => {
                if let Some(c) = w.clock.as_mut() {
                    c.paused = None;
                    c.due_at = *due_at;
                }
            }
            EventKind::ExtensionRequested { request } => w.extension = Some(request.clone()),
            EventKind::ExtensionDecided { due_at, .. } => {
                w.extension = None;
                if let Some(c) = w.clock.as_mut() {
                    c.due_at = *due_at;
                }
            }
            EventKind::TurnedCriminal { crime } => w.crime = Some(crime.clone()),
            EventKind::Linked { link } => {
                w.link = Some(link.clone());
                w.clock = None;
            }
            EventKind::Split { .. } => w.link = None,
            EventKind::RecordAttached { attached } => w.linked_records.add(attached.relation),
            EventKind::RecordDetached { relation, .. } => w.linked_records.remove(*relation),
        }
        if matches!(self.status, CaseStatus::Closed | CaseStatus::Merged) {
            self.workflow.clock = None;
            self.workflow.extension = None;
        }
        self.version = event.seq;
    }

    /// The level at which the case was resolved, once it is.
    pub fn resolved_level(&self) -> Option<RegionLevel> {
        self.workflow.resolution.as_ref().map(|r| r.level)
    }

    /// Whether `relation` links this case to a primary.
    pub fn primary(&self) -> Option<(CaseId, Relation)> {
        self.workflow.link.as_ref().map(|l| (l.primary, l.relation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RegionCode;
    use crate::case::{CaseRecord, CaseText, ExternalId};
    use crate::workflow::Workflow;

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
                kind: None,
                category: None,
                incident: None,
                amount: None,
                people_count: None,
                location: None,
            },
            workflow: Workflow::default(),
        }
    }

    #[test]
    fn applying_an_event_moves_status_and_version() {
        let mut c = case();
        let kind = EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed };
        c.apply(&CaseEvent { case_id: c.id, seq: 2, at: DateTime::UNIX_EPOCH, actor: "test".into(), kind });
        assert_eq!((c.status, c.version), (CaseStatus::Routed, 2));
    }

    #[test]
    fn events_serialize_with_their_code_as_the_kind() {
        let kind = EventKind::CategoryChanged { from: None, to: Some("wage_arrears".into()) };
        let json = serde_json::to_value(&kind).unwrap();
        assert_eq!(json["kind"], kind.code());
        assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), kind);
        let json = serde_json::to_value(EventKind::LinkConfirmed).unwrap();
        assert_eq!(json, serde_json::json!({ "kind": "link_confirmed" }));
    }
}
