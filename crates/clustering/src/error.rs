//! The one error type of clustering, saying which input or setting to change.

/// Why assets could not be clustered or a clustering artefact could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ClusteringError {
    /// Too few assets for the method (k-means needs more assets than clusters; a silhouette needs 3).
    #[error("{assets} assets given; {what} needs at least {needed}")]
    TooFewAssets {
        /// Assets given.
        assets: usize,
        /// Assets needed.
        needed: usize,
        /// What needed them.
        what: String,
    },

    /// Two assets have the same id, so results keyed by id would be ambiguous.
    #[error("asset id {0:?} appears twice; give each asset once")]
    DuplicateAsset(String),

    /// An asset's sensors differ from the first asset's (features must line up).
    #[error(
        "asset {asset:?} has sensors [{found}] but the first asset has [{expected}]; give every asset the same sensors in the same order"
    )]
    SensorMismatch {
        /// The asset.
        asset: String,
        /// Its sensors.
        found: String,
        /// The first asset's sensors.
        expected: String,
    },

    /// A series is shorter than one day.
    #[error("asset {asset:?} sensor {sensor:?} has {rows} rows, less than one day ({rows_per_day} rows)")]
    TooShort {
        /// The asset.
        asset: String,
        /// The sensor.
        sensor: String,
        /// Rows given.
        rows: usize,
        /// Rows in a day.
        rows_per_day: usize,
    },

    /// A value is NaN or infinite.
    #[error("asset {asset:?} sensor {sensor:?} holds {value}; fill or drop missing values first")]
    NonFinite {
        /// The asset.
        asset: String,
        /// The sensor.
        sensor: String,
        /// The value.
        value: f64,
    },

    /// A configuration value is out of range.
    #[error("invalid clustering configuration: {0}")]
    InvalidConfig(String),

    /// A feature vector does not match the model.
    #[error("{0}")]
    BadInput(String),

    /// The bytes are not a clustering artefact this build reads.
    #[error("not a twinpipe clustering artefact: {0}")]
    Artefact(String),
}
