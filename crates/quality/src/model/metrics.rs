//! The metric sets of §3.2 with scikit-learn's conventions (x/0 := 0; R² of constant ground truth is 1
//! for perfect predictions, else 0; R² of fewer than 2 records and AUC of a single class are undefined:
//! "NaN"), each with the subsample standard deviation of §3.3.

use std::collections::BTreeMap;

use super::files::{MetricValue, MetricsBlock, ModelDataset, ModelStatistics, PrCurve, RocCurve};
use super::labels::Records;
use super::subsample::{sample_std, subsamples};
use super::{ModelQualityConfig, ProblemType};
use crate::error::QualityError;
use crate::json_number::JsonF64;

/// statistics.json of a model-quality window. Errors when the window has no record, or the records do
/// not fit the configured problem type.
pub fn model_statistics(
    records: &Records,
    config: &ModelQualityConfig,
) -> Result<ModelStatistics, QualityError> {
    if records.is_empty() {
        return Err(QualityError::Unusable(
            "no record with ground truth in the window: model quality needs at least one".into(),
        ));
    }
    let subs = subsamples(records.len(), config.seed);
    let block = match (records, config.problem_type) {
        (Records::Regression { actual, predicted }, ProblemType::Regression) => {
            regression(actual, predicted, &subs)
        }
        (Records::Binary { actual, predicted, probability }, ProblemType::BinaryClassification) => {
            binary(actual, predicted, probability.as_deref(), &subs)
        }
        (Records::Multiclass { actual, predicted }, ProblemType::MulticlassClassification) => {
            multiclass(actual, predicted, config.constant_class.as_deref(), &subs)
        }
        _ => return Err(QualityError::Unusable("the records do not match the problem type".into())),
    };
    let mut stats = ModelStatistics {
        version: JsonF64(0.0),
        dataset: ModelDataset {
            item_count: records.len() as u64,
            evaluation_time: config.evaluation_time.clone(),
        },
        regression_metrics: None,
        binary_classification_metrics: None,
        multiclass_classification_metrics: None,
    };
    match config.problem_type {
        ProblemType::Regression => stats.regression_metrics = Some(block),
        ProblemType::BinaryClassification => stats.binary_classification_metrics = Some(block),
        ProblemType::MulticlassClassification => stats.multiclass_classification_metrics = Some(block),
    }
    Ok(stats)
}

/// A metric over the whole window and its standard deviation over the subsamples.
fn with_std(subs: &[Vec<usize>], whole: f64, on_subsample: impl Fn(&[usize]) -> f64) -> MetricValue {
    let std = if subs.is_empty() {
        f64::NAN
    } else {
        sample_std(&subs.iter().map(|s| on_subsample(s)).collect::<Vec<_>>())
    };
    MetricValue { value: JsonF64(whole), standard_deviation: JsonF64(std) }
}

