//! The identity context's data: users and their parts, commands, and the views others get.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_kernel::define_id;

define_id!(
    /// Identifies a user account.
    UserId
);
define_id!(
    /// Identifies a chain of rotated refresh tokens issued from one login.
    TokenFamilyId
);

/// What a user may do beyond the basics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every account.
    User,
    /// Full control.
    Admin,
    /// Curates content.
    Moderator,
    /// A paying member: may author learning playlists (granted and revoked by admins).
    Premium,
}

impl Role {
    /// The role's name as stored and shown.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
            Role::Moderator => "moderator",
            Role::Premium => "premium",
        }
    }

    /// The role named `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "user" => Some(Role::User),
            "admin" => Some(Role::Admin),
            "moderator" => Some(Role::Moderator),
            "premium" => Some(Role::Premium),
            _ => None,
        }
    }
}

/// Public profile fields, all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub website: Option<String>,
    pub github: Option<String>,
    pub linkedin: Option<String>,
}

/// Progress counters; owned by identity, advanced by scoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub level: u32,
    pub xp: u64,
    pub total_challenges: u64,
    pub completed_challenges: u64,
    pub streak: u32,
    pub last_active_date: Option<DateTime<Utc>>,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            level: 1,
            xp: 0,
            total_challenges: 0,
            completed_challenges: 0,
            streak: 0,
            last_active_date: None,
        }
    }
}

/// How many members follow a user and how many they follow: kept by the community context, shown
/// on profiles, never stored by identity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Social {
    pub followers: u64,
    pub following: u64,
}

/// Colour scheme of the web client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Light,
    #[default]
    Dark,
}

/// Which notifications a user wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPreferences {
    pub email: bool,
    pub push: bool,
    pub achievements: bool,
    pub challenges: bool,
    /// Community notifications: replies, followers, likes, collaboration, moderation.
    #[serde(default = "yes")]
    pub social: bool,
}

fn yes() -> bool {
    true
}

impl Default for NotificationPreferences {
    fn default() -> Self {
        Self {
            email: true,
            push: true,
            achievements: true,
            challenges: true,
            social: true,
        }
    }
}

/// What others may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyPreferences {
    pub profile_public: bool,
    pub show_stats: bool,
    pub show_activity: bool,
}

impl Default for PrivacyPreferences {
    fn default() -> Self {
        Self {
            profile_public: true,
            show_stats: true,
            show_activity: true,
        }
    }
}

/// A user's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    pub theme: Theme,
    pub notifications: NotificationPreferences,
    pub privacy: PrivacyPreferences,
    /// An IANA time zone name; days (streaks) are counted in it.
    pub timezone: String,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            theme: Theme::default(),
            notifications: NotificationPreferences::default(),
            privacy: PrivacyPreferences::default(),
            timezone: "UTC".to_owned(),
        }
    }
}

