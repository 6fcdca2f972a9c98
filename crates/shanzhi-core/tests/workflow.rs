//! The mediation workflow seen from a mediation centre: whole lives of cases driven action by
//! action through `decide` and `Case::apply`, with deadlines checked against the holiday
//! calendar by hand, and the matcher's one-case-per-matter judgements.
//!
//! Deadlines here are computed independently of the code under test: a deadline "n working days
//! after" an instant is the end of the n-th working day after the instant's local (+08:00) date,
//! i.e. 00:00 +08:00 of the following day. Working days are read by hand from
//! `data/calendar/cn-public-holidays.csv`; stage lengths from `data/workflow/deadlines.toml`:
//!
//! ```text
//! [stage]  routed 1, accepted 2, screening 3, mediating 15, resolved 5, returned 1
//! [level.village] mediating 10      [level.district] mediating 30
//! [category.wage_arrears] accepted 1, screening 2, mediating 10
//! task_working_days 5
//! ```

use std::sync::OnceLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use shanzhi_core::calendar::WorkCalendar;
use shanzhi_core::workflow::{
    Action, Candidate, Context, DeadlineRules, Incoming, Link, MatchingRules, Outcome, Relation, Routing, RoutingRules,
    TermInput, WorkflowError, case_id_of_number, case_number, decide, is_overdue,
};
use shanzhi_core::{
    Case, CaseEvent, CaseId, CaseStatus, DepartmentDirectory, EventKind, Gazetteer, LedgerRecord, NewCase, PiiKey,
    RecordContext, RegionLevel, RiskLevel, defaults,
};

// ---------------------------------------------------------------------------------------------
// Departments of the default directory (data/departments-yuhang.toml) used below.

const DISTRICT_CENTRE: &str = "杭州市余杭区社会矛盾纠纷调处化解中心";
const LABOUR_INSPECTION: &str = "杭州市余杭区劳动保障监察大队";
const HRSS: &str = "杭州市余杭区人力资源和社会保障局";
const DISTRICT_COURT: &str = "杭州市余杭区人民法院";
const ZT_CENTRE: &str = "中泰街道社会治理中心";
const ZT_COMMITTEE: &str = "中泰街道人民调解委员会";
const ZT_JUSTICE: &str = "杭州市余杭区司法局中泰司法所";
const LZ_CENTRE: &str = "良渚街道社会治理中心";
const LZ_COMMITTEE: &str = "良渚街道人民调解委员会";
const LZ_JUSTICE: &str = "杭州市余杭区司法局良渚司法所";
const LZ_TRIBUNAL: &str = "杭州市余杭区人民法院良渚人民法庭";
/// 良渚街道玉泽社区 (330110010001): not listed, so its committee is named after it.
const YUZE_COMMITTEE: &str = "玉泽社区人民调解委员会";

/// 中泰街道南湖村委会 (a village of a town without a people's tribunal).
const NANHU: &str = "330110014227";
/// 中泰街道.
const ZHONGTAI: &str = "330110014";
/// 良渚街道 (a town with a people's tribunal).
const LIANGZHU: &str = "330110010";
/// 良渚街道玉泽社区.
const YUZE: &str = "330110010001";

// ---------------------------------------------------------------------------------------------
// The world: the embedded data, parsed once.

struct World {
    gazetteer: Gazetteer,
    directory: DepartmentDirectory,
    calendar: WorkCalendar,
    deadlines: DeadlineRules,
    rules: RoutingRules,
    matching: MatchingRules,
    key: PiiKey,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
        let directory = defaults::departments(&gazetteer).unwrap();
        let rules = RoutingRules::from_toml(defaults::ROUTING_RULES, &directory).unwrap();
        World {
            calendar: defaults::calendar().unwrap(),
            deadlines: DeadlineRules::from_toml(defaults::DEADLINE_RULES).unwrap(),
            matching: MatchingRules::from_toml(defaults::MATCHING_RULES).unwrap(),
            key: PiiKey::from_secret("workflow test personal data key").unwrap(),
            gazetteer,
            directory,
            rules,
        }
    })
}

/// An instant written with its offset: `2026-03-09T10:00:00+08:00`.
fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The end of local day `date` (a deadline "by `date`"): 00:00 +08:00 of the next day.
fn end_of(date: &str) -> DateTime<Utc> {
    let next = date.parse::<NaiveDate>().unwrap().succ_opt().unwrap();
    t(&format!("{next}T00:00:00+08:00"))
}

/// A validated case record in status registered, as the ledger registers it.
fn case_from(id: i64, v: Value) -> Case {
    let w = world();
    let raw: LedgerRecord = serde_json::from_value(v).unwrap();
    let record = raw
        .validate(&RecordContext { gazetteer: &w.gazetteer, pii_key: &w.key, now: t("2027-06-01T00:00:00+08:00") })
        .expect("valid test record");
    let NewCase { record, workflow } = NewCase::from(record);
    Case {
        id: CaseId::new(id).unwrap(),
        status: CaseStatus::Registered,
        registered_at: record.received_at,
        version: 1,
        record,
        workflow,
    }
}

/// Wage arrears of 30,000 yuan at 南湖村, 中泰街道: by the rules the town's centre leads and the
/// district's labour inspectorate co-handles (rule `wage_arrears`).
fn wage_arrears_record(external_id: &str, received_at: &str, amount_yuan: u64) -> Value {
    json!({
        "channel": "window", "external_id": external_id, "received_at": received_at, "region": NANHU,
        "text": "申请人在某工地务工，劳务公司拖欠工资至今未付，要求调解。",
        "parties": [
            {"role": "complainant", "name": "王某某", "phone": "13912345678"},
            {"role": "respondent", "name": "杭州某某建筑劳务有限公司", "kind": "organization"}
        ],
        "category": "wage_arrears", "amount_yuan": amount_yuan, "people_count": 12
    })
}

/// A neighbour dispute registered at `region`.
fn neighbour_record(external_id: &str, received_at: &str, region: &str) -> Value {
    json!({
        "channel": "grid", "external_id": external_id, "received_at": received_at, "region": region,
        "text": "楼上住户装修漏水，双方因赔偿发生争执。",
        "parties": [{"role": "complainant", "name": "楼下住户"}],
        "category": "neighbour"
    })
}

/// A contract dispute registered at `region`.
fn contract_record(external_id: &str, received_at: &str, region: &str) -> Value {
    json!({
        "channel": "window", "external_id": external_id, "received_at": received_at, "region": region,
        "text": "双方就装修合同尾款结算发生纠纷，申请调解。",
        "parties": [{"role": "complainant", "name": "李某"}],
        "category": "contract", "amount_yuan": 48000
    })
}

// ---------------------------------------------------------------------------------------------
// Driving a case.

struct Story {
    case: Case,
    now: DateTime<Utc>,
    category_lead: Option<&'static str>,
}

impl Story {
    fn new(case: Case) -> Self {
        let now = case.registered_at;
        Story { case, now, category_lead: None }
    }

    fn with_category_lead(mut self, lead: &'static str) -> Self {
        self.category_lead = Some(lead);
        self
    }

    /// Moves the clock of the story to `at` (an RFC 3339 instant).
    fn at(&mut self, at: &str) -> &mut Self {
        self.now = t(at);
        self
    }

    fn ctx(&self) -> Context<'static> {
        let w = world();
        Context {
            now: self.now,
            calendar: &w.calendar,
            deadlines: &w.deadlines,
            rules: &w.rules,
            directory: &w.directory,
            gazetteer: &w.gazetteer,
            category_lead: self.category_lead,
        }
    }

    fn try_act(&mut self, action: Action) -> Result<EventKind, WorkflowError> {
        let kind = decide(&self.case, &action, &self.ctx())?;
        let event = CaseEvent {
            case_id: self.case.id,
            seq: self.case.version + 1,
            at: self.now,
            actor: "test:clerk".into(),
            kind: kind.clone(),
        };
        self.case.apply(&event);
        assert_eq!(self.case.version, event.seq);
        Ok(kind)
    }

    #[track_caller]
    fn act(&mut self, action: Action) -> EventKind {
        let code = action.code();
        match self.try_act(action) {
            Ok(kind) => kind,
            Err(e) => panic!("`{code}` on a {} case was refused: {e:?}", self.case.status.code()),
        }
    }

    /// The action is refused, and the refusal leaves the case exactly as it was.
    #[track_caller]
    fn refused(&mut self, action: Action) -> WorkflowError {
        let before = self.case.clone();
        let code = action.code();
        let err = match self.try_act(action) {
            Ok(kind) => panic!("`{code}` on a {} case was allowed: {kind:?}", before.status.code()),
            Err(e) => e,
        };
        assert_eq!(self.case, before, "a refused `{code}` changed the case");
        err
    }

    fn status(&self) -> CaseStatus {
        self.case.status
    }

    #[track_caller]
    fn clock(&self) -> (CaseStatus, DateTime<Utc>) {
        let clock = self.case.workflow.clock.as_ref().expect("the case has a running clock");
        (clock.stage, clock.due_at)
    }

    #[track_caller]
    fn routing(&self) -> &Routing {
        self.case.workflow.routing.as_ref().expect("the case is routed")
    }

    fn co_handlers(&self) -> Vec<&str> {
        self.routing().co_handlers.iter().map(|t| t.department.as_str()).collect()
    }

    /// The deadline `days` working days after now, by the calendar.
    fn deadline(&self, days: u32) -> DateTime<Utc> {
        world().calendar.deadline(self.now, days)
    }
}

