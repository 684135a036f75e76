//! The template rules against the in-memory store.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use stackrush_kernel::{FixedClock, PageRequest};

use crate::api::*;
use crate::error::TemplateError;
use crate::fake::InMemoryTemplates;
use crate::model::*;
use crate::ports::{Members, Ports, TemplateRepository};
use crate::service::TemplateService;

/// Members by id: verified or not, with a username.
struct Roster(HashMap<MemberId, (bool, String)>);

#[async_trait]
impl Members for Roster {
    async fn may_write(&self, m: MemberId) -> anyhow::Result<Option<bool>> {
        Ok(self.0.get(&m).map(|(verified, _)| *verified))
    }

    async fn faces(&self, members: &[MemberId]) -> anyhow::Result<HashMap<MemberId, Face>> {
        Ok(members
            .iter()
            .filter_map(|m| {
                let (_, name) = self.0.get(m)?;
                Some((
                    *m,
                    Face {
                        username: name.clone(),
                        first_name: None,
                        last_name: None,
                        avatar: None,
                    },
                ))
            })
            .collect())
    }
}

/// Files by URL.
#[derive(Default)]
struct Recorded(std::sync::Mutex<Vec<String>>);

#[async_trait]
impl crate::ports::ThumbnailFiles for Recorded {
    async fn store(&self, key: &str, _: Vec<u8>) -> anyhow::Result<String> {
        let url = format!("https://files.test/{key}");
        self.0.lock().unwrap().push(url.clone());
        Ok(url)
    }

    async fn discard(&self, url: &str) -> anyhow::Result<()> {
        self.0.lock().unwrap().retain(|u| u != url);
        Ok(())
    }
}

struct World {
    api: TemplateService,
    store: Arc<InMemoryTemplates>,
    files: Arc<Recorded>,
    activity: Arc<stackrush_kernel::activity::RecordedActivity>,
    ada: Caller,
    bob: Caller,
    eve: Caller,
    admin: Caller,
}

fn world() -> World {
    let at = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap();
    let caller = |is_admin| Caller {
        id: MemberId::generate(at),
        is_admin,
    };
    let (ada, bob, eve, admin) = (caller(false), caller(false), caller(false), caller(true));
    let roster = Roster(HashMap::from([
        (ada.id, (true, "ada".to_owned())),
        (bob.id, (true, "bob".to_owned())),
        (eve.id, (false, "eve".to_owned())),
        (admin.id, (true, "root".to_owned())),
    ]));
    let store = Arc::new(InMemoryTemplates::default());
    let files = Arc::new(Recorded::default());
    let activity = Arc::new(stackrush_kernel::activity::RecordedActivity::default());
    let api = TemplateService::new(Ports {
        templates: store.clone(),
        members: Arc::new(roster),
        files: files.clone(),
        activity: activity.clone(),
        clock: Arc::new(FixedClock::new(at)),
    });
    World {
        api,
        store,
        files,
        activity,
        ada,
        bob,
        eve,
        admin,
    }
}

fn draft(title: &str) -> TemplateDraft {
    TemplateDraft {
        title: format!("  {title}  "),
        description: "A counter page.".into(),
        code: Code {
            html: "<button>0</button>".into(),
            css: "button{}".into(),
            js: "console.log(1)".into(),
            language: Language::Javascript,
            framework: Framework::Vanilla,
        },
        category: Category::WebDev,
        difficulty: Difficulty::Beginner,
        tags: vec![" DOM ".into(), "dom".into()],
        features: vec!["Counter".into()],
        is_public: true,
    }
}

