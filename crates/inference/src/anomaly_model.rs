//! The anomaly model as it is stored and served: the asset detector's configuration (one for every
//! asset), the score threshold calibrated at training, and per-asset streaming state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use twinpipe_anomaly::{AnomalyError, AssetConfig, AssetDetector, AssetScore};
use twinpipe_curation::CuratedRow;
use twinpipe_domain::events::SensorContribution;

use crate::episodes::{Explanation, FlaggedRow};
use crate::predictions::PredictionRow;
use crate::serving::RowIdentity;

/// Artefact format tag; decoding refuses anything else.
pub const ANOMALY_FORMAT: &str = "twinpipe.anomaly/1";

/// The stored anomaly model (`model.json` in the model store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyModel {
    pub format: String,
    pub detector: AssetConfig,
    /// Rows scoring at or above it are flagged.
    pub threshold: f64,
}

/// An asset's streaming state. The detector is created on the asset's first rows, with the sensors
/// reporting then; a sensor that appears later is not part of the joint score (its rows are left
/// unscored) until the model is retrained, which starts new state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnomalyState {
    pub detector: Option<AssetDetector>,
    /// Each sensor's latest value, carried forward when a timestamp lacks it.
    pub last_values: BTreeMap<String, f64>,
}

/// What scoring a batch produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnomalyOutput {
    pub rows: Vec<PredictionRow>,
    pub flagged: Vec<FlaggedRow>,
}

/// `sensor_id` of the asset-level rows (the joint score over all sensors).
pub const ASSET_LEVEL: &str = "*";

impl AnomalyModel {
    /// A model with the given detector configuration and threshold, validated.
    /// Explanations are computed for the rows the threshold flags, and only for them.
    pub fn new(mut detector: AssetConfig, threshold: f64) -> Result<Self, String> {
        detector.explain_above = threshold;
        let model = AnomalyModel { format: ANOMALY_FORMAT.to_owned(), detector, threshold };
        model.validate()?;
        Ok(model)
    }

    /// Canonical JSON bytes: the same model always encodes to the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("anomaly models serialise")
    }

    /// Decodes an artefact, refusing other formats and invalid configurations.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let model: AnomalyModel =
            serde_json::from_slice(bytes).map_err(|e| format!("not an anomaly model artefact: {e}"))?;
        if model.format != ANOMALY_FORMAT {
            return Err(format!("artefact format {:?}, expected {ANOMALY_FORMAT:?}", model.format));
        }
        model.validate()?;
        Ok(model)
    }

    fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(format!("threshold {} is outside [0, 1]", self.threshold));
        }
        AssetDetector::new(vec!["probe".into()], self.detector).map(|_| ()).map_err(|e| e.to_string())
    }

    /// Scores one asset's rows (any order), advancing `state`. Strictly causal: the rows are taken in
    /// time order, and a timestamp's score uses only that timestamp and earlier ones.
    pub fn score(
        &self,
        state: &mut AnomalyState,
        rows: &[&CuratedRow],
        ids: &RowIdentity<'_>,
    ) -> AnomalyOutput {
        let mut by_ts: BTreeMap<i64, BTreeMap<&str, f64>> = BTreeMap::new();
        for row in rows {
            by_ts.entry(row.ts_ms).or_default().insert(&row.sensor_id, row.value);
        }
        let mut out = AnomalyOutput::default();
        for (ts_ms, readings) in by_ts {
            for (sensor, value) in &readings {
                state.last_values.insert((*sensor).to_owned(), *value);
            }
            let detector = match &mut state.detector {
                Some(d) => d,
                None => state.detector.insert(self.new_detector(&state.last_values)),
            };
            let values: Vec<f64> = detector.sensors().iter().map(|s| state.last_values[s]).collect();
            let score = detector.update(ts_ms, &values).expect("values are finite and one per sensor");
            self.emit(&mut out, ts_ms, detector.sensors(), &readings, &score, ids);
        }
        out
    }

    fn new_detector(&self, first_values: &BTreeMap<String, f64>) -> AssetDetector {
        let sensors: Vec<String> = first_values.keys().cloned().collect();
        AssetDetector::new(sensors, self.detector)
            .unwrap_or_else(|e: AnomalyError| unreachable!("validated when decoded: {e}"))
    }

    fn emit(
        &self,
        out: &mut AnomalyOutput,
        ts_ms: i64,
        sensors: &[String],
        readings: &BTreeMap<&str, f64>,
        score: &AssetScore,
        ids: &RowIdentity<'_>,
    ) {
        for (sensor, sensor_score) in sensors.iter().zip(&score.sensor_scores) {
            let Some(value) = readings.get(sensor.as_str()) else { continue };
            let mut row = ids.row(sensor, ts_ms);
            row.value = Some(*value);
            row.anomaly_score = Some(*sensor_score);
            row.is_anomaly = Some(*sensor_score >= self.threshold);
            row.expected = expected_of(score, sensor);
            out.rows.push(row);
        }
        let mut asset_row = ids.row(ASSET_LEVEL, ts_ms);
        asset_row.anomaly_score = Some(score.score);
        asset_row.is_anomaly = Some(score.score >= self.threshold);
        out.rows.push(asset_row);
        if score.score >= self.threshold {
            let sensors =
                score.explanation.iter().flat_map(|e| &e.contributions).map(|c| SensorContribution {
                    sensor_id: c.sensor.clone(),
                    observed: c.observed,
                    expected: c.expected,
                    contribution: c.share,
                });
            out.flagged.push(FlaggedRow {
                ts_ms,
                score: score.score,
                explanation: Explanation { sensors: sensors.collect() },
            });
        }
    }
}

