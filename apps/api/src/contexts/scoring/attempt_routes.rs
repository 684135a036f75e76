//! Attempts (and, next, submissions and scoring).

use actix_web::web::Path;
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{post, resource, ServiceConfig};
use stackrush_scoring::{ChallengeRef, StartAttempt};

use super::dto::{StartAttemptRequest, StartedAttemptDto};
use super::player;
use crate::auth::Auth;
use crate::envelope::ApiResponse;
use crate::error::ApiError;
use crate::http::Body;
use crate::http::IdPath;
use crate::http::Port;
use stackrush_scoring::ScoringApi;

/// Start a challenge.
/// Start an attempt: the browser gets every test's input (expected outputs of visible tests only),
/// an expiry and a nonce to send back with the results.
#[api_operation(
    tag = "challenges",
    summary = "Start a challenge",
    error_code = 400,
    error_code = 401,
    error_code = 404
)]
pub async fn start(
    scoring: Port<dyn ScoringApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<StartAttemptRequest>,
) -> Result<CreatedJson<ApiResponse<StartedAttemptDto>>, ApiError> {
    let body = body.into_inner();
    let cmd = StartAttempt {
        player: player(&auth.0),
        challenge: path.parse::<ChallengeRef>()?,
        mode: body.mode.map(Into::into).unwrap_or_default(),
        distraction_level: body.distraction_level.map(Into::into).unwrap_or_default(),
    };
    let started = scoring.start_attempt(cmd).await?;
    Ok(CreatedJson(ApiResponse::ok(started.into())))
}

/// Scoring routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        crate::http::allowing(resource("/challenges/{id}/start"), "POST").route(post().to(start)),
    );
}
