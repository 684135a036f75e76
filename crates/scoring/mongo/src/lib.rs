//! MongoDB adapter of the scoring ports; [`ensure_indexes`] is idempotent and runs at start.
//!
//! [`MongoScoring`] implements every store port. A scoring commit is one multi-document
//! transaction (MongoDB runs them on replica sets, which production uses); a write conflict
//! aborts it and the service plans again. With [`MongoScoring::mirroring`] the commit also
//! records the attempt in the challenge's `stats` through the challenges adapter
//! (`stackrush_challenges_mongo::tallies`), in the same session, so they change atomically with
//! the ledger (docs/architecture.md, "Who writes what").

mod achievements;
mod attempts;
mod boards;
mod documents;
mod progress;
mod submissions;

use std::sync::Arc;

use mongodb::bson::doc;
use mongodb::bson::oid::ObjectId;
use mongodb::options::IndexOptions;
use mongodb::{Client, Database, IndexModel};
use stackrush_kernel::StoreError;
use stackrush_scoring::ports::Stores;

pub(crate) const ATTEMPTS: &str = "attempts";
pub(crate) const SUBMISSIONS: &str = "submissions";
pub(crate) const PROGRESS: &str = "progress";
pub(crate) const LEDGER: &str = "xp_ledger";
pub(crate) const BOARD_SCORES: &str = "board_scores";
pub(crate) const BOARD_BUCKETS: &str = "board_buckets";
pub(crate) const BESTS: &str = "challenge_bests";
pub(crate) const ACHIEVEMENTS: &str = "achievements";
pub(crate) const UNLOCKS: &str = "user_achievements";

pub(crate) fn store_error(err: mongodb::error::Error) -> StoreError {
    stackrush_store_mongo::store_error(
        err,
        &[
            ("achievements_key_unique", "key"),
            ("user_achievements_unique", "unlock"),
        ],
    )
}

pub(crate) fn oid(bytes: [u8; 12]) -> ObjectId {
    ObjectId::from_bytes(bytes)
}

/// A count as stored.
pub(crate) fn n(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A stored count.
pub(crate) fn u(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn index(keys: mongodb::bson::Document, name: &str, unique: bool) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(
            IndexOptions::builder()
                .name(name.to_owned())
                .unique(unique.then_some(true))
                .build(),
        )
        .build()
}

/// Creates this context's indexes.
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let sets: [(&str, Vec<IndexModel>); 9] = [
        (
            ATTEMPTS,
            vec![index(
                doc! { "user": 1, "challenge": 1, "startedAt": -1 },
                "attempts_user_challenge",
                false,
            )],
        ),
        (
            SUBMISSIONS,
            vec![
                index(
                    doc! { "user": 1, "createdAt": -1, "_id": -1 },
                    "submissions_user_created",
                    false,
                ),
                index(
                    doc! { "challenge": 1, "createdAt": -1, "_id": -1 },
                    "submissions_challenge_created",
                    false,
                ),
                index(
                    doc! { "user": 1, "success": 1, "language": 1 },
                    "submissions_user_successes",
                    false,
                ),
            ],
        ),
        (
            PROGRESS,
            vec![
                index(
                    doc! { "listed": 1, "xp": -1, "_id": 1 },
                    "progress_by_xp",
                    false,
                ),
                index(
                    doc! { "listed": 1, "level": -1, "xp": -1, "_id": 1 },
                    "progress_by_level",
                    false,
                ),
                index(
                    doc! { "listed": 1, "streak": -1, "xp": -1, "_id": 1 },
                    "progress_by_streak",
                    false,
                ),
                index(
                    doc! { "listed": 1, "completed": -1, "xp": -1, "_id": 1 },
                    "progress_by_completed",
                    false,
                ),
            ],
        ),
        (
            LEDGER,
            vec![
                index(
                    doc! { "user": 1, "at": -1, "_id": -1 },
                    "xp_ledger_user",
                    false,
                ),
                index(
                    doc! { "user": 1, "reason": 1, "source": 1 },
                    "xp_ledger_once",
                    true,
                ),
            ],
        ),
        (
            BOARD_SCORES,
            vec![
                index(doc! { "board": 1, "user": 1 }, "board_scores_unique", true),
                index(
                    doc! { "board": 1, "listed": 1, "xp": -1, "reachedAt": 1, "user": 1 },
                    "board_scores_rank",
                    false,
                ),
            ],
        ),
        (
            BOARD_BUCKETS,
            vec![index(
                doc! { "board": 1, "xp": -1 },
                "board_buckets_unique",
                true,
            )],
        ),
        (
            BESTS,
            vec![
                index(
                    doc! { "challenge": 1, "user": 1 },
                    "challenge_bests_unique",
                    true,
                ),
                index(
                    doc! { "challenge": 1, "listed": 1, "score": -1, "solveKey": 1, "achievedAt": 1, "user": 1 },
                    "challenge_bests_solve_rank",
                    false,
                ),
            ],
        ),
        (
            ACHIEVEMENTS,
            vec![index(doc! { "key": 1 }, "achievements_key_unique", true)],
        ),
        (
            UNLOCKS,
            vec![index(
                doc! { "user": 1, "achievement": 1 },
                "user_achievements_unique",
                true,
            )],
        ),
    ];
    for (collection, indexes) in sets {
        db.collection::<mongodb::bson::Document>(collection)
            .create_indexes(indexes)
            .await
            .map_err(store_error)?;
    }
    upgrade_bests(db).await
}

