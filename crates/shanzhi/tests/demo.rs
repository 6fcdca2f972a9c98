//! The demo district as a newcomer meets it: `shanzhi demo` and then `shanzhi scan` on a fresh
//! ledger show warnings of every model on day one (the situations of data/demo/plants.toml), the
//! same for the same seed; and the demo's records pass the import's validation like real data.

use std::collections::BTreeSet;
use std::process::{Command, Output};

use serde_json::Value;
use shanzhi_store::testing::TestDatabase;

const KEY: &str = "demo integration test personal data key";

fn shanzhi(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shanzhi"));
    cmd.env("SHANZHI_DB", db).env("SHANZHI_PII_KEY", KEY).env_remove("SHANZHI_CONFIG").env("RUST_LOG", "warn");
    cmd
}

fn ok(cmd: &mut Command) -> String {
    let Output { status, stdout, stderr } = cmd.output().expect("run shanzhi");
    assert!(status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&stderr));
    String::from_utf8(stdout).expect("UTF-8 output")
}

/// A fresh demo ledger of `cases` and `seed`, scanned today: (model, level, subject key, label).
fn day_one(cases: u32, seed: u64) -> Vec<(String, String, String, String)> {
    let db = TestDatabase::sqlite();
    ok(shanzhi(&db.url).args(["demo", "--cases", &cases.to_string(), "--seed", &seed.to_string()]));
    let out = ok(shanzhi(&db.url).args(["scan", "--json"]));
    let warnings: Vec<Value> = serde_json::from_str(&out).expect("scan --json prints a JSON array");
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut found: Vec<_> = warnings
        .iter()
        .map(|w| (text(&w["model"]), text(&w["level"]), text(&w["subject"]["key"]), text(&w["subject"]["label"])))
        .collect();
    found.sort();
    found
}

#[test]
fn a_demo_ledger_shows_warnings_of_every_model_on_day_one_the_same_for_the_same_seed() {
    let first = day_one(3_000, 7);
    let models: BTreeSet<&str> = first.iter().map(|(m, ..)| m.as_str()).collect();
    assert_eq!(models, BTreeSet::from(["event", "industry", "person", "region"]), "{first:#?}");
    assert!(first.iter().any(|(_, level, ..)| level == "red" || level == "orange"), "{first:#?}");
    // Planted, not chance: the collapse's brand, an escalating person, a hotspot village.
    let (_, _, _, respondent) = first.iter().find(|(m, ..)| m == "event").unwrap();
    let plants = include_str!("../../../data/demo/plants.toml");
    let brands = plants.lines().find(|l| l.starts_with("brands = ")).expect("the collapse's brands");
    let brands: Vec<&str> = brands.split('"').skip(1).step_by(2).collect();
    assert!(brands.iter().any(|b| respondent.contains(b)), "{respondent} is none of {brands:?}");
    assert!(first.len() <= 12, "day one is a handful of warnings, not noise: {first:#?}");

    let again = day_one(3_000, 7);
    assert_eq!(first, again, "the same seed gives the same warnings");
}

#[test]
fn the_demo_records_pass_the_import_as_real_data_would() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.jsonl");
    let db = TestDatabase::sqlite();
    ok(shanzhi(&db.url).args(["demo", "--cases", "3000", "--seed", "7", "--out"]).arg(&file));
    let out = ok(shanzhi(&db.url).arg("import").arg(&file));
    assert!(out.contains("3000 imported, 0 already present, 0 rejected"), "{out}");
}
