//! Projects in the `projects` collection. Saves are conditional on the version they were based
//! on (one `update_one` filtered by it); share links are unique by a sparse index, and an
//! unshared project has no `share` field at all.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mongodb::bson::{doc, Bson, Document};
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Collection, Database};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_mongo::fields::{count as number, datetime, id_of, n, oid, text, time};
use stackrush_store_mongo::{corrupt, named_index};
use stackrush_templates::ports::Written;
use stackrush_templates::project::{Project, ProjectId, ProjectRepository};
use stackrush_templates::{MemberId, TemplateId};

use crate::{code_doc, code_of, store_error, whole};

pub(crate) const PROJECTS: &str = "projects";

/// Creates the projects' indexes.
pub(crate) async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let share = IndexOptions::builder().unique(true).sparse(true).build();
    db.collection::<Document>(PROJECTS)
        .create_indexes([
            named_index(doc! { "share": 1 }, "projects_share", Some(share)),
            named_index(
                doc! { "owner": 1, "isActive": 1, "updatedAt": -1, "_id": -1 },
                "projects_owner",
                None,
            ),
        ])
        .await
        .map_err(store_error)?;
    Ok(())
}

/// Projects in the `projects` collection.
#[derive(Debug, Clone)]
pub struct MongoProjects {
    projects: Collection<Document>,
}

impl MongoProjects {
    /// The adapter over `db` (indexed with [`crate::ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            projects: db.collection(PROJECTS),
        }
    }

    async fn one(&self, filter: Document) -> Result<Option<Project>, StoreError> {
        self.projects
            .find_one(filter)
            .await
            .map_err(store_error)?
            .as_ref()
            .map(project_of)
            .transpose()
    }
}

fn optional_id<T>(
    d: &Document,
    key: &str,
    make: fn([u8; 12]) -> T,
) -> Result<Option<T>, StoreError> {
    match d.get(key) {
        None | Some(Bson::Null) => Ok(None),
        Some(_) => id_of(d, key, make).map(Some),
    }
}

fn project_doc(p: &Project) -> Document {
    let mut d = doc! {
        "_id": oid(p.id.bytes()),
        "owner": oid(p.owner.bytes()),
        "title": &p.title,
        "code": code_doc(&p.code),
        "template": p.template.map_or(Bson::Null, |t| Bson::ObjectId(oid(t.bytes()))),
        "forkedFrom": p.forked_from.map_or(Bson::Null, |f| Bson::ObjectId(oid(f.bytes()))),
        "version": i64::from(p.version),
        "views": n(p.views),
        "isActive": p.is_active,
        "createdAt": time(p.created_at),
        "updatedAt": time(p.updated_at),
    };
    if let Some(slug) = &p.share {
        d.insert("share", slug);
    }
    d
}

fn project_of(d: &Document) -> Result<Project, StoreError> {
    Ok(Project {
        id: id_of(d, "_id", ProjectId::from_bytes)?,
        owner: id_of(d, "owner", MemberId::from_bytes)?,
        title: text(d, "title")?,
        code: code_of(d)?,
        template: optional_id(d, "template", TemplateId::from_bytes)?,
        forked_from: optional_id(d, "forkedFrom", ProjectId::from_bytes)?,
        version: whole(d, "version")?,
        share: d.get_str("share").ok().map(str::to_owned),
        views: number(d.get("views")),
        is_active: d.get_bool("isActive").map_err(|e| corrupt("isActive", e))?,
        created_at: datetime(d, "createdAt")?,
        updated_at: datetime(d, "updatedAt")?,
    })
}

#[async_trait]
impl ProjectRepository for MongoProjects {
    async fn insert(&self, project: &Project) -> Result<(), StoreError> {
        self.projects
            .insert_one(project_doc(project))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn get(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        self.one(doc! { "_id": oid(id.bytes()) }).await
    }

    async fn shared(&self, slug: &str) -> Result<Option<Project>, StoreError> {
        self.one(doc! { "share": slug, "isActive": true }).await
    }

    async fn update(&self, p: &Project, based_on: u32) -> Result<Written, StoreError> {
        let id = oid(p.id.bytes());
        let changed = self
            .projects
            .update_one(
                doc! { "_id": id, "isActive": true, "version": i64::from(based_on) },
                doc! { "$set": {
                    "title": &p.title,
                    "code": code_doc(&p.code),
                    "version": i64::from(p.version),
                    "updatedAt": time(p.updated_at),
                } },
            )
            .await
            .map_err(store_error)?;
        if changed.matched_count > 0 {
            return Ok(Written::Done);
        }
        Ok(match self.get(p.id).await? {
            Some(stored) if stored.is_active => Written::Stale,
            _ => Written::Gone,
        })
    }

    async fn delete(&self, id: ProjectId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let changed = self
            .projects
            .update_one(
                doc! { "_id": oid(id.bytes()), "isActive": true },
                doc! { "$set": { "isActive": false, "updatedAt": time(at) }, "$unset": { "share": "" } },
            )
            .await
            .map_err(store_error)?;
        Ok(changed.matched_count > 0)
    }

    async fn list(&self, owner: MemberId, page: PageRequest) -> Result<Page<Project>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.projects,
            doc! { "owner": oid(owner.bytes()), "isActive": true },
            doc! { "updatedAt": -1, "_id": -1 },
            page,
            &[],
        )
        .await?;
        found.try_map(|d| project_of(&d))
    }

    async fn share(&self, id: ProjectId, slug: &str) -> Result<Option<String>, StoreError> {
        let id = oid(id.bytes());
        // Set only where none is set; otherwise (or after a racing share) the stored one.
        self.projects
            .update_one(
                doc! { "_id": id, "isActive": true, "share": { "$exists": false } },
                doc! { "$set": { "share": slug } },
            )
            .await
            .map_err(store_error)?;
        let stored = self
            .projects
            .find_one(doc! { "_id": id, "isActive": true })
            .projection(doc! { "share": 1 })
            .await
            .map_err(store_error)?;
        Ok(stored.and_then(|d| d.get_str("share").ok().map(str::to_owned)))
    }

    async fn unshare(&self, id: ProjectId) -> Result<bool, StoreError> {
        let changed = self
            .projects
            .update_one(
                doc! { "_id": oid(id.bytes()), "isActive": true },
                doc! { "$unset": { "share": "" } },
            )
            .await
            .map_err(store_error)?;
        Ok(changed.matched_count > 0)
    }

    async fn count_view(&self, slug: &str) -> Result<Option<u64>, StoreError> {
        let after = self
            .projects
            .find_one_and_update(
                doc! { "share": slug, "isActive": true },
                doc! { "$inc": { "views": 1_i64 } },
            )
            .return_document(ReturnDocument::After)
            .projection(doc! { "views": 1 })
            .await
            .map_err(store_error)?;
        Ok(after.map(|d| number(d.get("views"))))
    }
}
