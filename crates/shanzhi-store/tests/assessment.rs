//! The assessment's reads, on both stores: the period's cases replayed to the cut-off, its
//! warnings with their first action and regions, and the history of star ratings.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serde_json::json;
use shanzhi_core::assessment::{CaseFacts, Period, ResidentRegister, StarScheme};
use shanzhi_core::warning::{
    Factor, Statistic, Subject, SubjectKind, Warning, WarningAction, WarningLevel, WarningModel,
};
use shanzhi_core::workflow::{Crime, FollowUp, Outcome, Resolution, Routing};
use shanzhi_core::{
    CaseId, CaseStatus, EventKind, Incident, LedgerRecord, NewCase, PiiKey, RecordContext, RegionCode, RegionLevel,
    defaults,
};
use shanzhi_store::testing::TestDatabase;
use shanzhi_store::{HistoricalEvent, Store};

macro_rules! both_stores {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    super::$story(&shanzhi_store::testing::TestDatabase::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    let Some(db) = shanzhi_store::testing::TestDatabase::postgres().await else { return };
                    super::$story(&db).await;
                }
            )*
        }
    };
}

both_stores!(
    a_period_reads_its_cases_as_they_stood_at_the_cut_off,
    warnings_of_a_period_carry_their_first_action_and_regions,
    star_ratings_keep_their_history,
);

fn at(s: &str) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .from_local_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn record(external_id: &str, received: &str, village: &str, incident: Option<&str>) -> NewCase {
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap();
    let key = PiiKey::from_secret("assessment store test key").unwrap();
    let raw: LedgerRecord = serde_json::from_value(json!({
        "channel": "police", "external_id": external_id, "received_at": received, "region": village,
        "text": "邻里因噪音发生口角，民警到场调解。", "incident": incident
    }))
    .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap();
    raw.validate(&RecordContext { gazetteer: &gazetteer, pii_key: &key, now }).unwrap().into()
}

async fn open(db: &TestDatabase) -> std::sync::Arc<dyn Store> {
    shanzhi_store::open(&db.url).await.unwrap()
}

fn event(case: CaseId, when: &str, kind: EventKind) -> HistoricalEvent {
    HistoricalEvent { case, at: at(when), actor: "test".into(), kind }
}

fn routed(due: &str) -> EventKind {
    let routing = Routing {
        lead: "区公安分局".into(),
        co_handlers: vec![],
        level: RegionLevel::District,
        rule: None,
        overridden: None,
    };
    EventKind::Routed { routing, due_at: at(due) }
}

async fn a_period_reads_its_cases_as_they_stood_at_the_cut_off(db: &TestDatabase) {
    let store = open(db).await;
    let records = [
        record("in-october", "2026-10-05 09:00", "330110014224", Some("public_order")),
        record("in-september", "2026-09-05 09:00", "330110014224", None),
        record("in-november", "2026-11-02 09:00", "330110014225", None),
        record("august-open", "2026-08-05 09:00", "330110014225", None),
        record("august-closed", "2026-08-06 09:00", "330110014225", None),
    ];
    let ids: Vec<CaseId> = store
        .register_cases_as_received(&records, "import:test")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.case_id())
        .collect();
    let (october, september, november, august_open, august_closed) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    let resolved = EventKind::Resolved {
        resolution: Resolution {
            outcome: Outcome::AgreementReached,
            level: RegionLevel::District,
            department: "区公安分局".into(),
            at: at("2026-08-10 10:00"),
            summary: "已调解".into(),
        },
        due_at: at("2026-08-17 10:00"),
    };
    let followed_up = EventKind::FollowedUp {
        follow_up: FollowUp { at: at("2026-08-12 10:00"), satisfaction: Some(5), comment: String::new() },
        reopened: false,
        due_at: None,
    };
    store
        .import_history(&[
            event(august_closed, "2026-08-06 10:00", routed("2026-08-07 10:00")),
            event(
                august_closed,
                "2026-08-06 11:00",
                EventKind::Accepted { department: "区公安分局".into(), due_at: at("2026-08-13 10:00") },
            ),
            event(august_closed, "2026-08-10 10:00", resolved),
            event(august_closed, "2026-08-12 10:00", followed_up),
        ])
        .await
        .unwrap();
    let crime = |when: &str| EventKind::TurnedCriminal {
        crime: Crime { incident: Incident::Homicide, at: at(when), reason: "命案".into() },
    };
    store
        .import_history(&[
            // Routed in October; its deadline passed before the cut-off.
            event(october, "2026-10-05 10:00", routed("2026-10-06 10:00")),
            // Accepted only after the cut-off: October does not see it.
            event(
                october,
                "2026-11-03 10:00",
                EventKind::Accepted { department: "区公安分局".into(), due_at: at("2026-11-10 10:00") },
            ),
            // A September case that turned criminal in October.
            event(september, "2026-10-20 10:00", crime("2026-10-20 10:00")),
        ])
        .await
        .unwrap();

    let period = Period::parse("2026-10").unwrap();
    let cases: Vec<CaseFacts> = store.assessment_cases(period.start(), period.end(), period.end()).await.unwrap();
    let got: Vec<CaseId> = cases.iter().map(|c| c.basics.id).collect();
    assert!(got.is_sorted(), "in id order");
    let mut expected = vec![october, september, august_open];
    expected.sort();
    assert_eq!(
        got, expected,
        "received in October, turned criminal in it, or still open in it; not November's, nor one closed before"
    );
    assert!(!got.contains(&november) && !got.contains(&august_closed));

    let of = |id: CaseId| cases.iter().find(|c| c.basics.id == id).unwrap();
    let c = of(october);
    assert_eq!(c.status, CaseStatus::Routed, "the acceptance after the cut-off is not seen");
    assert_eq!(c.basics.incident, Some(Incident::PublicOrder));
    assert_eq!(c.basics.region, RegionCode::parse("330110014224").unwrap());
    assert_eq!(c.stages.len(), 1);
    assert!(c.overdue_within(period.start(), period.end()), "its 签收 deadline of 10-06 passed");
    let s = of(september);
    assert_eq!(s.crime().map(|c| c.incident), Some(Incident::Homicide));

    // Seen from November's end, the acceptance is there.
    let later =
        store.assessment_cases(period.start(), period.end(), Period::parse("2026-11").unwrap().end()).await.unwrap();
    assert_eq!(later.iter().find(|c| c.basics.id == october).unwrap().status, CaseStatus::Accepted);
}

