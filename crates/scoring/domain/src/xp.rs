//! Experience points and levels.

/// The smallest score that counts as a success.
pub const SUCCESS_SCORE: f64 = 70.0;

/// XP for a first successful solve with `score`: ≥ 90 → 100, ≥ 80 → 75, ≥ 70 → 50, else 0.
pub fn xp_for_score(score: f64) -> u64 {
    if score >= 90.0 {
        100
    } else if score >= 80.0 {
        75
    } else if score >= SUCCESS_SCORE {
        50
    } else {
        0
    }
}

/// Level for a total of `xp`: one level per 1,000 XP, starting at 1.
pub fn level(xp: u64) -> u32 {
    u32::try_from(xp / 1000).unwrap_or(u32::MAX - 1) + 1
}

/// Whether a completed run with `score` is a success.
pub fn is_success(completed: bool, score: f64) -> bool {
    completed && score >= SUCCESS_SCORE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xp_tiers_follow_the_score() {
        for (score, xp) in [
            (100.0, 100),
            (90.0, 100),
            (89.99, 75),
            (80.0, 75),
            (79.9, 50),
            (70.0, 50),
            (69.99, 0),
            (0.0, 0),
        ] {
            assert_eq!(xp_for_score(score), xp, "{score}");
        }
    }

    #[test]
    fn levels_start_at_one_and_step_every_thousand() {
        assert_eq!(level(0), 1);
        assert_eq!(level(999), 1);
        assert_eq!(level(1000), 2);
        assert_eq!(level(12_345), 13);
        assert_eq!(level(u64::MAX), u32::MAX);
    }

    #[test]
    fn success_needs_completion_and_seventy() {
        assert!(is_success(true, 70.0));
        assert!(!is_success(true, 69.9));
        assert!(!is_success(false, 100.0));
    }
}
