//! The real binary as a process: configuration errors, the admin command, graceful shutdown,
//! and the faults of issue 5 (crashes, store outages, slow clients, I/O errors) in [`faults`].
#![expect(clippy::unwrap_used, reason = "tests report failures by panicking")]

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
        first.contains("16 challenges created, 0 already present; 10 achievements added"),
        "{first}"
    );
    let second = run();
    assert!(
        second.contains("0 challenges created, 16 already present; 0 achievements added"),
        "{second}"
    );
}
