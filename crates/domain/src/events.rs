//! Payloads of the events the pipeline reacts to and emits.
//!
//! The names here are the contract with `infra/` (EventBridge rules) and with later stages: change them
//! only together with the rules in `infra/event-rules/`.

use serde::{Deserialize, Serialize};

/// `source` of the events curation publishes.
pub const CURATE_SOURCE: &str = "twinpipe.curate";
/// `detail-type` of the event that announces new curated data.
pub const DATASET_CURATED: &str = "Dataset Curated";
/// `source` and `detail-type` of S3's EventBridge notifications.
pub const S3_SOURCE: &str = "aws.s3";
pub const OBJECT_CREATED: &str = "Object Created";

/// The `detail` of S3's "Object Created" EventBridge event (fields we use; others are ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectCreatedDetail {
    pub bucket: BucketRef,
    pub object: ObjectRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketRef {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectRef {
    /// The key as S3 reports it. See `twinpipe_domain::events::decode_s3_key` before using it.
    pub key: String,
    #[serde(default)]
    pub size: Option<u64>,
    /// S3 spells it `etag`; moto spells it `eTag`.
    #[serde(default, alias = "eTag", skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, rename = "version-id", skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequencer: Option<String>,
}

/// Decodes an object key from an S3 event notification.
///
/// S3's classic notifications (S3 → SQS/SNS/Lambda) form-encode the key (`+` for space, `%XX` for the
/// rest). EventBridge notifications are documented with plain keys, and moto sends the raw key. A key
/// with `%XX` or `+` is ambiguous between the two; we try the key as given first (the caller checks it
/// exists), so this function returns the candidates in the order to try.
pub fn s3_key_candidates(key: &str) -> Vec<String> {
    let mut out = vec![key.to_owned()];
    if key.contains('%') || key.contains('+') {
        let plus_as_space = key.replace('+', " ");
        if let Ok(decoded) = percent_decode(&plus_as_space)
            && decoded != key
        {
            out.push(decoded);
        }
    }
    out
}

fn percent_decode(s: &str) -> Result<String, ()> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(())?;
            let hex = std::str::from_utf8(hex).map_err(|_| ())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

/// The `detail` of "Dataset Curated": what was written and what it covers, so later stages can read just
/// the new rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetCurated {
    pub bucket: String,
    /// The raw object this batch came from.
    pub source_object: String,
    /// Rows read from the source object.
    pub rows_in: u64,
    /// Rows written across `objects`.
    pub rows_written: u64,
    /// Rows dropped as duplicates of rows in the same source or already curated elsewhere.
    pub duplicates_dropped: u64,
    /// Earliest and latest reading timestamp written, RFC 3339 UTC (absent when nothing was written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ts: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ts: Option<String>,
    pub objects: Vec<CuratedObject>,
}

/// One Parquet object written by curation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CuratedObject {
    pub key: String,
    pub date: String,
    pub hour: String,
    pub rows: u64,
    pub min_ts: String,
    pub max_ts: String,
    /// Distinct assets in the object, sorted.
    pub assets: Vec<String>,
}

/// `source` of the events inference publishes.
pub const INFER_SOURCE: &str = "twinpipe.infer";
/// `detail-type` announcing a model's predictions for one curated dataset.
pub const PREDICTIONS_WRITTEN: &str = "Predictions Written";
/// `detail-type` of one anomaly episode found by a model.
pub const ANOMALY_DETECTED: &str = "Anomaly Detected";
/// `source` of the events quality monitoring publishes.
pub const MONITOR_SOURCE: &str = "twinpipe.monitor";
/// `detail-type` of one violated quality constraint.
pub const QUALITY_VIOLATION: &str = "Quality Violation";

/// The `detail` of "Predictions Written": one model's outputs for one "Dataset Curated" event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionsWritten {
    pub bucket: String,
    pub model: String,
    pub model_version: u32,
    /// The model's kind as the model store names it (`anomaly-detector`, `forecaster`, ...).
    pub kind: String,
    /// The raw object whose curation triggered this inference.
    pub source_object: String,
    pub rows: u64,
    /// Rows the model flagged as anomalous.
    pub anomalies: u64,
    pub objects: Vec<PredictionObject>,
}

/// One Parquet object of predictions: one model, one asset, one curated object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionObject {
    pub key: String,
    pub asset_id: String,
    /// Deterministic id of this (model version, curated object, asset) inference; also a column.
    pub inference_id: String,
    pub rows: u64,
    /// RFC 3339 UTC of the first and last prediction row.
    pub min_ts: String,
    pub max_ts: String,
}

