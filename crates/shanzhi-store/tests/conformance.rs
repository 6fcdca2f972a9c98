//! The one conformance suite of the `Store` trait: every story runs on a fresh SQLite file, and
//! on a fresh PostgreSQL database when `SHANZHI_TEST_PG` names a server.

use std::sync::{Arc, OnceLock};

use chrono::{TimeZone, Utc};
use serde_json::json;
use shanzhi_core::{
    CaseChange, CaseId, CaseRecord, CaseStatus, Channel, EventKind, ExternalId, Gazetteer, IdNumber, LedgerRecord,
    PhoneNumber, PiiKey, RecordContext, RegionCode, defaults,
};
use shanzhi_store::testing::TestDatabase;
use shanzhi_store::{Registration, Store, StoreError};

/// Declares each story once and runs it against both stores.
macro_rules! conformance {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    let db = shanzhi_store::testing::TestDatabase::sqlite();
                    super::$story(&db).await;
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

conformance!(
    registers_a_case_and_reads_it_back,
    registration_is_idempotent_by_channel_and_external_id,
    large_batches_register_every_record_in_order,
    every_change_appends_to_the_history,
    history_and_cases_are_guarded_by_the_schema,
    concurrent_changes_keep_the_history_contiguous,
    the_same_person_is_found_across_channels,
    summary_counts_by_channel_status_and_town,
    settings_are_written_once,
    migrations_are_applied_once,
);

fn key() -> PiiKey {
    PiiKey::from_secret("conformance suite personal data key").unwrap()
}

fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap())
}

fn record(v: serde_json::Value) -> CaseRecord {
    let gazetteer = gazetteer();
    let key = key();
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap();
    let raw: LedgerRecord = serde_json::from_value(v).unwrap();
    raw.validate(&RecordContext { gazetteer, pii_key: &key, now }).expect("valid test record")
}

fn wage_arrears(channel: &str, external_id: &str) -> CaseRecord {
    record(json!({
        "channel": channel, "external_id": external_id,
        "received_at": "2026-03-12T09:41:00+08:00", "region": "中泰街道南湖村",
        "title": "讨薪", "text": "某工地拖欠37名工人工资共计32万元，工人聚集讨薪。",
        "parties": [
            {"role": "complainant", "name": "张某某", "id_number": "11010519491231002X", "phone": "13812345678"},
            {"role": "respondent", "name": "杭州某某建筑劳务有限公司", "kind": "organization"}
        ],
        "category": "劳资纠纷", "amount_yuan": 320000, "people_count": 37, "lat": 30.27, "lon": 119.93
    }))
}

fn neighbours(external_id: &str, region: &str) -> CaseRecord {
    record(json!({
        "channel": "grid", "external_id": external_id, "received_at": "2026-07-02 20:15",
        "region": region, "text": "楼上住户夜间噪音扰民，双方多次争吵。",
        "parties": [{"role": "complainant", "name": "楼下住户"}]
    }))
}

async fn open(db: &TestDatabase) -> Arc<dyn Store> {
    shanzhi_store::open(&db.url).await.expect("open test database")
}

async fn registers_a_case_and_reads_it_back(db: &TestDatabase) {
    let store = open(db).await;
    let input = wage_arrears("police", "110-20260312-0042");
    let regs = store.register_cases(std::slice::from_ref(&input), "import:test.jsonl").await.unwrap();
    let [Registration::Registered(id)] = regs[..] else { panic!("expected one registration, got {regs:?}") };

    let case = store.case(id).await.unwrap().expect("case exists");
    assert_eq!(case.record, input, "every field survives the round trip");
    assert_eq!(case.status, CaseStatus::Registered);
    assert_eq!(case.version, 1);
    let complainant = &case.record.parties[0];
    assert_eq!(complainant.id_number.as_ref().unwrap().masked, "1101**********002X");

    let history = store.history(id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].seq, 1);
    assert_eq!(history[0].actor, "import:test.jsonl");
    assert_eq!(history[0].kind, EventKind::Registered { channel: Channel::Police });

    let external = ExternalId::parse("110-20260312-0042").unwrap();
    assert_eq!(store.case_by_external_id(Channel::Police, &external).await.unwrap(), Some(id));
    assert_eq!(store.case_by_external_id(Channel::Hotline, &external).await.unwrap(), None);
    assert_eq!(store.case(CaseId::new(id.get() + 1000).unwrap()).await.unwrap(), None);
}

