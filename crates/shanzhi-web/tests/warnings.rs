//! Warnings (预警), contingency plans (预案) and back-trace (倒查) over real HTTP, on SQLite and
//! (when `SHANZHI_TEST_PG` is set) PostgreSQL. Warnings are recorded straight into the store, as
//! a run of the risk models would; their cases are real cases of the ledger.

mod common;

use chrono::{Days, NaiveDate, Utc};
use common::TestApp;
use serde_json::{Value, json};
use shanzhi_core::warning::{Factor, Statistic, Subject, SubjectKind, Warning, WarningLevel, WarningModel};
use shanzhi_core::{CaseId, LedgerRecord, PhoneNumber, RecordContext};

on_both_stores!(
    lists_filter_by_state_model_and_level_and_put_red_first,
    a_red_event_warning_goes_through_its_contingency_plan,
    refused_actions_are_4xx_with_a_code_and_change_nothing,
    the_backtrace_of_a_person_lists_their_earlier_cases,
    the_backtrace_finds_the_same_respondent_and_the_same_place_and_matter,
);

const PHONE: &str = "13812345678";

fn today() -> NaiveDate {
    shanzhi_core::calendar::local_date(Utc::now())
}

fn warning(model: WarningModel, level: WarningLevel, subject: (SubjectKind, &str, &str), cases: &[i64]) -> Warning {
    let (kind, key, label) = subject;
    Warning {
        model,
        level,
        subject: Subject { kind, key: key.into(), label: label.into() },
        score: 12.5,
        statistic: Statistic {
            method: "poisson_cusum".into(),
            observed: 27.0,
            expected: 1.4,
            p_value: Some(0.001),
            llr: None,
        },
        factors: vec![Factor { code: "case_count".into(), label: "近30天相关案件27件".into(), points: 8.0 }],
        explanation: format!("{label}近期相关案件明显增多"),
        case_ids: cases.iter().map(|id| CaseId::new(*id).unwrap()).collect(),
        since: today() - Days::new(20),
        as_of: today(),
    }
}

/// Records one run of the models; answers the ids of the warnings raised, in order.
async fn record(app: &TestApp, warnings: &[Warning]) -> Vec<i64> {
    let outcome = app.state.store.record_warnings(today(), Utc::now(), warnings).await.unwrap();
    assert_eq!(outcome.raised.len(), warnings.len());
    outcome.raised
}

/// Registers records straight into the store after the intake's text analysis (category,
/// respondent key), without routing or linking them.
async fn register_prepared(app: &TestApp, records: Value) -> Vec<i64> {
    let key = common::pii_key();
    let ctx = RecordContext { gazetteer: &app.state.gazetteer, pii_key: &key, now: Utc::now() };
    let records: Vec<LedgerRecord> = serde_json::from_value(records).unwrap();
    let cases: Vec<_> = records
        .iter()
        .map(|r| shanzhi_text::intake::prepare(&app.state.analyzer, &app.state.rules.kinds, r.validate(&ctx).unwrap()))
        .collect();
    let regs = app.state.store.register_cases(&cases, "test").await.unwrap();
    regs.into_iter().map(|r| r.case_id().get()).collect()
}

async fn act(app: &TestApp, id: i64, body: Value) -> Value {
    let (status, warning) = app.post(&format!("/api/v1/warnings/{id}/actions"), &body).await;
    assert_eq!(status, 200, "{body} → {warning}");
    warning
}

async fn refused(app: &TestApp, id: i64, body: Value) -> (u16, Value) {
    let (status, error) = app.post(&format!("/api/v1/warnings/{id}/actions"), &body).await;
    assert!((400..500).contains(&status), "{body} was not refused: {status} {error}");
    (status, error["error"].clone())
}

fn ids(list: &Value, field: &str) -> Vec<i64> {
    list[field].as_array().unwrap().iter().map(|w| w["id"].as_i64().unwrap()).collect()
}

async fn school_cases(app: &TestApp) -> Vec<i64> {
    app.register(json!([
        {"channel": "hotline", "external_id": "h-1", "received_at": "2026-03-02 09:00", "region": "中泰街道南湖村",
         "text": "某某教育培训机构突然停课，预交学费不退。", "category": "education_training"},
        {"channel": "petition", "external_id": "p-1", "received_at": "2026-03-03 10:00", "region": "330110012209",
         "text": "孩子报名的培训机构关门，老板失联，要求退费。"},
        {"channel": "online", "external_id": "o-1", "received_at": "2026-03-04 11:00", "region": "中泰街道白云村",
         "text": "培训机构跑路，几十名家长的学费无法退还。"}
    ]))
    .await
}

