//! The whole of curation for one raw object, for callers that can look up existing keys synchronously
//! (the local runner, tests, benchmarks). An async caller such as the Lambda runs the same steps itself:
//! [`parse_raw`], [`normalise`], [`partition`], then per partition [`Partition::drop_existing`] and
//! [`write_partition`].

use bytes::Bytes;
use twinpipe_domain::events::DatasetCurated;
use twinpipe_domain::reading::format_ts_ms;

use crate::error::CurationError;
use crate::existing_keys::ExistingKeys;
use crate::normalise::normalise;
use crate::parquet_writer::{Compression, write_parquet};
use crate::partition::{Partition, partition};
use crate::raw_reader::parse_raw;
use crate::summary::PartitionSummary;

/// One Parquet object to store: where, what, and what it covers.
#[derive(Debug, Clone)]
pub struct CuratedFile {
    /// `curated/date=D/hour=H/part-<hash of source>.parquet`.
    pub key: String,
    /// The Parquet file.
    pub bytes: Bytes,
    /// What the file covers, for the "Dataset Curated" event.
    pub summary: PartitionSummary,
}

/// The outcome of curating one raw object.
#[derive(Debug, Clone)]
pub struct Curated {
    /// Readings in the raw object.
    pub rows_in: u64,
    /// Readings dropped as duplicates within the object or of already curated files.
    pub duplicates_dropped: u64,
    /// One file per hour that still has rows, earliest hour first.
    pub files: Vec<CuratedFile>,
}

/// Curates a raw object with no existing curated data to deduplicate against.
pub fn curate(text: &str, source_key: &str, compression: Compression) -> Result<Curated, CurationError> {
    curate_with_existing(text, source_key, compression, |_, _| Ok(ExistingKeys::new()))
}

/// Curates a raw object, dropping readings already curated. `existing_keys(date, hour)` returns the keys
/// of that partition's curated files other than this source's own file (see
/// [`ExistingKeys::extend_from_parquet`]).
pub fn curate_with_existing(
    text: &str,
    source_key: &str,
    compression: Compression,
    mut existing_keys: impl FnMut(&str, &str) -> Result<ExistingKeys, CurationError>,
) -> Result<Curated, CurationError> {
    let batch = normalise(parse_raw(text)?)?;
    let partitioned = partition(&batch);
    let mut duplicates_dropped = partitioned.duplicates_dropped;
    let mut files = Vec::new();
    for mut part in partitioned.partitions {
        duplicates_dropped += part.drop_existing(&existing_keys(part.date(), part.hour())?);
        files.extend(write_partition(&part, source_key, compression)?);
    }
    Ok(Curated { rows_in: batch.len() as u64, duplicates_dropped, files })
}

/// Writes a partition to its curated key; `None` when every row was dropped, so that no empty object is
/// stored.
pub fn write_partition(
    partition: &Partition<'_>,
    source_key: &str,
    compression: Compression,
) -> Result<Option<CuratedFile>, CurationError> {
    let Some(summary) = partition.summary() else {
        return Ok(None);
    };
    let bytes = write_parquet(partition, source_key, compression)?;
    Ok(Some(CuratedFile { key: partition.curated_key(source_key), bytes, summary }))
}

impl Curated {
    /// Rows written across all files.
    pub fn rows_written(&self) -> u64 {
        self.files.iter().map(|f| f.summary.rows).sum()
    }

    /// The "Dataset Curated" event detail announcing these files.
    pub fn to_event(&self, bucket: &str, source_object: &str) -> DatasetCurated {
        let min_ts = self.files.iter().map(|f| f.summary.min_ts_ms).min();
        let max_ts = self.files.iter().map(|f| f.summary.max_ts_ms).max();
        DatasetCurated {
            bucket: bucket.to_owned(),
            source_object: source_object.to_owned(),
            rows_in: self.rows_in,
            rows_written: self.rows_written(),
            duplicates_dropped: self.duplicates_dropped,
            min_ts: min_ts.map(format_ts_ms),
            max_ts: max_ts.map(format_ts_ms),
            objects: self.files.iter().map(|f| f.summary.to_curated_object(f.key.clone())).collect(),
        }
    }
}
