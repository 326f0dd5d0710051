//! The per-asset multivariate detector: each sensor's own detector plus the asset's correlation
//! structure, with an explanation for every flagged row.

use serde::{Deserialize, Serialize};

use crate::{AnomalyError, UnivariateConfig, UnivariateDetector};

/// Tuning of [`AssetDetector`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AssetConfig {
    /// The configuration of every sensor's own detector.
    pub sensor: UnivariateConfig,
    /// Memory, in rows, of the sensors' means and covariance.
    pub covariance_span: f64,
    /// Added to the diagonal of the correlation matrix, so that collinear sensors stay invertible.
    pub ridge: f64,
    /// Rows after which a record of the joint distance has decayed to half.
    pub record_half_life: f64,
    /// Rows scored 0 while the covariance settles.
    pub warmup_rows: u64,
    /// Rows that break a record (score above 0) and score at least this get an [`Explanation`]; 0
    /// explains every such row (they are rare by design).
    pub explain_above: f64,
}

impl Default for AssetConfig {
    fn default() -> Self {
        Self {
            sensor: UnivariateConfig::default(),
            covariance_span: 1000.0,
            ridge: 1e-3,
            record_half_life: 2000.0,
            warmup_rows: 100,
            explain_above: 0.0,
        }
    }
}

/// What one sensor contributed to a flagged row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensorContribution {
    /// The sensor.
    pub sensor: String,
    /// The value it reported.
    pub observed: f64,
    /// The value expected from its history (its exponentially weighted mean before this row).
    pub expected: f64,
    /// Its share of the anomaly, in `[0, 1]`; the shares of a row sum to 1.
    pub share: f64,
}

/// Why a row was flagged: the sensors in decreasing share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Which detector drove the score: `"joint"` (the correlation structure broke) or `"sensor"` (one
    /// sensor's own behaviour).
    pub driver: String,
    /// Every sensor with a non-zero share, largest first.
    pub contributions: Vec<SensorContribution>,
}

/// The score of one asset row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetScore {
    /// The asset's anomaly score in `[0, 1)`: the larger of the joint score and every sensor's score.
    pub score: f64,
    /// Score of the joint (Mahalanobis) distance alone.
    pub joint_score: f64,
    /// Each sensor's own score, in sensor order.
    pub sensor_scores: Vec<f64>,
    /// Present when `score > 0` and `score >= explain_above`.
    pub explanation: Option<Explanation>,
}

/// A streaming, strictly causal anomaly detector for the sensors of one asset.
///
/// Every sensor keeps its own [`UnivariateDetector`]. On top, the detector tracks exponentially
/// weighted means and covariance of the sensors and measures each row's Mahalanobis distance from the
/// mean (the sensors standardised, then decorrelated), which catches a row whose values are each
/// ordinary but whose combination is not (a pump drawing full current at half flow). The distance is
/// scored like the univariate measures: against its own decaying record. The asset's score is the
/// largest of the joint and per-sensor scores.
///
/// A flagged row is explained: with the joint score driving, each sensor's share is its term
/// `z_i (R^-1 z)_i` of the squared distance (negative terms count as 0); with a sensor driving, the shares
/// follow the sensors' own scores.
///
/// Like the univariate detector, the whole state is `serde`-serialisable and scoring continues bit for
/// bit across a save and restore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetDetector {
    config: AssetConfig,
    sensors: Vec<String>,
    detectors: Vec<UnivariateDetector>,
    means: Vec<f64>,
    covariance: Vec<f64>,
    rows: u64,
    record: f64,
}

impl AssetDetector {
    /// A detector for the named sensors; rows must then give their values in this order.
    pub fn new(sensors: Vec<String>, config: AssetConfig) -> Result<Self, AnomalyError> {
        config.sensor.validate()?;
        if sensors.is_empty() {
            return Err(AnomalyError::NoSensors);
        }
        if !(config.covariance_span >= 2.0 && config.record_half_life >= 1.0 && config.ridge >= 0.0) {
            return Err(AnomalyError::InvalidConfig {
                field: "covariance_span/record_half_life/ridge",
                value: format!("{}/{}/{}", config.covariance_span, config.record_half_life, config.ridge),
                rule: "covariance_span >= 2, record_half_life >= 1, ridge >= 0",
            });
        }
        let d = sensors.len();
        let detectors = (0..d).map(|_| UnivariateDetector::new(config.sensor)).collect::<Result<_, _>>()?;
        Ok(Self {
            config,
            sensors,
            detectors,
            means: vec![0.0; d],
            covariance: vec![0.0; d * d],
            rows: 0,
            record: 0.0,
        })
    }

    /// The sensors, in the order rows give their values.
    pub fn sensors(&self) -> &[String] {
        &self.sensors
    }

