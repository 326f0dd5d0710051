//! Count, exact sum, mean, variance, min and max of a column's numbers, mergeable across batches.
//!
//! The sum is exact (Shewchuk's partials, as Python's `math.fsum`), so the sum — and the mean, sum/n — of
//! a day merged from its batches is bit-identical to a scan of the whole day, whatever the batching. The
//! second moment merges with Chan's pairwise update (§2.3), exact up to rounding.

use serde::{Deserialize, Serialize};

use crate::json_number::JsonF64;

/// A sum of doubles kept exactly as non-overlapping partials; [`ExactSum::value`] rounds it once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExactSum {
    /// Non-overlapping partial sums, increasing in magnitude.
    partials: Vec<JsonF64>,
    /// The running plain sum when it left the f64 range: then the sum is ±∞ (or NaN), not exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    overflow: Option<JsonF64>,
}

impl ExactSum {
    /// Adds one finite value.
    pub fn add(&mut self, value: f64) {
        if let Some(o) = &mut self.overflow {
            o.0 += value;
            return;
        }
        let plain = self.partials.iter().map(|p| p.0).sum::<f64>() + value;
        if !plain.is_finite() {
            self.overflow = Some(JsonF64(plain));
            return;
        }
        let mut x = value;
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j].0;
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = JsonF64(lo);
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        if x.is_finite() {
            self.partials.push(JsonF64(x));
        } else {
            // An intermediate overflowed although the total did not: keep the rounded total.
            self.partials = vec![JsonF64(plain)];
        }
    }

    /// Adds another exact sum (exactly).
    pub fn merge(&mut self, other: &ExactSum) {
        match (&mut self.overflow, &other.overflow) {
            (Some(a), Some(b)) => a.0 += b.0,
            (Some(a), None) => a.0 += other.partials.iter().map(|p| p.0).sum::<f64>(),
            (None, Some(b)) => {
                let mine: f64 = self.partials.iter().map(|p| p.0).sum();
                self.overflow = Some(JsonF64(b.0 + mine));
            }
            (None, None) => other.partials.iter().for_each(|p| self.add(p.0)),
        }
    }

    /// The exact sum correctly rounded to the nearest double (ties to even), as `math.fsum`.
    pub fn value(&self) -> f64 {
        if let Some(o) = self.overflow {
            return o.0;
        }
        let p: Vec<f64> = self.partials.iter().map(|p| p.0).collect();
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

/// Moments and extremes of the numeric cells of a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    /// Numeric cells seen.
    pub count: u64,
    /// Their exact sum.
    pub sum: ExactSum,
    /// Running mean for the variance update (the reported mean is sum / count).
    pub mean: JsonF64,
    /// Sum of squared deviations from the mean.
    pub m2: JsonF64,
    /// Smallest value (+∞ when empty).
    pub min: JsonF64,
    /// Largest value (−∞ when empty).
    pub max: JsonF64,
}

impl Default for NumericSummary {
    fn default() -> Self {
        NumericSummary {
            count: 0,
            sum: ExactSum::default(),
            mean: JsonF64(0.0),
            m2: JsonF64(0.0),
            min: JsonF64(f64::INFINITY),
            max: JsonF64(f64::NEG_INFINITY),
        }
    }
}

impl NumericSummary {
    /// Summarises a slice of finite values (two passes over the slice for the variance, then one
    /// pairwise merge: more accurate than a per-value update, and vectorisable).
    pub fn of(values: &[f64]) -> Self {
        let mut s = NumericSummary::default();
        if values.is_empty() {
            return s;
        }
        let mut plain = 0.0;
        for &v in values {
            s.sum.add(v);
            plain += v;
            s.min.0 = s.min.0.min(v);
            s.max.0 = s.max.0.max(v);
        }
        let n = values.len() as f64;
        let mean = plain / n;
        let m2: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        s.count = values.len() as u64;
        s.mean = JsonF64(mean);
        s.m2 = JsonF64(m2);
        s
    }

    /// Adds another summary: counts, sums, min and max exactly; mean and M2 by Chan's update
    /// (n = n₁+n₂, δ = mean₂−mean₁, mean = mean₁ + δ·n₂/n, M2 = M2₁ + M2₂ + δ²·n₁·n₂/n).
    pub fn merge(&mut self, other: &NumericSummary) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = other.clone();
            return;
        }
        let (n1, n2) = (self.count as f64, other.count as f64);
        let n = n1 + n2;
        let delta = other.mean.0 - self.mean.0;
        self.mean.0 += delta * n2 / n;
        self.m2.0 += other.m2.0 + delta * delta * n1 * n2 / n;
        self.count += other.count;
        self.sum.merge(&other.sum);
        self.min.0 = self.min.0.min(other.min.0);
        self.max.0 = self.max.0.max(other.max.0);
    }

    /// sum / count (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.sum.value() / self.count as f64 }
    }

    /// Population standard deviation sqrt(M2 / n), as Deequ's `stddev_pop` (NaN when empty).
    pub fn std_dev(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { (self.m2.0.max(0.0) / self.count as f64).sqrt() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_sum_does_not_lose_small_terms() {
        let mut s = ExactSum::default();
        for v in [1e100, 1.0, -1e100, 1e-30] {
            s.add(v);
        }
        assert_eq!(s.value(), 1.0 + 1e-30);
        let mut t = ExactSum::default();
        for _ in 0..10 {
            t.add(0.1);
        }
        assert_eq!(t.value(), 1.0, "fsum(0.1 × 10) is exactly 1.0; a plain loop gives 0.9999999999999999");
    }

    #[test]
    fn exact_sum_merge_equals_one_pass() {
        let values: Vec<f64> = (0..1000).map(|i| (f64::from(i) * 0.7311).sin() * 1e3).collect();
        let mut whole = ExactSum::default();
        values.iter().for_each(|v| whole.add(*v));
        let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
        values[..333].iter().for_each(|v| a.add(*v));
        values[333..].iter().for_each(|v| b.add(*v));
        a.merge(&b);
        assert_eq!(a.value().to_bits(), whole.value().to_bits());
    }

    #[test]
    fn overflowing_sums_are_infinite_not_nan() {
        let mut s = ExactSum::default();
        s.add(f64::MAX);
        s.add(f64::MAX);
        assert_eq!(s.value(), f64::INFINITY);
    }

    #[test]
    fn population_std_dev_and_chan_merge() {
        let all = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let whole = NumericSummary::of(&all);
        assert_eq!(whole.std_dev(), 2.0);
        let mut a = NumericSummary::of(&all[..3]);
        a.merge(&NumericSummary::of(&all[3..]));
        assert!((a.std_dev() - 2.0).abs() < 1e-15);
        assert_eq!(a.mean(), 5.0);
        assert_eq!((a.min.0, a.max.0, a.count), (2.0, 9.0, 8));
    }
}
