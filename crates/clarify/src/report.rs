//! The bias report: a dataset and an analysis configuration in, Clarify's `analysis.json` out.
//!
//! [`PreparedAnalysis::prepare`] does what smclarify's `bias_report` does before computing anything —
//! resolve columns, build the label and prediction indices, the facet groups, the group variable and the
//! Flip Test features — and fails the whole analysis where smclarify raises (label or prediction
//! problems, a continuous facet without a usable threshold). [`PreparedAnalysis::report`] then computes
//! every selected metric per facet group; a metric that cannot be computed is written with its error.
//!
//! Flip Test features are the dataset's columns minus the current facet, the label, the predicted label
//! (and probability) column, and `excluded_columns` — what smclarify sees when it is called with the whole
//! dataset, so other facets and the group variable stay in (a text column there makes FT an error).

use serde::{Deserialize, Serialize};

use crate::clarify_json::{ClarifyNumber, OrderedMap};
use crate::config::{AnalysisConfig, ColumnRef, MethodSelection};
use crate::membership::{self, FacetGroup, Kind, KindRule};
use crate::metrics::{self, BiasInputs, FeatureMatrix, GroupVariable, Metric, Stage};
use crate::table::{Column, ColumnValues, Table};

/// Clarify's `analysis.json` for bias (spec §4.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BiasAnalysis {
    /// Always `"1.0"` in Clarify files.
    pub version: String,
    /// Pre-training metrics, when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_training_bias_metrics: Option<StageReport>,
    /// Post-training metrics, when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_training_bias_metrics: Option<StageReport>,
}

/// The metrics of one stage for every facet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    /// The label column's name.
    pub label: String,
    /// Positive label values joined by `,`, or the threshold intervals of a continuous label.
    pub label_value_or_threshold: String,
    /// Facet name → one report per facet group, in configuration order.
    pub facets: OrderedMap<Vec<FacetReport>>,
}

/// The metrics of one facet group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacetReport {
    /// The configured values joined by `,`, or the threshold intervals of a continuous facet.
    pub value_or_threshold: String,
    /// One entry per selected metric, sorted by name.
    pub metrics: Vec<MetricResult>,
}

/// One metric: a value (possibly ±∞) or the reason it could not be computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricResult {
    /// Metric name (`DPPL`, …).
    pub name: String,
    /// smclarify's description; consumers must key on `name`.
    pub description: String,
    /// The value; `null` when there is an error.
    pub value: Option<ClarifyNumber>,
    /// Why the value is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl MetricResult {
    fn new(metric: Metric, value: Result<f64, String>) -> MetricResult {
        let (value, error) = match value {
            Ok(v) => (Some(ClarifyNumber(v)), None),
            Err(e) => (None, Some(e)),
        };
        MetricResult {
            name: metric.name().to_string(),
            description: metric.description().to_string(),
            value,
            error,
        }
    }

    /// The value as a float, `None` for an error.
    pub fn number(&self) -> Option<f64> {
        self.value.map(|v| v.0)
    }
}

impl BiasAnalysis {
    /// The stage report of `stage`, if present.
    pub fn stage(&self, stage: Stage) -> Option<&StageReport> {
        match stage {
            Stage::PreTraining => self.pre_training_bias_metrics.as_ref(),
            Stage::PostTraining => self.post_training_bias_metrics.as_ref(),
        }
    }

    /// The metric `name` of facet `facet`, group `value_or_threshold`, in `stage`.
    pub fn metric(
        &self,
        stage: Stage,
        facet: &str,
        value_or_threshold: &str,
        name: &str,
    ) -> Option<&MetricResult> {
        self.stage(stage)?
            .facets
            .get(facet)?
            .iter()
            .find(|g| g.value_or_threshold == value_or_threshold)?
            .metrics
            .iter()
            .find(|m| m.name == name)
    }
}

/// Why no report could be produced. Each message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The dataset has no data rows.
    #[error("the dataset has no rows")]
    EmptyDataset,
    /// A configured column does not exist.
    #[error("{role} column {column} is not in the dataset{hint} (columns: {available})")]
    UnknownColumn {
        /// `label`, `facet`, …
        role: &'static str,
        /// The reference as configured.
        column: ColumnRef,
        /// `" nor in headers"` when headers were configured.
        hint: &'static str,
        /// The dataset's column names.
        available: String,
    },
    /// Post-training metrics were requested without predictions.
    #[error("post_training_bias needs `predicted_label` (or `probability`) in the analysis config")]
    NoPredictions,
    /// Neither stage was requested.
    #[error(
        "the analysis config requests no bias metrics: add methods.pre_training_bias or methods.post_training_bias"
    )]
    NothingRequested,
    /// The label column cannot be split into positive and negative (smclarify raises).
    #[error("label column '{column}': {message}")]
    Label {
        /// Label column name.
        column: String,
        /// smclarify's message.
        message: String,
    },
    /// The predictions cannot be turned into a positive-prediction index (smclarify raises).
    #[error("predicted label column '{column}': {message}")]
    Predicted {
        /// Predicted column name.
        column: String,
        /// smclarify's message.
        message: String,
    },
    /// A facet cannot be split (continuous facet without a numeric threshold, no values at all).
    #[error("facet '{facet}': {message}")]
    Facet {
        /// Facet column name.
        facet: String,
        /// smclarify's message.
        message: String,
    },
}

