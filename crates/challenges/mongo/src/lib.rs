//! MongoDB adapter of the challenges ports, written to MongoDB's documented semantics: a unique
//! index decides slugs, single-document updates keep edits atomic, and the stats sub-document is
//! never touched by content edits. [`ensure_indexes`] is idempotent and runs at every start.
//! [`tallies`] moves a challenge's statistics inside another writer's transaction (the scoring
//! commit's).

pub mod tallies;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{doc, to_bson, Bson, DateTime as BsonTime, Document};
use mongodb::options::IndexOptions;
use mongodb::{Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};
use stackrush_challenges::ports::ChallengeRepository;
use stackrush_challenges::{
    ApiSpec, AuthorId, Challenge, ChallengeFilter, ChallengeId, ChallengeStats, ChallengeType,
    Code, Content, Difficulty, Scenario, SortKey, StarterProject, Visibility,
};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_store_mongo::{corrupt, literal_regex};

const CHALLENGES: &str = "challenges";

fn store_error(err: mongodb::error::Error) -> StoreError {
    stackrush_store_mongo::store_error(err, &[("challenges_slug_unique", "slug")])
}

/// Creates this context's indexes.
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let named = |name: &str, unique: bool| {
        IndexOptions::builder()
            .name(name.to_owned())
            .unique(unique)
            .build()
    };
    db.collection::<ChallengeDoc>(CHALLENGES)
        .create_indexes([
            IndexModel::builder()
                .keys(doc! { "slug": 1 })
                .options(named("challenges_slug_unique", true))
                .build(),
            IndexModel::builder()
                .keys(doc! { "deletedAt": 1, "isPublic": 1, "isActive": 1, "createdAt": -1 })
                .options(named("challenges_visible_created", false))
                .build(),
            IndexModel::builder()
                .keys(doc! { "category": 1 })
                .options(named("challenges_category", false))
                .build(),
            IndexModel::builder()
                .keys(doc! { "tags": 1 })
                .options(named("challenges_tags", false))
                .build(),
            IndexModel::builder()
                .keys(doc! { "author": 1 })
                .options(named("challenges_author", false))
                .build(),
            IndexModel::builder()
                .keys(doc! { "stats.popularityScore": -1 })
                .options(named("challenges_popularity", false))
                .build(),
        ])
        .await
        .map_err(store_error)?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatsDoc {
    total_attempts: i64,
    successful_attempts: i64,
    average_time: f64,
    average_score: f64,
    popularity_score: f64,
}

impl From<&ChallengeStats> for StatsDoc {
    fn from(s: &ChallengeStats) -> Self {
        Self {
            total_attempts: i64::try_from(s.total_attempts).unwrap_or(i64::MAX),
            successful_attempts: i64::try_from(s.successful_attempts).unwrap_or(i64::MAX),
            average_time: s.average_time,
            average_score: s.average_score,
            popularity_score: s.popularity_score,
        }
    }
}

impl From<StatsDoc> for ChallengeStats {
    fn from(d: StatsDoc) -> Self {
        Self {
            total_attempts: u64::try_from(d.total_attempts).unwrap_or(0),
            successful_attempts: u64::try_from(d.successful_attempts).unwrap_or(0),
            average_time: d.average_time,
            average_score: d.average_score,
            popularity_score: d.popularity_score,
        }
    }
}

/// A challenge document; field names follow the architecture document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChallengeDoc {
    #[serde(rename = "_id")]
    id: ObjectId,
    title: String,
    slug: String,
    description: String,
    #[serde(rename = "type")]
    kind: String,
    difficulty: String,
    difficulty_rank: i32,
    category: String,
    tags: Vec<String>,
    time_limit: i64,
    content: Content,
    code: Code,
    scenario: Scenario,
    /// Absent on documents written before backend-API challenges existed.
    #[serde(default)]
    api: ApiSpec,
    /// Absent on documents written before multi-file challenges existed.
    #[serde(default)]
    project: StarterProject,
    stats: StatsDoc,
    author: ObjectId,
    is_public: bool,
    is_active: bool,
    deleted_at: Option<BsonTime>,
    created_at: BsonTime,
    updated_at: BsonTime,
}

