//! The curate handler: S3 "Object Created" for a raw object → curated Parquet + "Dataset Curated".
//!
//! For each UTC hour the raw object covers, curate drops readings that other curated files of that hour
//! already hold, writes its own file `curated/date=D/hour=H/part-<hash of source>.parquet`, records the
//! file's keys in the hour's key index, and finally announces what it wrote. Every step is idempotent:
//! the same raw object always yields the same file names and bytes, so an event delivered twice, or a
//! run that failed half-way and is retried, converges to the same result. Late data for an hour that is
//! already curated lands as one more file beside the existing ones; nothing is rewritten.
//!
//! Concurrent curations of the same hour are serialised by the key index: it is saved with a
//! conditional write (compare-and-swap on its ETag), and the curation that loses redoes its hour against
//! the index the winner saved, rewriting (or removing) its own file before trying again.

mod key_lookup;

use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;
use twinpipe_curation::{
    Compression, CuratedFile, CurationError, Partition, normalise, parse_raw, partition, write_partition,
};
use twinpipe_domain::events::{self, DatasetCurated, ObjectCreatedDetail, s3_key_candidates};
use twinpipe_ports::{BusError, BusEvent, EventBus, ObjectStore, StoreError};

/// How many times one hour is redone when other curations keep saving its key index first.
pub const MAX_INDEX_ROUNDS: u32 = 10;

/// Why curating an object failed.
#[derive(Debug, thiserror::Error)]
pub enum CurateError {
    #[error("not an S3 \"Object Created\" event: {0}")]
    NotObjectCreated(String),
    #[error(
        "the event is for bucket {event_bucket:?} but this function curates bucket {configured:?} (check TWINPIPE_BUCKET and the EventBridge rule)"
    )]
    WrongBucket { event_bucket: String, configured: String },
    #[error(
        "raw object {key:?} is not in bucket {bucket:?} (tried {tried:?}); it was deleted, or the key in the event is not the object's key"
    )]
    SourceMissing { bucket: String, key: String, tried: Vec<String> },
    #[error("raw object s3://{bucket}/{key} is not valid raw NDJSON: {source}")]
    BadRawObject {
        bucket: String,
        key: String,
        #[source]
        source: Box<CurationError>,
    },
    #[error("raw object s3://{bucket}/{key} is not UTF-8 text ({reason}); raw objects are NDJSON")]
    NotUtf8 { bucket: String, key: String, reason: String },
    #[error("curated file {key} is unreadable (remove it and re-curate its source): {source}")]
    BadCuratedFile {
        key: String,
        #[source]
        source: Box<CurationError>,
    },
    #[error(
        "the key index of the hour of s3://{bucket}/{file} kept changing under this curation ({rounds} rounds); retry later"
    )]
    IndexContended { bucket: String, file: String, rounds: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("announcing the curated data failed: {0}")]
    Publish(#[from] BusError),
}

impl CurateError {
    /// True when retrying the same event may succeed (storage or bus unavailable).
    pub fn is_transient(&self) -> bool {
        match self {
            CurateError::Store(e) => e.is_transient(),
            CurateError::Publish(_) | CurateError::IndexContended { .. } => true,
            _ => false,
        }
    }
}

/// The curate handler, over any object store and event bus.
pub struct Curate {
    store: Arc<dyn ObjectStore>,
    bus: Arc<dyn EventBus>,
    compression: Compression,
}

impl Curate {
    pub fn new(store: Arc<dyn ObjectStore>, bus: Arc<dyn EventBus>) -> Self {
        Curate { store, bus, compression: Compression::default() }
    }

    /// Handles one EventBridge event (the full envelope, as Lambda delivers it) and returns the detail
    /// of the "Dataset Curated" event it published.
    pub async fn handle(&self, event: &Value) -> Result<DatasetCurated, CurateError> {
        let detail = object_created(event)?;
        if detail.bucket.name != self.store.bucket() {
            return Err(CurateError::WrongBucket {
                event_bucket: detail.bucket.name,
                configured: self.store.bucket().to_owned(),
            });
        }
        let (key, raw) = self.fetch_source(&detail.object.key).await?;
        let curated = self.curate_object(&key, &raw).await?;
        self.announce(&curated).await?;
        tracing::info!(
            source = %key,
            rows_in = curated.rows_in,
            rows_written = curated.rows_written,
            duplicates = curated.duplicates_dropped,
            files = curated.objects.len(),
            "curated"
        );
        Ok(curated)
    }

