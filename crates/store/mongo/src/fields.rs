//! Reading and writing typed fields of raw BSON documents, for adapters that map documents by
//! hand: a missing or mistyped field is a [`StoreError`] naming it, never a panic.

use chrono::{DateTime, Utc};
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Bson, DateTime as BsonTime, Document};
use stackrush_kernel::StoreError;

use crate::corrupt;

/// An id's 12 bytes as an ObjectId.
pub fn oid(bytes: [u8; 12]) -> ObjectId {
    ObjectId::from_bytes(bytes)
}

/// A time as BSON (millisecond precision).
pub fn time(t: DateTime<Utc>) -> BsonTime {
    BsonTime::from_chrono(t)
}

/// A count as BSON's signed 64-bit integer (saturating).
pub fn n(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Field `key` as an id made by `make`.
pub fn id_of<T>(d: &Document, key: &str, make: fn([u8; 12]) -> T) -> Result<T, StoreError> {
    d.get_object_id(key)
        .map(|o| make(o.bytes()))
        .map_err(|e| corrupt(key, e))
}

/// Field `key` as text.
pub fn text(d: &Document, key: &str) -> Result<String, StoreError> {
    d.get_str(key)
        .map(str::to_owned)
        .map_err(|e| corrupt(key, e))
}

/// Field `key` as a time.
pub fn datetime(d: &Document, key: &str) -> Result<DateTime<Utc>, StoreError> {
    d.get_datetime(key)
        .map(|t| t.to_chrono())
        .map_err(|e| corrupt(key, e))
}

/// Field `key` as a list of texts.
pub fn texts(d: &Document, key: &str) -> Result<Vec<String>, StoreError> {
    d.get_array(key)
        .map_err(|e| corrupt(key, e))?
        .iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| corrupt(key, v)))
        .collect()
}

/// A counter's value (32- or 64-bit; missing or negative reads as 0).
pub fn count(v: Option<&Bson>) -> u64 {
    match v {
        Some(Bson::Int32(v)) => u64::try_from(*v).unwrap_or(0),
        Some(Bson::Int64(v)) => u64::try_from(*v).unwrap_or(0),
        _ => 0,
    }
}
