//! Who may do what through the API: logins with sessions, CSRF and throttling; API tokens; roles
//! and data scopes (a town's staff see their town only, a handler their department's cases), on
//! SQLite and (when `SHANZHI_TEST_PG` is set) PostgreSQL.

mod common;

use common::{TestApp, client_with_token, create_token};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use shanzhi_core::access::Role;
use shanzhi_store::NewUser;

on_both_stores!(
    a_user_logs_in_acts_with_the_csrf_token_and_logs_out,
    failed_logins_are_throttled_and_do_not_tell_which_names_exist,
    a_town_sees_its_own_cases_only,
    a_handler_sees_the_cases_of_the_department,
    roles_limit_what_tokens_may_do,
    a_revoked_token_is_refused,
);

const LIANGZHU: &str = "330110010";
const PASSWORD: &str = "村里的调解 2026";

async fn add_user(app: &TestApp, username: &str, role: Role, region: Option<&str>, department: Option<&str>) {
    let user = NewUser {
        username: username.into(),
        display_name: format!("{username}的名字"),
        password_hash: shanzhi_web::auth::hash_password(PASSWORD),
        role,
        region: region.map(|r| shanzhi_core::RegionCode::parse(r).unwrap()),
        department: department.map(str::to_owned),
    };
    app.state.store.add_user(&user).await.unwrap();
}

async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/api/v1/session", app.address))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

