//! A user's submission statistics, from one row per submission.

use std::collections::BTreeMap;

use crate::submission::{
    DayActivity, Language, RunStatus, SubmissionFacts, SubmissionStats, TypeResults,
};

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Statistics over `facts`. Averages count scored submissions only; recent activity is the
/// last seven UTC days that have submissions, newest first.
pub fn summarize(facts: &[SubmissionFacts]) -> SubmissionStats {
    let scored: Vec<&SubmissionFacts> = facts
        .iter()
        .filter(|f| f.status != RunStatus::Pending)
        .collect();
    let completed = facts
        .iter()
        .filter(|f| f.status == RunStatus::Completed)
        .count() as u64;
    let total = facts.len() as u64;
    let average_score = if scored.is_empty() {
        0.0
    } else {
        scored.iter().map(|f| f.score).sum::<f64>() / scored.len() as f64
    };
    let best_score = scored.iter().map(|f| f.score).fold(0.0, f64::max);
    let times: Vec<u64> = facts.iter().filter_map(|f| f.execution_time).collect();
    let total_time: u64 = times.iter().sum();
    let mut languages: Vec<(Language, u64)> = Language::ALL
        .into_iter()
        .map(|l| (l, facts.iter().filter(|f| f.language == l).count() as u64))
        .filter(|(_, n)| *n > 0)
        .collect();
    languages.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let mut difficulty = [0u64; 3];
    for f in facts {
        match f.difficulty.as_str() {
            "Easy" => difficulty[0] += 1,
            "Medium" => difficulty[1] += 1,
            "Hard" => difficulty[2] += 1,
            _ => {}
        }
    }
    let mut days: BTreeMap<String, (u64, f64, u64)> = BTreeMap::new();
    for f in facts {
        let day = days
            .entry(f.created_at.date_naive().to_string())
            .or_default();
        day.0 += 1;
        if f.status != RunStatus::Pending {
            day.1 += f.score;
            day.2 += 1;
        }
    }
    let recent_activity = days
        .into_iter()
        .rev()
        .take(7)
        .map(|(date, (n, sum, scored))| DayActivity {
            date,
            submissions: n,
            average_score: if scored == 0 {
                0.0
            } else {
                round2(sum / scored as f64)
            },
        })
        .collect();
    let successes: Vec<&SubmissionFacts> = facts.iter().filter(|f| f.success).collect();
    let mut types: BTreeMap<&str, (u64, u64, f64)> = BTreeMap::new();
    for f in &scored {
        let t = types.entry(f.challenge_type.as_str()).or_default();
        t.0 += 1;
        t.1 += u64::from(f.success);
        t.2 += f.score;
    }
    let by_type = types
        .into_iter()
        .map(|(name, (n, wins, sum))| TypeResults {
            challenge_type: name.to_owned(),
            scored: n,
            successes: wins,
            average_score: round2(sum / n as f64),
        })
        .collect();
    SubmissionStats {
        by_type,
        lines_of_code: facts.iter().map(|f| u64::from(f.lines)).sum(),
        bugs_fixed: successes
            .iter()
            .filter(|f| f.challenge_type == "bug-fix")
            .count() as u64,
        code_quality: if successes.is_empty() {
            0.0
        } else {
            round2(successes.iter().map(|f| f.score).sum::<f64>() / successes.len() as f64)
        },
        total_submissions: total,
        completed_submissions: completed,
        completion_rate: if total == 0 {
            0.0
        } else {
            round2(completed as f64 * 100.0 / total as f64)
        },
        average_score: round2(average_score),
        best_score: round2(best_score),
        total_execution_time: total_time,
        average_execution_time: if times.is_empty() {
            0.0
        } else {
            round2(total_time as f64 / times.len() as f64)
        },
        language_breakdown: languages,
        difficulty_breakdown: difficulty,
        recent_activity,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn fact(
        lang: Language,
        difficulty: &str,
        status: RunStatus,
        score: f64,
        day: u32,
    ) -> SubmissionFacts {
        SubmissionFacts {
            language: lang,
            difficulty: difficulty.into(),
            challenge_type: if difficulty == "Hard" {
                "bug-fix".into()
            } else {
                "dsa".into()
            },
            lines: 3,
            success: status == RunStatus::Completed && score >= 70.0,
            status,
            score,
            execution_time: (status != RunStatus::Pending).then_some(100),
            created_at: Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).unwrap(),
        }
    }

    #[test]
    fn figures_count_scored_submissions_and_break_down_by_language_and_difficulty() {
        let facts = [
            fact(Language::Python, "Easy", RunStatus::Completed, 90.0, 1),
            fact(Language::Python, "Hard", RunStatus::Failed, 30.0, 1),
            fact(Language::Java, "Easy", RunStatus::Pending, 0.0, 2),
        ];
        let s = summarize(&facts);
        assert_eq!(
            s.by_type,
            vec![
                TypeResults {
                    challenge_type: "bug-fix".into(),
                    scored: 1,
                    successes: 0,
                    average_score: 30.0,
                },
                TypeResults {
                    challenge_type: "dsa".into(),
                    scored: 1,
                    successes: 1,
                    average_score: 90.0,
                },
            ],
            "pending submissions are not results"
        );
        assert_eq!(s.total_submissions, 3);
        assert_eq!(s.completed_submissions, 1);
        assert_eq!(s.completion_rate, 33.33);
        assert_eq!(
            s.average_score, 60.0,
            "pending ones do not drag the average"
        );
        assert_eq!(s.best_score, 90.0);
        assert_eq!(s.total_execution_time, 200);
        assert_eq!(s.average_execution_time, 100.0);
        assert_eq!(
            s.language_breakdown,
            vec![(Language::Python, 2), (Language::Java, 1)]
        );
        assert_eq!(s.difficulty_breakdown, [2, 0, 1]);
        assert_eq!(s.recent_activity[0].date, "2026-11-02");
        assert_eq!(s.recent_activity[1].submissions, 2);
        assert_eq!(s.recent_activity[1].average_score, 60.0);
        assert_eq!(s.lines_of_code, 9);
        assert_eq!(s.bugs_fixed, 0, "the Hard bug-fix one failed");
        assert_eq!(s.code_quality, 90.0, "over successes only");
    }

    #[test]
    fn no_submissions_give_zeros_not_nan() {
        let s = summarize(&[]);
        assert_eq!(s, SubmissionStats::default());
    }
}