async fn lists_filter_by_state_model_and_level_and_put_red_first(app: TestApp) {
    let cases = school_cases(&app).await;
    let raised = record(
        &app,
        &[
            warning(WarningModel::Person, WarningLevel::Yellow, (SubjectKind::Person, "h1", "张某某"), &cases[..1]),
            warning(WarningModel::Event, WarningLevel::Red, (SubjectKind::Respondent, "某某教育", "某某教育"), &cases),
            warning(WarningModel::Region, WarningLevel::Orange, (SubjectKind::Region, "330110014", "中泰街道"), &cases),
            warning(WarningModel::Industry, WarningLevel::Blue, (SubjectKind::Category, "edu", "教育培训"), &cases),
        ],
    )
    .await;
    let (person, event, region, industry) = (raised[0], raised[1], raised[2], raised[3]);

    let (status, all) = app.get("/api/v1/warnings").await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["total"], 4);
    assert_eq!(ids(&all, "items"), [event, region, person, industry], "the most severe first");
    let red = &all["items"][0];
    assert_eq!((red["model"].as_str(), red["model_label"].as_str()), (Some("event"), Some("涉众事件预警")));
    assert_eq!((red["level"].as_str(), red["level_label"].as_str()), (Some("red"), Some("红色")));
    assert_eq!(red["subject"], json!({"kind": "respondent", "key": "某某教育", "label": "某某教育"}));
    assert_eq!((red["state"].as_str(), red["state_label"].as_str()), (Some("raised"), Some("待签收")));
    assert_eq!(red["case_ids"], json!(cases));
    assert_eq!(red["statistic"]["method"], "poisson_cusum");
    assert_eq!(red["factors"][0]["code"], "case_count");
    assert_eq!(red["since"], (today() - Days::new(20)).to_string());
    assert_eq!((red["first_seen_on"].as_str(), red["version"].as_u64()), (Some(&*today().to_string()), Some(1)));
    assert!(red["plan"].is_null() && red["plan_tasks"].is_null());
    let proposed: Vec<&str> =
        red["proposed_plans"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert!(proposed.contains(&"mass_refund") && proposed.contains(&"wage_arrears_group"), "{proposed:?}");
    assert!(!proposed.contains(&"person_stabilisation"));
    assert_eq!(red["proposed_plans"][0]["name"], "涉众型退费风险处置预案");
    assert_eq!(all["items"][2]["proposed_plans"], json!([]), "a yellow person warning proposes no plan");

    act(&app, region, json!({"actor": "analyst:吴", "action": "dismiss", "reason": "系正常季节性波动"})).await;
    let (_, open) = app.get("/api/v1/warnings?open=true").await;
    assert_eq!(ids(&open, "items"), [event, person, industry]);
    assert_eq!(open["total"], 3);
    let (_, dismissed) = app.get("/api/v1/warnings?state=dismissed").await;
    assert_eq!(ids(&dismissed, "items"), [region]);
    let (_, severe) = app.get("/api/v1/warnings?min_level=orange").await;
    assert_eq!(ids(&severe, "items"), [event, region]);
    let (_, severe_open) = app.get("/api/v1/warnings?min_level=orange&open=true").await;
    assert_eq!(ids(&severe_open, "items"), [event]);
    let (_, persons) = app.get("/api/v1/warnings?model=person").await;
    assert_eq!(ids(&persons, "items"), [person]);
    let (_, page) = app.get("/api/v1/warnings?limit=2&offset=1").await;
    assert_eq!((ids(&page, "items"), page["total"].as_u64()), (vec![region, person], Some(4)));

    for (query, code) in [
        ("state=gone", "unknown_state"),
        ("model=weather", "unknown_model"),
        ("min_level=purple", "unknown_level"),
        ("limit=0", "bad_limit"),
        ("limit=501", "bad_limit"),
        ("open=maybe", "bad_query"),
        ("offset=-1", "bad_query"),
        ("colour=red", "bad_query"),
    ] {
        let (status, body) = app.get(&format!("/api/v1/warnings?{query}")).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some(code)), "{query}: {body}");
    }
}

