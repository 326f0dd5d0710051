//! Feature-attribution drift: NDCG of the live ranking against the baseline's (spec §5.2).

use serde::{Deserialize, Serialize};

use super::{AttributionAnalysis, AttributionError};
use crate::scalar::py_float_repr;
use crate::violations::ConstraintViolations;

/// Clarify's documented threshold: NDCG below it is a violation.
pub const DEFAULT_NDCG_THRESHOLD: f64 = 0.9;

/// NDCG of the live ranking, with the baseline attribution as the (linear) gain and a log₂(rank + 1)
/// discount. Features missing on one side count as 0; ties are ranked by feature name; an ideal DCG of 0
/// gives 1.0. Negative attributions are used as they are.
pub fn ndcg(baseline: &[(String, f64)], current: &[(String, f64)]) -> f64 {
    let mut features: Vec<&str> = baseline.iter().chain(current).map(|(f, _)| f.as_str()).collect();
    features.sort_unstable();
    features.dedup();
    let lookup = |side: &[(String, f64)], f: &str| side.iter().find(|(n, _)| n == f).map_or(0.0, |(_, v)| *v);
    let ranked = |side: &[(String, f64)]| -> Vec<&str> {
        let mut order = features.clone();
        order.sort_by(|a, b| lookup(side, b).total_cmp(&lookup(side, a)).then(a.cmp(b)));
        order
    };
    let dcg = |order: &[&str]| -> f64 {
        order.iter().enumerate().map(|(i, f)| lookup(baseline, f) / ((i + 2) as f64).log2()).sum()
    };
    let ideal = dcg(&ranked(baseline));
    if ideal == 0.0 { 1.0 } else { dcg(&ranked(current)) / ideal }
}

/// The drift score of one model output.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributionDrift {
    /// The output's label (`label0`, …).
    pub label: String,
    /// NDCG of the current ranking against the baseline's.
    pub ndcg: f64,
    /// True when the NDCG is below the threshold.
    pub violated: bool,
}

/// One `feature_attribution_drift_check` violation, in Clarify's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionViolation {
    /// The model output.
    pub label: String,
    /// Always `shap`.
    pub metric_name: String,
    /// Always `feature_attribution_drift_check`.
    pub constraint_check_type: String,
    /// "Feature attribution drift <ndcg> exceeds threshold <threshold>" (AWS's wording, kept).
    pub description: String,
}

/// Compares every baseline label with the current analysis; labels only in the current one are ignored.
pub fn attribution_drift(
    baseline: &AttributionAnalysis,
    current: &AttributionAnalysis,
    threshold: f64,
) -> Result<(Vec<AttributionDrift>, ConstraintViolations<AttributionViolation>), AttributionError> {
    let labels = &baseline.explanations.kernel_shap.0;
    if labels.is_empty() {
        return Err(AttributionError::NoBaselineLabels);
    }
    let mut scores = Vec::new();
    let mut violations = Vec::new();
    for (label, base) in labels {
        let live = current
            .explanations
            .kernel_shap
            .get(label)
            .ok_or_else(|| AttributionError::MissingLabel(label.clone()))?;
        let score = ndcg(&base.pairs(), &live.pairs());
        let violated = score < threshold;
        if violated {
            violations.push(AttributionViolation {
                label: label.clone(),
                metric_name: "shap".to_string(),
                constraint_check_type: "feature_attribution_drift_check".to_string(),
                description: format!(
                    "Feature attribution drift {} exceeds threshold {}",
                    py_float_repr(score),
                    py_float_repr(threshold)
                ),
            });
        }
        scores.push(AttributionDrift { label: label.clone(), ndcg: score, violated });
    }
    Ok((scores, ConstraintViolations::new(violations)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, f64)]) -> Vec<(String, f64)> {
        v.iter().map(|(k, x)| (k.to_string(), *x)).collect()
    }

    #[test]
    fn documentation_example() {
        let base = pairs(&[("SAT", 0.70), ("GPA", 0.50), ("ClassRank", 0.05)]);
        let live = pairs(&[("ClassRank", 0.9), ("GPA", 0.5), ("SAT", 0.1)]);
        let score = ndcg(&base, &live);
        assert!((score - 0.6876).abs() < 5e-5, "{score}");
        assert_eq!(ndcg(&base, &base), 1.0);
    }

    #[test]
    fn missing_features_count_as_zero_and_ties_rank_by_name() {
        let base = pairs(&[("a", 0.5), ("b", 0.5)]);
        assert_eq!(ndcg(&base, &pairs(&[("b", 0.3)])), 1.0, "b first, then a: equal gains");
        let base = pairs(&[("a", 1.0), ("b", 0.0)]);
        let tied = ndcg(&base, &pairs(&[("a", 0.2), ("b", 0.2)]));
        assert_eq!(tied, 1.0, "a tie keeps name order, a before b");
        assert_eq!(ndcg(&pairs(&[("a", 0.0)]), &pairs(&[("a", 3.0)])), 1.0, "no gain at all: 1.0");
    }

    #[test]
    fn violations_state_the_ndcg_in_clarify_wording() {
        let base = AttributionAnalysis::single(
            "label0",
            &["x".into(), "y".into(), "z".into()],
            &[0.7, 0.5, 0.05],
            0.5,
        );
        let live = AttributionAnalysis::single(
            "label0",
            &["x".into(), "y".into(), "z".into()],
            &[0.1, 0.5, 0.9],
            0.5,
        );
        let (scores, violations) = attribution_drift(&base, &live, DEFAULT_NDCG_THRESHOLD).unwrap();
        assert!(scores[0].violated);
        let v = &violations.violations[0];
        assert_eq!(v.constraint_check_type, "feature_attribution_drift_check");
        assert_eq!(v.metric_name, "shap");
        assert_eq!(
            v.description,
            format!("Feature attribution drift {} exceeds threshold 0.9", py_float_repr(scores[0].ndcg))
        );
        let (_, none) = attribution_drift(&base, &base, DEFAULT_NDCG_THRESHOLD).unwrap();
        assert!(none.violations.is_empty());
    }

    #[test]
    fn a_baseline_label_missing_from_the_current_analysis_is_an_error() {
        let base = AttributionAnalysis::single("label0", &["x".into()], &[1.0], 0.0);
        let live = AttributionAnalysis::single("label1", &["x".into()], &[1.0], 0.0);
        assert_eq!(
            attribution_drift(&base, &live, 0.9).unwrap_err(),
            AttributionError::MissingLabel("label0".into())
        );
    }
}
