//! MongoDB adapter of the templates ports; [`ensure_indexes`] is idempotent and runs at start.
//!
//! Templates are documents in the spec's shape (`code`, `metadata`, `stats`, `isPublic`,
//! `isActive`), plus `version` and `forkedFrom{template, version}`. The spec's
//! `interactions.starredBy`/`forkedBy` arrays would grow without bound: stars are their own
//! collection (unique per template and member) and forks are the templates whose `forkedFrom`
//! names the origin. Every write that moves a count is one multi-document transaction (a star
//! with the star count, a fork with its origin's fork count, a template or code change with its
//! version document); transactions that meet a concurrent writer are retried
//! ([`stackrush_store_mongo::transaction`]).

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{doc, Bson, Document};
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Client, ClientSession, Collection, Database};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_mongo::fields::{count as number, datetime, id_of, n, oid, text, texts, time};
use stackrush_store_mongo::{corrupt, literal_regex, Work};
use stackrush_templates::ports::{Stores, TemplateRepository, Written};
use stackrush_templates::*;

mod projects;
pub use projects::MongoProjects;

const TEMPLATES: &str = "templates";
const VERSIONS: &str = "template_versions";
const STARS: &str = "template_stars";

/// How many times a transaction that met a concurrent writer is tried.
const TRIES: u32 = 60;
/// How many locks this process's counter writes are spread over.
const STRIPES: usize = 64;

pub(crate) fn store_error(err: mongodb::error::Error) -> StoreError {
    stackrush_store_mongo::store_error(err, &[])
}

/// Creates this context's indexes.
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let index = |keys: Document, name: &str, unique: bool| {
        let unique = unique.then(|| IndexOptions::builder().unique(true).build());
        stackrush_store_mongo::named_index(keys, name, unique)
    };
    let catalogue = |key: Option<&str>, name: &str| {
        let mut keys = doc! { "isActive": 1, "isPublic": 1 };
        if let Some(k) = key {
            keys.insert(k, -1);
        }
        keys.insert("createdAt", -1);
        keys.insert("_id", -1);
        index(keys, name, false)
    };
    db.collection::<Document>(TEMPLATES)
        .create_indexes([
            catalogue(None, "templates_newest"),
            catalogue(Some("stats.stars"), "templates_stars"),
            catalogue(Some("stats.downloads"), "templates_downloads"),
            catalogue(Some("stats.forks"), "templates_forks"),
            catalogue(Some("metadata.category"), "templates_category"),
            catalogue(Some("code.framework"), "templates_framework"),
            index(
                doc! { "author": 1, "isActive": 1, "createdAt": -1, "_id": -1 },
                "templates_author",
                false,
            ),
            index(
                doc! { "forkedFrom.template": 1, "isActive": 1, "createdAt": -1, "_id": -1 },
                "templates_forked_from",
                false,
            ),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(VERSIONS)
        .create_indexes([index(
            doc! { "template": 1, "number": -1 },
            "template_versions_number",
            true,
        )])
        .await
        .map_err(store_error)?;
    db.collection::<Document>(STARS)
        .create_indexes([
            index(
                doc! { "template": 1, "member": 1 },
                "template_stars_unique",
                true,
            ),
            index(
                doc! { "member": 1, "at": -1, "template": -1 },
                "template_stars_member",
                false,
            ),
        ])
        .await
        .map_err(store_error)?;
    projects::ensure_indexes(db).await
}

/// The templates context's store ports on `db` (indexed with [`ensure_indexes`]).
pub fn stores(db: &Database) -> Stores {
    Stores {
        templates: std::sync::Arc::new(MongoTemplates::new(db)),
        projects: std::sync::Arc::new(MongoProjects::new(db)),
    }
}

/// Templates, versions and stars in the `template*` collections.
#[derive(Debug, Clone)]
pub struct MongoTemplates {
    stripes: stackrush_store_mongo::Stripes,
    client: Client,
    templates: Collection<Document>,
    versions: Collection<Document>,
    stars: Collection<Document>,
}

impl MongoTemplates {
    /// The adapter over `db` (indexed with [`ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            stripes: stackrush_store_mongo::Stripes::new(STRIPES),
            client: db.client().clone(),
            templates: db.collection(TEMPLATES),
            versions: db.collection(VERSIONS),
            stars: db.collection(STARS),
        }
    }

    async fn transaction<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: for<'s> Fn(&'s mut ClientSession) -> Work<'s, T> + Send + Sync,
        T: Send,
    {
        stackrush_store_mongo::transaction(&self.client, TRIES, "templates", work).await
    }
}

