//! SageMaker Clarify's own `analysis_config.json`, so a Clarify user can switch without rewriting configs.
//!
//! Honoured keys: `dataset_type` (only `text/csv`), `headers`, `label`, `label_values_or_threshold`,
//! `facet` (list of `{name_or_index, value_or_threshold}`), `predicted_label`, `group_variable`,
//! `excluded_columns`, `probability_threshold`, and `methods.pre_training_bias.methods` /
//! `methods.post_training_bias.methods` (`"all"` or a list of metric names). Other keys (`methods.shap`,
//! `methods.report`, `predictor`, …) are ignored, as unknown keys are everywhere in our readers.
//!
//! [ours] `probability`: a column of scores; the predicted label is then `score > probability_threshold`
//! (default 0.5), as Clarify does for a model that returns probabilities. `label_kind` / `facet_kind`
//! (`auto` | `categorical` | `continuous`, default `auto` = smclarify's rule) force how columns are split.

use serde_json::Value;

use crate::membership::KindRule;
use crate::metrics::{Metric, Stage};
use crate::scalar::Scalar;

/// A column named or 0-based positional, as Clarify's `name_or_index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnRef {
    /// By header.
    Name(String),
    /// By position (0-based).
    Index(usize),
}

impl std::fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ColumnRef::Name(n) => write!(f, "'{n}'"),
            ColumnRef::Index(i) => write!(f, "index {i}"),
        }
    }
}

/// One entry of `facet`.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetConfig {
    /// The facet column.
    pub column: ColumnRef,
    /// Values (categorical) or a threshold (continuous); `None` asks for one report per value.
    pub values: Option<Vec<Scalar>>,
}

/// Which metrics of a stage to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodSelection {
    /// `"all"`.
    All,
    /// A list of metric names.
    Only(Vec<Metric>),
}

impl MethodSelection {
    /// The selected metrics of `stage`, sorted by name as smclarify reports them.
    pub fn metrics(&self, stage: Stage) -> Vec<Metric> {
        let all = Metric::of_stage(stage);
        match self {
            MethodSelection::All => all,
            MethodSelection::Only(list) => all.into_iter().filter(|m| list.contains(m)).collect(),
        }
    }
}

/// The parts of an analysis configuration a bias analysis uses.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisConfig {
    /// Column names of a headerless CSV (`None`: the file's first row is the header).
    pub headers: Option<Vec<String>>,
    /// The label column.
    pub label: ColumnRef,
    /// Positive label values, or the threshold of a continuous label.
    pub label_values: Vec<Scalar>,
    /// The facets to analyse, in report order.
    pub facets: Vec<FacetConfig>,
    /// Column of predicted labels (post-training).
    pub predicted_label: Option<ColumnRef>,
    /// [ours] Column of predicted scores, turned into labels with `probability_threshold`.
    pub probability: Option<ColumnRef>,
    /// Scores strictly above this are positive predictions (default 0.5).
    pub probability_threshold: f64,
    /// Group variable for CDDL / CDDPL.
    pub group_variable: Option<ColumnRef>,
    /// Columns left out of the Flip Test's features.
    pub excluded_columns: Vec<ColumnRef>,
    /// Pre-training metrics requested, if any.
    pub pre_training: Option<MethodSelection>,
    /// Post-training metrics requested, if any.
    pub post_training: Option<MethodSelection>,
    /// [ours] `label_kind`: how the label (and predicted label) kind is decided.
    pub label_kind: KindRule,
    /// [ours] `facet_kind`: how every facet's kind is decided.
    pub facet_kind: KindRule,
}

/// What is wrong with an analysis configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not JSON at all.
    #[error("analysis config is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A key has the wrong shape.
    #[error("analysis config: `{key}` {problem}")]
    Invalid {
        /// The key.
        key: String,
        /// What it should be.
        problem: String,
    },
    /// A required key is absent.
    #[error("analysis config: `{0}` is required for a bias analysis")]
    Missing(&'static str),
    /// A metric name smclarify does not know.
    #[error("analysis config: unknown {stage} metric '{name}'; valid names: {valid}")]
    UnknownMetric {
        /// `pre_training_bias` or `post_training_bias`.
        stage: &'static str,
        /// The name given.
        name: String,
        /// The valid names.
        valid: String,
    },
}

