//! The challenge's tallies, moved inside another writer's transaction: the scoring commit records
//! each scored attempt here, on its own connection, so the tallies change atomically with the
//! ledger. The formula is the domain's ([`ChallengeStats::after`]); this only reads and writes
//! the row.

use rusqlite::{params, Connection, OptionalExtension};
use stackrush_challenges::{AttemptOutcome, ChallengeId, ChallengeStats};

/// Adds `attempt` to `challenge`'s statistics on `conn` (inside the caller's transaction); a
/// challenge that no longer exists is left alone.
pub fn record_attempt(
    conn: &Connection,
    challenge: ChallengeId,
    attempt: &AttemptOutcome,
) -> rusqlite::Result<()> {
    let id = challenge.to_hex();
    let current = conn
        .prepare_cached(
            "SELECT total_attempts, successful_attempts, average_time, average_score, \
               popularity_score FROM challenges WHERE id = ?1",
        )?
        .query_row(params![id], |row| {
            Ok(ChallengeStats {
                total_attempts: u64::try_from(row.get::<_, i64>(0)?).unwrap_or(0),
                successful_attempts: u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                average_time: row.get(2)?,
                average_score: row.get(3)?,
                popularity_score: row.get(4)?,
            })
        })
        .optional()?;
    let Some(current) = current else {
        return Ok(());
    };
    let next = current.after(attempt);
    conn.prepare_cached(
        "UPDATE challenges SET total_attempts = ?2, successful_attempts = ?3, average_time = ?4, \
           average_score = ?5, popularity_score = ?6 WHERE id = ?1",
    )?
    .execute(params![
        id,
        i64::try_from(next.total_attempts).unwrap_or(i64::MAX),
        i64::try_from(next.successful_attempts).unwrap_or(i64::MAX),
        next.average_time,
        next.average_score,
        next.popularity_score,
    ])?;
    Ok(())
}
