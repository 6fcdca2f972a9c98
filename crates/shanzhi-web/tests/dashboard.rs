//! `/api/v1/dashboard` (一屏观全区) over real HTTP, on SQLite and (when `SHANZHI_TEST_PG` is set)
//! PostgreSQL: the figures a wall screen shows, counted from a handful of cases whose every figure
//! is known, and the screen of one town.

mod common;

use chrono::{Datelike, Days, Duration, NaiveDate, Utc};
use common::TestApp;
use serde_json::{Value, json};
use shanzhi_core::warning::{Factor, Statistic, Subject, SubjectKind, Warning, WarningLevel, WarningModel};
use shanzhi_core::workflow::Routing;
use shanzhi_core::{CaseId, EventKind, LedgerRecord, NewCase, RecordContext, RegionLevel};
use shanzhi_store::HistoricalEvent;

on_both_stores!(the_screen_counts_what_the_ledger_holds, a_town_sees_its_own_town, bad_dashboard_requests_are_4xx);

const LEAD: &str = "中泰街道社会治理中心";
const ZHONGTAI: &str = "330110014";
const NANHU: &str = "330110014227";
const CANGQIAN: &str = "330110012";
const GAOQIAO: &str = "330110012209";

fn today() -> NaiveDate {
    shanzhi_core::calendar::local_date(Utc::now())
}

async fn intake(app: &TestApp, region: &str, phone: &str, text: &str) -> i64 {
    let (status, case) = app
        .post(
            "/api/v1/cases",
            &json!({
                "actor": "clerk:王", "channel": "window", "region": region, "text": text,
                "parties": [{"role": "complainant", "name": "张某某", "phone": phone}]
            }),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    case["id"].as_i64().unwrap()
}

async fn act(app: &TestApp, id: i64, body: Value) {
    let (status, case) = app.post(&format!("/api/v1/cases/{id}/actions"), &body).await;
    assert_eq!(status, 200, "{body} → {case}");
}

/// Registers a record as of when it was received, as an import of the past does.
async fn received_earlier(app: &TestApp, record: Value) -> CaseId {
    let key = common::pii_key();
    let ctx = RecordContext { gazetteer: &app.state.gazetteer, pii_key: &key, now: Utc::now() };
    let record: LedgerRecord = serde_json::from_value(record).unwrap();
    let case: NewCase = record.validate(&ctx).unwrap().into();
    app.state.store.register_cases_as_received(&[case], "import:past").await.unwrap()[0].case_id()
}

fn red_warning(case_ids: &[i64]) -> Warning {
    Warning {
        model: WarningModel::Event,
        level: WarningLevel::Red,
        subject: Subject {
            kind: SubjectKind::Respondent,
            key: "恒达建筑".into(),
            label: "杭州恒达建筑劳务有限公司".into(),
        },
        score: 42.0,
        statistic: Statistic { method: "poisson_cusum".into(), observed: 3.0, expected: 0.5, p_value: None, llr: None },
        factors: vec![Factor { code: "case_count".into(), label: "近30天相关案件3件".into(), points: 8.0 }],
        explanation: "恒达建筑欠薪投诉集中".into(),
        case_ids: case_ids.iter().map(|id| CaseId::new(*id).unwrap()).collect(),
        since: today() - Days::new(3),
        as_of: today(),
    }
}

/// Today: two cases in 中泰街道 (one resolved at town level and rated 5, one open) and one in
/// 仓前街道. Yesterday: one hotline record in 南湖村. Forty days ago: one record, routed with a
/// deadline long past and still open (overdue now, but neither this month's nor in the trend).
/// One open red warning on the 中泰 cases.
struct Ledger {
    resolved: i64,
    open: i64,
    elsewhere: i64,
    /// Whether yesterday was in this month (not so on the 1st).
    yesterday_this_month: bool,
}

async fn ledger(app: &TestApp) -> Ledger {
    let resolved =
        intake(app, NANHU, "13812345678", "恒达建筑劳务公司拖欠我们8名工人工资共计6万元，多次讨要未果。").await;
    act(app, resolved, json!({"actor": "h", "action": "accept", "department": LEAD})).await;
    act(app, resolved, json!({"actor": "h", "action": "start_mediation"})).await;
    act(
        app,
        resolved,
        json!({"actor": "h", "action": "resolve", "outcome": "agreement_reached", "summary": "分期支付"}),
    )
    .await;
    act(app, resolved, json!({"actor": "h", "action": "follow_up", "satisfaction": 5})).await;
    let open = intake(app, NANHU, "13912345678", "邻居家装修噪音扰民，多次沟通无果，双方发生争吵。").await;
    let elsewhere = intake(app, GAOQIAO, "13712345678", "小区物业擅自提高停车费，业主多次反映无人处理。").await;

    let yesterday = Utc::now() - Duration::days(1);
    received_earlier(
        app,
        json!({
            "channel": "hotline", "external_id": "12345-yesterday", "received_at": yesterday.to_rfc3339(),
            "region": NANHU, "text": "村道旁垃圾长期堆放无人清理，气味难闻。"
        }),
    )
    .await;
    let long_ago = Utc::now() - Duration::days(40);
    let overdue = received_earlier(
        app,
        json!({
            "channel": "petition", "external_id": "xf-long-ago", "received_at": long_ago.to_rfc3339(),
            "region": NANHU, "text": "反映土地征收补偿款至今未发放到位。"
        }),
    )
    .await;
    let routing =
        Routing { lead: LEAD.into(), co_handlers: vec![], level: RegionLevel::Town, rule: None, overridden: None };
    let routed_at = long_ago + Duration::hours(1);
    let routed = EventKind::Routed { routing, due_at: long_ago + Duration::days(2) };
    let event = HistoricalEvent { case: overdue, at: routed_at, actor: "dispatcher".into(), kind: routed };
    app.state.store.import_history(&[event]).await.unwrap();

    app.state.store.record_warnings(today(), Utc::now(), &[red_warning(&[resolved, open])]).await.unwrap();
    let yesterday_this_month = shanzhi_core::calendar::local_date(yesterday).month() == today().month();
    Ledger { resolved, open, elsewhere, yesterday_this_month }
}

fn town<'a>(screen: &'a Value, code: &str) -> &'a Value {
    screen["regions"]["towns"].as_array().unwrap().iter().find(|t| t["code"] == code).unwrap()
}

