//! The one conformance suite of the `Store` trait: every story runs on a fresh SQLite file, and
//! on a fresh PostgreSQL database when `SHANZHI_TEST_PG` names a server.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDate, SubsecRound, TimeZone, Utc};
use serde_json::json;
use shanzhi_core::warning::{
    Factor, Statistic, Subject, SubjectKind, Warning, WarningAction, WarningError, WarningLevel, WarningModel,
    WarningState,
};
use shanzhi_core::workflow::{
    Agreement, Attached, Candidate, CaseKind, ExtensionRequest, JudicialConfirmation, Link, MediationSession, Override,
    Pause, Relation, Routing, Task, Term,
};
use shanzhi_core::{
    Case, CaseId, CaseStatus, Channel, EventKind, ExternalId, Gazetteer, IdNumber, LedgerRecord, NewCase, PhoneNumber,
    PiiKey, RecordContext, RegionCode, RegionLevel, RiskLevel, Yuan, defaults,
};
use shanzhi_store::testing::TestDatabase;
use shanzhi_store::{
    CandidateQuery, CaseFilter, CaseOrder, Handling, Page, Plan, Registration, Store, StoreError, StoredWarning,
    WARNING_RUN_ACTOR, WarningEvent, WarningFilter, WarningPage, WarningRunOutcome,
};

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
    a_case_registered_before_the_workflow_still_reads,
    an_intake_registers_and_routes_or_links_in_one_transaction,
    concurrent_intakes_are_written_together_each_whole,
    registers_a_case_and_reads_it_back,
    sealed_numbers_survive_every_path_and_older_parties_read_unsealed,
    registration_is_idempotent_by_channel_and_external_id,
    large_batches_register_every_record_in_order,
    every_change_appends_to_the_history,
    history_and_cases_are_guarded_by_the_schema,
    concurrent_changes_keep_the_history_contiguous,
    the_same_person_is_found_across_channels,
    summary_counts_by_channel_status_and_town,
    settings_are_written_once,
    migrations_are_applied_once,
    list_filters_by_status_region_category_channel_and_kind,
    list_filters_combine,
    list_finds_a_department_as_lead_or_co_handler,
    text_search_matches_substrings_literally,
    received_period_is_half_open,
    primary_only_leaves_out_linked_records,
    overdue_means_a_running_clock_past_its_deadline,
    pages_partition_the_list_and_total_counts_every_match,
    due_order_puts_the_nearest_deadline_first_and_none_last,
    page_limit_is_capped,
    rerouting_rewrites_the_handlers,
    candidates_share_a_person_a_respondent_or_town_and_category,
    candidates_respect_since_and_limit,
    events_of_kind_are_one_kind_in_a_half_open_period_oldest_first,
    workflow_state_round_trips_and_replays_from_history,
    warning_runs_raise_update_and_respect_dismissals,
    warnings_are_guarded_by_the_schema,
    warning_lifecycle_is_recorded_with_its_actors,
    warning_lists_filter_and_put_red_first,
    case_summaries_project_the_ledger_for_the_models,
    list_filters_by_respondent_key,
    staff_labels_are_the_latest_category_of_each_case_not_merged,
    text_models_keep_every_version_and_one_is_active,
    histories_import_with_their_own_times,
    users_sessions_and_tokens_keep_only_hashes,
    the_unmasking_log_is_append_only,
    daily_counts_are_by_beijing_day_and_region,
);

fn key() -> PiiKey {
    PiiKey::from_secret("conformance suite personal data key").unwrap()
}

fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| defaults::gazetteer(defaults::DEFAULT_DISTRICT).unwrap())
}

fn record(v: serde_json::Value) -> NewCase {
    let gazetteer = gazetteer();
    let key = key();
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap();
    let raw: LedgerRecord = serde_json::from_value(v).unwrap();
    raw.validate(&RecordContext { gazetteer, pii_key: &key, now }).expect("valid test record").into()
}

fn wage_arrears(channel: &str, external_id: &str) -> NewCase {
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

fn neighbours(external_id: &str, region: &str) -> NewCase {
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
    assert_eq!(case.record, input.record, "every field survives the round trip");
    assert_eq!(case.workflow, input.workflow);
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

async fn sealed_numbers_survive_every_path_and_older_parties_read_unsealed(db: &TestDatabase) {
    let store = open(db).await;
    let key = key();
    let clear = |case: &Case| {
        let p = &case.record.parties[0];
        let open =
            |x: Option<&shanzhi_core::Protected>| x.and_then(|x| x.sealed.as_ref()).map(|s| key.unseal(s).unwrap());
        (open(p.id_number.as_ref()), open(p.phone.as_ref()))
    };
    let expected = (Some("11010519491231002X".to_owned()), Some("13812345678".to_owned()));

    // A batch import, an intake (SQLite's group commit) and an import with its past.
    let imported = store.register_cases(&[wage_arrears("police", "110-1")], "t").await.unwrap()[0].case_id();
    let plan: Plan = Arc::new(|_: &Case| Handling { next: None, others: vec![] });
    let (_, intake) = store.register_case(wage_arrears("hotline", "12345-1"), "clerk:王", plan).await.unwrap();
    let past = store.register_cases_as_received(&[wage_arrears("grid", "g-1")], "t").await.unwrap()[0].case_id();
    for id in [imported, intake.id, past] {
        let case = store.case(id).await.unwrap().unwrap();
        assert_eq!(clear(&case), expected, "case {id}");
        assert_eq!(
            case.record.parties,
            wage_arrears("police", "other").record.parties,
            "sealed values are stored as made"
        );
        let sealed = case.record.parties[0].phone.as_ref().unwrap().sealed.as_ref().unwrap();
        assert!(!sealed.as_str().contains("13812345678"), "never in clear: {}", sealed.as_str());
    }
    // Lists and the matcher read them too.
    let page =
        store.list_cases(&CaseFilter::default(), CaseOrder::Received, Page { limit: 10, offset: 0 }).await.unwrap();
    assert!(page.cases.iter().all(|c| clear(c) == expected));
    let phone_hash = key.protect_phone(&PhoneNumber::parse("13812345678").unwrap()).hash;
    let query = CandidateQuery { identities: vec![phone_hash.clone()], ..nothing_since(at(2026, 1, 1, 0)) };
    let candidates = store.match_candidates(&query).await.unwrap();
    assert_eq!(candidates.len(), 3);
    assert!(candidates.iter().all(|c| c.parties[0].phone.as_ref().unwrap().sealed.is_some()));

    // A party registered before migration 0008 has no sealed value: it reads, masked only.
    let old_case = "INSERT INTO cases (channel, external_id, received_at, registered_at, region_code, town_code, \
                    body, status, version) VALUES ('grid', 'old-{n}', '2026-01-05T02:00:00Z', \
                    '2026-01-05T02:00:00Z', '330110014', '330110014', '邻居占用楼道堆放杂物。', 'registered', 1)";
    let old_party = |n: u32, sealed: &str| {
        format!(
            "INSERT INTO parties (case_id, position, role, kind, name, phone_hash, phone_masked, phone_sealed) \
             SELECT id, 0, 'complainant', 'person', '楼下住户', '{}', '138****5678', {sealed} FROM cases \
             WHERE external_id = 'old-{n}'",
            phone_hash.as_str()
        )
    };
    execute_raw(&db.url, &old_case.replace("{n}", "1")).await.unwrap();
    execute_raw(&db.url, &old_party(1, "NULL")).await.unwrap();
    let old = store.case_by_external_id(Channel::Grid, &ExternalId::parse("old-1").unwrap()).await.unwrap().unwrap();
    let old = store.case(old).await.unwrap().unwrap();
    let phone = old.record.parties[0].phone.as_ref().unwrap();
    assert_eq!((phone.masked.as_str(), &phone.sealed), ("138****5678", &None));

    // An ID number's sealed value in the phone column is refused, not passed off as a phone.
    let id_sealed = wage_arrears("police", "other").record.parties[0].id_number.clone().unwrap().sealed.unwrap();
    execute_raw(&db.url, &old_case.replace("{n}", "2")).await.unwrap();
    execute_raw(&db.url, &old_party(2, &format!("'{}'", id_sealed.as_str()))).await.unwrap();
    let swapped =
        store.case_by_external_id(Channel::Grid, &ExternalId::parse("old-2").unwrap()).await.unwrap().unwrap();
    assert!(matches!(store.case(swapped).await, Err(StoreError::Corrupt(_))));
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
    let records: Vec<NewCase> = (0..1_234).map(|i| neighbours(&format!("grid-{i}"), "仓前街道")).collect();
    let regs = store.register_cases(&records, "t").await.unwrap();
    assert_eq!(regs.len(), 1_234);
    assert!(regs.iter().all(|r| matches!(r, Registration::Registered(_))));
    for (i, reg) in regs.iter().enumerate().step_by(97) {
        let case = store.case(reg.case_id()).await.unwrap().unwrap();
        assert_eq!(case.record.external_id.as_str(), format!("grid-{i}"));
    }
    // Half old, half new: the old are found, the new registered.
    let more: Vec<NewCase> = (617..1_851).map(|i| neighbours(&format!("grid-{i}"), "仓前街道")).collect();
    let regs = store.register_cases(&more, "t").await.unwrap();
    let new = regs.iter().filter(|r| matches!(r, Registration::Registered(_))).count();
    assert_eq!(new, 1_851 - 1_234);
    assert_eq!(store.count_cases().await.unwrap(), 1_851);
}

async fn every_change_appends_to_the_history(db: &TestDatabase) {
    let store = open(db).await;
    let id = store.register_cases(&[neighbours("g-1", "南湖村")], "t").await.unwrap()[0].case_id();

    let routed = EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed };
    let (after, event) = store.append_event(id, Some(1), routed.clone(), "clerk:王").await.unwrap();
    assert_eq!((event.seq, after.version, after.status), (2, 2, CaseStatus::Routed));
    assert_eq!(store.history(id).await.unwrap().last(), Some(&event), "the returned event is the stored one");
    assert_eq!(event.kind, routed);
    assert!(
        matches!(store.append_event(id, Some(1), routed, "clerk:王").await, Err(StoreError::Conflict(_))),
        "a decision made on an old version is refused"
    );
    let category = EventKind::CategoryChanged { from: None, to: Some("邻里纠纷".into()) };
    store.append_event(id, Some(2), category, "mediator:李").await.unwrap();

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
        store.append_event(missing, Some(1), EventKind::LinkConfirmed, "t").await,
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
            tokio::spawn(async move {
                let version = store.case(id).await?.expect("registered").version;
                let change = EventKind::CategoryChanged { from: None, to: Some(format!("类别{i}")) };
                store.append_event(id, Some(version), change, "t").await
            })
        })
        .collect();
    let mut applied = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => applied += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    // Each decision names the version it was made on: the first to commit wins, a decision made
    // on a version that has moved on is refused, and nothing is lost or doubled.
    assert!(applied >= 1);
    let history = store.history(id).await.unwrap();
    assert_eq!(history.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=applied + 1).collect::<Vec<u32>>());
    assert_eq!(store.case(id).await.unwrap().unwrap().version, applied + 1);
}

async fn the_same_person_is_found_across_channels(db: &TestDatabase) {
    let store = open(db).await;
    let police = wage_arrears("police", "110-7");
    let mut petition = wage_arrears("petition", "XF-7");
    // The petition gives only the phone, written another way.
    petition.record.parties[0].id_number = None;
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
    let routed = EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed };
    store.append_event(regs[3].case_id(), Some(1), routed, "t").await.unwrap();
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

// ---- Lists, search, matching and the workflow state ----

const ZHONGTAI: &str = "330110014";
const NANHU: &str = "330110014227"; // a village of 中泰街道
const BAIYUN: &str = "330110014224"; // another village of 中泰街道
const CANGQIAN: &str = "330110012";
const GAOQIAO: &str = "330110012209"; // a village of 仓前街道

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

/// A fixed instant (UTC).
fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// A grid report of a neighbours' quarrel in 南湖村, with the fields of `changes` replaced.
fn variant(external_id: &str, changes: serde_json::Value) -> NewCase {
    let mut v = json!({
        "channel": "grid", "external_id": external_id, "received_at": "2026-07-02 20:15",
        "region": NANHU, "text": "楼上住户夜间噪音扰民，双方多次争吵。",
        "parties": [{"role": "complainant", "name": "楼下住户"}]
    });
    for (field, value) in changes.as_object().expect("changes are an object") {
        v[field] = value.clone();
    }
    record(v)
}

async fn register(store: &dyn Store, records: &[NewCase]) -> Vec<CaseId> {
    let regs = store.register_cases(records, "t").await.unwrap();
    assert!(regs.iter().all(|r| matches!(r, Registration::Registered(_))), "all new: {regs:?}");
    regs.into_iter().map(Registration::case_id).collect()
}

fn sorted(mut ids: Vec<CaseId>) -> Vec<CaseId> {
    ids.sort();
    ids
}

fn ids_of<T: HasId>(cases: &[T]) -> Vec<CaseId> {
    cases.iter().map(HasId::id).collect()
}

trait HasId {
    fn id(&self) -> CaseId;
}

impl HasId for Case {
    fn id(&self) -> CaseId {
        self.id
    }
}

impl HasId for Candidate {
    fn id(&self) -> CaseId {
        self.id
    }
}

/// Every case `filter` selects (in one page), by id; checks that the total agrees.
async fn selected(store: &dyn Store, filter: CaseFilter) -> Vec<CaseId> {
    let page =
        store.list_cases(&filter, CaseOrder::Received, Page { limit: Page::MAX_LIMIT, offset: 0 }).await.unwrap();
    assert_eq!(page.total, page.cases.len() as u64, "the total of {filter:?} counts the cases listed");
    sorted(ids_of(&page.cases))
}

/// Appends `kind` on the case's current version; returns the case after it.
async fn append(store: &dyn Store, id: CaseId, kind: EventKind) -> Case {
    let version = store.case(id).await.unwrap().expect("case exists").version;
    store.append_event(id, Some(version), kind, "t").await.unwrap().0
}

fn routing(lead: &str, co: &[&str]) -> Routing {
    Routing {
        lead: lead.into(),
        co_handlers: co
            .iter()
            .map(|d| Task { department: (*d).into(), due_at: at(2026, 12, 10, 0), done_at: None, note: None })
            .collect(),
        level: RegionLevel::Town,
        rule: None,
        overridden: None,
    }
}

async fn route(store: &dyn Store, id: CaseId, lead: &str, co: &[&str], due_at: DateTime<Utc>) -> Case {
    append(store, id, EventKind::Routed { routing: routing(lead, co), due_at }).await
}