    /// Reads the raw object, trying the key as given and then form-decoded (see `s3_key_candidates`).
    async fn fetch_source(&self, event_key: &str) -> Result<(String, Bytes), CurateError> {
        let tried = s3_key_candidates(event_key);
        for key in &tried {
            match self.store.get(key).await {
                Ok(bytes) => return Ok((key.clone(), bytes)),
                Err(StoreError::NotFound { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CurateError::SourceMissing {
            bucket: self.store.bucket().to_owned(),
            key: event_key.to_owned(),
            tried,
        })
    }

    async fn curate_object(&self, key: &str, raw: &[u8]) -> Result<DatasetCurated, CurateError> {
        let bad_raw = |source| CurateError::BadRawObject {
            bucket: self.store.bucket().to_owned(),
            key: key.to_owned(),
            source: Box::new(source),
        };
        let text = std::str::from_utf8(raw).map_err(|e| CurateError::NotUtf8 {
            bucket: self.store.bucket().to_owned(),
            key: key.to_owned(),
            reason: e.to_string(),
        })?;
        let batch = normalise(parse_raw(text).map_err(bad_raw)?).map_err(bad_raw)?;
        let partitioned = partition(&batch);
        let mut curated = twinpipe_curation::Curated {
            rows_in: batch.len() as u64,
            duplicates_dropped: partitioned.duplicates_dropped,
            files: Vec::new(),
        };
        for original in partitioned.partitions {
            let (dropped, file) = self.curate_partition(key, &original).await?;
            curated.duplicates_dropped += dropped;
            curated.files.extend(file);
        }
        Ok(curated.to_event(self.store.bucket(), key))
    }

    /// Curates one hour of the raw object `key`: drops the rows other files of the hour hold, writes
    /// the rest to the object's own file (or removes that file when nothing is left) and saves the
    /// hour's key index with a conditional write. When another curation saved the index first, the hour
    /// is redone from `original` against the index it saved, at most [`MAX_INDEX_ROUNDS`] times.
    /// Returns the rows dropped as duplicates of other files and the file written, as finally stored.
    async fn curate_partition(
        &self,
        key: &str,
        original: &Partition<'_>,
    ) -> Result<(u64, Option<CuratedFile>), CurateError> {
        let own_file = original.curated_key(key);
        let mut wrote_own = false;
        for round in 1..=MAX_INDEX_ROUNDS {
            let mut index =
                key_lookup::load(self.store.as_ref(), original.date(), original.hour(), &own_file).await?;
            let mut part = original.clone();
            let dropped = part.drop_existing(&index.existing);
            // After a lost round the file is rewritten even when its rows did not change: another
            // invocation for the same source may have written it meanwhile, and the index saved below
            // must describe the bytes stored.
            let file = write_partition(&part, key, self.compression).map_err(|source| {
                CurateError::BadRawObject {
                    bucket: self.store.bucket().to_owned(),
                    key: key.to_owned(),
                    source: Box::new(source),
                }
            })?;
            match &file {
                Some(file) => {
                    self.store.put(&file.key, file.bytes.clone(), "application/vnd.apache.parquet").await?;
                    wrote_own = true;
                }
                // Every row is curated elsewhere: a file left from an earlier round or invocation
                // would hold duplicates.
                None if wrote_own || index.own_listed => self.store.delete(&own_file).await?,
                None => {}
            }
            index.record(&own_file, &part);
            match key_lookup::save(self.store.as_ref(), &index).await {
                Ok(()) => return Ok((dropped, file)),
                Err(CurateError::Store(StoreError::PreconditionFailed { .. })) => {
                    tracing::debug!(file = %own_file, round, "key index changed by another curation; redoing the hour");
                }
                Err(e) => return Err(e),
            }
        }
        Err(CurateError::IndexContended {
            bucket: self.store.bucket().to_owned(),
            file: own_file,
            rounds: MAX_INDEX_ROUNDS,
        })
    }

    async fn announce(&self, curated: &DatasetCurated) -> Result<(), CurateError> {
        let event = BusEvent {
            source: events::CURATE_SOURCE.to_owned(),
            detail_type: events::DATASET_CURATED.to_owned(),
            detail: serde_json::to_value(curated).expect("DatasetCurated serialises"),
            resources: curated
                .objects
                .iter()
                .map(|o| format!("arn:aws:s3:::{}/{}", curated.bucket, o.key))
                .collect(),
        };
        self.bus.publish(vec![event]).await?;
        Ok(())
    }
}

/// Checks the envelope and extracts S3's detail.
fn object_created(event: &Value) -> Result<ObjectCreatedDetail, CurateError> {
    let field = |name: &str| event.get(name).and_then(Value::as_str).unwrap_or_default();
    if field("source") != events::S3_SOURCE || field("detail-type") != events::OBJECT_CREATED {
        return Err(CurateError::NotObjectCreated(format!(
            "source {:?}, detail-type {:?}; expected {:?} / {:?}",
            field("source"),
            field("detail-type"),
            events::S3_SOURCE,
            events::OBJECT_CREATED
        )));
    }
    let detail = event.get("detail").cloned().unwrap_or(Value::Null);
    serde_json::from_value(detail).map_err(|e| CurateError::NotObjectCreated(format!("detail: {e}")))
}
