//! The keys already curated in a partition, read from existing Parquet files for cross-file dedup.
//!
//! When the same reading reaches curation in two raw objects (a redelivered SQS message, a device
//! resend), the second must not be stored again. Curation reads only the three key columns of the
//! partition's existing files (a projection, so values and strings it does not need stay compressed)
//! and drops matching rows before writing its own file.

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMillisecondType;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use bytes::Bytes;
use foldhash::{HashMap, HashSet};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::CurationError;

/// The key columns, in the order they are read.
const KEY_COLUMNS: [&str; 3] = ["asset_id", "sensor_id", "ts"];

/// A set of (asset_id, sensor_id, ts) keys, grouped by series so that a partition's rows look up each
/// series once and then only compare timestamps.
#[derive(Debug, Clone, Default)]
pub struct ExistingKeys {
    by_asset: HashMap<String, HashMap<String, HashSet<i64>>>,
    len: usize,
}

impl ExistingKeys {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key; returns whether it was new.
    pub fn insert(&mut self, asset_id: &str, sensor_id: &str, ts_ms: i64) -> bool {
        let sensors = match self.by_asset.get_mut(asset_id) {
            Some(sensors) => sensors,
            None => self.by_asset.entry(asset_id.to_owned()).or_default(),
        };
        let times = match sensors.get_mut(sensor_id) {
            Some(times) => times,
            None => sensors.entry(sensor_id.to_owned()).or_default(),
        };
        let added = times.insert(ts_ms);
        self.len += usize::from(added);
        added
    }

    /// Whether the key is present.
    pub fn contains(&self, asset_id: &str, sensor_id: &str, ts_ms: i64) -> bool {
        self.series(asset_id, sensor_id).is_some_and(|t| t.contains(&ts_ms))
    }

    /// Every key as (asset_id, sensor_id, ts), in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, i64)> {
        self.by_asset.iter().flat_map(|(asset, sensors)| {
            sensors.iter().flat_map(move |(sensor, times)| {
                times.iter().map(move |&ts| (asset.as_str(), sensor.as_str(), ts))
            })
        })
    }

    /// Number of distinct keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The timestamps of one series, if any.
    pub(crate) fn series(&self, asset_id: &str, sensor_id: &str) -> Option<&HashSet<i64>> {
        self.by_asset.get(asset_id)?.get(sensor_id)
    }

    /// Adds the keys of a curated Parquet object, reading only its key columns. `object_key` is used in
    /// error messages. Returns the number of rows read.
    pub fn extend_from_parquet(&mut self, parquet: Bytes, object_key: &str) -> Result<usize, CurationError> {
        let read_err = |e: &dyn std::fmt::Display| CurationError::ReadParquet {
            key: object_key.to_owned(),
            reason: e.to_string(),
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(parquet).map_err(|e| read_err(&e))?;
        let mask = ProjectionMask::columns(builder.parquet_schema(), KEY_COLUMNS);
        let reader = builder.with_projection(mask).build().map_err(|e| read_err(&e))?;
        let mut rows = 0;
        for batch in reader {
            let batch = batch.map_err(|e| read_err(&e))?;
            rows += self.extend_from_batch(&batch, object_key)?;
        }
        Ok(rows)
    }

    fn extend_from_batch(&mut self, batch: &RecordBatch, object_key: &str) -> Result<usize, CurationError> {
        let assets = key_column(batch, "asset_id", &DataType::Utf8, object_key)?.as_string::<i32>();
        let sensors = key_column(batch, "sensor_id", &DataType::Utf8, object_key)?.as_string::<i32>();
        let ts_type = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
        let ts = key_column(batch, "ts", &ts_type, object_key)?.as_primitive::<TimestampMillisecondType>();
        for ((asset, sensor), ts) in assets.iter().zip(sensors.iter()).zip(ts.values().iter()) {
            // key_column rejected nulls, so the options are always Some.
            if let (Some(asset), Some(sensor)) = (asset, sensor) {
                self.insert(asset, sensor, *ts);
            }
        }
        Ok(batch.num_rows())
    }
}

/// The named column, checked to have the type curation writes and no nulls.
pub(crate) fn key_column<'r>(
    batch: &'r RecordBatch,
    name: &'static str,
    expected: &DataType,
    object_key: &str,
) -> Result<&'r dyn Array, CurationError> {
    let column = batch.column_by_name(name).ok_or_else(|| CurationError::UnexpectedColumn {
        key: object_key.to_owned(),
        column: name,
        found: "nothing (column absent)".to_owned(),
        expected: expected_name(name),
    })?;
    if column.data_type() != expected {
        return Err(CurationError::UnexpectedColumn {
            key: object_key.to_owned(),
            column: name,
            found: column.data_type().to_string(),
            expected: expected_name(name),
        });
    }
    if column.null_count() > 0 {
        return Err(CurationError::NullKey { key: object_key.to_owned(), column: name });
    }
    Ok(column.as_ref())
}

fn expected_name(column: &str) -> &'static str {
    match column {
        "ts" => "Timestamp(ms, \"UTC\")",
        "value" => "Float64",
        _ => "Utf8",
    }
}