fn by_department(department: &str) -> CaseFilter {
    CaseFilter { department: Some(department.into()), ..CaseFilter::default() }
}

/// Five cases in two towns, of three channels, two kinds and two categories.
struct Mixed {
    /// Police, 南湖村, 劳资纠纷, a dispute.
    police_nanhu: CaseId,
    /// Grid, 白云村, routed.
    grid_baiyun: CaseId,
    /// Grid, registered at town level (中泰街道).
    grid_zhongtai: CaseId,
    /// Hotline, 高桥村, a consultation of category 政策咨询.
    consultation_gaoqiao: CaseId,
    /// Hotline, 高桥村, 劳资纠纷.
    hotline_gaoqiao: CaseId,
}

async fn mixed(store: &dyn Store) -> Mixed {
    let ids = register(
        store,
        &[
            wage_arrears("police", "m-1"),
            variant("m-2", json!({"region": BAIYUN})),
            variant("m-3", json!({"region": ZHONGTAI})),
            variant(
                "m-4",
                json!({"channel": "hotline", "region": GAOQIAO, "kind": "consultation", "category": "政策咨询",
                       "text": "咨询灵活就业人员社保缴费政策。"}),
            ),
            variant(
                "m-5",
                json!({"channel": "hotline", "region": GAOQIAO, "category": "劳资纠纷",
                       "text": "饭店拖欠服务员两个月工资。"}),
            ),
        ],
    )
    .await;
    route(store, ids[1], "中泰街道综治中心", &[], at(2026, 12, 1, 0)).await;
    Mixed {
        police_nanhu: ids[0],
        grid_baiyun: ids[1],
        grid_zhongtai: ids[2],
        consultation_gaoqiao: ids[3],
        hotline_gaoqiao: ids[4],
    }
}

async fn list_filters_by_status_region_category_channel_and_kind(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let m = mixed(store).await;
    let all = sorted(vec![m.police_nanhu, m.grid_baiyun, m.grid_zhongtai, m.consultation_gaoqiao, m.hotline_gaoqiao]);
    assert_eq!(selected(store, CaseFilter::default()).await, all, "no filter, every case");

    let status = |s| CaseFilter { status: Some(s), ..CaseFilter::default() };
    assert_eq!(selected(store, status(CaseStatus::Routed)).await, [m.grid_baiyun]);
    assert_eq!(
        selected(store, status(CaseStatus::Registered)).await,
        sorted(vec![m.police_nanhu, m.grid_zhongtai, m.consultation_gaoqiao, m.hotline_gaoqiao])
    );
    assert!(selected(store, status(CaseStatus::Closed)).await.is_empty());

    let within = |code| CaseFilter { region: Some(region(code)), ..CaseFilter::default() };
    assert_eq!(
        selected(store, within(ZHONGTAI)).await,
        sorted(vec![m.police_nanhu, m.grid_baiyun, m.grid_zhongtai]),
        "a town includes its villages and the cases registered at town level"
    );
    assert_eq!(selected(store, within(NANHU)).await, [m.police_nanhu], "a village is only that village");
    assert_eq!(selected(store, within(BAIYUN)).await, [m.grid_baiyun]);
    assert_eq!(selected(store, within(CANGQIAN)).await, sorted(vec![m.consultation_gaoqiao, m.hotline_gaoqiao]));

    let category = |c: &str| CaseFilter { category: Some(c.into()), ..CaseFilter::default() };
    assert_eq!(selected(store, category("劳资纠纷")).await, sorted(vec![m.police_nanhu, m.hotline_gaoqiao]));
    assert_eq!(selected(store, category("政策咨询")).await, [m.consultation_gaoqiao]);
    assert!(selected(store, category("劳资")).await.is_empty(), "a category matches whole, not by prefix");

    let channel = |c| CaseFilter { channel: Some(c), ..CaseFilter::default() };
    assert_eq!(selected(store, channel(Channel::Grid)).await, sorted(vec![m.grid_baiyun, m.grid_zhongtai]));
    assert_eq!(selected(store, channel(Channel::Police)).await, [m.police_nanhu]);
    assert!(selected(store, channel(Channel::Court)).await.is_empty());

    let kind = |k| CaseFilter { kind: Some(k), ..CaseFilter::default() };
    assert_eq!(selected(store, kind(CaseKind::Consultation)).await, [m.consultation_gaoqiao]);
    assert_eq!(
        selected(store, kind(CaseKind::Dispute)).await,
        sorted(vec![m.police_nanhu, m.grid_baiyun, m.grid_zhongtai, m.hotline_gaoqiao]),
        "the kind stays a dispute after routing"
    );

    // A listed case is the whole case, parties included.
    let page = store.list_cases(&within(NANHU), CaseOrder::Received, Page { limit: 10, offset: 0 }).await.unwrap();
    assert_eq!(page.cases, [store.case(m.police_nanhu).await.unwrap().unwrap()]);
    assert_eq!(page.cases[0].record.parties.len(), 2);
}

async fn list_filters_combine(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let m = mixed(store).await;
    let zhongtai_grid =
        CaseFilter { region: Some(region(ZHONGTAI)), channel: Some(Channel::Grid), ..CaseFilter::default() };
    assert_eq!(selected(store, zhongtai_grid.clone()).await, sorted(vec![m.grid_baiyun, m.grid_zhongtai]));
    let registered = CaseFilter { status: Some(CaseStatus::Registered), ..zhongtai_grid.clone() };
    assert_eq!(selected(store, registered).await, [m.grid_zhongtai]);
    let routed = CaseFilter { status: Some(CaseStatus::Routed), ..zhongtai_grid };
    assert_eq!(selected(store, routed).await, [m.grid_baiyun]);

    let cangqian_wages =
        CaseFilter { region: Some(region(CANGQIAN)), category: Some("劳资纠纷".into()), ..CaseFilter::default() };
    assert_eq!(selected(store, cangqian_wages).await, [m.hotline_gaoqiao]);
    let hotline_disputes =
        CaseFilter { channel: Some(Channel::Hotline), kind: Some(CaseKind::Dispute), ..CaseFilter::default() };
    assert_eq!(selected(store, hotline_disputes).await, [m.hotline_gaoqiao]);
    let nanhu_hotline =
        CaseFilter { region: Some(region(NANHU)), channel: Some(Channel::Hotline), ..CaseFilter::default() };
    assert!(selected(store, nanhu_hotline).await.is_empty(), "each filter narrows: none is in both");
    let social_insurance = CaseFilter {
        region: Some(region(GAOQIAO)),
        kind: Some(CaseKind::Consultation),
        text: Some("社保".into()),
        ..CaseFilter::default()
    };
    assert_eq!(selected(store, social_insurance).await, [m.consultation_gaoqiao]);
    let routed_in_department = CaseFilter {
        department: Some("中泰街道综治中心".into()),
        status: Some(CaseStatus::Routed),
        ..CaseFilter::default()
    };
    assert_eq!(selected(store, routed_in_department).await, [m.grid_baiyun]);
}

async fn list_finds_a_department_as_lead_or_co_handler(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let ids = register(
        store,
        &[variant("d-1", json!({})), variant("d-2", json!({})), variant("d-3", json!({})), variant("d-4", json!({}))],
    )
    .await;
    let (x, y, z, unrouted) = (ids[0], ids[1], ids[2], ids[3]);
    let due = at(2026, 12, 1, 0);
    route(store, x, "中泰街道综治中心", &["区人力社保局"], due).await;
    route(store, y, "区人力社保局", &[], due).await;
    route(store, z, "中泰派出所", &["区住建局", "区司法局"], due).await;

    assert_eq!(selected(store, by_department("区人力社保局")).await, sorted(vec![x, y]), "as co-handler and as lead");
    assert_eq!(selected(store, by_department("中泰街道综治中心")).await, [x]);
    assert_eq!(selected(store, by_department("区司法局")).await, [z], "the second co-handler too");
    assert_eq!(selected(store, by_department("中泰派出所")).await, [z]);
    assert!(selected(store, by_department("区卫健局")).await.is_empty());
    assert!(selected(store, by_department("区人力")).await.is_empty(), "a department matches whole");
    for d in ["区人力社保局", "中泰街道综治中心", "区司法局", "中泰派出所"] {
        assert!(!selected(store, by_department(d)).await.contains(&unrouted), "an unrouted case has no handlers");
    }

    // Events that do not change the routing leave the handlers as they are.
    append(store, x, EventKind::Accepted { department: "中泰街道综治中心".into(), due_at: at(2026, 12, 5, 0) }).await;
    append(store, x, EventKind::CategoryChanged { from: None, to: Some("劳资纠纷".into()) }).await;
    assert_eq!(selected(store, by_department("区人力社保局")).await, sorted(vec![x, y]));
    let accepted = CaseFilter { status: Some(CaseStatus::Accepted), ..by_department("区人力社保局") };
    assert_eq!(selected(store, accepted).await, [x]);
}

async fn text_search_matches_substrings_literally(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let ids = register(
        store,
        &[
            variant("s-1", json!({"text": "工资拖欠100%未付，要求结清。"})),
            variant("s-2", json!({"text": "工资拖欠1000元未付。"})),
            variant("s-3", json!({"text": "某某_公司拒不退还押金。"})),
            variant("s-4", json!({"text": "某某A公司拒不退还押金。"})),
            variant("s-5", json!({"title": "物业纠纷", "text": "小区电梯停运两周无人维修。"})),
            variant("s-6", json!({"text": "材料编号A\\B已提交但无人受理。"})),
        ],
    )
    .await;
    let search = |t: &str| CaseFilter { text: Some(t.into()), ..CaseFilter::default() };
    assert_eq!(selected(store, search("押金")).await, sorted(vec![ids[2], ids[3]]), "a Chinese substring");
    assert_eq!(selected(store, search("拒不退还押金")).await, sorted(vec![ids[2], ids[3]]));
    assert_eq!(selected(store, search("物业")).await, [ids[4]], "the title is searched too");
    assert_eq!(selected(store, search("  电梯停运 ")).await, [ids[4]], "surrounding blanks are ignored");
    assert!(selected(store, search("退还定金")).await.is_empty());
    // The pattern's wildcards are matched as themselves.
    assert_eq!(selected(store, search("100%")).await, [ids[0]], "`%` is not a wildcard");
    assert_eq!(selected(store, search("%")).await, [ids[0]]);
    assert_eq!(selected(store, search("某某_公司")).await, [ids[2]], "`_` is not a wildcard");
    assert_eq!(selected(store, search("_")).await, [ids[2]]);
    assert_eq!(selected(store, search("A\\B")).await, [ids[5]], "a backslash is itself");
    assert_eq!(selected(store, search("   ")).await.len(), 6, "blank words filter nothing");
}

async fn received_period_is_half_open(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let ids = register(
        store,
        &[
            variant("r-1", json!({"received_at": "2026-05-01T07:59:59+08:00"})), // a second before t0
            variant("r-2", json!({"received_at": "2026-05-01T08:00:00+08:00"})), // t0
            variant("r-3", json!({"received_at": "2026-05-01T00:00:00.5Z"})),    // t0 + ½ s
            variant("r-4", json!({"received_at": "2026-05-02T00:00:00Z"})),      // t1
        ],
    )
    .await;
    let t0 = at(2026, 5, 1, 0);
    let half = t0 + chrono::Duration::milliseconds(500);
    let t1 = at(2026, 5, 2, 0);
    let period = |from: Option<DateTime<Utc>>, before: Option<DateTime<Utc>>| CaseFilter {
        received_from: from,
        received_before: before,
        ..CaseFilter::default()
    };
    assert_eq!(selected(store, period(Some(t0), None)).await, ids[1..].to_vec(), "from is inclusive");
    assert_eq!(selected(store, period(None, Some(t0))).await, [ids[0]], "before is exclusive");
    assert_eq!(selected(store, period(Some(t0), Some(t1))).await, [ids[1], ids[2]]);
    assert_eq!(selected(store, period(Some(half), Some(t1))).await, [ids[2]], "to the fraction of a second");
    assert_eq!(selected(store, period(None, Some(half))).await, [ids[0], ids[1]]);
    assert_eq!(selected(store, period(Some(t1), None)).await, [ids[3]]);
    assert!(selected(store, period(Some(t1), Some(t1))).await.is_empty());
    assert!(selected(store, period(Some(t1), Some(t0))).await.is_empty());
}

async fn primary_only_leaves_out_linked_records(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let ids =
        register(store, &[wage_arrears("police", "p-1"), wage_arrears("hotline", "p-2"), neighbours("p-3", "白云村")])
            .await;
    let (primary, repeat, other) = (ids[0], ids[1], ids[2]);
    let link =
        Link {
            primary, relation: Relation::SameMatter, confirmed: false, reason: "同一工地、同一投诉人".into()
        };
    let linked = append(store, repeat, EventKind::Linked { link }).await;
    assert_eq!(linked.status, CaseStatus::Merged);
    let attached = Attached { case: repeat, relation: Relation::SameMatter, channel: Channel::Hotline };
    append(store, primary, EventKind::RecordAttached { attached }).await;

    let primary_only = CaseFilter { primary_only: true, ..CaseFilter::default() };
    assert_eq!(selected(store, primary_only.clone()).await, sorted(vec![primary, other]));
    assert_eq!(selected(store, CaseFilter::default()).await, sorted(vec![primary, repeat, other]));
    let merged = CaseFilter { status: Some(CaseStatus::Merged), ..CaseFilter::default() };
    assert_eq!(selected(store, merged).await, [repeat]);
    let wages = CaseFilter { category: Some("劳资纠纷".into()), ..primary_only.clone() };
    assert_eq!(selected(store, wages).await, [primary]);

    append(store, repeat, EventKind::Split { reason: "不是同一工地".into() }).await;
    assert_eq!(selected(store, primary_only).await, sorted(vec![primary, repeat, other]), "a split record is its own");
}

