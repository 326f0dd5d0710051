//! The data-quality checks and constraint_violations.json (quality-monitoring.md §2.6), with drift verdicts
//! that scale with the sample sizes (§6).
//!
//! SageMaker's check types go to `violations`; our additions (telemetry checks) and the per-feature drift
//! figures (effect sizes, p-values, noise floors, `insufficient_data` notes) go under `extensions`, so a
//! consumer written for Model Monitor sees exactly what it expects.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::constraints::{
    CategoricalDriftMethod, ComparisonMethod, Constraints, DriftDecision, EffectiveConfig, FeatureConstraints,
};
use crate::drift::{self, ChiSquaredUnavailable};
use crate::json_number::JsonF64;
use crate::kll::RankedItems;
use crate::profile::{ColumnProfile, DataProfile};
use crate::statistics::{FeatureStatistics, Statistics};
use crate::value_class::InferredType;

/// The `constraint_check_type` values this crate writes. The first six are Model Monitor's; the rest are
/// ours (telemetry, see [`crate::telemetry`]) and appear only under `extensions`.
pub mod check_type {
    /// A baseline column is absent from the current data.
    pub const MISSING_COLUMN: &str = "missing_column_check";
    /// A current column is not in the baseline.
    pub const EXTRA_COLUMN: &str = "extra_column_check";
    /// Too few values of the expected type.
    pub const DATA_TYPE: &str = "data_type_check";
    /// Fewer non-null values than the baseline.
    pub const COMPLETENESS: &str = "completeness_check";
    /// Too few String values inside the baseline domain.
    pub const CATEGORICAL_VALUES: &str = "categorical_values_check";
    /// The distribution moved away from the baseline.
    pub const BASELINE_DRIFT: &str = "baseline_drift_check";
    /// A sensor repeats the same value (within its resolution) for too long.
    pub const STUCK_SENSOR: &str = "stuck_sensor_check";
    /// A sensor went silent for longer than its sampling period allows.
    pub const GAP: &str = "gap_check";
    /// Values outside the engineering limits of the sensor or unit.
    pub const PHYSICAL_RANGE: &str = "physical_range_check";
    /// Event time far from ingest time, or in the future.
    pub const CLOCK_SKEW: &str = "clock_skew_check";
    /// Timestamps going backwards in arrival order.
    pub const NON_MONOTONIC_TIMESTAMP: &str = "non_monotonic_timestamp_check";
    /// Two readings of one sensor at the same timestamp.
    pub const DUPLICATE_TIMESTAMP: &str = "duplicate_timestamp_check";
    /// The sampling period changed within the window or against the expected period.
    pub const SAMPLING_RATE: &str = "sampling_rate_check";
}

/// constraint_violations.json.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConstraintViolations {
    /// Model Monitor's violations, in check order.
    pub violations: Vec<Violation>,
    /// Ours: telemetry violations, drift figures and notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<ViolationExtensions>,
}

/// One violation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The feature (column); for telemetry checks the sensor's value column, with asset and sensor below.
    pub feature_name: String,
    /// One of [`check_type`].
    pub constraint_check_type: String,
    /// For humans; states the measured value. Never parse it.
    pub description: String,
    /// Telemetry checks: the asset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_id: Option<String>,
    /// Telemetry checks: the sensor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor_id: Option<String>,
}

impl Violation {
    /// A violation of a feature-level check.
    pub fn new(feature: &str, check: &str, description: String) -> Self {
        Violation {
            feature_name: feature.to_owned(),
            constraint_check_type: check.to_owned(),
            description,
            asset_id: None,
            sensor_id: None,
        }
    }

    /// The key hysteresis tracks: check type, feature, and asset/sensor when present.
    pub fn key(&self) -> String {
        match (&self.asset_id, &self.sensor_id) {
            (Some(a), Some(s)) => format!("{}|{}|{a}|{s}", self.constraint_check_type, self.feature_name),
            _ => format!("{}|{}", self.constraint_check_type, self.feature_name),
        }
    }
}

