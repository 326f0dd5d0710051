//! Prediction rows and their Parquet form under `predictions/model=<name>/date=<d>/hour=<h>/asset=<a>/`.
//!
//! One schema for every model kind, with the outputs a kind does not produce left null, so Athena, the
//! twin connector and the report read one table.

use std::sync::{Arc, OnceLock};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, TimestampMillisecondType, UInt32Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray,
    TimestampMillisecondArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::ZstdLevel;
use parquet::file::properties::WriterProperties;
use twinpipe_domain::reading::format_ts_ms;

/// One output of one model for one (asset, sensor, timestamp). `sensor_id` is `*` for asset-level
/// (multivariate) outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionRow {
    pub asset_id: String,
    pub sensor_id: String,
    /// Epoch milliseconds UTC: the reading's time, or the forecast's target time.
    pub ts_ms: i64,
    pub model: String,
    pub model_version: u32,
    pub inference_id: String,
    /// The observed value (canonical unit), when the row scores a reading.
    pub value: Option<f64>,
    /// Anomaly score in [0, 1].
    pub anomaly_score: Option<f64>,
    pub is_anomaly: Option<bool>,
    /// What the model expected the value to be.
    pub expected: Option<f64>,
    /// Point forecast and prediction interval bounds.
    pub forecast: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Steps ahead of the last observed reading (forecasts only; 1 = next step).
    pub horizon_step: Option<i32>,
}

impl PredictionRow {
    /// A row with identity fields set and every output empty.
    pub fn new(
        asset_id: &str,
        sensor_id: &str,
        ts_ms: i64,
        model: &str,
        version: u32,
        inference_id: &str,
    ) -> Self {
        PredictionRow {
            asset_id: asset_id.to_owned(),
            sensor_id: sensor_id.to_owned(),
            ts_ms,
            model: model.to_owned(),
            model_version: version,
            inference_id: inference_id.to_owned(),
            value: None,
            anomaly_score: None,
            is_anomaly: None,
            expected: None,
            forecast: None,
            lower: None,
            upper: None,
            horizon_step: None,
        }
    }
}

/// Why prediction rows could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum PredictionError {
    #[error("encoding predictions as Parquet: {0}")]
    Encode(String),
    #[error("reading predictions object {key}: {reason}")]
    Decode { key: String, reason: String },
}

/// The Arrow schema of `predictions/`, the contract with Athena (Glue table), the twin connector and the
/// report.
pub fn predictions_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let utc_ms = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
            let f64_field = |name| Field::new(name, DataType::Float64, true);
            Arc::new(Schema::new(vec![
                Field::new("asset_id", DataType::Utf8, false),
                Field::new("sensor_id", DataType::Utf8, false),
                Field::new("ts", utc_ms, false),
                Field::new("model", DataType::Utf8, false),
                Field::new("model_version", DataType::UInt32, false),
                Field::new("inference_id", DataType::Utf8, false),
                f64_field("value"),
                f64_field("anomaly_score"),
                Field::new("is_anomaly", DataType::Boolean, true),
                f64_field("expected"),
                f64_field("forecast"),
                f64_field("lower"),
                f64_field("upper"),
                Field::new("horizon_step", DataType::Int32, true),
            ]))
        })
        .clone()
}

/// Where one model's predictions for one asset from one curated object go. The hour partition is the
/// curated object's, so re-processing the object rewrites the same key.
pub fn prediction_key(model: &str, date: &str, hour: &str, asset_id: &str, inference_id: &str) -> String {
    format!("predictions/model={model}/date={date}/hour={hour}/asset={asset_id}/part-{inference_id}.parquet")
}

/// Encodes rows as one zstd Parquet file; the same rows always give the same bytes.
pub fn write_predictions(rows: &[PredictionRow]) -> Result<Bytes, PredictionError> {
    let batch = to_batch(rows).map_err(|e| PredictionError::Encode(e.to_string()))?;
    let props = WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(ZstdLevel::default()))
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, predictions_schema(), Some(props))
        .map_err(|e| PredictionError::Encode(e.to_string()))?;
    writer.write(&batch).map_err(|e| PredictionError::Encode(e.to_string()))?;
    writer.close().map_err(|e| PredictionError::Encode(e.to_string()))?;
    Ok(Bytes::from(out))
}

fn to_batch(rows: &[PredictionRow]) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let text = |f: fn(&PredictionRow) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
    };
    let float = |f: fn(&PredictionRow) -> Option<f64>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<Float64Array>())
    };
    let columns: Vec<ArrayRef> = vec![
        text(|r| &r.asset_id),
        text(|r| &r.sensor_id),
        Arc::new(
            TimestampMillisecondArray::from_iter_values(rows.iter().map(|r| r.ts_ms)).with_timezone("UTC"),
        ),
        text(|r| &r.model),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.model_version))),
        text(|r| &r.inference_id),
        float(|r| r.value),
        float(|r| r.anomaly_score),
        Arc::new(rows.iter().map(|r| r.is_anomaly).collect::<BooleanArray>()),
        float(|r| r.expected),
        float(|r| r.forecast),
        float(|r| r.lower),
        float(|r| r.upper),
        Arc::new(rows.iter().map(|r| r.horizon_step).collect::<Int32Array>()),
    ];
    RecordBatch::try_new(predictions_schema(), columns)
}

