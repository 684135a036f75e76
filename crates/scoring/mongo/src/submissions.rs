//! Submissions in the `submissions` collection.

use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{doc, DateTime as BsonTime, Document};
use stackrush_kernel::{Page, PageRequest, StoreError};
use stackrush_scoring::ports::SubmissionRepository;
use stackrush_scoring::{
    PlayerId, Simulation, Submission, SubmissionFacts, SubmissionFilter, SubmissionId,
    SubmissionSort,
};

use serde::Deserialize;
use stackrush_scoring::{Language, RunStatus};
use stackrush_store_mongo::corrupt;

use crate::documents::SubmissionDoc;
use crate::{oid, store_error, u, MongoScoring, SUBMISSIONS};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FactsExecution {
    status: String,
    score: f64,
    execution_time: Option<i64>,
}

/// The fields statistics read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FactsDoc {
    language: String,
    difficulty: String,
    #[serde(default)]
    challenge_type: String,
    #[serde(default)]
    lines: i64,
    #[serde(default)]
    success: bool,
    execution: FactsExecution,
    created_at: BsonTime,
}

fn filter_doc(f: &SubmissionFilter) -> Document {
    let mut filter = Document::new();
    if let Some(p) = f.player {
        filter.insert("user", oid(p.bytes()));
    }
    if let Some(c) = f.challenge {
        filter.insert("challenge", oid(c.bytes()));
    }
    if let Some(l) = f.language {
        filter.insert("language", l.as_str());
    }
    if let Some(s) = f.status {
        filter.insert("execution.status", s.as_str());
    }
    let mut score = Document::new();
    if let Some(m) = f.min_score {
        score.insert("$gte", m);
    }
    if let Some(m) = f.max_score {
        score.insert("$lte", m);
    }
    if !score.is_empty() {
        filter.insert("execution.score", score);
    }
    let mut created = Document::new();
    if let Some(t) = f.from {
        created.insert("$gte", BsonTime::from_chrono(t));
    }
    if let Some(t) = f.to {
        created.insert("$lte", BsonTime::from_chrono(t));
    }
    if !created.is_empty() {
        filter.insert("createdAt", created);
    }
    filter
}

#[async_trait]
impl SubmissionRepository for MongoScoring {
    async fn insert(&self, s: &Submission) -> Result<(), StoreError> {
        self.collection::<SubmissionDoc>(SUBMISSIONS)
            .insert_one(SubmissionDoc::from(s))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find(&self, id: SubmissionId) -> Result<Option<Submission>, StoreError> {
        self.collection::<SubmissionDoc>(SUBMISSIONS)
            .find_one(doc! { "_id": oid(id.bytes()) })
            .await
            .map_err(store_error)?
            .map(Submission::try_from)
            .transpose()
    }

    async fn list(
        &self,
        filter: &SubmissionFilter,
        page: PageRequest,
    ) -> Result<Page<Submission>, StoreError> {
        let field = match filter.sort {
            SubmissionSort::CreatedAt => "createdAt",
            SubmissionSort::Score => "execution.score",
            SubmissionSort::ExecutionTime => "execution.executionTime",
        };
        let direction = if filter.descending { -1 } else { 1 };
        let found = stackrush_store_mongo::find_page(
            &self.collection::<SubmissionDoc>(SUBMISSIONS),
            filter_doc(filter),
            doc! { field: direction, "_id": -1 },
            page,
            &[],
        )
        .await?;
        let Page {
            items,
            request,
            total,
        } = found;
        Ok(Page {
            items: items
                .into_iter()
                .map(Submission::try_from)
                .collect::<Result<_, _>>()?,
            request,
            total,
        })
    }

    async fn delete(&self, id: SubmissionId, player: PlayerId) -> Result<bool, StoreError> {
        let done = self
            .collection::<SubmissionDoc>(SUBMISSIONS)
            .delete_one(doc! { "_id": oid(id.bytes()), "user": oid(player.bytes()) })
            .await
            .map_err(store_error)?;
        Ok(done.deleted_count == 1)
    }

    async fn set_simulation(
        &self,
        id: SubmissionId,
        player: PlayerId,
        simulation: &Simulation,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError> {
        let simulation =
            mongodb::bson::to_bson(simulation).map_err(|e| corrupt("simulation", e))?;
        let done = self
            .collection::<SubmissionDoc>(SUBMISSIONS)
            .update_one(
                doc! { "_id": oid(id.bytes()), "user": oid(player.bytes()) },
                doc! { "$set": { "simulation": simulation, "updatedAt": BsonTime::from_chrono(now) } },
            )
            .await
            .map_err(store_error)?;
        Ok(done.matched_count == 1)
    }

    async fn facts(&self, player: PlayerId) -> Result<Vec<SubmissionFacts>, StoreError> {
        let docs: Vec<FactsDoc> = self
            .collection::<FactsDoc>(SUBMISSIONS)
            .find(doc! { "user": oid(player.bytes()) })
            .projection(doc! {
                "language": 1, "difficulty": 1, "challengeType": 1, "lines": 1, "success": 1, "execution.status": 1, "execution.score": 1,
                "execution.executionTime": 1, "createdAt": 1,
            })
            .await
            .map_err(store_error)?
            .try_collect()
            .await
            .map_err(store_error)?;
        docs.into_iter()
            .map(|d| {
                Ok(SubmissionFacts {
                    language: Language::parse(&d.language)
                        .ok_or_else(|| corrupt("language", &d.language))?,
                    difficulty: d.difficulty,
                    challenge_type: d.challenge_type,
                    lines: u32::try_from(d.lines).unwrap_or(0),
                    success: d.success,
                    status: RunStatus::parse(&d.execution.status)
                        .ok_or_else(|| corrupt("status", &d.execution.status))?,
                    score: d.execution.score,
                    execution_time: d.execution.execution_time.map(u),
                    created_at: d.created_at.to_chrono(),
                })
            })
            .collect()
    }
}
