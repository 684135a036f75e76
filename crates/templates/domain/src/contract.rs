//! The contract suite every adapter of the templates store port must pass. Each case works on
//! members and templates of its own, so the cases share one store.
#![expect(
    clippy::unwrap_used,
    reason = "a test suite reports failures by panicking"
)]

use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use stackrush_kernel::PageRequest;

use crate::model::*;
use crate::ports::{Stores, TemplateRepository, Written};

fn now() -> DateTime<Utc> {
    Utc::now()
        .duration_trunc(Duration::milliseconds(1))
        .unwrap()
}

/// A live public template with every field set.
pub fn sample(author: MemberId, title: &str, at: DateTime<Utc>) -> Template {
    Template {
        id: TemplateId::generate(at),
        author,
        title: title.into(),
        description: "A page with\n\ta counter — ü".into(),
        code: Code {
            html: "<button id=\"b\">0</button>".into(),
            css: "button { color: red; }".into(),
            js: "let n = 0;\nb.onclick = () => b.textContent = ++n;".into(),
            language: Language::Javascript,
            framework: Framework::Vanilla,
        },
        category: Category::WebDev,
        difficulty: Difficulty::Beginner,
        tags: vec!["dom".into(), "c++".into()],
        features: vec!["Counter".into(), "No build step".into()],
        stats: Stats::default(),
        version: 1,
        forked_from: None,
        thumbnail: None,
        is_public: true,
        is_active: true,
        created_at: at,
        updated_at: at,
    }
}

fn page(n: u32, limit: u32) -> PageRequest {
    PageRequest::new(n, limit)
}

fn by(author: MemberId) -> TemplateFilter {
    TemplateFilter {
        author: Some(author),
        visibility: Visibility::All,
        ..TemplateFilter::default()
    }
}

async fn titles(
    store: &dyn TemplateRepository,
    filter: &TemplateFilter,
    sort: TemplateSort,
) -> Vec<String> {
    store
        .list(filter, sort, page(1, 100), None)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|t| t.title)
        .collect()
}

/// Round trip, conditional updates that store new versions, soft deletes.
pub async fn templates_and_versions(store: &dyn TemplateRepository) {
    let t0 = now();
    let ada = MemberId::generate(t0);
    let mut t = sample(ada, "Counter", t0);
    t.forked_from = Some(Origin {
        template: TemplateId::generate(t0),
        version: 3,
    });
    t.is_public = false;
    t.thumbnail = Some("https://files.test/thumbnails/1.png".into());
    store.insert(&t).await.unwrap();
    assert_eq!(store.get(t.id).await.unwrap(), Some(t.clone()));
    assert_eq!(store.get(TemplateId::generate(t0)).await.unwrap(), None);

    // A change of title only: same version.
    let renamed = Template {
        title: "Counter page".into(),
        updated_at: t0 + Duration::seconds(1),
        ..t.clone()
    };
    assert_eq!(store.update(&renamed, 1).await.unwrap(), Written::Done);
    assert_eq!(store.get(t.id).await.unwrap(), Some(renamed.clone()));
    // A code change: version 2 is stored with it; counters and origin are not the update's.
    store.count(t.id, Counter::Views).await.unwrap();
    let v2 = Template {
        code: Code {
            js: "console.log('v2');".into(),
            framework: Framework::React,
            language: Language::React,
            ..renamed.code.clone()
        },
        version: 2,
        stats: Stats {
            stars: 99,
            ..Stats::default()
        },
        forked_from: None,
        thumbnail: None,
        is_public: true,
        updated_at: t0 + Duration::seconds(2),
        ..renamed.clone()
    };
    assert_eq!(store.update(&v2, 1).await.unwrap(), Written::Done);
    let stored = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.code, v2.code);
    assert!(stored.is_public);
    assert_eq!(stored.forked_from, t.forked_from, "the origin stays");
    assert_eq!(
        stored.thumbnail, t.thumbnail,
        "the thumbnail is not the update's either"
    );
    assert_eq!(
        stored.stats,
        Stats {
            views: 1,
            ..Stats::default()
        },
        "counters are not the update's to set"
    );
    assert_eq!(
        store.update(&v2, 1).await.unwrap(),
        Written::Stale,
        "based on a version that is gone"
    );
    let versions = store.versions(t.id, page(1, 10)).await.unwrap();
    assert_eq!(versions.total, 2);
    assert_eq!(versions.items[0].number, 2);
    assert_eq!(versions.items[0].code, v2.code);
    assert_eq!(versions.items[0].created_at, v2.updated_at);
    assert_eq!(versions.items[1].number, 1);
    assert_eq!(versions.items[1].code, t.code);
    let second = store.versions(t.id, page(2, 1)).await.unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.items[0].number, 1);

    // Thumbnails are set on their own, answering the one they replace.
    let replaced = store
        .set_thumbnail(t.id, "https://files.test/thumbnails/2.png", t0)
        .await
        .unwrap();
    assert_eq!(replaced, Some(t.thumbnail.clone()));
    let stored = store.get(t.id).await.unwrap().unwrap();
    assert_eq!(
        stored.thumbnail.as_deref(),
        Some("https://files.test/thumbnails/2.png")
    );

    assert!(store.delete(t.id, t0 + Duration::seconds(3)).await.unwrap());
    assert_eq!(
        store.set_thumbnail(t.id, "x", t0).await.unwrap(),
        None,
        "not on a deleted template"
    );
    assert!(!store.delete(t.id, t0).await.unwrap(), "deleted once");
    let gone = store.get(t.id).await.unwrap().unwrap();
    assert!(!gone.is_active);
    assert_eq!(store.update(&v2, 2).await.unwrap(), Written::Gone);
    assert_eq!(store.count(t.id, Counter::Downloads).await.unwrap(), None);
    assert_eq!(
        store.versions(t.id, page(1, 10)).await.unwrap().total,
        2,
        "versions stay"
    );
}

