//! constraints.json (quality-monitoring.md §2.5): its shape, the defaults of every key a user may leave
//! out or edit, and the suggestion of constraints from a baseline window.
//!
//! Our own settings live under a top-level `extensions` key, which SageMaker ignores: the sample-size-
//! aware drift decision ([`DriftDecision`]). Leaving `extensions` out gives the defaults; setting
//! `"sample_size_aware": false` there reproduces Model Monitor's plain threshold comparisons.

use serde::{Deserialize, Serialize};

use crate::error::QualityError;
use crate::json_number::JsonF64;
use crate::profile::DataProfile;
use crate::value_class::{ColumnType, InferredType};

/// constraints.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    /// 0.0.
    #[serde(default)]
    pub version: JsonF64,
    /// One entry per baseline column.
    #[serde(default)]
    pub features: Vec<FeatureConstraints>,
    /// Global settings; every key optional (documented defaults apply).
    #[serde(default)]
    pub monitoring_config: MonitoringConfig,
    /// Our settings, ignored by SageMaker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<ConstraintExtensions>,
}

/// The constraints of one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConstraints {
    /// Column name.
    pub name: String,
    /// Expected type (the data type check).
    pub inferred_type: InferredType,
    /// Minimum non-null fraction (the completeness check: observed below it is a violation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<JsonF64>,
    /// Numeric constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_constraints: Option<NumConstraints>,
    /// String constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_constraints: Option<StringConstraints>,
    /// Per-feature settings that win over `monitoring_config` (both spellings seen in the wild accepted).
    #[serde(
        default,
        rename = "monitoringConfigOverrides",
        alias = "monitoring_config_overrides",
        skip_serializing_if = "Option::is_none"
    )]
    pub monitoring_config_overrides: Option<MonitoringConfig>,
}

/// `num_constraints`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NumConstraints {
    /// The baseline had no negative value. Informational: no check consumes it (as in Model Monitor).
    pub is_non_negative: bool,
}

/// `string_constraints`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StringConstraints {
    /// The allowed values (the categorical values check).
    #[serde(default)]
    pub domains: Vec<String>,
}

/// `Enabled` / `Disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Toggle {
    /// On.
    Enabled,
    /// Off.
    Disabled,
}

/// How numeric (and, [ours], categorical) L∞ distances are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComparisonMethod {
    /// Plain L∞.
    Simple,
    /// L∞ minus Deequ's sample-size correction 1.8·sqrt((n+m)/(n·m)).
    Robust,
}

/// How categorical drift is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CategoricalDriftMethod {
    /// L∞ distance between the category proportions.
    LInfinity,
    /// Pearson's χ² goodness-of-fit p-value against the baseline proportions.
    ChiSquared,
}

/// `monitoring_config` (also the shape of per-feature overrides). Every key is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitoringConfig {
    /// Run the checks at all (default Enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluate_constraints: Option<Toggle>,
    /// Publish CloudWatch metrics (default Enabled); carried for the Lambda.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emit_metrics: Option<Toggle>,
    /// Minimum fraction of non-null values of the expected type (default 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datatype_check_threshold: Option<JsonF64>,
    /// Minimum fraction of non-null String values inside `domains` (default 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_content_threshold: Option<JsonF64>,
    /// The drift check's settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_constraints: Option<DistributionConstraints>,
}

/// `monitoring_config.distribution_constraints`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DistributionConstraints {
    /// Run `baseline_drift_check` (default Enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perform_comparison: Option<Toggle>,
    /// Numeric drift threshold (default 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_threshold: Option<JsonF64>,
    /// Simple or Robust (default Robust).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_method: Option<ComparisonMethod>,
    /// Categorical drift threshold (default: `comparison_threshold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical_comparison_threshold: Option<JsonF64>,
    /// LInfinity or ChiSquared (default LInfinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categorical_drift_method: Option<CategoricalDriftMethod>,
}

/// Our settings under `extensions`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConstraintExtensions {
    /// The sample-size-aware drift decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_decision: Option<DriftDecision>,
}

/// How drift verdicts take the sample sizes into account (§6 improvement 2). A verdict needs both a
/// practically large effect (the configured threshold) and statistical evidence that it is not noise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DriftDecision {
    /// False: plain Model Monitor comparisons (distance > threshold; χ² p-value < threshold).
    #[serde(default = "yes")]
    pub sample_size_aware: bool,
    /// Below this many values on either side, no verdict: an `insufficient_data` note instead.
    #[serde(default = "default_min_window_size")]
    pub min_window_size: u64,
    /// Significance level α of the L∞ noise floor c(α)·sqrt((n+m)/(n·m)), c(α) = sqrt(−ln(α/2)/2).
    #[serde(default = "default_significance_level")]
    pub significance_level: JsonF64,
    /// Smallest χ² effect size (Cohen's w = sqrt(χ²/N)) that counts as drift; w = 0.1 is "small".
    #[serde(default = "default_min_effect_size")]
    pub chi_squared_min_effect_size: JsonF64,
}