/// Our additions to constraint_violations.json.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ViolationExtensions {
    /// Violations of our own check types (telemetry).
    #[serde(default)]
    pub violations: Vec<Violation>,
    /// The figures behind every drift comparison that ran (or was skipped for too little data).
    #[serde(default)]
    pub drift: Vec<DriftReport>,
    /// Why a check was not evaluated.
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// A check that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// The feature.
    pub feature_name: String,
    /// The check that was skipped.
    pub constraint_check_type: String,
    /// Why (e.g. `insufficient_data`).
    pub note: String,
}

/// The verdict of one drift comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftVerdict {
    /// Distance above the threshold and (when sample-size aware) above the noise floor.
    Drift,
    /// Distance within the threshold.
    NoDrift,
    /// Distance above the threshold but within what sampling noise produces at these sizes.
    NotSignificant,
    /// Too few values on one side for a verdict.
    InsufficientData,
    /// No test possible (e.g. χ² with fewer than 2 categories).
    Unavailable,
}

/// The figures of one drift comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// The feature.
    pub feature_name: String,
    /// Simple, Robust (numeric / categorical L∞) or ChiSquared.
    pub method: String,
    /// The distance compared with the threshold (a p-value for ChiSquared).
    pub distance: JsonF64,
    /// The threshold in force.
    pub threshold: JsonF64,
    /// Values in the baseline (n).
    pub baseline_count: JsonF64,
    /// Values in the current window (m).
    pub current_count: JsonF64,
    /// Plain L∞ (the KS statistic for numbers): the effect size.
    pub linf_simple: JsonF64,
    /// L∞ minus Deequ's correction.
    pub linf_robust: JsonF64,
    /// c(α)·sqrt((n+m)/(n·m)) for the decision's α.
    pub noise_floor: JsonF64,
    /// Numbers: the asymptotic KS p-value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ks_p_value: Option<JsonF64>,
    /// Numbers: Wasserstein-1 distance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wasserstein: Option<JsonF64>,
    /// Numbers: Wasserstein-1 over the baseline's standard deviation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wasserstein_normed: Option<JsonF64>,
    /// Numbers: PSI over the baseline buckets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub psi: Option<JsonF64>,
    /// Numbers: current fraction below the baseline minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_baseline_min: Option<JsonF64>,
    /// Numbers: current fraction above the baseline maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_baseline_max: Option<JsonF64>,
    /// ChiSquared: the statistic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chi_squared: Option<JsonF64>,
    /// ChiSquared: degrees of freedom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom: Option<usize>,
    /// ChiSquared: Cohen's w.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect_size: Option<JsonF64>,
    /// The verdict.
    pub verdict: DriftVerdict,
}

impl ConstraintViolations {
    /// Reads a constraint_violations.json.
    pub fn from_json(bytes: &[u8]) -> Result<Self, crate::QualityError> {
        serde_json::from_slice(bytes).map_err(|e| crate::QualityError::InvalidFile {
            what: "constraint_violations.json".into(),
            reason: e.to_string(),
        })
    }

    /// Pretty JSON, as written to files.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("violations always serialise")
    }

    /// True when neither Model Monitor's nor our own checks found anything.
    pub fn is_clean(&self) -> bool {
        self.violations.is_empty() && self.extensions.as_ref().is_none_or(|e| e.violations.is_empty())
    }

    /// Every violation, SageMaker's and ours.
    pub fn all(&self) -> impl Iterator<Item = &Violation> {
        self.violations.iter().chain(self.extensions.iter().flat_map(|e| e.violations.iter()))
    }

    /// Adds violations of our own check types (e.g. telemetry) under `extensions`.
    pub fn add_extension_violations(&mut self, violations: Vec<Violation>) {
        self.extensions.get_or_insert_with(ViolationExtensions::default).violations.extend(violations);
    }

    /// Keys of checks that were skipped for lack of data: neither clean nor violated, for hysteresis.
    pub fn skipped_keys(&self) -> Vec<String> {
        self.extensions
            .iter()
            .flat_map(|e| e.notes.iter())
            .map(|n| format!("{}|{}", n.constraint_check_type, n.feature_name))
            .collect()
    }
}

