//! The analytics context's outbound ports, served by other contexts.

use std::sync::Arc;

use async_trait::async_trait;
use stackrush_analytics::ports::{Linked, SubmissionLookup};
use stackrush_analytics::{Environment, FocusSession, SubmissionKey};
use stackrush_scoring::{
    ChallengeRef, FocusReport, Mode, PlayerId, ScoringApi, ScoringError, SubmissionId,
};

/// The analytics context's submission lookup, served by the scoring context.
pub struct ScoringSubmissions(pub Arc<dyn ScoringApi>);

#[async_trait]
impl SubmissionLookup for ScoringSubmissions {
    async fn link(&self, session: &FocusSession) -> anyhow::Result<Linked> {
        let report = FocusReport {
            submission: session
                .submission
                .map(|k| SubmissionId::from_bytes(k.bytes())),
            challenge: session
                .challenge
                .map(|c| ChallengeRef::from_bytes(c.bytes())),
            started_at: session.start_time,
            ended_at: session.end_time,
            mode: match session.environment {
                Environment::Zen => Mode::Zen,
                Environment::Standard => Mode::Standard,
                Environment::Interview => Mode::Interview,
            },
            distractions: session.distractions_encountered,
            focus_score: session.focus_score,
        };
        let player = PlayerId::from_bytes(session.user.bytes());
        match self.0.record_focus(player, report).await {
            Ok(Some(id)) => Ok(Linked::To(SubmissionKey::from_bytes(id.bytes()))),
            Ok(None) => Ok(Linked::Nothing),
            Err(ScoringError::SubmissionNotFound) => Ok(Linked::NotTheirs),
            Err(e) => Err(anyhow::anyhow!("scoring: {e}")),
        }
    }
}
