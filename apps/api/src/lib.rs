//! The StackRush REST API: a thin actix-web layer over the context crates.
//!
//! `main.rs` only boots; [`startup::Application`] wires settings, store, contexts and routes.

pub mod audit_trail;
pub mod auth;
pub mod catalogue;
pub mod contexts;
pub mod docs;
pub mod download;
pub mod envelope;
pub mod error;
pub mod health;
pub mod http;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod secrets;
pub mod seed;
pub mod settings;
pub mod startup;
pub mod store;
pub mod strict;
pub mod telemetry;
pub mod upload;

pub use settings::Settings;
pub use startup::Application;

#[cfg(test)]
mod shell_tests;
#[cfg(test)]
mod test_support;