/// Filters, visibility, literal search, sorts with their tie-break, paging, known totals.
pub async fn lists(store: &dyn TemplateRepository) {
    let t0 = now();
    let ada = MemberId::generate(t0);
    let mut made = Vec::new();
    for (i, title) in ["Alpha 100%", "Beta_x", "Gamma", "Delta"]
        .iter()
        .enumerate()
    {
        let mut t = sample(ada, title, t0 + Duration::seconds(i as i64));
        if i == 1 {
            t.category = Category::Backend;
            t.code.framework = Framework::Express;
            t.code.language = Language::Typescript;
            t.difficulty = Difficulty::Advanced;
            t.tags = vec!["api".into()];
        }
        if i == 3 {
            t.is_public = false;
        }
        store.insert(&t).await.unwrap();
        made.push(t);
    }
    let public = TemplateFilter {
        visibility: Visibility::Public,
        ..by(ada)
    };
    assert_eq!(
        titles(store, &public, TemplateSort::Newest).await,
        ["Gamma", "Beta_x", "Alpha 100%"]
    );
    assert_eq!(
        titles(store, &by(ada), TemplateSort::Newest).await,
        ["Delta", "Gamma", "Beta_x", "Alpha 100%"],
        "an author's own list holds the private ones"
    );
    let only = |f: TemplateFilter| async move { titles(store, &f, TemplateSort::Newest).await };
    assert_eq!(
        only(TemplateFilter {
            category: Some(Category::Backend),
            ..by(ada)
        })
        .await,
        ["Beta_x"]
    );
    assert_eq!(
        only(TemplateFilter {
            framework: Some(Framework::Express),
            language: Some(Language::Typescript),
            difficulty: Some(Difficulty::Advanced),
            ..by(ada)
        })
        .await,
        ["Beta_x"]
    );
    assert_eq!(
        only(TemplateFilter {
            tag: Some("c++".into()),
            ..public.clone()
        })
        .await,
        ["Gamma", "Alpha 100%"]
    );
    // Literal, case-insensitive, in the title or the description.
    for (needle, expected) in [
        ("100%", vec!["Alpha 100%"]),
        ("a_X", vec!["Beta_x"]),
        ("%", vec!["Alpha 100%"]),
        (".*", vec![]),
        ("COUNTER — Ü", vec!["Gamma", "Beta_x", "Alpha 100%"]),
    ] {
        assert_eq!(
            only(TemplateFilter {
                search: Some(needle.into()),
                ..public.clone()
            })
            .await,
            expected,
            "search {needle:?}"
        );
    }
    // Sorts: by the counter, then newest first.
    let (alpha, beta, gamma) = (made[0].id, made[1].id, made[2].id);
    for _ in 0..2 {
        store
            .toggle_star(alpha, MemberId::generate(t0), t0)
            .await
            .unwrap();
        store.count(beta, Counter::Downloads).await.unwrap();
    }
    store
        .toggle_star(gamma, MemberId::generate(t0), t0)
        .await
        .unwrap();
    assert_eq!(
        titles(store, &public, TemplateSort::Stars).await,
        ["Alpha 100%", "Gamma", "Beta_x"]
    );
    assert_eq!(
        titles(store, &public, TemplateSort::Downloads).await,
        ["Beta_x", "Gamma", "Alpha 100%"]
    );
    let fork = Template {
        forked_from: Some(Origin {
            template: gamma,
            version: 1,
        }),
        ..sample(MemberId::generate(t0), "Gamma fork", t0)
    };
    assert!(store.insert_fork(&fork).await.unwrap());
    assert_eq!(
        titles(store, &public, TemplateSort::Forks).await,
        ["Gamma", "Beta_x", "Alpha 100%"]
    );
    assert_eq!(
        only(TemplateFilter {
            forked_from: Some(gamma),
            ..TemplateFilter::default()
        })
        .await,
        ["Gamma fork"]
    );
    // Paging and remembered totals.
    let first = store
        .list(&public, TemplateSort::Newest, page(1, 2), None)
        .await
        .unwrap();
    assert_eq!(first.total, 3);
    assert_eq!(first.items.len(), 2);
    let last = store
        .list(&public, TemplateSort::Newest, page(2, 2), Some(3))
        .await
        .unwrap();
    assert_eq!(last.items.len(), 1);
    assert_eq!(last.items[0].title, "Alpha 100%");
    let trusted = store
        .list(&public, TemplateSort::Newest, page(1, 2), Some(42))
        .await
        .unwrap();
    assert_eq!(trusted.total, 42, "a known total is not recounted");
    // Deleted templates leave every list.
    store.delete(gamma, t0).await.unwrap();
    assert_eq!(
        titles(store, &public, TemplateSort::Newest).await,
        ["Beta_x", "Alpha 100%"]
    );
}

