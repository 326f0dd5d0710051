//! Data- and model-quality monitoring for twinpipe, compatible with SageMaker Model Monitor's files.
//!
//! Pure: no AWS, no I/O beyond decoding bytes handed in. The monitor Lambda and the `twinpipe quality`
//! command call the same functions.
//!
//! Data quality (quality-monitoring.md §2):
//! - [`dataset`]: CSV, JSON Lines and Parquet bytes → Arrow batches (cells keep their text).
//! - [`DataProfile`]: a mergeable per-batch profile (type histogram, exact sums, moments, KLL sketch,
//!   value counts); `merge` turns batch profiles into a day's profile with no re-scan.
//! - [`statistics`]: statistics.json; [`constraints`]: constraints.json and its suggestion from a baseline;
//!   [`check`]: constraint_violations.json with every Model Monitor check type, deciding drift with
//!   sample-size-aware rules ([`drift`]), plus [`hysteresis`] so one noisy window does not flap alerts.
//! - [`telemetry`]: sensor checks Model Monitor lacks (stuck sensor, gaps, physical range, clock skew,
//!   sampling-rate change, duplicate timestamps) over the curated readings schema.
//!
//! Model quality (§3): [`model`] — regression, binary and multiclass metrics with Model Monitor's names
//! and standard deviations, suggested constraints, violations, and the join of captured predictions with
//! ground truth.

pub mod check;
pub mod constraints;
pub mod dataset;
pub mod distributions;
pub mod drift;
mod error;
pub mod hysteresis;
pub mod json_number;
pub mod kll;
pub mod model;
pub mod numeric_summary;
pub mod profile;
pub mod statistics;
pub mod telemetry;
pub mod value_class;
pub mod value_counts;

/// Arrow's record batch: the unit the profile and the telemetry checks read.
pub use arrow_array::RecordBatch;
pub use check::{ConstraintViolations, Violation, check};
pub use constraints::{Constraints, suggest_constraints};
pub use error::QualityError;
pub use profile::{ColumnProfile, DataProfile};
pub use statistics::{Statistics, StatisticsOptions};
pub use telemetry::{TelemetryConfig, telemetry_checks};
