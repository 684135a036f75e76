//! Issue 5's faults, against the real binary: kill -9 during concurrent writes, SIGTERM under
//! load, slow clients. Each runs on SQLite, and on MongoDB too where the fault concerns it and
//! `STACKRUSH_TEST_MONGODB_URI` is set.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{base_command, free_port};

pub const ADMIN_EMAIL: &str = "root@stackrush.test";
pub const ADMIN_PASSWORD: &str = "Root-Password-1";
pub const PASSWORD: &str = "Correct-Horse-1";

/// Where a server keeps its data: a SQLite file under the test's folder, or a fresh MongoDB
/// database.
#[derive(Clone)]
pub enum StoreChoice {
    Sqlite,
    Mongo { uri: String, db: String },
}

impl StoreChoice {
    /// SQLite, and MongoDB when the test environment names one.
    pub fn all() -> Vec<StoreChoice> {
        let mut stores = vec![StoreChoice::Sqlite];
        if let Ok(uri) = std::env::var("STACKRUSH_TEST_MONGODB_URI") {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            let db = format!("faults_{}_{nanos}", std::process::id());
            stores.push(StoreChoice::Mongo { uri, db });
        }
        stores
    }

    pub fn name(&self) -> &'static str {
        match self {
            StoreChoice::Sqlite => "sqlite",
            StoreChoice::Mongo { .. } => "mongodb",
        }
    }
}

