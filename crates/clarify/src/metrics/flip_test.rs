//! The Flip Test: a k-NN trained on group a predicts each row of d; FT counts the disagreements.
//!
//! smclarify fits scikit-learn's `KNeighborsClassifier` (Euclidean, uniform votes) on the a-rows with the
//! model's predictions as targets, k = 5 when a has more than 9 rows else 1, and predicts the d-rows.
//! FT = (F⁺ − F⁻)/n_d with F⁺ = d-rows the model accepts and the k-NN rejects, F⁻ the reverse — the
//! opposite sign of the documented definition, kept for compatibility.
//!
//! Neighbours are found exactly with a k-d tree. Rows at exactly equal distance are ranked by row order;
//! scikit-learn's order among exact ties depends on its tree layout, so FT is only guaranteed to match
//! smclarify when the k-th and (k+1)-th nearest a-rows are not at the same distance (always the case for
//! continuous features, not necessarily for a few small integer features).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::counts::divide;
use crate::table::Column;

/// smclarify's `FT_DEFAULT_NEIGHBOR`, `FT_MIN_NEIGHBOR`, `FT_SAMPLES_COUNT_THRESHOLD`.
const DEFAULT_NEIGHBOURS: usize = 5;
const MIN_NEIGHBOURS: usize = 1;
const SAMPLES_THRESHOLD: usize = 9;
/// Points per k-d tree leaf.
const LEAF_SIZE: usize = 16;

/// The numeric feature matrix FT runs on: one row per dataset row, booleans as 0/1.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMatrix {
    values: Vec<f64>,
    dims: usize,
    rows: usize,
}

impl FeatureMatrix {
    /// The matrix of `columns`, or smclarify's error when one of them is not numeric or boolean.
    pub fn from_columns(columns: &[&Column], rows: usize) -> Result<FeatureMatrix, String> {
        if columns.iter().any(|c| !c.values.is_numeric()) {
            return Err("FlipTest does not support non-numeric columns".to_string());
        }
        let dims = columns.len();
        let mut values = Vec::with_capacity(rows * dims);
        for row in 0..rows {
            values.extend(columns.iter().map(|c| c.values.get(row).as_number().unwrap_or(f64::NAN)));
        }
        Ok(FeatureMatrix { values, dims, rows })
    }

    /// The same features restricted to `rows` (a bootstrap resample).
    pub fn take(&self, rows: &[usize]) -> FeatureMatrix {
        let mut values = Vec::with_capacity(rows.len() * self.dims);
        for &r in rows {
            values.extend_from_slice(self.row(r));
        }
        FeatureMatrix { values, dims: self.dims, rows: rows.len() }
    }

    fn row(&self, r: usize) -> &[f64] {
        &self.values[r * self.dims..(r + 1) * self.dims]
    }
}

/// FT on `features` split by `facet`, with the model's predictions `predicted`.
pub(crate) fn flip_test(
    features: &Result<FeatureMatrix, String>,
    facet: &[bool],
    predicted: &[bool],
) -> Result<f64, String> {
    let n_d = facet.iter().filter(|&&d| d).count();
    if n_d == 0 {
        return Err("Facet set is empty".to_string());
    }
    if n_d == facet.len() {
        return Err("Negated Facet set is empty".to_string());
    }
    let features = features.as_ref().map_err(Clone::clone)?;
    let a_rows: Vec<usize> = (0..facet.len()).filter(|&r| !facet[r]).collect();
    if features.dims == 0 {
        return Err(format!(
            "Found array with 0 feature(s) (shape=({}, 0)) while a minimum of 1 is required by KNeighborsClassifier.",
            a_rows.len()
        ));
    }
    check_finite(features)?;
    let k = if a_rows.len() > SAMPLES_THRESHOLD { DEFAULT_NEIGHBOURS } else { MIN_NEIGHBOURS };
    let tree = KdTree::build(features, a_rows);
    let (mut flipped_up, mut flipped_down) = (0i64, 0i64);
    for row in (0..facet.len()).filter(|&r| facet[r]) {
        let votes = tree.nearest(features.row(row), k).into_iter().filter(|&a| predicted[a]).count();
        let knn_accepts = 2 * votes > k;
        match (predicted[row], knn_accepts) {
            (true, false) => flipped_up += 1,
            (false, true) => flipped_down += 1,
            _ => {}
        }
    }
    Ok(divide((flipped_up - flipped_down) as f64, n_d as f64))
}

/// scikit-learn's input validation messages for non-finite features.
fn check_finite(features: &FeatureMatrix) -> Result<(), String> {
    if features.values.iter().any(|x| x.is_nan()) {
        return Err(
            "Input X contains NaN. KNeighborsClassifier does not accept missing values encoded as NaN \
                    natively."
                .to_string(),
        );
    }
    if features.values.iter().any(|x| x.is_infinite()) {
        return Err("Input X contains infinity or a value too large for dtype('float64').".to_string());
    }
    Ok(())
}

/// A neighbour candidate ordered by (squared distance, row): the heap's top is the worst kept.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    distance: f64,
    row: usize,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.distance.total_cmp(&other.distance).then(self.row.cmp(&other.row))
    }
}

enum Node {
    Leaf { start: usize, end: usize },
    Split { dim: usize, value: f64, left: usize, right: usize },
}

/// An exact k-nearest-neighbour index over some rows of a feature matrix.
struct KdTree<'a> {
    features: &'a FeatureMatrix,
    rows: Vec<usize>,
    nodes: Vec<Node>,
}

