//! Whole lives of cases through the API: intake, routing, every transition of the workflow, one
//! case per matter, citizens' tracking, on SQLite and (when `SHANZHI_TEST_PG` is set) PostgreSQL.

mod common;

use common::TestApp;
use serde_json::{Value, json};

on_both_stores!(
    a_dispute_lives_from_intake_to_closing,
    returns_escalations_transfers_pauses_and_extensions,
    an_unsatisfied_follow_up_reopens_the_case,
    illegal_transitions_and_bad_actions_are_4xx_with_a_code,
    the_same_matter_by_three_channels_is_one_case,
    two_matters_of_one_person_stay_two_cases,
    staff_split_and_merge_records,
    a_citizen_follows_the_case_with_number_and_code,
    routing_overrides_need_a_reason_and_are_reported,
    lists_filter_and_page,
    bad_intake_is_a_4xx_naming_the_field,
    the_same_person_back_after_closing_reopens_the_case,
);

const LEAD_OF_WAGES_IN_ZHONGTAI: &str = "中泰街道社会治理中心";
const POLICE: &str = "杭州市公安局余杭区分局仓前派出所";

fn wage_arrears(channel: &str, phone: &str, text: &str) -> Value {
    json!({
        "actor": "clerk:王",
        "channel": channel,
        "region": "中泰街道南湖村",
        "text": text,
        "parties": [
            {"role": "complainant", "name": "张某某", "phone": phone},
            {"role": "respondent", "name": "杭州恒达建筑劳务有限公司", "kind": "organization"}
        ]
    })
}

async fn intake(app: &TestApp, body: Value) -> Value {
    let (status, case) = app.post("/api/v1/cases", &body).await;
    assert_eq!(status, 201, "{case}");
    case
}

async fn act(app: &TestApp, id: &Value, body: Value) -> Value {
    let (status, case) = app.post(&format!("/api/v1/cases/{id}/actions"), &body).await;
    assert_eq!(status, 200, "{body} → {case}");
    case
}

async fn refused(app: &TestApp, id: &Value, body: Value) -> (u16, Value) {
    let (status, error) = app.post(&format!("/api/v1/cases/{id}/actions"), &body).await;
    assert!((400..500).contains(&status), "{body} was not refused: {status} {error}");
    (status, error["error"].clone())
}

