//! Per-channel z-score normalisation fitted on training rows only.

/// The mean and population standard deviation of each channel over the training rows.
///
/// This is scikit-learn's `StandardScaler` (population std, `ddof = 0`), which the ETT protocol uses.
/// A channel that is constant over the training rows keeps a scale of 1, so it is centred but not scaled
/// (rather than divided by zero).
#[derive(Debug, Clone, PartialEq)]
pub struct ZScore {
    mean: Vec<f64>,
    std: Vec<f64>,
}

impl ZScore {
    /// Fits on `rows` of every channel.
    pub fn fit(channels: &[&[f64]], rows: std::ops::Range<usize>) -> Self {
        let (mean, std) = channels
            .iter()
            .map(|c| {
                let part = &c[rows.clone()];
                let n = part.len().max(1) as f64;
                let mean = part.iter().sum::<f64>() / n;
                let var = part.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                let std = var.sqrt();
                (mean, if std > 0.0 && std.is_finite() { std } else { 1.0 })
            })
            .unzip();
        Self { mean, std }
    }

    /// Rebuilds a scaler from stored parameters (e.g. an artefact).
    pub fn from_parts(mean: Vec<f64>, std: Vec<f64>) -> Self {
        Self { mean, std }
    }

    /// Per-channel means.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Per-channel population standard deviations (1 for a constant channel).
    pub fn std(&self) -> &[f64] {
        &self.std
    }

    /// `(value - mean) / std` for every value of channel `channel`.
    pub fn normalise(&self, channel: usize, values: &[f64]) -> Vec<f64> {
        let (m, s) = (self.mean[channel], self.std[channel]);
        values.iter().map(|v| (v - m) / s).collect()
    }

    /// The inverse of [`ZScore::normalise`] for one value.
    pub fn denormalise(&self, channel: usize, value: f64) -> f64 {
        value * self.std[channel] + self.mean[channel]
    }
}