fn fields(err: TemplateError) -> Vec<String> {
    match err {
        TemplateError::Invalid(f) => f.into_iter().map(|f| f.field).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn page() -> PageRequest {
    PageRequest::new(1, 20)
}

#[tokio::test]
async fn publishing_checks_every_field_and_needs_a_verified_account() {
    let w = world();
    let made = w.api.create(w.ada, draft("Counter")).await.unwrap();
    assert_eq!(made.template.title, "Counter");
    assert_eq!(made.template.tags, ["dom"]);
    assert_eq!(made.template.version, 1);
    assert_eq!(made.author.unwrap().username, "ada");
    assert_eq!(
        made.file_count, 4,
        "index.html, styles.css, script.js, README.md"
    );

    let bad = TemplateDraft {
        title: " ".into(),
        description: "x\u{0}".into(),
        code: Code {
            html: String::new(),
            css: " ".into(),
            js: String::new(),
            ..draft("x").code
        },
        tags: (0..11).map(|i| format!("t{i}")).collect(),
        features: vec!["a\u{202e}b".into()],
        ..draft("x")
    };
    let problems = fields(w.api.create(w.ada, bad).await.unwrap_err());
    assert_eq!(
        problems,
        [
            "title",
            "description",
            "code",
            "metadata.tags",
            "metadata.features[0]"
        ]
    );
    let err = w.api.create(w.eve, draft("Mine")).await.unwrap_err();
    assert!(matches!(err, TemplateError::NotVerified), "{err:?}");
    let everything = w
        .store
        .list(
            &TemplateFilter {
                visibility: Visibility::All,
                ..TemplateFilter::default()
            },
            TemplateSort::Newest,
            page(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(everything.total, 1, "nothing stored for refused drafts");
}

#[tokio::test]
async fn only_the_author_edits_and_a_code_change_makes_a_version() {
    let w = world();
    let id = w
        .api
        .create(w.ada, draft("Counter"))
        .await
        .unwrap()
        .template
        .id;
    let retitled = TemplatePatch {
        title: Some("Clicker".into()),
        ..TemplatePatch::default()
    };
    let after = w.api.update(w.ada, id, retitled.clone()).await.unwrap();
    assert_eq!(
        (after.template.title.as_str(), after.template.version),
        ("Clicker", 1)
    );
    let recoded = TemplatePatch {
        js: Some("console.log(2)".into()),
        ..TemplatePatch::default()
    };
    let after = w.api.update(w.ada, id, recoded).await.unwrap();
    assert_eq!(after.template.version, 2);
    let versions = w.api.versions(None, id, page()).await.unwrap();
    assert_eq!(
        versions.items.iter().map(|v| v.number).collect::<Vec<_>>(),
        [2, 1]
    );
    assert!(matches!(
        w.api.update(w.bob, id, retitled.clone()).await.unwrap_err(),
        TemplateError::Forbidden
    ));
    assert!(matches!(
        w.api.update(w.admin, id, retitled).await.unwrap_err(),
        TemplateError::Forbidden
    ));
    let emptied = TemplatePatch {
        html: Some(String::new()),
        css: Some(String::new()),
        js: Some(String::new()),
        ..TemplatePatch::default()
    };
    assert_eq!(
        fields(w.api.update(w.ada, id, emptied).await.unwrap_err()),
        ["code"]
    );
}

#[tokio::test]
async fn private_templates_answer_like_unknown_ones_to_everyone_but_their_author() {
    let w = world();
    let private = TemplateDraft {
        is_public: false,
        ..draft("Secret")
    };
    let id = w.api.create(w.ada, private).await.unwrap().template.id;
    assert!(w.api.get(Some(w.ada), id).await.is_ok());
    for reader in [None, Some(w.bob)] {
        assert!(matches!(
            w.api.get(reader, id).await.unwrap_err(),
            TemplateError::NotFound
        ));
        assert!(matches!(
            w.api.download(reader, id, vec![]).await.unwrap_err(),
            TemplateError::NotFound
        ));
        assert!(matches!(
            w.api.versions(reader, id, page()).await.unwrap_err(),
            TemplateError::NotFound
        ));
    }
    for result in [
        w.api.star(w.bob, id).await.map(|_| ()),
        w.api.fork(w.bob, id).await.map(|_| ()),
    ] {
        assert!(matches!(result.unwrap_err(), TemplateError::NotFound));
    }
    let mine = TemplateFilter {
        author: Some(w.ada.id),
        ..TemplateFilter::default()
    };
    let sort = TemplateSort::Newest;
    assert_eq!(
        w.api
            .list(Some(w.ada), mine.clone(), sort, page())
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        w.api
            .list(Some(w.bob), mine, sort, page())
            .await
            .unwrap()
            .total,
        0
    );
}

#[tokio::test]
async fn views_by_others_are_counted_and_deletes_are_for_the_author_or_an_admin() {
    let w = world();
    let id = w
        .api
        .create(w.ada, draft("Counter"))
        .await
        .unwrap()
        .template
        .id;
    w.api.get(Some(w.ada), id).await.unwrap();
    w.api.get(None, id).await.unwrap();
    let seen = w.api.get(Some(w.bob), id).await.unwrap();
    assert_eq!(
        seen.template.stats.views, 2,
        "the author's own views are not counted"
    );
    assert!(matches!(
        w.api.delete(w.bob, id).await.unwrap_err(),
        TemplateError::Forbidden
    ));
    w.api.delete(w.admin, id).await.unwrap();
    assert!(matches!(
        w.api.star(w.bob, id).await.unwrap_err(),
        TemplateError::NotFound
    ));
    assert!(matches!(
        w.api.delete(w.ada, id).await.unwrap_err(),
        TemplateError::NotFound
    ));
}

#[tokio::test]
async fn stars_toggle_and_forks_record_their_origin_version() {
    let w = world();
    let id = w
        .api
        .create(w.ada, draft("Counter"))
        .await
        .unwrap()
        .template
        .id;
    w.api
        .update(
            w.ada,
            id,
            TemplatePatch {
                css: Some("b{}".into()),
                ..TemplatePatch::default()
            },
        )
        .await
        .unwrap();
    let on = w.api.star(w.bob, id).await.unwrap();
    assert_eq!((on.starred, on.stars), (true, 1));
    let mine = w.api.starred(w.bob, page()).await.unwrap();
    assert_eq!(mine.items.len(), 1);
    assert!(mine.items[0].starred);
    assert_eq!(w.api.star(w.bob, id).await.unwrap().stars, 0);

    let fork = w.api.fork(w.bob, id).await.unwrap();
    assert_eq!(fork.template.author, w.bob.id);
    assert_eq!(
        fork.template.forked_from,
        Some(Origin {
            template: id,
            version: 2
        })
    );
    assert_eq!(fork.template.version, 1);
    assert_eq!(fork.template.code.css, "b{}");
    let forks = w.api.forks(None, id, page()).await.unwrap();
    assert_eq!(forks.items[0].template.id, fork.template.id);
    assert_eq!(w.api.get(None, id).await.unwrap().template.stats.forks, 1);
    assert!(matches!(
        w.api.fork(w.eve, id).await.unwrap_err(),
        TemplateError::NotVerified
    ));
}

fn entries(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut text = String::new();
            f.read_to_string(&mut text).unwrap();
            (f.name().to_owned(), text)
        })
        .collect()
}

#[tokio::test]
async fn downloads_are_real_identical_zips_counted_unless_the_reader_holds_them() {
    let w = world();
    let id = w
        .api
        .create(w.ada, draft("My Counter!"))
        .await
        .unwrap()
        .template
        .id;
    let Download::Fresh(first) = w.api.download(None, id, vec![]).await.unwrap() else {
        panic!("expected an archive");
    };
    assert_eq!(first.filename, "my-counter-v1.zip");
    let files = entries(&first.bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "my-counter/index.html",
            "my-counter/styles.css",
            "my-counter/script.js",
            "my-counter/README.md"
        ]
    );
    assert_eq!(files[0].1, "<button>0</button>");
    assert_eq!(files[2].1, "console.log(1)");
    let readme = &files[3].1;
    assert!(readme.starts_with("# My Counter!\n"), "{readme}");
    assert!(readme.contains("Author: @ada") && readme.contains("Version: 1 (2026-03-04)"));
    assert!(readme.contains("## Licence"));

    let Download::Fresh(again) = w.api.download(None, id, vec![]).await.unwrap() else {
        panic!("expected an archive");
    };
    assert_eq!(again.bytes, first.bytes, "one version, one archive");
    assert_eq!(again.etag, first.etag);
    assert_eq!(
        w.api
            .download(None, id, vec![first.etag.clone()])
            .await
            .unwrap(),
        Download::Unchanged {
            etag: first.etag.clone()
        }
    );
    assert_eq!(
        w.api.get(None, id).await.unwrap().template.stats.downloads,
        2
    );

    // A React project in TypeScript: a manifest, its natural layout, no empty files.
    let react = TemplatePatch {
        html: Some(String::new()),
        language: Some(Language::Typescript),
        framework: Some(Framework::React),
        ..TemplatePatch::default()
    };
    w.api.update(w.ada, id, react).await.unwrap();
    let Download::Fresh(v2) = w.api.download(None, id, vec![first.etag]).await.unwrap() else {
        panic!("a new version is a new archive");
    };
    assert_eq!(v2.filename, "my-counter-v2.zip");
    let files = entries(&v2.bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "my-counter/package.json",
            "my-counter/src/App.tsx",
            "my-counter/src/styles.css",
            "my-counter/README.md"
        ]
    );
    let manifest: serde_json::Value = serde_json::from_str(&files[0].1).unwrap();
    assert_eq!(manifest["name"], "my-counter");
    assert_eq!(manifest["dependencies"]["react"], "^18.3.1");
    assert_eq!(manifest["devDependencies"]["typescript"], "^5.6.0");
}

