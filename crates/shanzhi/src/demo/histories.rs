//! The histories of the demo's cases. Each case walks through the real workflow: every step is an
//! [`Action`] decided by [`workflow::decide`] (or a link by [`workflow::link`]) on the case as it
//! stands, with a [`Context`] whose `now` is the simulated time, so every event is one the
//! workflow allows and every deadline is the one the rules give. The walk of a case is drawn from
//! a ChaCha stream of the demo's seed and the case's (channel, external id), so the same seed and
//! end give the same histories. Nothing happens at or after the end: cases received in the last
//! weeks are still open, and those whose next step is late are overdue.
//!
//! How often and how fast things happen is in [`realism`], in one place.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shanzhi_core::calendar::{WorkCalendar, local_date};
use shanzhi_core::case::PartyRole;
use shanzhi_core::workflow::{self, Action, Candidate, CaseKind, Context, Outcome, Relation, Rules, TermInput};
use shanzhi_core::{
    Case, CaseEvent, CaseStatus, DepartmentDirectory, DepartmentKind, EventKind, Gazetteer, Incident, RegionLevel, Yuan,
};
use shanzhi_store::HistoricalEvent;
use shanzhi_text::taxonomy::Taxonomy;

use crate::ledger::Ledger;

/// How the demo district works: the shares and delays every history is drawn with. They are
/// guides — the district's own targets (nine in ten cases resolved at town or village level,
/// satisfied parties, agreements honoured) and what handlers describe of their work — not
/// measurements. Shares are probabilities per case (or per step, where said).
mod realism {
    use shanzhi_core::CaseStatus;
    use shanzhi_core::workflow::Outcome;

    /// Working hours (08:30–17:30 Beijing time, on the calendar's working days) from receipt to
    /// routing: the dispatcher routes within hours.
    pub const ROUTE_HOURS: (f64, f64) = (0.2, 4.0);
    /// Routed cases the lead department sends back (退回); the dispatcher routes them again.
    pub const RETURNED: f64 = 0.04;
    /// Per stage (签收, re-routing, 排查, start of mediation): done after its deadline.
    pub const STAGE_LATE: f64 = 0.08;
    /// Working days a late stage overruns its deadline by.
    pub const LATE_DAYS: (f64, f64) = (0.1, 3.0);
    /// Accepted cases escalated to a higher level or transferred to another department.
    pub const ESCALATED_OR_TRANSFERRED: f64 = 0.03;
    /// Of the cases a town handles and moves on, the share escalated to the district (a village
    /// always escalates to its town; the district always transfers).
    pub const TOWN_ESCALATES: f64 = 0.3;
    /// Disputes screened (排查) before mediation starts.
    pub const SCREENED: f64 = 0.6;
    /// Complaints and requests for help that are mediated; the others are answered.
    pub const COMPLAINTS_MEDIATED: f64 = 0.5;
    pub const HELP_MEDIATED: f64 = 0.3;
    /// Mediation sessions per mediated case.
    pub const SESSIONS: (u32, u32) = (1, 3);
    /// Disputes that sign a written agreement (调解协议), with this many terms.
    pub const AGREEMENT: f64 = 0.45;
    pub const TERMS: (usize, usize) = (1, 3);
    /// Days from signing to a term's due date.
    pub const TERM_DUE_DAYS: (u64, u64) = (7, 60);
    /// Agreements sent to the court for judicial confirmation (司法确认).
    pub const JUDICIAL_CONFIRMATION: f64 = 0.1;
    /// Terms found honoured when checked (履约回访), after they fall due.
    pub const HONOURED: f64 = 0.9;
    /// How a mediation without a written agreement ends (weights). Arbitration is for labour
    /// matters; others so referred go to court.
    pub const OUTCOMES: [(Outcome, u32); 5] = [
        (Outcome::AgreementReached, 55),
        (Outcome::NoAgreement, 14),
        (Outcome::ReferredToCourt, 14),
        (Outcome::ReferredToArbitration, 8),
        (Outcome::Withdrawn, 9),
    ];
    /// Mediations resolved after the deadline; of those, the share that asked for an extension
    /// first (approved at this rate).
    pub const RESOLVED_LATE: f64 = 0.08;
    pub const EXTENSION_ASKED: f64 = 0.35;
    pub const EXTENSION_APPROVED: f64 = 0.9;
    /// Mediations paused while waiting on a party (等待当事人), for this many working days.
    pub const PAUSED: f64 = 0.03;
    pub const PAUSE_DAYS: (f64, f64) = (2.0, 8.0);
    /// Co-handlers that complete their task before the case is resolved.
    pub const TASK_DONE: f64 = 0.9;
    /// Follow-ups (回访) made after their deadline; parties not reached.
    pub const FOLLOW_UP_LATE: f64 = 0.05;
    pub const UNREACHABLE: f64 = 0.08;
    /// Weights of the ratings 1 to 5: one party in twenty rates 1–2, which reopens the case.
    pub const SATISFACTION: [u32; 5] = [2, 3, 8, 25, 62];
    /// Disputes that later turn criminal (民转刑): most among neighbours, families and unpaid
    /// workers (about 0.2% of disputes in all); some of them homicides; this many days after
    /// receipt.
    pub const CRIME_RISKY: f64 = 0.007;
    pub const CRIME_OTHER: f64 = 0.0008;
    pub const CRIME_RISKY_CATEGORIES: [&str; 3] = ["neighbour", "marriage_family", "wage_arrears"];
    pub const HOMICIDE: f64 = 0.15;
    pub const CRIME_DAYS: (i64, i64) = (2, 120);
    /// Records that the matcher links to an earlier open case of the same town and category
    /// received within this many days (one case per matter), when there is one; links a clerk
    /// then confirms.
    pub const LINKED: f64 = 0.04;
    pub const LINK_WITHIN_DAYS: i64 = 14;
    pub const LINK_CONFIRMED: f64 = 0.7;
    /// Cases received in the last this many days that wait at some stage (the backlog every
    /// ledger has), and the stages they wait at (weights).
    pub const BACKLOG_DAYS: i64 = 30;
    pub const BACKLOG: f64 = 0.12;
    pub const BACKLOG_STAGES: [(CaseStatus, u32); 7] = [
        (CaseStatus::Registered, 1),
        (CaseStatus::Routed, 2),
        (CaseStatus::Returned, 2),
        (CaseStatus::Accepted, 2),
        (CaseStatus::Screening, 2),
        (CaseStatus::Mediating, 3),
        (CaseStatus::Resolved, 2),
    ];
    /// The working day, Beijing time.
    pub const DAY_START: (u32, u32) = (8, 30);
    pub const DAY_HOURS: f64 = 9.0;
}