async fn a_red_event_warning_goes_through_its_contingency_plan(app: TestApp) {
    let cases = school_cases(&app).await;
    let id = record(
        &app,
        &[warning(WarningModel::Event, WarningLevel::Red, (SubjectKind::Respondent, "某某教育", "某某教育"), &cases)],
    )
    .await[0];

    let (status, raised) = app.get(&format!("/api/v1/warnings/{id}")).await;
    assert_eq!(status, 200, "{raised}");
    assert_eq!(raised["history"].as_array().unwrap().len(), 1);
    assert_eq!(raised["history"][0]["action"], "raised");
    assert_eq!(raised["history"][0]["actor"], "system:warnings");
    assert_eq!(raised["history"][0]["detail"]["cases"], 3);

    let acknowledged = act(&app, id, json!({"actor": "analyst:吴", "action": "acknowledge"})).await;
    assert_eq!((acknowledged["state"].as_str(), acknowledged["version"].as_u64()), (Some("acknowledged"), Some(2)));
    assert_eq!(acknowledged["state_label"], "已签收");

    let activated = act(
        &app,
        id,
        json!({"actor": "analyst:吴", "action": "activate_plan", "plan": "mass_refund", "expected_version": 2}),
    )
    .await;
    assert_eq!(
        (activated["state"].as_str(), activated["plan"].as_str()),
        (Some("plan_activated"), Some("mass_refund"))
    );
    assert_eq!(activated["plan_name"], "涉众型退费风险处置预案");
    let tasks = activated["plan_tasks"].as_array().unwrap();
    let departments: Vec<&str> = tasks.iter().map(|t| t["department"].as_str().unwrap()).collect();
    assert!(departments.contains(&"杭州市余杭区市场监督管理局"), "{departments:?}");
    assert!(departments.iter().any(|d| d.contains("公安")), "{departments:?}");
    // The town office of each town of the cases (中泰 twice, 仓前 once), and of no other town.
    assert!(departments.contains(&"中泰街道社会治理中心"), "{departments:?}");
    assert!(departments.contains(&"仓前街道社会治理中心"), "{departments:?}");
    assert_eq!(departments.iter().filter(|d| d.ends_with("街道社会治理中心")).count(), 2, "{departments:?}");
    let today = today().to_string();
    for task in tasks {
        let due_on = task["due_on"].as_str().unwrap();
        assert!(due_on > today.as_str(), "{task} is due after today ({today})");
        assert!(!task["task"].as_str().unwrap().is_empty());
    }

    let resolved =
        act(&app, id, json!({"actor": "analyst:吴", "action": "resolve", "note": "退费方案落实，家长已签收"})).await;
    assert_eq!((resolved["state"].as_str(), resolved["open"].as_bool()), (Some("resolved"), Some(false)));
    assert_eq!(resolved["plan_tasks"], activated["plan_tasks"], "the tasks stay with the warning");

    let (_, full) = app.get(&format!("/api/v1/warnings/{id}")).await;
    let history = full["history"].as_array().unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["raised", "acknowledge", "activate_plan", "resolve"]);
    // An integration names the person behind a step; the token stays on record.
    assert_eq!(history[2]["actor"], "analyst:吴 via token:test-admin");
    assert_eq!(history[2]["detail"]["plan"], "mass_refund");
    assert_eq!(history[3]["detail"]["note"], "退费方案落实，家长已签收");
    assert_eq!(history.iter().map(|e| e["seq"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2, 3, 4]);
    let (_, resolved_list) = app.get("/api/v1/warnings?state=resolved").await;
    assert_eq!(ids(&resolved_list, "items"), [id]);

    // A resolved warning is over: nothing more may be done with it.
    for body in [
        json!({"actor": "analyst:吴", "action": "acknowledge"}),
        json!({"actor": "analyst:吴", "action": "dismiss", "reason": "误报"}),
        json!({"actor": "analyst:吴", "action": "activate_plan", "plan": "mass_refund"}),
    ] {
        let (status, error) = refused(&app, id, body).await;
        assert_eq!((status, error["code"].as_str()), (409, Some("not_allowed")), "{error}");
    }
}