async fn overdue_means_a_running_clock_past_its_deadline(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let records: Vec<NewCase> = (1..=7).map(|i| variant(&format!("o-{i}"), json!({}))).collect();
    let ids = register(store, &records).await;
    let lead = "中泰街道综治中心";
    let (late, paused, no_clock, accepted_late, resumed_late, linked, early) =
        (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6]);
    let now = at(2026, 12, 1, 0);
    let pause = || EventKind::Paused {
        pause: Pause { since: at(2026, 11, 20, 0), reason: "等待当事人补充材料".into() },
    };

    route(store, late, lead, &[], at(2026, 11, 30, 0)).await;
    route(store, paused, lead, &[], at(2026, 11, 30, 0)).await;
    append(store, paused, pause()).await;
    // The clock of the latest stage counts: routed in time, accepted with an earlier deadline.
    route(store, accepted_late, lead, &[], at(2026, 12, 5, 0)).await;
    append(store, accepted_late, EventKind::Accepted { department: lead.into(), due_at: at(2026, 11, 25, 0) }).await;
    route(store, resumed_late, lead, &[], at(2026, 11, 30, 0)).await;
    append(store, resumed_late, pause()).await;
    append(store, resumed_late, EventKind::Resumed { due_at: at(2026, 11, 29, 0) }).await;
    route(store, linked, lead, &[], at(2026, 11, 30, 0)).await;
    let link = Link { primary: late, relation: Relation::Repeat, confirmed: true, reason: "重复访".into() };
    append(store, linked, EventKind::Linked { link }).await;
    route(store, early, lead, &[], at(2026, 12, 5, 0)).await;

    let overdue_at = |t| CaseFilter { overdue_at: Some(t), ..CaseFilter::default() };
    assert_eq!(
        selected(store, overdue_at(now)).await,
        sorted(vec![late, accepted_late, resumed_late]),
        "paused, unclocked, linked and not-yet-due cases are not overdue"
    );
    assert_eq!(
        selected(store, overdue_at(at(2026, 12, 10, 0))).await,
        sorted(vec![late, accepted_late, resumed_late, early])
    );
    assert!(selected(store, overdue_at(at(2026, 11, 1, 0))).await.is_empty());
    let routed_overdue = CaseFilter { status: Some(CaseStatus::Routed), ..overdue_at(now) };
    assert_eq!(selected(store, routed_overdue).await, sorted(vec![late, resumed_late]));
    // The store's answer is the workflow's own `is_overdue`, at every instant (due exactly then included).
    for t in [now, at(2026, 11, 25, 0), at(2026, 11, 29, 0), at(2026, 11, 30, 0), at(2026, 12, 5, 0)] {
        let mut expected = Vec::new();
        for &id in &ids {
            let case = store.case(id).await.unwrap().unwrap();
            if shanzhi_core::workflow::is_overdue(&case.workflow, t) {
                expected.push(id);
            }
        }
        assert_eq!(selected(store, overdue_at(t)).await, sorted(expected), "overdue at {t}");
    }
    assert!(!selected(store, overdue_at(at(2027, 1, 1, 0))).await.contains(&no_clock), "no clock, never overdue");

    // Resuming the paused case with a past deadline makes it overdue.
    append(store, paused, EventKind::Resumed { due_at: at(2026, 11, 30, 12) }).await;
    assert!(selected(store, overdue_at(now)).await.contains(&paused));
}

async fn pages_partition_the_list_and_total_counts_every_match(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let received = ["2026-06-01 09:00", "2026-06-02 09:00", "2026-06-03 09:00", "2026-06-03 09:00", "2026-06-03 09:00"];
    let mut records: Vec<NewCase> =
        received.iter().enumerate().map(|(i, r)| variant(&format!("pg-{i}"), json!({"received_at": r}))).collect();
    records.push(variant("pg-5", json!({"received_at": "2026-06-04 09:00", "channel": "hotline"})));
    records.push(variant("pg-6", json!({"received_at": "2026-06-05 09:00", "channel": "hotline"})));
    let ids = register(store, &records).await;

    // Newest received first; cases received at the same instant, by id (newest first).
    let mut same_instant = ids[2..5].to_vec();
    same_instant.sort_by(|a, b| b.cmp(a));
    let newest_first: Vec<CaseId> =
        [vec![ids[6], ids[5]], same_instant, vec![ids[1], ids[0]]].into_iter().flatten().collect();
    let all =
        store.list_cases(&CaseFilter::default(), CaseOrder::Received, Page { limit: 100, offset: 0 }).await.unwrap();
    assert_eq!(ids_of(&all.cases), newest_first);
    assert_eq!(all.total, 7);

    let mut paged = Vec::new();
    for (offset, expected_len) in [(0, 3), (3, 3), (6, 1), (7, 0), (100, 0)] {
        let page =
            store.list_cases(&CaseFilter::default(), CaseOrder::Received, Page { limit: 3, offset }).await.unwrap();
        assert_eq!(page.total, 7, "the total counts every match, whatever the page");
        assert_eq!(page.cases.len(), expected_len, "page at offset {offset}");
        paged.extend(ids_of(&page.cases));
    }
    assert_eq!(paged, newest_first, "the pages neither overlap nor leave a case out");

    let hotline = CaseFilter { channel: Some(Channel::Hotline), ..CaseFilter::default() };
    let first = store.list_cases(&hotline, CaseOrder::Received, Page { limit: 1, offset: 0 }).await.unwrap();
    let second = store.list_cases(&hotline, CaseOrder::Received, Page { limit: 1, offset: 1 }).await.unwrap();
    assert_eq!((first.total, second.total), (2, 2), "the total counts the filter's matches");
    assert_eq!([ids_of(&first.cases), ids_of(&second.cases)].concat(), [ids[6], ids[5]]);
    let empty = store.list_cases(&hotline, CaseOrder::Received, Page { limit: 0, offset: 0 }).await.unwrap();
    assert_eq!((empty.cases.len(), empty.total), (0, 2));
}

async fn due_order_puts_the_nearest_deadline_first_and_none_last(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let records: Vec<NewCase> = (0..6).map(|i| variant(&format!("due-{i}"), json!({}))).collect();
    let ids = register(store, &records).await;
    let lead = "中泰街道综治中心";
    route(store, ids[0], lead, &[], at(2026, 12, 3, 0)).await;
    route(store, ids[1], lead, &[], at(2026, 12, 1, 0)).await;
    route(store, ids[2], lead, &[], at(2026, 12, 2, 8)).await;
    route(store, ids[3], lead, &[], at(2026, 12, 1, 0)).await; // the same deadline as ids[1]
    // ids[4] and ids[5] have no deadline.
    let mut tie = vec![ids[1], ids[3]];
    tie.sort();
    let mut undated = vec![ids[4], ids[5]];
    undated.sort();
    let expected: Vec<CaseId> = [tie, vec![ids[2], ids[0]], undated].concat();

    let all = store.list_cases(&CaseFilter::default(), CaseOrder::Due, Page { limit: 100, offset: 0 }).await.unwrap();
    assert_eq!(ids_of(&all.cases), expected);
    let mut paged = Vec::new();
    for offset in [0, 2, 4] {
        let page = store.list_cases(&CaseFilter::default(), CaseOrder::Due, Page { limit: 2, offset }).await.unwrap();
        assert_eq!(page.total, 6);
        paged.extend(ids_of(&page.cases));
    }
    assert_eq!(paged, expected, "pages in due order neither overlap nor leave a case out");

    // A case whose clock stops at closing (or merging) falls to the end.
    let link = Link { primary: ids[0], relation: Relation::SameMatter, confirmed: true, reason: "同一事项".into() };
    append(store, ids[2], EventKind::Linked { link }).await;
    let all = store.list_cases(&CaseFilter::default(), CaseOrder::Due, Page { limit: 100, offset: 0 }).await.unwrap();
    let ids_now = ids_of(&all.cases);
    assert_eq!(ids_now[..3], [expected[0], expected[1], ids[0]]);
    assert_eq!(sorted(ids_now[3..].to_vec()), sorted(vec![ids[2], ids[4], ids[5]]));
}

async fn page_limit_is_capped(db: &TestDatabase) {
    let store = open(db).await;
    let n = Page::MAX_LIMIT as usize + 5;
    let records: Vec<NewCase> = (0..n).map(|i| variant(&format!("cap-{i}"), json!({}))).collect();
    register(&*store, &records).await;
    let page = store
        .list_cases(&CaseFilter::default(), CaseOrder::Received, Page { limit: u32::MAX, offset: 0 })
        .await
        .unwrap();
    assert_eq!(page.cases.len(), Page::MAX_LIMIT as usize, "no more than MAX_LIMIT in one page");
    assert_eq!(page.total, n as u64);
    let rest = store
        .list_cases(
            &CaseFilter::default(),
            CaseOrder::Received,
            Page { limit: u32::MAX, offset: u64::from(Page::MAX_LIMIT) },
        )
        .await
        .unwrap();
    assert_eq!(rest.cases.len(), 5);
    let mut every: Vec<CaseId> = ids_of(&page.cases);
    every.extend(ids_of(&rest.cases));
    every.sort();
    every.dedup();
    assert_eq!(every.len(), n);
}

async fn rerouting_rewrites_the_handlers(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let ids = register(store, &[wage_arrears("police", "h-1"), wage_arrears("hotline", "h-2")]).await;
    let (case, bystander) = (ids[0], ids[1]);
    let (village, labour, town, district) = ("南湖村调委会", "区人力社保局", "中泰街道综治中心", "区矛调中心");
    let due = at(2026, 12, 1, 0);
    route(store, case, village, &[labour], due).await;
    route(store, bystander, village, &[], due).await;

    /// Each department finds the case exactly when the case's workflow names it.
    async fn finds(store: &dyn Store, case: CaseId, departments: &[&str]) {
        let current = store.case(case).await.unwrap().unwrap();
        for d in departments {
            let named = current.workflow.handlers().any(|h| h == *d);
            assert_eq!(selected(store, by_department(d)).await.contains(&case), named, "{d} finds the case: {named}");
        }
    }
    let everyone = [village, labour, town, district];
    assert_eq!(selected(store, by_department(village)).await, sorted(vec![case, bystander]));
    finds(store, case, &everyone).await;

    let transfer = routing(town, &[labour]);
    let after =
        append(store, case, EventKind::Transferred { routing: transfer, reason: "村级无法调处".into(), due_at: due })
            .await;
    assert_eq!(after.status, CaseStatus::Routed);
    assert_eq!(selected(store, by_department(village)).await, [bystander], "the former lead no longer finds it");
    assert_eq!(selected(store, by_department(labour)).await, [case], "a co-handler kept on stays");
    assert_eq!(selected(store, by_department(town)).await, [case], "the new lead finds it");
    finds(store, case, &everyone).await;

    // Escalated: the former lead stays on as a co-handler, the former co-handler is dropped.
    let escalation = Routing { level: RegionLevel::District, ..routing(district, &[town]) };
    let after = append(
        store,
        case,
        EventKind::Escalated { routing: escalation, reason: "涉及人数多，风险高".into(), due_at: due },
    )
    .await;
    assert_eq!(after.workflow.times_escalated, 1);
    assert_eq!(selected(store, by_department(town)).await, [case], "still a co-handler");
    assert_eq!(selected(store, by_department(district)).await, [case]);
    assert!(selected(store, by_department(labour)).await.is_empty());
    assert_eq!(selected(store, by_department(village)).await, [bystander], "the other case keeps its handlers");
    finds(store, case, &everyone).await;

    // A fresh routing replaces all of them.
    route(store, case, village, &[], due).await;
    assert_eq!(selected(store, by_department(village)).await, sorted(vec![case, bystander]));
    for d in [labour, town, district] {
        assert!(selected(store, by_department(d)).await.is_empty(), "{d} is off the case");
    }
    finds(store, case, &everyone).await;
}

/// The cases the ledger holds for the matching stories.
struct Candidates {
    /// 2026-03-12, 南湖村 (中泰), 劳资纠纷; a complainant with ID and phone.
    wages: CaseId,
    /// 2026-07-02, 高桥村 (仓前); respondent 某某建筑.
    respondent: CaseId,
    /// 2026-08-01, 白云村 (中泰), 劳资纠纷; nobody shared.
    same_town: CaseId,
    /// 2025-06-01: the same person and respondent, long ago.
    old: CaseId,
    /// 2026-09-01, 高桥村 (仓前), 邻里纠纷; another person with the same phone.
    same_phone: CaseId,
    /// 2026-10-01, 仓前, 邻里纠纷; nothing in common.
    unrelated: CaseId,
}

async fn candidates(store: &dyn Store) -> Candidates {
    let mut respondent = variant(
        "c-2",
        json!({"region": GAOQIAO, "parties": [{"role": "respondent", "name": "杭州某某建筑劳务有限公司", "kind": "organization"}]}),
    );
    respondent.workflow.respondent_key = Some("某某建筑".into());
    let mut old = wage_arrears("petition", "c-4");
    old.record.received_at = at(2025, 6, 1, 0);
    old.workflow.respondent_key = Some("某某建筑".into());
    let ids = register(
        store,
        &[
            wage_arrears("police", "c-1"),
            respondent,
            variant("c-3", json!({"region": BAIYUN, "category": "劳资纠纷", "received_at": "2026-08-01 10:00"})),
            old,
            variant(
                "c-5",
                json!({"region": GAOQIAO, "category": "邻里纠纷", "received_at": "2026-09-01 09:00",
                       "parties": [{"role": "complainant", "name": "王某", "phone": "138 1234 5678"}]}),
            ),
            variant("c-6", json!({"region": CANGQIAN, "category": "邻里纠纷", "received_at": "2026-10-01 09:00"})),
        ],
    )
    .await;
    Candidates {
        wages: ids[0],
        respondent: ids[1],
        same_town: ids[2],
        old: ids[3],
        same_phone: ids[4],
        unrelated: ids[5],
    }
}

fn nothing_since(since: DateTime<Utc>) -> CandidateQuery {
    CandidateQuery {
        identities: vec![],
        respondent_key: None,
        town: None,
        category: None,
        since,
        same_town_since: since,
        limit: 50,
    }
}

