//! Inference analytics: one record per inference (model version × curated object × asset) with its size,
//! anomaly count and latency, stored as Parquet under
//! `analytics/model=<name>/date=<d>/hour=<h>/part-<inference_id>.parquet`, and summarised per model and
//! asset by `twinpipe model stats`.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMillisecondType, UInt32Type, UInt64Type};
use arrow_array::{
    ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Serialize;

use crate::predictions::PredictionError;

/// One inference.
#[derive(Debug, Clone, PartialEq)]
pub struct InferenceRecord {
    pub model: String,
    pub model_version: u32,
    pub asset_id: String,
    pub inference_id: String,
    pub curated_key: String,
    /// Prediction rows written and rows flagged as anomalous.
    pub rows: u64,
    pub anomalies: u64,
    /// Time spent scoring (decode of state, model, encoding), milliseconds.
    pub latency_ms: f64,
    /// When it ran, epoch ms.
    pub processed_at_ms: i64,
}

/// Where the record of one inference goes.
pub fn analytics_key(model: &str, date: &str, hour: &str, inference_id: &str) -> String {
    format!("analytics/model={model}/date={date}/hour={hour}/part-{inference_id}.parquet")
}

fn schema() -> SchemaRef {
    let text = |name| Field::new(name, DataType::Utf8, false);
    Arc::new(Schema::new(vec![
        text("model"),
        Field::new("model_version", DataType::UInt32, false),
        text("asset_id"),
        text("inference_id"),
        text("curated_key"),
        Field::new("rows", DataType::UInt64, false),
        Field::new("anomalies", DataType::UInt64, false),
        Field::new("latency_ms", DataType::Float64, false),
        Field::new("processed_at", DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())), false),
    ]))
}

/// Encodes records as one Parquet file.
pub fn write_analytics(records: &[InferenceRecord]) -> Result<Bytes, PredictionError> {
    let text = |f: fn(&InferenceRecord) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(records.iter().map(f)))
    };
    let count = |f: fn(&InferenceRecord) -> u64| -> ArrayRef {
        Arc::new(UInt64Array::from_iter_values(records.iter().map(f)))
    };
    let columns: Vec<ArrayRef> = vec![
        text(|r| &r.model),
        Arc::new(UInt32Array::from_iter_values(records.iter().map(|r| r.model_version))),
        text(|r| &r.asset_id),
        text(|r| &r.inference_id),
        text(|r| &r.curated_key),
        count(|r| r.rows),
        count(|r| r.anomalies),
        Arc::new(Float64Array::from_iter_values(records.iter().map(|r| r.latency_ms))),
        Arc::new(
            TimestampMillisecondArray::from_iter_values(records.iter().map(|r| r.processed_at_ms))
                .with_timezone("UTC"),
        ),
    ];
    let encode = || -> Result<Bytes, Box<dyn std::error::Error>> {
        let batch = RecordBatch::try_new(schema(), columns)?;
        let mut out = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut out, schema(), None)?;
        writer.write(&batch)?;
        writer.close()?;
        Ok(Bytes::from(out))
    };
    encode().map_err(|e| PredictionError::Encode(e.to_string()))
}

/// Decodes an analytics object. `key` names it in errors.
pub fn read_analytics(parquet: Bytes, key: &str) -> Result<Vec<InferenceRecord>, PredictionError> {
    let fail =
        |e: &dyn std::fmt::Display| PredictionError::Decode { key: key.to_owned(), reason: e.to_string() };
    let reader = ParquetRecordBatchReaderBuilder::try_new(parquet)
        .map_err(|e| fail(&e))?
        .build()
        .map_err(|e| fail(&e))?;
    let mut out = Vec::new();
    for batch in reader {
        let b = batch.map_err(|e| fail(&e))?;
        if b.schema().fields() != schema().fields() {
            return Err(fail(&"not an analytics object (unexpected columns)"));
        }
        let text = |i: usize| b.column(i).as_string::<i32>();
        let count = |i: usize| b.column(i).as_primitive::<UInt64Type>();
        for r in 0..b.num_rows() {
            out.push(InferenceRecord {
                model: text(0).value(r).to_owned(),
                model_version: b.column(1).as_primitive::<UInt32Type>().value(r),
                asset_id: text(2).value(r).to_owned(),
                inference_id: text(3).value(r).to_owned(),
                curated_key: text(4).value(r).to_owned(),
                rows: count(5).value(r),
                anomalies: count(6).value(r),
                latency_ms: b.column(7).as_primitive::<Float64Type>().value(r),
                processed_at_ms: b.column(8).as_primitive::<TimestampMillisecondType>().value(r),
            });
        }
    }
    Ok(out)
}

