//! Errors of the anomaly engine, phrased so the caller knows what to fix.

/// Why a detector could not be built or could not score a row.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnomalyError {
    /// A configuration value is out of its allowed range.
    #[error("invalid detector configuration: {field} = {value} ({rule})")]
    InvalidConfig {
        /// The offending field.
        field: &'static str,
        /// Its value, as written.
        value: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The range hint is not `min <= max` with finite bounds.
    #[error("invalid range hint: min {min}, max {max} (need finite bounds with min <= max)")]
    InvalidRangeHint {
        /// The hinted minimum.
        min: f64,
        /// The hinted maximum.
        max: f64,
    },
    /// An asset detector needs at least one sensor.
    #[error("an asset detector needs at least one sensor")]
    NoSensors,
    /// A row does not carry one value per sensor of the asset.
    #[error("row has {got} values but the asset has {expected} sensors ({sensors}); pass them in that order")]
    SensorCount {
        /// Sensors of the asset.
        expected: usize,
        /// Values given.
        got: usize,
        /// The sensor names, comma-separated.
        sensors: String,
    },
    /// A value is NaN or infinite.
    #[error("sensor {sensor}: value {value} is not a finite number; drop or impute it before scoring")]
    NonFinite {
        /// The sensor.
        sensor: String,
        /// The value.
        value: f64,
    },
}