async fn candidates_share_a_person_a_respondent_or_town_and_category(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let c = candidates(store).await;
    let key = key();
    let id_hash = key.protect_id_number(&IdNumber::parse("11010519491231002X").unwrap()).hash;
    let phone_hash = key.protect_phone(&PhoneNumber::parse("13812345678").unwrap()).hash;
    let this_year = nothing_since(at(2026, 1, 1, 0));
    let found = |q: CandidateQuery| async move { ids_of(&store.match_candidates(&q).await.unwrap()) };

    assert!(found(this_year.clone()).await.is_empty(), "no evidence, no candidates");
    let by_id = CandidateQuery { identities: vec![id_hash.clone()], ..this_year.clone() };
    assert_eq!(found(by_id).await, [c.wages]);
    let by_phone = CandidateQuery { identities: vec![phone_hash.clone()], ..this_year.clone() };
    assert_eq!(found(by_phone).await, [c.same_phone, c.wages], "most recent first");

    let by_respondent = CandidateQuery { respondent_key: Some("某某建筑".into()), ..this_year.clone() };
    let respondent = store.match_candidates(&by_respondent).await.unwrap();
    assert_eq!(ids_of(&respondent), [c.respondent]);
    assert_eq!(respondent[0].respondent_key.as_deref(), Some("某某建筑"));
    let other = CandidateQuery { respondent_key: Some("某某物业".into()), ..this_year.clone() };
    assert!(found(other).await.is_empty());

    let zhongtai_wages =
        CandidateQuery { town: Some(region(ZHONGTAI)), category: Some("劳资纠纷".into()), ..this_year.clone() };
    assert_eq!(found(zhongtai_wages).await, [c.same_town, c.wages], "the town includes its villages");
    let cangqian_wages =
        CandidateQuery { town: Some(region(CANGQIAN)), category: Some("劳资纠纷".into()), ..this_year.clone() };
    assert!(found(cangqian_wages).await.is_empty());
    let town_alone = CandidateQuery { town: Some(region(ZHONGTAI)), ..this_year.clone() };
    assert!(found(town_alone).await.is_empty(), "a town without a category is no evidence");

    // Any evidence will do; a case with several is listed once; parties come with each case.
    let any = CandidateQuery {
        identities: vec![phone_hash, id_hash],
        respondent_key: Some("某某建筑".into()),
        town: Some(region(ZHONGTAI)),
        category: Some("劳资纠纷".into()),
        ..this_year
    };
    let cases = store.match_candidates(&any).await.unwrap();
    assert_eq!(ids_of(&cases), [c.same_phone, c.same_town, c.respondent, c.wages]);
    for candidate in &cases {
        let case = store.case(candidate.id).await.unwrap().unwrap();
        assert_eq!(candidate, &Candidate::of(&case), "what the matcher needs, parties included");
    }
    assert_eq!(cases[3].parties.len(), 2);
    assert_eq!(cases[0].parties[0].name.as_deref(), Some("王某"));
    assert!(!ids_of(&cases).contains(&c.unrelated) && !ids_of(&cases).contains(&c.old));
}

async fn candidates_respect_since_and_limit(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let c = candidates(store).await;
    let id_hash = key().protect_id_number(&IdNumber::parse("11010519491231002X").unwrap()).hash;
    let found = |q: CandidateQuery| async move { ids_of(&store.match_candidates(&q).await.unwrap()) };
    let person = |since| CandidateQuery { identities: vec![id_hash.clone()], ..nothing_since(since) };

    assert_eq!(found(person(at(2025, 1, 1, 0))).await, [c.wages, c.old], "an earlier `since` reaches back");
    assert_eq!(found(person(at(2026, 1, 1, 0))).await, [c.wages]);
    let received = store.case(c.wages).await.unwrap().unwrap().record.received_at;
    assert_eq!(found(person(received)).await, [c.wages], "`since` is inclusive");
    assert!(found(person(received + chrono::Duration::seconds(1))).await.is_empty());
    let respondent = |since| CandidateQuery { respondent_key: Some("某某建筑".into()), ..nothing_since(since) };
    assert_eq!(found(respondent(at(2025, 1, 1, 0))).await, [c.respondent, c.old]);

    let everything = |limit| CandidateQuery {
        respondent_key: Some("某某建筑".into()),
        town: Some(region(ZHONGTAI)),
        category: Some("劳资纠纷".into()),
        limit,
        ..person(at(2025, 1, 1, 0))
    };
    assert_eq!(found(everything(50)).await, [c.same_town, c.respondent, c.wages, c.old]);
    // `limit` bounds each kind of evidence, so that a respondent with thousands of cases cannot
    // crowd out the same person's: the most recent of each kind.
    assert_eq!(found(everything(1)).await, [c.same_town, c.respondent, c.wages], "the most recent of each kind");
    let respondent_only = CandidateQuery { limit: 1, ..respondent(at(2025, 1, 1, 0)) };
    assert_eq!(found(respondent_only).await, [c.respondent], "the most recent `limit` of one kind");
    assert!(found(everything(0)).await.is_empty());
}

async fn events_of_kind_are_one_kind_in_a_half_open_period_oldest_first(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let pause = || std::thread::sleep(std::time::Duration::from_millis(5));
    let registering = Utc::now().trunc_subsecs(6);
    let ids =
        sorted(register(store, &[variant("e-1", json!({})), variant("e-2", json!({"channel": "hotline"}))]).await);
    let (low, high) = (ids[0], ids[1]);
    pause();
    let start = Utc::now().trunc_subsecs(6);

    let routed = |lead: &str, co: &[&str]| EventKind::Routed { routing: routing(lead, co), due_at: at(2026, 12, 1, 0) };
    let mut appended = Vec::new();
    // The higher id first: the answer is in time order, not id order.
    for (id, kind) in [
        (high, routed("中泰街道综治中心", &["区人力社保局", "区司法局"])),
        (high, EventKind::Accepted { department: "中泰街道综治中心".into(), due_at: at(2026, 12, 5, 0) }),
        (low, routed("南湖村调委会", &[])),
        (high, routed("区矛调中心", &[])),
    ] {
        let version = store.case(id).await.unwrap().unwrap().version;
        appended.push(store.append_event(id, Some(version), kind, "dispatcher:周").await.unwrap().1);
        pause();
    }
    let end = Utc::now() + chrono::Duration::seconds(1);
    let (first, accepted, second, third) = (&appended[0], &appended[1], &appended[2], &appended[3]);
    assert!(first.at < accepted.at && accepted.at < second.at && second.at < third.at);

    let routed_events = store.events_of_kind("routed", start, end).await.unwrap();
    assert_eq!(routed_events, [first.clone(), second.clone(), third.clone()], "only routings, oldest first, intact");
    let EventKind::Routed { routing: r, .. } = &routed_events[0].kind else { panic!("a routing") };
    assert_eq!(r.co_handlers.len(), 2);
    assert_eq!(store.history(high).await.unwrap()[1], routed_events[0], "the same event as in the history");

    assert_eq!(
        store.events_of_kind("routed", first.at, second.at).await.unwrap(),
        std::slice::from_ref(first),
        "[since, before)"
    );
    assert_eq!(store.events_of_kind("routed", second.at, third.at).await.unwrap(), std::slice::from_ref(second));
    let after_third = third.at + chrono::Duration::microseconds(1);
    assert_eq!(store.events_of_kind("routed", third.at, after_third).await.unwrap(), std::slice::from_ref(third));
    assert!(store.events_of_kind("routed", after_third, end).await.unwrap().is_empty());
    assert!(store.events_of_kind("routed", third.at, third.at).await.unwrap().is_empty());
    assert_eq!(store.events_of_kind("accepted", start, end).await.unwrap(), std::slice::from_ref(accepted));
    assert!(store.events_of_kind("paused", start, end).await.unwrap().is_empty());
    assert!(store.events_of_kind("exploded", start, end).await.unwrap().is_empty());

    // Registered in one batch at one instant: then by case.
    let registered = store.events_of_kind("registered", registering, start).await.unwrap();
    assert_eq!(registered.iter().map(|e| e.case_id).collect::<Vec<_>>(), [low, high]);
    assert!(registered.iter().all(|e| e.seq == 1));
    let channels: Vec<EventKind> = registered.into_iter().map(|e| e.kind).collect();
    assert!(channels.contains(&EventKind::Registered { channel: Channel::Hotline }));
    assert!(channels.contains(&EventKind::Registered { channel: Channel::Grid }));
    assert!(store.events_of_kind("registered", start, end).await.unwrap().is_empty());
}

async fn workflow_state_round_trips_and_replays_from_history(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let mut input = wage_arrears("police", "w-1");
    input.workflow.respondent_key = Some("某某建筑".into());
    input.workflow.risk = RiskLevel::High;
    input.workflow.query_code_hash = Some(key().protect_query_code("K7Q2-9XPA").as_str().to_owned());
    let id = register(store, &[input.clone()]).await[0];
    let registered = store.case(id).await.unwrap().unwrap();
    assert_eq!(registered.workflow, input.workflow);

    let lead = "中泰街道综治中心";
    let labour = "区人力社保局";
    let mut routing = routing(lead, &[labour, "区住建局"]);
    routing.overridden = Some(Override {
        suggested_lead: "南湖村调委会".into(),
        suggested_level: RegionLevel::Village,
        reason: "涉及37人，村级难以调处".into(),
    });
    let agreement = Agreement {
        signed_at: at(2026, 11, 20, 2),
        terms: vec![
            Term {
                text: "劳务公司于12月10日前支付拖欠工资".into(),
                amount_yuan: Some(Yuan::from_fen(32_000_000).unwrap()),
                due: NaiveDate::from_ymd_opt(2026, 12, 10),
                check_on: NaiveDate::from_ymd_opt(2026, 12, 13),
                honoured: None,
            },
            Term { text: "工人停止聚集".into(), amount_yuan: None, due: None, check_on: None, honoured: None },
        ],
        judicial_confirmation: None,
    };
    let events = vec![
        EventKind::Routed { routing, due_at: at(2026, 11, 16, 0) },
        EventKind::Accepted { department: lead.into(), due_at: at(2026, 11, 18, 0) },
        EventKind::MediationStarted { due_at: at(2026, 12, 18, 0) },
        EventKind::SessionRecorded {
            session: MediationSession {
                at: at(2026, 11, 19, 6),
                place: "中泰街道矛调中心调解室".into(),
                participants: vec!["张某某".into(), "劳务公司代表".into(), "人社局".into()],
                outcome: "双方同意分期支付".into(),
            },
        },
        EventKind::Paused { pause: Pause { since: at(2026, 11, 19, 8), reason: "等待公司核算工资".into() } },
        EventKind::Resumed { due_at: at(2026, 12, 20, 0) },
        EventKind::ExtensionRequested {
            request: ExtensionRequest {
                working_days: 10,
                reason: "涉及人数多".into(),
                requested_by: "mediator:李".into(),
                requested_at: at(2026, 11, 19, 9),
            },
        },
        EventKind::ExtensionDecided { approved: true, reason: "同意".into(), due_at: at(2027, 1, 5, 0) },
        EventKind::TaskCompleted { department: labour.into(), note: "已核实工资清单".into() },
        EventKind::AgreementRecorded { agreement },
        EventKind::TermChecked { term: 0, honoured: true, note: "已全额支付".into() },
        EventKind::JudicialConfirmationRequested {
            confirmation: JudicialConfirmation {
                court: "余杭区人民法院中泰人民法庭".into(),
                requested_at: at(2026, 11, 21, 2),
                confirmed_at: None,
            },
        },
        EventKind::CategoryChanged { from: Some("劳资纠纷".into()), to: Some("欠薪".into()) },
    ];
    let mut last = registered.clone();
    let mut task_done_at = None;
    for kind in events.iter().cloned() {
        let is_task = matches!(kind, EventKind::TaskCompleted { .. });
        let (case, event) = store.append_event(id, Some(last.version), kind, "mediator:李").await.unwrap();
        assert_eq!(case.version, event.seq);
        if is_task {
            task_done_at = Some(event.at);
        }
        last = case;
    }
    assert_eq!(last.version, 1 + events.len() as u32);

    let stored = store.case(id).await.unwrap().unwrap();
    assert_eq!(stored, last, "the stored case is the one the last append returned");
    let (with_history, history) = store.case_with_history(id).await.unwrap().unwrap();
    assert_eq!(with_history, last);
    assert_eq!(history.iter().skip(1).map(|e| e.kind.clone()).collect::<Vec<_>>(), events);
    let mut replayed = registered;
    for event in &history[1..] {
        replayed.apply(event);
    }
    assert_eq!(replayed, stored, "replaying the history rebuilds the stored case");

    // A few of the values, to be sure the round trip is not of an empty state.
    let w = &stored.workflow;
    assert_eq!(stored.status, CaseStatus::Mediating);
    assert_eq!(stored.record.category.as_deref(), Some("欠薪"));
    assert_eq!(w.respondent_key.as_deref(), Some("某某建筑"));
    assert_eq!(w.risk, RiskLevel::High);
    let clock = w.clock.as_ref().expect("a running clock");
    assert_eq!((clock.stage, clock.due_at, clock.paused.is_none()), (CaseStatus::Mediating, at(2027, 1, 5, 0), true));
    let task = &w.routing.as_ref().unwrap().co_handlers[0];
    assert_eq!((task.done_at, task.note.as_deref()), (task_done_at, Some("已核实工资清单")));
    assert!(w.routing.as_ref().unwrap().overridden.is_some());
    assert_eq!(w.sessions.len(), 1);
    let agreement = w.agreement.as_ref().unwrap();
    assert_eq!(agreement.terms[0].honoured, Some(true));
    assert_eq!(agreement.terms[0].amount_yuan, Some(Yuan::from_fen(32_000_000).unwrap()));
    assert!(agreement.judicial_confirmation.is_some());
    assert!(w.extension.is_none());
}

async fn an_intake_registers_and_routes_or_links_in_one_transaction(db: &TestDatabase) {
    let store = open(db).await;
    let due = at(2026, 12, 3, 9);

    // Routed at registration: the case comes back as stored, with both events.
    let plan: Plan = Arc::new(move |case: &Case| {
        assert_eq!((case.status, case.version), (CaseStatus::Registered, 1), "planned on the case as registered");
        Handling {
            next: Some(EventKind::Routed {
                routing: routing("中泰街道社会治理中心", &["中泰司法所"]), due_at: due
            }),
            others: vec![],
        }
    });
    let (registration, routed) = store.register_case(wage_arrears("police", "110-1"), "clerk:王", plan).await.unwrap();
    let Registration::Registered(primary) = registration else { panic!("a new record registers") };
    assert_eq!((routed.status, routed.version), (CaseStatus::Routed, 2));
    assert_eq!(store.case(primary).await.unwrap().as_ref(), Some(&routed));
    let kinds: Vec<&str> = store.history(primary).await.unwrap().iter().map(|e| e.kind.code()).collect();
    assert_eq!(kinds, ["registered", "routed"]);
    let handled = store
        .list_cases(&by_department("中泰司法所"), CaseOrder::Received, Page { limit: 10, offset: 0 })
        .await
        .unwrap();
    assert_eq!(handled.total, 1, "the handlers are written with the registration");

    // Linked at registration: the record and its primary change together.
    let link_plan: Plan = Arc::new(move |case: &Case| {
        let link = Link { primary, relation: Relation::Repeat, confirmed: false, reason: "同一当事人".into() };
        let attached = Attached { case: case.id, relation: Relation::Repeat, channel: case.record.channel };
        Handling {
            next: Some(EventKind::Linked { link }),
            others: vec![(primary, EventKind::RecordAttached { attached })],
        }
    });
    let (registration, linked) =
        store.register_case(wage_arrears("hotline", "12345-1"), "clerk:王", link_plan).await.unwrap();
    assert_eq!((linked.status, linked.primary()), (CaseStatus::Merged, Some((primary, Relation::Repeat))));
    let primary_now = store.case(primary).await.unwrap().unwrap();
    assert_eq!(primary_now.version, 3);
    assert_eq!(primary_now.workflow.linked_records.repeat, 1);
    let linked = CaseFilter { linked_to: Some(primary), ..CaseFilter::default() };
    let records = store.list_cases(&linked, CaseOrder::Received, Page { limit: 10, offset: 0 }).await.unwrap();
    assert_eq!(ids_of(&records.cases), [registration.case_id()]);

    // Already in the ledger: nothing is written and the plan is not asked.
    let never: Plan = Arc::new(|_: &Case| -> Handling { panic!("a record already registered is not planned again") });
    let (again, same) = store.register_case(wage_arrears("police", "110-1"), "clerk:王", never).await.unwrap();
    assert_eq!((again, same.version), (Registration::AlreadyPresent(primary), 3));

    // A plan whose event cannot be written (another case that does not exist) leaves nothing.
    let missing = CaseId::new(primary.get() + 1000).unwrap();
    let broken: Plan =
        Arc::new(move |_: &Case| Handling { next: None, others: vec![(missing, EventKind::LinkConfirmed)] });
    let result = store.register_case(wage_arrears("petition", "XF-1"), "clerk:王", broken).await;
    assert!(matches!(result, Err(StoreError::CaseNotFound(id)) if id == missing));
    assert_eq!(store.count_cases().await.unwrap(), 2, "the failed intake registered nothing");
}

