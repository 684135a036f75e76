//! The challenge's tallies, moved inside another writer's transaction: the scoring commit records
//! each scored attempt here, in its own session, so the tallies change atomically with the
//! ledger. The formula is the domain's ([`ChallengeStats::after`]); this only reads and writes
//! the document (two transactions moving the same challenge conflict, and the loser's commit is
//! retried by its service, as for any write conflict in a transaction).

use mongodb::bson::{doc, Document};
use mongodb::{ClientSession, Database};
use stackrush_challenges::{AttemptOutcome, ChallengeId, ChallengeStats};

use crate::{StatsDoc, CHALLENGES};

/// Adds `attempt` to `challenge`'s statistics in `session`'s transaction; a challenge that no
/// longer exists is left alone.
pub async fn record_attempt(
    db: &Database,
    session: &mut ClientSession,
    challenge: ChallengeId,
    attempt: &AttemptOutcome,
) -> mongodb::error::Result<()> {
    let id = mongodb::bson::oid::ObjectId::from_bytes(challenge.bytes());
    let challenges = db.collection::<Document>(CHALLENGES);
    let found = challenges
        .find_one(doc! { "_id": id })
        .projection(doc! { "stats": 1 })
        .session(&mut *session)
        .await?;
    let Some(found) = found else {
        return Ok(());
    };
    let current: ChallengeStats = match found.get_document("stats") {
        Ok(stats) => mongodb::bson::from_document::<StatsDoc>(stats.clone())
            .map(ChallengeStats::from)
            .unwrap_or_default(),
        Err(_) => ChallengeStats::default(),
    };
    let next = StatsDoc::from(&current.after(attempt));
    challenges
        .update_one(
            doc! { "_id": id },
            doc! { "$set": { "stats": mongodb::bson::to_bson(&next)? } },
        )
        .session(&mut *session)
        .await?;
    Ok(())
}