/// Checks a current window against constraints and the baseline's statistics (for drift). Every check
/// type of §2.6, in its order, honouring every setting a user may edit in constraints.json.
pub fn check(
    current: &DataProfile,
    constraints: &Constraints,
    baseline: &Statistics,
) -> ConstraintViolations {
    let mut out = Report::default();
    if !constraints.effective(None).evaluate_constraints {
        out.note("*", "*", "evaluate_constraints is Disabled");
        return out.finish();
    }
    let present = |name: &str| current.columns.iter().any(|c| c.name == name);
    for f in constraints.features.iter().filter(|f| !present(&f.name)) {
        if constraints.effective(Some(f)).evaluate_constraints {
            out.violation(
                &f.name,
                crate::check::check_type::MISSING_COLUMN,
                missing_description(f, current, constraints),
            );
        }
    }
    let baseline_columns = constraints.features.len();
    for c in current.columns.iter().filter(|c| constraints.feature(&c.name).is_none()) {
        let description = format!(
            "Extra column requirement is not met. Expected: only the {baseline_columns} baseline columns. \
             Observed: column '{}' is not in the baseline ({} columns in the current data).",
            c.name,
            current.columns.len()
        );
        out.violation(&c.name, check_type::EXTRA_COLUMN, description);
    }
    let decision = constraints.drift_decision();
    for f in &constraints.features {
        let Some(p) = current.column(&f.name) else { continue };
        let eff = constraints.effective(Some(f));
        if !eff.evaluate_constraints {
            continue;
        }
        data_type_check(&mut out, f, p, &eff);
        completeness_check(&mut out, f, p, current.item_count);
        categorical_values_check(&mut out, f, p, &eff);
        if eff.perform_comparison {
            match baseline.feature(&f.name) {
                Some(b) => drift_check(&mut out, f, p, b, &eff, &decision),
                None => out.note(
                    &f.name,
                    check_type::BASELINE_DRIFT,
                    "the baseline statistics have no such feature",
                ),
            }
        }
    }
    out.finish()
}

#[derive(Default)]
struct Report {
    violations: Vec<Violation>,
    drift: Vec<DriftReport>,
    notes: Vec<Note>,
}

impl Report {
    fn violation(&mut self, feature: &str, check: &str, description: String) {
        self.violations.push(Violation::new(feature, check, description));
    }

    fn note(&mut self, feature: &str, check: &str, note: &str) {
        self.notes.push(Note {
            feature_name: feature.into(),
            constraint_check_type: check.into(),
            note: note.into(),
        });
    }

    fn finish(self) -> ConstraintViolations {
        let extensions = (!self.drift.is_empty() || !self.notes.is_empty()).then_some(ViolationExtensions {
            violations: Vec::new(),
            drift: self.drift,
            notes: self.notes,
        });
        ConstraintViolations { violations: self.violations, extensions }
    }
}

fn missing_description(f: &FeatureConstraints, current: &DataProfile, constraints: &Constraints) -> String {
    let found = constraints.features.iter().filter(|c| current.column(&c.name).is_some()).count();
    format!(
        "Missing column requirement is not met. Expected: column '{}' of the baseline. Observed: the current data \
         has no such column ({found} of {} baseline columns present).",
        f.name,
        constraints.features.len()
    )
}

fn data_type_check(out: &mut Report, f: &FeatureConstraints, p: &ColumnProfile, eff: &EffectiveConfig) {
    let present = p.types.present();
    if f.inferred_type == InferredType::Unknown || present == 0 {
        return;
    }
    let observed = p.types.matching(f.inferred_type) as f64 / present as f64;
    if observed < eff.datatype_check_threshold {
        let t = f.inferred_type.as_str();
        out.violation(
            &f.name,
            check_type::DATA_TYPE,
            format!(
                "Data type match requirement is not met. Expected data type: {t}, Expected match: {}. \
                 Observed: Only {} of data is {t}.",
                percent(eff.datatype_check_threshold),
                percent(observed)
            ),
        );
    }
}

