//! Request and response bodies. Each mirrors the web client's JSON; constraints repeated in
//! `#[schemars]` attributes keep `/openapi.json` exactly as strict as the domain's rules.

pub mod analytics;
pub mod boards;
pub mod challenges;
pub mod dashboard;
pub mod identity;
pub mod notifications;
pub mod scoring;

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

impl IdPath {
    /// The id as the aggregate's id type, or a 400 `PARAMS_VALIDATION_ERROR`.
    pub fn parse<T: std::str::FromStr>(&self) -> Result<T, crate::error::ApiError> {
        self.id.parse().map_err(|_| {
            crate::error::ApiError::validation(
                "PARAMS_VALIDATION_ERROR",
                "The path is invalid",
                vec![crate::error::Detail {
                    field: "id".into(),
                    message: "must be 24 hexadecimal characters".into(),
                    value: Some(self.id.clone().into()),
                }],
            )
        })
    }
}