use realism::*;

/// What the workflow decides with, besides the case and the time.
pub struct World<'a> {
    pub rules: &'a Rules,
    pub directory: &'a DepartmentDirectory,
    pub gazetteer: &'a Gazetteer,
    /// Gives a category's lead department.
    pub taxonomy: &'a Taxonomy,
}

impl<'a> World<'a> {
    pub fn of(ledger: &'a Ledger) -> Self {
        World {
            rules: &ledger.rules,
            directory: &ledger.departments,
            gazetteer: &ledger.gazetteer,
            taxonomy: ledger.analyzer.taxonomy(),
        }
    }

    /// The context of a decision on `case` at `now`, as the web edge builds it.
    fn context(&self, case: &Case, now: DateTime<Utc>) -> Context<'a> {
        let category_lead = case
            .record
            .category
            .as_deref()
            .and_then(|code| self.taxonomy.get(code))
            .and_then(|c| c.department.as_deref());
        Context {
            now,
            calendar: &self.rules.calendar,
            deadlines: &self.rules.deadlines,
            rules: &self.rules.routing,
            directory: self.directory,
            gazetteer: self.gazetteer,
            category_lead,
        }
    }

    fn calendar(&self) -> &WorkCalendar {
        &self.rules.calendar
    }
}

/// The simulated histories.
#[derive(Debug, Clone, PartialEq)]
pub struct Histories {
    /// Every event after registration, grouped by case (in the order the cases were given) and
    /// in order of time within a case.
    pub events: Vec<HistoricalEvent>,
    /// Steps the workflow refused: a bug of the simulator (the case's history stops there).
    pub refused: Vec<String>,
}

/// The histories of `cases` (as registered) up to `end`, drawn from `seed`.
pub fn simulate(world: &World<'_>, cases: &[Case], seed: u64, end: DateTime<Utc>) -> Histories {
    let mut order: Vec<usize> = (0..cases.len()).collect();
    order.sort_by_key(|&i| (cases[i].record.received_at, cases[i].id));
    let mut walked: Vec<Option<Walked>> = (0..cases.len()).map(|_| None).collect();
    let mut attached: Vec<Vec<Later>> = (0..cases.len()).map(|_| Vec::new()).collect();
    let mut refused = Vec::new();
    // Earlier cases by town and category, for the matcher's links.
    let mut recent: HashMap<(Option<shanzhi_core::RegionCode>, Option<String>), Vec<usize>> = HashMap::new();
    for i in order {
        let case = &cases[i];
        let mut rng = rng_for(seed, case);
        let mut walk = Walk::new(world, case.clone(), end, &mut refused);
        let key = (case.record.region.town(), case.record.category.clone());
        let primary = if rng.random_bool(LINKED) {
            primary_for(case, recent.get(&key).map(Vec::as_slice).unwrap_or_default(), cases, &walked)
        } else {
            None
        };
        match primary {
            Some(p) => {
                if let Some(later) =
                    walk.link(&mut rng, &Candidate { status: status_at(&walked, p, case), ..Candidate::of(&cases[p]) })
                {
                    attached[p].push(later);
                }
            }
            None => {
                // The walk ends where the simulated time does, or at a refused step.
                let _ = walk.run(&mut rng);
            }
        }
        recent.entry(key).or_default().push(i);
        walked[i] = Some(walk.finish());
    }
    let mut events = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let mut walk = walked[i].take().expect("every case is walked");
        walk.later.append(&mut attached[i]);
        events.extend(merge(world, case, walk, end, &mut refused));
    }
    Histories { events, refused }
}

/// The ChaCha stream of one case: the demo's seed, and the case's key in the ledger.
fn rng_for(seed: u64, case: &Case) -> ChaCha8Rng {
    // FNV-1a: stable across platforms and Rust versions, unlike the standard hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in case.record.channel.code().bytes().chain([0]).chain(case.record.external_id.as_str().bytes()) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(hash);
    rng
}

/// The case's status at the time `record` arrives, from its walk.
fn status_at(walked: &[Option<Walked>], primary: usize, record: &Case) -> CaseStatus {
    let walk = walked[primary].as_ref().expect("earlier cases are walked first");
    walk.events
        .iter()
        .zip(&walk.statuses)
        .take_while(|(e, _)| e.at <= record.record.received_at)
        .last()
        .map_or(CaseStatus::Registered, |(_, s)| *s)
}