async fn concurrent_intakes_are_written_together_each_whole(db: &TestDatabase) {
    let store = open(db).await;
    let (_, primary) = store
        .register_case(wage_arrears("police", "110-P"), "t", Arc::new(|_: &Case| Handling::default()))
        .await
        .unwrap();
    let primary = primary.id;
    // Forty intakes at once, some repeated, half linking to the same primary, one broken.
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let external_id = format!("12345-{}", i % 30); // ten repeats
                let plan: Plan = Arc::new(move |case: &Case| {
                    if i == 7 {
                        let missing = CaseId::new(9_999_999).unwrap();
                        return Handling { next: None, others: vec![(missing, EventKind::LinkConfirmed)] };
                    }
                    if i % 2 == 0 {
                        let link = Link {
                            primary,
                            relation: Relation::SameMatter,
                            confirmed: false,
                            reason: "同一事项".into(),
                        };
                        let attached =
                            Attached { case: case.id, relation: Relation::SameMatter, channel: case.record.channel };
                        return Handling {
                            next: Some(EventKind::Linked { link }),
                            others: vec![(primary, EventKind::RecordAttached { attached })],
                        };
                    }
                    Handling {
                        next: Some(EventKind::Routed {
                            routing: routing("仓前街道社会治理中心", &[]),
                            due_at: at(2026, 12, 3, 9),
                        }),
                        others: vec![],
                    }
                });
                (i, store.register_case(wage_arrears("hotline", &external_id), "t", plan).await)
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    let broken = results.iter().find(|(i, _)| *i == 7).unwrap();
    assert!(matches!(broken.1, Err(StoreError::CaseNotFound(_))), "the broken intake fails alone");
    for (i, r) in &results {
        if let Err(e) = r {
            eprintln!("intake {i}: {e}");
        }
    }
    let ok: Vec<&(Registration, Case)> = results.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 39);
    // Every answer is the case as stored, and each external id is one case.
    let mut by_key: std::collections::HashMap<String, CaseId> = std::collections::HashMap::new();
    for (registration, case) in &ok {
        assert_eq!(registration.case_id(), case.id);
        let stored = store.case(case.id).await.unwrap().unwrap();
        if matches!(registration, Registration::Registered(_)) {
            assert_eq!(&stored, case);
        }
        let previous = by_key.insert(case.record.external_id.as_str().to_owned(), case.id);
        assert!(previous.is_none_or(|p| p == case.id), "one case per (channel, external id)");
        let history = store.history(case.id).await.unwrap();
        assert_eq!(history.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=stored.version).collect::<Vec<_>>());
    }
    // The primary recorded every record linked to it, with a contiguous history.
    let primary_now = store.case(primary).await.unwrap().unwrap();
    let linked =
        ok.iter().filter(|(r, c)| matches!(r, Registration::Registered(_)) && c.status == CaseStatus::Merged).count();
    assert_eq!(primary_now.workflow.linked_records.total() as usize, linked);
    assert_eq!(primary_now.version as usize, 1 + linked);
    assert_eq!(store.history(primary).await.unwrap().len(), 1 + linked);
    assert_eq!(store.count_cases().await.unwrap(), 1 + by_key.len() as u64);
}

async fn a_case_registered_before_the_workflow_still_reads(db: &TestDatabase) {
    let store = open(db).await;
    // A row as migration 0002 left it: no workflow columns given, so their defaults ('{}').
    let sql = "INSERT INTO cases (channel, external_id, received_at, registered_at, region_code, town_code, body, \
               status, version) VALUES ('grid', 'old-1', '2026-01-05T02:00:00Z', '2026-01-05T02:00:00Z', \
               '330110014', '330110014', '邻居占用楼道堆放杂物。', 'registered', 1)";
    execute_raw(&db.url, sql).await.unwrap();
    let page =
        store.list_cases(&CaseFilter::default(), CaseOrder::Received, Page { limit: 10, offset: 0 }).await.unwrap();
    assert_eq!(page.total, 1);
    let case = &page.cases[0];
    assert_eq!(
        (case.status, case.record.kind, case.workflow.kind),
        (CaseStatus::Registered, Some(CaseKind::Dispute), CaseKind::Dispute)
    );
    assert_eq!(store.case(case.id).await.unwrap().as_ref(), Some(case));
}

// Warnings.

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn case_ids(ids: &[i64]) -> Vec<CaseId> {
    ids.iter().map(|&i| CaseId::new(i).unwrap()).collect()
}

/// What a model could find about `key` on `as_of` (values exact in binary, so that JSON keeps them).
fn found(model: WarningModel, key: &str, level: WarningLevel, cases: &[i64], as_of: NaiveDate) -> Warning {
    let kind = match model {
        WarningModel::Person => SubjectKind::Person,
        WarningModel::Event => SubjectKind::Respondent,
        WarningModel::Industry => SubjectKind::Category,
        WarningModel::Region => SubjectKind::Region,
    };
    Warning {
        model,
        level,
        subject: Subject { kind, key: key.into(), label: format!("{key}（{}）", level.label()) },
        score: 40.0 + 10.0 * level as u8 as f64 + 0.25,
        statistic: Statistic {
            method: "poisson_cusum".into(),
            observed: cases.len() as f64,
            expected: 1.5,
            p_value: Some(0.0625),
            llr: None,
        },
        factors: vec![Factor {
            code: "repeat_visits".into(), label: "同一事项反复来访 4 次".into(), points: 30.5
        }],
        explanation: format!("{key}：近期反映集中"),
        case_ids: case_ids(cases),
        since: day(2026, 2, 20),
        as_of,
    }
}

async fn stored(store: &dyn Store, id: i64) -> (StoredWarning, Vec<WarningEvent>) {
    store.warning(id).await.unwrap().expect("the warning exists")
}

fn actions(events: &[WarningEvent]) -> Vec<&str> {
    events.iter().map(|e| e.action.as_str()).collect()
}

async fn warning_runs_raise_update_and_respect_dismissals(db: &TestDatabase) {
    use WarningLevel::*;
    let store = open(db).await;
    let store = &*store;
    let (d1, d2, d3, d4) = (day(2026, 3, 2), day(2026, 3, 3), day(2026, 3, 4), day(2026, 3, 5));
    let at1 = at(2026, 3, 2, 1);

    // First run: two new situations.
    let a = found(WarningModel::Event, "某某建筑", Yellow, &[1, 2, 3], d1);
    let b = found(WarningModel::Person, "hash-b", Blue, &[4], d1);
    let run = store.record_warnings(d1, at1, &[a.clone(), b.clone()]).await.unwrap();
    assert_eq!((run.raised.len(), run.updated.len(), run.ignored), (2, 0, 0));
    let (id_a, id_b) = (run.raised[0], run.raised[1]);
    let (wa, events) = stored(store, id_a).await;
    assert_eq!(wa.warning, a, "the whole warning is read back");
    assert_eq!((wa.state, wa.version, wa.first_seen_on, wa.last_seen_on), (WarningState::Raised, 1, d1, d1));
    assert_eq!((wa.raised_at, wa.plan.as_deref(), wa.plan_tasks.as_ref()), (at1, None, None));
    assert_eq!(actions(&events), ["raised"]);
    assert_eq!((events[0].seq, events[0].at, events[0].actor.as_str()), (1, at1, WARNING_RUN_ACTOR));
    assert_eq!(events[0].detail["level"], "yellow");

    // Second run: the same situations, the same rows. A's level and cases changed (an event);
    // B's only its score (none).
    let a2 = found(WarningModel::Event, "某某建筑", Orange, &[1, 2, 3, 5], d2);
    let mut b2 = found(WarningModel::Person, "hash-b", Blue, &[4], d2);
    b2.score = 47.75;
    let run = store.record_warnings(d2, at(2026, 3, 3, 1), &[a2.clone(), b2.clone()]).await.unwrap();
    assert_eq!(run, WarningRunOutcome { raised: vec![], updated: vec![id_a, id_b], ignored: 0 });
    let (wa, events) = stored(store, id_a).await;
    assert_eq!(wa.warning, a2);
    assert_eq!((wa.state, wa.version, wa.first_seen_on, wa.last_seen_on), (WarningState::Raised, 2, d1, d2));
    assert_eq!(actions(&events), ["raised", "updated"]);
    assert_eq!(events[1].seq, 2);
    assert_eq!((&events[1].detail["from"], &events[1].detail["to"]), (&json!("yellow"), &json!("orange")));
    assert_eq!((&events[1].detail["cases_before"], &events[1].detail["cases"]), (&json!(3), &json!(4)));
    let (wb, events) = stored(store, id_b).await;
    assert_eq!((wb.warning.score, wb.version, wb.last_seen_on), (47.75, 1, d2));
    assert_eq!(actions(&events), ["raised"], "no event when neither level nor cases changed");

    // Dismissed: not raised again at the same level, raised anew at a higher one.
    let dismiss = WarningAction::Dismiss { reason: "系正常业务量".into() };
    store.act_on_warning(id_a, Some(2), &dismiss, None, "analyst:陈", at(2026, 3, 3, 2)).await.unwrap();
    let a3 = found(WarningModel::Event, "某某建筑", Orange, &[1, 2, 3, 5, 6], d3);
    let run = store.record_warnings(d3, at(2026, 3, 4, 1), &[a3]).await.unwrap();
    assert_eq!(run, WarningRunOutcome { raised: vec![], updated: vec![], ignored: 1 });
    let (wa, _) = stored(store, id_a).await;
    assert_eq!((wa.state, wa.warning.level, wa.last_seen_on), (WarningState::Dismissed, Orange, d2), "left alone");
    let a4 = found(WarningModel::Event, "某某建筑", Red, &[1, 2, 3, 5, 6, 7], d4);
    let run = store.record_warnings(d4, at(2026, 3, 5, 1), std::slice::from_ref(&a4)).await.unwrap();
    let [id_a_again] = run.raised[..] else { panic!("a higher level raises anew: {run:?}") };
    assert_ne!(id_a_again, id_a);
    let (again, events) = stored(store, id_a_again).await;
    assert_eq!((again.warning, again.state, again.version), (a4, WarningState::Raised, 1));
    assert_eq!((again.first_seen_on, events.len()), (d4, 1));
    assert_eq!(stored(store, id_a).await.0.state, WarningState::Dismissed, "the dismissal is kept");

    // Resolved, then found again: the same cases that were dealt with raise nothing; a new case
    // raises a new warning, even at a lower level.
    store.act_on_warning(id_b, None, &WarningAction::Acknowledge, None, "analyst:陈", at1).await.unwrap();
    let resolve = WarningAction::Resolve { note: "已稳控".into() };
    store.act_on_warning(id_b, None, &resolve, None, "analyst:陈", at1).await.unwrap();
    let same = found(WarningModel::Person, "hash-b", Orange, &[4], d3);
    let run = store.record_warnings(d3, at(2026, 3, 4, 2), &[same]).await.unwrap();
    assert_eq!(run, WarningRunOutcome { raised: vec![], updated: vec![], ignored: 1 }, "no new case, no new warning");
    let b3 = found(WarningModel::Person, "hash-b", Blue, &[4, 8], d4);
    let run = store.record_warnings(d4, at(2026, 3, 5, 2), &[b3]).await.unwrap();
    let [id_b_again] = run.raised[..] else { panic!("a resolved situation found again is new: {run:?}") };
    assert_ne!(id_b_again, id_b);
    assert_eq!(stored(store, id_b).await.0.state, WarningState::Resolved);

    // A run for an earlier day (a backfill) leaves a later finding alone.
    let open_b = run.raised[0];
    let stale = found(WarningModel::Person, "hash-b", Red, &[4, 8, 11], d2);
    let run = store.record_warnings(d2, at(2026, 3, 5, 2), &[stale]).await.unwrap();
    assert_eq!(run.ignored, 1, "{run:?}");
    let (kept, _) = stored(store, open_b).await;
    assert_eq!((kept.warning.level, kept.last_seen_on), (Blue, d4));

    // A situation found twice in one run: raised by the first finding, updated by the second.
    let c1 = found(WarningModel::Region, "330110014", Yellow, &[9], d4);
    let c2 = found(WarningModel::Region, "330110014", Orange, &[9, 10], d4);
    let run = store.record_warnings(d4, at(2026, 3, 5, 3), &[c1, c2.clone()]).await.unwrap();
    assert_eq!(run.raised, run.updated);
    assert_eq!(stored(store, run.raised[0]).await.0.warning, c2);
    let all = store.warnings(&WarningFilter::default(), Page { limit: 100, offset: 0 }).await.unwrap();
    assert_eq!(all.total, 5);

    // An empty run writes nothing.
    let run = store.record_warnings(d4, at(2026, 3, 5, 4), &[]).await.unwrap();
    assert_eq!(run, WarningRunOutcome::default());
}

