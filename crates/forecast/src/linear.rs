//! The forecaster: one ridge-regularised linear map from a last-value-normalised look-back window to the
//! next `H` values, shared by all channels (channel-independent, as NLinear), fitted in closed form.
//!
//! For a window `x = z[t-L .. t)` of one normalised channel and its last value `b = x[L-1]`, the forecast
//! is `ŷ[h] = b + Σ_i W[i][h]·(x[i] − b) + c[h]`. Subtracting `b` makes the map level-free (a shifted
//! series gets a shifted forecast) and shrinking `W` towards zero shrinks towards "repeat the last value".

use std::ops::Range;

use crate::intervals::{AdaptiveLevels, Calibration};
use crate::linalg::{matmul, spd_inverse};
use crate::moments::WindowMoments;
use crate::{ForecastError, ForecasterConfig, ZScore};

/// A fitted forecaster. Immutable; cheap to apply; serialised by [`LinearForecaster::to_bytes`].
#[derive(Debug, Clone, PartialEq)]
pub struct LinearForecaster {
    pub(crate) names: Vec<String>,
    pub(crate) scaler: ZScore,
    pub(crate) horizon: usize,
    pub(crate) lookback: usize,
    pub(crate) ridge: f64,
    /// `lookback × horizon`, row-major: rows `0..lookback-1` weigh `x[i] − b`, the last row is the bias.
    pub(crate) weights: Vec<f64>,
    pub(crate) calibration: Calibration,
    pub(crate) coverage: f64,
    pub(crate) adaptation_rate: f64,
    pub(crate) report: FitReport,
}

/// What the fit saw and how the chosen model did on held-out (validation) windows, in normalised units.
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport {
    /// Rows used for training windows and normalisation.
    pub train_rows: Range<usize>,
    /// Rows whose values were forecast in validation (windows look back before them).
    pub validation_rows: Range<usize>,
    /// Training windows, summed over channels.
    pub train_windows: usize,
    /// Validation windows, summed over channels.
    pub validation_windows: usize,
    /// Validation MSE of the chosen model (normalised scale).
    pub validation_mse: f64,
    /// Validation MAE of the chosen model (normalised scale).
    pub validation_mae: f64,
    /// Validation MSE of every candidate, as (look-back, ridge, MSE), in the order tried.
    pub candidates: Vec<(usize, f64, f64)>,
}

/// Forecasts for every channel: `mean[c][h]` with the interval `[lower[c][h], upper[c][h]]`, in the
/// channels' original units.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// Point forecasts.
    pub mean: Vec<Vec<f64>>,
    /// Lower interval bounds.
    pub lower: Vec<Vec<f64>>,
    /// Upper interval bounds.
    pub upper: Vec<Vec<f64>>,
}

/// The normal equations of one look-back candidate, from window moments (see [`WindowMoments`]).
struct NormalEquations {
    /// Features: `L − 1` lag differences and the bias.
    dim: usize,
    count: usize,
    /// `Σ f fᵀ`, `dim × dim`.
    features: Vec<f64>,
    /// `Σ f vᵀ` with `v = y − b`, `dim × H`.
    cross: Vec<f64>,
    /// `Σ_h Σ v[h]²`.
    target_energy: f64,
}

impl NormalEquations {
    fn from_moments(m: &WindowMoments, lookback: usize, horizon: usize) -> Self {
        let b = lookback - 1;
        let dim = lookback;
        let centred = |i: usize, j: usize| m.cross(i, j) - m.cross(i, b) - m.cross(b, j) + m.cross(b, b);
        let mut features = vec![0.0; dim * dim];
        for i in 0..b {
            for j in 0..b {
                features[i * dim + j] = centred(i, j);
            }
            let s = m.sum(i) - m.sum(b);
            features[i * dim + b] = s;
            features[b * dim + i] = s;
        }
        features[b * dim + b] = m.count() as f64;
        let mut cross = vec![0.0; dim * horizon];
        for h in 0..horizon {
            for i in 0..b {
                cross[i * horizon + h] = centred(i, lookback + h);
            }
            cross[b * horizon + h] = m.sum(lookback + h) - m.sum(b);
        }
        let target_energy = (0..horizon).map(|h| centred(lookback + h, lookback + h)).sum();
        Self { dim, count: m.count(), features, cross, target_energy }
    }

