//! MongoDB adapter of the identity store ports.
//!
//! Written to MongoDB's documented semantics: unique indexes decide duplicates, single-document
//! `findOneAndUpdate`/`findOneAndDelete` make consumption of tokens atomic. [`ensure_indexes`] is
//! idempotent and runs at every start.

mod documents;
mod links;
mod refresh;
mod throttle;
mod users;

pub use links::MongoLinkTokens;
pub use refresh::MongoRefreshTokens;
pub use throttle::MongoLoginThrottle;
pub use users::MongoUsers;

use std::sync::Arc;

use mongodb::bson::doc;
use mongodb::options::IndexOptions;
use mongodb::{Database, IndexModel};
use stackrush_identity::ports::Stores;
use stackrush_kernel::StoreError;

const USERS: &str = "users";
const REFRESH_TOKENS: &str = "refresh_tokens";
const LINK_TOKENS: &str = "link_tokens";
const LOGIN_THROTTLE: &str = "login_throttle";

/// This context's store ports on `db` (indexed with [`ensure_indexes`]).
pub fn stores(db: &Database) -> Stores {
    Stores {
        users: Arc::new(MongoUsers::new(db)),
        refresh_tokens: Arc::new(MongoRefreshTokens::new(db)),
        link_tokens: Arc::new(MongoLinkTokens::new(db)),
        login_throttle: Arc::new(MongoLoginThrottle::new(db)),
    }
}

/// Creates this context's indexes (unique keys, lookups, TTL expiry of spent tokens).
pub async fn ensure_indexes(db: &Database) -> Result<(), StoreError> {
    let unique = |name: &str| {
        IndexOptions::builder()
            .unique(true)
            .name(name.to_owned())
            .build()
    };
    let named = |name: &str| IndexOptions::builder().name(name.to_owned()).build();
    db.collection::<documents::UserDoc>(USERS)
        .create_indexes([
            IndexModel::builder()
                .keys(doc! { "email": 1 })
                .options(unique("users_email_unique"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "usernameKey": 1 })
                .options(unique("users_username_unique"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "createdAt": -1, "_id": -1 })
                .options(named("users_created"))
                .build(),
        ])
        .await
        .map_err(store_error)?;
    // Expired tokens are useless; MongoDB's TTL monitor removes them.
    let ttl = |name: &str| {
        IndexOptions::builder()
            .name(name.to_owned())
            .expire_after(std::time::Duration::from_secs(0))
            .build()
    };
    db.collection::<documents::RefreshTokenDoc>(REFRESH_TOKENS)
        .create_indexes([
            IndexModel::builder()
                .keys(doc! { "hash": 1 })
                .options(unique("refresh_hash_unique"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "family": 1 })
                .options(named("refresh_family"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "userId": 1 })
                .options(named("refresh_user"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "expiresAt": 1 })
                .options(ttl("refresh_expiry_ttl"))
                .build(),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<documents::LinkTokenDoc>(LINK_TOKENS)
        .create_indexes([
            IndexModel::builder()
                .keys(doc! { "purpose": 1, "hash": 1 })
                .options(unique("link_purpose_hash_unique"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "userId": 1, "purpose": 1 })
                .options(named("link_user"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "expiresAt": 1 })
                .options(ttl("link_expiry_ttl"))
                .build(),
        ])
        .await
        .map_err(store_error)?;
    db.collection::<throttle::ThrottleDoc>(LOGIN_THROTTLE)
        .create_indexes([
            IndexModel::builder()
                .keys(doc! { "subject": 1, "address": 1 })
                .options(unique("login_throttle_key_unique"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "expiresAt": 1 })
                .options(ttl("login_throttle_expiry_ttl"))
                .build(),
        ])
        .await
        .map_err(store_error)?;
    Ok(())
}

pub(crate) use stackrush_store_mongo::corrupt;
pub use stackrush_store_mongo::ping;

/// Duplicate keys of this context's unique indexes, named by their logical key.
fn store_error(err: mongodb::error::Error) -> StoreError {
    stackrush_store_mongo::store_error(
        err,
        &[
            ("users_email_unique", "email"),
            ("users_username_unique", "username"),
            ("hash", "hash"),
            ("login_throttle_key_unique", "throttle"),
        ],
    )
}
