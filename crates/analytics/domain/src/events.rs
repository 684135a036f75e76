//! The event store's vocabulary: one [`Event`] per thing a user did, with the day it happened on
//! in the user's time zone (per-user figures) and in UTC (platform figures), fixed when it is
//! recorded.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use stackrush_kernel::activity::{Activity, Happened};
use stackrush_kernel::define_id;

use crate::model::SubjectId;

define_id!(
    /// Identifies one recorded event.
    EventId
);

/// What kind of thing happened; the stored name is [`EventKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    SignedUp,
    SignedIn,
    Submission,
    Post,
    CodeShare,
    Comment,
    Like,
    View,
    TemplateDownload,
    TemplateFork,
    TemplateStar,
    Enrolment,
    Lesson,
    PlaylistCompleted,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 14] = [
        Self::SignedUp,
        Self::SignedIn,
        Self::Submission,
        Self::Post,
        Self::CodeShare,
        Self::Comment,
        Self::Like,
        Self::View,
        Self::TemplateDownload,
        Self::TemplateFork,
        Self::TemplateStar,
        Self::Enrolment,
        Self::Lesson,
        Self::PlaylistCompleted,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedUp => "signed_up",
            Self::SignedIn => "signed_in",
            Self::Submission => "submission",
            Self::Post => "post",
            Self::CodeShare => "code_share",
            Self::Comment => "comment",
            Self::Like => "like",
            Self::View => "view",
            Self::TemplateDownload => "template_download",
            Self::TemplateFork => "template_fork",
            Self::TemplateStar => "template_star",
            Self::Enrolment => "enrolment",
            Self::Lesson => "lesson",
            Self::PlaylistCompleted => "playlist_completed",
        }
    }

    /// The kind stored as `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Posts, code shares and comments: what makes a community contributor.
    pub fn contributes(self) -> bool {
        matches!(self, Self::Post | Self::CodeShare | Self::Comment)
    }
}

/// How long a scored submission took, in the spec's `timeDistribution` ranges.
pub const TIME_RANGES: [&str; 5] = ["0-15 min", "15-30 min", "30-60 min", "1-2 h", "2 h+"];

/// The index in [`TIME_RANGES`] of `minutes` (upper bounds excluded: 15 minutes is "15-30").
pub fn time_range(minutes: f64) -> usize {
    match minutes {
        m if m < 15.0 => 0,
        m if m < 30.0 => 1,
        m if m < 60.0 => 2,
        m if m < 120.0 => 3,
        _ => 4,
    }
}

/// One recorded event. Submission figures are set on submissions only.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: EventId,
    pub user: SubjectId,
    pub at: DateTime<Utc>,
    /// The day in the user's time zone when it was recorded.
    pub day: NaiveDate,
    /// The day in UTC.
    pub utc_day: NaiveDate,
    pub kind: EventKind,
    /// A submission's challenge type (`dsa`, `bug-fix`, `feature`); empty otherwise.
    pub category: String,
    /// The post, template, playlist or challenge concerned (24 hex).
    pub target: Option<String>,
    pub score: Option<f64>,
    pub success: bool,
    /// A first success on the challenge.
    pub first: bool,
    pub xp: u64,
    pub minutes: Option<f64>,
    pub skills: Vec<String>,
}