async fn refused_actions_are_4xx_with_a_code_and_change_nothing(app: TestApp) {
    let cases = school_cases(&app).await;
    let raised = record(
        &app,
        &[
            warning(WarningModel::Event, WarningLevel::Red, (SubjectKind::Respondent, "某某教育", "某某教育"), &cases),
            warning(WarningModel::Event, WarningLevel::Yellow, (SubjectKind::Respondent, "某物业", "某物业"), &cases),
        ],
    )
    .await;
    let (red, yellow) = (raised[0], raised[1]);
    let a = "analyst:吴";

    let cases_of = [
        (json!({"actor": a, "action": "dismiss"}), 422, "missing_reason"),
        (json!({"actor": a, "action": "dismiss", "reason": "  "}), 422, "missing_reason"),
        (json!({"actor": a, "action": "activate_plan"}), 422, "missing_plan"),
        (json!({"actor": a, "action": "activate_plan", "plan": "evacuation"}), 422, "unknown_plan"),
        (json!({"actor": a, "action": "activate_plan", "plan": "person_stabilisation"}), 409, "plan_not_proposed"),
        (json!({"actor": a, "action": "resolve", "note": "已处理"}), 409, "not_allowed"),
        (json!({"actor": a, "action": "acknowledge", "expected_version": 5}), 409, "conflict"),
        (json!({"actor": a, "action": "acknowledge", "expected_version": "one"}), 400, "bad_field"),
        (json!({"actor": a, "action": "escalate"}), 400, "bad_action"),
        (json!({"actor": a}), 400, "bad_action"),
        (json!({"actor": "\t", "action": "acknowledge"}), 400, "missing_actor"),
    ];
    for (body, status, code) in cases_of {
        let (got, error) = refused(&app, red, body.clone()).await;
        assert_eq!((got, error["code"].as_str()), (status, Some(code)), "{body}: {error}");
        if status == 422 {
            assert!(error["field"].is_string() && error["fields"].is_array(), "{error}");
        }
    }
    let (_, error) = refused(&app, red, json!({"actor": a, "action": "dismiss"})).await;
    assert_eq!(error["field"], "reason");
    let (_, error) = refused(&app, red, json!({"actor": a, "action": "activate_plan", "plan": "x"})).await;
    assert_eq!(error["field"], "plan");
    // mass_refund is for orange and red events.
    let (status, error) =
        refused(&app, yellow, json!({"actor": a, "action": "activate_plan", "plan": "mass_refund"})).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("plan_not_proposed")));

    let (_, unchanged) = app.get(&format!("/api/v1/warnings/{red}")).await;
    assert_eq!((unchanged["state"].as_str(), unchanged["version"].as_u64()), (Some("raised"), Some(1)));
    assert_eq!(unchanged["history"].as_array().unwrap().len(), 1, "{unchanged}");

    // The right version goes through; the one before it no longer does.
    act(&app, red, json!({"actor": a, "action": "acknowledge", "expected_version": 1})).await;
    let (status, error) =
        refused(&app, red, json!({"actor": a, "action": "dismiss", "reason": "误报", "expected_version": 1})).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("conflict")));
    let (status, error) = refused(&app, red, json!({"actor": a, "action": "acknowledge"})).await;
    assert_eq!((status, error["code"].as_str()), (409, Some("not_allowed")), "acknowledged once");

    for path in ["/api/v1/warnings/999999", "/api/v1/warnings/999999/backtrace"] {
        let (status, body) = app.get(path).await;
        assert_eq!((status, body["error"]["code"].as_str()), (404, Some("warning_not_found")), "{path}");
    }
    let (status, body) =
        app.post("/api/v1/warnings/999999/actions", &json!({"actor": a, "action": "acknowledge"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("warning_not_found")));
    for path in ["/api/v1/warnings/abc", "/api/v1/warnings/0/backtrace"] {
        let (status, body) = app.get(path).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_warning_id")), "{path}");
    }
    let (status, body) = app.get("/api/v1/cases/999999/backtrace").await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("case_not_found")));
}

async fn intake(app: &TestApp, body: Value) -> Value {
    let (status, case) = app.post("/api/v1/cases", &body).await;
    assert_eq!(status, 201, "{case}");
    assert!(case["primary_case_id"].is_null(), "a matter of its own: {case}");
    case
}

fn of_person(channel: &str, received_at: &str, region: &str, text: &str, respondent: Value) -> Value {
    json!({
        "actor": "clerk:王", "channel": channel, "received_at": received_at, "region": region, "text": text,
        "parties": [{"role": "complainant", "name": "张某某", "phone": PHONE}, respondent]
    })
}

async fn case_act(app: &TestApp, id: &Value, body: Value) -> Value {
    let (status, case) = app.post(&format!("/api/v1/cases/{id}/actions"), &body).await;
    assert_eq!(status, 200, "{body} → {case}");
    case
}