/// The error code of a refusal; `not_allowed` for a status conflict.
fn code(e: &WorkflowError) -> &'static str {
    match e {
        WorkflowError::NotAllowed { .. } => "not_allowed",
        WorkflowError::Invalid { code, .. } => code,
    }
}

// Actions.

fn route() -> Action {
    Action::Route { lead: None, co_handlers: None, level: None, reason: None }
}

fn route_to(lead: &str, level: Option<RegionLevel>, reason: Option<&str>) -> Action {
    Action::Route { lead: Some(lead.into()), co_handlers: None, level, reason: reason.map(Into::into) }
}

fn accept(department: &str) -> Action {
    Action::Accept { department: department.into() }
}

fn give_back(department: &str, reason: &str) -> Action {
    Action::Return { department: department.into(), reason: reason.into() }
}

fn session() -> Action {
    Action::RecordSession {
        at: None,
        place: "中泰街道社会治理中心调解室".into(),
        participants: vec!["王某某".into(), "劳务公司代表".into()],
        outcome: "双方就欠薪数额达成一致".into(),
    }
}

fn agreement() -> Action {
    Action::RecordAgreement {
        signed_at: None,
        terms: vec![
            TermInput {
                text: "被申请人于2026年3月31日前支付工资15000元".into(),
                amount_yuan: Some("15000".parse().unwrap()),
                due: Some("2026-03-31".parse().unwrap()),
            },
            TermInput {
                text: "余款15000元于2026年4月30日前付清".into(),
                amount_yuan: Some("15000".parse().unwrap()),
                due: Some("2026-04-30".parse().unwrap()),
            },
        ],
    }
}

fn resolve() -> Action {
    Action::Resolve {
        outcome: Outcome::AgreementReached, summary: "双方签订调解协议，分两期支付欠薪".into()
    }
}

fn follow_up(satisfaction: Option<u8>) -> Action {
    Action::FollowUp { satisfaction, comment: Some("电话回访".into()) }
}

fn escalate(level: Option<RegionLevel>) -> Action {
    Action::Escalate { level, reason: "本级调解不成，双方矛盾有激化风险".into() }
}

fn pause() -> Action {
    Action::Pause { reason: "等待当事人返乡后到场".into() }
}

fn request_extension(working_days: u32) -> Action {
    Action::RequestExtension {
        working_days,
        reason: "需等待工程量鉴定结果".into(),
        requested_by: "中泰街道社会治理中心 张调解员".into(),
    }
}

fn decide_extension(approve: bool) -> Action {
    Action::DecideExtension { approve, reason: if approve { "同意延期" } else { "不同意延期" }.into() }
}

fn complete_task(department: &str) -> Action {
    Action::CompleteTask { department: department.into(), note: Some("已完成工资核算".into()) }
}

/// A wage-arrears case at 南湖村, driven to `status` through the workflow (merged by a link).
fn wage_case_in(status: CaseStatus) -> Story {
    let mut s = Story::new(case_from(1, wage_arrears_record("w-1", "2026-03-09T09:00:00+08:00", 30_000)))
        .with_category_lead(HRSS);
    s.at("2026-03-09T10:00:00+08:00");
    let steps: &[Action] = match status {
        CaseStatus::Registered | CaseStatus::Merged => &[],
        CaseStatus::Routed => &[route()],
        CaseStatus::Accepted => &[route(), accept(ZT_CENTRE)],
        CaseStatus::Screening => &[route(), accept(ZT_CENTRE), Action::StartScreening],
        CaseStatus::Mediating => &[route(), accept(ZT_CENTRE), Action::StartMediation],
        CaseStatus::Resolved => &[route(), accept(ZT_CENTRE), Action::StartMediation, resolve()],
        CaseStatus::Closed => &[route(), accept(ZT_CENTRE), Action::StartMediation, resolve(), follow_up(Some(5))],
        CaseStatus::Returned => &[route(), give_back(ZT_CENTRE, "欠薪数额较大，应由区劳动监察处理")],
    };
    for step in steps.iter().cloned() {
        s.act(step);
    }
    if status == CaseStatus::Merged {
        let link = Link {
            primary: CaseId::new(99).unwrap(),
            relation: Relation::SameMatter,
            confirmed: true,
            reason: "同一事项".into(),
        };
        let event = CaseEvent {
            case_id: s.case.id,
            seq: s.case.version + 1,
            at: s.now,
            actor: "test".into(),
            kind: EventKind::Linked { link },
        };
        s.case.apply(&event);
    }
    assert_eq!(s.status(), status);
    s
}

// ---------------------------------------------------------------------------------------------
// 1. A whole life.

#[test]
fn a_wage_arrears_case_lives_from_registration_to_closing() {
    let mut s = Story::new(case_from(1, wage_arrears_record("w-1", "2026-03-09T09:00:00+08:00", 30_000)))
        .with_category_lead(HRSS);
    assert_eq!(s.status(), CaseStatus::Registered);
    assert!(s.case.workflow.clock.is_none(), "a registered case has no stage clock yet");

    // Monday 2026-03-09 10:00: routed by the rules (wage arrears under 100,000: rule
    // `wage_arrears`). Routed = 1 working day: due by Tuesday 03-10.
    s.at("2026-03-09T10:00:00+08:00").act(route());
    assert_eq!(s.status(), CaseStatus::Routed);
    let r = s.routing().clone();
    assert_eq!((r.lead.as_str(), r.level, r.rule.as_deref()), (ZT_CENTRE, RegionLevel::Town, Some("wage_arrears")));
    assert!(r.overridden.is_none());
    assert_eq!(s.co_handlers(), vec![LABOUR_INSPECTION]);
    assert_eq!(s.clock(), (CaseStatus::Routed, s.deadline(1)));
    assert_eq!(s.clock().1, end_of("2026-03-10"));
    // The co-handler's task is due 5 working days after routing: Monday 03-16.
    assert_eq!(r.co_handlers[0].due_at, end_of("2026-03-16"));

    // Tuesday 09:00: only the lead signs for the case (签收).
    s.at("2026-03-10T09:00:00+08:00");
    let err = s.refused(accept(LABOUR_INSPECTION));
    assert_eq!(code(&err), "not_lead_department", "{err:?}");
    s.act(accept(ZT_CENTRE));
    // Wage arrears: accepted = 1 working day: by Wednesday 03-11.
    assert_eq!(s.status(), CaseStatus::Accepted);
    assert_eq!(s.clock(), (CaseStatus::Accepted, s.deadline(1)));
    assert_eq!(s.clock().1, end_of("2026-03-11"));

    // Wednesday 09:00: screening, 2 working days for wage arrears: by Friday 03-13.
    s.at("2026-03-11T09:00:00+08:00").act(Action::StartScreening);
    assert_eq!(s.status(), CaseStatus::Screening);
    assert_eq!(s.clock(), (CaseStatus::Screening, s.deadline(2)));
    assert_eq!(s.clock().1, end_of("2026-03-13"));

    // Friday 15:00: mediation, 10 working days for wage arrears: 03-16..03-20, 03-23..03-27.
    s.at("2026-03-13T15:00:00+08:00").act(Action::StartMediation);
    assert_eq!(s.status(), CaseStatus::Mediating);
    assert_eq!(s.clock(), (CaseStatus::Mediating, s.deadline(10)));
    assert_eq!(s.clock().1, end_of("2026-03-27"));
    assert!(!is_overdue(&s.case.workflow, end_of("2026-03-27") - Duration::seconds(1)));
    assert!(is_overdue(&s.case.workflow, end_of("2026-03-27")));

    // Monday 03-16: a session, then an agreement; the status stays mediating.
    s.at("2026-03-16T10:00:00+08:00").act(session());
    assert_eq!((s.status(), s.case.workflow.sessions.len()), (CaseStatus::Mediating, 1));
    s.at("2026-03-16T11:30:00+08:00").act(agreement());
    assert_eq!(s.status(), CaseStatus::Mediating);
    let a = s.case.workflow.agreement.as_ref().expect("agreement recorded");
    assert_eq!((a.terms.len(), a.signed_at), (2, t("2026-03-16T11:30:00+08:00")));

    // Resolved at town level by the lead; the follow-up is due 5 working days later: 03-23.
    s.at("2026-03-16T16:00:00+08:00").act(resolve());
    assert_eq!(s.status(), CaseStatus::Resolved);
    let res = s.case.workflow.resolution.clone().expect("resolution");
    assert_eq!(res.outcome, Outcome::AgreementReached);
    assert_eq!(res.level, RegionLevel::Town, "the resolution records the routing's level");
    assert_eq!(s.case.resolved_level(), Some(RegionLevel::Town));
    assert_eq!(res.department, ZT_CENTRE);
    assert_eq!(res.at, s.now);
    assert_eq!(s.clock(), (CaseStatus::Resolved, s.deadline(5)));
    assert_eq!(s.clock().1, end_of("2026-03-23"));

    // Friday 03-20: a very satisfied party closes the case; a closed case has no clock.
    s.at("2026-03-20T10:00:00+08:00").act(follow_up(Some(5)));
    assert_eq!(s.status(), CaseStatus::Closed);
    assert!(s.case.workflow.clock.is_none(), "a closed case has no clock: {:?}", s.case.workflow.clock);
    assert_eq!(s.case.workflow.last_satisfaction(), Some(5));
    assert_eq!(s.case.workflow.times_reopened, 0);
    assert!(!is_overdue(&s.case.workflow, t("2030-01-01T00:00:00Z")));
    // Version: registered (1) + route, accept, screening, mediation, session, agreement,
    // resolve, follow-up = 9 (the refused accept wrote nothing).
    assert_eq!(s.case.version, 9);
}

