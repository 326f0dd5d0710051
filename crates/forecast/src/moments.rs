//! First and second moments of all stride-1 windows of a series, in `O(n·D + D²)` instead of `O(n·D²)`.
//!
//! Every least-squares quantity the forecaster needs (the ridge normal equations on training windows, the
//! validation loss of any weight matrix) is a linear function of these sums, so the model is fitted and
//! tuned without materialising a single window.

use std::ops::Range;

/// Sums over windows `w_a = z[a .. a + dim)` for window starts `a` in a range, added over any number of
/// series: the count, `Σ w_a[i]` and `Σ w_a[i]·w_a[j]`.
///
/// The cross sums use the sliding structure: along a diagonal `j - i = k` consecutive entries differ by
/// one product leaving and one entering, so each diagonal costs one full sum plus `O(dim)` updates.
#[derive(Debug, Clone)]
pub struct WindowMoments {
    dim: usize,
    count: usize,
    sum: Vec<f64>,
    /// Row-major `dim × dim`, both triangles filled.
    cross: Vec<f64>,
}

impl WindowMoments {
    /// Empty sums for windows of `dim` values.
    pub fn new(dim: usize) -> Self {
        Self { dim, count: 0, sum: vec![0.0; dim], cross: vec![0.0; dim * dim] }
    }

    /// Adds every window of `series` that starts in `starts` (each must end inside the series).
    ///
    /// # Panics
    /// If a window would run past the end of `series`.
    pub fn add_series(&mut self, series: &[f64], starts: Range<usize>) {
        let d = self.dim;
        if starts.is_empty() {
            return;
        }
        assert!(starts.end - 1 + d <= series.len(), "window past the end of the series");
        let (a0, a1) = (starts.start, starts.end);
        self.count += a1 - a0;
        let mut s: f64 = series[a0..a1].iter().sum();
        self.sum[0] += s;
        for i in 1..d {
            s += series[a1 - 1 + i] - series[a0 + i - 1];
            self.sum[i] += s;
        }
        for k in 0..d {
            let mut c: f64 = series[a0..a1].iter().zip(&series[a0 + k..a1 + k]).map(|(x, y)| x * y).sum();
            self.add_cross(0, k, c);
            for i in 1..d - k {
                c +=
                    series[a1 - 1 + i] * series[a1 - 1 + i + k] - series[a0 + i - 1] * series[a0 + i - 1 + k];
                self.add_cross(i, i + k, c);
            }
        }
    }

    fn add_cross(&mut self, i: usize, j: usize, value: f64) {
        self.cross[i * self.dim + j] += value;
        if i != j {
            self.cross[j * self.dim + i] += value;
        }
    }

    /// Window length.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of windows summed.
    pub fn count(&self) -> usize {
        self.count
    }

    /// `Σ w[i]`.
    pub fn sum(&self, i: usize) -> f64 {
        self.sum[i]
    }

    /// `Σ w[i]·w[j]`.
    pub fn cross(&self, i: usize, j: usize) -> f64 {
        self.cross[i * self.dim + j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute_force(series: &[f64], dim: usize, starts: Range<usize>) -> (usize, Vec<f64>, Vec<f64>) {
        let mut sum = vec![0.0; dim];
        let mut cross = vec![0.0; dim * dim];
        for a in starts.clone() {
            for i in 0..dim {
                sum[i] += series[a + i];
                for j in 0..dim {
                    cross[i * dim + j] += series[a + i] * series[a + j];
                }
            }
        }
        (starts.len(), sum, cross)
    }

    proptest! {
        #[test]
        fn sliding_sums_equal_the_sums_over_explicit_windows(
            series in prop::collection::vec(-10.0f64..10.0, 8..60),
            dim in 1usize..7,
            start_frac in 0.0f64..1.0,
        ) {
            let last_start = series.len() - dim;
            let a0 = ((last_start as f64) * start_frac) as usize;
            let starts = a0..last_start + 1;
            let mut m = WindowMoments::new(dim);
            m.add_series(&series, starts.clone());
            let (n, sum, cross) = brute_force(&series, dim, starts);
            prop_assert_eq!(m.count(), n);
            for i in 0..dim {
                prop_assert!((m.sum(i) - sum[i]).abs() < 1e-9);
                for j in 0..dim {
                    prop_assert!((m.cross(i, j) - cross[i * dim + j]).abs() < 1e-8);
                }
            }
        }
    }

    #[test]
    fn sums_over_two_series_add_up() {
        let a: Vec<f64> = (0..20).map(|i| (i as f64).sin()).collect();
        let b: Vec<f64> = (0..30).map(|i| (i as f64 * 0.3).cos()).collect();
        let mut both = WindowMoments::new(4);
        both.add_series(&a, 0..17);
        both.add_series(&b, 5..27);
        let (na, sa, ca) = brute_force(&a, 4, 0..17);
        let (nb, sb, cb) = brute_force(&b, 4, 5..27);
        assert_eq!(both.count(), na + nb);
        assert!((both.sum(2) - sa[2] - sb[2]).abs() < 1e-12);
        assert!((both.cross(1, 3) - ca[7] - cb[7]).abs() < 1e-12);
    }
}
