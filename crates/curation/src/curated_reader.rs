//! Reading curated Parquet back: what inference, monitoring and the twin connector consume.

use arrow_array::RecordBatch;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMillisecondType};
use arrow_schema::{DataType, TimeUnit};
use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::CurationError;
use crate::existing_keys::key_column;

/// One curated reading, value in its canonical unit.
#[derive(Debug, Clone, PartialEq)]
pub struct CuratedRow {
    /// The asset the reading belongs to.
    pub asset_id: String,
    /// The sensor on that asset.
    pub sensor_id: String,
    /// Epoch milliseconds, UTC.
    pub ts_ms: i64,
    /// The value in `unit`, the canonical unit of its quantity.
    pub value: f64,
    /// Canonical unit symbol.
    pub unit: String,
    /// `good`, `uncertain` or `bad`.
    pub quality: String,
}

const COLUMNS: [&str; 6] = ["asset_id", "sensor_id", "ts", "value", "unit", "quality"];

/// Reads the rows of one curated Parquet object (only the columns a consumer needs), in file order:
/// sorted by (asset_id, sensor_id, ts). `object_key` names the object in error messages.
pub fn read_curated(parquet: Bytes, object_key: &str) -> Result<Vec<CuratedRow>, CurationError> {
    let read_err = |e: &dyn std::fmt::Display| CurationError::ReadParquet {
        key: object_key.to_owned(),
        reason: e.to_string(),
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(parquet).map_err(|e| read_err(&e))?;
    let mask = ProjectionMask::columns(builder.parquet_schema(), COLUMNS);
    let reader = builder.with_projection(mask).build().map_err(|e| read_err(&e))?;
    let mut rows = Vec::new();
    for batch in reader {
        push_rows(&batch.map_err(|e| read_err(&e))?, object_key, &mut rows)?;
    }
    Ok(rows)
}

fn push_rows(batch: &RecordBatch, object_key: &str, rows: &mut Vec<CuratedRow>) -> Result<(), CurationError> {
    let text = |name| key_column(batch, name, &DataType::Utf8, object_key).map(|c| c.as_string::<i32>());
    let (assets, sensors, units, qualities) =
        (text("asset_id")?, text("sensor_id")?, text("unit")?, text("quality")?);
    let ts_type = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
    let ts = key_column(batch, "ts", &ts_type, object_key)?.as_primitive::<TimestampMillisecondType>();
    let values = key_column(batch, "value", &DataType::Float64, object_key)?.as_primitive::<Float64Type>();
    rows.reserve(batch.num_rows());
    for i in 0..batch.num_rows() {
        rows.push(CuratedRow {
            asset_id: assets.value(i).to_owned(),
            sensor_id: sensors.value(i).to_owned(),
            ts_ms: ts.value(i),
            value: values.value(i),
            unit: units.value(i).to_owned(),
            quality: qualities.value(i).to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Compression, curate};

    #[test]
    fn curated_rows_read_back_in_canonical_units() {
        let raw = concat!(
            r#"{"asset_id":"pump-1","sensor_id":"temp","ts":"2026-11-25T10:00:00.000Z","value":212.0,"unit":"degF"}"#,
            "\n"
        );
        let curated = curate(raw, "raw/x.ndjson", Compression::default()).unwrap();
        let file = &curated.files[0];
        let rows = read_curated(file.bytes.clone(), &file.key).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].asset_id.as_str(), rows[0].ts_ms, rows[0].unit.as_str()),
            ("pump-1", 1795600800000, "degC")
        );
        assert!((rows[0].value - 100.0).abs() < 1e-9);
    }

    #[test]
    fn bytes_that_are_not_parquet_are_a_read_error_naming_the_object() {
        let err = read_curated(Bytes::from_static(b"not parquet"), "curated/x.parquet").unwrap_err();
        assert!(err.to_string().contains("curated/x.parquet"), "{err}");
    }
}