impl From<&Challenge> for ChallengeDoc {
    fn from(c: &Challenge) -> Self {
        Self {
            id: ObjectId::from_bytes(c.id.bytes()),
            title: c.title.clone(),
            slug: c.slug.clone(),
            description: c.description.clone(),
            kind: c.kind.as_str().to_owned(),
            difficulty: c.difficulty.as_str().to_owned(),
            difficulty_rank: i32::from(c.difficulty.rank()),
            category: c.category.clone(),
            tags: c.tags.clone(),
            time_limit: i64::from(c.time_limit),
            content: c.content.clone(),
            code: c.code.clone(),
            scenario: c.scenario.clone(),
            api: c.api.clone(),
            project: c.project.clone(),
            stats: StatsDoc::from(&c.stats),
            author: ObjectId::from_bytes(c.author.bytes()),
            is_public: c.is_public,
            is_active: c.is_active,
            deleted_at: c.deleted_at.map(BsonTime::from_chrono),
            created_at: BsonTime::from_chrono(c.created_at),
            updated_at: BsonTime::from_chrono(c.updated_at),
        }
    }
}

impl TryFrom<ChallengeDoc> for Challenge {
    type Error = StoreError;

    fn try_from(d: ChallengeDoc) -> Result<Self, StoreError> {
        Ok(Self {
            id: ChallengeId::from_bytes(d.id.bytes()),
            kind: ChallengeType::parse(&d.kind).ok_or_else(|| corrupt("type", &d.kind))?,
            difficulty: Difficulty::parse(&d.difficulty)
                .ok_or_else(|| corrupt("difficulty", &d.difficulty))?,
            time_limit: u32::try_from(d.time_limit).map_err(|e| corrupt("timeLimit", e))?,
            title: d.title,
            slug: d.slug,
            description: d.description,
            category: d.category,
            tags: d.tags,
            content: d.content,
            code: d.code,
            scenario: d.scenario,
            api: d.api,
            project: d.project,
            stats: d.stats.into(),
            author: AuthorId::from_bytes(d.author.bytes()),
            is_public: d.is_public,
            is_active: d.is_active,
            deleted_at: d.deleted_at.map(BsonTime::to_chrono),
            created_at: d.created_at.to_chrono(),
            updated_at: d.updated_at.to_chrono(),
        })
    }
}

/// Challenges in the `challenges` collection.
#[derive(Debug, Clone)]
pub struct MongoChallenges {
    collection: Collection<ChallengeDoc>,
}

impl MongoChallenges {
    /// The adapter over `db` (indexed with [`ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            collection: db.collection(CHALLENGES),
        }
    }

    async fn find_one(&self, filter: Document) -> Result<Option<Challenge>, StoreError> {
        self.collection
            .find_one(filter)
            .await
            .map_err(store_error)?
            .map(Challenge::try_from)
            .transpose()
    }
}

fn bson<T: Serialize>(value: &T, what: &str) -> Result<Bson, StoreError> {
    to_bson(value).map_err(|e| corrupt(what, e))
}

fn visible_only(visibility: Visibility) -> Document {
    let public = doc! { "isPublic": true, "isActive": true };
    match visibility {
        Visibility::Everything => doc! { "deletedAt": Bson::Null },
        Visibility::Public { also_author: None } => {
            doc! { "deletedAt": Bson::Null, "isPublic": true, "isActive": true }
        }
        Visibility::Public {
            also_author: Some(author),
        } => doc! {
            "deletedAt": Bson::Null,
            "$or": [public, { "author": ObjectId::from_bytes(author.bytes()) }],
        },
    }
}

