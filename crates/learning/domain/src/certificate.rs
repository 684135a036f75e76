//! Certificates of completion: what is signed, how, and how a copy is checked.
//!
//! A certificate's signed fields are serialized in one canonical form — the JSON object of
//! [`SignedFields`] with its keys in lexicographic order, no whitespace, UTF-8, strings escaped
//! as JSON requires (for these fields, the JSON Canonicalization Scheme of RFC 8785) — and
//! signed with Ed25519. Anyone holding the public key can check a downloaded copy offline:
//! rebuild the canonical form from the copy's fields and verify the signature over it.

use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::EncodePublicKey as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use stackrush_kernel::text::escape_markup as escape;
use stackrush_kernel::{define_id, named_enum};

use crate::model::{MemberId, PlaylistId};

define_id!(
    /// Identifies one certificate of completion.
    CertificateId
);

/// The version of the signed form, itself signed: a later form gets a new number.
pub const CERTIFICATE_VERSION: u32 = 1;
/// The signature algorithm, as published with the key.
pub const ALGORITHM: &str = "Ed25519";

/// Why and when an admin revoked a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub at: DateTime<Utc>,
    pub reason: String,
    pub by: MemberId,
}

/// A learner's certificate of completing a playlist, as issued (names and titles as they were
/// on the day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub id: CertificateId,
    pub playlist: PlaylistId,
    pub learner: MemberId,
    pub learner_name: String,
    pub playlist_title: String,
    pub author_name: String,
    /// Whole seconds (what the signed form holds).
    pub completed_at: DateTime<Utc>,
    /// The titles of the playlist's lessons, in order.
    pub lessons: Vec<String>,
    /// Which key signed it ([`PublicKey::key_id`]).
    pub key_id: String,
    /// Standard base64 of the 64-byte Ed25519 signature over [`SignedFields::canonical`].
    pub signature: String,
    pub revocation: Option<Revocation>,
}

impl Certificate {
    /// The fields the signature covers, as text.
    pub fn signed_fields(&self) -> SignedFields {
        SignedFields {
            author_name: self.author_name.clone(),
            completed_at: self.completed_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            id: self.id.to_hex(),
            learner_id: self.learner.to_hex(),
            learner_name: self.learner_name.clone(),
            lessons: self.lessons.clone(),
            playlist_id: self.playlist.to_hex(),
            playlist_title: self.playlist_title.clone(),
            version: CERTIFICATE_VERSION,
        }
    }
}

/// The signed fields of a certificate, in the order of the canonical form (keys sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedFields {
    pub author_name: String,
    /// RFC 3339, UTC, whole seconds, `Z` (`2026-12-01T14:32:39Z`).
    pub completed_at: String,
    pub id: String,
    pub learner_id: String,
    pub learner_name: String,
    pub lessons: Vec<String>,
    pub playlist_id: String,
    pub playlist_title: String,
    pub version: u32,
}

impl SignedFields {
    /// The bytes that are signed: the fields as compact JSON, keys in lexicographic order.
    pub fn canonical(&self) -> Vec<u8> {
        // Strings, a list of strings and a small integer: serializing cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A public key as published, with the id certificates name it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub algorithm: &'static str,
    /// The first 16 hexadecimal digits of the SHA-256 of the raw key.
    pub key_id: String,
    /// Standard base64 of the raw 32-byte key.
    pub raw_base64: String,
    /// The key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub pem: String,
}

/// Signs certificates and checks signatures with the service's key.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Signer: Send + Sync {
    /// The public half of the key, as published.
    fn public_key(&self) -> PublicKey;

    /// The signature over `message`.
    fn sign(&self, message: &[u8]) -> Vec<u8>;

    /// Whether `signature` is this key's over `message`.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool;
}

/// Ed25519 with a key made from a 32-byte seed.
pub struct Ed25519Signer {
    key: SigningKey,
    public: PublicKey,
}

impl Ed25519Signer {
    /// The signer of the key `seed` makes.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let public = describe(&key.verifying_key());
        Self { key, public }
    }

    /// The signer of a seed given as standard or URL-safe base64 (32 bytes), or what is wrong.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| "is not base64".to_owned())?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "must decode to 32 bytes".to_owned())?;
        Ok(Self::from_seed(&seed))
    }
}

