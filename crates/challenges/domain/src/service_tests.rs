//! Rules of the challenges service, over the in-memory store and directory.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use stackrush_kernel::{FixedClock, PageRequest, StoreError};

use super::*;
use crate::fake::{InMemoryAuthors, InMemoryChallenges};
use crate::ports::{ChallengeRepository, MockAuthorDirectory};

struct World {
    service: ChallengeService,
    store: Arc<InMemoryChallenges>,
    admin: Caller,
    moderator: Caller,
    user: Caller,
}

fn caller(is_admin: bool, can_create: bool) -> Caller {
    Caller {
        id: AuthorId::generate(Utc::now()),
        is_admin,
        can_create,
    }
}

fn world() -> World {
    let store = Arc::new(InMemoryChallenges::default());
    let authors = Arc::new(InMemoryAuthors::default());
    let moderator = caller(false, true);
    authors.authors.lock().unwrap().insert(
        moderator.id,
        AuthorSummary {
            id: moderator.id,
            username: "mod".into(),
            first_name: Some("Mo".into()),
            last_name: None,
            avatar: None,
        },
    );
    let ports = Ports {
        challenges: store.clone(),
        authors,
        ratings: Arc::new(crate::ports::NoRatings),
        clock: Arc::new(FixedClock::new(Utc::now())),
    };
    World {
        service: ChallengeService::new(ports),
        store,
        admin: caller(true, true),
        moderator,
        user: caller(false, false),
    }
}

fn draft(title: &str) -> ChallengeDraft {
    ChallengeDraft {
        title: title.into(),
        description: "Reverse a singly linked list in place.".into(),
        kind: ChallengeType::Dsa,
        difficulty: Difficulty::Easy,
        category: "linked-lists".into(),
        tags: vec![" Lists ".into(), "lists".into(), "pointers".into()],
        time_limit: 20,
        content: Content {
            problem_statement: "Reverse it.".into(),
            solution: Some("let prev = null; ...".into()),
            solution_explanation: Some("Walk once.".into()),
            ..Content::default()
        },
        starter_code: StarterCode::default(),
        test_cases: vec![
            NewTestCase {
                id: None,
                input: "1,2,3".into(),
                expected_output: "3,2,1".into(),
                is_hidden: false,
                weight: 1,
            },
            NewTestCase {
                id: None,
                input: "1".into(),
                expected_output: "1".into(),
                is_hidden: true,
                weight: 2,
            },
        ],
        validation_rules: ValidationRules::default(),
        scenario: Scenario::default(),
        api: ApiSpec::default(),
        project: StarterProject::default(),
        is_public: true,
        is_active: true,
    }
}

#[tokio::test]
async fn only_admins_and_moderators_create_and_the_slug_comes_from_the_title() {
    let w = world();
    assert!(matches!(
        w.service.create(w.user, draft("Reverse a List")).await,
        Err(ChallengeError::InsufficientPermissions)
    ));
    let view = w
        .service
        .create(w.moderator, draft("  Reverse a List! "))
        .await
        .unwrap();
    assert_eq!(view.challenge.slug, "reverse-a-list");
    assert_eq!(view.challenge.title, "Reverse a List!");
    assert_eq!(
        view.challenge.tags,
        vec!["lists", "pointers"],
        "tags are normalised and unique"
    );
    assert_eq!(
        view.author.as_ref().map(|a| a.username.as_str()),
        Some("mod")
    );
    assert!(view.full);
    assert!(matches!(
        w.service.create(w.admin, draft("Reverse a list")).await,
        Err(ChallengeError::SlugTaken)
    ));
}

#[tokio::test]
async fn invalid_drafts_report_json_paths() {
    let w = world();
    let mut bad = draft("ok title");
    bad.title = "x".into();
    bad.time_limit = 0;
    bad.test_cases.clear();
    let Err(ChallengeError::Validation(details)) = w.service.create(w.admin, bad).await else {
        panic!("expected validation")
    };
    let fields: Vec<_> = details.iter().map(|d| d.field.as_str()).collect();
    assert!(
        fields.contains(&"title")
            && fields.contains(&"timeLimit")
            && fields.contains(&"code.testCases"),
        "{fields:?}"
    );
}

