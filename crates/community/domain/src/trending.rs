//! The trending score: engagement on a logarithmic scale plus the post's age on a linear one,
//!
//! ```text
//! hot = log10(1 + 3·likes + 4·comments + views / 10) + (created_at − 2024-01-01) / 45 000 s
//! ```
//!
//! Every 45,000 seconds (12.5 hours) a post is younger buys as much as ten times the
//! engagement: a day-old post needs about 100× the engagement of a new one to rank beside it.
//! Because time only enters through the creation time, a post's score changes only when its
//! counters do: the store keeps it in an indexed column, updated in the same write as the
//! counter, and a trending page is an index range, not a scan (as with Reddit's "hot" order).

use chrono::{DateTime, Utc};

use crate::model::Interactions;

/// 2024-01-01T00:00:00Z: scores are offsets from it, so they stay small.
const EPOCH_SECONDS: i64 = 1_704_067_200;

/// Seconds of youth worth a tenfold engagement.
pub const DECAY_SECONDS: f64 = 45_000.0;

/// The score of a post with these counters, created at `created_at`.
pub fn hot(counts: &Interactions, created_at: DateTime<Utc>) -> f64 {
    let engagement =
        3.0 * counts.likes as f64 + 4.0 * counts.comments as f64 + counts.views as f64 / 10.0;
    let age = (created_at.timestamp() - EPOCH_SECONDS) as f64;
    (1.0 + engagement).log10() + age / DECAY_SECONDS
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;

    fn counts(likes: u64, comments: u64, views: u64) -> Interactions {
        Interactions {
            likes,
            comments,
            views,
            bookmarks: 0,
        }
    }

    #[test]
    fn engagement_raises_the_score() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert!(hot(&counts(1, 0, 0), t) > hot(&counts(0, 0, 0), t));
        assert!(hot(&counts(0, 1, 0), t) > hot(&counts(1, 0, 0), t));
        assert!(hot(&counts(0, 0, 10), t) > hot(&counts(0, 0, 0), t));
    }

    #[test]
    fn youth_is_worth_a_tenfold_engagement_per_decay_period() {
        let old = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let young = old + Duration::seconds(45_000);
        // 3·333 + 1 = 1000 vs 3·33 + 1 = 100: ten times the engagement, one period older.
        let a = hot(&counts(333, 0, 0), old);
        let b = hot(&counts(33, 0, 0), young);
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        // With equal engagement, the younger post wins.
        assert!(hot(&counts(5, 5, 5), young) > hot(&counts(5, 5, 5), old));
    }
}
