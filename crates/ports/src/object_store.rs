//! Object storage: the data lake bucket.

use async_trait::async_trait;
use bytes::Bytes;

use crate::BoxError;

/// What a listing returns about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    pub key: String,
    pub size: u64,
    /// An opaque content tag; equal tags mean equal content within one adapter.
    pub etag: Option<String>,
}

/// The condition of a conditional write ([`ObjectStore::put_if`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteCondition {
    /// The key holds no object (S3 `If-None-Match: *`).
    Absent,
    /// The key holds the object whose tag, as [`ObjectStore::get_tagged`] returned it, is this one
    /// (S3 `If-Match: <etag>`).
    Matches(String),
}

impl WriteCondition {
    /// Whether the condition holds for a key whose current object has tag `current` (`None`: no
    /// object). The one definition every adapter that checks conditions itself applies.
    pub fn holds(&self, current: Option<&str>) -> bool {
        match (self, current) {
            (WriteCondition::Absent, current) => current.is_none(),
            (WriteCondition::Matches(tag), Some(current)) => tag == current,
            (WriteCondition::Matches(_), None) => false,
        }
    }
}

/// A bucket of objects addressed by key.
///
/// Guarantees every adapter gives:
/// - `put` is atomic: a reader sees the old object, or the whole new one, never a part. Putting the
///   same key again replaces the object, which is how the handlers stay idempotent.
/// - After `put` returns `Ok`, `get` and `list` see the object (S3 is strongly consistent).
/// - Keys are used exactly as given (no encoding on the caller's side): `raw/site a/ü.ndjson` is fine.
/// - `list` returns keys in ascending byte order, complete (adapters follow continuation tokens).
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// The bucket's name, as events and lineage columns record it.
    fn bucket(&self) -> &str;

    /// Writes `body` under `key`, replacing any object there.
    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<(), StoreError>;

    /// Reads a whole object. A missing key is `StoreError::NotFound`, not a transient failure.
    async fn get(&self, key: &str) -> Result<Bytes, StoreError>;

    /// Lists the objects whose key starts with `prefix`.
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError>;

    /// Reads a whole object and its tag (S3's ETag, bare), or `None` when the key holds no object.
    /// The tag is what [`WriteCondition::Matches`] compares against.
    async fn get_tagged(&self, key: &str) -> Result<Option<(Bytes, String)>, StoreError>;

    /// Writes `body` under `key` only if `condition` holds: an atomic compare-and-swap. The condition is
    /// checked at the moment of the write, against every other write of the key, so of two writers that
    /// read the same tag and both write with `Matches(tag)` exactly one succeeds. When the condition does
    /// not hold nothing is written and the answer is `StoreError::PreconditionFailed`: reload the object
    /// (`get_tagged`), redo the work against it, and try again.
    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        condition: WriteCondition,
    ) -> Result<(), StoreError>;

    /// Removes the object under `key`. Removing a key that holds no object succeeds (as S3's
    /// DeleteObject does), so a retried delete is harmless.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}

/// Why a storage call failed. `NotFound`, `InvalidKey` and `PreconditionFailed` are answers;
/// `Unavailable` is worth retrying as it is.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("object s3://{bucket}/{key} does not exist")]
    NotFound { bucket: String, key: String },
    #[error("key {key:?} cannot be stored: {reason}")]
    InvalidKey { key: String, reason: String },
    /// A conditional write ([`ObjectStore::put_if`]) found its condition false: another writer got there
    /// first. Not transient in the sense of [`StoreError::is_transient`] — repeating the same call fails
    /// the same way; reload the object, redo the work against it and retry with the new tag.
    #[error(
        "conditional write of s3://{bucket}/{key} refused: the object changed since it was read (reload and retry)"
    )]
    PreconditionFailed { bucket: String, key: String },
    #[error("{operation} s3://{bucket}/{key} failed: {source}")]
    Unavailable {
        operation: &'static str,
        bucket: String,
        key: String,
        #[source]
        source: BoxError,
    },
}

impl StoreError {
    /// True when retrying the same call later may succeed. `PreconditionFailed` is not: the caller must
    /// reload and redo its work before writing again.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}