/// Decodes a predictions object written by [`write_predictions`]. `key` names it in errors.
pub fn read_predictions(parquet: Bytes, key: &str) -> Result<Vec<PredictionRow>, PredictionError> {
    let fail =
        |e: &dyn std::fmt::Display| PredictionError::Decode { key: key.to_owned(), reason: e.to_string() };
    let reader = ParquetRecordBatchReaderBuilder::try_new(parquet)
        .map_err(|e| fail(&e))?
        .build()
        .map_err(|e| fail(&e))?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| fail(&e))?;
        if batch.schema().fields() != predictions_schema().fields() {
            return Err(fail(&format!("schema is {:?}, not the predictions schema", batch.schema())));
        }
        rows.extend(from_batch(&batch));
    }
    Ok(rows)
}

fn from_batch(batch: &RecordBatch) -> Vec<PredictionRow> {
    let text = |i: usize| batch.column(i).as_string::<i32>();
    let float = |i: usize| batch.column(i).as_primitive::<Float64Type>();
    let opt = |a: &arrow_array::PrimitiveArray<Float64Type>, r: usize| a.is_valid(r).then(|| a.value(r));
    let (assets, sensors, models, ids) = (text(0), text(1), text(3), text(5));
    let ts = batch.column(2).as_primitive::<TimestampMillisecondType>();
    let versions = batch.column(4).as_primitive::<UInt32Type>();
    let flags = batch.column(8).as_boolean();
    let steps = batch.column(13).as_primitive::<Int32Type>();
    let (value, score, expected, forecast, lower, upper) =
        (float(6), float(7), float(9), float(10), float(11), float(12));
    (0..batch.num_rows())
        .map(|r| PredictionRow {
            asset_id: assets.value(r).to_owned(),
            sensor_id: sensors.value(r).to_owned(),
            ts_ms: ts.value(r),
            model: models.value(r).to_owned(),
            model_version: versions.value(r),
            inference_id: ids.value(r).to_owned(),
            value: opt(value, r),
            anomaly_score: opt(score, r),
            is_anomaly: flags.is_valid(r).then(|| flags.value(r)),
            expected: opt(expected, r),
            forecast: opt(forecast, r),
            lower: opt(lower, r),
            upper: opt(upper, r),
            horizon_step: steps.is_valid(r).then(|| steps.value(r)),
        })
        .collect()
}

/// RFC 3339 UTC of the earliest and latest row (`None` for no rows).
pub fn time_range(rows: &[PredictionRow]) -> Option<(String, String)> {
    let min = rows.iter().map(|r| r.ts_ms).min()?;
    let max = rows.iter().map(|r| r.ts_ms).max()?;
    Some((format_ts_ms(min), format_ts_ms(max)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(ts_ms: i64, score: Option<f64>, step: Option<i32>) -> PredictionRow {
        let mut r = PredictionRow::new("pump-1", "temp", ts_ms, "anomaly", 3, "abc");
        r.value = Some(20.5);
        r.anomaly_score = score;
        r.is_anomaly = score.map(|s| s > 0.9);
        r.horizon_step = step;
        r
    }

    #[test]
    fn rows_round_trip_with_nulls_kept() {
        let rows = vec![row(1, Some(0.95), None), row(2, None, Some(4))];
        let back = read_predictions(write_predictions(&rows).unwrap(), "k").unwrap();
        assert_eq!(back, rows);
    }

    #[test]
    fn same_rows_give_the_same_bytes() {
        let rows = vec![row(1, Some(0.5), None)];
        assert_eq!(write_predictions(&rows).unwrap(), write_predictions(&rows).unwrap());
    }

    #[test]
    fn keys_are_hive_partitions() {
        assert_eq!(
            prediction_key("anomaly", "2026-11-25", "10", "pump-1", "abc"),
            "predictions/model=anomaly/date=2026-11-25/hour=10/asset=pump-1/part-abc.parquet"
        );
    }

    proptest! {
        #[test]
        fn any_finite_outputs_round_trip(scores in proptest::collection::vec(proptest::option::of(0.0f64..1.0), 0..50)) {
            let rows: Vec<_> = scores.iter().enumerate().map(|(i, s)| row(i as i64, *s, None)).collect();
            prop_assert_eq!(read_predictions(write_predictions(&rows).unwrap(), "k").unwrap(), rows);
        }
    }
}
