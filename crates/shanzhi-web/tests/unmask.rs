//! Unmasking personal data: the roles that may see a party's ID number and phone in clear do so
//! per case, with a reason, and every unmasking is logged (who, when, why) before the answer;
//! nothing else shows or logs a clear number. On SQLite and (when `SHANZHI_TEST_PG` is set)
//! PostgreSQL.

mod common;

use chrono::Utc;
use common::logs::captured_logs;
use common::{TestApp, client_with_token, create_token};
use serde_json::{Value, json};
use shanzhi_core::access::Role;
use shanzhi_core::{LedgerRecord, NewCase, RecordContext};

on_both_stores!(
    a_clerk_unmasks_with_a_reason_and_is_logged,
    who_may_not_unmask_gets_nothing_and_nothing_is_logged,
    a_reason_is_required,
    parties_registered_before_sealing_stay_masked,
);

const PHONE: &str = "13812345678";
const ID_NUMBER: &str = "11010519491231002X";
const LIANGZHU: &str = "330110010";
const ZHONGTAI: &str = "330110014";

fn assert_no_clear_number_logged() {
    let logs = captured_logs();
    let logs = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(logs.contains("personal data unmasked"), "the capture works");
    for clear in [PHONE, ID_NUMBER] {
        assert!(!logs.contains(clear), "a clear number reached the log:\n{logs}");
    }
}

