//! The reproducible subsampling behind model-quality standard deviations (§3.3): 5 subsamples of
//! round(0.8·N) records drawn without replacement.
//!
//! The generator is SplitMix64 and the draw a partial Fisher–Yates shuffle (index j = i + next() mod
//! (N − i)), both simple enough to reproduce in any language — the parity reference does exactly that.

/// Subsamples per standard deviation.
pub const SUBSAMPLES: usize = 5;
/// Fraction of the records in each subsample.
pub const SUBSAMPLE_FRACTION: f64 = 0.8;
/// Below this many records the standard deviation is "NaN".
pub const MIN_RECORDS_FOR_STD: usize = 200;

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed, portable generator.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The index lists of the subsamples for `n` records (empty when n < [`MIN_RECORDS_FOR_STD`]).
pub fn subsamples(n: usize, seed: u64) -> Vec<Vec<usize>> {
    if n < MIN_RECORDS_FOR_STD {
        return Vec::new();
    }
    let k = (SUBSAMPLE_FRACTION * n as f64).round() as usize;
    let mut rng = SplitMix64::new(seed);
    (0..SUBSAMPLES)
        .map(|_| {
            let mut idx: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = i + (rng.next_u64() % (n - i) as u64) as usize;
                idx.swap(i, j);
            }
            idx.truncate(k);
            idx
        })
        .collect()
}

/// Sample standard deviation (divide by count − 1) of the subsample metrics; NaN if any is NaN.
pub fn sample_std(values: &[f64]) -> f64 {
    if values.len() < 2 || values.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // The first outputs for seed 1234567 from the reference implementation (Vigna's splitmix64.c).
        let mut g = SplitMix64::new(1_234_567);
        assert_eq!(g.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(g.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn subsamples_are_80_percent_without_replacement() {
        let s = subsamples(250, 7);
        assert_eq!(s.len(), 5);
        for sub in &s {
            assert_eq!(sub.len(), 200);
            let mut sorted = sub.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), 200);
        }
        assert_ne!(s[0], s[1]);
        assert!(subsamples(199, 7).is_empty());
    }
}
