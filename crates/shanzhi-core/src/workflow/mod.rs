//! The mediation workflow (调处化解): the kinds of matter, precise routing, stage deadlines, the
//! state machine of a case's handling, and the rule of one case per matter.
//!
//! Everything here is pure: the district's rules come in as parsed data files, the time as a
//! parameter. The store persists what [`decide`] returns; the web edge turns requests into
//! [`Action`]s.

mod action;
mod deadlines;
mod kind;
pub mod matching;
mod routing;
mod state;

pub use action::{Action, Context, TermInput, WorkflowError, confirm_link, decide, is_overdue, link, split};
pub use deadlines::{DeadlineRules, DeadlineRulesError};
pub use kind::{CaseKind, KindCues};
pub use matching::{Candidate, Incoming, MatchEvidence, MatchingRules};
pub use routing::{RoutingDecision, RoutingInput, RoutingRules, RoutingRulesError, mediation_lead};
pub use state::{
    Agreement, Attached, Crime, ExtensionRequest, FollowUp, JudicialConfirmation, Link, LinkedRecords,
    MediationSession, Outcome, Override, Pause, Relation, Resolution, Routing, StageClock, Task, Term, Workflow,
};

/// The human case number given to a citizen: `YH-2026-000123`, from the district's prefix, the
/// year the case was received and the ledger id (so that it needs no counter of its own).
pub fn case_number(prefix: &str, year: i32, id: crate::CaseId) -> String {
    format!("{prefix}-{year}-{:06}", id.get())
}

/// The ledger id inside a case number, when it has the shape of one.
pub fn case_id_of_number(number: &str) -> Option<crate::CaseId> {
    let mut parts = number.trim().rsplitn(3, '-');
    let (id, year, prefix) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = digits(id)
        && year.len() == 4
        && digits(year)
        && !prefix.is_empty()
        && prefix.chars().all(char::is_alphanumeric);
    if !well_formed {
        return None;
    }
    crate::CaseId::new(id.parse().ok()?)
}

/// The district's workflow rules together, as the intake and the workflow use them.
#[derive(Debug, Clone)]
pub struct Rules {
    pub kinds: KindCues,
    pub routing: RoutingRules,
    pub deadlines: DeadlineRules,
    pub matching: MatchingRules,
    pub calendar: crate::calendar::WorkCalendar,
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("kind cues: {0}")]
    Kinds(toml::de::Error),
    #[error(transparent)]
    Routing(#[from] RoutingRulesError),
    #[error(transparent)]
    Deadlines(#[from] DeadlineRulesError),
    #[error("matching rules: {0}")]
    Matching(toml::de::Error),
    #[error("holiday calendar: {0}")]
    Calendar(#[from] crate::calendar::CalendarError),
}

/// The text of each rules file; [`RulesText::default`] is the shipped set.
#[derive(Debug, Clone)]
pub struct RulesText<'a> {
    pub kinds: std::borrow::Cow<'a, str>,
    pub routing: std::borrow::Cow<'a, str>,
    pub deadlines: std::borrow::Cow<'a, str>,
    pub matching: std::borrow::Cow<'a, str>,
    pub holidays: std::borrow::Cow<'a, str>,
}

impl Default for RulesText<'_> {
    fn default() -> Self {
        use crate::defaults;
        RulesText {
            kinds: defaults::KIND_CUES.into(),
            routing: defaults::ROUTING_RULES.into(),
            deadlines: defaults::DEADLINE_RULES.into(),
            matching: defaults::MATCHING_RULES.into(),
            holidays: defaults::CN_PUBLIC_HOLIDAYS.into(),
        }
    }
}

impl Rules {
    /// The rules shipped in `data/workflow/` and the embedded holiday calendar, checked against
    /// the district's department directory.
    pub fn embedded(directory: &crate::DepartmentDirectory) -> Result<Self, RulesError> {
        Self::parse(&RulesText::default(), directory)
    }

    /// Parses every rules file, checking the routing rules against the department directory.
    pub fn parse(text: &RulesText<'_>, directory: &crate::DepartmentDirectory) -> Result<Self, RulesError> {
        Ok(Rules {
            kinds: KindCues::from_toml(&text.kinds).map_err(RulesError::Kinds)?,
            routing: RoutingRules::from_toml(&text.routing, directory)?,
            deadlines: DeadlineRules::from_toml(&text.deadlines)?,
            matching: MatchingRules::from_toml(&text.matching).map_err(RulesError::Matching)?,
            calendar: crate::calendar::WorkCalendar::from_csv(&text.holidays)?,
        })
    }
}