pub(crate) fn code_doc(c: &Code) -> Document {
    doc! {
        "htmlCode": &c.html,
        "cssCode": &c.css,
        "jsCode": &c.js,
        "language": c.language.as_str(),
        "framework": c.framework.as_str(),
    }
}

fn template_doc(t: &Template) -> Document {
    doc! {
        "_id": oid(t.id.bytes()),
        "author": oid(t.author.bytes()),
        "title": &t.title,
        "description": &t.description,
        "code": code_doc(&t.code),
        "metadata": {
            "category": t.category.as_str(),
            "difficulty": t.difficulty.as_str(),
            "tags": &t.tags,
            "features": &t.features,
        },
        "stats": {
            "stars": n(t.stats.stars),
            "downloads": n(t.stats.downloads),
            "forks": n(t.stats.forks),
            "views": n(t.stats.views),
        },
        "version": i64::from(t.version),
        "forkedFrom": t.forked_from.map_or(Bson::Null, |o| Bson::Document(doc! {
            "template": oid(o.template.bytes()),
            "version": i64::from(o.version),
        })),
        "thumbnail": t.thumbnail.as_deref().map_or(Bson::Null, |u| Bson::String(u.to_owned())),
        "isPublic": t.is_public,
        "isActive": t.is_active,
        "createdAt": time(t.created_at),
        "updatedAt": time(t.updated_at),
    }
}

fn version_doc(v: &Version) -> Document {
    doc! {
        "template": oid(v.template.bytes()),
        "number": i64::from(v.number),
        "code": code_doc(&v.code),
        "createdAt": time(v.created_at),
    }
}

fn sub<'d>(d: &'d Document, key: &str) -> Result<&'d Document, StoreError> {
    d.get_document(key).map_err(|e| corrupt(key, e))
}

fn named<T>(d: &Document, key: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    let value = text(d, key)?;
    parse(&value).ok_or_else(|| corrupt(key, format!("unknown value {value:?}")))
}

pub(crate) fn whole(d: &Document, key: &str) -> Result<u32, StoreError> {
    let v = match d.get(key) {
        Some(Bson::Int32(v)) => i64::from(*v),
        Some(Bson::Int64(v)) => *v,
        other => return Err(corrupt(key, format!("{other:?}"))),
    };
    u32::try_from(v).map_err(|e| corrupt(key, e))
}

pub(crate) fn code_of(d: &Document) -> Result<Code, StoreError> {
    let c = sub(d, "code")?;
    Ok(Code {
        html: text(c, "htmlCode")?,
        css: text(c, "cssCode")?,
        js: text(c, "jsCode")?,
        language: named(c, "language", Language::parse)?,
        framework: named(c, "framework", Framework::parse)?,
    })
}

fn template_of(d: &Document) -> Result<Template, StoreError> {
    let meta = sub(d, "metadata")?;
    let stats = sub(d, "stats")?;
    let forked_from = match d.get("forkedFrom") {
        Some(Bson::Document(o)) => Some(Origin {
            template: id_of(o, "template", TemplateId::from_bytes)?,
            version: whole(o, "version")?,
        }),
        _ => None,
    };
    Ok(Template {
        id: id_of(d, "_id", TemplateId::from_bytes)?,
        author: id_of(d, "author", MemberId::from_bytes)?,
        title: text(d, "title")?,
        description: text(d, "description")?,
        code: code_of(d)?,
        category: named(meta, "category", Category::parse)?,
        difficulty: named(meta, "difficulty", Difficulty::parse)?,
        tags: texts(meta, "tags")?,
        features: texts(meta, "features")?,
        stats: Stats {
            stars: number(stats.get("stars")),
            downloads: number(stats.get("downloads")),
            forks: number(stats.get("forks")),
            views: number(stats.get("views")),
        },
        version: whole(d, "version")?,
        forked_from,
        thumbnail: d.get_str("thumbnail").ok().map(str::to_owned),
        is_public: d.get_bool("isPublic").map_err(|e| corrupt("isPublic", e))?,
        is_active: d.get_bool("isActive").map_err(|e| corrupt("isActive", e))?,
        created_at: datetime(d, "createdAt")?,
        updated_at: datetime(d, "updatedAt")?,
    })
}

