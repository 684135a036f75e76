//! Reading typed values out of rows, from sqlx (the readers) or rusqlite (the writer).

use std::str::FromStr;

use crate::corrupt;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row as _, Sqlite};
use stackrush_kernel::StoreError;

/// A value both drivers decode.
pub trait Value:
    for<'r> sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite> + rusqlite::types::FromSql
{
}

impl<T> Value for T where
    T: for<'r> sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite> + rusqlite::types::FromSql
{
}

/// A result row of either driver.
pub trait Row {
    /// Column `column`, or why it cannot be read as `T`.
    fn value<T: Value>(&self, column: &str) -> Result<T, String>;
}

impl Row for SqliteRow {
    fn value<T: Value>(&self, column: &str) -> Result<T, String> {
        self.try_get(column).map_err(|e| e.to_string())
    }
}

impl Row for rusqlite::Row<'_> {
    fn value<T: Value>(&self, column: &str) -> Result<T, String> {
        self.get(column).map_err(|e| e.to_string())
    }
}

/// Column `column` of `row`.
pub fn get<T: Value>(row: &impl Row, column: &str) -> Result<T, StoreError> {
    row.value(column).map_err(|e| corrupt(column, e))
}

/// Column `column` parsed (ids, enums by name).
pub fn parsed<T: FromStr>(row: &impl Row, column: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    let text: String = get(row, column)?;
    text.parse().map_err(|e| corrupt(column, e))
}

/// Optional column `column` parsed.
pub fn parsed_opt<T: FromStr>(row: &impl Row, column: &str) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    let text: Option<String> = get(row, column)?;
    text.map(|t| t.parse().map_err(|e| corrupt(column, e)))
        .transpose()
}

/// Column `column`: a count, never negative.
pub fn count(row: &impl Row, column: &str) -> Result<u64, StoreError> {
    let n: i64 = get(row, column)?;
    u64::try_from(n).map_err(|e| corrupt(column, e))
}

/// Column `column` holding JSON.
pub fn json<T: serde::de::DeserializeOwned>(row: &impl Row, column: &str) -> Result<T, StoreError> {
    let text: String = get(row, column)?;
    serde_json::from_str(&text).map_err(|e| corrupt(column, e))
}

/// `value` as JSON text.
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.into()))
}
