//! A context's memory of hot store reads (authentication's account facts, unread counts), and
//! how long it may be trusted.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};

/// Who else writes the store a context remembers reads of.
///
/// Contexts that keep a memory of hot reads (authentication's account facts, unread counts) forget
/// an entry whenever they write it themselves; this says how far they may trust an entry nobody
/// here has written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Only this process writes the store (an embedded SQLite file held by one server): a
    /// remembered read stays true until this process writes it.
    Exclusive,
    /// Other processes may write the store (instances sharing a MongoDB): a remembered read is
    /// trusted for at most this long.
    Shared(Duration),
}

impl Default for Freshness {
    /// One second: safe for any deployment.
    fn default() -> Self {
        Freshness::Shared(Duration::seconds(1))
    }
}

impl Freshness {
    /// Until when something read at `now` may be answered from memory.
    pub fn until(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Freshness::Exclusive => DateTime::<Utc>::MAX_UTC,
            Freshness::Shared(ttl) => now
                .checked_add_signed(ttl)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        }
    }
}

/// Remembered store reads, forgotten whenever this process writes what they read.
///
/// A read races the writes that happen while it is in flight: take a [`Ticket`] before reading
/// the store and hand it to [`ReadMemory::put`], which drops the value if anything was forgotten
/// since (it may predate that write). Holding at most `capacity` entries, it starts over when full.
#[derive(Debug)]
pub struct ReadMemory<K, V> {
    freshness: Freshness,
    capacity: usize,
    inner: Mutex<Entries<K, V>>,
}

#[derive(Debug)]
struct Entries<K, V> {
    /// How many forgets happened so far.
    writes: u64,
    map: HashMap<K, (DateTime<Utc>, V)>,
    /// Keys some caller is reading the store for again (see [`ReadMemory::claim_refresh`]).
    refreshing: HashSet<K>,
}

/// What [`ReadMemory::recall`] found for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recall<V> {
    /// Still trusted.
    Fresh(V),
    /// No longer trusted, but only just: good enough to answer with while one caller reads the
    /// store again.
    Stale(V),
    /// Nothing (usable) remembered.
    Unknown,
}

/// The right to read a key's value again while others answer with the stale one; given back on
/// drop (also when the read fails or is abandoned).
#[must_use]
pub struct RefreshClaim<'m, K: Eq + Hash, V> {
    memory: &'m ReadMemory<K, V>,
    key: K,
}

impl<K: Eq + Hash, V> Drop for RefreshClaim<'_, K, V> {
    fn drop(&mut self) {
        let mut entries = self.memory.inner.lock().unwrap_or_else(|p| p.into_inner());
        entries.refreshing.remove(&self.key);
    }
}

/// Proof of when a store read started (see [`ReadMemory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct Ticket(u64);

impl<K: Eq + Hash, V: Clone> ReadMemory<K, V> {
    /// An empty memory of at most `capacity` entries, trusted as `freshness` allows.
    pub fn new(freshness: Freshness, capacity: usize) -> Self {
        Self {
            freshness,
            capacity,
            inner: Mutex::new(Entries {
                writes: 0,
                map: HashMap::new(),
                refreshing: HashSet::new(),
            }),
        }
    }

    fn entries(&self) -> MutexGuard<'_, Entries<K, V>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The remembered value of `key`, if still trusted at `now`.
    pub fn get(&self, key: &K, now: DateTime<Utc>) -> Option<V> {
        self.entries()
            .map
            .get(key)
            .filter(|(until, _)| *until > now)
            .map(|(_, v)| v.clone())
    }

    /// The remembered value of `key`: fresh while trusted at `now`, stale for `grace` after that
    /// (for callers that answer with it while one of them reads the store again), then unknown.
    pub fn recall(&self, key: &K, now: DateTime<Utc>, grace: Duration) -> Recall<V> {
        match self.entries().map.get(key) {
            Some((until, v)) if *until > now => Recall::Fresh(v.clone()),
            Some((until, v)) if until.checked_add_signed(grace).is_some_and(|end| end > now) => {
                Recall::Stale(v.clone())
            }
            _ => Recall::Unknown,
        }
    }

    /// The claim to read `key` again, unless another caller holds it (then answer with the
    /// stale value instead of reading the same thing twice).
    pub fn claim_refresh(&self, key: &K) -> Option<RefreshClaim<'_, K, V>>
    where
        K: Clone,
    {
        self.entries()
            .refreshing
            .insert(key.clone())
            .then(|| RefreshClaim {
                memory: self,
                key: key.clone(),
            })
    }

