//! [`ObjectStore`] on one S3 bucket.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use twinpipe_ports::object_store::WriteCondition;
use twinpipe_ports::{ObjectMeta, ObjectStore, StoreError};

use crate::AwsCallError;
use crate::config::{IntoClient, aws_sdk_config};

/// The longest key S3 accepts, in bytes of UTF-8.
pub const S3_MAX_KEY_BYTES: usize = 1024;

/// The data lake bucket, through the S3 API.
///
/// Encryption: `put` sends no server-side-encryption headers on purpose. The bucket's default encryption
/// (SSE-KMS or SSE-S3, set by the infrastructure, with a bucket policy denying unencrypted puts) decides,
/// so key choice and rotation live in one place and the code cannot weaken them.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    list_page_size: Option<i32>,
}

impl S3Store {
    /// An adapter on `bucket`, with a client built from an [`SdkConfig`] (path-style addressing for a
    /// local endpoint, see [`S3Store::client_for`]) or a ready `aws_sdk_s3::Client`, used as it is.
    pub fn new(client: impl IntoClient<aws_sdk_s3::Client>, bucket: impl Into<String>) -> Self {
        S3Store { client: client.into_client(), bucket: bucket.into(), list_page_size: None }
    }

    /// An adapter on `bucket` with the process's SDK configuration ([`aws_sdk_config`]), as a Lambda
    /// function builds it at start-up.
    pub async fn from_env(bucket: impl Into<String>) -> Self {
        Self::new(&aws_sdk_config().await, bucket)
    }

    /// An S3 client for `conf` that uses path-style addressing whenever an endpoint is overridden.
    ///
    /// Why: with a local endpoint (`AWS_ENDPOINT_URL=http://localhost:…`) virtual-host addressing would
    /// send requests to `<bucket>.localhost`, which does not resolve; the Rust SDK has no environment
    /// variable for path style, so the adapter decides. Against real AWS nothing changes.
    pub fn client_for(conf: &SdkConfig) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(conf).force_path_style(conf.endpoint_url().is_some()).build(),
        )
    }

    /// Lists in pages of at most `max_keys` keys (the service maximum, 1000, when not set).
    ///
    /// Why: a smaller page bounds the memory of each response and lets tests exercise the continuation
    /// path with a few dozen objects instead of thousands. The result of `list` does not change.
    pub fn with_list_page_size(mut self, max_keys: i32) -> Self {
        self.list_page_size = Some(max_keys.max(1));
        self
    }

    /// The underlying client, for operations the port does not cover (creating buckets in tests).
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    fn unavailable(&self, operation: &'static str, key: &str, source: AwsCallError) -> StoreError {
        StoreError::Unavailable {
            operation,
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            source: Box::new(source),
        }
    }
}

/// Rejects keys S3 cannot store, before a request is made.
fn check_key(key: &str) -> Result<(), StoreError> {
    let reason = if key.is_empty() {
        "an S3 key cannot be empty".to_owned()
    } else if key.len() > S3_MAX_KEY_BYTES {
        format!("an S3 key is at most {S3_MAX_KEY_BYTES} bytes of UTF-8; this one is {}", key.len())
    } else {
        return Ok(());
    };
    Err(StoreError::InvalidKey { key: key.to_owned(), reason })
}

/// Whether S3 refused a conditional write because its condition did not hold: 412 Precondition Failed,
/// 409 ConditionalRequestConflict (a concurrent write of the same key won the race), or, for `If-Match`
/// (`matches`), 404 NoSuchKey (the object it should match is gone).
fn is_precondition_failure<E: ProvideErrorMetadata, R>(
    err: &SdkError<E, R>,
    matches: bool,
    status: impl Fn(&R) -> u16,
) -> bool {
    let code = err.as_service_error().and_then(|e| e.code());
    let status = err.raw_response().map(status);
    matches!(code, Some("PreconditionFailed" | "ConditionalRequestConflict"))
        || matches!(status, Some(412 | 409))
        || (matches && (code == Some("NoSuchKey") || status == Some(404)))
}

/// S3 quotes ETags (`"9b2cf…"`); events carry them bare. Bare tags compare equal across both.
fn bare_etag(etag: &str) -> String {
    etag.trim_matches('"').to_owned()
}

