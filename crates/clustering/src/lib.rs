//! Assets clustered by behaviour, so that a fleet's pumps, turbines or lines that run alike are grouped
//! (for fleet-level baselines, model sharing, and spotting the asset that drifts away from its peers).
//!
//! 1. [`FeatureSpec::features`]: per sensor, the typical day's mean, std and 10/50/90th percentiles and the
//!    share of its energy in frequency bands of a real FFT.
//! 2. [`ClusterModel::fit`]: features standardised across assets, then seeded k-means++ with a fixed k or
//!    the k with the best silhouette, or DBSCAN.
//! 3. Stable ids: a re-fit given the previous model reuses its cluster ids by matching centroids with the
//!    Hungarian algorithm (see [`ClusterModel`] for every guarantee).
//!
//! The model serialises deterministically ([`ClusterModel::to_bytes`]). Pure: no AWS, no I/O.

#![warn(missing_docs)]

mod artefact;
mod dbscan;
mod error;
mod features;
mod kmeans;
mod matching;
mod model;

pub use artefact::FORMAT_VERSION;
pub use error::ClusteringError;
pub use features::{AssetHistory, FeatureSpec, STATISTICS};
pub use model::{ClusterModel, ClusterSummary, KChoice, Method};
