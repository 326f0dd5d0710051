//! The pure core of inference, shared by the `infer` function, the CLI and the twin connector.
//!
//! - [`predictions`]: one row per model output and its Parquet encoding (deterministic bytes, so
//!   re-processing an event rewrites identical objects) and decoding.
//! - [`asset_head`]: the per-(model version, asset) record that carries streaming state between
//!   invocations and remembers which curated objects were already applied, so a redelivered event is
//!   answered from the record instead of advancing the state twice.
//! - [`serving`] and [`anomaly_model`]: applying a decoded model to one asset's new rows.
//! - [`analytics`]: one record per inference (size, anomalies, latency) and their summary.
//! - [`episodes`]: turning flagged rows into "Anomaly Detected" episodes with their explanation.

pub mod analytics;
pub mod anomaly_model;
pub mod asset_head;
pub mod episodes;
pub mod predictions;
pub mod serving;

pub use analytics::{
    InferenceRecord, ModelAssetStats, analytics_key, read_analytics, summarise, write_analytics,
};
pub use anomaly_model::{ANOMALY_FORMAT, ASSET_LEVEL, AnomalyModel, AnomalyState, Calibration, calibrate};
pub use asset_head::{AppliedBatch, AssetHead, inference_id};
pub use episodes::{Episode, Explanation, FlaggedRow, episodes};
pub use predictions::{
    PredictionError, PredictionRow, prediction_key, predictions_schema, read_predictions, time_range,
    write_predictions,
};
pub use serving::{AssetOutput, RowIdentity, ServingError, ServingModel};
