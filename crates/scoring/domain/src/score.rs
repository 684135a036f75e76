//! The score of a run: the weighted share of passed tests, adjusted for speed, and zero when the
//! code breaks the challenge's keyword rules.

use crate::verdict::outputs_match;

/// One test as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestSpec<'a> {
    pub expected_output: &'a str,
    pub weight: u32,
}

/// The keyword rules of a challenge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeywordRules<'a> {
    pub forbidden: &'a [String],
    pub required: &'a [String],
}

/// A broken keyword rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The code uses a forbidden keyword.
    Forbidden(String),
    /// The code lacks a required keyword.
    Missing(String),
}

/// What scoring found.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreOutcome {
    /// Per test, in the challenge's order.
    pub passed: Vec<bool>,
    pub passed_tests: usize,
    pub total_tests: usize,
    /// Weighted share of passed tests, 0–100.
    pub raw_score: f64,
    /// 1.1 under half the time limit, 0.9 over 90% of it, else 1.
    pub time_factor: f64,
    pub violations: Vec<Violation>,
    /// Final score, 0–100, two decimals.
    pub score: f64,
}

/// Whether `word` occurs in `code` as a whole identifier (not inside a longer name).
pub fn uses_keyword(code: &str, word: &str) -> bool {
    let word = word.trim();
    if word.is_empty() {
        return false;
    }
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    code.match_indices(word).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + word.len()..].chars().next();
        let bounded_start = !word.starts_with(is_ident) || before.is_none_or(|c| !is_ident(c));
        let bounded_end = !word.ends_with(is_ident) || after.is_none_or(|c| !is_ident(c));
        bounded_start && bounded_end
    })
}

/// The keyword rules `code` breaks.
pub fn violations(code: &str, rules: &KeywordRules<'_>) -> Vec<Violation> {
    let mut found: Vec<Violation> = rules
        .forbidden
        .iter()
        .filter(|w| uses_keyword(code, w))
        .map(|w| Violation::Forbidden(w.clone()))
        .collect();
    found.extend(
        rules
            .required
            .iter()
            .filter(|w| !uses_keyword(code, w))
            .map(|w| Violation::Missing(w.clone())),
    );
    found
}

/// The speed adjustment for a run that took `spent_secs` of a `limit_secs` budget.
pub fn time_factor(spent_secs: f64, limit_secs: f64) -> f64 {
    if limit_secs <= 0.0 || !spent_secs.is_finite() || spent_secs < 0.0 {
        return 1.0;
    }
    if spent_secs < limit_secs * 0.5 {
        1.1
    } else if spent_secs > limit_secs * 0.9 {
        0.9
    } else {
        1.0
    }
}

