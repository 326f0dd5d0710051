//! Encoding a partition as Parquet, in memory, byte-for-byte deterministic.
//!
//! Determinism is what makes curation idempotent: a redelivered event re-curates the same source into
//! the same key with the same bytes, so storage overwrites instead of duplicating and ETags stay stable.
//! parquet-rs writes no clock-derived metadata (its `created_by` is the constant
//! `parquet-rs version X`), and every input to the encoder here is a pure function of the raw text.
//!
//! The schema is plain Parquet that pyarrow, DuckDB and Athena read as-is: UTF-8 strings,
//! `TIMESTAMP(MILLIS, isAdjustedToUTC=true)`, `DOUBLE`, data page v1.

use std::sync::{Arc, OnceLock};

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::basic::ZstdLevel;
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use crate::error::CurationError;
use crate::partition::Partition;

/// The compression codec of curated files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// zstd at the given level (1 to 22; negative levels trade ratio for speed). Level 1 is the default:
    /// near-snappy speed with a markedly smaller object, which is what S3 storage and Athena scans bill.
    Zstd {
        /// zstd's compression level.
        level: i32,
    },
    /// Snappy, for consumers that lack zstd.
    Snappy,
}

impl Default for Compression {
    fn default() -> Self {
        Compression::Zstd { level: 1 }
    }
}

/// The Arrow schema of curated data, the contract with every reader of `curated/`.
pub fn curated_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let utc_ms = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
            Arc::new(Schema::new(vec![
                Field::new("asset_id", DataType::Utf8, false),
                Field::new("sensor_id", DataType::Utf8, false),
                Field::new("ts", utc_ms.clone(), false),
                Field::new("value", DataType::Float64, false),
                Field::new("unit", DataType::Utf8, false),
                Field::new("quality", DataType::Utf8, false),
                Field::new("attributes", DataType::Utf8, true),
                Field::new("source_object", DataType::Utf8, false),
                Field::new("ingested_at", utc_ms, true),
            ]))
        })
        .clone()
}

/// Encodes the partition's rows as one Parquet file. `source_object` is the raw key, stored on every row
/// as lineage.
pub fn write_parquet(
    partition: &Partition<'_>,
    source_object: &str,
    compression: Compression,
) -> Result<Bytes, CurationError> {
    let failed = |reason: String| CurationError::WriteParquet {
        date: partition.date().to_owned(),
        hour: partition.hour().to_owned(),
        reason,
    };
    let props = writer_properties(compression).map_err(failed)?;
    let batch = record_batch(partition, source_object).map_err(|e| failed(e.to_string()))?;
    let mut writer =
        ArrowWriter::try_new(Vec::new(), curated_schema(), Some(props)).map_err(|e| failed(e.to_string()))?;
    writer.write(&batch).map_err(|e| failed(e.to_string()))?;
    let bytes = writer.into_inner().map_err(|e| failed(e.to_string()))?;
    Ok(Bytes::from(bytes))
}

/// Dictionary encoding for the repetitive string columns (asset and sensor ids, unit, quality, source,
/// ingest time), plain for `ts` and `value`, which are nearly all distinct. The sort order is declared
/// so engines can skip sorting.
fn writer_properties(compression: Compression) -> Result<WriterProperties, String> {
    let codec = match compression {
        Compression::Zstd { level } => parquet::basic::Compression::ZSTD(
            ZstdLevel::try_new(level).map_err(|_| format!("zstd level {level} is invalid; use 1 to 22"))?,
        ),
        Compression::Snappy => parquet::basic::Compression::SNAPPY,
    };
    let sorted = |column_idx| SortingColumn { column_idx, descending: false, nulls_first: false };
    Ok(WriterProperties::builder()
        .set_compression(codec)
        .set_column_dictionary_enabled(ColumnPath::from("ts"), false)
        .set_column_dictionary_enabled(ColumnPath::from("value"), false)
        .set_sorting_columns(Some(vec![sorted(0), sorted(1), sorted(2)]))
        .build())
}

/// Gathers the partition's rows, in order, into Arrow columns.
fn record_batch(
    partition: &Partition<'_>,
    source_object: &str,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let batch = partition.batch;
    let raw = &batch.raw.rows;
    let rows = &partition.rows;
    let at = |r: &u32| *r as usize;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|&r| batch.asset(r)))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|&r| batch.sensor(r)))),
        Arc::new(
            TimestampMillisecondArray::from_iter_values(rows.iter().map(|r| raw.ts_ms[at(r)]))
                .with_timezone("UTC"),
        ),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| raw.value[at(r)]))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|&r| batch.unit(r)))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| raw.quality[at(r)].as_str()))),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| raw.attributes[at(r)].map(|i| raw.attributes_json[i as usize].as_str())),
        )),
        Arc::new(StringArray::from_iter_values(std::iter::repeat_n(source_object, rows.len()))),
        Arc::new(
            TimestampMillisecondArray::from_iter(rows.iter().map(|r| raw.ingested_at_ms[at(r)]))
                .with_timezone("UTC"),
        ),
    ];
    RecordBatch::try_new(curated_schema(), columns)
}