/// A user account as stored. Secrets are here; views decide what leaves.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    /// Trimmed and lowercased.
    pub email: String,
    /// As chosen; unique regardless of case.
    pub username: String,
    pub password_hash: String,
    pub profile: Profile,
    /// The player's figures, kept by the scoring context (with its ledger): the service fills
    /// them from [`crate::ports::PlayerFigures`] on what it returns; stores neither keep nor
    /// return them (they read as [`Stats::default`] there).
    pub stats: Stats,
    /// Follower and following counts, kept by the community context: filled like `stats` from
    /// [`crate::ports::SocialFigures`]; stores read them as zero.
    pub social: Social,
    pub preferences: Preferences,
    pub roles: Vec<Role>,
    pub is_active: bool,
    pub email_verified: bool,
    /// Bumped whenever outstanding access tokens must stop working.
    pub token_version: u32,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// Whether the user holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Applies `patch` as every store must: named fields replaced, version bumped on request,
    /// `updated_at` set to `now`.
    pub fn apply(&mut self, patch: &UserPatch, now: DateTime<Utc>) {
        if let Some(profile) = &patch.profile {
            self.profile = profile.clone();
        }
        if let Some(preferences) = &patch.preferences {
            self.preferences = preferences.clone();
        }
        if let Some(hash) = &patch.password_hash {
            self.password_hash = hash.clone();
        }
        if let Some(verified) = patch.email_verified {
            self.email_verified = verified;
        }
        if let Some(roles) = &patch.roles {
            self.roles = roles.clone();
        }
        if let Some(active) = patch.is_active {
            self.is_active = active;
        }
        if let Some(deleted_at) = patch.deleted_at {
            self.deleted_at = Some(deleted_at);
        }
        if patch.bump_token_version {
            self.token_version += 1;
        }
        self.updated_at = now;
    }

    /// Whether the account can sign in and be acted for.
    pub fn is_usable(&self) -> bool {
        self.is_active && self.deleted_at.is_none()
    }

    /// Whether the account may appear in public rankings (leaderboards): usable, and its owner
    /// shows their stats. The one listing rule; other contexts learn it through
    /// [`crate::ports::AccountEvent`]s and the accounts they read.
    pub fn is_ranked(&self) -> bool {
        self.is_usable() && self.preferences.privacy.show_stats
    }
}

/// The lowercase key under which usernames are unique.
pub fn username_key(username: &str) -> String {
    username.to_lowercase()
}

/// A change to a stored user; `None` fields are left alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserPatch {
    pub profile: Option<Profile>,
    pub preferences: Option<Preferences>,
    pub password_hash: Option<String>,
    pub email_verified: Option<bool>,
    pub roles: Option<Vec<Role>>,
    pub is_active: Option<bool>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Increment `token_version`, invalidating every outstanding access token.
    pub bump_token_version: bool,
}

/// Filters of the admin user list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserFilter {
    /// Literal, case-insensitive substring of username or email.
    pub search: Option<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub email_verified: Option<bool>,
    /// Include soft-deleted accounts.
    pub include_deleted: bool,
}

/// Whose failed logins a throttle record counts: one login name (an email or a username,
/// normalized) tried from one client address. Both parts are keyed digests
/// ([`crate::service::IdentityService`] makes them), so the store holds neither the names
/// people typed nor their addresses. Unknown names are counted exactly like existing ones.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThrottleKey {
    pub subject: String,
    pub address: String,
}

/// What the login throttle remembers of one [`ThrottleKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    /// Failures since the last success (or since the record expired).
    pub failures: u32,
    /// No attempt is checked before this instant.
    pub locked_until: Option<DateTime<Utc>>,
}

/// The growing delays of the login throttle: the `threshold`-th failure of a key locks it for
/// `base_delay`, and each failure after that for twice as long as the one before, at most
/// `max_delay`. A key's failures are forgotten `forget_after` its last one (or at a success).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub threshold: u32,
    pub base_delay: chrono::Duration,
    pub max_delay: chrono::Duration,
    pub forget_after: chrono::Duration,
}

impl LockoutPolicy {
    /// How long the key is locked after its `failures`-th failure, if at all.
    pub fn delay_after(&self, failures: u32) -> Option<chrono::Duration> {
        let doublings = failures.checked_sub(self.threshold)?.min(30);
        let delay = self
            .base_delay
            .checked_mul(1_i32 << doublings)
            .unwrap_or(self.max_delay);
        Some(delay.min(self.max_delay))
    }
}

/// A stored refresh token; only its keyed hash is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshTokenRecord {
    pub hash: String,
    pub user_id: UserId,
    pub family: TokenFamilyId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsumeOutcome {
    /// The token was live and is now used; the caller may issue its successor.
    Consumed(RefreshTokenRecord),
    /// The token exists but was already used or revoked: a replay.
    Replayed(RefreshTokenRecord),
    /// No such token.
    Unknown,
}

/// Why a single-use link token exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkPurpose {
    VerifyEmail,
    ResetPassword,
}