    /// The keys whose values stop being trusted before `now + within` (those already past it
    /// included), for a caller that reads them again ahead of their readers.
    pub fn expiring(&self, now: DateTime<Utc>, within: Duration) -> Vec<K>
    where
        K: Clone,
    {
        let horizon = now
            .checked_add_signed(within)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.entries()
            .map
            .iter()
            .filter(|(_, (until, _))| *until <= horizon)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Taken just before reading the store.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.entries().writes)
    }

    /// Remembers `value`, read at `now` under `ticket`, for as long as the store's freshness
    /// allows and never past `stale_at` (when the value itself stops being true); nothing if a
    /// write was forgotten since the ticket was taken.
    pub fn put(
        &self,
        ticket: Ticket,
        key: K,
        value: V,
        now: DateTime<Utc>,
        stale_at: Option<DateTime<Utc>>,
    ) {
        let until = self
            .freshness
            .until(now)
            .min(stale_at.unwrap_or(DateTime::<Utc>::MAX_UTC));
        let mut entries = self.entries();
        if entries.writes != ticket.0 || until <= now {
            return;
        }
        if entries.map.len() >= self.capacity {
            entries.map.clear();
        }
        entries.map.insert(key, (until, value));
    }

    /// Forgets `key`; call after writing what it read (whether or not the write succeeded).
    pub fn forget(&self, key: &K) {
        let mut entries = self.entries();
        entries.writes += 1;
        entries.map.remove(key);
    }

    /// Forgets everything.
    pub fn forget_all(&self) {
        let mut entries = self.entries();
        entries.writes += 1;
        entries.map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_values_last_until_forgotten_stale_or_untrusted() {
        let now = Utc::now();
        let memory = ReadMemory::new(Freshness::Exclusive, 10);
        let ticket = memory.ticket();
        memory.put(ticket, 1, "a", now, None);
        memory.put(ticket, 2, "b", now, Some(now + Duration::seconds(5)));
        assert_eq!(memory.get(&1, now + Duration::days(365)), Some("a"));
        assert_eq!(memory.get(&2, now + Duration::seconds(4)), Some("b"));
        assert_eq!(memory.get(&2, now + Duration::seconds(5)), None, "stale");
        memory.forget(&1);
        assert_eq!(memory.get(&1, now), None, "forgotten");

        let shared = ReadMemory::new(Freshness::Shared(Duration::seconds(1)), 10);
        shared.put(shared.ticket(), 1, "a", now, None);
        assert_eq!(shared.get(&1, now), Some("a"));
        assert_eq!(shared.get(&1, now + Duration::seconds(1)), None);
    }

    #[test]
    fn expiring_keys_are_those_untrusted_before_the_horizon() {
        let now = Utc::now();
        let memory = ReadMemory::new(Freshness::Shared(Duration::seconds(10)), 10);
        let ticket = memory.ticket();
        memory.put(ticket, 1, "soon", now, Some(now + Duration::seconds(1)));
        memory.put(ticket, 2, "later", now, Some(now + Duration::seconds(5)));
        memory.put(ticket, 3, "trusted", now, None);
        assert_eq!(
            memory.expiring(now, Duration::milliseconds(500)),
            Vec::<i32>::new()
        );
        assert_eq!(memory.expiring(now, Duration::seconds(1)), vec![1]);
        let mut both = memory.expiring(now + Duration::seconds(4), Duration::seconds(1));
        both.sort();
        assert_eq!(both, vec![1, 2], "an expired one too");
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_remembered() {
        let now = Utc::now();
        let memory = ReadMemory::new(Freshness::Exclusive, 10);
        let before_write = memory.ticket();
        // A write lands (and forgets) while the read is in flight: its value may be the old one.
        memory.forget(&1);
        memory.put(before_write, 1, "old", now, None);
        assert_eq!(memory.get(&1, now), None);
        let after_write = memory.ticket();
        memory.put(after_write, 1, "new", now, None);
        assert_eq!(memory.get(&1, now), Some("new"));
    }

    #[test]
    fn a_stale_value_is_recalled_for_a_grace_period_and_one_caller_refreshes_it() {
        let now = Utc::now();
        let memory = ReadMemory::new(Freshness::Shared(Duration::seconds(1)), 10);
        let grace = Duration::seconds(1);
        assert_eq!(memory.recall(&1, now, grace), Recall::Unknown);
        memory.put(memory.ticket(), 1, "a", now, None);
        assert_eq!(memory.recall(&1, now, grace), Recall::Fresh("a"));
        let later = now + Duration::milliseconds(1500);
        assert_eq!(memory.recall(&1, later, grace), Recall::Stale("a"));
        assert_eq!(
            memory.recall(&1, now + Duration::seconds(2), grace),
            Recall::Unknown,
            "too old to answer with"
        );
        let claim = memory.claim_refresh(&1);
        assert!(claim.is_some());
        assert!(
            memory.claim_refresh(&1).is_none(),
            "one refresher at a time"
        );
        assert!(memory.claim_refresh(&2).is_some(), "per key");
        drop(claim);
        assert!(memory.claim_refresh(&1).is_some(), "given back on drop");
        memory.forget_all();
        assert_eq!(
            memory.recall(&1, later, grace),
            Recall::Unknown,
            "writes forget"
        );
    }

    #[test]
    fn a_full_memory_starts_over_and_forget_all_clears() {
        let now = Utc::now();
        let memory = ReadMemory::new(Freshness::Exclusive, 2);
        for k in 0..3 {
            memory.put(memory.ticket(), k, k, now, None);
        }
        assert_eq!(memory.get(&0, now), None);
        assert_eq!(memory.get(&2, now), Some(2));
        memory.forget_all();
        assert_eq!(memory.get(&2, now), None);
    }

    #[test]
    fn shared_memory_lasts_its_ttl_and_exclusive_memory_until_written() {
        let now = Utc::now();
        assert_eq!(
            Freshness::Shared(Duration::seconds(1)).until(now),
            now + Duration::seconds(1)
        );
        assert_eq!(Freshness::default().until(now), now + Duration::seconds(1));
        assert_eq!(Freshness::Exclusive.until(now), DateTime::<Utc>::MAX_UTC);
        assert_eq!(
            Freshness::Shared(Duration::MAX).until(now),
            DateTime::<Utc>::MAX_UTC,
            "no overflow"
        );
    }
}
