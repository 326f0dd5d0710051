//! The clustering model: standardised behaviour features, the method's result, and stable cluster ids.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::dbscan::dbscan;
use crate::kmeans::{kmeans, silhouette, squared_distance};
use crate::matching::hungarian;
use crate::{AssetHistory, ClusteringError, FeatureSpec};

/// How many clusters k-means looks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KChoice {
    /// Exactly this many.
    Fixed(usize),
    /// The k in `min..=max` (capped at assets − 1) with the highest mean silhouette; ties go to the
    /// smaller k.
    Silhouette {
        /// Smallest k tried (at least 2).
        min: usize,
        /// Largest k tried.
        max: usize,
    },
}

/// The clustering method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Seeded k-means++ (10 starts, the lowest within-cluster sum of squares wins).
    KMeans {
        /// Number of clusters.
        k: KChoice,
        /// Seed of the k-means++ draws.
        seed: u64,
    },
    /// DBSCAN on the standardised features.
    Dbscan {
        /// Neighbourhood radius (standardised units).
        eps: f64,
        /// Points within `eps`, itself included, that make a point a core point.
        min_points: usize,
    },
}

/// A fitted clustering.
///
/// Guarantees:
/// - Assets are kept sorted by id, so the input order never changes the result.
/// - A fit with no previous model numbers clusters by their first asset in id order (0, 1, ...).
/// - A re-fit given the previous model matches each new cluster to a previous one by the Hungarian
///   algorithm on centroid distance (in the previous model's standardised space) and reuses its id;
///   clusters beyond the previous count get ids never used before.
/// - Degenerate input has a documented result rather than an error: one asset, two assets under an
///   automatic k (no silhouette exists), or assets with identical features form a single cluster 0.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterModel {
    pub(crate) feature_names: Vec<String>,
    pub(crate) mean: Vec<f64>,
    pub(crate) std: Vec<f64>,
    pub(crate) method: Method,
    pub(crate) assets: Vec<String>,
    /// Standardised features, one row per asset.
    pub(crate) points: Vec<Vec<f64>>,
    /// Cluster id per asset; `None` is DBSCAN noise.
    pub(crate) labels: Vec<Option<u32>>,
    /// `(id, centroid)` sorted by id.
    pub(crate) centroids: Vec<(u32, Vec<f64>)>,
    pub(crate) silhouette: Option<f64>,
    /// `(k, silhouette)` for every k tried.
    pub(crate) k_scores: Vec<(usize, f64)>,
    pub(crate) next_id: u32,
}

/// What a model manifest records about a clustering.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterSummary {
    /// `"kmeans"` or `"dbscan"`.
    pub method: &'static str,
    /// Clusters found.
    pub clusters: usize,
    /// Assets clustered.
    pub assets: usize,
    /// Assets left as noise (DBSCAN only).
    pub noise: usize,
    /// Mean silhouette of the result (absent when undefined).
    pub silhouette: Option<f64>,
    /// `(k, silhouette)` for every k tried by the automatic choice.
    pub k_scores: Vec<(usize, f64)>,
    /// Features per asset.
    pub features: usize,
}

impl ClusterModel {
    /// Computes behaviour features for every asset and clusters them.
    pub fn fit(
        histories: &[AssetHistory],
        spec: &FeatureSpec,
        method: Method,
        previous: Option<&ClusterModel>,
    ) -> Result<Self, ClusteringError> {
        let first = histories.first().ok_or(ClusteringError::TooFewAssets {
            assets: 0,
            needed: 1,
            what: "clustering".into(),
        })?;
        let sensors: Vec<String> = first.sensors.iter().map(|(s, _)| s.clone()).collect();
        let mut rows = Vec::with_capacity(histories.len());
        for h in histories {
            let found: Vec<String> = h.sensors.iter().map(|(s, _)| s.clone()).collect();
            if found != sensors {
                return Err(ClusteringError::SensorMismatch {
                    asset: h.asset_id.clone(),
                    found: found.join(", "),
                    expected: sensors.join(", "),
                });
            }
            rows.push((h.asset_id.clone(), spec.features(h)?));
        }
        Self::fit_features(spec.names(&sensors), rows, method, previous)
    }

    /// Clusters precomputed feature rows `(asset_id, features)`.
    pub fn fit_features(
        feature_names: Vec<String>,
        mut rows: Vec<(String, Vec<f64>)>,
        method: Method,
        previous: Option<&ClusterModel>,
    ) -> Result<Self, ClusteringError> {
        validate(&feature_names, &rows, &method)?;
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let (mean, std) = standardisation(&rows);
        let assets: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let points: Vec<Vec<f64>> = rows.iter().map(|r| standardise(&r.1, &mean, &std)).collect();
        let (dense, silhouette, k_scores) = cluster(&points, &method)?;
        let mut model = Self {
            feature_names,
            mean,
            std,
            method,
            assets,
            points,
            labels: Vec::new(),
            centroids: Vec::new(),
            silhouette,
            k_scores,
            next_id: 0,
        };
        model.number_clusters(&dense, previous);
        Ok(model)
    }

