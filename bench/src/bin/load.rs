//! Issue 5's load benchmarks: the release server as its own process pinned to core 0, `wrk`
//! pinned to core 1, and every scenario reported beside `GET /health` of the same run, with
//! p50/p99, errors and the server's peak RSS. Run it through `bench/load.sh`, which builds the
//! release binaries and pins this driver (dataset generation, checks) to core 1 as well.
//!
//! ```sh
//! bench/load.sh                                    # SQLite: every scenario
//! bench/load.sh --mongodb-uri 'mongodb://127.0.0.1:27017/?directConnection=true'
//! bench/load.sh --board-db target/bench/leaderboard-1000000.db   # leaderboards, 1M users
//! bench/load.sh --soak-minutes 10                  # memory over a soak at half capacity
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use clap::Parser;
use serde_json::{json, Value};

const ADMIN_EMAIL: &str = "bench-admin@stackrush.test";
const ADMIN_PASSWORD: &str = "Bench-Admin-Password-1";
const PASSWORD: &str = "Bench-Password-1";

#[derive(Parser, Clone)]
struct Args {
    /// Run on MongoDB at this URI (a fresh database) instead of a fresh SQLite file.
    #[arg(long)]
    mongodb_uri: Option<String>,
    /// Only the leaderboard scenarios, on this SQLite file from `--bin leaderboard`.
    #[arg(long)]
    board_db: Option<PathBuf>,
    /// Only the community scenarios, on this SQLite file from `--bin community`.
    #[arg(long)]
    community_db: Option<PathBuf>,
    /// Only the templates scenarios, on this SQLite file from `--bin templates`.
    #[arg(long)]
    templates_db: Option<PathBuf>,
    /// Only the analytics scenarios, on this SQLite file from `--bin analytics`.
    #[arg(long)]
    analytics_db: Option<PathBuf>,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seconds each read scenario runs unmeasured first (tokens verified, pages and counts read
    /// once): the figures are the steady state.
    #[arg(long, default_value_t = 3)]
    warmup_seconds: u64,
    /// wrk connections for the read scenarios.
    #[arg(long, default_value_t = 64)]
    connections: u32,
    /// Challenges in the catalogue.
    #[arg(long, default_value_t = 10_000)]
    challenges: usize,
    /// Users (each with 10 notifications, 3 unread).
    #[arg(long, default_value_t = 2_000)]
    users: usize,
    /// Rounds of the login-flood comparison (quiet, then flooded), each reported; the goal is
    /// judged on the median round, as a sub-millisecond p99 varies between runs of its own.
    #[arg(long, default_value_t = 3)]
    flood_rounds: u32,
    /// Run only the memory soak, this many minutes at half the measured capacity.
    #[arg(long)]
    soak_minutes: Option<u64>,
    /// Run only the scoring write path (and the ledger check after it), without the reads and
    /// the login flood.
    #[arg(long)]
    scoring_only: bool,
    /// Where the SQLite file and scripts go (a fresh temporary folder by default).
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

/// One scenario's figures.
struct Row {
    name: String,
    connections: u32,
    requests: u64,
    errors: u64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    peak_rss_mb: f64,
}

/// The server under test.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(bin: &Path, env: &[(&str, String)]) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut command = Command::new("taskset");
        command
            .args(["-c", "0"])
            .arg(bin)
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .env("JWT_SECRET", stackrush_bench::JWT_SECRET)
            .env(
                "REFRESH_TOKEN_SECRET",
                "bench-refresh-secret-that-is-long-enough-0123",
            )
            .env("ADMIN_EMAIL", ADMIN_EMAIL)
            .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RATE_LIMIT_PER_MINUTE", "1000000000")
            .env("AUTH_RATE_LIMIT_PER_MINUTE", "1000000000")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            // Tokens minted at generation must outlive a soak.
            .env("ACCESS_TOKEN_TTL_SECS", "7200")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command
            .spawn()
            .context("starting the server under taskset")?;
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
                let _ = s.write_all(b"GET /ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut answer = String::new();
                let _ = std::io::Read::read_to_string(&mut s, &mut answer);
                if answer.starts_with("HTTP/1.1 200") {
                    break;
                }
            }
            if started.elapsed() > Duration::from_secs(60) {
                bail!("the server did not become ready");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Server { child, base })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's own pid (taskset execs it, so it is the child's).
    fn status_kb(&self, field: &str) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    }

    /// Starts a new peak-RSS window (root may reset the high-water mark).
    fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5");
    }

    fn peak_rss_mb(&self) -> f64 {
        self.status_kb("VmHWM:") / 1024.0
    }

    fn rss_mb(&self) -> f64 {
        self.status_kb("VmRSS:") / 1024.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The Lua `done` hook every script shares: one machine-readable line.
const DONE: &str = r#"
local threads = {}
setup = function(thread) table.insert(threads, thread) end
done = function(summary, latency, requests)
  local scored = 0
  for _, t in ipairs(threads) do scored = scored + (t:get("scored") or 0) end
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), scored))
end
"#;

struct Wrk {
    requests: u64,
    duration: Duration,
    errors: u64,
    p50: Duration,
    p99: Duration,
    scored: u64,
}

