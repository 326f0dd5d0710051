//! The per-(model version, asset) record at `state/<model>/<version>/<asset>.json`.
//!
//! Streaming models carry state from one batch to the next (detector statistics, a forecaster's look-back
//! window). The record holds that state together with the list of curated objects already applied and what
//! each produced. The `infer` handler updates it with a compare-and-swap *after* writing the predictions
//! object, so:
//! - a redelivered event finds its curated object in [`AssetHead::applied`] and republishes the recorded
//!   outcome without touching the state (the same outputs, the state advanced once);
//! - a crash between the two writes leaves the old record, and the retry recomputes the same predictions
//!   from the same state (deterministic), overwriting identical bytes;
//! - two invocations racing on one asset cannot both advance it: one compare-and-swap fails and that
//!   invocation recomputes from the winner's record.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use twinpipe_domain::events::{AnomalyDetected, PredictionObject};

/// How many applied curated objects an asset's record remembers. A redelivery older than that is treated
/// as late data: scored against the current state, which it does not advance.
pub const MAX_APPLIED: usize = 256;

/// See the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetHead<S> {
    pub model: String,
    pub model_version: u32,
    pub asset_id: String,
    /// Latest reading time applied, per sensor (epoch ms). Rows at or before it are late for that sensor.
    pub watermarks: BTreeMap<String, i64>,
    /// The model's streaming state after the last applied batch.
    pub state: S,
    /// The curated objects applied most recently, oldest first, with what they produced.
    pub applied: VecDeque<AppliedBatch>,
}

/// What applying one curated object to one asset produced; republished as is on redelivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedBatch {
    pub curated_key: String,
    /// The predictions object written (none when the batch produced no rows).
    pub object: Option<PredictionObject>,
    pub rows_flagged: u64,
    pub anomalies: Vec<AnomalyDetected>,
}

impl<S: Default> AssetHead<S> {
    /// The record of an asset the model has not seen yet.
    pub fn new(model: &str, model_version: u32, asset_id: &str) -> Self {
        AssetHead {
            model: model.to_owned(),
            model_version,
            asset_id: asset_id.to_owned(),
            watermarks: BTreeMap::new(),
            state: S::default(),
            applied: VecDeque::new(),
        }
    }
}

impl<S> AssetHead<S> {
    /// Where the record of (model, version, asset) is stored.
    pub fn key(model: &str, model_version: u32, asset_id: &str) -> String {
        format!("state/{model}/{model_version}/{asset_id}.json")
    }

    /// The recorded outcome of `curated_key`, if it was applied.
    pub fn applied(&self, curated_key: &str) -> Option<&AppliedBatch> {
        self.applied.iter().find(|a| a.curated_key == curated_key)
    }

    /// Records an applied batch, forgetting the oldest beyond [`MAX_APPLIED`].
    pub fn record(&mut self, batch: AppliedBatch) {
        self.applied.push_back(batch);
        while self.applied.len() > MAX_APPLIED {
            self.applied.pop_front();
        }
    }

    /// Whether a reading of `sensor_id` at `ts_ms` is new (after the sensor's watermark).
    pub fn is_fresh(&self, sensor_id: &str, ts_ms: i64) -> bool {
        self.watermarks.get(sensor_id).is_none_or(|w| ts_ms > *w)
    }

    /// Moves a sensor's watermark forward (never back).
    pub fn advance(&mut self, sensor_id: &str, ts_ms: i64) {
        let w = self.watermarks.entry(sensor_id.to_owned()).or_insert(ts_ms);
        *w = (*w).max(ts_ms);
    }
}

/// The deterministic id of one inference: (model, version, curated object, asset). It names the
/// predictions object and is stored on every row, so re-processing yields the same id.
pub fn inference_id(model: &str, model_version: u32, curated_key: &str, asset_id: &str) -> String {
    let mut h = Sha256::new();
    for part in [model, &model_version.to_string(), curated_key, asset_id] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(key: &str) -> AppliedBatch {
        AppliedBatch { curated_key: key.into(), object: None, rows_flagged: 0, anomalies: vec![] }
    }

    #[test]
    fn remembers_only_the_most_recent_batches() {
        let mut head: AssetHead<()> = AssetHead::new("m", 1, "a");
        for i in 0..MAX_APPLIED + 3 {
            head.record(batch(&format!("k{i}")));
        }
        assert!(head.applied("k2").is_none());
        assert!(head.applied("k3").is_some());
        assert_eq!(head.applied.len(), MAX_APPLIED);
    }

    #[test]
    fn watermarks_only_move_forward() {
        let mut head: AssetHead<()> = AssetHead::new("m", 1, "a");
        head.advance("t", 10);
        head.advance("t", 5);
        assert!(!head.is_fresh("t", 10));
        assert!(head.is_fresh("t", 11));
        assert!(head.is_fresh("other", 0));
    }

    #[test]
    fn inference_ids_are_stable_and_distinct() {
        let id = inference_id("m", 1, "curated/x.parquet", "pump-1");
        assert_eq!(id, inference_id("m", 1, "curated/x.parquet", "pump-1"));
        assert_ne!(id, inference_id("m", 2, "curated/x.parquet", "pump-1"));
        assert_ne!(inference_id("m", 1, "ab", "c"), inference_id("m", 1, "a", "bc"));
        assert_eq!(id.len(), 16);
    }
}
