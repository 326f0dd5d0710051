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
}

/// Why a storage call failed. `NotFound` and `InvalidKey` are answers; `Unavailable` is worth retrying.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("object s3://{bucket}/{key} does not exist")]
    NotFound { bucket: String, key: String },
    #[error("key {key:?} cannot be stored: {reason}")]
    InvalidKey { key: String, reason: String },
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
    /// True when retrying the same call later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}