/// A registered case in `region`, as the window registers it.
async fn intake(app: &TestApp, region: &str, text: &str) -> Value {
    let body = json!({"channel": "window", "region": region, "text": text,
                      "parties": [{"role": "complainant", "name": "张某某", "phone": "13812345678"}]});
    let (status, case) = app.post("/api/v1/cases", &body).await;
    assert_eq!((status, case["status"].as_str()), (201, Some("routed")), "{case}");
    case
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Value) {
    let response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn post(client: &reqwest::Client, app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let response = client.post(format!("{}{path}", app.address)).json(body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn a_user_logs_in_acts_with_the_csrf_token_and_logs_out(app: TestApp) {
    add_user(&app, "wang", Role::Clerk, None, None).await;
    let case = intake(&app, "良渚街道", "邻居装修噪音扰民，多次沟通无果。").await;
    let id = &case["id"];

    let response = login(&app, "wang", PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    let session_cookie = cookie.split(';').next().unwrap().to_owned();
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["user"]["role"], "clerk");
    assert_eq!(session["user"]["scope_label"], "全区");
    let permissions: Vec<&str> =
        session["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(permissions.contains(&"cases.register") && !permissions.contains(&"warnings.act"), "{permissions:?}");
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();

    let client = reqwest::Client::new();
    let with_cookie = |request: reqwest::RequestBuilder| request.header(COOKIE, &session_cookie);
    let me: Value =
        with_cookie(client.get(format!("{}/api/v1/session", app.address))).send().await.unwrap().json().await.unwrap();
    assert_eq!((me["user"]["username"].as_str(), me["csrf_token"].as_str()), (Some("wang"), Some(csrf.as_str())));

    // A change without the CSRF token, or with another session's, is refused and changes nothing.
    let step = json!({"action": "accept", "department": case["lead_department"]});
    let url = format!("{}/api/v1/cases/{id}/actions", app.address);
    let refused = with_cookie(client.post(&url)).json(&step).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"]["code"], "csrf");
    let wrong = with_cookie(client.post(&url)).header("X-CSRF-Token", "0".repeat(64)).json(&step).send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    let (_, unchanged) = app.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(unchanged["history"].as_array().unwrap().len(), case["version"].as_u64().unwrap() as usize);

    let done = with_cookie(client.post(&url)).header("X-CSRF-Token", &csrf).json(&step).send().await.unwrap();
    let status = done.status();
    assert_eq!(status, 200, "{}", done.text().await.unwrap());
    let (_, changed) = app.get(&format!("/api/v1/cases/{id}")).await;
    let last = changed["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor"], "wang的名字 (wang)", "the history names the logged-in user, not a claim");

    let logout = with_cookie(client.delete(format!("{}/api/v1/session", app.address)))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let after = with_cookie(client.get(format!("{}/api/v1/cases", app.address))).send().await.unwrap();
    assert_eq!(after.status(), 401);
    assert_eq!(after.json::<Value>().await.unwrap()["error"]["code"], "session_expired");

    // Nothing without a login or a token, except what citizens and probes use.
    let (status, error) = get(&reqwest::Client::new(), &app, "/api/v1/cases").await;
    assert_eq!((status, error["error"]["code"].as_str()), (401, Some("unauthenticated")));
    assert_eq!(get(&reqwest::Client::new(), &app, "/healthz").await.0, 200);
    let (status, nobody) = get(&reqwest::Client::new(), &app, "/api/v1/session").await;
    assert_eq!((status, &nobody["user"]), (200, &Value::Null), "asking who is logged in is not an error");
}

async fn failed_logins_are_throttled_and_do_not_tell_which_names_exist(app: TestApp) {
    add_user(&app, "li", Role::Handler, None, Some("区劳动监察大队")).await;
    let unknown = login(&app, "nobody", "whatever it is").await;
    let wrong = login(&app, "li", "not the password").await;
    assert_eq!((unknown.status(), wrong.status()), (401.try_into().unwrap(), 401.try_into().unwrap()));
    let (unknown, wrong): (Value, Value) = (unknown.json().await.unwrap(), wrong.json().await.unwrap());
    assert_eq!(unknown, wrong, "the same answer whether or not the name exists");
    assert_eq!(wrong["error"]["code"], "bad_credentials");
    for _ in 0..4 {
        assert_eq!(login(&app, "li", "still wrong").await.status(), 401);
    }
    let throttled = login(&app, "LI", PASSWORD).await;
    assert_eq!(throttled.status(), 429, "even the right password waits after five failures");
    assert!(throttled.headers().contains_key("retry-after"));
    assert_eq!(throttled.json::<Value>().await.unwrap()["error"]["code"], "too_many_attempts");
    // Another user from the same address is not locked out.
    add_user(&app, "zhao", Role::Leader, None, None).await;
    assert_eq!(login(&app, "zhao", PASSWORD).await.status(), 200);
}

async fn a_town_sees_its_own_cases_only(app: TestApp) {
    let own = intake(&app, "良渚街道", "楼上漏水到我家，物业不管。").await;
    let other = intake(&app, "中泰街道南湖村", "邻居建房占用我家宅基地。").await;
    let town = client_with_token(&create_token(&app.state, Role::Town, Some(LIANGZHU), None).await);

    assert_eq!(get(&town, &app, &format!("/api/v1/cases/{}", own["id"])).await.0, 200);
    let (status, error) = get(&town, &app, &format!("/api/v1/cases/{}", other["id"])).await;
    assert_eq!((status, error["error"]["code"].as_str()), (404, Some("case_not_found")));
    let (status, _) =
        post(&town, &app, &format!("/api/v1/cases/{}/actions", other["id"]), &json!({"action": "start_screening"}))
            .await;
    assert_eq!(status, 404, "acting on another town's case reads as not found");
    let (status, _) = post(
        &town,
        &app,
        &format!("/api/v1/cases/{}/actions", own["id"]),
        &json!({"action": "accept", "department": own["lead_department"]}),
    )
    .await;
    assert_eq!(status, 200);

    let (_, list) = get(&town, &app, "/api/v1/cases").await;
    let ids: Vec<&Value> = list["cases"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
    assert_eq!((list["total"].as_u64(), ids), (Some(1), vec![&own["id"]]));
    let (status, error) = get(&town, &app, "/api/v1/cases?region=中泰街道").await;
    assert_eq!((status, error["error"]["code"].as_str()), (403, Some("out_of_scope")));
    let (_, all) = app.get("/api/v1/cases").await;
    assert_eq!(all["total"], 2, "the district sees both");
    // The one screen of a town is its town's.
    let (status, screen) = get(&town, &app, "/api/v1/dashboard").await;
    assert_eq!((status, screen["scope"]["code"].as_str()), (200, Some(LIANGZHU)), "{screen}");
    assert_eq!(get(&town, &app, "/api/v1/dashboard?region=330110005").await.0, 403);
    assert_eq!(get(&reqwest::Client::new(), &app, "/api/v1/dashboard").await.0, 401);
    // The command centre's tools are not a town's.
    assert_eq!(get(&town, &app, "/api/v1/warnings").await.0, 403);
    assert_eq!(get(&town, &app, &format!("/api/v1/cases/{}/backtrace", own["id"])).await.0, 403);
}

async fn a_handler_sees_the_cases_of_the_department(app: TestApp) {
    let wages = intake(&app, "中泰街道南湖村", "工地老板拖欠我们12名工人工资共计9万元。").await;
    let noise = intake(&app, "良渚街道", "隔壁饭店油烟和噪音扰民，晚上十二点还在营业。").await;
    let lead = wages["lead_department"].as_str().unwrap();
    assert_ne!(Some(lead), noise["lead_department"].as_str(), "{wages} {noise}");
    let handler = client_with_token(&create_token(&app.state, Role::Handler, None, Some(lead)).await);
    assert_eq!(get(&handler, &app, &format!("/api/v1/cases/{}", wages["id"])).await.0, 200);
    assert_eq!(get(&handler, &app, &format!("/api/v1/cases/{}", noise["id"])).await.0, 404);
    let (_, list) = get(&handler, &app, "/api/v1/cases").await;
    assert_eq!(list["total"], 1);
    let (status, _) =
        get(&handler, &app, &format!("/api/v1/cases?department={}", noise["lead_department"].as_str().unwrap())).await;
    assert_eq!(status, 403);
}

async fn roles_limit_what_tokens_may_do(app: TestApp) {
    let case = intake(&app, "良渚街道", "小区物业费上涨，业主不满。").await;
    let leader = client_with_token(&create_token(&app.state, Role::Leader, None, None).await);
    assert_eq!(get(&leader, &app, &format!("/api/v1/cases/{}", case["id"])).await.0, 200);
    let (status, error) =
        post(&leader, &app, &format!("/api/v1/cases/{}/actions", case["id"]), &json!({"action": "start_screening"}))
            .await;
    assert_eq!((status, error["error"]["code"].as_str()), (403, Some("forbidden")), "leaders read only");

    let system = client_with_token(&create_token(&app.state, Role::System, None, None).await);
    let record = json!({"channel": "hotline", "external_id": "12345-77", "region": "良渚街道", "text": "反映小区路灯不亮。", "actor": "12345热线"});
    let (status, created) = post(&system, &app, "/api/v1/cases", &record).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        get(&system, &app, &format!("/api/v1/cases/{}", created["id"])).await.0,
        403,
        "a pushing system reads nothing"
    );
    let (_, full) = app.get(&format!("/api/v1/cases/{}", created["id"])).await;
    assert_eq!(full["history"][0]["actor"], "12345热线 via token:test-system");

    let analyst = client_with_token(&create_token(&app.state, Role::Analyst, None, None).await);
    assert_eq!(get(&analyst, &app, "/api/v1/warnings").await.0, 200);
    assert_eq!(post(&analyst, &app, "/api/v1/cases", &record).await.0, 403);
}

async fn a_revoked_token_is_refused(app: TestApp) {
    let token = create_token(&app.state, Role::Analyst, None, None).await;
    let client = client_with_token(&token);
    assert_eq!(get(&client, &app, "/api/v1/warnings").await.0, 200);
    let id = app.state.store.api_tokens().await.unwrap().into_iter().find(|t| t.role == Role::Analyst).unwrap().id;
    assert!(app.state.store.revoke_api_token(id).await.unwrap());
    assert!(!app.state.store.revoke_api_token(id).await.unwrap(), "revoked once");
    let (status, error) = get(&client, &app, "/api/v1/warnings").await;
    assert_eq!((status, error["error"]["code"].as_str()), (401, Some("bad_token")));
    let garbage = client_with_token("szt_not-a-token");
    assert_eq!(get(&garbage, &app, "/api/v1/warnings").await.0, 401);
}