    /// Ridge solution `(F/n + λ·I')⁻¹·C/n`, `I'` sparing the bias.
    fn solve(&self, ridge: f64, horizon: usize) -> Result<Vec<f64>, ForecastError> {
        let n = self.count as f64;
        let d = self.dim;
        let mut a: Vec<f64> = self.features.iter().map(|v| v / n).collect();
        for i in 0..d - 1 {
            a[i * d + i] += ridge;
        }
        let inverse = spd_inverse(&a, d)?;
        let c: Vec<f64> = self.cross.iter().map(|v| v / n).collect();
        Ok(matmul(&inverse, &c, d, d, horizon))
    }

    /// Mean squared error of weights `w` over these windows: `(E − 2·tr(WᵀC) + tr(WᵀFW)) / (n·H)`.
    fn mse(&self, w: &[f64], horizon: usize) -> f64 {
        let fw = matmul(&self.features, w, self.dim, self.dim, horizon);
        let fit: f64 = w.iter().zip(&self.cross).map(|(a, b)| a * b).sum();
        let penalty: f64 = w.iter().zip(&fw).map(|(a, b)| a * b).sum();
        (self.target_energy - 2.0 * fit + penalty) / (self.count as f64 * horizon as f64)
    }
}

impl LinearForecaster {
    /// Fits on `train` rows and picks the look-back and ridge with the lowest validation MSE, then
    /// calibrates the intervals on the validation residuals.
    ///
    /// `series` holds every channel's raw values over the same rows. Training windows lie entirely inside
    /// `train`; validation windows forecast rows inside `validation` and may look back across its start
    /// (into training rows), as in the ETT protocol. Normalisation uses the training rows only.
    pub fn fit(
        names: Vec<String>,
        series: &[&[f64]],
        train: Range<usize>,
        validation: Range<usize>,
        config: &ForecasterConfig,
    ) -> Result<Self, ForecastError> {
        config.validate()?;
        check_series(&names, series, validation.end.max(train.end))?;
        let horizon = config.horizon;
        let max_lookback = config.max_lookback();
        if train.len() < max_lookback + horizon + 1 {
            return Err(ForecastError::TooFewRows {
                rows: train.len(),
                needed: max_lookback + horizon + 1,
                what: format!("training with look-back {max_lookback} and horizon {horizon}"),
            });
        }
        if validation.start < max_lookback || validation.len() < horizon {
            return Err(ForecastError::BadInput(format!(
                "validation rows {validation:?} must start at least {max_lookback} rows in (the look-back) and span at least the horizon {horizon}"
            )));
        }
        let scaler = ZScore::fit(series, train.clone());
        let z: Vec<Vec<f64>> = series.iter().enumerate().map(|(c, s)| scaler.normalise(c, s)).collect();
        let (lookback, ridge, weights, candidates, train_windows) =
            select_candidate(&z, &train, &validation, config)?;
        let mut model = Self {
            names,
            scaler,
            horizon,
            lookback,
            ridge,
            weights,
            calibration: Calibration::from_residuals(vec![Vec::new(); horizon]),
            coverage: config.coverage,
            adaptation_rate: config.adaptation_rate,
            report: FitReport {
                train_rows: train,
                validation_rows: validation.clone(),
                train_windows,
                validation_windows: 0,
                validation_mse: 0.0,
                validation_mae: 0.0,
                candidates,
            },
        };
        model.calibrate(&z, validation.start..validation.end - horizon + 1);
        Ok(model)
    }

