//! The contract suite every adapter of [`ChallengeRepository`] must pass. Each check uses its own
//! random category and slugs, so one store serves them all; [`run_all`] runs every check.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a test suite reports failures by panicking"
)]

use chrono::{DateTime, Duration, DurationRound, Utc};
use rand::RngCore;
use stackrush_kernel::{PageRequest, StoreError};

use crate::model::*;
use crate::ports::ChallengeRepository;

fn now_ms() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap()
}

fn tag() -> String {
    format!("t{:08x}", rand::rng().next_u32())
}

/// A complete challenge with every optional part set.
pub fn sample(category: &str, title: &str) -> Challenge {
    let now = now_ms();
    Challenge {
        id: ChallengeId::generate(now),
        title: title.to_owned(),
        slug: crate::slugify(&format!("{title} {category}")),
        description: "Find two numbers that add up to a target; say which.".into(),
        kind: ChallengeType::Dsa,
        difficulty: Difficulty::Medium,
        category: category.to_owned(),
        tags: vec!["arrays".into(), "hash-map".into()],
        time_limit: 30,
        content: Content {
            problem_statement: "Given nums and target, return the indices.".into(),
            constraints: Some("2 <= n <= 10^4".into()),
            examples: vec![Example {
                input: "[2,7,11,15], 9".into(),
                output: "[0,1]".into(),
                explanation: Some("2 + 7 = 9".into()),
            }],
            hints: vec!["Use a map".into()],
            solution: Some("function twoSum() {}".into()),
            solution_explanation: Some("One pass with a map.".into()),
        },
        code: Code {
            starter_code: StarterCode {
                javascript: Some("function twoSum(nums, target) {}".into()),
                python: Some("def two_sum(nums, target):\n    pass".into()),
                ..StarterCode::default()
            },
            test_cases: vec![
                TestCase {
                    id: TestCaseId::generate(now),
                    input: "[2,7], 9".into(),
                    expected_output: "[0,1]".into(),
                    is_hidden: false,
                    weight: 1,
                },
                TestCase {
                    id: TestCaseId::generate(now),
                    input: "[3,3], 6".into(),
                    expected_output: "[0,1]".into(),
                    is_hidden: true,
                    weight: 3,
                },
            ],
            validation_rules: ValidationRules {
                time_complexity: Some("O(n)".into()),
                space_complexity: None,
                forbidden_keywords: vec!["eval".into()],
                required_keywords: vec![],
            },
        },
        scenario: Scenario {
            background: Some("The payments team needs this by noon.".into()),
            role: Some("Backend engineer".into()),
            company: Some("Acme".into()),
            urgency: Some(Urgency::High),
            distractions: vec![Distraction {
                kind: "slack".into(),
                frequency: "often".into(),
                content: "Can you look at prod?".into(),
            }],
            stakeholders: vec!["Head of Payments".into(), "On-call SRE".into()],
            business_context: Some("Refunds stall at month end.\nEvery hour costs.".into()),
            constraints: vec!["No new dependencies".into()],
        },
        // Keys and names a document store treats specially must come back as they went in.
        api: ApiSpec {
            endpoint: Some("/api/orders/{id}/refunds".into()),
            method: Some(HttpMethod::Post),
            sample_payload: Some(
                r#"{"$set":{"a.b":1},"big":12345678901234567890,"list":[null,true,1.5,"é"]}"#
                    .into(),
            ),
            headers: vec![
                Header {
                    name: "X-Trace.Id".into(),
                    value: "abc".into(),
                },
                Header {
                    name: "$weird".into(),
                    value: "1".into(),
                },
            ],
        },
        project: StarterProject {
            files: vec![
                ProjectFile {
                    path: "src/index.js".into(),
                    content: "console.log('hi');\n".into(),
                    language: Some("javascript".into()),
                    read_only: false,
                },
                ProjectFile {
                    path: "package.json".into(),
                    content: "{\"name\":\"x\"}".into(),
                    language: None,
                    read_only: true,
                },
            ],
            environment: Some(Environment {
                runtime: "node".into(),
                dependencies: vec!["express@4.19.2".into()],
                ports: vec![3000, 65535],
            }),
        },
        stats: ChallengeStats {
            total_attempts: 10,
            successful_attempts: 4,
            average_time: 610.5,
            average_score: 72.25,
            popularity_score: 3.5,
        },
        author: AuthorId::generate(now),
        is_public: true,
        is_active: true,
        deleted_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Every field round-trips by id and slug; duplicate slugs are refused.
pub async fn round_trip_and_unique_slugs(repo: &dyn ChallengeRepository) {
    let c = sample(&tag(), "Two Sum");
    repo.insert(&c).await.unwrap();
    assert_eq!(repo.find_by_id(c.id).await.unwrap().as_ref(), Some(&c));
    assert_eq!(repo.find_by_slug(&c.slug).await.unwrap().as_ref(), Some(&c));
    assert_eq!(
        repo.find_by_slug("no-such-slug-at-all").await.unwrap(),
        None
    );
    let mut twin = sample("x", "Other");
    twin.slug = c.slug.clone();
    match repo.insert(&twin).await {
        Err(StoreError::Conflict { key }) => assert_eq!(key, "slug"),
        other => panic!("duplicate slug: expected Conflict(slug), got {other:?}"),
    }
    assert_eq!(repo.find_by_id(twin.id).await.unwrap(), None);
}

/// Replacing content keeps author, stats and creation time; slugs stay unique; soft delete works once.
pub async fn replace_and_delete(repo: &dyn ChallengeRepository) {
    let cat = tag();
    let c = sample(&cat, "Original");
    let other = sample(&cat, "Taken");
    repo.insert(&c).await.unwrap();
    repo.insert(&other).await.unwrap();
    let mut edited = c.clone();
    edited.title = "Edited".into();
    edited.slug = format!("edited-{cat}");
    edited.tags = vec!["graphs".into()];
    edited.is_public = false;
    edited.stats = ChallengeStats::default();
    edited.author = AuthorId::generate(now_ms());
    edited.updated_at = c.updated_at + Duration::seconds(3);
    edited.api = ApiSpec::default();
    edited.project.files.pop();
    edited.scenario.stakeholders.clear();
    assert!(repo.replace_content(&edited).await.unwrap());
    let stored = repo.find_by_id(c.id).await.unwrap().unwrap();
    assert_eq!(stored.title, "Edited");
    assert_eq!(
        (&stored.api, &stored.project, &stored.scenario),
        (&edited.api, &edited.project, &edited.scenario),
        "the API, project and scenario parts are replaced too"
    );
    assert_eq!(stored.slug, edited.slug);
    assert_eq!(stored.tags, vec!["graphs".to_owned()]);
    assert!(!stored.is_public);
    assert_eq!(stored.updated_at, edited.updated_at);
    assert_eq!(
        (stored.author, &stored.stats, stored.created_at),
        (c.author, &c.stats, c.created_at),
        "kept as stored"
    );

    let mut clash = stored.clone();
    clash.slug = other.slug.clone();
    assert!(matches!(
        repo.replace_content(&clash).await,
        Err(StoreError::Conflict { .. })
    ));
    let mut ghost = sample(&cat, "Ghost");
    ghost.slug = format!("ghost-{cat}");
    assert!(!repo.replace_content(&ghost).await.unwrap());

    let at = now_ms();
    assert!(repo.soft_delete(c.id, at).await.unwrap());
    assert!(!repo.soft_delete(c.id, at).await.unwrap(), "only once");
    assert_eq!(
        repo.find_by_id(c.id).await.unwrap().unwrap().deleted_at,
        Some(at)
    );
}

/// Filters, visibility, literal search, sorting, paging and category counts.
pub async fn list_filters_sorts_and_counts(repo: &dyn ChallengeRepository) {
    let cat = tag();
    let author = AuthorId::generate(now_ms());
    let mut all = Vec::new();
    for (i, (title, kind, difficulty, tags, limit, public)) in [
        (
            "Alpha arrays",
            ChallengeType::Dsa,
            Difficulty::Easy,
            vec!["arrays"],
            15,
            true,
        ),
        (
            "Beta bug",
            ChallengeType::BugFix,
            Difficulty::Hard,
            vec!["debugging", "arrays"],
            45,
            true,
        ),
        (
            "Gamma feature",
            ChallengeType::Feature,
            Difficulty::Medium,
            vec!["react"],
            60,
            true,
        ),
        (
            "Delta draft",
            ChallengeType::Dsa,
            Difficulty::Hard,
            vec!["arrays"],
            20,
            false,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let mut c = sample(&cat, title);
        c.kind = kind;
        c.difficulty = difficulty;
        c.tags = tags.into_iter().map(String::from).collect();
        c.time_limit = limit;
        c.is_public = public;
        c.author = author;
        c.stats.popularity_score = i as f64;
        c.stats.total_attempts = 10 - i as u64;
        c.created_at = now_ms() + Duration::seconds(i as i64);
        repo.insert(&c).await.unwrap();
        all.push(c);
    }
    let mut deleted = sample(&cat, "Epsilon gone");
    deleted.deleted_at = Some(now_ms());
    repo.insert(&deleted).await.unwrap();

    let public = Visibility::Public { also_author: None };
    let base = ChallengeFilter {
        category: Some(cat.clone()),
        descending: true,
        ..ChallengeFilter::default()
    };
    let titles = |page: &stackrush_kernel::Page<Challenge>| {
        page.items
            .iter()
            .map(|c| c.title.clone())
            .collect::<Vec<_>>()
    };
    let page = repo
        .list(&base, public, PageRequest::new(1, 10))
        .await
        .unwrap();
    assert_eq!(
        titles(&page),
        vec!["Gamma feature", "Beta bug", "Alpha arrays"],
        "newest first, drafts and deleted hidden"
    );
    let mine = repo
        .list(
            &base,
            Visibility::Public {
                also_author: Some(author),
            },
            PageRequest::new(1, 10),
        )
        .await
        .unwrap();
    assert_eq!(mine.total, 4, "authors see their drafts");
    assert_eq!(
        repo.list(&base, Visibility::Everything, PageRequest::new(1, 10))
            .await
            .unwrap()
            .total,
        4,
        "deleted never listed"
    );

    let f = |g: ChallengeFilter| g;
    let cases: Vec<(ChallengeFilter, Vec<&str>)> = vec![
        (
            f(ChallengeFilter {
                kind: Some(ChallengeType::BugFix),
                ..base.clone()
            }),
            vec!["Beta bug"],
        ),
        (
            f(ChallengeFilter {
                difficulty: Some(Difficulty::Easy),
                ..base.clone()
            }),
            vec!["Alpha arrays"],
        ),
        (
            f(ChallengeFilter {
                tags: vec!["react".into(), "debugging".into()],
                ..base.clone()
            }),
            vec!["Gamma feature", "Beta bug"],
        ),
        (
            f(ChallengeFilter {
                max_time_limit: Some(45),
                ..base.clone()
            }),
            vec!["Beta bug", "Alpha arrays"],
        ),
        (
            f(ChallengeFilter {
                search: Some("BUG".into()),
                ..base.clone()
            }),
            vec!["Beta bug"],
        ),
        (
            f(ChallengeFilter {
                search: Some("react".into()),
                ..base.clone()
            }),
            vec!["Gamma feature"],
        ),
        (
            f(ChallengeFilter {
                search: Some("target; say".into()),
                ..base.clone()
            }),
            vec!["Gamma feature", "Beta bug", "Alpha arrays"],
        ),
        (
            f(ChallengeFilter {
                search: Some(".*".into()),
                ..base.clone()
            }),
            vec![],
        ),
        (
            f(ChallengeFilter {
                search: Some("%".into()),
                ..base.clone()
            }),
            vec![],
        ),
        (
            f(ChallengeFilter {
                search: Some("UG".into()),
                ..base.clone()
            }),
            vec!["Beta bug"],
        ),
        (
            f(ChallengeFilter {
                search: Some("say \"bug\" OR *".into()),
                ..base.clone()
            }),
            vec![],
        ),
        (
            f(ChallengeFilter {
                sort: SortKey::Title,
                descending: false,
                ..base.clone()
            }),
            vec!["Alpha arrays", "Beta bug", "Gamma feature"],
        ),
        (
            f(ChallengeFilter {
                sort: SortKey::Difficulty,
                descending: true,
                ..base.clone()
            }),
            vec!["Beta bug", "Gamma feature", "Alpha arrays"],
        ),
        (
            f(ChallengeFilter {
                sort: SortKey::Popularity,
                descending: true,
                ..base.clone()
            }),
            vec!["Gamma feature", "Beta bug", "Alpha arrays"],
        ),
        (
            f(ChallengeFilter {
                sort: SortKey::TotalAttempts,
                descending: true,
                ..base.clone()
            }),
            vec!["Alpha arrays", "Beta bug", "Gamma feature"],
        ),
        (
            f(ChallengeFilter {
                author: Some(AuthorId::generate(now_ms())),
                ..base.clone()
            }),
            vec![],
        ),
    ];
    for (filter, expected) in cases {
        let page = repo
            .list(&filter, public, PageRequest::new(1, 10))
            .await
            .unwrap();
        assert_eq!(titles(&page), expected, "{filter:?}");
        assert_eq!(page.total, expected.len() as u64, "{filter:?}");
    }
    let second = repo
        .list(&base, public, PageRequest::new(2, 2))
        .await
        .unwrap();
    assert_eq!(
        (titles(&second), second.total),
        (vec!["Alpha arrays".to_owned()], 3)
    );

    let counts = repo.category_counts().await.unwrap();
    assert!(counts.contains(&(cat.clone(), 3)), "{counts:?}");
}

/// Of concurrent inserts with one slug, exactly one is stored.
pub async fn concurrent_slugs(repo: &dyn ChallengeRepository) {
    let cat = tag();
    let challenges: Vec<Challenge> = (0..6)
        .map(|_| {
            let mut c = sample(&cat, "Race");
            c.slug = format!("race-{cat}");
            c
        })
        .collect();
    let results = futures::future::join_all(challenges.iter().map(|c| repo.insert(c))).await;
    let stored = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(stored, 1, "{results:?}");
    assert!(results
        .iter()
        .all(|r| matches!(r, Ok(()) | Err(StoreError::Conflict { .. }))));
}

/// Every check, against one store.
pub async fn run_all(repo: &dyn ChallengeRepository) {
    round_trip_and_unique_slugs(repo).await;
    replace_and_delete(repo).await;
    list_filters_sorts_and_counts(repo).await;
    concurrent_slugs(repo).await;
}