fn invalid(key: &str, problem: &str) -> ConfigError {
    ConfigError::Invalid { key: key.to_string(), problem: problem.to_string() }
}

impl AnalysisConfig {
    /// Parses the JSON text of an `analysis_config.json`.
    pub fn from_json(text: &str) -> Result<AnalysisConfig, ConfigError> {
        let root: Value = serde_json::from_str(text)?;
        let root = root.as_object().ok_or_else(|| invalid("(root)", "must be a JSON object"))?;
        if let Some(kind) = root.get("dataset_type") {
            let kind = kind.as_str().ok_or_else(|| invalid("dataset_type", "must be a string"))?;
            if kind != "text/csv" {
                return Err(invalid("dataset_type", &format!("'{kind}' is not supported; only text/csv is")));
            }
        }
        let headers = match root.get("headers") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|h| h.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| invalid("headers", "must be a list of strings"))?,
            ),
            Some(_) => return Err(invalid("headers", "must be a list of strings")),
        };
        let label = column_ref(root.get("label"), "label")?.ok_or(ConfigError::Missing("label"))?;
        let label_values = scalars(root.get("label_values_or_threshold"), "label_values_or_threshold")?
            .ok_or(ConfigError::Missing("label_values_or_threshold"))?;
        let facets = facets(root.get("facet"))?;
        let methods = root.get("methods").and_then(Value::as_object);
        let selection = |stage: &'static str,
                         metric_stage: Stage|
         -> Result<Option<MethodSelection>, ConfigError> {
            methods.and_then(|m| m.get(stage)).map(|s| method_selection(s, stage, metric_stage)).transpose()
        };
        let probability_threshold = match root.get("probability_threshold") {
            None | Some(Value::Null) => 0.5,
            Some(v) => v.as_f64().ok_or_else(|| invalid("probability_threshold", "must be a number"))?,
        };
        let excluded_columns = match root.get("excluded_columns") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    column_ref(Some(v), "excluded_columns")?
                        .ok_or_else(|| invalid("excluded_columns", "must not contain null"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(invalid("excluded_columns", "must be a list of column names or indices")),
        };
        let kind_rule = |key: &str| -> Result<KindRule, ConfigError> {
            match root.get(key) {
                None | Some(Value::Null) => Ok(KindRule::Auto),
                Some(v) => v
                    .as_str()
                    .and_then(KindRule::from_name)
                    .ok_or_else(|| invalid(key, "must be \"auto\", \"categorical\" or \"continuous\"")),
            }
        };
        Ok(AnalysisConfig {
            label_kind: kind_rule("label_kind")?,
            facet_kind: kind_rule("facet_kind")?,
            headers,
            label,
            label_values,
            facets,
            predicted_label: column_ref(root.get("predicted_label"), "predicted_label")?,
            probability: column_ref(root.get("probability"), "probability")?,
            probability_threshold,
            group_variable: column_ref(root.get("group_variable"), "group_variable")?,
            excluded_columns,
            pre_training: selection("pre_training_bias", Stage::PreTraining)?,
            post_training: selection("post_training_bias", Stage::PostTraining)?,
        })
    }
}

fn column_ref(value: Option<&Value>, key: &str) -> Result<Option<ColumnRef>, ConfigError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(ColumnRef::Name(s.clone()))),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|i| Some(ColumnRef::Index(i as usize)))
            .ok_or_else(|| invalid(key, "must be a column name or a non-negative column index")),
        Some(_) => Err(invalid(key, "must be a column name or a non-negative column index")),
    }
}

fn scalars(value: Option<&Value>, key: &str) -> Result<Option<Vec<Scalar>>, ConfigError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                Scalar::from_json(v)
                    .ok_or_else(|| invalid(key, "must be a list of strings, numbers or booleans"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(single) => Scalar::from_json(single)
            .map(|s| Some(vec![s]))
            .ok_or_else(|| invalid(key, "must be a list of strings, numbers or booleans")),
    }
}