/// What `twinpipe model stats` shows for one (model, asset).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelAssetStats {
    pub model: String,
    pub asset_id: String,
    pub inferences: u64,
    pub predictions: u64,
    pub anomalies: u64,
    /// Anomalous rows per prediction row.
    pub anomaly_rate: f64,
    pub latency_p50_ms: f64,
    pub latency_p95_ms: f64,
    /// The version of the most recent inference, and every version seen.
    pub version_in_use: u32,
    pub versions: Vec<u32>,
}

/// Summarises records per (model, asset), sorted by model then asset.
pub fn summarise(records: &[InferenceRecord]) -> Vec<ModelAssetStats> {
    let mut groups: BTreeMap<(&str, &str), Vec<&InferenceRecord>> = BTreeMap::new();
    for r in records {
        groups.entry((&r.model, &r.asset_id)).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|((model, asset_id), rs)| {
            let mut latencies: Vec<f64> = rs.iter().map(|r| r.latency_ms).collect();
            latencies.sort_by(f64::total_cmp);
            let predictions: u64 = rs.iter().map(|r| r.rows).sum();
            let anomalies: u64 = rs.iter().map(|r| r.anomalies).sum();
            let latest = rs.iter().max_by_key(|r| r.processed_at_ms).expect("groups are not empty");
            let mut versions: Vec<u32> = rs.iter().map(|r| r.model_version).collect();
            versions.sort_unstable();
            versions.dedup();
            ModelAssetStats {
                model: model.to_owned(),
                asset_id: asset_id.to_owned(),
                inferences: rs.len() as u64,
                predictions,
                anomalies,
                anomaly_rate: if predictions == 0 { 0.0 } else { anomalies as f64 / predictions as f64 },
                latency_p50_ms: percentile(&latencies, 0.50),
                latency_p95_ms: percentile(&latencies, 0.95),
                version_in_use: latest.model_version,
                versions,
            }
        })
        .collect()
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(asset: &str, version: u32, latency_ms: f64, at: i64) -> InferenceRecord {
        InferenceRecord {
            model: "anomaly".into(),
            model_version: version,
            asset_id: asset.into(),
            inference_id: format!("{asset}-{at}"),
            curated_key: "curated/x.parquet".into(),
            rows: 100,
            anomalies: 2,
            latency_ms,
            processed_at_ms: at,
        }
    }

    #[test]
    fn records_round_trip() {
        let records = vec![record("p1", 1, 1.5, 10), record("p2", 2, 2.5, 20)];
        assert_eq!(read_analytics(write_analytics(&records).unwrap(), "k").unwrap(), records);
    }

    #[test]
    fn summary_per_model_and_asset() {
        let records: Vec<_> =
            (1..=20).map(|i| record("p1", if i > 10 { 2 } else { 1 }, i as f64, i)).collect();
        let stats = summarise(&records);
        assert_eq!(stats.len(), 1);
        let s = &stats[0];
        assert_eq!((s.inferences, s.predictions, s.anomalies), (20, 2000, 40));
        assert_eq!((s.latency_p50_ms, s.latency_p95_ms), (10.0, 19.0));
        assert_eq!((s.version_in_use, s.versions.clone()), (2, vec![1, 2]));
        assert!((s.anomaly_rate - 0.02).abs() < 1e-12);
    }
}