fn div(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

fn f_beta(precision: f64, recall: f64, beta: f64) -> f64 {
    let b2 = beta * beta;
    div((1.0 + b2) * precision * recall, b2 * precision + recall)
}

/// mae, mse, rmse, r2 over the records at `idx`.
fn regression_values(actual: &[f64], predicted: &[f64], idx: &[usize]) -> [f64; 4] {
    let n = idx.len() as f64;
    let mae = idx.iter().map(|&i| (actual[i] - predicted[i]).abs()).sum::<f64>() / n;
    let ss_res: f64 = idx.iter().map(|&i| (actual[i] - predicted[i]).powi(2)).sum();
    let mse = ss_res / n;
    let mean = idx.iter().map(|&i| actual[i]).sum::<f64>() / n;
    let ss_tot: f64 = idx.iter().map(|&i| (actual[i] - mean).powi(2)).sum();
    let r2 = if idx.len() < 2 {
        f64::NAN
    } else if ss_tot == 0.0 {
        if ss_res == 0.0 { 1.0 } else { 0.0 }
    } else {
        1.0 - ss_res / ss_tot
    };
    [mae, mse, mse.sqrt(), r2]
}

fn regression(actual: &[f64], predicted: &[f64], subs: &[Vec<usize>]) -> MetricsBlock {
    let all: Vec<usize> = (0..actual.len()).collect();
    let whole = regression_values(actual, predicted, &all);
    let mut scalars = BTreeMap::new();
    for (k, name) in ["mae", "mse", "rmse", "r2"].iter().enumerate() {
        scalars.insert(
            (*name).to_owned(),
            with_std(subs, whole[k], |s| regression_values(actual, predicted, s)[k]),
        );
    }
    MetricsBlock { scalars, ..MetricsBlock::default() }
}

/// Confusion counts of a binary window.
#[derive(Clone, Copy, Default)]
struct Confusion {
    tp: f64,
    fp: f64,
    fn_: f64,
    tn: f64,
}

impl Confusion {
    fn of(actual: &[bool], predicted: &[bool], idx: &[usize]) -> Self {
        let mut c = Confusion::default();
        for &i in idx {
            match (actual[i], predicted[i]) {
                (true, true) => c.tp += 1.0,
                (false, true) => c.fp += 1.0,
                (true, false) => c.fn_ += 1.0,
                (false, false) => c.tn += 1.0,
            }
        }
        c
    }

    /// The named scalar metrics of §3.2.
    fn metrics(&self) -> Vec<(&'static str, f64)> {
        let n = self.tp + self.fp + self.fn_ + self.tn;
        let precision = div(self.tp, self.tp + self.fp);
        let recall = div(self.tp, self.tp + self.fn_);
        vec![
            ("accuracy", div(self.tp + self.tn, n)),
            ("precision", precision),
            ("recall", recall),
            ("true_positive_rate", recall),
            ("true_negative_rate", div(self.tn, self.tn + self.fp)),
            ("false_positive_rate", div(self.fp, self.fp + self.tn)),
            ("false_negative_rate", div(self.fn_, self.fn_ + self.tp)),
            ("f0_5", f_beta(precision, recall, 0.5)),
            ("f1", f_beta(precision, recall, 1.0)),
            ("f2", f_beta(precision, recall, 2.0)),
        ]
    }

    /// The same window judged for a classifier that always predicts the positive class.
    fn always_positive(&self) -> Confusion {
        Confusion { tp: self.tp + self.fn_, fp: self.fp + self.tn, fn_: 0.0, tn: 0.0 }
    }
}

const BEST_CONSTANT: [&str; 6] = ["recall", "precision", "accuracy", "f0_5", "f1", "f2"];

fn binary(
    actual: &[bool],
    predicted: &[bool],
    probability: Option<&[f64]>,
    subs: &[Vec<usize>],
) -> MetricsBlock {
    let all: Vec<usize> = (0..actual.len()).collect();
    let whole = Confusion::of(actual, predicted, &all);
    let mut scalars = BTreeMap::new();
    for (k, (name, value)) in whole.metrics().into_iter().enumerate() {
        scalars.insert(
            name.to_owned(),
            with_std(subs, value, |s| Confusion::of(actual, predicted, s).metrics()[k].1),
        );
    }
    let constant = whole.always_positive().metrics();
    for name in BEST_CONSTANT {
        let k = constant.iter().position(|(n, _)| *n == name).expect("named metric");
        scalars.insert(
            format!("{name}_best_constant_classifier"),
            with_std(subs, constant[k].1, |s| {
                Confusion::of(actual, predicted, s).always_positive().metrics()[k].1
            }),
        );
    }
    let mut block = MetricsBlock { scalars, ..MetricsBlock::default() };
    let label = |b: bool| if b { "1" } else { "0" };
    let mut matrix: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for a in [false, true] {
        let row = matrix.entry(label(a).to_owned()).or_default();
        for p in [false, true] {
            row.insert(
                label(p).to_owned(),
                all.iter().filter(|&&i| actual[i] == a && predicted[i] == p).count() as u64,
            );
        }
    }
    block.confusion_matrix = Some(matrix);
    if let Some(prob) = probability {
        block.scalars.insert("auc".into(), with_std(subs, auc(actual, prob, &all), |s| auc(actual, prob, s)));
        let (roc, pr) = curves(actual, prob);
        block.receiver_operating_characteristic_curve = Some(roc);
        block.precision_recall_curve = Some(pr);
    }
    block
}

/// Area under the ROC curve as the Mann–Whitney statistic with average ranks for ties (equal to the
/// trapezoid over all distinct thresholds). NaN when one class is absent.
fn auc(actual: &[bool], prob: &[f64], idx: &[usize]) -> f64 {
    let mut order: Vec<usize> = idx.to_vec();
    order.sort_by(|&a, &b| prob[a].total_cmp(&prob[b]));
    let (mut rank_sum_pos, mut pos) = (0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && prob[order[j + 1]] == prob[order[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if actual[k] {
                rank_sum_pos += avg_rank;
                pos += 1.0;
            }
        }
        i = j + 1;
    }
    let neg = idx.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return f64::NAN;
    }
    (rank_sum_pos - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

/// ROC (from (0,0)) and precision–recall points, one per distinct probability, descending.
fn curves(actual: &[bool], prob: &[f64]) -> (RocCurve, PrCurve) {
    let mut order: Vec<usize> = (0..actual.len()).collect();
    order.sort_by(|&a, &b| prob[b].total_cmp(&prob[a]));
    let positives = actual.iter().filter(|a| **a).count() as f64;
    let negatives = actual.len() as f64 - positives;
    let rate = |x: f64, total: f64| if total == 0.0 { f64::NAN } else { x / total };
    let mut roc =
        RocCurve { false_positive_rates: vec![JsonF64(0.0)], true_positive_rates: vec![JsonF64(0.0)] };
    let mut pr = PrCurve::default();
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let threshold = prob[order[i]];
        while i < order.len() && prob[order[i]] == threshold {
            if actual[order[i]] {
                tp += 1.0
            } else {
                fp += 1.0
            }
            i += 1;
        }
        roc.false_positive_rates.push(JsonF64(rate(fp, negatives)));
        roc.true_positive_rates.push(JsonF64(rate(tp, positives)));
        pr.precisions.push(JsonF64(tp / (tp + fp)));
        pr.recalls.push(JsonF64(if positives == 0.0 { 1.0 } else { tp / positives }));
    }
    (roc, pr)
}

/// Per-class confusion figures over `idx` for the given class list.
fn multiclass_values(
    actual: &[String],
    predicted: &[String],
    idx: &[usize],
    classes: &[String],
) -> Vec<(String, f64)> {
    let n = idx.len() as f64;
    let mut weighted = [0.0f64; 5]; // recall, precision, f0_5, f1, f2
    let mut correct = 0.0;
    for class in classes {
        let (mut tp, mut pred, mut support) = (0.0, 0.0, 0.0);
        for &i in idx {
            let (a, p) = (&actual[i] == class, &predicted[i] == class);
            if a && p {
                tp += 1.0;
            }
            if p {
                pred += 1.0;
            }
            if a {
                support += 1.0;
            }
        }
        correct += tp;
        let (precision, recall) = (div(tp, pred), div(tp, support));
        let per_class = [
            recall,
            precision,
            f_beta(precision, recall, 0.5),
            f_beta(precision, recall, 1.0),
            f_beta(precision, recall, 2.0),
        ];
        for (w, m) in weighted.iter_mut().zip(per_class) {
            *w += support * m;
        }
    }
    let names = ["weighted_recall", "weighted_precision", "weighted_f0_5", "weighted_f1", "weighted_f2"];
    let mut out = vec![("accuracy".to_owned(), correct / n)];
    out.extend(names.iter().zip(weighted).map(|(name, w)| ((*name).to_owned(), w / n)));
    out
}

fn multiclass(
    actual: &[String],
    predicted: &[String],
    constant_class: Option<&str>,
    subs: &[Vec<usize>],
) -> MetricsBlock {
    let mut classes: Vec<String> = actual.iter().chain(predicted).cloned().collect();
    classes.sort();
    classes.dedup();
    let all: Vec<usize> = (0..actual.len()).collect();
    let mut scalars = BTreeMap::new();
    let whole = multiclass_values(actual, predicted, &all, &classes);
    for (k, (name, value)) in whole.iter().enumerate() {
        scalars.insert(
            name.clone(),
            with_std(subs, *value, |s| multiclass_values(actual, predicted, s, &classes)[k].1),
        );
    }
    let constant = constant_class.map(str::to_owned).unwrap_or_else(|| most_frequent(actual));
    let constant_predictions = vec![constant.clone(); actual.len()];
    let mut constant_classes = classes.clone();
    if !constant_classes.contains(&constant) {
        constant_classes.push(constant);
        constant_classes.sort();
    }
    let best = multiclass_values(actual, &constant_predictions, &all, &constant_classes);
    for (k, (name, value)) in best.iter().enumerate() {
        scalars.insert(
            format!("{name}_best_constant_classifier"),
            with_std(subs, *value, |s| {
                multiclass_values(actual, &constant_predictions, s, &constant_classes)[k].1
            }),
        );
    }
    let mut matrix: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for a in &classes {
        let row = matrix.entry(a.clone()).or_default();
        for p in &classes {
            row.insert(
                p.clone(),
                all.iter().filter(|&&i| &actual[i] == a && &predicted[i] == p).count() as u64,
            );
        }
    }
    MetricsBlock { scalars, confusion_matrix: Some(matrix), ..MetricsBlock::default() }
}

/// The most frequent label; ties go to the smallest label.
fn most_frequent(labels: &[String]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for l in labels {
        *counts.entry(l).or_default() += 1;
    }
    let best = counts.values().copied().max().unwrap_or(0);
    counts.into_iter().find(|(_, n)| *n == best).map(|(l, _)| l.to_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documentation_example_confusion_matrix_gives_the_documented_metrics() {
        // Rows are actual: {"0":{"0":1,"1":2},"1":{"0":0,"1":1}}.
        let actual = [false, false, false, true];
        let predicted = [false, true, true, true];
        let block = binary(&actual, &predicted, None, &[]);
        let v = |k: &str| block.scalars[k].value.0;
        assert_eq!(v("recall"), 1.0);
        assert!((v("precision") - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(v("accuracy"), 0.5);
        assert!((v("f0_5") - 0.3846).abs() < 1e-4);
        assert!((v("f2") - 0.7143).abs() < 1e-4);
        assert_eq!(v("precision_best_constant_classifier"), 0.25);
        assert_eq!(v("recall_best_constant_classifier"), 1.0);
        assert_eq!(v("f1_best_constant_classifier"), 0.4);
        assert_eq!(v("f2_best_constant_classifier"), 0.625);
        assert!(block.scalars["recall"].standard_deviation.0.is_nan(), "fewer than 200 records");
    }

    #[test]
    fn auc_handles_ties_like_mann_whitney() {
        let actual = [false, true, false, true];
        let prob = [0.1, 0.4, 0.4, 0.8];
        assert_eq!(auc(&actual, &prob, &[0, 1, 2, 3]), 0.875);
        assert!(auc(&[true, true], &[0.2, 0.3], &[0, 1]).is_nan());
    }

    #[test]
    fn r2_of_constant_truth_follows_scikit_learn() {
        assert_eq!(regression_values(&[2.0, 2.0], &[2.0, 2.0], &[0, 1])[3], 1.0);
        assert_eq!(regression_values(&[2.0, 2.0], &[2.0, 3.0], &[0, 1])[3], 0.0);
        assert!(regression_values(&[2.0], &[2.0], &[0])[3].is_nan());
    }
}