/// The most recent earlier case of the same town and category that the record may join: not
/// itself linked, received within [`LINK_WITHIN_DAYS`], and still being handled.
fn primary_for(record: &Case, earlier: &[usize], cases: &[Case], walked: &[Option<Walked>]) -> Option<usize> {
    let since = record.record.received_at - TimeDelta::days(LINK_WITHIN_DAYS);
    earlier.iter().rev().copied().take_while(|&p| cases[p].record.received_at >= since).find(|&p| {
        let walk = walked[p].as_ref().expect("earlier cases are walked first");
        let linked = walk.events.iter().any(|e| matches!(e.kind, EventKind::Linked { .. }));
        !linked
            && cases[p].id != record.id
            && !matches!(status_at(walked, p, record), CaseStatus::Resolved | CaseStatus::Closed | CaseStatus::Merged)
    })
}

/// Why a walk stopped.
enum Stop {
    /// The simulated time reached the end, or the case waits in the backlog.
    End,
    /// The workflow refused a step (recorded in `refused`).
    Refused,
}

/// An event decided later than the walk: on the case as it stands at `at`, when the histories
/// are merged (term checks, judicial confirmation, a crime), or given (a primary's record of a
/// link).
struct Later {
    at: DateTime<Utc>,
    actor: String,
    step: LaterStep,
}

enum LaterStep {
    Act(Action),
    Event(EventKind),
}

/// A walk's result: its events (with the status after each) and what is decided later.
struct Walked {
    events: Vec<CaseEvent>,
    statuses: Vec<CaseStatus>,
    later: Vec<Later>,
}

struct Walk<'w, 'r> {
    world: &'w World<'w>,
    case: Case,
    end: DateTime<Utc>,
    /// The time of the last event.
    now: DateTime<Utc>,
    events: Vec<CaseEvent>,
    statuses: Vec<CaseStatus>,
    later: Vec<Later>,
    /// The stage at which the case waits, when it is in the backlog.
    waits_at: Option<CaseStatus>,
    /// Who mediates the case (the same person at every session).
    mediator: String,
    refused: &'r mut Vec<String>,
}

impl<'w, 'r> Walk<'w, 'r> {
    fn new(world: &'w World<'w>, case: Case, end: DateTime<Utc>, refused: &'r mut Vec<String>) -> Self {
        let now = case.record.received_at;
        Walk {
            world,
            case,
            end,
            now,
            events: Vec::new(),
            statuses: Vec::new(),
            later: Vec::new(),
            waits_at: None,
            mediator: String::new(),
            refused,
        }
    }

    fn finish(self) -> Walked {
        Walked { events: self.events, statuses: self.statuses, later: self.later }
    }

