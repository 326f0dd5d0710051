//! Model Monitor's model-quality files (§3.4): statistics.json, constraints.json and
//! constraint_violations.json, the suggestion of constraints from a baseline and the check.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::error::QualityError;
use crate::json_number::{JsonF64, count};

/// A scalar metric: its value over the window and the standard deviation over subsamples ("NaN" below
/// 200 records).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    /// The metric.
    pub value: JsonF64,
    /// Its standard deviation.
    pub standard_deviation: JsonF64,
}

/// `receiver_operating_characteristic_curve`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RocCurve {
    /// FPR per threshold, starting at 0.
    pub false_positive_rates: Vec<JsonF64>,
    /// TPR per threshold, starting at 0.
    pub true_positive_rates: Vec<JsonF64>,
}

/// `precision_recall_curve`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PrCurve {
    /// Precision per threshold (descending thresholds).
    pub precisions: Vec<JsonF64>,
    /// Recall per threshold.
    pub recalls: Vec<JsonF64>,
}

/// The metrics object (`regression_metrics`, …): scalar metrics by name, plus the matrix and curves.
/// Serialised as one JSON object with keys in name order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricsBlock {
    /// Rows = actual, columns = predicted.
    pub confusion_matrix: Option<BTreeMap<String, BTreeMap<String, u64>>>,
    /// Binary with probabilities.
    pub receiver_operating_characteristic_curve: Option<RocCurve>,
    /// Binary with probabilities.
    pub precision_recall_curve: Option<PrCurve>,
    /// Every scalar metric.
    pub scalars: BTreeMap<String, MetricValue>,
}

const CONFUSION: &str = "confusion_matrix";
const ROC: &str = "receiver_operating_characteristic_curve";
const PR: &str = "precision_recall_curve";

impl Serialize for MetricsBlock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if let Some(m) = &self.confusion_matrix {
            map.serialize_entry(CONFUSION, m)?;
        }
        for (k, v) in &self.scalars {
            map.serialize_entry(k, v)?;
        }
        if let Some(c) = &self.precision_recall_curve {
            map.serialize_entry(PR, c)?;
        }
        if let Some(c) = &self.receiver_operating_characteristic_curve {
            map.serialize_entry(ROC, c)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for MetricsBlock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: BTreeMap<String, Box<RawValue>> = BTreeMap::deserialize(d)?;
        let mut block = MetricsBlock::default();
        for (k, v) in raw {
            let text = v.get();
            match k.as_str() {
                CONFUSION => block.confusion_matrix = Some(from_raw(text)?),
                ROC => block.receiver_operating_characteristic_curve = Some(from_raw(text)?),
                PR => block.precision_recall_curve = Some(from_raw(text)?),
                _ => {
                    // Keys that are not {"value", "standard_deviation"} objects are ignored (forward
                    // compatibility); serde would otherwise read a two-element array as a metric.
                    if text.trim_start().starts_with('{')
                        && let Ok(m) = serde_json::from_str::<MetricValue>(text)
                    {
                        block.scalars.insert(k, m);
                    }
                }
            }
        }
        Ok(block)
    }
}

fn from_raw<T: for<'a> Deserialize<'a>, E: serde::de::Error>(text: &str) -> Result<T, E> {
    serde_json::from_str(text).map_err(E::custom)
}

/// `dataset` of model statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelDataset {
    /// Records with ground truth in the window.
    #[serde(with = "count")]
    pub item_count: u64,
    /// When the window was evaluated, if known (readers must not require it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_time: Option<String>,
}

/// Model-quality statistics.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelStatistics {
    /// 0.0.
    pub version: JsonF64,
    /// Window figures.
    pub dataset: ModelDataset,
    /// Regression metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression_metrics: Option<MetricsBlock>,
    /// Binary metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_classification_metrics: Option<MetricsBlock>,
    /// Multiclass metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiclass_classification_metrics: Option<MetricsBlock>,
}

impl ModelStatistics {
    /// The metrics block of whichever problem type the file holds.
    pub fn metrics(&self) -> Option<&MetricsBlock> {
        self.regression_metrics
            .as_ref()
            .or(self.binary_classification_metrics.as_ref())
            .or(self.multiclass_classification_metrics.as_ref())
    }

    /// Reads a model statistics.json.
    pub fn from_json(bytes: &[u8]) -> Result<Self, QualityError> {
        serde_json::from_slice(bytes).map_err(|e| QualityError::InvalidFile {
            what: "model statistics.json".into(),
            reason: e.to_string(),
        })
    }

    /// Pretty JSON, as written to files.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("statistics always serialise")
    }
}

/// A comparison operator: the violation fires when `value <operator> threshold` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComparisonOperator {
    /// value < threshold.
    LessThanThreshold,
    /// value > threshold.
    GreaterThanThreshold,
    /// value ≤ threshold.
    LessThanOrEqualToThreshold,
    /// value ≥ threshold.
    GreaterThanOrEqualToThreshold,
}

impl ComparisonOperator {
    /// Whether `value` violates `threshold` under this operator.
    pub fn fires(self, value: f64, threshold: f64) -> bool {
        match self {
            ComparisonOperator::LessThanThreshold => value < threshold,
            ComparisonOperator::GreaterThanThreshold => value > threshold,
            ComparisonOperator::LessThanOrEqualToThreshold => value <= threshold,
            ComparisonOperator::GreaterThanOrEqualToThreshold => value >= threshold,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ComparisonOperator::LessThanThreshold => "LessThanThreshold",
            ComparisonOperator::GreaterThanThreshold => "GreaterThanThreshold",
            ComparisonOperator::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
            ComparisonOperator::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
        }
    }
}

