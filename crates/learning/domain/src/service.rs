//! The learning rules over the outbound ports.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use stackrush_kernel::activity::{Activity, Happened};
use stackrush_kernel::page::MAX_LIMIT;
use stackrush_kernel::text::{line_problem, normalized_tags, text_problem};
use stackrush_kernel::{FieldError, Page, PageRequest};

use crate::api::*;
use crate::certificate::*;
use crate::error::LearningError;
use crate::model::*;
use crate::ports::{Ports, Written};
use crate::recommend::*;

/// Title and description lengths, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
pub const MAX_LESSON_DESCRIPTION_CHARS: usize = 5_000;
/// The author's words for the length ("8 weeks").
pub const MAX_DURATION_TEXT_CHARS: usize = 50;
/// Topics per playlist, characters per topic or category.
pub const MAX_TOPICS: usize = 10;
pub const MAX_TAG_CHARS: usize = 30;
/// Lessons per playlist, minutes per lesson.
pub const MAX_LESSONS: usize = 100;
pub const MAX_LESSON_MINUTES: u32 = 1_440;
/// Minutes one progress report may add.
pub const MAX_REPORTED_MINUTES: u32 = 1_440;
/// The longest review and literal search text.
pub const MAX_REVIEW_CHARS: usize = 1_000;
pub const MAX_SEARCH_CHARS: usize = 100;
/// XP for completing a playlist: a base plus a share per challenge lesson, capped; an author
/// completing their own playlist earns none.
pub const COMPLETION_XP_BASE: u64 = 50;
pub const COMPLETION_XP_PER_CHALLENGE: u64 = 25;
pub const COMPLETION_XP_MAX: u64 = 500;
/// The longest reason for revoking a certificate.
pub const MAX_REVOCATION_REASON_CHARS: usize = 500;
/// How many edits meeting a concurrent one are tried.
const EDIT_TRIES: usize = 5;
/// Pages of a learner's active enrolments read when a solve completes lessons.
const ENROLMENT_PAGES: u32 = 10;

/// The XP completing `playlist` brings.
pub fn completion_xp(playlist: &Playlist) -> u64 {
    let challenges = playlist
        .lessons
        .iter()
        .filter(|l| l.kind == LessonKind::Challenge)
        .count() as u64;
    (COMPLETION_XP_BASE + COMPLETION_XP_PER_CHALLENGE * challenges).min(COMPLETION_XP_MAX)
}

/// The learning service.
pub struct LearningService {
    ports: Ports,
}

impl LearningService {
    /// Tells the event store what `member` did (never fails the action).
    async fn note(&self, member: MemberId, what: Happened) {
        let activity = Activity {
            actor: member.bytes(),
            at: self.ports.clock.now(),
            what,
        };
        self.ports.activity.record(activity).await;
    }

    /// The service over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// The service as a shared inbound port.
    pub fn into_api(self) -> Arc<dyn LearningApi> {
        Arc::new(self)
    }

    async fn live(&self, id: PlaylistId) -> Result<Playlist, LearningError> {
        match self.ports.playlists.get(id).await? {
            Some(p) if p.is_live() => Ok(p),
            _ => Err(LearningError::PlaylistNotFound),
        }
    }

    /// The live playlist, if the caller wrote it.
    async fn own(&self, caller: Caller, id: PlaylistId) -> Result<Playlist, LearningError> {
        let playlist = self.live(id).await?;
        if playlist.author != caller.id {
            return Err(LearningError::Forbidden);
        }
        Ok(playlist)
    }

    async fn faces(&self, members: &[MemberId]) -> Result<HashMap<MemberId, Face>, LearningError> {
        let mut distinct = members.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.is_empty() {
            return Ok(HashMap::new());
        }
        self.ports
            .members
            .faces(&distinct)
            .await
            .map_err(LearningError::Unavailable)
    }

    /// `playlists` as `reader` sees them, given which of them the reader is enrolled in.
    async fn views(
        &self,
        reader: Option<Caller>,
        playlists: Vec<Playlist>,
        enrolled: &[PlaylistId],
    ) -> Result<Vec<PlaylistView>, LearningError> {
        let authors: Vec<MemberId> = playlists.iter().map(|p| p.author).collect();
        let faces = self.faces(&authors).await?;
        Ok(playlists
            .into_iter()
            .map(|p| {
                let is_enrolled = enrolled.contains(&p.id);
                view(reader, p, faces_of(&faces), is_enrolled)
            })
            .collect())
    }

    async fn one_view(
        &self,
        reader: Option<Caller>,
        playlist: Playlist,
    ) -> Result<PlaylistView, LearningError> {
        let enrolled = match reader {
            Some(r) => self
                .ports
                .enrolments
                .get(playlist.id, r.id)
                .await?
                .is_some_and(|e| e.active),
            None => false,
        };
        let ids = if enrolled {
            vec![playlist.id]
        } else {
            Vec::new()
        };
        let mut views = self.views(reader, vec![playlist], &ids).await?;
        views
            .pop()
            .ok_or_else(|| LearningError::Internal(anyhow::anyhow!("a view went missing")))
    }

