//! The analytics service.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Duration;
use stackrush_kernel::{FieldError, Page, PageRequest};

use crate::error::AnalyticsError;
use crate::model::*;
use crate::ports::{Linked, Ports};
use crate::stats::{summarize, FocusStats};

/// The longest session accepted.
pub const MAX_SESSION: Duration = Duration::hours(24);

/// Clock skew tolerated for sessions reported as ending "now".
pub const SKEW: Duration = Duration::minutes(5);

/// The analytics context's inbound port.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AnalyticsApi: Send + Sync {
    /// Records a session of `user`. Errors: `Invalid` (end before start, longer than a day, in
    /// the future, focus over 100), `SubmissionNotFound` (linked submission not theirs).
    async fn record(
        &self,
        user: SubjectId,
        new: NewFocusSession,
    ) -> Result<FocusSession, AnalyticsError>;

    /// One page of the user's sessions.
    async fn sessions(
        &self,
        user: SubjectId,
        filter: SessionFilter,
        page: PageRequest,
    ) -> Result<Page<FocusSession>, AnalyticsError>;

    /// The user's latest sessions (at most `limit`, ≤ 50).
    async fn recent(
        &self,
        user: SubjectId,
        limit: u32,
    ) -> Result<Vec<FocusSession>, AnalyticsError>;

    /// The user's focus statistics.
    async fn stats(&self, user: SubjectId) -> Result<FocusStats, AnalyticsError>;

    /// The average focus score over everyone's sessions, two decimals (0 without any).
    async fn average_focus(&self) -> Result<f64, AnalyticsError>;

    /// One of the user's sessions. Errors: `NotFound`.
    async fn session(
        &self,
        user: SubjectId,
        id: FocusSessionId,
    ) -> Result<FocusSession, AnalyticsError>;

    /// Deletes one of the user's sessions. Errors: `NotFound`.
    async fn delete(&self, user: SubjectId, id: FocusSessionId) -> Result<(), AnalyticsError>;
}

/// The analytics rules over the outbound ports.
pub struct AnalyticsService {
    ports: Ports,
}

impl AnalyticsService {
    /// A service over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn AnalyticsApi> {
        Arc::new(self)
    }
}

#[async_trait]
impl AnalyticsApi for AnalyticsService {
    async fn record(
        &self,
        user: SubjectId,
        new: NewFocusSession,
    ) -> Result<FocusSession, AnalyticsError> {
        let now = self.ports.clock.now();
        let mut problems = Vec::new();
        for (field, t) in [("startTime", new.start_time), ("endTime", new.end_time)] {
            if let Some(p) = stackrush_kernel::time_problem(t) {
                problems.push(FieldError::new(field, p));
            }
        }
        if new.end_time < new.start_time {
            problems.push(FieldError::new("endTime", "must not be before startTime"));
        } else if new.end_time - new.start_time > MAX_SESSION {
            problems.push(FieldError::new(
                "endTime",
                "a session lasts at most 24 hours",
            ));
        }
        if new.end_time > now + SKEW {
            problems.push(FieldError::new("endTime", "must not be in the future"));
        }
        if new.focus_score > 100 {
            problems.push(FieldError::new("focusScore", "must be between 0 and 100"));
        }
        if new.distractions_encountered > 10_000 {
            problems.push(FieldError::new(
                "distractionsEncountered",
                "must be at most 10000",
            ));
        }
        if !problems.is_empty() {
            return Err(AnalyticsError::Invalid(problems));
        }
        let mut session = FocusSession {
            id: FocusSessionId::generate(now),
            user,
            challenge: new.challenge,
            submission: new.submission,
            start_time: new.start_time,
            end_time: new.end_time,
            distractions_encountered: new.distractions_encountered,
            focus_score: new.focus_score,
            environment: new.environment,
            created_at: now,
        };
        // The submission is updated first: a named one that is not the user's stops everything.
        // Should storing the session then fail, the client's retry writes the same figures.
        if session.submission.is_some() || session.challenge.is_some() {
            session.submission = match self
                .ports
                .submissions
                .link(&session)
                .await
                .map_err(AnalyticsError::Unavailable)?
            {
                Linked::To(key) => Some(key),
                Linked::Nothing => None,
                Linked::NotTheirs => return Err(AnalyticsError::SubmissionNotFound),
            };
        }
        self.ports.sessions.insert(&session).await?;
        Ok(session)
    }

    async fn sessions(
        &self,
        user: SubjectId,
        filter: SessionFilter,
        page: PageRequest,
    ) -> Result<Page<FocusSession>, AnalyticsError> {
        Ok(self.ports.sessions.list(user, &filter, page).await?)
    }

    async fn recent(
        &self,
        user: SubjectId,
        limit: u32,
    ) -> Result<Vec<FocusSession>, AnalyticsError> {
        let filter = SessionFilter {
            descending: true,
            ..SessionFilter::default()
        };
        let page = PageRequest::new(1, limit.clamp(1, 50));
        Ok(self.ports.sessions.list(user, &filter, page).await?.items)
    }

    async fn stats(&self, user: SubjectId) -> Result<FocusStats, AnalyticsError> {
        Ok(summarize(&self.ports.sessions.all(user).await?))
    }