    /// Rows scored so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Scores the next row (one value per sensor, in [`AssetDetector::sensors`] order) and learns
    /// from it.
    pub fn update(&mut self, ts_ms: i64, values: &[f64]) -> Result<AssetScore, AnomalyError> {
        self.check(values)?;
        let sensor_scores: Vec<f64> =
            self.detectors.iter_mut().zip(values).map(|(d, v)| d.update(ts_ms, *v)).collect();
        let expected = self.means.clone();
        let terms = self.mahalanobis_terms(values);
        let distance = (terms.iter().sum::<f64>().max(0.0) / values.len() as f64).sqrt();
        let joint_score = self.joint_score(distance);
        self.learn(values);
        self.rows += 1;

        let top_sensor = sensor_scores.iter().copied().fold(0.0, f64::max);
        let score = joint_score.max(top_sensor);
        let explanation = (score > 0.0 && score >= self.config.explain_above).then(|| {
            let joint = joint_score >= top_sensor;
            let weights: Vec<f64> =
                if joint { terms.iter().map(|t| t.max(0.0)).collect() } else { sensor_scores.clone() };
            self.explain(if joint { "joint" } else { "sensor" }, values, &expected, &weights)
        });
        Ok(AssetScore { score, joint_score, sensor_scores, explanation })
    }

    fn check(&self, values: &[f64]) -> Result<(), AnomalyError> {
        if values.len() != self.sensors.len() {
            return Err(AnomalyError::SensorCount {
                expected: self.sensors.len(),
                got: values.len(),
                sensors: self.sensors.join(","),
            });
        }
        match values.iter().position(|v| !v.is_finite()) {
            Some(i) => Err(AnomalyError::NonFinite { sensor: self.sensors[i].clone(), value: values[i] }),
            None => Ok(()),
        }
    }

    /// The terms `z_i (R^-1 z)_i` of the squared Mahalanobis distance in correlation form; all zero
    /// before the covariance has data.
    fn mahalanobis_terms(&self, values: &[f64]) -> Vec<f64> {
        let d = values.len();
        if self.rows < 2 {
            return vec![0.0; d];
        }
        let sd: Vec<f64> = (0..d).map(|i| self.covariance[i * d + i].sqrt()).collect();
        let z: Vec<f64> =
            (0..d).map(|i| if sd[i] > 0.0 { (values[i] - self.means[i]) / sd[i] } else { 0.0 }).collect();
        let mut correlation = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..d {
                let c = if sd[i] > 0.0 && sd[j] > 0.0 {
                    self.covariance[i * d + j] / (sd[i] * sd[j])
                } else {
                    0.0
                };
                correlation[i * d + j] = if i == j { 1.0 + self.config.ridge } else { c };
            }
        }
        let w = solve_spd(&mut correlation, &z, d);
        z.iter().zip(&w).map(|(a, b)| a * b).collect()
    }

    /// Scores the joint distance against its decaying record. The record starts after the warm-up, so
    /// the wild distances of a barely estimated covariance do not mask later anomalies.
    fn joint_score(&mut self, distance: f64) -> f64 {
        if self.rows < self.config.warmup_rows {
            return 0.0;
        }
        let ratio = if self.record > 0.0 { distance / self.record } else { 0.0 };
        self.record = (self.record * 0.5f64.powf(1.0 / self.config.record_half_life)).max(distance);
        if ratio > 1.0 { 1.0 - 1.0 / ratio } else { 0.0 }
    }

    /// Exponentially weighted update of means and covariance (plain averages while young).
    fn learn(&mut self, values: &[f64]) {
        let d = values.len();
        let a = (1.0 / self.config.covariance_span).max(1.0 / (self.rows + 1) as f64);
        let delta: Vec<f64> = values.iter().zip(&self.means).map(|(v, m)| v - m).collect();
        for (m, dv) in self.means.iter_mut().zip(&delta) {
            *m += a * dv;
        }
        for i in 0..d {
            for j in 0..d {
                let c = &mut self.covariance[i * d + j];
                *c = (1.0 - a) * (*c + a * delta[i] * delta[j]);
            }
        }
    }

    fn explain(&self, driver: &str, values: &[f64], expected: &[f64], weights: &[f64]) -> Explanation {
        let total: f64 = weights.iter().sum();
        let mut contributions: Vec<SensorContribution> = (0..values.len())
            .filter(|i| weights[*i] > 0.0)
            .map(|i| SensorContribution {
                sensor: self.sensors[i].clone(),
                observed: values[i],
                expected: expected[i],
                share: weights[i] / total,
            })
            .collect();
        contributions.sort_by(|a, b| b.share.total_cmp(&a.share));
        Explanation { driver: driver.to_string(), contributions }
    }
}

/// Solves `A x = b` for a symmetric positive definite `A` (row-major `d x d`, overwritten by its
/// Cholesky factor). A pivot that is not positive is treated as a tiny one, so near-singular input
/// degrades gracefully instead of failing.
fn solve_spd(a: &mut [f64], b: &[f64], d: usize) -> Vec<f64> {
    for j in 0..d {
        let mut diag = a[j * d + j];
        for k in 0..j {
            diag -= a[j * d + k] * a[j * d + k];
        }
        let diag = diag.max(1e-12).sqrt();
        a[j * d + j] = diag;
        for i in j + 1..d {
            let mut v = a[i * d + j];
            for k in 0..j {
                v -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = v / diag;
        }
    }
    let mut y = vec![0.0; d];
    for i in 0..d {
        let s: f64 = (0..i).map(|k| a[i * d + k] * y[k]).sum();
        y[i] = (b[i] - s) / a[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        let s: f64 = (i + 1..d).map(|k| a[k * d + i] * x[k]).sum();
        x[i] = (y[i] - s) / a[i * d + i];
    }
    x
}