// ---------------------------------------------------------------------------------------------
// 2. The transition table.

/// The statuses in which each action may be taken, as the centre's procedure has it:
/// registered → routed → accepted → screening → mediating → resolved → closed, with returns to
/// the dispatcher, escalation and transfer while handled, reopening after resolution, and
/// nothing at all on a merged record.
fn expected_statuses(action: &str) -> &'static [CaseStatus] {
    use CaseStatus::*;
    match action {
        // The dispatcher routes new cases and cases sent back to it.
        "route" => &[Registered, Returned],
        // The lead signs for a routed case.
        "accept" => &[Routed],
        // The lead sends a case back before or right after signing for it.
        "return" => &[Routed, Accepted],
        "start_screening" => &[Accepted],
        // Screening may be skipped.
        "start_mediation" => &[Accepted, Screening],
        "record_session" | "record_agreement" => &[Mediating],
        // Agreements are checked and confirmed while mediating and after.
        "check_term" | "request_judicial_confirmation" | "record_judicial_confirmation" => {
            &[Mediating, Resolved, Closed]
        }
        // A co-handler's part is done once the lead has taken the case on, until it is resolved.
        "complete_task" => &[Accepted, Screening, Mediating],
        // Consultations are answered without mediation: resolved from accepted on.
        "resolve" => &[Accepted, Screening, Mediating],
        "follow_up" => &[Resolved],
        "reopen" => &[Resolved, Closed],
        "escalate" | "transfer" => &[Routed, Accepted, Screening, Mediating],
        // Everything with a running stage clock.
        "pause" | "resume" | "request_extension" | "decide_extension" => {
            &[Routed, Accepted, Screening, Mediating, Returned, Resolved]
        }
        // Staff correct a category at any time, except on a record merged into another case.
        // … and confirm it as it is, as often.
        "change_category" | "confirm_category" => {
            &[Registered, Routed, Accepted, Screening, Mediating, Returned, Resolved, Closed]
        }
        // 民转刑 may come while the dispute is handled or after it was closed.
        "record_crime" => &[Registered, Routed, Accepted, Screening, Mediating, Returned, Resolved, Closed],
        other => panic!("no expectation for `{other}`"),
    }
}

fn one_of_each_action() -> Vec<Action> {
    vec![
        route(),
        accept(ZT_CENTRE),
        give_back(ZT_CENTRE, "不属于本部门职责"),
        Action::StartScreening,
        Action::StartMediation,
        session(),
        agreement(),
        Action::CheckTerm { term: 0, honoured: true, note: None },
        Action::RequestJudicialConfirmation { court: None },
        Action::RecordJudicialConfirmation,
        complete_task(LABOUR_INSPECTION),
        resolve(),
        follow_up(Some(4)),
        Action::Reopen { reason: "当事人反映协议未履行".into() },
        escalate(None),
        Action::Transfer {
            department: ZT_COMMITTEE.into(), reason: "属民间纠纷，转人民调解委员会".into()
        },
        pause(),
        Action::Resume,
        request_extension(5),
        decide_extension(true),
        Action::ChangeCategory { category: "contract".into() },
        Action::ConfirmCategory,
        Action::RecordCrime {
            incident: None, reason: "双方再次冲突，一方持刀伤人，已刑事立案".into()
        },
    ]
}

#[test]
fn every_action_outside_the_transition_table_is_refused_as_not_allowed() {
    let mut wrong = Vec::new();
    for status in CaseStatus::ALL {
        let story = wage_case_in(status);
        for action in one_of_each_action() {
            let allowed = expected_statuses(action.code()).contains(&status);
            let before = story.case.clone();
            let result = decide(&story.case, &action, &story.ctx());
            assert_eq!(story.case, before, "decide is pure");
            match (&result, allowed) {
                (Err(WorkflowError::NotAllowed { action: a, status: s }), false) => {
                    if (*a, *s) != (action.code(), status) {
                        wrong.push(format!("{}/{}: NotAllowed names {a}/{}", status.code(), action.code(), s.code()));
                    }
                }
                (other, false) => wrong.push(format!("{}/{}: allowed ({other:?})", status.code(), action.code())),
                (Err(WorkflowError::NotAllowed { .. }), true) => {
                    wrong.push(format!("{}/{}: refused as not allowed", status.code(), action.code()))
                }
                (_, true) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "transitions that differ from the table:\n{}", wrong.join("\n"));
}

#[test]
fn a_refused_action_writes_nothing() {
    let mut s = wage_case_in(CaseStatus::Accepted);
    let before = s.case.clone();
    let err = s.refused(follow_up(Some(5)));
    assert_eq!(err, WorkflowError::NotAllowed { action: "follow_up", status: CaseStatus::Accepted });
    let err = s.refused(give_back(ZT_CENTRE, "   "));
    assert_eq!(code(&err), "missing_reason");
    assert_eq!(s.case, before);
    assert_eq!(s.case.version, before.version);
}

/// The classifier learns from the categories staff confirm as well as those they correct, so a
/// confirmation is an event of its own: `change_category` refuses an unchanged category.
#[test]
fn staff_confirm_a_category_as_it_is_but_cannot_confirm_none() {
    let mut s = wage_case_in(CaseStatus::Accepted);
    let err = s.refused(Action::ChangeCategory { category: "wage_arrears".into() });
    assert_eq!(code(&err), "unchanged", "a correction must change the category");

    let before = s.case.clone();
    let kind = s.act(Action::ConfirmCategory);
    assert_eq!(kind, EventKind::CategoryConfirmed { category: "wage_arrears".into() });
    assert_eq!(kind.code(), "category_confirmed");
    assert_eq!(s.case.record, before.record, "a confirmation changes no field of the record");
    assert_eq!((s.status(), s.case.workflow.clone()), (before.status, before.workflow), "nor the workflow");
    assert_eq!(s.case.version, before.version + 1, "but it is in the history");

    // Corrected, then confirmed: the confirmation names the corrected category.
    s.act(Action::ChangeCategory { category: "labour_contract".into() });
    assert_eq!(s.act(Action::ConfirmCategory), EventKind::CategoryConfirmed { category: "labour_contract".into() });
    // The event round-trips as the store writes it, with its code as the kind.
    let json = serde_json::to_value(EventKind::CategoryConfirmed { category: "labour_contract".into() }).unwrap();
    assert_eq!(json, json!({"kind": "category_confirmed", "category": "labour_contract"}));
    assert_eq!(
        serde_json::from_value::<Action>(json!({"action": "confirm_category"})).unwrap(),
        Action::ConfirmCategory
    );

    // A case without a category has nothing to confirm: refused as invalid content on `action`.
    let mut record = neighbour_record("n-9", "2026-03-09T09:00:00+08:00", NANHU);
    record.as_object_mut().unwrap().remove("category");
    let mut bare = Story::new(case_from(9, record));
    assert_eq!(bare.case.record.category, None);
    match bare.refused(Action::ConfirmCategory) {
        WorkflowError::Invalid { code, field, .. } => assert_eq!((code, field), ("no_category", "action")),
        other => panic!("refused as {other:?}"),
    }
    // Cleared by staff: nothing to confirm either.
    s.act(Action::ChangeCategory { category: "other".into() });
    let cleared = EventKind::CategoryChanged { from: Some("other".into()), to: None };
    let seq = s.case.version + 1;
    s.case.apply(&CaseEvent { case_id: s.case.id, seq, at: s.now, actor: "test".into(), kind: cleared });
    assert_eq!(code(&s.refused(Action::ConfirmCategory)), "no_category");
}

#[test]
fn a_merged_record_takes_no_action_at_all() {
    let s = wage_case_in(CaseStatus::Merged);
    assert!(s.case.workflow.clock.is_none());
    for action in one_of_each_action() {
        let err = decide(&s.case, &action, &s.ctx()).unwrap_err();
        assert_eq!(err, WorkflowError::NotAllowed { action: action.code(), status: CaseStatus::Merged });
    }
}

/// Histories written before the workflow carry their statuses in `status_changed` events and
/// have no routing. The centre's staff may still press buttons on such a case: the workflow
/// should refuse what it cannot do, not bring the server down.
#[test]
fn a_case_whose_status_was_set_outside_the_workflow_is_refused_not_panicked_on() {
    let mut panicked = Vec::new();
    for (status, action) in [
        (CaseStatus::Accepted, resolve()),
        (CaseStatus::Mediating, resolve()),
        (CaseStatus::Mediating, escalate(None)),
        (CaseStatus::Routed, escalate(None)),
        (CaseStatus::Accepted, Action::Transfer { department: ZT_COMMITTEE.into(), reason: "转办".into() }),
        (CaseStatus::Routed, accept(ZT_COMMITTEE)),
        (CaseStatus::Accepted, Action::StartMediation),
    ] {
        let mut s = Story::new(case_from(7, contract_record("legacy-1", "2024-05-06T09:00:00+08:00", ZHONGTAI)));
        let kind = EventKind::StatusChanged { from: CaseStatus::Registered, to: status };
        s.case.apply(&CaseEvent { case_id: s.case.id, seq: 2, at: s.now, actor: "import:legacy.csv".into(), kind });
        assert!(s.case.workflow.routing.is_none());
        let ctx = s.ctx();
        let case = s.case.clone();
        let code = action.code();
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decide(&case, &action, &ctx).map(|_| ())));
        if outcome.is_err() {
            panicked.push(format!("{code} on a legacy {} case", status.code()));
        }
    }
    assert!(panicked.is_empty(), "decide panicked instead of refusing: {panicked:?}");
}

