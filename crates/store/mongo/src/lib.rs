//! What every StackRush MongoDB adapter shares: translation of driver errors into
//! [`StoreError`], literal regular expressions for searches, pages, retried transactions, and a
//! ping.

pub mod fields;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::error::{Error, ErrorKind, WriteFailure};
use mongodb::{Client, ClientSession, Collection, Database};
use rand::Rng;
use stackrush_kernel::{Page, PageRequest, StoreError};

/// Translates driver errors: a duplicate key (11000) becomes `Conflict` with the key of the first
/// of `indexes` (`(index name, key)` pairs) named in the message; network, selection and pool
/// trouble is `Unavailable`; the rest `Other`.
pub fn store_error(err: Error, indexes: &[(&str, &str)]) -> StoreError {
    let duplicate = match err.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(write)) if write.code == 11000 => {
            Some(write.message.clone())
        }
        ErrorKind::Command(command) if command.code == 11000 => Some(command.message.clone()),
        _ => None,
    };
    if let Some(message) = duplicate {
        let key = indexes
            .iter()
            .find(|(index, _)| message.contains(index))
            .map_or("unique", |(_, key)| key);
        return StoreError::conflict(key);
    }
    if matches!(
        err.kind.as_ref(),
        ErrorKind::Io(_)
            | ErrorKind::ServerSelection { .. }
            | ErrorKind::ConnectionPoolCleared { .. }
            | ErrorKind::DnsResolve { .. }
    ) || err.contains_label("RetryableWriteError")
        || err.contains_label("TransientTransactionError")
    {
        return StoreError::Unavailable(err.into());
    }
    StoreError::Other(err.into())
}

/// A stored document that cannot be read back.
pub fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!("corrupt {what}: {err}"))
}

/// A regular expression matching `text` literally: every non-alphanumeric character is escaped,
/// so user input never acts as a pattern.
pub fn literal_regex(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One page of the documents matching `filter` in `sort` order, with the total count; `indexes`
/// as for [`store_error`].
pub async fn find_page<T>(
    collection: &Collection<T>,
    filter: Document,
    sort: Document,
    page: PageRequest,
    indexes: &[(&str, &str)],
) -> Result<Page<T>, StoreError>
where
    T: serde::de::DeserializeOwned + Send + Sync,
{
    find_page_knowing(collection, filter, sort, page, None, indexes).await
}

/// [`find_page`], skipping the count when the caller knows the total already (a remembered
/// count of a large list).
pub async fn find_page_knowing<T>(
    collection: &Collection<T>,
    filter: Document,
    sort: Document,
    page: PageRequest,
    known_total: Option<u64>,
    indexes: &[(&str, &str)],
) -> Result<Page<T>, StoreError>
where
    T: serde::de::DeserializeOwned + Send + Sync,
{
    let total = match known_total {
        Some(total) => total,
        None => collection
            .count_documents(filter.clone())
            .await
            .map_err(|e| store_error(e, indexes))?,
    };
    let items: Vec<T> = collection
        .find(filter)
        .sort(sort)
        .skip(page.offset())
        .limit(i64::from(page.limit()))
        .await
        .map_err(|e| store_error(e, indexes))?
        .try_collect()
        .await
        .map_err(|e| store_error(e, indexes))?;
    Ok(Page {
        items,
        request: page,
        total,
    })
}

/// An index on `keys` named `name` (names make `create_indexes` idempotent and errors
/// readable), with `options` (unique, partial, TTL, …) when given.
pub fn named_index(
    keys: Document,
    name: &str,
    options: Option<mongodb::options::IndexOptions>,
) -> mongodb::IndexModel {
    let mut options = options.unwrap_or_default();
    options.name = Some(name.to_owned());
    mongodb::IndexModel::builder()
        .keys(keys)
        .options(options)
        .build()
}

/// Whether the server answers.
pub async fn ping(db: &Database) -> Result<(), StoreError> {
    db.run_command(doc! { "ping": 1 })
        .await
        .map_err(|e| store_error(e, &[]))?;
    Ok(())
}

/// In-process locks that writes to one document take turns on before their transaction
/// starts: transactions on one document abort each other with write conflicts, so letting a
/// burst on one document race inside MongoDB would only turn it into retries. Writers on other
/// instances still meet in the database, where [`transaction`]'s retries handle them.
#[derive(Debug, Clone)]
pub struct Stripes(std::sync::Arc<[tokio::sync::Mutex<()>]>);

impl Stripes {
    /// `count` locks (at least one).
    pub fn new(count: usize) -> Self {
        Self(
            (0..count.max(1))
                .map(|_| tokio::sync::Mutex::new(()))
                .collect(),
        )
    }

    /// The lock writes to the document `key` take turns on (ids end in a counter, which
    /// spreads them evenly).
    pub fn of(&self, key: mongodb::bson::oid::ObjectId) -> &tokio::sync::Mutex<()> {
        let bytes = key.bytes();
        let spread = usize::from(bytes[11]) ^ (usize::from(bytes[10]) << 8);
        &self.0[spread % self.0.len()]
    }

    /// The turns of every key in `keys` (however many share a lock), taken in one fixed order
    /// so two writers needing overlapping sets never wait on each other in a circle. Held for
    /// a whole transaction, they keep this process's writers of shared documents from aborting
    /// each other.
    pub async fn turns<K: std::hash::Hash>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> Vec<tokio::sync::MutexGuard<'_, ()>> {
        use std::hash::{BuildHasher, BuildHasherDefault};
        let hasher = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default();
        let mut slots: Vec<usize> = keys
            .into_iter()
            .map(|k| (hasher.hash_one(k) % self.0.len() as u64) as usize)
            .collect();
        slots.sort_unstable();
        slots.dedup();
        let mut held = Vec::with_capacity(slots.len());
        for slot in slots {
            held.push(self.0[slot].lock().await);
        }
        held
    }
}