#[tokio::test]
async fn solvers_never_see_solutions_or_hidden_expected_outputs() {
    let w = world();
    let created = w
        .service
        .create(w.moderator, draft("Reverse a list"))
        .await
        .unwrap();
    let id = created.challenge.id;
    for viewer in [None, Some(w.user)] {
        let seen = w.service.get(viewer, id).await.unwrap();
        assert!(!seen.full);
        assert_eq!(seen.challenge.content.solution, None);
        assert_eq!(seen.challenge.content.solution_explanation, None);
        let hidden = seen
            .challenge
            .code
            .test_cases
            .iter()
            .find(|t| t.is_hidden)
            .unwrap();
        assert!(hidden.expected_output.is_empty());
        let visible = seen
            .challenge
            .code
            .test_cases
            .iter()
            .find(|t| !t.is_hidden)
            .unwrap();
        assert_eq!(visible.expected_output, "3,2,1");
        let listed = w
            .service
            .list(viewer, ChallengeFilter::default(), PageRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.items[0].challenge.content.solution, None);
    }
    for viewer in [w.moderator, w.admin] {
        let seen = w.service.get(Some(viewer), id).await.unwrap();
        assert!(seen.full);
        assert!(seen.challenge.content.solution.is_some());
    }
}

#[tokio::test]
async fn drafts_are_visible_to_their_author_and_admins_only() {
    let w = world();
    let mut d = draft("Secret draft");
    d.is_public = false;
    let id = w.service.create(w.moderator, d).await.unwrap().challenge.id;
    assert!(matches!(
        w.service.get(None, id).await,
        Err(ChallengeError::NotFound)
    ));
    assert!(matches!(
        w.service.get(Some(w.user), id).await,
        Err(ChallengeError::NotFound)
    ));
    assert!(w.service.get(Some(w.moderator), id).await.is_ok());
    assert!(w.service.get(Some(w.admin), id).await.is_ok());
    assert_eq!(
        w.service
            .list(None, ChallengeFilter::default(), PageRequest::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        w.service
            .list(
                Some(w.moderator),
                ChallengeFilter::default(),
                PageRequest::default()
            )
            .await
            .unwrap()
            .total,
        1
    );
    assert!(matches!(
        w.service.stats(None, id).await,
        Err(ChallengeError::NotFound)
    ));
}

#[tokio::test]
async fn only_the_author_or_an_admin_edits_or_deletes_and_stats_survive_edits() {
    let w = world();
    let id = w
        .service
        .create(w.moderator, draft("Reverse a list"))
        .await
        .unwrap()
        .challenge
        .id;
    let other_mod = caller(false, true);
    assert!(matches!(
        w.service.update(other_mod, id, draft("Hijack")).await,
        Err(ChallengeError::NotAuthor)
    ));
    assert!(matches!(
        w.service.delete(w.user, id).await,
        Err(ChallengeError::NotAuthor)
    ));

    let stored = w.store.find_by_id(id).await.unwrap().unwrap();
    let original_test_ids: Vec<_> = stored.code.test_cases.iter().map(|t| t.id).collect();

    let updated = w
        .service
        .update(w.admin, id, draft("Reverse a list, again"))
        .await
        .unwrap();
    assert_eq!(updated.challenge.slug, "reverse-a-list-again");
    assert_eq!(updated.challenge.author, w.moderator.id, "the author stays");
    assert_eq!(updated.challenge.created_at, stored.created_at);
    let stored = w.store.find_by_id(id).await.unwrap().unwrap();
    assert_eq!(
        stored
            .code
            .test_cases
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        original_test_ids,
        "unchanged tests keep ids"
    );

    w.service.delete(w.moderator, id).await.unwrap();
    assert!(matches!(
        w.service.get(Some(w.admin), id).await,
        Err(ChallengeError::NotFound)
    ));
    assert!(matches!(
        w.service.delete(w.moderator, id).await,
        Err(ChallengeError::NotFound)
    ));
}

#[tokio::test]
async fn a_failing_author_directory_leaves_authors_out_not_the_list() {
    let mut authors = MockAuthorDirectory::new();
    authors
        .expect_summaries()
        .returning(|_| Err(anyhow::anyhow!("identity down")));
    let store = Arc::new(InMemoryChallenges::default());
    let service = ChallengeService::new(Ports {
        challenges: store,
        authors: Arc::new(authors),
        ratings: Arc::new(crate::ports::NoRatings),
        clock: Arc::new(FixedClock::new(Utc::now())),
    });
    let admin = caller(true, true);
    let view = service
        .create(admin, draft("Reverse a list"))
        .await
        .unwrap();
    assert_eq!(view.author, None);
}

#[tokio::test]
async fn stats_derive_completion_rate_and_difficulty_rating_and_survive_edits() {
    let w = world();
    let mut c = crate::contract::sample("lists", "Reverse a list");
    c.author = w.moderator.id;
    c.difficulty = Difficulty::Easy;
    c.stats = ChallengeStats {
        total_attempts: 8,
        successful_attempts: 2,
        average_time: 300.0,
        average_score: 61.5,
        popularity_score: 2.0,
    };
    w.store.insert(&c).await.unwrap();
    let stats = w.service.stats(None, c.id).await.unwrap();
    assert_eq!(stats.completion_rate, 25.0);
    assert_eq!(
        stats.difficulty_rating, 1.8,
        "easy (1.5) made harder by a 25% success rate"
    );
    w.service
        .update(w.moderator, c.id, draft("Reverse a list"))
        .await
        .unwrap();
    assert_eq!(
        w.service.stats(None, c.id).await.unwrap().total_attempts,
        8,
        "edits keep stats"
    );
    let mut fresh = crate::contract::sample("lists", "Fresh");
    fresh.stats = ChallengeStats::default();
    w.store.insert(&fresh).await.unwrap();
    let stats = w.service.stats(None, fresh.id).await.unwrap();
    assert_eq!(
        (stats.completion_rate, stats.difficulty_rating),
        (0.0, 3.0),
        "medium with no attempts"
    );
}

#[tokio::test]
async fn the_scoring_view_is_complete_but_respects_visibility() {
    let w = world();
    let id = w
        .service
        .create(w.moderator, draft("Reverse a list"))
        .await
        .unwrap()
        .challenge
        .id;
    let full = w.service.scoring_view(w.user, id).await.unwrap();
    assert!(full.content.solution.is_some());
    assert_eq!(
        full.code
            .test_cases
            .iter()
            .find(|t| t.is_hidden)
            .unwrap()
            .expected_output,
        "1"
    );
    let mut d = draft("Secret draft");
    d.is_public = false;
    let hidden = w.service.create(w.moderator, d).await.unwrap().challenge.id;
    assert!(matches!(
        w.service.scoring_view(w.user, hidden).await,
        Err(ChallengeError::NotFound)
    ));
    assert!(w.service.scoring_view(w.moderator, hidden).await.is_ok());
}

#[tokio::test]
async fn scoring_views_are_remembered_until_the_challenge_is_written_here() {
    let mut w = world();
    w.service = ChallengeService::new(Ports {
        challenges: w.store.clone(),
        authors: Arc::new(InMemoryAuthors::default()),
        ratings: Arc::new(crate::ports::NoRatings),
        clock: Arc::new(FixedClock::new(Utc::now())),
    })
    .remembering(Freshness::Exclusive);
    let id = w
        .service
        .create(w.admin, draft("Reverse a list"))
        .await
        .unwrap()
        .challenge
        .id;
    let first = w.service.scoring_view(w.user, id).await.unwrap();
    // Written behind the service's back (another process would): the memory still answers.
    let mut behind = first.clone();
    behind.time_limit = 99;
    assert!(w.store.replace_content(&behind).await.unwrap());
    assert_eq!(
        w.service.scoring_view(w.user, id).await.unwrap().time_limit,
        20
    );
    // Written through the service: forgotten at once.
    let mut edited = draft("Reverse a list");
    edited.time_limit = 45;
    w.service.update(w.admin, id, edited).await.unwrap();
    assert_eq!(
        w.service.scoring_view(w.user, id).await.unwrap().time_limit,
        45
    );
    w.service.delete(w.admin, id).await.unwrap();
    assert!(matches!(
        w.service.scoring_view(w.user, id).await,
        Err(ChallengeError::NotFound)
    ));
}

#[test]
fn lists_sort_newest_and_most_popular_first_but_titles_a_to_z_by_default() {
    assert!(SortKey::CreatedAt.default_descending());
    assert!(SortKey::Popularity.default_descending());
    assert!(SortKey::TotalAttempts.default_descending());
    assert!(SortKey::AverageScore.default_descending());
    assert!(!SortKey::Title.default_descending());
    assert!(!SortKey::Difficulty.default_descending());
}

#[tokio::test]
async fn catalogue_pages_are_remembered_for_a_second_and_forgotten_on_writes() {
    let w = world();
    let first = w.service.create(w.admin, draft("First one")).await.unwrap();
    let list = || {
        w.service
            .list(None, ChallengeFilter::default(), PageRequest::new(1, 10))
    };
    let remembered = list().await.unwrap();
    assert_eq!(remembered.total, 1);
    // Within the second the same page is handed out again, shared (its encoding with it).
    assert!(Arc::ptr_eq(&remembered, &list().await.unwrap()));
    // A write behind the service's back (the scoring context moving stats, say) shows only
    // after the page's second…
    let mut behind = w
        .store
        .find_by_id(first.challenge.id)
        .await
        .unwrap()
        .unwrap();
    behind.title = "Renamed behind".into();
    assert!(w.store.replace_content(&behind).await.unwrap());
    assert_eq!(list().await.unwrap().items[0].challenge.title, "First one");
    // …while a write through the service is visible at once.
    w.service
        .create(w.admin, draft("Second one"))
        .await
        .unwrap();
    let fresh = list().await.unwrap();
    assert!(!Arc::ptr_eq(&remembered, &fresh));
    assert_eq!(fresh.total, 2);
    assert!(fresh
        .items
        .iter()
        .any(|v| v.challenge.title == "Renamed behind"));
}

#[tokio::test]
async fn readers_share_one_public_catalogue_and_no_full_view_leaks_into_it() {
    let w = world();
    w.service
        .create(w.moderator, draft("Moderated"))
        .await
        .unwrap();
    // The moderator lost the role: now a plain reader, still the author.
    let demoted = Caller {
        can_create: false,
        ..w.moderator
    };
    let page = PageRequest::new(1, 10);
    let theirs = w
        .service
        .list(Some(demoted), ChallengeFilter::default(), page)
        .await
        .unwrap();
    assert!(
        !theirs.items[0].full,
        "lists show plain readers the public view"
    );
    let others = w
        .service
        .list(Some(w.user), ChallengeFilter::default(), page)
        .await
        .unwrap();
    assert!(!others.items[0].full);
    assert!(others.items[0].challenge.content.solution.is_none());
    // A moderator still sees their own work in full.
    let own = w
        .service
        .list(Some(w.moderator), ChallengeFilter::default(), page)
        .await
        .unwrap();
    assert!(own.items[0].full);
}

/// The in-memory store whose `list` waits at a gate while `hold` is set.
struct Gated {
    inner: Arc<InMemoryChallenges>,
    hold: std::sync::atomic::AtomicBool,
    entered: tokio::sync::Notify,
    release: tokio::sync::Notify,
}

#[async_trait::async_trait]
impl ChallengeRepository for Gated {
    async fn insert(&self, challenge: &Challenge) -> Result<(), StoreError> {
        self.inner.insert(challenge).await
    }
    async fn find_by_id(&self, id: ChallengeId) -> Result<Option<Challenge>, StoreError> {
        self.inner.find_by_id(id).await
    }
    async fn find_by_slug(&self, slug: &str) -> Result<Option<Challenge>, StoreError> {
        self.inner.find_by_slug(slug).await
    }
    async fn replace_content(&self, challenge: &Challenge) -> Result<bool, StoreError> {
        self.inner.replace_content(challenge).await
    }
    async fn soft_delete(&self, id: ChallengeId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        self.inner.soft_delete(id, at).await
    }
    async fn list(
        &self,
        filter: &ChallengeFilter,
        visibility: Visibility,
        page: PageRequest,
    ) -> Result<Page<Challenge>, StoreError> {
        if self.hold.load(std::sync::atomic::Ordering::SeqCst) {
            self.entered.notify_one();
            self.release.notified().await;
        }
        self.inner.list(filter, visibility, page).await
    }
    async fn category_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.inner.category_counts().await
    }
}