async fn a_dispute_lives_from_intake_to_closing(app: TestApp) {
    let case = intake(
        &app,
        wage_arrears("window", "13812345678", "恒达建筑劳务公司拖欠我们8名工人工资共计6万元，多次讨要未果。"),
    )
    .await;
    let id = case["id"].clone();
    assert_eq!(case["status"], "routed");
    assert_eq!(case["kind"], "dispute");
    assert_eq!(case["category"]["code"], "wage_arrears");
    assert_eq!(case["amount_yuan"], "60000");
    assert_eq!(case["lead_department"], LEAD_OF_WAGES_IN_ZHONGTAI);
    assert_eq!(case["level"], "town");
    assert_eq!(case["workflow"]["routing"]["rule"], "wage_arrears");
    assert!(case["co_handlers"][0]["department"].as_str().unwrap().contains("劳动保障监察"));
    assert_eq!(case["co_handlers"][0]["urgency"], "normal", "a co-handler's task has its own deadline and mark");
    assert!(case["case_number"].as_str().unwrap().starts_with("YH-"));
    assert_eq!(case["query_code"].as_str().unwrap().len(), 8);
    assert!(case["due_at"].is_string() && case["urgency"].is_string());
    assert!(case["workflow"].get("query_code_hash").is_none(), "the code's hash is not shown");

    let co = case["co_handlers"][0]["department"].clone();
    let (status, error) = refused(&app, &id, json!({"actor": "x", "action": "accept", "department": co})).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("not_lead_department")));

    let lead = LEAD_OF_WAGES_IN_ZHONGTAI;
    let case = act(&app, &id, json!({"actor": "handler:李", "action": "accept", "department": lead})).await;
    assert_eq!(case["status"], "accepted");
    let case = act(&app, &id, json!({"actor": "handler:李", "action": "start_screening"})).await;
    assert_eq!(case["status"], "screening");
    let case = act(&app, &id, json!({"actor": "handler:李", "action": "start_mediation"})).await;
    assert_eq!(
        (case["status"].as_str(), case["workflow"]["clock"]["stage"].as_str()),
        (Some("mediating"), Some("mediating"))
    );
    act(
        &app,
        &id,
        json!({"actor": "mediator:赵", "action": "complete_task", "department": co, "note": "已核实欠薪名单"}),
    )
    .await;
    let session = json!({"actor": "mediator:赵", "action": "record_session", "place": "中泰街道矛调中心",
        "participants": ["张某某", "恒达公司项目经理"], "outcome": "双方同意分两期支付"});
    act(&app, &id, session).await;
    // The first term fell due long ago (an agreement recorded late): its check is due now.
    let agreement = json!({"actor": "mediator:赵", "action": "record_agreement", "terms": [
        {"text": "恒达公司先行支付3万元", "amount_yuan": 30000, "due": "2026-01-10"},
        {"text": "余款3万元于年底前付清", "amount_yuan": "30000", "due": "2099-12-31"}]});
    let case = act(&app, &id, agreement).await;
    assert_eq!(case["workflow"]["agreement"]["terms"].as_array().unwrap().len(), 2);
    assert_eq!(case["workflow"]["agreement"]["terms"][0]["check_on"], "2026-01-13");
    let (_, to_check) = app.get("/api/v1/cases?agreement_check_due=true").await;
    assert_eq!(to_check["cases"][0]["id"], id, "{to_check}");
    let case = act(&app, &id, json!({"actor": "mediator:赵", "action": "request_judicial_confirmation"})).await;
    assert!(case["workflow"]["agreement"]["judicial_confirmation"]["court"].as_str().unwrap().contains("法"));
    act(&app, &id, json!({"actor": "court:钱", "action": "record_judicial_confirmation"})).await;
    let case = act(&app, &id, json!({"actor": "mediator:赵", "action": "resolve", "outcome": "agreement_reached", "summary": "达成分期支付协议"})).await;
    assert_eq!((case["status"].as_str(), case["resolved_level"].as_str()), (Some("resolved"), Some("town")));
    let (_, at_town) = app.get("/api/v1/cases?resolved_level=town").await;
    let (_, at_district) = app.get("/api/v1/cases?resolved_level=district").await;
    assert_eq!((at_town["total"].as_u64(), at_district["total"].as_u64()), (Some(1), Some(0)));
    let case =
        act(&app, &id, json!({"actor": "mediator:赵", "action": "check_term", "term": 0, "honoured": true})).await;
    assert_eq!(case["workflow"]["agreement"]["terms"][0]["honoured"], true);
    let (_, to_check) = app.get("/api/v1/cases?agreement_check_due=true").await;
    assert_eq!(to_check["total"], 0, "checked, and the next term is not due for a check yet");
    let case =
        act(&app, &id, json!({"actor": "visitor:孙", "action": "follow_up", "satisfaction": 5, "comment": "满意"}))
            .await;
    assert_eq!(case["status"], "closed");
    assert!(case["due_at"].is_null(), "a closed case has no deadline");

    let (_, full) = app.get(&format!("/api/v1/cases/{id}")).await;
    let kinds: Vec<&str> = full["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "registered",
            "routed",
            "accepted",
            "screening_started",
            "mediation_started",
            "task_completed",
            "session_recorded",
            "agreement_recorded",
            "judicial_confirmation_requested",
            "judicial_confirmation_granted",
            "resolved",
            "term_checked",
            "followed_up"
        ]
    );
    assert!(full["history"].as_array().unwrap().iter().all(|e| e["actor"].is_string() && e["at"].is_string()));
}

