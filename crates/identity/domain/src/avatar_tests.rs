//! Avatar uploads over the in-memory account store and a recording file store.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use stackrush_kernel::image::MAX_IMAGE_BYTES;
use stackrush_kernel::SystemClock;

use crate::avatar::*;
use crate::contract::sample_user;
use crate::error::IdentityError;
use crate::fake::InMemoryUsers;
use crate::model::*;
use crate::ports::UserRepository;

/// Files by URL; `fail_store` makes every store fail.
#[derive(Default)]
struct Recorded {
    kept: Mutex<Vec<(String, usize)>>,
    fail_store: bool,
}

#[async_trait]
impl AvatarFiles for Recorded {
    async fn store(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<String> {
        if self.fail_store {
            anyhow::bail!("disk full");
        }
        let url = format!("https://files.test/{key}");
        self.kept.lock().unwrap().push((url.clone(), bytes.len()));
        Ok(url)
    }

    async fn discard(&self, url: &str) -> anyhow::Result<()> {
        self.kept.lock().unwrap().retain(|(u, _)| u != url);
        Ok(())
    }
}

fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(len, 0);
    bytes
}

async fn setup(files: Arc<Recorded>) -> (AvatarService, Arc<InMemoryUsers>, Actor) {
    let users = Arc::new(InMemoryUsers::default());
    let mut user = sample_user("pic");
    user.email_verified = true;
    users.insert(&user).await.unwrap();
    let service = AvatarService::new(users.clone(), files, Arc::new(SystemClock));
    let actor = Actor {
        id: user.id,
        roles: vec![Role::User],
    };
    (service, users, actor)
}

#[tokio::test]
async fn an_upload_becomes_the_avatar_and_the_replaced_one_is_removed() {
    let files = Arc::new(Recorded::default());
    let (service, users, actor) = setup(files.clone()).await;
    let first = service.replace(actor.clone(), png(100)).await.unwrap();
    assert!(first.starts_with(&format!("https://files.test/avatars/{}/", actor.id)));
    assert!(first.ends_with(".png"));
    let stored = users.find_by_id(actor.id).await.unwrap().unwrap();
    assert_eq!(stored.profile.avatar.as_deref(), Some(first.as_str()));
    assert_eq!(
        stored.profile.first_name.as_deref(),
        Some("Ada"),
        "the rest stays"
    );

    let jpeg = [0xff, 0xd8, 0xff, 0xe0, 1, 2, 3].to_vec();
    let second = service.replace(actor.clone(), jpeg).await.unwrap();
    assert!(second.ends_with(".jpg"));
    let kept: Vec<String> = files
        .kept
        .lock()
        .unwrap()
        .iter()
        .map(|(u, _)| u.clone())
        .collect();
    assert_eq!(kept, [second], "the replaced picture is gone");
}

#[tokio::test]
async fn bad_files_and_failing_stores_change_nothing() {
    let files = Arc::new(Recorded::default());
    let (service, users, actor) = setup(files.clone()).await;
    let before = users.find_by_id(actor.id).await.unwrap().unwrap();
    for bad in [
        b"MZ\x90\0 renamed.png".to_vec(),
        png(MAX_IMAGE_BYTES + 1),
        Vec::new(),
    ] {
        let err = service.replace(actor.clone(), bad).await.unwrap_err();
        assert!(
            matches!(&err, IdentityError::Validation(f) if f[0].field == "file"),
            "{err:?}"
        );
    }
    assert!(files.kept.lock().unwrap().is_empty(), "nothing stored");

    let broken = Arc::new(Recorded {
        fail_store: true,
        ..Recorded::default()
    });
    let (service, users, actor) = setup(broken).await;
    let err = service.replace(actor.clone(), png(10)).await.unwrap_err();
    assert!(matches!(err, IdentityError::Unavailable(_)), "{err:?}");
    let after = users.find_by_id(actor.id).await.unwrap().unwrap();
    assert_eq!(after.profile.avatar, before.profile.avatar);

    // A gone account: nothing is stored.
    let (service, _, _) = setup(files.clone()).await;
    let stranger = Actor {
        id: UserId::generate(chrono::Utc::now()),
        roles: vec![Role::User],
    };
    let err = service.replace(stranger, png(10)).await.unwrap_err();
    assert!(matches!(err, IdentityError::UserNotFound), "{err:?}");
    assert!(files.kept.lock().unwrap().is_empty());
}
