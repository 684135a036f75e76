use async_trait::async_trait;
use mongodb::bson::doc;
use mongodb::{Collection, Database};
use stackrush_identity::ports::LinkTokenRepository;
use stackrush_identity::{LinkPurpose, LinkToken, UserId};
use stackrush_kernel::StoreError;

use crate::documents::{oid, LinkTokenDoc};
use crate::{store_error, LINK_TOKENS};

/// Single-use link tokens in the `link_tokens` collection.
#[derive(Debug, Clone)]
pub struct MongoLinkTokens {
    collection: Collection<LinkTokenDoc>,
}

impl MongoLinkTokens {
    /// The adapter over `db` (indexed with [`crate::ensure_indexes`]).
    pub fn new(db: &Database) -> Self {
        Self {
            collection: db.collection(LINK_TOKENS),
        }
    }
}

#[async_trait]
impl LinkTokenRepository for MongoLinkTokens {
    async fn insert(&self, token: &LinkToken) -> Result<(), StoreError> {
        self.collection
            .insert_one(LinkTokenDoc::from(token))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn take(
        &self,
        purpose: LinkPurpose,
        hash: &str,
    ) -> Result<Option<LinkToken>, StoreError> {
        // findOneAndDelete hands the document to at most one caller.
        self.collection
            .find_one_and_delete(doc! { "purpose": purpose.as_str(), "hash": hash })
            .await
            .map_err(store_error)?
            .map(LinkToken::try_from)
            .transpose()
    }

    async fn delete_for_user(&self, user: UserId, purpose: LinkPurpose) -> Result<(), StoreError> {
        self.collection
            .delete_many(doc! { "userId": oid(user.bytes()), "purpose": purpose.as_str() })
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