async fn returns_escalations_transfers_pauses_and_extensions(app: TestApp) {
    let case = intake(
        &app,
        json!({"actor": "clerk:王", "channel": "grid", "region": "中泰街道南湖村",
        "text": "两户村民因宅基地边界发生争执，互不相让。"}),
    )
    .await;
    let id = case["id"].clone();
    assert_eq!(
        (case["level"].as_str(), case["workflow"]["routing"]["rule"].as_str()),
        (Some("village"), Some("village_civil"))
    );
    let village_lead = case["lead_department"].as_str().unwrap().to_owned();
    assert!(village_lead.ends_with("人民调解委员会"), "{village_lead}");

    let (_, e) =
        refused(&app, &id, json!({"actor": "x", "action": "return", "department": village_lead, "reason": "  "})).await;
    assert_eq!(e["code"], "missing_reason");
    let case = act(
        &app,
        &id,
        json!({"actor": "x", "action": "return", "department": village_lead, "reason": "涉及规划红线，村里无法处理"}),
    )
    .await;
    assert_eq!(case["status"], "returned");
    let case = act(&app, &id, json!({"actor": "dispatcher:周", "action": "route"})).await;
    assert_eq!(case["status"], "routed");

    // Village to district in one step is only for high risk.
    let (_, e) =
        refused(&app, &id, json!({"actor": "x", "action": "escalate", "level": "district", "reason": "复杂"})).await;
    assert_eq!(e["code"], "skip_level_needs_high_risk");
    let case = act(&app, &id, json!({"actor": "x", "action": "escalate", "reason": "村级调解未果"})).await;
    assert_eq!(
        (case["level"].as_str(), case["lead_department"].as_str()),
        (Some("town"), Some("中泰街道社会治理中心"))
    );
    assert!(
        case["co_handlers"].as_array().unwrap().iter().any(|t| t["department"] == village_lead.as_str()),
        "the former lead stays on"
    );

    let case = act(
        &app,
        &id,
        json!({"actor": "x", "action": "transfer", "department": "中泰街道人民调解委员会", "reason": "属民间纠纷"}),
    )
    .await;
    assert_eq!(case["lead_department"], "中泰街道人民调解委员会");
    act(&app, &id, json!({"actor": "x", "action": "accept", "department": "中泰街道人民调解委员会"})).await;

    let due = case["due_at"].clone();
    let case = act(&app, &id, json!({"actor": "x", "action": "pause", "reason": "当事人外出务工，等待返乡"})).await;
    assert_eq!(case["paused"], true);
    assert!(case["urgency"].is_null(), "a paused clock has no mark");
    let case = act(&app, &id, json!({"actor": "x", "action": "resume"})).await;
    assert_eq!(case["paused"], false);
    assert!(case["due_at"].as_str() >= Some("2000"), "{due}");

    let before = case["due_at"].as_str().unwrap().to_owned();
    act(&app, &id, json!({"actor": "x", "action": "request_extension", "working_days": 5, "reason": "需测绘", "requested_by": "handler:李"})).await;
    let (_, e) = refused(&app, &id, json!({"actor": "x", "action": "request_extension", "working_days": 5, "reason": "再延", "requested_by": "handler:李"})).await;
    assert_eq!(e["code"], "extension_pending");
    let case =
        act(&app, &id, json!({"actor": "leader:吴", "action": "decide_extension", "approve": true, "reason": "同意"}))
            .await;
    assert!(case["due_at"].as_str().unwrap() > before.as_str(), "an approved extension moves the deadline");

    // Staff correct the category, by name or code; the ledger keeps the code, and the history
    // keeps both (the labels the classifier will learn from).
    let case =
        act(&app, &id, json!({"actor": "handler:李", "action": "change_category", "category": "土地承包/山林纠纷"}))
            .await;
    assert_eq!(case["category"]["code"], "land_contract");
    let (_, full) = app.get(&format!("/api/v1/cases/{id}")).await;
    let last = full["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].as_str(), last["detail"]["to"].as_str()),
        (Some("category_changed"), Some("land_contract"))
    );
    // Or confirm it as it is: a label too, though nothing changes.
    assert!(case["allowed_actions"].as_array().unwrap().contains(&json!("confirm_category")), "{case}");
    let (_, e) =
        refused(&app, &id, json!({"actor": "x", "action": "change_category", "category": "land_contract"})).await;
    assert_eq!(e["code"], "unchanged", "a correction must change something");
    let confirmed = act(&app, &id, json!({"actor": "handler:李", "action": "confirm_category"})).await;
    assert_eq!(confirmed["category"]["code"], "land_contract");
    assert_eq!(confirmed["version"].as_u64(), case["version"].as_u64().map(|v| v + 1));
    let (_, full) = app.get(&format!("/api/v1/cases/{id}")).await;
    let last = full["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].as_str(), last["detail"]["category"].as_str()),
        (Some("category_confirmed"), Some("land_contract"))
    );
    // A category outside the taxonomy is kept as written, its numbers masked like any text.
    let case = act(&app, &id, json!({"actor": "x", "action": "change_category", "category": "其他 13812345678"})).await;
    assert_eq!(case["category"]["code"], "其他 138****5678");
    let (_, full) = app.get(&format!("/api/v1/cases/{id}")).await;
    assert!(!full.to_string().contains("13812345678"), "no clear number in the case or its history");
    let (status, e) = refused(&app, &id, json!({"actor": "x", "action": "pause", "reason": "等待\u{0}当事人"})).await;
    assert_eq!((status, e["code"].as_str()), (422, Some("control_characters")));
}

