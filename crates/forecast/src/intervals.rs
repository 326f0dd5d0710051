//! Prediction intervals: split-conformal quantiles of validation residuals per horizon step, and an
//! online adaptation (adaptive conformal inference, Gibbs & Candès 2021) that keeps coverage at the
//! nominal level when the error level drifts after calibration.

/// The levels at which each step's calibration quantiles are stored: 0.5 to 1.0 in steps of 0.005
/// (1.0 is the largest residual seen). Intervals below 50 % coverage are not offered.
pub const QUANTILE_LEVELS: usize = 101;
const LOWEST_LEVEL: f64 = 0.5;
const LEVEL_STEP: f64 = 0.005;

/// Per horizon step, the distribution of absolute validation residuals (normalised units), stored as
/// [`QUANTILE_LEVELS`] quantiles so that any level in [0.5, 1] can be looked up.
///
/// The quantile at level `p` is the split-conformal one: the `⌈p·(n + 1)⌉`-th smallest of `n` residuals,
/// which covers a new exchangeable residual with probability at least `p`.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// `horizon × QUANTILE_LEVELS`, row-major; non-decreasing along each row.
    quantiles: Vec<f64>,
    horizon: usize,
}

impl Calibration {
    /// Calibrates from absolute residuals, `residuals[h]` holding every residual of step `h`.
    pub fn from_residuals(residuals: Vec<Vec<f64>>) -> Self {
        let horizon = residuals.len();
        let mut quantiles = Vec::with_capacity(horizon * QUANTILE_LEVELS);
        for mut step in residuals {
            step.sort_by(f64::total_cmp);
            let n = step.len();
            for k in 0..QUANTILE_LEVELS {
                let level = LOWEST_LEVEL + LEVEL_STEP * k as f64;
                let rank = ((level * (n as f64 + 1.0)).ceil() as usize).clamp(1, n.max(1));
                quantiles.push(step.get(rank - 1).copied().unwrap_or(0.0));
            }
        }
        Self { quantiles, horizon }
    }

    /// Rebuilds a calibration from stored quantiles (`horizon × QUANTILE_LEVELS`).
    pub fn from_quantiles(quantiles: Vec<f64>, horizon: usize) -> Option<Self> {
        (quantiles.len() == horizon * QUANTILE_LEVELS).then_some(Self { quantiles, horizon })
    }

    /// The stored quantiles, `horizon × QUANTILE_LEVELS` row-major.
    pub fn quantiles(&self) -> &[f64] {
        &self.quantiles
    }

    /// Half-width of the interval for `step` at coverage `level` (clamped to [0.5, 1]), interpolating
    /// linearly between stored levels.
    pub fn half_width(&self, step: usize, level: f64) -> f64 {
        let row = &self.quantiles[step * QUANTILE_LEVELS..(step + 1) * QUANTILE_LEVELS];
        let position =
            ((level.clamp(LOWEST_LEVEL, 1.0) - LOWEST_LEVEL) / LEVEL_STEP).min((QUANTILE_LEVELS - 1) as f64);
        let below = position.floor() as usize;
        let above = (below + 1).min(QUANTILE_LEVELS - 1);
        let t = position - below as f64;
        row[below] * (1.0 - t) + row[above] * t
    }

    /// Steps calibrated.
    pub fn horizon(&self) -> usize {
        self.horizon
    }
}

/// Online state of adaptive conformal inference: one working level per horizon step.
///
/// As soon as the value a step forecast is known, [`AdaptiveLevels::observe`] moves that step's level by
/// `rate · (miss rate − (1 − coverage))`: misses widen later intervals, hits narrow them. Over `T` updates
/// the average miss rate stays within `(1 + rate) / (rate · T)` of nominal whatever the residual
/// distribution does (Gibbs & Candès 2021, Prop. 4.1). With `rate = 0` it is plain split-conformal.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveLevels {
    target_miss: f64,
    rate: f64,
    alpha: Vec<f64>,
}

impl AdaptiveLevels {
    /// Starts every step at the nominal `coverage`.
    pub fn new(horizon: usize, coverage: f64, rate: f64) -> Self {
        Self { target_miss: 1.0 - coverage, rate, alpha: vec![1.0 - coverage; horizon] }
    }

    /// The coverage level to use for `step` now.
    pub fn level(&self, step: usize) -> f64 {
        1.0 - self.alpha[step]
    }

    /// Feeds back the fraction of channels whose outcome at `step` fell outside the issued interval.
    pub fn observe(&mut self, step: usize, miss_fraction: f64) {
        self.alpha[step] += self.rate * (self.target_miss - miss_fraction);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_conformal_quantile_covers_the_nominal_share_of_calibration_residuals() {
        let residuals: Vec<f64> = (1..=99).map(f64::from).collect();
        let c = Calibration::from_residuals(vec![residuals]);
        // ⌈0.9 · 100⌉ = 90th smallest of 1..=99.
        assert_eq!(c.half_width(0, 0.9), 90.0);
        assert_eq!(c.half_width(0, 1.0), 99.0);
        assert_eq!(c.half_width(0, 0.2), c.half_width(0, 0.5));
    }

    #[test]
    fn misses_raise_the_level_and_hits_lower_it() {
        let mut a = AdaptiveLevels::new(2, 0.9, 0.01);
        a.observe(0, 1.0);
        a.observe(1, 0.0);
        assert!(a.level(0) > 0.9);
        assert!(a.level(1) < 0.9);
        assert!((a.level(0) - 0.909).abs() < 1e-12);
    }
}
