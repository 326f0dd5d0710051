//! Bias drift: today's metrics against the baseline run's `analysis.json` (spec §4.5).
//!
//! For each metric of the current window with value b and a baseline value b₀, the allowed range A says
//! how far from its fair value the metric may be: [−|b₀|, |b₀|] for metrics whose fair value is 0, and
//! [min(b₀, 1/b₀), max(b₀, 1/b₀)] for DI (fair value 1; no check when b₀ is 0 or ∞). A violation is raised
//! when the normal bootstrap confidence interval C = [b − z·s, b + z·s] does not meet A, with s the standard
//! deviation (n − 1 denominator) of the metric over `resamples` resamples of the window's rows drawn with
//! replacement. So a small window whose value strays outside A only by noise is not flagged, while a large
//! one is — the decision scales with the sample size.
//!
//! [ours, AWS unpublished] R = 200, z = 1.959964, a seeded ChaCha8 stream per metric (seed ⊕ FNV-1a of
//! stage, facet, value and metric name), non-finite resample values dropped, s = 0 with fewer than two
//! finite values. Group memberships are those of the whole window (a continuous threshold's intervals do
//! not move with a resample's maximum, which cannot change who is above the threshold). Metrics that are
//! errors now or in the baseline are not checked.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::clarify_json::ClarifyNumber;
use crate::metrics::{Metric, Stage};
use crate::report::{BiasAnalysis, PreparedAnalysis};
use crate::scalar::py_float_repr;
use crate::violations::ConstraintViolations;

/// The bootstrap and range parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftSettings {
    /// Bootstrap resamples per checked metric.
    pub resamples: usize,
    /// Normal quantile of the confidence interval (1.959964 for 95 %).
    pub z: f64,
    /// Base seed, e.g. the window start in epoch seconds, so re-runs decide the same.
    pub seed: u64,
    /// Smallest half-width of an allowed range around the fair value.
    pub min_half_width: f64,
    /// Explicit allowed ranges by metric name, overriding the ones derived from the baseline.
    pub allowed_ranges: BTreeMap<String, (f64, f64)>,
}

impl Default for DriftSettings {
    fn default() -> Self {
        DriftSettings {
            resamples: 200,
            z: 1.959964,
            seed: 0,
            min_half_width: 0.0,
            allowed_ranges: BTreeMap::new(),
        }
    }
}

/// One `bias_drift_check` violation in Clarify's shape, with our evidence under `extensions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BiasViolation {
    /// Facet column.
    pub facet: String,
    /// The facet group's `value_or_threshold`.
    pub facet_value: String,
    /// Metric name.
    pub metric_name: String,
    /// Always `bias_drift_check`.
    pub constraint_check_type: String,
    /// "Value <b> does not meet the constraint requirement".
    pub description: String,
    /// How the decision was made (not part of Clarify's shape; readers ignore unknown keys).
    pub extensions: DriftEvidence,
}

/// The numbers behind a bias-drift decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftEvidence {
    /// `pre_training` or `post_training`.
    pub stage: String,
    /// b, the current value.
    pub value: ClarifyNumber,
    /// b₀, the baseline value.
    pub baseline_value: ClarifyNumber,
    /// A.
    pub allowed_range: [ClarifyNumber; 2],
    /// C.
    pub confidence_interval: [ClarifyNumber; 2],
    /// s.
    pub bootstrap_std: ClarifyNumber,
    /// Resamples with a finite value (of `resamples`).
    pub finite_resamples: usize,
}

/// The allowed range derived from the baseline value, `None` when nothing can be checked.
pub fn allowed_range(metric: Metric, baseline: f64, settings: &DriftSettings) -> Option<(f64, f64)> {
    if let Some(&range) = settings.allowed_ranges.get(metric.name()) {
        return Some(range);
    }
    if baseline.is_nan() {
        return None;
    }
    let fair = metric.fair_value();
    let floor = settings.min_half_width;
    if metric == Metric::DI {
        if baseline == 0.0 || baseline.is_infinite() {
            return None;
        }
        let (lo, hi) = (baseline.min(1.0 / baseline), baseline.max(1.0 / baseline));
        return Some((lo.min(fair - floor), hi.max(fair + floor)));
    }
    let half = baseline.abs().max(floor);
    Some((fair - half, fair + half))
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::PreTraining => "pre_training",
        Stage::PostTraining => "post_training",
    }
}

/// FNV-1a, 64 bit: a stable hash for per-metric seeds (std's hasher may change between releases).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Sample standard deviation of the finite values, 0 with fewer than two; and how many were finite.
fn bootstrap_std(values: &[f64]) -> (f64, usize) {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.len() < 2 {
        return (0.0, finite.len());
    }
    let n = finite.len() as f64;
    let mean = finite.iter().sum::<f64>() / n;
    let var = finite.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (var.sqrt(), finite.len())
}

