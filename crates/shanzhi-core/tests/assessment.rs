//! Every metric of docs/metrics.md against a small ledger computed by hand.
//!
//! The ledger: October 2026 in 余杭区, cut off at 2026-11-01 00:00 Beijing time. Villages V1 白云
//! and V2 中桥 of 中泰街道, V3 顾家桥社区 of 五常街道. Each case's story is told above its events,
//! and each expected figure says which cases make it.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use shanzhi_core::assessment::{
    AssessmentRules, CaseBasics, CaseFacts, District, Figure, Judging, Period, ResidentRegister, StarScheme, Unit,
    WarningFacts, assess, cases_behind,
};
use shanzhi_core::warning::{WarningLevel, WarningModel};
use shanzhi_core::workflow::{
    Agreement, CaseKind, Crime, FollowUp, Link, Outcome, Relation, Resolution, Routing, Term,
};
use shanzhi_core::{
    CaseEvent, CaseId, CaseStatus, Channel, DepartmentDirectory, EventKind, Incident, RegionCode, RegionLevel, defaults,
};

const V1: &str = "330110014224";
const V2: &str = "330110014225";
const V3: &str = "330110005001";
const ZHONGTAI: &str = "330110014";
const D1: &str = "中泰街道矛调中心";
const D2: &str = "区人力社保局";
const D3: &str = "五常街道矛调中心";
const POLICE: &str = "区公安分局";