#[tokio::test]
async fn a_just_expired_page_answers_others_while_one_request_reads_it_again() {
    let inner = Arc::new(InMemoryChallenges::default());
    let store = Arc::new(Gated {
        inner: inner.clone(),
        hold: false.into(),
        entered: tokio::sync::Notify::new(),
        release: tokio::sync::Notify::new(),
    });
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let service = Arc::new(ChallengeService::new(Ports {
        challenges: store.clone(),
        authors: Arc::new(InMemoryAuthors::default()),
        ratings: Arc::new(crate::ports::NoRatings),
        clock: clock.clone(),
    }));
    let admin = caller(true, true);
    let created = service.create(admin, draft("Before")).await.unwrap();
    let title = |page: &Arc<Shared<Page<ChallengeView>>>| page.items[0].challenge.title.clone();
    let list = {
        let service = service.clone();
        move || {
            let service = service.clone();
            async move {
                service
                    .list(None, ChallengeFilter::default(), PageRequest::new(1, 10))
                    .await
                    .unwrap()
            }
        }
    };
    let remembered = list().await;
    assert_eq!(title(&remembered), "Before");
    let mut renamed = inner
        .find_by_id(created.challenge.id)
        .await
        .unwrap()
        .unwrap();
    renamed.title = "After".into();
    assert!(inner.replace_content(&renamed).await.unwrap());

    // Past the page's time (at most a second), within the grace after it.
    clock.advance(chrono::Duration::milliseconds(1200));
    store.hold.store(true, std::sync::atomic::Ordering::SeqCst);
    let refreshing = tokio::spawn(list());
    store.entered.notified().await;
    // One request is reading the page again; another is answered with the page it replaces.
    let meanwhile = list().await;
    assert!(Arc::ptr_eq(&meanwhile, &remembered));
    store.hold.store(false, std::sync::atomic::Ordering::SeqCst);
    store.release.notify_one();
    let refreshed = refreshing.await.unwrap();
    assert_eq!(title(&refreshed), "After");
    assert!(Arc::ptr_eq(&list().await, &refreshed), "and remembered");

    // Long after it expired, a page is not answered with at all.
    let mut again = renamed.clone();
    again.title = "Much later".into();
    assert!(inner.replace_content(&again).await.unwrap());
    clock.advance(chrono::Duration::seconds(5));
    assert_eq!(title(&list().await), "Much later");
}

