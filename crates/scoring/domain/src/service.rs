//! The scoring service.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use rand::RngCore;

use crate::error::ScoringError;
use crate::model::*;
use crate::ports::Ports;

/// Extra time after the limit during which results are still accepted (network, slow machines).
pub const GRACE: Duration = Duration::minutes(5);

/// The scoring context's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ScoringApi: Send + Sync {
    /// Starts an attempt: stores it (expiring after the time limit plus [`GRACE`], with a random
    /// nonce) and returns it with every test's input, expected outputs only for visible tests.
    /// Errors: `ChallengeNotFound` (also for challenges the player may not see).
    async fn start_attempt(&self, cmd: StartAttempt) -> Result<StartedAttempt, ScoringError>;
}

/// The scoring rules over the outbound ports.
pub struct ScoringService {
    ports: Ports,
}

impl ScoringService {
    /// A service over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn ScoringApi> {
        Arc::new(self)
    }
}

fn nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[async_trait]
impl ScoringApi for ScoringService {
    async fn start_attempt(&self, cmd: StartAttempt) -> Result<StartedAttempt, ScoringError> {
        let challenge = self
            .ports
            .catalog
            .for_scoring(cmd.challenge, cmd.player)
            .await
            .map_err(ScoringError::Unavailable)?
            .ok_or(ScoringError::ChallengeNotFound)?;
        let now = self.ports.clock.now();
        let attempt = Attempt {
            id: AttemptId::generate(now),
            player: cmd.player,
            challenge: challenge.id,
            mode: cmd.mode,
            distraction_level: cmd.distraction_level,
            started_at: now,
            expires_at: now + Duration::minutes(i64::from(challenge.time_limit)) + GRACE,
            nonce: nonce(),
        };
        self.ports.attempts.insert(&attempt).await?;
        let tests = challenge
            .tests
            .into_iter()
            .map(|t| AttemptTest {
                id: t.id,
                expected_output: (!t.is_hidden).then_some(t.expected_output),
                input: t.input,
                is_hidden: t.is_hidden,
                weight: t.weight,
            })
            .collect();
        Ok(StartedAttempt { attempt, tests })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Utc;
    use stackrush_kernel::FixedClock;

    use super::*;
    use crate::fake::InMemoryAttempts;
    use crate::ports::{AttemptRepository, MockAttemptRepository, MockChallengeCatalog};

    fn challenge() -> ScoringChallenge {
        let now = Utc::now();
        ScoringChallenge {
            id: ChallengeRef::generate(now),
            time_limit: 30,
            tests: vec![
                ScoringTest {
                    id: TestRef::generate(now),
                    input: "1".into(),
                    expected_output: "one".into(),
                    is_hidden: false,
                    weight: 1,
                },
                ScoringTest {
                    id: TestRef::generate(now),
                    input: "2".into(),
                    expected_output: "SECRET".into(),
                    is_hidden: true,
                    weight: 2,
                },
            ],
            forbidden_keywords: vec![],
            required_keywords: vec![],
        }
    }

    #[tokio::test]
    async fn starting_stores_an_expiring_attempt_and_hides_hidden_outputs() {
        let c = challenge();
        let mut catalog = MockChallengeCatalog::new();
        let found = c.clone();
        catalog
            .expect_for_scoring()
            .times(1)
            .returning(move |_, _| Ok(Some(found.clone())));
        let attempts = Arc::new(InMemoryAttempts::default());
        let clock = Arc::new(FixedClock::new(Utc::now()));
        let service = ScoringService::new(Ports {
            attempts: attempts.clone(),
            catalog: Arc::new(catalog),
            clock: clock.clone(),
        });
        let player = PlayerId::generate(Utc::now());
        let started = service
            .start_attempt(StartAttempt {
                player,
                challenge: c.id,
                mode: Mode::Interview,
                distraction_level: DistractionLevel::High,
            })
            .await
            .unwrap();
        let a = &started.attempt;
        assert_eq!(
            a.expires_at - a.started_at,
            Duration::minutes(35),
            "time limit plus five minutes' grace"
        );
        assert_eq!(
            (a.player, a.mode, a.distraction_level),
            (player, Mode::Interview, DistractionLevel::High)
        );
        assert_eq!(a.nonce.len(), 32);
        assert_eq!(
            attempts.find(a.id).await.unwrap().as_ref(),
            Some(a),
            "stored"
        );
        assert_eq!(started.tests[0].expected_output.as_deref(), Some("one"));
        assert_eq!(started.tests[1].expected_output, None);
        assert_eq!(
            started.tests[1].input, "2",
            "hidden inputs still go to the browser"
        );
    }

    #[tokio::test]
    async fn an_invisible_challenge_cannot_be_started_and_nothing_is_stored() {
        let mut catalog = MockChallengeCatalog::new();
        catalog.expect_for_scoring().returning(|_, _| Ok(None));
        let mut attempts = MockAttemptRepository::new();
        attempts.expect_insert().never();
        let service = ScoringService::new(Ports {
            attempts: Arc::new(attempts),
            catalog: Arc::new(catalog),
            clock: Arc::new(FixedClock::new(Utc::now())),
        });
        let cmd = StartAttempt {
            player: PlayerId::generate(Utc::now()),
            challenge: ChallengeRef::generate(Utc::now()),
            mode: Mode::default(),
            distraction_level: DistractionLevel::default(),
        };
        assert!(matches!(
            service.start_attempt(cmd).await,
            Err(ScoringError::ChallengeNotFound)
        ));
    }
}
