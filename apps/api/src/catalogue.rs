//! `stackrush-api challenges export|import` and the seed: catalogue files read and written by
//! the command line, acting as the team's admin account (`stackrush`).

use std::sync::Arc;

use rand::RngCore;
use stackrush_challenges::{
    AuthorId, Caller, CatalogueFilter, ChallengeApi, ChallengeError, ChallengeType, ImportOptions,
    ImportProgress, ImportReport,
};
use stackrush_identity::{IdentityApi, IdentityError, RegisterCommand};

use crate::contexts::challenges::catalogue::{self, CatalogueExport, CatalogueFile};

/// Why a command-line import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file is not a catalogue file at all.
    #[error("not a catalogue file: {0}")]
    Unreadable(String),
    /// The items break rules; nothing was written. Each is `(field path, message)`.
    #[error("{} problem(s) in the file; nothing was written", .0.len())]
    Problems(Vec<(String, String)>),
    /// Anything else (the store, permissions).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The account that authors what the command line writes (an admin nobody signs in as; reset
/// its password to use it). Created on first use.
pub async fn team_admin(identity: &dyn IdentityApi) -> anyhow::Result<Caller> {
    let mut secret = [0u8; 24];
    rand::rng().fill_bytes(&mut secret);
    let password = format!("Aa1!{}", hex::encode(secret));
    let cmd = RegisterCommand {
        email: "team@stackrush.local".into(),
        username: "stackrush".into(),
        password,
        first_name: Some("StackRush".into()),
        last_name: Some("Team".into()),
    };
    let user_id = match identity.create_admin(cmd).await {
        Ok(user) => user.id,
        Err(IdentityError::EmailExists | IdentityError::UsernameExists) => {
            let user = identity
                .user_by_username(None, "stackrush".into())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .user;
            // Someone who signed up as "stackrush" must not author the catalogue.
            if !user.roles.contains(&stackrush_identity::Role::Admin) {
                anyhow::bail!(
                    "the username \"stackrush\" belongs to an account that is not an admin: \
                     make it one (or rename it) before running catalogue commands"
                );
            }
            user.id
        }
        Err(e) => return Err(anyhow::anyhow!("creating the team account: {e}")),
    };
    Ok(Caller {
        id: AuthorId::from_bytes(user_id.bytes()),
        is_admin: true,
        can_create: true,
    })
}

/// The catalogue (or the part `author`/`kind` name) as a catalogue file's pretty JSON.
/// `author` is a username or a user id.
pub async fn export(
    identity: &dyn IdentityApi,
    challenges: &dyn ChallengeApi,
    author: Option<&str>,
    kind: Option<&str>,
) -> anyhow::Result<String> {
    let caller = team_admin(identity).await?;
    let kind = kind
        .map(|k| {
            ChallengeType::parse(k)
                .ok_or_else(|| anyhow::anyhow!("--type must be dsa, bug-fix or feature"))
        })
        .transpose()?;
    let author = match author {
        None => None,
        Some(a) => Some(match a.parse::<AuthorId>() {
            Ok(id) => id,
            Err(_) => {
                let user = identity
                    .user_by_username(None, a.to_owned())
                    .await
                    .map_err(|e| anyhow::anyhow!("--author {a:?}: {e}"))?;
                AuthorId::from_bytes(user.user.id.bytes())
            }
        }),
    };
    let items = challenges
        .export(caller, CatalogueFilter { author, kind })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut text = serde_json::to_string_pretty(&CatalogueExport::new(items))?;
    text.push('\n');
    Ok(text)
}

/// Imports the catalogue file `text` as the team's admin account.
pub async fn import(
    identity: &dyn IdentityApi,
    challenges: &dyn ChallengeApi,
    text: &str,
    options: ImportOptions,
    progress: Arc<dyn ImportProgress>,
) -> Result<ImportReport, ImportFailure> {
    let file: CatalogueFile = serde_json::from_str(text)
        .map_err(|e| ImportFailure::Unreadable(crate::startup::serde_message(&e.to_string())))?;
    let caller = team_admin(identity).await?;
    catalogue::import(challenges, caller, file, options, progress)
        .await
        .map_err(|err| match err {
            ChallengeError::Validation(found) => {
                ImportFailure::Problems(found.into_iter().map(|p| (p.field, p.message)).collect())
            }
            other => ImportFailure::Other(anyhow::anyhow!("{other}")),
        })
}
