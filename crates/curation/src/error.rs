//! The one error type of curation, worded so that whoever reads it knows which line or object to fix.
//!
//! Every variant is terminal: re-running curation on the same bytes fails the same way, so the caller
//! should quarantine the source object rather than retry it. Line numbers are 1-based and count blank
//! lines, so they match an editor's.

/// Why a raw object could not be curated, or a curated object could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CurationError {
    /// A line is not a JSON object in the raw format (`twinpipe_domain::raw::RawLine`).
    #[error(
        "line {line}: not a raw reading ({reason}); expected one JSON object per line with asset_id, sensor_id, ts, value and unit"
    )]
    MalformedLine {
        /// The offending line.
        line: usize,
        /// What the JSON parser found wrong, with the column.
        reason: String,
    },

    /// A timestamp field is not RFC 3339 with an offset.
    #[error(
        "line {line}: {field} {value:?} is not an RFC 3339 timestamp with a UTC offset (e.g. \"2024-06-01T00:00:00.250Z\")"
    )]
    InvalidTimestamp {
        /// The offending line.
        line: usize,
        /// `ts` or `ingested_at`.
        field: &'static str,
        /// The text as found.
        value: String,
    },

    /// A timestamp is valid RFC 3339 but outside what the pipeline can store or partition.
    #[error("line {line}: {field} {value:?} is outside the supported range (years 0000 to 9999)")]
    TimestampOutOfRange {
        /// The offending line.
        line: usize,
        /// `ts` or `ingested_at`.
        field: &'static str,
        /// The text as found.
        value: String,
    },

    /// The unit is not in the unit table, so the value cannot be converted to its canonical unit.
    #[error("line {line}: unit {unit:?} is not a known unit; known units: {known}")]
    UnknownUnit {
        /// The first line with this unit.
        line: usize,
        /// The unit as sent.
        unit: String,
        /// The accepted symbols, comma-separated.
        known: String,
    },

    /// `quality` is present but not one of the three OPC UA status classes.
    #[error("line {line}: quality {value:?} is not one of \"good\", \"uncertain\", \"bad\"")]
    InvalidQuality {
        /// The offending line.
        line: usize,
        /// The quality as sent.
        value: String,
    },

    /// The object has more rows than curation indexes (row numbers are 32-bit to halve sort memory).
    #[error("the raw object has more than {max} readings; split it into smaller objects")]
    TooManyRows {
        /// The limit, [`crate::MAX_ROWS`].
        max: usize,
    },

    /// An existing curated object lacks a column that cross-file deduplication reads, or has another type.
    #[error(
        "curated object {key}: column {column:?} is missing or has type {found}, expected {expected}; was it written by another tool?"
    )]
    UnexpectedColumn {
        /// The curated object's key.
        key: String,
        /// The key column at fault.
        column: &'static str,
        /// What the object holds instead.
        found: String,
        /// What curation writes.
        expected: &'static str,
    },

    /// An existing curated object holds a null in a key column, which curation never writes.
    #[error(
        "curated object {key}: column {column:?} holds nulls; curated key columns are never null, so the object is not curation output"
    )]
    NullKey {
        /// The curated object's key.
        key: String,
        /// The key column at fault.
        column: &'static str,
    },

    /// An existing curated object is not readable Parquet.
    #[error("curated object {key}: cannot read it as Parquet ({reason}); delete or re-curate it")]
    ReadParquet {
        /// The curated object's key.
        key: String,
        /// The reader's explanation.
        reason: String,
    },

    /// An hour's key index (`_keys.json`) is not what curation writes.
    #[error("key index {key}: {reason}; delete it and it is rebuilt from the hour's Parquet files")]
    BadKeyIndex {
        /// The index object's key.
        key: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Encoding Parquet failed; this indicates a bug in curation (or an invalid zstd level), not bad data.
    #[error("writing Parquet for partition date={date}/hour={hour} failed: {reason}")]
    WriteParquet {
        /// The partition's date, `YYYY-MM-DD`.
        date: String,
        /// The partition's hour, `HH`.
        hour: String,
        /// The encoder's explanation.
        reason: String,
    },
}
