//! How playlists are picked for a learner: unfinished enrolments first, then playlists that
//! practise the challenge types the learner does worst at, then playlists at their level, then
//! popular ones — each with the reason it was picked.

use stackrush_kernel::named_enum;

use crate::api::PlaylistView;
use crate::model::{Level, Playlist};

/// A type counts as weak from this many scored submissions on…
pub const WEAK_MIN_SCORED: u64 = 3;
/// …when fewer than this percent of them succeeded.
pub const WEAK_BELOW_PERCENT: u64 = 60;
/// Playlists recommended per weak type.
pub const PER_WEAK_TYPE: usize = 2;
/// The most recommendations one answer holds (and the default).
pub const MAX_RECOMMENDATIONS: u32 = 20;
pub const DEFAULT_RECOMMENDATIONS: u32 = 10;
/// Scoring levels (1 per 1,000 XP) up to these are beginners, then intermediates; above,
/// advanced.
pub const BEGINNER_UP_TO_LEVEL: u32 = 3;
pub const INTERMEDIATE_UP_TO_LEVEL: u32 = 10;

/// How one type of challenge went for a learner, as scoring counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRecord {
    pub challenge_type: String,
    /// Scored submissions.
    pub scored: u64,
    pub successes: u64,
}

impl TypeRecord {
    /// Whole percent of scored submissions that succeeded.
    pub fn success_percent(&self) -> u64 {
        (self.successes * 100).checked_div(self.scored).unwrap_or(0)
    }
}

/// A learner's practice as scoring knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PracticeFigures {
    /// Scoring's level (1 for a newcomer).
    pub level: u32,
    pub by_type: Vec<TypeRecord>,
}

named_enum!(
    /// Why a playlist is recommended: `continue` (an unfinished enrolment), `weak-type` (it
    /// practises a challenge type the learner does worst at), `level` (made for their level),
    /// `popular`.
    ReasonKind {
        Continue => "continue",
        WeakType => "weak-type",
        Level => "level",
        Popular => "popular",
    }
);

/// A recommended playlist and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub playlist: PlaylistView,
    pub kind: ReasonKind,
    /// The reason in words.
    pub reason: String,
}

/// The playlist level for a scoring level.
pub fn level_for(scoring_level: u32) -> Level {
    if scoring_level <= BEGINNER_UP_TO_LEVEL {
        Level::Beginner
    } else if scoring_level <= INTERMEDIATE_UP_TO_LEVEL {
        Level::Intermediate
    } else {
        Level::Advanced
    }
}

/// The learner's weak challenge types, weakest first (ties: more submissions first, then by
/// name): at least [`WEAK_MIN_SCORED`] scored submissions, under [`WEAK_BELOW_PERCENT`]
/// percent successful.
pub fn weak_types(figures: &PracticeFigures) -> Vec<&TypeRecord> {
    let mut weak: Vec<&TypeRecord> = figures
        .by_type
        .iter()
        .filter(|t| t.scored >= WEAK_MIN_SCORED && t.success_percent() < WEAK_BELOW_PERCENT)
        .collect();
    weak.sort_by(|a, b| {
        (a.successes * b.scored)
            .cmp(&(b.successes * a.scored))
            .then(b.scored.cmp(&a.scored))
            .then(a.challenge_type.cmp(&b.challenge_type))
    });
    weak
}

/// Whether the playlist practises `challenge_type`: one of its challenge lessons is of that
/// type, or its category or a topic is the type's name.
pub fn practises(playlist: &Playlist, challenge_type: &str) -> bool {
    playlist
        .lessons
        .iter()
        .any(|l| l.challenge_type.as_deref() == Some(challenge_type))
        || playlist.category == challenge_type
        || playlist.topics.iter().any(|t| t == challenge_type)
}

/// Takes up to `n` playlists that are `wanted` out of `pool`, keeping the pool's order.
pub fn take(
    pool: &mut Vec<Playlist>,
    n: usize,
    wanted: impl Fn(&Playlist) -> bool,
) -> Vec<Playlist> {
    let mut taken = Vec::new();
    let mut i = 0;
    while i < pool.len() && taken.len() < n {
        if wanted(&pool[i]) {
            taken.push(pool.remove(i));
        } else {
            i += 1;
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(t: &str, scored: u64, successes: u64) -> TypeRecord {
        TypeRecord {
            challenge_type: t.to_owned(),
            scored,
            successes,
        }
    }

    #[test]
    fn weak_types_need_enough_submissions_and_come_weakest_first() {
        let figures = PracticeFigures {
            level: 1,
            by_type: vec![
                record("dsa", 10, 9),
                record("bug-fix", 5, 2),
                record("feature", 4, 0),
                record("other", 2, 0),
                record("edge", 5, 3),
            ],
        };
        let weak: Vec<&str> = weak_types(&figures)
            .iter()
            .map(|t| t.challenge_type.as_str())
            .collect();
        assert_eq!(weak, vec!["feature", "bug-fix"]);
        assert_eq!(record("x", 0, 0).success_percent(), 0);
    }

    #[test]
    fn scoring_levels_map_to_playlist_levels_at_documented_bounds() {
        assert_eq!(level_for(1), Level::Beginner);
        assert_eq!(level_for(BEGINNER_UP_TO_LEVEL), Level::Beginner);
        assert_eq!(level_for(BEGINNER_UP_TO_LEVEL + 1), Level::Intermediate);
        assert_eq!(level_for(INTERMEDIATE_UP_TO_LEVEL), Level::Intermediate);
        assert_eq!(level_for(INTERMEDIATE_UP_TO_LEVEL + 1), Level::Advanced);
    }
}
