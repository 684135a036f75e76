//! Black-box tests: the real application on port 0, driven over HTTP like the web client.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests report failures by panicking"
)]

mod helpers;

mod analytics;
mod auth;
mod challenge_content;
mod challenges;
mod community;
mod contract;
mod dashboard;
mod files;
mod focus;
mod learning;
mod notifications;
mod platform;
mod projects;
mod reviews;
mod scoring;
mod security;
mod templates;
mod users;
