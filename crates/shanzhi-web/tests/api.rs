//! The API over real HTTP: the app on port 0, a fresh database per test, on SQLite and (when
//! `SHANZHI_TEST_PG` is set) PostgreSQL.

mod common;

use common::TestApp;
use serde_json::json;
use shanzhi_core::{CaseStatus, EventKind};

on_both_stores!(
    healthz_answers_when_the_ledger_does,
    a_case_comes_with_its_history_and_masked_parties,
    bad_and_unknown_ids_are_4xx_with_a_code,
    the_summary_counts_the_ledger_by_town,
    the_front_page_is_chinese_and_self_hosted,
);

async fn healthz_answers_when_the_ledger_does(app: TestApp) {
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

async fn a_case_comes_with_its_history_and_masked_parties(app: TestApp) {
    let ids = app
        .register(json!([{
            "channel": "hotline", "external_id": "12345-0001", "received_at": "2026-10-08 10:00",
            "region": "良渚街道", "text": "物业公司停车费上涨，业主不满。",
            "parties": [{"role": "complainant", "name": "李某", "phone": "13912345678", "id_number": "11010519491231002X"}]
        }]))
        .await;
    let id = ids[0];
    let case_id = shanzhi_core::CaseId::new(id).unwrap();
    let routed = EventKind::StatusChanged { from: CaseStatus::Registered, to: CaseStatus::Routed };
    app.state.store.append_event(case_id, Some(1), routed, "clerk:周").await.unwrap();

    let (status, case) = app.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(case["region"]["name"], "良渚街道");
    assert_eq!(case["status"], "routed");
    assert_eq!(case["parties"][0]["phone"], "139****5678");
    assert_eq!(case["parties"][0]["id_number"], "1101**********002X");
    let history = case["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["detail"], json!({"from": "registered", "to": "routed"}));
    assert_eq!(history[1]["actor"], "clerk:周");
    assert!(!case.to_string().contains("13912345678"));
}

async fn bad_and_unknown_ids_are_4xx_with_a_code(app: TestApp) {
    let (status, body) = app.get("/api/v1/cases/abc").await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_case_id")));
    assert_eq!(body["error"]["field"], "id");
    let (status, body) = app.get("/api/v1/cases/999999").await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("case_not_found")));
    let (status, body) = app.get("/api/v1/nothing-here").await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
}

async fn the_summary_counts_the_ledger_by_town(app: TestApp) {
    app.register(json!([
        {"channel": "grid", "external_id": "g1", "received_at": "2026-07-01", "region": "中泰街道南湖村", "text": "邻里纠纷"},
        {"channel": "grid", "external_id": "g2", "received_at": "2026-07-02", "region": "中泰", "text": "噪音扰民"},
        {"channel": "police", "external_id": "p1", "received_at": "2026-07-03", "region": "径山镇", "text": "酒后滋事"}
    ]))
    .await;
    let (status, s) = app.get("/api/v1/ledger/summary").await;
    assert_eq!(status, 200);
    assert_eq!(s["total"], 3);
    assert_eq!(s["district"]["name"], "余杭区");
    let towns = s["by_town"].as_array().unwrap();
    assert_eq!(towns.len(), 12, "every town is listed, with or without cases");
    let count = |name: &str| towns.iter().find(|t| t["name"] == name).unwrap()["count"].as_u64().unwrap();
    assert_eq!((count("中泰街道"), count("径山镇"), count("五常街道")), (2, 1, 0));
    let grid = s["by_channel"].as_array().unwrap().iter().find(|c| c["code"] == "grid").unwrap().clone();
    assert_eq!((grid["label"].as_str(), grid["count"].as_u64()), (Some("网格"), Some(2)));
}

async fn the_front_page_is_chinese_and_self_hosted(app: TestApp) {
    let page = app.client.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("矛盾纠纷一本账") && html.contains("跳到主要内容"));
    assert!(!html.contains("http://") && !html.contains("https://"), "no external resources");

    // Every script and style the page names is served by the binary, revalidated by ETag; nothing
    // it serves points elsewhere.
    let anonymous = reqwest::Client::new();
    let referenced: Vec<&str> = html.split(['"', '\'']).filter(|part| part.starts_with("/assets/")).collect();
    assert!(referenced.len() >= 10 && referenced.contains(&"/assets/vendor/echarts/echarts.min.js"), "{referenced:?}");
    for path in referenced {
        let response = anonymous.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
        let expected = match path.rsplit('.').next() {
            Some("css") => "text/css",
            Some("svg") => "image/svg+xml",
            _ => "text/javascript",
        };
        assert!(kind.starts_with(expected), "{path}: {kind}");
        let etag = response.headers()["etag"].clone();
        let body = response.text().await.unwrap();
        assert!(!body.is_empty(), "{path}");
        // The vendored library's licence texts name other sites, as does the SVG namespace.
        if !path.contains("/vendor/") && !path.ends_with(".svg") {
            assert!(!body.contains("http://") && !body.contains("https://"), "{path} reaches outside");
        }
        let again = anonymous.get(format!("{}{path}", app.address)).header("if-none-match", etag).send().await.unwrap();
        assert_eq!(again.status().as_u16(), 304, "{path} unchanged is not sent again");
    }
    let csp = page_csp(&app).await;
    assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(
        anonymous.get(format!("{}/assets/nothing.js", app.address)).send().await.unwrap().status().as_u16(),
        404
    );
}

async fn page_csp(app: &TestApp) -> String {
    let page = reqwest::get(format!("{}/", app.address)).await.unwrap();
    page.headers()["content-security-policy"].to_str().unwrap().to_owned()
}