async fn warnings_are_guarded_by_the_schema(db: &TestDatabase) {
    let store = open(db).await;
    let w = found(WarningModel::Event, "某某建筑", WarningLevel::Yellow, &[1], day(2026, 3, 2));
    let id =
        store.record_warnings(day(2026, 3, 2), at(2026, 3, 2, 1), std::slice::from_ref(&w)).await.unwrap().raised[0];
    let insert = |state: &str| {
        format!(
            "INSERT INTO warnings (situation_key, model, level, subject_kind, subject_key, subject_label, score, \
             statistic, factors, explanation, case_ids, since, first_seen_on, last_seen_on, state, version, raised_at) \
             VALUES ('{}', 'event', 'red', 'respondent', '某某建筑', 'x', 1.0, '{{}}', '[]', 'x', '[]', '2026-03-02', \
             '2026-03-02', '2026-03-02', '{state}', 1, '2026-03-02T00:00:00Z')",
            w.situation_key()
        )
    };
    for (what, sql) in [
        ("open a second warning of one situation", insert("acknowledged")),
        ("rewrite a warning's history", format!("UPDATE warning_events SET actor = 'x' WHERE warning_id = {id}")),
        ("erase a warning's history", format!("DELETE FROM warning_events WHERE warning_id = {id}")),
        ("change a state silently", format!("UPDATE warnings SET state = 'resolved' WHERE id = {id}")),
        ("skip a version", format!("UPDATE warnings SET state = 'resolved', version = 3 WHERE id = {id}")),
        ("change a situation", format!("UPDATE warnings SET situation_key = 'x' WHERE id = {id}")),
        ("delete a warning", format!("DELETE FROM warnings WHERE id = {id}")),
    ] {
        assert!(execute_raw(&db.url, &sql).await.is_err(), "the schema let me {what}");
    }
    if db.url.starts_with("postgres") {
        for table in ["warnings", "warning_events"] {
            let sql = format!("TRUNCATE {table} CASCADE");
            assert!(execute_raw(&db.url, &sql).await.is_err(), "the schema let me truncate {table}");
        }
    }
    // A closed warning does not hold its situation.
    execute_raw(&db.url, &insert("dismissed")).await.expect("a dismissed warning beside the open one");
    let (stored, events) = store.warning(id).await.unwrap().unwrap();
    assert_eq!((stored.state, stored.version, events.len()), (WarningState::Raised, 1, 1));
}

async fn warning_lifecycle_is_recorded_with_its_actors(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let w = found(WarningModel::Event, "某某培训学校", WarningLevel::Red, &[1, 2], day(2026, 3, 2));
    let id = store.record_warnings(day(2026, 3, 2), at(2026, 3, 2, 1), &[w]).await.unwrap().raised[0];
    let (t1, t2, t3) = (at(2026, 3, 2, 2), at(2026, 3, 2, 3), at(2026, 3, 9, 8));

    let acknowledged =
        store.act_on_warning(id, Some(1), &WarningAction::Acknowledge, None, "analyst:陈", t1).await.unwrap();
    assert_eq!((acknowledged.state, acknowledged.version), (WarningState::Acknowledged, 2));
    assert_eq!(stored(store, id).await.0, acknowledged, "the returned warning is the stored one");

    // Refused: an action the state does not allow, one decided on an old version, an unknown id.
    let again = store.act_on_warning(id, Some(2), &WarningAction::Acknowledge, None, "analyst:陈", t1).await;
    assert!(
        matches!(
            again,
            Err(StoreError::WarningAction(WarningError::NotAllowed { from: WarningState::Acknowledged, .. }))
        ),
        "{again:?}"
    );
    let plan = WarningAction::ActivatePlan { plan: "mass_refund".into() };
    let tasks =
        json!([{"department": "区教育局", "task": "核实学员名单"}, {"department": "区公安分局", "task": "维稳"}]);
    let stale = store.act_on_warning(id, Some(1), &plan, Some(tasks.clone()), "commander:周", t2).await;
    assert!(matches!(stale, Err(StoreError::WarningConflict(i)) if i == id), "{stale:?}");
    let blank = WarningAction::ActivatePlan { plan: " ".into() };
    let blank = store.act_on_warning(id, Some(2), &blank, None, "commander:周", t2).await;
    assert!(matches!(blank, Err(StoreError::WarningAction(WarningError::Missing { field: "plan" }))), "{blank:?}");
    let missing = store.act_on_warning(id + 1000, None, &WarningAction::Acknowledge, None, "analyst:陈", t1).await;
    assert!(matches!(missing, Err(StoreError::WarningNotFound(i)) if i == id + 1000), "{missing:?}");
    assert_eq!(store.warning(id + 1000).await.unwrap(), None);

    let activated = store.act_on_warning(id, Some(2), &plan, Some(tasks.clone()), "commander:周", t2).await.unwrap();
    assert_eq!((activated.state, activated.version), (WarningState::PlanActivated, 3));
    assert_eq!((activated.plan.as_deref(), activated.plan_tasks.as_ref()), (Some("mass_refund"), Some(&tasks)));
    let resolve = WarningAction::Resolve { note: "退费完成".into() };
    let resolved = store.act_on_warning(id, Some(3), &resolve, None, "analyst:陈", t3).await.unwrap();
    assert_eq!((resolved.state, resolved.version), (WarningState::Resolved, 4));
    assert_eq!(resolved.plan_tasks.as_ref(), Some(&tasks), "the plan stays on record");

    let (warning, history) = stored(store, id).await;
    assert_eq!(warning, resolved);
    assert_eq!(actions(&history), ["raised", "acknowledge", "activate_plan", "resolve"]);
    assert_eq!(history.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    let who: Vec<&str> = history.iter().map(|e| e.actor.as_str()).collect();
    assert_eq!(who, [WARNING_RUN_ACTOR, "analyst:陈", "commander:周", "analyst:陈"]);
    assert_eq!(history.iter().skip(1).map(|e| e.at).collect::<Vec<_>>(), [t1, t2, t3]);
    assert_eq!(history[2].detail, json!({"action": "activate_plan", "plan": "mass_refund"}));
    assert_eq!(history[3].detail, json!({"action": "resolve", "note": "退费完成"}));
    let after_resolve = store.act_on_warning(id, None, &WarningAction::Acknowledge, None, "analyst:陈", t3).await;
    assert!(matches!(after_resolve, Err(StoreError::WarningAction(_))));
    assert_eq!(stored(store, id).await.1.len(), 4, "refused actions leave no trace");
}

async fn warning_lists_filter_and_put_red_first(db: &TestDatabase) {
    use WarningLevel::*;
    let store = open(db).await;
    let store = &*store;
    let (d1, d2, d3) = (day(2026, 4, 1), day(2026, 4, 2), day(2026, 4, 3));
    let mut ids = std::collections::HashMap::new();
    for (name, model, level, as_of) in [
        ("p1", WarningModel::Person, Yellow, d1),
        ("e1", WarningModel::Event, Red, d1),
        ("i1", WarningModel::Industry, Orange, d2),
        ("r1", WarningModel::Region, Blue, d2),
        ("e2", WarningModel::Event, Red, d3),
        ("i2", WarningModel::Industry, Orange, d2), // ties with i1 but newer
    ] {
        let run = store.record_warnings(as_of, at(2026, 4, 3, 1), &[found(model, name, level, &[1], as_of)]).await;
        ids.insert(name, run.unwrap().raised[0]);
    }
    let names = |page: &WarningPage| -> Vec<String> {
        page.items.iter().map(|w| w.warning.subject.key.clone()).collect::<Vec<_>>()
    };
    let list = |filter: WarningFilter| async move {
        let page = store.warnings(&filter, Page { limit: 100, offset: 0 }).await.unwrap();
        assert_eq!(page.total, page.items.len() as u64, "the total of {filter:?} counts the warnings listed");
        page
    };

    let all = list(WarningFilter::default()).await;
    assert_eq!(names(&all), ["e2", "e1", "i2", "i1", "p1", "r1"], "red first, then the latest seen, then the newest");
    let orange_up = list(WarningFilter { min_level: Some(Orange), ..WarningFilter::default() }).await;
    assert_eq!(names(&orange_up), ["e2", "e1", "i2", "i1"]);
    let events = list(WarningFilter { model: Some(WarningModel::Event), ..WarningFilter::default() }).await;
    assert_eq!(names(&events), ["e2", "e1"]);

    let dismiss = WarningAction::Dismiss { reason: "误报".into() };
    store.act_on_warning(ids["e1"], None, &dismiss, None, "analyst:陈", at(2026, 4, 3, 2)).await.unwrap();
    store
        .act_on_warning(ids["i1"], None, &WarningAction::Acknowledge, None, "analyst:陈", at(2026, 4, 3, 2))
        .await
        .unwrap();
    let open = list(WarningFilter { open_only: true, ..WarningFilter::default() }).await;
    assert_eq!(names(&open), ["e2", "i2", "i1", "p1", "r1"]);
    let dismissed = list(WarningFilter { state: Some(WarningState::Dismissed), ..WarningFilter::default() }).await;
    assert_eq!(names(&dismissed), ["e1"]);
    let combined =
        list(WarningFilter { open_only: true, model: Some(WarningModel::Industry), min_level: Some(Red), state: None })
            .await;
    assert!(combined.items.is_empty());
    let acknowledged_industry = list(WarningFilter {
        state: Some(WarningState::Acknowledged),
        model: Some(WarningModel::Industry),
        ..WarningFilter::default()
    })
    .await;
    assert_eq!(names(&acknowledged_industry), ["i1"]);

    let page = store.warnings(&WarningFilter::default(), Page { limit: 2, offset: 1 }).await.unwrap();
    assert_eq!((names(&page), page.total), (vec!["e1".to_owned(), "i2".to_owned()], 6));
    let capped = store.warnings(&WarningFilter::default(), Page { limit: u32::MAX, offset: 0 }).await.unwrap();
    assert_eq!(capped.items.len(), 6);
}

async fn case_summaries_project_the_ledger_for_the_models(db: &TestDatabase) {
    use shanzhi_core::workflow::{Outcome, Resolution};
    let store = open(db).await;
    let store = &*store;
    let summary_case = |external_id: &str, received_at: &str, parties: serde_json::Value| {
        record(json!({
            "channel": "hotline", "external_id": external_id, "received_at": received_at, "region": NANHU,
            "text": format!("{external_id}：某培训学校停业，学员要求退费。"), "parties": parties,
            "category": "消费纠纷", "amount_yuan": 1234.56, "people_count": 12
        }))
    };
    let resolution = |outcome| Resolution {
        outcome,
        level: RegionLevel::Town,
        department: "中泰街道综治中心".into(),
        at: at(2026, 3, 5, 2),
        summary: "调处完毕".into(),
    };
    // Received 17:00 UTC: the next day in Beijing.
    let mut late = wage_arrears("police", "s-late");
    late.record.received_at = "2026-03-01T17:00:00Z".parse().unwrap();
    late.workflow.respondent_key = Some("某某建筑劳务".into());
    late.workflow.risk = RiskLevel::High;
    late.workflow.resolution = Some(resolution(Outcome::NoAgreement));
    // A second before local midnight; a person respondent before the organisation; the same
    // phone twice; a third party known by ID number.
    let mut evening = summary_case(
        "s-evening",
        "2026-03-01T23:59:59+08:00",
        json!([
            {"role": "complainant", "name": "李某", "phone": "13912345678"},
            {"role": "complainant", "name": "李某某", "phone": "13912345678"},
            {"role": "respondent", "name": "王某", "kind": "person"},
            {"role": "respondent", "name": "杭州某某培训学校", "kind": "organization"},
            {"role": "respondent", "name": "杭州另一公司", "kind": "organization"},
            {"role": "third_party", "name": "赵某", "id_number": "11010519491231002X"}
        ]),
    );
    evening.workflow.resolution = Some(resolution(Outcome::AgreementReached));
    // "no_agreement" in the workflow, but not as its outcome.
    evening.workflow.sessions.push(MediationSession {
        at: at(2026, 3, 4, 2),
        place: "调解室".into(),
        participants: vec![],
        outcome: "no_agreement".into(),
    });
    let nameless =
        summary_case("s-nameless", "2026-03-03T10:00:00+08:00", json!([{"role": "complainant", "name": "群众"}]));
    let before_range = summary_case("s-before", "2026-02-28T23:59:59Z", json!([]));
    let at_end = summary_case("s-end", "2026-03-04T00:00:00Z", json!([]));
    let ids = register(store, &[late, evening, nameless, before_range, at_end]).await;
    let (late_id, evening_id, nameless_id) = (ids[0], ids[1], ids[2]);
    let link = Link { primary: late_id, relation: Relation::Repeat, confirmed: false, reason: "同一事项".into() };
    append(store, nameless_id, EventKind::Linked { link }).await;

    let (from, before) = (at(2026, 3, 1, 0), at(2026, 3, 4, 0));
    let text_from = at(2026, 3, 1, 16);
    let summaries = store.case_summaries(from, before, text_from).await.unwrap();
    let got: Vec<CaseId> = summaries.iter().map(|(s, _)| s.id).collect();
    assert_eq!(got, [evening_id, late_id, nameless_id], "the half-open range, oldest first");

    let (evening_s, evening_text) = &summaries[0];
    let evening_case = store.case(evening_id).await.unwrap().unwrap();
    let hash = |i: usize, id: bool| -> String {
        let p = &evening_case.record.parties[i];
        let protected = if id { p.id_number.as_ref() } else { p.phone.as_ref() };
        protected.unwrap().hash.as_str().to_owned()
    };
    assert_eq!(evening_s.day, day(2026, 3, 1));
    assert_eq!(evening_s.respondent_name.as_deref(), Some("杭州某某培训学校"), "the first organisation respondent");
    assert_eq!(evening_s.respondent_key, None);
    assert_eq!(evening_s.complainants, [hash(0, false), hash(5, true)], "hashes, each once");
    assert!(!evening_s.complainants.iter().any(|h| h.contains("13912345678") || h.contains("11010519491231002X")));
    assert_eq!((evening_s.amount_yuan, evening_s.people_count), (Some(1234.56), Some(12)));
    assert_eq!(
        (evening_s.channel, evening_s.region, evening_s.category.as_deref()),
        (Channel::Hotline, region(NANHU), Some("消费纠纷"))
    );
    assert_eq!((evening_s.status, evening_s.primary, evening_s.risk), (CaseStatus::Registered, None, RiskLevel::None));
    assert!(!evening_s.mediation_failed, "the outcome decides, not a session's words");
    assert!(evening_s.signals.is_empty());
    assert_eq!(evening_text, &None, "received before text_from");

    let (late_s, late_text) = &summaries[1];
    let late_case = store.case(late_id).await.unwrap().unwrap();
    assert_eq!(late_s.day, day(2026, 3, 2), "17:00 UTC is the next day in Beijing");
    assert_eq!(late_s.respondent_key.as_deref(), Some("某某建筑劳务"));
    assert_eq!(late_s.respondent_name.as_deref(), Some("杭州某某建筑劳务有限公司"));
    let complainant = &late_case.record.parties[0];
    assert_eq!(late_s.complainants, [complainant.id_number.as_ref().unwrap().hash.as_str()], "ID before phone");
    assert_eq!((late_s.amount_yuan, late_s.people_count), (Some(320_000.0), Some(37)));
    assert_eq!((late_s.channel, late_s.risk), (Channel::Police, RiskLevel::High));
    assert!(late_s.mediation_failed);
    assert_eq!(late_text.as_deref(), Some(late_case.record.text.as_str()));

    let (nameless_s, nameless_text) = &summaries[2];
    assert!(nameless_s.complainants.is_empty() && nameless_s.respondent_name.is_none());
    assert_eq!((nameless_s.status, nameless_s.primary), (CaseStatus::Merged, Some(late_id)));
    assert_eq!(nameless_s.day, day(2026, 3, 3));
    assert!(nameless_text.is_some());

    assert!(store.case_summaries(before, before, before).await.unwrap().is_empty());
    let everything = store.case_summaries(at(2026, 1, 1, 0), at(2027, 1, 1, 0), at(2027, 1, 1, 0)).await.unwrap();
    assert_eq!(everything.len(), 5);
    assert!(everything.iter().all(|(_, text)| text.is_none()));
}

/// The warning models read a year of a district's cases at every run: on SQLite, 100,000 cases
/// with two parties each must load in well under two seconds.
#[tokio::test]
#[ignore = "a timing: cargo test --release -p shanzhi-store --test conformance -- --ignored"]
async fn case_summaries_of_100000_cases_load_quickly() {
    let db = TestDatabase::sqlite();
    let store = open(&db).await;
    let template = wage_arrears("hotline", "perf-0");
    let start = at(2025, 1, 1, 0);
    for batch in 0..20 {
        let records: Vec<NewCase> = (0..5_000)
            .map(|i| {
                let n = batch * 5_000 + i;
                let mut r = template.clone();
                r.record.external_id = ExternalId::parse(&format!("perf-{n}")).unwrap();
                r.record.received_at = start + chrono::Duration::minutes(5 * n);
                r
            })
            .collect();
        store.register_cases(&records, "t").await.unwrap();
    }
    // The best of three: the first read also warms the page cache.
    let mut took = std::time::Duration::MAX;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let summaries = store.case_summaries(start, at(2027, 1, 1, 0), at(2025, 12, 1, 0)).await.unwrap();
        took = took.min(t.elapsed());
        assert_eq!(summaries.len(), 100_000);
        assert!(summaries.iter().all(|(s, _)| s.complainants.len() == 1 && s.respondent_name.is_some()));
    }
    eprintln!("100,000 case summaries in {took:?}");
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
}

