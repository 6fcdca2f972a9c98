//! `serve --demo` on a real ledger: the demo accounts (an administrator among them, sharing one
//! password that the database keeps in clear) are for demo ledgers only.

use std::io::{BufRead, BufReader, Write};
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

#[test]
fn serve_demo_adds_no_demo_accounts_to_a_real_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("real.jsonl");
    let mut f = std::fs::File::create(&file).unwrap();
    writeln!(
        f,
        r#"{{"channel": "hotline", "external_id": "12345-1", "received_at": "2026-10-01 10:00", "region": "中泰街道南湖村", "text": "小区物业停车费上涨，业主不满。"}}"#
    )
    .unwrap();
    let real = TestDatabase::sqlite();
    let (code, _, stderr) = run(shanzhi(&real.url).arg("import").arg(&file));
    assert_eq!(code, 0, "{stderr}");

    let mut child = shanzhi(&real.url)
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("http://"), "the server runs: {line:?}");

    let (code, users, stderr) = run(shanzhi(&real.url).args(["user", "list"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(users.trim(), "", "a real ledger has no demo users");

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(20), "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(!rest.contains("演示账号"), "{rest}");
}