/// Bests written before ties were decided by the server-observed solve time get the unknown
/// solve key (so they rank after known times instead of sorting first as missing), and the
/// index that ranked on the browser's time goes. Idempotent.
async fn upgrade_bests(db: &Database) -> Result<(), StoreError> {
    let bests = db.collection::<mongodb::bson::Document>(BESTS);
    bests
        .update_many(
            doc! { "solveKey": { "$exists": false } },
            doc! { "$set": { "solveKey": documents::unknown_solve() } },
        )
        .await
        .map_err(store_error)?;
    match bests.drop_index("challenge_bests_rank").await {
        Ok(()) => Ok(()),
        // IndexNotFound (27), NamespaceNotFound (26): already gone.
        Err(e) if matches!(*e.kind, mongodb::error::ErrorKind::Command(ref c) if c.code == 27 || c.code == 26) => {
            Ok(())
        }
        Err(e) => Err(store_error(e)),
    }
}

/// This context's store ports on `db` (indexed with [`ensure_indexes`]), as the service runs
/// them: commits also advance the challenge stats fields ([`MongoScoring::mirroring`]).
pub fn stores(db: &Database) -> Stores {
    Stores::of(Arc::new(MongoScoring::new(db).mirroring()))
}

/// How many locks this process's commits spread the shared documents they write over.
const SHARED_STRIPES: usize = 256;

/// Every scoring store port on MongoDB.
#[derive(Debug, Clone)]
pub struct MongoScoring {
    client: Client,
    db: Database,
    mirror: bool,
    /// Turns on the documents every player shares (rank buckets, a challenge's stats).
    shared: stackrush_store_mongo::Stripes,
}

/// The attempts port alone (the same adapter).
pub type MongoAttempts = MongoScoring;

impl MongoScoring {
    /// The adapter over `db` (indexed with [`ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            client: db.client().clone(),
            db: db.clone(),
            mirror: false,
            shared: stackrush_store_mongo::Stripes::new(SHARED_STRIPES),
        }
    }

    /// Also records each commit's attempt in the challenge's `stats` (through the challenges
    /// adapter), in the commit's transaction.
    pub fn mirroring(mut self) -> Self {
        self.mirror = true;
        self
    }

    pub(crate) fn collection<T: Send + Sync>(&self, name: &str) -> mongodb::Collection<T> {
        self.db.collection(name)
    }
}