/// How urgent a finding is; alert subscribers filter on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    /// The lowercase name used in events and SNS message attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// The `detail` of "Anomaly Detected": one episode (consecutive flagged rows of one asset in one batch),
/// explained by the sensors that drove it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyDetected {
    pub bucket: String,
    pub asset_id: String,
    pub model: String,
    pub model_version: u32,
    pub inference_id: String,
    /// RFC 3339 UTC of the first flagged row and of the highest-scoring one.
    pub start_ts: String,
    pub peak_ts: String,
    /// The highest anomaly score in the episode, in [0, 1].
    pub score: f64,
    pub rows_flagged: u64,
    pub severity: Severity,
    /// The sensors behind the peak, largest contribution first.
    pub sensors: Vec<SensorContribution>,
    /// The predictions object holding the flagged rows.
    pub evidence: String,
    /// Stable across re-deliveries and re-processing: alerting deduplicates on it.
    pub dedupe_key: String,
}

/// One sensor's part in an anomaly: what it read, what the model expected, and its share of the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensorContribution {
    pub sensor_id: String,
    pub observed: f64,
    pub expected: f64,
    /// Share of the anomaly explained by this sensor, in [0, 1]; shares sum to 1 over all sensors.
    pub contribution: f64,
}

/// The `detail` of "Quality Violation": one violated constraint of one quality check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityViolation {
    pub bucket: String,
    /// `data-quality`, `model-quality`, `bias-drift`, `feature-attribution-drift` or `sensor-telemetry`.
    pub check: String,
    /// The feature (column) or, for telemetry checks, `asset_id/sensor_id`.
    pub feature: String,
    /// The asset concerned, when the violation is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    /// Model Monitor's `constraint_check_type` (e.g. `baseline_drift_check`) or ours (`stuck_sensor_check`).
    pub metric: String,
    /// The measured value and the limit, when the check reports them as numbers (the description always
    /// states them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    pub description: String,
    pub severity: Severity,
    /// The objects holding the evidence (statistics, constraint_violations.json).
    pub evidence: Vec<String>,
    /// Stable for the same violation of the same window: alerting deduplicates on it.
    pub dedupe_key: String,
}

/// `source` of the events the digital twin publishes.
pub const TWIN_SOURCE: &str = "twinpipe.twin";
/// `detail-type` of a set-point change recommended to keep an asset inside its limits.
pub const SETPOINT_RECOMMENDED: &str = "Setpoint Recommended";

/// The `detail` of "Setpoint Recommended": a twin's projected trajectory crosses a limit, and changing
/// one adjustable set-point within its allowed range keeps it inside. This is the hook where an operator,
/// or an AWS IoT device-shadow update, applies the change to the real asset (see `docs/twin.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetpointRecommended {
    pub bucket: String,
    pub asset_id: String,
    pub asset_type: String,
    /// The set-point, as the asset-type config names it (`speed`, `fan_speed`, ...).
    pub parameter: String,
    /// The unit of `current`, `recommended` and the allowed range, as the config declares it.
    pub unit: String,
    pub current: f64,
    pub recommended: f64,
    pub allowed_min: f64,
    pub allowed_max: f64,
    /// Why: the first limit the unchanged trajectory crosses, and when.
    pub reason: String,
    /// `forecast` (the twin's latest forecast, adjusted by the simulated effect of the change) or
    /// `simulation` (the simulator's projection from the twin's current state).
    pub basis: String,
    /// RFC 3339 UTC of the first and last projected step.
    pub horizon_start: String,
    pub horizon_end: String,
    /// What the change does to each limited sensor, the crossing ones first.
    pub effects: Vec<SetpointEffect>,
    /// Probability, in [0, 1], that the recommended trajectory stays inside the limits given the
    /// projection's uncertainty (documented in `docs/twin.md`).
    pub confidence: f64,
    /// Stable for the same recommendation on the same data: alerting deduplicates on it.
    pub dedupe_key: String,
}

/// The effect of a recommended set-point change on one sensor over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetpointEffect {
    pub sensor_id: String,
    pub unit: String,
    /// The limit nearest to being crossed (`warn_high`, `alarm_low`, ...) and its value.
    pub limit: String,
    pub limit_value: f64,
    /// The sensor's worst value (nearest to, or furthest past, that limit) without and with the change.
    pub before: f64,
    pub after: f64,
    /// Whether the unchanged trajectory crosses the limit.
    pub crossed_before: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_candidates_cover_raw_and_form_encoded() {
        assert_eq!(s3_key_candidates("raw/a.ndjson"), vec!["raw/a.ndjson"]);
        assert_eq!(
            s3_key_candidates("raw/site+a/%C3%BC%E2%82%AC.ndjson"),
            vec!["raw/site+a/%C3%BC%E2%82%AC.ndjson", "raw/site a/ü€.ndjson"]
        );
        assert_eq!(s3_key_candidates("raw/ü € x.ndjson"), vec!["raw/ü € x.ndjson"]);
        assert_eq!(s3_key_candidates("raw/100%.ndjson"), vec!["raw/100%.ndjson"]);
    }

    #[test]
    fn etag_accepts_moto_spelling() {
        let d: ObjectCreatedDetail = serde_json::from_str(
            r#"{"bucket":{"name":"b"},"object":{"key":"k","size":3,"eTag":"abc"},"reason":"PutObject"}"#,
        )
        .unwrap();
        assert_eq!(d.object.etag.as_deref(), Some("abc"));
    }
}
