//! What can go wrong in the model store, worded so the user knows what to do.

use twinpipe_ports::StoreError;

/// Errors of [`crate::ModelStore`].
#[derive(Debug, thiserror::Error)]
pub enum ModelStoreError {
    #[error(
        "invalid model name {name:?}: use 1-64 characters of a-z, 0-9, '-' and '_', starting with a letter or digit"
    )]
    InvalidName { name: String },
    #[error("model {name:?} has no version {version} (see `twinpipe model list`)")]
    VersionNotFound { name: String, version: u32 },
    #[error("model {name:?} does not exist in the model store (train or register it first)")]
    ModelNotFound { name: String },
    #[error(
        "model {name:?} has no Approved version (approve one with `twinpipe model approve {name} VERSION`)"
    )]
    NoApprovedVersion { name: String },
    #[error("no Approved version of model {name:?} is usable: {}", describe_skipped(skipped))]
    NoUsableVersion { name: String, skipped: Vec<crate::SkippedVersion> },
    #[error("manifest s3://{bucket}/{key} is not a valid model manifest: {reason}")]
    CorruptManifest { bucket: String, key: String, reason: String },
    #[error("cannot roll back model {name:?}: {reason}")]
    Rollback { name: String, reason: String },
    #[error(
        "model {name:?}: gave up after {attempts} attempts because other writers kept changing it; retry"
    )]
    Contended { name: String, attempts: u32 },
    #[error(transparent)]
    Storage(#[from] StoreError),
}

fn describe_skipped(skipped: &[crate::SkippedVersion]) -> String {
    skipped.iter().map(|s| format!("v{}: {}", s.version, s.reason)).collect::<Vec<_>>().join("; ")
}
