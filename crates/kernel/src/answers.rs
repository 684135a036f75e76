//! Answers remembered for everyone who asks the same question (an anonymous list page, say),
//! for a short while, and refreshed by one caller at a time.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::memory::{Freshness, ReadMemory, Recall};
use crate::shared::Shared;

/// Answers remembered for `ttl` (each between half of it and all of it, so answers read together
/// do not expire together). When one expires, one caller loads it again while the others answer
/// with it; when none is remembered, callers of cold answers take turns, so a burst of them does
/// not load the same thing many times over. [`SharedAnswers::forget_all`] after every write that
/// changes what an answer holds.
pub struct SharedAnswers<K, V> {
    memory: ReadMemory<K, Arc<Shared<V>>>,
    cold: futures::lock::Mutex<()>,
    ttl: Duration,
}

impl<K: Eq + Hash + Clone, V> SharedAnswers<K, V> {
    /// At most `capacity` answers, each remembered for at most `ttl`.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            memory: ReadMemory::new(Freshness::Shared(ttl), capacity),
            cold: futures::lock::Mutex::new(()),
            ttl,
        }
    }

    /// The answer to `key` at `now`: remembered, or `load`ed (and remembered).
    pub async fn answer<E, F, Fut>(
        &self,
        key: K,
        now: DateTime<Utc>,
        load: F,
    ) -> Result<Arc<Shared<V>>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let (_claim, _turn) = match self.memory.recall(&key, now, self.ttl) {
            Recall::Fresh(answer) => return Ok(answer),
            Recall::Stale(answer) => match self.memory.claim_refresh(&key) {
                Some(claim) => (Some(claim), None),
                None => return Ok(answer),
            },
            Recall::Unknown => {
                let turn = self.cold.lock().await;
                // Another caller may have loaded it while this one waited.
                if let Recall::Fresh(answer) = self.memory.recall(&key, now, self.ttl) {
                    return Ok(answer);
                }
                (None, Some(turn))
            }
        };
        let ticket = self.memory.ticket();
        let answer = Shared::new(load().await?);
        let lasts = self.ttl / 2 + self.ttl / 2 * spread_percent() / 100;
        self.memory
            .put(ticket, key, Arc::clone(&answer), now, Some(now + lasts));
        Ok(answer)
    }

    /// Forgets every answer (what they hold changed).
    pub fn forget_all(&self) {
        self.memory.forget_all();
    }
}

/// 0 to 100, far apart for consecutive calls (a Weyl sequence).
fn spread_percent() -> i32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    i32::try_from(NEXT.fetch_add(37, Ordering::Relaxed) % 101).unwrap_or(50)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn answers_are_loaded_once_while_fresh_and_again_after_a_write() {
        futures::executor::block_on(async {
            let answers: SharedAnswers<&str, u32> = SharedAnswers::new(Duration::seconds(1), 10);
            let loads = AtomicU32::new(0);
            let load = || async { Ok::<_, ()>(loads.fetch_add(1, Ordering::SeqCst) + 1) };
            let t0 = Utc::now();
            let first = answers.answer("page", t0, load).await.unwrap();
            let again = answers.answer("page", t0, load).await.unwrap();
            assert!(Arc::ptr_eq(&first, &again));
            assert_eq!(**first, 1);
            answers.forget_all();
            assert_eq!(**answers.answer("page", t0, load).await.unwrap(), 2);
            let later = t0 + Duration::seconds(5);
            assert_eq!(
                **answers.answer("page", later, load).await.unwrap(),
                3,
                "expired"
            );
            let failed: Result<_, ()> = answers.answer("other", t0, || async { Err(()) }).await;
            assert!(failed.is_err());
        });
    }
}
