use std::process::ExitCode;

use chrono::NaiveDate;
use serde_json::json;

use crate::ledger::Ledger;
use crate::warnings;

/// Runs the four warning models as of a day, records the warnings and prints them.
pub async fn run(ledger: &Ledger, as_of: Option<NaiveDate>, as_json: bool) -> anyhow::Result<ExitCode> {
    let as_of = as_of.unwrap_or_else(|| shanzhi_core::calendar::local_date(chrono::Utc::now()));
    let run = warnings::run(ledger, as_of).await?;
    if as_json {
        let list: Vec<_> = run
            .warnings
            .iter()
            .map(|w| {
                json!({
                    "model": w.model,
                    "level": w.level,
                    "subject": w.subject,
                    "score": w.score,
                    "statistic": w.statistic,
                    "explanation": w.explanation,
                    "case_ids": w.case_ids,
                    "since": w.since,
                })
            })
            .collect();
        serde_json::to_writer_pretty(std::io::stdout().lock(), &list)?;
        println!();
    } else {
        println!(
            "{as_of} 预警研判：读取{}件，预警{}条（新发{}条，更新{}条，已排除不再提示{}条），用时{:.1}秒",
            run.cases_read,
            run.warnings.len(),
            run.outcome.raised.len(),
            run.outcome.updated.len(),
            run.outcome.ignored,
            run.elapsed.as_secs_f64()
        );
        for w in &run.warnings {
            println!("[{}][{}] {}  {}", w.level.label(), w.model.label(), w.subject.label, w.explanation);
        }
    }
    Ok(ExitCode::SUCCESS)
}