    /// Validation residuals → interval calibration and the held-out metrics of the report.
    fn calibrate(&mut self, z: &[Vec<f64>], origins: Range<usize>) {
        let h = self.horizon;
        let mut per_step = vec![Vec::with_capacity(origins.len() * z.len()); h];
        let (mut sq, mut abs, mut count) = (0.0, 0.0, 0usize);
        for channel in z {
            let predictions = self.predict_normalised(channel, origins.clone());
            for (k, t) in origins.clone().enumerate() {
                for (step, residuals) in per_step.iter_mut().enumerate() {
                    let e = predictions[k * h + step] - channel[t + step];
                    sq += e * e;
                    abs += e.abs();
                    residuals.push(e.abs());
                }
            }
            count += origins.len() * h;
        }
        self.calibration = Calibration::from_residuals(per_step);
        self.report.validation_windows = origins.len() * z.len();
        self.report.validation_mse = sq / count as f64;
        self.report.validation_mae = abs / count as f64;
    }

    /// Forecasts for the windows ending at every origin `t` in `origins` (the forecast covers
    /// `z[t .. t+H)`), on one channel already normalised with [`LinearForecaster::scaler`]:
    /// `origins.len() × H` values, row-major.
    ///
    /// # Panics
    /// If an origin is closer than the look-back to the start of `z`.
    pub fn predict_normalised(&self, z: &[f64], origins: Range<usize>) -> Vec<f64> {
        let l = self.lookback;
        assert!(origins.start >= l, "origin {} is inside the look-back {l}", origins.start);
        let n = origins.len();
        let mut design = vec![0.0; n * l];
        for (row, t) in origins.clone().enumerate() {
            let window = &z[t - l..t];
            let base = window[l - 1];
            let out = &mut design[row * l..(row + 1) * l];
            for (o, x) in out.iter_mut().zip(window) {
                *o = x - base;
            }
            out[l - 1] = 1.0;
        }
        let mut predictions = matmul(&design, &self.weights, n, l, self.horizon);
        for (row, t) in origins.enumerate() {
            let base = z[t - 1];
            for p in &mut predictions[row * self.horizon..(row + 1) * self.horizon] {
                *p += base;
            }
        }
        predictions
    }

    /// The forecast after the end of `history` (one raw series per channel, each at least the look-back
    /// long), with intervals at the nominal coverage.
    pub fn forecast(&self, history: &[&[f64]]) -> Result<Forecast, ForecastError> {
        self.forecast_with_levels(history, None)
    }