fn completeness_check(out: &mut Report, f: &FeatureConstraints, p: &ColumnProfile, item_count: u64) {
    let Some(expected) = f.completeness.map(|c| c.0).filter(|c| c.is_finite()) else { return };
    if item_count == 0 {
        out.note(&f.name, check_type::COMPLETENESS, "empty window: no rows to measure completeness on");
        return;
    }
    let observed = p.types.present() as f64 / item_count as f64;
    if observed < expected {
        out.violation(
            &f.name,
            check_type::COMPLETENESS,
            format!(
                "Completeness requirement is not met. Expected: {} non-null. Observed: {} non-null ({} of {} rows).",
                percent(expected),
                percent(observed),
                p.types.present(),
                item_count
            ),
        );
    }
}

fn categorical_values_check(
    out: &mut Report,
    f: &FeatureConstraints,
    p: &ColumnProfile,
    eff: &EffectiveConfig,
) {
    let Some(domains) = f.string_constraints.as_ref().map(|s| &s.domains).filter(|d| !d.is_empty()) else {
        return;
    };
    if f.inferred_type != InferredType::String || p.types.present() == 0 {
        return;
    }
    let mut outside: Vec<(&str, u64)> =
        p.values.counts().into_iter().filter(|(v, _)| !domains.iter().any(|d| d == v)).collect();
    let itemised: u64 = p.values.counts().iter().map(|(_, n)| n).sum();
    let unitemised = p.types.present().saturating_sub(itemised);
    let outside_count: u64 = outside.iter().map(|(_, n)| n).sum::<u64>() + unitemised;
    let observed = 1.0 - outside_count as f64 / p.types.present() as f64;
    if observed < eff.domain_content_threshold {
        outside.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let examples: Vec<String> = outside.iter().take(5).map(|(v, n)| format!("'{v}' ({n})")).collect();
        out.violation(
            &f.name,
            check_type::CATEGORICAL_VALUES,
            format!(
                "Categorical values requirement is not met. Expected: {} of values in the baseline domain. \
                 Observed: {} ({outside_count} of {} values outside; most frequent: {}).",
                percent(eff.domain_content_threshold),
                percent(observed),
                p.types.present(),
                examples.join(", ")
            ),
        );
    }
}

fn drift_check(
    out: &mut Report,
    f: &FeatureConstraints,
    p: &ColumnProfile,
    b: &FeatureStatistics,
    eff: &EffectiveConfig,
    decision: &DriftDecision,
) {
    if let Some(num) = &b.numerical_statistics {
        let baseline = match num.distribution.kll.sketch.to_sketch() {
            Ok(s) => s.ranked(),
            Err(_) => {
                return out.note(
                    &f.name,
                    check_type::BASELINE_DRIFT,
                    "the baseline KLL sketch is not usable",
                );
            }
        };
        let current = p.sketch.ranked();
        if baseline.total() == 0 || current.total() == 0 {
            return out.note(&f.name, check_type::BASELINE_DRIFT, "no numeric values on one side");
        }
        let buckets: Vec<(f64, f64, f64)> = num
            .distribution
            .kll
            .buckets
            .iter()
            .map(|b| (b.lower_bound.0, b.upper_bound.0, b.count.0))
            .collect();
        numeric_drift(out, &f.name, &baseline, &current, num.std_dev.0, &buckets, eff, decision);
    } else if let Some(s) = &b.string_statistics {
        let baseline: BTreeMap<String, f64> =
            s.distribution.categorical.buckets.iter().map(|b| (b.value.clone(), b.count as f64)).collect();
        let mut current: BTreeMap<String, f64> = BTreeMap::new();
        for (v, n) in p.values.counts() {
            *current.entry(v.to_owned()).or_default() += n as f64;
        }
        if baseline.is_empty() || current.is_empty() {
            return out.note(&f.name, check_type::BASELINE_DRIFT, "no categorical values on one side");
        }
        categorical_drift(out, &f.name, &baseline, &current, eff, decision);
    }
}

