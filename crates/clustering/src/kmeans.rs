//! Seeded k-means++ (Arthur & Vassilvitskii 2007) with Lloyd iterations, and the silhouette score.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Independent k-means++ starts; the lowest within-cluster sum of squares wins.
const RESTARTS: u64 = 10;
const MAX_ITERATIONS: usize = 300;

/// A k-means result: centroids, each point's centroid index, and the within-cluster sum of squares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KMeans {
    pub centroids: Vec<Vec<f64>>,
    pub labels: Vec<usize>,
    pub inertia: f64,
}

pub(crate) fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// k-means with `k ≤ points.len()`. Deterministic for a given seed and point order: every start draws
/// from its own ChaCha8 stream derived from `seed`, ties go to the lower index.
pub(crate) fn kmeans(points: &[Vec<f64>], k: usize, seed: u64) -> KMeans {
    (0..RESTARTS)
        .map(|restart| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(restart);
            lloyd(points, plus_plus_init(points, k, &mut rng))
        })
        .reduce(|best, run| if run.inertia < best.inertia { run } else { best })
        .expect("at least one restart")
}

fn plus_plus_init(points: &[Vec<f64>], k: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    let mut centroids = vec![points[rng.random_range(0..points.len())].clone()];
    let mut nearest: Vec<f64> = points.iter().map(|p| squared_distance(p, &centroids[0])).collect();
    while centroids.len() < k {
        let total: f64 = nearest.iter().sum();
        let next = if total > 0.0 {
            let mut target = rng.random::<f64>() * total;
            nearest.iter().position(|&d| {
                target -= d;
                target < 0.0
            })
        } else {
            None
        }
        .unwrap_or_else(|| farthest(&nearest));
        centroids.push(points[next].clone());
        for (d, p) in nearest.iter_mut().zip(points) {
            *d = d.min(squared_distance(p, &centroids[centroids.len() - 1]));
        }
    }
    centroids
}

fn farthest(nearest: &[f64]) -> usize {
    nearest.iter().enumerate().fold(0, |best, (i, &d)| if d > nearest[best] { i } else { best })
}

fn assign(points: &[Vec<f64>], centroids: &[Vec<f64>]) -> (Vec<usize>, Vec<f64>) {
    points
        .iter()
        .map(|p| {
            centroids
                .iter()
                .enumerate()
                .map(|(c, m)| (c, squared_distance(p, m)))
                .fold((0, f64::INFINITY), |best, cand| if cand.1 < best.1 { cand } else { best })
        })
        .unzip()
}

fn lloyd(points: &[Vec<f64>], mut centroids: Vec<Vec<f64>>) -> KMeans {
    let dim = points[0].len();
    let (mut labels, mut distances) = assign(points, &centroids);
    for _ in 0..MAX_ITERATIONS {
        let mut sums = vec![vec![0.0; dim]; centroids.len()];
        let mut counts = vec![0usize; centroids.len()];
        for (p, &l) in points.iter().zip(&labels) {
            counts[l] += 1;
            sums[l].iter_mut().zip(p).for_each(|(s, v)| *s += v);
        }
        for (c, (sum, &count)) in sums.into_iter().zip(&counts).enumerate() {
            centroids[c] = if count > 0 {
                sum.into_iter().map(|s| s / count as f64).collect()
            } else {
                // An empty cluster restarts at the point farthest from its centroid.
                points[farthest(&distances)].clone()
            };
        }
        let (next, next_distances) = assign(points, &centroids);
        distances = next_distances;
        if next == labels {
            break;
        }
        labels = next;
    }
    KMeans { inertia: distances.iter().sum(), centroids, labels }
}

/// Mean silhouette of a labelling (Rousseeuw 1987); a point alone in its cluster scores 0. Labels are
/// dense indices `0..k`, with `k ≥ 2`.
pub(crate) fn silhouette(points: &[Vec<f64>], labels: &[usize], k: usize) -> f64 {
    let n = points.len();
    let mut total = 0.0;
    for i in 0..n {
        let mut sum = vec![0.0; k];
        let mut count = vec![0usize; k];
        for j in 0..n {
            if i != j {
                sum[labels[j]] += squared_distance(&points[i], &points[j]).sqrt();
                count[labels[j]] += 1;
            }
        }
        let own = labels[i];
        if count[own] == 0 {
            continue;
        }
        let a = sum[own] / count[own] as f64;
        let b = (0..k)
            .filter(|&c| c != own && count[c] > 0)
            .map(|c| sum[c] / count[c] as f64)
            .fold(f64::INFINITY, f64::min);
        let denom = a.max(b);
        if denom > 0.0 && b.is_finite() {
            total += (b - a) / denom;
        }
    }
    total / n as f64
}
