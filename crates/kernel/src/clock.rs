//! Time as a port, so rules about expiry and lockout can be tested at chosen instants.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// The source of "now" for every rule that depends on time.
pub trait Clock: Send + Sync {
    /// The current instant in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
}

impl FixedClock {
    /// A clock standing at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The earliest and latest instants the service stores (and both stores represent alike).
pub const EARLIEST: &str = "1970-01-01T00:00:00Z";
pub const LATEST: &str = "9999-12-31T23:59:59Z";

/// What is wrong with `t` as a stored or compared instant, if anything: it must fall between
/// [`EARLIEST`] and [`LATEST`] (a year 0000 or 275760 parses as RFC 3339 but means nothing here).
pub fn time_problem(t: chrono::DateTime<chrono::Utc>) -> Option<String> {
    use chrono::Datelike;
    (!(1970..=9999).contains(&t.year()))
        .then(|| "must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z".to_owned())
}

#[cfg(test)]
mod time_tests {
    use chrono::{TimeZone, Utc};

    use super::time_problem;

    #[test]
    fn instants_outside_1970_to_9999_are_refused() {
        let at = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
        assert!(time_problem(at(0)).is_some());
        assert!(time_problem(at(1969)).is_some());
        assert!(time_problem(at(10_000)).is_some());
        assert_eq!(time_problem(at(1970)), None);
        assert_eq!(time_problem(at(9999)), None);
    }
}