    /// Checks the lessons and turns them into stored ones: kept ids where named (they must be
    /// this playlist's, once each), new ids otherwise; challenge lessons must name a public
    /// challenge.
    async fn lessons(
        &self,
        drafts: Vec<LessonDraft>,
        existing: &[Lesson],
        field: &str,
    ) -> Result<Vec<Lesson>, LearningError> {
        let mut problems = Vec::new();
        if drafts.len() > MAX_LESSONS {
            problems.push(FieldError::new(
                field,
                format!("must hold at most {MAX_LESSONS} lessons"),
            ));
            return Err(LearningError::Invalid(problems));
        }
        let now = self.ports.clock.now();
        let mut lessons = Vec::with_capacity(drafts.len());
        let mut seen = Vec::new();
        for (i, draft) in drafts.into_iter().enumerate() {
            let at = format!("{field}[{i}]");
            problems.extend(lesson_problems(&draft, &at));
            let id = match draft.id {
                Some(id) if !existing.iter().any(|l| l.id == id) => {
                    problems.push(FieldError::new(
                        format!("{at}.id"),
                        "is not a lesson of this playlist (leave it out for a new lesson)",
                    ));
                    id
                }
                Some(id) if seen.contains(&id) => {
                    problems.push(FieldError::new(format!("{at}.id"), "is given twice"));
                    id
                }
                Some(id) => id,
                None => LessonId::generate(now),
            };
            seen.push(id);
            lessons.push(Lesson {
                id,
                title: draft.title.trim().to_owned(),
                description: draft.description,
                kind: draft.kind,
                challenge: draft.challenge,
                challenge_type: None,
                duration: draft.duration,
            });
        }
        if !problems.is_empty() {
            return Err(LearningError::Invalid(problems));
        }
        for (i, lesson) in lessons.iter_mut().enumerate() {
            lesson.challenge_type = self
                .check_challenge(lesson, &format!("{field}[{i}].challengeId"))
                .await?;
        }
        Ok(lessons)
    }

    /// A lesson's challenge must exist and be public (its type is returned); lessons of other
    /// kinds name none. (A kept lesson is checked again: a challenge unpublished since cannot
    /// be added back.)
    async fn check_challenge(
        &self,
        lesson: &Lesson,
        field: &str,
    ) -> Result<Option<String>, LearningError> {
        let Some(challenge) = lesson.challenge else {
            return Ok(None);
        };
        self.ports
            .challenges
            .public_type(challenge)
            .await
            .map_err(LearningError::Unavailable)?
            .map(Some)
            .ok_or_else(|| LearningError::invalid(field, "is not a public challenge"))
    }

    /// Applies `change` to the caller's playlist and stores it if nobody edited it meanwhile
    /// (tried again a few times when somebody did; `revision`, when given, must match).
    async fn edit<F>(
        &self,
        caller: Caller,
        id: PlaylistId,
        revision: Option<u32>,
        change: F,
    ) -> Result<PlaylistView, LearningError>
    where
        F: Fn(&mut Playlist) -> Result<(), LearningError> + Send + Sync,
    {
        for _ in 0..EDIT_TRIES {
            let mut playlist = self.own(caller, id).await?;
            if let Some(expected) = revision {
                if expected != playlist.revision {
                    return Err(LearningError::RevisionConflict {
                        current: playlist.revision,
                    });
                }
            }
            let based_on = playlist.revision;
            change(&mut playlist)?;
            playlist.revision = based_on.saturating_add(1);
            playlist.updated_at = self.ports.clock.now();
            match self.ports.playlists.update(&playlist, based_on).await? {
                Written::Done => return self.one_view(Some(caller), playlist).await,
                Written::Gone => return Err(LearningError::PlaylistNotFound),
                Written::Stale if revision.is_some() => {
                    let current = self.live(id).await?.revision;
                    return Err(LearningError::RevisionConflict { current });
                }
                Written::Stale => continue,
            }
        }
        Err(LearningError::Unavailable(anyhow::anyhow!(
            "the playlist kept changing under this edit"
        )))
    }

    /// The caller's active enrolment in a live playlist.
    async fn active_enrolment(
        &self,
        caller: Caller,
        id: PlaylistId,
    ) -> Result<(Playlist, Enrolment), LearningError> {
        let playlist = self.live(id).await?;
        match self.ports.enrolments.get(id, caller.id).await? {
            Some(e) if e.active => Ok((playlist, e)),
            _ => Err(LearningError::NotEnrolled),
        }
    }

    /// Completes the playlist for the learner if every lesson is done and it was not completed
    /// before: the XP first (scoring awards it once per learner and playlist, so a crash
    /// before the completion is stored only means the next report completes it without a
    /// second award), then the completion with its signed certificate, stored together and
    /// once however many reports race here; the learner is notified and analytics told.
    async fn settle(
        &self,
        playlist: &Playlist,
        progress: &ProgressView,
    ) -> Result<Option<u64>, LearningError> {
        if !progress.is_complete() || progress.enrolment.completed_at.is_some() {
            return Ok(None);
        }
        let learner = progress.enrolment.learner;
        let xp = if learner == playlist.author {
            0
        } else {
            self.ports
                .rewards
                .award_completion(learner, playlist.id, completion_xp(playlist))
                .await
                .map_err(LearningError::Unavailable)?
        };
        let certificate = self.certificate_for(playlist, learner).await?;
        if !self.ports.enrolments.complete(&certificate).await? {
            return Ok(None);
        }
        tracing::info!(
            playlist = %playlist.id,
            learner = %learner,
            certificate = %certificate.id,
            xp,
            "playlist completed"
        );
        self.ports
            .rewards
            .notify_completion(learner, playlist, xp)
            .await;
        let done = Happened::PlaylistCompleted {
            playlist: playlist.id.bytes(),
        };
        self.note(learner, done).await;
        Ok(Some(xp))
    }

