//! A directory as the bucket.
//!
//! `<root>/<bucket>/<key>` holds each object; keys are split on `/` into directories. Writes go to a
//! temporary file that is renamed into place, so a reader never sees half an object (the atomicity
//! S3 gives). When given a bus, every put emits S3's EventBridge "Object Created" event, which is what
//! triggers curation on AWS.
//!
//! Conditional writes (`put_if`) tag each object with a hash of its bytes and check the tag and replace
//! the object under one lock per store (shared by its clones), which every rename and removal of this
//! store also takes: atomic within the process. Two processes, or two stores opened separately on the
//! same directory, do not see each other's lock.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use serde_json::json;
use twinpipe_domain::storage_key::short_hash;
use twinpipe_ports::object_store::WriteCondition;
use twinpipe_ports::{BusEvent, EventBus, ObjectMeta, ObjectStore, StoreError};

const TMP_PREFIX: &str = ".tmp-";

/// An object store backed by a local directory.
#[derive(Clone)]
pub struct DirObjectStore {
    bucket: String,
    dir: PathBuf,
    notifications: Option<Arc<dyn EventBus>>,
    /// Taken around every rename into place and every removal, and across the check and the write of
    /// a conditional write, so that check and write are one step for every writer of this store.
    writes: Arc<Mutex<()>>,
}

impl DirObjectStore {
    /// A bucket named `bucket` under `root` (created on first write). No events are emitted.
    pub fn new(root: impl AsRef<Path>, bucket: impl Into<String>) -> Self {
        let bucket = bucket.into();
        DirObjectStore {
            dir: root.as_ref().join(&bucket),
            bucket,
            notifications: None,
            writes: Arc::default(),
        }
    }

    /// Emits S3's "Object Created" event to `bus` after every put, as a bucket with EventBridge
    /// notifications turned on does.
    pub fn with_notifications(mut self, bus: Arc<dyn EventBus>) -> Self {
        self.notifications = Some(bus);
        self
    }

    /// The directory holding the bucket's objects.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, StoreError> {
        let invalid =
            |reason: &str| StoreError::InvalidKey { key: key.to_owned(), reason: reason.to_owned() };
        if key.is_empty() || key.starts_with('/') || key.contains('\0') {
            return Err(invalid("a key must be non-empty, must not start with / and must not contain NUL"));
        }
        let mut path = self.dir.clone();
        for segment in key.split('/') {
            if segment.is_empty() || segment == "." || segment == ".." || segment.starts_with(TMP_PREFIX) {
                return Err(invalid("the local store cannot hold empty, '.', '..' or '.tmp-' path segments"));
            }
            path.push(segment);
        }
        Ok(path)
    }

    fn io_error(&self, operation: &'static str, key: &str, e: std::io::Error) -> StoreError {
        StoreError::Unavailable {
            operation,
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            source: Box::new(e),
        }
    }

    /// Emits "Object Created" for `body` just stored under `key`, when notifications are on.
    async fn notify_created(&self, key: &str, body: &[u8]) -> Result<(), StoreError> {
        let Some(bus) = &self.notifications else {
            return Ok(());
        };
        let event = object_created_event(&self.bucket, key, body.len(), &short_hash(&[body]));
        bus.publish(vec![event]).await.map_err(|e| StoreError::Unavailable {
            operation: "notify Object Created for",
            bucket: self.bucket.clone(),
            key: key.to_owned(),
            source: Box::new(e),
        })
    }
}

/// The event S3 sends to EventBridge for a new object (the fields consumers read, in S3's spelling).
pub fn object_created_event(bucket: &str, key: &str, size: usize, etag: &str) -> BusEvent {
    BusEvent {
        source: twinpipe_domain::events::S3_SOURCE.to_owned(),
        detail_type: twinpipe_domain::events::OBJECT_CREATED.to_owned(),
        detail: json!({
            "version": "0",
            "bucket": { "name": bucket },
            "object": { "key": key, "size": size, "etag": etag, "sequencer": etag },
            "request-id": etag,
            "requester": crate::LOCAL_ACCOUNT,
            "source-ip-address": "127.0.0.1",
            "reason": "PutObject"
        }),
        resources: vec![format!("arn:aws:s3:::{bucket}")],
    }
}

#[async_trait]
impl ObjectStore for DirObjectStore {
    fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn put(&self, key: &str, body: Bytes, _content_type: &str) -> Result<(), StoreError> {
        let path = self.path_of(key)?;
        // One blocking task for directory, write and rename: three hops to the blocking pool cost more
        // than the file operations themselves.
        let writes = Arc::clone(&self.writes);
        let body = tokio::task::spawn_blocking(move || {
            write_atomically(&path, &body, &writes, |_| Ok(true)).map(|()| body)
        })
        .await
        .map_err(|e| self.io_error("write", key, std::io::Error::other(e)))?
        .map_err(|(operation, e)| self.io_error(operation, key, e))?;
        self.notify_created(key, &body).await
    }