fn version_of(d: &Document) -> Result<Version, StoreError> {
    Ok(Version {
        template: id_of(d, "template", TemplateId::from_bytes)?,
        number: whole(d, "number")?,
        code: code_of(d)?,
        created_at: datetime(d, "createdAt")?,
    })
}

fn list_filter(f: &TemplateFilter) -> Document {
    let mut d = doc! { "isActive": true };
    if f.visibility == Visibility::Public {
        d.insert("isPublic", true);
    }
    if let Some(a) = f.author {
        d.insert("author", oid(a.bytes()));
    }
    if let Some(c) = f.category {
        d.insert("metadata.category", c.as_str());
    }
    if let Some(fw) = f.framework {
        d.insert("code.framework", fw.as_str());
    }
    if let Some(x) = f.difficulty {
        d.insert("metadata.difficulty", x.as_str());
    }
    if let Some(l) = f.language {
        d.insert("code.language", l.as_str());
    }
    if let Some(t) = &f.tag {
        // Equality on an array field matches an element; `$eq` keeps the text literal.
        d.insert("metadata.tags", doc! { "$eq": t });
    }
    if let Some(o) = f.forked_from {
        d.insert("forkedFrom.template", oid(o.bytes()));
    }
    if let Some(s) = &f.search {
        let pattern = literal_regex(s);
        d.insert(
            "$or",
            vec![
                doc! { "title": { "$regex": &pattern, "$options": "i" } },
                doc! { "description": { "$regex": &pattern, "$options": "i" } },
            ],
        );
    }
    d
}

/// Inserts `t` and its current version in `session`.
async fn insert_with_version(
    templates: &Collection<Document>,
    versions: &Collection<Document>,
    session: &mut ClientSession,
    t: &Template,
) -> Result<(), mongodb::error::Error> {
    templates
        .insert_one(template_doc(t))
        .session(&mut *session)
        .await?;
    versions
        .insert_one(version_doc(&t.current_version()))
        .session(&mut *session)
        .await?;
    Ok(())
}

fn items(docs: &[Document]) -> Result<Vec<Template>, StoreError> {
    docs.iter().map(template_of).collect()
}

#[async_trait]
impl TemplateRepository for MongoTemplates {
    async fn insert(&self, template: &Template) -> Result<(), StoreError> {
        let (templates, versions, t) = (
            self.templates.clone(),
            self.versions.clone(),
            template.clone(),
        );
        self.transaction(move |s| {
            let (templates, versions, t) = (templates.clone(), versions.clone(), t.clone());
            Box::pin(async move { insert_with_version(&templates, &versions, s, &t).await })
        })
        .await
    }

    async fn get(&self, id: TemplateId) -> Result<Option<Template>, StoreError> {
        self.templates
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .as_ref()
            .map(template_of)
            .transpose()
    }

    async fn update(&self, template: &Template, based_on: u32) -> Result<Written, StoreError> {
        let t = template.clone();
        let id = oid(t.id.bytes());
        let set = doc! {
            "title": &t.title,
            "description": &t.description,
            "code": code_doc(&t.code),
            "metadata.category": t.category.as_str(),
            "metadata.difficulty": t.difficulty.as_str(),
            "metadata.tags": &t.tags,
            "metadata.features": &t.features,
            "isPublic": t.is_public,
            "version": i64::from(t.version),
            "updatedAt": time(t.updated_at),
        };
        let (templates, versions) = (self.templates.clone(), self.versions.clone());
        self.transaction(move |s| {
            let (templates, versions, set, t) =
                (templates.clone(), versions.clone(), set.clone(), t.clone());
            Box::pin(async move {
                let changed = templates
                    .update_one(
                        doc! { "_id": id, "isActive": true, "version": i64::from(based_on) },
                        doc! { "$set": set },
                    )
                    .session(&mut *s)
                    .await?;
                if changed.matched_count == 0 {
                    let live = templates
                        .find_one(doc! { "_id": id, "isActive": true })
                        .projection(doc! { "_id": 1 })
                        .session(&mut *s)
                        .await?;
                    return Ok(if live.is_some() {
                        Written::Stale
                    } else {
                        Written::Gone
                    });
                }
                if t.version > based_on {
                    versions
                        .insert_one(version_doc(&t.current_version()))
                        .session(&mut *s)
                        .await?;
                }
                Ok(Written::Done)
            })
        })
        .await
    }