/// Forks are counted on a live origin only, with their own first version.
pub async fn forks(store: &dyn TemplateRepository) {
    let t0 = now();
    let origin = sample(MemberId::generate(t0), "Origin", t0);
    store.insert(&origin).await.unwrap();
    let fork_of = |o: &Template| Template {
        forked_from: Some(Origin {
            template: o.id,
            version: 1,
        }),
        ..sample(MemberId::generate(t0), "Fork", t0)
    };
    let fork = fork_of(&origin);
    assert!(store.insert_fork(&fork).await.unwrap());
    assert_eq!(store.get(fork.id).await.unwrap(), Some(fork.clone()));
    assert_eq!(store.versions(fork.id, page(1, 5)).await.unwrap().total, 1);
    assert_eq!(store.get(origin.id).await.unwrap().unwrap().stats.forks, 1);
    store.delete(origin.id, t0).await.unwrap();
    let late = fork_of(&origin);
    assert!(!store.insert_fork(&late).await.unwrap());
    assert_eq!(store.get(late.id).await.unwrap(), None, "nothing stored");
}

/// Stars toggle one per member, exactly counted; the starred list; views and downloads.
pub async fn stars_and_counters(store: &dyn TemplateRepository) {
    let t0 = now();
    let (ada, bob) = (MemberId::generate(t0), MemberId::generate(t0));
    let (a, b, private) = (
        sample(ada, "A", t0),
        sample(ada, "B", t0),
        Template {
            is_public: false,
            ..sample(ada, "Private", t0)
        },
    );
    for t in [&a, &b, &private] {
        store.insert(t).await.unwrap();
    }
    let on = store.toggle_star(a.id, bob, t0).await.unwrap();
    assert_eq!(
        on,
        Some(Starred {
            starred: true,
            stars: 1
        })
    );
    store
        .toggle_star(b.id, bob, t0 + Duration::seconds(1))
        .await
        .unwrap();
    store.toggle_star(private.id, bob, t0).await.unwrap();
    store.toggle_star(private.id, ada, t0).await.unwrap();
    let listed: Vec<TemplateId> = store
        .starred(bob, page(1, 10))
        .await
        .unwrap()
        .items
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        listed,
        [b.id, a.id],
        "latest first; others' private left out"
    );
    assert_eq!(store.starred(ada, page(1, 10)).await.unwrap().total, 1);
    let among = store
        .starred_among(bob, &[a.id, b.id, TemplateId::generate(t0)])
        .await
        .unwrap();
    assert_eq!(among.len(), 2);
    let off = store.toggle_star(a.id, bob, t0).await.unwrap();
    assert_eq!(
        off,
        Some(Starred {
            starred: false,
            stars: 0
        })
    );
    assert_eq!(store.get(a.id).await.unwrap().unwrap().stats.stars, 0);

    assert_eq!(store.count(a.id, Counter::Views).await.unwrap(), Some(1));
    assert_eq!(store.count(a.id, Counter::Views).await.unwrap(), Some(2));
    assert_eq!(
        store.count(a.id, Counter::Downloads).await.unwrap(),
        Some(1)
    );
    let stats = store.get(a.id).await.unwrap().unwrap().stats;
    assert_eq!((stats.views, stats.downloads), (2, 1));

    store.delete(b.id, t0).await.unwrap();
    assert_eq!(store.toggle_star(b.id, ada, t0).await.unwrap(), None);
    assert_eq!(store.starred(bob, page(1, 10)).await.unwrap().total, 0);
    assert_eq!(
        store
            .toggle_star(TemplateId::generate(t0), ada, t0)
            .await
            .unwrap(),
        None
    );
}

