//! Signing secrets (JWT and refresh-token secrets, the certificate signing key): from the
//! environment, or generated once and kept in a file (mode 0600).

use std::io::Write;
use std::path::Path;

use base64::Engine as _;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::settings::{Secret, Settings};

#[derive(Serialize, Deserialize)]
struct SecretsFile {
    jwt_secret: String,
    refresh_token_secret: String,
    /// Standard base64 of a 32-byte Ed25519 seed; added to files written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    certificate_signing_key: Option<String>,
}

fn generate() -> String {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn generate_seed() -> String {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    base64::engine::general_purpose::STANDARD.encode(seed)
}

/// The certificate signing key (base64 of a 32-byte Ed25519 seed): the configured one wins;
/// otherwise the secrets file's, added to it the first time.
pub fn certificate_key(settings: &Settings) -> anyhow::Result<Secret> {
    if let Some(key) = &settings.certificate_key {
        return Ok(key.clone());
    }
    let path = &settings.secrets_file;
    let mut stored = read_or_create(path)?;
    if let Some(key) = &stored.certificate_signing_key {
        return Ok(Secret::new(key.clone()));
    }
    let key = generate_seed();
    stored.certificate_signing_key = Some(key.clone());
    // Written beside and renamed over the old file: a crash leaves one whole file.
    let fresh = path.with_extension("json.new");
    let _ = std::fs::remove_file(&fresh);
    write_private(&fresh, &stored)?;
    std::fs::rename(&fresh, path)?;
    tracing::warn!(
        path = %path.display(),
        "CERTIFICATE_SIGNING_KEY not set: generated a certificate signing key and stored it in this file (mode 0600)"
    );
    Ok(Secret::new(key))
}

/// The JWT and refresh-token secrets: configured ones win; otherwise the file's, created with
/// fresh random values the first time.
pub fn load_or_create(settings: &Settings) -> anyhow::Result<(Secret, Secret)> {
    if let (Some(jwt), Some(refresh)) = (&settings.jwt_secret, &settings.refresh_secret) {
        return Ok((jwt.clone(), refresh.clone()));
    }
    let stored = read_or_create(&settings.secrets_file)?;
    Ok((
        settings
            .jwt_secret
            .clone()
            .unwrap_or(Secret::new(stored.jwt_secret)),
        settings
            .refresh_secret
            .clone()
            .unwrap_or(Secret::new(stored.refresh_token_secret)),
    ))
}

fn read_or_create(path: &Path) -> anyhow::Result<SecretsFile> {
    if path.exists() {
        let text = std::fs::read_to_string(path)?;
        return Ok(serde_json::from_str(&text)?);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let secrets = SecretsFile {
        jwt_secret: generate(),
        refresh_token_secret: generate(),
        certificate_signing_key: Some(generate_seed()),
    };
    write_private(path, &secrets)?;
    tracing::warn!(
        path = %path.display(),
        "JWT_SECRET/REFRESH_TOKEN_SECRET not set: generated random secrets and stored them in this file (mode 0600)"
    );
    Ok(secrets)
}

/// Writes `secrets` to a new file only its owner may read.
fn write_private(path: &Path, secrets: &SecretsFile) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(serde_json::to_string_pretty(secrets)?.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_generated_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/secrets.json");
        let first = read_or_create(&path).unwrap();
        let again = read_or_create(&path).unwrap();
        assert_eq!(first.jwt_secret, again.jwt_secret);
        assert_ne!(first.jwt_secret, first.refresh_token_secret);
        assert!(first.jwt_secret.len() >= 60);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_certificate_key_is_added_once_to_a_file_written_before_it_existed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        std::fs::write(
            &path,
            r#"{"jwt_secret":"j-secret-kept-as-it-was-0123456789","refresh_token_secret":"r"}"#,
        )
        .unwrap();
        let settings = Settings {
            secrets_file: path.clone(),
            certificate_key: None,
            ..Settings::from_lookup(&|_| None).unwrap()
        };
        let key = certificate_key(&settings).unwrap();
        assert!(stackrush_learning::Ed25519Signer::from_base64(key.expose()).is_ok());
        assert_eq!(certificate_key(&settings).unwrap().expose(), key.expose());
        let kept = read_or_create(&path).unwrap();
        assert_eq!(kept.jwt_secret, "j-secret-kept-as-it-was-0123456789");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let configured = Settings {
            certificate_key: Some(Secret::new("configured")),
            ..settings
        };
        assert_eq!(certificate_key(&configured).unwrap().expose(), "configured");
    }
}