#[tokio::test]
async fn facets_name_every_category_and_framework_with_their_counts() {
    let w = world();
    w.api.create(w.ada, draft("One")).await.unwrap();
    w.api
        .create(
            w.ada,
            TemplateDraft {
                is_public: false,
                ..draft("Two")
            },
        )
        .await
        .unwrap();
    let categories = w.api.facets(FacetKind::Category).await.unwrap();
    assert_eq!(categories.len(), Category::ALL.len());
    let web = categories.iter().find(|f| f.name == "web-dev").unwrap();
    assert_eq!(web.count, 1, "private templates are not counted");
    let frameworks = w.api.facets(FacetKind::Framework).await.unwrap();
    assert_eq!(frameworks.len(), 7);
    assert_eq!(frameworks.iter().map(|f| f.count).sum::<u64>(), 1);
}

#[tokio::test]
async fn list_filters_are_checked() {
    let w = world();
    let bad = TemplateFilter {
        search: Some("a\u{1}".into()),
        ..TemplateFilter::default()
    };
    assert_eq!(
        fields(
            w.api
                .list(None, bad, TemplateSort::Newest, page())
                .await
                .unwrap_err()
        ),
        ["search"]
    );
}

#[tokio::test]
async fn thumbnails_are_images_set_by_the_author_replacing_the_last_one() {
    let w = world();
    let id = w
        .api
        .create(w.ada, draft("Counter"))
        .await
        .unwrap()
        .template
        .id;
    let png = b"\x89PNG\r\n\x1a\n....".to_vec();
    let first = w.api.set_thumbnail(w.ada, id, png.clone()).await.unwrap();
    let url = first.template.thumbnail.clone().unwrap();
    assert!(
        url.starts_with(&format!("https://files.test/thumbnails/{id}/")) && url.ends_with(".png")
    );
    let second = w
        .api
        .set_thumbnail(w.ada, id, b"RIFF\0\0\0\0WEBPVP8 ".to_vec())
        .await
        .unwrap();
    let kept = w.files.0.lock().unwrap().clone();
    assert_eq!(
        kept,
        [second.template.thumbnail.clone().unwrap()],
        "the replaced one is gone"
    );
    assert!(kept[0].ends_with(".webp"));

    for (who, image) in [(w.bob, png.clone()), (w.ada, b"MZ\x90\0".to_vec())] {
        let err = w.api.set_thumbnail(who, id, image).await.unwrap_err();
        assert!(
            matches!(err, TemplateError::Forbidden | TemplateError::Invalid(_)),
            "{err:?}"
        );
    }
    assert_eq!(
        w.files.0.lock().unwrap().len(),
        1,
        "refused uploads store nothing"
    );
    let fork = w.api.fork(w.bob, id).await.unwrap();
    assert_eq!(
        fork.template.thumbnail, None,
        "a fork does not share its origin's file"
    );
}