    async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        let path = self.path_of(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Bytes::from(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::NotFound { bucket: self.bucket.clone(), key: key.to_owned() })
            }
            Err(e) => Err(self.io_error("read", key, e)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        let dir = self.dir.clone();
        let prefix_owned = prefix.to_owned();
        let listed = tokio::task::spawn_blocking(move || list_dir(&dir, &prefix_owned))
            .await
            .map_err(|e| self.io_error("list", prefix, std::io::Error::other(e)))?;
        listed.map_err(|e| self.io_error("list", prefix, e))
    }

    /// The tag is `short_hash` of the bytes, the same hash the "Object Created" events carry.
    async fn get_tagged(&self, key: &str) -> Result<Option<(Bytes, String)>, StoreError> {
        match self.get(key).await {
            Ok(body) => {
                let tag = short_hash(&[&body]);
                Ok(Some((body, tag)))
            }
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Checks `condition` against the object's current bytes and renames the new object into place
    /// while holding the store's write lock: atomic against every write of this store (and its clones)
    /// in this process, not against other processes.
    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        _content_type: &str,
        condition: WriteCondition,
    ) -> Result<(), StoreError> {
        let path = self.path_of(key)?;
        let writes = Arc::clone(&self.writes);
        let outcome = tokio::task::spawn_blocking(move || {
            let check = |path: &Path| condition_holds(path, &condition);
            write_atomically(&path, &body, &writes, check).map(|()| body)
        })
        .await
        .map_err(|e| self.io_error("write", key, std::io::Error::other(e)))?;
        let body = match outcome {
            Ok(body) => body,
            Err((CONDITION_FAILED, _)) => {
                return Err(StoreError::PreconditionFailed {
                    bucket: self.bucket.clone(),
                    key: key.to_owned(),
                });
            }
            Err((operation, e)) => return Err(self.io_error(operation, key, e)),
        };
        self.notify_created(key, &body).await
    }

    /// Removes the file (no event is emitted). A missing key is not an error.
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = self.path_of(key)?;
        let writes = Arc::clone(&self.writes);
        let removed = tokio::task::spawn_blocking(move || {
            let _guard = writes.lock().unwrap_or_else(|p| p.into_inner());
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                other => other,
            }
        })
        .await
        .map_err(|e| self.io_error("remove", key, std::io::Error::other(e)))?;
        removed.map_err(|e| self.io_error("remove", key, e))
    }
}

/// The "operation" `write_atomically` fails with when its check says no.
const CONDITION_FAILED: &str = "check the condition of";

/// Whether the object at `path` satisfies `condition` (the caller holds the write lock).
fn condition_holds(path: &Path, condition: &WriteCondition) -> std::io::Result<bool> {
    let current = match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    Ok(condition.holds(current.map(|bytes| short_hash(&[&bytes])).as_deref()))
}

/// Writes `body` to a temporary file beside `path` and renames it into place, holding `writes` while
/// `check` (which sees the current object) is asked and the file is renamed. When `check` answers
/// false nothing is written and the error's operation is [`CONDITION_FAILED`].
fn write_atomically(
    path: &Path,
    body: &[u8],
    writes: &Mutex<()>,
    check: impl FnOnce(&Path) -> std::io::Result<bool>,
) -> Result<(), (&'static str, std::io::Error)> {
    let parent = path.parent().expect("an object path has a parent");
    std::fs::create_dir_all(parent).map_err(|e| ("create directory for", e))?;
    let tmp = parent.join(format!("{TMP_PREFIX}{}", uuid::Uuid::new_v4()));
    if let Err(e) = std::fs::write(&tmp, body) {
        let _ = std::fs::remove_file(&tmp);
        return Err(("write", e));
    }
    let _guard = writes.lock().unwrap_or_else(|p| p.into_inner());
    let failed = match check(path) {
        Ok(true) => None,
        Ok(false) => Some((CONDITION_FAILED, std::io::Error::other("condition does not hold"))),
        Err(e) => Some((CONDITION_FAILED_IO, e)),
    };
    if let Some(failure) = failed {
        let _ = std::fs::remove_file(&tmp);
        return Err(failure);
    }
    std::fs::rename(&tmp, path).map_err(|e| ("rename into", e))
}

/// The operation of an I/O error while checking a condition (a failure, not a refusal).
const CONDITION_FAILED_IO: &str = "read for the condition of";

