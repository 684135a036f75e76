//! The documents as stored, and their conversions to and from the domain types.

use mongodb::bson::oid::ObjectId;
use mongodb::bson::DateTime;
use serde::{Deserialize, Serialize};
use stackrush_identity::{
    username_key, LinkPurpose, LinkToken, NotificationPreferences, Preferences, PrivacyPreferences,
    Profile, RefreshTokenRecord, Role, Social, Stats, Theme, User,
};
use stackrush_kernel::StoreError;

use crate::corrupt;

pub(crate) fn oid(bytes: [u8; 12]) -> ObjectId {
    ObjectId::from_bytes(bytes)
}

pub(crate) fn bson_time(t: chrono::DateTime<chrono::Utc>) -> DateTime {
    DateTime::from_chrono(t)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProfileDoc {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub website: Option<String>,
    pub github: Option<String>,
    pub linkedin: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct NotificationsDoc {
    pub email: bool,
    pub push: bool,
    pub achievements: bool,
    pub challenges: bool,
    /// Absent in documents written before it existed: on.
    #[serde(default = "yes")]
    pub social: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrivacyDoc {
    pub profile_public: bool,
    pub show_stats: bool,
    pub show_activity: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PreferencesDoc {
    pub theme: String,
    pub notifications: NotificationsDoc,
    pub privacy: PrivacyDoc,
    pub timezone: String,
}

/// A user document; field names follow the architecture document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub email: String,
    pub username: String,
    pub username_key: String,
    pub password: String,
    pub profile: ProfileDoc,
    pub preferences: PreferencesDoc,
    pub roles: Vec<String>,
    pub is_active: bool,
    pub email_verified: bool,
    pub token_version: i64,
    pub deleted_at: Option<DateTime>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

impl From<&Profile> for ProfileDoc {
    fn from(p: &Profile) -> Self {
        Self {
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            avatar: p.avatar.clone(),
            bio: p.bio.clone(),
            location: p.location.clone(),
            website: p.website.clone(),
            github: p.github.clone(),
            linkedin: p.linkedin.clone(),
        }
    }
}

impl From<ProfileDoc> for Profile {
    fn from(p: ProfileDoc) -> Self {
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

impl From<&Preferences> for PreferencesDoc {
    fn from(p: &Preferences) -> Self {
        Self {
            theme: match p.theme {
                Theme::Light => "light",
                Theme::Dark => "dark",
            }
            .to_owned(),
            notifications: NotificationsDoc {
                email: p.notifications.email,
                push: p.notifications.push,
                achievements: p.notifications.achievements,
                challenges: p.notifications.challenges,
                social: p.notifications.social,
            },
            privacy: PrivacyDoc {
                profile_public: p.privacy.profile_public,
                show_stats: p.privacy.show_stats,
                show_activity: p.privacy.show_activity,
            },
            timezone: p.timezone.clone(),
        }
    }
}

impl TryFrom<PreferencesDoc> for Preferences {
    type Error = StoreError;

    fn try_from(p: PreferencesDoc) -> Result<Self, StoreError> {
        Ok(Self {
            theme: match p.theme.as_str() {
                "light" => Theme::Light,
                "dark" => Theme::Dark,
                other => return Err(corrupt("theme", other)),
            },
            notifications: NotificationPreferences {
                email: p.notifications.email,
                push: p.notifications.push,
                achievements: p.notifications.achievements,
                challenges: p.notifications.challenges,
                social: p.notifications.social,
            },
            privacy: PrivacyPreferences {
                profile_public: p.privacy.profile_public,
                show_stats: p.privacy.show_stats,
                show_activity: p.privacy.show_activity,
            },
            timezone: p.timezone,
        })
    }
}

fn small(n: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|e| corrupt(what, e))
}

impl From<&User> for UserDoc {
    fn from(u: &User) -> Self {
        Self {
            id: oid(u.id.bytes()),
            email: u.email.clone(),
            username: u.username.clone(),
            username_key: username_key(&u.username),
            password: u.password_hash.clone(),
            profile: (&u.profile).into(),
            preferences: (&u.preferences).into(),
            roles: u.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            is_active: u.is_active,
            email_verified: u.email_verified,
            token_version: i64::from(u.token_version),
            deleted_at: u.deleted_at.map(bson_time),
            created_at: bson_time(u.created_at),
            updated_at: bson_time(u.updated_at),
        }
    }
}

impl TryFrom<UserDoc> for User {
    type Error = StoreError;

    fn try_from(d: UserDoc) -> Result<Self, StoreError> {
        Ok(Self {
            id: stackrush_identity::UserId::from_bytes(d.id.bytes()),
            email: d.email,
            username: d.username,
            password_hash: d.password,
            profile: d.profile.into(),
            // A player's figures are the scoring context's; documents written before
            // carry a `stats` field that is no longer read.
            stats: Stats::default(),
            social: Social::default(),
            preferences: d.preferences.try_into()?,
            roles: d.roles.iter().filter_map(|r| Role::parse(r)).collect(),
            is_active: d.is_active,
            email_verified: d.email_verified,
            token_version: small(d.token_version, "tokenVersion")?,
            deleted_at: d.deleted_at.map(DateTime::to_chrono),
            created_at: d.created_at.to_chrono(),
            updated_at: d.updated_at.to_chrono(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RefreshTokenDoc {
    pub hash: String,
    pub user_id: ObjectId,
    pub family: ObjectId,
    pub created_at: DateTime,
    pub expires_at: DateTime,
    pub used_at: Option<DateTime>,
    pub revoked_at: Option<DateTime>,
}

impl From<&RefreshTokenRecord> for RefreshTokenDoc {
    fn from(r: &RefreshTokenRecord) -> Self {
        Self {
            hash: r.hash.clone(),
            user_id: oid(r.user_id.bytes()),
            family: oid(r.family.bytes()),
            created_at: bson_time(r.created_at),
            expires_at: bson_time(r.expires_at),
            used_at: r.used_at.map(bson_time),
            revoked_at: r.revoked_at.map(bson_time),
        }
    }
}

impl From<RefreshTokenDoc> for RefreshTokenRecord {
    fn from(d: RefreshTokenDoc) -> Self {
        Self {
            hash: d.hash,
            user_id: stackrush_identity::UserId::from_bytes(d.user_id.bytes()),
            family: stackrush_identity::TokenFamilyId::from_bytes(d.family.bytes()),
            created_at: d.created_at.to_chrono(),
            expires_at: d.expires_at.to_chrono(),
            used_at: d.used_at.map(DateTime::to_chrono),
            revoked_at: d.revoked_at.map(DateTime::to_chrono),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LinkTokenDoc {
    pub purpose: String,
    pub hash: String,
    pub user_id: ObjectId,
    pub created_at: DateTime,
    pub expires_at: DateTime,
}

impl From<&LinkToken> for LinkTokenDoc {
    fn from(t: &LinkToken) -> Self {
        Self {
            purpose: t.purpose.as_str().to_owned(),
            hash: t.hash.clone(),
            user_id: oid(t.user_id.bytes()),
            created_at: bson_time(t.created_at),
            expires_at: bson_time(t.expires_at),
        }
    }
}

impl TryFrom<LinkTokenDoc> for LinkToken {
    type Error = StoreError;

    fn try_from(d: LinkTokenDoc) -> Result<Self, StoreError> {
        Ok(Self {
            purpose: LinkPurpose::parse(&d.purpose)
                .ok_or_else(|| corrupt("link purpose", &d.purpose))?,
            hash: d.hash,
            user_id: stackrush_identity::UserId::from_bytes(d.user_id.bytes()),
            created_at: d.created_at.to_chrono(),
            expires_at: d.expires_at.to_chrono(),
        })
    }
}