    fn calendar(&self) -> &'w WorkCalendar {
        self.world.calendar()
    }

    /// Decides `action` at `at` (or at the last event's time, if later) and applies its event.
    fn act(&mut self, at: DateTime<Utc>, actor: &str, action: Action) -> Result<(), Stop> {
        let at = at.max(self.now);
        if at >= self.end {
            return Err(Stop::End);
        }
        match workflow::decide(&self.case, &action, &self.world.context(&self.case, at)) {
            Ok(kind) => {
                self.push(at, actor, kind);
                Ok(())
            }
            Err(e) => {
                self.refused.push(format!("case {}: `{}` at {at}: {e}", self.case.id, action.code()));
                Err(Stop::Refused)
            }
        }
    }

    fn push(&mut self, at: DateTime<Utc>, actor: &str, kind: EventKind) {
        let event = CaseEvent { case_id: self.case.id, seq: self.case.version + 1, at, actor: actor.to_owned(), kind };
        self.case.apply(&event);
        self.events.push(event);
        self.statuses.push(self.case.status);
        self.now = at;
    }

    /// Stops the walk when the case waits at `stage`.
    fn wait_at(&self, stage: CaseStatus) -> Result<(), Stop> {
        if self.waits_at == Some(stage) { Err(Stop::End) } else { Ok(()) }
    }

    fn later(&mut self, at: DateTime<Utc>, actor: String, action: Action) {
        if at < self.end {
            self.later.push(Later { at, actor, step: LaterStep::Act(action) });
        }
    }

    /// The record joins `primary` at intake (the matcher's link), and a clerk may confirm it;
    /// returns the primary's side of the link.
    fn link(&mut self, rng: &mut ChaCha8Rng, primary: &Candidate) -> Option<Later> {
        let at = self.now + TimeDelta::minutes(rng.random_range(1..10));
        if at >= self.end {
            return None;
        }
        let why = "自动关联：同一镇街同类事项，两周内再次反映";
        match workflow::link(&self.case, primary, Relation::SameMatter, why, false) {
            Ok((linked, attached)) => {
                self.push(at, "intake:matcher", linked);
                if rng.random_bool(LINK_CONFIRMED) {
                    let confirmed = add_hours(self.calendar(), at, rng.random_range(0.5..16.0));
                    if confirmed < self.end
                        && let Ok(kind) = workflow::confirm_link(&self.case)
                    {
                        let clerk = self.dispatcher();
                        self.push(confirmed, &clerk, kind);
                    }
                }
                Some(Later { at, actor: "intake:matcher".into(), step: LaterStep::Event(attached) })
            }
            Err(e) => {
                self.refused.push(format!("case {}: link to {}: {e}", self.case.id, primary.id));
                None
            }
        }
    }

    /// The case's walk from intake to its last follow-up, or as far as the time goes.
    fn run(&mut self, rng: &mut ChaCha8Rng) -> Result<(), Stop> {
        let received = self.case.record.received_at;
        if received >= self.end - TimeDelta::days(BACKLOG_DAYS) && rng.random_bool(BACKLOG) {
            self.waits_at = Some(weighted(rng, &BACKLOG_STAGES));
        }
        self.mediator =
            format!("调解员{}某", ["李", "王", "陈", "沈", "俞", "徐", "钱", "姚"].choose(rng).expect("surnames"));
        self.crime(rng);
        self.wait_at(CaseStatus::Registered)?;

        // 分流, within hours.
        let dispatcher = self.dispatcher();
        let at = add_hours(self.calendar(), received, rng.random_range(ROUTE_HOURS.0..ROUTE_HOURS.1));
        self.act(at, &dispatcher, Action::Route { lead: None, co_handlers: None, level: None, reason: None })?;

        // 退回, then routed again to another department.
        if self.waits_at == Some(CaseStatus::Returned) || rng.random_bool(RETURNED) {
            let at = self.stage_time(rng);
            let lead = self.lead();
            let reason = *["不属于本单位职责范围", "当事人住所不在本辖区", "事项涉及多个部门，需统筹协调"]
                .choose(rng)
                .expect("reasons");
            self.act(at, &handler(&lead), Action::Return { department: lead.clone(), reason: reason.into() })?;
            self.wait_at(CaseStatus::Returned)?;
            if let Some((other, level)) = self.other_department(rng, false) {
                let at = self.stage_time(rng);
                let reason = format!("原承办单位退回（{reason}），改由{other}承办");
                let route =
                    Action::Route { lead: Some(other), co_handlers: None, level: Some(level), reason: Some(reason) };
                self.act(at, &dispatcher, route)?;
            } else {
                let at = self.stage_time(rng);
                self.act(at, &dispatcher, Action::Route { lead: None, co_handlers: None, level: None, reason: None })?;
            }
        }
        self.wait_at(CaseStatus::Routed)?;
        self.accept(rng)?;

        // Escalated (上提) or transferred (移交) once, then accepted by the new lead.
        if rng.random_bool(ESCALATED_OR_TRANSFERRED) {
            let at = add_hours(self.calendar(), self.now, rng.random_range(1.0..18.0));
            let level = self.case.workflow.routing.as_ref().map_or(RegionLevel::Town, |r| r.level);
            let lead = self.lead();
            let escalate = match level {
                RegionLevel::Village => true,
                RegionLevel::Town => rng.random_bool(TOWN_ESCALATES),
                RegionLevel::District => false,
            };
            let moved = if escalate {
                Some(Action::Escalate {
                    level: None, reason: "矛盾较复杂，本级调处难度大，申请上级协调".into()
                })
            } else {
                self.other_department(rng, true)
                    .map(|(department, _)| Action::Transfer {
                        department, reason: "事项更适合由该部门牵头办理".into()
                    })
            };
            if let Some(action) = moved {
                self.act(at, &handler(&lead), action)?;
                self.accept(rng)?;
            }
        }
        self.wait_at(CaseStatus::Accepted)?;

        let kind = self.case.record.kind.unwrap_or(self.case.workflow.kind);
        let mediated = match kind {
            CaseKind::Dispute => true,
            CaseKind::Complaint => rng.random_bool(COMPLAINTS_MEDIATED),
            CaseKind::HelpRequest => rng.random_bool(HELP_MEDIATED),
            CaseKind::Consultation | CaseKind::Suggestion => false,
        };
        if mediated {
            self.mediate(rng, kind == CaseKind::Dispute)?;
        } else {
            // Answered within the stage's deadline (or late).
            let at = self.stage_time(rng);
            let summary = *["已电话答复当事人，当事人表示理解", "已书面答复", "已当面解释相关政策"]
                .choose(rng)
                .expect("summaries");
            self.act(
                at,
                &handler(&self.lead()),
                Action::Resolve { outcome: Outcome::Answered, summary: summary.into() },
            )?;
        }
        self.wait_at(CaseStatus::Resolved)?;

        // 回访; a rating of 1–2 reopens the case, which is mediated and followed up again.
        if self.follow_up(rng, true)? {
            self.mediation_rounds(rng, 0, 2, false)?;
            self.follow_up(rng, false)?;
        }
        Ok(())
    }

    /// 签收 by the lead department: within the stage's deadline, or late.
    fn accept(&mut self, rng: &mut ChaCha8Rng) -> Result<(), Stop> {
        let at = self.stage_time(rng);
        let lead = self.lead();
        self.act(at, &handler(&lead), Action::Accept { department: lead.clone() })
    }

    /// Screening (disputes, often), mediation sessions, the co-handlers' tasks, perhaps an
    /// agreement, and the resolution.
    fn mediate(&mut self, rng: &mut ChaCha8Rng, dispute: bool) -> Result<(), Stop> {
        let lead = self.lead();
        if dispute && (self.waits_at == Some(CaseStatus::Screening) || rng.random_bool(SCREENED)) {
            let at = self.stage_time(rng);
            self.act(at, &handler(&lead), Action::StartScreening)?;
            self.wait_at(CaseStatus::Screening)?;
        } else if self.waits_at == Some(CaseStatus::Screening) {
            return Err(Stop::End);
        }
        let at = self.stage_time(rng);
        self.act(at, &handler(&lead), Action::StartMediation)?;
        self.wait_at(CaseStatus::Mediating)?;
        self.mediation_rounds(rng, SESSIONS.0, SESSIONS.1, dispute)
    }

    /// Mediation from where the case stands (mediating, with a running clock) to its resolution:
    /// `min..=max` sessions, the co-handlers' tasks, a pause or an extension now and then, and
    /// a written agreement for some disputes.
    fn mediation_rounds(&mut self, rng: &mut ChaCha8Rng, min: u32, max: u32, dispute: bool) -> Result<(), Stop> {
        let lead = self.lead();
        let mut due = self.due();
        let mut late = rng.random_bool(RESOLVED_LATE);
        if late && rng.random_bool(EXTENSION_ASKED) {
            let asked = add_hours(self.calendar(), self.now.max(due - TimeDelta::days(2)), rng.random_range(0.0..4.0));
            let request = Action::RequestExtension {
                working_days: rng.random_range(5..=15),
                reason: "当事人分歧较大，需要更多时间调解".into(),
                requested_by: handler(&lead),
            };
            self.act(asked, &handler(&lead), request)?;
            let decided = add_hours(self.calendar(), self.now, rng.random_range(1.0..9.0));
            let approve = rng.random_bool(EXTENSION_APPROVED);
            let reason = if approve { "同意延期" } else { "不同意延期，请加快办理" };
            self.act(decided, &self.dispatcher(), Action::DecideExtension { approve, reason: reason.into() })?;
            due = self.due();
            late = !approve;
        }
        let mut resolve_at = if late {
            add_hours(self.calendar(), due, rng.random_range(LATE_DAYS.0..LATE_DAYS.1 * 3.0) * DAY_HOURS)
        } else {
            on_time(self.calendar(), rng, self.now, due, (0.3, 0.95))
        };
        if rng.random_bool(PAUSED) {
            let paused = on_time(self.calendar(), rng, self.now, resolve_at, (0.1, 0.5));
            self.act(paused, &handler(&lead), Action::Pause { reason: "等待当事人提供材料".into() })?;
            let days = rng.random_range(PAUSE_DAYS.0..PAUSE_DAYS.1);
            let resumed = add_hours(self.calendar(), self.now, days * DAY_HOURS);
            self.act(resumed, &handler(&lead), Action::Resume)?;
            resolve_at = add_hours(self.calendar(), resolve_at.max(self.now), days * DAY_HOURS);
        }

        // Sessions and tasks between now and the resolution, in order of time.
        enum Step {
            Session(bool),
            Task(String),
        }
        let mut steps: Vec<(DateTime<Utc>, Step)> = Vec::new();
        let sessions = rng.random_range(min..=max);
        for n in 0..sessions {
            let at = on_time(self.calendar(), rng, self.now, resolve_at, (0.05, 0.95));
            steps.push((at, Step::Session(n + 1 == sessions)));
        }
        let tasks: Vec<String> = self
            .case
            .workflow
            .routing
            .iter()
            .flat_map(|r| &r.co_handlers)
            .filter(|t| t.done_at.is_none())
            .map(|t| t.department.clone())
            .collect();
        for department in tasks {
            if rng.random_bool(TASK_DONE) {
                steps.push((on_time(self.calendar(), rng, self.now, resolve_at, (0.05, 0.9)), Step::Task(department)));
            }
        }
        steps.sort_by_key(|(at, _)| *at);
        let mut last_session = None;
        for (at, step) in steps {
            match step {
                Step::Session(last) => {
                    let held = at - TimeDelta::minutes(rng.random_range(0..90));
                    let action = Action::RecordSession {
                        at: Some(held.max(self.now)),
                        place: self.place(),
                        participants: self.participants(),
                        outcome: (*if last {
                            ["双方就主要问题达成共识", "调解员释法明理，双方各退一步", "双方意见仍有分歧"]
                        } else {
                            ["双方陈述各自诉求，分歧较大", "初步达成调解意向", "当事人同意回去考虑"]
                        }
                        .choose(rng)
                        .expect("outcomes"))
                        .into(),
                    };
                    self.act(at, &handler(&lead), action)?;
                    last_session = Some(at);
                }
                Step::Task(department) => {
                    let note = "已完成本部门协办事项".to_owned();
                    self.act(at, &handler(&department), Action::CompleteTask { department, note: Some(note) })?;
                }
            }
        }

        let agreement = dispute && rng.random_bool(AGREEMENT);
        if agreement {
            let at = last_session.unwrap_or(self.now) + TimeDelta::minutes(rng.random_range(10..120));
            let at = at.min(resolve_at).max(self.now);
            let terms = self.terms(rng, local_date(at));
            self.act(at, &handler(&lead), Action::RecordAgreement { signed_at: Some(at), terms })?;
            self.checks(rng);
        }
        let outcome = if agreement {
            Outcome::AgreementReached
        } else {
            let labour = matches!(
                self.case.record.category.as_deref(),
                Some("wage_arrears" | "labour_contract" | "work_injury")
            );
            match weighted(rng, &OUTCOMES) {
                Outcome::ReferredToArbitration if !labour => Outcome::ReferredToCourt,
                outcome => outcome,
            }
        };
        let summary = match outcome {
            Outcome::AgreementReached if agreement => "签订调解协议，约定履行期限，矛盾化解",
            Outcome::AgreementReached => "经调解双方达成口头和解，矛盾化解",
            Outcome::NoAgreement => "经多次调解双方未能达成一致，已告知其他救济途径",
            Outcome::ReferredToCourt => "调解不成，引导当事人依法向人民法院起诉",
            Outcome::ReferredToArbitration => "调解不成，引导当事人申请劳动人事争议仲裁",
            Outcome::Withdrawn => "申请人撤回调解申请",
            Outcome::Answered => "已答复当事人",
        };
        self.act(resolve_at, &handler(&lead), Action::Resolve { outcome, summary: summary.into() })
    }

    /// 回访 within the follow-up deadline (or late): not reached, or a rating. Returns whether
    /// the rating reopened the case. After a reopening (`first` false) the rating is 3 or more.
    fn follow_up(&mut self, rng: &mut ChaCha8Rng, first: bool) -> Result<bool, Stop> {
        let due = self.due();
        let at = if rng.random_bool(FOLLOW_UP_LATE) {
            add_hours(self.calendar(), due, rng.random_range(LATE_DAYS.0..LATE_DAYS.1) * DAY_HOURS)
        } else {
            on_time(self.calendar(), rng, self.now, due, (0.2, 0.95))
        };
        let satisfaction = if rng.random_bool(UNREACHABLE) {
            None
        } else {
            let weights = if first { SATISFACTION } else { [0, 0, 1, 3, 6] };
            let ratings: Vec<(u8, u32)> = (1..=5).zip(weights).collect();
            Some(weighted(rng, &ratings))
        };
        let comment = match satisfaction {
            None => "多次联系未接通",
            Some(5) => "对处理结果满意",
            Some(4) => "基本满意",
            Some(3) => "一般，希望今后处理更及时",
            Some(_) => "问题未实际解决，要求继续处理",
        };
        let actor = format!("followup:{}", self.dispatcher_name());
        self.act(at, &actor, Action::FollowUp { satisfaction, comment: Some(comment.into()) })?;
        Ok(self.case.status == CaseStatus::Mediating)
    }

    /// The checks of the agreement's terms after they fall due, and its judicial confirmation:
    /// decided when the histories are merged, on the case as it then stands.
    fn checks(&mut self, rng: &mut ChaCha8Rng) {
        let Some(agreement) = self.case.workflow.agreement.clone() else { return };
        let actor = format!("followup:{}", self.dispatcher_name());
        for (term, t) in agreement.terms.iter().enumerate() {
            let Some(check_on) = t.check_on else { continue };
            let at = add_hours(self.calendar(), day_start(check_on), rng.random_range(0.0..3.0 * DAY_HOURS));
            let honoured = rng.random_bool(HONOURED);
            let note = if honoured { "已按约定履行" } else { "未按期履行，已督促履行" };
            self.later(at, actor.clone(), Action::CheckTerm { term, honoured, note: Some(note.into()) });
        }
        if rng.random_bool(JUDICIAL_CONFIRMATION) {
            let lead = self.lead();
            let asked = add_hours(self.calendar(), self.now, rng.random_range(1.0..5.0) * DAY_HOURS);
            let granted = add_hours(self.calendar(), asked, rng.random_range(5.0..15.0) * DAY_HOURS);
            self.later(asked, handler(&lead), Action::RequestJudicialConfirmation { court: None });
            self.later(granted, handler(&lead), Action::RecordJudicialConfirmation);
        }
    }

    /// 民转刑, for the few disputes that turn criminal: decided when the histories are merged.
    fn crime(&mut self, rng: &mut ChaCha8Rng) {
        let kind = self.case.record.kind.unwrap_or(self.case.workflow.kind);
        let risky = self.case.record.category.as_deref().is_some_and(|c| CRIME_RISKY_CATEGORIES.contains(&c));
        if kind != CaseKind::Dispute || !rng.random_bool(if risky { CRIME_RISKY } else { CRIME_OTHER }) {
            return;
        }
        let at = self.case.record.received_at
            + TimeDelta::days(rng.random_range(CRIME_DAYS.0..CRIME_DAYS.1))
            + TimeDelta::minutes(rng.random_range(0..24 * 60));
        let (incident, reason) = if rng.random_bool(HOMICIDE) {
            (Incident::Homicide, "矛盾激化引发命案，公安机关已立案侦查")
        } else {
            (Incident::Criminal, "矛盾激化发生故意伤害，公安机关已立案侦查")
        };
        let actor = format!("police:{}", self.town_department(DepartmentKind::PoliceStation).unwrap_or_default());
        self.later(at, actor, Action::RecordCrime { incident: Some(incident), reason: reason.into() });
    }

    /// The time of the next stage step: within the running clock's deadline, or late.
    fn stage_time(&self, rng: &mut ChaCha8Rng) -> DateTime<Utc> {
        let due = self.due();
        if rng.random_bool(STAGE_LATE) {
            add_hours(self.calendar(), due, rng.random_range(LATE_DAYS.0..LATE_DAYS.1) * DAY_HOURS)
        } else {
            on_time(self.calendar(), rng, self.now, due, (0.05, 0.9))
        }
    }

    /// The running clock's deadline (a day from now when there is none).
    fn due(&self) -> DateTime<Utc> {
        self.case.workflow.clock.as_ref().map_or(self.now + TimeDelta::days(1), |c| c.due_at)
    }

    fn lead(&self) -> String {
        self.case.workflow.routing.as_ref().map(|r| r.lead.clone()).unwrap_or_default()
    }

    fn town_department(&self, kind: DepartmentKind) -> Option<String> {
        let town = self.case.record.region.town()?;
        self.world.directory.for_town(kind, town).map(|d| d.name.clone())
    }

    /// The district's mediation centre.
    fn district_centre(&self) -> Option<String> {
        let district = self.case.record.region.district();
        self.world
            .directory
            .iter()
            .find(|d| d.kind == DepartmentKind::MediationCentre && d.region == district)
            .map(|d| d.name.clone())
    }

    fn dispatcher_name(&self) -> String {
        self.town_department(DepartmentKind::MediationCentre).or_else(|| self.district_centre()).unwrap_or_default()
    }

    fn dispatcher(&self) -> String {
        format!("dispatcher:{}", self.dispatcher_name())
    }

    /// Another department than the lead to route or transfer the case to, at the lead's level
    /// (the town's offices, or the district's centre and the category's department); with
    /// `same_level_only` never a higher level.
    fn other_department(&self, rng: &mut ChaCha8Rng, same_level_only: bool) -> Option<(String, RegionLevel)> {
        let routing = self.case.workflow.routing.as_ref()?;
        let town_offices = [
            DepartmentKind::MediationCommittee,
            DepartmentKind::JusticeOffice,
            DepartmentKind::MediationCentre,
            DepartmentKind::PoliceStation,
        ];
        let candidates: Vec<String> = match routing.level {
            RegionLevel::District => {
                let category_lead = self
                    .case
                    .record
                    .category
                    .as_deref()
                    .and_then(|code| self.world.taxonomy.get(code))
                    .and_then(|c| c.department.clone());
                self.district_centre().into_iter().chain(category_lead).collect()
            }
            RegionLevel::Town => town_offices.iter().filter_map(|k| self.town_department(*k)).collect(),
            RegionLevel::Village if same_level_only => Vec::new(),
            RegionLevel::Village => town_offices[..2].iter().filter_map(|k| self.town_department(*k)).collect(),
        };
        let candidates: Vec<(String, RegionLevel)> = candidates
            .into_iter()
            .filter(|name| *name != routing.lead)
            .filter_map(|name| {
                let level = self.world.directory.get(&name)?.level;
                (!same_level_only || level >= routing.level).then_some((name, level))
            })
            .collect();
        candidates.choose(rng).cloned()
    }

    /// Where the lead mediates: the village's mediation room, the town's centre, or the district's.
    fn place(&self) -> String {
        let region = self.case.record.region;
        let level = self.case.workflow.routing.as_ref().map_or(RegionLevel::Town, |r| r.level);
        let village = self.world.gazetteer.region(region).filter(|r| r.level() == RegionLevel::Village);
        let town = region.town().and_then(|t| self.world.gazetteer.region(t));
        let lead = self.lead();
        let department = self.world.directory.get(&lead);
        match (level, village, town) {
            (RegionLevel::Village, Some(village), _) => format!("{}调解室", village.short_name),
            (_, _, _) if department.is_some_and(|d| d.kind == DepartmentKind::PoliceStation) => {
                format!("{}调解室", department.and_then(|d| d.short_name.clone()).unwrap_or(lead))
            }
            (RegionLevel::Town, _, Some(town)) => format!("{}矛调中心调解室", town.official_name),
            _ => "区矛调中心调解室".into(),
        }
    }

    /// The parties (their names as the ledger keeps them, masked) and the mediator.
    fn participants(&self) -> Vec<String> {
        let mut names: Vec<String> = self.case.record.parties.iter().filter_map(|p| p.name.clone()).collect();
        names.push(self.mediator.clone());
        names
    }

    /// 1–3 terms: a payment (part of the sum at stake, or a modest one) and undertakings.
    fn terms(&self, rng: &mut ChaCha8Rng, signed: NaiveDate) -> Vec<TermInput> {
        let count = rng.random_range(TERMS.0..=TERMS.1);
        let payer = self
            .case
            .record
            .parties
            .iter()
            .find(|p| p.role == PartyRole::Respondent)
            .and_then(|p| p.name.clone())
            .unwrap_or_else(|| "被申请人".into());
        let at_stake = self.case.record.amount.map_or(0, Yuan::fen);
        let total_fen = if at_stake > 0 {
            (at_stake as f64 * rng.random_range(0.4..1.0)) as i64
        } else {
            rng.random_range(5..200) * 10_000
        };
        // Whole hundreds of yuan.
        let total_fen = (total_fen / 10_000).max(1) * 10_000;
        let due = |rng: &mut ChaCha8Rng| signed + Days::new(rng.random_range(TERM_DUE_DAYS.0..=TERM_DUE_DAYS.1));
        let mut terms = Vec::with_capacity(count);
        let instalments = if count >= 2 && rng.random_bool(0.5) { 2 } else { 1 };
        let mut first_due = due(rng);
        for n in 0..instalments {
            let fen = if instalments == 1 { total_fen } else { (total_fen / 20_000) * 10_000 };
            let yuan = fen / 100;
            let what = if instalments == 1 {
                "一次性支付"
            } else if n == 0 {
                "支付首期"
            } else {
                "支付余款"
            };
            terms.push(TermInput {
                text: format!("{payer}于{}前{what}{yuan}元", first_due.format("%Y年%-m月%-d日")),
                amount_yuan: Yuan::from_fen(fen).ok(),
                due: Some(first_due),
            });
            first_due = first_due + Days::new(30);
        }
        let undertakings =
            ["双方互不追究，今后和睦相处", "双方不再就此事发生争执", "清理占用的公共区域", "按约定时间完成整改"];
        for text in undertakings.choose_multiple(rng, count.saturating_sub(instalments)) {
            let due = rng.random_bool(0.3).then(|| due(rng));
            terms.push(TermInput { text: (*text).into(), amount_yuan: None, due });
        }
        terms
    }
}

