//! What a forecaster is asked to be: horizon, candidate look-backs and ridge strengths, interval level.

use crate::ForecastError;

/// The choices made before fitting. Validation picks among the candidates; nothing here is tuned on test
/// data.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecasterConfig {
    /// Steps ahead to forecast (`H`).
    pub horizon: usize,
    /// Candidate look-back lengths (`L`, rows). Each horizon step uses the candidate with the lowest
    /// validation loss, so several candidates cost fitting time, never accuracy on validation.
    pub lookbacks: Vec<usize>,
    /// Candidate ridge strengths `λ`, relative to the per-window normal equations: the fit minimises
    /// `mean squared error + λ·‖w‖²` over normalised windows (the bias is not penalised). Picked per
    /// horizon step on validation.
    pub ridges: Vec<f64>,
    /// Nominal coverage of the prediction intervals, e.g. 0.9 for 90 % intervals.
    pub coverage: f64,
    /// Step size of the online interval adaptation (adaptive conformal inference); 0 keeps the
    /// validation calibration fixed.
    pub adaptation_rate: f64,
}

impl ForecasterConfig {
    /// The defaults for a horizon: look-back 336 (the common long-horizon look-back of PatchTST/42,
    /// DLinear and NLinear), eight ridge strengths from 0.01 to 30, 90 % intervals adapting at rate 0.005.
    pub fn for_horizon(horizon: usize) -> Self {
        Self {
            horizon,
            lookbacks: vec![336],
            ridges: vec![0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0],
            coverage: 0.9,
            adaptation_rate: 0.005,
        }
    }

    /// The longest candidate look-back: the history a forecast needs.
    pub fn max_lookback(&self) -> usize {
        self.lookbacks.iter().copied().max().unwrap_or(0)
    }

    /// Checks ranges and says which value to change.
    pub fn validate(&self) -> Result<(), ForecastError> {
        let bad = |m: String| Err(ForecastError::InvalidConfig(m));
        if self.horizon == 0 {
            return bad("horizon must be at least 1".into());
        }
        if self.lookbacks.is_empty() || self.lookbacks.iter().any(|&l| l < 2) {
            return bad(format!("look-backs {:?}: give at least one, each at least 2 rows", self.lookbacks));
        }
        if self.ridges.is_empty() || self.ridges.iter().any(|&r| !(r > 0.0 && r.is_finite())) {
            return bad(format!("ridges {:?}: give at least one, each positive and finite", self.ridges));
        }
        if !(self.coverage > 0.0 && self.coverage < 1.0) {
            return bad(format!("coverage {} must be strictly between 0 and 1", self.coverage));
        }
        if !(0.0..1.0).contains(&self.adaptation_rate) {
            return bad(format!("adaptation rate {} must be in [0, 1)", self.adaptation_rate));
        }
        Ok(())
    }
}
