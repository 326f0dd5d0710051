//! Model quality (quality-monitoring.md §3): metrics of predictions against ground truth with Model
//! Monitor's names, their standard deviations, suggested constraints and violations, and the join of
//! captured inferences with late-arriving ground truth.

mod files;
mod join;
mod labels;
mod metrics;
mod subsample;

pub use files::{
    ComparisonOperator, MetricConstraint, MetricValue, MetricsBlock, ModelConstraints, ModelDataset,
    ModelStatistics, ModelViolation, ModelViolations, check_model, suggest_model_constraints,
};
pub use join::{
    CaptureRecord, GroundTruthObject, GroundTruthRecord, Joined, JoinedRecord, join_ground_truth,
    output_field,
};
pub use labels::{ModelColumns, Records, records_from_batches, records_from_joined};
pub use metrics::model_statistics;
pub use subsample::SplitMix64;

use serde::{Deserialize, Serialize};

/// Which metric set applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProblemType {
    /// mae, mse, rmse, r2.
    Regression,
    /// Confusion matrix, rates, F-scores, AUC, curves.
    BinaryClassification,
    /// Confusion matrix, accuracy and support-weighted rates.
    MulticlassClassification,
}

/// Settings of a model-quality run.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelQualityConfig {
    /// The problem type.
    pub problem_type: ProblemType,
    /// Binary: predicted label is positive iff probability > this (default 0.5).
    pub probability_threshold: f64,
    /// Binary: the positive class (default `"1"`); labels equal to it (as text, or as numbers) are positive.
    pub positive_label: String,
    /// Multiclass: the class the best constant classifier predicts (default: the most frequent ground
    /// truth class, ties to the smallest label).
    pub constant_class: Option<String>,
    /// Seeds the subsampling of the standard deviations (e.g. the window start, epoch seconds), so a
    /// re-run reproduces the same figures.
    pub seed: u64,
    /// Written as `dataset.evaluation_time` when given.
    pub evaluation_time: Option<String>,
}

impl ModelQualityConfig {
    /// Defaults for a problem type.
    pub fn new(problem_type: ProblemType) -> Self {
        ModelQualityConfig {
            problem_type,
            probability_threshold: 0.5,
            positive_label: "1".into(),
            constant_class: None,
            seed: 0,
            evaluation_time: None,
        }
    }
}
