//! The window clerk's preview (`POST /api/v1/intake/preview`): what the intake would make of a
//! record while it is typed — category, routing, risk signals, the related cases — without saving
//! anything; the regions the form offers (`GET /api/v1/regions`); and the actions a case's status
//! allows, which the case page offers as buttons.

mod common;

use common::{TestApp, client_with_token, create_token};
use serde_json::{Value, json};
use shanzhi_core::access::Role;

on_both_stores!(
    the_preview_suggests_category_lead_and_risk_and_saves_nothing,
    the_preview_finds_the_same_matter_already_in_the_ledger,
    the_preview_says_what_it_can_of_an_incomplete_record,
    the_preview_is_for_those_who_register_and_hides_other_areas_cases,
    the_regions_are_the_districts_towns_and_villages,
    a_case_says_which_actions_its_status_allows,
);

const TEXT: &str =
    "杭州恒达建筑劳务有限公司拖欠我们5名工人3个月工资共计4万元，多次讨要未果，工人们扬言再不给钱就集体上访。";

async fn total_cases(app: &TestApp) -> u64 {
    let (status, list) = app.get("/api/v1/cases?per_page=1").await;
    assert_eq!(status, 200, "{list}");
    list["total"].as_u64().unwrap()
}

async fn the_preview_suggests_category_lead_and_risk_and_saves_nothing(app: TestApp) {
    let before = total_cases(&app).await;
    let (status, p) = app.post("/api/v1/intake/preview", &json!({"text": TEXT, "region": "中泰街道南湖村"})).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["category"]["code"], "wage_arrears", "{p}");
    assert_eq!(p["category"]["name"], "劳资纠纷（拖欠工资）");
    assert!(p["category"]["confidence"].as_f64().unwrap() > 0.3, "{p}");
    assert_eq!(p["routing"]["lead"], "中泰街道社会治理中心", "{p}");
    assert_eq!(p["routing"]["level"], "town");
    assert!(!p["routing"]["rule_name"].as_str().unwrap().is_empty());
    assert_eq!(p["kind"]["code"], "dispute");
    assert_eq!(p["amount_yuan"], "40000");
    assert_eq!(p["people_count"], 5);
    let signals: Vec<&str> =
        p["risk"]["signals"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert!(signals.contains(&"group_action"), "{p}");
    assert_ne!(p["risk"]["level"], "none");
    assert_eq!(p["related"], json!([]));
    assert_eq!(p["problems"], json!([]));
    assert_eq!(total_cases(&app).await, before, "a preview registers nothing");
}

async fn the_preview_finds_the_same_matter_already_in_the_ledger(app: TestApp) {
    let body = json!({
        "channel": "hotline",
        "region": "中泰街道南湖村",
        "text": TEXT,
        "parties": [
            {"role": "complainant", "name": "张某某", "phone": "13812345678"},
            {"role": "respondent", "name": "杭州恒达建筑劳务有限公司", "kind": "organization"}
        ]
    });
    let (status, case) = app.post("/api/v1/cases", &body).await;
    assert_eq!(status, 201, "{case}");
    // The same person at the window, with the same phone and respondent.
    let mut again = body.clone();
    again["channel"] = json!("window");
    again["text"] = json!("张某某来访，反映杭州恒达建筑劳务有限公司拖欠工资4万元一直未付。");
    let (status, p) = app.post("/api/v1/intake/preview", &again).await;
    assert_eq!(status, 200, "{p}");
    let related = p["related"].as_array().unwrap();
    let first = related.first().unwrap_or_else(|| panic!("no related case: {p}"));
    assert_eq!(first["case_id"], case["id"]);
    assert_eq!(first["case_number"], case["case_number"]);
    assert_eq!(first["visible"], true);
    assert!(first["shared_party"].as_bool().unwrap() || first["shared_respondent"].as_bool().unwrap(), "{first}");
    assert!(!first["explanation"].as_str().unwrap().is_empty());
    assert_eq!(first["status"], case["status"]);
    assert!(first["snippet"].as_str().unwrap().contains("恒达"), "{first}");
    // The preview is not a registration: the ledger still has one case.
    assert_eq!(total_cases(&app).await, 1);
}

