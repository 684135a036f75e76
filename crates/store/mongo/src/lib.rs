//! What every StackRush MongoDB adapter shares: translation of driver errors into
//! [`StoreError`], literal regular expressions for searches, and a ping.

use futures::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::error::{Error, ErrorKind, WriteFailure};
use mongodb::{Collection, Database};
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

/// Whether the server answers.
pub async fn ping(db: &Database) -> Result<(), StoreError> {
    db.run_command(doc! { "ping": 1 })
        .await
        .map_err(|e| store_error(e, &[]))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::literal_regex;

    #[test]
    fn regex_metacharacters_are_escaped() {
        assert_eq!(literal_regex("a.b*"), "a\\.b\\*");
        assert_eq!(literal_regex("$ne"), "\\$ne");
        assert_eq!(literal_regex("abc123"), "abc123");
    }
}
