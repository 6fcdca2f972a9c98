//! The state machine: what may be done to a case in each status, and the event that records it.
//!
//! [`decide`] is a pure function of the case, the action and the [`Context`] (the time, the
//! calendar and the district's rules). It either rejects the action with a clear reason or
//! returns the one event to append; [`crate::Case::apply`] then moves the case.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::routing::{RoutingDecision, RoutingInput, mediation_lead};
use super::state::{
    Agreement, Crime, ExtensionRequest, FollowUp, JudicialConfirmation, MediationSession, Override, Pause, Resolution,
    Routing, Task, Term,
};
use super::{DeadlineRules, Outcome, RoutingRules, Workflow};
use crate::calendar::WorkCalendar;
use crate::department::{DepartmentDirectory, DepartmentKind};
use crate::region::{Gazetteer, RegionLevel};
use crate::{Case, CaseStatus, EventKind, Incident, RiskLevel, Yuan};

/// What the workflow decides with, besides the case.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub calendar: &'a WorkCalendar,
    pub deadlines: &'a DeadlineRules,
    pub rules: &'a RoutingRules,
    pub directory: &'a DepartmentDirectory,
    pub gazetteer: &'a Gazetteer,
    /// The lead department that the taxonomy gives the case's category.
    pub category_lead: Option<&'a str>,
}