fn query(f: &ChallengeFilter, visibility: Visibility) -> Document {
    let mut all = vec![visible_only(visibility)];
    if let Some(kind) = f.kind {
        all.push(doc! { "type": kind.as_str() });
    }
    if let Some(difficulty) = f.difficulty {
        all.push(doc! { "difficulty": difficulty.as_str() });
    }
    if let Some(category) = &f.category {
        all.push(doc! { "category": category.as_str() });
    }
    if !f.tags.is_empty() {
        all.push(doc! { "tags": { "$in": f.tags.clone() } });
    }
    if let Some(limit) = f.max_time_limit {
        all.push(doc! { "timeLimit": { "$lte": i64::from(limit) } });
    }
    if let Some(author) = f.author {
        all.push(doc! { "author": ObjectId::from_bytes(author.bytes()) });
    }
    if let Some(search) = &f.search {
        let pattern = literal_regex(search);
        all.push(doc! { "$or": [
            { "title": { "$regex": &pattern, "$options": "i" } },
            { "description": { "$regex": &pattern, "$options": "i" } },
            { "tags": { "$regex": &pattern, "$options": "i" } },
        ] });
    }
    doc! { "$and": all }
}

fn sort(f: &ChallengeFilter) -> Document {
    let field = match f.sort {
        SortKey::CreatedAt => "createdAt",
        SortKey::Title => "title",
        SortKey::Difficulty => "difficultyRank",
        SortKey::Popularity => "stats.popularityScore",
        SortKey::TotalAttempts => "stats.totalAttempts",
        SortKey::AverageScore => "stats.averageScore",
    };
    let mut order = Document::new();
    order.insert(field, if f.descending { -1 } else { 1 });
    order.insert("_id", -1);
    order
}

#[async_trait]
impl ChallengeRepository for MongoChallenges {
    async fn insert(&self, challenge: &Challenge) -> Result<(), StoreError> {
        self.collection
            .insert_one(ChallengeDoc::from(challenge))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find_by_id(&self, id: ChallengeId) -> Result<Option<Challenge>, StoreError> {
        self.find_one(doc! { "_id": ObjectId::from_bytes(id.bytes()) })
            .await
    }

    async fn find_by_slug(&self, slug: &str) -> Result<Option<Challenge>, StoreError> {
        self.find_one(doc! { "slug": slug }).await
    }

    async fn replace_content(&self, c: &Challenge) -> Result<bool, StoreError> {
        let d = ChallengeDoc::from(c);
        let set = doc! {
            "title": d.title, "slug": d.slug, "description": d.description, "type": d.kind,
            "difficulty": d.difficulty, "difficultyRank": d.difficulty_rank, "category": d.category,
            "tags": d.tags, "timeLimit": d.time_limit,
            "content": bson(&d.content, "content")?, "code": bson(&d.code, "code")?,
            "scenario": bson(&d.scenario, "scenario")?,
            "api": bson(&d.api, "api")?, "project": bson(&d.project, "project")?,
            "isPublic": d.is_public, "isActive": d.is_active, "updatedAt": d.updated_at,
        };
        let done = self
            .collection
            .update_one(doc! { "_id": d.id }, doc! { "$set": set })
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn soft_delete(&self, id: ChallengeId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let at = BsonTime::from_chrono(at);
        let done = self
            .collection
            .update_one(
                doc! { "_id": ObjectId::from_bytes(id.bytes()), "deletedAt": Bson::Null },
                doc! { "$set": { "deletedAt": at, "updatedAt": at } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.modified_count == 1)
    }

    async fn list(
        &self,
        f: &ChallengeFilter,
        visibility: Visibility,
        page: PageRequest,
    ) -> Result<Page<Challenge>, StoreError> {
        let found = stackrush_store_mongo::find_page(
            &self.collection,
            query(f, visibility),
            sort(f),
            page,
            &[],
        )
        .await?;
        found.try_map(Challenge::try_from)
    }

    async fn category_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let pipeline = [
            doc! { "$match": visible_only(Visibility::Public { also_author: None }) },
            doc! { "$group": { "_id": "$category", "n": { "$sum": 1 } } },
            doc! { "$sort": { "n": -1, "_id": 1 } },
        ];
        let rows: Vec<Document> = self
            .collection
            .aggregate(pipeline)
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let category = row
                    .get_str("_id")
                    .map_err(|e| corrupt("category", e))?
                    .to_owned();
                let n = match row.get("n") {
                    Some(Bson::Int32(n)) => i64::from(*n),
                    Some(Bson::Int64(n)) => *n,
                    Some(Bson::Double(n)) => *n as i64,
                    other => return Err(corrupt("category count", format!("{other:?}"))),
                };
                Ok((category, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }
}
