use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use shanzhi_web::Application;

use crate::demo;
use crate::jobs::{self, WarningScan};
use crate::ledger::Ledger;

/// How often the warning models run over the ledger (and once at start).
const WARNING_SCAN_EVERY: Duration = Duration::from_secs(60 * 60);

/// Serves the ledger; with `demo_cases`, a demo ledger of that many cases is loaded first when
/// the ledger is empty, and the demo users are added and printed.
pub async fn run(ledger: Ledger, addr: SocketAddr, demo_cases: Option<u32>) -> anyhow::Result<ExitCode> {
    let demo = demo_cases.is_some();
    let mut filled_now = false;
    if let Some(cases) = demo_cases
        && ledger.store.count_cases().await? == 0
    {
        let loaded = demo::load(&ledger, cases, 1).await?;
        tracing::info!(cases = loaded.registered, events = loaded.events, "demo ledger loaded");
        filled_now = true;
    }
    let demo_users =
        if demo { demo::users::ensure(&ledger, filled_now).await.context("adding the demo users")? } else { None };
    let state = ledger.app_state();
    let app = Application::build(addr, state).await.with_context(|| format!("binding {addr}"))?;
    let url = format!("http://{}/", app.local_addr());
    tracing::info!(%url, district = %ledger.gazetteer.district().official_name, "shanzhi is serving");
    println!("善治 shanzhi is running at {url}  (Ctrl-C stops it)");
    if let Some((users, password)) = demo_users {
        println!("演示账号（仅演示模式），密码均为 {password}：");
        for user in users {
            println!("  {:<12} {}（{} · {}）", user.username, user.name, user.role, user.scope);
        }
        println!("{}", demo::POPULATION_NOTE);
    }
    let background = jobs::spawn(vec![Box::new(WarningScan { every: WARNING_SCAN_EVERY })], &ledger);
    let served = app.run_until_stopped(shutdown_signal()).await;
    background.iter().for_each(|job| job.abort());
    served?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM: stop taking connections, finish the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
