//! Import benchmark: a 30,000-record ledger file (the seeded demo generator) into a fresh
//! SQLite database, then the same file again (which must add nothing); on PostgreSQL too when
//! `SHANZHI_TEST_PG` names a server. Run with `cargo bench -p shanzhi --bench import`.
//! Prints Markdown rows for BENCHMARKS.md.

use std::io::{BufWriter, Write};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use shanzhi::config::Config;
use shanzhi::demo::{DemoOptions, generate};
use shanzhi::import::{ImportOptions, import_file};
use shanzhi::ledger::{Ledger, Mode};
use shanzhi_core::defaults;
use shanzhi_store::testing::TestDatabase;

const RECORDS: u32 = 30_000;
const RUNS: usize = 3;

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("ledger-30000.jsonl");
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT)?;
    let options = DemoOptions {
        cases: RECORDS,
        seed: 1,
        until: NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date"),
        years: 1,
    };
    let mut out = BufWriter::new(std::fs::File::create(&file)?);
    for record in generate(&gazetteer, &options)? {
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    drop(out);
    let size_mb = std::fs::metadata(&file)?.len() as f64 / 1e6;
    println!("input: {RECORDS} records, {size_mb:.1} MB JSON Lines (demo generator, seed 1)");
    println!();
    println!("| figure | median of {RUNS} | min | max | rows/s (median) |");
    println!("|---|---|---|---|---|");

    let config = Config {
        district: defaults::DEFAULT_DISTRICT,
        divisions_dir: None,
        departments: None,
        workflow_dir: None,
        holidays: None,
        risk_dir: None,
        assessment_dir: None,
        pii_secret: Some("benchmark personal data key".into()),
    };
    let import_options = ImportOptions { progress: false, ..ImportOptions::default() };

    let mut backends = vec![("SQLite", Some(TestDatabase::sqlite as fn() -> TestDatabase))];
    if std::env::var("SHANZHI_TEST_PG").is_ok() {
        backends.push(("PostgreSQL", None));
    }
    for (name, make_sqlite) in backends {
        let (mut first, mut again) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let db = match make_sqlite {
                Some(make) => make(),
                None => rt.block_on(TestDatabase::postgres()).expect("SHANZHI_TEST_PG is set"),
            };
            let ledger = rt.block_on(Ledger::open(&db.url, &config, Mode::Production))?;
            let started = Instant::now();
            let summary = rt.block_on(import_file(&ledger, &file, &import_options))?;
            first.push(started.elapsed());
            assert_eq!((summary.imported, summary.rejected), (u64::from(RECORDS), 0), "every demo record imports");
            let started = Instant::now();
            let summary = rt.block_on(import_file(&ledger, &file, &import_options))?;
            again.push(started.elapsed());
            assert_eq!((summary.imported, summary.already_present), (0, u64::from(RECORDS)), "re-import adds nothing");
        }
        row(&format!("import {RECORDS} records into {name} (fresh)"), &mut first);
        row(&format!("re-import the same file into {name} (adds nothing)"), &mut again);
    }
    Ok(())
}

fn row(figure: &str, times: &mut [Duration]) {
    times.sort();
    let median = times[times.len() / 2];
    let rate = f64::from(RECORDS) / median.as_secs_f64();
    println!(
        "| {figure} | {:.2} s | {:.2} s | {:.2} s | {rate:.0} |",
        median.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64()
    );
}
