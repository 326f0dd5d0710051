//! Distribution distances between a baseline and a current window (quality-monitoring.md §2.7), and
//! the effect sizes and significance figures that make drift verdicts sample-size aware (§6).
//!
//! Numeric distances work on KLL sketches ([`RankedItems`]); with ≤ 2 050 values per side the sketches
//! are exact and the L∞ distance is the two-sample Kolmogorov–Smirnov statistic.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::distributions::{chi_squared_sf, kolmogorov_sf};
use crate::kll::RankedItems;

/// Deequ's c(α) for the Robust correction (α ≈ 0.003).
pub const DEEQU_C_ALPHA: f64 = 1.8;

/// c(α) = sqrt(−ln(α/2) / 2): the Kolmogorov–Smirnov critical constant for significance level α.
pub fn c_alpha(alpha: f64) -> f64 {
    (-(alpha / 2.0).ln() / 2.0).sqrt()
}

/// The L∞ noise floor c·sqrt((n+m)/(n·m)): differences below it are what sampling alone produces.
pub fn noise_floor(c: f64, n: f64, m: f64) -> f64 {
    c * ((n + m) / (n * m)).sqrt()
}

/// linf_robust = max(0, linf_simple − 1.8·sqrt((n+m)/(n·m))).
pub fn robust(linf_simple: f64, n: f64, m: f64) -> f64 {
    (linf_simple - noise_floor(DEEQU_C_ALPHA, n, m)).max(0.0)
}

/// max over the union of items of |rankB(x)/n − rankC(x)/m| (Deequ's numerical distance, simple).
pub fn numeric_linf(baseline: &RankedItems, current: &RankedItems) -> f64 {
    let (n, m) = (baseline.total() as f64, current.total() as f64);
    if n == 0.0 || m == 0.0 {
        return f64::NAN;
    }
    merged_cdfs(baseline, current).map(|(_, fb, fc)| (fb / n - fc / m).abs()).fold(0.0, f64::max)
}

/// Wasserstein-1 distance ∫|F_B − F_C| between the two (weighted) empirical distributions (scipy's
/// `wasserstein_distance` on exact sketches).
pub fn wasserstein(baseline: &RankedItems, current: &RankedItems) -> f64 {
    let (n, m) = (baseline.total() as f64, current.total() as f64);
    if n == 0.0 || m == 0.0 {
        return f64::NAN;
    }
    let points: Vec<(f64, f64, f64)> = merged_cdfs(baseline, current).collect();
    points.windows(2).map(|w| (w[1].0 - w[0].0) * (w[0].1 / n - w[0].2 / m).abs()).sum()
}

/// Walks the union of distinct values ascending, yielding (x, rankB(x), rankC(x)) with inclusive ranks.
fn merged_cdfs<'a>(b: &'a RankedItems, c: &'a RankedItems) -> impl Iterator<Item = (f64, f64, f64)> + 'a {
    let mut values: Vec<f64> = b.values().iter().chain(c.values()).copied().collect();
    values.sort_by(f64::total_cmp);
    values.dedup_by(|a, b| a == b);
    values.into_iter().map(move |x| (x, b.rank(x) as f64, c.rank(x) as f64))
}

/// Asymptotic p-value of the two-sample KS statistic `d` for sample sizes n and m.
pub fn ks_p_value(d: f64, n: f64, m: f64) -> f64 {
    kolmogorov_sf(d * (n * m / (n + m)).sqrt())
}

/// PSI of the current window over the baseline's buckets (proportions floored at 1e-4), with the
/// current fractions below the baseline minimum and above its maximum reported apart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Psi {
    /// Σ (c − b)·ln(c/b) over the buckets.
    pub psi: f64,
    /// Current fraction below the first bucket's lower bound.
    pub below_baseline_min: f64,
    /// Current fraction above the last bucket's upper bound.
    pub above_baseline_max: f64,
}

