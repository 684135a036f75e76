use std::collections::HashMap;
use std::path::PathBuf;

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use stackrush_api::{Application, Settings};

pub const PASSWORD: &str = "Correct-Horse-1";
pub const JWT_SECRET: &str = "test-jwt-secret-that-is-long-enough-0123456789";
pub const ADMIN_EMAIL: &str = "root@stackrush.test";
pub const ADMIN_PASSWORD: &str = "Root-Password-1";

/// `path` as this run sends it: the tests are written against the web client's `/api` base, and
/// run once more against the versioned base named by `STACKRUSH_TEST_API_BASE` (`/api/v1`).
pub fn api_path(path: &str) -> String {
    match (
        std::env::var("STACKRUSH_TEST_API_BASE"),
        path.strip_prefix("/api/"),
    ) {
        (Ok(base), Some(rest)) => format!("{}/{rest}", base.trim_end_matches('/')),
        _ => path.to_owned(),
    }
}

/// A running app with its own fresh database, mail folder and secrets.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub mail_dir: PathBuf,
    /// Where uploaded files are kept (unless a test names an S3 bucket).
    pub files_dir: PathBuf,
    /// What the app was started with (a test may open the same store beside it).
    pub settings: Settings,
    _dir: tempfile::TempDir,
}

/// Tuning for one test's app.
#[derive(Default)]
pub struct Options {
    pub vars: Vec<(&'static str, String)>,
    /// Load the starter catalogue and achievements (`stackrush-api seed`) before serving.
    pub seed: bool,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mail_dir = dir.path().join("mail");
        let files_dir = dir.path().join("files");
        let mut vars: HashMap<String, String> = HashMap::from([
            ("PORT".into(), "0".into()),
            (
                "DATABASE_PATH".into(),
                dir.path().join("db/test.db").display().to_string(),
            ),
            ("MAIL_DIR".into(), mail_dir.display().to_string()),
            ("STORAGE_DIR".into(), files_dir.display().to_string()),
            ("BCRYPT_COST".into(), "4".into()),
            // Tests run side by side: the idle-class hashing threads may wait long for a core.
            ("PASSWORD_QUEUE_TIMEOUT_SECS".into(), "300".into()),
            ("JWT_SECRET".into(), JWT_SECRET.into()),
            (
                "REFRESH_TOKEN_SECRET".into(),
                "test-refresh-secret-that-is-long-enough-012345".into(),
            ),
            ("RATE_LIMIT_PER_MINUTE".into(), "100000".into()),
            ("AUTH_RATE_LIMIT_PER_MINUTE".into(), "100000".into()),
            ("ADMIN_EMAIL".into(), ADMIN_EMAIL.into()),
            ("ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
            ("LOG_FORMAT".into(), "json".into()),
        ]);
        if let Ok(uri) = std::env::var("STACKRUSH_TEST_MONGODB_URI") {
            vars.insert("MONGODB_URI".into(), uri);
            vars.insert("MONGODB_DB".into(), format!("bb_{}", uuid_like()));
        }
        for (k, v) in options.vars {
            vars.insert(k.into(), v);
        }
        let settings = Settings::from_lookup(&|name| vars.get(name).cloned()).unwrap();
        if options.seed {
            let contexts = stackrush_api::startup::open(&settings).await.unwrap();
            stackrush_api::seed::run(
                contexts.identity.as_ref(),
                contexts.challenges.as_ref(),
                contexts.scoring.as_ref(),
            )
            .await
            .unwrap();
        }
        let app = Application::build(settings.clone()).await.unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Self {
            base,
            client: reqwest::Client::new(),
            mail_dir,
            files_dir,
            settings,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, api_path(path))
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        split(self.call(Method::GET, path, token, None).await).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        split(self.call(Method::POST, path, token, Some(body)).await).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        split(self.call(Method::PUT, path, token, Some(body)).await).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        split(self.call(Method::PATCH, path, token, Some(body)).await).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        split(self.call(Method::DELETE, path, token, None).await).await
    }

    /// Registers `name` (email `name@example.com`) and returns the user document.
    pub async fn register(&self, name: &str) -> Value {
        let (status, body) = self
            .post("/api/auth/register", None, json!({"email": format!("{name}@example.com"), "username": name, "password": PASSWORD}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["data"]["user"].clone()
    }

    /// Logs in and returns (access, refresh, user).
    pub async fn login_as(&self, identifier: &str, password: &str) -> Session {
        let (status, body) = self
            .post(
                "/api/auth/login",
                None,
                json!({"identifier": identifier, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        Session {
            access: body["data"]["tokens"]["accessToken"]
                .as_str()
                .unwrap()
                .to_owned(),
            refresh: body["data"]["tokens"]["refreshToken"]
                .as_str()
                .unwrap()
                .to_owned(),
            id: body["data"]["user"]["_id"].as_str().unwrap().to_owned(),
        }
    }

    /// Registers and logs in.
    pub async fn signed_up(&self, name: &str) -> Session {
        self.register(name).await;
        self.login_as(name, PASSWORD).await
    }

    /// Registers, verifies the email address through the mailed link, and logs in.
    pub async fn verified(&self, name: &str) -> Session {
        self.register(name).await;
        let token = self.last_mail_token();
        let (status, body) = self
            .post("/api/auth/verify-email", None, json!({"token": token}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        self.login_as(name, PASSWORD).await
    }

    pub async fn admin(&self) -> Session {
        self.login_as(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// The token in the newest mail's link.
    pub fn last_mail_token(&self) -> String {
        let mut files: Vec<_> = std::fs::read_dir(&self.mail_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let text = std::fs::read_to_string(files.last().expect("no mail written")).unwrap();
        // Long lines in .eml files may be folded with "=\r\n" (quoted-printable); unfold first.
        let text = text
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=");
        let start = text.find("token=").expect("no link in mail") + "token=".len();
        text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

pub struct Session {
    pub access: String,
    pub refresh: String,
    pub id: String,
}

pub async fn split(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// Asserts the contract's error shape and code.
pub fn assert_error(status: StatusCode, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status.as_u16(), expected_status, "{body}");
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(body["error"]["details"].is_array(), "{body}");
    assert!(body["error"]["timestamp"].is_string(), "{body}");
    assert!(
        body["error"]["path"].as_str().unwrap().starts_with('/'),
        "{body}"
    );
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}")
}
