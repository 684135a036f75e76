//! `stackrush-api seed`: loads the starter catalogue (idempotent: challenges whose slug exists
//! are left as they are).

use rand::RngCore;
use stackrush_challenges::{slugify, AuthorId, Caller, ChallengeApi, ChallengeError};
use stackrush_identity::{IdentityApi, IdentityError, RegisterCommand};

use crate::contexts::challenges::dto::ChallengeRequest;

/// The catalogue written for StackRush: DSA, bug-fix and feature challenges of every difficulty.
const CHALLENGES: &str = include_str!("../seed/challenges.json");

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub created: usize,
    pub existing: usize,
    /// Default achievements added (missing keys only).
    pub achievements: usize,
}

/// The parsed catalogue.
pub fn catalogue() -> anyhow::Result<Vec<ChallengeRequest>> {
    Ok(serde_json::from_str(CHALLENGES)?)
}

/// The account that authors seeded content (an admin nobody signs in as; reset its password to use it).
async fn team_author(identity: &dyn IdentityApi) -> anyhow::Result<AuthorId> {
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
            identity
                .user_by_username(None, "stackrush".into())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .user
                .id
        }
        Err(e) => return Err(anyhow::anyhow!("creating the seed author: {e}")),
    };
    Ok(AuthorId::from_bytes(user_id.bytes()))
}

/// Creates every catalogue challenge that is not there yet.
pub async fn run(
    identity: &dyn IdentityApi,
    challenges: &dyn ChallengeApi,
    scoring: &dyn stackrush_scoring::ScoringApi,
) -> anyhow::Result<SeedReport> {
    let author = team_author(identity).await?;
    let caller = Caller {
        id: author,
        is_admin: true,
        can_create: true,
    };
    let mut report = SeedReport::default();
    for request in catalogue()? {
        match challenges
            .get_by_slug(Some(caller), slugify(request.title.trim()))
            .await
        {
            Ok(_) => report.existing += 1,
            Err(ChallengeError::NotFound) => {
                let title = request.title.clone();
                challenges
                    .create(caller, request.into())
                    .await
                    .map_err(|e| anyhow::anyhow!("seeding {title:?}: {e:?}"))?;
                report.created += 1;
            }
            Err(e) => return Err(anyhow::anyhow!("{e}")),
        }
    }
    report.achievements = scoring
        .seed_achievements()
        .await
        .map_err(|e| anyhow::anyhow!("seeding achievements: {e}"))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use stackrush_challenges::{ChallengeType, Difficulty};

    use super::catalogue;

    #[test]
    fn the_catalogue_covers_every_type_and_difficulty_with_hidden_tests() {
        let all = catalogue().unwrap();
        assert!(all.len() >= 15);
        for kind in [
            ChallengeType::Dsa,
            ChallengeType::BugFix,
            ChallengeType::Feature,
        ] {
            for difficulty in [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard] {
                assert!(
                    all.iter().any(|c| ChallengeType::from(c.kind) == kind
                        && Difficulty::from(c.difficulty) == difficulty),
                    "no {kind:?} {difficulty:?}"
                );
            }
        }
        for c in &all {
            assert!(
                c.code.test_cases.iter().any(|t| t.is_hidden == Some(true)),
                "{} has no hidden test",
                c.title
            );
            assert!(
                c.code.test_cases.iter().any(|t| t.is_hidden != Some(true)),
                "{} has no visible test",
                c.title
            );
            let scenario = c.scenario.as_ref().unwrap();
            assert!(
                !scenario.distractions.is_empty(),
                "{} has no distractions",
                c.title
            );
            for t in &c.code.test_cases {
                assert!(
                    serde_json::from_str::<serde_json::Value>(&t.expected_output).is_ok(),
                    "{}: outputs are JSON",
                    c.title
                );
            }
        }
    }
}
