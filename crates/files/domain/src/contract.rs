//! The contract suite every adapter of the file store port must pass. Each case works under a
//! prefix of its own (`run`), so the cases share one store.
#![expect(
    clippy::unwrap_used,
    reason = "a test suite reports failures by panicking"
)]

use std::sync::Arc;

use crate::{FileKey, FileStore};

fn key(run: &str, rest: &str) -> FileKey {
    FileKey::parse(&format!("{run}/{rest}")).unwrap()
}

/// Round trips of binary files, replacement, missing files, idempotent deletes.
pub async fn round_trips(store: &dyn FileStore, run: &str) {
    let png = key(run, "a/one.png");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    store.put(&png, bytes.clone()).await.unwrap();
    assert_eq!(store.get(&png).await.unwrap(), Some(bytes));
    store.put(&png, b"second".to_vec()).await.unwrap();
    assert_eq!(store.get(&png).await.unwrap(), Some(b"second".to_vec()));
    let empty = key(run, "a/empty.json");
    store.put(&empty, Vec::new()).await.unwrap();
    assert_eq!(store.get(&empty).await.unwrap(), Some(Vec::new()));
    assert_eq!(store.get(&key(run, "a/missing.png")).await.unwrap(), None);
    store.delete(&png).await.unwrap();
    assert_eq!(store.get(&png).await.unwrap(), None);
    store.delete(&png).await.unwrap();
    store.delete(&key(run, "never/was.png")).await.unwrap();
    // A file as large as the largest upload.
    let large = key(run, "a/large.jpg");
    let big = vec![7u8; stackrush_kernel::image::MAX_IMAGE_BYTES];
    store.put(&large, big.clone()).await.unwrap();
    assert_eq!(
        store.get(&large).await.unwrap().map(|b| b.len()),
        Some(big.len())
    );
}

/// Listing by whole-segment prefix, sorted.
pub async fn listing(store: &dyn FileStore, run: &str) {
    for k in [
        "l/b/2.png",
        "l/b/1.png",
        "l/b/deep/3.png",
        "l/bc/4.png",
        "l/c.png",
    ] {
        store.put(&key(run, k), vec![1]).await.unwrap();
    }
    let listed: Vec<String> = store
        .list(&key(run, "l/b"))
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    assert_eq!(
        listed,
        [
            format!("{run}/l/b/1.png"),
            format!("{run}/l/b/2.png"),
            format!("{run}/l/b/deep/3.png")
        ]
    );
    assert!(store.list(&key(run, "nothing")).await.unwrap().is_empty());
}

/// Concurrent writers of different files all land.
pub async fn concurrent_writers(store: Arc<dyn FileStore>, run: &str) {
    let writes = (0..20).map(|i| {
        let (store, k) = (store.clone(), key(run, &format!("c/{i}.png")));
        async move { store.put(&k, vec![i as u8; 100]).await.unwrap() }
    });
    futures::future::join_all(writes).await;
    assert_eq!(store.list(&key(run, "c")).await.unwrap().len(), 20);
    assert_eq!(
        store.get(&key(run, "c/7.png")).await.unwrap(),
        Some(vec![7u8; 100])
    );
}

/// Every case against `store`, under the prefix `run` (lower-case letters and digits).
pub async fn run_all(store: Arc<dyn FileStore>, run: &str) {
    round_trips(store.as_ref(), run).await;
    listing(store.as_ref(), run).await;
    concurrent_writers(store, run).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::InMemoryFiles;

    #[tokio::test]
    async fn the_fake_passes_the_contract() {
        run_all(Arc::new(InMemoryFiles::default()), "run1").await;
    }
}