/// `handler:` and the department's name: who acts for a department.
fn handler(department: &str) -> String {
    format!("handler:{department}")
}

/// A value drawn by weight.
fn weighted<T: Copy>(rng: &mut ChaCha8Rng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total.max(1));
    for (value, weight) in choices {
        if pick < *weight {
            return *value;
        }
        pick -= weight;
    }
    choices[choices.len() - 1].0
}

/// A case's walk merged with what was decided later, in order of time (the walk's event first
/// at the same instant); each later step is decided on the case as it stands then.
fn merge(
    world: &World<'_>,
    registered: &Case,
    walk: Walked,
    end: DateTime<Utc>,
    refused: &mut Vec<String>,
) -> Vec<HistoricalEvent> {
    let mut later: Vec<Later> = walk.later.into_iter().filter(|l| l.at < end).collect();
    later.sort_by_key(|l| l.at);
    let mut later = later.into_iter().peekable();
    let mut steps: Vec<Later> = Vec::with_capacity(walk.events.len() + later.len());
    for event in walk.events {
        steps.extend(std::iter::from_fn(|| later.next_if(|l| l.at < event.at)));
        steps.push(Later { at: event.at, actor: event.actor, step: LaterStep::Event(event.kind) });
    }
    steps.extend(later);

    let mut case = registered.clone();
    let mut out = Vec::with_capacity(steps.len());
    for step in steps {
        let kind = match step.step {
            LaterStep::Event(kind) => kind,
            LaterStep::Act(action) => match workflow::decide(&case, &action, &world.context(&case, step.at)) {
                Ok(kind) => kind,
                Err(e) => {
                    refused.push(format!("case {}: `{}` at {}: {e}", case.id, action.code(), step.at));
                    continue;
                }
            },
        };
        let event = CaseEvent { case_id: case.id, seq: case.version + 1, at: step.at, actor: step.actor, kind };
        case.apply(&event);
        out.push(HistoricalEvent { case: case.id, at: event.at, actor: event.actor, kind: event.kind });
    }
    out
}