struct Sizes {
    n: f64,
    m: f64,
}

impl Sizes {
    fn too_small(&self, d: &DriftDecision) -> bool {
        d.sample_size_aware && (self.n < d.min_window_size as f64 || self.m < d.min_window_size as f64)
    }

    fn floor(&self, d: &DriftDecision) -> f64 {
        drift::noise_floor(drift::c_alpha(d.significance_level.0), self.n, self.m)
    }
}

#[allow(clippy::too_many_arguments)]
fn numeric_drift(
    out: &mut Report,
    name: &str,
    baseline: &RankedItems,
    current: &RankedItems,
    baseline_std: f64,
    buckets: &[(f64, f64, f64)],
    eff: &EffectiveConfig,
    decision: &DriftDecision,
) {
    let sizes = Sizes { n: baseline.total() as f64, m: current.total() as f64 };
    let simple = drift::numeric_linf(baseline, current);
    let robust = drift::robust(simple, sizes.n, sizes.m);
    let (method, distance) = match eff.comparison_method {
        ComparisonMethod::Simple => ("Simple", simple),
        ComparisonMethod::Robust => ("Robust", robust),
    };
    let w = drift::wasserstein(baseline, current);
    let psi = drift::psi(buckets, current);
    let floor = sizes.floor(decision);
    let verdict = verdict(distance > eff.comparison_threshold, simple > floor, &sizes, decision);
    out.drift.push(DriftReport {
        feature_name: name.to_owned(),
        method: method.to_owned(),
        distance: JsonF64(distance),
        threshold: JsonF64(eff.comparison_threshold),
        baseline_count: JsonF64(sizes.n),
        current_count: JsonF64(sizes.m),
        linf_simple: JsonF64(simple),
        linf_robust: JsonF64(robust),
        noise_floor: JsonF64(floor),
        ks_p_value: Some(JsonF64(drift::ks_p_value(simple, sizes.n, sizes.m))),
        wasserstein: Some(JsonF64(w)),
        wasserstein_normed: (baseline_std > 0.0).then(|| JsonF64(w / baseline_std)),
        psi: psi.map(|p| JsonF64(p.psi)),
        below_baseline_min: psi.map(|p| JsonF64(p.below_baseline_min)),
        above_baseline_max: psi.map(|p| JsonF64(p.above_baseline_max)),
        chi_squared: None,
        degrees_of_freedom: None,
        effect_size: None,
        verdict,
    });
    finish_verdict(out, name, verdict, || {
        format!(
            "Numerical distance: {distance} exceeds numerical threshold: {} (method {method}; KS statistic {simple}, \
             noise floor {floor:.4} for baseline n={} and current m={}; Wasserstein {w})",
            eff.comparison_threshold, sizes.n, sizes.m
        )
    });
}