async fn an_unsatisfied_follow_up_reopens_the_case(app: TestApp) {
    let case = intake(
        &app,
        json!({"actor": "clerk:王", "channel": "hotline", "region": "仓前街道",
        "text": "小区物业公司长期不清运垃圾，业主要求退还部分物业费。"}),
    )
    .await;
    let id = case["id"].clone();
    let lead = case["lead_department"].clone();
    act(&app, &id, json!({"actor": "h", "action": "accept", "department": lead})).await;
    act(
        &app,
        &id,
        json!({"actor": "h", "action": "resolve", "outcome": "agreement_reached", "summary": "物业承诺整改"}),
    )
    .await;
    let (_, e) = refused(&app, &id, json!({"actor": "v", "action": "follow_up", "satisfaction": 6})).await;
    assert_eq!(e["code"], "bad_satisfaction");
    let case =
        act(&app, &id, json!({"actor": "v", "action": "follow_up", "satisfaction": 2, "comment": "没有整改"})).await;
    assert_eq!(case["status"], "mediating");
    assert_eq!(case["workflow"]["times_reopened"], 1);
    assert!(case["resolved_level"].is_null());
    act(&app, &id, json!({"actor": "h", "action": "resolve", "outcome": "agreement_reached", "summary": "已整改"}))
        .await;
    let case = act(&app, &id, json!({"actor": "v", "action": "follow_up", "comment": "电话无人接听"})).await;
    assert_eq!(case["status"], "closed", "an unreachable party closes the case");
    let case = act(&app, &id, json!({"actor": "leader", "action": "reopen", "reason": "业主再次来访反映"})).await;
    assert_eq!(case["status"], "mediating");
}

async fn illegal_transitions_and_bad_actions_are_4xx_with_a_code(app: TestApp) {
    let case = intake(
        &app,
        json!({"actor": "c", "channel": "window", "region": "仓前街道", "text": "邻居装修噪音扰民，协商未果。"}),
    )
    .await;
    let id = case["id"].clone();
    for action in [
        json!({"actor": "x", "action": "start_mediation"}),
        json!({"actor": "x", "action": "resolve", "outcome": "answered", "summary": "已答复"}),
        json!({"actor": "x", "action": "follow_up", "satisfaction": 5}),
        json!({"actor": "x", "action": "route"}),
        json!({"actor": "x", "action": "reopen", "reason": "r"}),
        json!({"actor": "x", "action": "split", "reason": "r"}),
    ] {
        let (status, e) = refused(&app, &id, action.clone()).await;
        assert_eq!((status, e["code"].as_str()), (409, Some("illegal_transition")), "{action}");
    }
    let (status, e) = refused(&app, &id, json!({"actor": "x", "action": "fly"})).await;
    assert_eq!((status, e["code"].as_str()), (400, Some("bad_action")));
    let (status, e) = refused(&app, &id, json!({"actor": " ", "action": "start_screening"})).await;
    assert_eq!((status, e["code"].as_str()), (400, Some("missing_actor")));
    let (status, _) = app.post("/api/v1/cases/999999/actions", &json!({"actor": "x", "action": "resume"})).await;
    assert_eq!(status, 404);
    let (_, after) = app.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(after["version"], case["version"], "refused actions change nothing");
}

