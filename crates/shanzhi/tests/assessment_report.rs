//! `shanzhi report` on a demo ledger: the workbook's figures read back through LibreOffice equal
//! the CSV export of the same assessment, and a district's own star scheme in `assessment_dir`
//! changes the ratings without a rebuild.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const KEY: &str = "integration test personal data key";

fn shanzhi(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shanzhi"));
    cmd.env("SHANZHI_DB", db).env("SHANZHI_PII_KEY", KEY).env_remove("SHANZHI_CONFIG").env("RUST_LOG", "error");
    cmd
}

#[track_caller]
fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run shanzhi");
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Rows of a CSV file (a leading BOM dropped).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

/// A figure as LibreOffice shows it (`39.5%`, `1,234`, `15.4`) or as the CSV writes it.
fn number(cell: &str) -> Option<f64> {
    let cell = cell.trim().replace(',', "");
    match cell.strip_suffix('%') {
        Some(p) => p.parse::<f64>().ok().map(|p| p / 100.0),
        None => cell.parse().ok(),
    }
}

fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).map(|d| d.join("soffice")).find(|c| c.is_file());
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "LibreOffice is not on PATH in CI: .ci/run installs it");
        eprintln!("notice: LibreOffice (soffice) is not on PATH; the report's round trip is skipped");
    }
    found
}

/// The month before this one: complete, with histories.
fn last_month() -> String {
    use chrono::Datelike;
    let today = shanzhi_core::calendar::local_date(chrono::Utc::now());
    let first = today.with_day(1).unwrap();
    (first - chrono::Days::new(1)).format("%Y-%m").to_string()
}

#[test]
fn the_report_round_trips_through_libreoffice_and_a_new_scheme_rates_anew() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("ledger.db").display());
    ok(shanzhi(&db).args(["demo", "--cases", "4000", "--seed", "5"]));
    let period = last_month();

    let xlsx = dir.path().join("report.xlsx");
    let said = ok(shanzhi(&db).args(["report", "--period", &period, "--out"]).arg(&xlsx));
    assert!(said.contains("223 villages rated and recorded"), "{said}");
    let csv = dir.path().join("report.csv");
    ok(shanzhi(&db).args(["report", "--period", &period, "--no-record", "--out"]).arg(&csv));
    let towns = csv_rows(&csv);
    assert_eq!(towns[0][0], "镇街");
    assert_eq!(towns.len(), 1 + 1 + 12, "header, the district, 12 towns");
    let received: f64 = towns[1][2].parse().unwrap();
    assert!(received > 100.0, "a month of a 4,000-case year: {received}");
    let stars = csv_rows(&dir.path().join("report.村社星级.csv"));
    assert_eq!(stars.len(), 1 + 223);

    // A stricter scheme of the district's own: every village loses 60 points; nothing rebuilt.
    let own = dir.path().join("assessment");
    std::fs::create_dir(&own).unwrap();
    let strict = shanzhi_core::defaults::STAR_SCHEME
        .replace("base_score = 100.0", "base_score = 40.0")
        .replace("version = \"2026.1\"", "version = \"2026.1-严\"");
    std::fs::write(own.join("stars.toml"), strict).unwrap();
    let config = dir.path().join("shanzhi.toml");
    std::fs::write(&config, "assessment_dir = \"assessment\"\n").unwrap();
    let strict_csv = dir.path().join("strict.csv");
    ok(shanzhi(&db).arg("--config").arg(&config).args(["report", "--period", &period, "--out"]).arg(&strict_csv));
    let strict_stars = csv_rows(&dir.path().join("strict.村社星级.csv"));
    let column = stars[0].iter().position(|h| h == "星级").unwrap();
    assert!(stars[1..].iter().any(|r| r[column] != "1"), "the shipped scheme gives more than one star somewhere");
    assert!(strict_stars[1..].iter().all(|r| r[column] == "1"), "40 points is one star everywhere");

    // LibreOffice reads the workbook's 镇街 sheet back to the CSV's figures.
    let Some(soffice) = soffice() else { return };
    let out = dir.path().join("lo");
    let status = Command::new(soffice)
        .arg(format!("-env:UserInstallation=file://{}", dir.path().join("profile").display()))
        .args(["--headless", "--norestore", "--convert-to"])
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1")
        .arg("--outdir")
        .arg(&out)
        .arg(&xlsx)
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // The workbook has a title row above each sheet's header.
    for (sheet, ours, title) in [("镇街", &towns, "镇街考核"), ("村社星级", &stars, "星级平安村社")] {
        let read_back = csv_rows(&out.join(format!("report-{sheet}.csv")));
        assert!(read_back[0][0].contains(title), "{:?}", read_back[0]);
        let read_back = &read_back[1..];
        assert_eq!(read_back.len(), ours.len(), "{sheet}");
        for (lo, ours) in read_back.iter().zip(ours.iter()) {
            // LibreOffice leaves trailing empty cells out.
            assert!(lo.len() <= ours.len() && ours[lo.len()..].iter().all(String::is_empty), "{lo:?} vs {ours:?}");
            for (a, b) in lo.iter().zip(ours) {
                match (number(a), number(b)) {
                    (Some(x), Some(y)) => assert!((x - y).abs() < 0.0051, "{a} vs {b} in {lo:?}"),
                    _ => assert_eq!(a, b, "in {lo:?}"),
                }
            }
        }
    }
}