    /// A signed certificate of `learner` completing `playlist` now.
    async fn certificate_for(
        &self,
        playlist: &Playlist,
        learner: MemberId,
    ) -> Result<Certificate, LearningError> {
        let faces = self.faces(&[learner, playlist.author]).await?;
        let name = |m: MemberId, unknown: &str| {
            faces
                .get(&m)
                .map_or_else(|| unknown.to_owned(), display_name)
        };
        let now = self.ports.clock.now();
        // Random, not time-and-counter like other ids: a certificate's id is its public
        // address, and must not lead to its neighbours (other learners' names).
        let id = stackrush_kernel::id::random_hex(12)
            .parse()
            .unwrap_or_else(|_| CertificateId::generate(now));
        let mut certificate = Certificate {
            id,
            playlist: playlist.id,
            learner,
            learner_name: name(learner, "A StackRush learner"),
            playlist_title: playlist.title.clone(),
            author_name: name(playlist.author, "A StackRush author"),
            // The signed form holds whole seconds.
            completed_at: chrono::DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now),
            lessons: playlist.lessons.iter().map(|l| l.title.clone()).collect(),
            key_id: self.ports.signer.public_key().key_id,
            signature: String::new(),
            revocation: None,
        };
        certificate.signature = sign(self.ports.signer.as_ref(), &certificate.signed_fields());
        Ok(certificate)
    }

    /// What checking a stored certificate finds.
    fn certificate_view(&self, certificate: Certificate) -> CertificateView {
        let holds = signature_holds(
            self.ports.signer.as_ref(),
            &certificate.signed_fields(),
            &certificate.signature,
        );
        let status = match (holds, certificate.revocation.is_some()) {
            (false, _) => CertificateStatus::Invalid,
            (true, true) => CertificateStatus::Revoked,
            (true, false) => CertificateStatus::Valid,
        };
        let verification_url = format!("{}{}", self.ports.certificate_url, certificate.id);
        CertificateView {
            certificate,
            status,
            verification_url,
        }
    }

    async fn stored_certificate(&self, id: CertificateId) -> Result<Certificate, LearningError> {
        self.ports
            .certificates
            .get(id)
            .await?
            .ok_or(LearningError::CertificateNotFound)
    }

    async fn progressed(
        &self,
        playlist: &Playlist,
        learner: MemberId,
    ) -> Result<ProgressView, LearningError> {
        let enrolment = self
            .ports
            .enrolments
            .get(playlist.id, learner)
            .await?
            .ok_or(LearningError::NotEnrolled)?;
        Ok(ProgressView::of(enrolment, playlist))
    }
}

/// A member's name as a certificate shows it: first and last name, else the username.
fn display_name(face: &Face) -> String {
    let full = [face.first_name.as_deref(), face.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if full.is_empty() {
        face.username.clone()
    } else {
        full
    }
}

fn faces_of(faces: &HashMap<MemberId, Face>) -> impl Fn(MemberId) -> Option<Face> + '_ {
    move |m| faces.get(&m).cloned()
}

/// `playlist` as `reader` sees it: a premium playlist's lesson content is for premium members,
/// staff, its author and the enrolled.
fn view(
    reader: Option<Caller>,
    mut playlist: Playlist,
    face: impl Fn(MemberId) -> Option<Face>,
    enrolled: bool,
) -> PlaylistView {
    let may_read = !playlist.is_premium
        || enrolled
        || reader.is_some_and(|r| r.may_author() || r.id == playlist.author);
    if !may_read {
        for lesson in &mut playlist.lessons {
            lesson.description.clear();
            lesson.challenge = None;
            lesson.challenge_type = None;
        }
    }
    PlaylistView {
        author: face(playlist.author),
        enrolled,
        locked: !may_read,
        playlist,
    }
}

/// What a category and a topic may hold besides ASCII letters and digits (the OpenAPI
/// document's patterns say the same).
pub const CATEGORY_PUNCTUATION: &str = "-";
pub const TOPIC_PUNCTUATION: &str = "-+#._ ";

/// What is wrong with a (trimmed) category or topic, if anything: not empty, ASCII letters,
/// digits and `punctuation` only.
pub fn word_problem(value: &str, punctuation: &str) -> Option<String> {
    if value.is_empty() {
        return Some("must not be empty".to_owned());
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || punctuation.contains(c))
    {
        let allowed = punctuation
            .replace(' ', "")
            .chars()
            .map(String::from)
            .collect::<Vec<_>>();
        let spaces = if punctuation.contains(' ') {
            " and spaces"
        } else {
            ""
        };
        return Some(format!(
            "may hold ASCII letters, digits, {}{spaces} only",
            allowed.join(" ")
        ));
    }
    None
}

/// A text longer than `max` characters as given (before trimming).
fn too_long(value: &str, max: usize) -> Option<String> {
    (value.chars().count() > max).then(|| format!("must be at most {max} characters"))
}

