//! Identity bodies.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_identity as id;

/// `POST /auth/register`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct RegisterRequest {
    /// Trimmed and lowercased before use.
    #[schemars(email, length(max = 254))]
    pub email: String,
    #[schemars(regex(pattern = r"^[A-Za-z0-9_-]{3,30}$"))]
    pub username: String,
    /// 8–72 printable ASCII characters with a lowercase and an uppercase letter, a digit and a symbol.
    #[schemars(regex(
        pattern = r"^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])(?=.*[^A-Za-z0-9])[ -~]{8,72}$"
    ))]
    pub password: String,
    #[schemars(
        length(max = 50),
        regex(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")
    )]
    pub first_name: Option<String>,
    #[schemars(
        length(max = 50),
        regex(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")
    )]
    pub last_name: Option<String>,
}

impl From<RegisterRequest> for id::RegisterCommand {
    fn from(r: RegisterRequest) -> Self {
        Self {
            email: r.email,
            username: r.username,
            password: r.password,
            first_name: r.first_name,
            last_name: r.last_name,
        }
    }
}

/// `POST /auth/login`: `identifier` is an email or a username.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct LoginRequest {
    #[serde(alias = "email", alias = "username")]
    #[schemars(length(min = 1, max = 254))]
    pub identifier: String,
    #[schemars(length(min = 1, max = 200))]
    pub password: String,
}

/// `POST /auth/refresh`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct RefreshRequest {
    #[schemars(length(min = 1, max = 200))]
    pub refresh_token: String,
}

/// `POST /auth/logout`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct LogoutRequest {
    /// The session's refresh token; its family is revoked.
    #[schemars(length(max = 200))]
    pub refresh_token: Option<String>,
}

/// `POST /auth/forgot-password`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ForgotPasswordRequest {
    #[schemars(email, length(max = 254))]
    pub email: String,
}

/// `POST /auth/reset-password`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct ResetPasswordRequest {
    /// The token from the emailed link.
    #[schemars(length(min = 1, max = 200))]
    pub token: String,
    #[serde(alias = "newPassword")]
    #[schemars(regex(
        pattern = r"^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])(?=.*[^A-Za-z0-9])[ -~]{8,72}$"
    ))]
    pub password: String,
}

/// `POST /auth/verify-email`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct VerifyEmailRequest {
    #[schemars(length(min = 1, max = 200))]
    pub token: String,
}

/// `GET|POST /auth/unsubscribe` query: the token of the link in an email.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct UnsubscribeQuery {
    #[schemars(length(min = 1, max = 200))]
    pub token: String,
}

/// `DELETE /users/account`: the current password confirms it.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct DeleteAccountRequest {
    #[schemars(length(min = 1, max = 200))]
    pub password: String,
}

/// `POST /auth/change-password`.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ChangePasswordRequest {
    #[schemars(length(min = 1, max = 200))]
    pub current_password: String,
    #[schemars(regex(
        pattern = r"^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])(?=.*[^A-Za-z0-9])[ -~]{8,72}$"
    ))]
    pub new_password: String,
}

/// Profile fields; each is optional, an empty string clears it.
#[derive(Debug, Default, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct UpdateProfileRequest {
    #[schemars(
        length(max = 50),
        regex(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")
    )]
    pub first_name: Option<String>,
    #[schemars(
        length(max = 50),
        regex(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")
    )]
    pub last_name: Option<String>,
    /// An http(s) URL, or empty.
    #[schemars(
        length(max = 500),
        regex(pattern = r"^(https?://[^\s\u0000-\u001F\u007F-\u009F]*)?$")
    )]
    pub avatar: Option<String>,
    #[schemars(
        length(max = 500),
        regex(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")
    )]
    pub bio: Option<String>,
    #[schemars(
        length(max = 100),
        regex(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")
    )]
    pub location: Option<String>,
    /// An http(s) URL, or empty.
    #[schemars(
        length(max = 200),
        regex(pattern = r"^(https?://[^\s\u0000-\u001F\u007F-\u009F]*)?$")
    )]
    pub website: Option<String>,
    #[schemars(
        length(max = 100),
        regex(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")
    )]
    pub github: Option<String>,
    #[schemars(
        length(max = 100),
        regex(pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")
    )]
    pub linkedin: Option<String>,
}

impl From<UpdateProfileRequest> for id::ProfileUpdate {
    fn from(r: UpdateProfileRequest) -> Self {
        Self {
            first_name: r.first_name,
            last_name: r.last_name,
            avatar: r.avatar,
            bio: r.bio,
            location: r.location,
            website: r.website,
            github: r.github,
            linkedin: r.linkedin,
        }
    }
}

/// Colour scheme.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum ThemeDto {
    Light,
    Dark,
}