impl Event {
    /// The event recording `activity` of a user living in `zone`.
    pub fn of(id: EventId, activity: Activity, zone: Tz) -> Self {
        let hex = |bytes: [u8; 12]| Some(SubjectId::from_bytes(bytes).to_hex());
        let mut event = Self {
            id,
            user: SubjectId::from_bytes(activity.actor),
            at: activity.at,
            day: activity.at.with_timezone(&zone).date_naive(),
            utc_day: activity.at.date_naive(),
            kind: EventKind::SignedIn,
            category: String::new(),
            target: None,
            score: None,
            success: false,
            first: false,
            xp: 0,
            minutes: None,
            skills: Vec::new(),
        };
        let (kind, target) = match activity.what {
            Happened::SignedUp => (EventKind::SignedUp, None),
            Happened::SignedIn => (EventKind::SignedIn, None),
            Happened::Scored(s) => {
                event.category = s.challenge_type;
                event.score = Some(s.score.clamp(0.0, 100.0));
                event.success = s.success;
                event.first = s.first;
                event.xp = s.xp;
                event.minutes = s.minutes.map(|m| m.max(0.0));
                event.skills = normalized_skills(s.skills);
                (EventKind::Submission, hex(s.challenge))
            }
            Happened::Posted { post, code } => (
                if code {
                    EventKind::CodeShare
                } else {
                    EventKind::Post
                },
                hex(post),
            ),
            Happened::Commented { post } => (EventKind::Comment, hex(post)),
            Happened::Liked { post } => (EventKind::Like, hex(post)),
            Happened::Viewed { post } => (EventKind::View, hex(post)),
            Happened::TemplateDownloaded { template } => {
                (EventKind::TemplateDownload, hex(template))
            }
            Happened::TemplateForked { template } => (EventKind::TemplateFork, hex(template)),
            Happened::TemplateStarred { template } => (EventKind::TemplateStar, hex(template)),
            Happened::Enrolled { playlist } => (EventKind::Enrolment, hex(playlist)),
            Happened::LessonCompleted { playlist } => (EventKind::Lesson, hex(playlist)),
            Happened::PlaylistCompleted { playlist } => {
                (EventKind::PlaylistCompleted, hex(playlist))
            }
        };
        event.kind = kind;
        event.target = target;
        event
    }
}

/// Lower-case, trimmed, each once, at most 20 (a skill is a tag or a category).
fn normalized_skills(skills: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in skills {
        let s = s.trim().to_lowercase();
        if !s.is_empty() && s.chars().count() <= 50 && !out.contains(&s) {
            out.push(s);
        }
    }
    out.truncate(20);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use stackrush_kernel::activity::Scored;

    #[test]
    fn the_day_is_the_users_and_the_utc_one() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 23, 30, 0).unwrap();
        let activity = Activity {
            actor: [1; 12],
            at,
            what: Happened::SignedIn,
        };
        let id = EventId::from_bytes([9; 12]);
        let paris = Event::of(id, activity.clone(), chrono_tz::Europe::Paris);
        assert_eq!(paris.day, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
        assert_eq!(paris.utc_day, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        let la = Event::of(id, activity, chrono_tz::America::Los_Angeles);
        assert_eq!(la.day, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
    }

    #[test]
    fn submissions_keep_bounded_figures_and_clean_skills() {
        let activity = Activity {
            actor: [1; 12],
            at: Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap(),
            what: Happened::Scored(Scored {
                challenge: [2; 12],
                challenge_type: "dsa".into(),
                score: 140.0,
                success: true,
                first: true,
                xp: 30,
                minutes: Some(-3.0),
                skills: vec![
                    " Arrays".into(),
                    "arrays".into(),
                    "".into(),
                    "graphs".into(),
                ],
            }),
        };
        let e = Event::of(EventId::from_bytes([9; 12]), activity, Tz::UTC);
        assert_eq!(e.kind, EventKind::Submission);
        assert_eq!(e.score, Some(100.0));
        assert_eq!(e.minutes, Some(0.0));
        assert_eq!(e.skills, vec!["arrays".to_owned(), "graphs".to_owned()]);
        assert_eq!(e.target.as_deref(), Some("020202020202020202020202"));
    }

    #[test]
    fn time_ranges_exclude_their_upper_bound() {
        assert_eq!(time_range(0.0), 0);
        assert_eq!(time_range(14.9), 0);
        assert_eq!(time_range(15.0), 1);
        assert_eq!(time_range(59.0), 2);
        assert_eq!(time_range(60.0), 3);
        assert_eq!(time_range(500.0), 4);
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }
}
