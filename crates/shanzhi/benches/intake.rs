//! Intake load benchmark: `shanzhi serve` (the release binary, its own process) on a fresh
//! SQLite ledger, and PostgreSQL when `SHANZHI_TEST_PG` names a server; a load generator on
//! loopback posts varied records (the seeded demo generator) to `POST /api/v1/cases`.
//!
//! Two phases per store:
//! - open loop: requests are sent on a fixed schedule (500/s by default), whatever the answers
//!   do; latency counts from the scheduled send, so a stall shows in the tail instead of hiding
//!   as "fewer requests" (no coordinated omission);
//! - closed loop: 32 clients send as fast as answers come, for the ceiling.
//!
//! Run with `cargo bench -p shanzhi --bench intake` (`-- --rate 800 --seconds 30` to change the
//! open-loop rate and length). The generator shares the machine's cores with the server: the
//! figures are a floor. Prints Markdown rows for BENCHMARKS.md.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use serde_json::Value;
use shanzhi::demo::{DemoOptions, generate};
use shanzhi_core::defaults;
use shanzhi_store::testing::TestDatabase;
use tokio::sync::Mutex;

const CLOSED_LOOP_CLIENTS: usize = 32;
const CLOSED_LOOP_SECONDS: u64 = 10;
const WARM_UP: usize = 300;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: u64| -> anyhow::Result<u64> {
        match args.iter().position(|a| a == name) {
            Some(i) => args.get(i + 1).context("a value after the flag")?.parse().context(name.to_owned()),
            None => Ok(default),
        }
    };
    let rate = flag("--rate", 500)?;
    let seconds = flag("--seconds", 20)?;
    let rt = tokio::runtime::Runtime::new()?;

    let needed = WARM_UP as u64 + rate * seconds + 40_000;
    let gazetteer = defaults::gazetteer(defaults::DEFAULT_DISTRICT)?;
    let options = DemoOptions {
        cases: u32::try_from(needed)?,
        seed: 2,
        until: NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date"),
        years: 1,
    };
    let bodies: Vec<String> = generate(&gazetteer, &options)?
        .into_iter()
        .map(|record| {
            let mut body = serde_json::to_value(&record).expect("records serialize");
            body["actor"] = Value::from("bench:clerk");
            if body["channel"] == "window" {
                // A walk-in has no id in another system: the intake gives it one.
                body.as_object_mut().expect("an object").remove("external_id");
            }
            body.to_string()
        })
        .collect();
    let bodies = Arc::new(bodies);
    println!("{} distinct records from the demo generator (seed 2); open loop {rate}/s for {seconds} s", bodies.len());
    println!();
    println!("| store | phase | requests | rate achieved | p50 | p90 | p99 | max | errors | server peak RSS |");
    println!("|---|---|---|---|---|---|---|---|---|---|");

    let mut stores: Vec<(&str, TestDatabase)> = vec![("SQLite", TestDatabase::sqlite())];
    if std::env::var("SHANZHI_TEST_PG").is_ok() {
        stores.push(("PostgreSQL", rt.block_on(TestDatabase::postgres()).context("SHANZHI_TEST_PG is set")?));
    }
    for (name, db) in stores {
        let mut server = Server::start(&db.url)?;
        let url = format!("{}/api/v1/cases", server.base);
        // The window clerk's intake, as an integration sends it: with a clerk's API token.
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {}", server.token).parse()?);
        let client = reqwest::Client::builder().pool_max_idle_per_host(256).default_headers(headers).build()?;
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        rt.block_on(async {
            let warm = run_closed(&client, &url, &bodies, &next, 8, Duration::ZERO, Some(WARM_UP)).await;
            anyhow::ensure!(warm.errors == 0, "warm-up failed: {:?}", warm.first_error);
            let open = run_open(&client, &url, &bodies, &next, rate, seconds).await;
            row(name, "open loop", &open, server.peak_rss_mb());
            let closed = run_closed(
                &client,
                &url,
                &bodies,
                &next,
                CLOSED_LOOP_CLIENTS,
                Duration::from_secs(CLOSED_LOOP_SECONDS),
                None,
            )
            .await;
            row(name, &format!("closed loop, {CLOSED_LOOP_CLIENTS} clients"), &closed, server.peak_rss_mb());
            if let Some(e) = open.first_error.or(closed.first_error) {
                eprintln!("first error: {e}");
            }
            Ok(())
        })?;
        server.stop();
    }
    Ok(())
}

struct Outcome {
    latencies: Vec<Duration>,
    elapsed: Duration,
    errors: usize,
    first_error: Option<String>,
}

