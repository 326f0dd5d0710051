//! The model store: where trained models live, how they are approved, and how inference finds the one to
//! serve.
//!
//! Layout under the data bucket (S3 or a local directory, through the `ObjectStore` port):
//!
//! ```text
//! models/<name>/<version>/manifest.json   what the model is, how it was trained, its held-out metrics,
//!                                          the artefact's sha256, and its approval status
//! models/<name>/<version>/<artefact>      the model itself (bytes the model's crate can decode)
//! ```
//!
//! Versions are immutable: an artefact and its manifest are written once, with conditional writes, so two
//! trainers can never claim the same version and a published version's bytes never change. The only thing
//! that changes afterwards is the approval status (`PendingManualApproval`, `Approved`, `Rejected`), updated
//! with compare-and-swap and kept with its history. Inference serves the newest `Approved` version whose
//! artefact matches its checksum and decodes; a broken newer version is skipped, so the previous approved
//! version keeps serving.

mod error;
mod manifest;
mod store;

pub use error::ModelStoreError;
pub use manifest::{Approval, ApprovalStatus, Artefact, Manifest, ModelKind, NewModel, TrainingData};
pub use store::{LoadedModel, ModelStore, Rollback, SkippedVersion};
