//! What the assessment reads of one case: the case as it stood at the cut-off, rebuilt from its
//! history with [`Case::apply`] (so the assessment and the workflow never disagree on what an
//! event means), and the time line of its stages, which the case itself forgets.

use chrono::{DateTime, Utc};

use crate::case::{CaseRecord, CaseText, ExternalId};
use crate::workflow::{CaseKind, Crime, Outcome, Relation, Workflow};
use crate::{Case, CaseEvent, CaseId, CaseStatus, Channel, Incident, RegionCode, RegionLevel};

/// The columns of a case that the history does not carry.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseBasics {
    pub id: CaseId,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    /// A village, or a town when the record named no village.
    pub region: RegionCode,
    pub kind: CaseKind,
    /// The category the case has now; [`CaseFacts::from_history`] puts the one in force at the
    /// cut-off in its place (staff correct categories, and the history records each change).
    pub category: Option<String>,
    pub incident: Option<Incident>,
}

/// One stage of the handling (签收, 受理, 排查, 调解, 回访 …) with its deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// The status the case was in during the stage.
    pub stage: CaseStatus,
    pub started_at: DateTime<Utc>,
    /// The deadline as it stood when the stage ended (pauses and extensions move it).
    pub due_at: DateTime<Utc>,
    /// When the next stage began, or the case left the clock; `None` while it ran at the cut-off.
    pub ended_at: Option<DateTime<Utc>>,
    /// The event that ended it (`accepted`, `resolved` …).
    pub ended_by: Option<&'static str>,
    /// Stopped at the cut-off while the case waited on a party: no deadline runs.
    pub paused: bool,
}

impl Stage {
    /// When the stage is judged: when it ended, if by its deadline; else when the deadline
    /// passed. A stage running within its deadline, or paused, is not judged yet (`None` when
    /// paused; the deadline otherwise, which the caller compares with the cut-off).
    pub fn judged_at(&self) -> Option<DateTime<Utc>> {
        match self.ended_at {
            Some(end) if end <= self.due_at => Some(end),
            Some(_) => Some(self.due_at),
            None if self.paused => None,
            None => Some(self.due_at),
        }
    }

    /// Whether the stage ended by its deadline.
    pub fn is_on_time(&self) -> bool {
        self.ended_at.is_some_and(|end| end <= self.due_at)
    }

    /// Whether the stage was overdue at some moment of [from, cut_off): past its deadline and
    /// not yet ended (a paused stage's clock stands still).
    pub fn overdue_within(&self, from: DateTime<Utc>, cut_off: DateTime<Utc>) -> bool {
        let late_until = match self.ended_at {
            Some(end) if end > self.due_at => end,
            Some(_) => return false,
            None if self.paused => return false,
            None => cut_off,
        };
        self.due_at < cut_off && late_until > from
    }
}

/// The category in force at `cut_off`: the last change before it; else what the first change
/// after it changed from; else the category the case has now.
fn category_at(now: Option<String>, history: &[CaseEvent], cut_off: DateTime<Utc>) -> Option<String> {
    fn change(e: &CaseEvent) -> Option<(DateTime<Utc>, &Option<String>, &Option<String>)> {
        match &e.kind {
            crate::EventKind::CategoryChanged { from, to } => Some((e.at, from, to)),
            _ => None,
        }
    }
    let mut in_force = None;
    for (at, from, to) in history.iter().filter_map(change) {
        if at >= cut_off {
            return in_force.unwrap_or_else(|| from.clone());
        }
        in_force = Some(to.clone());
    }
    in_force.unwrap_or(now)
}

/// A case as the assessment of a period sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    pub basics: CaseBasics,
    /// Its status at the cut-off.
    pub status: CaseStatus,
    /// Its workflow state at the cut-off.
    pub workflow: Workflow,
    /// Every stage that started before the cut-off, in order.
    pub stages: Vec<Stage>,
    /// When it was first resolved, if it was before the cut-off (reopening does not undo that).
    pub first_resolved_at: Option<DateTime<Utc>>,
    /// The departments that returned the case to the dispatcher (退回) before the cut-off.
    pub returned_by: Vec<String>,
}

impl CaseFacts {
    /// Event kinds that change nothing the assessment reads (the registration itself, sessions,
    /// co-handlers' tasks, a primary's count of linked records, judicial confirmation, a
    /// pending extension request, a link's confirmation): a store may leave them out of the
    /// history it hands to [`CaseFacts::from_history`], and a year's assessment reads a third
    /// fewer events. None of them starts a stage or moves a status, a deadline or a resolution.
    pub const IGNORED_EVENTS: [&'static str; 9] = [
        "registered",
        "session_recorded",
        "task_completed",
        "record_attached",
        "record_detached",
        "link_confirmed",
        "extension_requested",
        "judicial_confirmation_requested",
        "judicial_confirmation_granted",
    ];