    /// Turns dense labels into stable ids: first-appearance order, or matched to `previous`.
    fn number_clusters(&mut self, dense: &[Option<usize>], previous: Option<&ClusterModel>) {
        let k = dense.iter().flatten().max().map_or(0, |m| m + 1);
        let centroids = dense_centroids(&self.points, dense, k);
        let ids: Vec<u32> = match previous {
            Some(prev) => {
                let raw: Vec<Vec<f64>> =
                    centroids.iter().map(|c| unstandardise(c, &self.mean, &self.std)).collect();
                let cost: Vec<Vec<f64>> = raw
                    .iter()
                    .map(|c| {
                        let in_prev = standardise(c, &prev.mean, &prev.std);
                        prev.centroids.iter().map(|(_, p)| squared_distance(&in_prev, p).sqrt()).collect()
                    })
                    .collect();
                let matched = hungarian(&cost, prev.centroids.len());
                let mut next = prev.next_id;
                matched
                    .into_iter()
                    .map(|m| {
                        m.map(|col| prev.centroids[col].0).unwrap_or_else(|| {
                            next += 1;
                            next - 1
                        })
                    })
                    .collect()
            }
            None => {
                let mut order = Vec::new();
                for l in dense.iter().flatten() {
                    if !order.contains(l) {
                        order.push(*l);
                    }
                }
                let mut ids = vec![0; k];
                for (id, &l) in order.iter().enumerate() {
                    ids[l] = id as u32;
                }
                ids
            }
        };
        self.labels = dense.iter().map(|l| l.map(|l| ids[l])).collect();
        let mut pairs: Vec<(u32, Vec<f64>)> = ids.iter().copied().zip(centroids).collect();
        pairs.sort_by_key(|p| p.0);
        self.next_id = previous.map_or(0, |p| p.next_id).max(ids.iter().map(|i| i + 1).max().unwrap_or(0));
        self.centroids = pairs;
    }

    /// The cluster of a clustered asset (`None`: unknown asset or DBSCAN noise).
    pub fn cluster_of(&self, asset_id: &str) -> Option<u32> {
        let i = self.assets.binary_search_by(|a| a.as_str().cmp(asset_id)).ok()?;
        self.labels[i]
    }

    /// `(asset_id, cluster)` for every asset, sorted by asset id.
    pub fn assignments(&self) -> Vec<(&str, Option<u32>)> {
        self.assets.iter().map(String::as_str).zip(self.labels.iter().copied()).collect()
    }

    /// The cluster a new asset's raw features fall in: the nearest centroid for k-means; for DBSCAN the
    /// cluster of the nearest clustered asset within `eps`, else `None` (noise).
    pub fn assign(&self, features: &[f64]) -> Result<Option<u32>, ClusteringError> {
        if features.len() != self.feature_names.len() {
            return Err(ClusteringError::BadInput(format!(
                "{} features given; the model uses {}",
                features.len(),
                self.feature_names.len()
            )));
        }
        let p = standardise(features, &self.mean, &self.std);
        Ok(match self.method {
            Method::KMeans { .. } => self
                .centroids
                .iter()
                .map(|(id, c)| (*id, squared_distance(&p, c)))
                .fold(None, |best: Option<(u32, f64)>, cand| match best {
                    Some(b) if b.1 <= cand.1 => Some(b),
                    _ => Some(cand),
                })
                .map(|b| b.0),
            Method::Dbscan { eps, .. } => self
                .points
                .iter()
                .zip(&self.labels)
                .filter_map(|(q, l)| l.map(|l| (l, squared_distance(&p, q))))
                .filter(|(_, d)| *d <= eps * eps)
                .fold(None, |best: Option<(u32, f64)>, cand| match best {
                    Some(b) if b.1 <= cand.1 => Some(b),
                    _ => Some(cand),
                })
                .map(|b| b.0),
        })
    }

    /// Cluster ids in use, ascending.
    pub fn cluster_ids(&self) -> Vec<u32> {
        self.centroids.iter().map(|c| c.0).collect()
    }

    /// Feature names, in the order of [`ClusterModel::assign`]'s input.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Parameters and quality figures for a manifest.
    pub fn summary(&self) -> ClusterSummary {
        ClusterSummary {
            method: match self.method {
                Method::KMeans { .. } => "kmeans",
                Method::Dbscan { .. } => "dbscan",
            },
            clusters: self.centroids.len(),
            assets: self.assets.len(),
            noise: self.labels.iter().filter(|l| l.is_none()).count(),
            silhouette: self.silhouette,
            k_scores: self.k_scores.clone(),
            features: self.feature_names.len(),
        }
    }
}