/// The work of one transaction attempt, on its session.
pub type Work<'s, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 's>>;

/// Whether a failed transaction attempt met a concurrent writer (and may be run again).
fn retryable(e: &Error) -> bool {
    e.contains_label("TransientTransactionError")
        || matches!(store_error(e.clone(), &[]), StoreError::Conflict { .. })
}

/// Runs `work` in a transaction on `client`, up to `tries` times: again after a short random
/// pause (doubling, at most half a second) while it meets concurrent writers
/// (`TransientTransactionError`, or a duplicate key from a racing writer), as MongoDB documents.
/// A commit whose outcome is unknown (`UnknownTransactionCommitResult`) is committed again,
/// which applies it once. `what` names the writer in the error when every try conflicted.
pub async fn transaction<T, F>(
    client: &Client,
    tries: u32,
    what: &str,
    work: F,
) -> Result<T, StoreError>
where
    F: for<'s> Fn(&'s mut ClientSession) -> Work<'s, T> + Send + Sync,
    T: Send,
{
    let mut pause_ms = 2u64;
    for _ in 0..tries {
        let mut session = client
            .start_session()
            .await
            .map_err(|e| store_error(e, &[]))?;
        session
            .start_transaction()
            .await
            .map_err(|e| store_error(e, &[]))?;
        let outcome = match work(&mut session).await {
            Ok(value) => {
                let mut committed = session.commit_transaction().await;
                for _ in 0..3 {
                    match &committed {
                        Err(e) if e.contains_label("UnknownTransactionCommitResult") => {
                            committed = session.commit_transaction().await;
                        }
                        _ => break,
                    }
                }
                committed.map(|()| value)
            }
            Err(e) => {
                // Best effort: the server also aborts it when the session ends.
                let _ = session.abort_transaction().await;
                Err(e)
            }
        };
        match outcome {
            Ok(value) => return Ok(value),
            Err(e) if retryable(&e) => {
                let jitter = rand::rng().random_range(0..=pause_ms);
                tokio::time::sleep(Duration::from_millis(pause_ms / 2 + jitter)).await;
                pause_ms = (pause_ms * 2).min(512);
            }
            Err(e) => return Err(store_error(e, &[])),
        }
    }
    Err(StoreError::Unavailable(anyhow::anyhow!(
        "a {what} write kept conflicting with concurrent writes"
    )))
}

#[cfg(test)]
mod tests {
    use super::{literal_regex, Stripes};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn turns_on_overlapping_keys_are_exclusive_and_never_wait_in_a_circle() {
        let stripes = Stripes::new(8);
        let inside = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let (stripes, inside) = (stripes.clone(), inside.clone());
                // Every set shares "board:0"; half name the keys in the other order.
                let keys = if i % 2 == 0 {
                    vec!["board:0", "board:50"]
                } else {
                    vec!["board:50", "board:0"]
                };
                tokio::spawn(async move {
                    let _turns = stripes.turns(keys).await;
                    let now = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    assert_eq!(now, 0, "one holder at a time");
                    tokio::task::yield_now().await;
                    inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                })
            })
            .collect();
        let all = futures::future::join_all(tasks);
        let done = tokio::time::timeout(std::time::Duration::from_secs(10), all)
            .await
            .expect("no circular wait");
        for task in done {
            task.unwrap();
        }
        assert_eq!(stripes.turns(Vec::<&str>::new()).await.len(), 0);
    }

    #[test]
    fn regex_metacharacters_are_escaped() {
        assert_eq!(literal_regex("a.b*"), "a\\.b\\*");
        assert_eq!(literal_regex("$ne"), "\\$ne");
        assert_eq!(literal_regex("abc123"), "abc123");
    }
}