/// The binary running as a child process on its own port.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// Starts the server and waits until `/health` answers (not `/ready`: some tests start it
    /// with its store down).
    pub fn start(dir: &Path, store: &StoreChoice, extra: &[(&str, String)]) -> Server {
        let port = free_port();
        let mut command = base_command(dir);
        command
            .env("PORT", port.to_string())
            .env(
                "JWT_SECRET",
                "fault-jwt-secret-that-is-long-enough-0123456789",
            )
            .env(
                "REFRESH_TOKEN_SECRET",
                "fault-refresh-secret-that-is-long-enough-012345",
            )
            .env("ADMIN_EMAIL", ADMIN_EMAIL)
            .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RATE_LIMIT_PER_MINUTE", "10000000")
            .env("AUTH_RATE_LIMIT_PER_MINUTE", "10000000")
            .env("LOG_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let StoreChoice::Mongo { uri, db } = store {
            command.env("MONGODB_URI", uri).env("MONGODB_DB", db);
        }
        for (k, v) in extra {
            command.env(k, v);
        }
        let child = command.spawn().unwrap();
        let mut server = Server { child, port };
        let started = Instant::now();
        while super::http_get(port, "/health").is_none_or(|r| !r.starts_with("HTTP/1.1 200")) {
            let exited = server.child.try_wait().unwrap();
            assert!(exited.is_none(), "the server exited at start: {exited:?}");
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Sends `signal` (e.g. "TERM") to the server.
    pub fn signal(&self, signal: &str) {
        let sent = std::process::Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// Waits for the process to exit; its exit code.
    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A JSON client of one server.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

impl Api {
    pub fn of(server: &Server) -> Api {
        Api {
            base: server.base(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
        }
    }

    /// (status, body); `Err` when no answer came (connection refused or reset, timeout).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, token, None)
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
            .unwrap()
    }

    /// An access token for `identifier`.
    pub async fn login(&self, identifier: &str, password: &str) -> String {
        let (status, body) = self
            .post(
                "/api/auth/login",
                None,
                json!({"identifier": identifier, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"]["tokens"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A challenge's id and its tests as (id, hidden).
pub type Challenge = (String, Vec<(String, bool)>);

/// A challenge the admin creates.
pub async fn challenge(api: &Api, admin: &str, title: &str) -> Challenge {
    let (status, body) = api
        .post(
            "/api/challenges",
            Some(admin),
            json!({
                "title": title,
                "description": "Return the indices of the two numbers that add up to the target.",
                "type": "dsa", "difficulty": "Easy", "category": "arrays", "timeLimit": 20,
                "content": {"problemStatement": "Given nums and target, return [i, j]."},
                "code": {"testCases": [
                    {"input": "[2,7], 9", "expectedOutput": "[0,1]"},
                    {"input": "[3,3], 6", "expectedOutput": "[0,1]", "isHidden": true}
                ]}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["data"]["_id"].as_str().unwrap().to_owned();
    let (status, started) = api
        .post(
            &format!("/api/challenges/{id}/start"),
            Some(admin),
            json!({"mode": "standard"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let tests = started["data"]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["_id"].as_str().unwrap().to_owned(),
                t["isHidden"].as_bool().unwrap(),
            )
        })
        .collect();
    (id, tests)
}

/// A browser run that passes every test.
pub fn passing_run(tests: &[(String, bool)]) -> Value {
    let results: Vec<Value> = tests
        .iter()
        .map(|(id, _)| json!({"testCase": id, "passed": true, "actualOutput": "[0,1]"}))
        .collect();
    json!({"status": "completed", "totalTests": results.len(), "passedTests": results.len(),
           "testResults": results})
}

/// What the server acknowledged before it was killed.
#[derive(Default)]
struct Acknowledged {
    /// Registered usernames.
    users: Vec<String>,
    /// Created submissions: (id, owner, scored).
    submissions: HashMap<String, (String, bool)>,
}

/// One writer: registers users and, as each, submits and scores, until told to stop.
async fn writer(
    api: Api,
    worker: usize,
    challenges: Arc<Vec<Challenge>>,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Acknowledged>>,
) {
    for i in 0.. {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let name = format!("w{worker}n{i}");
        let registered = api
            .call(
                reqwest::Method::POST,
                "/api/auth/register",
                None,
                Some(
                    json!({"email": format!("{name}@example.com"), "username": name,
                            "password": PASSWORD}),
                ),
            )
            .await;
        match registered {
            Ok((StatusCode::CREATED, _)) => seen.lock().unwrap().users.push(name.clone()),
            _ => return,
        }
        let Ok((StatusCode::OK, session)) = api
            .call(
                reqwest::Method::POST,
                "/api/auth/login",
                None,
                Some(json!({"identifier": name, "password": PASSWORD})),
            )
            .await
        else {
            return;
        };
        let token = session["data"]["tokens"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        for (challenge, tests) in challenges.iter() {
            let Ok((StatusCode::CREATED, created)) = api
                .call(
                    reqwest::Method::POST,
                    "/api/submissions",
                    Some(&token),
                    Some(json!({"challengeId": challenge, "code": "function f() {}",
                                "language": "javascript"})),
                )
                .await
            else {
                return;
            };
            let id = created["data"]["_id"].as_str().unwrap().to_owned();
            seen.lock()
                .unwrap()
                .submissions
                .insert(id.clone(), (name.clone(), false));
            let scored = api
                .call(
                    reqwest::Method::POST,
                    &format!("/api/submissions/{id}/score"),
                    Some(&token),
                    Some(passing_run(tests)),
                )
                .await;
            match scored {
                Ok((StatusCode::OK, _)) => {
                    if let Some(entry) = seen.lock().unwrap().submissions.get_mut(&id) {
                        entry.1 = true;
                    }
                }
                _ => return,
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_concurrent_writes_loses_no_acknowledged_write() {
    for store in StoreChoice::all() {
        let dir = tempfile::tempdir().unwrap();
        let mut server = Server::start(dir.path(), &store, &[]);
        let api = Api::of(&server);
        let admin = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let mut challenges = Vec::new();
        for i in 0..3 {
            challenges.push(challenge(&api, &admin, &format!("Crash {i}")).await);
        }
        let challenges = Arc::new(challenges);
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Acknowledged::default()));
        let writers: Vec<_> = (0..8)
            .map(|w| {
                tokio::spawn(writer(
                    api.clone(),
                    w,
                    challenges.clone(),
                    stop.clone(),
                    seen.clone(),
                ))
            })
            .collect();
        // Let the writers get going, then pull the plug mid-flight.
        let warm = if matches!(store, StoreChoice::Sqlite) {
            1500
        } else {
            6000
        };
        tokio::time::sleep(Duration::from_millis(warm)).await;
        server.kill_9();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.await.unwrap();
        }
        let seen = std::mem::take(&mut *seen.lock().unwrap());
        let scored = seen.submissions.values().filter(|(_, s)| *s).count();
        assert!(
            !seen.users.is_empty() && scored >= 1,
            "{}: too little happened before the kill ({} users, {scored} scorings)",
            store.name(),
            seen.users.len()
        );

        eprintln!(
            "{}: killed after {} registrations, {} submissions, {scored} scorings acknowledged",
            store.name(),
            seen.users.len(),
            seen.submissions.len()
        );
        let server = Server::start(dir.path(), &store, &[]);
        let api = Api::of(&server);
        let mut tokens = HashMap::new();
        for user in &seen.users {
            tokens.insert(user.clone(), api.login(user, PASSWORD).await);
        }
        for (id, (owner, was_scored)) in &seen.submissions {
            let (status, body) = api
                .get(&format!("/api/submissions/{id}"), Some(&tokens[owner]))
                .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{}: lost {id}: {body}",
                store.name()
            );
            if *was_scored {
                assert_eq!(
                    body["data"]["execution"]["status"],
                    "completed",
                    "{}: lost the scoring of {id}",
                    store.name()
                );
            }
        }
        // Invariants, whatever the kill interrupted: XP = ledger for every account …
        for token in tokens.values() {
            let (_, me) = api.get("/api/users/profile", Some(token)).await;
            let id = me["data"]["_id"].as_str().unwrap();
            let (_, ledger) = api
                .get(
                    &format!("/api/users/{id}/xp-history?limit=100"),
                    Some(token),
                )
                .await;
            let sum: i64 = ledger["data"]["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["delta"].as_i64().unwrap())
                .sum();
            assert_eq!(me["data"]["stats"]["xp"], sum, "{}: {me}", store.name());
        }
        // … and every challenge's attempt counter equals its scored submissions.
        let admin = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        for (id, _) in challenges.iter() {
            let (_, stats) = api.get(&format!("/api/challenges/{id}/stats"), None).await;
            let (_, rows) = api
                .get(
                    &format!("/api/challenges/{id}/submissions?status=completed&limit=1"),
                    Some(&admin),
                )
                .await;
            assert_eq!(
                stats["data"]["totalAttempts"],
                rows["data"]["pagination"]["total"],
                "{}: {stats} vs {rows}",
                store.name()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_finishes_in_flight_requests_refuses_new_ones_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    // A real bcrypt cost makes each login take a while: they are in flight when the signal lands.
    let mut server = Server::start(
        dir.path(),
        &StoreChoice::Sqlite,
        &[("BCRYPT_COST", "12".to_owned())],
    );
    let api = Api::of(&server);
    let (status, body) = api
        .post(
            "/api/auth/register",
            None,
            json!({"email": "slow@example.com", "username": "slow", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let logins: Vec<_> = (0..6)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move {
                api.call(
                    reqwest::Method::POST,
                    "/api/auth/login",
                    None,
                    Some(json!({"identifier": "slow", "password": PASSWORD})),
                )
                .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.signal("TERM");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let refused = std::net::TcpStream::connect(("127.0.0.1", server.port));
    for login in logins {
        let (status, body) = login.await.unwrap().expect("an in-flight request was cut");
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert!(
        refused.is_err(),
        "a new connection was accepted during shutdown"
    );
    assert_eq!(server.wait_exit(Duration::from_secs(30)), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_clients_do_not_starve_the_others() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &StoreChoice::Sqlite, &[]);
    let api = Api::of(&server);
    // 1,000 connections: a third idle, a third sending headers a byte at a time, a third
    // trickling a body they announced as 1 MB.
    let mut held = Vec::new();
    for i in 0..1000 {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
            .await
            .unwrap();
        match i % 3 {
            0 => {}
            1 => stream.write_all(b"GET /health HTTP/1.1\r\nHo").await.unwrap(),
            _ => stream
                .write_all(
                    b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                      Content-Length: 1000000\r\n\r\n{\"identifier\":",
                )
                .await
                .unwrap(),
        }
        held.push(stream);
    }
    let trickle = tokio::spawn(async move {
        for _ in 0..20 {
            for stream in held.iter_mut() {
                let _ = stream.write_all(b"s").await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        held
    });
    // Meanwhile everyone else is served promptly.
    for _ in 0..50 {
        let started = Instant::now();
        let (status, _) = api.get("/api/challenges?limit=5", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a normal request waited {:?}",
            started.elapsed()
        );
    }
    let held = trickle.await.unwrap();
    drop(held);
    let (status, _) = api.get("/health", None).await;
    assert_eq!(status, StatusCode::OK);
}

/// A TCP proxy in front of the MongoDB server that can drop the port (refuse new connections
/// and cut the open ones) and bring it back on the same port.
struct Proxy {
    port: u16,
    target: String,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    fn new(target: String) -> Proxy {
        Proxy {
            port: free_port(),
            target,
            tasks: Arc::default(),
        }
    }

    async fn up(&self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        let (target, tasks) = (self.target.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(pipe);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    fn down(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

/// How long until `check` holds, polling; panics after `within`.
async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mongodb_outage_turns_ready_503_answers_json_503_in_bounded_time_and_heals() {
    let Ok(uri) = std::env::var("STACKRUSH_TEST_MONGODB_URI") else {
        eprintln!("SKIPPED: MongoDB outage test (STACKRUSH_TEST_MONGODB_URI is not set)");
        return;
    };
    let target = uri
        .trim_start_matches("mongodb://")
        .split(['/', '?'])
        .next()
        .unwrap()
        .to_owned();
    let proxy = Proxy::new(target);
    let store = StoreChoice::Mongo {
        uri: format!("mongodb://127.0.0.1:{}/?directConnection=true", proxy.port),
        db: format!("outage_{}", std::process::id()),
    };
    let dir = tempfile::tempdir().unwrap();

    // Down at the start: the server still starts, says it is not ready, refuses API calls fast.
    let server = Server::start(dir.path(), &store, &[]);
    let api = Api::of(&server);
    let (status, body) = api.get("/ready", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let started = Instant::now();
    let (status, body) = api.get("/api/challenges", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE", "{body}");
    assert!(started.elapsed() < Duration::from_secs(1));

    // The store arrives: the server notices by itself (indexes, admin account).
    proxy.up().await;
    let healed = eventually(Duration::from_secs(30), "ready after the start", || {
        let api = api.clone();
        async move { api.get("/ready", None).await.0 == StatusCode::OK }
    })
    .await;
    eprintln!("ready {healed:?} after the store came up");
    let admin = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, _) = api.get("/api/challenges", None).await;
    assert_eq!(status, StatusCode::OK);

    // Mid-run outage: not ready, and requests answer a JSON 503 within a bounded time.
    proxy.down();
    let noticed = eventually(Duration::from_secs(15), "not ready in the outage", || {
        let api = api.clone();
        async move { api.get("/ready", None).await.0 == StatusCode::SERVICE_UNAVAILABLE }
    })
    .await;
    eprintln!("not ready {noticed:?} into the outage");
    for path in ["/api/challenges", "/api/users/profile"] {
        let started = Instant::now();
        let (status, body) = api.get(path, Some(&admin)).await;
        let took = started.elapsed();
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {body}");
        assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE");
        assert!(
            took < Duration::from_secs(8),
            "{path} took {took:?} to fail"
        );
        eprintln!("{path}: JSON 503 in {took:?}");
    }

    // The store returns: so does the service, by itself.
    proxy.up().await;
    let back = eventually(Duration::from_secs(30), "ready after the outage", || {
        let api = api.clone();
        async move { api.get("/ready", None).await.0 == StatusCode::OK }
    })
    .await;
    eprintln!("ready {back:?} after the store returned");
    let (status, body) = api.get("/api/users/profile", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    proxy.down();
}

/// `strace` injecting `error` into every `pwrite64` of the server (SQLite writes its pages and
/// WAL frames with it; logs go through `write`). `None` when this machine cannot trace.
fn inject_write_errors(pid: u32, error: &str) -> Option<Child> {
    let probe = std::process::Command::new("strace")
        .args(["-V"])
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let mut child = std::process::Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-p",
            &pid.to_string(),
            "-e",
            "trace=pwrite64",
            "-e",
            &format!("inject=pwrite64:error={error}"),
            "-o",
            "/dev/null",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // Attaching takes a moment; a tracer that could not attach exits at once.
    std::thread::sleep(Duration::from_millis(700));
    if child.try_wait().ok()?.is_some() {
        return None;
    }
    Some(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn disk_full_or_eio_on_sqlite_answers_503_corrupts_nothing_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), &StoreChoice::Sqlite, &[]);
    let api = Api::of(&server);
    let register = |name: String| {
        let api = api.clone();
        async move {
            api.post(
                "/api/auth/register",
                None,
                json!({"email": format!("{name}@example.com"), "username": name,
                       "password": PASSWORD}),
            )
            .await
        }
    };
    assert_eq!(register("before".into()).await.0, StatusCode::CREATED);
    // Submissions and scorings go through the other writer connection (the group commit).
    let admin = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (challenge_id, tests) = challenge(&api, &admin, "Disk faults").await;
    let player = api.login("before", PASSWORD).await;
    let submit = || {
        let (api, player, challenge_id) = (api.clone(), player.clone(), challenge_id.clone());
        async move {
            api.post(
                "/api/submissions",
                Some(&player),
                json!({"challengeId": challenge_id, "code": "function f() {}",
                       "language": "javascript"}),
            )
            .await
        }
    };
    let score = |id: String| {
        let (api, player, run) = (api.clone(), player.clone(), passing_run(&tests));
        async move {
            api.post(&format!("/api/submissions/{id}/score"), Some(&player), run)
                .await
        }
    };
    let (status, created) = submit().await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let mut pending = created["data"]["_id"].as_str().unwrap().to_owned();
    for error in ["ENOSPC", "EIO"] {
        let Some(mut tracer) = inject_write_errors(server.pid(), error) else {
            eprintln!("SKIPPED: write-error injection (strace missing or not permitted here)");
            return;
        };
        let started = Instant::now();
        let (status, body) = register(format!("during{error}")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{error}: {body}");
        assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE");
        assert!(started.elapsed() < Duration::from_secs(8));
        for (what, (status, body)) in [
            ("a submission", submit().await),
            ("a scoring", score(pending.clone()).await),
        ] {
            assert_eq!(
                status,
                StatusCode::SERVICE_UNAVAILABLE,
                "{error}, {what}: {body}"
            );
            assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE");
        }
        assert!(started.elapsed() < Duration::from_secs(8));
        // Reads need no writes.
        let (status, _) = api.get("/api/challenges", None).await;
        assert_eq!(status, StatusCode::OK, "{error}: reads keep working");
        // The tracer leaves (SIGTERM detaches): writes work again, by themselves.
        std::process::Command::new("kill")
            .args(["-TERM", &tracer.id().to_string()])
            .status()
            .unwrap();
        tracer.wait().unwrap();
        let (status, body) = register(format!("after{error}")).await;
        assert_eq!(status, StatusCode::CREATED, "{error}: {body}");
        let (status, _) = api
            .post(
                "/api/auth/login",
                None,
                json!({"identifier": format!("during{error}"), "password": PASSWORD}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{error}: the failed write left nothing"
        );
        // The refused scoring left its submission pending: it scores now, once.
        let (status, body) = score(pending.clone()).await;
        assert_eq!(status, StatusCode::OK, "{error}: {body}");
        let (status, created) = submit().await;
        assert_eq!(status, StatusCode::CREATED, "{error}: {created}");
        pending = created["data"]["_id"].as_str().unwrap().to_owned();
    }
    server.signal("TERM");
    assert_eq!(server.wait_exit(Duration::from_secs(30)), Some(0));
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        dir.path().join("db/app.db").display()
    ))
    .await
    .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 4, "admin, before, afterENOSPC, afterEIO");
    let (submissions, scored): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(scored_at) FROM submissions")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (submissions, scored),
        (3, 2),
        "one before, one after each fault"
    );
    let (xp, ledger): (i64, i64) = sqlx::query_as(
        "SELECT p.xp, (SELECT COALESCE(SUM(delta), 0) FROM xp_ledger l WHERE l.player = u.id) \
         FROM users u JOIN progress p ON p.player = u.id WHERE u.username = 'before'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(xp > 0);
    assert_eq!(xp, ledger, "XP equals the ledger");
}
