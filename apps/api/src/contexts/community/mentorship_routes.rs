//! Mentorships (the spec's "mentor" connections): a member asks another to mentor them; the
//! mentor accepts or declines; either side ends it.

use actix_web::web::{Json, Path, Query};
use apistos::actix::CreatedJson;
use apistos::api_operation;
use apistos::web::{get, post, resource, ServiceConfig};
use stackrush_community::{CommunityApi, MemberId, MentorshipId, MentorshipSide};

use super::caller;
use super::dto::*;
use crate::auth::Auth;
use crate::envelope::{ApiResponse, Paginated};
use crate::error::ApiError;
use crate::http::Body;
use crate::http::{IdPath, Port};

type Reply<T> = Result<Json<ApiResponse<T>>, ApiError>;

/// Ask to be mentored.
/// Ask a user to mentor you (one pending or active mentorship per pair).
#[api_operation(
    tag = "community",
    summary = "Ask to be mentored",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn ask(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
    body: Body<MentorshipRequest>,
) -> Result<CreatedJson<ApiResponse<MentorshipDto>>, ApiError> {
    let mentor = path.parse::<MemberId>()?;
    let MentorshipRequest { message, topics } = body.into_inner();
    let made = community
        .request_mentorship(caller(&auth.0), mentor, message, topics)
        .await?;
    Ok(CreatedJson(ApiResponse::ok(made.into())))
}

/// My mentorships.
/// My mentorships as mentee (`role=mentee`, the default) or as mentor, latest first.
#[api_operation(
    tag = "community",
    summary = "My mentorships",
    error_code = 400,
    error_code = 401
)]
pub async fn mentorships(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    query: Query<MentorshipsQuery>,
) -> Reply<Paginated<MentorshipDto>> {
    let page = crate::http::page_request(query.page, query.limit, 20)?;
    let side = match query.role {
        None | Some(MentorshipRoleDto::Mentee) => MentorshipSide::Mentee,
        Some(MentorshipRoleDto::Mentor) => MentorshipSide::Mentor,
    };
    let status = query.status.map(Into::into);
    let found = community
        .mentorships(caller(&auth.0), side, status, page)
        .await?;
    Ok(Json(ApiResponse::ok(Paginated::from_page(
        found,
        Into::into,
    ))))
}

async fn answer(
    community: &dyn CommunityApi,
    auth: &Auth,
    path: &IdPath,
    accept: bool,
) -> Reply<MentorshipDto> {
    let id = path.parse::<MentorshipId>()?;
    let done = community
        .answer_mentorship(caller(&auth.0), id, accept)
        .await?;
    Ok(Json(ApiResponse::ok(done.into())))
}

/// Accept a mentorship request.
/// The mentor accepts a pending request.
#[api_operation(
    tag = "community",
    summary = "Accept a mentorship request",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn accept(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<MentorshipDto> {
    answer(&*community, &auth, &path, true).await
}

/// Decline a mentorship request.
/// The mentor declines a pending request.
#[api_operation(
    tag = "community",
    summary = "Decline a mentorship request",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn decline(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<MentorshipDto> {
    answer(&*community, &auth, &path, false).await
}

/// End a mentorship.
/// Either side ends an active mentorship; the mentee may withdraw a pending request.
#[api_operation(
    tag = "community",
    summary = "End a mentorship",
    error_code = 400,
    error_code = 401,
    error_code = 403,
    error_code = 404,
    error_code = 409
)]
pub async fn end(
    community: Port<dyn CommunityApi>,
    auth: Auth,
    path: Path<IdPath>,
) -> Reply<MentorshipDto> {
    let id = path.parse::<MentorshipId>()?;
    let done = community.end_mentorship(caller(&auth.0), id).await?;
    Ok(Json(ApiResponse::ok(done.into())))
}

/// The mentorship routes.
pub fn configure(cfg: &mut ServiceConfig) {
    use crate::http::allowing;
    cfg.service(allowing(resource("/community/mentorships"), "GET").route(get().to(mentorships)))
        .service(
            allowing(resource("/community/mentorships/{id}/accept"), "POST")
                .route(post().to(accept)),
        )
        .service(
            allowing(resource("/community/mentorships/{id}/decline"), "POST")
                .route(post().to(decline)),
        )
        .service(
            allowing(resource("/community/mentorships/{id}/end"), "POST").route(post().to(end)),
        )
        .service(
            allowing(resource("/community/users/{id}/mentorship"), "POST").route(post().to(ask)),
        );
}
