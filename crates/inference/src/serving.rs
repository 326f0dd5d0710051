//! Serving: applying a decoded model to one asset's new rows, through the asset's record.
//!
//! Rows after a sensor's watermark advance the model's state; late rows (at or before it: a resend, an
//! out-of-order delivery) are scored against a copy of the state that is thrown away, so they get a
//! prediction without rewinding the stream.

use serde_json::Value;
use twinpipe_curation::CuratedRow;
use twinpipe_model_store::ModelKind;

use crate::anomaly_model::{AnomalyModel, AnomalyState};
use crate::asset_head::AssetHead;
use crate::episodes::FlaggedRow;
use crate::predictions::PredictionRow;

/// A model ready to serve.
#[derive(Debug, Clone, PartialEq)]
pub enum ServingModel {
    Anomaly(AnomalyModel),
}

/// Why a model could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ServingError {
    #[error(
        "the state record of model {model} for asset {asset_id} is unreadable ({reason}); delete it to restart the stream"
    )]
    BadState { model: String, asset_id: String, reason: String },
}

/// The identity columns of the rows one inference writes.
#[derive(Debug, Clone, Copy)]
pub struct RowIdentity<'a> {
    pub asset_id: &'a str,
    pub model: &'a str,
    pub model_version: u32,
    pub inference_id: &'a str,
}

impl RowIdentity<'_> {
    /// An empty prediction row for one sensor at one time.
    pub fn row(&self, sensor_id: &str, ts_ms: i64) -> PredictionRow {
        PredictionRow::new(self.asset_id, sensor_id, ts_ms, self.model, self.model_version, self.inference_id)
    }
}

/// What applying a model to one asset's rows produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssetOutput {
    pub rows: Vec<PredictionRow>,
    pub flagged: Vec<FlaggedRow>,
}

impl ServingModel {
    /// Decodes an artefact of a kind that inference serves.
    pub fn decode(kind: ModelKind, bytes: &[u8]) -> Result<Self, String> {
        match kind {
            ModelKind::AnomalyDetector => AnomalyModel::from_bytes(bytes).map(ServingModel::Anomaly),
            other => Err(format!("inference does not serve {other} models")),
        }
    }

    /// Whether inference runs models of this kind on every curated dataset.
    pub fn serves(kind: ModelKind) -> bool {
        matches!(kind, ModelKind::AnomalyDetector)
    }

    /// Applies the model to `rows` (one asset's, any order), advancing `head` past the fresh ones.
    pub fn apply(
        &self,
        head: &mut AssetHead<Value>,
        rows: &[CuratedRow],
        ids: &RowIdentity<'_>,
    ) -> Result<AssetOutput, ServingError> {
        let mut sorted: Vec<&CuratedRow> = rows.iter().collect();
        sorted.sort_by(|a, b| (&a.sensor_id, a.ts_ms).cmp(&(&b.sensor_id, b.ts_ms)));
        let (fresh, late): (Vec<&CuratedRow>, Vec<&CuratedRow>) =
            sorted.into_iter().partition(|r| head.is_fresh(&r.sensor_id, r.ts_ms));
        let bad_state = |e: serde_json::Error| ServingError::BadState {
            model: ids.model.to_owned(),
            asset_id: ids.asset_id.to_owned(),
            reason: e.to_string(),
        };
        let mut output = match self {
            ServingModel::Anomaly(model) => {
                let mut state: AnomalyState = decode_state(&head.state).map_err(bad_state)?;
                let late_out = model.score(&mut state.clone(), &late, ids);
                let fresh_out = model.score(&mut state, &fresh, ids);
                head.state = serde_json::to_value(&state).expect("anomaly state serialises");
                AssetOutput {
                    rows: late_out.rows.into_iter().chain(fresh_out.rows).collect(),
                    flagged: late_out.flagged.into_iter().chain(fresh_out.flagged).collect(),
                }
            }
        };
        for row in &fresh {
            head.advance(&row.sensor_id, row.ts_ms);
        }
        output.rows.sort_by(|a, b| {
            (&a.sensor_id, a.ts_ms, a.horizon_step).cmp(&(&b.sensor_id, b.ts_ms, b.horizon_step))
        });
        Ok(output)
    }
}

/// The typed state in a record; a record that has none yet (`null`) is the default state.
fn decode_state<S: serde::de::DeserializeOwned + Default>(value: &Value) -> Result<S, serde_json::Error> {
    if value.is_null() { Ok(S::default()) } else { serde_json::from_value(value.clone()) }
}