#[tokio::test]
async fn views_and_stats_carry_the_ratings_the_reviews_keep() {
    let store = Arc::new(InMemoryChallenges::default());
    let ratings = Arc::new(std::sync::Mutex::new(HashMap::new()));
    struct Kept(Arc<std::sync::Mutex<HashMap<ChallengeId, Ratings>>>);
    #[async_trait::async_trait]
    impl crate::ports::ChallengeRatings for Kept {
        async fn ratings(
            &self,
            ids: &[ChallengeId],
        ) -> anyhow::Result<HashMap<ChallengeId, Ratings>> {
            let kept = self.0.lock().unwrap();
            Ok(ids
                .iter()
                .filter_map(|id| kept.get(id).map(|r| (*id, *r)))
                .collect())
        }
    }
    let service = ChallengeService::new(Ports {
        challenges: store.clone(),
        authors: Arc::new(InMemoryAuthors::default()),
        ratings: Arc::new(Kept(ratings.clone())),
        clock: Arc::new(FixedClock::new(Utc::now())),
    });
    let admin = caller(true, true);
    let id = service
        .create(admin, draft("Reverse a list"))
        .await
        .unwrap()
        .challenge
        .id;
    assert_eq!(
        service.get(None, id).await.unwrap().ratings,
        Ratings::default()
    );
    let kept = Ratings {
        histogram: [0, 0, 1, 0, 2],
    };
    ratings.lock().unwrap().insert(id, kept);
    assert_eq!(service.get(None, id).await.unwrap().ratings, kept);
    let stats = service.stats(None, id).await.unwrap();
    assert_eq!((stats.ratings.count(), stats.ratings.average()), (3, 4.33));

    // A failing reviews store leaves ratings out of views, and makes stats a retry-later.
    let mut failing = crate::ports::MockChallengeRatings::new();
    failing
        .expect_ratings()
        .returning(|_| Err(anyhow::anyhow!("reviews down")));
    let service = ChallengeService::new(Ports {
        challenges: store,
        authors: Arc::new(InMemoryAuthors::default()),
        ratings: Arc::new(failing),
        clock: Arc::new(FixedClock::new(Utc::now())),
    });
    assert_eq!(
        service.get(None, id).await.unwrap().ratings,
        Ratings::default()
    );
    assert!(matches!(
        service.stats(None, id).await,
        Err(ChallengeError::Unavailable(_))
    ));
}