fn facets(value: Option<&Value>) -> Result<Vec<FacetConfig>, ConfigError> {
    let items = match value {
        None | Some(Value::Null) => return Err(ConfigError::Missing("facet")),
        Some(Value::Array(items)) if !items.is_empty() => items,
        Some(_) => {
            return Err(invalid("facet", "must be a non-empty list of {name_or_index, value_or_threshold}"));
        }
    };
    items
        .iter()
        .map(|item| {
            let column = column_ref(item.get("name_or_index"), "facet.name_or_index")?
                .ok_or(ConfigError::Missing("facet.name_or_index"))?;
            let values = scalars(item.get("value_or_threshold"), "facet.value_or_threshold")?;
            Ok(FacetConfig { column, values })
        })
        .collect()
}

fn method_selection(
    section: &Value,
    stage: &'static str,
    metric_stage: Stage,
) -> Result<MethodSelection, ConfigError> {
    let key = format!("methods.{stage}.methods");
    match section.get("methods") {
        None | Some(Value::Null) => Ok(MethodSelection::All),
        Some(Value::String(s)) if s == "all" => Ok(MethodSelection::All),
        Some(Value::Array(names)) => {
            let valid =
                || Metric::of_stage(metric_stage).iter().map(|m| m.name()).collect::<Vec<_>>().join(", ");
            names
                .iter()
                .map(|n| {
                    let name = n
                        .as_str()
                        .ok_or_else(|| invalid(&key, "must be \"all\" or a list of metric names"))?;
                    Metric::from_name(name).filter(|m| m.stage() == metric_stage).ok_or_else(|| {
                        ConfigError::UnknownMetric { stage, name: name.to_string(), valid: valid() }
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(MethodSelection::Only)
        }
        Some(_) => Err(invalid(&key, "must be \"all\" or a list of metric names")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_clarify_config() {
        let config = AnalysisConfig::from_json(
            r#"{"dataset_type": "text/csv", "headers": ["site", "temp", "failed", "pred"],
                "label": "failed", "label_values_or_threshold": [1],
                "facet": [{"name_or_index": "site", "value_or_threshold": ["plant_b"]}, {"name_or_index": 1, "value_or_threshold": [40]}],
                "predicted_label": "pred", "group_variable": 0,
                "methods": {"pre_training_bias": {"methods": "all"}, "post_training_bias": {"methods": ["DI", "DPPL"]},
                            "shap": {"num_samples": 10}}}"#,
        )
        .unwrap();
        assert_eq!(config.label, ColumnRef::Name("failed".into()));
        assert_eq!(config.label_values, vec![Scalar::Int(1)]);
        assert_eq!(config.facets[1].column, ColumnRef::Index(1));
        assert_eq!(config.group_variable, Some(ColumnRef::Index(0)));
        assert_eq!(config.pre_training, Some(MethodSelection::All));
        assert_eq!(
            config.post_training.unwrap().metrics(Stage::PostTraining),
            vec![Metric::DI, Metric::DPPL],
            "sorted by name"
        );
    }

    #[test]
    fn unknown_metrics_and_missing_keys_are_explained() {
        let err = AnalysisConfig::from_json(
            r#"{"label": "y", "label_values_or_threshold": [1], "facet": [{"name_or_index": "f"}],
                "methods": {"pre_training_bias": {"methods": ["CI", "DCAcc"]}}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown pre_training_bias metric 'DCAcc'"), "{err}");
        let err =
            AnalysisConfig::from_json(r#"{"label": "y", "facet": [{"name_or_index": "f"}]}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "analysis config: `label_values_or_threshold` is required for a bias analysis"
        );
        let err = AnalysisConfig::from_json(
            r#"{"dataset_type": "application/x-parquet", "label": "y", "label_values_or_threshold": [1], "facet": []}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("only text/csv"), "{err}");
    }
}