async fn list_filters_by_respondent_key(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let keyed = |external_id: &str, key: Option<&str>, received_at: &str| {
        let mut case = variant(external_id, json!({"received_at": received_at}));
        case.workflow.respondent_key = key.map(str::to_owned);
        case
    };
    let ids = register(
        store,
        &[
            keyed("k-1", Some("某某教育"), "2026-03-01 09:00"),
            keyed("k-2", Some("某某教育"), "2026-04-01 09:00"),
            keyed("k-3", Some("某某物业"), "2026-04-01 10:00"),
            keyed("k-4", None, "2026-04-01 11:00"),
            keyed("k-5", Some("某某教育"), "2026-05-01 09:00"),
        ],
    )
    .await;
    let respondent = |key: &str| CaseFilter { respondent_key: Some(key.into()), ..CaseFilter::default() };
    assert_eq!(selected(store, respondent("某某教育")).await, [ids[0], ids[1], ids[4]]);
    assert_eq!(selected(store, respondent("某某物业")).await, [ids[2]]);
    assert!(selected(store, respondent("某某")).await.is_empty(), "the key is matched whole");
    let earlier = CaseFilter { received_before: Some(at(2026, 5, 1, 0)), ..respondent("某某教育") };
    assert_eq!(selected(store, earlier).await, [ids[0], ids[1]], "combined with the other filters");
    assert_eq!(selected(store, CaseFilter::default()).await.len(), 5);
}

/// A ledger brought in with its past: registered as of when received, histories imported with
/// their own times, written as `append_event` would have written the same events.
async fn histories_import_with_their_own_times(db: &TestDatabase) {
    use shanzhi_core::workflow::{FollowUp, Outcome, Resolution};
    use shanzhi_store::HistoricalEvent;

    let store = open(db).await;
    let store = &*store;
    // Two matters imported, and the same two again appended one event at a time.
    let records = [
        wage_arrears("police", "i-1"),
        neighbours("i-2", NANHU),
        wage_arrears("police", "a-1"),
        neighbours("a-2", NANHU),
        // Left as registered.
        wage_arrears("hotline", "r-1"),
    ];
    let regs = store.register_cases_as_received(&records, "import:past").await.unwrap();
    let ids: Vec<CaseId> = regs.iter().map(|r| r.case_id()).collect();
    assert!(regs.iter().all(|r| matches!(r, Registration::Registered(_))));
    let registered: Vec<Case> = {
        let mut cases = Vec::new();
        for (id, record) in ids.iter().zip(&records) {
            let (case, history) = store.case_with_history(*id).await.unwrap().unwrap();
            assert_eq!(case.registered_at, record.record.received_at, "registered as of when received");
            assert_eq!((history.len(), history[0].at), (1, record.record.received_at));
            cases.push(case);
        }
        cases
    };
    let again = store.register_cases_as_received(&records[..1], "import:past").await.unwrap();
    assert_eq!(again, [Registration::AlreadyPresent(ids[0])], "idempotent as register_cases is");

    let lead = "中泰街道社会治理中心";
    let labour = "区人力社保局";
    let wage_history = vec![
        (at(2026, 3, 12, 3), EventKind::Routed { routing: routing(lead, &[labour]), due_at: at(2026, 3, 13, 16) }),
        (at(2026, 3, 12, 6), EventKind::Accepted { department: lead.into(), due_at: at(2026, 3, 16, 16) }),
        (at(2026, 3, 13, 2), EventKind::MediationStarted { due_at: at(2026, 4, 2, 16) }),
        (
            at(2026, 3, 16, 7),
            EventKind::SessionRecorded {
                session: MediationSession {
                    at: at(2026, 3, 16, 6),
                    place: "南湖村调解室".into(),
                    participants: vec!["张某某".into(), "公司代表".into()],
                    outcome: "同意分期支付".into(),
                },
            },
        ),
        (at(2026, 3, 17, 1), EventKind::TaskCompleted { department: labour.into(), note: "已核实".into() }),
        (
            at(2026, 3, 18, 2),
            EventKind::Resolved {
                resolution: Resolution {
                    outcome: Outcome::AgreementReached,
                    level: RegionLevel::Town,
                    department: lead.into(),
                    at: at(2026, 3, 18, 2),
                    summary: "公司分两期支付".into(),
                },
                due_at: at(2026, 3, 25, 16),
            },
        ),
        (
            at(2026, 3, 23, 3),
            EventKind::FollowedUp {
                follow_up: FollowUp { at: at(2026, 3, 23, 3), satisfaction: Some(5), comment: String::new() },
                reopened: false,
                due_at: None,
            },
        ),
    ];
    let committee = "中泰街道人民调解委员会";
    let neighbour_history = vec![
        (at(2026, 7, 2, 13), EventKind::Routed { routing: routing(lead, &[]), due_at: at(2026, 7, 3, 16) }),
        (
            at(2026, 7, 3, 1),
            EventKind::Transferred {
                routing: routing(committee, &[]),
                reason: "属民间纠纷".into(),
                due_at: at(2026, 7, 6, 16),
            },
        ),
        (at(2026, 7, 3, 2), EventKind::Accepted { department: committee.into(), due_at: at(2026, 7, 7, 16) }),
    ];

    // The imported pair in one call, their events interleaved.
    let actor = |n: usize| format!("mediator:{n}");
    let mut events: Vec<HistoricalEvent> = Vec::new();
    for n in 0..wage_history.len().max(neighbour_history.len()) {
        for (case, history) in [(ids[0], &wage_history), (ids[1], &neighbour_history)] {
            if let Some((at, kind)) = history.get(n) {
                events.push(HistoricalEvent { case, at: *at, actor: actor(n), kind: kind.clone() });
            }
        }
    }
    assert_eq!(store.import_history(&events).await.unwrap(), 10);
    // The twins, one append at a time.
    for (case, history) in [(ids[2], &wage_history), (ids[3], &neighbour_history)] {
        for (n, (_, kind)) in history.iter().enumerate() {
            store.append_event(case, None, kind.clone(), &actor(n)).await.unwrap();
        }
    }

    for (imported, appended, history) in [(0, 2, &wage_history), (1, 3, &neighbour_history)] {
        let (case, events) = store.case_with_history(ids[imported]).await.unwrap().unwrap();
        let (twin, twin_events) = store.case_with_history(ids[appended]).await.unwrap().unwrap();
        // The history: the same events, with their own times.
        let strip = |events: &[shanzhi_core::CaseEvent]| -> Vec<(u32, String, EventKind)> {
            events.iter().map(|e| (e.seq, e.actor.clone(), e.kind.clone())).collect()
        };
        assert_eq!(strip(&events), strip(&twin_events));
        let times: Vec<DateTime<Utc>> = events[1..].iter().map(|e| e.at).collect();
        assert_eq!(times, history.iter().map(|(at, _)| *at).collect::<Vec<_>>());
        // The case: what the appended twin's events give at the imported times.
        let mut expected = registered[appended].clone();
        expected.id = ids[imported];
        expected.record.external_id = registered[imported].record.external_id.clone();
        for (event, at) in twin_events[1..].iter().zip(&times) {
            expected.apply(&shanzhi_core::CaseEvent { case_id: ids[imported], at: *at, ..event.clone() });
        }
        assert_eq!(case, expected, "the imported case is what the same events give");
        let mut replayed = registered[imported].clone();
        for event in &events[1..] {
            replayed.apply(event);
        }
        assert_eq!(replayed, case, "replaying the history rebuilds the case");
        assert_eq!(case.status, twin.status);
    }
    // The projected columns and handlers are written too.
    let page = |filter: CaseFilter| async move {
        let page = store.list_cases(&filter, CaseOrder::Received, Page { limit: 10, offset: 0 }).await.unwrap();
        sorted(ids_of(&page.cases))
    };
    assert_eq!(page(by_department(committee)).await, sorted(vec![ids[1], ids[3]]));
    assert_eq!(page(by_department(lead)).await, sorted(vec![ids[0], ids[2]]), "the transfer rewrote the handlers");
    assert_eq!(
        page(CaseFilter { resolved_level: Some(RegionLevel::Town), ..CaseFilter::default() }).await,
        sorted(vec![ids[0], ids[2]])
    );
    assert_eq!(
        page(CaseFilter { overdue_at: Some(at(2026, 7, 8, 0)), ..CaseFilter::default() }).await,
        sorted(vec![ids[1], ids[3]])
    );

    // Refusals name the case and write nothing.
    let versions = async || {
        let mut v = Vec::new();
        for id in &ids {
            v.push(store.case(*id).await.unwrap().unwrap().version);
        }
        v
    };
    let before = versions().await;
    let note = |case: CaseId, at: DateTime<Utc>| HistoricalEvent {
        case,
        at,
        actor: "clerk:王".into(),
        kind: EventKind::CategoryChanged { from: None, to: Some("邻里纠纷".into()) },
    };
    let fine = note(ids[0], at(2026, 8, 1, 0));
    for (events, refused) in [
        // Before the case's latest event.
        (vec![fine.clone(), note(ids[1], at(2026, 7, 3, 1))], ids[1]),
        // Before its registration.
        (vec![fine.clone(), note(ids[4], at(2026, 3, 12, 1))], ids[4]),
        // Before the event given before it.
        (vec![note(ids[1], at(2026, 8, 2, 0)), fine.clone(), note(ids[1], at(2026, 8, 1, 0))], ids[1]),
    ] {
        match store.import_history(&events).await {
            Err(StoreError::OutOfOrder { case, .. }) => assert_eq!(case, refused),
            other => panic!("expected the case {refused} refused, got {other:?}"),
        }
    }
    let missing = CaseId::new(ids[4].get() + 100).unwrap();
    let result = store.import_history(&[fine.clone(), note(missing, at(2026, 8, 1, 0))]).await;
    assert!(matches!(result, Err(StoreError::CaseNotFound(id)) if id == missing), "{result:?}");
    assert_eq!(versions().await, before, "a refused import writes nothing");
    let message = StoreError::OutOfOrder { case: ids[1], at: at(2026, 7, 3, 1), since: at(2026, 7, 3, 2) }.to_string();
    assert!(message.contains(&format!("case {}", ids[1])), "{message}");

    // The same instant as the latest event is not earlier; nothing at all writes nothing.
    assert_eq!(store.import_history(&[note(ids[1], at(2026, 7, 3, 2))]).await.unwrap(), 1);
    assert_eq!(store.import_history(&[]).await.unwrap(), 0);
}

