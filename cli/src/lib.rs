//! The `twinpipe` command line as a library, so that the end-to-end tests drive exactly what users run.
//!
//! - [`local_pipeline`]: the whole pipeline in one process on the local adapters — an SQS-like queue
//!   feeding ingest, a directory as the bucket emitting S3 events, and the in-process bus routing them to
//!   curate with the rules that `infra/` deploys.
//! - [`demo`]: a simulated fleet pushed through that pipeline, with a summary at the end.
//! - [`invoke`]: one handler on one event file, like `sam local invoke`.
//! - [`train`]: fit a model on curated data and store it.
//! - [`model`]: the model store (list, show, approve, reject, rollback, register, stats).

pub mod demo;
pub mod invoke;
pub mod local_pipeline;
pub mod model;
pub mod train;

/// The bucket name the local adapters use unless `TWINPIPE_BUCKET` says otherwise.
pub const DEFAULT_LOCAL_BUCKET: &str = "twinpipe-local";
/// The name of the pipeline's own event bus (the custom bus on AWS).
pub const PIPELINE_BUS: &str = "twinpipe";
/// The local data directory unless `--data-dir` says otherwise.
pub const DEFAULT_DATA_DIR: &str = "twinpipe-data";
