//! SageMaker Clarify compatible bias metrics, bias drift and feature-attribution drift — pure, no AWS.
//!
//! * [`table`]: a CSV dataset typed the way pandas types it (Clarify's processing job reads with pandas).
//! * [`config`]: Clarify's own `analysis_config.json`.
//! * [`membership`]: columns and configured values → facet / label / prediction indices, as smclarify.
//! * [`metrics`]: every pre- and post-training metric, computed as smclarify 0.5 computes them.
//! * [`report`]: the whole `analysis.json`.
//! * [`drift`]: bias drift against a baseline `analysis.json`, decided with a seeded bootstrap.
//! * [`attribution`]: global SHAP attributions (exact for linear models, sampled KernelSHAP with a cost
//!   bound otherwise) and feature-attribution drift by NDCG.
//!
//! The formulas and quirks are specified in `shared/specs/quality-monitoring.md` §4–5 and checked against
//! smclarify itself by the parity tests (`tests/parity/`).

pub mod attribution;
pub mod clarify_json;
pub mod config;
pub mod drift;
pub mod membership;
pub mod metrics;
pub mod report;
pub mod scalar;
pub mod table;
pub mod violations;

pub use config::AnalysisConfig;
pub use report::{BiasAnalysis, PreparedAnalysis, ReportError, bias_report};
pub use table::Table;
