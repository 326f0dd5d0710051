//! Feature attributions and feature-attribution drift (spec §5).
//!
//! * [`AttributionAnalysis`]: Clarify's explainability `analysis.json`
//!   (`explanations.kernel_shap.<label>.global_shap_values`), read and written.
//! * [`ndcg`] and [`attribution_drift`]: the NDCG of the live feature ranking against the baseline's, and
//!   Clarify's `feature_attribution_drift_check` violation below the threshold (default 0.9).
//! * [`linear_attributions`]: exact SHAP values of a linear model, w_i·(x_i − E[x_i]).
//! * [`KernelShap`]: sampled KernelSHAP for any black-box `Fn(&[f64]) -> f64`, with a hard bound on model
//!   evaluations per explained row; exact Shapley values when the bound allows every coalition.
//! * [`Aggregation`]: per-row attributions → global values (`mean_abs`, `median`, `mean_sq`).

mod aggregate;
mod analysis;
mod drift;
mod kernel_shap;
mod linear;

pub use aggregate::Aggregation;
pub use analysis::{AttributionAnalysis, Explanations, LabelAttributions};
pub use drift::{AttributionDrift, AttributionViolation, DEFAULT_NDCG_THRESHOLD, attribution_drift, ndcg};
pub use kernel_shap::{Explanation, KernelShap};
pub use linear::{RowAttributions, linear_attributions};

/// Why attributions could not be computed or compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AttributionError {
    /// Rows, weights or background rows disagree on the number of features.
    #[error("expected {expected} features but a row has {found}")]
    FeatureCount {
        /// Features the model has.
        expected: usize,
        /// Features found.
        found: usize,
    },
    /// No background rows to take expectations over.
    #[error("the background data set is empty; pass at least one row")]
    EmptyBackground,
    /// The evaluation budget cannot determine the attributions.
    #[error(
        "max_evaluations {max_evaluations} is too small for {features} features and {background} background \
         rows: at least {needed} are needed"
    )]
    BudgetTooSmall {
        /// The bound given.
        max_evaluations: usize,
        /// Features.
        features: usize,
        /// Background rows.
        background: usize,
        /// The smallest bound that can work.
        needed: usize,
    },
    /// The sampled coalitions left the regression undetermined.
    #[error("the sampled coalitions do not determine the attributions; raise max_evaluations")]
    Undetermined,
    /// A label of the baseline is missing from the current analysis.
    #[error("label '{0}' of the baseline has no attributions in the current analysis")]
    MissingLabel(String),
    /// The baseline has no label at all.
    #[error("the baseline analysis has no explanations.kernel_shap entry to compare with")]
    NoBaselineLabels,
}
