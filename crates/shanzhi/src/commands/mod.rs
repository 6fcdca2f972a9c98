//! One function per subcommand; each returns the process's exit code.

mod access;
pub(crate) use access::parse_scope;
mod classify;
mod demo;
mod import;
mod report;
mod scan;
mod scanstat;
mod serve;
mod train;

use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::ledger::{Ledger, Mode};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { addr, demo, demo_cases } => {
            let ledger = Ledger::open(&cli.db, &config, if demo { Mode::Demo } else { Mode::Production }).await?;
            serve::run(ledger, addr, demo.then_some(demo_cases)).await
        }
        Command::Import { files, rejects, batch_size } => {
            let ledger = Ledger::open(&cli.db, &config, Mode::Production).await?;
            import::run(&ledger, &files, rejects, batch_size as usize).await
        }
        Command::Classify => classify::run(&config),
        Command::Scan { as_of, json } => {
            let ledger = Ledger::open(&cli.db, &config, Mode::Existing).await?;
            scan::run(&ledger, as_of, json).await
        }
        Command::Scanstat(args) => scanstat::run(&args),
        Command::Report { period, out, no_record } => {
            let ledger = Ledger::open(&cli.db, &config, Mode::Existing).await?;
            report::run(&ledger, &period, &out, !no_record).await
        }
        Command::Train { activate, list, force } => train::run(&cli.db, &config, activate, list, force).await,
        Command::Migrate => {
            let store = shanzhi_store::open(&cli.db).await.context("migrating the database")?;
            // `open` has applied what was pending; a second look confirms nothing is left.
            let pending = store.migrate().await?;
            println!(
                "database is up to date{}",
                if pending.is_empty() { "" } else { " (after a concurrent migration)" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { cases, seed, years, out } => {
            let options = crate::demo::DemoOptions::new(cases, seed).years(years);
            demo::run(&cli.db, &config, &options, out).await
        }
        Command::User { action } => access::user(&cli.db, &config, action).await,
        Command::Token { action } => access::token(&cli.db, &config, action).await,
    }
}
