//! Reading typed values out of rows.

use std::str::FromStr;

use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use stackrush_kernel::StoreError;
use stackrush_store_sqlite::corrupt;

/// Column `column` of `row`.
pub(crate) fn get<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column).map_err(|e| corrupt(column, e))
}

/// Column `column` parsed (ids, enums by name).
pub(crate) fn parsed<T: FromStr>(row: &SqliteRow, column: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    let text: String = get(row, column)?;
    text.parse().map_err(|e| corrupt(column, e))
}

/// Optional column `column` parsed.
pub(crate) fn parsed_opt<T: FromStr>(row: &SqliteRow, column: &str) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    let text: Option<String> = get(row, column)?;
    text.map(|t| t.parse().map_err(|e| corrupt(column, e)))
        .transpose()
}

/// Column `column` holding JSON.
pub(crate) fn json<T: serde::de::DeserializeOwned>(
    row: &SqliteRow,
    column: &str,
) -> Result<T, StoreError> {
    let text: String = get(row, column)?;
    serde_json::from_str(&text).map_err(|e| corrupt(column, e))
}

/// `value` as JSON text.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))
}