async fn the_same_matter_by_three_channels_is_one_case(app: TestApp) {
    let police = intake(
        &app,
        wage_arrears("police", "13812345678", "报警人称恒达建筑劳务公司拖欠其与工友工资，现场十余名工人聚集讨薪。"),
    )
    .await;
    let hotline = intake(
        &app,
        wage_arrears(
            "hotline",
            "13812345678",
            "来电反映：在南湖村工地干活，恒达劳务公司一直拖欠工资不发，已经三个月了。",
        ),
    )
    .await;
    let mut walk_in =
        wage_arrears("window", "13700001111", "工人代表来访，反映恒达建筑劳务有限公司拖欠南湖村工地工人工资。");
    walk_in["parties"][0]["name"] = json!("李某某");
    let walk_in = intake(&app, walk_in).await;

    assert_eq!(police["status"], "routed");
    for linked in [&hotline, &walk_in] {
        assert_eq!(linked["status"], "merged", "{linked}");
        assert_eq!(linked["primary_case_id"], police["id"]);
        assert!(linked["related"].as_array().unwrap().iter().any(|r| r["case_id"] == police["id"]));
    }
    assert_eq!(hotline["workflow"]["link"]["relation"], "repeat", "the same caller again is a repeat visit");
    assert_eq!(walk_in["workflow"]["link"]["relation"], "same_matter");
    let (_, primary) = app.get(&format!("/api/v1/cases/{}", police["id"])).await;
    assert_eq!(primary["workflow"]["linked_records"], json!({"same_matter": 1, "repeat": 1}));
    let linked = &primary["linked_records"];
    let ids: Vec<&Value> = linked["records"].as_array().unwrap().iter().map(|r| &r["case_id"]).collect();
    assert_eq!((linked["total"].as_u64(), ids), (Some(2), vec![&hotline["id"], &walk_in["id"]]));
    let (_, list) = app.get("/api/v1/cases?primary_only=true").await;
    assert_eq!(list["total"], 1, "one primary case for the matter");
    // The caller of the linked record follows the primary case.
    let (number, code) = (hotline["case_number"].as_str().unwrap(), hotline["query_code"].as_str().unwrap());
    let (status, tracked) = app.get(&format!("/api/v1/track?number={number}&code={code}")).await;
    assert_eq!(status, 200);
    assert_eq!(tracked["primary_case_number"], police["case_number"]);
}

async fn two_matters_of_one_person_stay_two_cases(app: TestApp) {
    let first = intake(&app, wage_arrears("window", "13812345678", "恒达建筑劳务公司拖欠我工资2万元。")).await;
    let second = intake(
        &app,
        json!({"actor": "c", "channel": "window", "region": "中泰街道南湖村",
        "text": "楼上邻居家卫生间漏水，渗到我家天花板，协商赔偿未果。",
        "parties": [{"role": "complainant", "name": "张某某", "phone": "13812345678"},
                    {"role": "respondent", "name": "王某"}]}),
    )
    .await;
    assert_eq!(second["status"], "routed");
    assert!(second["primary_case_id"].is_null());
    let related = second["related"].as_array().unwrap();
    let shown = related.iter().find(|r| r["case_id"] == first["id"]).expect("the same person's other case is shown");
    assert_eq!(shown["shared_party"], true);
    assert!(shown["relation"].is_null());
}

async fn staff_split_and_merge_records(app: TestApp) {
    let a = intake(&app, wage_arrears("police", "13812345678", "恒达建筑劳务公司拖欠工人工资，工人聚集。")).await;
    let b = intake(&app, wage_arrears("hotline", "13812345678", "恒达劳务公司拖欠工资三个月。")).await;
    assert_eq!(b["status"], "merged");
    let (_, e) = refused(&app, &b["id"], json!({"actor": "x", "action": "split", "reason": ""})).await;
    assert_eq!(e["code"], "missing_reason");
    let b = act(&app, &b["id"], json!({"actor": "x", "action": "split", "reason": "是另一个工地的欠薪"})).await;
    assert_eq!((b["status"].as_str(), b["primary_case_id"].is_null()), (Some("registered"), true));
    let (_, primary) = app.get(&format!("/api/v1/cases/{}", a["id"])).await;
    assert!(primary["workflow"].get("linked_records").is_none(), "{primary}");
    assert!(primary.get("linked_records").is_none());
    let b = act(&app, &b["id"], json!({"actor": "x", "action": "route"})).await;
    assert_eq!(b["status"], "routed");

    let (_, e) =
        refused(&app, &b["id"], json!({"actor": "x", "action": "merge", "into": b["id"], "reason": "r"})).await;
    assert_eq!(e["code"], "same_case");
    let b = act(&app, &b["id"], json!({"actor": "x", "action": "merge", "into": a["id"], "reason": "核实为同一工地"}))
        .await;
    assert_eq!((b["status"].as_str(), b["workflow"]["link"]["confirmed"].as_bool()), (Some("merged"), Some(true)));
    let (_, e) = refused(&app, &b["id"], json!({"actor": "x", "action": "confirm_link"})).await;
    assert_eq!(e["code"], "already_confirmed");
}