/// Transfer hands a case to another department; it must not become a way around the escalation
/// rules (village → district is for high-risk cases only, and escalations are counted).
#[test]
fn a_transfer_is_no_way_around_the_skip_level_rule() {
    let mut s = Story::new(case_from(8, neighbour_record("g-8", "2026-04-13T09:00:00+08:00", YUZE)));
    s.case.workflow.risk = RiskLevel::Medium;
    s.at("2026-04-13T10:00:00+08:00").act(route());
    s.act(accept(YUZE_COMMITTEE));
    assert_eq!(code(&s.refused(escalate(Some(RegionLevel::District)))), "skip_level_needs_high_risk");
    // The same move as a transfer to the district's centre.
    let result =
        s.try_act(Action::Transfer { department: DISTRICT_CENTRE.into(), reason: "直接交区矛调中心".into() });
    assert!(
        result.is_err(),
        "a medium-risk village case reached the district by transfer: level {:?}, times_escalated {}",
        s.routing().level,
        s.case.workflow.times_escalated
    );
}

/// The `no_route` refusal tells the clerk to name the lead department; naming one must then work
/// even when no rule finds a department (a district whose directory lacks a town's offices).
#[test]
fn a_clerk_can_route_by_hand_when_no_rule_finds_a_department() {
    let w = world();
    let directory = DepartmentDirectory::from_toml(
        r#"
        [[department]]
        name = "杭州市余杭区社会矛盾纠纷调处化解中心"
        kind = "mediation_centre"
        level = "district"
        region = "330110"
        "#,
        &w.gazetteer,
    )
    .unwrap();
    let s = Story::new(case_from(9, neighbour_record("g-9", "2026-04-13T09:00:00+08:00", ZHONGTAI)));
    let ctx = Context { directory: &directory, now: t("2026-04-13T10:00:00+08:00"), ..s.ctx() };
    assert!(ctx.suggestion(&s.case).is_none(), "no rule's lead is in this directory");
    let err = decide(&s.case, &route(), &ctx).unwrap_err();
    assert_eq!(code(&err), "no_route");
    let by_hand = route_to(DISTRICT_CENTRE, Some(RegionLevel::District), Some("镇街部门尚未配置，暂由区矛调中心牵头"));
    match decide(&s.case, &by_hand, &ctx) {
        Ok(EventKind::Routed { routing, .. }) => {
            assert_eq!((routing.lead.as_str(), routing.level), (DISTRICT_CENTRE, RegionLevel::District));
            assert_eq!(routing.rule, None);
        }
        other => panic!("routing by hand was refused: {other:?}"),
    }
}

#[test]
fn sessions_and_agreements_are_recorded_after_they_happen() {
    let mut s = wage_case_in(CaseStatus::Mediating);
    s.at("2026-03-12T10:00:00+08:00");
    let in_two_hours = s.now + Duration::hours(2);
    let future_session = Action::RecordSession {
        at: Some(in_two_hours),
        place: "调解室".into(),
        participants: vec![],
        outcome: "尚未举行".into(),
    };
    assert_eq!(code(&s.refused(future_session)), "bad_date");
    assert_eq!(code(&s.refused(Action::RecordAgreement { signed_at: None, terms: vec![] })), "missing_terms");
    let Action::RecordAgreement { terms, .. } = agreement() else { unreachable!() };
    let next_week = Action::RecordAgreement { signed_at: Some(s.now + Duration::days(7)), terms };
    let result = s.try_act(next_week);
    assert!(result.is_err(), "an agreement signed next week was recorded as signed: {result:?}");
}

// ---------------------------------------------------------------------------------------------
// 3. Return, re-route, escalation.

#[test]
fn a_returned_case_is_routed_again_and_escalates_village_town_district() {
    // A neighbour dispute at 玉泽社区, 良渚街道: the community's committee mediates on the spot
    // (rule `village_civil`), guided by the town's justice office.
    let mut s = Story::new(case_from(3, neighbour_record("g-3", "2026-04-13T09:00:00+08:00", YUZE)));
    s.at("2026-04-13T10:00:00+08:00").act(route());
    assert_eq!(s.routing().lead, YUZE_COMMITTEE);
    assert_eq!((s.routing().level, s.routing().rule.as_deref()), (RegionLevel::Village, Some("village_civil")));
    assert_eq!(s.co_handlers(), vec![LZ_JUSTICE]);

    // Returning needs a reason; only the lead returns.
    s.at("2026-04-13T14:00:00+08:00");
    assert_eq!(code(&s.refused(give_back(YUZE_COMMITTEE, ""))), "missing_reason");
    assert_eq!(code(&s.refused(give_back(YUZE_COMMITTEE, " \n "))), "missing_reason");
    assert_eq!(code(&s.refused(give_back(LZ_JUSTICE, "不归我们管"))), "not_lead_department");
    s.act(give_back(YUZE_COMMITTEE, "当事人户籍不在本社区，请核实"));
    assert_eq!(s.status(), CaseStatus::Returned);
    assert_eq!(s.case.workflow.times_returned, 1);
    // The dispatcher has 1 working day to route it again: Tuesday 04-14.
    assert_eq!(s.clock(), (CaseStatus::Returned, end_of("2026-04-14")));
    // A returned case is not for the department any more.
    assert!(matches!(s.refused(accept(YUZE_COMMITTEE)), WorkflowError::NotAllowed { .. }));

    // Re-routed (by the rules), accepted, mediated.
    s.at("2026-04-14T09:00:00+08:00").act(route());
    assert_eq!(s.status(), CaseStatus::Routed);
    assert_eq!(s.clock(), (CaseStatus::Routed, end_of("2026-04-15")));
    s.act(accept(YUZE_COMMITTEE));
    s.act(Action::StartMediation);
    // Village mediation: 10 working days from Tuesday 04-14: 04-15..04-17, 04-20..04-24, 04-27, 04-28.
    assert_eq!(s.clock(), (CaseStatus::Mediating, end_of("2026-04-28")));

    // Village → town: the town's centre leads; the committee stays on as co-handler.
    s.at("2026-04-20T10:00:00+08:00").act(escalate(None));
    assert_eq!(s.status(), CaseStatus::Routed, "the new lead must sign for the escalated case");
    assert_eq!((s.routing().lead.as_str(), s.routing().level), (LZ_CENTRE, RegionLevel::Town));
    assert!(s.co_handlers().contains(&YUZE_COMMITTEE), "{:?}", s.co_handlers());
    assert!(s.co_handlers().contains(&LZ_JUSTICE), "{:?}", s.co_handlers());
    assert_eq!(s.case.workflow.times_escalated, 1);
    assert_eq!(s.clock(), (CaseStatus::Routed, s.deadline(1)));
    let task = s.routing().co_handlers.iter().find(|t| t.department == YUZE_COMMITTEE).unwrap();
    assert_eq!(task.due_at, s.deadline(5), "the former lead's task is due like any co-handler's");
    assert_eq!(code(&s.refused(accept(YUZE_COMMITTEE))), "not_lead_department");
    s.act(accept(LZ_CENTRE));

    // Town → district.
    s.at("2026-04-22T10:00:00+08:00").act(escalate(Some(RegionLevel::District)));
    assert_eq!((s.routing().lead.as_str(), s.routing().level), (DISTRICT_CENTRE, RegionLevel::District));
    assert!(s.co_handlers().contains(&LZ_CENTRE), "{:?}", s.co_handlers());
    assert!(s.co_handlers().contains(&YUZE_COMMITTEE), "{:?}", s.co_handlers());
    assert_eq!(s.case.workflow.times_escalated, 2);

    // There is nothing above the district.
    assert_eq!(code(&s.refused(escalate(None))), "top_level");
    s.act(accept(DISTRICT_CENTRE));
    assert_eq!(code(&s.refused(escalate(Some(RegionLevel::District)))), "top_level");
    s.act(Action::StartMediation);
    // District mediation: 30 working days.
    assert_eq!(s.clock(), (CaseStatus::Mediating, s.deadline(30)));
    s.act(resolve());
    assert_eq!(s.case.resolved_level(), Some(RegionLevel::District));
    assert_eq!(s.case.workflow.resolution.as_ref().unwrap().department, DISTRICT_CENTRE);
}

