//! The manifest: everything a reviewer needs to decide whether a model version may serve.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of model an artefact holds; inference picks the decoder by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Streaming per-sensor and per-asset anomaly detector (`twinpipe-anomaly`).
    AnomalyDetector,
    /// Multi-horizon forecaster with prediction intervals (`twinpipe-forecast`).
    Forecaster,
    /// Behaviour clusters of the fleet's assets (`twinpipe-clustering`).
    Clustering,
    /// Autoencoder whose reconstruction error scores multivariate anomalies.
    Autoencoder,
    /// A model trained elsewhere (SageMaker, PyTorch, scikit-learn) exported to ONNX.
    Onnx,
}

impl ModelKind {
    /// Every kind, in a stable order (for help texts and validation messages).
    pub const ALL: [ModelKind; 5] = [
        ModelKind::AnomalyDetector,
        ModelKind::Forecaster,
        ModelKind::Clustering,
        ModelKind::Autoencoder,
        ModelKind::Onnx,
    ];

    /// The name used in manifests and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::AnomalyDetector => "anomaly-detector",
            ModelKind::Forecaster => "forecaster",
            ModelKind::Clustering => "clustering",
            ModelKind::Autoencoder => "autoencoder",
            ModelKind::Onnx => "onnx",
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a version may serve. Mirrors SageMaker Model Registry's `ModelApprovalStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovalStatus {
    PendingManualApproval,
    Approved,
    Rejected,
}

impl std::fmt::Display for ApprovalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ApprovalStatus::PendingManualApproval => "PendingManualApproval",
            ApprovalStatus::Approved => "Approved",
            ApprovalStatus::Rejected => "Rejected",
        })
    }
}

/// One approval decision: the current one, and each earlier one in [`Manifest::history`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub status: ApprovalStatus,
    /// RFC 3339 UTC.
    pub at: String,
    /// Who decided (a user name, `twinpipe train`, a CI job).
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The time range and size of the data a model was fitted on, so a reviewer can judge its relevance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingData {
    /// RFC 3339 UTC of the first and last row used.
    pub start: String,
    pub end: String,
    pub rows: u64,
    /// Where the rows came from (e.g. `s3://lake/curated/`).
    pub source: String,
}

/// The artefact file of a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artefact {
    /// File name under the version's prefix.
    pub file: String,
    /// Lower-case hex sha256 of the bytes; inference refuses bytes that do not match.
    pub sha256: String,
    pub size: u64,
}

/// `models/<name>/<version>/manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub name: String,
    pub kind: ModelKind,
    pub version: u32,
    /// RFC 3339 UTC.
    pub created: String,
    /// The version of the code that produced the artefact (twinpipe's version, or the external tool's).
    pub code_version: String,
    /// Hyper-parameters and seed, as the trainer reports them.
    pub parameters: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_data: Option<TrainingData>,
    /// Metrics on held-out data (names per kind, e.g. `mse`, `mae`, `interval_coverage_90`).
    pub metrics: BTreeMap<String, f64>,
    pub artefact: Artefact,
    /// The current decision.
    pub approval: Approval,
    /// Earlier decisions, oldest first.
    #[serde(default)]
    pub history: Vec<Approval>,
}

/// What a trainer (or `twinpipe model register`) hands to [`crate::ModelStore::register`].
#[derive(Debug, Clone)]
pub struct NewModel {
    pub name: String,
    pub kind: ModelKind,
    pub code_version: String,
    pub parameters: serde_json::Value,
    pub training_data: Option<TrainingData>,
    pub metrics: BTreeMap<String, f64>,
    /// File name of the artefact (e.g. `model.json`, `model.onnx`).
    pub artefact_file: String,
    /// Who registers it; recorded in the first approval entry.
    pub registered_by: String,
}