async fn the_backtrace_of_a_person_lists_their_earlier_cases(app: TestApp) {
    // Three earlier matters of one person, by three channels; then the matter the warning is
    // about; then one more, later. And someone else's matter in between.
    let leak = intake(
        &app,
        of_person(
            "hotline",
            "2026-01-05 09:00",
            "中泰街道南湖村",
            "楼上邻居家卫生间漏水，渗到我家天花板，协商赔偿未果。",
            json!({"role": "respondent", "name": "王某"}),
        ),
    )
    .await;
    let unrelated = intake(
        &app,
        json!({"actor": "clerk:王", "channel": "grid", "received_at": "2026-02-01 10:00", "region": "径山镇",
               "text": "邻居占用公共楼道堆放杂物，引发争吵。",
               "parties": [{"role": "complainant", "name": "李某", "phone": "13987654321"}]}),
    )
    .await;
    let wages = intake(
        &app,
        of_person(
            "window",
            "2026-02-10 14:30",
            "330110012209",
            "恒达建筑劳务公司拖欠我工资2万元，多次讨要未果。",
            json!({"role": "respondent", "name": "杭州恒达建筑劳务有限公司", "kind": "organization"}),
        ),
    )
    .await;
    let parking = intake(
        &app,
        of_person(
            "online",
            "2026-03-15 20:00",
            "良渚街道",
            "小区物业公司擅自上涨停车费，业主多次协商无果。",
            json!({"role": "respondent", "name": "杭州某某物业服务有限公司", "kind": "organization"}),
        ),
    )
    .await;
    let seed = intake(
        &app,
        of_person(
            "police",
            "2026-04-20 22:10",
            "中泰街道白云村",
            "隔壁商铺油烟和噪音严重扰民，多次沟通未果，双方发生口角。",
            json!({"role": "respondent", "name": "赵某"}),
        ),
    )
    .await;
    let later = intake(
        &app,
        of_person(
            "petition",
            "2026-05-06 09:30",
            "余杭街道",
            "租住房屋到期退租，房东扣留押金不退，协商未果。",
            json!({"role": "respondent", "name": "房东孙某"}),
        ),
    )
    .await;
    // How the earlier ones ended: one agreed, one failed, one still being handled.
    for (case, outcome, summary) in
        [(&leak, "agreement_reached", "邻居同意维修并赔偿"), (&wages, "no_agreement", "公司拒绝支付，引导仲裁")]
    {
        let lead = case["lead_department"].clone();
        assert!(lead.is_string(), "{case}");
        case_act(&app, &case["id"], json!({"actor": "handler:李", "action": "accept", "department": lead})).await;
        case_act(
            &app,
            &case["id"],
            json!({"actor": "handler:李", "action": "resolve", "outcome": outcome, "summary": summary}),
        )
        .await;
    }

    let hash = common::pii_key().protect_phone(&PhoneNumber::parse(PHONE).unwrap()).hash;
    let seed_id = seed["id"].as_i64().unwrap();
    let id = record(
        &app,
        &[warning(
            WarningModel::Person,
            WarningLevel::Orange,
            (SubjectKind::Person, hash.as_str(), "张某某（138****5678）"),
            &[seed_id],
        )],
    )
    .await[0];

    let (status, trace) = app.get(&format!("/api/v1/warnings/{id}/backtrace")).await;
    assert_eq!(status, 200, "{trace}");
    let expected: Vec<i64> = [&leak, &wages, &parking].iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids(&trace, "items"), expected, "the three earlier matters, oldest first: {trace:#}");
    assert_eq!((trace["total"].as_u64(), trace["truncated"].as_bool()), (Some(3), Some(false)));
    assert_eq!(trace["warning_id"], id);
    let items = trace["items"].as_array().unwrap();
    for (item, case) in items.iter().zip([&leak, &wages, &parking]) {
        let relations = item["relations"].as_array().unwrap();
        assert!(relations.contains(&json!("same_person")), "{item}");
        assert!(item["relation_labels"].as_array().unwrap().contains(&json!("同一当事人")));
        assert_eq!(item["case_number"], case["case_number"]);
        assert_eq!(item["channel"], case["channel"]);
        assert_eq!(item["received_at"], case["received_at"]);
        assert_eq!(item["lead_department"], case["lead_department"]);
        assert_eq!(item["level"], case["level"]);
        assert!(item["routed_at"].is_string(), "{item}");
        assert_eq!(item["linked_records"], 0);
    }
    let channels: Vec<&str> = items.iter().map(|i| i["channel"].as_str().unwrap()).collect();
    assert_eq!(channels, ["hotline", "window", "online"]);
    assert_eq!(items[0]["ended"]["outcome"], "agreement_reached");
    assert_eq!(items[0]["ended"]["summary"], "邻居同意维修并赔偿");
    assert_eq!((items[0]["status"].as_str(), items[0]["status_label"].as_str()), (Some("resolved"), Some("已化解")));
    assert!(items[0]["resolved_at"].is_string());
    assert_eq!(items[1]["ended"]["outcome_label"], "调解不成");
    assert!(items[2]["ended"].is_null() && items[2]["open"] == true, "{}", items[2]);
    assert_eq!(trace["summary"], "此前相关案件3件，其中已化解1件，1件仍在办理，1件调解不成");
    let text = trace.to_string();
    assert!(!text.contains(PHONE) && !text.contains("13987654321"), "nothing personal in clear");
    assert!(!ids(&trace, "items").contains(&unrelated["id"].as_i64().unwrap()));

    // The case's own back-trace: everything of the person before it, the warning's case included.
    let (status, trace) = app.get(&format!("/api/v1/cases/{}/backtrace", later["id"])).await;
    assert_eq!(status, 200, "{trace}");
    assert_eq!(ids(&trace, "items"), [expected, vec![seed_id]].concat());
    assert_eq!(trace["case_id"], later["id"]);
    let (_, first) = app.get(&format!("/api/v1/cases/{}/backtrace", leak["id"])).await;
    assert_eq!((first["total"].as_u64(), first["summary"].as_str()), (Some(0), Some("此前无相关案件")));
}