/// One facet ready to compute: its groups and the Flip Test features.
#[derive(Debug, Clone)]
pub struct PreparedFacet {
    /// The facet column's name (key in `facets`).
    pub name: String,
    /// One group per reported `value_or_threshold`.
    pub groups: Vec<FacetGroup>,
    /// Features for FT (or why FT cannot run).
    pub features: Result<FeatureMatrix, String>,
}

/// A dataset with every index built, ready to report on and to resample.
#[derive(Debug, Clone)]
pub struct PreparedAnalysis {
    label_name: String,
    label_described: String,
    label: Vec<bool>,
    predicted: Option<Vec<bool>>,
    groups: Option<GroupVariable>,
    facets: Vec<PreparedFacet>,
    pre_training: Option<Vec<Metric>>,
    post_training: Option<Vec<Metric>>,
    warnings: Vec<String>,
}

/// True for an integer column with at most two distinct values (a 0/1 label, typically).
fn few_integers(column: &ColumnValues) -> bool {
    matches!(column, ColumnValues::Int(v) if v.iter().collect::<std::collections::HashSet<_>>().len() <= 2)
}

fn resolve<'t>(
    table: &'t Table,
    config: &AnalysisConfig,
    column: &ColumnRef,
    role: &'static str,
) -> Result<&'t Column, ReportError> {
    let found = match column {
        ColumnRef::Name(name) => table.column(name),
        ColumnRef::Index(i) => table.columns().get(*i),
    };
    found.ok_or_else(|| ReportError::UnknownColumn {
        role,
        column: column.clone(),
        hint: if config.headers.is_some() { " nor in `headers`" } else { "" },
        available: table.columns().iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "),
    })
}

impl PreparedAnalysis {
    /// Resolves the configuration against the dataset and builds every index.
    pub fn prepare(config: &AnalysisConfig, table: &Table) -> Result<PreparedAnalysis, ReportError> {
        if table.rows() == 0 {
            return Err(ReportError::EmptyDataset);
        }
        if config.pre_training.is_none() && config.post_training.is_none() {
            return Err(ReportError::NothingRequested);
        }
        let label_column = resolve(table, config, &config.label, "label")?;
        let label_error = |message: String| ReportError::Label { column: label_column.name.clone(), message };
        let (label_kind, label) =
            membership::label_selection(&label_column.values, &config.label_values, config.label_kind)
                .map_err(label_error)?;
        let mut warnings = Vec::new();
        if label_kind == Kind::Continuous
            && config.label_kind == KindRule::Auto
            && few_integers(&label_column.values)
        {
            warnings.push(format!(
                "label '{}' has at most two distinct integer values but is continuous under smclarify's rule \
                 (at least 5 % distinct values): its threshold selects only values above it; set \
                 \"label_kind\": \"categorical\" if the values are classes",
                label_column.name
            ));
        }
        let predicted_column = match (&config.predicted_label, &config.probability) {
            (Some(p), _) => Some(resolve(table, config, p, "predicted_label")?),
            (None, Some(p)) => Some(resolve(table, config, p, "probability")?),
            (None, None) => None,
        };
        let predicted = match (&config.post_training, predicted_column) {
            (None, _) => None,
            (Some(_), None) => return Err(ReportError::NoPredictions),
            (Some(_), Some(column)) => Some(
                Self::predicted_index(config, column, &label_column.values, label_kind)
                    .map_err(|message| ReportError::Predicted { column: column.name.clone(), message })?,
            ),
        };
        let groups = match &config.group_variable {
            Some(g) => Some(GroupVariable::from_column(&resolve(table, config, g, "group_variable")?.values)),
            None => None,
        };
        let mut excluded = vec![label_column.name.as_str()];
        excluded.extend(predicted_column.map(|c| c.name.as_str()));
        for column in &config.excluded_columns {
            excluded.push(resolve(table, config, column, "excluded_columns")?.name.as_str());
        }
        let facets = config
            .facets
            .iter()
            .map(|facet| {
                let column = resolve(table, config, &facet.column, "facet")?;
                let groups =
                    membership::facet_selections(&column.values, facet.values.as_deref(), config.facet_kind)
                        .map_err(|message| ReportError::Facet { facet: column.name.clone(), message })?;
                let feature_columns: Vec<&Column> = table
                    .columns()
                    .iter()
                    .filter(|c| c.name != column.name && !excluded.contains(&c.name.as_str()))
                    .collect();
                let features = FeatureMatrix::from_columns(&feature_columns, table.rows());
                Ok(PreparedFacet { name: column.name.clone(), groups, features })
            })
            .collect::<Result<Vec<_>, ReportError>>()?;
        let stage_metrics = |s: &Option<MethodSelection>, stage| s.as_ref().map(|m| m.metrics(stage));
        Ok(PreparedAnalysis {
            label_name: label_column.name.clone(),
            label_described: label.described,
            label: label.index,
            predicted,
            groups,
            facets,
            pre_training: stage_metrics(&config.pre_training, Stage::PreTraining),
            post_training: stage_metrics(&config.post_training, Stage::PostTraining),
            warnings,
        })
    }