/// Partial notification preferences.
#[derive(Debug, Default, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct NotificationsUpdate {
    pub email: Option<bool>,
    pub push: Option<bool>,
    pub achievements: Option<bool>,
    pub challenges: Option<bool>,
    /// Community notifications (replies, followers, likes, collaboration, moderation).
    pub social: Option<bool>,
}

/// Partial privacy preferences.
#[derive(Debug, Default, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PrivacyUpdate {
    pub profile_public: Option<bool>,
    pub show_stats: Option<bool>,
    pub show_activity: Option<bool>,
}

fn timezone_schema(_: &mut apistos::schemars::SchemaGenerator) -> apistos::schemars::Schema {
    let mut names: Vec<serde_json::Value> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| serde_json::Value::from(tz.name()))
        .collect();
    // Absent and null both leave the setting as it is.
    names.push(serde_json::Value::Null);
    let mut schema = serde_json::Map::new();
    schema.insert("type".into(), "string".into());
    schema.insert("nullable".into(), true.into());
    schema.insert("enum".into(), names.into());
    schema.insert("description".into(), "An IANA time zone name".into());
    apistos::schemars::Schema::from(schema)
}

/// `PUT /users/preferences`: any subset.
#[derive(Debug, Default, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields)]
#[schemars(crate = "apistos")]
pub struct UpdatePreferencesRequest {
    pub theme: Option<ThemeDto>,
    pub notifications: Option<NotificationsUpdate>,
    pub privacy: Option<PrivacyUpdate>,
    #[serde(default)]
    #[schemars(schema_with = "timezone_schema")]
    pub timezone: Option<String>,
}

impl From<UpdatePreferencesRequest> for id::PreferencesUpdate {
    fn from(r: UpdatePreferencesRequest) -> Self {
        let n = r.notifications.unwrap_or_default();
        let p = r.privacy.unwrap_or_default();
        Self {
            theme: r.theme.map(|t| match t {
                ThemeDto::Light => id::Theme::Light,
                ThemeDto::Dark => id::Theme::Dark,
            }),
            notifications: id::NotificationUpdate {
                email: n.email,
                push: n.push,
                achievements: n.achievements,
                challenges: n.challenges,
                social: n.social,
            },
            privacy: id::PrivacyUpdate {
                profile_public: p.profile_public,
                show_stats: p.show_stats,
                show_activity: p.show_activity,
            },
            timezone: r.timezone,
        }
    }
}

/// A role.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "lowercase")]
#[schemars(crate = "apistos")]
pub enum RoleDto {
    User,
    Admin,
    Moderator,
    Premium,
}

impl From<RoleDto> for id::Role {
    fn from(r: RoleDto) -> Self {
        match r {
            RoleDto::User => id::Role::User,
            RoleDto::Admin => id::Role::Admin,
            RoleDto::Moderator => id::Role::Moderator,
            RoleDto::Premium => id::Role::Premium,
        }
    }
}

/// `PATCH /users/{id}` (admin): roles and/or active flag.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct AdminUpdateUserRequest {
    #[schemars(length(max = 4))]
    pub roles: Option<Vec<RoleDto>>,
    pub is_active: Option<bool>,
}

impl From<AdminUpdateUserRequest> for id::AdminUserUpdate {
    fn from(r: AdminUpdateUserRequest) -> Self {
        Self {
            roles: r
                .roles
                .map(|roles| roles.into_iter().map(Into::into).collect()),
            is_active: r.is_active,
        }
    }
}

/// `GET /users` (admin) query.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ListUsersQuery {
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub page: Option<u32>,
    /// Clamped to 100.
    #[schemars(range(min = 1, max = 4_294_967_295_u32))]
    pub limit: Option<u32>,
    /// Literal, case-insensitive substring of username or email.
    #[schemars(length(max = 100))]
    pub search: Option<String>,
    pub role: Option<RoleDto>,
    pub is_active: Option<bool>,
    pub email_verified: Option<bool>,
    pub include_deleted: Option<bool>,
}

/// Public profile fields.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct ProfileDto {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub website: Option<String>,
    pub github: Option<String>,
    pub linkedin: Option<String>,
}

impl From<id::Profile> for ProfileDto {
    fn from(p: id::Profile) -> Self {
        Self {
            first_name: p.first_name,
            last_name: p.last_name,
            avatar: p.avatar,
            bio: p.bio,
            location: p.location,
            website: p.website,
            github: p.github,
            linkedin: p.linkedin,
        }
    }
}

/// Progress counters.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct StatsDto {
    pub level: u32,
    pub xp: u64,
    pub total_challenges: u64,
    pub completed_challenges: u64,
    pub streak: u32,
    pub last_active_date: Option<DateTime<Utc>>,
}

impl From<id::Stats> for StatsDto {
    fn from(s: id::Stats) -> Self {
        Self {
            level: s.level,
            xp: s.xp,
            total_challenges: s.total_challenges,
            completed_challenges: s.completed_challenges,
            streak: s.streak,
            last_active_date: s.last_active_date,
        }
    }
}