impl<'a> KdTree<'a> {
    fn build(features: &'a FeatureMatrix, rows: Vec<usize>) -> KdTree<'a> {
        let mut tree = KdTree { features, rows, nodes: Vec::new() };
        let len = tree.rows.len();
        tree.build_node(0, len);
        tree
    }

    /// Builds the subtree over `rows[start..end]` and returns its node id.
    fn build_node(&mut self, start: usize, end: usize) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node::Leaf { start, end });
        if end - start <= LEAF_SIZE {
            return id;
        }
        let features = self.features;
        let dim = (0..features.dims)
            .max_by(|&x, &y| self.spread(start, end, x).total_cmp(&self.spread(start, end, y)))
            .unwrap_or(0);
        let mid = start + (end - start) / 2;
        self.rows[start..end].select_nth_unstable_by(mid - start, |&p, &q| {
            features.row(p)[dim].total_cmp(&features.row(q)[dim])
        });
        let value = features.row(self.rows[mid])[dim];
        let left = self.build_node(start, mid);
        let right = self.build_node(mid, end);
        self.nodes[id] = Node::Split { dim, value, left, right };
        id
    }

    fn spread(&self, start: usize, end: usize, dim: usize) -> f64 {
        let coords = self.rows[start..end].iter().map(|&r| self.features.row(r)[dim]);
        let (lo, hi) = coords.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
        hi - lo
    }

    /// The `k` rows nearest to `query` (ties by row order).
    fn nearest(&self, query: &[f64], k: usize) -> Vec<usize> {
        let mut best = BinaryHeap::with_capacity(k + 1);
        self.search(0, query, k, &mut best);
        best.into_iter().map(|c| c.row).collect()
    }

    fn search(&self, node: usize, query: &[f64], k: usize, best: &mut BinaryHeap<Candidate>) {
        match self.nodes[node] {
            Node::Leaf { start, end } => {
                for &row in &self.rows[start..end] {
                    let distance: f64 =
                        self.features.row(row).iter().zip(query).map(|(x, q)| (x - q) * (x - q)).sum();
                    let candidate = Candidate { distance, row };
                    if best.len() < k {
                        best.push(candidate);
                    } else if best.peek().is_some_and(|worst| candidate < *worst) {
                        best.pop();
                        best.push(candidate);
                    }
                }
            }
            Node::Split { dim, value, left, right } => {
                let diff = query[dim] - value;
                let (near, far) = if diff < 0.0 { (left, right) } else { (right, left) };
                self.search(near, query, k, best);
                let worst = best.peek().map_or(f64::INFINITY, |c| c.distance);
                if best.len() < k || diff * diff <= worst {
                    self.search(far, query, k, best);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::ColumnValues;
    use proptest::prelude::*;

    fn matrix(points: &[Vec<f64>]) -> FeatureMatrix {
        let dims = points.first().map_or(0, Vec::len);
        FeatureMatrix { values: points.concat(), dims, rows: points.len() }
    }

    fn brute_nearest(m: &FeatureMatrix, rows: &[usize], query: &[f64], k: usize) -> Vec<usize> {
        let mut c: Vec<Candidate> = rows
            .iter()
            .map(|&row| Candidate {
                distance: m.row(row).iter().zip(query).map(|(x, q)| (x - q) * (x - q)).sum(),
                row,
            })
            .collect();
        c.sort();
        let mut out: Vec<usize> = c.into_iter().take(k).map(|c| c.row).collect();
        out.sort_unstable();
        out
    }

    proptest! {
        #[test]
        fn kd_tree_finds_the_same_neighbours_as_brute_force(
            points in prop::collection::vec(prop::collection::vec(-3i32..3, 2), 1..80),
            query in prop::collection::vec(-4i32..4, 2),
            k in 1usize..6,
        ) {
            // Small integer grids make many exact ties: the tree must rank them by row like brute force.
            let points: Vec<Vec<f64>> = points.iter().map(|p| p.iter().map(|&x| f64::from(x)).collect()).collect();
            let m = matrix(&points);
            let rows: Vec<usize> = (0..points.len()).collect();
            let query: Vec<f64> = query.iter().map(|&x| f64::from(x)).collect();
            let k = k.min(points.len());
            let mut got = KdTree::build(&m, rows.clone()).nearest(&query, k);
            got.sort_unstable();
            prop_assert_eq!(got, brute_nearest(&m, &rows, &query, k));
        }
    }

    #[test]
    fn ft_counts_model_accepts_that_the_neighbours_reject_as_positive() {
        // a: rows 0..3 at x = 0 (predicted false). d: row 3 at x = 0.1 predicted true → F⁺ (knn says false).
        let m = Ok(matrix(&[vec![0.0], vec![0.0], vec![0.0], vec![0.1]]));
        let facet = [false, false, false, true];
        assert_eq!(flip_test(&m, &facet, &[false, false, false, true]), Ok(1.0));
        assert_eq!(flip_test(&m, &facet, &[true, true, true, false]), Ok(-1.0));
    }

    #[test]
    fn ft_rejects_text_features_and_missing_values() {
        let text = Column { name: "s".into(), values: ColumnValues::Object(vec![None]) };
        assert_eq!(
            FeatureMatrix::from_columns(&[&text], 1),
            Err("FlipTest does not support non-numeric columns".to_string())
        );
        let m = Ok(matrix(&[vec![f64::NAN], vec![1.0]]));
        assert!(
            flip_test(&m, &[false, true], &[true, false]).unwrap_err().starts_with("Input X contains NaN.")
        );
    }
}