fn categorical_drift(
    out: &mut Report,
    name: &str,
    baseline: &BTreeMap<String, f64>,
    current: &BTreeMap<String, f64>,
    eff: &EffectiveConfig,
    decision: &DriftDecision,
) {
    let sizes = Sizes { n: baseline.values().sum(), m: current.values().sum() };
    let simple = drift::categorical_linf(baseline, current);
    let robust = drift::robust(simple, sizes.n, sizes.m);
    let floor = sizes.floor(decision);
    let threshold = eff.categorical_comparison_threshold;
    let mut report = DriftReport {
        feature_name: name.to_owned(),
        method: String::new(),
        distance: JsonF64(f64::NAN),
        threshold: JsonF64(threshold),
        baseline_count: JsonF64(sizes.n),
        current_count: JsonF64(sizes.m),
        linf_simple: JsonF64(simple),
        linf_robust: JsonF64(robust),
        noise_floor: JsonF64(floor),
        ks_p_value: None,
        wasserstein: None,
        wasserstein_normed: None,
        psi: None,
        below_baseline_min: None,
        above_baseline_max: None,
        chi_squared: None,
        degrees_of_freedom: None,
        effect_size: None,
        verdict: DriftVerdict::Unavailable,
    };
    let description: Box<dyn Fn() -> String>;
    match eff.categorical_drift_method {
        CategoricalDriftMethod::LInfinity => {
            let (method, distance) = match eff.comparison_method {
                ComparisonMethod::Simple => ("Simple", simple),
                ComparisonMethod::Robust => ("Robust", robust),
            };
            report.method = format!("LInfinity/{method}");
            report.distance = JsonF64(distance);
            report.verdict = verdict(distance > threshold, simple > floor, &sizes, decision);
            description = Box::new(move || {
                format!(
                    "Categorical distance: {distance} exceeds categorical threshold: {threshold} (method LInfinity \
                     {method}; largest category share difference {simple}, noise floor {floor:.4} for baseline n={} \
                     and current m={})",
                    sizes.n, sizes.m
                )
            });
        }
        CategoricalDriftMethod::ChiSquared => {
            report.method = "ChiSquared".into();
            match drift::chi_squared(baseline, current) {
                Ok(chi) => {
                    report.distance = JsonF64(chi.p_value);
                    report.chi_squared = Some(JsonF64(chi.statistic));
                    report.degrees_of_freedom = Some(chi.degrees_of_freedom);
                    report.effect_size = Some(JsonF64(chi.effect_size));
                    let large = !decision.sample_size_aware
                        || chi.effect_size >= decision.chi_squared_min_effect_size.0;
                    report.verdict = verdict(chi.p_value < threshold, large, &sizes, decision);
                    description = Box::new(move || {
                        format!(
                            "Categorical distance: chi-squared p-value {} is below categorical threshold: {threshold} \
                             (statistic {}, {} degrees of freedom, effect size w {}, {} current values)",
                            chi.p_value,
                            chi.statistic,
                            chi.degrees_of_freedom,
                            chi.effect_size,
                            chi.sample_size
                        )
                    });
                }
                Err(why) => {
                    let note = match why {
                        ChiSquaredUnavailable::NoCurrentValuesInBaselineCategories => {
                            "chi-squared unavailable: no current value is in a baseline category"
                        }
                        ChiSquaredUnavailable::FewerThanTwoCategories => {
                            "chi-squared unavailable: fewer than 2 categories after regrouping"
                        }
                    };
                    out.note(name, check_type::BASELINE_DRIFT, note);
                    description = Box::new(String::new);
                }
            }
        }
    }
    let verdict = report.verdict;
    out.drift.push(report);
    finish_verdict(out, name, verdict, description);
}

/// Drift needs the effect beyond the threshold; when sample-size aware, also evidence beyond noise
/// (`evident`) and enough values on both sides.
fn verdict(beyond_threshold: bool, evident: bool, sizes: &Sizes, d: &DriftDecision) -> DriftVerdict {
    if sizes.too_small(d) {
        DriftVerdict::InsufficientData
    } else if !beyond_threshold {
        DriftVerdict::NoDrift
    } else if d.sample_size_aware && !evident {
        DriftVerdict::NotSignificant
    } else {
        DriftVerdict::Drift
    }
}

fn finish_verdict(out: &mut Report, name: &str, verdict: DriftVerdict, description: impl Fn() -> String) {
    match verdict {
        DriftVerdict::Drift => out.violation(name, check_type::BASELINE_DRIFT, description()),
        DriftVerdict::InsufficientData => out.note(name, check_type::BASELINE_DRIFT, "insufficient_data"),
        _ => {}
    }
}

/// A fraction as a percentage with one decimal, more where one decimal would round to 100.0 % or 0.0 %.
pub(crate) fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    let one = format!("{p:.1}");
    if (one == "100.0" && p < 100.0) || (one == "0.0" && p > 0.0) {
        format!("{p:.4}%")
    } else {
        format!("{one}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_never_round_to_a_misleading_100_or_0() {
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(0.9), "90.0%");
        assert_eq!(percent(0.99999), "99.9990%");
        assert_eq!(percent(0.000001), "0.0001%");
    }
}