    fn predicted_index(
        config: &AnalysisConfig,
        column: &Column,
        label: &ColumnValues,
        label_kind: Kind,
    ) -> Result<Vec<bool>, String> {
        if config.predicted_label.is_some() {
            return membership::predicted_selection(
                &column.values,
                label,
                label_kind,
                &config.label_values,
                config.label_kind,
            );
        }
        if !column.values.is_numeric() {
            return Err("probability scores must be numeric".to_string());
        }
        let index: Vec<bool> = (0..column.values.len())
            .map(|r| column.values.get(r).as_number().is_some_and(|p| p > config.probability_threshold))
            .collect();
        if !index.iter().any(|&b| b) {
            return Err(format!("no score is above probability_threshold {}", config.probability_threshold));
        }
        Ok(index)
    }

    /// Things the user should know about how the data was read (e.g. a 0/1 label treated as continuous).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The prepared facets, in configuration order.
    pub fn facets(&self) -> &[PreparedFacet] {
        &self.facets
    }

    /// The metrics requested for `stage`, sorted by name (`None` when the stage is not requested).
    pub fn metrics(&self, stage: Stage) -> Option<&[Metric]> {
        match stage {
            Stage::PreTraining => self.pre_training.as_deref(),
            Stage::PostTraining => self.post_training.as_deref(),
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.label.len()
    }

    /// The value of `metric` for group `group` of facet `facet`, on the rows `rows` (all rows when `None`;
    /// a bootstrap resample otherwise).
    pub fn compute(
        &self,
        metric: Metric,
        facet: usize,
        group: usize,
        rows: Option<&[usize]>,
    ) -> Result<f64, String> {
        let prepared = &self.facets[facet];
        let facet_index = prepared.groups[group].index.as_ref().map_err(Clone::clone)?;
        let Some(rows) = rows else {
            let inputs = BiasInputs {
                facet: facet_index,
                label: &self.label,
                predicted: self.predicted.as_deref(),
                groups: self.groups.as_ref(),
                features: Some(&prepared.features),
            };
            return metrics::compute(metric, &inputs);
        };
        let pick = |v: &[bool]| rows.iter().map(|&r| v[r]).collect::<Vec<bool>>();
        let facet_rows = pick(facet_index);
        let label_rows = pick(&self.label);
        let predicted_rows = self.predicted.as_deref().map(pick);
        let groups_rows = self.groups.as_ref().map(|g| g.take(rows));
        let features_rows = match metric {
            Metric::FT => prepared.features.as_ref().map(|f| f.take(rows)).map_err(Clone::clone),
            _ => Err(String::new()),
        };
        let inputs = BiasInputs {
            facet: &facet_rows,
            label: &label_rows,
            predicted: predicted_rows.as_deref(),
            groups: groups_rows.as_ref(),
            features: Some(&features_rows),
        };
        metrics::compute(metric, &inputs)
    }

    /// Clarify's `analysis.json` for this dataset.
    pub fn report(&self) -> BiasAnalysis {
        let stage_report = |stage: Stage| {
            self.metrics(stage).map(|selected| StageReport {
                label: self.label_name.clone(),
                label_value_or_threshold: self.label_described.clone(),
                facets: OrderedMap(
                    self.facets
                        .iter()
                        .enumerate()
                        .map(|(f, facet)| {
                            let groups = (0..facet.groups.len())
                                .map(|g| FacetReport {
                                    value_or_threshold: facet.groups[g].described.clone(),
                                    metrics: selected
                                        .iter()
                                        .map(|&m| MetricResult::new(m, self.compute(m, f, g, None)))
                                        .collect(),
                                })
                                .collect();
                            (facet.name.clone(), groups)
                        })
                        .collect(),
                ),
            })
        };
        BiasAnalysis {
            version: "1.0".to_string(),
            pre_training_bias_metrics: stage_report(Stage::PreTraining),
            post_training_bias_metrics: stage_report(Stage::PostTraining),
        }
    }
}

/// Reads nothing, computes everything: the `analysis.json` of `table` under `config`.
pub fn bias_report(config: &AnalysisConfig, table: &Table) -> Result<BiasAnalysis, ReportError> {
    Ok(PreparedAnalysis::prepare(config, table)?.report())
}
