//! Multi-horizon forecasting for sensor series, and the ETT benchmark protocol it is measured with.
//!
//! The model ([`LinearForecaster`]) is a ridge-regularised direct multi-output linear map on
//! last-value-normalised look-back windows (NLinear-style), shared by all channels and solved in closed
//! form. Its normal equations come from window moments ([`moments`]) without building the windows, so
//! look-back and ridge strength are chosen on the validation split at little cost. Prediction intervals
//! are split-conformal per horizon step from validation residuals, optionally adapted online
//! ([`AdaptiveLevels`]). The artefact ([`LinearForecaster::to_bytes`]) is deterministic, versioned and
//! checksummed; [`LinearForecaster::summary`] gives what a model manifest records.
//!
//! Pure: no AWS, no I/O, no clock; [`TimeTable::parse_csv`] takes text the caller has read.

#![warn(missing_docs)]

mod artefact;
mod config;
mod error;
pub mod ett;
mod intervals;
mod linalg;
mod linear;
pub mod moments;
mod scaler;
mod table;

pub use artefact::{FORMAT_VERSION, ForecasterSummary};
pub use config::ForecasterConfig;
pub use error::ForecastError;
pub use intervals::{AdaptiveLevels, Calibration, QUANTILE_LEVELS};
pub use linear::{FitReport, Forecast, LinearForecaster};
pub use scaler::ZScore;
pub use table::TimeTable;