#[test]
fn skipping_the_town_is_for_high_risk_cases_only() {
    // Medium risk at village level: village → district is refused, village → town is fine.
    let mut s = Story::new(case_from(4, neighbour_record("g-4", "2026-04-13T09:00:00+08:00", YUZE)));
    s.case.workflow.risk = RiskLevel::Medium;
    s.at("2026-04-13T10:00:00+08:00").act(route());
    assert_eq!(s.routing().level, RegionLevel::Village);
    s.act(accept(YUZE_COMMITTEE));
    assert_eq!(code(&s.refused(escalate(Some(RegionLevel::District)))), "skip_level_needs_high_risk");
    // Escalating "to" the same or a lower level is no escalation.
    assert_eq!(code(&s.refused(escalate(Some(RegionLevel::Village)))), "bad_level");
    s.act(escalate(Some(RegionLevel::Town)));
    assert_eq!(s.routing().level, RegionLevel::Town);

    // High risk: the rules send it to the district; the clerk keeps it in the community (an
    // override, with its reason), and when that fails it goes straight to the district.
    let mut s = Story::new(case_from(5, neighbour_record("g-5", "2026-04-13T09:00:00+08:00", YUZE)));
    s.case.workflow.risk = RiskLevel::High;
    s.at("2026-04-13T10:00:00+08:00");
    let Some(suggested) = s.ctx().suggestion(&s.case) else { panic!("no suggestion") };
    assert_eq!((suggested.rule.as_str(), suggested.level), ("high_risk", RegionLevel::District));
    s.act(route_to(YUZE_COMMITTEE, Some(RegionLevel::Village), Some("社区调委会熟悉双方，先就地化解")));
    assert_eq!(s.routing().level, RegionLevel::Village);
    s.act(accept(YUZE_COMMITTEE));
    s.at("2026-04-14T10:00:00+08:00").act(escalate(Some(RegionLevel::District)));
    assert_eq!((s.routing().lead.as_str(), s.routing().level), (DISTRICT_CENTRE, RegionLevel::District));
    assert!(s.co_handlers().contains(&YUZE_COMMITTEE), "the former lead stays: {:?}", s.co_handlers());
    assert_eq!(s.status(), CaseStatus::Routed);
    assert_eq!(code(&s.refused(escalate(None))), "top_level");
}

// ---------------------------------------------------------------------------------------------
// 4. Routing: overrides and the district's rules.

#[test]
fn overriding_the_rules_needs_a_reason_and_is_recorded() {
    let new = || Story::new(case_from(6, neighbour_record("g-6", "2026-04-13T09:00:00+08:00", ZHONGTAI)));
    // By the rules: the town's people's mediation committee (rule `civil_town`).
    let mut s = new();
    s.at("2026-04-13T10:00:00+08:00").act(route());
    let r = s.routing().clone();
    assert_eq!((r.lead.as_str(), r.level, r.rule.as_deref()), (ZT_COMMITTEE, RegionLevel::Town, Some("civil_town")));
    assert!(r.overridden.is_none());
    assert_eq!(s.co_handlers(), vec![ZT_JUSTICE]);

    // Naming the suggested lead is no override.
    let mut s = new();
    s.at("2026-04-13T10:00:00+08:00").act(route_to(ZT_COMMITTEE, None, None));
    assert_eq!((s.routing().rule.as_deref(), s.routing().overridden.as_ref()), (Some("civil_town"), None));

    // Another lead: a reason is required, and blank is no reason.
    let mut s = new();
    s.at("2026-04-13T10:00:00+08:00");
    assert_eq!(code(&s.refused(route_to(ZT_CENTRE, None, None))), "missing_reason");
    assert_eq!(code(&s.refused(route_to(ZT_CENTRE, None, Some("  ")))), "missing_reason");
    assert_eq!(code(&s.refused(route_to("不存在的局", None, Some("试试")))), "unknown_department");
    s.act(route_to(ZT_CENTRE, None, Some("双方曾多次调解不成，由社会治理中心牵头")));
    let r = s.routing().clone();
    assert_eq!(r.lead, ZT_CENTRE);
    let o = r.overridden.expect("the override is recorded");
    assert_eq!((o.suggested_lead.as_str(), o.suggested_level), (ZT_COMMITTEE, RegionLevel::Town));
    assert_eq!(o.reason, "双方曾多次调解不成，由社会治理中心牵头");
    assert_eq!(r.rule, None, "an overridden routing is not the rule's");
    assert_eq!(s.status(), CaseStatus::Routed);
}

#[test]
fn large_wage_arrears_go_to_the_labour_inspectorate_with_the_towns_justice_office() {
    let routed = |amount_yuan: u64, id: i64| {
        let mut s = Story::new(case_from(
            id,
            wage_arrears_record(&format!("w-{id}"), "2026-03-09T09:00:00+08:00", amount_yuan),
        ))
        .with_category_lead(HRSS);
        s.at("2026-03-09T10:00:00+08:00").act(route());
        s
    };
    let s = routed(120_000, 10);
    let r = s.routing();
    assert_eq!(
        (r.lead.as_str(), r.level, r.rule.as_deref()),
        (LABOUR_INSPECTION, RegionLevel::District, Some("wage_arrears_large"))
    );
    assert_eq!(s.co_handlers(), vec![ZT_JUSTICE], "南湖村 is in 中泰街道: 中泰司法所 co-handles");
    // 10万元以上 includes 100,000 itself.
    assert_eq!(routed(100_000, 11).routing().lead, LABOUR_INSPECTION);
    // Below it, the town's centre leads.
    let s = routed(99_999, 12);
    assert_eq!((s.routing().lead.as_str(), s.routing().level), (ZT_CENTRE, RegionLevel::Town));
}

#[test]
fn thirty_people_or_more_are_handled_at_district_level() {
    let routed = |people: u32, id: i64| {
        let mut record = contract_record(&format!("c-{id}"), "2026-03-09T09:00:00+08:00", ZHONGTAI);
        record["people_count"] = json!(people);
        let mut s = Story::new(case_from(id, record));
        s.at("2026-03-09T10:00:00+08:00").act(route());
        s
    };
    let s = routed(30, 20);
    let r = s.routing();
    assert_eq!(
        (r.lead.as_str(), r.level, r.rule.as_deref()),
        (DISTRICT_CENTRE, RegionLevel::District, Some("mass_involvement"))
    );
    assert_eq!(routed(31, 21).routing().level, RegionLevel::District);
    let s = routed(29, 22);
    assert_eq!((s.routing().level, s.routing().rule.as_deref()), (RegionLevel::Town, Some("civil_town")));
}

// ---------------------------------------------------------------------------------------------
// 5. Deadlines across holidays, pauses and extensions.

