//! Certificates as downloaded and checked: the signed fields (named as in the canonical form),
//! the signature, and what the server found.

use apistos::{ApiComponent, JsonSchema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use stackrush_learning as ln;

use crate::http::mirrored_enum;
use crate::http::patterns::TEXT_FILLED;

mirrored_enum!(
    /// What checking a certificate found: `valid`, `revoked` (issued here, then revoked) or
    /// `invalid` (the signature does not hold over these fields).
    CertificateStatusDto => ln::CertificateStatus {
        Valid = "valid",
        Revoked = "revoked",
        Invalid = "invalid",
    }
);

/// Why and when an admin revoked a certificate.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct RevocationDto {
    pub revoked_at: DateTime<Utc>,
    pub reason: String,
}

impl From<ln::Revocation> for RevocationDto {
    fn from(r: ln::Revocation) -> Self {
        Self {
            revoked_at: r.at,
            reason: r.reason,
        }
    }
}

/// A certificate of completion. `signature` is the standard base64 of the Ed25519 signature
/// (key at `GET /certificates/public-key`) over the canonical form of the signed fields:
/// `authorName`, `completedAt`, `id`, `learnerId`, `learnerName`, `lessons`, `playlistId`,
/// `playlistTitle`, `version` as one compact JSON object, keys in that (lexicographic) order.
/// The other fields are what the server found, not signed.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CertificateDto {
    pub id: String,
    pub version: u32,
    pub learner_id: String,
    pub learner_name: String,
    pub playlist_id: String,
    pub playlist_title: String,
    pub author_name: String,
    /// RFC 3339, UTC, whole seconds, exactly as signed.
    pub completed_at: String,
    /// The playlist's lesson titles, in order.
    pub lessons: Vec<String>,
    /// `Ed25519`.
    pub algorithm: String,
    pub key_id: String,
    pub signature: String,
    pub status: CertificateStatusDto,
    /// The signature holds and the certificate is not revoked.
    pub valid: bool,
    pub revocation: Option<RevocationDto>,
    /// Where anyone can check it.
    pub verification_url: String,
}

impl From<ln::CertificateView> for CertificateDto {
    fn from(v: ln::CertificateView) -> Self {
        let fields = v.certificate.signed_fields();
        let c = v.certificate;
        Self {
            id: fields.id,
            version: fields.version,
            learner_id: fields.learner_id,
            learner_name: fields.learner_name,
            playlist_id: fields.playlist_id,
            playlist_title: fields.playlist_title,
            author_name: fields.author_name,
            completed_at: fields.completed_at,
            lessons: fields.lessons,
            algorithm: ln::ALGORITHM.to_owned(),
            key_id: c.key_id,
            signature: c.signature,
            valid: v.status == ln::CertificateStatus::Valid,
            status: v.status.into(),
            revocation: c.revocation.map(Into::into),
            verification_url: v.verification_url,
        }
    }
}

/// A certificate document as downloaded (from `GET /certificates/{id}`). The signed fields,
/// `keyId` and `signature` are read; the server's findings in a downloaded copy (`status`,
/// `valid`, `revocation`, …) are ignored.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CertificateCopyDto {
    pub id: String,
    pub version: u32,
    pub learner_id: String,
    pub learner_name: String,
    pub playlist_id: String,
    pub playlist_title: String,
    pub author_name: String,
    pub completed_at: String,
    pub lessons: Vec<String>,
    pub key_id: String,
    pub signature: String,
}

impl From<CertificateCopyDto> for ln::CertificateCopy {
    fn from(d: CertificateCopyDto) -> Self {
        Self {
            fields: ln::SignedFields {
                author_name: d.author_name,
                completed_at: d.completed_at,
                id: d.id,
                learner_id: d.learner_id,
                learner_name: d.learner_name,
                lessons: d.lessons,
                playlist_id: d.playlist_id,
                playlist_title: d.playlist_title,
                version: d.version,
            },
            key_id: d.key_id,
            signature: d.signature,
        }
    }
}

/// What checking a copy found.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct VerificationDto {
    pub status: CertificateStatusDto,
    /// The signature holds over the copy's fields and the certificate is not revoked.
    pub valid: bool,
    /// The signature holds over the copy's fields (also for a revoked certificate).
    pub signature_valid: bool,
    pub revocation: Option<RevocationDto>,
    pub message: String,
}

impl From<ln::Verification> for VerificationDto {
    fn from(v: ln::Verification) -> Self {
        Self {
            valid: v.status == ln::CertificateStatus::Valid,
            status: v.status.into(),
            signature_valid: v.signature_valid,
            revocation: v.revocation.map(Into::into),
            message: v.message,
        }
    }
}

/// The key certificates are signed with.
#[derive(Debug, Serialize, JsonSchema, ApiComponent)]
#[serde(rename_all = "camelCase")]
#[schemars(crate = "apistos")]
pub struct CertificateKeyDto {
    /// `Ed25519`.
    pub algorithm: String,
    /// What certificates name the key by (`keyId`).
    pub key_id: String,
    /// Standard base64 of the raw 32-byte public key.
    pub public_key: String,
    /// The key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub public_key_pem: String,
}

impl From<ln::PublicKey> for CertificateKeyDto {
    fn from(k: ln::PublicKey) -> Self {
        Self {
            algorithm: k.algorithm.to_owned(),
            key_id: k.key_id,
            public_key: k.raw_base64,
            public_key_pem: k.pem,
        }
    }
}

/// Why a certificate is revoked.
#[derive(Debug, Deserialize, JsonSchema, ApiComponent)]
#[schemars(crate = "apistos")]
pub struct RevokeCertificateRequest {
    /// 1 to 500 characters.
    #[schemars(length(min = 1, max = 500), regex(pattern = TEXT_FILLED))]
    pub reason: String,
}