/// Walks only the directories that can hold keys under `prefix`, and returns keys in byte order.
fn list_dir(bucket_dir: &Path, prefix: &str) -> std::io::Result<Vec<ObjectMeta>> {
    let start_rel = prefix.rfind('/').map(|i| &prefix[..i]).unwrap_or("");
    let start = if start_rel.is_empty() { bucket_dir.to_path_buf() } else { bucket_dir.join(start_rel) };
    let mut out = Vec::new();
    let mut stack = vec![(start, start_rel.to_owned())];
    while let Some((dir, rel)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(TMP_PREFIX) {
                continue;
            }
            let key = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let meta = entry.metadata()?;
            if meta.is_dir() {
                if prefix.starts_with(&format!("{key}/"))
                    || key.starts_with(prefix)
                    || format!("{key}/").starts_with(prefix)
                {
                    stack.push((entry.path(), key));
                }
            } else if key.starts_with(prefix) {
                out.push(ObjectMeta { key, size: meta.len(), etag: None });
            }
        }
    }
    out.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, DirObjectStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = DirObjectStore::new(dir.path(), "lake");
        (dir, store)
    }

    #[tokio::test]
    async fn awkward_keys_round_trip() {
        let (_d, s) = store();
        for key in [
            "in/site a/2026-11-25 10:00:00.json",
            "in/site a/c++ & plus+sign=.json",
            "in/ünïcödé €/日本語.json",
            "in/percent%20literal.json",
        ] {
            s.put(key, Bytes::from(key.to_owned()), "text/plain").await.unwrap();
            assert_eq!(s.get(key).await.unwrap(), Bytes::from(key.to_owned()));
        }
        let keys: Vec<String> = s.list("in/site a/").await.unwrap().into_iter().map(|m| m.key).collect();
        assert_eq!(keys, vec!["in/site a/2026-11-25 10:00:00.json", "in/site a/c++ & plus+sign=.json"]);
    }

    #[tokio::test]
    async fn put_replaces_and_missing_is_not_found() {
        let (_d, s) = store();
        s.put("a/b", Bytes::from_static(b"1"), "text/plain").await.unwrap();
        s.put("a/b", Bytes::from_static(b"22"), "text/plain").await.unwrap();
        assert_eq!(s.get("a/b").await.unwrap(), Bytes::from_static(b"22"));
        assert!(matches!(s.get("a/c").await, Err(StoreError::NotFound { .. })));
    }

    #[tokio::test]
    async fn list_filters_by_partial_segment_prefix_and_sorts() {
        let (_d, s) = store();
        for k in
            ["raw/date=2026-11-25/b", "raw/date=2026-11-25/a", "raw/date=2026-11-26/a", "rawx/a", "curated/a"]
        {
            s.put(k, Bytes::new(), "text/plain").await.unwrap();
        }
        let keys: Vec<String> =
            s.list("raw/date=2026-11-2").await.unwrap().into_iter().map(|m| m.key).collect();
        assert_eq!(keys, vec!["raw/date=2026-11-25/a", "raw/date=2026-11-25/b", "raw/date=2026-11-26/a"]);
        assert_eq!(s.list("").await.unwrap().len(), 5);
        assert!(s.list("nothing/").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn conditional_writes_compare_and_swap() {
        let (_d, s) = store();
        let failed = |r: Result<(), StoreError>| matches!(r, Err(StoreError::PreconditionFailed { .. }));
        assert!(s.get_tagged("i/k").await.unwrap().is_none());
        s.put_if("i/k", Bytes::from_static(b"1"), "x", WriteCondition::Absent).await.unwrap();
        assert!(failed(s.put_if("i/k", Bytes::from_static(b"2"), "x", WriteCondition::Absent).await));
        let (body, tag) = s.get_tagged("i/k").await.unwrap().unwrap();
        assert_eq!(body, Bytes::from_static(b"1"));
        assert_eq!(tag, short_hash(&[b"1"]));
        assert!(failed(
            s.put_if("i/k", Bytes::from_static(b"3"), "x", WriteCondition::Matches("stale".into())).await
        ));
        s.put_if("i/k", Bytes::from_static(b"4"), "x", WriteCondition::Matches(tag.clone())).await.unwrap();
        assert!(failed(s.put_if("i/k", Bytes::from_static(b"5"), "x", WriteCondition::Matches(tag)).await));
        assert_eq!(s.get("i/k").await.unwrap(), Bytes::from_static(b"4"));
        assert!(failed(s.put_if("i/none", Bytes::new(), "x", WriteCondition::Matches("t".into())).await));
        assert_eq!(s.list("i/").await.unwrap().len(), 1, "no temporary file is left");
    }

    #[tokio::test]
    async fn concurrent_conditional_writes_let_exactly_one_win() {
        let (_d, s) = store();
        s.put("i/k", Bytes::from_static(b"0"), "x").await.unwrap();
        let (_, tag) = s.get_tagged("i/k").await.unwrap().unwrap();
        let writes = (0..16).map(|n| {
            let s = s.clone();
            let tag = tag.clone();
            tokio::spawn(async move {
                s.put_if("i/k", Bytes::from(format!("w{n}")), "x", WriteCondition::Matches(tag)).await
            })
        });
        let mut won = 0;
        for write in writes.collect::<Vec<_>>() {
            match write.await.unwrap() {
                Ok(()) => won += 1,
                Err(StoreError::PreconditionFailed { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(won, 1);
    }

    #[tokio::test]
    async fn delete_removes_and_tolerates_missing_keys() {
        let (_d, s) = store();
        s.put("d/a", Bytes::from_static(b"1"), "x").await.unwrap();
        s.delete("d/a").await.unwrap();
        s.delete("d/a").await.unwrap();
        assert!(s.list("d/").await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn path_escapes_are_refused() {
        let (_d, s) = store();
        for key in ["../x", "a/../../x", "/abs", "a//b", ""] {
            assert!(
                matches!(s.put(key, Bytes::new(), "x").await, Err(StoreError::InvalidKey { .. })),
                "{key}"
            );
        }
    }
}