async fn registration_is_idempotent_by_channel_and_external_id(db: &TestDatabase) {
    let store = open(db).await;
    let a = wage_arrears("police", "110-1");
    let b = wage_arrears("hotline", "110-1"); // same external id, other channel: another case
    let first = store.register_cases(&[a.clone(), b.clone(), a.clone()], "t").await.unwrap();
    assert!(matches!(first[0], Registration::Registered(_)));
    assert!(matches!(first[1], Registration::Registered(_)));
    assert_ne!(first[0].case_id(), first[1].case_id());
    assert_eq!(first[2], Registration::AlreadyPresent(first[0].case_id()), "repeat within a batch");

    let again = store.register_cases(&[b, a], "t").await.unwrap();
    assert_eq!(
        again,
        [Registration::AlreadyPresent(first[1].case_id()), Registration::AlreadyPresent(first[0].case_id())]
    );
    assert_eq!(store.count_cases().await.unwrap(), 2);
    assert_eq!(store.history(first[0].case_id()).await.unwrap().len(), 1, "no second registration event");
}

async fn large_batches_register_every_record_in_order(db: &TestDatabase) {
    let store = open(db).await;
    let records: Vec<CaseRecord> = (0..1_234).map(|i| neighbours(&format!("grid-{i}"), "仓前街道")).collect();
    let regs = store.register_cases(&records, "t").await.unwrap();
    assert_eq!(regs.len(), 1_234);
    assert!(regs.iter().all(|r| matches!(r, Registration::Registered(_))));
    for (i, reg) in regs.iter().enumerate().step_by(97) {
        let case = store.case(reg.case_id()).await.unwrap().unwrap();
        assert_eq!(case.record.external_id.as_str(), format!("grid-{i}"));
    }
    // Half old, half new: the old are found, the new registered.
    let more: Vec<CaseRecord> = (617..1_851).map(|i| neighbours(&format!("grid-{i}"), "仓前街道")).collect();
    let regs = store.register_cases(&more, "t").await.unwrap();
    let new = regs.iter().filter(|r| matches!(r, Registration::Registered(_))).count();
    assert_eq!(new, 1_851 - 1_234);
    assert_eq!(store.count_cases().await.unwrap(), 1_851);
}

async fn every_change_appends_to_the_history(db: &TestDatabase) {
    let store = open(db).await;
    let id = store.register_cases(&[neighbours("g-1", "南湖村")], "t").await.unwrap()[0].case_id();

    let event = store.change_case(id, &CaseChange::Status(CaseStatus::Routed), "clerk:王").await.unwrap().unwrap();
    assert_eq!(event.seq, 2);
    assert_eq!(store.history(id).await.unwrap().last(), Some(&event), "the returned event is the stored one");
    assert_eq!(event.kind, EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed });
    let nothing = store.change_case(id, &CaseChange::Status(CaseStatus::Routed), "clerk:王").await.unwrap();
    assert_eq!(nothing, None, "a change that changes nothing writes nothing");
    store.change_case(id, &CaseChange::Category(Some("邻里纠纷".into())), "mediator:李").await.unwrap().unwrap();

    let case = store.case(id).await.unwrap().unwrap();
    assert_eq!((case.status, case.version), (CaseStatus::Routed, 3));
    assert_eq!(case.record.category.as_deref(), Some("邻里纠纷"));
    let history = store.history(id).await.unwrap();
    assert_eq!(store.case_with_history(id).await.unwrap(), Some((case.clone(), history.clone())));
    assert_eq!(history.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(history[2].actor, "mediator:李");
    assert_eq!(history[2].kind, EventKind::CategoryChanged { from: None, to: Some("邻里纠纷".into()) });
    assert!(history.windows(2).all(|w| w[0].at <= w[1].at));

    let missing = CaseId::new(id.get() + 99).unwrap();
    assert!(matches!(
        store.change_case(missing, &CaseChange::Status(CaseStatus::Closed), "t").await,
        Err(StoreError::CaseNotFound(_))
    ));
}

async fn history_and_cases_are_guarded_by_the_schema(db: &TestDatabase) {
    let store = open(db).await;
    let id = store.register_cases(&[neighbours("g-1", "南湖村")], "t").await.unwrap()[0].case_id().get();
    for (what, sql) in [
        ("rewrite history", format!("UPDATE case_events SET actor = 'x' WHERE case_id = {id}")),
        ("erase history", format!("DELETE FROM case_events WHERE case_id = {id}")),
        ("change a case silently", format!("UPDATE cases SET status = 'closed' WHERE id = {id}")),
        ("skip a version", format!("UPDATE cases SET status = 'closed', version = 5 WHERE id = {id}")),
        ("delete a case", format!("DELETE FROM cases WHERE id = {id}")),
        ("change a party", format!("UPDATE parties SET name = 'x' WHERE case_id = {id}")),
        ("remove a party", format!("DELETE FROM parties WHERE case_id = {id}")),
    ] {
        assert!(execute_raw(&db.url, &sql).await.is_err(), "the schema let me {what}");
    }
    if db.url.starts_with("postgres") {
        for table in ["cases", "case_events", "parties"] {
            let sql = format!("TRUNCATE {table} CASCADE");
            assert!(execute_raw(&db.url, &sql).await.is_err(), "the schema let me truncate {table}");
        }
    }
    let case = store.case(CaseId::new(id).unwrap()).await.unwrap().unwrap();
    assert_eq!((case.status, case.version), (CaseStatus::Registered, 1));
    assert_eq!(case.record.parties.len(), 1);
}