/// Follower and following counts (the community's), shown like the profile itself.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct SocialDto {
    pub followers: u64,
    pub following: u64,
}

impl From<id::Social> for SocialDto {
    fn from(s: id::Social) -> Self {
        Self {
            followers: s.followers,
            following: s.following,
        }
    }
}

/// Notification preferences.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct NotificationsDto {
    pub email: bool,
    pub push: bool,
    pub achievements: bool,
    pub challenges: bool,
    pub social: bool,
}

/// Privacy preferences.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct PrivacyDto {
    pub profile_public: bool,
    pub show_stats: bool,
    pub show_activity: bool,
}

/// A user's settings.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct PreferencesDto {
    pub theme: ThemeDto,
    pub notifications: NotificationsDto,
    pub privacy: PrivacyDto,
    pub timezone: String,
}

impl From<id::Preferences> for PreferencesDto {
    fn from(p: id::Preferences) -> Self {
        Self {
            theme: match p.theme {
                id::Theme::Light => ThemeDto::Light,
                id::Theme::Dark => ThemeDto::Dark,
            },
            notifications: NotificationsDto {
                email: p.notifications.email,
                push: p.notifications.push,
                achievements: p.notifications.achievements,
                challenges: p.notifications.challenges,
                social: p.notifications.social,
            },
            privacy: PrivacyDto {
                profile_public: p.privacy.profile_public,
                show_stats: p.privacy.show_stats,
                show_activity: p.privacy.show_activity,
            },
            timezone: p.timezone,
        }
    }
}

/// A user as the caller may see them: email and preferences only for the user and admins,
/// stats unless hidden. Secrets and lockout state never appear.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct UserDto {
    #[serde(rename = "_id")]
    pub object_id: String,
    /// Same as `_id`.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub username: String,
    pub profile: ProfileDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<StatsDto>,
    pub social: SocialDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferences: Option<PreferencesDto>,
    pub roles: Vec<RoleDto>,
    pub is_active: bool,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn role_dto(r: id::Role) -> RoleDto {
    match r {
        id::Role::User => RoleDto::User,
        id::Role::Admin => RoleDto::Admin,
        id::Role::Moderator => RoleDto::Moderator,
        id::Role::Premium => RoleDto::Premium,
    }
}

impl From<id::UserView> for UserDto {
    fn from(view: id::UserView) -> Self {
        let (email, stats, private) = (
            view.shows_email(),
            view.visible_stats(),
            view.shows_private_fields(),
        );
        let u = view.user;
        Self {
            object_id: u.id.to_hex(),
            id: u.id.to_hex(),
            email: email.then_some(u.email),
            username: u.username,
            profile: u.profile.into(),
            stats: stats.map(Into::into),
            social: u.social.into(),
            preferences: private.then(|| u.preferences.into()),
            roles: u.roles.into_iter().map(role_dto).collect(),
            is_active: u.is_active,
            email_verified: u.email_verified,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

impl UserDto {
    /// The user seeing their own account.
    pub fn own(user: id::User) -> Self {
        id::UserView {
            user,
            audience: id::Audience::Owner,
        }
        .into()
    }

    /// An admin's view of an account.
    pub fn for_admin(user: id::User) -> Self {
        id::UserView {
            user,
            audience: id::Audience::Admin,
        }
        .into()
    }
}

/// `data.user` after registration.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct RegisteredDto {
    pub user: UserDto,
}

/// The pair the client stores.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct TokensDto {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: i64,
}

impl From<id::TokenPair> for TokensDto {
    fn from(t: id::TokenPair) -> Self {
        Self {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_in: t.expires_in,
        }
    }
}

/// `data` of login and refresh.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct SessionDto {
    pub user: UserDto,
    pub tokens: TokensDto,
}

impl SessionDto {
    /// The session of `user` with `tokens`.
    pub fn new(user: id::User, tokens: id::TokenPair) -> Self {
        Self {
            user: UserDto::own(user),
            tokens: tokens.into(),
        }
    }
}

/// `data` of a password change: a fresh pair (every other session is signed out).
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct TokensOnlyDto {
    pub tokens: TokensDto,
}

impl TryFrom<ListUsersQuery>
    for (
        stackrush_identity::UserFilter,
        stackrush_kernel::PageRequest,
    )
{
    type Error = crate::error::ApiError;

    fn try_from(q: ListUsersQuery) -> Result<Self, Self::Error> {
        crate::http::max_chars("search", q.search.as_deref(), 100)?;
        let page = crate::http::page_request(q.page, q.limit, 20)?;
        let filter = stackrush_identity::UserFilter {
            search: q.search.filter(|s| !s.is_empty()),
            role: q.role.map(Into::into),
            is_active: q.is_active,
            email_verified: q.email_verified,
            include_deleted: q.include_deleted.unwrap_or(false),
        };
        Ok((filter, page))
    }
}
