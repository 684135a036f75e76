//! Streaks: consecutive days with at least one success, days counted in the user's time zone.

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

/// A user's streak state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streak {
    pub current: u32,
    pub best: u32,
    /// The local day of the last success.
    pub last_day: Option<NaiveDate>,
}

/// The local calendar day of `at` in `tz`.
pub fn local_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The streak after a success at `at`: unchanged on the same local day, one longer on the next
/// day, back to 1 after a gap. Successes reported out of order (before the last day) change nothing.
pub fn record_success(streak: Streak, at: DateTime<Utc>, tz: Tz) -> Streak {
    let day = local_day(at, tz);
    let current = match streak.last_day {
        Some(last) if day <= last => return streak,
        Some(last) if last.checked_add_days(Days::new(1)) == Some(day) => {
            streak.current.saturating_add(1)
        }
        _ => 1,
    };
    Streak {
        current,
        best: streak.best.max(current),
        last_day: Some(day),
    }
}

/// The streak as shown at `now`: it is broken once a whole local day has passed without a success.
pub fn current_at(streak: Streak, now: DateTime<Utc>, tz: Tz) -> u32 {
    let today = local_day(now, tz);
    match streak.last_day {
        Some(last) if last == today || last.checked_add_days(Days::new(1)) == Some(today) => {
            streak.current
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn consecutive_days_grow_the_streak_and_gaps_restart_it() {
        let tz = chrono_tz::UTC;
        let mut s = Streak::default();
        s = record_success(s, utc(2026, 5, 1, 9, 0), tz);
        s = record_success(s, utc(2026, 5, 1, 23, 0), tz);
        assert_eq!(
            (s.current, s.best),
            (1, 1),
            "twice the same day counts once"
        );
        s = record_success(s, utc(2026, 5, 2, 0, 30), tz);
        s = record_success(s, utc(2026, 5, 3, 12, 0), tz);
        assert_eq!((s.current, s.best), (3, 3));
        s = record_success(s, utc(2026, 5, 5, 12, 0), tz);
        assert_eq!(
            (s.current, s.best),
            (1, 3),
            "a missed day restarts it; the best stays"
        );
        let before = s;
        assert_eq!(
            record_success(s, utc(2026, 5, 4, 12, 0), tz),
            before,
            "late reports change nothing"
        );
    }

    #[test]
    fn days_are_counted_in_the_users_time_zone() {
        // 23:30 and 00:30 UTC are two UTC days but one day in New York (19:30 and 20:30 EDT).
        let ny: Tz = "America/New_York".parse().unwrap();
        let s = record_success(Streak::default(), utc(2026, 6, 1, 23, 30), ny);
        let s = record_success(s, utc(2026, 6, 2, 0, 30), ny);
        assert_eq!(s.current, 1);
        // In Auckland (UTC+12) 11:00 and 13:00 UTC fall on two local days.
        let akl: Tz = "Pacific/Auckland".parse().unwrap();
        let s = record_success(Streak::default(), utc(2026, 6, 1, 11, 0), akl);
        let s = record_success(s, utc(2026, 6, 1, 13, 0), akl);
        assert_eq!(s.current, 2);
    }

    #[test]
    fn daylight_saving_changes_do_not_break_a_streak() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // Clocks spring forward on 2026-03-08 in New York: that local day has 23 hours.
        let s = record_success(Streak::default(), utc(2026, 3, 8, 4, 30), ny); // Mar 7, 23:30 EST
        let s = record_success(s, utc(2026, 3, 9, 3, 30), ny); // Mar 8, 23:30 EDT
        let s = record_success(s, utc(2026, 3, 10, 3, 59), ny); // Mar 9, 23:59 EDT
        assert_eq!(s.current, 3);
        // And fall back on 2026-11-01 (a 25-hour day).
        let s = record_success(Streak::default(), utc(2026, 11, 1, 4, 0), ny); // Nov 1, 00:00 EDT
        let s = record_success(s, utc(2026, 11, 2, 4, 59), ny); // Nov 1, 23:59 EST
        assert_eq!(s.current, 1, "still the same local day");
    }

    #[test]
    fn a_streak_shows_as_broken_after_a_full_missed_day() {
        let tz = chrono_tz::UTC;
        let s = record_success(Streak::default(), utc(2026, 5, 1, 9, 0), tz);
        assert_eq!(current_at(s, utc(2026, 5, 1, 23, 0), tz), 1);
        assert_eq!(
            current_at(s, utc(2026, 5, 2, 23, 0), tz),
            1,
            "today is still open"
        );
        assert_eq!(current_at(s, utc(2026, 5, 3, 0, 1), tz), 0);
        assert_eq!(current_at(Streak::default(), utc(2026, 5, 3, 0, 1), tz), 0);
    }
}
