//! Request and response bodies. Each mirrors the web client's JSON; constraints repeated in
//! `#[schemars]` attributes keep `/openapi.json` exactly as strict as the domain's rules.

pub mod challenges;
pub mod identity;

use apistos::{ApiComponent, JsonSchema};
use serde::Deserialize;

/// A path holding one 24-hex id.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct IdPath {
    /// 24 hexadecimal characters.
    #[schemars(regex(pattern = r"^[0-9a-fA-F]{24}$"))]
    pub id: String,
}