/// A Beijing-time wall clock instant.
fn instant(local: NaiveDateTime) -> DateTime<Utc> {
    (local - TimeDelta::hours(8)).and_utc()
}

fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + TimeDelta::hours(8)
}

fn day_start(day: NaiveDate) -> DateTime<Utc> {
    let (h, m) = DAY_START;
    instant(day.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("a time of day")))
}

fn day_end(day: NaiveDate) -> DateTime<Utc> {
    day_start(day) + TimeDelta::seconds((DAY_HOURS * 3600.0) as i64)
}

/// The first working instant at or after `at`.
fn working(calendar: &WorkCalendar, at: DateTime<Utc>) -> DateTime<Utc> {
    let mut day = local(at).date();
    if calendar.is_working_day(day) {
        if at < day_start(day) {
            return day_start(day);
        }
        if at < day_end(day) {
            return at;
        }
    }
    loop {
        day = day.succ_opt().expect("a date before the end of time");
        if calendar.is_working_day(day) {
            return day_start(day);
        }
    }
}

/// `hours` of working time after `at`.
fn add_hours(calendar: &WorkCalendar, at: DateTime<Utc>, hours: f64) -> DateTime<Utc> {
    let mut at = working(calendar, at);
    let mut left = TimeDelta::seconds((hours.max(0.0) * 3600.0) as i64);
    loop {
        let end = day_end(local(at).date());
        if left <= end - at {
            return at + left;
        }
        left -= end - at;
        at = working(calendar, end);
    }
}