async fn staff_labels_are_the_latest_category_of_each_case_not_merged(db: &TestDatabase) {
    let store = open(db).await;
    let store = &*store;
    let case = |external_id: &str, who: &str, category: Option<&str>| {
        variant(
            external_id,
            json!({"text": format!("{who}：工地拖欠工资，联系电话13812345678。"), "category": category}),
        )
    };
    let ids = register(
        store,
        &[
            case("l-1", "甲", None),
            case("l-2", "乙", None),
            case("l-3", "丙", Some("劳资纠纷")),
            case("l-4", "丁", None),
            case("l-5", "戊", None),
            case("l-6", "己", Some("劳资纠纷")),
            case("l-7", "庚", Some("wage_arrears")),
            case("l-8", "辛", None),
        ],
    )
    .await;
    let change = |from: Option<&str>, to: Option<&str>| EventKind::CategoryChanged {
        from: from.map(str::to_owned),
        to: to.map(str::to_owned),
    };
    // Corrected twice: the latest counts, as written.
    append(store, ids[0], change(None, Some("劳资纠纷"))).await;
    append(store, ids[0], change(Some("劳资纠纷"), Some("labour_contract"))).await;
    // Set, then cleared: staff took it back.
    append(store, ids[1], change(None, Some("neighbour"))).await;
    append(store, ids[1], change(Some("neighbour"), None)).await;
    // ids[2] has only the category its record came with: not a label staff gave.
    // Set, then merged into another case: the primary speaks for the matter.
    append(store, ids[3], change(None, Some("wage_arrears"))).await;
    let link = Link { primary: ids[0], relation: Relation::Repeat, confirmed: false, reason: "同一事项".into() };
    append(store, ids[3], EventKind::Linked { link }).await;
    // Set, then other events: the category stands.
    append(store, ids[4], change(None, Some("wage_arrears"))).await;
    append(store, ids[4], EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed }).await;
    // Confirmed as it came with the record: a label staff gave.
    let confirm = |category: &str| EventKind::CategoryConfirmed { category: category.to_owned() };
    append(store, ids[5], confirm("劳资纠纷")).await;
    // Confirmed, then corrected: the correction is the latest.
    append(store, ids[6], confirm("wage_arrears")).await;
    append(store, ids[6], change(Some("wage_arrears"), Some("labour_contract"))).await;
    // Set, confirmed, then cleared: the clearing is the latest.
    append(store, ids[7], change(None, Some("neighbour"))).await;
    append(store, ids[7], confirm("neighbour")).await;
    append(store, ids[7], change(Some("neighbour"), None)).await;

    let labels = store.staff_labels().await.unwrap();
    let got: Vec<(CaseId, &str)> = labels.iter().map(|l| (l.case_id, l.category.as_str())).collect();
    assert_eq!(
        got,
        [(ids[0], "labour_contract"), (ids[4], "wage_arrears"), (ids[5], "劳资纠纷"), (ids[6], "labour_contract")]
    );
    // A correction confirmed afterwards: the confirmation is the latest, and says the same.
    append(store, ids[1], change(None, Some("neighbour"))).await;
    append(store, ids[1], confirm("neighbour")).await;
    let confirmed = store.staff_labels().await.unwrap();
    assert!(confirmed.iter().any(|l| (l.case_id, l.category.as_str()) == (ids[1], "neighbour")), "{confirmed:?}");
    assert_eq!(confirmed.len(), 5);
    let history = store.history(ids[1]).await.unwrap();
    assert_eq!(history.last().unwrap().kind, confirm("neighbour"), "the confirmation reads back as written");
    let first = store.case(ids[0]).await.unwrap().unwrap();
    assert_eq!(labels[0].text, first.record.text.as_str(), "the case's text as stored");
    assert!(labels[0].text.starts_with('甲') && labels[0].text.contains("138****5678"), "{}", labels[0].text);
    assert!(!labels.iter().any(|l| l.text.contains("13812345678")), "masked, never clear");
}

async fn text_models_keep_every_version_and_one_is_active(db: &TestDatabase) {
    use shanzhi_store::{NewTextModel, TextModelVersion};
    let shared = open(db).await;
    let store = &*shared;
    assert!(store.text_models().await.unwrap().is_empty());
    assert_eq!(store.text_model(None).await.unwrap(), None, "no version, none active");
    let model = |n: u8, accuracy: f64| NewTextModel {
        trained_by: format!("shanzhi train (测试{n})"),
        format: "shanzhi-text-model/1".into(),
        corpus_examples: 884,
        ledger_examples: u64::from(n) * 10,
        held_out_accuracy: accuracy,
        // Every byte value, zeros included, and a length of its own.
        model: (0..=255u8).cycle().take(1000 + usize::from(n)).collect(),
    };
    let active = |list: &[TextModelVersion]| list.iter().filter(|v| v.active).map(|v| v.version).collect::<Vec<_>>();
    let started = Utc::now().trunc_subsecs(6) - chrono::Duration::seconds(1);

    let v1 = store.save_text_model(&model(1, 0.8955), true).await.unwrap();
    assert_eq!((v1.version, v1.active, v1.bytes, v1.corpus_examples, v1.ledger_examples), (1, true, 1001, 884, 10));
    assert_eq!((v1.trained_by.as_str(), v1.format.as_str()), ("shanzhi train (测试1)", "shanzhi-text-model/1"));
    assert_eq!(v1.held_out_accuracy, 0.8955);
    assert!(v1.created_at >= started && v1.created_at <= Utc::now());
    let v2 = store.save_text_model(&model(2, 0.85), false).await.unwrap();
    assert_eq!((v2.version, v2.active), (2, false), "saved, not activated");
    assert_eq!(store.text_models().await.unwrap(), [v1.clone(), v2.clone()]);
    assert_eq!(store.text_model(None).await.unwrap(), Some((v1.clone(), model(1, 0.8955).model)));
    assert_eq!(store.text_model(Some(2)).await.unwrap(), Some((v2.clone(), model(2, 0.85).model)));
    assert_eq!(store.text_model(Some(9)).await.unwrap(), None);

    let v3 = store.save_text_model(&model(3, 0.9), true).await.unwrap();
    assert_eq!(v3.version, 3);
    assert!(v2.created_at <= v3.created_at);
    assert_eq!(active(&store.text_models().await.unwrap()), [3], "the new one replaces the active one");

    // The old one stays usable.
    let again = store.activate_text_model(1).await.unwrap();
    assert_eq!(again, TextModelVersion { active: true, ..v1.clone() });
    assert_eq!(active(&store.text_models().await.unwrap()), [1]);
    let in_use = store.text_model(None).await.unwrap().map(|(v, bytes)| (v.version, bytes));
    assert_eq!(in_use, Some((1, model(1, 0.8955).model)));
    assert_eq!(store.activate_text_model(1).await.unwrap().version, 1, "activating the active one changes nothing");
    let missing = store.activate_text_model(9).await;
    assert!(matches!(missing, Err(StoreError::TextModelNotFound(9))), "{missing:?}");
    assert_eq!(active(&store.text_models().await.unwrap()), [1], "a refused activation changes nothing");

    // Activations at the same time: after them all, one version is active.
    let tasks: Vec<_> = (0..8u32)
        .map(|i| {
            let store = shared.clone();
            tokio::spawn(async move { store.activate_text_model(1 + i % 3).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let list = store.text_models().await.unwrap();
    assert_eq!(active(&list).len(), 1, "{list:?}");
    assert_eq!(store.text_model(None).await.unwrap().map(|(v, _)| v.version), Some(active(&list)[0]));

    // The schema keeps saved models whole, and one active at most.
    for (what, sql) in [
        ("change a saved model's accuracy", "UPDATE text_models SET held_out_accuracy = 0.99 WHERE version = 2"),
        ("change who trained it", "UPDATE text_models SET trained_by = 'x' WHERE version = 2"),
        ("delete a saved model", "DELETE FROM text_models WHERE version = 2"),
        ("make every version active", "UPDATE text_models SET active = TRUE"),
    ] {
        assert!(execute_raw(&db.url, sql).await.is_err(), "the schema let me {what}");
    }
    if db.url.starts_with("postgres") {
        assert!(execute_raw(&db.url, "TRUNCATE text_models").await.is_err(), "the schema let me truncate text_models");
    }
    assert_eq!(store.text_models().await.unwrap(), list);
}

/// The one screen's trend: records received and cases resolved per Beijing day, of the district,
/// a town or a village; and the regions of a set of cases.
async fn daily_counts_are_by_beijing_day_and_region(db: &TestDatabase) {
    use shanzhi_core::workflow::{Outcome, Resolution};
    use shanzhi_store::{DayCounts, HistoricalEvent};

    let store = open(db).await;
    let store = &*store;
    let received = |external_id: &str, at: &str, region: &str| {
        variant(external_id, json!({ "received_at": at, "region": region }))
    };
    let records = [
        // 23:30 in Beijing is 15:30 UTC: the 12th, not the 13th.
        received("d-1", "2026-03-12T23:30:00+08:00", NANHU),
        // 00:30 in Beijing is 16:30 UTC on the 12th: the 13th.
        received("d-2", "2026-03-13T00:30:00+08:00", BAIYUN),
        received("d-3", "2026-03-13T10:00:00+08:00", GAOQIAO),
        // The day after the last: not counted.
        received("d-4", "2026-03-15T00:00:00+08:00", NANHU),
        // The last instant of the day before the first: not counted.
        received("d-5", "2026-03-11T23:59:59+08:00", NANHU),
    ];
    let ids: Vec<CaseId> = store
        .register_cases_as_received(&records, "import:past")
        .await
        .unwrap()
        .into_iter()
        .map(Registration::case_id)
        .collect();
    let local = |d: u32, h: u32, m: u32| {
        chrono::FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap().to_utc()
    };
    let resolved = |case: CaseId, at: DateTime<Utc>| HistoricalEvent {
        case,
        at,
        actor: "mediator:李".into(),
        kind: EventKind::Resolved {
            resolution: Resolution {
                outcome: Outcome::AgreementReached,
                level: RegionLevel::Town,
                department: "中泰街道社会治理中心".into(),
                at,
                summary: "达成协议".into(),
            },
            due_at: at + chrono::Duration::days(7),
        },
    };
    let reopened = |case: CaseId, at: DateTime<Utc>| HistoricalEvent {
        case,
        at,
        actor: "mediator:李".into(),
        kind: EventKind::Reopened { reason: "当事人反悔".into(), due_at: at + chrono::Duration::days(7) },
    };
    store
        .import_history(&[
            // Resolved at 00:10 on the 13th, reopened and resolved again that day: once on the 13th.
            resolved(ids[0], local(13, 0, 10)),
            reopened(ids[0], local(13, 9, 0)),
            resolved(ids[0], local(13, 17, 0)),
            resolved(ids[2], local(14, 9, 0)),
            // Resolved the day after the last: not counted.
            resolved(ids[1], local(15, 8, 0)),
        ])
        .await
        .unwrap();

    let counts = |region: Option<&'static str>| async move {
        let region = region.map(|r| RegionCode::parse(r).unwrap());
        store
            .daily_counts(day(2026, 3, 12), day(2026, 3, 14), region)
            .await
            .unwrap()
            .into_iter()
            .map(|DayCounts { day, received, resolved }| (day.format("%d").to_string(), received, resolved))
            .collect::<Vec<_>>()
    };
    let rows = |r: [(u64, u64); 3]| -> Vec<(String, u64, u64)> {
        ["12", "13", "14"].iter().zip(r).map(|(d, (a, b))| (d.to_string(), a, b)).collect()
    };
    assert_eq!(counts(None).await, rows([(1, 0), (2, 1), (0, 1)]), "every day of the range, zeros too");
    assert_eq!(counts(Some(ZHONGTAI)).await, rows([(1, 0), (1, 1), (0, 0)]), "a town's villages are the town's");
    assert_eq!(counts(Some(NANHU)).await, rows([(1, 0), (0, 1), (0, 0)]));
    assert_eq!(counts(Some(CANGQIAN)).await, rows([(0, 0), (1, 0), (0, 1)]));
    assert_eq!(counts(Some("330110")).await, counts(None).await, "the district's code is the district");
    let one_day = store.daily_counts(day(2026, 3, 13), day(2026, 3, 13), None).await.unwrap();
    assert_eq!(one_day, [DayCounts { day: day(2026, 3, 13), received: 2, resolved: 1 }]);

    let missing = CaseId::new(ids[4].get() + 100).unwrap();
    let regions = store.case_regions(&[ids[2], ids[0], missing, ids[2]]).await.unwrap();
    assert_eq!(
        regions,
        [(ids[0], region(NANHU)), (ids[2], region(GAOQIAO))],
        "by id, once each, none for a missing case"
    );
    assert!(store.case_regions(&[]).await.unwrap().is_empty());
}

async fn users_sessions_and_tokens_keep_only_hashes(db: &TestDatabase) {
    use shanzhi_core::access::Role;
    use shanzhi_store::{NewApiToken, NewUser};
    let store = open(db).await;
    let user = NewUser {
        username: "shen".into(),
        display_name: "良渚街道·沈杰".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        role: Role::Town,
        region: Some(region("330110010")),
        department: None,
    };
    let added = store.add_user(&user).await.unwrap();
    assert_eq!(
        (added.username.as_str(), added.role, added.region, added.disabled),
        ("shen", Role::Town, user.region, false)
    );
    assert_eq!(store.user("shen").await.unwrap(), Some(added.clone()));
    assert_eq!(store.user("nobody").await.unwrap(), None);
    match store.add_user(&user).await {
        Err(StoreError::UserExists(name)) => assert_eq!(name, "shen"),
        other => panic!("a taken name must be refused, got {other:?}"),
    }
    assert_eq!(store.users().await.unwrap(), vec![added.clone()]);

    // A session lives until it expires; ending it ends it.
    let now = Utc::now();
    store.start_session("live-hash", added.id, now + chrono::Duration::hours(1)).await.unwrap();
    store.start_session("old-hash", added.id, now - chrono::Duration::seconds(1)).await.unwrap();
    assert_eq!(store.session_user("live-hash", now).await.unwrap().map(|u| u.id), Some(added.id));
    assert_eq!(store.session_user("old-hash", now).await.unwrap(), None, "expired");
    assert_eq!(store.session_user("live-hash", now + chrono::Duration::hours(2)).await.unwrap(), None);
    store.end_session("live-hash").await.unwrap();
    assert_eq!(store.session_user("live-hash", now).await.unwrap(), None, "logged out");

    let token = NewApiToken {
        name: "12345热线".into(),
        token_hash: "token-hash".into(),
        role: Role::Handler,
        region: None,
        department: Some("杭州市余杭区劳动保障监察大队".into()),
    };
    let made = store.add_api_token(&token).await.unwrap();
    assert_eq!(
        (made.role, made.department.as_deref(), made.revoked_at),
        (Role::Handler, token.department.as_deref(), None)
    );
    assert_eq!(store.api_token("token-hash").await.unwrap().map(|t| t.id), Some(made.id));
    assert!(store.revoke_api_token(made.id).await.unwrap());
    assert!(!store.revoke_api_token(made.id).await.unwrap(), "once");
    assert_eq!(store.api_token("token-hash").await.unwrap(), None);
    let listed = store.api_tokens().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some(), "a revoked token stays listed");
}

async fn the_unmasking_log_is_append_only(db: &TestDatabase) {
    let store = open(db).await;
    let ids = register(&*store, &[wage_arrears("hotline", "u-1")]).await;
    store.record_unmasking(ids[0], "窗口·周敏 (chuangkou)", "回电告知当事人调解时间").await.unwrap();
    store.record_unmasking(ids[0], "劳动监察·吴刚 (laojian)", "联系用人单位核实").await.unwrap();
    let log = store.unmaskings(ids[0]).await.unwrap();
    let who: Vec<(&str, &str)> = log.iter().map(|u| (u.actor.as_str(), u.reason.as_str())).collect();
    assert_eq!(
        who,
        [("窗口·周敏 (chuangkou)", "回电告知当事人调解时间"), ("劳动监察·吴刚 (laojian)", "联系用人单位核实")]
    );
    assert!(log[0].at <= log[1].at);
    for sql in ["UPDATE pii_unmaskings SET reason = 'x'", "DELETE FROM pii_unmaskings"] {
        assert!(execute_raw(&db.url, sql).await.is_err(), "{sql} must be refused");
    }
    assert_eq!(store.unmaskings(ids[0]).await.unwrap().len(), 2);
}
