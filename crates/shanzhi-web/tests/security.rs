//! Findings of a security review, each kept as a test: logins sent at once are throttled as if
//! one after another and a mistyped password never reaches the log; a pushing system and the
//! staff of one area learn nothing of another area's cases through the intake, a repeated
//! registration or the assessment; the district's summary is not a town's. On SQLite and (when
//! `SHANZHI_TEST_PG` is set) PostgreSQL.

mod common;

use std::sync::Arc;

use chrono::{Days, Utc};
use common::logs::captured_logs;
use common::{TestApp, client_with_token, create_token};
use serde_json::{Value, json};
use shanzhi_core::CaseId;
use shanzhi_core::access::Role;
use shanzhi_core::warning::{Factor, Statistic, Subject, SubjectKind, Warning, WarningLevel, WarningModel};
use shanzhi_store::NewUser;

on_both_stores!(
    logins_sent_at_once_are_throttled_as_if_sent_one_after_another,
    a_mistyped_password_in_the_name_box_is_not_logged,
    a_pushing_system_reads_no_case_through_the_intake_preview,
    registering_a_known_record_again_shows_nothing_of_a_case_out_of_scope,
    a_towns_assessment_lists_the_cases_and_warnings_of_its_town_only,
    the_ledger_summary_is_the_districts,
);

const LIANGZHU: &str = "330110010";
const ZHONGTAI: &str = "330110014";
const PASSWORD: &str = "村里的调解 2026";
const PHONE: &str = "13812345678";

async fn add_user(app: &TestApp, username: &str, role: Role) {
    let user = NewUser {
        username: username.into(),
        display_name: format!("{username}的名字"),
        password_hash: shanzhi_web::auth::hash_password(PASSWORD),
        role,
        region: None,
        department: None,
    };
    app.state.store.add_user(&user).await.unwrap();
}

