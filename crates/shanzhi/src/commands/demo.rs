use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::config::Config;
use crate::demo;
use crate::ledger::{Ledger, Mode};

pub async fn run(
    db: &str,
    config: &Config,
    options: &demo::DemoOptions,
    out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    match out {
        Some(path) => {
            let gazetteer = crate::ledger::load_gazetteer(config)?;
            let records = demo::generate(&gazetteer, options)?;
            let mut file =
                BufWriter::new(std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?);
            for record in &records {
                serde_json::to_writer(&mut file, record)?;
                file.write_all(b"\n")?;
            }
            file.flush()?;
            println!("wrote {} demo records to {}", records.len(), path.display());
        }
        None => {
            let ledger = Ledger::open(db, config, Mode::Demo).await?;
            let loaded = demo::load_with(&ledger, options).await?;
            println!(
                "loaded {} demo cases with {} history events ({} already present)",
                loaded.registered,
                loaded.events,
                options.cases as usize - loaded.registered
            );
            println!("{}", demo::POPULATION_NOTE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