/// A case registered at the window in `region`, with an ID number and a phone.
async fn intake(app: &TestApp, region: &str) -> Value {
    let body = json!({"channel": "window", "region": region, "text": "邻居建房占用我家宅基地，多次协商无果。",
                      "parties": [{"role": "complainant", "name": "张某某", "id_number": ID_NUMBER, "phone": PHONE},
                                  {"role": "respondent", "name": "李某某"}]});
    let (status, case) = app.post("/api/v1/cases", &body).await;
    assert_eq!(status, 201, "{case}");
    case
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Value) {
    let response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn unmask(client: &reqwest::Client, app: &TestApp, case: &Value, body: &Value) -> (u16, Value) {
    let url = format!("{}/api/v1/cases/{}/unmask", app.address, case["id"]);
    let response = client.post(url).json(body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// The unmasking log of a case, as the store keeps it.
async fn logged(app: &TestApp, case: &Value) -> Vec<shanzhi_store::Unmasking> {
    let id = shanzhi_core::CaseId::new(case["id"].as_i64().unwrap()).unwrap();
    app.state.store.unmaskings(id).await.unwrap()
}

async fn a_clerk_unmasks_with_a_reason_and_is_logged(app: TestApp) {
    captured_logs();
    let case = intake(&app, "良渚街道").await;
    let clerk = client_with_token(&create_token(&app.state, Role::Clerk, None, None).await);

    let url = format!("{}/api/v1/cases/{}/unmask", app.address, case["id"]);
    let response = clerk.post(&url).json(&json!({"reason": "回访申请人，核实联系方式"})).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let shown: Value = response.json().await.unwrap();
    assert_eq!(
        (shown["case_id"].clone(), shown["case_number"].clone()),
        (case["id"].clone(), case["case_number"].clone())
    );
    assert_eq!(
        (shown["actor"].as_str(), shown["reason"].as_str()),
        (Some("token:test-clerk"), Some("回访申请人，核实联系方式"))
    );
    let complainant = &shown["parties"][0];
    assert_eq!((complainant["role"].as_str(), complainant["name"].as_str()), (Some("complainant"), Some("张某某")));
    assert_eq!(complainant["phone"], json!({"masked": "138****5678", "sealed": true, "clear": PHONE}));
    assert_eq!(complainant["id_number"], json!({"masked": "1101**********002X", "sealed": true, "clear": ID_NUMBER}));
    let respondent = &shown["parties"][1];
    assert_eq!((respondent["phone"].clone(), respondent["id_number"].clone()), (Value::Null, Value::Null));

    // Logged with who and why; a number written into the reason is masked there.
    let (status, _) = unmask(&clerk, &app, &case, &json!({"reason": format!("拨打{PHONE}无人接听，再核实")})).await;
    assert_eq!(status, 200);
    let log = logged(&app, &case).await;
    let entries: Vec<(&str, &str)> = log.iter().map(|u| (u.actor.as_str(), u.reason.as_str())).collect();
    assert_eq!(
        entries,
        [("token:test-clerk", "回访申请人，核实联系方式"), ("token:test-clerk", "拨打138****5678无人接听，再核实")]
    );
    assert!(log[0].at <= log[1].at && log[1].at <= Utc::now());

    // The log as the API reads it, to the roles that may unmask, the administrator among them.
    let (status, listed) = get(&clerk, &app, &format!("/api/v1/cases/{}/unmaskings", case["id"])).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["unmaskings"].as_array().unwrap().len(), 2);
    assert_eq!(listed["unmaskings"][0]["actor"], "token:test-clerk");
    assert_eq!(listed["unmaskings"][0]["reason"], "回访申请人，核实联系方式");
    assert_eq!(listed["unmaskings"][0]["at"].as_str().unwrap(), log[0].at.to_rfc3339());
    let (status, _) = app.get(&format!("/api/v1/cases/{}/unmaskings", case["id"])).await;
    assert_eq!(status, 200);

    // Everywhere else the numbers stay masked.
    let (_, read) = get(&clerk, &app, &format!("/api/v1/cases/{}", case["id"])).await;
    assert_eq!(read["parties"][0]["phone"], "138****5678");
    assert_eq!(read["parties"][0]["id_number"], "1101**********002X");
    let (_, list) = get(&clerk, &app, "/api/v1/cases").await;
    for other in [&read, &list, &listed, &case] {
        let text = other.to_string();
        assert!(!text.contains(PHONE) && !text.contains(ID_NUMBER), "{text}");
    }
    assert_no_clear_number_logged();
}

async fn who_may_not_unmask_gets_nothing_and_nothing_is_logged(app: TestApp) {
    captured_logs();
    let case = intake(&app, "良渚街道").await;
    let reason = json!({"reason": "核实当事人身份"});

    let leader = client_with_token(&create_token(&app.state, Role::Leader, None, None).await);
    let (status, error) = unmask(&leader, &app, &case, &reason).await;
    assert_eq!((status, error["error"]["code"].as_str()), (403, Some("forbidden")), "{error}");
    let (status, _) = get(&leader, &app, &format!("/api/v1/cases/{}/unmaskings", case["id"])).await;
    assert_eq!(status, 403, "nor read who did");

    // Another town's staff may unmask, but not this town's cases: not found, as if absent.
    let other_town = client_with_token(&create_token(&app.state, Role::Town, Some(ZHONGTAI), None).await);
    let (status, error) = unmask(&other_town, &app, &case, &reason).await;
    assert_eq!((status, error["error"]["code"].as_str()), (404, Some("case_not_found")));
    let (status, _) = get(&other_town, &app, &format!("/api/v1/cases/{}/unmaskings", case["id"])).await;
    assert_eq!(status, 404);
    assert!(!error.to_string().contains(PHONE));
    assert!(logged(&app, &case).await.is_empty(), "nothing is logged when nothing is shown");

    // The town's own staff may.
    let own_town = client_with_token(&create_token(&app.state, Role::Town, Some(LIANGZHU), None).await);
    let (status, shown) = unmask(&own_town, &app, &case, &reason).await;
    assert_eq!((status, shown["parties"][0]["phone"]["clear"].as_str()), (200, Some(PHONE)));
    assert_eq!(logged(&app, &case).await.len(), 1);

    // An unknown case is not found, and logs nothing either.
    let ghost = json!({"id": 999_999});
    assert_eq!(unmask(&own_town, &app, &ghost, &reason).await.0, 404);
    assert!(logged(&app, &ghost).await.is_empty());
}

async fn a_reason_is_required(app: TestApp) {
    captured_logs();
    let case = intake(&app, "良渚街道").await;
    let clerk = client_with_token(&create_token(&app.state, Role::Clerk, None, None).await);
    for (body, code) in [
        (json!({}), "missing_reason"),
        (json!({"reason": null}), "missing_reason"),
        (json!({"reason": "   "}), "missing_reason"),
        (json!({"reason": "看看"}), "bad_reason"),
        (json!({"reason": "调".repeat(201)}), "bad_reason"),
        (json!({"reason": "核实\u{7}身份信息"}), "bad_reason"),
    ] {
        let (status, error) = unmask(&clerk, &app, &case, &body).await;
        assert_eq!((status, error["error"]["code"].as_str()), (422, Some(code)), "{body}: {error}");
        assert_eq!(error["error"]["field"], "reason");
        assert!(error["parties"].is_null());
    }
    let (status, error) = unmask(&clerk, &app, &case, &json!({"reason": 42})).await;
    assert_eq!((status, error["error"]["code"].as_str()), (400, Some("bad_field")));
    assert!(logged(&app, &case).await.is_empty(), "a refused request is not logged");
}

async fn parties_registered_before_sealing_stay_masked(app: TestApp) {
    captured_logs();
    // A party as the ledger kept it before numbers were sealed (migration 0008): hash and mask.
    let key = common::pii_key();
    let ctx = RecordContext { gazetteer: &app.state.gazetteer, pii_key: &key, now: Utc::now() };
    let record: LedgerRecord = serde_json::from_value(json!({
        "channel": "hotline", "external_id": "12345-old", "received_at": "2026-03-02 10:00", "region": "良渚街道",
        "text": "小区物业费上涨，业主不满。", "parties": [{"role": "complainant", "name": "王某", "phone": PHONE}]
    }))
    .unwrap();
    let mut old: NewCase = record.validate(&ctx).unwrap().into();
    for party in &mut old.record.parties {
        for protected in [&mut party.id_number, &mut party.phone].into_iter().flatten() {
            protected.sealed = None;
        }
    }
    let id = app.state.store.register_cases(&[old], "import:old").await.unwrap()[0].case_id();
    let case = json!({"id": id.get()});

    let (status, shown) = unmask(&app.client, &app, &case, &json!({"reason": "核实联系方式"})).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["parties"][0]["phone"], json!({"masked": "138****5678", "sealed": false, "clear": null}));
    assert_eq!(shown["parties"][0]["id_number"], Value::Null);
    assert_eq!(logged(&app, &case).await.len(), 1, "the attempt is logged all the same");
}
