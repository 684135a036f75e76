//! What users do, told to the analytics context's event store (the spec's "user actions tracked
//! via event logging"). A context names what happened after it is stored; the receiver keeps
//! it without slowing or failing the action (see [`ActivityLog`]).

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One thing a user did, at `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// The user who did it (an id's 12 bytes).
    pub actor: [u8; 12],
    pub at: DateTime<Utc>,
    pub what: Happened,
}

/// A scored submission's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// The challenge (12 bytes).
    pub challenge: [u8; 12],
    /// `dsa`, `bug-fix` or `feature`.
    pub challenge_type: String,
    /// 0–100.
    pub score: f64,
    pub success: bool,
    /// The player's first success on this challenge.
    pub first: bool,
    /// XP the submission earned.
    pub xp: u64,
    /// Minutes spent on it, when it was timed (started from an attempt).
    pub minutes: Option<f64>,
    /// The challenge's skills: its tags and category.
    pub skills: Vec<String>,
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Happened {
    SignedUp,
    SignedIn,
    Scored(Scored),
    /// A community post (`code`: a code share).
    Posted {
        post: [u8; 12],
        code: bool,
    },
    Commented {
        post: [u8; 12],
    },
    Liked {
        post: [u8; 12],
    },
    /// A post view that counted (one per reader and day).
    Viewed {
        post: [u8; 12],
    },
    TemplateDownloaded {
        template: [u8; 12],
    },
    TemplateForked {
        template: [u8; 12],
    },
    TemplateStarred {
        template: [u8; 12],
    },
    Enrolled {
        playlist: [u8; 12],
    },
    LessonCompleted {
        playlist: [u8; 12],
    },
    PlaylistCompleted {
        playlist: [u8; 12],
    },
}

/// Where activities go. `record` returns at once and never fails the action that caused it:
/// an implementation queues the activity (and counts what it had to drop).
#[async_trait]
pub trait ActivityLog: Send + Sync {
    async fn record(&self, activity: Activity);
}

/// Activities nobody keeps (a program that links a context without analytics).
pub struct NoActivityLog;

#[async_trait]
impl ActivityLog for NoActivityLog {
    async fn record(&self, _: Activity) {}
}

/// Keeps every activity in memory, for tests that check what a service recorded.
#[derive(Default)]
pub struct RecordedActivity(Mutex<Vec<Activity>>);

impl RecordedActivity {
    /// What was recorded so far, oldest first.
    pub fn taken(&self) -> Vec<Activity> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl ActivityLog for RecordedActivity {
    async fn record(&self, activity: Activity) {
        if let Ok(mut v) = self.0.lock() {
            v.push(activity);
        }
    }
}
