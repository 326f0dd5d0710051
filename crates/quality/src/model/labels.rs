//! Turning dataset columns (or joined capture records) into the records a metric set needs: numbers for
//! regression, positive/negative for binary, class labels for multiclass.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;

use super::join::{Joined, output_field};
use super::{ModelQualityConfig, ProblemType};
use crate::error::QualityError;

/// The records of one window, by problem type.
#[derive(Debug, Clone, PartialEq)]
pub enum Records {
    /// Actual and predicted values.
    Regression {
        /// Ground truth.
        actual: Vec<f64>,
        /// Predictions.
        predicted: Vec<f64>,
    },
    /// Actual and predicted classes (true = positive), with scores when a probability is configured.
    Binary {
        /// Ground truth is the positive class.
        actual: Vec<bool>,
        /// Prediction is the positive class.
        predicted: Vec<bool>,
        /// Scores for AUC and the curves.
        probability: Option<Vec<f64>>,
    },
    /// Actual and predicted class labels.
    Multiclass {
        /// Ground truth labels.
        actual: Vec<String>,
        /// Predicted labels.
        predicted: Vec<String>,
    },
}

impl Records {
    /// Number of records.
    pub fn len(&self) -> usize {
        match self {
            Records::Regression { actual, .. } => actual.len(),
            Records::Binary { actual, .. } => actual.len(),
            Records::Multiclass { actual, .. } => actual.len(),
        }
    }

    /// True when there is no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which dataset columns hold what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelColumns {
    /// Ground truth column.
    pub ground_truth: String,
    /// Predicted label or value; for binary it may be absent when a probability is given.
    pub prediction: Option<String>,
    /// Predicted probability of the positive class (binary).
    pub probability: Option<String>,
}

/// A label in canonical form: trimmed; numeric labels by value (`"1.0"` and `"1"` are one class).
pub(crate) fn canonical_label(text: &str) -> String {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => format!("{}", v + 0.0),
        _ => t.to_owned(),
    }
}