/// PSI over baseline buckets given as (lower, upper, count), the last closed on the right.
pub fn psi(baseline_buckets: &[(f64, f64, f64)], current: &RankedItems) -> Option<Psi> {
    let total_b: f64 = baseline_buckets.iter().map(|b| b.2).sum();
    let m = current.total() as f64;
    let (first, last) = (baseline_buckets.first()?, baseline_buckets.last()?);
    if total_b <= 0.0 || m == 0.0 {
        return None;
    }
    let floor = |p: f64| p.max(1e-4);
    let last_index = baseline_buckets.len() - 1;
    let psi = baseline_buckets
        .iter()
        .enumerate()
        .map(|(i, &(lo, hi, count))| {
            let upper = if i == last_index { current.rank(hi) } else { current.rank_exclusive(hi) };
            let c = floor(upper.saturating_sub(current.rank_exclusive(lo)) as f64 / m);
            let b = floor(count / total_b);
            (c - b) * (c / b).ln()
        })
        .sum();
    Some(Psi {
        psi,
        below_baseline_min: current.rank_exclusive(first.0) as f64 / m,
        above_baseline_max: (m - current.rank(last.1) as f64) / m,
    })
}

/// max over the union of categories of |C(v)/m − B(v)/n| (probability mass per category).
pub fn categorical_linf(baseline: &BTreeMap<String, f64>, current: &BTreeMap<String, f64>) -> f64 {
    let n: f64 = baseline.values().sum();
    let m: f64 = current.values().sum();
    if n == 0.0 || m == 0.0 {
        return f64::NAN;
    }
    baseline
        .keys()
        .chain(current.keys())
        .map(|k| {
            (current.get(k).copied().unwrap_or(0.0) / m - baseline.get(k).copied().unwrap_or(0.0) / n).abs()
        })
        .fold(0.0, f64::max)
}

/// The outcome of Deequ's χ² goodness-of-fit test of the current counts against baseline proportions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChiSquared {
    /// Pearson's statistic Σ (o − e)²/e.
    pub statistic: f64,
    /// Categories in the test minus one.
    pub degrees_of_freedom: usize,
    /// Upper tail of χ²(df) at the statistic.
    pub p_value: f64,
    /// Cohen's w = sqrt(statistic / N): the effect size, independent of N.
    pub effect_size: f64,
    /// Current values in baseline categories (N).
    pub sample_size: f64,
    /// Categories merged away by the expected-count rule.
    pub categories_merged: usize,
}

/// Why no χ² test could be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChiSquaredUnavailable {
    /// No current value falls in a baseline category.
    NoCurrentValuesInBaselineCategories,
    /// Fewer than 2 categories remain after regrouping.
    FewerThanTwoCategories,
}

/// Deequ's χ² test (§2.7.3): expected counts from the baseline proportions scaled to the current values in
/// baseline categories; small categories regrouped (more than 2 categories: at most 20 % may expect < 5;
/// exactly 2: none may expect < 10), merging the smallest into the next smallest (ties by name); current-
/// only categories ignored.
pub fn chi_squared(
    baseline: &BTreeMap<String, f64>,
    current: &BTreeMap<String, f64>,
) -> Result<ChiSquared, ChiSquaredUnavailable> {
    let sample_sum: f64 = current.iter().filter(|(k, _)| baseline.contains_key(*k)).map(|(_, v)| v).sum();
    let expected_sum: f64 = baseline.values().sum();
    if sample_sum <= 0.0 || expected_sum <= 0.0 {
        return Err(ChiSquaredUnavailable::NoCurrentValuesInBaselineCategories);
    }
    let mut expected: BTreeMap<String, f64> =
        baseline.iter().map(|(k, v)| (k.clone(), v / expected_sum * sample_sum)).collect();
    let mut observed: BTreeMap<String, f64> =
        baseline.keys().map(|k| (k.clone(), current.get(k).copied().unwrap_or(0.0))).collect();
    let categories = expected.len();
    while needs_regrouping(&expected) {
        let smallest = smallest_key(&expected).expect("at least 2 categories");
        let e_min = expected.remove(&smallest).expect("present");
        let o_min = observed.remove(&smallest).unwrap_or(0.0);
        let next = smallest_key(&expected).expect("at least 1 category left");
        *expected.get_mut(&next).expect("present") += e_min;
        *observed.entry(next).or_insert(0.0) += o_min;
    }
    if expected.len() < 2 {
        return Err(ChiSquaredUnavailable::FewerThanTwoCategories);
    }
    let observed_total: f64 = observed.values().sum();
    let expected_total: f64 = expected.values().sum();
    let scale = observed_total / expected_total;
    let statistic: f64 = expected
        .iter()
        .map(|(k, e)| {
            let e = e * scale;
            let o = observed.get(k).copied().unwrap_or(0.0);
            (o - e) * (o - e) / e
        })
        .sum();
    let df = expected.len() - 1;
    Ok(ChiSquared {
        statistic,
        degrees_of_freedom: df,
        p_value: chi_squared_sf(statistic, df as f64),
        effect_size: (statistic / sample_sum).sqrt(),
        sample_size: sample_sum,
        categories_merged: categories - expected.len(),
    })
}