mod projects {
    use super::*;
    use crate::fake::InMemoryProjects;
    use crate::ports::ProjectPorts;
    use crate::project::*;
    use crate::project_service::{ProjectService, ProjectsApi, MAX_PROJECTS};

    fn projects(w: &World) -> ProjectService {
        let roster = Roster(HashMap::from([
            (w.ada.id, (true, "ada".to_owned())),
            (w.bob.id, (true, "bob".to_owned())),
            (w.eve.id, (false, "eve".to_owned())),
        ]));
        ProjectService::new(ProjectPorts {
            projects: Arc::new(InMemoryProjects::default()),
            templates: w.store.clone(),
            members: Arc::new(roster),
            clock: Arc::new(FixedClock::new(
                Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap(),
            )),
        })
    }

    fn blank(title: &str) -> ProjectDraft {
        ProjectDraft {
            title: title.into(),
            code: None,
            template: None,
        }
    }

    #[tokio::test]
    async fn projects_start_blank_or_from_a_template_the_owner_may_see() {
        let w = world();
        let p = projects(&w);
        let made = p.create(w.eve, blank(" Scratch ")).await.unwrap();
        assert_eq!(made.project.title, "Scratch");
        assert_eq!(made.project.version, 1);
        assert_eq!(made.project.code.framework, Framework::Vanilla);
        assert_eq!(
            made.owner.unwrap().username,
            "eve",
            "no verified email needed"
        );

        let public = w
            .api
            .create(w.ada, draft("Counter"))
            .await
            .unwrap()
            .template
            .id;
        let secret = w
            .api
            .create(
                w.ada,
                TemplateDraft {
                    is_public: false,
                    ..draft("Secret")
                },
            )
            .await
            .unwrap()
            .template
            .id;
        let from = ProjectDraft {
            template: Some(public),
            ..blank("Mine")
        };
        let started = p.create(w.bob, from).await.unwrap();
        assert_eq!(started.project.code.js, "console.log(1)");
        assert_eq!(started.project.template, Some(public));
        let hidden = ProjectDraft {
            template: Some(secret),
            ..blank("Theirs")
        };
        assert!(matches!(
            p.create(w.bob, hidden).await.unwrap_err(),
            TemplateError::NotFound
        ));
        let bad = ProjectDraft {
            code: Some(Code {
                js: "a\u{0}".into(),
                ..draft("x").code
            }),
            ..blank("")
        };
        assert_eq!(
            fields(p.create(w.bob, bad).await.unwrap_err()),
            ["title", "jsCode"]
        );
        let stranger = Caller {
            id: MemberId::generate(Utc::now()),
            is_admin: false,
        };
        assert!(matches!(
            p.create(stranger, blank("x")).await.unwrap_err(),
            TemplateError::MemberNotFound
        ));
        for i in 1..MAX_PROJECTS {
            p.create(w.eve, blank(&format!("P{i}"))).await.unwrap();
        }
        assert!(matches!(
            p.create(w.eve, blank("One too many")).await.unwrap_err(),
            TemplateError::TooManyProjects
        ));
    }