/// 100 members starring one template at once, then all unstarring, leave exact counts; so do
/// 20 forks at once.
pub async fn concurrent_stars_and_forks(store: Arc<dyn TemplateRepository>) {
    let t0 = now();
    let t = sample(MemberId::generate(t0), "Popular", t0);
    store.insert(&t).await.unwrap();
    let members: Vec<MemberId> = (0..100).map(|_| MemberId::generate(t0)).collect();
    for round in [true, false] {
        let runs = members.iter().map(|m| {
            let (store, m) = (store.clone(), *m);
            async move { store.toggle_star(t.id, m, t0).await.unwrap().unwrap() }
        });
        let outcomes = futures::future::join_all(runs).await;
        assert!(outcomes.iter().all(|o| o.starred == round));
        let stars = store.get(t.id).await.unwrap().unwrap().stats.stars;
        assert_eq!(stars, if round { 100 } else { 0 });
    }
    let runs = (0..20).map(|_| {
        let store = store.clone();
        let fork = Template {
            forked_from: Some(Origin {
                template: t.id,
                version: 1,
            }),
            ..sample(MemberId::generate(t0), "Fork", t0)
        };
        async move { store.insert_fork(&fork).await.unwrap() }
    });
    assert!(futures::future::join_all(runs).await.into_iter().all(|b| b));
    assert_eq!(store.get(t.id).await.unwrap().unwrap().stats.forks, 20);
}

/// Facet counts hold live public templates only.
pub async fn facets(store: &dyn TemplateRepository) {
    let t0 = now();
    let before = store.facets(FacetKind::Category).await.unwrap();
    let frameworks_before = store.facets(FacetKind::Framework).await.unwrap();
    let ada = MemberId::generate(t0);
    let mut devops = sample(ada, "Ops", t0);
    devops.category = Category::Devops;
    devops.code.framework = Framework::Angular;
    let hidden = Template {
        is_public: false,
        ..sample(ada, "Hidden", t0)
    };
    let deleted = sample(ada, "Deleted", t0);
    for t in [&devops, &hidden, &deleted] {
        store.insert(t).await.unwrap();
    }
    store.delete(deleted.id, t0).await.unwrap();
    let after = store.facets(FacetKind::Category).await.unwrap();
    let get = |m: &std::collections::HashMap<String, u64>, k: &str| m.get(k).copied().unwrap_or(0);
    assert_eq!(get(&after, "devops"), get(&before, "devops") + 1);
    assert_eq!(get(&after, "web-dev"), get(&before, "web-dev"));
    let frameworks = store.facets(FacetKind::Framework).await.unwrap();
    assert_eq!(
        get(&frameworks, "Angular"),
        get(&frameworks_before, "Angular") + 1
    );
}

