//! `stackrush-api seed`: imports the starter catalogue shipped with the binary (idempotent:
//! challenges whose slug exists are left as they are) and the default achievements.

use std::sync::Arc;

use stackrush_challenges::{ChallengeApi, ImportAction, ImportOptions, Quietly};
use stackrush_identity::IdentityApi;

/// The catalogue written for StackRush, as a catalogue file: DSA, bug-fix and feature
/// challenges of every difficulty, multi-file frontend and backend-API ones among them.
pub const CATALOGUE: &str = include_str!("../seed/challenges.json");

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub created: usize,
    pub existing: usize,
    /// Default achievements added (missing keys only).
    pub achievements: usize,
}

/// Imports every catalogue challenge that is not there yet, then the default achievements.
pub async fn run(
    identity: &dyn IdentityApi,
    challenges: &dyn ChallengeApi,
    scoring: &dyn stackrush_scoring::ScoringApi,
) -> anyhow::Result<SeedReport> {
    let report = crate::catalogue::import(
        identity,
        challenges,
        CATALOGUE,
        ImportOptions::default(),
        Arc::new(Quietly),
    )
    .await
    .map_err(|e| match e {
        crate::catalogue::ImportFailure::Problems(found) => anyhow::anyhow!(
            "the shipped catalogue is invalid: {}",
            found
                .iter()
                .map(|(field, message)| format!("{field}: {message}"))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    })?;
    let achievements = scoring
        .seed_achievements()
        .await
        .map_err(|e| anyhow::anyhow!("seeding achievements: {e}"))?;
    Ok(SeedReport {
        created: report.count(ImportAction::Create),
        existing: report.count(ImportAction::Skip),
        achievements,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::process::{Command, Stdio};

    use stackrush_challenges::{CatalogueItem, ChallengeType, Difficulty};

    fn catalogue() -> Vec<CatalogueItem> {
        let file: crate::contexts::challenges::catalogue::CatalogueFile =
            serde_json::from_str(super::CATALOGUE).unwrap();
        crate::contexts::challenges::catalogue::parse(file.challenges).unwrap()
    }

    #[test]
    fn the_catalogue_covers_every_type_and_difficulty_with_hidden_tests() {
        let all = catalogue();
        assert!(all.len() >= 40, "{} challenges", all.len());
        for kind in [
            ChallengeType::Dsa,
            ChallengeType::BugFix,
            ChallengeType::Feature,
        ] {
            for difficulty in [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard] {
                assert!(
                    all.iter()
                        .any(|c| c.draft.kind == kind && c.draft.difficulty == difficulty),
                    "no {kind:?} {difficulty:?}"
                );
            }
        }
        for c in &all {
            let d = &c.draft;
            stackrush_challenges::validate::check(d)
                .unwrap_or_else(|e| panic!("{}: {e:?}", d.title));
            assert!(d.test_cases.iter().any(|t| t.is_hidden), "{}", d.title);
            assert!(d.test_cases.iter().any(|t| !t.is_hidden), "{}", d.title);
            assert!(!d.scenario.distractions.is_empty(), "{}", d.title);
            for t in &d.test_cases {
                assert!(
                    serde_json::from_str::<serde_json::Value>(&t.expected_output).is_ok(),
                    "{}: outputs are JSON",
                    d.title
                );
            }
        }
        let frontend = all
            .iter()
            .filter(|c| {
                c.draft.project.files.len() > 1
                    && c.draft
                        .project
                        .environment
                        .as_ref()
                        .is_some_and(|e| e.runtime == "browser")
            })
            .count();
        let backend = all
            .iter()
            .filter(|c| {
                c.draft.api.endpoint.is_some()
                    && c.draft.api.method.is_some()
                    && c.draft.project.files.len() > 1
            })
            .count();
        assert!(frontend >= 2, "{frontend} multi-file frontend challenges");
        assert!(backend >= 2, "{backend} backend-API challenges");
    }

    /// The name `function name(` declares.
    fn function_name(solution: &str) -> Option<&str> {
        let rest = solution.strip_prefix("function ")?;
        let end = rest.find('(')?;
        let name = rest[..end].trim();
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            .then_some(name)
    }

    /// Runs `apps/api/seed/check-solutions.js` in node on `cases`: (all passed, its output).
    fn check_in_node(cases: &serde_json::Value) -> (bool, String) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/seed/check-solutions.js");
        let mut node = Command::new("node")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node runs the reference solutions (install Node.js)");
        node.stdin
            .take()
            .unwrap()
            .write_all(cases.to_string().as_bytes())
            .unwrap();
        let out = node.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// Every reference solution, run by node against its challenge's tests (hidden ones
    /// included), produces each expected output.
    #[test]
    fn every_reference_solution_passes_its_tests_in_node() {
        let all = catalogue();
        let mut cases = Vec::new();
        let mut tests = 0;
        for c in &all {
            let d = &c.draft;
            let solution = d.content.solution.as_deref().unwrap_or_default();
            let name = function_name(solution)
                .unwrap_or_else(|| panic!("{}: the solution declares no function", d.title));
            tests += d.test_cases.len();
            cases.push(serde_json::json!({
                "title": d.title,
                "solution": solution,
                "name": name,
                "tests": d.test_cases.iter().map(|t| serde_json::json!({
                    "input": t.input, "expected": t.expected_output,
                })).collect::<Vec<_>>(),
            }));
        }
        let (passed, text) = check_in_node(&serde_json::Value::from(cases));
        assert!(passed, "failing solutions:\n{text}");
        let summary: serde_json::Value =
            serde_json::from_str(text.lines().last().unwrap_or_default()).unwrap();
        assert_eq!(summary["checked"], tests, "every test was run");
        assert_eq!(summary["failed"], 0);
    }

    #[test]
    fn the_node_check_fails_a_wrong_solution() {
        let cases = serde_json::json!([{
            "title": "wrong", "solution": "function f(a, b) { return a - b; }", "name": "f",
            "tests": [{"input": "[2,1]", "expected": "3"}],
        }]);
        assert!(!check_in_node(&cases).0);
    }
}