async fn the_preview_says_what_it_can_of_an_incomplete_record(app: TestApp) {
    // No text: nothing to say.
    let (status, e) = app.post("/api/v1/intake/preview", &json!({"region": "中泰街道"})).await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error"]["fields"][0]["code"], "missing_text");
    // No region yet: the text's category and risk, no routing, no related cases; the missing
    // region is named.
    let (status, p) = app.post("/api/v1/intake/preview", &json!({"text": TEXT})).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["category"]["code"], "wage_arrears");
    assert_eq!(p["routing"], Value::Null);
    assert_eq!(p["related"], json!([]));
    assert!(!p["department"].as_str().unwrap_or_default().is_empty(), "the taxonomy's department: {p}");
    assert!(p["problems"].as_array().unwrap().iter().any(|f| f["field"] == "region"), "{p}");
    // A phone number half typed: named, and the routing still given; the number is not echoed.
    let body = json!({"text": TEXT, "region": "中泰街道", "parties": [{"role": "complainant", "name": "张某某", "phone": "138123"}]});
    let (status, p) = app.post("/api/v1/intake/preview", &body).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["routing"]["lead"], "中泰街道社会治理中心", "{p}");
    assert!(p["problems"].as_array().unwrap().iter().any(|f| f["field"] == "parties[0].phone"), "{p}");
    assert!(!p.to_string().contains("138123"), "{p}");
    // Malformed JSON is a 400 in the API's format.
    let response = app
        .client
        .post(format!("{}/api/v1/intake/preview", app.address))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

async fn the_preview_is_for_those_who_register_and_hides_other_areas_cases(app: TestApp) {
    let body = json!({
        "channel": "hotline",
        "region": "中泰街道南湖村",
        "text": TEXT,
        "parties": [{"role": "respondent", "name": "杭州恒达建筑劳务有限公司", "kind": "organization"}]
    });
    let (status, case) = app.post("/api/v1/cases", &body).await;
    assert_eq!(status, 201, "{case}");

    let anonymous = reqwest::Client::new();
    let response = anonymous.post(format!("{}/api/v1/intake/preview", app.address)).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 401);

    let handler = client_with_token(&create_token(&app.state, Role::Handler, None, Some("中泰街道社会治理中心")).await);
    let response = handler.post(format!("{}/api/v1/intake/preview", app.address)).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 403, "a handler does not register");

    // Staff of 五常街道 registering the same matter learn that it is in the ledger, not which case.
    let wuchang = client_with_token(&create_token(&app.state, Role::Town, Some("330110005"), None).await);
    let response = wuchang.post(format!("{}/api/v1/intake/preview", app.address)).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let p: Value = response.json().await.unwrap();
    let related = p["related"].as_array().unwrap();
    assert!(!related.is_empty(), "{p}");
    assert!(
        related.iter().all(|r| r["visible"] == false && r["case_id"].is_null() && r.get("case_number").is_none()),
        "{p}"
    );
    assert!(!p.to_string().contains(case["case_number"].as_str().unwrap()), "{p}");

    // Staff of 中泰街道 see it.
    let zhongtai = client_with_token(&create_token(&app.state, Role::Town, Some("330110014"), None).await);
    let p: Value = zhongtai
        .post(format!("{}/api/v1/intake/preview", app.address))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["related"][0]["case_number"], case["case_number"], "{p}");
}

async fn the_regions_are_the_districts_towns_and_villages(app: TestApp) {
    let (status, r) = app.get("/api/v1/regions").await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["district"]["name"], "余杭区");
    let towns = r["towns"].as_array().unwrap();
    assert_eq!(towns.len(), 12);
    let zhongtai = towns.iter().find(|t| t["code"] == "330110014").unwrap();
    assert_eq!(zhongtai["name"], "中泰街道");
    assert!(zhongtai["villages"].as_array().unwrap().iter().any(|v| v["name"] == "南湖村"), "{zhongtai}");
    let villages: usize = towns.iter().map(|t| t["villages"].as_array().unwrap().len()).sum();
    assert_eq!(villages, 223);
    let response = reqwest::Client::new().get(format!("{}/api/v1/regions", app.address)).send().await.unwrap();
    assert_eq!(response.status(), 401);
}

async fn a_case_says_which_actions_its_status_allows(app: TestApp) {
    let body = json!({"channel": "window", "region": "中泰街道南湖村", "text": TEXT});
    let (status, case) = app.post("/api/v1/cases", &body).await;
    assert_eq!(status, 201, "{case}");
    assert_eq!(case["status"], "routed");
    let allowed = |c: &Value| -> Vec<String> {
        c["allowed_actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect()
    };
    let routed = allowed(&case);
    for expected in ["accept", "return", "transfer", "escalate", "pause", "change_category"] {
        assert!(routed.contains(&expected.to_owned()), "{expected} in {routed:?}");
    }
    for refused in ["route", "resolve", "start_mediation", "follow_up", "record_session"] {
        assert!(!routed.contains(&refused.to_owned()), "{refused} not in {routed:?}");
    }
    let id = &case["id"];
    let (status, case) = app
        .post(
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "accept", "department": "中泰街道社会治理中心"}),
        )
        .await;
    assert_eq!(status, 200, "{case}");
    let accepted = allowed(&case);
    assert!(
        accepted.contains(&"start_mediation".to_owned()) && accepted.contains(&"resolve".to_owned()),
        "{accepted:?}"
    );
    assert!(!accepted.contains(&"accept".to_owned()), "{accepted:?}");
    // The case page reads the same list.
    let (_, full) = app.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(allowed(&full), accepted);
}