fn warning(village: &str, level: WarningLevel) -> Warning {
    Warning {
        model: WarningModel::Region,
        level,
        subject: Subject { kind: SubjectKind::Region, key: village.into(), label: "中泰街道白云村".into() },
        score: 1.0,
        statistic: Statistic { method: "test".into(), observed: 5.0, expected: 1.0, p_value: Some(0.01), llr: None },
        factors: Vec::<Factor>::new(),
        explanation: "测试".into(),
        case_ids: vec![],
        since: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 10, 10).unwrap(),
    }
}

async fn warnings_of_a_period_carry_their_first_action_and_regions(db: &TestDatabase) {
    let store = open(db).await;
    let ids: Vec<CaseId> = store
        .register_cases(&[record("w-1", "2026-10-05 09:00", "330110005001", None)], "import:test")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.case_id())
        .collect();
    let mut w = warning("330110014224", WarningLevel::Red);
    w.case_ids = ids.clone();
    let raised = Utc::now();
    store.record_warnings(w.as_of, raised, &[w]).await.unwrap();
    let stored = store.warnings(&Default::default(), shanzhi_store::Page { limit: 10, offset: 0 }).await.unwrap();
    let id = stored.items[0].id;
    let acted = raised + chrono::Duration::minutes(30);
    store.act_on_warning(id, None, &WarningAction::Acknowledge, None, "analyst", acted).await.unwrap();

    let from = raised - chrono::Duration::days(1);
    let before = raised + chrono::Duration::days(1);
    let found = store.assessment_warnings(from, before, before).await.unwrap();
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!((f.level, f.model), (WarningLevel::Red, WarningModel::Region));
    let first = f.first_action_at.expect("acknowledged");
    assert!((first - acted).num_milliseconds().abs() < 2, "{first} vs {acted}");
    let mut regions: Vec<String> = f.regions.iter().map(|r| r.to_string()).collect();
    regions.sort();
    assert_eq!(regions, vec!["330110005001", "330110014224"], "its own region and its case's");
    assert!(store.assessment_warnings(from - chrono::Duration::days(5), from, from).await.unwrap().is_empty());
    // Seen from a cut-off before the acknowledgement, the warning was not yet acted on.
    let earlier = store.assessment_warnings(from, before, acted - chrono::Duration::minutes(1)).await.unwrap();
    assert_eq!(earlier[0].first_action_at, None);
}

async fn star_ratings_keep_their_history(db: &TestDatabase) {
    let store = open(db).await;
    let period = Period::parse("2026-10").unwrap();
    let village = RegionCode::parse("330110014224").unwrap();
    let residents = ResidentRegister::from_toml(defaults::RESIDENTS).unwrap().of(village).unwrap();
    let metrics = shanzhi_core::assessment::Metrics::default();
    let first = StarScheme::from_toml(defaults::STAR_SCHEME).unwrap().rate(village, &metrics, residents, &period);
    let strict = defaults::STAR_SCHEME
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
        .replace("base_score = 100.0", "base_score = 50.0");
    let second = StarScheme::from_toml(&strict).unwrap().rate(village, &metrics, residents, &period);
    assert_ne!(first.stars, second.stars);
    // Nanoseconds in the instant: both stores keep microseconds.
    let t1 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + chrono::Duration::nanoseconds(123_456_789);
    store.record_star_ratings(period.label(), std::slice::from_ref(&first), t1).await.unwrap();
    store
        .record_star_ratings(period.label(), std::slice::from_ref(&second), t1 + chrono::Duration::hours(1))
        .await
        .unwrap();

    let latest = store.star_ratings(period.label()).await.unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].rating, second, "the latest computation is the rating");
    assert_eq!(latest[0].rating.scheme_version, "2026.2");
    let history = store.village_ratings(village).await.unwrap();
    assert_eq!(history.iter().map(|r| r.rating.stars).collect::<Vec<_>>(), vec![second.stars, first.stars]);
    assert_eq!(history[1].computed_at, t1 - chrono::Duration::nanoseconds(789));
    assert!(store.star_ratings("2026-09").await.unwrap().is_empty());
}
