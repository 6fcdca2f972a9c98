//! `/api/v1/assessments`: a month's metrics, the cases behind a figure, accountability, and the
//! history of star ratings, through the API on both stores.

mod common;

use common::TestApp;
use serde_json::{Value, json};

on_both_stores!(
    a_month_of_cases_is_assessed_and_every_figure_opens_into_its_cases,
    star_ratings_are_recorded_and_kept_as_history,
    bad_assessment_requests_are_4xx_with_a_code,
);

const LEAD: &str = "中泰街道社会治理中心";

fn last_month() -> String {
    use chrono::Datelike;
    let first = shanzhi_core::calendar::local_date(chrono::Utc::now()).with_day(1).unwrap();
    (first - chrono::Days::new(1)).format("%Y-%m").to_string()
}

fn this_month() -> String {
    shanzhi_core::calendar::local_date(chrono::Utc::now()).format("%Y-%m").to_string()
}

async fn intake(app: &TestApp, phone: &str, text: &str) -> Value {
    let (status, case) = app
        .post(
            "/api/v1/cases",
            &json!({
                "actor": "clerk:王", "channel": "window", "region": "中泰街道南湖村", "text": text,
                "parties": [
                    {"role": "complainant", "name": "张某某", "phone": phone},
                    {"role": "respondent", "name": "杭州恒达建筑劳务有限公司", "kind": "organization"}
                ]
            }),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    case
}

async fn act(app: &TestApp, id: &Value, body: Value) {
    let (status, case) = app.post(&format!("/api/v1/cases/{id}/actions"), &body).await;
    assert_eq!(status, 200, "{body} → {case}");
}

async fn a_month_of_cases_is_assessed_and_every_figure_opens_into_its_cases(app: TestApp) {
    // One wage dispute resolved at town level and rated 5, one left open, one that turned criminal.
    let resolved = intake(&app, "13812345678", "恒达建筑劳务公司拖欠我们8名工人工资共计6万元，多次讨要未果。").await;
    let id = resolved["id"].clone();
    act(&app, &id, json!({"actor": "h", "action": "accept", "department": LEAD})).await;
    act(&app, &id, json!({"actor": "h", "action": "start_mediation"})).await;
    act(
        &app,
        &id,
        json!({"actor": "h", "action": "resolve", "outcome": "agreement_reached", "summary": "公司分两期支付"}),
    )
    .await;
    act(&app, &id, json!({"actor": "h", "action": "follow_up", "satisfaction": 5})).await;
    let open = intake(&app, "13912345678", "邻居家装修噪音扰民，多次沟通无果，双方发生争吵。").await;
    let crime = intake(&app, "13712345678", "与同村村民因宅基地边界发生纠纷，双方多次争执。").await;
    act(
        &app,
        &crime["id"],
        json!({"actor": "police", "action": "record_crime", "reason": "双方斗殴致一人重伤，已刑事立案"}),
    )
    .await;

    let month = this_month();
    let (status, a) = app.get(&format!("/api/v1/assessments?period={month}")).await;
    assert_eq!(status, 200, "{a}");
    let d = &a["district"];
    assert_eq!(d["counts"]["received"], 3);
    assert_eq!(d["counts"]["resolved"], 1);
    assert_eq!(d["counts"]["resolved_locally"], 1);
    assert_eq!(d["counts"]["crimes"], 1);
    assert_eq!(d["rates"]["mean_satisfaction"], 5.0);
    assert!((d["rates"]["resolution_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert!(d["rates"]["repeat_visit_rate"].as_f64().is_some());
    assert_eq!(d["by_channel"]["window"], 3);
    let zhongtai = a["towns"].as_array().unwrap().iter().find(|t| t["code"] == "330110014").unwrap();
    assert_eq!(zhongtai["name"], "中泰街道");
    assert_eq!(zhongtai["metrics"]["counts"]["received"], 3);
    let villages = a["villages"].as_array().unwrap();
    assert_eq!(villages.len(), 223, "every village of the district");
    let nanhu = villages.iter().find(|v| v["name"] == "南湖村").unwrap();
    assert_eq!(nanhu["metrics"]["counts"]["crimes"], 1);
    assert_eq!(nanhu["rating"]["stars"], 3, "the 民转刑 veto caps the shipped scheme at 3 stars: {}", nanhu["rating"]);
    assert_eq!(nanhu["rating"]["residents"]["estimated"], true);
    assert_eq!(a["residents"]["estimated"], true);
    let lead = a["departments"].as_array().unwrap().iter().find(|d| d["name"] == LEAD).unwrap();
    assert_eq!(lead["metrics"]["counts"]["resolved"], 1);
    let handled: u64 =
        a["departments"].as_array().unwrap().iter().map(|d| d["metrics"]["counts"]["handled"].as_u64().unwrap()).sum();
    assert_eq!(handled, 3, "each case counts for its one lead department");

    // The cases behind a figure are those it counted.
    let (status, behind) = app
        .get(&format!("/api/v1/assessments/cases?period={month}&figure=unresolved_disputes&unit=town:330110014"))
        .await;
    assert_eq!(status, 200, "{behind}");
    let mut ids: Vec<i64> = behind["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    ids.sort();
    let mut expected = vec![open["id"].as_i64().unwrap(), crime["id"].as_i64().unwrap()];
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(behind["total"], 2);
    assert_eq!(behind["label"], "未化解纠纷");

    let (status, acc) = app.get(&format!("/api/v1/assessments/accountability?period={month}")).await;
    assert_eq!(status, 200, "{acc}");
    assert_eq!(acc["crimes"].as_array().unwrap().len(), 1);
    assert_eq!(acc["crimes"][0]["case"]["id"], crime["id"]);
    let (status, trace) = app.get(acc["crimes"][0]["backtrace"].as_str().unwrap()).await;
    assert_eq!(status, 200, "the back-trace link works: {trace}");
}

async fn star_ratings_are_recorded_and_kept_as_history(app: TestApp) {
    intake(&app, "13812345678", "恒达建筑劳务公司拖欠我们8名工人工资共计6万元，多次讨要未果。").await;
    let (status, refused) = app.post(&format!("/api/v1/assessments/ratings?period={}", this_month()), &json!({})).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("period_not_ended")), "{refused}");
    let month = last_month();
    let (status, first) = app.post(&format!("/api/v1/assessments/ratings?period={month}"), &json!({})).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["recorded"], 223);
    let (status, _) = app.post(&format!("/api/v1/assessments/ratings?period={month}"), &json!({})).await;
    assert_eq!(status, 200);
    let (status, history) = app.get("/api/v1/villages/330110014225/ratings").await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["ratings"].as_array().unwrap().len(), 2, "both computations are kept");
    assert_eq!(history["ratings"][0]["period"], month.as_str());
    assert!(history["ratings"][0]["rating"]["deductions"].as_array().is_some_and(|d| !d.is_empty()));
}

async fn bad_assessment_requests_are_4xx_with_a_code(app: TestApp) {
    for (path, status, code) in [
        ("/api/v1/assessments?period=2026-13", 400, "bad_period"),
        ("/api/v1/assessments?month=2026-10", 400, "bad_query"),
        ("/api/v1/assessments/cases?period=2026-10&figure=murders", 400, "bad_figure"),
        ("/api/v1/assessments/cases?period=2026-10&figure=overdue&unit=town:330110014224", 400, "bad_unit"),
        ("/api/v1/assessments/cases?period=2026-10&figure=overdue&unit=planet:mars", 400, "bad_unit"),
        ("/api/v1/villages/330110014/ratings", 404, "unknown_village"),
        ("/api/v1/assessments/cases?period=2026-10&figure=overdue&unit=town:330110999", 404, "unknown_unit"),
        ("/api/v1/assessments/cases?period=2026-10&figure=overdue&unit=department:没有这个部门", 404, "unknown_unit"),
        ("/api/v1/assessments?period=%2B262142-12-31..%2B262142-12-31", 400, "bad_period"),
    ] {
        let (got, body) = app.get(path).await;
        assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{path}: {body}");
    }
}
