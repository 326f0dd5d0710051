//! The exponentially weighted mean the detectors' baselines are built from.

use serde::{Deserialize, Serialize};

/// Exponentially weighted mean with a memory of about `span` rows. Until it has seen `span` rows it
/// weighs them equally (a plain running mean), so early estimates are not biased towards the first value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct EwMean {
    alpha: f64,
    seen: f64,
    mean: f64,
}

impl EwMean {
    /// A mean with a memory of `span` rows (`alpha = 1/span`).
    pub(crate) fn with_span(span: f64) -> Self {
        Self { alpha: 1.0 / span.max(1.0), seen: 0.0, mean: 0.0 }
    }

    /// Adds one observation.
    #[inline]
    pub(crate) fn push(&mut self, x: f64) {
        self.seen += 1.0;
        self.mean += self.alpha.max(1.0 / self.seen) * (x - self.mean);
    }

    /// The weighted mean (0 before the first observation).
    #[inline]
    pub(crate) fn mean(&self) -> f64 {
        self.mean
    }
}