fn yes() -> bool {
    true
}
fn default_min_window_size() -> u64 {
    100
}
fn default_significance_level() -> JsonF64 {
    JsonF64(0.05)
}
fn default_min_effect_size() -> JsonF64 {
    JsonF64(0.1)
}

impl Default for DriftDecision {
    fn default() -> Self {
        DriftDecision {
            sample_size_aware: true,
            min_window_size: default_min_window_size(),
            significance_level: default_significance_level(),
            chi_squared_min_effect_size: default_min_effect_size(),
        }
    }
}

/// The settings in force for one feature: override, else global, else the documented default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectiveConfig {
    /// Run the checks.
    pub evaluate_constraints: bool,
    /// Data type threshold.
    pub datatype_check_threshold: f64,
    /// Domain content threshold.
    pub domain_content_threshold: f64,
    /// Run the drift check.
    pub perform_comparison: bool,
    /// Numeric drift threshold.
    pub comparison_threshold: f64,
    /// Simple or Robust.
    pub comparison_method: ComparisonMethod,
    /// Categorical drift threshold.
    pub categorical_comparison_threshold: f64,
    /// LInfinity or ChiSquared.
    pub categorical_drift_method: CategoricalDriftMethod,
}

impl Constraints {
    /// Reads constraints.json (ours or SageMaker's).
    pub fn from_json(bytes: &[u8]) -> Result<Constraints, QualityError> {
        serde_json::from_slice(bytes)
            .map_err(|e| QualityError::InvalidFile { what: "constraints.json".into(), reason: e.to_string() })
    }

    /// Pretty JSON, as written to files.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("constraints always serialise")
    }

    /// The settings in force for `feature` (or globally, with `None`).
    pub fn effective(&self, feature: Option<&FeatureConstraints>) -> EffectiveConfig {
        let global = &self.monitoring_config;
        let over = feature.and_then(|f| f.monitoring_config_overrides.as_ref());
        let pick =
            |f: fn(&MonitoringConfig) -> Option<JsonF64>| over.and_then(f).or_else(|| f(global)).map(|v| v.0);
        let dist = |f: fn(&DistributionConstraints) -> Option<JsonF64>| {
            over.and_then(|o| o.distribution_constraints.as_ref().and_then(f))
                .or_else(|| global.distribution_constraints.as_ref().and_then(f))
                .map(|v| v.0)
        };
        let dist_enum = |f: fn(&DistributionConstraints) -> Option<Toggle>| {
            over.and_then(|o| o.distribution_constraints.as_ref().and_then(f))
                .or_else(|| global.distribution_constraints.as_ref().and_then(f))
        };
        let evaluate = over.and_then(|o| o.evaluate_constraints).or(global.evaluate_constraints);
        let comparison_threshold = dist(|d| d.comparison_threshold).unwrap_or(0.1);
        let method = over
            .and_then(|o| o.distribution_constraints.as_ref().and_then(|d| d.comparison_method))
            .or_else(|| global.distribution_constraints.as_ref().and_then(|d| d.comparison_method));
        let cat_method = over
            .and_then(|o| o.distribution_constraints.as_ref().and_then(|d| d.categorical_drift_method))
            .or_else(|| global.distribution_constraints.as_ref().and_then(|d| d.categorical_drift_method));
        EffectiveConfig {
            evaluate_constraints: evaluate != Some(Toggle::Disabled),
            datatype_check_threshold: pick(|m| m.datatype_check_threshold).unwrap_or(0.1),
            domain_content_threshold: pick(|m| m.domain_content_threshold).unwrap_or(0.1),
            perform_comparison: dist_enum(|d| d.perform_comparison) != Some(Toggle::Disabled),
            comparison_threshold,
            comparison_method: method.unwrap_or(ComparisonMethod::Robust),
            categorical_comparison_threshold: dist(|d| d.categorical_comparison_threshold)
                .unwrap_or(comparison_threshold),
            categorical_drift_method: cat_method.unwrap_or(CategoricalDriftMethod::LInfinity),
        }
    }

    /// The drift decision settings (defaults when `extensions` is absent).
    pub fn drift_decision(&self) -> DriftDecision {
        self.extensions.as_ref().and_then(|e| e.drift_decision).unwrap_or_default()
    }

    /// The feature named `name`.
    pub fn feature(&self, name: &str) -> Option<&FeatureConstraints> {
        self.features.iter().find(|f| f.name == name)
    }
}

