//! Behaviour features of one asset: per sensor, the typical day's statistics and spectral shape.
//!
//! Each sensor's series is cut into whole days. For every day we take the mean, the standard deviation
//! and the 10th/50th/90th percentiles, and the share of the day's (mean-removed) signal energy in each of
//! `bands` equal-width frequency bands of a real FFT. The features are the averages over days, so assets
//! observed for different numbers of days are comparable.

use realfft::RealFftPlanner;

use crate::ClusteringError;

/// Statistics per sensor before the band energies.
pub const STATISTICS: [&str; 5] = ["mean", "std", "p10", "p50", "p90"];

/// One asset's history: sensors (same names, same order, for every asset) sampled evenly.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetHistory {
    /// The asset's id; results are keyed and ordered by it.
    pub asset_id: String,
    /// `(sensor_id, values)` with the oldest value first.
    pub sensors: Vec<(String, Vec<f64>)>,
}

/// How to turn histories into features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSpec {
    /// Samples per day.
    pub rows_per_day: usize,
    /// Equal-width frequency bands for the spectral features (excluding the mean).
    pub bands: usize,
}

impl FeatureSpec {
    /// Feature names for the given sensors: `<sensor>.<statistic>` then `<sensor>.band<i>`.
    pub fn names(&self, sensors: &[String]) -> Vec<String> {
        sensors
            .iter()
            .flat_map(|s| {
                STATISTICS
                    .iter()
                    .map(move |stat| format!("{s}.{stat}"))
                    .chain((0..self.bands).map(move |b| format!("{s}.band{b}")))
            })
            .collect()
    }

    /// The feature vector of one asset, in [`FeatureSpec::names`] order.
    pub fn features(&self, asset: &AssetHistory) -> Result<Vec<f64>, ClusteringError> {
        if self.rows_per_day < 2 || self.bands == 0 || self.bands > self.rows_per_day / 2 {
            return Err(ClusteringError::InvalidConfig(format!(
                "{} bands for {} rows a day: use at least 2 rows a day and between 1 and rows_per_day/2 bands",
                self.bands, self.rows_per_day
            )));
        }
        let mut planner = RealFftPlanner::<f64>::new();
        let fft = planner.plan_fft_forward(self.rows_per_day);
        let mut out = Vec::with_capacity(asset.sensors.len() * (STATISTICS.len() + self.bands));
        for (sensor, values) in &asset.sensors {
            let days = values.len() / self.rows_per_day;
            if days == 0 {
                return Err(ClusteringError::TooShort {
                    asset: asset.asset_id.clone(),
                    sensor: sensor.clone(),
                    rows: values.len(),
                    rows_per_day: self.rows_per_day,
                });
            }
            if let Some(v) = values.iter().find(|v| !v.is_finite()) {
                return Err(ClusteringError::NonFinite {
                    asset: asset.asset_id.clone(),
                    sensor: sensor.clone(),
                    value: *v,
                });
            }
            let mut sums = vec![0.0; STATISTICS.len() + self.bands];
            for day in values.chunks_exact(self.rows_per_day) {
                for (s, v) in
                    sums.iter_mut().zip(day_statistics(day).into_iter().chain(self.band_shares(day, &*fft)))
                {
                    *s += v;
                }
            }
            out.extend(sums.into_iter().map(|s| s / days as f64));
        }
        Ok(out)
    }

    /// Share of the day's mean-removed energy in each band (all zero for a flat day).
    fn band_shares(&self, day: &[f64], fft: &dyn realfft::RealToComplex<f64>) -> Vec<f64> {
        let mean = day.iter().sum::<f64>() / day.len() as f64;
        let mut input: Vec<f64> = day.iter().map(|v| v - mean).collect();
        let mut spectrum = fft.make_output_vec();
        fft.process(&mut input, &mut spectrum).expect("buffer sizes come from the plan");
        let power: Vec<f64> = spectrum[1..].iter().map(|c| c.norm_sqr()).collect();
        let total: f64 = power.iter().sum();
        let mut shares = vec![0.0; self.bands];
        if total <= f64::EPSILON * day.len() as f64 {
            return shares;
        }
        for (i, p) in power.iter().enumerate() {
            shares[(i * self.bands / power.len()).min(self.bands - 1)] += p / total;
        }
        shares
    }
}

fn day_statistics(day: &[f64]) -> [f64; 5] {
    let n = day.len() as f64;
    let mean = day.iter().sum::<f64>() / n;
    let std = (day.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    let mut sorted = day.to_vec();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = p * (sorted.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
    };
    [mean, std, q(0.1), q(0.5), q(0.9)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daily_sine_puts_its_energy_in_the_lowest_band_and_a_fast_one_in_the_highest() {
        let spec = FeatureSpec { rows_per_day: 48, bands: 4 };
        let slow: Vec<f64> = (0..48 * 3).map(|i| (i as f64 * std::f64::consts::TAU / 48.0).sin()).collect();
        let fast: Vec<f64> =
            (0..48 * 3).map(|i| (i as f64 * std::f64::consts::TAU * 22.0 / 48.0).sin()).collect();
        let f = |values: Vec<f64>| {
            spec.features(&AssetHistory { asset_id: "a".into(), sensors: vec![("s".into(), values)] })
                .unwrap()
        };
        let (slow, fast) = (f(slow), f(fast));
        assert!(slow[5] > 0.99, "slow band shares {:?}", &slow[5..]);
        assert!(fast[8] > 0.99, "fast band shares {:?}", &fast[5..]);
        assert!((slow[0]).abs() < 1e-12 && (slow[1] - 0.5f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn fewer_rows_than_a_day_is_an_error_naming_the_asset_and_sensor() {
        let spec = FeatureSpec { rows_per_day: 24, bands: 3 };
        let err = spec
            .features(&AssetHistory {
                asset_id: "pump-1".into(),
                sensors: vec![("temp".into(), vec![1.0; 10])],
            })
            .unwrap_err();
        assert!(err.to_string().contains("pump-1") && err.to_string().contains("temp"), "{err}");
    }
}