    /// Replays `history` (oldest first) up to `cut_off`, exclusive.
    pub fn from_history(basics: CaseBasics, history: &[CaseEvent], cut_off: DateTime<Utc>) -> CaseFacts {
        let mut case = Case {
            id: basics.id,
            status: CaseStatus::Registered,
            registered_at: basics.received_at,
            version: 0,
            // `Case::apply` moves the workflow, never the record: the record only needs to be a
            // valid one, and the store need not read texts and parties the assessment never uses.
            record: CaseRecord {
                channel: basics.channel,
                external_id: ExternalId::parse("assessment").expect("a valid external id"),
                received_at: basics.received_at,
                region: basics.region,
                title: None,
                text: CaseText::parse("assessment").expect("a valid text"),
                parties: Vec::new(),
                kind: Some(basics.kind),
                category: None,
                incident: basics.incident,
                amount: None,
                people_count: None,
                location: None,
            },
            workflow: Workflow { kind: basics.kind, ..Workflow::default() },
        };
        let mut stages: Vec<Stage> = Vec::new();
        let mut first_resolved_at = None;
        let mut returned_by: Vec<String> = Vec::new();
        for event in history.iter().take_while(|e| e.at < cut_off) {
            case.apply(event);
            let clock = case.workflow.clock.as_ref();
            let running = stages.last_mut().filter(|s| s.ended_at.is_none());
            if event.kind.starts_a_stage() || clock.is_none() {
                if let Some(stage) = running {
                    stage.ended_at = Some(event.at);
                    stage.ended_by = Some(event.kind.code());
                }
                if event.kind.starts_a_stage()
                    && let Some(c) = clock
                {
                    stages.push(Stage {
                        stage: c.stage,
                        started_at: event.at,
                        due_at: c.due_at,
                        ended_at: None,
                        ended_by: None,
                        paused: c.paused.is_some(),
                    });
                }
            } else if let (Some(stage), Some(c)) = (running, clock) {
                stage.due_at = c.due_at;
                stage.paused = c.paused.is_some();
            }
            if matches!(event.kind, crate::EventKind::Resolved { .. }) {
                first_resolved_at.get_or_insert(event.at);
            }
            if let crate::EventKind::Returned { department, .. } = &event.kind
                && !returned_by.contains(department)
            {
                returned_by.push(department.clone());
            }
        }
        let mut basics = basics;
        basics.category = category_at(basics.category, history, cut_off);
        CaseFacts { basics, status: case.status, workflow: case.workflow, stages, first_resolved_at, returned_by }
    }

    /// The town of the case.
    pub fn town(&self) -> Option<RegionCode> {
        self.basics.region.town()
    }

    /// The village of the case, when the record named one.
    pub fn village(&self) -> Option<RegionCode> {
        (self.basics.region.level() == RegionLevel::Village).then_some(self.basics.region)
    }

    /// The lead department at the cut-off.
    pub fn lead(&self) -> Option<&str> {
        self.workflow.routing.as_ref().map(|r| r.lead.as_str())
    }

    /// A record linked into another case at the cut-off: handled there, not on its own.
    pub fn merged(&self) -> Option<Relation> {
        (self.status == CaseStatus::Merged).then(|| self.workflow.link.as_ref().map(|l| l.relation)).flatten()
    }

    pub fn is_resolved(&self) -> bool {
        matches!(self.status, CaseStatus::Resolved | CaseStatus::Closed)
    }

    /// The level that resolved it, once resolved.
    pub fn resolved_level(&self) -> Option<RegionLevel> {
        self.workflow.resolution.as_ref().filter(|_| self.is_resolved()).map(|r| r.level)
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.workflow.resolution.as_ref().filter(|_| self.is_resolved()).map(|r| r.outcome)
    }

    /// Days from receipt to the resolution in force.
    pub fn days_to_resolution(&self) -> Option<f64> {
        let r = self.workflow.resolution.as_ref().filter(|_| self.is_resolved())?;
        Some((r.at - self.basics.received_at).num_seconds().max(0) as f64 / 86_400.0)
    }

    /// 民转刑 recorded on the case before the cut-off.
    pub fn crime(&self) -> Option<&Crime> {
        self.workflow.crime.as_ref()
    }

    /// Whether a stage of the case was overdue at some moment of [from, cut_off).
    pub fn overdue_within(&self, from: DateTime<Utc>, cut_off: DateTime<Utc>) -> bool {
        self.stages.iter().any(|s| s.overdue_within(from, cut_off))
    }

    /// The case's signature (签收): the 签收 stage that ended with the lead department accepting
    /// the case, the last one (a case transferred is signed for by its new lead).
    pub fn acceptance(&self) -> Option<&Stage> {
        self.stages.iter().rev().find(|s| s.stage == CaseStatus::Routed && s.ended_by == Some("accepted"))
    }

    /// The ratings of the follow-ups made before the cut-off (`None`: the party was not reached).
    pub fn follow_up_ratings(&self) -> impl Iterator<Item = Option<u8>> + '_ {
        self.workflow.follow_ups.iter().map(|f| f.satisfaction)
    }
}