/// Runs one statement outside the store, as a careless script would.
async fn execute_raw(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        sqlx::query(sql).execute(&mut sqlx::SqliteConnection::connect(url).await?).await?;
    } else {
        sqlx::query(sql).execute(&mut sqlx::PgConnection::connect(url).await?).await?;
    }
    Ok(())
}

async fn concurrent_changes_keep_the_history_contiguous(db: &TestDatabase) {
    let store = open(db).await;
    let id = store.register_cases(&[neighbours("g-1", "南湖村")], "t").await.unwrap()[0].case_id();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(
                async move { store.change_case(id, &CaseChange::Category(Some(format!("类别{i}"))), "t").await },
            )
        })
        .collect();
    let mut applied = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(Some(_)) => applied += 1,
            Ok(None) => {}
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    // Both stores serialise the changes (BEGIN IMMEDIATE, SELECT … FOR UPDATE): all apply.
    assert_eq!(applied, 8);
    let history = store.history(id).await.unwrap();
    assert_eq!(history.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=applied + 1).collect::<Vec<u32>>());
    assert_eq!(store.case(id).await.unwrap().unwrap().version, applied + 1);
}

async fn the_same_person_is_found_across_channels(db: &TestDatabase) {
    let store = open(db).await;
    let police = wage_arrears("police", "110-7");
    let mut petition = wage_arrears("petition", "XF-7");
    // The petition gives only the phone, written another way.
    petition.parties[0].id_number = None;
    let other = neighbours("g-9", "南湖村");
    let regs = store.register_cases(&[police, petition, other], "t").await.unwrap();

    let key = key();
    let by_id = key.protect_id_number(&IdNumber::parse("11010519491231002X").unwrap()).hash;
    let by_phone = key.protect_phone(&PhoneNumber::parse("+86 138-1234-5678").unwrap()).hash;
    assert_eq!(store.cases_of_identity(&by_id).await.unwrap(), [regs[0].case_id()]);
    // Ids are assigned in key order within a batch; the answer is in id order.
    let mut both = [regs[0].case_id(), regs[1].case_id()];
    both.sort();
    assert_eq!(store.cases_of_identity(&by_phone).await.unwrap(), both);
    let stranger = key.protect_phone(&PhoneNumber::parse("13900000000").unwrap()).hash;
    assert!(store.cases_of_identity(&stranger).await.unwrap().is_empty());
}

async fn summary_counts_by_channel_status_and_town(db: &TestDatabase) {
    let store = open(db).await;
    let regs = store
        .register_cases(
            &[
                wage_arrears("police", "1"),
                wage_arrears("police", "2"),
                neighbours("3", "南湖村"),
                neighbours("4", "仓前街道"),
            ],
            "t",
        )
        .await
        .unwrap();
    store.change_case(regs[3].case_id(), &CaseChange::Status(CaseStatus::Routed), "t").await.unwrap();
    let summary = store.ledger_summary().await.unwrap();
    assert_eq!(summary.total, 4);
    assert_eq!(summary.by_channel.len(), 2);
    assert!(summary.by_channel.contains(&(Channel::Police, 2)) && summary.by_channel.contains(&(Channel::Grid, 2)));
    assert_eq!(summary.by_status.len(), 2);
    assert!(summary.by_status.contains(&(CaseStatus::Registered, 3)));
    let zhongtai = RegionCode::parse("330110014").unwrap();
    let cangqian = RegionCode::parse("330110012").unwrap();
    assert_eq!(summary.by_town, [(cangqian, 1), (zhongtai, 3)]);
}

async fn settings_are_written_once(db: &TestDatabase) {
    let store = open(db).await;
    assert_eq!(store.setting("pii_key_fingerprint").await.unwrap(), None);
    assert_eq!(store.put_setting_if_absent("pii_key_fingerprint", "abc").await.unwrap(), "abc");
    assert_eq!(store.put_setting_if_absent("pii_key_fingerprint", "xyz").await.unwrap(), "abc");
    assert_eq!(store.setting("pii_key_fingerprint").await.unwrap().as_deref(), Some("abc"));
}

async fn migrations_are_applied_once(db: &TestDatabase) {
    let store = open(db).await; // `open` migrates
    assert!(store.migrate().await.unwrap().is_empty(), "nothing left to apply");
    let reopened = open(db).await;
    store.ping().await.unwrap();
    reopened.ping().await.unwrap();
}