/// Runs wrk (pinned to core 1) with `script` against `url`.
fn wrk(
    dir: &Path,
    name: &str,
    url: &str,
    connections: u32,
    seconds: u64,
    script: &str,
) -> anyhow::Result<Wrk> {
    let path = dir.join(format!(
        "{}.lua",
        name.replace(['/', ' ', '?', '&', '='], "_")
    ));
    std::fs::write(&path, format!("{script}\n{DONE}"))?;
    let output = Command::new("taskset")
        .args(["-c", "1", "wrk", "-t1"])
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("--timeout")
        .arg("10s")
        .arg("-s")
        .arg(&path)
        .arg(url)
        .output()
        .context("running wrk (apt install wrk)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("WRK_RESULT "))
        .ok_or_else(|| {
            anyhow!(
                "wrk printed no result: {text} {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    let n: Vec<u64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let [requests, duration_us, status_errors, socket_errors, p50, p99, scored] = n[..] else {
        bail!("unexpected wrk result: {line}");
    };
    Ok(Wrk {
        requests,
        duration: Duration::from_micros(duration_us),
        errors: status_errors + socket_errors,
        p50: Duration::from_micros(p50),
        p99: Duration::from_micros(p99),
        scored,
    })
}

/// A Lua string literal.
fn lua(s: &str) -> String {
    format!("{s:?}")
}

/// A script issuing GETs over `paths` in turn, with `tokens` in turn (none when empty).
fn get_script(dir: &Path, paths: &[String], tokens: &[String]) -> anyhow::Result<String> {
    let tokens_file = dir.join("tokens.txt");
    std::fs::write(&tokens_file, tokens.join("\n"))?;
    let list = paths.iter().map(|p| lua(p)).collect::<Vec<_>>().join(", ");
    Ok(format!(
        r#"
local paths = {{ {list} }}
local tokens = {{}}
for line in io.lines({tokens}) do if #line > 0 then tokens[#tokens + 1] = line end end
local i = 0
request = function()
  i = i + 1
  local headers = {{}}
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[(i * 7919) % #tokens + 1] end
  return wrk.format("GET", paths[i % #paths + 1], headers)
end
"#,
        tokens = lua(&tokens_file.display().to_string())
    ))
}

fn row(name: &str, connections: u32, w: &Wrk, server: &Server) -> Row {
    Row {
        name: name.to_owned(),
        connections,
        requests: w.requests,
        errors: w.errors,
        per_second: w.requests as f64 / w.duration.as_secs_f64(),
        p50_ms: w.p50.as_secs_f64() * 1000.0,
        p99_ms: w.p99.as_secs_f64() * 1000.0,
        peak_rss_mb: server.peak_rss_mb(),
    }
}

/// Runs one GET scenario and prints its row.
fn scenario(
    ctx: &Ctx,
    name: &str,
    paths: &[String],
    tokens: &[String],
    connections: u32,
) -> anyhow::Result<Row> {
    let script = get_script(&ctx.dir, paths, tokens)?;
    if ctx.warmup_seconds > 0 {
        wrk(
            &ctx.dir,
            name,
            &ctx.server.base,
            connections,
            ctx.warmup_seconds,
            &script,
        )?;
    }
    ctx.server.reset_peak();
    let w = wrk(
        &ctx.dir,
        name,
        &ctx.server.base,
        connections,
        ctx.seconds,
        &script,
    )?;
    let r = row(name, connections, &w, &ctx.server);
    print_row(&r, ctx.ceiling);
    Ok(r)
}

fn print_header(store: &str) {
    println!("\nStore: **{store}**\n");
    println!("| scenario | conns | requests | errors | req/s | % of ceiling | p50 ms | p99 ms | peak RSS MB |");
    println!("|---|---|---|---|---|---|---|---|---|");
}

fn print_row(r: &Row, ceiling: Option<f64>) {
    let share = ceiling.map_or("100%".to_owned(), |c| {
        format!("{:.0}%", r.per_second * 100.0 / c)
    });
    println!(
        "| {} | {} | {} | {} | {:.0} | {} | {:.2} | {:.2} | {:.0} |",
        r.name,
        r.connections,
        r.requests,
        r.errors,
        r.per_second,
        share,
        r.p50_ms,
        r.p99_ms,
        r.peak_rss_mb
    );
}

struct Ctx {
    server: Server,
    dir: PathBuf,
    seconds: u64,
    warmup_seconds: u64,
    ceiling: Option<f64>,
}

/// A small JSON client for generating data and checking invariants.
#[derive(Clone)]
struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(b);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    async fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        want: u16,
    ) -> anyhow::Result<Value> {
        let (status, answer) = self.send(method, path, token, body).await?;
        if status != want {
            bail!("{path}: {status} {answer}");
        }
        Ok(answer)
    }

    async fn get(&self, path: &str, token: &str) -> anyhow::Result<Value> {
        self.expect(reqwest::Method::GET, path, Some(token), None, 200)
            .await
    }

    async fn created(&self, path: &str, token: &str, body: &Value) -> anyhow::Result<Value> {
        self.expect(reqwest::Method::POST, path, Some(token), Some(body), 201)
            .await
    }

    async fn register(&self, name: &str) -> anyhow::Result<()> {
        let body =
            json!({"email": format!("{name}@example.com"), "username": name, "password": PASSWORD});
        self.expect(
            reqwest::Method::POST,
            "/api/auth/register",
            None,
            Some(&body),
            201,
        )
        .await?;
        Ok(())
    }

    async fn login(&self, identifier: &str, password: &str) -> anyhow::Result<(String, String)> {
        let body = json!({"identifier": identifier, "password": password});
        let answer = self
            .expect(
                reqwest::Method::POST,
                "/api/auth/login",
                None,
                Some(&body),
                200,
            )
            .await?;
        let token = answer["data"]["tokens"]["accessToken"]
            .as_str()
            .ok_or_else(|| anyhow!("no token"))?;
        let id = answer["data"]["user"]["_id"]
            .as_str()
            .ok_or_else(|| anyhow!("no id"))?;
        Ok((id.to_owned(), token.to_owned()))
    }
}

/// Runs `jobs` with `width` in flight, ticking `bar`.
async fn in_parallel<T, F>(
    width: usize,
    jobs: Vec<F>,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<Vec<T>>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    use futures::StreamExt;
    let results: Vec<anyhow::Result<T>> = futures::stream::iter(jobs)
        .map(|job| async {
            let r = job.await;
            bar.inc(1);
            r
        })
        .buffer_unordered(width)
        .collect()
        .await;
    bar.finish();
    results.into_iter().collect()
}

/// The dataset: challenges of every kind, users with tokens and notifications, and a few
/// challenges whose test ids are known (for scoring).
struct Dataset {
    users: Vec<(String, String)>,
    scoring_challenges: Vec<(String, String)>,
}

const TYPES: [&str; 3] = ["dsa", "bug-fix", "feature"];
const LEVELS: [&str; 3] = ["Easy", "Medium", "Hard"];
const CATEGORIES: [&str; 5] = ["arrays", "strings", "graphs", "react", "apis"];

fn challenge_body(i: usize) -> Value {
    json!({
        "title": format!("Challenge {i}: {}", CATEGORIES[i % 5]),
        "description": format!("Generated challenge number {i} for the load benchmark."),
        "type": TYPES[i % 3],
        "difficulty": LEVELS[(i / 3) % 3],
        "category": CATEGORIES[i % 5],
        "tags": [CATEGORIES[i % 5], format!("tag{}", i % 40)],
        "timeLimit": 30,
        "content": {"problemStatement": "Return the indices of two numbers adding up to target."},
        "code": {"testCases": [
            {"input": "[2,7], 9", "expectedOutput": "[0,1]"},
            {"input": "[3,3], 6", "expectedOutput": "[0,1]", "isHidden": true}
        ]}
    })
}

async fn generate(api: &Api, args: &Args) -> anyhow::Result<Dataset> {
    let (_, admin) = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    println!(
        "generating {} challenges, {} users",
        args.challenges, args.users
    );
    let bar = stackrush_bench::dataset::progress(args.challenges as u64)?;
    let jobs = (0..args.challenges)
        .map(|i| {
            let (api, admin) = (api.clone(), admin.clone());
            async move {
                let answer = api
                    .created("/api/challenges", &admin, &challenge_body(i))
                    .await?;
                Ok(answer["data"]["_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned())
            }
        })
        .collect();
    let challenge_ids: Vec<String> = in_parallel(16, jobs, &bar).await?;

    let bar = stackrush_bench::dataset::progress(args.users as u64)?;
    let jobs = (0..args.users)
        .map(|i| {
            let api = api.clone();
            async move {
                let name = format!("loaduser{i}");
                api.register(&name).await?;
                api.login(&name, PASSWORD).await
            }
        })
        .collect();
    let users: Vec<(String, String)> = in_parallel(16, jobs, &bar).await?;

    let bar = stackrush_bench::dataset::progress(users.len().div_ceil(10) as u64)?;
    let jobs = users
        .chunks(10)
        .map(|chunk| {
            let (api, admin) = (api.clone(), admin.clone());
            let notifications: Vec<Value> = chunk
                .iter()
                .flat_map(|(id, _)| {
                    (0..10).map(move |k| {
                        json!({"recipient": id, "type": "system", "title": format!("Notice {k}"),
                               "message": "Generated for the load benchmark."})
                    })
                })
                .collect();
            async move {
                api.created(
                    "/api/notifications/bulk",
                    &admin,
                    &json!({"notifications": notifications}),
                )
                .await?;
                Ok(())
            }
        })
        .collect();
    in_parallel(8, jobs, &bar).await?;
    // Seven of each user's ten are read: three unread.
    let bar = stackrush_bench::dataset::progress(users.len() as u64)?;
    let jobs = users
        .iter()
        .map(|(_, token)| {
            let (api, token) = (api.clone(), token.clone());
            async move {
                let page = api.get("/api/notifications?limit=7", &token).await?;
                for n in page["data"]["data"].as_array().into_iter().flatten() {
                    let id = n["_id"].as_str().unwrap_or_default();
                    api.expect(
                        reqwest::Method::PATCH,
                        &format!("/api/notifications/{id}/read"),
                        Some(&token),
                        None,
                        200,
                    )
                    .await?;
                }
                Ok(())
            }
        })
        .collect();
    in_parallel(16, jobs, &bar).await?;

    // Twenty challenges for the scoring path, with their test ids.
    let mut scoring_challenges = Vec::new();
    for id in challenge_ids.iter().take(20) {
        let started = api
            .created(
                &format!("/api/challenges/{id}/start"),
                &admin,
                &json!({"mode": "standard"}),
            )
            .await?;
        let results: Vec<Value> = started["data"]["tests"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| json!({"testCase": t["_id"], "passed": true, "actualOutput": "[0,1]"}))
            .collect();
        let run = json!({"status": "completed", "totalTests": results.len(),
                         "passedTests": results.len(), "testResults": results});
        scoring_challenges.push((id.clone(), run.to_string()));
    }
    Ok(Dataset {
        users,
        scoring_challenges,
    })
}

/// The scoring write path: each connection creates a submission, then scores one whose
/// creation it (or another connection) saw; the response bodies say whose and which.
fn scoring_script(dir: &Path, data: &Dataset) -> anyhow::Result<String> {
    let users_file = dir.join("scoring-users.txt");
    std::fs::write(
        &users_file,
        data.users
            .iter()
            .map(|(id, t)| format!("{id} {t}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )?;
    let challenges = data
        .scoring_challenges
        .iter()
        .map(|(id, run)| format!("[{}] = {}", lua(id), lua(run)))
        .collect::<Vec<_>>()
        .join(",\n  ");
    let ids = data
        .scoring_challenges
        .iter()
        .map(|(id, _)| lua(id))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(format!(
        r#"
local runs = {{
  {challenges}
}}
local challenge_ids = {{ {ids} }}
local users, token_of = {{}}, {{}}
for line in io.lines({users}) do
  local id, token = line:match("^(%x+) (%S+)$")
  if id then users[#users + 1] = id; token_of[id] = token end
end
local queue, head, tail = {{}}, 1, 0
local i = 0
scored = 0
request = function()
  if head <= tail then
    local item = queue[head]; queue[head] = nil; head = head + 1
    return wrk.format("POST", "/api/submissions/" .. item[1] .. "/score",
      {{["Authorization"] = "Bearer " .. token_of[item[2]], ["Content-Type"] = "application/json"}},
      runs[item[3]])
  end
  i = i + 1
  local user = users[(i * 7919) % #users + 1]
  -- Not i % 20: with 2,000 users that would pair each user with one challenge for good, and
  -- every scoring after the first would be a repeat that earns nothing (no ledger, no boards).
  local challenge = challenge_ids[math.floor(i / 7) % #challenge_ids + 1]
  return wrk.format("POST", "/api/submissions",
    {{["Authorization"] = "Bearer " .. token_of[user], ["Content-Type"] = "application/json"}},
    '{{"challengeId":"' .. challenge .. '","code":"function f() {{ return [0, 1]; }}","language":"javascript"}}')
end
response = function(status, headers, body)
  if status == 201 then
    local id, user = body:match('"_id":"(%x+)","user":"(%x+)"')
    local challenge = body:match('"challenge":"(%x+)"') or body:match('"challenge":{{"_id":"(%x+)"')
    if id and user and challenge then tail = tail + 1; queue[tail] = {{id, user, challenge}} end
  elseif status == 200 then
    scored = scored + 1
  end
end
"#,
        users = lua(&users_file.display().to_string())
    ))
}

/// The scoring write path for `seconds` at 64 connections, its row printed: scored submissions
/// per second.
fn scoring(ctx: &Ctx, dir: &Path, data: &Dataset, seconds: u64) -> anyhow::Result<f64> {
    ctx.server.reset_peak();
    let script = scoring_script(dir, data)?;
    let w = wrk(dir, "scoring", &ctx.server.base, 64, seconds, &script)?;
    print_row(
        &row("POST /submissions + POST /results", 64, &w, &ctx.server),
        ctx.ceiling,
    );
    Ok(w.scored as f64 / w.duration.as_secs_f64())
}

/// The SQLite WAL file's size, which checkpoints must keep from growing without end under
/// steady writes (none on MongoDB).
fn wal_line(dir: &Path) -> String {
    match std::fs::metadata(dir.join("load.db-wal")) {
        Ok(wal) => format!(
            "- SQLite WAL file after the scoring run: {:.1} MB",
            wal.len() as f64 / 1e6
        ),
        Err(_) => "- no SQLite WAL file".to_owned(),
    }
}

/// Every user's XP equals their ledger sum.
async fn check_ledgers(api: &Api, data: &Dataset) -> anyhow::Result<(usize, u64)> {
    let bar = stackrush_bench::dataset::progress(data.users.len() as u64)?;
    let jobs = data
        .users
        .iter()
        .map(|(id, token)| {
            let (api, id, token) = (api.clone(), id.clone(), token.clone());
            async move {
                let me = api.get("/api/users/profile", &token).await?;
                let xp = me["data"]["stats"]["xp"].as_u64().unwrap_or(0);
                let mut sum = 0_i64;
                for page in 1.. {
                    let ledger = api
                        .get(
                            &format!("/api/users/{id}/xp-history?limit=100&page={page}"),
                            &token,
                        )
                        .await?;
                    let entries = ledger["data"]["data"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    sum += entries
                        .iter()
                        .filter_map(|e| e["delta"].as_i64())
                        .sum::<i64>();
                    if ledger["data"]["pagination"]["hasNext"] != true {
                        break;
                    }
                }
                if i64::try_from(xp)? != sum {
                    bail!("user {id}: xp {xp} but ledger sum {sum}");
                }
                Ok(xp)
            }
        })
        .collect();
    let xps: Vec<u64> = in_parallel(16, jobs, &bar).await?;
    Ok((xps.len(), xps.iter().sum()))
}

fn bin_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    Ok(exe
        .parent()
        .ok_or_else(|| anyhow!("no folder for {}", exe.display()))?
        .to_owned())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server_bin = bin_dir()?.join("stackrush-api");
    if !server_bin.exists() {
        bail!(
            "{} missing: cargo build --release -p stackrush-api",
            server_bin.display()
        );
    }
    let temp = tempfile_dir(&args)?;
    let dir = temp.clone();
    if let Some(db) = &args.board_db {
        return leaderboards(&server_bin, db, &dir, &args).await;
    }
    if let Some(db) = &args.community_db {
        return community(&server_bin, db, &dir, &args).await;
    }
    if let Some(db) = &args.templates_db {
        return templates(&server_bin, db, &dir, &args).await;
    }
    if let Some(db) = &args.analytics_db {
        return analytics(&server_bin, db, &dir, &args).await;
    }
    let (store, mut env) = match &args.mongodb_uri {
        Some(uri) => (
            "MongoDB (SecantusDB stand-in unless the URI says otherwise)",
            vec![
                ("MONGODB_URI", uri.clone()),
                ("MONGODB_DB", format!("load_{}", std::process::id())),
            ],
        ),
        None => (
            "SQLite",
            vec![("DATABASE_PATH", dir.join("load.db").display().to_string())],
        ),
    };
    env.push(("MAIL_DIR", dir.join("mail").display().to_string()));
    // Generation registers thousands of users: a cheap bcrypt cost while generating.
    let mut gen_env = env.clone();
    gen_env.push(("BCRYPT_COST", "4".to_owned()));
    let server = Server::start(&server_bin, &gen_env)?;
    let api = Api {
        base: server.base.clone(),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?,
    };
    let t0 = Instant::now();
    let data = generate(&api, &args).await?;
    println!("dataset generated in {:.0} s", t0.elapsed().as_secs_f64());
    drop(server);
    // The measured server: the default bcrypt cost (12), a fresh process.
    let server = Server::start(&server_bin, &env)?;
    let api = Api {
        base: server.base.clone(),
        ..api
    };
    let mut ctx = Ctx {
        server,
        dir: dir.clone(),
        seconds: args.seconds,
        warmup_seconds: args.warmup_seconds,
        ceiling: None,
    };
    let tokens: Vec<String> = data.users.iter().map(|(_, t)| t.clone()).collect();
    let c = args.connections;
    let health = vec!["/health".to_owned()];
    let challenge_paths: Vec<String> = (0..60)
        .map(|i| match i % 4 {
            0 => format!("/api/challenges?page={}&limit=20", i / 4 + 1),
            1 => format!(
                "/api/challenges?type={}&difficulty={}&limit=20",
                TYPES[i % 3],
                LEVELS[(i / 3) % 3]
            ),
            2 => format!(
                "/api/challenges?category={}&sort=popularity&limit=20",
                CATEGORIES[i % 5]
            ),
            _ => format!("/api/challenges?search=Challenge%20{}&limit=20", i * 37),
        })
        .collect();
    let unread = vec!["/api/notifications/unread/count".to_owned()];

    if let Some(minutes) = args.soak_minutes {
        return soak(&mut ctx, &tokens, &challenge_paths, &unread, minutes);
    }

    print_header(store);
    let ceiling = scenario(&ctx, "GET /health (ceiling)", &health, &[], c)?;
    ctx.ceiling = Some(ceiling.per_second);
    if args.scoring_only {
        let per_second = scoring(&ctx, &dir, &data, args.seconds)?;
        println!("\nsummary ({store}):");
        println!("- scoring: {per_second:.0} scored submissions/s (goal 2,000 on SQLite)");
        println!("{}", wal_line(&dir));
        let (checked, xp) = check_ledgers(&api, &data).await?;
        println!("- after scoring: {checked} users' XP equal their ledger sums (total XP {xp})");
        return Ok(());
    }
    let challenges = scenario(
        &ctx,
        "GET /api/challenges (filters, 10k)",
        &challenge_paths,
        &[],
        c,
    )?;
    let unread_row = scenario(
        &ctx,
        "GET /api/notifications/unread/count",
        &unread,
        &tokens,
        c,
    )?;

    let per_second = scoring(&ctx, &dir, &data, args.seconds)?;
    let wal = wal_line(&dir);

    // Login flood: the read endpoints' p99 quiet, then under a flood of bcrypt logins.
    let flood_users = 8;
    for k in 0..flood_users {
        let name = format!("flood{k}");
        api.register(&name).await?;
    }
    let quiet_c = 16;
    let login_script = format!(
        r#"
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/api/auth/login", {{["Content-Type"] = "application/json"}},
    '{{"identifier":"flood' .. (i % {flood_users}) .. '","password":"{PASSWORD}"}}')
end
"#
    );
    // (quiet p99, flooded p99) of the list and of the count, per round.
    let mut rounds = Vec::new();
    for round in 1..=args.flood_rounds.max(1) {
        // The list and the count, one after the other, labelled with what surrounds them.
        let reads = |when: &str| -> anyhow::Result<(Row, Row)> {
            Ok((
                scenario(
                    &ctx,
                    &format!("challenges, {when}, round {round}"),
                    &challenge_paths,
                    &[],
                    quiet_c,
                )?,
                scenario(
                    &ctx,
                    &format!("unread count, {when}, round {round}"),
                    &unread,
                    &tokens,
                    quiet_c,
                )?,
            ))
        };
        let (quiet_challenges, quiet_unread) = reads("quiet (16 conns)")?;
        let flood_dir = dir.clone();
        let flood_base = ctx.server.base.clone();
        let login_script = login_script.clone();
        // Outlasts both flooded scenarios, warm-ups included, with 2 s to spare at each end.
        let flood_seconds = 2 * (args.seconds + args.warmup_seconds) + 4;
        let flood = std::thread::spawn(move || {
            wrk(
                &flood_dir,
                "login-flood",
                &flood_base,
                32,
                flood_seconds,
                &login_script,
            )
        });
        std::thread::sleep(Duration::from_secs(2));
        let (busy_challenges, busy_unread) = reads("during a login flood")?;
        let flood = flood
            .join()
            .map_err(|_| anyhow!("the flood thread panicked"))??;
        println!(
            "| login flood (32 conns, bcrypt cost 12), round {round} | 32 | {} | {} | {:.0} | | {:.2} | {:.2} | |",
            flood.requests,
            flood.errors,
            flood.requests as f64 / flood.duration.as_secs_f64(),
            flood.p50.as_secs_f64() * 1000.0,
            flood.p99.as_secs_f64() * 1000.0
        );
        rounds.push((
            (quiet_challenges.p99_ms, busy_challenges.p99_ms),
            (quiet_unread.p99_ms, busy_unread.p99_ms),
        ));
    }

    println!("\nsummary ({store}):");
    println!(
        "- challenges list: {:.0}% of the ceiling (goal 40%), p99 {:.2} ms at {c} connections (goal 10 ms)",
        challenges.per_second * 100.0 / ceiling.per_second,
        challenges.p99_ms
    );
    println!(
        "- unread count: {:.0}% of the ceiling (goal 60%)",
        unread_row.per_second * 100.0 / ceiling.per_second
    );
    println!("- scoring: {per_second:.0} scored submissions/s (goal 2,000 on SQLite)");
    println!("{wal}");
    for (round, ((cq, cb), (uq, ub))) in rounds.iter().enumerate() {
        println!(
            "- login flood, round {}: challenges p99 {cq:.2} -> {cb:.2} ms (x{:.2}), unread p99 {uq:.2} -> {ub:.2} ms (x{:.2})",
            round + 1,
            cb / cq,
            ub / uq
        );
    }
    println!(
        "- login flood, median round: challenges p99 x{:.2}, unread p99 x{:.2} (goal: at most x2)",
        median(rounds.iter().map(|((q, b), _)| b / q)),
        median(rounds.iter().map(|(_, (q, b))| b / q))
    );
    let (checked, xp) = check_ledgers(&api, &data).await?;
    println!("- after scoring: {checked} users' XP equal their ledger sums (total XP {xp})");
    Ok(())
}

/// The middle value (the upper one of an even count); 0 for none.
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn tempfile_dir(args: &Args) -> anyhow::Result<PathBuf> {
    let dir = match &args.work_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("stackrush-load-{}", std::process::id())),
    };
    if dir.exists() && args.work_dir.is_none() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Half the measured capacity for `minutes`, RSS sampled every 30 s.
fn soak(
    ctx: &mut Ctx,
    tokens: &[String],
    challenge_paths: &[String],
    unread: &[String],
    minutes: u64,
) -> anyhow::Result<()> {
    let mut mixed: Vec<String> = challenge_paths.to_vec();
    mixed.extend(unread.iter().cloned());
    mixed.push("/api/leaderboard/global?limit=100".to_owned());
    let probe = scenario(ctx, "mixed reads, full speed (probe)", &mixed, tokens, 16)?;
    // 16 connections, each pausing so that together they make half the probe's rate.
    let per_connection = probe.per_second / 2.0 / 16.0;
    let delay_ms = (1000.0 / per_connection).max(1.0);
    let script = format!(
        "{}\ndelay = function() return {delay_ms:.1} end\n",
        get_script(&ctx.dir, &mixed, tokens)?
    );
    println!(
        "\nsoak: {minutes} min at ~{:.0} req/s (half of {:.0})",
        probe.per_second / 2.0,
        probe.per_second
    );
    println!("| minute | RSS MB |");
    println!("|---|---|");
    let (dir, base) = (ctx.dir.clone(), ctx.server.base.clone());
    let seconds = minutes * 60;
    let load = std::thread::spawn(move || wrk(&dir, "soak", &base, 16, seconds, &script));
    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        let rss = ctx.server.rss_mb();
        println!(
            "| {:.1} | {rss:.0} |",
            started.elapsed().as_secs_f64() / 60.0
        );
        samples.push(rss);
        std::thread::sleep(Duration::from_secs(30));
    }
    let w = load
        .join()
        .map_err(|_| anyhow!("the soak thread panicked"))??;
    println!(
        "soak: {} requests, {} errors, p99 {:.2} ms; RSS first {:.0} MB, last {:.0} MB, max {:.0} MB",
        w.requests,
        w.errors,
        w.p99.as_secs_f64() * 1000.0,
        samples.first().copied().unwrap_or(0.0),
        ctx.server.rss_mb(),
        samples.iter().copied().fold(0.0, f64::max)
    );
    Ok(())
}

/// Leaderboards on the one-million-user file, tokens minted for its generated users.
async fn leaderboards(bin: &Path, db: &Path, dir: &Path, args: &Args) -> anyhow::Result<()> {
    if !db.exists() {
        bail!("{} missing: cargo run --release -p stackrush-bench --bin leaderboard -- --users 1000000 --seconds 1", db.display());
    }
    let server = Server::start(
        bin,
        &[
            ("DATABASE_PATH", db.display().to_string()),
            ("MAIL_DIR", dir.join("mail").display().to_string()),
        ],
    )?;
    let mut ctx = Ctx {
        server,
        dir: dir.to_owned(),
        seconds: args.seconds,
        warmup_seconds: args.warmup_seconds,
        ceiling: None,
    };
    let minted = Arc::new(stackrush_bench::dataset::Tokens::new()?);
    let tokens: Vec<String> = (0..10_000_u64)
        .filter_map(|k| minted.for_user(1 + k * 97))
        .collect();
    let c = args.connections;
    print_header("SQLite, 1,000,000 users");
    let ceiling = scenario(
        &ctx,
        "GET /health (ceiling)",
        &["/health".to_owned()],
        &[],
        c,
    )?;
    ctx.ceiling = Some(ceiling.per_second);
    for (name, path) in [
        ("global top-100", "/api/leaderboard/global?limit=100"),
        ("weekly top-100", "/api/leaderboard/weekly?limit=100"),
        (
            "global my rank (around=me)",
            "/api/leaderboard/global?around=me",
        ),
        (
            "weekly my rank (around=me)",
            "/api/leaderboard/weekly?around=me",
        ),
    ] {
        let uses_token = path.contains("around");
        scenario(
            &ctx,
            name,
            &[path.to_owned()],
            if uses_token { &tokens } else { &[] },
            c,
        )?;
    }
    Ok(())
}

/// The release server on the generated dataset `db` (from `--bin generator`), with its
/// `/health` ceiling measured and printed.
fn dataset_server(
    bin: &Path,
    db: &Path,
    dir: &Path,
    args: &Args,
    generator: &str,
) -> anyhow::Result<Ctx> {
    if !db.exists() {
        bail!(
            "{} missing: cargo run --release -p stackrush-bench --bin {generator}",
            db.display()
        );
    }
    let server = Server::start(
        bin,
        &[
            ("DATABASE_PATH", db.display().to_string()),
            ("MAIL_DIR", dir.join("mail").display().to_string()),
        ],
    )?;
    let mut ctx = Ctx {
        server,
        dir: dir.to_owned(),
        seconds: args.seconds,
        warmup_seconds: args.warmup_seconds,
        ceiling: None,
    };
    print_header(&format!("SQLite, {generator} dataset"));
    let ceiling = scenario(
        &ctx,
        "GET /health (ceiling)",
        &["/health".to_owned()],
        &[],
        args.connections,
    )?;
    ctx.ceiling = Some(ceiling.per_second);
    Ok(ctx)
}

/// The community over a generated dataset: the lists and trending (GET), then like toggles
/// from 10,000 members over 1,000 posts, and after them a check that every post's likes equal
/// its like rows.
async fn community(bin: &Path, db: &Path, dir: &Path, args: &Args) -> anyhow::Result<()> {
    let ctx = dataset_server(bin, db, dir, args, "community")?;
    let c = args.connections;
    for (name, paths) in [
        (
            "GET /api/community/posts (recent)",
            vec!["/api/community/posts?limit=10".to_owned()],
        ),
        (
            "GET /api/community/posts (by category)",
            ["help", "tips", "news", "showcase"]
                .iter()
                .map(|k| format!("/api/community/posts?limit=10&category={k}"))
                .collect(),
        ),
        (
            "GET /api/community/trending",
            vec!["/api/community/trending?limit=10".to_owned()],
        ),
    ] {
        scenario(&ctx, name, &paths, &[], c)?;
    }

    // Like toggles: members (tokens minted for the generated users) over the first 1,000 posts.
    let minted = stackrush_bench::dataset::Tokens::new()?;
    let tokens: Vec<String> = (1..=10_000_u64)
        .filter_map(|n| minted.for_user(n))
        .collect();
    let tokens_file = dir.join("like-tokens.txt");
    std::fs::write(&tokens_file, tokens.join("\n"))?;
    let posts: Vec<String> = (1..=1000_u64)
        .map(|i| lua(&format!("{:024x}", 1_000_000_000_000 + i)))
        .collect();
    let script = format!(
        r#"
local posts = {{ {posts} }}
local tokens = {{}}
for line in io.lines({tokens}) do if #line > 0 then tokens[#tokens + 1] = line end end
local i = 0
request = function()
  i = i + 1
  local post = posts[(i * 7919) % #posts + 1]
  local token = tokens[(i * 104729) % #tokens + 1]
  return wrk.format("POST", "/api/community/posts/" .. post .. "/like",
    {{["Authorization"] = "Bearer " .. token}})
end
"#,
        posts = posts.join(", "),
        tokens = lua(&tokens_file.display().to_string())
    );
    ctx.server.reset_peak();
    let w = wrk(dir, "likes", &ctx.server.base, c, args.seconds, &script)?;
    let r = row("POST /api/community/posts/{id}/like", c, &w, &ctx.server);
    print_row(&r, ctx.ceiling);
    drop(ctx);

    // Every counter equals its rows, read from the file after the server stopped.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await?;
    let (wrong, likes, rows): (i64, i64, i64) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM community_posts p WHERE p.likes != \
              (SELECT COUNT(*) FROM community_marks m WHERE m.post = p.id AND m.kind = 'like')), \
           (SELECT COALESCE(SUM(likes), 0) FROM community_posts), \
           (SELECT COUNT(*) FROM community_marks WHERE kind = 'like')",
    )
    .fetch_one(&pool)
    .await?;
    println!(
        "\nlike toggles: {:.0}/s; afterwards {likes} likes counted, {rows} like rows, {wrong} posts whose count differs from its rows",
        r.per_second
    );
    Ok(())
}

/// Templates over a generated dataset: the catalogue lists (GET), zip downloads (with the
/// server's memory before and after), then star toggles from 10,000 members over 20 templates
/// on 500 connections, and after them a check that every template's stars equal its star rows.
async fn templates(bin: &Path, db: &Path, dir: &Path, args: &Args) -> anyhow::Result<()> {
    let ctx = dataset_server(bin, db, dir, args, "templates")?;
    let c = args.connections;
    for (name, paths) in [
        (
            "GET /api/templates (newest, as the web client asks)",
            vec!["/api/templates?limit=12".to_owned()],
        ),
        (
            "GET /api/templates (by category and framework)",
            [
                ("web-dev", "React"),
                ("backend", "Express"),
                ("devops", "Vue"),
                ("mobile", "Vanilla"),
            ]
            .iter()
            .map(|(k, f)| format!("/api/templates?limit=12&category={k}&framework={f}"))
            .collect(),
        ),
        (
            "GET /api/templates (most starred, pages 1-5)",
            (1..=5)
                .map(|p| format!("/api/templates?limit=12&sort=stars&page={p}"))
                .collect(),
        ),
    ] {
        scenario(&ctx, name, &paths, &[], c)?;
    }

    // Zip downloads over 1,000 templates: built on demand, each counted.
    let downloads: Vec<String> = (1..=1000_u64)
        .map(|i| format!("/api/templates/{:024x}/download", 3_000_000_000_000_u64 + i))
        .collect();
    let before = ctx.server.rss_mb();
    scenario(
        &ctx,
        "GET /api/templates/{id}/download (zip)",
        &downloads,
        &[],
        c,
    )?;
    println!(
        "\nserver RSS around the downloads: {before} MB before, {} MB after (peak {} MB)",
        ctx.server.rss_mb(),
        ctx.server.peak_rss_mb()
    );

    // Star toggles: members (tokens minted for the generated users) over 20 templates.
    let minted = stackrush_bench::dataset::Tokens::new()?;
    let tokens: Vec<String> = (1..=10_000_u64)
        .filter_map(|n| minted.for_user(n))
        .collect();
    let tokens_file = dir.join("star-tokens.txt");
    std::fs::write(&tokens_file, tokens.join("\n"))?;
    let targets: Vec<String> = (1..=20_u64)
        .map(|i| lua(&format!("{:024x}", 3_000_000_000_000_u64 + i)))
        .collect();
    let script = format!(
        r#"
local targets = {{ {targets} }}
local tokens = {{}}
for line in io.lines({tokens}) do if #line > 0 then tokens[#tokens + 1] = line end end
local i = 0
request = function()
  i = i + 1
  local t = targets[(i * 7919) % #targets + 1]
  local token = tokens[(i * 104729) % #tokens + 1]
  return wrk.format("POST", "/api/templates/" .. t .. "/star",
    {{["Authorization"] = "Bearer " .. token}})
end
"#,
        targets = targets.join(", "),
        tokens = lua(&tokens_file.display().to_string())
    );
    // 500 connections: 500 stars in flight at once, all the time.
    let stars_c = c.max(500);
    ctx.server.reset_peak();
    let w = wrk(
        dir,
        "stars",
        &ctx.server.base,
        stars_c,
        args.seconds,
        &script,
    )?;
    let r = row("POST /api/templates/{id}/star", stars_c, &w, &ctx.server);
    print_row(&r, ctx.ceiling);
    drop(ctx);

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await?;
    let (wrong, stars, rows, downloaded): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM templates t WHERE t.stars != \
              (SELECT COUNT(*) FROM template_stars s WHERE s.template = t.id)), \
           (SELECT COALESCE(SUM(stars), 0) FROM templates), \
           (SELECT COUNT(*) FROM template_stars), \
           (SELECT COALESCE(SUM(downloads), 0) FROM templates)",
    )
    .fetch_one(&pool)
    .await?;
    println!(
        "\nstar toggles: {:.0}/s; afterwards {stars} stars counted, {rows} star rows, {wrong} templates whose count differs from its rows; {downloaded} downloads counted",
        r.per_second
    );
    Ok(())
}

/// Users' analytics overviews over the aggregated dataset of `--bin analytics`: signed-in
/// members reading the overviews of 1,000 users (stored rows for the closed days, the live tail
/// for the others).
async fn analytics(bin: &Path, db: &Path, dir: &Path, args: &Args) -> anyhow::Result<()> {
    let ctx = dataset_server(bin, db, dir, args, "analytics")?;
    let minted = stackrush_bench::dataset::Tokens::new()?;
    let tokens: Vec<String> = (1..=1_000_u64).filter_map(|n| minted.for_user(n)).collect();
    let overviews: Vec<String> = (1..=1_000_u64)
        .map(|n| format!("/api/analytics/user/{n:024x}/overview"))
        .collect();
    scenario(
        &ctx,
        "GET /api/analytics/user/{id}/overview",
        &overviews,
        &tokens,
        args.connections,
    )?;
    let activity: Vec<String> = (1..=1_000_u64)
        .map(|n| format!("/api/analytics/user/{n:024x}/activity"))
        .collect();
    scenario(
        &ctx,
        "GET /api/analytics/user/{id}/activity (30 days)",
        &activity,
        &tokens,
        args.connections,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_is_the_middle_round_whatever_the_order() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([1.1, 3.0].into_iter()), 3.0);
        assert_eq!(median(std::iter::empty()), 0.0);
    }
}