/// Something a person asks of a case. The API takes these as JSON: `{"action": "accept", …}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Route by the rules; any of lead, co-handlers or level given overrides them, with a reason.
    Route {
        lead: Option<String>,
        co_handlers: Option<Vec<String>>,
        level: Option<RegionLevel>,
        reason: Option<String>,
    },
    Accept {
        department: String,
    },
    Return {
        department: String,
        reason: String,
    },
    StartScreening,
    StartMediation,
    RecordSession {
        at: Option<DateTime<Utc>>,
        place: String,
        participants: Vec<String>,
        outcome: String,
    },
    RecordAgreement {
        signed_at: Option<DateTime<Utc>>,
        terms: Vec<TermInput>,
    },
    CheckTerm {
        term: usize,
        honoured: bool,
        note: Option<String>,
    },
    RequestJudicialConfirmation {
        court: Option<String>,
    },
    RecordJudicialConfirmation,
    CompleteTask {
        department: String,
        note: Option<String>,
    },
    Resolve {
        outcome: Outcome,
        summary: String,
    },
    FollowUp {
        satisfaction: Option<u8>,
        comment: Option<String>,
    },
    Reopen {
        reason: String,
    },
    Escalate {
        level: Option<RegionLevel>,
        reason: String,
    },
    Transfer {
        department: String,
        reason: String,
    },
    Pause {
        reason: String,
    },
    Resume,
    RequestExtension {
        working_days: u32,
        reason: String,
        requested_by: String,
    },
    DecideExtension {
        approve: bool,
        reason: String,
    },
    ChangeCategory {
        category: String,
    },
    /// Staff confirm that the case's category is right: a label the classifier learns from, as
    /// a change is.
    ConfirmCategory,
    /// 民转刑: the dispute turned into a criminal case (a crime by default; or a homicide).
    RecordCrime {
        incident: Option<Incident>,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermInput {
    pub text: String,
    pub amount_yuan: Option<Yuan>,
    pub due: Option<NaiveDate>,
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Route { .. } => "route",
            Action::Accept { .. } => "accept",
            Action::Return { .. } => "return",
            Action::StartScreening => "start_screening",
            Action::StartMediation => "start_mediation",
            Action::RecordSession { .. } => "record_session",
            Action::RecordAgreement { .. } => "record_agreement",
            Action::CheckTerm { .. } => "check_term",
            Action::RequestJudicialConfirmation { .. } => "request_judicial_confirmation",
            Action::RecordJudicialConfirmation => "record_judicial_confirmation",
            Action::CompleteTask { .. } => "complete_task",
            Action::Resolve { .. } => "resolve",
            Action::FollowUp { .. } => "follow_up",
            Action::Reopen { .. } => "reopen",
            Action::Escalate { .. } => "escalate",
            Action::Transfer { .. } => "transfer",
            Action::Pause { .. } => "pause",
            Action::Resume => "resume",
            Action::RequestExtension { .. } => "request_extension",
            Action::DecideExtension { .. } => "decide_extension",
            Action::ChangeCategory { .. } => "change_category",
            Action::ConfirmCategory => "confirm_category",
            Action::RecordCrime { .. } => "record_crime",
        }
    }

    /// Every free text the action carries.
    fn texts(&self) -> impl Iterator<Item = &str> {
        let mut texts: Vec<&str> = Vec::new();
        match self {
            Action::Route { lead, co_handlers, reason, .. } => {
                texts.extend(lead.as_deref());
                texts.extend(co_handlers.iter().flatten().map(String::as_str));
                texts.extend(reason.as_deref());
            }
            Action::Accept { department } => texts.push(department),
            Action::Return { department, reason } | Action::Transfer { department, reason } => {
                texts.extend([department.as_str(), reason.as_str()]);
            }
            Action::RecordSession { place, participants, outcome, .. } => {
                texts.extend([place.as_str(), outcome.as_str()]);
                texts.extend(participants.iter().map(String::as_str));
            }
            Action::RecordAgreement { terms, .. } => texts.extend(terms.iter().map(|t| t.text.as_str())),
            Action::CheckTerm { note, .. } => texts.extend(note.as_deref()),
            Action::RequestJudicialConfirmation { court } => texts.extend(court.as_deref()),
            Action::CompleteTask { department, note } => {
                texts.push(department);
                texts.extend(note.as_deref());
            }
            Action::Resolve { summary, .. } => texts.push(summary),
            Action::FollowUp { comment, .. } => texts.extend(comment.as_deref()),
            Action::Reopen { reason } | Action::Escalate { reason, .. } | Action::Pause { reason } => {
                texts.push(reason)
            }
            Action::RequestExtension { reason, requested_by, .. } => {
                texts.extend([reason.as_str(), requested_by.as_str()])
            }
            Action::DecideExtension { reason, .. } => texts.push(reason),
            Action::ChangeCategory { category } => texts.push(category),
            Action::RecordCrime { reason, .. } => texts.push(reason),
            Action::StartScreening
            | Action::StartMediation
            | Action::RecordJudicialConfirmation
            | Action::Resume
            | Action::ConfirmCategory => {}
        }
        texts.into_iter()
    }

    /// The statuses in which the action is allowed: the transition table of the workflow.
    pub fn allowed_in(&self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        const HANDLING: &[CaseStatus] = &[Routed, Accepted, Screening, Mediating];
        match self {
            Action::Route { .. } => &[Registered, Returned],
            Action::Accept { .. } => &[Routed],
            Action::Return { .. } => &[Routed, Accepted],
            Action::StartScreening => &[Accepted],
            Action::StartMediation => &[Accepted, Screening],
            Action::RecordSession { .. } | Action::RecordAgreement { .. } => &[Mediating],
            Action::CheckTerm { .. } => &[Mediating, Resolved, Closed],
            Action::RequestJudicialConfirmation { .. } | Action::RecordJudicialConfirmation => {
                &[Mediating, Resolved, Closed]
            }
            Action::CompleteTask { .. } => &[Accepted, Screening, Mediating],
            Action::Resolve { .. } => &[Accepted, Screening, Mediating],
            Action::FollowUp { .. } => &[Resolved],
            Action::Reopen { .. } => &[Resolved, Closed],
            Action::Escalate { .. } | Action::Transfer { .. } => HANDLING,
            Action::Pause { .. }
            | Action::Resume
            | Action::RequestExtension { .. }
            | Action::DecideExtension { .. } => &[Routed, Accepted, Screening, Mediating, Returned, Resolved],
            Action::ChangeCategory { .. } | Action::ConfirmCategory => {
                &[Registered, Routed, Accepted, Screening, Mediating, Returned, Resolved, Closed]
            }
            // A dispute may turn criminal while it is handled and after it was closed: the
            // latter is what back-tracing asks about.
            Action::RecordCrime { .. } => {
                &[Registered, Routed, Accepted, Screening, Mediating, Returned, Resolved, Closed]
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The action does not apply to a case in this status (a conflict with the case's state).
    #[error("`{action}` is not allowed on a case that is {} ({})", status.label(), status.code())]
    NotAllowed { action: &'static str, status: CaseStatus },
    /// The action's content is wrong.
    #[error("{message}")]
    Invalid { code: &'static str, field: &'static str, message: String },
}

/// A case whose status was set outside the workflow (histories from before it) has no routing.
fn not_routed() -> WorkflowError {
    invalid("not_routed", "action", "the case has no lead department yet; route it first")
}

fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> WorkflowError {
    WorkflowError::Invalid { code, field, message: message.into() }
}

/// A reason that someone must give: present and not blank.
fn reason(text: &str, field: &'static str) -> Result<String, WorkflowError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("missing_reason", field, format!("`{field}` must say why")));
    }
    if text.chars().count() > 2000 {
        return Err(invalid("too_long", field, format!("`{field}` has more than 2000 characters")));
    }
    if crate::record::has_control_characters(text) {
        return Err(invalid("control_characters", field, format!("`{field}` contains control characters")));
    }
    Ok(crate::pii::scrub_text(text))
}

impl Context<'_> {
    /// The deadline of `stage` for `case` when it starts now.
    fn due(&self, case: &Case, stage: CaseStatus, level: Option<RegionLevel>) -> DateTime<Utc> {
        let level = level.or(case.workflow.routing.as_ref().map(|r| r.level));
        let days = self.deadlines.working_days(stage, case.record.category.as_deref(), level).unwrap_or(0);
        self.calendar.deadline(self.now, days)
    }

    /// What the routing rules propose for `case`.
    pub fn suggestion(&self, case: &Case) -> Option<RoutingDecision> {
        let input = RoutingInput {
            kind: case.record.kind.unwrap_or(case.workflow.kind),
            category: case.record.category.as_deref(),
            category_lead: self.category_lead,
            region: case.record.region,
            amount: case.record.amount,
            people_count: case.record.people_count,
            risk: case.workflow.risk,
        };
        self.rules.route(&input, self.directory, self.gazetteer)
    }

    fn tasks(&self, departments: Vec<String>) -> Vec<Task> {
        let due_at = self.calendar.deadline(self.now, self.deadlines.task_working_days());
        departments.into_iter().map(|department| Task { department, due_at, done_at: None, note: None }).collect()
    }

    /// The official name when `written` is a short name of the directory; else as written.
    fn official_name(&self, written: &str) -> String {
        self.directory.find(written).map_or_else(|| written.trim().to_owned(), |d| d.name.clone())
    }

    /// The official name of the department `written` names (official or short name).
    fn department(&self, written: &str, field: &'static str) -> Result<String, WorkflowError> {
        if let Some(d) = self.directory.find(written) {
            return Ok(d.name.clone());
        }
        // A village's committee need not be listed: villages are many and directories list few.
        let village_committee = written.strip_suffix("人民调解委员会").is_some_and(|village| {
            self.gazetteer.villages().any(|v| v.short_name == village || v.official_name == village)
        });
        if village_committee {
            Ok(written.to_owned())
        } else {
            Err(invalid("unknown_department", field, format!("`{written}` is not a department of the directory")))
        }
    }
}

/// The event that records `action` on `case`, or why it may not be done.
pub fn decide(case: &Case, action: &Action, ctx: &Context<'_>) -> Result<EventKind, WorkflowError> {
    if !action.allowed_in().contains(&case.status) {
        return Err(WorkflowError::NotAllowed { action: action.code(), status: case.status });
    }
    if action.texts().any(crate::record::has_control_characters) {
        return Err(invalid("control_characters", "action", "the action's text contains control characters"));
    }
    let w = &case.workflow;
    let lead = || w.routing.as_ref().map(|r| r.lead.as_str()).unwrap_or_default();
    Ok(match action {
        Action::Route { lead, co_handlers, level, reason: why } => route(case, ctx, lead, co_handlers, *level, why)?,
        Action::Accept { department } => {
            let department = &ctx.official_name(department);
            if department != lead() {
                return Err(invalid(
                    "not_lead_department",
                    "department",
                    format!("only the lead department ({}) accepts the case; co-handlers complete their tasks", lead()),
                ));
            }
            EventKind::Accepted { department: department.clone(), due_at: ctx.due(case, CaseStatus::Accepted, None) }
        }
        Action::Return { department, reason: why } => {
            let department = &ctx.official_name(department);
            if department != lead() {
                return Err(invalid("not_lead_department", "department", "only the lead department returns a case"));
            }
            EventKind::Returned {
                department: department.clone(),
                reason: reason(why, "reason")?,
                due_at: ctx.due(case, CaseStatus::Returned, None),
            }
        }
        Action::StartScreening => EventKind::ScreeningStarted { due_at: ctx.due(case, CaseStatus::Screening, None) },
        Action::StartMediation => EventKind::MediationStarted { due_at: ctx.due(case, CaseStatus::Mediating, None) },
        Action::RecordSession { at, place, participants, outcome } => {
            let at = at.unwrap_or(ctx.now);
            if at > ctx.now + chrono::Duration::hours(1) {
                return Err(invalid("bad_date", "at", "a session is recorded after it took place"));
            }
            EventKind::SessionRecorded {
                session: MediationSession {
                    at,
                    place: reason(place, "place")?,
                    participants: participants.iter().map(|p| crate::pii::scrub_text(p.trim())).collect(),
                    outcome: reason(outcome, "outcome")?,
                },
            }
        }
        Action::RecordAgreement { signed_at, terms } => {
            if terms.is_empty() {
                return Err(invalid("missing_terms", "terms", "an agreement has at least one term"));
            }
            let terms = terms
                .iter()
                .map(|t| {
                    let check_on =
                        t.due.map(|due| due + chrono::Days::new(u64::from(ctx.deadlines.agreement_check_days())));
                    Ok(Term {
                        text: reason(&t.text, "terms")?,
                        amount_yuan: t.amount_yuan,
                        due: t.due,
                        check_on,
                        honoured: None,
                    })
                })
                .collect::<Result<Vec<_>, WorkflowError>>()?;
            if w.agreement.as_ref().is_some_and(|a| a.judicial_confirmation.is_some()) {
                return Err(invalid(
                    "agreement_confirmed",
                    "terms",
                    "the agreement went to the court for confirmation; it is not replaced",
                ));
            }
            let signed_at = signed_at.unwrap_or(ctx.now);
            if signed_at > ctx.now + chrono::Duration::hours(1) {
                return Err(invalid("bad_date", "signed_at", "an agreement is recorded after it is signed"));
            }
            EventKind::AgreementRecorded { agreement: Agreement { signed_at, terms, judicial_confirmation: None } }
        }
        Action::CheckTerm { term, honoured, note } => {
            let agreement =
                w.agreement.as_ref().ok_or_else(|| invalid("no_agreement", "term", "the case has no agreement"))?;
            if *term >= agreement.terms.len() {
                return Err(invalid(
                    "unknown_term",
                    "term",
                    format!("the agreement has {} terms", agreement.terms.len()),
                ));
            }
            EventKind::TermChecked {
                term: *term,
                honoured: *honoured,
                note: note.as_deref().map(crate::pii::scrub_text).unwrap_or_default(),
            }
        }
        Action::RequestJudicialConfirmation { court } => {
            let agreement =
                w.agreement.as_ref().ok_or_else(|| invalid("no_agreement", "action", "the case has no agreement"))?;
            if agreement.judicial_confirmation.is_some() {
                return Err(invalid("already_requested", "action", "judicial confirmation was already requested"));
            }
            let court = match court {
                Some(name) => ctx.department(name, "court")?,
                None => court_for(case, ctx)
                    .ok_or_else(|| invalid("unknown_department", "court", "no court in the directory; name one"))?,
            };
            EventKind::JudicialConfirmationRequested {
                confirmation: JudicialConfirmation { court, requested_at: ctx.now, confirmed_at: None },
            }
        }
        Action::RecordJudicialConfirmation => {
            match w.agreement.as_ref().and_then(|a| a.judicial_confirmation.as_ref()) {
                Some(j) if j.confirmed_at.is_none() => EventKind::JudicialConfirmationGranted { at: ctx.now },
                Some(_) => return Err(invalid("already_confirmed", "action", "the agreement is already confirmed")),
                None => return Err(invalid("not_requested", "action", "judicial confirmation was not requested")),
            }
        }
        Action::CompleteTask { department, note } => {
            let department = &ctx.official_name(department);
            let task = w.routing.iter().flat_map(|r| &r.co_handlers).find(|t| &t.department == department);
            match task {
                None => {
                    return Err(invalid(
                        "not_co_handler",
                        "department",
                        format!("`{department}` has no task on this case"),
                    ));
                }
                Some(t) if t.done_at.is_some() => {
                    return Err(invalid(
                        "task_done",
                        "department",
                        format!("`{department}` already completed its task"),
                    ));
                }
                Some(_) => EventKind::TaskCompleted {
                    department: department.clone(),
                    note: note.as_deref().map(crate::pii::scrub_text).unwrap_or_default(),
                },
            }
        }
        Action::Resolve { outcome, summary } => {
            let routing = w.routing.as_ref().ok_or_else(not_routed)?;
            EventKind::Resolved {
                resolution: Resolution {
                    outcome: *outcome,
                    level: routing.level,
                    department: routing.lead.clone(),
                    at: ctx.now,
                    summary: reason(summary, "summary")?,
                },
                due_at: ctx.due(case, CaseStatus::Resolved, None),
            }
        }
        Action::FollowUp { satisfaction, comment } => {
            if let Some(s) = satisfaction
                && !(1..=5).contains(s)
            {
                return Err(invalid("bad_satisfaction", "satisfaction", "satisfaction is 1 to 5"));
            }
            let reopened = satisfaction.is_some_and(|s| s <= 2);
            EventKind::FollowedUp {
                follow_up: FollowUp {
                    at: ctx.now,
                    satisfaction: *satisfaction,
                    comment: comment.as_deref().map(crate::pii::scrub_text).unwrap_or_default(),
                },
                reopened,
                due_at: reopened.then(|| ctx.due(case, CaseStatus::Mediating, None)),
            }
        }
        Action::Reopen { reason: why } => {
            EventKind::Reopened { reason: reason(why, "reason")?, due_at: ctx.due(case, CaseStatus::Mediating, None) }
        }
        Action::Escalate { level, reason: why } => escalate(case, ctx, *level, why)?,
        Action::Transfer { department, reason: why } => {
            let department = &ctx.department(department, "department")?;
            if department == lead() {
                return Err(invalid("same_department", "department", "the case is already with this department"));
            }
            let current = w.routing.as_ref().ok_or_else(not_routed)?;
            let level = ctx.directory.get(department).map_or(current.level, |d| d.level);
            // Levels order district < town < village: a smaller level is a higher one.
            if level < current.level {
                return Err(invalid(
                    "transfer_to_higher_level",
                    "department",
                    "a transfer stays at the same level or goes down; to go up, escalate",
                ));
            }
            let mut routing = current.clone();
            routing.lead = department.clone();
            routing.level = level;
            routing.rule = None;
            routing.overridden = None;
            routing.co_handlers.retain(|t| &t.department != department);
            EventKind::Transferred {
                routing,
                reason: reason(why, "reason")?,
                due_at: ctx.due(case, CaseStatus::Routed, Some(level)),
            }
        }
        Action::Pause { reason: why } => {
            let clock =
                w.clock.as_ref().ok_or_else(|| invalid("no_deadline", "action", "the case has no running deadline"))?;
            if clock.paused.is_some() {
                return Err(invalid("already_paused", "action", "the clock is already paused"));
            }
            EventKind::Paused { pause: Pause { since: ctx.now, reason: reason(why, "reason")? } }
        }
        Action::Resume => {
            let clock =
                w.clock.as_ref().ok_or_else(|| invalid("no_deadline", "action", "the case has no running deadline"))?;
            let pause =
                clock.paused.as_ref().ok_or_else(|| invalid("not_paused", "action", "the clock is not paused"))?;
            EventKind::Resumed { due_at: ctx.calendar.extend_for_pause(clock.due_at, pause.since, ctx.now) }
        }
        Action::RequestExtension { working_days, reason: why, requested_by } => {
            if w.clock.is_none() {
                return Err(invalid("no_deadline", "action", "the case has no running deadline"));
            }
            if w.extension.is_some() {
                return Err(invalid("extension_pending", "action", "an extension request is already waiting"));
            }
            if !(1..=30).contains(working_days) {
                return Err(invalid("bad_working_days", "working_days", "an extension is 1 to 30 working days"));
            }
            EventKind::ExtensionRequested {
                request: ExtensionRequest {
                    working_days: *working_days,
                    reason: reason(why, "reason")?,
                    requested_by: reason(requested_by, "requested_by")?,
                    requested_at: ctx.now,
                },
            }
        }
        Action::DecideExtension { approve, reason: why } => {
            let request =
                w.extension.as_ref().ok_or_else(|| invalid("no_extension", "action", "no extension was requested"))?;
            let due = w
                .clock
                .as_ref()
                .map(|c| c.due_at)
                .ok_or_else(|| invalid("no_deadline", "action", "the case has no running deadline"))?;
            EventKind::ExtensionDecided {
                approved: *approve,
                reason: reason(why, "reason")?,
                due_at: if *approve { ctx.calendar.extend(due, request.working_days) } else { due },
            }
        }
        Action::ChangeCategory { category } => {
            let category = category.trim();
            if category.is_empty() || category.chars().count() > 64 {
                return Err(invalid("bad_category", "category", "category is 1 to 64 characters"));
            }
            if Some(category) == case.record.category.as_deref() {
                return Err(invalid("unchanged", "category", "the case already has this category"));
            }
            EventKind::CategoryChanged {
                from: case.record.category.clone(),
                to: Some(crate::pii::scrub_text(category)),
            }
        }
        Action::ConfirmCategory => match &case.record.category {
            Some(category) => EventKind::CategoryConfirmed { category: category.clone() },
            None => {
                return Err(invalid(
                    "no_category",
                    "action",
                    "the case has no category to confirm: set one with `change_category`",
                ));
            }
        },
        Action::RecordCrime { incident, reason: why } => {
            if w.crime.is_some() {
                return Err(invalid("already_recorded", "action", "the case is already recorded as turned criminal"));
            }
            let incident = incident.unwrap_or(Incident::Criminal);
            if !incident.is_crime() {
                return Err(invalid(
                    "not_a_crime",
                    "incident",
                    format!("民转刑 records a crime: `criminal` or `homicide`, not `{}`", incident.code()),
                ));
            }
            EventKind::TurnedCriminal { crime: Crime { incident, at: ctx.now, reason: reason(why, "reason")? } }
        }
    })
}

fn route(
    case: &Case,
    ctx: &Context<'_>,
    lead: &Option<String>,
    co_handlers: &Option<Vec<String>>,
    level: Option<RegionLevel>,
    why: &Option<String>,
) -> Result<EventKind, WorkflowError> {
    let Some(suggested) = ctx.suggestion(case) else {
        // No rule finds a department (a directory without this town's offices): a clerk routes by hand.
        let Some(written) = lead else {
            return Err(invalid(
                "no_route",
                "lead",
                "no routing rule finds a department for this case; name the lead department",
            ));
        };
        let lead = ctx.department(written, "lead")?;
        let level = level.or(ctx.directory.get(&lead).map(|d| d.level)).unwrap_or(case.record.region.level());
        let mut co: Vec<String> = Vec::new();
        for name in co_handlers.iter().flatten() {
            let name = ctx.department(name, "co_handlers")?;
            if name != lead && !co.contains(&name) {
                co.push(name);
            }
        }
        let routing = Routing { lead, co_handlers: ctx.tasks(co), level, rule: None, overridden: None };
        return Ok(EventKind::Routed { due_at: ctx.due(case, CaseStatus::Routed, Some(level)), routing });
    };
    let overrides = lead.is_some() || co_handlers.is_some() || level.is_some();
    let lead = match lead {
        Some(written) => ctx.department(written, "lead")?,
        None => suggested.lead.clone(),
    };
    let co = match co_handlers {
        Some(written) => {
            written.iter().map(|name| ctx.department(name, "co_handlers")).collect::<Result<Vec<_>, _>>()?
        }
        None => suggested.co_handlers.clone(),
    };
    let co: Vec<String> = co.into_iter().filter(|c| *c != lead).fold(Vec::new(), |mut v, c| {
        if !v.contains(&c) {
            v.push(c);
        }
        v
    });
    let level = level.unwrap_or(suggested.level);
    let changed = lead != suggested.lead || co != suggested.co_handlers || level != suggested.level;
    let overridden = match (overrides && changed, why) {
        (false, _) => None,
        (true, None) => {
            return Err(invalid("missing_reason", "reason", "overriding the routing rules needs a reason"));
        }
        (true, Some(why)) => Some(Override {
            suggested_lead: suggested.lead.clone(),
            suggested_level: suggested.level,
            reason: reason(why, "reason")?,
        }),
    };
    let routing = Routing {
        lead,
        co_handlers: ctx.tasks(co),
        level,
        rule: overridden.is_none().then(|| suggested.rule.clone()),
        overridden,
    };
    Ok(EventKind::Routed { due_at: ctx.due(case, CaseStatus::Routed, Some(level)), routing })
}

fn escalate(case: &Case, ctx: &Context<'_>, to: Option<RegionLevel>, why: &str) -> Result<EventKind, WorkflowError> {
    let current = case.workflow.routing.as_ref().ok_or_else(not_routed)?;
    let one_up = match current.level {
        RegionLevel::Village => RegionLevel::Town,
        RegionLevel::Town | RegionLevel::District => RegionLevel::District,
    };
    if current.level == RegionLevel::District {
        return Err(invalid("top_level", "level", "the case is already handled at district level"));
    }
    let to = to.unwrap_or(one_up);
    // Levels order district < town < village; higher means a smaller ordinal.
    if to >= current.level {
        return Err(invalid("bad_level", "level", "escalation goes to a higher level"));
    }
    if to != one_up && case.workflow.risk < RiskLevel::High {
        return Err(invalid(
            "skip_level_needs_high_risk",
            "level",
            "skipping a level (village to district) is for high-risk cases only",
        ));
    }
    let lead = mediation_lead(to, case.record.region, ctx.directory, ctx.gazetteer)
        .ok_or_else(|| invalid("unknown_department", "level", "no mediation centre at that level in the directory"))?;
    let mut routing = current.clone();
    // The former lead stays on the case as a co-handler: it knows the matter.
    let former = std::mem::replace(&mut routing.lead, lead);
    routing.co_handlers.retain(|t| t.department != routing.lead);
    if !routing.co_handlers.iter().any(|t| t.department == former) {
        routing.co_handlers.extend(ctx.tasks(vec![former]));
    }
    routing.level = to;
    routing.rule = None;
    routing.overridden = None;
    Ok(EventKind::Escalated {
        routing,
        reason: reason(why, "reason")?,
        due_at: ctx.due(case, CaseStatus::Routed, Some(to)),
    })
}

/// The court that confirms an agreement: the town's people's tribunal, else the district court.
fn court_for(case: &Case, ctx: &Context<'_>) -> Option<String> {
    let town = case.record.region.town();
    let tribunal = town.and_then(|t| ctx.directory.for_town(DepartmentKind::CourtTribunal, t));
    tribunal.or_else(|| ctx.directory.iter().find(|d| d.kind == DepartmentKind::Court)).map(|d| d.name.clone())
}

/// Whether the case's stage deadline has passed (and its clock is running).
pub fn is_overdue(workflow: &Workflow, now: DateTime<Utc>) -> bool {
    workflow.clock.as_ref().is_some_and(|c| c.paused.is_none() && c.due_at <= now)
}

/// Links `case` to `primary` as the same matter (one case per matter): the event for the record
/// and the one for its primary. `confirmed` when a person links them (merge), not the matcher.
pub fn link(
    case: &Case,
    primary: &super::Candidate,
    relation: super::Relation,
    why: &str,
    confirmed: bool,
) -> Result<(EventKind, EventKind), WorkflowError> {
    use CaseStatus::*;
    if !matches!(case.status, Registered | Routed | Returned | Accepted | Screening) {
        return Err(WorkflowError::NotAllowed { action: "merge", status: case.status });
    }
    if case.id == primary.id {
        return Err(invalid("same_case", "into", "a case cannot be merged into itself"));
    }
    if !case.workflow.linked_records.is_empty() {
        return Err(invalid(
            "has_linked_records",
            "into",
            "other records are linked to this case: merge the other case into this one instead",
        ));
    }
    if primary.linked || primary.status == Merged {
        return Err(invalid("primary_is_linked", "into", "merge into the primary case, not into a linked record"));
    }
    let link = super::Link { primary: primary.id, relation, confirmed, reason: reason(why, "reason")? };
    let attached = super::Attached { case: case.id, relation, channel: case.record.channel };
    Ok((EventKind::Linked { link }, EventKind::RecordAttached { attached }))
}

/// A person confirms the matcher's link.
pub fn confirm_link(case: &Case) -> Result<EventKind, WorkflowError> {
    match &case.workflow.link {
        Some(link) if !link.confirmed => Ok(EventKind::LinkConfirmed),
        Some(_) => Err(invalid("already_confirmed", "action", "the link is already confirmed")),
        None => Err(WorkflowError::NotAllowed { action: "confirm_link", status: case.status }),
    }
}

/// The link was wrong: the record becomes a case of its own (registered, to be routed); the
/// events for the record and for its former primary.
pub fn split(case: &Case, why: &str) -> Result<(EventKind, EventKind), WorkflowError> {
    let Some(link) = &case.workflow.link else {
        return Err(WorkflowError::NotAllowed { action: "split", status: case.status });
    };
    let detached = EventKind::RecordDetached { case: case.id, relation: link.relation };
    Ok((EventKind::Split { reason: reason(why, "reason")? }, detached))
}
