//! The audit trail: every sensitive operation that succeeded is appended to the audit log
//! (analytics' `AuditApi`) — who (the authenticated caller), what (an action named by the
//! route), which target (the route's id), when, and from where (the client address by the rate
//! limits' rule) — after the handler answered and before the answer leaves. A failure to
//! record is logged and never changes the answer; request and response bodies are never read,
//! so no password or token can reach the log.

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use stackrush_analytics::audit::{AuditActor, NewAuditEntry};
use stackrush_analytics::AuditApi;

use crate::auth::Authenticated;
use crate::middleware::{RequestId, API_BASE};

/// Where the app appends audit entries (none in handler tests that leave it out).
pub struct AuditTrail(pub Option<Arc<dyn AuditApi>>);

/// What a target's id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The route's `{id}`, of this kind.
    Path(&'static str),
    /// The caller's own account.
    Caller,
    None,
    /// The caller's own account, recorded only the first time from an address (sign-ins).
    CallerFromNewAddress,
}

/// The audited operations: method, route template under the API base, action, target.
const AUDITED: &[(&str, &str, &str, Target)] = &[
    (
        "PATCH",
        "/users/{id}",
        "user.updated_by_admin",
        Target::Path("user"),
    ),
    (
        "DELETE",
        "/users/account",
        "account.deleted",
        Target::Caller,
    ),
    (
        "POST",
        "/auth/change-password",
        "password.changed",
        Target::Caller,
    ),
    (
        "POST",
        "/auth/reset-password",
        "password.reset",
        Target::None,
    ),
    (
        "POST",
        "/auth/login",
        "auth.signed_in_from_new_address",
        Target::CallerFromNewAddress,
    ),
    ("POST", "/achievements", "achievement.created", Target::None),
    (
        "PUT",
        "/achievements/{id}",
        "achievement.updated",
        Target::Path("achievement"),
    ),
    (
        "DELETE",
        "/achievements/{id}",
        "achievement.deleted",
        Target::Path("achievement"),
    ),
    ("POST", "/challenges", "challenge.created", Target::None),
    (
        "PUT",
        "/challenges/{id}",
        "challenge.updated",
        Target::Path("challenge"),
    ),
    (
        "DELETE",
        "/challenges/{id}",
        "challenge.deleted",
        Target::Path("challenge"),
    ),
    (
        "POST",
        "/admin/challenges/import",
        "challenges.imported",
        Target::None,
    ),
    (
        "POST",
        "/community/posts/{id}/moderate",
        "post.moderated",
        Target::Path("post"),
    ),
    (
        "POST",
        "/community/comments/{id}/moderate",
        "comment.moderated",
        Target::Path("comment"),
    ),
    (
        "POST",
        "/community/moderation/reports/{id}/dismiss",
        "report.dismissed",
        Target::Path("report"),
    ),
    (
        "POST",
        "/certificates/{id}/revoke",
        "certificate.revoked",
        Target::Path("certificate"),
    ),
];

/// The audited operation a method and route template name, if any.
fn audited(method: &str, pattern: &str) -> Option<(&'static str, Target)> {
    let route = pattern.strip_prefix(API_BASE)?;
    AUDITED
        .iter()
        .find(|(m, r, _, _)| *m == method && *r == route)
        .map(|(_, _, action, target)| (*action, *target))
}

/// Appends the audit entry of a succeeded audited operation.
pub async fn audit_trail(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let audit = req
        .app_data::<web::Data<AuditTrail>>()
        .and_then(|t| t.0.clone());
    let response = next.call(req).await?.map_into_boxed_body();
    let Some(audit) = audit else {
        return Ok(response);
    };
    if !response.status().is_success() {
        return Ok(response);
    }
    let request = response.request();
    let Some(pattern) = request.match_pattern() else {
        return Ok(response);
    };
    let Some((action, target_kind)) = audited(request.method().as_str(), &pattern) else {
        return Ok(response);
    };
    let actor = request.extensions().get::<Authenticated>().map(|a| a.0);
    let target = match target_kind {
        Target::Path(kind) => request
            .match_info()
            .get("id")
            .map(|id| format!("{kind}:{id}")),
        Target::Caller | Target::CallerFromNewAddress => {
            actor.map(|a| format!("user:{}", a.to_hex()))
        }
        Target::None => None,
    };
    let entry = NewAuditEntry {
        actor: actor.map(|a| AuditActor::from_bytes(a.bytes())),
        action: action.to_owned(),
        target,
        address: Some(crate::middleware::request_ip(request).to_string()),
        request_id: request.extensions().get::<RequestId>().map(|r| r.0.clone()),
    };
    let first_only = target_kind == Target::CallerFromNewAddress;
    record(audit, entry, first_only).await;
    Ok(response)
}

async fn record(audit: Arc<dyn AuditApi>, entry: NewAuditEntry, first_only: bool) {
    let action = entry.action.clone();
    let recorded = if first_only {
        audit.record_first_from_address(entry).await.map(drop)
    } else {
        audit.record(entry).await.map(drop)
    };
    if let Err(e) = recorded {
        tracing::error!(error = %e, action, "could not append to the audit log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audited_operations_are_named_by_method_and_template_under_the_api_base() {
        assert_eq!(
            audited("PATCH", "/api/v1/users/{id}"),
            Some(("user.updated_by_admin", Target::Path("user")))
        );
        assert_eq!(audited("GET", "/api/v1/users/{id}"), None);
        assert_eq!(
            audited("PATCH", "/users/{id}"),
            None,
            "only under the API base"
        );
        assert_eq!(
            audited("POST", "/api/v1/certificates/{id}/revoke"),
            Some(("certificate.revoked", Target::Path("certificate")))
        );
        for (_, route, action, _) in AUDITED {
            assert!(route.starts_with('/'), "{route}");
            let (area, verb) = action.split_once('.').unwrap();
            assert!(!area.is_empty() && !verb.is_empty(), "{action}");
        }
    }
}
