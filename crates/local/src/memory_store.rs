//! A bucket in memory: for benchmarks that must leave storage costs out, and for quick tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use bytes::Bytes;
use twinpipe_domain::storage_key::short_hash;
use twinpipe_ports::{ObjectMeta, ObjectStore, StoreError, WriteCondition};

/// An object store holding every object in a map. Every operation is atomic (one lock), and the tag of
/// an object is its content hash, as in `DirObjectStore`.
pub struct MemoryObjectStore {
    bucket: String,
    objects: Mutex<BTreeMap<String, Bytes>>,
}

impl MemoryObjectStore {
    pub fn new(bucket: impl Into<String>) -> Self {
        MemoryObjectStore { bucket: bucket.into(), objects: Mutex::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Bytes>> {
        self.objects.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl ObjectStore for MemoryObjectStore {
    fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn put(&self, key: &str, body: Bytes, _content_type: &str) -> Result<(), StoreError> {
        self.lock().insert(key.to_owned(), body);
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        self.lock()
            .get(key)
            .cloned()
            .ok_or_else(|| StoreError::NotFound { bucket: self.bucket.clone(), key: key.to_owned() })
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        Ok(self
            .lock()
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| ObjectMeta { key: k.clone(), size: v.len() as u64, etag: Some(short_hash(&[v])) })
            .collect())
    }

    async fn get_tagged(&self, key: &str) -> Result<Option<(Bytes, String)>, StoreError> {
        Ok(self.lock().get(key).map(|b| (b.clone(), short_hash(&[b]))))
    }

    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        _content_type: &str,
        condition: WriteCondition,
    ) -> Result<(), StoreError> {
        let mut objects = self.lock();
        if !condition.holds(objects.get(key).map(|b| short_hash(&[b])).as_deref()) {
            return Err(StoreError::PreconditionFailed { bucket: self.bucket.clone(), key: key.to_owned() });
        }
        objects.insert(key.to_owned(), body);
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.lock().remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn conditional_writes_compare_and_swap() {
        let s = MemoryObjectStore::new("b");
        s.put_if("k", Bytes::from_static(b"1"), "x", WriteCondition::Absent).await.unwrap();
        let stale = s.put_if("k", Bytes::from_static(b"2"), "x", WriteCondition::Absent).await;
        assert!(matches!(stale, Err(StoreError::PreconditionFailed { .. })));
        let (_, tag) = s.get_tagged("k").await.unwrap().unwrap();
        s.put_if("k", Bytes::from_static(b"2"), "x", WriteCondition::Matches(tag.clone())).await.unwrap();
        let again = s.put_if("k", Bytes::from_static(b"3"), "x", WriteCondition::Matches(tag)).await;
        assert!(matches!(again, Err(StoreError::PreconditionFailed { .. })));
        s.delete("k").await.unwrap();
        s.delete("k").await.unwrap();
        assert!(s.get_tagged("k").await.unwrap().is_none());
        assert!(s.list("").await.unwrap().is_empty());
    }
}
