//! Keeping cluster ids stable across re-fits: new centroids are matched one-to-one to previous ones by
//! the Hungarian algorithm (minimum total distance), so a re-fit on similar data reuses the old ids.

/// Minimum-cost assignment of rows to columns of a `rows × cols` cost matrix: `result[r]` is the column
/// given to row `r`, or `None` when there are more rows than columns and `r` got none.
///
/// Kuhn–Munkres with potentials on the square matrix padded with zero-cost dummies, `O(n³)`.
pub(crate) fn hungarian(cost: &[Vec<f64>], cols: usize) -> Vec<Option<usize>> {
    let rows = cost.len();
    let n = rows.max(cols);
    let at = |r: usize, c: usize| if r < rows && c < cols { cost[r][c] } else { 0.0 };
    // 1-based arrays as in the classic formulation; p[c] is the row matched to column c.
    let (mut u, mut v) = (vec![0.0; n + 1], vec![0.0; n + 1]);
    let (mut p, mut way) = (vec![0usize; n + 1], vec![0usize; n + 1]);
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let (mut delta, mut j1) = (f64::INFINITY, 0);
            for j in 1..=n {
                if !used[j] {
                    let cur = at(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut result = vec![None; rows];
    for j in 1..=n {
        if p[j] >= 1 && p[j] <= rows && j <= cols {
            result[p[j] - 1] = Some(j - 1);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cheapest_permutation_not_the_greedy_one() {
        // Greedy would take (0,0)=1 then (1,1)=10: total 11. The optimum is (0,1)+(1,0) = 2+2 = 4.
        let cost = vec![vec![1.0, 2.0], vec![2.0, 10.0]];
        assert_eq!(hungarian(&cost, 2), vec![Some(1), Some(0)]);
    }

    #[test]
    fn extra_rows_stay_unmatched() {
        let cost = vec![vec![5.0], vec![1.0], vec![3.0]];
        assert_eq!(hungarian(&cost, 1), vec![None, Some(0), None]);
    }
}