/// Deequ's CategoricalRangeRule: suggest a domain for at most this many distinct values …
pub const DOMAIN_MAX_DISTINCT: usize = 120;
/// … of which at most this fraction occur exactly once.
pub const DOMAIN_MAX_UNIQUE_RATIO: f64 = 0.1;

/// Suggests constraints from a baseline window (Model Monitor's "suggest baseline"): the inferred type,
/// the observed completeness, `is_non_negative` for numbers, a domain for small-cardinality String
/// columns, and the generated `monitoring_config` of §2.5 (thresholds 1.0, Robust, LInfinity).
pub fn suggest_constraints(baseline: &DataProfile) -> Constraints {
    let features = baseline
        .columns
        .iter()
        .map(|c| {
            let p = &c.profile;
            let column_type = p.column_type();
            let completeness = if baseline.item_count == 0 {
                None
            } else {
                Some(JsonF64(p.types.present() as f64 / baseline.item_count as f64))
            };
            let is_string = matches!(column_type, ColumnType::String | ColumnType::Boolean);
            FeatureConstraints {
                name: c.name.clone(),
                inferred_type: column_type.inferred_type(),
                completeness,
                num_constraints: matches!(column_type, ColumnType::Integral | ColumnType::Fractional)
                    .then(|| NumConstraints { is_non_negative: p.numeric.min.0 >= 0.0 }),
                string_constraints: is_string.then(|| suggest_domain(p)).flatten(),
                monitoring_config_overrides: is_string.then(MonitoringConfig::default),
            }
        })
        .collect();
    Constraints {
        version: JsonF64(0.0),
        features,
        monitoring_config: MonitoringConfig {
            evaluate_constraints: Some(Toggle::Enabled),
            emit_metrics: Some(Toggle::Enabled),
            datatype_check_threshold: Some(JsonF64(1.0)),
            domain_content_threshold: Some(JsonF64(1.0)),
            distribution_constraints: Some(DistributionConstraints {
                perform_comparison: Some(Toggle::Enabled),
                comparison_threshold: Some(JsonF64(0.1)),
                comparison_method: Some(ComparisonMethod::Robust),
                categorical_comparison_threshold: Some(JsonF64(0.1)),
                categorical_drift_method: Some(CategoricalDriftMethod::LInfinity),
            }),
        },
        extensions: Some(ConstraintExtensions { drift_decision: Some(DriftDecision::default()) }),
    }
}

fn suggest_domain(p: &crate::profile::ColumnProfile) -> Option<StringConstraints> {
    if !p.values.is_complete() {
        return None;
    }
    let (buckets, _) = p.values.buckets();
    let distinct = buckets.len();
    let unique = buckets.iter().filter(|(_, n)| *n == 1).count();
    (distinct > 0
        && distinct <= DOMAIN_MAX_DISTINCT
        && unique as f64 <= DOMAIN_MAX_UNIQUE_RATIO * distinct as f64)
        .then(|| StringConstraints { domains: buckets.into_iter().map(|(v, _)| v).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_keys_take_the_documented_defaults() {
        let c = Constraints::from_json(br#"{"features": []}"#).unwrap();
        let e = c.effective(None);
        assert!(e.evaluate_constraints && e.perform_comparison);
        assert_eq!(
            (e.datatype_check_threshold, e.domain_content_threshold, e.comparison_threshold),
            (0.1, 0.1, 0.1)
        );
        assert_eq!(e.comparison_method, ComparisonMethod::Robust);
        assert_eq!(e.categorical_drift_method, CategoricalDriftMethod::LInfinity);
        assert_eq!(c.drift_decision(), DriftDecision::default());
    }

    #[test]
    fn categorical_threshold_defaults_to_the_numeric_one_and_overrides_win() {
        let c = Constraints::from_json(
            br#"{"features": [{"name": "s", "inferred_type": "String",
                 "monitoring_config_overrides": {"distribution_constraints": {"comparison_method": "Simple",
                                                                             "categorical_drift_method": "ChiSquared"}}}],
                 "monitoring_config": {"datatype_check_threshold": 0.9,
                                       "distribution_constraints": {"comparison_threshold": 0.25}}}"#,
        )
        .unwrap();
        let e = c.effective(c.feature("s"));
        assert_eq!(e.categorical_comparison_threshold, 0.25);
        assert_eq!(e.datatype_check_threshold, 0.9);
        assert_eq!(e.comparison_method, ComparisonMethod::Simple);
        assert_eq!(e.categorical_drift_method, CategoricalDriftMethod::ChiSquared);
        assert_eq!(c.effective(None).comparison_method, ComparisonMethod::Robust);
    }
}