/// The working hours in [from, to).
fn hours_between(calendar: &WorkCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    let mut at = working(calendar, from);
    let mut hours = 0.0;
    while at < to {
        let end = day_end(local(at).date());
        hours += (end.min(to) - at).as_seconds_f64() / 3600.0;
        at = working(calendar, end);
    }
    hours
}

/// A working instant between `from` and `due`, at a share (drawn from `share`) of the working
/// time between them.
fn on_time(
    calendar: &WorkCalendar,
    rng: &mut ChaCha8Rng,
    from: DateTime<Utc>,
    due: DateTime<Utc>,
    share: (f64, f64),
) -> DateTime<Utc> {
    let hours = hours_between(calendar, from, due);
    add_hours(calendar, from, hours * rng.random_range(share.0..share.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> WorkCalendar {
        WorkCalendar::from_csv(shanzhi_core::defaults::CN_PUBLIC_HOLIDAYS).unwrap()
    }

    fn beijing(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        instant(NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap())
    }

    #[test]
    fn working_time_skips_nights_weekends_and_holidays() {
        let c = calendar();
        // Friday 2026-11-20 16:30: one hour left that day, then Monday the 23rd.
        let friday = beijing(2026, 11, 20, 16, 30);
        assert_eq!(add_hours(&c, friday, 0.5), beijing(2026, 11, 20, 17, 0));
        assert_eq!(add_hours(&c, friday, 2.0), beijing(2026, 11, 23, 9, 30));
        assert_eq!(hours_between(&c, friday, beijing(2026, 11, 23, 9, 30)), 2.0);
        // National Day: 1–7 October 2026 are holidays; Mid-Autumn, 25–27 September.
        assert_eq!(working(&c, beijing(2026, 9, 30, 18, 0)), beijing(2026, 10, 8, 8, 30));
        assert_eq!(working(&c, beijing(2026, 9, 24, 23, 0)), beijing(2026, 9, 28, 8, 30));
        assert_eq!(hours_between(&c, friday, friday), 0.0);
    }

    #[test]
    fn weights_choose_in_proportion() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 10_000;
        let fives = (0..n).filter(|_| weighted(&mut rng, &[(1, 1), (5, 3)]) == 5).count();
        assert!((7_200..7_800).contains(&fives), "{fives}");
    }
}