    #[tokio::test]
    async fn a_save_based_on_an_old_version_is_refused_with_the_current_one() {
        let w = world();
        let p = projects(&w);
        let id = p.create(w.ada, blank("Tabs")).await.unwrap().project.id;
        let tab = |based_on, js: &str| ProjectPatch {
            based_on,
            js: Some(js.into()),
            ..ProjectPatch::default()
        };
        let first = p.update(w.ada, id, tab(1, "first")).await.unwrap();
        assert_eq!(first.project.version, 2);
        let err = p.update(w.ada, id, tab(1, "second")).await.unwrap_err();
        assert!(
            matches!(err, TemplateError::VersionConflict { current: 2 }),
            "{err:?}"
        );
        assert_eq!(p.get(w.ada, id).await.unwrap().project.code.js, "first");
        for result in [
            p.get(w.bob, id).await.map(|_| ()),
            p.update(w.bob, id, tab(2, "x")).await.map(|_| ()),
            p.delete(w.bob, id).await,
            p.share(w.bob, id).await.map(|_| ()),
        ] {
            assert!(matches!(
                result.unwrap_err(),
                TemplateError::ProjectNotFound
            ));
        }
        assert_eq!(p.list(w.ada, page()).await.unwrap().total, 1);
        assert_eq!(p.list(w.bob, page()).await.unwrap().total, 0);
        p.delete(w.ada, id).await.unwrap();
        assert!(matches!(
            p.get(w.ada, id).await.unwrap_err(),
            TemplateError::ProjectNotFound
        ));
    }

