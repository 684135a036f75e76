//! Signing secrets: from the environment, or generated once and kept in a file (mode 0600).

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
}

fn generate() -> String {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
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
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(serde_json::to_string_pretty(&secrets)?.as_bytes())?;
    file.sync_all()?;
    tracing::warn!(
        path = %path.display(),
        "JWT_SECRET/REFRESH_TOKEN_SECRET not set: generated random secrets and stored them in this file (mode 0600)"
    );
    Ok(secrets)
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
}