fn row(store: &str, phase: &str, o: &Outcome, rss_mb: Option<f64>) {
    let mut l = o.latencies.clone();
    l.sort();
    let q = |p: f64| l.get(((l.len() as f64 * p).ceil() as usize).saturating_sub(1)).copied().unwrap_or_default();
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
    println!(
        "| {store} | {phase} | {} | {:.0}/s | {} | {} | {} | {} | {} | {} |",
        l.len() + o.errors,
        l.len() as f64 / o.elapsed.as_secs_f64(),
        ms(q(0.50)),
        ms(q(0.90)),
        ms(q(0.99)),
        ms(l.last().copied().unwrap_or_default()),
        o.errors,
        rss_mb.map_or("n/a".into(), |m| format!("{m:.0} MB")),
    );
}

async fn post(client: &reqwest::Client, url: &str, body: &str) -> Result<(), String> {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    if status.as_u16() == 201 {
        Ok(())
    } else {
        Err(format!("{status}: {}", response.text().await.unwrap_or_default()))
    }
}

/// Sends `rate` requests a second on schedule for `seconds`.
async fn run_open(
    client: &reqwest::Client,
    url: &str,
    bodies: &Arc<Vec<String>>,
    next: &Arc<std::sync::atomic::AtomicUsize>,
    rate: u64,
    seconds: u64,
) -> Outcome {
    let total = rate * seconds;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let scheduled = start + interval * u32::try_from(i).expect("fewer than 4e9 requests");
        tokio::time::sleep_until(scheduled).await;
        let (client, url, bodies) = (client.clone(), url.to_owned(), bodies.clone());
        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tasks.push(tokio::spawn(async move {
            let result = post(&client, &url, &bodies[index]).await;
            (scheduled.elapsed(), result)
        }));
    }
    let mut outcome = Outcome { latencies: Vec::new(), elapsed: Duration::ZERO, errors: 0, first_error: None };
    for task in tasks {
        let (latency, result) = task.await.expect("request task");
        match result {
            Ok(()) => outcome.latencies.push(latency),
            Err(e) => {
                outcome.errors += 1;
                outcome.first_error.get_or_insert(e);
            }
        }
    }
    outcome.elapsed = start.elapsed();
    outcome
}

/// `clients` loops each sending the next request when the last is answered, for `duration` or
/// until `count` requests are done.
async fn run_closed(
    client: &reqwest::Client,
    url: &str,
    bodies: &Arc<Vec<String>>,
    next: &Arc<std::sync::atomic::AtomicUsize>,
    clients: usize,
    duration: Duration,
    count: Option<usize>,
) -> Outcome {
    let outcome =
        Arc::new(Mutex::new(Outcome { latencies: Vec::new(), elapsed: Duration::ZERO, errors: 0, first_error: None }));
    let start = Instant::now();
    let stop_at = count.map_or(usize::MAX, |c| next.load(std::sync::atomic::Ordering::Relaxed) + c);
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url, bodies, next, outcome) =
                (client.clone(), url.to_owned(), bodies.clone(), next.clone(), outcome.clone());
            tokio::spawn(async move {
                loop {
                    if count.is_none() && start.elapsed() >= duration {
                        break;
                    }
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if index >= stop_at || index >= bodies.len() {
                        break;
                    }
                    let sent = Instant::now();
                    let result = post(&client, &url, &bodies[index]).await;
                    let mut o = outcome.lock().await;
                    match result {
                        Ok(()) => o.latencies.push(sent.elapsed()),
                        Err(e) => {
                            o.errors += 1;
                            o.first_error.get_or_insert(e);
                        }
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("client task");
    }
    let mut o = Arc::try_unwrap(outcome).ok().expect("workers are done").into_inner();
    o.elapsed = start.elapsed();
    o
}

/// `shanzhi serve` in its own process.
struct Server {
    child: Child,
    base: String,
    token: String,
}

impl Server {
    fn start(db_url: &str) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let created = Command::new(env!("CARGO_BIN_EXE_shanzhi"))
            .args(["token", "create", "--db", db_url, "--role", "clerk", "--name", "intake-bench"])
            .env("RUST_LOG", "warn")
            .output()
            .context("creating an API token")?;
        let stdout = String::from_utf8(created.stdout)?;
        let token =
            stdout.lines().last().filter(|_| created.status.success()).context("no API token printed")?.to_owned();
        let child = Command::new(env!("CARGO_BIN_EXE_shanzhi"))
            .args(["serve", "--db", db_url, "--addr", &format!("127.0.0.1:{port}")])
            .env("SHANZHI_PII_KEY", "intake benchmark personal data key")
            .env("RUST_LOG", std::env::var("SHANZHI_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting shanzhi serve")?;
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(60) {
                bail!("shanzhi serve did not start within 60 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Server { child, base, token })
    }

    /// The server's peak resident memory (Linux), in MB.
    fn peak_rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: f64 =
            status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kb / 1024.0)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