/// Scores a run: `actual[i]` is the output the browser reported for `tests[i]` (`None` when the
/// test did not run). Keyword violations make the score 0.
pub fn score(
    tests: &[TestSpec<'_>],
    actual: &[Option<&str>],
    spent_secs: f64,
    limit_secs: f64,
    code: &str,
    rules: &KeywordRules<'_>,
) -> ScoreOutcome {
    let passed: Vec<bool> = tests
        .iter()
        .enumerate()
        .map(|(i, t)| {
            actual
                .get(i)
                .copied()
                .flatten()
                .is_some_and(|out| outputs_match(out, t.expected_output))
        })
        .collect();
    let total_weight: u64 = tests.iter().map(|t| u64::from(t.weight)).sum();
    let passed_weight: u64 = tests
        .iter()
        .zip(&passed)
        .filter(|(_, p)| **p)
        .map(|(t, _)| u64::from(t.weight))
        .sum();
    let raw_score = if total_weight == 0 {
        0.0
    } else {
        passed_weight as f64 * 100.0 / total_weight as f64
    };
    let factor = time_factor(spent_secs, limit_secs);
    let violations = violations(code, rules);
    let score = if violations.is_empty() {
        (raw_score * factor).min(100.0)
    } else {
        0.0
    };
    ScoreOutcome {
        passed_tests: passed.iter().filter(|p| **p).count(),
        total_tests: tests.len(),
        passed,
        raw_score,
        time_factor: factor,
        violations,
        score: (score * 100.0).round() / 100.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<TestSpec<'static>> {
        vec![
            TestSpec {
                expected_output: "[0,1]",
                weight: 1,
            },
            TestSpec {
                expected_output: "[1,2]",
                weight: 1,
            },
            TestSpec {
                expected_output: "[0,1]",
                weight: 2,
            },
        ]
    }

    #[test]
    fn the_score_is_the_weighted_share_of_passed_tests() {
        let out = score(
            &specs(),
            &[Some("[0, 1]"), Some("[2,1]"), Some("[0,1]")],
            600.0,
            1200.0,
            "",
            &KeywordRules::default(),
        );
        assert_eq!(out.passed, vec![true, false, true]);
        assert_eq!((out.passed_tests, out.total_tests), (2, 3));
        assert_eq!(out.raw_score, 75.0);
        assert_eq!(out.score, 75.0);
    }

    #[test]
    fn missing_outputs_fail_and_a_fast_run_earns_ten_percent_capped_at_100() {
        let all = [Some("[0,1]"), Some("[1,2]"), Some("[0,1]")];
        assert_eq!(
            score(&specs(), &all, 100.0, 1200.0, "", &KeywordRules::default()).score,
            100.0,
            "capped"
        );
        let some = [Some("[0,1]"), None, None];
        let out = score(&specs(), &some, 100.0, 1200.0, "", &KeywordRules::default());
        assert_eq!((out.raw_score, out.score), (25.0, 27.5));
        assert_eq!(
            score(&specs(), &all, 1100.0, 1200.0, "", &KeywordRules::default()).score,
            90.0,
            "slow runs lose 10%"
        );
    }

    #[test]
    fn time_factor_boundaries() {
        assert_eq!(time_factor(599.0, 1200.0), 1.1);
        assert_eq!(time_factor(600.0, 1200.0), 1.0);
        assert_eq!(time_factor(1080.0, 1200.0), 1.0);
        assert_eq!(time_factor(1081.0, 1200.0), 0.9);
        assert_eq!(time_factor(f64::NAN, 1200.0), 1.0);
        assert_eq!(time_factor(10.0, 0.0), 1.0);
    }

    #[test]
    fn keyword_rules_zero_the_score() {
        let forbidden = vec!["eval".to_owned()];
        let required = vec!["Map".to_owned()];
        let rules = KeywordRules {
            forbidden: &forbidden,
            required: &required,
        };
        let all = [Some("[0,1]"), Some("[1,2]"), Some("[0,1]")];
        let clean = score(
            &specs(),
            &all,
            600.0,
            1200.0,
            "const seen = new Map(); evaluate();",
            &rules,
        );
        assert!(clean.violations.is_empty(), "evaluate is not eval");
        assert_eq!(clean.score, 100.0);
        let dirty = score(&specs(), &all, 600.0, 1200.0, "eval(code)", &rules);
        assert_eq!(
            dirty.violations,
            vec![
                Violation::Forbidden("eval".into()),
                Violation::Missing("Map".into())
            ]
        );
        assert_eq!(dirty.score, 0.0);
    }

    #[test]
    fn keywords_match_whole_identifiers_only() {
        assert!(uses_keyword("x = eval(y)", "eval"));
        assert!(!uses_keyword("x = evaluate(y)", "eval"));
        assert!(!uses_keyword("x = my_eval(y)", "eval"));
        assert!(uses_keyword("a.sort((x, y) => x - y)", ".sort("));
        assert!(!uses_keyword("anything", "  "));
    }

    #[test]
    fn no_tests_score_zero() {
        assert_eq!(
            score(&[], &[], 1.0, 10.0, "", &KeywordRules::default()).score,
            0.0
        );
    }
}