async fn the_backtrace_finds_the_same_respondent_and_the_same_place_and_matter(app: TestApp) {
    let school = |external_id: &str, received_at: &str, region: &str, phone: &str| {
        json!({"channel": "hotline", "external_id": external_id, "received_at": received_at, "region": region,
               "text": "杭州智学教育科技有限公司突然停课，预交的学费不予退还。", "category": "education_training",
               "parties": [{"role": "complainant", "name": "家长", "phone": phone},
                           {"role": "respondent", "name": "杭州智学教育科技有限公司", "kind": "organization"}]})
    };
    let ids_of = register_prepared(
        &app,
        json!([
            school("e-1", "2025-11-03 09:00", "330110012209", "13900000001"),
            // Another respondent, but the same village and the same kind of matter as a seed.
            {"channel": "grid", "external_id": "e-2", "received_at": "2025-12-01 09:00", "region": "中泰街道南湖村",
             "text": "附近一个培训班停课后不退学费，家长要求退费。", "category": "教育培训纠纷",
             "parties": [{"role": "complainant", "name": "家长", "phone": "13900000002"}]},
            // The same village, another matter: not related.
            {"channel": "grid", "external_id": "e-3", "received_at": "2025-12-02 09:00", "region": "中泰街道南湖村",
             "text": "邻居占用公共楼道堆放杂物。", "category": "neighbour"},
            school("e-4", "2026-03-02 09:00", "中泰街道南湖村", "13900000004"),
            school("e-5", "2026-03-03 09:00", "中泰街道白云村", "13900000005"),
        ]),
    )
    .await;
    let (respondent_earlier, place_earlier, other_matter, seeds) = (ids_of[0], ids_of[1], ids_of[2], &ids_of[3..]);
    let seed = app.state.store.case(CaseId::new(seeds[0]).unwrap()).await.unwrap().unwrap();
    let key = seed.workflow.respondent_key.clone().expect("the intake reads the respondent's key");
    assert_eq!(seed.record.category.as_deref(), Some("education_training"));
    let id = record(
        &app,
        &[warning(WarningModel::Event, WarningLevel::Red, (SubjectKind::Respondent, &key, "智学教育"), seeds)],
    )
    .await[0];

    let (status, trace) = app.get(&format!("/api/v1/warnings/{id}/backtrace")).await;
    assert_eq!(status, 200, "{trace}");
    assert_eq!(ids(&trace, "items"), [respondent_earlier, place_earlier], "{trace:#}");
    assert!(!ids(&trace, "items").contains(&other_matter));
    assert_eq!(trace["items"][0]["relations"], json!(["same_respondent"]));
    assert_eq!(trace["items"][1]["relations"], json!(["same_place_and_matter"]));
    assert!(trace["items"][0]["lead_department"].is_null(), "never routed");
    assert_eq!(trace["items"][0]["status"], "registered");
    assert_eq!(trace["summary"], "此前相关案件2件，其中已化解0件，2件仍在办理");
    assert_eq!(trace["seeds"], 2);
}
