//! Deterministic storage failures, to prove that a handler loses nothing when a write fails half-way.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use twinpipe_ports::object_store::WriteCondition;
use twinpipe_ports::{ObjectMeta, ObjectStore, StoreError};

/// Which puts fail.
#[derive(Debug, Clone, Copy)]
pub enum FailurePlan {
    /// Every put succeeds.
    Never,
    /// Every `n`-th put (counting from 1) fails with a transient error. Periodic: a handler whose
    /// attempts always make the same number of puts can fail forever, so prefer `OneIn` for long runs.
    EveryNth(u64),
    /// Each put fails with probability `1/one_in`, drawn from a hash of `seed` and the put's number:
    /// independent across retries, like real throttling, and the same on every run with the same seed.
    OneIn { one_in: u64, seed: u64 },
}

impl FailurePlan {
    /// Whether the `n`-th put (from 1) fails.
    fn fails(self, n: u64) -> bool {
        match self {
            FailurePlan::Never => false,
            FailurePlan::EveryNth(every) => every > 0 && n.is_multiple_of(every),
            FailurePlan::OneIn { one_in, seed } => one_in > 0 && splitmix64(seed ^ n).is_multiple_of(one_in),
        }
    }
}

/// SplitMix64: a tiny, well-mixed hash, enough to spread failures evenly.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Wraps a store and fails some puts, as S3 occasionally does (503 Slow Down, timeouts).
pub struct FlakyStore<S> {
    inner: S,
    plan: FailurePlan,
    puts: AtomicU64,
    failed: AtomicU64,
}

impl<S> FlakyStore<S> {
    pub fn new(inner: S, plan: FailurePlan) -> Self {
        FlakyStore { inner, plan, puts: AtomicU64::new(0), failed: AtomicU64::new(0) }
    }

    /// How many puts were made to fail.
    pub fn injected_failures(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl<S: ObjectStore> ObjectStore for FlakyStore<S> {
    fn bucket(&self) -> &str {
        self.inner.bucket()
    }

    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<(), StoreError> {
        self.maybe_fail("put", key)?;
        self.inner.put(key, body, content_type).await
    }

    async fn get(&self, key: &str) -> Result<Bytes, StoreError> {
        self.inner.get(key).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        self.inner.list(prefix).await
    }

    async fn get_tagged(&self, key: &str) -> Result<Option<(Bytes, String)>, StoreError> {
        self.inner.get_tagged(key).await
    }

    /// Counts as a put for the failure plan.
    async fn put_if(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        condition: WriteCondition,
    ) -> Result<(), StoreError> {
        self.maybe_fail("put_if", key)?;
        self.inner.put_if(key, body, content_type, condition).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }
}

impl<S: ObjectStore> FlakyStore<S> {
    /// Counts a put and fails it when the plan says so.
    fn maybe_fail(&self, operation: &'static str, key: &str) -> Result<(), StoreError> {
        let n = self.puts.fetch_add(1, Ordering::Relaxed) + 1;
        if self.plan.fails(n) {
            self.failed.fetch_add(1, Ordering::Relaxed);
            return Err(StoreError::Unavailable {
                operation,
                bucket: self.bucket().to_owned(),
                key: key.to_owned(),
                source: "injected failure (503 Slow Down)".into(),
            });
        }
        Ok(())
    }
}
