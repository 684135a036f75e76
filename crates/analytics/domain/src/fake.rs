//! An in-memory implementation of the focus session store port.

use std::sync::Mutex;

use async_trait::async_trait;
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::model::*;
use crate::ports::FocusSessionRepository;

/// Sessions in a vector.
#[derive(Debug, Default)]
pub struct InMemoryFocusSessions {
    items: Mutex<Vec<FocusSession>>,
}

impl InMemoryFocusSessions {
    fn items(&self) -> std::sync::MutexGuard<'_, Vec<FocusSession>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl FocusSessionRepository for InMemoryFocusSessions {
    async fn insert(&self, session: &FocusSession) -> Result<(), StoreError> {
        self.items().push(session.clone());
        Ok(())
    }

    async fn find(
        &self,
        user: SubjectId,
        id: FocusSessionId,
    ) -> Result<Option<FocusSession>, StoreError> {
        Ok(self
            .items()
            .iter()
            .find(|s| s.id == id && s.user == user)
            .cloned())
    }

    async fn list(
        &self,
        user: SubjectId,
        f: &SessionFilter,
        page: PageRequest,
    ) -> Result<Page<FocusSession>, StoreError> {
        let mut found: Vec<FocusSession> = self
            .items()
            .iter()
            .filter(|s| s.user == user)
            .filter(|s| f.challenge.is_none_or(|c| s.challenge == Some(c)))
            .filter(|s| f.environment.is_none_or(|e| s.environment == e))
            .filter(|s| f.from.is_none_or(|t| s.start_time >= t))
            .filter(|s| f.to.is_none_or(|t| s.start_time <= t))
            .cloned()
            .collect();
        found.sort_by(|a, b| {
            let by = match f.sort {
                SessionSort::StartTime => a.start_time.cmp(&b.start_time),
                SessionSort::FocusScore => a.focus_score.cmp(&b.focus_score),
            };
            let by = if f.descending { by.reverse() } else { by };
            by.then(b.id.cmp(&a.id))
        });
        Ok(Page::slice(found, page))
    }

    async fn all(&self, user: SubjectId) -> Result<Vec<FocusSession>, StoreError> {
        Ok(self
            .items()
            .iter()
            .filter(|s| s.user == user)
            .cloned()
            .collect())
    }

    async fn average_focus(&self) -> Result<Option<f64>, StoreError> {
        let items = self.items();
        if items.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            items.iter().map(|s| f64::from(s.focus_score)).sum::<f64>() / items.len() as f64,
        ))
    }

    async fn delete(&self, user: SubjectId, id: FocusSessionId) -> Result<bool, StoreError> {
        let mut items = self.items();
        let before = items.len();
        items.retain(|s| !(s.id == id && s.user == user));
        Ok(items.len() != before)
    }
}

/// The audit log in a vector.
#[derive(Debug, Default)]
pub struct InMemoryAuditLog {
    entries: Mutex<Vec<crate::audit::AuditEntry>>,
}

#[async_trait]
impl crate::audit::AuditRepository for InMemoryAuditLog {
    async fn append(&self, entry: &crate::audit::AuditEntry) -> Result<(), StoreError> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry.clone());
        Ok(())
    }

    async fn list(
        &self,
        filter: &crate::audit::AuditFilter,
        page: PageRequest,
    ) -> Result<Page<crate::audit::AuditEntry>, StoreError> {
        let mut found: Vec<_> = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|e| crate::audit::selects(filter, e))
            .cloned()
            .collect();
        found.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
        Ok(Page::slice(found, page))
    }

    async fn exists(
        &self,
        actor: crate::audit::AuditActor,
        action: &str,
        address: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|e| {
                e.actor == Some(actor)
                    && e.action == action
                    && e.address.as_deref() == Some(address)
            }))
    }
}

/// The event store and job store in memory: rollups computed with the reference functions.
#[derive(Default)]
pub struct InMemoryEvents {
    state: Mutex<EventsState>,
}

#[derive(Default)]
struct EventsState {
    events: Vec<crate::events::Event>,
    users: crate::rollup::UserRollup,
    platform: crate::rollup::PlatformRollup,
    jobs: std::collections::HashMap<String, JobState>,
}

#[derive(Default, Clone)]
struct JobState {
    watermark: Option<chrono::NaiveDate>,
    holder: Option<String>,
    until: Option<chrono::DateTime<chrono::Utc>>,
}

impl InMemoryEvents {
    fn state(&self) -> std::sync::MutexGuard<'_, EventsState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

mod events_impl {
    use super::*;
    use crate::events::{Event, EventKind};
    use crate::ports::{EventStore, JobStore};
    use crate::rollup::*;
    use chrono::{DateTime, NaiveDate, Utc};

    #[async_trait]
    impl EventStore for InMemoryEvents {
        async fn append(&self, events: &[Event]) -> Result<(), StoreError> {
            let mut s = self.state();
            for e in events {
                if !s.events.iter().any(|x| x.id == e.id) {
                    s.events.push(e.clone());
                }
            }
            Ok(())
        }

        async fn first_day(&self) -> Result<Option<NaiveDate>, StoreError> {
            Ok(self
                .state()
                .events
                .iter()
                .map(|e| e.day.min(e.utc_day))
                .min())
        }

