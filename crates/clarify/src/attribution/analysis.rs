//! Clarify's explainability `analysis.json`.

use serde::{Deserialize, Serialize};

use crate::clarify_json::{ClarifyNumber, OrderedMap};

/// `{"version": "1.0", "explanations": {"kernel_shap": {"label0": {...}}}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionAnalysis {
    /// `"1.0"`.
    pub version: String,
    /// The explanations by method.
    pub explanations: Explanations,
}

/// Explanations by method; only KernelSHAP exists in Clarify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanations {
    /// Model output (`label0`, … or `label_headers`) → its attributions.
    pub kernel_shap: OrderedMap<LabelAttributions>,
}

/// Global attributions of one model output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelAttributions {
    /// Feature → aggregated SHAP value.
    pub global_shap_values: OrderedMap<ClarifyNumber>,
    /// The model's mean output over the background data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_value: Option<ClarifyNumber>,
}

impl AttributionAnalysis {
    /// An analysis with one output `label`, features in the given order.
    pub fn single(
        label: &str,
        features: &[String],
        values: &[f64],
        expected_value: f64,
    ) -> AttributionAnalysis {
        let global = features.iter().cloned().zip(values.iter().map(|&v| ClarifyNumber(v))).collect();
        AttributionAnalysis {
            version: "1.0".to_string(),
            explanations: Explanations {
                kernel_shap: OrderedMap(vec![(
                    label.to_string(),
                    LabelAttributions {
                        global_shap_values: OrderedMap(global),
                        expected_value: Some(ClarifyNumber(expected_value)),
                    },
                )]),
            },
        }
    }
}

impl LabelAttributions {
    /// The attributions as (feature, value) pairs.
    pub fn pairs(&self) -> Vec<(String, f64)> {
        self.global_shap_values.0.iter().map(|(k, v)| (k.clone(), v.0)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_clarify_shape() {
        let text = r#"{"version": "1.0", "explanations": {"kernel_shap": {"label0": {
            "global_shap_values": {"temp_c": 0.0225, "rpm": 0.0074, "vib_rms": 0.0068},
            "expected_value": 0.5082}}}, "ignored": true}"#;
        let analysis: AttributionAnalysis = serde_json::from_str(text).unwrap();
        let label = analysis.explanations.kernel_shap.get("label0").unwrap();
        assert_eq!(label.pairs()[1], ("rpm".to_string(), 0.0074));
        let again = serde_json::to_string(&analysis).unwrap();
        assert!(
            again.contains(r#""global_shap_values":{"temp_c":0.0225,"rpm":0.0074,"vib_rms":0.0068}"#),
            "{again}"
        );
    }
}