fn lesson_problems(draft: &LessonDraft, at: &str) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if let Some(p) = line_problem(&draft.title, MAX_TITLE_CHARS) {
        problems.push(FieldError::new(format!("{at}.title"), p));
    } else if draft.title.trim().is_empty() {
        problems.push(FieldError::new(format!("{at}.title"), "must not be empty"));
    }
    if let Some(p) = text_problem(&draft.description, 0, MAX_LESSON_DESCRIPTION_CHARS) {
        problems.push(FieldError::new(format!("{at}.description"), p));
    }
    if draft.duration > MAX_LESSON_MINUTES {
        problems.push(FieldError::new(
            format!("{at}.duration"),
            format!("must be at most {MAX_LESSON_MINUTES} minutes"),
        ));
    }
    match (draft.kind, draft.challenge) {
        (LessonKind::Challenge, None) => problems.push(FieldError::new(
            format!("{at}.challengeId"),
            "is required for a challenge lesson",
        )),
        (kind, Some(_)) if kind != LessonKind::Challenge => problems.push(FieldError::new(
            format!("{at}.challengeId"),
            "is only for challenge lessons",
        )),
        _ => {}
    }
    problems
}

/// Both results, or every field problem of the two together (another error as it is).
fn both<A, B>(
    a: Result<A, LearningError>,
    b: Result<B, LearningError>,
) -> Result<(A, B), LearningError> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(LearningError::Invalid(mut x)), Err(LearningError::Invalid(y))) => {
            x.extend(y);
            Err(LearningError::Invalid(x))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Checks and normalizes the playlist's own fields (not its lessons).
struct Fields {
    title: String,
    description: String,
    category: String,
    duration_text: Option<String>,
    topics: Vec<String>,
}

fn fields(
    title: &str,
    description: &str,
    category: &str,
    duration_text: Option<&str>,
    topics: Vec<String>,
) -> Result<Fields, LearningError> {
    // Lengths count the text as given (what the documented limits say); the stored text is
    // trimmed.
    let mut problems = Vec::new();
    if let Some(p) = line_problem(title, MAX_TITLE_CHARS) {
        problems.push(FieldError::new("title", p));
    } else if title.trim().chars().count() < 3 {
        problems.push(FieldError::new("title", "must be at least 3 characters"));
    }
    let title = title.trim();
    if let Some(p) = text_problem(description, 1, MAX_DESCRIPTION_CHARS) {
        problems.push(FieldError::new("description", p));
    }
    if let Some(p) = too_long(category, MAX_TAG_CHARS) {
        problems.push(FieldError::new("category", p));
    }
    let category = category.trim().to_lowercase();
    if let Some(p) = word_problem(&category, CATEGORY_PUNCTUATION) {
        problems.push(FieldError::new("category", p));
    }
    if let Some(p) = duration_text.and_then(|t| line_problem(t, MAX_DURATION_TEXT_CHARS)) {
        problems.push(FieldError::new("durationText", p));
    }
    let duration_text = duration_text.map(str::trim).filter(|t| !t.is_empty());
    // Counted as given (repeats included), as the documented limit reads.
    let given = topics.len();
    for (i, topic) in topics.iter().enumerate() {
        if let Some(p) = too_long(topic, MAX_TAG_CHARS) {
            problems.push(FieldError::new(format!("topics[{i}]"), p));
        }
    }
    let topics = normalized_tags(topics);
    if given > MAX_TOPICS {
        problems.push(FieldError::new(
            "topics",
            format!("must hold at most {MAX_TOPICS} topics"),
        ));
    }
    for (i, topic) in topics.iter().enumerate() {
        if let Some(p) = word_problem(topic, TOPIC_PUNCTUATION) {
            problems.push(FieldError::new(format!("topics[{i}]"), p));
        }
    }
    if !problems.is_empty() {
        return Err(LearningError::Invalid(problems));
    }
    Ok(Fields {
        title: title.to_owned(),
        description: description.to_owned(),
        category,
        duration_text: duration_text.map(str::to_owned),
        topics,
    })
}

#[async_trait]
impl LearningApi for LearningService {
    async fn create(
        &self,
        caller: Caller,
        draft: PlaylistDraft,
    ) -> Result<PlaylistView, LearningError> {
        if !caller.may_author() {
            return Err(LearningError::PremiumRequired);
        }
        let f = fields(
            &draft.title,
            &draft.description,
            &draft.category,
            draft.duration_text.as_deref(),
            draft.topics,
        );
        let lessons = self.lessons(draft.lessons, &[], "lessons").await;
        let (f, lessons) = both(f, lessons)?;
        let now = self.ports.clock.now();
        let playlist = Playlist {
            id: PlaylistId::generate(now),
            author: caller.id,
            title: f.title,
            description: f.description,
            category: f.category,
            level: draft.level,
            duration_text: f.duration_text,
            topics: f.topics,
            is_premium: draft.is_premium,
            lessons,
            stats: PlaylistStats::default(),
            revision: 1,
            deleted_at: None,
            created_at: now,
            updated_at: now,
        };
        self.ports.playlists.insert(&playlist).await?;
        tracing::info!(playlist = %playlist.id, author = %caller.id, "playlist created");
        self.one_view(Some(caller), playlist).await
    }

    async fn update(
        &self,
        caller: Caller,
        id: PlaylistId,
        patch: PlaylistPatch,
    ) -> Result<PlaylistView, LearningError> {
        let current = self.own(caller, id).await?;
        let f = fields(
            patch.title.as_deref().unwrap_or(&current.title),
            patch.description.as_deref().unwrap_or(&current.description),
            patch.category.as_deref().unwrap_or(&current.category),
            match &patch.duration_text {
                Some(text) => text.as_deref(),
                None => current.duration_text.as_deref(),
            },
            patch.topics.clone().unwrap_or(current.topics.clone()),
        );
        let lessons = match patch.lessons.clone() {
            Some(drafts) => self
                .lessons(drafts, &current.lessons, "lessons")
                .await
                .map(Some),
            None => Ok(None),
        };
        let (f, lessons) = both(f, lessons)?;
        self.edit(caller, id, patch.revision, |p| {
            // Only what the patch names: a concurrent edit of other fields stays.
            if patch.title.is_some() {
                p.title.clone_from(&f.title);
            }
            if patch.description.is_some() {
                p.description.clone_from(&f.description);
            }
            if patch.category.is_some() {
                p.category.clone_from(&f.category);
            }
            if patch.duration_text.is_some() {
                p.duration_text.clone_from(&f.duration_text);
            }
            if patch.topics.is_some() {
                p.topics.clone_from(&f.topics);
            }
            if let Some(level) = patch.level {
                p.level = level;
            }
            if let Some(premium) = patch.is_premium {
                p.is_premium = premium;
            }
            if let Some(lessons) = &lessons {
                // Checked against the lessons read above; a concurrent edit that removed a
                // kept lesson makes this one start over.
                if lessons
                    .iter()
                    .filter(|l| current.lesson(l.id).is_some())
                    .any(|l| p.lesson(l.id).is_none())
                {
                    return Err(LearningError::RevisionConflict {
                        current: p.revision,
                    });
                }
                p.lessons.clone_from(lessons);
            }
            Ok(())
        })
        .await
    }

    async fn delete(&self, caller: Caller, id: PlaylistId) -> Result<(), LearningError> {
        let playlist = self.live(id).await?;
        if playlist.author != caller.id && !caller.is_admin {
            return Err(LearningError::Forbidden);
        }
        if !self
            .ports
            .playlists
            .delete(id, self.ports.clock.now())
            .await?
        {
            return Err(LearningError::PlaylistNotFound);
        }
        tracing::info!(playlist = %id, by = %caller.id, "playlist deleted");
        Ok(())
    }

    async fn get(
        &self,
        reader: Option<Caller>,
        id: PlaylistId,
    ) -> Result<PlaylistView, LearningError> {
        let playlist = self.live(id).await?;
        self.one_view(reader, playlist).await
    }

    async fn list(
        &self,
        reader: Option<Caller>,
        mut filter: PlaylistFilter,
        sort: PlaylistSort,
        page: PageRequest,
    ) -> Result<Page<PlaylistView>, LearningError> {
        filter.search = filter
            .search
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        if let Some(p) = filter
            .search
            .as_deref()
            .and_then(|s| line_problem(s, MAX_SEARCH_CHARS))
        {
            return Err(LearningError::invalid("search", p));
        }
        filter.category = filter.category.map(|c| c.trim().to_lowercase());
        filter.topic = filter.topic.map(|t| t.trim().to_lowercase());
        let found = self.ports.playlists.list(&filter, sort, page).await?;
        let enrolled = match reader {
            Some(r) if !found.items.is_empty() => {
                let ids: Vec<PlaylistId> = found.items.iter().map(|p| p.id).collect();
                self.ports.enrolments.enrolled_among(r.id, &ids).await?
            }
            _ => Vec::new(),
        };
        let items = self.views(reader, found.items, &enrolled).await?;
        Ok(Page {
            items,
            request: found.request,
            total: found.total,
        })
    }

    async fn categories(&self) -> Result<Vec<(String, u64)>, LearningError> {
        let mut all: Vec<(String, u64)> = self
            .ports
            .playlists
            .categories()
            .await?
            .into_iter()
            .collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(all)
    }

    async fn add_lesson(
        &self,
        caller: Caller,
        id: PlaylistId,
        lesson: LessonDraft,
        position: Option<u32>,
    ) -> Result<PlaylistView, LearningError> {
        let current = self.own(caller, id).await?;
        if lesson.id.is_some() {
            return Err(LearningError::invalid("id", "is given by the server"));
        }
        if current.lessons.len() >= MAX_LESSONS {
            return Err(LearningError::invalid(
                "lessons",
                format!("a playlist holds at most {MAX_LESSONS} lessons"),
            ));
        }
        let mut new = self.lessons(vec![lesson], &[], "lesson").await?;
        let Some(new) = new.pop() else {
            return Err(LearningError::Internal(anyhow::anyhow!("no lesson made")));
        };
        if position.is_some_and(|p| p == 0) {
            return Err(LearningError::invalid("position", "starts at 1"));
        }
        self.edit(caller, id, None, |p| {
            if p.lessons.len() >= MAX_LESSONS {
                return Err(LearningError::invalid(
                    "lessons",
                    format!("a playlist holds at most {MAX_LESSONS} lessons"),
                ));
            }
            let at = position.map_or(p.lessons.len(), |pos| {
                usize::try_from(pos - 1).map_or(p.lessons.len(), |i| i.min(p.lessons.len()))
            });
            p.lessons.insert(at, new.clone());
            Ok(())
        })
        .await
    }

    async fn update_lesson(
        &self,
        caller: Caller,
        id: PlaylistId,
        lesson: LessonId,
        draft: LessonDraft,
    ) -> Result<PlaylistView, LearningError> {
        let current = self.own(caller, id).await?;
        if current.lesson(lesson).is_none() {
            return Err(LearningError::LessonNotFound);
        }
        let draft = LessonDraft {
            id: Some(lesson),
            ..draft
        };
        let mut checked = self
            .lessons(vec![draft], &current.lessons, "lesson")
            .await?;
        let Some(checked) = checked.pop() else {
            return Err(LearningError::Internal(anyhow::anyhow!("no lesson made")));
        };
        self.edit(caller, id, None, |p| {
            let slot = p
                .lessons
                .iter_mut()
                .find(|l| l.id == lesson)
                .ok_or(LearningError::LessonNotFound)?;
            *slot = checked.clone();
            Ok(())
        })
        .await
    }

    async fn remove_lesson(
        &self,
        caller: Caller,
        id: PlaylistId,
        lesson: LessonId,
    ) -> Result<PlaylistView, LearningError> {
        self.edit(caller, id, None, |p| {
            let before = p.lessons.len();
            p.lessons.retain(|l| l.id != lesson);
            if p.lessons.len() == before {
                return Err(LearningError::LessonNotFound);
            }
            Ok(())
        })
        .await
    }

    async fn reorder_lessons(
        &self,
        caller: Caller,
        id: PlaylistId,
        order: Vec<LessonId>,
    ) -> Result<PlaylistView, LearningError> {
        self.edit(caller, id, None, |p| {
            let mut problems = Vec::new();
            for (i, lesson) in order.iter().enumerate() {
                if p.lesson(*lesson).is_none() {
                    problems.push(FieldError::new(
                        format!("lessonIds[{i}]"),
                        "is not a lesson of this playlist",
                    ));
                } else if order[..i].contains(lesson) {
                    problems.push(FieldError::new(format!("lessonIds[{i}]"), "is given twice"));
                }
            }
            let missing = p.lessons.iter().filter(|l| !order.contains(&l.id)).count();
            if missing > 0 {
                problems.push(FieldError::new(
                    "lessonIds",
                    format!("must name every lesson once ({missing} missing)"),
                ));
            }
            if !problems.is_empty() {
                return Err(LearningError::Invalid(problems));
            }
            let mut ordered = Vec::with_capacity(order.len());
            for lesson in &order {
                if let Some(l) = p.lesson(*lesson) {
                    ordered.push(l.clone());
                }
            }
            p.lessons = ordered;
            Ok(())
        })
        .await
    }

    async fn enrol(&self, caller: Caller, id: PlaylistId) -> Result<ProgressView, LearningError> {
        let playlist = self.live(id).await?;
        let earlier = self.ports.enrolments.get(id, caller.id).await?;
        // Whoever was enrolled before keeps their way in; new learners of a premium playlist
        // must be premium (or staff, or its author).
        if playlist.is_premium
            && earlier.is_none()
            && !(caller.may_author() || caller.id == playlist.author)
        {
            return Err(LearningError::PremiumContent);
        }
        let enrolled = self
            .ports
            .enrolments
            .enrol(id, caller.id, self.ports.clock.now())
            .await?
            .ok_or(LearningError::PlaylistNotFound)?;
        if enrolled.newly {
            self.note(
                caller.id,
                Happened::Enrolled {
                    playlist: id.bytes(),
                },
            )
            .await;
        }
        Ok(ProgressView::of(enrolled.enrolment, &playlist))
    }

    async fn unenrol(&self, caller: Caller, id: PlaylistId) -> Result<(), LearningError> {
        let playlist = self.ports.playlists.get(id).await?;
        if playlist.is_none() {
            return Err(LearningError::PlaylistNotFound);
        }
        if self
            .ports
            .enrolments
            .unenrol(id, caller.id, self.ports.clock.now())
            .await?
        {
            Ok(())
        } else {
            Err(LearningError::NotEnrolled)
        }
    }

    async fn progress(
        &self,
        caller: Caller,
        id: PlaylistId,
    ) -> Result<ProgressView, LearningError> {
        // Also on a deleted playlist: the learner keeps their progress.
        let playlist = self
            .ports
            .playlists
            .get(id)
            .await?
            .ok_or(LearningError::PlaylistNotFound)?;
        self.progressed(&playlist, caller.id).await
    }

    async fn record_progress(
        &self,
        caller: Caller,
        id: PlaylistId,
        update: ProgressUpdate,
    ) -> Result<Progressed, LearningError> {
        if update.time_spent > MAX_REPORTED_MINUTES {
            return Err(LearningError::invalid(
                "timeSpent",
                format!("must be at most {MAX_REPORTED_MINUTES} minutes"),
            ));
        }
        let (playlist, before) = self.active_enrolment(caller, id).await?;
        let newly_done = update.completed && !before.completed.contains(&update.lesson);
        let lesson = playlist.lesson(update.lesson).ok_or_else(|| {
            LearningError::invalid("lessonId", "is not a lesson of this playlist")
        })?;
        if update.completed {
            if let Some(challenge) = lesson.challenge {
                let solved = self
                    .ports
                    .challenges
                    .solved(caller.id, challenge)
                    .await
                    .map_err(LearningError::Unavailable)?;
                if !solved {
                    return Err(LearningError::ChallengeNotSolved);
                }
            }
        }
        let enrolment = self
            .ports
            .enrolments
            .record(
                id,
                caller.id,
                update.lesson,
                update.completed,
                update.time_spent,
                self.ports.clock.now(),
            )
            .await?
            .ok_or(LearningError::NotEnrolled)?;
        let progress = ProgressView::of(enrolment, &playlist);
        if newly_done {
            self.note(
                caller.id,
                Happened::LessonCompleted {
                    playlist: id.bytes(),
                },
            )
            .await;
        }
        let completed_with_xp = self.settle(&playlist, &progress).await?;
        let progress = if completed_with_xp.is_some() {
            self.progressed(&playlist, caller.id).await?
        } else {
            progress
        };
        Ok(Progressed {
            progress,
            completed_with_xp,
        })
    }

    async fn rate(
        &self,
        caller: Caller,
        id: PlaylistId,
        score: u8,
        review: String,
    ) -> Result<PlaylistView, LearningError> {
        let mut problems = Vec::new();
        if !(1..=5).contains(&score) {
            problems.push(FieldError::new("score", "must be 1 to 5"));
        }
        if let Some(p) = text_problem(&review, 0, MAX_REVIEW_CHARS) {
            problems.push(FieldError::new("review", p));
        }
        if !problems.is_empty() {
            return Err(LearningError::Invalid(problems));
        }
        self.active_enrolment(caller, id).await?;
        let rating = Rating {
            score,
            review: review.trim().to_owned(),
            at: self.ports.clock.now(),
        };
        if !self.ports.enrolments.rate(id, caller.id, &rating).await? {
            return Err(LearningError::NotEnrolled);
        }
        self.get(Some(caller), id).await
    }

    async fn my_playlists(
        &self,
        caller: Caller,
        page: PageRequest,
    ) -> Result<Page<MyPlaylist>, LearningError> {
        let found = self.ports.enrolments.active_of(caller.id, page).await?;
        let ids: Vec<PlaylistId> = found.items.iter().map(|e| e.playlist).collect();
        let playlists = self.ports.playlists.get_many(&ids).await?;
        let views = self.views(Some(caller), playlists, &ids).await?;
        let mut by_id: HashMap<PlaylistId, PlaylistView> =
            views.into_iter().map(|v| (v.playlist.id, v)).collect();
        let items = found
            .items
            .into_iter()
            .filter_map(|e| {
                let view = by_id.remove(&e.playlist)?;
                let progress = ProgressView::of(e, &view.playlist);
                Some(MyPlaylist {
                    playlist: view,
                    progress,
                })
            })
            .collect();
        Ok(Page {
            items,
            request: found.request,
            total: found.total,
        })
    }

    async fn challenge_solved(
        &self,
        member: MemberId,
        challenge: ChallengeRef,
    ) -> Result<u32, LearningError> {
        let mut enrolments = Vec::new();
        for page in 1..=ENROLMENT_PAGES {
            let found = self
                .ports
                .enrolments
                .active_of(member, PageRequest::new(page, MAX_LIMIT))
                .await?;
            let last = found.items.len() < MAX_LIMIT as usize;
            enrolments.extend(found.items);
            if last {
                break;
            }
        }
        let ids: Vec<PlaylistId> = enrolments.iter().map(|e| e.playlist).collect();
        let playlists = self.ports.playlists.get_many(&ids).await?;
        let mut completed = 0;
        for playlist in playlists.iter().filter(|p| p.is_live()) {
            let Some(enrolment) = enrolments.iter().find(|e| e.playlist == playlist.id) else {
                continue;
            };
            let lessons = playlist
                .lessons
                .iter()
                .filter(|l| l.challenge == Some(challenge) && !enrolment.completed.contains(&l.id));
            let mut latest = None;
            for lesson in lessons {
                latest = self
                    .ports
                    .enrolments
                    .record(
                        playlist.id,
                        member,
                        lesson.id,
                        true,
                        0,
                        self.ports.clock.now(),
                    )
                    .await?;
                completed += 1;
                let done = Happened::LessonCompleted {
                    playlist: playlist.id.bytes(),
                };
                self.note(member, done).await;
            }
            if let Some(enrolment) = latest {
                self.settle(playlist, &ProgressView::of(enrolment, playlist))
                    .await?;
            }
        }
        Ok(completed)
    }

    async fn recommended(
        &self,
        caller: Caller,
        limit: u32,
    ) -> Result<Vec<Recommendation>, LearningError> {
        if !(1..=MAX_RECOMMENDATIONS).contains(&limit) {
            return Err(LearningError::invalid(
                "limit",
                format!("must be 1 to {MAX_RECOMMENDATIONS}"),
            ));
        }
        let limit = limit as usize;
        let mut picked: Vec<(Playlist, ReasonKind, String)> = Vec::new();

        // Unfinished enrolments, most recently used first.
        let mine = self
            .ports
            .enrolments
            .active_of(caller.id, PageRequest::new(1, MAX_LIMIT))
            .await?
            .items;
        let enrolled: Vec<PlaylistId> = mine.iter().map(|e| e.playlist).collect();
        let mut theirs: HashMap<PlaylistId, Playlist> = self
            .ports
            .playlists
            .get_many(&enrolled)
            .await?
            .into_iter()
            .filter(Playlist::is_live)
            .map(|p| (p.id, p))
            .collect();
        for e in mine.into_iter().filter(|e| e.completed_at.is_none()) {
            let Some(p) = theirs.remove(&e.playlist) else {
                continue;
            };
            let progress = ProgressView::of(e, &p);
            let next = progress
                .current
                .and_then(|l| p.lesson(l))
                .map(|l| format!(" Next: \"{}\".", l.title))
                .unwrap_or_default();
            let reason = format!(
                "You are {}% through this playlist.{next}",
                progress.percentage
            );
            picked.push((p, ReasonKind::Continue, reason));
        }

        // Others, from the most popular playlists the caller may enrol in.
        let figures = self
            .ports
            .practice
            .figures(caller.id)
            .await
            .map_err(LearningError::Unavailable)?;
        let may_enrol_premium = caller.may_author();
        let mut pool: Vec<Playlist> = self
            .ports
            .playlists
            .list(
                &PlaylistFilter::default(),
                PlaylistSort::Popular,
                PageRequest::new(1, MAX_LIMIT),
            )
            .await?
            .items
            .into_iter()
            .filter(|p| {
                !enrolled.contains(&p.id)
                    && p.author != caller.id
                    && (!p.is_premium || may_enrol_premium)
                    && !p.lessons.is_empty()
            })
            .collect();
        for weak in weak_types(&figures) {
            let name = weak.challenge_type.as_str();
            for p in take(&mut pool, PER_WEAK_TYPE, |p| practises(p, name)) {
                let reason = format!(
                    "Practises {name} challenges: {} of your {} scored {name} submissions \
                     succeeded ({}%).",
                    weak.successes,
                    weak.scored,
                    weak.success_percent()
                );
                picked.push((p, ReasonKind::WeakType, reason));
            }
        }
        let level = level_for(figures.level);
        for p in take(&mut pool, limit, |p| p.level == level) {
            let reason = format!(
                "Made for your level: {} (you are level {}).",
                level.as_str(),
                figures.level
            );
            picked.push((p, ReasonKind::Level, reason));
        }
        for p in take(&mut pool, limit, |_| true) {
            let reason = format!("Popular: {} learners enrolled.", p.stats.students);
            picked.push((p, ReasonKind::Popular, reason));
        }
        picked.truncate(limit);

        let (playlists, reasons): (Vec<Playlist>, Vec<(ReasonKind, String)>) = picked
            .into_iter()
            .map(|(p, kind, reason)| (p, (kind, reason)))
            .unzip();
        let views = self.views(Some(caller), playlists, &enrolled).await?;
        Ok(views
            .into_iter()
            .zip(reasons)
            .map(|(playlist, (kind, reason))| Recommendation {
                playlist,
                kind,
                reason,
            })
            .collect())
    }

    async fn certificate(&self, id: CertificateId) -> Result<CertificateView, LearningError> {
        Ok(self.certificate_view(self.stored_certificate(id).await?))
    }

    async fn certificate_svg(&self, id: CertificateId) -> Result<Vec<u8>, LearningError> {
        let files = &self.ports.certificate_files;
        if let Some(svg) = files.get(id).await.map_err(LearningError::Unavailable)? {
            return Ok(svg);
        }
        let view = self.certificate_view(self.stored_certificate(id).await?);
        let svg = render_svg(&view.certificate, &view.verification_url);
        // Drawn from signed fields that never change: a failure to keep it only means the
        // next request draws it again.
        if let Err(e) = files.put(id, svg.clone()).await {
            tracing::warn!(error = %e, certificate = %id, "could not keep a certificate drawing");
        }
        Ok(svg)
    }

    async fn verify_certificate(
        &self,
        copy: CertificateCopy,
    ) -> Result<Verification, LearningError> {
        let key = self.ports.signer.public_key();
        if !signature_holds(self.ports.signer.as_ref(), &copy.fields, &copy.signature) {
            let message = if copy.key_id == key.key_id {
                "The signature does not hold over these fields: the copy was changed"
            } else {
                "The signature does not hold: the copy names another key than this service's"
            };
            return Ok(Verification {
                status: CertificateStatus::Invalid,
                signature_valid: false,
                revocation: None,
                message: message.to_owned(),
            });
        }
        // Signed here, so the id is one this service issued.
        let revocation = match copy.fields.id.parse::<CertificateId>() {
            Ok(id) => self
                .ports
                .certificates
                .get(id)
                .await?
                .and_then(|c| c.revocation),
            Err(_) => None,
        };
        Ok(match revocation {
            Some(revocation) => Verification {
                status: CertificateStatus::Revoked,
                signature_valid: true,
                message: format!("Issued here, then revoked: {}", revocation.reason),
                revocation: Some(revocation),
            },
            None => Verification {
                status: CertificateStatus::Valid,
                signature_valid: true,
                revocation: None,
                message: "The signature holds and the certificate is not revoked".to_owned(),
            },
        })
    }

    async fn revoke_certificate(
        &self,
        caller: Caller,
        id: CertificateId,
        reason: String,
    ) -> Result<CertificateView, LearningError> {
        if !caller.is_admin {
            return Err(LearningError::Forbidden);
        }
        if let Some(p) = text_problem(&reason, 1, MAX_REVOCATION_REASON_CHARS) {
            return Err(LearningError::invalid("reason", p));
        }
        self.stored_certificate(id).await?;
        let revocation = Revocation {
            at: self.ports.clock.now(),
            reason: reason.trim().to_owned(),
            by: caller.id,
        };
        if !self.ports.certificates.revoke(id, &revocation).await? {
            return Err(LearningError::AlreadyRevoked);
        }
        tracing::info!(certificate = %id, admin = %caller.id, "certificate revoked");
        self.certificate(id).await
    }

    fn public_key(&self) -> PublicKey {
        self.ports.signer.public_key()
    }
}