    #[tokio::test]
    async fn share_links_are_unguessable_counted_forkable_and_revocable() {
        let w = world();
        let p = projects(&w);
        let id = p.create(w.ada, blank("Demo")).await.unwrap().project.id;
        let shared = p.share(w.ada, id).await.unwrap();
        let slug = shared.project.share.clone().unwrap();
        assert_eq!(slug.len(), 32);
        assert!(slug.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(
            p.share(w.ada, id).await.unwrap().project.share,
            Some(slug.clone())
        );
        assert_eq!(p.shared(&slug).await.unwrap().project.views, 1);
        assert_eq!(p.shared(&slug).await.unwrap().project.views, 2);
        let fork = p.fork(w.bob, &slug).await.unwrap();
        assert_eq!(fork.project.owner, w.bob.id);
        assert_eq!(fork.project.forked_from, Some(id));
        assert_eq!(
            (fork.project.version, fork.project.share.clone()),
            (1, None)
        );

        p.unshare(w.ada, id).await.unwrap();
        for dead in [slug.as_str(), "nope", "../../etc"] {
            assert!(matches!(
                p.shared(dead).await.unwrap_err(),
                TemplateError::ProjectNotFound
            ));
            assert!(matches!(
                p.fork(w.bob, dead).await.unwrap_err(),
                TemplateError::ProjectNotFound
            ));
        }
        let renewed = p.share(w.ada, id).await.unwrap().project.share.unwrap();
        assert_ne!(renewed, slug, "a revoked link never comes back");

        let Download::Fresh(zip) = p.export(w.ada, id, vec![]).await.unwrap() else {
            panic!("expected an archive");
        };
        assert_eq!(zip.filename, "demo-v1.zip");
        let files = entries(&zip.bytes);
        assert!(files.last().unwrap().1.contains("StackRush project: "));
        assert!(matches!(
            p.export(w.bob, id, vec![]).await.unwrap_err(),
            TemplateError::ProjectNotFound
        ));
    }
}

#[tokio::test]
async fn downloads_forks_and_stars_are_told_to_analytics() {
    use stackrush_kernel::activity::Happened;
    let w = world();
    let id = w
        .api
        .create(w.ada, draft("Told"))
        .await
        .unwrap()
        .template
        .id;
    let t = id.bytes();
    w.api.download(Some(w.bob), id, vec![]).await.unwrap();
    // Anonymous downloads count on the template but name nobody to analytics.
    w.api.download(None, id, vec![]).await.unwrap();
    w.api.star(w.bob, id).await.unwrap();
    w.api.star(w.bob, id).await.unwrap();
    w.api.fork(w.bob, id).await.unwrap();
    let told: Vec<([u8; 12], Happened)> = w
        .activity
        .taken()
        .into_iter()
        .map(|a| (a.actor, a.what))
        .collect();
    let bob = w.bob.id.bytes();
    assert_eq!(
        told,
        vec![
            (bob, Happened::TemplateDownloaded { template: t }),
            (bob, Happened::TemplateStarred { template: t }),
            (bob, Happened::TemplateForked { template: t }),
        ]
    );
}
