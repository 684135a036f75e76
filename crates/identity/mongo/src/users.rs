use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, to_bson, Bson, Document};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use stackrush_identity::ports::UserRepository;
use stackrush_identity::{username_key, Role, User, UserFilter, UserId, UserPatch};
use stackrush_kernel::{Page, PageRequest, StoreError};

use crate::documents::{bson_time, oid, PreferencesDoc, ProfileDoc, UserDoc};
use stackrush_store_mongo::literal_regex;

use crate::{corrupt, store_error, USERS};

/// Users in the `users` collection.
#[derive(Debug, Clone)]
pub struct MongoUsers {
    collection: Collection<UserDoc>,
}

impl MongoUsers {
    /// The adapter over `db` (indexed with [`crate::ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            collection: db.collection(USERS),
        }
    }

    async fn find_one(&self, filter: Document) -> Result<Option<User>, StoreError> {
        self.collection
            .find_one(filter)
            .await
            .map_err(store_error)?
            .map(User::try_from)
            .transpose()
    }
}

fn bson<T: serde::Serialize>(value: &T, what: &str) -> Result<Bson, StoreError> {
    to_bson(value).map_err(|e| corrupt(what, e))
}

fn roles(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(Role::as_str).collect()
}

#[async_trait]
impl UserRepository for MongoUsers {
    async fn insert(&self, user: &User) -> Result<(), StoreError> {
        self.collection
            .insert_one(UserDoc::from(user))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.find_one(doc! { "_id": oid(id.bytes()) }).await
    }

    async fn find_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<_> = ids.iter().map(|id| oid(id.bytes())).collect();
        let docs: Vec<UserDoc> = self
            .collection
            .find(doc! { "_id": { "$in": keys } })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        docs.into_iter().map(User::try_from).collect()
    }

    async fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        self.find_one(doc! { "email": email }).await
    }

    async fn find_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.find_one(doc! { "usernameKey": username_key(username) })
            .await
    }

    async fn update(
        &self,
        id: UserId,
        patch: &UserPatch,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut set = doc! { "updatedAt": bson_time(now) };
        if let Some(profile) = &patch.profile {
            set.insert("profile", bson(&ProfileDoc::from(profile), "profile")?);
        }
        if let Some(preferences) = &patch.preferences {
            set.insert(
                "preferences",
                bson(&PreferencesDoc::from(preferences), "preferences")?,
            );
        }
        if let Some(hash) = &patch.password_hash {
            set.insert("password", hash.as_str());
        }
        if let Some(verified) = patch.email_verified {
            set.insert("emailVerified", verified);
        }
        if let Some(r) = &patch.roles {
            set.insert("roles", roles(r));
        }
        if let Some(active) = patch.is_active {
            set.insert("isActive", active);
        }
        if let Some(deleted_at) = patch.deleted_at {
            set.insert("deletedAt", bson_time(deleted_at));
        }
        let mut update = doc! { "$set": set };
        if patch.bump_token_version {
            update.insert("$inc", doc! { "tokenVersion": 1_i64 });
        }
        self.collection
            .find_one_and_update(doc! { "_id": oid(id.bytes()) }, update)
            .return_document(ReturnDocument::After)
            .await
            .map_err(store_error)?
            .map(User::try_from)
            .transpose()
    }

    async fn list(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>, StoreError> {
        let mut query = Document::new();
        if !filter.include_deleted {
            query.insert("deletedAt", Bson::Null);
        }
        if let Some(search) = &filter.search {
            let pattern = literal_regex(&search.to_lowercase());
            query.insert(
                "$or",
                vec![
                    doc! { "usernameKey": { "$regex": &pattern } },
                    doc! { "email": { "$regex": &pattern } },
                ],
            );
        }
        if let Some(role) = filter.role {
            query.insert("roles", role.as_str());
        }
        if let Some(active) = filter.is_active {
            query.insert("isActive", active);
        }
        if let Some(verified) = filter.email_verified {
            query.insert("emailVerified", verified);
        }
        let page = stackrush_store_mongo::find_page(
            &self.collection,
            query,
            doc! { "createdAt": -1, "_id": -1 },
            page,
            &[],
        )
        .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(User::try_from)
                .collect::<Result<_, _>>()?,
            request: page.request,
            total: page.total,
        })
    }
}