#[test]
fn deadlines_across_spring_festival_2025_with_a_pause() {
    // A neighbour dispute at 中泰街道 (rule civil_town, town level: routed 1, accepted 2,
    // mediating 15 working days; tasks 5).
    let mut s = Story::new(case_from(30, neighbour_record("g-30", "2025-01-24T09:00:00+08:00", ZHONGTAI)));

    // Routed Friday 2025-01-24. The CSV: 01-26 (Sunday) is a make-up working day
    // (春节调休上班), 01-28..02-04 are the holiday, 02-08 (Saturday) is a make-up working day.
    // Routed = 1 working day: Saturday 01-25 rests, Sunday 01-26 is worked → by Sunday 01-26.
    s.at("2025-01-24T10:00:00+08:00").act(route());
    assert_eq!(s.clock(), (CaseStatus::Routed, end_of("2025-01-26")));
    // The co-handler's task, 5 working days: 01-26, 01-27, (holiday), 02-05, 02-06, 02-07.
    assert_eq!(s.routing().co_handlers[0].due_at, end_of("2025-02-07"));

    // Accepted Monday 01-27, 2 working days: the holiday is skipped → 02-05, 02-06.
    s.at("2025-01-27T09:00:00+08:00").act(accept(ZT_COMMITTEE));
    assert_eq!(s.clock(), (CaseStatus::Accepted, end_of("2025-02-06")));

    // Mediation from Monday 01-27, 15 working days: 02-05 (1), 02-06, 02-07, 02-08 (make-up
    // Saturday, 4), 02-10..02-14 (9), 02-17..02-21 (14), 02-24 (15).
    s.at("2025-01-27T11:00:00+08:00").act(Action::StartMediation);
    assert_eq!(s.clock(), (CaseStatus::Mediating, end_of("2025-02-24")));

    // Paused on the first holiday day, resumed on the last: no working day was paused, so the
    // deadline does not move.
    s.at("2025-01-28T10:00:00+08:00").act(pause());
    assert!(s.case.workflow.clock.as_ref().unwrap().paused.is_some());
    assert!(!is_overdue(&s.case.workflow, t("2025-12-31T00:00:00Z")), "a paused clock is never overdue");
    assert_eq!(code(&s.refused(pause())), "already_paused");
    s.at("2025-02-04T20:00:00+08:00").act(Action::Resume);
    assert_eq!(s.clock(), (CaseStatus::Mediating, end_of("2025-02-24")));
    assert!(s.case.workflow.clock.as_ref().unwrap().paused.is_none());
    assert_eq!(code(&s.refused(Action::Resume)), "not_paused");

    // Paused Wednesday 02-05, resumed Monday 02-10: paused working days in (02-05, 02-10] are
    // 02-06, 02-07, 02-08 (make-up Saturday) and 02-10 = 4. 02-24 + 4 → 02-25..02-28.
    s.at("2025-02-05T09:00:00+08:00").act(pause());
    s.at("2025-02-10T09:00:00+08:00").act(Action::Resume);
    assert_eq!(s.clock(), (CaseStatus::Mediating, end_of("2025-02-28")));
}

#[test]
fn a_pause_over_the_holiday_moves_the_deadline_by_the_working_days_paused_only() {
    // Same case as above, paused Monday 01-27 17:00 (the party went home for the festival) and
    // resumed Thursday 02-06 09:00: (01-27, 02-06] holds the holiday and 02-05, 02-06 = 2
    // working days; the due moves from 02-24 to Wednesday 02-26.
    let mut s = Story::new(case_from(31, neighbour_record("g-31", "2025-01-24T09:00:00+08:00", ZHONGTAI)));
    s.at("2025-01-24T10:00:00+08:00").act(route());
    s.at("2025-01-27T09:00:00+08:00").act(accept(ZT_COMMITTEE));
    s.at("2025-01-27T11:00:00+08:00").act(Action::StartMediation);
    assert_eq!(s.clock().1, end_of("2025-02-24"));
    s.at("2025-01-27T17:00:00+08:00").act(pause());
    s.at("2025-02-06T09:00:00+08:00").act(Action::Resume);
    assert_eq!(s.clock(), (CaseStatus::Mediating, end_of("2025-02-26")));
}

#[test]
fn deadlines_around_national_day_2026_and_extensions() {
    // A contract dispute at 良渚街道 (rule civil_town, town level). The CSV: 09-20 (Sunday) is a
    // make-up working day, 09-25..09-27 中秋节, 10-01..10-07 国庆节, 10-10 (Saturday) is a
    // make-up working day.
    let mut s = Story::new(case_from(40, contract_record("c-40", "2026-09-18T09:00:00+08:00", LIANGZHU)));

    // Routed Friday 09-18: 1 working day → Sunday 09-20 (make-up day).
    s.at("2026-09-18T15:00:00+08:00").act(route());
    assert_eq!(s.routing().lead, LZ_COMMITTEE);
    assert_eq!(s.clock(), (CaseStatus::Routed, end_of("2026-09-20")));
    // The task: 09-20, 09-21, 09-22, 09-23, 09-24.
    assert_eq!(s.routing().co_handlers[0].due_at, end_of("2026-09-24"));

    // Accepted Thursday 09-24: 09-25..09-27 off → Monday 09-28 (1), Tuesday 09-29 (2).
    s.at("2026-09-24T10:00:00+08:00").act(accept(LZ_COMMITTEE));
    assert_eq!(s.clock(), (CaseStatus::Accepted, end_of("2026-09-29")));

    // Screening from Wednesday 09-30, 3 working days: 10-01..10-07 off → 10-08, 10-09, and the
    // make-up Saturday 10-10.
    s.at("2026-09-30T10:00:00+08:00").act(Action::StartScreening);
    assert_eq!(s.clock(), (CaseStatus::Screening, end_of("2026-10-10")));

    // Mediation from Friday 10-09, 15 working days: 10-10 (1), 10-12..10-16 (6),
    // 10-19..10-23 (11), 10-26..10-29 (15).
    s.at("2026-10-09T10:00:00+08:00").act(Action::StartMediation);
    assert_eq!(s.clock(), (CaseStatus::Mediating, end_of("2026-10-29")));

    // Extensions are 1 to 30 working days.
    s.at("2026-10-20T10:00:00+08:00");
    assert_eq!(code(&s.refused(request_extension(0))), "bad_working_days");
    assert_eq!(code(&s.refused(request_extension(31))), "bad_working_days");
    assert_eq!(code(&s.refused(decide_extension(true))), "no_extension");
    s.act(request_extension(10));
    assert_eq!(s.case.workflow.extension.as_ref().map(|e| e.working_days), Some(10));
    // One request at a time.
    assert_eq!(code(&s.refused(request_extension(5))), "extension_pending");
    // Rejected: the deadline stays.
    s.at("2026-10-21T10:00:00+08:00").act(decide_extension(false));
    assert_eq!(s.clock(), (CaseStatus::Mediating, end_of("2026-10-29")));
    assert!(s.case.workflow.extension.is_none());
    // Requested again and approved: 10-29 + 10 working days → 10-30, 11-02..11-06, 11-09..11-12.
    s.act(request_extension(10));
    s.at("2026-10-22T10:00:00+08:00").act(decide_extension(true));
    assert_eq!(s.clock(), (CaseStatus::Mediating, end_of("2026-11-12")));
    assert!(s.case.workflow.extension.is_none());
    // The maximum is allowed.
    s.act(request_extension(30));
}

#[test]
fn a_deadline_counts_from_the_local_date_not_the_utc_date() {
    // Thursday 2026-03-12 23:30 +08:00 is still Thursday: routed → due by Friday 03-13.
    let mut s = Story::new(case_from(41, contract_record("c-41", "2026-03-12T09:00:00+08:00", ZHONGTAI)));
    s.at("2026-03-12T23:30:00+08:00").act(route());
    assert_eq!(s.clock().1, end_of("2026-03-13"));
    // 2026-03-12 16:30 UTC is Friday 00:30 +08:00: routed → due by Monday 03-16.
    let mut s = Story::new(case_from(42, contract_record("c-42", "2026-03-12T09:00:00+08:00", ZHONGTAI)));
    s.at("2026-03-12T16:30:00Z").act(route());
    assert_eq!(s.clock().1, end_of("2026-03-16"));
}

/// A closed case has no deadline, so nothing can still be waiting to extend one; and a request
/// made for the follow-up stage must not silently extend the mediation clock of a later
/// reopening.
#[test]
fn closing_a_case_ends_a_pending_extension_request() {
    let mut s = wage_case_in(CaseStatus::Resolved);
    s.at("2026-03-10T10:00:00+08:00").act(request_extension(5));
    s.at("2026-03-11T10:00:00+08:00").act(follow_up(Some(4)));
    assert_eq!(s.status(), CaseStatus::Closed);
    assert!(s.case.workflow.clock.is_none());
    assert!(
        s.case.workflow.extension.is_none(),
        "a closed case still shows an extension request pending: {:?}",
        s.case.workflow.extension
    );
    // Reopened: the new mediation clock is the stage's own, and a new request may be made.
    s.at("2026-03-12T10:00:00+08:00").act(Action::Reopen { reason: "协议未履行".into() });
    assert_eq!(s.clock(), (CaseStatus::Mediating, s.deadline(10)));
    assert!(s.try_act(request_extension(3)).is_ok(), "the stale request blocks a new one");
}

