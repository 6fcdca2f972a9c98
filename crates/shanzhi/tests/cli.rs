//! The `shanzhi` binary as users run it: real files, real databases, real processes.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use shanzhi_store::testing::TestDatabase;

const KEY: &str = "integration test personal data key";

fn shanzhi(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shanzhi"));
    cmd.env("SHANZHI_DB", db).env("SHANZHI_PII_KEY", KEY).env_remove("SHANZHI_CONFIG").env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = cmd.output().expect("run shanzhi");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn workdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn good_row(n: u32) -> String {
    format!(
        r#"{{"channel": "hotline", "external_id": "12345-{n}", "received_at": "2026-10-0{} 10:00", "region": "中泰街道南湖村", "text": "小区物业停车费上涨，业主不满（第{n}件）。", "parties": [{{"role": "complainant", "name": "王某", "id_number": "11010519491231002X", "phone": "13812345678"}}]}}"#,
        n % 9 + 1
    )
}

/// A file with good rows and one bad row of every kind the issue names; returns (file, bad lines).
fn mixed_jsonl(dir: &Path) -> (PathBuf, Vec<(u64, &'static str)>) {
    let mut bytes: Vec<u8> = Vec::new();
    let mut bad = Vec::new();
    let mut line = 0u64;
    let mut push = |content: Vec<u8>, code: Option<&'static str>, bad: &mut Vec<(u64, &'static str)>| {
        line += 1;
        bytes.extend(content);
        bytes.push(b'\n');
        if let Some(code) = code {
            bad.push((line, code));
        }
    };
    for n in 0..5 {
        push(good_row(n).into_bytes(), None, &mut bad);
    }
    push(br#"{"channel": "police", "external_id": "x1", "text": "#.to_vec(), Some("bad_json"), &mut bad);
    let mut gbk =
        r#"{"channel": "police", "external_id": "x2", "received_at": "2026-10-01", "region": "南湖村", "text": ""#
            .as_bytes()
            .to_vec();
    gbk.extend([0xC4, 0xCF, 0xBA, 0xFE]); // 南湖 in GBK
    gbk.extend(br#""}"#);
    push(gbk, Some("invalid_utf8"), &mut bad);
    push(r#"{"channel": "police", "external_id": "x3", "received_at": "2026-10-01", "region": "南湖村"}"#.as_bytes().to_vec(), Some("missing_text"), &mut bad);
    push(r#"{"channel": "police", "external_id": "x4", "received_at": "2026-10-01", "region": "不存在村", "text": "纠纷"}"#.as_bytes().to_vec(), Some("unknown_region"), &mut bad);
    push(r#"{"channel": "police", "external_id": "x5", "received_at": "2026-13-45", "region": "南湖村", "text": "纠纷"}"#.as_bytes().to_vec(), Some("bad_date"), &mut bad);
    push(
        r#"{"channel": "police", "external_id": "x6", "received_at": "2026-10-01", "region": "南湖村", "text": "纠纷", "parties": [{"role": "complainant", "id_number": "110105194912310021"}]}"#.as_bytes().to_vec(),
        Some("bad_id_number"),
        &mut bad,
    );
    let long = "长".repeat(20_001);
    push(
        format!(r#"{{"channel": "police", "external_id": "x7", "received_at": "2026-10-01", "region": "南湖村", "text": "{long}"}}"#).into_bytes(),
        Some("text_too_long"),
        &mut bad,
    );
    let huge = "长".repeat(400_000); // 1.2 MB on one line
    push(
        format!(r#"{{"channel": "police", "external_id": "x8", "received_at": "2026-10-01", "region": "南湖村", "text": "{huge}"}}"#).into_bytes(),
        Some("line_too_long"),
        &mut bad,
    );
    push(Vec::new(), None, &mut bad); // a blank line is skipped, not rejected
    for n in 5..8 {
        push(good_row(n).into_bytes(), None, &mut bad);
    }
    let path = dir.join("mixed.jsonl");
    std::fs::write(&path, bytes).unwrap();
    (path, bad)
}

#[test]
fn import_keeps_every_good_row_and_names_every_bad_one() {
    let dir = workdir();
    let db = TestDatabase::sqlite();
    let (file, bad) = mixed_jsonl(dir.path());

    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 1, "rejected rows make exit code 1\n{stdout}\n{stderr}");
    assert!(stdout.contains("8 imported, 0 already present, 8 rejected"), "{stdout}");
    for (line, code) in &bad {
        assert!(
            stderr.contains(&format!("mixed.jsonl:{line}: {code}")),
            "line {line} ({code}) not named in:\n{stderr}"
        );
    }

    let rejects = std::fs::read_to_string(dir.path().join("mixed.jsonl.rejects.jsonl")).unwrap();
    let rejects: Vec<serde_json::Value> = rejects.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let found: Vec<(u64, String)> = rejects
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["errors"][0]["code"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(found, bad.iter().map(|(l, c)| (*l, c.to_string())).collect::<Vec<_>>());
    let all = serde_json::to_string(&rejects).unwrap();
    assert!(!all.contains("110105194912310021"), "a rejected ID number is never written in clear");

    // Again: nothing new, nothing lost.
    let (code, stdout, _) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 1);
    assert!(stdout.contains("0 imported, 8 already present, 8 rejected"), "{stdout}");
}

#[test]
fn csv_imports_like_json_lines() {
    let dir = workdir();
    let db = TestDatabase::sqlite();
    let mut csv =
        String::from("\u{feff}channel,external_id,received_at,region,title,text,parties,amount_yuan,people_count\n");
    csv.push_str("police,110-1,2026-10-01 09:00,中泰街道南湖村,讨薪,\"工地拖欠工资，\"\"37名\"\"工人聚集\",\"[{\"\"role\"\": \"\"complainant\"\", \"\"phone\"\": \"\"13812345678\"\"}]\",320000,37\n");
    csv.push_str("grid,WG-1,2026-10-02,仓前街道,,\"邻里噪音纠纷，\n跨行的描述\",,,\n");
    csv.push_str("grid,WG-2,2026-10-02,仓前街道,,纠纷,[not json],,\n");
    csv.push_str("grid,WG-3,2026-10-02,火星村,,纠纷,,,\n");
    csv.push_str("grid,WG-4,2026-10-02,仓前街道,,纠纷,未加引号的逗号,,,\n");
    let file = dir.path().join("ledger.csv");
    std::fs::write(&file, csv).unwrap();

    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("2 imported, 0 already present, 3 rejected"), "{stdout}");
    assert!(stderr.contains("ledger.csv:7: bad_csv"), "a row of the wrong length is refused, not shifted: {stderr}");
    // Line numbers count the embedded newline of row 2.
    assert!(stderr.contains("ledger.csv:5: bad_parties"), "{stderr}");
    assert!(stderr.contains("ledger.csv:6: unknown_region"), "{stderr}");
}

#[test]
fn a_csv_without_the_required_columns_is_refused_whole() {
    let dir = workdir();
    let db = TestDatabase::sqlite();
    let file = dir.path().join("wrong.csv");
    std::fs::write(&file, "编号,内容\n1,纠纷\n").unwrap();
    let (code, _, stderr) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 1);
    assert!(stderr.contains("lacks the column(s) channel, external_id, received_at, region, text"), "{stderr}");
}

fn count_cases(db: &TestDatabase) -> u64 {
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { shanzhi_store::open(&db.url).await.unwrap().count_cases().await.unwrap() })
}

#[test]
fn a_killed_import_completes_on_rerun_without_duplicates() {
    let dir = workdir();
    let db = TestDatabase::sqlite();
    let file = dir.path().join("year.jsonl");
    let (code, _, stderr) = run(shanzhi(&db.url).args(["demo", "--cases", "30000", "--seed", "5", "--out"]).arg(&file));
    assert_eq!(code, 0, "{stderr}");

    let mut child = shanzhi(&db.url)
        .args(["import", "--batch-size", "200"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some batches are in, then kill -9 in the middle.
    let started = Instant::now();
    while count_cases(&db) < 1_000 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let after_kill = count_cases(&db);
    assert!(after_kill >= 1_000, "the import made progress before the kill");
    assert!(after_kill < 30_000, "the kill came before the end, else this test proves nothing");

    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!("{} imported, {after_kill} already present, 0 rejected", 30_000 - after_kill)),
        "rerun after {after_kill}: {stdout}"
    );
    assert_eq!(count_cases(&db), 30_000);
}

#[test]
fn real_data_needs_the_key_and_the_same_key_every_time() {
    let dir = workdir();
    let db = TestDatabase::sqlite();
    let file = dir.path().join("one.jsonl");
    std::fs::write(&file, good_row(1)).unwrap();

    let (code, _, stderr) = run(shanzhi(&db.url).env_remove("SHANZHI_PII_KEY").arg("import").arg(&file));
    assert_eq!(code, 1);
    assert!(stderr.contains("SHANZHI_PII_KEY is not set"), "{stderr}");

    let (code, _, _) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 0);
    let (code, _, stderr) =
        run(shanzhi(&db.url).env("SHANZHI_PII_KEY", "another key of enough length").arg("import").arg(&file));
    assert_eq!(code, 1);
    assert!(stderr.contains("hashed with another key"), "{stderr}");
}

#[test]
fn a_demo_ledger_and_a_real_ledger_never_share_a_key() {
    let dir = workdir();
    let file = dir.path().join("one.jsonl");
    std::fs::write(&file, good_row(1)).unwrap();

    // A demo ledger does not lend its generated key to real data.
    let demo = TestDatabase::sqlite();
    let (code, _, stderr) = run(shanzhi(&demo.url).env_remove("SHANZHI_PII_KEY").args(["demo", "--cases", "10"]));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(shanzhi(&demo.url).env_remove("SHANZHI_PII_KEY").arg("import").arg(&file));
    assert_eq!(code, 1);
    assert!(stderr.contains("SHANZHI_PII_KEY is not set"), "{stderr}");

    // A real ledger does not become a demo ledger.
    let real = TestDatabase::sqlite();
    assert_eq!(run(shanzhi(&real.url).arg("import").arg(&file)).0, 0);
    let (code, _, stderr) = run(shanzhi(&real.url).env_remove("SHANZHI_PII_KEY").args(["demo", "--cases", "10"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("started with a configured SHANZHI_PII_KEY"), "{stderr}");
}

#[test]
fn serve_demo_answers_and_stops_on_sigterm() {
    let db = TestDatabase::sqlite();
    let mut child = shanzhi(&db.url)
        .env_remove("SHANZHI_PII_KEY")
        .args(["serve", "--demo", "--demo-cases", "2000", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();

    // The demo users follow, one for every role, with their password.
    let mut banner = String::new();
    for _ in 0..8 {
        stdout.read_line(&mut banner).unwrap();
    }
    let password = banner.split_once("密码均为 ").and_then(|(_, rest)| rest.split('：').next()).unwrap().to_owned();
    for username in ["admin", "zhihui", "chuangkou", "laojian", "liangzhu", "wanggezhang", "lingdao"] {
        assert!(banner.contains(username), "{banner}");
    }

    let rt = tokio::runtime::Runtime::new().unwrap();
    let (health, anonymous, summary) = rt.block_on(async {
        let client = reqwest::Client::new();
        let health = client.get(format!("{url}healthz")).send().await.unwrap().status().as_u16();
        let anonymous = client.get(format!("{url}api/v1/ledger/summary")).send().await.unwrap().status().as_u16();
        let login = client
            .post(format!("{url}api/v1/session"))
            .json(&serde_json::json!({"username": "zhihui", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);
        let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let summary: serde_json::Value = client
            .get(format!("{url}api/v1/ledger/summary"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (health, anonymous, summary)
    });
    assert_eq!(health, 200);
    assert_eq!(anonymous, 401, "the ledger is not public");
    assert_eq!(summary["total"], 2000, "the demo ledger is loaded");

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "graceful shutdown exits 0, got {status:?}");
}

#[test]
fn migrate_runs_on_sqlite_and_postgres() {
    let sqlite = TestDatabase::sqlite();
    let (code, stdout, stderr) = run(shanzhi(&sqlite.url).arg("migrate"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("up to date"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    if let Some(pg) = rt.block_on(TestDatabase::postgres()) {
        let (code, _, stderr) = run(shanzhi(&pg.url).arg("migrate"));
        assert_eq!(code, 0, "{stderr}");
    }
}

#[test]
fn import_into_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(TestDatabase::postgres()) else {
        return;
    };
    drop(rt);
    let dir = workdir();
    let (file, bad) = mixed_jsonl(dir.path());
    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains(&format!("8 imported, 0 already present, {} rejected", bad.len())), "{stdout}");
    let (_, stdout, _) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert!(stdout.contains("0 imported, 8 already present"), "{stdout}");
}

#[test]
fn several_files_get_a_total() {
    let dir = workdir();
    let db = TestDatabase::sqlite();
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.jsonl");
    std::fs::File::create(&a).unwrap().write_all(format!("{}\n{}\n", good_row(1), good_row(2)).as_bytes()).unwrap();
    std::fs::File::create(&b).unwrap().write_all(format!("{}\n{}\n", good_row(2), good_row(3)).as_bytes()).unwrap();
    let (code, stdout, _) = run(shanzhi(&db.url).arg("import").arg(&a).arg(&b).arg(dir.path().join("missing.jsonl")));
    assert_eq!(code, 1, "a missing file fails the run");
    assert!(stdout.contains("total: 3 imported, 1 already present, 0 rejected, 1 file(s) failed"), "{stdout}");
}

#[test]
fn classify_streams_one_result_per_line_and_survives_bad_lines() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .arg("classify")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input: Vec<u8> = Vec::new();
    input.extend(
        r#"{"text": "中泰街道南湖村某工地拖欠37名工人工资共计32万元，工人扬言要拉横幅堵路。联系电话13812345678"}"#
            .as_bytes(),
    );
    input.extend("\n杭州华越物业服务有限公司余杭分公司擅自上调停车费，业主不满\n{\"text\": \n".as_bytes());
    input.extend([0xC4, 0xCF, b'\n', b'\n']);
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "one answer per non-blank line: {lines:?}");
    let first = &lines[0];
    assert_eq!(first["category"], "wage_arrears");
    assert_eq!(first["department"], "杭州市余杭区劳动保障监察大队");
    assert_eq!(first["entities"]["amounts_yuan"], serde_json::json!([320000.0]));
    assert_eq!(first["entities"]["people_count"], 37);
    assert_eq!(first["entities"]["places"][0]["code"], "330110014227");
    assert_eq!(first["risk"]["level"], "high");
    assert!(first["masked_text"].as_str().unwrap().contains("138****5678"));
    assert!(!first.to_string().contains("13812345678"));
    assert!(lines[1]["category"].is_string(), "plain text lines are classified too");
    assert_eq!(first["entities"]["organizations"], serde_json::json!([]), "某工地 is no organisation");
    assert_eq!(lines[1]["entities"]["organization_keys"], serde_json::json!(["华越"]), "a branch keys as its company");
    assert_eq!((lines[2]["error"]["line"].as_u64(), lines[2]["error"]["code"].as_str()), (Some(3), Some("bad_json")));
    assert_eq!(
        (lines[3]["error"]["line"].as_u64(), lines[3]["error"]["code"].as_str()),
        (Some(4), Some("invalid_utf8"))
    );
}

#[test]
fn import_derives_what_a_record_leaves_out_and_keeps_what_it_gives() {
    let dir = workdir();
    let db = TestDatabase::sqlite();
    let file = dir.path().join("derive.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"channel": "police", "external_id": "p-1", "received_at": "2026-10-01 09:00", "region": "中泰街道", "text": "某工地拖欠37名工人工资共计32万元，另有押金5000元未退。"}"#,
            "\n",
            r#"{"channel": "police", "external_id": "p-2", "received_at": "2026-10-01 09:00", "region": "中泰街道", "text": "某工地拖欠37名工人工资共计32万元。", "category": "劳资纠纷", "amount_yuan": 1, "people_count": 2}"#,
            "\n",
            r#"{"channel": "police", "external_id": "p-3", "received_at": "2026-10-01 09:00", "region": "中泰街道", "text": "某工地拖欠工资。", "category": "旧系统类别甲"}"#,
            "\n"
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (derived, given) = rt.block_on(async {
        let store = shanzhi_store::open(&db.url).await.unwrap();
        let id = |external: &str| shanzhi_core::ExternalId::parse(external).unwrap();
        let channel = shanzhi_core::Channel::Police;
        let a = store.case_by_external_id(channel, &id("p-1")).await.unwrap().unwrap();
        let b = store.case_by_external_id(channel, &id("p-2")).await.unwrap().unwrap();
        (store.case(a).await.unwrap().unwrap(), store.case(b).await.unwrap().unwrap())
    });
    assert_eq!(derived.record.category.as_deref(), Some("wage_arrears"));
    assert_eq!(derived.record.amount.map(|a| a.fen()), Some(32_000_000), "the largest amount stated");
    assert_eq!(derived.record.people_count, Some(37));
    assert_eq!(given.record.category.as_deref(), Some("wage_arrears"), "the record's own category, as its code");
    assert_eq!(given.record.amount.map(|a| a.fen()), Some(100));
    assert_eq!(given.record.people_count, Some(2));
    let unknown = rt.block_on(async {
        let store = shanzhi_store::open(&db.url).await.unwrap();
        let id = store
            .case_by_external_id(shanzhi_core::Channel::Police, &shanzhi_core::ExternalId::parse("p-3").unwrap())
            .await
            .unwrap()
            .unwrap();
        store.case(id).await.unwrap().unwrap()
    });
    assert_eq!(unknown.record.category.as_deref(), Some("旧系统类别甲"), "an unknown category is kept as written");
}

#[test]
fn another_district_runs_without_a_department_directory() {
    let dir = workdir();
    let db = TestDatabase::sqlite();
    let file = dir.path().join("xihu.jsonl");
    std::fs::write(
        &file,
        r#"{"channel": "hotline", "external_id": "h-1", "received_at": "2026-10-01", "region": "330106004", "text": "小区物业停车费上涨，业主不满。"}"#,
    )
    .unwrap();
    let (code, stdout, stderr) = run(shanzhi(&db.url).env("SHANZHI_DISTRICT", "330106").arg("import").arg(&file));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("1 imported"), "{stdout}");
}

#[test]
fn scanstat_reproduces_satscan_on_its_sample_data_and_names_a_bad_line() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/satscan");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shanzhi"));
    cmd.args(["scanstat", "--model", "space-time-permutation", "--start", "2001/11/1", "--end", "2001/11/24"])
        .args(["--prospective", "--max-radius", "3", "--max-days", "7", "--replications", "99"])
        .arg("--cas")
        .arg(data.join("NYCfever.cas"))
        .arg("--geo")
        .arg(data.join("NYCfever.geo"));
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 0, "{stderr}");
    let result: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let top = &result["clusters"][0];
    assert_eq!(format!("{:.6}", top["llr"].as_f64().unwrap()), "3.845418");
    assert_eq!(top["locations"].as_array().unwrap().len(), 9);
    assert!(top["p_value"].as_f64().unwrap() > 0.05);

    let dir = workdir();
    let bad = dir.path().join("bad.cas");
    std::fs::write(&bad, "11418 1 2001/11/22\n11415 one 2001/11/23\n").unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shanzhi"));
    cmd.args(["scanstat", "--model", "space-time-permutation", "--start", "2001/11/1", "--end", "2001/11/24"])
        .arg("--cas")
        .arg(&bad)
        .arg("--geo")
        .arg(data.join("NYCfever.geo"));
    let (code, _, stderr) = run(&mut cmd);
    assert_ne!(code, 0);
    assert!(stderr.contains("case file line 2") && stderr.contains("`one`"), "{stderr}");
}

#[test]
fn scan_warns_of_a_company_collapse_once_and_updates_it_on_the_next_run() {
    let dir = workdir();
    let db = TestDatabase::sqlite();
    let file = dir.path().join("ledger.jsonl");
    let towns = ["中泰街道", "五常街道", "良渚街道", "仓前街道", "闲林街道"];
    let everyday = ["邻居装修噪音扰民，多次协商未果。", "小区物业停车费上涨，业主不满。", "租客退租押金未退还。"];
    let mut lines = Vec::new();
    for n in 0..150u32 {
        let day = 1 + n % 30;
        let month = 8 + n % 2;
        lines.push(format!(
            r#"{{"channel": "hotline", "external_id": "bg-{n}", "received_at": "2026-{month:02}-{day:02} 10:00", "region": "{}", "text": "{}", "parties": [{{"role": "complainant", "name": "市民{n}", "phone": "139{n:08}"}}]}}"#,
            towns[n as usize % 5],
            everyday[n as usize % 3]
        ));
    }
    // The collapse: 24 complaints in two days from different people, against one company.
    for n in 0..24u32 {
        let day = 20 + n % 2;
        let text = if n == 0 {
            "杭州智学未来教育科技有限公司突然停课，学员8000余人，预付学费4000万元无法退还，家长准备集体上访。"
        } else {
            "杭州智学未来教育科技有限公司停课跑路，预付的学费不退，要求退款。"
        };
        lines.push(format!(
            r#"{{"channel": "hotline", "external_id": "zx-{n}", "received_at": "2026-10-{day} 09:{n:02}", "region": "{}", "text": "{text}", "parties": [{{"role": "complainant", "name": "家长{n}", "phone": "137{n:08}"}}]}}"#,
            towns[n as usize % 5]
        ));
    }
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 0, "{stdout}{stderr}");

    let (code, stdout, stderr) = run(shanzhi(&db.url).args(["scan", "--as-of", "2026-10-21", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let warnings: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let event = warnings.iter().find(|w| w["model"] == "event").unwrap_or_else(|| panic!("no event warning: {stdout}"));
    assert!(event["subject"]["label"].as_str().unwrap().contains("智学未来"), "{event}");
    assert!(matches!(event["level"].as_str(), Some("red" | "orange")), "{event}");
    assert_eq!(event["case_ids"].as_array().unwrap().len(), 24);
    assert!(!stdout.contains("137000000"), "no phone number in clear");

    // The same situation the next day is the same warning, updated.
    let (code, stdout, stderr) = run(shanzhi(&db.url).args(["scan", "--as-of", "2026-10-22"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("新发0条") && stdout.contains("智学未来"), "{stdout}");
    assert!(!stdout.contains("更新0条"), "{stdout}");
}

/// Sets the category of each case named by its external id, as staff do in the ledger.
fn set_categories(db: &TestDatabase, channel: shanzhi_core::Channel, changes: &[(String, &str)]) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = shanzhi_store::open(&db.url).await.unwrap();
        for (external_id, category) in changes {
            let external = shanzhi_core::ExternalId::parse(external_id).unwrap();
            let id = store.case_by_external_id(channel, &external).await.unwrap().unwrap();
            let case = store.case(id).await.unwrap().unwrap();
            let change = shanzhi_core::EventKind::CategoryChanged {
                from: case.record.category.clone(),
                to: Some((*category).to_owned()),
            };
            store.append_event(id, Some(case.version), change, "handler:李").await.unwrap();
        }
    });
}

fn category_of(db: &TestDatabase, channel: shanzhi_core::Channel, external_id: &str) -> Option<String> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = shanzhi_store::open(&db.url).await.unwrap();
        let external = shanzhi_core::ExternalId::parse(external_id).unwrap();
        let id = store.case_by_external_id(channel, &external).await.unwrap().unwrap();
        store.case(id).await.unwrap().unwrap().record.category
    })
}

fn import_texts(db: &TestDatabase, dir: &Path, name: &str, texts: &[(String, String)]) {
    let file = dir.join(name);
    let lines: Vec<String> = texts
        .iter()
        .map(|(external_id, text)| {
            serde_json::json!({"channel": "hotline", "external_id": external_id, "received_at": "2026-10-01 10:00",
                "region": "中泰街道", "text": text})
            .to_string()
        })
        .collect();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("import").arg(&file));
    assert_eq!(code, 0, "{stdout}{stderr}");
}

/// Ride-hailing drivers against their platform: a wording the corpus lacks (its model reads a car
/// in it); staff file these as labour-contract disputes.
const RIDES: [&str; 6] = [
    "网约车司机反映平台抽成过高，派单规则不透明。",
    "多名网约车司机到平台运营点反映抽成比例上调。",
    "网约车平台封号，司机称未说明理由，要求解封。",
    "来电人是网约车司机，称平台扣除服务费过多。",
    "网约车司机集体投诉平台派单算法，收入下降。",
    "网约车司机与平台就抽成和奖励规则发生争议。",
];
const RIDE_PROBE: &str = "网约车平台突然提高抽成比例，司机们聚集要求协商。";

#[test]
fn train_learns_from_staffs_categories_keeps_versions_and_refuses_a_worse_model() {
    use shanzhi_core::Channel::Hotline;
    let dir = workdir();
    let db = TestDatabase::sqlite();
    // Ride-hailing drivers against their platform: a wording the corpus lacks (its model reads a
    // car in it); staff file these as labour-contract disputes, by name or by code.
    let rides = RIDES;
    let mut texts: Vec<(String, String)> =
        rides.iter().enumerate().map(|(n, t)| (format!("ride-{n}"), (*t).to_owned())).collect();
    let probe = RIDE_PROBE;
    texts.push(("probe-before".into(), probe.into()));
    import_texts(&db, dir.path(), "rides.jsonl", &texts);
    assert_ne!(category_of(&db, Hotline, "probe-before").as_deref(), Some("labour_contract"));
    let labels: Vec<(String, &str)> =
        (0..6).map(|n| (format!("ride-{n}"), if n % 2 == 0 { "劳动合同纠纷" } else { "labour_contract" })).collect();
    set_categories(&db, Hotline, &labels);

    let (code, stdout, stderr) = run(shanzhi(&db.url).args(["train", "--list"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("no saved text model"), "{stdout}");
    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("train"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("text model version 1: trained on 884 corpus records and 6 ledger labels"), "{stdout}");
    assert!(stdout.contains("version 1 is active"), "{stdout}");

    // Import now loads the active model.
    import_texts(&db, dir.path(), "probe.jsonl", &[("probe-after".into(), probe.into())]);
    assert_eq!(category_of(&db, Hotline, "probe-after").as_deref(), Some("labour_contract"));

    // Careless relabelling: every wage-arrears and medical record of the corpus filed twice as
    // `other`. The new model is kept but not used.
    let all = shanzhi_text::corpus::embedded().unwrap();
    let wrong: Vec<(String, String)> = shanzhi_text::corpus::training(&all)
        .into_iter()
        .filter(|r| r.category == "wage_arrears" || r.category == "medical")
        .flat_map(|r| [(format!("{}-x", r.id), r.text.clone()), (format!("{}-y", r.id), r.text)])
        .collect();
    import_texts(&db, dir.path(), "wrong.jsonl", &wrong);
    let relabel: Vec<(String, &str)> = wrong.iter().map(|(id, _)| (id.clone(), "other")).collect();
    set_categories(&db, Hotline, &relabel);
    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("train"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains(&format!("{} ledger labels", 6 + wrong.len())), "{stdout}");
    assert!(stderr.contains("version 2 is saved but NOT active") && stderr.contains("version 1's"), "{stderr}");
    let (_, list, _) = run(shanzhi(&db.url).args(["train", "--list"]));
    let rows: Vec<&str> = list.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{list}");
    assert!(rows[0].contains(" * ") && !rows[1].contains(" * "), "version 1 stays active:\n{list}");

    let (code, stdout, stderr) = run(shanzhi(&db.url).args(["train", "--force"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("version 3 is active"), "{stdout}");

    // The old one stays usable.
    let (code, stdout, stderr) = run(shanzhi(&db.url).args(["train", "--activate", "1"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("version 1 is active (before: version 3)"), "{stdout}");
    let (_, list, _) = run(shanzhi(&db.url).args(["train", "--list"]));
    let active: Vec<&str> = list.lines().skip(1).filter(|l| l.contains(" * ")).collect();
    assert_eq!(active.len(), 1, "{list}");
    assert!(active[0].trim_start().starts_with("1 "), "{list}");
    import_texts(&db, dir.path(), "probe2.jsonl", &[("probe-again".into(), probe.into())]);
    assert_eq!(category_of(&db, Hotline, "probe-again").as_deref(), Some("labour_contract"));

    let (code, _, stderr) = run(shanzhi(&db.url).args(["train", "--activate", "9"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("no text model version 9"), "{stderr}");
}

/// An active version this shanzhi cannot load (damaged, or of another format) is passed over at
/// start, and `shanzhi train` measures the new model against what is used in its place, not
/// against the accuracy the unusable version once claimed. On both stores.
fn train_passes_over_an_active_model_it_cannot_load(db: &TestDatabase) {
    use shanzhi_core::Channel::Hotline;
    let dir = workdir();
    let mut texts: Vec<(String, String)> =
        RIDES.iter().enumerate().map(|(n, t)| (format!("ride-{n}"), (*t).to_owned())).collect();
    texts.push(("probe-before".into(), RIDE_PROBE.into()));
    import_texts(db, dir.path(), "rides.jsonl", &texts);
    let labels: Vec<(String, &str)> = (0..RIDES.len()).map(|n| (format!("ride-{n}"), "labour_contract")).collect();
    set_categories(db, Hotline, &labels);
    // A model whose bytes were damaged, active, that claimed a high accuracy when it was saved.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = shanzhi_store::open(&db.url).await.unwrap();
        let mut bytes = b"SZTM\x01\x00".to_vec();
        bytes.extend((0..200u8).map(|b| b.wrapping_mul(37)));
        let damaged = shanzhi_store::NewTextModel {
            trained_by: "test".into(),
            format: shanzhi_text::classify::FORMAT.into(),
            corpus_examples: 884,
            ledger_examples: 0,
            held_out_accuracy: 0.99,
            model: bytes,
        };
        assert_eq!(store.save_text_model(&damaged, true).await.unwrap().version, 1);
    });

    // Import works on, with the embedded corpus's model, and says why.
    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("import").arg(dir.path().join("rides.jsonl")));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("cannot be loaded") && stderr.contains("checksum"), "{stderr}");
    let (code, _, stderr) = run(shanzhi(&db.url).args(["train", "--activate", "1"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("version 1 cannot be used") && stderr.contains("damaged"), "{stderr}");

    let (code, stdout, stderr) = run(shanzhi(&db.url).arg("train"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("before: the embedded corpus's model"), "{stdout}");
    assert!(stdout.contains("version 2 is active"), "{stdout}");
    import_texts(db, dir.path(), "probe.jsonl", &[("probe-after".into(), RIDE_PROBE.into())]);
    assert_eq!(category_of(db, Hotline, "probe-after").as_deref(), Some("labour_contract"));
    let (_, list, _) = run(shanzhi(&db.url).args(["train", "--list"]));
    let active: Vec<&str> = list.lines().skip(1).filter(|l| l.contains(" * ")).collect();
    assert!(active.len() == 1 && active[0].trim_start().starts_with("2 "), "{list}");
}

#[test]
fn train_passes_over_an_active_model_it_cannot_load_on_sqlite() {
    train_passes_over_an_active_model_it_cannot_load(&TestDatabase::sqlite());
}

#[test]
fn train_passes_over_an_active_model_it_cannot_load_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(TestDatabase::postgres()) else {
        return;
    };
    drop(rt);
    train_passes_over_an_active_model_it_cannot_load(&db);
}

#[test]
fn users_and_tokens_are_managed_from_the_command_line() {
    let db = TestDatabase::sqlite();
    let add = |args: &[&str], stdin: &str| {
        let mut child = shanzhi(&db.url)
            .args(["user", "add"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
        (status.code().unwrap(), String::from_utf8(stdout).unwrap(), String::from_utf8(stderr).unwrap())
    };
    let (code, stdout, stderr) = add(&["shen", "--role", "town", "--region", "良渚街道", "--name", "沈杰"], "");
    assert_eq!(code, 0, "{stderr}");
    let password = stdout.lines().last().unwrap();
    assert_eq!(password.chars().count(), 16, "a generated password is printed last: {stdout}");
    assert!(stdout.contains("镇街工作人员") && stdout.contains("良渚街道"), "{stdout}");

    let (code, _, stderr) =
        add(&["wu", "--role", "handler", "--department", "区劳动监察大队", "--password-stdin"], "short\n");
    assert_eq!(code, 1);
    assert!(stderr.contains("at least 10 characters"), "{stderr}");
    let (code, _, stderr) = add(&["wu", "--role", "town"], "");
    assert!(code == 1 && stderr.contains("needs a town"), "{stderr}");
    let (code, _, stderr) = add(&["wu", "--role", "mayor"], "");
    assert!(code == 1 && stderr.contains("unknown role"), "{stderr}");
    let (code, _, stderr) = add(&["shen", "--role", "leader"], "");
    assert!(code == 1 && stderr.contains("taken"), "{stderr}");
    let (code, _, stderr) = add(
        &["wu", "--role", "handler", "--department", "区劳动监察大队", "--password-stdin"],
        "一个足够长的密码 2026\n",
    );
    assert_eq!(code, 0, "{stderr}");

    let (code, list, _) = run(shanzhi(&db.url).args(["user", "list"]));
    assert_eq!(code, 0);
    assert!(list.contains("shen\t沈杰\t镇街工作人员\t良渚街道"), "{list}");
    assert!(list.contains("杭州市余杭区劳动保障监察大队"), "{list}");
    assert!(!list.contains("argon2") && !list.contains(password), "no secret is listed: {list}");

    let (code, stdout, stderr) =
        run(shanzhi(&db.url).args(["token", "create", "--role", "system", "--name", "12345热线"]));
    assert_eq!(code, 0, "{stderr}");
    let token = stdout.lines().last().unwrap().to_owned();
    assert!(token.starts_with("szt_") && token.len() == 68, "{stdout}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(shanzhi_store::open(&db.url)).unwrap();
    let hash = shanzhi_web::auth::Secret::parse(&token).unwrap().hash();
    let stored = rt.block_on(store.api_token(&hash)).unwrap().expect("the printed token is the stored one");
    assert_eq!((stored.name.as_str(), stored.role.code()), ("12345热线", "system"));

    let (_, list, _) = run(shanzhi(&db.url).args(["token", "list"]));
    assert!(list.contains("12345热线\tsystem") && !list.contains(&token[4..]), "{list}");
    let id = stored.id.to_string();
    assert_eq!(run(shanzhi(&db.url).args(["token", "revoke", &id])).0, 0);
    assert!(rt.block_on(store.api_token(&hash)).unwrap().is_none(), "a revoked token no longer opens anything");
    let (code, _, stderr) = run(shanzhi(&db.url).args(["token", "revoke", &id]));
    assert!(code == 1 && stderr.contains("no live token"), "{stderr}");
}

#[test]
fn classify_answers_each_line_before_the_next_is_written() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shanzhi"))
        .arg("classify")
        .env("RUST_LOG", "warn")
        .env_remove("SHANZHI_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (answers, received) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if answers.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // A debug build trains the classifier at start; the answer to a line comes at once after.
    let mut answer = |what: &str| -> serde_json::Value {
        let line = received.recv_timeout(Duration::from_secs(120)).unwrap_or_else(|e| {
            let _ = child.kill();
            panic!("no answer to {what} while stdin stays open: {e}")
        });
        serde_json::from_str(&line).unwrap()
    };

    stdin.write_all("中泰街道南湖村某工地拖欠37名工人工资共计32万元\n".as_bytes()).unwrap();
    stdin.flush().unwrap();
    assert_eq!(answer("the first line")["category"], "wage_arrears");

    // Over the 1 MB limit: refused, and the stream goes on.
    let mut long = "邻".repeat(400_000).into_bytes();
    long.push(b'\n');
    stdin.write_all(&long).unwrap();
    stdin.flush().unwrap();
    let refused = answer("an over-long line");
    assert_eq!(
        (refused["error"]["line"].as_u64(), refused["error"]["code"].as_str()),
        (Some(2), Some("line_too_long"))
    );

    stdin.write_all(r#"{"text": "小区物业擅自上调停车费，业主不满"}"#.as_bytes()).unwrap();
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
    assert!(answer("the third line")["category"].is_string());

    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success());
    reader.join().unwrap();
    assert!(received.try_recv().is_err(), "one answer per line, nothing more");
}
