//! An in-memory implementation of the learning store ports.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::certificate::*;
use crate::model::*;
use crate::ports::{
    CertificateRepository, Enrolled, EnrolmentRepository, PlaylistRepository, Written,
};

#[derive(Debug, Default)]
struct State {
    playlists: Vec<Playlist>,
    enrolments: Vec<Enrolment>,
    certificates: Vec<Certificate>,
}

/// Playlists and enrolments in vectors, behind one lock (so every write is atomic).
#[derive(Debug, Default)]
pub struct InMemoryLearning {
    state: Mutex<State>,
}

impl InMemoryLearning {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Whether `p` is live and matches `f` (the ports' documented filter).
pub fn matches(p: &Playlist, f: &PlaylistFilter) -> bool {
    let needle = f.search.as_deref().map(str::to_lowercase);
    p.is_live()
        && f.category.as_ref().is_none_or(|c| &p.category == c)
        && f.topic.as_ref().is_none_or(|t| p.topics.contains(t))
        && f.level.is_none_or(|l| p.level == l)
        && f.premium.is_none_or(|m| p.is_premium == m)
        && f.author.is_none_or(|a| p.author == a)
        && needle.as_deref().is_none_or(|n| {
            p.title.to_lowercase().contains(n) || p.description.to_lowercase().contains(n)
        })
}

/// The ports' documented list order.
pub fn order(sort: PlaylistSort) -> impl Fn(&Playlist, &Playlist) -> Ordering {
    move |a, b| {
        let first = match sort {
            PlaylistSort::Popular => (b.stats.students, b.stats.completions)
                .cmp(&(a.stats.students, a.stats.completions)),
            PlaylistSort::Rating => (rating_key(&b.stats), b.stats.ratings)
                .cmp(&(rating_key(&a.stats), a.stats.ratings)),
            PlaylistSort::Newest => b.created_at.cmp(&a.created_at),
        };
        first.then(b.id.cmp(&a.id))
    }
}

/// The average rating in hundredths, as stores sort by it.
pub fn rating_key(stats: &PlaylistStats) -> u64 {
    (stats.rating() * 100.0).round() as u64
}

fn playlist_mut(state: &mut State, id: PlaylistId) -> Option<&mut Playlist> {
    state.playlists.iter_mut().find(|p| p.id == id)
}

#[async_trait]
impl PlaylistRepository for InMemoryLearning {
    async fn insert(&self, playlist: &Playlist) -> Result<(), StoreError> {
        self.state().playlists.push(playlist.clone());
        Ok(())
    }

    async fn get(&self, id: PlaylistId) -> Result<Option<Playlist>, StoreError> {
        Ok(self.state().playlists.iter().find(|p| p.id == id).cloned())
    }

    async fn get_many(&self, ids: &[PlaylistId]) -> Result<Vec<Playlist>, StoreError> {
        Ok(self
            .state()
            .playlists
            .iter()
            .filter(|p| ids.contains(&p.id))
            .cloned()
            .collect())
    }

    async fn update(&self, playlist: &Playlist, based_on: u32) -> Result<Written, StoreError> {
        let mut state = self.state();
        let Some(stored) = playlist_mut(&mut state, playlist.id).filter(|p| p.is_live()) else {
            return Ok(Written::Gone);
        };
        if stored.revision != based_on {
            return Ok(Written::Stale);
        }
        *stored = Playlist {
            stats: stored.stats,
            author: stored.author,
            created_at: stored.created_at,
            deleted_at: stored.deleted_at,
            ..playlist.clone()
        };
        Ok(Written::Done)
    }

    async fn delete(&self, id: PlaylistId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut state = self.state();
        match playlist_mut(&mut state, id).filter(|p| p.is_live()) {
            Some(p) => {
                p.deleted_at = Some(at);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn list(
        &self,
        filter: &PlaylistFilter,
        sort: PlaylistSort,
        page: PageRequest,
    ) -> Result<Page<Playlist>, StoreError> {
        let state = self.state();
        let mut found: Vec<Playlist> = state
            .playlists
            .iter()
            .filter(|p| matches(p, filter))
            .cloned()
            .collect();
        found.sort_by(order(sort));
        let total = found.len() as u64;
        let items = found
            .into_iter()
            .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
            .take(page.limit() as usize)
            .collect();
        Ok(Page {
            items,
            request: page,
            total,
        })
    }

    async fn categories(&self) -> Result<HashMap<String, u64>, StoreError> {
        let mut counts = HashMap::new();
        for p in self.state().playlists.iter().filter(|p| p.is_live()) {
            *counts.entry(p.category.clone()).or_insert(0) += 1;
        }
        Ok(counts)
    }
}

fn enrolment_mut(
    state: &mut State,
    playlist: PlaylistId,
    learner: MemberId,
) -> Option<&mut Enrolment> {
    state
        .enrolments
        .iter_mut()
        .find(|e| e.playlist == playlist && e.learner == learner)
}

fn stats_mut(state: &mut State, playlist: PlaylistId) -> Option<&mut PlaylistStats> {
    playlist_mut(state, playlist).map(|p| &mut p.stats)
}

#[async_trait]
impl EnrolmentRepository for InMemoryLearning {
    async fn get(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
    ) -> Result<Option<Enrolment>, StoreError> {
        Ok(self
            .state()
            .enrolments
            .iter()
            .find(|e| e.playlist == playlist && e.learner == learner)
            .cloned())
    }

    async fn enrol(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Enrolled>, StoreError> {
        let mut state = self.state();
        if !state
            .playlists
            .iter()
            .any(|p| p.id == playlist && p.is_live())
        {
            return Ok(None);
        }
        let newly = match enrolment_mut(&mut state, playlist, learner) {
            Some(e) if e.active => false,
            Some(e) => {
                e.active = true;
                e.last_accessed_at = at;
                true
            }
            None => {
                state.enrolments.push(Enrolment {
                    playlist,
                    learner,
                    active: true,
                    completed: Vec::new(),
                    time_spent: 0,
                    last_accessed_at: at,
                    rating: None,
                    enrolled_at: at,
                    completed_at: None,
                    certificate: None,
                });
                true
            }
        };
        if newly {
            if let Some(stats) = stats_mut(&mut state, playlist) {
                stats.students += 1;
            }
        }
        let enrolment = enrolment_mut(&mut state, playlist, learner)
            .map(|e| e.clone())
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("enrolment vanished")))?;
        Ok(Some(Enrolled { enrolment, newly }))
    }

    async fn unenrol(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        let Some(e) = enrolment_mut(&mut state, playlist, learner).filter(|e| e.active) else {
            return Ok(false);
        };
        e.active = false;
        e.last_accessed_at = at;
        if let Some(stats) = stats_mut(&mut state, playlist) {
            stats.students = stats.students.saturating_sub(1);
        }
        Ok(true)
    }

    async fn record(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        lesson: LessonId,
        completed: bool,
        minutes: u32,
        at: DateTime<Utc>,
    ) -> Result<Option<Enrolment>, StoreError> {
        let mut state = self.state();
        let Some(e) = enrolment_mut(&mut state, playlist, learner).filter(|e| e.active) else {
            return Ok(None);
        };
        if completed && !e.completed.contains(&lesson) {
            e.completed.push(lesson);
        }
        if !completed {
            e.completed.retain(|l| *l != lesson);
        }
        e.time_spent += u64::from(minutes);
        e.last_accessed_at = at;
        Ok(Some(e.clone()))
    }

    async fn complete(&self, certificate: &Certificate) -> Result<bool, StoreError> {
        let (playlist, learner) = (certificate.playlist, certificate.learner);
        let mut state = self.state();
        let Some(e) = enrolment_mut(&mut state, playlist, learner) else {
            return Ok(false);
        };
        if e.completed_at.is_some() {
            return Ok(false);
        }
        e.completed_at = Some(certificate.completed_at);
        e.certificate = Some(certificate.id);
        state.certificates.push(certificate.clone());
        if let Some(stats) = stats_mut(&mut state, playlist) {
            stats.completions += 1;
        }
        Ok(true)
    }

    async fn rate(
        &self,
        playlist: PlaylistId,
        learner: MemberId,
        rating: &Rating,
    ) -> Result<bool, StoreError> {
        let mut state = self.state();
        let Some(e) = enrolment_mut(&mut state, playlist, learner).filter(|e| e.active) else {
            return Ok(false);
        };
        let before = e.rating.replace(rating.clone());
        if let Some(stats) = stats_mut(&mut state, playlist) {
            match before {
                Some(old) => {
                    stats.rating_sum =
                        stats.rating_sum - u64::from(old.score) + u64::from(rating.score);
                }
                None => {
                    stats.rating_sum += u64::from(rating.score);
                    stats.ratings += 1;
                }
            }
        }
        Ok(true)
    }

    async fn enrolled_among(
        &self,
        learner: MemberId,
        playlists: &[PlaylistId],
    ) -> Result<Vec<PlaylistId>, StoreError> {
        Ok(self
            .state()
            .enrolments
            .iter()
            .filter(|e| e.learner == learner && e.active && playlists.contains(&e.playlist))
            .map(|e| e.playlist)
            .collect())
    }

    async fn active_of(
        &self,
        learner: MemberId,
        page: PageRequest,
    ) -> Result<Page<Enrolment>, StoreError> {
        let state = self.state();
        let mut found: Vec<Enrolment> = state
            .enrolments
            .iter()
            .filter(|e| e.learner == learner && e.active)
            .cloned()
            .collect();
        found.sort_by(|a, b| {
            b.last_accessed_at
                .cmp(&a.last_accessed_at)
                .then(b.playlist.cmp(&a.playlist))
        });
        let total = found.len() as u64;
        let items = found
            .into_iter()
            .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
            .take(page.limit() as usize)
            .collect();
        Ok(Page {
            items,
            request: page,
            total,
        })
    }
}

#[async_trait]
impl CertificateRepository for InMemoryLearning {
    async fn get(&self, id: CertificateId) -> Result<Option<Certificate>, StoreError> {
        Ok(self
            .state()
            .certificates
            .iter()
            .find(|c| c.id == id)
            .cloned())
    }

    async fn revoke(&self, id: CertificateId, revocation: &Revocation) -> Result<bool, StoreError> {
        let mut state = self.state();
        match state.certificates.iter_mut().find(|c| c.id == id) {
            Some(c) if c.revocation.is_none() => {
                c.revocation = Some(revocation.clone());
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