async fn a_citizen_follows_the_case_with_number_and_code(app: TestApp) {
    let case = intake(&app, json!({"actor": "c", "channel": "online", "region": "良渚街道",
        "text": "请问办理居住证需要哪些材料？", "parties": [{"role": "complainant", "name": "陈某", "phone": "13912345678"}]})).await;
    assert_eq!(case["kind"], "consultation");
    let number = case["case_number"].as_str().unwrap();
    let code = case["query_code"].as_str().unwrap();
    let (status, tracked) = app.get(&format!("/api/v1/track?number={number}&code={}", code.to_lowercase())).await;
    assert_eq!(status, 200, "{tracked}");
    assert_eq!(tracked["status"], "routed");
    assert_eq!(tracked["kind_label"], "咨询");
    assert!(!tracked.to_string().contains("1391234"), "nothing personal");
    assert!(tracked["steps"].as_array().unwrap().len() >= 2);
    let (status, _) = app.get(&format!("/api/v1/track?number={number}&code=WRONG123")).await;
    assert_eq!(status, 404);
    let (status, _) = app.get(&format!("/api/v1/track?number=YH-2026-999999&code={code}")).await;
    assert_eq!(status, 404);
}

async fn routing_overrides_need_a_reason_and_are_reported(app: TestApp) {
    let ids = app
        .register(
            json!([{"channel": "grid", "external_id": "g-1", "received_at": "2026-11-20 10:00", "region": "仓前街道",
            "text": "两家商铺因门前停车位发生争执。"}]),
        )
        .await;
    let id = json!(ids[0]);
    let (_, e) = refused(&app, &id, json!({"actor": "d", "action": "route", "lead": "杭州市公安局余杭区分局"})).await;
    assert_eq!(e["code"], "missing_reason");
    let (_, e) =
        refused(&app, &id, json!({"actor": "d", "action": "route", "lead": "不存在的局", "reason": "r"})).await;
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("unknown_department"), Some("lead")));
    // Staff write the short name; the ledger keeps the official one.
    let case = act(
        &app,
        &id,
        json!({"actor": "dispatcher:周", "action": "route", "lead": "仓前派出所", "reason": "有肢体冲突苗头"}),
    )
    .await;
    assert_eq!(case["lead_department"], POLICE);
    let overridden = &case["workflow"]["routing"]["overridden"];
    assert_eq!(overridden["reason"], "有肢体冲突苗头");
    let suggested = overridden["suggested_lead"].as_str().unwrap().to_owned();
    assert_ne!(suggested, POLICE);

    let (status, report) = app.get("/api/v1/routing/overrides").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["overridden"], 1);
    assert_eq!(report["overrides"][0]["case_id"], id);
    assert_eq!(report["by_pair"][0], json!({"suggested_lead": suggested, "lead": POLICE, "count": 1}));
}