    async fn average_focus(&self) -> Result<f64, AnalyticsError> {
        let average = self.ports.sessions.average_focus().await?.unwrap_or(0.0);
        Ok((average * 100.0).round() / 100.0)
    }

    async fn session(
        &self,
        user: SubjectId,
        id: FocusSessionId,
    ) -> Result<FocusSession, AnalyticsError> {
        self.ports
            .sessions
            .find(user, id)
            .await?
            .ok_or(AnalyticsError::NotFound)
    }

    async fn delete(&self, user: SubjectId, id: FocusSessionId) -> Result<(), AnalyticsError> {
        if self.ports.sessions.delete(user, id).await? {
            Ok(())
        } else {
            Err(AnalyticsError::NotFound)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Utc;
    use stackrush_kernel::FixedClock;

    use super::*;
    use crate::fake::InMemoryFocusSessions;
    use crate::ports::MockSubmissionLookup;

    fn service(owns: bool) -> AnalyticsService {
        let mut lookup = MockSubmissionLookup::new();
        lookup.expect_link().returning(move |s| {
            Ok(match s.submission {
                Some(key) if owns => Linked::To(key),
                Some(_) => Linked::NotTheirs,
                None => Linked::Nothing,
            })
        });
        AnalyticsService::new(Ports {
            sessions: Arc::new(InMemoryFocusSessions::default()),
            submissions: Arc::new(lookup),
            clock: Arc::new(FixedClock::new(Utc::now())),
        })
    }

    fn new(minutes: i64, focus: u32) -> NewFocusSession {
        let end = Utc::now() - Duration::minutes(1);
        NewFocusSession {
            challenge: None,
            submission: None,
            start_time: end - Duration::minutes(minutes),
            end_time: end,
            distractions_encountered: 2,
            focus_score: focus,
            environment: Environment::Zen,
        }
    }

    #[tokio::test]
    async fn sessions_are_validated_and_only_link_the_users_own_submissions() {
        let s = service(true);
        let me = SubjectId::generate(Utc::now());
        let mut backwards = new(30, 50);
        std::mem::swap(&mut backwards.start_time, &mut backwards.end_time);
        backwards.focus_score = 101;
        match s.record(me, backwards).await {
            Err(AnalyticsError::Invalid(f)) => {
                let names: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(names, vec!["endTime", "focusScore"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            s.record(me, new(25 * 60, 50)).await,
            Err(AnalyticsError::Invalid(_))
        ));
        let mut future = new(10, 50);
        future.end_time = Utc::now() + Duration::hours(1);
        assert!(matches!(
            s.record(me, future).await,
            Err(AnalyticsError::Invalid(_))
        ));
        let mut linked = new(10, 80);
        linked.submission = Some(SubmissionKey::generate(Utc::now()));
        assert_eq!(
            s.record(me, linked.clone()).await.unwrap().submission,
            linked.submission
        );
        let strangers = service(false);
        assert!(matches!(
            strangers.record(me, linked).await,
            Err(AnalyticsError::SubmissionNotFound)
        ));
        assert_eq!(
            s.stats(me).await.unwrap().total_sessions,
            1,
            "nothing stored on refusal"
        );
    }

    #[tokio::test]
    async fn a_session_on_a_challenge_links_the_submission_scoring_found() {
        let found = SubmissionKey::generate(Utc::now());
        let mut lookup = MockSubmissionLookup::new();
        lookup
            .expect_link()
            .times(1)
            .returning(move |_| Ok(Linked::To(found)));
        let s = AnalyticsService::new(Ports {
            sessions: Arc::new(InMemoryFocusSessions::default()),
            submissions: Arc::new(lookup),
            clock: Arc::new(FixedClock::new(Utc::now())),
        });
        let mut on_challenge = new(10, 80);
        on_challenge.challenge = Some(ChallengeKey::generate(Utc::now()));
        let me = SubjectId::generate(Utc::now());
        assert_eq!(
            s.record(me, on_challenge).await.unwrap().submission,
            Some(found)
        );
        // Neither challenge nor submission: scoring is not asked (times(1) above).
        assert_eq!(s.record(me, new(5, 60)).await.unwrap().submission, None);
    }

    #[tokio::test]
    async fn recent_stats_and_ownership() {
        let s = service(true);
        let (me, other) = (
            SubjectId::generate(Utc::now()),
            SubjectId::generate(Utc::now()),
        );
        let a = s.record(me, new(30, 90)).await.unwrap();
        s.record(me, new(10, 50)).await.unwrap();
        assert_eq!(s.recent(me, 1).await.unwrap().len(), 1);
        let stats = s.stats(me).await.unwrap();
        assert_eq!(stats.total_sessions, 2);
        assert_eq!(stats.average_focus, 70.0);
        assert!(matches!(
            s.session(other, a.id).await,
            Err(AnalyticsError::NotFound)
        ));
        assert!(matches!(
            s.delete(other, a.id).await,
            Err(AnalyticsError::NotFound)
        ));
        s.delete(me, a.id).await.unwrap();
        assert_eq!(s.stats(me).await.unwrap().total_sessions, 1);
    }
}