fn village<'a>(town: &'a Value, code: &str) -> &'a Value {
    town["villages"].as_array().unwrap().iter().find(|v| v["code"] == code).unwrap()
}

async fn the_screen_counts_what_the_ledger_holds(app: TestApp) {
    let l = ledger(&app).await;
    let (status, s) = app.get("/api/v1/dashboard").await;
    assert_eq!(status, 200, "{s}");
    assert!(s["scope"].is_null());

    let t = &s["today"]["figures"];
    assert_eq!(t["received"], 3, "{t}");
    assert_eq!(t["resolved"], 1);
    assert_eq!(t["resolved_locally"], 1);
    assert_eq!(t["local_resolution_share"], 1.0);
    assert_eq!(t["satisfaction"], 5.0);
    assert!((t["resolution_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    let extra = u64::from(l.yesterday_this_month);
    let m = &s["month"]["figures"];
    assert_eq!(m["received"], 3 + extra, "{m}");
    assert_eq!(m["resolved"], 1);
    assert_eq!(m["overdue"], 1, "the old case was overdue this month");
    assert_eq!(t["overdue"], 1, "and today");
    assert_eq!(s["overdue_now"], 1, "the old case, open past its deadline, and nothing else");
    assert_eq!(m["warnings_raised"], 1);

    let trend = s["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 30);
    assert_eq!(trend[29]["day"], today().to_string());
    assert_eq!((trend[29]["received"].as_u64(), trend[29]["resolved"].as_u64()), (Some(3), Some(1)));
    assert_eq!(trend[28]["received"], 1, "yesterday's hotline record");
    let received: u64 = trend.iter().map(|d| d["received"].as_u64().unwrap()).sum();
    assert_eq!(received, 4, "the record of forty days ago is not in the trend");

    let channels = s["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 7, "every channel, with or without cases");
    let channel = |code: &str| channels.iter().find(|c| c["code"] == code).unwrap()["count"].as_u64().unwrap();
    assert_eq!((channel("window"), channel("hotline"), channel("petition")), (3, extra, 0));
    let categories: u64 = s["categories"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(categories, 3 + extra, "every record of the month in one category");
    assert!(s["categories"].as_array().unwrap().iter().all(|c| c["name"].as_str().is_some_and(|n| !n.is_empty())));

    // The region view: every town with its villages, cases per 1,000 estimated residents.
    assert_eq!(s["regions"]["towns"].as_array().unwrap().len(), 12);
    assert_eq!(s["regions"]["residents"]["estimated"], true);
    let zhongtai = town(&s, ZHONGTAI);
    assert_eq!((zhongtai["name"].as_str(), zhongtai["received"].as_u64()), (Some("中泰街道"), Some(2 + extra)));
    assert_eq!((zhongtai["open_warnings"].as_u64(), zhongtai["warning_level"].as_str()), (Some(1), Some("red")));
    let nanhu = village(zhongtai, NANHU);
    assert_eq!((nanhu["name"].as_str(), nanhu["received"].as_u64()), (Some("南湖村"), Some(2 + extra)));
    let residents = nanhu["residents"].as_f64().unwrap();
    let per_1000 = nanhu["per_1000"].as_f64().unwrap();
    assert!((per_1000 - (2 + extra) as f64 * 1000.0 / residents).abs() < 0.01, "{nanhu}");
    assert_eq!(nanhu["open_warnings"], 1);
    let cangqian = town(&s, CANGQIAN);
    assert_eq!((cangqian["received"].as_u64(), cangqian["open_warnings"].as_u64()), (Some(1), Some(0)));
    assert!(cangqian["warning_level"].is_null());
    let villages: usize =
        s["regions"]["towns"].as_array().unwrap().iter().map(|t| t["villages"].as_array().unwrap().len()).sum();
    assert_eq!(villages, 223);

    // The open warnings by level, with links to them.
    let w = &s["warnings"];
    assert_eq!(w["open"], 1);
    assert_eq!(w["by_level"], json!({"red": 1, "orange": 0, "yellow": 0, "blue": 0}));
    assert_eq!(w["latest"][0]["level"], "red");
    assert_eq!(w["latest"][0]["towns"], json!(["中泰街道"]));
    let (status, _) = app.get(&format!("/api/v1/warnings/{}", w["latest"][0]["id"])).await;
    assert_eq!(status, 200);

    // League tables: every town; ranked only with ten cases handled, so here none is, and the
    // busiest comes first.
    let towns = s["league"]["regions"]["rows"].as_array().unwrap();
    assert_eq!((s["league"]["regions"]["level"].as_str(), towns.len()), (Some("town"), 12));
    assert_eq!(s["league"]["min_ranked"], 10);
    assert!(towns.iter().all(|t| t["rank"].is_null()), "{towns:?}");
    let first = &towns[0];
    assert_eq!(first["code"], ZHONGTAI, "the town with the most cases first: {towns:?}");
    assert_eq!((first["handled"].as_u64(), first["resolved"].as_u64()), (Some(2 + extra), Some(1)));
    assert_eq!(first["resolution_rate"].as_f64(), Some(1.0 / (2 + extra) as f64));
    assert_eq!(towns[1]["code"], CANGQIAN);
    let departments = s["league"]["departments"].as_array().unwrap();
    let lead = departments.iter().find(|d| d["name"] == LEAD).unwrap();
    assert_eq!(lead["resolved"], 1);
    assert!(departments.iter().all(|d| d["handled"].as_u64().unwrap() > 0 || d["overdue"].as_u64().unwrap() > 0));
    let _ = (l.resolved, l.open, l.elsewhere);
}

async fn a_town_sees_its_own_town(app: TestApp) {
    let l = ledger(&app).await;
    let extra = u64::from(l.yesterday_this_month);
    let (status, s) = app.get(&format!("/api/v1/dashboard?region={ZHONGTAI}")).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["scope"], json!({"code": ZHONGTAI, "name": "中泰街道", "level": "town"}));
    assert_eq!(s["today"]["figures"]["received"], 2);
    assert_eq!(s["month"]["figures"]["received"], 2 + extra);
    assert_eq!(s["trend"][29]["received"], 2);
    assert_eq!(s["overdue_now"], 1);
    let towns = s["regions"]["towns"].as_array().unwrap();
    assert_eq!(towns.len(), 1, "its own town only");
    assert!(towns[0]["villages"].as_array().unwrap().iter().all(|v| v["code"].as_str().unwrap().starts_with(ZHONGTAI)));
    assert_eq!(s["warnings"]["open"], 1);
    assert_eq!(s["league"]["regions"]["level"], "village");
    let rows = s["league"]["regions"]["rows"].as_array().unwrap();
    assert!(rows.iter().all(|v| v["code"].as_str().unwrap().starts_with(ZHONGTAI)));
    assert_eq!(rows[0]["code"], NANHU);

    let (status, s) = app.get(&format!("/api/v1/dashboard?region={CANGQIAN}")).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        (s["today"]["figures"]["received"].as_u64(), s["month"]["figures"]["received"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!((s["overdue_now"].as_u64(), s["warnings"]["open"].as_u64()), (Some(0), Some(0)));
    assert_eq!(s["warnings"]["latest"], json!([]));
    let departments = s["league"]["departments"].as_array().unwrap();
    let handled: u64 = departments.iter().map(|d| d["handled"].as_u64().unwrap()).sum();
    assert_eq!(handled, 1, "departments count the town's cases only");

    let (status, s) = app.get(&format!("/api/v1/dashboard?region={GAOQIAO}")).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["scope"]["level"], "village");
    assert_eq!(s["today"]["figures"]["received"], 1);
    assert_eq!(s["regions"]["towns"][0]["villages"].as_array().unwrap().len(), 1);
}

async fn bad_dashboard_requests_are_4xx(app: TestApp) {
    for (path, status, code) in [
        ("/api/v1/dashboard?region=zhongtai", 400, "bad_region"),
        ("/api/v1/dashboard?region=330110", 400, "bad_region"),
        ("/api/v1/dashboard?region=330110999", 404, "unknown_region"),
        ("/api/v1/dashboard?town=330110014", 400, "bad_query"),
    ] {
        let (got, body) = app.get(path).await;
        assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{path}: {body}");
    }
}
