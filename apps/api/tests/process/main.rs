//! The real binary as a process: configuration errors, the admin command, graceful shutdown,
//! and the faults of issue 5 (crashes, store outages, slow clients, I/O errors) in [`faults`].
#![expect(clippy::unwrap_used, reason = "tests report failures by panicking")]

mod aggregation;
mod faults;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_stackrush-api");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn base_command(dir: &std::path::Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BCRYPT_COST", "4")
        // Tests run side by side: the idle-class hashing threads may wait long for a core.
        .env("PASSWORD_QUEUE_TIMEOUT_SECS", "300")
        .env("DATABASE_PATH", dir.join("db/app.db"))
        .env("MAIL_DIR", dir.join("mail"));
    command
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[test]
fn a_bad_setting_stops_the_start_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let output = base_command(dir.path())
        .env("PORT", "eighty")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("PORT"));
}

#[test]
fn admin_create_reads_the_password_from_stdin_and_refuses_weak_ones() {
    let dir = tempfile::tempdir().unwrap();
    let run = |password: &str| {
        let mut child = base_command(dir.path())
            .args([
                "admin",
                "create",
                "--email",
                "root@example.com",
                "--username",
                "root",
                "--password-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = run("weak");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let ok = run("Root-Password-1");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("created admin root"));
    let again = run("Root-Password-1");
    assert!(!again.status.success(), "the email is taken now");
    assert!(
        dir.path().join("db/secrets.json").exists(),
        "secrets were generated beside the database"
    );
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = base_command(dir.path())
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let ready = loop {
        if let Some(response) = http_get(port, "/ready") {
            break response;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "server ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn seed_loads_the_catalogue_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let output = base_command(dir.path()).arg("seed").output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let first = run();
    assert!(
        first.contains("43 challenges created, 0 already present; 10 achievements added"),
        "{first}"
    );
    let second = run();
    assert!(
        second.contains("0 challenges created, 43 already present; 0 achievements added"),
        "{second}"
    );
}

/// Runs `stackrush-api <args>` on `store` in `dir`; (success, stdout, stderr).
fn cli(
    dir: &std::path::Path,
    store: &faults::StoreChoice,
    args: &[&str],
) -> (bool, String, String) {
    let mut command = base_command(dir);
    if let faults::StoreChoice::Mongo { uri, db } = store {
        command.env("MONGODB_URI", uri).env("MONGODB_DB", db);
    }
    let output = command.args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The same store kind, empty (another database or folder).
fn fresh(store: &faults::StoreChoice) -> faults::StoreChoice {
    match store {
        faults::StoreChoice::Sqlite => faults::StoreChoice::Sqlite,
        faults::StoreChoice::Mongo { uri, db } => faults::StoreChoice::Mongo {
            uri: uri.clone(),
            db: format!("{db}_copy"),
        },
    }
}

#[test]
fn an_exported_catalogue_imports_into_an_empty_store_exactly() {
    for store in faults::StoreChoice::all() {
        let name = store.name();
        let source = tempfile::tempdir().unwrap();
        assert!(cli(source.path(), &store, &["seed"]).0, "{name}: seed");
        let out = source.path().join("catalogue.json");
        let (ok, _, err) = cli(
            source.path(),
            &store,
            &["challenges", "export", "--out", out.to_str().unwrap()],
        );
        assert!(ok, "{name}: {err}");
        let exported = std::fs::read_to_string(&out).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&exported).unwrap();
        let items = doc["challenges"].as_array().unwrap();
        assert_eq!(items.len(), 43, "{name}");
        assert!(items
            .iter()
            .all(|c| c["_id"].is_string() && c["slug"].is_string()));
        assert!(
            items.iter().all(|c| c["content"]["solution"].is_string()),
            "{name}: solutions included"
        );
        assert!(
            items.iter().any(|c| c["code"]["testCases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["isHidden"] == true
                    && t["expectedOutput"].as_str().is_some_and(|o| !o.is_empty()))),
            "{name}: hidden expected outputs included"
        );
        let (_, only_dsa, _) = cli(
            source.path(),
            &store,
            &["challenges", "export", "--type", "dsa"],
        );
        let only_dsa: serde_json::Value = serde_json::from_str(&only_dsa).unwrap();
        let dsa = only_dsa["challenges"].as_array().unwrap();
        assert!(!dsa.is_empty() && dsa.len() < 43);
        assert!(dsa.iter().all(|c| c["type"] == "dsa"));

        let target = tempfile::tempdir().unwrap();
        let empty = fresh(&store);
        let (ok, dry, err) = cli(
            target.path(),
            &empty,
            &["challenges", "import", out.to_str().unwrap(), "--dry-run"],
        );
        assert!(ok, "{name}: {err}");
        assert!(dry.contains("43 to create"), "{name}: {dry}");
        let (_, nothing, _) = cli(target.path(), &empty, &["challenges", "export"]);
        assert!(
            nothing.contains("\"challenges\": []"),
            "{name}: a dry run writes nothing"
        );

        let (ok, done, err) = cli(
            target.path(),
            &empty,
            &["challenges", "import", out.to_str().unwrap()],
        );
        assert!(ok, "{name}: {err}");
        assert!(
            done.contains("43 created, 0 updated, 0 skipped"),
            "{name}: {done}"
        );
        let (_, again, _) = cli(target.path(), &empty, &["challenges", "export"]);
        assert_eq!(
            again, exported,
            "{name}: the copy exports byte for byte the same"
        );

        let (ok, rerun, _) = cli(
            target.path(),
            &empty,
            &["challenges", "import", out.to_str().unwrap()],
        );
        assert!(ok);
        assert!(
            rerun.contains("0 created, 0 updated, 43 skipped"),
            "{name}: {rerun}"
        );
        assert!(
            rerun.contains("skipped (exists): two-sum"),
            "{name}: {rerun}"
        );
    }
}

#[test]
fn an_import_with_one_bad_item_names_it_and_writes_nothing() {
    for store in faults::StoreChoice::all() {
        let name = store.name();
        let dir = tempfile::tempdir().unwrap();
        let mut doc: serde_json::Value =
            serde_json::from_str(include_str!("../../seed/challenges.json")).unwrap();
        doc["challenges"][17]["files"] =
            serde_json::json!([{"path": "../../etc/passwd", "content": "x"}]);
        doc["challenges"][30]["code"]["testCases"][0]["weight"] = serde_json::json!("heavy");
        let file = dir.path().join("bad.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let (ok, _, err) = cli(
            dir.path(),
            &store,
            &["challenges", "import", file.to_str().unwrap()],
        );
        assert!(!ok, "{name}");
        assert!(
            err.contains("challenges[17].files[0].path"),
            "{name}: {err}"
        );
        assert!(
            err.contains("challenges[30].code.testCases[0].weight"),
            "{name}: {err}"
        );
        assert!(err.contains("nothing was written"), "{name}: {err}");
        let (_, after, _) = cli(dir.path(), &store, &["challenges", "export"]);
        assert!(after.contains("\"challenges\": []"), "{name}: {after}");
        std::fs::write(&file, "[1, 2").unwrap();
        let (ok, _, err) = cli(
            dir.path(),
            &store,
            &["challenges", "import", file.to_str().unwrap()],
        );
        assert!(!ok && err.contains("not a catalogue file"), "{name}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_commands_refuse_a_stackrush_account_that_is_not_an_admin() {
    let dir = tempfile::tempdir().unwrap();
    let store = faults::StoreChoice::Sqlite;
    {
        let server = faults::Server::start(dir.path(), &store, &[]);
        let (status, body) = faults::Api::of(&server)
            .post(
                "/api/auth/register",
                None,
                serde_json::json!({"email": "someone@example.com", "username": "stackrush",
                                   "password": "Str0ng!Passw0rd"}),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    }
    let (ok, _, err) = cli(dir.path(), &store, &["challenges", "export"]);
    assert!(
        !ok,
        "a member named stackrush must not act as the catalogue's admin"
    );
    assert!(err.contains("not an admin"), "{err}");
}
