//! Background jobs of `serve`: each runs at start and then on its interval, in the server's own
//! runtime, until the server stops. A failed run is logged and retried at the next interval; it
//! never stops the server.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::ledger::Ledger;

pub type JobFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

pub trait Job: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn interval(&self) -> Duration;
    fn run<'a>(&'a self, ledger: &'a Ledger) -> JobFuture<'a>;
}

/// Runs the four warning models as of today and records what they find.
pub struct WarningScan {
    pub every: Duration,
}

impl Job for WarningScan {
    fn name(&self) -> &'static str {
        "warning_scan"
    }

    fn interval(&self) -> Duration {
        self.every
    }

    fn run<'a>(&'a self, ledger: &'a Ledger) -> JobFuture<'a> {
        Box::pin(async move {
            let today = shanzhi_core::calendar::local_date(chrono::Utc::now());
            crate::warnings::run(ledger, today).await.map(|_| ())
        })
    }
}

/// Starts every job; they end when the returned handles are aborted (at shutdown).
pub fn spawn(jobs: Vec<Box<dyn Job>>, ledger: &Ledger) -> Vec<tokio::task::JoinHandle<()>> {
    jobs.into_iter()
        .map(|job| {
            let ledger = ledger.clone();
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(job.interval());
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticks.tick().await;
                    if let Err(e) = job.run(&ledger).await {
                        tracing::error!(job = job.name(), error = format!("{e:#}"), "background job failed");
                    }
                }
            })
        })
        .collect()
}