fn describe(key: &VerifyingKey) -> PublicKey {
    let raw = key.to_bytes();
    let digest = sha2::Sha256::digest(raw);
    PublicKey {
        algorithm: ALGORITHM,
        key_id: hex::encode(&digest[..8]),
        raw_base64: base64::engine::general_purpose::STANDARD.encode(raw),
        pem: key.to_public_key_pem(LineEnding::LF).unwrap_or_default(),
    }
}

impl Signer for Ed25519Signer {
    fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message).to_bytes().to_vec()
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .is_ok_and(|s| self.key.verifying_key().verify_strict(message, &s).is_ok())
    }
}

named_enum!(
    /// What checking a certificate found: `valid` (the signature holds over these fields and
    /// it is not revoked), `revoked` (issued here, then revoked by an admin) or `invalid` (the
    /// signature does not hold: changed, or not signed with this service's key).
    CertificateStatus {
        Valid => "valid",
        Revoked => "revoked",
        Invalid => "invalid",
    }
);

/// A certificate with what checking it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateView {
    pub certificate: Certificate,
    pub status: CertificateStatus,
    /// Where anyone can check it.
    pub verification_url: String,
}

/// A certificate document as downloaded, to be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateCopy {
    pub fields: SignedFields,
    pub key_id: String,
    /// Standard base64.
    pub signature: String,
}

/// What checking a copy found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub status: CertificateStatus,
    /// Whether the signature holds over the copy's fields.
    pub signature_valid: bool,
    /// Set when the certificate was revoked.
    pub revocation: Option<Revocation>,
    /// Why, in words.
    pub message: String,
}

/// Whether `signature` (standard base64) is the signer's over `fields`.
pub fn signature_holds(signer: &dyn Signer, fields: &SignedFields, signature: &str) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .is_ok_and(|s| signer.verify(&fields.canonical(), &s))
}

/// Signs `fields`: the standard base64 of the signature.
pub fn sign(signer: &dyn Signer, fields: &SignedFields) -> String {
    base64::engine::general_purpose::STANDARD.encode(signer.sign(&fields.canonical()))
}