impl LinkPurpose {
    /// Stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            LinkPurpose::VerifyEmail => "verify_email",
            LinkPurpose::ResetPassword => "reset_password",
        }
    }

    /// The purpose stored as `name`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "verify_email" => Some(Self::VerifyEmail),
            "reset_password" => Some(Self::ResetPassword),
            _ => None,
        }
    }
}

/// A stored single-use link token (email verification, password reset); only its hash is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkToken {
    pub hash: String,
    pub user_id: UserId,
    pub purpose: LinkPurpose,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Who is calling: established from a valid access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: UserId,
    pub roles: Vec<Role>,
}

impl Actor {
    /// Whether the caller is an admin.
    pub fn is_admin(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }

    /// Whether the caller holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Who is looking at a user, which decides what of it they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The user themself: everything but secrets.
    Owner,
    /// An admin: everything but secrets.
    Admin,
    /// Anyone else: public fields, stats only if shown.
    Public,
}

/// A user as a given audience may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserView {
    pub user: User,
    pub audience: Audience,
}

impl UserView {
    /// Whether the email may be shown.
    pub fn shows_email(&self) -> bool {
        self.audience != Audience::Public
    }

    /// Whether the stats may be shown.
    pub fn shows_stats(&self) -> bool {
        self.audience != Audience::Public || self.user.preferences.privacy.show_stats
    }

    /// Whether activity (when they were last active) may be shown.
    pub fn shows_activity(&self) -> bool {
        self.audience != Audience::Public || self.user.preferences.privacy.show_activity
    }

    /// The stats this audience may see: none when hidden, and without the last active date
    /// when activity is hidden. Every read of a user's stats goes through here.
    pub fn visible_stats(&self) -> Option<Stats> {
        self.shows_stats().then(|| Stats {
            last_active_date: self
                .user
                .stats
                .last_active_date
                .filter(|_| self.shows_activity()),
            ..self.user.stats.clone()
        })
    }

    /// Whether preferences and account flags may be shown.
    pub fn shows_private_fields(&self) -> bool {
        self.audience != Audience::Public
    }
}

/// Create an account.
#[derive(Debug, Clone)]
pub struct RegisterCommand {
    pub email: String,
    pub username: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// Change some profile fields; `None` leaves a field, `Some("")` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub website: Option<String>,
    pub github: Option<String>,
    pub linkedin: Option<String>,
}

/// Change some preferences; `None` leaves a setting.
#[derive(Debug, Clone, Default)]
pub struct PreferencesUpdate {
    pub theme: Option<Theme>,
    pub notifications: NotificationUpdate,
    pub privacy: PrivacyUpdate,
    pub timezone: Option<String>,
}

/// Partial change of notification preferences.
#[derive(Debug, Clone, Default)]
pub struct NotificationUpdate {
    pub email: Option<bool>,
    pub push: Option<bool>,
    pub achievements: Option<bool>,
    pub challenges: Option<bool>,
    pub social: Option<bool>,
}

/// Partial change of privacy preferences.
#[derive(Debug, Clone, Default)]
pub struct PrivacyUpdate {
    pub profile_public: Option<bool>,
    pub show_stats: Option<bool>,
    pub show_activity: Option<bool>,
}

/// An admin's change to another account.
#[derive(Debug, Clone, Default)]
pub struct AdminUserUpdate {
    pub roles: Option<Vec<Role>>,
    pub is_active: Option<bool>,
}

/// What anyone may see of a user next to their content — the name and avatar — with the time
/// zone and privacy settings other contexts need to decide what of theirs to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: UserId,
    pub username: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
    /// Their IANA time zone (the days their figures count in).
    pub timezone: String,
    /// Whether their profile is public (public aggregates name only those).
    pub profile_public: bool,
    /// Whether they show their stats, and their activity, to others.
    pub show_stats: bool,
    pub show_activity: bool,
}
