//! Structured logs on stderr: `RUST_LOG` filters (default `info`), `SHANZHI_LOG_FORMAT=json`
//! for machine-read logs.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = if std::env::var("SHANZHI_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // A second init (in tests) keeps the first subscriber.
    let _ = result;
}