async fn login(app: &TestApp, username: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Value) {
    let response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn post(client: &reqwest::Client, app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let response = client.post(format!("{}{path}", app.address)).json(body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// A case registered by the district's window.
async fn intake(app: &TestApp, body: Value) -> Value {
    let (status, case) = app.post("/api/v1/cases", &body).await;
    assert_eq!(status, 201, "{case}");
    case
}

fn a_village_of(app: &TestApp, town: &str) -> String {
    let town = shanzhi_core::RegionCode::parse(town).unwrap();
    app.state.gazetteer.villages_of(town).next().unwrap().code.to_string()
}

async fn logins_sent_at_once_are_throttled_as_if_sent_one_after_another(app: TestApp) {
    add_user(&app, "li", Role::Clerk).await;
    let app = Arc::new(app);
    let mut tries = tokio::task::JoinSet::new();
    for i in 0..20 {
        let app = app.clone();
        tries.spawn(async move { login(&app, "li", &format!("guess number {i}")).await });
    }
    let mut answers = Vec::new();
    while let Some(status) = tries.join_next().await {
        answers.push(status.unwrap());
    }
    let tried = answers.iter().filter(|s| **s == 401).count();
    let refused = answers.iter().filter(|s| **s == 429).count();
    assert_eq!(tried + refused, 20, "{answers:?}");
    assert!(tried <= 5, "{tried} passwords were tried at once, not at most five: {answers:?}");
    assert_eq!(login(&app, "li", PASSWORD).await, 429, "the right password waits too");
}

async fn a_mistyped_password_in_the_name_box_is_not_logged(app: TestApp) {
    let logs = captured_logs();
    add_user(&app, "zhou", Role::Clerk).await;
    const TYPED: &str = "Zhou-s3cret-Pa55word";
    assert_eq!(login(&app, TYPED, "zhou").await, 401);
    assert_eq!(login(&app, "zhou", "not the password").await, 401);
    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(logged.contains("failed login"), "{logged}");
    assert!(!logged.contains(TYPED), "a name that is no user's may be a password: {logged}");
}

async fn a_pushing_system_reads_no_case_through_the_intake_preview(app: TestApp) {
    let body = json!({
        "channel": "window", "region": "中泰街道南湖村",
        "text": "邻居张某在我家门口堆放建筑垃圾，多次协商不成，双方发生口角。",
        "parties": [{"role": "complainant", "name": "王某某", "phone": PHONE}]
    });
    let case = intake(&app, body.clone()).await;
    let system = client_with_token(&create_token(&app.state, Role::System, None, None).await);
    let (status, p) = post(&system, &app, "/api/v1/intake/preview", &body).await;
    assert_eq!(status, 200, "{p}");
    let related = p["related"].as_array().unwrap();
    assert!(!related.is_empty(), "{p}");
    assert!(related.iter().all(|r| r["visible"] == false && r["case_id"].is_null()), "{p}");
    let text = p.to_string();
    assert!(!text.contains(case["case_number"].as_str().unwrap()) && !text.contains("建筑垃圾，多次"), "{p}");
    // The district's window sees it.
    let (_, p) = app.post("/api/v1/intake/preview", &body).await;
    assert_eq!(p["related"][0]["case_id"], case["id"], "{p}");
}

async fn registering_a_known_record_again_shows_nothing_of_a_case_out_of_scope(app: TestApp) {
    const SECRET: &str = "张某持刀威胁邻居，称要报复其全家";
    let police = json!({
        "channel": "police", "external_id": "110-20261001-0042", "region": "中泰街道南湖村",
        "text": format!("{SECRET}，民警到场调解。"),
        "parties": [{"role": "complainant", "name": "李某某", "phone": PHONE}]
    });
    let case = intake(&app, police.clone()).await;

    // A grid worker of 良渚 (or a pushing system) sends the same channel and external id.
    let grid =
        client_with_token(&create_token(&app.state, Role::Grid, Some(&a_village_of(&app, LIANGZHU)), None).await);
    let system = client_with_token(&create_token(&app.state, Role::System, None, None).await);
    for (who, client) in [("grid", &grid), ("system", &system)] {
        let mut again = police.clone();
        again["region"] = json!("良渚街道");
        again["text"] = json!("随便写点什么");
        let (status, answer) = post(client, &app, "/api/v1/cases", &again).await;
        assert_eq!(status, 200, "{who}: {answer}");
        assert_eq!((&answer["id"], &answer["already_registered"]), (&case["id"], &json!(true)), "{who}: {answer}");
        let text = answer.to_string();
        assert!(!text.contains(SECRET) && !text.contains("李某某") && answer.get("parties").is_none(), "{who}: {text}");
    }
    // The district's window gets the case itself.
    let (status, answer) = app.post("/api/v1/cases", &police).await;
    assert_eq!(status, 200);
    assert!(answer["text"].as_str().unwrap().contains(SECRET), "{answer}");

    // Of a related case in another town, the answer of a registration says only that it exists.
    let town = client_with_token(&create_token(&app.state, Role::Town, Some(LIANGZHU), None).await);
    let walk_in = json!({
        "channel": "window", "region": "良渚街道", "text": "李某某来访，反映邻居张某持刀威胁，要求处理。",
        "parties": [{"role": "complainant", "name": "李某某", "phone": PHONE}]
    });
    let (status, created) = post(&town, &app, "/api/v1/cases", &walk_in).await;
    assert_eq!(status, 201, "{created}");
    let related = created["related"].as_array().unwrap();
    assert!(!related.is_empty(), "{created}");
    assert!(related.iter().all(|r| r["visible"] == false && r["case_id"].is_null()), "{created}");
}

fn red_warning(cases: &[i64]) -> Warning {
    let today = shanzhi_core::calendar::local_date(Utc::now());
    Warning {
        model: WarningModel::Event,
        level: WarningLevel::Red,
        subject: Subject {
            kind: SubjectKind::Respondent, key: "中泰某公司".into(), label: "中泰某公司".into()
        },
        score: 30.0,
        statistic: Statistic {
            method: "poisson_cusum".into(),
            observed: 27.0,
            expected: 1.4,
            p_value: Some(0.001),
            llr: None,
        },
        factors: vec![Factor { code: "case_count".into(), label: "近30天相关案件27件".into(), points: 8.0 }],
        explanation: "中泰某公司近期相关案件明显增多".into(),
        case_ids: cases.iter().map(|id| CaseId::new(*id).unwrap()).collect(),
        since: today - Days::new(20),
        as_of: today,
    }
}

async fn a_towns_assessment_lists_the_cases_and_warnings_of_its_town_only(app: TestApp) {
    let own =
        intake(&app, json!({"channel": "window", "region": "良渚街道", "text": "楼上漏水到我家，物业不管。"})).await;
    let other =
        intake(&app, json!({"channel": "window", "region": "中泰街道南湖村", "text": "邻居建房占用我家宅基地。"}))
            .await;
    let (status, _) = app
        .post(
            &format!("/api/v1/cases/{}/actions", other["id"]),
            &json!({"action": "record_crime", "reason": "双方斗殴致人轻伤，已立案侦查"}),
        )
        .await;
    assert_eq!(status, 200);
    let today = shanzhi_core::calendar::local_date(Utc::now());
    let recorded =
        app.state.store.record_warnings(today, Utc::now(), &[red_warning(&[other["id"].as_i64().unwrap()])]).await;
    assert_eq!(recorded.unwrap().raised.len(), 1);

    let town = client_with_token(&create_token(&app.state, Role::Town, Some(LIANGZHU), None).await);
    let (status, error) =
        get(&town, &app, &format!("/api/v1/assessments/cases?figure=received&unit=town:{ZHONGTAI}")).await;
    assert_eq!((status, error["error"]["code"].as_str()), (403, Some("out_of_scope")), "{error}");
    let village = a_village_of(&app, ZHONGTAI);
    assert_eq!(
        get(&town, &app, &format!("/api/v1/assessments/cases?figure=received&unit=village:{village}")).await.0,
        403
    );
    for unit in ["district".to_owned(), format!("town:{LIANGZHU}")] {
        let (status, listed) =
            get(&town, &app, &format!("/api/v1/assessments/cases?figure=received&unit={unit}")).await;
        assert_eq!(status, 200, "{listed}");
        let ids: Vec<&Value> = listed["cases"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
        assert_eq!((listed["total"].as_u64(), ids), (Some(1), vec![&own["id"]]), "{unit}: {listed}");
    }
    let (_, all) = app.get("/api/v1/assessments/cases?figure=received&unit=district").await;
    assert_eq!(all["total"], 2, "the district sees both");

    let (status, acc) = get(&town, &app, "/api/v1/assessments/accountability").await;
    assert_eq!(status, 200, "{acc}");
    assert_eq!(
        (acc["crimes"].as_array().unwrap().len(), acc["red_warnings"].as_array().unwrap().len()),
        (0, 0),
        "{acc}"
    );
    assert!(!acc["units"].to_string().contains(&other["id"].to_string()), "{acc}");
    let (_, acc) = app.get("/api/v1/assessments/accountability").await;
    assert_eq!(
        (acc["crimes"].as_array().unwrap().len(), acc["red_warnings"].as_array().unwrap().len()),
        (1, 1),
        "{acc}"
    );

    let (status, overview) = get(&town, &app, "/api/v1/assessments").await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["warnings"], json!([]), "another town's warning is not a town's: {overview}");
    let (_, overview) = app.get("/api/v1/assessments").await;
    assert_eq!(overview["warnings"].as_array().unwrap().len(), 1, "{overview}");
}

async fn the_ledger_summary_is_the_districts(app: TestApp) {
    intake(&app, json!({"channel": "window", "region": "中泰街道南湖村", "text": "邻居建房占用我家宅基地。"})).await;
    let town = client_with_token(&create_token(&app.state, Role::Town, Some(LIANGZHU), None).await);
    let (status, error) = get(&town, &app, "/api/v1/ledger/summary").await;
    assert_eq!((status, error["error"]["code"].as_str()), (403, Some("out_of_scope")), "{error}");
    let analyst = client_with_token(&create_token(&app.state, Role::Analyst, None, None).await);
    let (status, summary) = get(&analyst, &app, "/api/v1/ledger/summary").await;
    assert_eq!((status, summary["total"].as_u64()), (200, Some(1)), "{summary}");
}
