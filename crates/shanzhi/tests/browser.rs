//! The web UI end to end, in Debian's headless Chromium driven by playwright-core: this test
//! prepares a ledger (a small demo district, a company collapse for the warning models to find,
//! users of several roles), starts `shanzhi serve` on a free port and runs the Node suite in
//! `e2e/` against it, failing with Node's output when the suite fails.
//!
//! Without Node or `/usr/bin/chromium` it prints a notice and passes, except in CI (`CI` set),
//! where it fails: `.ci/run` installs Chromium.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{Days, FixedOffset, Utc};
use serde_json::json;

const KEY: &str = "browser test personal data key";
const CHROMIUM: &str = "/usr/bin/chromium";

/// The town and village where the clerk registers the case, the department that the routing
/// rules make its lead (wage arrears: the town's social governance centre), and another town.
const TOWN: &str = "330110014"; // 中泰街道
const VILLAGE: &str = "330110014001"; // 桃源社区
const LEAD: &str = "中泰街道社会治理中心";
const OTHER_TOWN: &str = "330110005"; // 五常街道

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e").canonicalize().expect("the e2e directory")
}

/// Whether the browser suite can run here; if not, why.
fn missing_tools() -> Option<String> {
    let chromium = std::env::var("SHANZHI_E2E_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is missing (Debian: apt-get install chromium)"));
    }
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => None,
        _ => Some("node is missing (Debian: apt-get install nodejs npm)".into()),
    }
}

fn shanzhi(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shanzhi"));
    cmd.env("SHANZHI_DB", db).env("SHANZHI_PII_KEY", KEY).env_remove("SHANZHI_CONFIG").env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command, what: &str) -> String {
    let Output { status, stdout, stderr } = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    assert!(status.success(), "{what} failed ({status}):\n{stdout}\n{}", String::from_utf8_lossy(&stderr));
    stdout
}

/// 24 complaints in two days from different people against one training company: the event
/// model's red warning (涉众) for the analyst to acknowledge.
fn company_collapse(file: &Path) {
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap();
    let today = Utc::now().with_timezone(&beijing).date_naive();
    let towns = ["中泰街道", "五常街道", "良渚街道", "仓前街道", "闲林街道"];
    let lines: Vec<String> = (0..24u32)
        .map(|n| {
            let day = today - Days::new(1 + u64::from(n % 2));
            let text = if n == 0 {
                "杭州智学未来教育科技有限公司突然停课，学员8000余人，预付学费4000万元无法退还，家长准备集体上访。"
            } else {
                "杭州智学未来教育科技有限公司停课跑路，预付的学费不退，要求退款。"
            };
            json!({
                "channel": "hotline",
                "external_id": format!("e2e-zx-{n}"),
                "received_at": format!("{day} 09:{n:02}"),
                "region": towns[n as usize % towns.len()],
                "text": text,
                "parties": [{"role": "complainant", "name": format!("家长{n}"), "phone": format!("137{n:08}")}],
            })
            .to_string()
        })
        .collect();
    std::fs::write(file, lines.join("\n") + "\n").unwrap();
}

/// The server, stopped when dropped.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn healthy(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200")
}

fn serve(db: &str, dir: &Path) -> (Server, String) {
    let log = dir.join("serve.log");
    for _ in 0..5 {
        let port = free_port();
        let child = shanzhi(db)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
            .stderr(Stdio::from(std::fs::File::options().append(true).open(&log).unwrap()))
            .spawn()
            .expect("start shanzhi serve");
        let mut server = Server { child, log: log.clone() };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(90) {
            if healthy(port) {
                return (server, format!("http://127.0.0.1:{port}"));
            }
            if let Ok(Some(_)) = server.child.try_wait() {
                break; // the port was taken in between, or it failed: the log says which
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        eprintln!("shanzhi serve did not come up on port {port}:\n{}", server.log_tail());
    }
    panic!("shanzhi serve did not start");
}

#[test]
fn the_workbench_works_in_a_real_browser() {
    if let Some(why) = missing_tools() {
        if std::env::var_os("CI").is_some() {
            panic!("the browser suite cannot run in CI: {why}");
        }
        eprintln!("notice: the browser end-to-end suite is skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("ledger.db").display());

    // A small district with a year of history, a collapse for the warning models, and users.
    run(shanzhi(&db).args(["demo", "--cases", "400"]), "shanzhi demo");
    let burst = dir.path().join("collapse.jsonl");
    company_collapse(&burst);
    run(shanzhi(&db).arg("import").arg(&burst), "shanzhi import");
    run(shanzhi(&db).arg("scan"), "shanzhi scan");
    let password = format!("e2e-{}-{}", std::process::id(), Utc::now().timestamp_micros());
    let users = [
        ("clerk", "e2e-clerk", "窗口·周敏", vec!["--role", "clerk"]),
        ("handler", "e2e-handler", "中泰·李明", vec!["--role", "handler", "--department", LEAD]),
        ("analyst", "e2e-analyst", "指挥中心·陈晓", vec!["--role", "analyst"]),
        ("other_town", "e2e-wuchang", "五常·沈杰", vec!["--role", "town", "--region", OTHER_TOWN]),
    ];
    let mut users_json = serde_json::Map::new();
    for (who, username, name, scope) in &users {
        let mut cmd = shanzhi(&db);
        cmd.args(["user", "add", username, "--name", name, "--password-stdin"]).args(scope);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("shanzhi user add");
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "user add {username}: {}", String::from_utf8_lossy(&out.stderr));
        users_json.insert((*who).into(), json!({ "username": username, "password": password, "display_name": name }));
    }
    let fixture = json!({
        "marker": "青禾精工",
        "town": TOWN,
        "village": VILLAGE,
        "department": LEAD,
        "other_town": OTHER_TOWN,
        "id_number": "11010519491231002X",
        "warning_subject": "智学未来",
        "towns": 12,
    });

    let (server, base_url) = serve(&db, dir.path());

    let e2e = e2e_dir();
    if !e2e.join("node_modules/playwright-core").exists() {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&e2e), "npm ci in e2e/");
    }
    let started = Instant::now();
    let output = Command::new("node")
        .args(["--test", "--test-reporter=spec", "workbench.test.mjs"])
        .current_dir(&e2e)
        .env("SHANZHI_E2E_BASE_URL", &base_url)
        .env("SHANZHI_E2E_USERS", serde_json::Value::Object(users_json).to_string())
        .env("SHANZHI_E2E_FIXTURE", fixture.to_string())
        .env_remove("SHANZHI_E2E_DEV_ASSETS")
        .output()
        .expect("run node --test");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        panic!(
            "the browser suite failed ({}), screenshots in {}:\n{report}\n--- shanzhi serve (last lines) ---\n{}",
            output.status,
            e2e.join("screenshots").display(),
            server.log_tail()
        );
    }
    eprintln!("browser suite passed in {:.1} s:\n{report}", started.elapsed().as_secs_f64());
}