/// Reads the records from dataset batches. Rows with a null ground truth are skipped (no label yet);
/// a null or unreadable prediction is an error naming the row.
pub fn records_from_batches(
    batches: &[RecordBatch],
    columns: &ModelColumns,
    config: &ModelQualityConfig,
) -> Result<Records, QualityError> {
    let names = crate::dataset::column_names(batches);
    let get = |name: &str| -> Result<Vec<Option<String>>, QualityError> {
        if !names.iter().any(|n| n == name) {
            return Err(QualityError::UnknownColumn { column: name.to_owned(), available: names.join(", ") });
        }
        let mut out = Vec::new();
        for b in batches {
            let array = b.column_by_name(name).expect("every batch has the schema's columns");
            for row in 0..array.len() {
                out.push(cell_text(array.as_ref(), row));
            }
        }
        Ok(out)
    };
    let truth = get(&columns.ground_truth)?;
    let prediction = columns.prediction.as_deref().map(get).transpose()?;
    let probability = columns.probability.as_deref().map(get).transpose()?;
    let rows: Vec<usize> = (0..truth.len()).filter(|&i| truth[i].is_some()).collect();
    let pick = |col: &Option<Vec<Option<String>>>,
                name: &Option<String>|
     -> Result<Option<Vec<String>>, QualityError> {
        let (Some(col), Some(name)) = (col, name) else { return Ok(None) };
        rows.iter()
            .map(|&i| {
                col[i].clone().ok_or_else(|| QualityError::BadValue {
                    column: name.clone(),
                    row: i + 1,
                    value: String::new(),
                    expected: "a value (it is null while the ground truth is present)".into(),
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    };
    let truth_texts: Vec<String> = rows.iter().map(|&i| truth[i].clone().expect("filtered")).collect();
    let predicted = pick(&prediction, &columns.prediction)?;
    let probability = pick(&probability, &columns.probability)?;
    build_records(truth_texts, predicted, probability, columns, config, &rows)
}

/// Reads the records from joined capture and ground-truth records: the prediction and probability are
/// fields of the endpoint output (`attribute` = CSV field index or JSON key; `None` = the whole output).
pub fn records_from_joined(
    joined: &Joined,
    prediction_attribute: Option<&str>,
    probability_attribute: Option<&str>,
    config: &ModelQualityConfig,
) -> Result<Records, QualityError> {
    let truth: Vec<String> = joined.records.iter().map(|r| r.ground_truth.clone()).collect();
    let field = |attr: Option<&str>, what: &str| -> Result<Vec<String>, QualityError> {
        joined
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                output_field(&r.output, attr).ok_or_else(|| QualityError::BadValue {
                    column: format!("endpoint output {what}"),
                    row: i + 1,
                    value: r.output.clone(),
                    expected: format!("a field {}", attr.unwrap_or("(whole output)")),
                })
            })
            .collect()
    };
    let (predicted, probability) = match (config.problem_type, probability_attribute) {
        (ProblemType::BinaryClassification, Some(p)) => (None, Some(field(Some(p), "probability")?)),
        _ => (Some(field(prediction_attribute, "prediction")?), None),
    };
    let columns = ModelColumns {
        ground_truth: "ground truth".into(),
        prediction: predicted.as_ref().map(|_| "prediction".into()),
        probability: probability.as_ref().map(|_| "probability".into()),
    };
    let rows: Vec<usize> = (0..truth.len()).collect();
    build_records(truth, predicted, probability, &columns, config, &rows)
}

fn build_records(
    truth: Vec<String>,
    predicted: Option<Vec<String>>,
    probability: Option<Vec<String>>,
    columns: &ModelColumns,
    config: &ModelQualityConfig,
    rows: &[usize],
) -> Result<Records, QualityError> {
    let numbers = |texts: &[String], column: &str| -> Result<Vec<f64>, QualityError> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| match t.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(QualityError::BadValue {
                    column: column.to_owned(),
                    row: rows[i] + 1,
                    value: t.clone(),
                    expected: "a finite number".into(),
                }),
            })
            .collect()
    };
    let need_prediction = || {
        predicted.clone().ok_or_else(|| {
            QualityError::Unusable("a prediction column is required for this problem type".into())
        })
    };
    match config.problem_type {
        ProblemType::Regression => Ok(Records::Regression {
            actual: numbers(&truth, &columns.ground_truth)?,
            predicted: numbers(&need_prediction()?, columns.prediction.as_deref().unwrap_or("prediction"))?,
        }),
        ProblemType::MulticlassClassification => Ok(Records::Multiclass {
            actual: truth.iter().map(|t| canonical_label(t)).collect(),
            predicted: need_prediction()?.iter().map(|t| canonical_label(t)).collect(),
        }),
        ProblemType::BinaryClassification => {
            let probability = match &probability {
                Some(p) => Some(numbers(p, columns.probability.as_deref().unwrap_or("probability"))?),
                None => None,
            };
            let predicted_labels: Vec<String> = match (&predicted, &probability) {
                (Some(p), _) => p.iter().map(|t| canonical_label(t)).collect(),
                (None, Some(prob)) => {
                    let positive = canonical_label(&config.positive_label);
                    prob.iter()
                        .map(|&p| {
                            if p > config.probability_threshold {
                                positive.clone()
                            } else {
                                negative_of(&positive)
                            }
                        })
                        .collect()
                }
                (None, None) => {
                    return Err(QualityError::Unusable(
                        "binary classification needs a prediction column or a probability column".into(),
                    ));
                }
            };
            let actual_labels: Vec<String> = truth.iter().map(|t| canonical_label(t)).collect();
            let positive = canonical_label(&config.positive_label);
            check_two_classes(&actual_labels, &predicted_labels, &positive)?;
            Ok(Records::Binary {
                actual: actual_labels.iter().map(|l| *l == positive).collect(),
                predicted: predicted_labels.iter().map(|l| *l == positive).collect(),
                probability,
            })
        }
    }
}

/// The negative label paired with a positive one when predictions come from probabilities.
fn negative_of(positive: &str) -> String {
    if positive == "1" { "0".into() } else { format!("not {positive}") }
}

fn check_two_classes(actual: &[String], predicted: &[String], positive: &str) -> Result<(), QualityError> {
    let mut others: Vec<&str> =
        actual.iter().chain(predicted).map(String::as_str).filter(|l| *l != positive).collect();
    others.sort_unstable();
    others.dedup();
    if others.len() > 1 {
        return Err(QualityError::Unusable(format!(
            "binary classification expects the positive label '{positive}' and one other, but found {}: use \
             MulticlassClassification or set the positive label",
            others.iter().map(|l| format!("'{l}'")).collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(())
}

fn cell_text(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row).to_owned(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_owned(),
        DataType::Utf8View => array.as_string_view().value(row).to_owned(),
        DataType::Float64 => format!("{:?}", array.as_primitive::<Float64Type>().value(row)),
        DataType::Float32 => format!("{:?}", array.as_primitive::<Float32Type>().value(row)),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            return cell_text(dict.values().as_ref(), dict.normalized_keys()[row]);
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_labels_are_one_class_whatever_their_spelling() {
        assert_eq!(canonical_label(" 1.0"), "1");
        assert_eq!(canonical_label("-0"), "0");
        assert_eq!(canonical_label("pump-3"), "pump-3");
    }

    #[test]
    fn binary_with_three_labels_is_refused_with_advice() {
        let cfg = ModelQualityConfig::new(ProblemType::BinaryClassification);
        let cols = ModelColumns { ground_truth: "y".into(), prediction: Some("p".into()), probability: None };
        let truth = vec!["0".to_owned(), "1".into(), "2".into()];
        let e = build_records(truth.clone(), Some(truth), None, &cols, &cfg, &[0, 1, 2]).unwrap_err();
        assert!(e.to_string().contains("MulticlassClassification"), "{e}");
    }
}