// ---------------------------------------------------------------------------------------------
// 6. Follow-up.

#[test]
fn a_dissatisfied_follow_up_reopens_and_a_satisfied_or_unreachable_one_closes() {
    for rating in [1u8, 2] {
        let mut s = wage_case_in(CaseStatus::Resolved);
        s.at("2026-03-12T10:00:00+08:00").act(follow_up(Some(rating)));
        assert_eq!(s.status(), CaseStatus::Mediating, "rating {rating}");
        assert_eq!(s.case.workflow.times_reopened, 1);
        assert!(s.case.workflow.resolution.is_none(), "the resolution no longer holds");
        // A new mediation clock: wage arrears at town level, 10 working days from Thursday
        // 03-12: 03-13, 03-16..03-20, 03-23..03-26.
        assert_eq!(s.clock(), (CaseStatus::Mediating, s.deadline(10)));
        assert_eq!(s.clock().1, end_of("2026-03-26"));
        assert_eq!(s.case.workflow.clock.as_ref().unwrap().started_at, s.now);
        assert_eq!(s.case.workflow.last_satisfaction(), Some(rating));
        // And it can be resolved again.
        s.act(resolve());
        assert_eq!(s.status(), CaseStatus::Resolved);
    }
    for rating in [3u8, 4, 5] {
        let mut s = wage_case_in(CaseStatus::Resolved);
        s.at("2026-03-12T10:00:00+08:00").act(follow_up(Some(rating)));
        assert_eq!((s.status(), s.case.workflow.times_reopened), (CaseStatus::Closed, 0), "rating {rating}");
        assert!(s.case.workflow.clock.is_none());
    }
    for rating in [0u8, 6, 255] {
        let mut s = wage_case_in(CaseStatus::Resolved);
        assert_eq!(code(&s.refused(follow_up(Some(rating)))), "bad_satisfaction", "rating {rating}");
    }
    // The party could not be reached: the case closes without a rating.
    let mut s = wage_case_in(CaseStatus::Resolved);
    s.at("2026-03-12T10:00:00+08:00")
        .act(Action::FollowUp { satisfaction: None, comment: Some("电话三次未接通".into()) });
    assert_eq!(s.status(), CaseStatus::Closed);
    assert!(s.case.workflow.clock.is_none());
    assert_eq!(s.case.workflow.follow_ups.len(), 1);
    assert_eq!(s.case.workflow.last_satisfaction(), None);
}

// ---------------------------------------------------------------------------------------------
// 7. Joint mediation.

#[test]
fn co_handlers_complete_their_own_tasks_once() {
    // Thirty workers: the district's centre leads with the category's department, the police and
    // the town's safety office; each co-handler has a task due 5 working days after routing.
    let mut record = wage_arrears_record("w-50", "2026-03-09T09:00:00+08:00", 60_000);
    record["people_count"] = json!(35);
    let mut s = Story::new(case_from(50, record)).with_category_lead(HRSS);
    s.at("2026-03-09T10:00:00+08:00").act(route());
    assert_eq!(s.routing().lead, DISTRICT_CENTRE);
    let tasks = s.routing().co_handlers.clone();
    assert!(tasks.len() >= 3, "{tasks:?}");
    assert!(tasks.iter().any(|t| t.department == HRSS), "{tasks:?}");
    for task in &tasks {
        // Monday 03-09 + 5 working days: 03-10..03-13, 03-16.
        assert_eq!(task.due_at, end_of("2026-03-16"), "{}", task.department);
        assert_eq!(task.done_at, None);
    }
    // Not before the lead has taken the case on.
    assert!(matches!(s.refused(complete_task(HRSS)), WorkflowError::NotAllowed { .. }));

    s.at("2026-03-09T14:00:00+08:00").act(accept(DISTRICT_CENTRE));
    s.at("2026-03-11T10:00:00+08:00").act(complete_task(HRSS));
    let done = s.routing().co_handlers.iter().find(|t| t.department == HRSS).unwrap().clone();
    assert_eq!(done.done_at, Some(s.now));
    assert_eq!(done.note.as_deref(), Some("已完成工资核算"));
    // The others are still open.
    assert!(s.routing().co_handlers.iter().filter(|t| t.department != HRSS).all(|t| t.done_at.is_none()));

    assert_eq!(code(&s.refused(complete_task(HRSS))), "task_done");
    assert_eq!(code(&s.refused(complete_task(DISTRICT_CENTRE))), "not_co_handler", "the lead has no task");
    assert_eq!(code(&s.refused(complete_task(ZT_COMMITTEE))), "not_co_handler");
}

// ---------------------------------------------------------------------------------------------
// 8. Agreements and judicial confirmation.

#[test]
fn agreement_terms_are_checked_and_confirmed_by_the_towns_tribunal() {
    // 玉泽社区 is in 良渚街道, which has a people's tribunal.
    let mut s = Story::new(case_from(60, neighbour_record("g-60", "2026-03-09T09:00:00+08:00", YUZE)));
    s.at("2026-03-09T10:00:00+08:00").act(route());
    s.act(accept(YUZE_COMMITTEE));
    s.act(Action::StartMediation);
    assert_eq!(code(&s.refused(Action::CheckTerm { term: 0, honoured: true, note: None })), "no_agreement");
    assert_eq!(code(&s.refused(Action::RequestJudicialConfirmation { court: None })), "no_agreement");
    assert_eq!(code(&s.refused(Action::RecordJudicialConfirmation)), "not_requested");

    s.at("2026-03-10T10:00:00+08:00").act(agreement());
    assert_eq!(code(&s.refused(Action::RecordJudicialConfirmation)), "not_requested");
    s.act(Action::RequestJudicialConfirmation { court: None });
    let j = s.case.workflow.agreement.as_ref().unwrap().judicial_confirmation.clone().unwrap();
    assert_eq!((j.court.as_str(), j.requested_at, j.confirmed_at), (LZ_TRIBUNAL, s.now, None));
    assert_eq!(code(&s.refused(Action::RequestJudicialConfirmation { court: None })), "already_requested");
    assert_eq!(
        code(&s.refused(Action::RequestJudicialConfirmation { court: Some(DISTRICT_COURT.into()) })),
        "already_requested"
    );

    s.act(resolve());
    s.at("2026-03-17T10:00:00+08:00").act(Action::RecordJudicialConfirmation);
    let j = s.case.workflow.agreement.as_ref().unwrap().judicial_confirmation.clone().unwrap();
    assert_eq!(j.confirmed_at, Some(s.now));
    assert_eq!(code(&s.refused(Action::RecordJudicialConfirmation)), "already_confirmed");

    // Closed, then the terms are checked as they fall due (履约回访).
    s.act(follow_up(Some(4)));
    assert_eq!(s.status(), CaseStatus::Closed);
    s.at("2026-04-03T10:00:00+08:00").act(Action::CheckTerm {
        term: 0,
        honoured: true,
        note: Some("已按期支付".into()),
    });
    s.at("2026-05-04T10:00:00+08:00").act(Action::CheckTerm { term: 1, honoured: false, note: None });
    let terms = &s.case.workflow.agreement.as_ref().unwrap().terms;
    assert_eq!((terms[0].honoured, terms[1].honoured), (Some(true), Some(false)));
    assert_eq!(code(&s.refused(Action::CheckTerm { term: 2, honoured: true, note: None })), "unknown_term");
    assert_eq!(s.status(), CaseStatus::Closed, "checking terms does not reopen");
}

#[test]
fn without_a_tribunal_the_district_court_confirms() {
    // 中泰街道 has no people's tribunal in the directory.
    let mut s = wage_case_in(CaseStatus::Mediating);
    s.act(agreement());
    s.act(Action::RequestJudicialConfirmation { court: None });
    let court = &s.case.workflow.agreement.as_ref().unwrap().judicial_confirmation.as_ref().unwrap().court;
    assert_eq!(court, DISTRICT_COURT);

    // A named court must be a department of the directory.
    let mut s = wage_case_in(CaseStatus::Mediating);
    s.act(agreement());
    assert_eq!(
        code(&s.refused(Action::RequestJudicialConfirmation { court: Some("某某法院".into()) })),
        "unknown_department"
    );
    s.act(Action::RequestJudicialConfirmation { court: Some(LZ_TRIBUNAL.into()) });
    let court = &s.case.workflow.agreement.as_ref().unwrap().judicial_confirmation.as_ref().unwrap().court;
    assert_eq!(court, LZ_TRIBUNAL);
}