#[async_trait]
impl ObjectStore for S3Store {
    fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<(), StoreError> {
        check_key(key)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| self.unavailable("PutObject", key, AwsCallError::new("PutObject", e)))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        match self.get_tagged(key).await? {
            Some((body, _)) => Ok(body),
            None => Err(StoreError::NotFound { bucket: self.bucket.clone(), key: key.to_owned() }),
        }
    }

    /// The tag is the object's ETag without its quotes.
    async fn get_tagged(&self, key: &str) -> Result<Option<(Bytes, String)>, StoreError> {
        check_key(key)?;
        let output = match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(output) => output,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                return Ok(None);
            }
            Err(e) => {
                return Err(self.unavailable("GetObject", key, AwsCallError::new("GetObject", e)));
            }
        };
        let etag = output.e_tag().map(bare_etag).unwrap_or_default();
        let body = output
            .body
            .collect()
            .await
            .map_err(|e| self.unavailable("GetObject", key, AwsCallError::other("GetObject", e)))?;
        Ok(Some((body.into_bytes(), etag)))
    }

    /// `PutObject` with `If-None-Match: *` (`Absent`) or `If-Match: "<etag>"` (`Matches`): S3 checks the
    /// condition atomically with the write. 412 and 409 are `PreconditionFailed`, and so is 404 for
    /// `Matches` (S3 answers NoSuchKey when the object to match does not exist).
    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        condition: WriteCondition,
    ) -> Result<(), StoreError> {
        check_key(key)?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body));
        let matches = matches!(condition, WriteCondition::Matches(_));
        let request = match condition {
            WriteCondition::Absent => request.if_none_match("*"),
            WriteCondition::Matches(etag) => request.if_match(format!("\"{}\"", bare_etag(&etag))),
        };
        match request.send().await {
            Ok(_) => Ok(()),
            Err(e) if is_precondition_failure(&e, matches, |r| r.status().as_u16()) => {
                Err(StoreError::PreconditionFailed { bucket: self.bucket.clone(), key: key.to_owned() })
            }
            Err(e) => Err(self.unavailable("PutObject", key, AwsCallError::new("PutObject", e))),
        }
    }

    /// `DeleteObject`, which succeeds for a key that holds no object.
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        check_key(key)?;
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.unavailable("DeleteObject", key, AwsCallError::new("DeleteObject", e)))?;
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        let mut objects = Vec::new();
        let mut continuation: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .set_max_keys(self.list_page_size)
                .set_continuation_token(continuation.take())
                .send()
                .await
                .map_err(|e| {
                    self.unavailable("ListObjectsV2", prefix, AwsCallError::new("ListObjectsV2", e))
                })?;
            objects.extend(page.contents().iter().filter_map(|object| {
                Some(ObjectMeta {
                    key: object.key()?.to_owned(),
                    size: object.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                    etag: object.e_tag().map(bare_etag),
                })
            }));
            match page.next_continuation_token() {
                Some(token) if page.is_truncated() == Some(true) => continuation = Some(token.to_owned()),
                _ => break,
            }
        }
        // S3 already lists in ascending UTF-8 byte order, which is Rust's `str` order. Sorting an
        // already sorted Vec is linear, and it makes the port's guarantee hold for any compatible API.
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_s3_cannot_store_are_rejected_before_any_request() {
        assert!(matches!(check_key(""), Err(StoreError::InvalidKey { .. })));
        assert!(matches!(check_key(&"k".repeat(S3_MAX_KEY_BYTES + 1)), Err(StoreError::InvalidKey { .. })));
        // The limit is in bytes: 342 three-byte characters are 1026 bytes.
        assert!(matches!(check_key(&"€".repeat(342)), Err(StoreError::InvalidKey { .. })));
        assert!(check_key(&"k".repeat(S3_MAX_KEY_BYTES)).is_ok());
        assert!(check_key("in/site a/ü €/日本語 +%20.json").is_ok());
    }

    #[test]
    fn etags_lose_their_quotes() {
        assert_eq!(bare_etag("\"9b2cf535f27731c974343645a3985328\""), "9b2cf535f27731c974343645a3985328");
        assert_eq!(bare_etag("abc-2"), "abc-2");
    }
}