    /// As [`LinearForecaster::forecast`], with each step's interval at the level an online
    /// [`AdaptiveLevels`] state holds (see [`LinearForecaster::adaptive_levels`]).
    pub fn forecast_with_levels(
        &self,
        history: &[&[f64]],
        levels: Option<&AdaptiveLevels>,
    ) -> Result<Forecast, ForecastError> {
        if history.len() != self.names.len() {
            return Err(ForecastError::BadInput(format!(
                "{} series given; the model forecasts {} channels ({})",
                history.len(),
                self.names.len(),
                self.names.join(", ")
            )));
        }
        let mut out = Forecast { mean: Vec::new(), lower: Vec::new(), upper: Vec::new() };
        for (c, raw) in history.iter().enumerate() {
            if raw.len() < self.lookback {
                return Err(ForecastError::BadInput(format!(
                    "channel {} has {} values; the model needs the last {}",
                    self.names[c],
                    raw.len(),
                    self.lookback
                )));
            }
            if let Some((row, &value)) = raw.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(ForecastError::NonFinite { channel: c, row, value });
            }
            let z = self.scaler.normalise(c, &raw[raw.len() - self.lookback..]);
            let p = self.predict_normalised(&z, self.lookback..self.lookback + 1);
            let std = self.scaler.std()[c];
            let width = |h: usize| {
                let level = levels.map_or(self.coverage, |l| l.level(h));
                self.calibration.half_width(h, level) * std
            };
            out.mean.push((0..self.horizon).map(|h| self.scaler.denormalise(c, p[h])).collect());
            out.lower.push((0..self.horizon).map(|h| out.mean[c][h] - width(h)).collect());
            out.upper.push((0..self.horizon).map(|h| out.mean[c][h] + width(h)).collect());
        }
        Ok(out)
    }

    /// A fresh online interval state for this model (nominal coverage, the configured adaptation rate).
    pub fn adaptive_levels(&self) -> AdaptiveLevels {
        AdaptiveLevels::new(self.horizon, self.coverage, self.adaptation_rate)
    }

    /// Channel names, in the order of [`LinearForecaster::forecast`]'s input and output.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The training normalisation.
    pub fn scaler(&self) -> &ZScore {
        &self.scaler
    }

    /// Steps forecast.
    pub fn horizon(&self) -> usize {
        self.horizon
    }

    /// Rows of history a forecast needs (the chosen look-back).
    pub fn lookback(&self) -> usize {
        self.lookback
    }

    /// The chosen ridge strength.
    pub fn ridge(&self) -> f64 {
        self.ridge
    }

    /// Nominal interval coverage.
    pub fn coverage(&self) -> f64 {
        self.coverage
    }

    /// Interval calibration (normalised units).
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// What the fit saw and the held-out metrics.
    pub fn report(&self) -> &FitReport {
        &self.report
    }

    /// The weight matrix, `lookback × horizon` row-major (last row: bias).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
}

type Selection = (usize, f64, Vec<f64>, Vec<(usize, f64, f64)>, usize);

/// Tries every (look-back, ridge) pair and keeps the one with the lowest validation MSE (ties: the first
/// tried, so the result does not depend on anything but the configuration order).
fn select_candidate(
    z: &[Vec<f64>],
    train: &Range<usize>,
    validation: &Range<usize>,
    config: &ForecasterConfig,
) -> Result<Selection, ForecastError> {
    let h = config.horizon;
    let mut best: Option<(f64, usize, f64, Vec<f64>, usize)> = None;
    let mut candidates = Vec::new();
    for &lookback in &config.lookbacks {
        let dim = lookback + h;
        let mut train_m = WindowMoments::new(dim);
        let mut val_m = WindowMoments::new(dim);
        for channel in z {
            train_m.add_series(channel, train.start..train.end - dim + 1);
            val_m.add_series(channel, validation.start - lookback..validation.end - dim + 1);
        }
        let fit_eq = NormalEquations::from_moments(&train_m, lookback, h);
        let val_eq = NormalEquations::from_moments(&val_m, lookback, h);
        for &ridge in &config.ridges {
            let w = fit_eq.solve(ridge, h)?;
            let mse = val_eq.mse(&w, h);
            candidates.push((lookback, ridge, mse));
            if best.as_ref().is_none_or(|b| mse < b.0) {
                best = Some((mse, lookback, ridge, w, train_m.count()));
            }
        }
    }
    let (_, lookback, ridge, weights, windows) = best.expect("validated: at least one candidate");
    Ok((lookback, ridge, weights, candidates, windows))
}

fn check_series(names: &[String], series: &[&[f64]], needed_rows: usize) -> Result<(), ForecastError> {
    if series.is_empty() || names.len() != series.len() {
        return Err(ForecastError::BadInput(format!(
            "{} names for {} series; give one name per series and at least one series",
            names.len(),
            series.len()
        )));
    }
    for (channel, s) in series.iter().enumerate() {
        if s.len() < needed_rows {
            return Err(ForecastError::TooFewRows {
                rows: s.len(),
                needed: needed_rows,
                what: format!("channel {} (training and validation rows)", names[channel]),
            });
        }
        if let Some((row, &value)) = s[..needed_rows].iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(ForecastError::NonFinite { channel, row, value });
        }
    }
    Ok(())
}