/// At most `max` characters of `text`, with an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// The certificate drawn as a landscape SVG page, with the address where it is verified.
/// Every text is escaped; the page holds no script and no reference to anything outside it.
pub fn render_svg(certificate: &Certificate, verification_url: &str) -> Vec<u8> {
    let date = certificate.completed_at.format("%B %-d, %Y").to_string();
    let lessons = certificate.lessons.len();
    let svg = format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="1123" height="794" viewBox="0 0 1123 794" role="img" aria-label="Certificate of completion">
  <rect width="1123" height="794" fill="#fdfcf7"/>
  <rect x="28" y="28" width="1067" height="738" fill="none" stroke="#1f3a5f" stroke-width="6"/>
  <rect x="44" y="44" width="1035" height="706" fill="none" stroke="#c9a227" stroke-width="2"/>
  <g font-family="Georgia, 'Times New Roman', serif" fill="#1f3a5f" text-anchor="middle">
    <text x="561" y="150" font-size="26" letter-spacing="6">STACKRUSH</text>
    <text x="561" y="230" font-size="52">Certificate of Completion</text>
    <text x="561" y="300" font-size="22" fill="#444">This certifies that</text>
    <text x="561" y="370" font-size="44" font-weight="bold">{learner}</text>
    <text x="561" y="430" font-size="22" fill="#444">completed every lesson ({lessons}) of the playlist</text>
    <text x="561" y="490" font-size="34" font-style="italic">{title}</text>
    <text x="561" y="545" font-size="20" fill="#444">by {author}, on {date}</text>
  </g>
  <g font-family="'DejaVu Sans Mono', monospace" fill="#555" text-anchor="middle" font-size="14">
    <text x="561" y="650">Certificate {id} · signed with Ed25519 key {key}</text>
    <text x="561" y="680">Verify at {url}</text>
  </g>
</svg>
"##,
        learner = escape(&cut(&certificate.learner_name, 48)),
        title = escape(&cut(&certificate.playlist_title, 60)),
        author = escape(&cut(&certificate.author_name, 60)),
        date = escape(&date),
        id = certificate.id.to_hex(),
        key = escape(&certificate.key_id),
        url = escape(verification_url),
    );
    svg.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn certificate(signer: &dyn Signer) -> Certificate {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 14, 32, 39).unwrap();
        let mut c = Certificate {
            id: CertificateId::generate(at),
            playlist: PlaylistId::generate(at),
            learner: MemberId::generate(at),
            learner_name: "Zoë \"Z\" <Tester>".to_owned(),
            playlist_title: "Graphs & trees".to_owned(),
            author_name: "Ada".to_owned(),
            completed_at: at,
            lessons: vec!["Intro".to_owned(), "BFS".to_owned()],
            key_id: signer.public_key().key_id,
            signature: String::new(),
            revocation: None,
        };
        c.signature = sign(signer, &c.signed_fields());
        c
    }

    #[test]
    fn the_canonical_form_is_compact_json_with_sorted_keys() {
        let signer = Ed25519Signer::from_seed(&[7; 32]);
        let c = certificate(&signer);
        let text = String::from_utf8(c.signed_fields().canonical()).unwrap();
        let expected = format!(
            "{{\"authorName\":\"Ada\",\"completedAt\":\"2026-12-01T14:32:39Z\",\"id\":\"{}\",\
             \"learnerId\":\"{}\",\"learnerName\":\"Zoë \\\"Z\\\" <Tester>\",\
             \"lessons\":[\"Intro\",\"BFS\"],\"playlistId\":\"{}\",\
             \"playlistTitle\":\"Graphs & trees\",\"version\":1}}",
            c.id.to_hex(),
            c.learner.to_hex(),
            c.playlist.to_hex()
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn a_signature_holds_only_over_the_fields_it_signed_and_only_for_its_key() {
        let signer = Ed25519Signer::from_seed(&[7; 32]);
        let c = certificate(&signer);
        let fields = c.signed_fields();
        assert!(signature_holds(&signer, &fields, &c.signature));

        let changes: Vec<fn(&mut SignedFields)> = vec![
            |f| f.author_name.push('!'),
            |f| f.completed_at = "2026-12-02T14:32:39Z".to_owned(),
            |f| f.id = "0".repeat(24),
            |f| f.learner_id = "1".repeat(24),
            |f| f.learner_name = "Mallory".to_owned(),
            |f| f.lessons.pop().map_or((), drop),
            |f| f.playlist_id = "2".repeat(24),
            |f| f.playlist_title = "Graphs & Trees".to_owned(),
            |f| f.version = 2,
        ];
        for change in changes {
            let mut tampered = fields.clone();
            change(&mut tampered);
            assert_ne!(tampered, fields);
            assert!(!signature_holds(&signer, &tampered, &c.signature));
        }
        let other = Ed25519Signer::from_seed(&[8; 32]);
        assert!(!signature_holds(&other, &fields, &c.signature));
        assert!(!signature_holds(&signer, &fields, "not base64!"));
        assert!(!signature_holds(&signer, &fields, "AAAA"));
    }

    #[test]
    fn keys_are_read_from_base64_seeds_and_published_with_a_stable_id() {
        let seed = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let a = Ed25519Signer::from_base64(&seed).unwrap();
        let b = Ed25519Signer::from_seed(&[7; 32]);
        assert_eq!(a.public_key(), b.public_key());
        let key = a.public_key();
        assert_eq!(key.key_id.len(), 16);
        assert!(key.pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(&key.raw_base64)
                .unwrap()
                .len(),
            32
        );
        assert!(Ed25519Signer::from_base64("short").is_err());
        assert!(Ed25519Signer::from_base64(&format!("{}=", "A".repeat(43))).is_ok());
    }

    #[test]
    fn the_drawing_escapes_every_text_and_shows_where_to_verify() {
        let signer = Ed25519Signer::from_seed(&[7; 32]);
        let c = certificate(&signer);
        let svg = String::from_utf8(render_svg(&c, "https://x.test/api/certificates/abc")).unwrap();
        assert!(svg.contains("Zoë &quot;Z&quot; &lt;Tester&gt;"));
        assert!(svg.contains("Graphs &amp; trees"));
        assert!(svg.contains("Verify at https://x.test/api/certificates/abc"));
        assert!(svg.contains("December 1, 2026"));
        assert!(!svg.contains("<Tester>"));
        assert!(!svg.contains("<script"));
    }
}
