//! DBSCAN (Ester et al. 1996): clusters are connected dense regions; points in no dense region are noise.

use crate::kmeans::squared_distance;

/// Labels per point: `Some(cluster)` numbered in order of discovery, `None` for noise. A point is a core
/// point when at least `min_points` points (itself included) lie within `eps`; clusters grow from core
/// points in input order, and a border point joins the first cluster that reaches it.
pub(crate) fn dbscan(points: &[Vec<f64>], eps: f64, min_points: usize) -> Vec<Option<usize>> {
    let n = points.len();
    let eps2 = eps * eps;
    let neighbours: Vec<Vec<usize>> = (0..n)
        .map(|i| (0..n).filter(|&j| squared_distance(&points[i], &points[j]) <= eps2).collect())
        .collect();
    let core: Vec<bool> = neighbours.iter().map(|nb| nb.len() >= min_points).collect();
    let mut labels = vec![None; n];
    let mut next = 0;
    for start in 0..n {
        if !core[start] || labels[start].is_some() {
            continue;
        }
        labels[start] = Some(next);
        let mut frontier = vec![start];
        while let Some(p) = frontier.pop() {
            for &q in &neighbours[p] {
                if labels[q].is_none() {
                    labels[q] = Some(next);
                    if core[q] {
                        frontier.push(q);
                    }
                }
            }
        }
        next += 1;
    }
    labels
}
