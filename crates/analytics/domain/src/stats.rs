//! Figures over a user's focus sessions.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};

use crate::model::{Environment, FocusSession};

/// A user's focus statistics.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FocusStats {
    pub total_sessions: u64,
    pub total_minutes: f64,
    /// 0–100, two decimals.
    pub average_focus: f64,
    pub best_focus: u32,
    pub average_distractions: f64,
    /// Sessions per environment: zen, standard, interview.
    pub by_environment: [u64; 3],
    /// The longest run of consecutive UTC days with a session.
    pub best_streak: u32,
    /// Poor (< 40), Fair (< 60), Good (< 80), Excellent: from the average focus.
    pub distraction_resistance: &'static str,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The resistance label for an average focus score.
pub fn resistance(average_focus: f64) -> &'static str {
    match average_focus {
        f if f < 40.0 => "Poor",
        f if f < 60.0 => "Fair",
        f if f < 80.0 => "Good",
        _ => "Excellent",
    }
}

/// Statistics over `sessions`.
pub fn summarize(sessions: &[FocusSession]) -> FocusStats {
    if sessions.is_empty() {
        return FocusStats {
            distraction_resistance: resistance(0.0),
            ..FocusStats::default()
        };
    }
    let n = sessions.len() as f64;
    let average_focus = sessions
        .iter()
        .map(|s| f64::from(s.focus_score))
        .sum::<f64>()
        / n;
    let mut by_environment = [0u64; 3];
    for s in sessions {
        let slot = match s.environment {
            Environment::Zen => 0,
            Environment::Standard => 1,
            Environment::Interview => 2,
        };
        by_environment[slot] += 1;
    }
    let days: BTreeSet<NaiveDate> = sessions.iter().map(|s| s.start_time.date_naive()).collect();
    let mut best = 0u32;
    let mut run = 0u32;
    let mut previous: Option<NaiveDate> = None;
    for day in days {
        run = match previous {
            Some(p) if p.checked_add_days(Days::new(1)) == Some(day) => run + 1,
            _ => 1,
        };
        best = best.max(run);
        previous = Some(day);
    }
    FocusStats {
        total_sessions: sessions.len() as u64,
        total_minutes: round2(sessions.iter().map(FocusSession::minutes).sum()),
        average_focus: round2(average_focus),
        best_focus: sessions.iter().map(|s| s.focus_score).max().unwrap_or(0),
        average_distractions: round2(
            sessions
                .iter()
                .map(|s| f64::from(s.distractions_encountered))
                .sum::<f64>()
                / n,
        ),
        by_environment,
        best_streak: best,
        distraction_resistance: resistance(average_focus),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::model::{FocusSessionId, SubjectId};

    fn session(day: u32, minutes: i64, focus: u32, env: Environment) -> FocusSession {
        let start = Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap();
        FocusSession {
            id: FocusSessionId::generate(start),
            user: SubjectId::generate(start),
            challenge: None,
            submission: None,
            start_time: start,
            end_time: start + Duration::minutes(minutes),
            distractions_encountered: focus / 10,
            focus_score: focus,
            environment: env,
            created_at: start,
        }
    }

    #[test]
    fn figures_streaks_and_labels() {
        let s = summarize(&[
            session(1, 30, 90, Environment::Zen),
            session(2, 15, 70, Environment::Interview),
            session(3, 45, 50, Environment::Zen),
            session(7, 60, 30, Environment::Standard),
        ]);
        assert_eq!(s.total_sessions, 4);
        assert_eq!(s.total_minutes, 150.0);
        assert_eq!(s.average_focus, 60.0);
        assert_eq!(s.best_focus, 90);
        assert_eq!(s.average_distractions, 6.0);
        assert_eq!(s.by_environment, [2, 1, 1]);
        assert_eq!(s.best_streak, 3);
        assert_eq!(s.distraction_resistance, "Good");
    }

    #[test]
    fn labels_have_their_thresholds_and_nothing_is_poor_not_nan() {
        assert_eq!(resistance(39.99), "Poor");
        assert_eq!(resistance(40.0), "Fair");
        assert_eq!(resistance(79.9), "Good");
        assert_eq!(resistance(80.0), "Excellent");
        let empty = summarize(&[]);
        assert_eq!(empty.average_focus, 0.0);
        assert_eq!(empty.distraction_resistance, "Poor");
    }
}