/// Checks every metric of `current` (the report of `prepared`) against `baseline`.
pub fn bias_drift(
    baseline: &BiasAnalysis,
    prepared: &PreparedAnalysis,
    current: &BiasAnalysis,
    settings: &DriftSettings,
) -> ConstraintViolations<BiasViolation> {
    let mut violations = Vec::new();
    for stage in [Stage::PreTraining, Stage::PostTraining] {
        let Some(metrics) = prepared.metrics(stage) else { continue };
        for (f, facet) in prepared.facets().iter().enumerate() {
            for (g, group) in facet.groups.iter().enumerate() {
                for &metric in metrics {
                    let look = |a: &BiasAnalysis| {
                        a.metric(stage, &facet.name, &group.described, metric.name()).and_then(|m| m.number())
                    };
                    let (Some(value), Some(base)) = (look(current), look(baseline)) else { continue };
                    let Some(range) = allowed_range(metric, base, settings).filter(|_| !value.is_nan())
                    else {
                        continue;
                    };
                    if range.0 <= value && value <= range.1 {
                        continue;
                    }
                    let seed = settings.seed
                        ^ fnv1a(&[stage_name(stage), &facet.name, &group.described, metric.name()]);
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    let n = prepared.rows();
                    let samples: Vec<f64> = (0..settings.resamples)
                        .map(|_| {
                            let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
                            prepared.compute(metric, f, g, Some(&rows)).unwrap_or(f64::NAN)
                        })
                        .collect();
                    let (s, finite) = bootstrap_std(&samples);
                    let interval = (value - settings.z * s, value + settings.z * s);
                    if interval.1 < range.0 || interval.0 > range.1 {
                        violations.push(BiasViolation {
                            facet: facet.name.clone(),
                            facet_value: group.described.clone(),
                            metric_name: metric.name().to_string(),
                            constraint_check_type: "bias_drift_check".to_string(),
                            description: format!(
                                "Value {} does not meet the constraint requirement",
                                py_float_repr(value)
                            ),
                            extensions: DriftEvidence {
                                stage: stage_name(stage).to_string(),
                                value: ClarifyNumber(value),
                                baseline_value: ClarifyNumber(base),
                                allowed_range: [ClarifyNumber(range.0), ClarifyNumber(range.1)],
                                confidence_interval: [ClarifyNumber(interval.0), ClarifyNumber(interval.1)],
                                bootstrap_std: ClarifyNumber(s),
                                finite_resamples: finite,
                            },
                        });
                    }
                }
            }
        }
    }
    ConstraintViolations::new(violations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_ranges_follow_the_docs_example() {
        let s = DriftSettings::default();
        // Baseline DPPL 0.2 tolerates 0.1 but not -0.3.
        let (lo, hi) = allowed_range(Metric::DPPL, 0.2, &s).unwrap();
        assert!(lo <= 0.1 && 0.1 <= hi && -0.3 < lo);
        assert_eq!(allowed_range(Metric::DI, 0.8, &s), Some((0.8, 1.25)));
        assert_eq!(allowed_range(Metric::DI, 0.0, &s), None);
        assert_eq!(allowed_range(Metric::DI, f64::INFINITY, &s), None);
        assert_eq!(allowed_range(Metric::CI, f64::INFINITY, &s), Some((f64::NEG_INFINITY, f64::INFINITY)));
        let floored = DriftSettings { min_half_width: 0.1, ..DriftSettings::default() };
        assert_eq!(allowed_range(Metric::AD, 0.02, &floored), Some((-0.1, 0.1)));
        let explicit = DriftSettings {
            allowed_ranges: [("AD".to_string(), (-0.5, 0.5))].into(),
            ..DriftSettings::default()
        };
        assert_eq!(allowed_range(Metric::AD, 0.02, &explicit), Some((-0.5, 0.5)));
    }

    #[test]
    fn bootstrap_std_ignores_non_finite_values() {
        assert_eq!(bootstrap_std(&[1.0, f64::INFINITY, 3.0, f64::NAN]), (2f64.sqrt(), 2));
        assert_eq!(bootstrap_std(&[1.0, f64::NAN]), (0.0, 1));
    }

    #[test]
    fn seeds_differ_per_metric_and_are_stable() {
        assert_ne!(fnv1a(&["pre_training", "site", "b", "CI"]), fnv1a(&["pre_training", "site", "b", "DPL"]));
        assert_eq!(fnv1a(&["a"]), fnv1a(&["a"]));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}