fn project_draft(title: &str) -> ChallengeDraft {
    let mut d = draft(title);
    d.kind = ChallengeType::Feature;
    d.scenario.stakeholders = vec!["Support lead".into()];
    d.scenario.business_context = Some("Tickets pile up.".into());
    d.scenario.constraints = vec!["Keep the API stable".into()];
    d.api = ApiSpec {
        endpoint: Some("/api/tickets".into()),
        method: Some(HttpMethod::Post),
        sample_payload: Some(r#"{"title":"x"}"#.into()),
        headers: vec![Header {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }],
    };
    d.project = StarterProject {
        files: vec![ProjectFile {
            path: "src/server.js".into(),
            content: "module.exports = {};\n".into(),
            language: Some("javascript".into()),
            read_only: false,
        }],
        environment: Some(Environment {
            runtime: "node".into(),
            dependencies: vec!["express@4.19.2".into()],
            ports: vec![3000],
        }),
    };
    d
}

#[tokio::test]
async fn scenario_api_and_project_parts_are_kept_and_shown_to_solvers_without_the_hidden_outputs() {
    let w = world();
    let made = w
        .service
        .create(w.admin, project_draft("Ticket API"))
        .await
        .unwrap();
    let seen = w
        .service
        .get(Some(w.user), made.challenge.id)
        .await
        .unwrap();
    assert!(!seen.full);
    assert_eq!(seen.challenge.api, project_draft("x").api);
    assert_eq!(seen.challenge.project, project_draft("x").project);
    assert_eq!(seen.challenge.scenario.stakeholders, vec!["Support lead"]);
    let hidden = seen
        .challenge
        .code
        .test_cases
        .iter()
        .find(|t| t.is_hidden)
        .unwrap();
    assert_eq!(hidden.expected_output, "", "still redacted");
}

#[tokio::test]
async fn bad_api_and_project_parts_name_their_json_fields() {
    let w = world();
    let mut bad = project_draft("Bad Parts");
    bad.api.endpoint = Some("no-slash".into());
    bad.api.sample_payload = Some("{".into());
    bad.project.files.push(ProjectFile {
        path: "../escape.js".into(),
        content: String::new(),
        language: None,
        read_only: false,
    });
    bad.project.environment.as_mut().unwrap().ports = vec![80, 80];
    bad.scenario.stakeholders = vec!["a\u{0}b".into()];
    let Err(ChallengeError::Validation(errors)) = w.service.create(w.admin, bad).await else {
        panic!("expected a validation error");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for field in [
        "apiEndpoint",
        "samplePayload",
        "files[1].path",
        "environment.ports",
        "scenario.stakeholders[0]",
    ] {
        assert!(fields.contains(&field), "{field} not in {fields:?}");
    }
    assert_eq!(w.store.len(), 0);
}

#[tokio::test]
async fn named_test_ids_are_kept_on_create_and_edit_and_may_not_repeat() {
    let w = world();
    let mut d = draft("Named Tests");
    let id = TestCaseId::generate(Utc::now());
    d.test_cases[1].id = Some(id);
    let made = w.service.create(w.admin, d.clone()).await.unwrap();
    assert_eq!(made.challenge.code.test_cases[1].id, id);
    // An edit that swaps the two tests' contents but names the id keeps it on the named one.
    let mut edit = d.clone();
    edit.test_cases.swap(0, 1);
    let edited = w
        .service
        .update(w.admin, made.challenge.id, edit)
        .await
        .unwrap();
    assert_eq!(edited.challenge.code.test_cases[0].id, id);
    assert_ne!(edited.challenge.code.test_cases[1].id, id);
    let mut twice = d;
    twice.test_cases[0].id = Some(id);
    assert!(matches!(
        w.service.update(w.admin, made.challenge.id, twice).await,
        Err(ChallengeError::Validation(_))
    ));
}

struct Counted(std::sync::Mutex<Vec<(usize, usize)>>);

impl ImportProgress for Counted {
    fn advanced(&self, done: usize, total: usize) {
        self.0.lock().unwrap().push((done, total));
    }
}

fn quiet() -> Arc<dyn ImportProgress> {
    Arc::new(crate::Quietly)
}

#[tokio::test]
async fn export_then_import_into_an_empty_store_reproduces_the_catalogue() {
    let w = world();
    for (i, title) in ["First One", "Second One", "Third One"].iter().enumerate() {
        let mut d = if i == 1 {
            project_draft(title)
        } else {
            draft(title)
        };
        d.is_public = i != 2;
        w.service.create(w.moderator, d).await.unwrap();
    }
    assert!(matches!(
        w.service
            .export(w.moderator, CatalogueFilter::default())
            .await,
        Err(ChallengeError::InsufficientPermissions)
    ));
    let exported = w
        .service
        .export(w.admin, CatalogueFilter::default())
        .await
        .unwrap();
    assert_eq!(exported.len(), 3, "drafts included");
    assert!(
        exported[0].draft.content.solution.is_some(),
        "solutions included"
    );
    let features = w
        .service
        .export(
            w.admin,
            CatalogueFilter {
                kind: Some(ChallengeType::Feature),
                author: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(features.len(), 1);

    let empty = world();
    let progress = Arc::new(Counted(Default::default()));
    let report = empty
        .service
        .import(
            empty.admin,
            exported.clone(),
            ImportOptions::default(),
            progress.clone(),
        )
        .await
        .unwrap();
    assert_eq!(report.count(ImportAction::Create), 3);
    assert_eq!(*progress.0.lock().unwrap(), vec![(1, 3), (2, 3), (3, 3)]);
    let again = empty
        .service
        .export(empty.admin, CatalogueFilter::default())
        .await
        .unwrap();
    let shape = |items: &[CatalogueItem]| -> Vec<String> {
        items
            .iter()
            .map(|i| format!("{:?} {:?} {:?}", i.id, i.slug, i.draft))
            .collect()
    };
    assert_eq!(
        shape(&again),
        shape(&exported),
        "ids, slugs, tests and content"
    );
}

#[tokio::test]
async fn an_import_checks_every_item_before_writing_and_reports_index_and_path() {
    let w = world();
    let mut items: Vec<CatalogueItem> = (0..100)
        .map(|i| CatalogueItem {
            id: None,
            slug: None,
            draft: draft(&format!("Imported Challenge {i}")),
        })
        .collect();
    items[42].draft.test_cases[0].input = "nul\u{0}".into();
    items[77].draft.project.files = vec![ProjectFile {
        path: "a/../../b".into(),
        content: String::new(),
        language: None,
        read_only: false,
    }];
    items[90].slug = Some("Not A Slug".into());
    items[91].draft.title = "Imported Challenge 0".into();
    let Err(ChallengeError::Validation(problems)) = w
        .service
        .import(w.admin, items.clone(), ImportOptions::default(), quiet())
        .await
    else {
        panic!("expected problems");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "[42].code.testCases[0].input",
            "[77].files[0].path",
            "[90].slug",
            "[91].slug"
        ]
    );
    assert_eq!(w.store.len(), 0, "nothing written");
    assert!(matches!(
        w.service
            .import(w.moderator, vec![], ImportOptions::default(), quiet())
            .await,
        Err(ChallengeError::InsufficientPermissions)
    ));
}

#[tokio::test]
async fn existing_slugs_are_skipped_or_updated_and_a_dry_run_writes_nothing() {
    let w = world();
    let first = w
        .service
        .create(w.moderator, draft("Kept Title"))
        .await
        .unwrap();
    let mut changed = draft("Kept Title");
    changed.description = "A different description of the task.".into();
    let items = vec![
        CatalogueItem {
            id: None,
            slug: None,
            draft: changed.clone(),
        },
        CatalogueItem {
            id: None,
            slug: None,
            draft: draft("Brand New"),
        },
    ];
    let dry = w
        .service
        .import(
            w.admin,
            items.clone(),
            ImportOptions {
                dry_run: true,
                update: true,
            },
            quiet(),
        )
        .await
        .unwrap();
    assert!(dry.dry_run);
    assert_eq!(
        dry.entries.iter().map(|e| e.action).collect::<Vec<_>>(),
        vec![ImportAction::Update, ImportAction::Create]
    );
    assert_eq!(w.store.len(), 1, "a dry run writes nothing");

    let skipped = w
        .service
        .import(w.admin, items.clone(), ImportOptions::default(), quiet())
        .await
        .unwrap();
    assert_eq!(skipped.count(ImportAction::Skip), 1);
    assert_eq!(skipped.count(ImportAction::Create), 1);
    let kept = w
        .service
        .get(Some(w.admin), first.challenge.id)
        .await
        .unwrap();
    assert_eq!(kept.challenge.description, first.challenge.description);

    let updated = w
        .service
        .import(
            w.admin,
            items,
            ImportOptions {
                dry_run: false,
                update: true,
            },
            quiet(),
        )
        .await
        .unwrap();
    assert_eq!(updated.count(ImportAction::Update), 2);
    let now = w
        .service
        .get(Some(w.admin), first.challenge.id)
        .await
        .unwrap();
    assert_eq!(now.challenge.description, changed.description);
    assert_eq!(now.challenge.author, w.moderator.id, "the author stays");
}

#[tokio::test]
async fn an_import_refuses_ids_of_other_challenges_and_slugs_of_deleted_ones() {
    let w = world();
    let a = w
        .service
        .create(w.admin, draft("Alpha Task"))
        .await
        .unwrap();
    let b = w.service.create(w.admin, draft("Beta Task")).await.unwrap();
    w.service.delete(w.admin, b.challenge.id).await.unwrap();
    let items = vec![
        CatalogueItem {
            id: Some(a.challenge.id),
            slug: None,
            draft: draft("Gamma Task"),
        },
        CatalogueItem {
            id: None,
            slug: None,
            draft: draft("Beta Task"),
        },
    ];
    let Err(ChallengeError::Validation(problems)) = w
        .service
        .import(w.admin, items, ImportOptions::default(), quiet())
        .await
    else {
        panic!("expected problems");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, vec!["[0]._id", "[1].slug"]);
}