// ---------------------------------------------------------------------------------------------
// 9. One case per matter.

const RESPONDENT: &str = "org:杭州某某建筑劳务有限公司";

fn report(id: i64, channel: &str, received_at: &str, text: &str, person: (&str, &str), category: &str) -> Case {
    let mut case = case_from(
        id,
        json!({
            "channel": channel, "external_id": format!("{channel}-{id}"), "received_at": received_at,
            "region": NANHU, "text": text,
            "parties": [
                {"role": "complainant", "name": person.0, "phone": person.1},
                {"role": "respondent", "name": "杭州某某建筑劳务有限公司", "kind": "organization"}
            ],
            "category": category
        }),
    );
    case.workflow.respondent_key = Some(RESPONDENT.into());
    case
}

#[test]
fn the_same_wage_arrears_reported_by_110_12345_and_a_walk_in_is_one_matter() {
    let rules = &world().matching;
    let police = report(
        101,
        "police",
        "2026-05-11T20:10:00+08:00",
        "报警人称南湖村工地包工头拖欠其三个月工资，现场情绪激动，民警已劝离。",
        ("王某", "13912345678"),
        "wage_arrears",
    );
    let hotline = report(
        102,
        "hotline",
        "2026-05-12T09:30:00+08:00",
        "市民来电反映在中泰街道某工地干活，劳务公司一直不结工钱，请求相关部门帮忙讨要。",
        ("王某", "13912345678"),
        "wage_arrears",
    );
    let walk_in = report(
        103,
        "window",
        "2026-05-13T10:00:00+08:00",
        "工友李建国到窗口反映，杭州某某建筑劳务有限公司欠薪至今未付，申请调解。",
        ("李建国", "13700001111"),
        "wage_arrears",
    );

    // 12345 after 110: the same caller (phone) about the same respondent.
    let e = rules.compare(&incoming(&hotline), &Candidate::of(&police));
    assert!(e.shared_party && e.shared_respondent && e.same_category && e.same_town, "{e:?}");
    assert!(e.relation.is_some(), "12345 after 110 is the same matter: {e:?} ({})", e.explanation());
    assert_eq!(e.case, police.id);
    assert!(rules.is_related(&e));

    // The walk-in: another worker, the same company.
    for earlier in [&police, &hotline] {
        let e = rules.compare(&incoming(&walk_in), &Candidate::of(earlier));
        assert!(!e.shared_party && e.shared_respondent, "{e:?}");
        assert_eq!(e.relation, Some(Relation::SameMatter), "{} ({})", earlier.record.channel.code(), e.explanation());
    }

    // The matcher names a primary for the walk-in among the two earlier reports.
    let candidates = [police.clone(), hotline.clone()];
    let candidates: Vec<Candidate> = candidates.iter().map(Candidate::of).collect();
    let evidence: Vec<_> = candidates.iter().map(|c| rules.compare(&incoming(&walk_in), c)).collect();
    assert!(rules.primary(&evidence, &candidates).is_some());
}

#[test]
fn the_same_person_with_another_matter_is_not_linked() {
    let rules = &world().matching;
    let wages = report(
        111,
        "police",
        "2026-05-11T20:10:00+08:00",
        "报警人称南湖村工地包工头拖欠其三个月工资，现场情绪激动，民警已劝离。",
        ("王某", "13912345678"),
        "wage_arrears",
    );
    let mut noise = case_from(
        112,
        json!({
            "channel": "hotline", "external_id": "hotline-112", "received_at": "2026-05-20T21:00:00+08:00",
            "region": NANHU, "text": "楼上邻居深夜装修噪音扰民，多次沟通无果。",
            "parties": [
                {"role": "complainant", "name": "王某", "phone": "13912345678"},
                {"role": "respondent", "name": "楼上住户"}
            ],
            "category": "neighbour"
        }),
    );
    noise.workflow.respondent_key = Some("person:楼上住户".into());
    let e =
        rules.compare(&Incoming::new(&noise.record, noise.workflow.respondent_key.as_deref()), &Candidate::of(&wages));
    assert!(e.shared_party, "the same caller: {e:?}");
    assert!(!e.shared_respondent && !e.same_category, "{e:?}");
    assert!(e.similarity < 0.2, "the texts are not alike: {e:?}");
    assert_eq!(e.relation, None, "a different matter of the same person: {}", e.explanation());
    // Still shown as related: the same person.
    assert!(rules.is_related(&e));
}

#[test]
fn the_same_person_back_about_the_same_matter_is_a_repeat_visit() {
    let rules = &world().matching;
    let mut first = report(
        121,
        "window",
        "2026-05-11T10:00:00+08:00",
        "王某到窗口反映杭州某某建筑劳务有限公司拖欠其三个月工资。",
        ("王某", "13912345678"),
        "wage_arrears",
    );
    let again = |id: i64, at: &str| {
        report(
            id,
            "window",
            at,
            "王某再次来访，反映劳务公司拖欠工资问题至今仍未解决，情绪激动。",
            ("王某", "13912345678"),
            "wage_arrears",
        )
    };

    // A week later, while the first is being handled.
    let second = again(122, "2026-05-18T10:00:00+08:00");
    assert_eq!(rules.compare(&incoming(&second), &Candidate::of(&first)).relation, Some(Relation::Repeat));

    // Forty-five days later, after the first was closed: still a repeat visit (within 90 days).
    first.status = CaseStatus::Closed;
    let third = again(123, "2026-06-25T10:00:00+08:00");
    let e = rules.compare(&incoming(&third), &Candidate::of(&first));
    assert_eq!(e.relation, Some(Relation::Repeat), "{}", e.explanation());
    // A year later it is a new case.
    let late = again(124, "2027-05-20T10:00:00+08:00");
    assert_eq!(rules.compare(&incoming(&late), &Candidate::of(&first)).relation, None);
}

// ---------------------------------------------------------------------------------------------
// 10. Case numbers.

#[test]
fn case_numbers_round_trip_and_garbage_is_rejected() {
    let prefix = world().rules.case_number_prefix();
    assert_eq!(prefix, "YH");
    for id in [1, 123, 999_999, 1_234_567] {
        let id = CaseId::new(id).unwrap();
        let number = case_number(prefix, 2026, id);
        assert_eq!(case_id_of_number(&number), Some(id), "{number}");
    }
    assert_eq!(case_number("YH", 2026, CaseId::new(123).unwrap()), "YH-2026-000123");
    assert_eq!(case_id_of_number(" YH-2026-000123 "), CaseId::new(123));
    for garbage in [
        "",
        "   ",
        "YH",
        "YH-2026",
        "2026-000123",
        "YH-2026-",
        "YH-2026-abc",
        "YH-20x6-000123",
        "YH-2026-000123x",
        "YH-2026-000000",
        "YH-2026--000123",
        "YH-2026-12.5",
        "YH—2026—000123",
        "hello world",
    ] {
        assert_eq!(case_id_of_number(garbage), None, "`{garbage}` is not a case number");
    }
}

/// A case as the matcher sees it when it comes in.
fn incoming(c: &Case) -> Incoming<'_> {
    Incoming::new(&c.record, c.workflow.respondent_key.as_deref())
}

#[test]
fn a_closed_dispute_that_turns_criminal_is_recorded_once_and_only_as_a_crime() {
    let mut story = wage_case_in(CaseStatus::Closed);
    story.at("2026-06-01T10:00:00+08:00");
    let not_a_crime = story.try_act(Action::RecordCrime {
        incident: Some(shanzhi_core::Incident::PublicOrder),
        reason: "双方打架".into(),
    });
    assert!(matches!(not_a_crime, Err(WorkflowError::Invalid { code: "not_a_crime", .. })), "{not_a_crime:?}");
    let missing_reason = story.try_act(Action::RecordCrime { incident: None, reason: "  ".into() });
    assert!(matches!(missing_reason, Err(WorkflowError::Invalid { code: "missing_reason", .. })));

    story
        .try_act(Action::RecordCrime {
            incident: Some(shanzhi_core::Incident::Homicide),
            reason: "讨薪未果持刀伤人致死，电话13812345678".into(),
        })
        .unwrap();
    let crime = story.case.workflow.crime.clone().expect("recorded");
    assert_eq!(crime.incident, shanzhi_core::Incident::Homicide);
    assert_eq!(crime.at, t("2026-06-01T10:00:00+08:00"));
    assert!(!crime.reason.contains("13812345678"), "personal data is masked: {}", crime.reason);
    assert_eq!(story.case.status, CaseStatus::Closed, "the dispute's own status stays");
    let again = story.try_act(Action::RecordCrime { incident: None, reason: "再次".into() });
    assert!(matches!(again, Err(WorkflowError::Invalid { code: "already_recorded", .. })));
}
