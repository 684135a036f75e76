//! Attempts in the `attempts` collection.

use async_trait::async_trait;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{doc, DateTime as BsonTime};
use serde::{Deserialize, Serialize};
use stackrush_kernel::StoreError;
use stackrush_scoring::ports::AttemptRepository;
use stackrush_scoring::{Attempt, AttemptId, ChallengeRef, DistractionLevel, Mode, PlayerId};
use stackrush_store_mongo::corrupt;

use crate::{store_error, MongoScoring, ATTEMPTS};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AttemptDoc {
    #[serde(rename = "_id")]
    id: ObjectId,
    user: ObjectId,
    challenge: ObjectId,
    mode: String,
    distraction_level: String,
    started_at: BsonTime,
    expires_at: BsonTime,
    nonce: String,
}

impl From<&Attempt> for AttemptDoc {
    fn from(a: &Attempt) -> Self {
        Self {
            id: ObjectId::from_bytes(a.id.bytes()),
            user: ObjectId::from_bytes(a.player.bytes()),
            challenge: ObjectId::from_bytes(a.challenge.bytes()),
            mode: a.mode.as_str().to_owned(),
            distraction_level: a.distraction_level.as_str().to_owned(),
            started_at: BsonTime::from_chrono(a.started_at),
            expires_at: BsonTime::from_chrono(a.expires_at),
            nonce: a.nonce.clone(),
        }
    }
}

impl TryFrom<AttemptDoc> for Attempt {
    type Error = StoreError;

    fn try_from(d: AttemptDoc) -> Result<Self, StoreError> {
        Ok(Self {
            id: AttemptId::from_bytes(d.id.bytes()),
            player: PlayerId::from_bytes(d.user.bytes()),
            challenge: ChallengeRef::from_bytes(d.challenge.bytes()),
            mode: Mode::parse(&d.mode).ok_or_else(|| corrupt("mode", &d.mode))?,
            distraction_level: DistractionLevel::parse(&d.distraction_level)
                .ok_or_else(|| corrupt("distraction level", &d.distraction_level))?,
            started_at: d.started_at.to_chrono(),
            expires_at: d.expires_at.to_chrono(),
            nonce: d.nonce,
        })
    }
}

#[async_trait]
impl AttemptRepository for MongoScoring {
    async fn insert(&self, attempt: &Attempt) -> Result<(), StoreError> {
        self.collection::<AttemptDoc>(ATTEMPTS)
            .insert_one(AttemptDoc::from(attempt))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find(&self, id: AttemptId) -> Result<Option<Attempt>, StoreError> {
        self.collection::<AttemptDoc>(ATTEMPTS)
            .find_one(doc! { "_id": ObjectId::from_bytes(id.bytes()) })
            .await
            .map_err(store_error)?
            .map(Attempt::try_from)
            .transpose()
    }
}
