//! Access tokens: HS256 JWTs with exactly checked claims.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::model::{Role, User, UserId};

/// The only token type accepted as an access token.
const ACCESS_TYPE: &str = "access";

/// The claims of an access token, as the web client reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id (24 hex).
    pub id: String,
    pub sub: String,
    pub email: String,
    pub username: String,
    pub roles: Vec<Role>,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// Token kind; always `access`.
    pub typ: String,
    /// The user's token version when issued; a bump invalidates the token.
    pub ver: u32,
}

/// What the client keeps after login or refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: i64,
}

/// Why an access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessTokenError {
    /// Bad signature, algorithm, issuer, audience, type, shape, or not yet valid.
    Invalid,
    /// Past its expiry.
    Expired,
}

/// Issues and checks access tokens.
#[derive(Clone)]
pub struct AccessTokenCodec {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

impl std::fmt::Debug for AccessTokenCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessTokenCodec")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl AccessTokenCodec {
    /// A codec signing with `secret`.
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl: chrono::Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl,
        }
    }

    /// Seconds an access token lives.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl.num_seconds()
    }

    /// A signed token for `user`, issued at `now`.
    pub fn issue(&self, user: &User, now: DateTime<Utc>) -> anyhow::Result<String> {
        let iat = now.timestamp();
        let claims = AccessClaims {
            id: user.id.to_hex(),
            sub: user.id.to_hex(),
            email: user.email.clone(),
            username: user.username.clone(),
            roles: user.roles.clone(),
            iat,
            nbf: iat,
            exp: iat + self.ttl.num_seconds(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            typ: ACCESS_TYPE.to_owned(),
            ver: user.token_version,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of `token` if it is a valid access token at `now`. Expiry and not-before are
    /// checked against `now` with zero leeway.
    pub fn verify(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(UserId, AccessClaims), AccessTokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 0;
        // Time is checked below against the injected clock, not the system time.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation)
            .map_err(|_| AccessTokenError::Invalid)?;
        let claims = data.claims;
        if claims.typ != ACCESS_TYPE || claims.id != claims.sub {
            return Err(AccessTokenError::Invalid);
        }
        let now = now.timestamp();
        if claims.nbf > now || claims.iat > now {
            return Err(AccessTokenError::Invalid);
        }
        if now >= claims.exp {
            return Err(AccessTokenError::Expired);
        }
        let id = claims.id.parse().map_err(|_| AccessTokenError::Invalid)?;
        Ok((id, claims))
    }
}