    async fn delete(&self, id: TemplateId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = self
            .templates
            .update_one(
                doc! { "_id": oid(id.bytes()), "isActive": true },
                doc! { "$set": { "isActive": false, "updatedAt": time(at) } },
            )
            .await
            .map_err(store_error)?;
        Ok(changed.matched_count > 0)
    }

    async fn list(
        &self,
        filter: &TemplateFilter,
        sort: TemplateSort,
        page: PageRequest,
        known_total: Option<u64>,
    ) -> Result<Page<Template>, StoreError> {
        let mut order = match sort {
            TemplateSort::Newest => Document::new(),
            TemplateSort::Stars => doc! { "stats.stars": -1 },
            TemplateSort::Downloads => doc! { "stats.downloads": -1 },
            TemplateSort::Forks => doc! { "stats.forks": -1 },
        };
        order.insert("createdAt", -1);
        order.insert("_id", -1);
        let found = stackrush_store_mongo::find_page_knowing(
            &self.templates,
            list_filter(filter),
            order,
            page,
            known_total,
            &[],
        )
        .await?;
        found.try_map(|d| template_of(&d))
    }

    async fn versions(
        &self,
        template: TemplateId,
        page: PageRequest,
    ) -> Result<Page<Version>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.versions,
            doc! { "template": oid(template.bytes()) },
            doc! { "number": -1 },
            page,
            &[],
        )
        .await?;
        found.try_map(|d| version_of(&d))
    }

    async fn insert_fork(&self, fork: &Template) -> Result<bool, StoreError> {
        let Some(origin) = fork.forked_from else {
            return Ok(false);
        };
        let origin = oid(origin.template.bytes());
        let (templates, versions, t) =
            (self.templates.clone(), self.versions.clone(), fork.clone());
        let _turn = self.stripes.of(origin).lock().await;
        self.transaction(move |s| {
            let (templates, versions, t) = (templates.clone(), versions.clone(), t.clone());
            Box::pin(async move {
                let counted = templates
                    .update_one(
                        doc! { "_id": origin, "isActive": true },
                        doc! { "$inc": { "stats.forks": 1 } },
                    )
                    .session(&mut *s)
                    .await?;
                if counted.matched_count == 0 {
                    return Ok(false);
                }
                insert_with_version(&templates, &versions, s, &t).await?;
                Ok(true)
            })
        })
        .await
    }

    async fn toggle_star(
        &self,
        template: TemplateId,
        member: MemberId,
        at: DateTime<Utc>,
    ) -> Result<Option<Starred>, StoreError> {
        let (template, member) = (oid(template.bytes()), oid(member.bytes()));
        let (templates, stars) = (self.templates.clone(), self.stars.clone());
        let _turn = self.stripes.of(template).lock().await;
        self.transaction(move |s| {
            let (templates, stars) = (templates.clone(), stars.clone());
            Box::pin(async move {
                let live = templates
                    .find_one(doc! { "_id": template, "isActive": true })
                    .projection(doc! { "_id": 1 })
                    .session(&mut *s)
                    .await?;
                if live.is_none() {
                    return Ok(None);
                }
                let key = doc! { "template": template, "member": member };
                let removed = stars.delete_one(key.clone()).session(&mut *s).await?;
                let starred = removed.deleted_count == 0;
                if starred {
                    let mut row = key;
                    row.insert("at", time(at));
                    stars.insert_one(row).session(&mut *s).await?;
                }
                let delta: i64 = if starred { 1 } else { -1 };
                let after = templates
                    .find_one_and_update(
                        doc! { "_id": template },
                        doc! { "$inc": { "stats.stars": delta } },
                    )
                    .return_document(ReturnDocument::After)
                    .projection(doc! { "stats.stars": 1 })
                    .session(&mut *s)
                    .await?;
                let stars = after
                    .as_ref()
                    .and_then(|d| d.get_document("stats").ok())
                    .map_or(0, |st| number(st.get("stars")));
                Ok(Some(Starred { starred, stars }))
            })
        })
        .await
    }

    async fn starred_among(
        &self,
        member: MemberId,
        templates: &[TemplateId],
    ) -> Result<HashSet<TemplateId>, StoreError> {
        if templates.is_empty() {
            return Ok(HashSet::new());
        }
        let ids: Vec<ObjectId> = templates.iter().map(|t| oid(t.bytes())).collect();
        let docs: Vec<Document> = self
            .stars
            .find(doc! { "member": oid(member.bytes()), "template": { "$in": ids } })
            .projection(doc! { "template": 1, "_id": 0 })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        docs.iter()
            .map(|d| id_of(d, "template", TemplateId::from_bytes))
            .collect()
    }

    async fn starred(
        &self,
        member: MemberId,
        page: PageRequest,
    ) -> Result<Page<Template>, StoreError> {
        let member = oid(member.bytes());
        // The member's stars joined with their templates, kept while live and visible to them.
        let joined = vec![
            doc! { "$match": { "member": member } },
            doc! { "$lookup": {
                "from": TEMPLATES,
                "localField": "template",
                "foreignField": "_id",
                "as": "t",
            } },
            doc! { "$unwind": "$t" },
            doc! { "$match": {
                "t.isActive": true,
                "$or": [ { "t.isPublic": true }, { "t.author": member } ],
            } },
        ];
        let mut counting = joined.clone();
        counting.push(doc! { "$count": "n" });
        let counted: Vec<Document> = self
            .stars
            .aggregate(counting)
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        let total = counted.first().map_or(0, |d| number(d.get("n")));
        let mut paging = joined;
        paging.extend([
            doc! { "$sort": { "at": -1, "template": -1 } },
            doc! { "$skip": i64::try_from(page.offset()).unwrap_or(i64::MAX) },
            doc! { "$limit": i64::from(page.limit()) },
            doc! { "$replaceRoot": { "newRoot": "$t" } },
        ]);
        let docs: Vec<Document> = self
            .stars
            .aggregate(paging)
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(Page {
            items: items(&docs)?,
            request: page,
            total,
        })
    }

    async fn set_thumbnail(
        &self,
        template: TemplateId,
        url: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Option<String>>, StoreError> {
        let before = self
            .templates
            .find_one_and_update(
                doc! { "_id": oid(template.bytes()), "isActive": true },
                doc! { "$set": { "thumbnail": url, "updatedAt": time(at) } },
            )
            .return_document(ReturnDocument::Before)
            .projection(doc! { "thumbnail": 1 })
            .await
            .map_err(store_error)?;
        Ok(before.map(|d| d.get_str("thumbnail").ok().map(str::to_owned)))
    }

    async fn count(
        &self,
        template: TemplateId,
        counter: Counter,
    ) -> Result<Option<u64>, StoreError> {
        let field = match counter {
            Counter::Downloads => "downloads",
            Counter::Views => "views",
        };
        let after = self
            .templates
            .find_one_and_update(
                doc! { "_id": oid(template.bytes()), "isActive": true },
                doc! { "$inc": { format!("stats.{field}"): 1_i64 } },
            )
            .return_document(ReturnDocument::After)
            .projection(doc! { "stats": 1 })
            .await
            .map_err(store_error)?;
        Ok(after.map(|d| {
            d.get_document("stats")
                .ok()
                .map_or(0, |s| number(s.get(field)))
        }))
    }

    async fn facets(&self, kind: FacetKind) -> Result<HashMap<String, u64>, StoreError> {
        let field = match kind {
            FacetKind::Category => "$metadata.category",
            FacetKind::Framework => "$code.framework",
        };
        let groups: Vec<Document> = self
            .templates
            .aggregate([
                doc! { "$match": { "isActive": true, "isPublic": true } },
                doc! { "$group": { "_id": field, "n": { "$sum": 1 } } },
            ])
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        Ok(groups
            .iter()
            .filter_map(|g| Some((g.get_str("_id").ok()?.to_owned(), number(g.get("n")))))
            .collect())
    }
}