        async fn aggregate(&self, day: NaiveDate) -> Result<(), StoreError> {
            let mut s = self.state();
            let local: Vec<Event> = s.events.iter().filter(|e| e.day == day).cloned().collect();
            let utc: Vec<Event> = s
                .events
                .iter()
                .filter(|e| e.utc_day == day)
                .cloned()
                .collect();
            let users = roll_user(&local);
            let platform = roll_platform(&utc);
            s.users.days.retain(|r| r.day != day);
            s.users.skills.retain(|r| r.day != day);
            s.users.days.extend(users.days);
            s.users.skills.extend(users.skills);
            s.platform.days.retain(|r| r.day != day);
            s.platform.contributors.retain(|r| r.day != day);
            s.platform.days.extend(platform.days);
            s.platform.contributors.extend(platform.contributors);
            Ok(())
        }

        async fn user_rollup(
            &self,
            users: &[SubjectId],
            days: DayRange,
            source: Source,
        ) -> Result<UserRollup, StoreError> {
            let s = self.state();
            let mut out = match source {
                Source::Live => {
                    let events: Vec<Event> = s
                        .events
                        .iter()
                        .filter(|e| users.contains(&e.user) && days.contains(e.day))
                        .cloned()
                        .collect();
                    roll_user(&events)
                }
                Source::Stored => UserRollup {
                    days: s
                        .users
                        .days
                        .iter()
                        .filter(|r| users.contains(&r.user) && days.contains(r.day))
                        .cloned()
                        .collect(),
                    skills: s
                        .users
                        .skills
                        .iter()
                        .filter(|r| users.contains(&r.user) && days.contains(r.day))
                        .cloned()
                        .collect(),
                },
            };
            out.sort();
            Ok(out)
        }

        async fn platform_rollup(
            &self,
            days: DayRange,
            source: Source,
        ) -> Result<PlatformRollup, StoreError> {
            let s = self.state();
            Ok(match source {
                Source::Live => {
                    let events: Vec<Event> = s
                        .events
                        .iter()
                        .filter(|e| days.contains(e.utc_day))
                        .cloned()
                        .collect();
                    roll_platform(&events)
                }
                Source::Stored => {
                    let mut out = PlatformRollup {
                        days: s
                            .platform
                            .days
                            .iter()
                            .filter(|r| days.contains(r.day))
                            .cloned()
                            .collect(),
                        contributors: s
                            .platform
                            .contributors
                            .iter()
                            .filter(|r| days.contains(r.day))
                            .cloned()
                            .collect(),
                    };
                    out.sort();
                    out
                }
            })
        }

        async fn active_days(
            &self,
            days: DayRange,
            stored_through: Option<NaiveDate>,
        ) -> Result<Vec<ActiveDay>, StoreError> {
            let s = self.state();
            let mut pairs = Vec::new();
            if let Some(stored) = days.through(stored_through) {
                pairs.extend(
                    s.users
                        .days
                        .iter()
                        .filter(|r| stored.contains(r.day))
                        .map(|r| (r.user, r.day, r.kind == EventKind::SignedUp)),
                );
            }
            if let Some(live) = days.after(stored_through) {
                pairs.extend(
                    s.events
                        .iter()
                        .filter(|e| live.contains(e.day))
                        .map(|e| (e.user, e.day, e.kind == EventKind::SignedUp)),
                );
            }
            Ok(merge_active(pairs))
        }

        async fn targets(
            &self,
            kinds: &[EventKind],
            days: DayRange,
        ) -> Result<Vec<TargetFigures>, StoreError> {
            let s = self.state();
            let events: Vec<Event> = s
                .events
                .iter()
                .filter(|e| days.contains(e.utc_day))
                .cloned()
                .collect();
            Ok(roll_targets(&events, kinds))
        }
    }

    #[async_trait]
    impl JobStore for InMemoryEvents {
        async fn watermark(&self, job: &str) -> Result<Option<NaiveDate>, StoreError> {
            Ok(self.state().jobs.get(job).and_then(|j| j.watermark))
        }

        async fn set_watermark(
            &self,
            job: &str,
            holder: &str,
            day: Option<NaiveDate>,
        ) -> Result<bool, StoreError> {
            let mut s = self.state();
            let j = s.jobs.entry(job.to_owned()).or_default();
            if j.holder.as_deref() != Some(holder) {
                return Ok(false);
            }
            j.watermark = day;
            Ok(true)
        }

        async fn lease(
            &self,
            job: &str,
            holder: &str,
            now: DateTime<Utc>,
            until: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let mut s = self.state();
            let j = s.jobs.entry(job.to_owned()).or_default();
            let free = j.until.is_none_or(|u| u <= now) || j.holder.as_deref() == Some(holder);
            if free {
                j.holder = Some(holder.to_owned());
                j.until = Some(until);
            }
            Ok(free)
        }

        async fn release(&self, job: &str, holder: &str) -> Result<(), StoreError> {
            let mut s = self.state();
            if let Some(j) = s.jobs.get_mut(job) {
                if j.holder.as_deref() == Some(holder) {
                    j.holder = None;
                    j.until = None;
                }
            }
            Ok(())
        }
    }
}
