//! Shared pieces of the StackRush benchmarks: starting the real app on a given store, and an
//! HTTP load driver that reports latency percentiles.

pub mod dataset;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use stackrush_api::settings::Settings;
use stackrush_api::startup::Application;

/// The JWT secret the benchmarked app runs with (benchmarks mint their own access tokens).
pub const JWT_SECRET: &str = "bench-jwt-secret-that-is-long-enough-0123456789";

/// Starts the app on `database` (SQLite) on a free port with rate limits out of the way;
/// returns its base URL.
pub async fn start_app(
    database: &std::path::Path,
    mail: &std::path::Path,
) -> anyhow::Result<String> {
    let vars: HashMap<&str, String> = HashMap::from([
        ("PORT", "0".to_owned()),
        ("DATABASE_PATH", database.display().to_string()),
        ("MAIL_DIR", mail.display().to_string()),
        ("JWT_SECRET", JWT_SECRET.to_owned()),
        (
            "REFRESH_TOKEN_SECRET",
            "bench-refresh-secret-that-is-long-enough-0123".to_owned(),
        ),
        ("RATE_LIMIT_PER_MINUTE", "100000000".to_owned()),
        ("AUTH_RATE_LIMIT_PER_MINUTE", "100000000".to_owned()),
        ("LOG_FORMAT", "json".to_owned()),
        ("RUST_LOG", "error".to_owned()),
    ]);
    let settings = Settings::from_lookup(&|name| vars.get(name).cloned())?;
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Ok(base)
}

/// Latency figures of one scenario.
#[derive(Debug, Clone)]
pub struct Report {
    pub name: String,
    pub requests: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} |",
            self.name,
            self.requests,
            self.errors,
            self.per_second,
            ms(self.p50),
            ms(self.p99),
            ms(self.max)
        )
    }
}

/// Runs `connections` clients for `duration`, each sending `request(i)` (a URL and an optional
/// bearer token) in a loop; a response other than 200 counts as an error.
pub async fn drive<F>(
    name: &str,
    connections: usize,
    duration: Duration,
    request: F,
) -> anyhow::Result<Report>
where
    F: Fn(u64) -> (String, Option<String>) + Send + Sync + Clone + 'static,
{
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()?;
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for worker in 0..connections {
        let client = client.clone();
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut i = worker as u64;
            while Instant::now() < deadline {
                let (url, token) = request(i);
                i += connections as u64;
                let mut req = client.get(url);
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                let t0 = Instant::now();
                let ok = match req.send().await {
                    Ok(resp) => resp.status() == 200 && resp.bytes().await.is_ok(),
                    Err(_) => false,
                };
                latencies.push(t0.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    all.sort_unstable();
    let at = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(Report {
        name: name.to_owned(),
        requests: all.len(),
        errors,
        per_second: all.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        max: all.last().copied().unwrap_or_default(),
    })
}