/// A live project with every field set.
pub fn sample_project(owner: MemberId, at: DateTime<Utc>) -> crate::project::Project {
    crate::project::Project {
        id: crate::project::ProjectId::generate(at),
        owner,
        title: "Scratch — ü".into(),
        code: sample(owner, "x", at).code,
        template: Some(TemplateId::generate(at)),
        forked_from: Some(crate::project::ProjectId::generate(at)),
        version: 1,
        share: None,
        views: 0,
        is_active: true,
        created_at: at,
        updated_at: at,
    }
}

/// Projects: round trip, conditional saves, the owner's list, share links and their views.
pub async fn projects(store: &dyn crate::project::ProjectRepository) {
    use crate::project::Project;
    let t0 = now();
    let (ada, bob) = (MemberId::generate(t0), MemberId::generate(t0));
    let p = sample_project(ada, t0);
    store.insert(&p).await.unwrap();
    assert_eq!(store.get(p.id).await.unwrap(), Some(p.clone()));
    let older = Project {
        title: "Older".into(),
        template: None,
        ..sample_project(ada, t0 - Duration::seconds(5))
    };
    store.insert(&older).await.unwrap();
    store.insert(&sample_project(bob, t0)).await.unwrap();

    let saved = Project {
        title: "Saved".into(),
        code: Code {
            js: "console.log(2)".into(),
            ..p.code.clone()
        },
        version: 2,
        updated_at: t0 + Duration::seconds(1),
        ..p.clone()
    };
    assert_eq!(store.update(&saved, 1).await.unwrap(), Written::Done);
    assert_eq!(store.get(p.id).await.unwrap(), Some(saved.clone()));
    assert_eq!(
        store.update(&saved, 1).await.unwrap(),
        Written::Stale,
        "a second tab based on version 1"
    );
    let listed = store.list(ada, page(1, 10)).await.unwrap();
    assert_eq!(listed.total, 2);
    assert_eq!(listed.items[0].id, p.id, "latest changed first");
    assert_eq!(listed.items[1].id, older.id);

    // Share links: one per project while shared, gone for good when unshared.
    let slug = "0123456789abcdef0123456789abcdef";
    assert_eq!(
        store.share(p.id, slug).await.unwrap().as_deref(),
        Some(slug)
    );
    assert_eq!(
        store
            .share(p.id, "ffffffffffffffffffffffffffffffff")
            .await
            .unwrap()
            .as_deref(),
        Some(slug),
        "shared already: the same link"
    );
    assert_eq!(store.shared(slug).await.unwrap().unwrap().id, p.id);
    assert_eq!(store.count_view(slug).await.unwrap(), Some(1));
    assert_eq!(store.count_view(slug).await.unwrap(), Some(2));
    assert_eq!(store.get(p.id).await.unwrap().unwrap().views, 2);
    assert!(store.unshare(p.id).await.unwrap());
    assert_eq!(store.shared(slug).await.unwrap(), None);
    assert_eq!(store.count_view(slug).await.unwrap(), None);
    assert_eq!(store.get(p.id).await.unwrap().unwrap().share, None);

    let again = "abcdefabcdefabcdefabcdefabcdefab";
    store.share(p.id, again).await.unwrap();
    assert!(store.delete(p.id, t0).await.unwrap());
    assert!(!store.delete(p.id, t0).await.unwrap());
    assert_eq!(
        store.shared(again).await.unwrap(),
        None,
        "a deleted project's link is dead"
    );
    assert_eq!(store.share(p.id, slug).await.unwrap(), None);
    assert!(!store.unshare(p.id).await.unwrap());
    assert_eq!(store.update(&saved, 2).await.unwrap(), Written::Gone);
    assert_eq!(store.list(ada, page(1, 10)).await.unwrap().total, 1);
}

/// Every case against `stores`.
pub async fn run_all(stores: Stores) {
    projects(stores.projects.as_ref()).await;
    let store = stores.templates;
    templates_and_versions(store.as_ref()).await;
    lists(store.as_ref()).await;
    forks(store.as_ref()).await;
    stars_and_counters(store.as_ref()).await;
    concurrent_stars_and_forks(store.clone()).await;
    facets(store.as_ref()).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::InMemoryTemplates;

    #[tokio::test]
    async fn the_fake_passes_the_contract() {
        run_all(Stores {
            templates: Arc::new(InMemoryTemplates::default()),
            projects: Arc::new(crate::fake::InMemoryProjects::default()),
        })
        .await;
    }
}