async fn lists_filter_and_page(app: TestApp) {
    let mut ids = Vec::new();
    for (i, (region, text)) in [
        ("仓前街道", "小区物业费上涨，业主不满要求公示收支。"),
        ("中泰街道南湖村", "村民反映邻居养狗扰民，夜间狗叫不止。"),
        ("良渚街道", "培训机构突然停课，家长要求退还预付学费一万二千元。"),
    ]
    .into_iter()
    .enumerate()
    {
        let case = intake(
            &app,
            json!({"actor": "c", "channel": if i == 0 { "hotline" } else { "window" }, "region": region, "text": text}),
        )
        .await;
        ids.push(case["id"].clone());
    }
    let (_, all) = app.get("/api/v1/cases").await;
    assert_eq!(all["total"], 3);
    assert_eq!(all["cases"][0]["id"], ids[2], "newest first");
    let (_, hotline) = app.get("/api/v1/cases?channel=12345").await;
    assert_eq!((hotline["total"].as_u64(), &hotline["cases"][0]["id"]), (Some(1), &ids[0]));
    let (_, town) = app.get("/api/v1/cases?region=中泰街道").await;
    assert_eq!((town["total"].as_u64(), &town["cases"][0]["id"]), (Some(1), &ids[1]));
    let (_, text) = app.get("/api/v1/cases?q=预付学费").await;
    assert_eq!((text["total"].as_u64(), &text["cases"][0]["id"]), (Some(1), &ids[2]));
    let lead = all["cases"][0]["lead_department"].as_str().unwrap().to_owned();
    let (_, by_department) = app.get(&format!("/api/v1/cases?department={lead}")).await;
    assert!(by_department["cases"].as_array().unwrap().iter().any(|c| c["id"] == ids[2]));
    let (_, page2) = app.get("/api/v1/cases?per_page=2&page=2").await;
    assert_eq!((page2["total"].as_u64(), page2["cases"].as_array().unwrap().len()), (Some(3), 1));
    let (_, overdue) = app.get("/api/v1/cases?overdue=true").await;
    assert_eq!(overdue["total"], 0, "nothing is overdue on its first day");
    let (_, by_due) = app.get("/api/v1/cases?order=due&status=routed").await;
    let dues: Vec<&str> = by_due["cases"].as_array().unwrap().iter().map(|c| c["due_at"].as_str().unwrap()).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");
    for bad in
        ["status=flying", "channel=fax", "region=火星村", "per_page=0", "order=random", "overdue=maybe", "kind=x"]
    {
        let (status, body) = app.get(&format!("/api/v1/cases?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["error"]["code"].is_string());
    }
}

async fn bad_intake_is_a_4xx_naming_the_field(app: TestApp) {
    let response = app
        .client
        .post(format!("{}/api/v1/cases", app.address))
        .header("content-type", "application/json")
        .body("{\"text\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_json");

    let (status, body) = app
        .post(
            "/api/v1/cases",
            &json!({"actor": "c", "channel": "window", "region": "火星村",
        "text": "", "parties": [{"role": "complainant", "phone": "12345"}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"region") && fields.contains(&"text"), "{fields:?}");
    let (status, body) = app
        .post("/api/v1/cases", &json!({"channel": "window", "region": "仓前街道", "text": "咨询", "actor": ""}))
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("missing_actor")));
    let (_, list) = app.get("/api/v1/cases").await;
    assert_eq!(list["total"], 0, "nothing was registered");
}

async fn the_same_person_back_after_closing_reopens_the_case(app: TestApp) {
    let first =
        intake(&app, wage_arrears("window", "13812345678", "恒达建筑劳务公司拖欠我工资2万元，多次讨要未果。")).await;
    let id = first["id"].clone();
    let lead = first["lead_department"].clone();
    act(&app, &id, json!({"actor": "h", "action": "accept", "department": lead})).await;
    act(
        &app,
        &id,
        json!({"actor": "h", "action": "resolve", "outcome": "agreement_reached", "summary": "公司承诺月底付清"}),
    )
    .await;
    act(&app, &id, json!({"actor": "v", "action": "follow_up", "satisfaction": 4})).await;

    let again = intake(
        &app,
        wage_arrears("hotline", "13812345678", "恒达劳务公司答应月底付的工资至今没给，我要去区政府讨说法。"),
    )
    .await;
    assert_eq!((again["status"].as_str(), again["primary_case_id"].clone()), (Some("merged"), id.clone()));
    assert_eq!(again["workflow"]["link"]["relation"], "repeat");
    let (_, primary) = app.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(primary["status"], "mediating", "a repeat visit about a closed matter reopens it");
    assert_eq!(primary["workflow"]["linked_records"]["repeat"], 1);
    // The merged record is handled as its primary: it leaves the department's inbox.
    let lead = lead.as_str().unwrap();
    let (_, inbox) = app.get(&format!("/api/v1/cases?department={lead}")).await;
    let ids: Vec<&Value> = inbox["cases"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
    assert_eq!(ids, [&id]);
    // Citizens may type the number in lower case.
    let (number, code) = (again["case_number"].as_str().unwrap().to_lowercase(), again["query_code"].as_str().unwrap());
    let (status, _) = app.get(&format!("/api/v1/track?number={number}&code={code}")).await;
    assert_eq!(status, 200);
}