/// One metric's constraint.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricConstraint {
    /// The threshold.
    pub threshold: JsonF64,
    /// When it fires.
    pub comparison_operator: ComparisonOperator,
}

/// Model-quality constraints.json.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelConstraints {
    /// 0.0.
    #[serde(default)]
    pub version: JsonF64,
    /// Regression constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression_constraints: Option<BTreeMap<String, MetricConstraint>>,
    /// Binary constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_classification_constraints: Option<BTreeMap<String, MetricConstraint>>,
    /// Multiclass constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiclass_classification_constraints: Option<BTreeMap<String, MetricConstraint>>,
}

impl ModelConstraints {
    /// Reads a model constraints.json.
    pub fn from_json(bytes: &[u8]) -> Result<Self, QualityError> {
        serde_json::from_slice(bytes).map_err(|e| QualityError::InvalidFile {
            what: "model constraints.json".into(),
            reason: e.to_string(),
        })
    }

    /// Pretty JSON, as written to files.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("constraints always serialise")
    }

    /// Every constraint, whichever problem type it is filed under.
    pub fn all(&self) -> impl Iterator<Item = (&String, &MetricConstraint)> {
        [
            &self.regression_constraints,
            &self.binary_classification_constraints,
            &self.multiclass_classification_constraints,
        ]
        .into_iter()
        .flatten()
        .flat_map(|m| m.iter())
    }
}

/// Metrics where lower is better (their constraints fire above the threshold).
const LOWER_IS_BETTER: [&str; 5] = ["mae", "mse", "rmse", "false_positive_rate", "false_negative_rate"];

/// Suggests constraints from a baseline window: one per scalar metric of the model (not the best-constant
/// baselines), threshold = the baseline value, `LessThanThreshold` for higher-is-better metrics and
/// `GreaterThanThreshold` for lower-is-better ones. Undefined ("NaN") metrics get no constraint. Users
/// are expected to loosen the thresholds.
pub fn suggest_model_constraints(baseline: &ModelStatistics) -> ModelConstraints {
    let suggest = |block: &Option<MetricsBlock>| {
        block.as_ref().map(|b| {
            b.scalars
                .iter()
                .filter(|(name, v)| !name.ends_with("_best_constant_classifier") && v.value.0.is_finite())
                .map(|(name, v)| {
                    let comparison_operator = if LOWER_IS_BETTER.contains(&name.as_str()) {
                        ComparisonOperator::GreaterThanThreshold
                    } else {
                        ComparisonOperator::LessThanThreshold
                    };
                    (name.clone(), MetricConstraint { threshold: v.value, comparison_operator })
                })
                .collect()
        })
    };
    ModelConstraints {
        version: JsonF64(0.0),
        regression_constraints: suggest(&baseline.regression_metrics),
        binary_classification_constraints: suggest(&baseline.binary_classification_metrics),
        multiclass_classification_constraints: suggest(&baseline.multiclass_classification_metrics),
    }
}

/// One model-quality violation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelViolation {
    /// The operator that fired.
    pub constraint_check_type: String,
    /// For humans; states the value. Never parse it.
    pub description: String,
    /// The metric.
    pub metric_name: String,
}

/// Model-quality constraint_violations.json.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelViolations {
    /// The violations, in metric name order.
    pub violations: Vec<ModelViolation>,
}

impl ModelViolations {
    /// Pretty JSON, as written to files.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("violations always serialise")
    }
}

/// Checks a window's metrics against constraints. A metric that is missing or "NaN" is not evaluated.
pub fn check_model(stats: &ModelStatistics, constraints: &ModelConstraints) -> ModelViolations {
    let Some(block) = stats.metrics() else { return ModelViolations::default() };
    let violations = constraints
        .all()
        .filter_map(|(name, c)| {
            let m = block.scalars.get(name)?;
            let (value, std) = (m.value.0, m.standard_deviation.0);
            (value.is_finite() && c.comparison_operator.fires(value, c.threshold.0)).then(|| {
                let spread = if std.is_finite() { format!(" +/- {std}") } else { String::new() };
                ModelViolation {
                    constraint_check_type: c.comparison_operator.as_str().to_owned(),
                    description: format!(
                        "Metric {name} with {value}{spread} was {} '{}'",
                        c.comparison_operator.as_str(),
                        c.threshold.0
                    ),
                    metric_name: name.clone(),
                }
            })
        })
        .collect();
    ModelViolations { violations }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_block_round_trips_with_nan_strings() {
        let json = r#"{"confusion_matrix":{"0":{"0":1,"1":2},"1":{"0":0,"1":1}},
                       "recall":{"value":1.0,"standard_deviation":"NaN"},"unknown_key":[1,2]}"#;
        let b: MetricsBlock = serde_json::from_str(json).unwrap();
        assert_eq!(b.scalars["recall"].value.0, 1.0);
        assert!(b.scalars["recall"].standard_deviation.0.is_nan());
        assert_eq!(b.confusion_matrix.as_ref().unwrap()["0"]["1"], 2);
        let again: MetricsBlock = serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
        assert_eq!(again.scalars.len(), 1);
    }

    #[test]
    fn operators_fire_when_the_comparison_holds() {
        assert!(ComparisonOperator::LessThanThreshold.fires(0.2, 0.33));
        assert!(!ComparisonOperator::LessThanThreshold.fires(0.33, 0.33));
        assert!(ComparisonOperator::GreaterThanOrEqualToThreshold.fires(0.35, 0.35));
    }
}
