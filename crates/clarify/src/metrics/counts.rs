//! Group counts and conditional demographic disparity.

use crate::scalar::Scalar;
use crate::table::ColumnValues;

/// Row counts of one side (a or d) of the facet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Side {
    /// Rows.
    pub n: u64,
    /// Rows with a positive label.
    pub label_pos: u64,
    /// Rows with a positive prediction.
    pub pred_pos: u64,
    /// Positive label and positive prediction.
    pub tp: u64,
    /// Negative label, positive prediction.
    pub fp: u64,
    /// Positive label, negative prediction.
    pub fn_: u64,
    /// Negative label and negative prediction.
    pub tn: u64,
}

impl Side {
    /// Rows with a negative label.
    pub fn label_neg(&self) -> u64 {
        self.n - self.label_pos
    }

    /// Rows with a negative prediction.
    pub fn pred_neg(&self) -> u64 {
        self.n - self.pred_pos
    }
}

/// Counts for a (facet index false) and d (facet index true).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub a: Side,
    pub d: Side,
}

impl Counts {
    /// Counts over all rows; without predictions the prediction counts stay 0.
    pub fn of(facet: &[bool], label: &[bool], predicted: Option<&[bool]>) -> Counts {
        let mut counts = Counts::default();
        for (row, (&in_d, &y)) in facet.iter().zip(label).enumerate() {
            let side = if in_d { &mut counts.d } else { &mut counts.a };
            side.n += 1;
            side.label_pos += u64::from(y);
            if let Some(p) = predicted {
                let yhat = p[row];
                side.pred_pos += u64::from(yhat);
                match (y, yhat) {
                    (true, true) => side.tp += 1,
                    (false, true) => side.fp += 1,
                    (true, false) => side.fn_ += 1,
                    (false, false) => side.tn += 1,
                }
            }
        }
        counts
    }
}

/// smclarify's `divide`: 0/0 = 0, x/0 = +∞ (or −∞ for negative x), else x/y.
pub(crate) fn divide(x: f64, y: f64) -> f64 {
    if y == 0.0 && x == 0.0 {
        0.0
    } else if y == 0.0 {
        if x < 0.0 { f64::NEG_INFINITY } else { f64::INFINITY }
    } else {
        x / y
    }
}

/// The group variable of CDDL / CDDPL: for each row the rank of its value among the sorted distinct
/// values (numpy's `np.unique` order), `None` for a missing value (NaN equals no group).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupVariable {
    groups: Result<(Vec<Option<usize>>, usize), String>,
}

impl GroupVariable {
    /// Groups of a column. Text mixed with missing values cannot be sorted by numpy; every CDD metric then
    /// reports that error, as smclarify does.
    pub fn from_column(column: &ColumnValues) -> GroupVariable {
        let cells: Vec<Scalar> = (0..column.len()).map(|r| column.get(r)).collect();
        let has_text = cells.iter().any(|c| matches!(c, Scalar::Str(_)));
        let has_missing = cells.iter().any(|c| matches!(c, Scalar::Float(x) if x.is_nan()));
        if has_text && has_missing {
            return GroupVariable {
                groups: Err("'<' not supported between instances of 'float' and 'str'".to_string()),
            };
        }
        let mut distinct: Vec<Scalar> = Vec::new();
        for c in &cells {
            let missing = matches!(c, Scalar::Float(x) if x.is_nan());
            if !missing && !distinct.iter().any(|d| d.py_eq(c)) {
                distinct.push(c.clone());
            }
        }
        distinct.sort_by(compare_scalars);
        let codes = cells.iter().map(|c| distinct.iter().position(|d| d.py_eq(c))).collect();
        GroupVariable { groups: Ok((codes, distinct.len())) }
    }

    /// The same groups restricted to `rows` (a bootstrap resample).
    pub fn take(&self, rows: &[usize]) -> GroupVariable {
        GroupVariable {
            groups: self.groups.clone().map(|(codes, k)| (rows.iter().map(|&r| codes[r]).collect(), k)),
        }
    }
}

fn compare_scalars(a: &Scalar, b: &Scalar) -> std::cmp::Ordering {
    match (a, b) {
        (Scalar::Str(x), Scalar::Str(y)) => x.cmp(y),
        _ => a.as_number().unwrap_or(f64::NAN).total_cmp(&b.as_number().unwrap_or(f64::NAN)),
    }
}

/// Conditional demographic disparity (smclarify `common.CDD`) of the boolean `outcome` (labels for CDDL,
/// predictions for CDDPL). Subgroups without positives or negatives contribute with A or D = 0.
pub(crate) fn cdd(facet: &[bool], outcome: &[bool], groups: Option<&GroupVariable>) -> Result<f64, String> {
    let Some(groups) = groups.filter(|_| !facet.is_empty()) else {
        return Err("Group variable is empty or not provided".to_string());
    };
    let (codes, k) = groups.groups.as_ref().map_err(Clone::clone)?;
    if !outcome.iter().any(|&o| o) {
        return Err("No positive labels in set".to_string());
    }
    if outcome.iter().all(|&o| o) {
        return Err("No negative labels in set".to_string());
    }
    // Per group: rows, positives, positives in d, negatives, negatives in d.
    let mut per_group = vec![[0u64; 5]; *k];
    for ((code, &in_d), &o) in codes.iter().zip(facet).zip(outcome) {
        let Some(g) = code else { continue };
        let c = &mut per_group[*g];
        c[0] += 1;
        if o {
            c[1] += 1;
            c[2] += u64::from(in_d);
        } else {
            c[3] += 1;
            c[4] += u64::from(in_d);
        }
    }
    let ratio = |num: u64, den: u64| if den == 0 { 0.0 } else { num as f64 / den as f64 };
    let weighted: f64 = per_group.iter().map(|c| c[0] as f64 * (ratio(c[4], c[3]) - ratio(c[2], c[1]))).sum();
    let total: f64 = per_group.iter().map(|c| c[0] as f64).sum();
    Ok(divide(weighted, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divide_follows_smclarify() {
        assert_eq!(divide(0.0, 0.0), 0.0);
        assert_eq!(divide(2.0, 0.0), f64::INFINITY);
        assert_eq!(divide(-2.0, 0.0), f64::NEG_INFINITY);
        assert_eq!(divide(1.0, 4.0), 0.25);
    }

    #[test]
    fn cdd_weights_each_subgroup_by_its_size() {
        // Group 0: d gets 1 of 2 positives and 1 of 2 negatives → DD 0. Group 1: d gets no positive (0 of 1)
        // and the only negative (1 of 1) → DD 1. Weighted: (4·0 + 2·1) / 6.
        let groups = GroupVariable::from_column(&ColumnValues::Int(vec![0, 0, 0, 0, 1, 1]));
        let facet = [true, false, true, false, false, true];
        let label = [true, true, false, false, true, false];
        assert_eq!(cdd(&facet, &label, Some(&groups)), Ok(2.0 / 6.0));
    }

    #[test]
    fn cdd_errors_like_smclarify() {
        let groups = GroupVariable::from_column(&ColumnValues::Int(vec![0, 1]));
        assert_eq!(
            cdd(&[true, false], &[true, false], None),
            Err("Group variable is empty or not provided".into())
        );
        assert_eq!(
            cdd(&[true, false], &[false, false], Some(&groups)),
            Err("No positive labels in set".into())
        );
        assert_eq!(
            cdd(&[true, false], &[true, true], Some(&groups)),
            Err("No negative labels in set".into())
        );
    }
}