fn needs_regrouping(expected: &BTreeMap<String, f64>) -> bool {
    let k = expected.len();
    if k < 2 {
        return false;
    }
    let (threshold, max_below) = if k > 2 { (5.0, (0.2 * k as f64) as usize) } else { (10.0, 0) };
    expected.values().filter(|&&e| e < threshold).count() > max_below
}

/// The category with the smallest expected count; ties go to the smallest name (BTreeMap order).
fn smallest_key(expected: &BTreeMap<String, f64>) -> Option<String> {
    expected.iter().min_by(|a, b| a.1.total_cmp(b.1)).map(|(k, _)| k.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn numeric_linf_is_the_ks_statistic_on_exact_sketches() {
        let b = RankedItems::from_values(&[1.0, 2.0, 3.0, 4.0]);
        let c = RankedItems::from_values(&[3.0, 4.0, 5.0, 6.0]);
        assert_eq!(numeric_linf(&b, &c), 0.5);
        assert_eq!(wasserstein(&b, &c), 2.0);
    }

    #[test]
    fn robust_subtracts_the_spec_amounts() {
        // §2.7.1: 0.19 for n=300, m=120 and 0.54 for n=20, m=25.
        assert!((noise_floor(DEEQU_C_ALPHA, 300.0, 120.0) - 0.1944).abs() < 1e-4);
        assert!((noise_floor(DEEQU_C_ALPHA, 20.0, 25.0) - 0.5400).abs() < 1e-4);
        assert_eq!(robust(0.3, 20.0, 25.0), 0.0);
    }

    #[test]
    fn categorical_linf_counts_missing_categories_as_zero() {
        let d = categorical_linf(&counts(&[("a", 50.0), ("b", 50.0)]), &counts(&[("a", 50.0), ("c", 50.0)]));
        assert_eq!(d, 0.5);
    }

    #[test]
    fn chi_squared_regroups_small_categories_and_ignores_current_only_ones() {
        let baseline = counts(&[("a", 500.0), ("b", 300.0), ("c", 190.0), ("d", 5.0), ("e", 5.0)]);
        let current = counts(&[("a", 50.0), ("b", 30.0), ("c", 19.0), ("d", 1.0), ("z", 40.0)]);
        let r = chi_squared(&baseline, &current).unwrap();
        // Expected d and e are 0.5 each: 2 of 5 below 5 > floor(0.2·5) = 1, so d (the smaller name of the
        // tie) merges into e; then 1 of 4 below 5 > floor(0.8) = 0, so e merges into c.
        assert_eq!(r.categories_merged, 2);
        assert_eq!(r.degrees_of_freedom, 2);
        assert!(r.statistic < 1e-9, "current proportions equal the baseline's: {r:?}");
        assert!((r.p_value - 1.0).abs() < 1e-9);
    }

    #[test]
    fn chi_squared_needs_current_values_in_baseline_categories() {
        let r = chi_squared(&counts(&[("a", 5.0), ("b", 5.0)]), &counts(&[("z", 3.0)]));
        assert_eq!(r, Err(ChiSquaredUnavailable::NoCurrentValuesInBaselineCategories));
    }
}