fn expected_of(score: &AssetScore, sensor: &str) -> Option<f64> {
    score.explanation.as_ref()?.contributions.iter().find(|c| c.sensor == sensor).map(|c| c.expected)
}

/// How a calibrated anomaly model did on its training and held-out rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub model: AnomalyModel,
    /// Fraction of asset rows flagged on the training part and on the held-out tail.
    pub train_flag_rate: f64,
    pub holdout_flag_rate: f64,
    /// Asset rows scored in each part.
    pub train_rows: u64,
    pub holdout_rows: u64,
}

/// Fits the threshold: the asset-level score exceeded by `target_rate` of the training rows (at least
/// `min_threshold`), so the model flags about that often on data like its training data. The detectors
/// run causally over each asset's rows in time order; rows at or after `holdout_from_ms` are the held-out
/// tail, scored with the state the training part left, and only measured.
pub fn calibrate(
    rows: &[CuratedRow],
    config: AssetConfig,
    target_rate: f64,
    min_threshold: f64,
    holdout_from_ms: i64,
) -> Result<Calibration, String> {
    let probe = AnomalyModel::new(config, 1.0)?;
    let (mut train, mut holdout) = (Vec::new(), Vec::new());
    let mut by_asset: BTreeMap<&str, Vec<&CuratedRow>> = BTreeMap::new();
    for row in rows {
        by_asset.entry(&row.asset_id).or_default().push(row);
    }
    for (asset, asset_rows) in by_asset {
        let ids = RowIdentity { asset_id: asset, model: "calibration", model_version: 0, inference_id: "" };
        let out = probe.score(&mut AnomalyState::default(), &asset_rows, &ids);
        for row in out.rows.iter().filter(|r| r.sensor_id == ASSET_LEVEL) {
            let score = row.anomaly_score.unwrap_or(0.0);
            if row.ts_ms < holdout_from_ms { train.push(score) } else { holdout.push(score) }
        }
    }
    if train.is_empty() {
        return Err("no training rows before the held-out tail; widen the time range".into());
    }
    let threshold = quantile_above(&mut train, target_rate).max(min_threshold).min(1.0);
    let rate = |scores: &[f64]| {
        if scores.is_empty() {
            0.0
        } else {
            scores.iter().filter(|s| **s >= threshold).count() as f64 / scores.len() as f64
        }
    };
    Ok(Calibration {
        model: AnomalyModel::new(config, threshold)?,
        train_flag_rate: rate(&train),
        holdout_flag_rate: rate(&holdout),
        train_rows: train.len() as u64,
        holdout_rows: holdout.len() as u64,
    })
}

/// The smallest score that at most `rate` of `scores` exceed (scores are sorted in place).
fn quantile_above(scores: &mut [f64], rate: f64) -> f64 {
    scores.sort_by(f64::total_cmp);
    let keep = ((scores.len() as f64) * rate.clamp(0.0, 1.0)).floor() as usize;
    let index = scores.len().saturating_sub(keep + 1);
    // Just above the score at the cut, so that ties at the cut are not flagged either.
    scores[index].next_up()
}
