//! The StackRush REST API: a thin actix-web layer over the context crates.
//!
//! `main.rs` only boots; [`startup::Application`] wires settings, store, contexts and routes.

pub mod adapters;
pub mod auth;
pub mod dto;
pub mod envelope;
pub mod error;
pub mod middleware;
pub mod routes;
pub mod secrets;
pub mod seed;
pub mod settings;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;

pub use settings::Settings;
pub use startup::Application;