fn validate(names: &[String], rows: &[(String, Vec<f64>)], method: &Method) -> Result<(), ClusteringError> {
    if rows.is_empty() {
        return Err(ClusteringError::TooFewAssets { assets: 0, needed: 1, what: "clustering".into() });
    }
    let mut seen = BTreeSet::new();
    for (id, f) in rows {
        if !seen.insert(id.as_str()) {
            return Err(ClusteringError::DuplicateAsset(id.clone()));
        }
        if f.len() != names.len() || f.iter().any(|v| !v.is_finite()) {
            return Err(ClusteringError::BadInput(format!(
                "asset {id:?}: {} features (want {}), all finite",
                f.len(),
                names.len()
            )));
        }
    }
    match *method {
        Method::KMeans { k: KChoice::Fixed(k), .. } if k == 0 || k > rows.len() => {
            Err(ClusteringError::TooFewAssets {
                assets: rows.len(),
                needed: k.max(1),
                what: format!("k-means with k = {k}"),
            })
        }
        Method::KMeans { k: KChoice::Silhouette { min, max }, .. } if min < 2 || max < min => Err(
            ClusteringError::InvalidConfig(format!("silhouette range {min}..={max}: need 2 <= min <= max")),
        ),
        Method::Dbscan { eps, min_points } if !(eps > 0.0 && eps.is_finite()) || min_points == 0 => {
            Err(ClusteringError::InvalidConfig(format!(
                "DBSCAN eps {eps} must be positive and min_points {min_points} at least 1"
            )))
        }
        _ => Ok(()),
    }
}

type Clustering = (Vec<Option<usize>>, Option<f64>, Vec<(usize, f64)>);

fn cluster(points: &[Vec<f64>], method: &Method) -> Result<Clustering, ClusteringError> {
    let n = points.len();
    let identical = points.iter().all(|p| p == &points[0]);
    match *method {
        Method::Dbscan { eps, min_points } => {
            let labels = dbscan(points, eps, min_points);
            let k = labels.iter().flatten().max().map_or(0, |m| m + 1);
            let s = (k >= 2 && labels.iter().all(Option::is_some))
                .then(|| silhouette(points, &labels.iter().map(|l| l.unwrap_or(0)).collect::<Vec<_>>(), k));
            Ok((labels, s, Vec::new()))
        }
        Method::KMeans { k: KChoice::Fixed(k), seed } => {
            let k = if identical { 1 } else { k };
            let run = kmeans(points, k, seed);
            let s = (k >= 2).then(|| silhouette(points, &run.labels, k));
            Ok((run.labels.into_iter().map(Some).collect(), s, Vec::new()))
        }
        Method::KMeans { k: KChoice::Silhouette { min, max }, seed } => {
            let max = max.min(n.saturating_sub(1));
            if identical || min > max {
                return Ok((vec![Some(0); n], None, Vec::new()));
            }
            let mut best: Option<(f64, Vec<usize>)> = None;
            let mut scores = Vec::new();
            for k in min..=max {
                let run = kmeans(points, k, seed);
                let s = silhouette(points, &run.labels, k);
                scores.push((k, s));
                if best.as_ref().is_none_or(|b| s > b.0) {
                    best = Some((s, run.labels));
                }
            }
            let (s, labels) = best.expect("non-empty range");
            Ok((labels.into_iter().map(Some).collect(), Some(s), scores))
        }
    }
}

fn dense_centroids(points: &[Vec<f64>], labels: &[Option<usize>], k: usize) -> Vec<Vec<f64>> {
    let dim = points.first().map_or(0, Vec::len);
    let mut sums = vec![vec![0.0; dim]; k];
    let mut counts = vec![0usize; k];
    for (p, l) in points.iter().zip(labels) {
        if let Some(l) = *l {
            counts[l] += 1;
            sums[l].iter_mut().zip(p).for_each(|(s, v)| *s += v);
        }
    }
    sums.into_iter().zip(counts).map(|(s, c)| s.into_iter().map(|v| v / c.max(1) as f64).collect()).collect()
}

/// Per-feature mean and population std; a constant feature keeps std 1 (it standardises to 0).
fn standardisation(rows: &[(String, Vec<f64>)]) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len() as f64;
    let dim = rows[0].1.len();
    (0..dim)
        .map(|j| {
            let mean = rows.iter().map(|r| r.1[j]).sum::<f64>() / n;
            let var = rows.iter().map(|r| (r.1[j] - mean).powi(2)).sum::<f64>() / n;
            (mean, if var > 0.0 { var.sqrt() } else { 1.0 })
        })
        .unzip()
}

fn standardise(x: &[f64], mean: &[f64], std: &[f64]) -> Vec<f64> {
    x.iter().zip(mean).zip(std).map(|((v, m), s)| (v - m) / s).collect()
}

fn unstandardise(x: &[f64], mean: &[f64], std: &[f64]) -> Vec<f64> {
    x.iter().zip(mean).zip(std).map(|((v, m), s)| v * s + m).collect()
}