/// `MM-DD HH:MM` in 2026, Beijing time.
fn at(s: &str) -> DateTime<Utc> {
    let (md, hm) = s.split_once(' ').unwrap();
    let (m, d) = md.split_once('-').unwrap();
    let (h, mi) = hm.split_once(':').unwrap();
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, m.parse().unwrap(), d.parse().unwrap(), h.parse().unwrap(), mi.parse().unwrap(), 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn routing(lead: &str, level: RegionLevel) -> Routing {
    Routing { lead: lead.into(), co_handlers: vec![], level, rule: None, overridden: None }
}

fn resolution(outcome: Outcome, level: RegionLevel, department: &str, when: &str) -> Resolution {
    Resolution { outcome, level, department: department.into(), at: at(when), summary: "已化解".into() }
}

fn follow_up(when: &str, satisfaction: Option<u8>) -> FollowUp {
    FollowUp { at: at(when), satisfaction, comment: String::new() }
}

struct Story {
    basics: CaseBasics,
    events: Vec<CaseEvent>,
}

fn story(id: i64, channel: Channel, village: &str, received: &str, kind: CaseKind) -> Story {
    let basics = CaseBasics {
        id: CaseId::new(id).unwrap(),
        channel,
        received_at: at(received),
        region: code(village),
        kind,
        category: Some("邻里纠纷".into()),
        incident: None,
    };
    let mut s = Story { basics, events: vec![] };
    s.then(received, EventKind::Registered { channel });
    s
}

impl Story {
    fn then(&mut self, when: &str, kind: EventKind) -> &mut Self {
        let seq = self.events.len() as u32 + 1;
        self.events.push(CaseEvent { case_id: self.basics.id, seq, at: at(when), actor: "test".into(), kind });
        self
    }

    fn routed(&mut self, when: &str, lead: &str, level: RegionLevel, due: &str) -> &mut Self {
        self.then(when, EventKind::Routed { routing: routing(lead, level), due_at: at(due) })
    }

    fn accepted(&mut self, when: &str, department: &str, due: &str) -> &mut Self {
        self.then(when, EventKind::Accepted { department: department.into(), due_at: at(due) })
    }

    fn facts(&self) -> CaseFacts {
        CaseFacts::from_history(self.basics.clone(), &self.events, cut_off())
    }
}

fn period() -> Period {
    Period::parse("2026-10").unwrap()
}

fn cut_off() -> DateTime<Utc> {
    period().end()
}

fn ledger() -> Vec<CaseFacts> {
    use EventKind::*;
    let mut cases = Vec::new();

    // 1. A neighbour dispute at the window in V1: signed for on time, mediated to an agreement
    //    in 7 days at town level, rated 5; its first agreement term checked and honoured.
    let mut c1 = story(1, Channel::Window, V1, "10-02 09:00", CaseKind::Dispute);
    c1.routed("10-02 10:00", D1, RegionLevel::Town, "10-03 10:00")
        .accepted("10-03 09:00", D1, "10-10 09:00")
        .then("10-04 09:00", MediationStarted { due_at: at("10-20 09:00") })
        .then(
            "10-08 10:00",
            AgreementRecorded {
                agreement: Agreement {
                    signed_at: at("10-08 10:00"),
                    terms: vec![
                        Term { text: "赔偿".into(), amount_yuan: None, due: None, check_on: None, honoured: None },
                        Term { text: "道歉".into(), amount_yuan: None, due: None, check_on: None, honoured: None },
                    ],
                    judicial_confirmation: None,
                },
            },
        )
        .then(
            "10-09 09:00",
            Resolved {
                resolution: resolution(Outcome::AgreementReached, RegionLevel::Town, D1, "10-09 09:00"),
                due_at: at("10-16 09:00"),
            },
        )
        .then("10-12 09:00", FollowedUp { follow_up: follow_up("10-12 09:00", Some(5)), reopened: false, due_at: None })
        .then("10-18 09:00", TermChecked { term: 0, honoured: true, note: String::new() });
    cases.push(c1.facts());

    // 2. A police call about a fight between neighbours in V1 (治安案件): signed for late,
    //    resolved at village level, rated 2 and so reopened, resolved again at town level; its
    //    second follow-up was due 10-27 and not made by the cut-off; turned criminal on 10-28.
    let mut c2 = story(2, Channel::Police, V1, "10-05 20:00", CaseKind::Dispute);
    c2.basics.incident = Some(Incident::PublicOrder);
    c2.routed("10-05 21:00", D1, RegionLevel::Town, "10-06 21:00")
        .accepted("10-07 10:00", D1, "10-14 10:00")
        .then("10-07 11:00", MediationStarted { due_at: at("10-21 11:00") })
        .then(
            "10-10 11:00",
            Resolved {
                resolution: resolution(
                    Outcome::AgreementReached,
                    RegionLevel::Village,
                    "白云村人民调解委员会",
                    "10-10 11:00",
                ),
                due_at: at("10-17 11:00"),
            },
        )
        .then(
            "10-12 10:00",
            FollowedUp {
                follow_up: follow_up("10-12 10:00", Some(2)),
                reopened: true,
                due_at: Some(at("10-26 10:00")),
            },
        )
        .then(
            "10-20 11:00",
            Resolved {
                resolution: resolution(Outcome::AgreementReached, RegionLevel::Town, D1, "10-20 11:00"),
                due_at: at("10-27 11:00"),
            },
        )
        .then(
            "10-28 22:00",
            TurnedCriminal {
                crime: Crime { incident: Incident::Criminal, at: at("10-28 22:00"), reason: "持械伤人".into() },
            },
        );
    cases.push(c2.facts());

    // 3. A hotline consultation in V2 answered by a district department in a day; the follow-up
    //    did not reach the caller.
    let mut c3 = story(3, Channel::Hotline, V2, "10-10 09:00", CaseKind::Consultation);
    c3.routed("10-10 09:30", D2, RegionLevel::District, "10-11 09:30")
        .accepted("10-10 15:00", D2, "10-17 15:00")
        .then(
            "10-11 09:00",
            Resolved {
                resolution: resolution(Outcome::Answered, RegionLevel::District, D2, "10-11 09:00"),
                due_at: at("10-18 09:00"),
            },
        )
        .then("10-13 09:00", FollowedUp { follow_up: follow_up("10-13 09:00", None), reopened: false, due_at: None });
    cases.push(c3.facts());

    // 4. The party of case 1 calls the hotline again (重复访): linked into case 1.
    // It carries the incident of case 2's fight again: a second report of one incident.
    let mut c4 = story(4, Channel::Hotline, V2, "10-12 09:00", CaseKind::Dispute);
    c4.basics.incident = Some(Incident::PublicOrder);
    c4.then(
        "10-12 09:05",
        Linked {
            link: Link {
                primary: CaseId::new(1).unwrap(),
                relation: Relation::Repeat,
                confirmed: true,
                reason: "同一当事人".into(),
            },
        },
    );
    cases.push(c4.facts());

    // 5. A petition in V3, returned by the district department on time, routed again to the
    //    town on time, and not signed for by its deadline of 10-23.
    let mut c5 = story(5, Channel::Petition, V3, "10-20 09:00", CaseKind::Dispute);
    c5.basics.category = Some("征地拆迁纠纷".into());
    c5.routed("10-20 10:00", D2, RegionLevel::District, "10-21 10:00")
        .then("10-21 09:00", Returned { department: D2.into(), reason: "属地管理".into(), due_at: at("10-22 10:00") })
        .routed("10-22 09:00", D3, RegionLevel::Town, "10-23 09:00");
    cases.push(c5.facts());

    // 6. A police record in V3 classed as a criminal case, signed for at once; resolved only
    //    after the cut-off, which the assessment of October does not see.
    let mut c6 = story(6, Channel::Police, V3, "10-25 08:00", CaseKind::Dispute);
    c6.basics.incident = Some(Incident::Criminal);
    c6.routed("10-25 08:30", POLICE, RegionLevel::District, "10-26 08:30")
        .accepted("10-25 09:00", POLICE, "11-05 09:00")
        .then(
            "11-03 09:00",
            Resolved {
                resolution: resolution(Outcome::ReferredToCourt, RegionLevel::District, POLICE, "11-03 09:00"),
                due_at: at("11-10 09:00"),
            },
        );
    cases.push(c6.facts());

    // 7. A September dispute in V1, closed in September, that ended in a killing on 10-15: only
    //    民转刑 and 命案 of October count it.
    let mut c7 = story(7, Channel::Window, V1, "09-20 09:00", CaseKind::Dispute);
    c7.routed("09-20 10:00", D1, RegionLevel::Town, "09-21 10:00")
        .accepted("09-20 11:00", D1, "09-27 11:00")
        .then(
            "09-25 09:00",
            Resolved {
                resolution: resolution(Outcome::AgreementReached, RegionLevel::Town, D1, "09-25 09:00"),
                due_at: at("09-30 09:00"),
            },
        )
        .then("09-28 09:00", FollowedUp { follow_up: follow_up("09-28 09:00", Some(4)), reopened: false, due_at: None })
        .then(
            "10-15 03:00",
            TurnedCriminal {
                crime: Crime { incident: Incident::Homicide, at: at("10-15 03:00"), reason: "命案".into() },
            },
        );
    cases.push(c7.facts());

    // 8. A grid report in V2 late on 10-31, not yet routed.
    cases.push(story(8, Channel::Grid, V2, "10-31 23:30", CaseKind::Dispute).facts());

    // 10. A September case in V3, signed for in September, in mediation since 09-30 with a
    //     deadline of 10-14 and still at it: October's 超期件 and a late 调解 stage of October.
    let mut c10 = story(10, Channel::Window, V3, "09-25 09:00", CaseKind::Dispute);
    c10.routed("09-25 10:00", D3, RegionLevel::Town, "09-26 10:00")
        .accepted("09-26 09:00", D3, "10-10 09:00")
        .then("09-30 09:00", MediationStarted { due_at: at("10-14 09:00") });
    cases.push(c10.facts());

    // 9. Received after the period: in no figure of October.
    cases.push(story(9, Channel::Grid, V2, "11-01 00:30", CaseKind::Dispute).facts());
    cases
}

fn warnings() -> Vec<WarningFacts> {
    let w = |id, level, raised: &str, acted: Option<&str>, region: &str| WarningFacts {
        id,
        model: WarningModel::Person,
        level,
        subject: "测试".into(),
        raised_at: at(raised),
        first_action_at: acted.map(at),
        regions: vec![code(region)],
        case_ids: vec![],
    };
    vec![
        // Red, acknowledged after 1.5 hours: within the 2 hours a red warning allows.
        w(1, WarningLevel::Red, "10-10 08:00", Some("10-10 09:30"), V1),
        // Yellow, never acted on: its 24 hours ran out before the cut-off.
        w(2, WarningLevel::Yellow, "10-30 12:00", None, V3),
        // Raised in September: not October's.
        w(3, WarningLevel::Orange, "09-25 12:00", Some("09-25 13:00"), V1),
    ]
}

fn rules() -> AssessmentRules {
    AssessmentRules::from_toml(defaults::ASSESSMENT_RULES).unwrap()
}

fn assessment() -> shanzhi_core::assessment::Assessment {
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
    let directory = DepartmentDirectory::empty();
    assess(
        &period(),
        cut_off(),
        &ledger(),
        &warnings(),
        District { gazetteer: &gazetteer, directory: &directory },
        &rules(),
    )
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn the_district_figures_are_the_hand_computed_ones() {
    let a = assessment();
    let d = &a.district;
    let expected = [
        (Figure::Received, 7),           // 1 2 3 4 5 6 8 (7 is September's, 9 November's)
        (Figure::Handled, 6),            // without 4, merged into 1
        (Figure::Accepted, 4),           // 1 2 3 6
        (Figure::AcceptedOnTime, 3),     // 2 was late
        (Figure::Resolved, 3),           // 1 2 3 (6 only in November)
        (Figure::ResolvedLocally, 2),    // 1 and 2 at town level; 3 at district level
        (Figure::Overdue, 3),            // 2 (follow-up due 10-27), 5 (not signed for by 10-23), 10 (September's)
        (Figure::RepeatVisits, 1),       // 4
        (Figure::ResolvedOnce, 3),       // 1 2 3
        (Figure::Reopened, 1),           // 2
        (Figure::Returned, 1),           // 5
        (Figure::FollowedUp, 3),         // 1 2 3
        (Figure::Unsatisfied, 1),        // 2 rated 2
        (Figure::Agreements, 1),         // 1
        (Figure::AgreementsChecked, 1),  // 1's first term
        (Figure::AgreementsHonoured, 1), // and it was honoured
        (Figure::Crimes, 2),             // 2 on 10-28, 7 on 10-15
        (Figure::PoliceReports, 2),      // 2 6
        (Figure::Petitions, 1),          // 5
        (Figure::UnresolvedDisputes, 3), // 5 6 8
        (Figure::CriminalCases, 1),      // 6
        (Figure::PublicOrderCases, 1),   // 2 (4 is merged: the same incident again)
        (Figure::SafetyAccidents, 0),
        (Figure::MassIncidents, 0),
        (Figure::Homicides, 1), // 7's crime
    ];
    for (figure, n) in expected {
        assert_eq!(d.count(figure), n, "{}", figure.code());
    }
    assert_eq!(expected.len(), Figure::COUNT, "every figure is checked");

    assert_eq!(d.by_channel.get(&Channel::Police), Some(&2));
    assert_eq!(d.by_channel.get(&Channel::Hotline), Some(&2));
    assert_eq!(d.by_channel.values().sum::<u32>(), 7);
    assert_eq!(d.by_category.get("征地拆迁纠纷"), Some(&1));
    assert_eq!(d.by_category.get("邻里纠纷"), Some(&6));

    assert!(close(d.accepted_on_time_rate(), 0.75));
    assert!(close(d.resolution_rate(), 0.5));
    assert!(close(d.local_resolution_share(), 2.0 / 3.0));
    assert!(close(d.repeat_visit_rate(), 1.0 / 7.0));
    assert!(close(d.reopen_rate(), 1.0 / 3.0));
    // 1: 7 days; 2: 10-05 20:00 to 10-20 11:00, 14.625 days; 3: 1 day.
    assert!(close(d.mean_days_to_resolution(), (7.0 + 14.625 + 1.0) / 3.0));
    // Follow-ups: 1 rated 5, 2 rated 2, 3 unreachable.
    assert_eq!((d.follow_ups, d.follow_ups_reached), (3, 2));
    assert!(close(d.follow_up_response_rate(), 2.0 / 3.0));
    assert!(close(d.mean_satisfaction(), 3.5));
    assert_eq!((d.terms_checked, d.terms_honoured), (1, 1));
    assert!(close(d.agreement_honoured_rate(), 1.0));
}

#[test]
fn on_time_per_stage_is_the_hand_computed_one() {
    let d = assessment().district;
    let stage = |s| d.stages.get(&s).map(|c| (c.due, c.on_time));
    // 签收: 1 ok, 2 late, 3 ok, 5 ok (returned in time), 5 again late (open past 10-23), 6 ok.
    assert_eq!(stage(CaseStatus::Routed), Some((6, 4)));
    // 受理: 1, 2, 3 ended on time; 6's runs to 11-05, not yet due.
    assert_eq!(stage(CaseStatus::Accepted), Some((3, 3)));
    // 调解: 1, and 2 twice, on time; 10's, received in September, late since 10-14.
    assert_eq!(stage(CaseStatus::Mediating), Some((4, 3)));
    // 回访: 1, 2's first, 3 on time; 2's second open past 10-27.
    assert_eq!(stage(CaseStatus::Resolved), Some((4, 3)));
    // 退回: 5 routed again within a day.
    assert_eq!(stage(CaseStatus::Returned), Some((1, 1)));
    assert!(close(d.on_time_rate(), 14.0 / 18.0));
}

#[test]
fn warnings_count_where_their_cases_are_and_in_time_by_their_level() {
    let a = assessment();
    let w = &a.district.warnings;
    assert_eq!((w.raised, w.due, w.handled_in_time), (2, 2, 1));
    assert_eq!(w.by_level.get(&WarningLevel::Red), Some(&1));
    assert!(close(a.district.warnings_handled_in_time_rate(), 0.5));
    assert_eq!(a.towns[&code(ZHONGTAI)].warnings.raised, 1);
    assert_eq!(a.villages[&code(V3)].warnings.raised, 1);
    assert_eq!(a.villages[&code(V3)].warnings.handled_in_time, 0);
    assert_eq!(a.warnings.iter().map(|w| w.id).collect::<Vec<_>>(), vec![1, 2]);
}

#[test]
fn towns_villages_and_departments_count_their_own_cases() {
    let a = assessment();
    let town = &a.towns[&code(ZHONGTAI)];
    assert_eq!(town.count(Figure::Received), 5); // 1 2 3 4 8
    assert_eq!(town.count(Figure::Crimes), 2); // 2 7
    let v1 = &a.villages[&code(V1)];
    assert_eq!((v1.count(Figure::Received), v1.count(Figure::PoliceReports), v1.count(Figure::Homicides)), (2, 1, 1));
    let v3 = &a.villages[&code(V3)];
    assert_eq!(
        (v3.count(Figure::Overdue), v3.count(Figure::UnresolvedDisputes), v3.count(Figure::CriminalCases)),
        (2, 2, 1)
    );
    // Every village of the district is there, with or without cases.
    assert_eq!(a.villages.len(), 223);
    assert_eq!(a.villages[&code("330110005002")].count(Figure::Received), 0);
    assert_eq!(a.villages[&code("330110005002")].resolution_rate(), None, "no cases is no rate, not 0%");

    // Departments by the lead at the cut-off: 5 went from D2 to D3.
    assert_eq!(a.departments[D1].count(Figure::Handled), 2);
    assert_eq!(a.departments[D1].count(Figure::Crimes), 2);
    assert_eq!(a.departments[D2].count(Figure::Handled), 1);
    assert_eq!(a.departments[D3].count(Figure::Overdue), 2);
    // 5's return is D2's, which returned it, not D3's, which leads it now.
    assert_eq!(a.departments[D2].count(Figure::Returned), 1);
    assert_eq!(a.departments[D3].count(Figure::Returned), 0);
    assert_eq!(a.departments[POLICE].count(Figure::Resolved), 0);
}

#[test]
fn every_figure_opens_into_the_cases_that_make_it() {
    let cases = ledger();
    let a = assessment();
    let judging = Judging { period: &period(), cut_off: cut_off(), unsatisfied_at_most: 2 };
    let ids = |figure, unit: &Unit| {
        cases_behind(figure, unit, &cases, judging).map(|c| c.basics.id.get()).collect::<Vec<_>>()
    };
    assert_eq!(ids(Figure::Overdue, &Unit::District), vec![2, 5, 10]);
    assert_eq!(ids(Figure::Crimes, &Unit::Department(D1.into())), vec![2, 7]);
    assert_eq!(ids(Figure::RepeatVisits, &Unit::Village(code(V2))), vec![4]);
    assert_eq!(ids(Figure::Returned, &Unit::Department(D2.into())), vec![5]);
    assert!(ids(Figure::Returned, &Unit::Department(D3.into())).is_empty());
    // The lists and the counts agree for every figure of every town and department.
    let units = a
        .towns
        .iter()
        .map(|(t, m)| (Unit::Town(*t), m))
        .chain(a.departments.iter().map(|(d, m)| (Unit::Department(d.clone()), m)));
    for (unit, metrics) in units {
        for &figure in Figure::ALL {
            assert_eq!(ids(figure, &unit).len() as u32, metrics.count(figure), "{unit:?} {}", figure.code());
        }
    }
}

#[test]
fn an_assessment_made_later_sees_the_ledger_as_it_stood_at_the_cut_off() {
    // Case 6 was resolved on 11-03; October's assessment does not know it.
    let c6 = ledger().into_iter().find(|c| c.basics.id.get() == 6).unwrap();
    assert_eq!(c6.status, CaseStatus::Accepted);
    assert!(c6.workflow.resolution.is_none());
    // The same history seen from the end of November: resolved, referred to court.
    let history = {
        let mut s = story(6, Channel::Police, V3, "10-25 08:00", CaseKind::Dispute);
        s.routed("10-25 08:30", POLICE, RegionLevel::District, "10-26 08:30").accepted(
            "10-25 09:00",
            POLICE,
            "11-05 09:00",
        );
        s.then(
            "11-03 09:00",
            EventKind::Resolved {
                resolution: resolution(Outcome::ReferredToCourt, RegionLevel::District, POLICE, "11-03 09:00"),
                due_at: at("11-10 09:00"),
            },
        );
        s.events
    };
    let november = Period::parse("2026-11").unwrap();
    let later = CaseFacts::from_history(c6.basics.clone(), &history, november.end());
    assert_eq!(later.status, CaseStatus::Resolved);
    assert_eq!(later.outcome(), Some(Outcome::ReferredToCourt));
    // An event exactly at the cut-off is after it.
    let at_cut_off = CaseFacts::from_history(c6.basics.clone(), &history, at("11-03 09:00"));
    assert_eq!(at_cut_off.status, CaseStatus::Accepted);
}

fn register(residents: u32) -> ResidentRegister {
    ResidentRegister::from_toml(&format!(
        "source = \"测试\"\nestimated = false\n[residents]\n\"{V1}\" = {residents}\n\"{V3}\" = 3000\n"
    ))
    .unwrap()
}

const SCHEME: &str = r#"
name = "测试细则"
version = "1"
base_score = 100.0
[thresholds]
two = 60.0
three = 72.0
four = 84.0
five = 93.0
[[deduction]]
figure = "police_reports"
points_per_rate = 1.0
max_points = 10.0
[[deduction]]
figure = "crimes"
points_per_rate = 10.0
max_points = 30.0
[[bonus]]
rate = "resolution_rate"
at_least = 0.95
points = 3.0
[[veto]]
figure = "homicides"
max_stars = 1
"#;

#[test]
fn a_village_rating_shows_its_breakdown_and_a_veto_caps_it() {
    let a = assessment();
    let scheme = StarScheme::from_toml(SCHEME).unwrap();
    let residents = register(2000).of(code(V1)).unwrap();
    let rating = scheme.rate(code(V1), &a.villages[&code(V1)], residents, &period());
    // Per 1,000 residents per 30 days, October being 31/30 months: police 1 → 0.48387,
    // crimes 2 → 0.96774; score 100 − 0.48387 − 9.67742 + 3 (both V1 cases resolved) = 92.84.
    let months = 31.0 / 30.0;
    let expected = 100.0 - 1.0 * 0.5 / months - 10.0 * 1.0 / months + 3.0;
    assert!((rating.score - expected).abs() < 0.006, "{} vs {expected}", rating.score);
    assert_eq!(rating.stars_by_score, 4);
    assert_eq!(rating.stars, 1, "the homicide vetoes");
    assert_eq!(rating.vetoes.len(), 1);
    assert_eq!(rating.vetoes[0].label, "命案");
    assert_eq!(rating.deductions.iter().map(|l| l.value).collect::<Vec<_>>(), vec![Some(1.0), Some(2.0)]);
    assert_eq!(rating.bonuses[0].points, 3.0);

    // Without the veto, the score decides; a bigger village has lower rates.
    let lenient = StarScheme::from_toml(&SCHEME.replace("max_stars = 1", "max_stars = 5")).unwrap();
    assert_eq!(lenient.rate(code(V1), &a.villages[&code(V1)], residents, &period()).stars, 4);
    let big = register(20_000).of(code(V1)).unwrap();
    let rating = lenient.rate(code(V1), &a.villages[&code(V1)], big, &period());
    assert_eq!(rating.stars, 5, "score {}", rating.score);
}

#[test]
fn the_shipped_scheme_and_residents_cover_every_village() {
    let scheme = StarScheme::from_toml(defaults::STAR_SCHEME).unwrap();
    assert!(!scheme.vetoes.is_empty());
    let register = ResidentRegister::from_toml(defaults::RESIDENTS).unwrap();
    assert!(register.estimated, "the shipped figures are estimates and say so");
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
    for village in gazetteer.villages() {
        assert!(register.of(village.code).is_some(), "{} has residents", village.code);
    }
    assert!(StarScheme::from_toml(&defaults::STAR_SCHEME.replace("five = 93.0", "five = 10.0")).is_err());
    assert!(StarScheme::from_toml(&defaults::STAR_SCHEME.replace("\"crimes\"", "\"murders\"")).is_err());
    assert!(StarScheme::from_toml(&defaults::STAR_SCHEME.replace("base_score = 100.0", "base_score = nan")).is_err());
    assert!(
        StarScheme::from_toml(&defaults::STAR_SCHEME.replace("points_per_rate = 1.5", "points_per_rate = inf"))
            .is_err()
    );
}
