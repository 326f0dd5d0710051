//! Turning a column and configured values into a boolean index, exactly as smclarify's report does.
//!
//! The facet, the label and the predicted label all go through the same steps
//! (`smclarify.bias.report` / `metrics.common`):
//!
//! 1. **Kind** ([`kind_of`]): categorical when more than one value is configured, for text and boolean
//!    columns, and for integer columns with fewer than 5 % distinct values; continuous for float columns
//!    and integer columns with at least 5 % distinct values. Trap kept on purpose: a 0/1 label on at most
//!    40 rows is continuous.
//! 2. **Categorical membership** ([`categorical_index`]): a row is in the group when its value equals one
//!    of the values, compared as pandas compares a categorical column with a scalar (an integer column
//!    matches `1` and `1.0` but never `true` or `"1"`). When no row matches at all, the values are
//!    converted to the Python type of the column's *first* cell and compared again (`"1"` → `1`,
//!    `1.7` → `1`, `"False"` → `True` for a boolean column — Python's `bool("False")`).
//! 3. **Continuous membership** ([`Intervals`]): breaks = the threshold plus the column maximum M (M is
//!    left out when `abs(M)` equals the threshold); the group is the union of left-open, right-closed
//!    intervals between consecutive sorted breaks. One threshold t < M means "value > t"; t ≥ M gives an
//!    empty group.

use crate::scalar::{PyType, Scalar};
use crate::table::ColumnValues;

/// smclarify's `UNIQUENESS_THRESHOLD`: integer columns with at least this share of distinct values are
/// continuous.
const UNIQUENESS_THRESHOLD: f64 = 0.05;

/// Whether a column is split by values or by a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Split by equality with configured values.
    Categorical,
    /// Split by a numeric threshold.
    Continuous,
}

/// smclarify's `series_datatype`: the kind of `column` given the configured `values` (possibly none).
pub fn kind_of(column: &ColumnValues, values: Option<&[Scalar]>) -> Kind {
    if values.is_some_and(|v| v.len() > 1) {
        return Kind::Categorical;
    }
    match column {
        ColumnValues::Float(_) => Kind::Continuous,
        ColumnValues::Int(v) => {
            let distinct = v.iter().collect::<std::collections::HashSet<_>>().len();
            // smclarify's divide(): 0/0 is 0.
            let share = if v.is_empty() { 0.0 } else { distinct as f64 / v.len() as f64 };
            if share >= UNIQUENESS_THRESHOLD { Kind::Continuous } else { Kind::Categorical }
        }
        ColumnValues::Bool(_) | ColumnValues::Object(_) => Kind::Categorical,
    }
}

/// How the kind of a column is decided: smclarify's rule, or forced by configuration ([ours]
/// `label_kind` / `facet_kind`, for the cases where the rule misfires, like a 0/1 label on a small window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindRule {
    /// smclarify's rule ([`kind_of`]).
    #[default]
    Auto,
    /// Always categorical.
    Categorical,
    /// Always continuous (numeric columns only).
    Continuous,
}

impl KindRule {
    /// `auto`, `categorical` or `continuous`.
    pub fn from_name(name: &str) -> Option<KindRule> {
        match name {
            "auto" => Some(KindRule::Auto),
            "categorical" => Some(KindRule::Categorical),
            "continuous" => Some(KindRule::Continuous),
            _ => None,
        }
    }

    /// The kind of `column` under this rule.
    pub fn kind(self, column: &ColumnValues, values: Option<&[Scalar]>) -> Result<Kind, String> {
        match self {
            KindRule::Auto => Ok(kind_of(column, values)),
            KindRule::Categorical => Ok(Kind::Categorical),
            KindRule::Continuous if matches!(column, ColumnValues::Int(_) | ColumnValues::Float(_)) => {
                Ok(Kind::Continuous)
            }
            KindRule::Continuous => Err("only a numeric column can be treated as continuous".to_string()),
        }
    }
}

/// The type of the categories pandas builds for `column.astype("category")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CategoryType {
    Numeric,
    Bool,
    Text,
}

fn category_type(column: &ColumnValues) -> CategoryType {
    match column {
        ColumnValues::Int(_) | ColumnValues::Float(_) => CategoryType::Numeric,
        ColumnValues::Bool(_) => CategoryType::Bool,
        ColumnValues::Object(cells) => {
            if cells.iter().flatten().all(|c| matches!(c, Scalar::Bool(_)))
                && cells.iter().any(Option::is_some)
            {
                CategoryType::Bool
            } else {
                CategoryType::Text
            }
        }
    }
}

/// pandas `categorical == value`: the value must be one of the categories (a bool is never a numeric
/// category, a number never a text one), then cells compare by value; missing cells never match.
fn category_matches(kind: CategoryType, cell: &Scalar, value: &Scalar) -> bool {
    let admissible = match kind {
        CategoryType::Numeric => matches!(value, Scalar::Int(_) | Scalar::Float(_)),
        CategoryType::Bool => matches!(value, Scalar::Bool(_)),
        CategoryType::Text => matches!(value, Scalar::Str(_)),
    };
    admissible && cell.py_eq(value)
}

/// The Python type of `series[0]` for a categorical column (numpy scalar types, which no configured JSON
/// value is an instance of; a missing first cell is a float NaN).
fn first_cell_type(column: &ColumnValues) -> Option<(PyType, bool)> {
    if column.is_empty() {
        return None;
    }
    Some(match column {
        ColumnValues::Int(_) => (PyType::Int, true),
        ColumnValues::Float(_) => (PyType::Float, true),
        ColumnValues::Bool(_) => (PyType::Bool, true),
        ColumnValues::Object(cells) => match &cells[0] {
            Some(Scalar::Str(_)) => (PyType::Str, false),
            Some(Scalar::Bool(_)) => (PyType::Bool, true),
            _ => (PyType::Float, false),
        },
    })
}

/// smclarify's `convert_positive_label_values`: values converted to the type of the first cell, with its
/// fallback from `int()` to `float()` and its error messages.
fn convert_values(column: &ColumnValues, values: &[Scalar]) -> Result<Vec<Scalar>, String> {
    let Some((target, numpy_type)) = first_cell_type(column) else {
        return Err("0".to_string()); // pandas raises KeyError(0) on an empty series
    };
    // `isinstance(values[0], type(series[0]))`: only a Python str or float cell type can match.
    if !numpy_type && values[0].py_type() == target {
        return Ok(values.to_vec());
    }
    match values.iter().map(|v| v.convert_to(target)).collect::<Result<Vec<_>, _>>() {
        Ok(converted) => Ok(converted),
        Err(e) if e.0.contains("invalid literal for int() with base 10") => values
            .iter()
            .map(|v| v.convert_to(PyType::Float))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string()),
        Err(_) => {
            Err("'label' has not positive elements. Double-check if 'label' and 'positive_label_values'\
                       have correct data-types or values."
                .to_string())
        }
    }
}

/// smclarify's `_categorical_data_idx`: membership by equality, retried once with converted values when
/// nothing matched. The error is the message Python raises when the conversion fails.
pub fn categorical_index(column: &ColumnValues, values: &[Scalar]) -> Result<Vec<bool>, String> {
    let kind = category_type(column);
    let index_for = |values: &[Scalar]| -> Vec<bool> {
        (0..column.len())
            .map(|row| {
                let cell = column.get(row);
                values.iter().any(|v| category_matches(kind, &cell, v))
            })
            .collect()
    };
    let index = index_for(values);
    if index.iter().any(|&b| b) || values.is_empty() {
        return Ok(index);
    }
    Ok(index_for(&convert_values(column, values)?))
}

/// A break of a threshold interval, typed like the pandas `IntervalIndex` it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Break {
    Int(i64),
    Float(f64),
}

impl Break {
    fn value(self) -> f64 {
        match self {
            Break::Int(i) => i as f64,
            Break::Float(x) => x,
        }
    }
}

/// Left-open, right-closed intervals from a threshold and the column maximum (pandas
/// `IntervalIndex.from_breaks`), with the string Clarify writes as `value_or_threshold`.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    breaks: Vec<Break>,
}

/// The numeric threshold for a continuous column, converted as smclarify's `ensure_series_data_type` does
/// (a string becomes a float; `true` counts as 1).
pub fn continuous_threshold(values: Option<&[Scalar]>) -> Result<Scalar, String> {
    let Some(first) = values.and_then(|v| v.first()) else {
        return Err("Threshold values must be provided for continuous features".to_string());
    };
    match first {
        Scalar::Str(_) => first.convert_to(PyType::Float).map_err(|_| {
            "Facet/label value provided must be a single numeric threshold for continuous data".to_string()
        }),
        Scalar::Bool(b) => Ok(Scalar::Int(i64::from(*b))),
        other => Ok(other.clone()),
    }
}

/// The maximum of a numeric column as smclarify sees it (`Series.max()`, NaN skipped), `None` when no
/// value is present.
fn column_max(column: &ColumnValues) -> Option<Scalar> {
    match column {
        ColumnValues::Int(v) => v.iter().max().map(|&m| Scalar::Int(m)),
        ColumnValues::Float(v) => {
            v.iter().copied().filter(|x| !x.is_nan()).reduce(f64::max).map(Scalar::Float)
        }
        _ => None,
    }
}

impl Intervals {
    /// smclarify's `_interval_index(data, [threshold])` over `columns` (the label and predicted label share
    /// one maximum). Errors when the column has no value: pandas then cannot build the intervals.
    pub fn new(columns: &[&ColumnValues], threshold: &Scalar) -> Result<Intervals, String> {
        let max = columns.iter().filter_map(|c| column_max(c)).reduce(|a, b| {
            match (a.as_number(), b.as_number()) {
                (Some(x), Some(y)) if y > x => b,
                _ => a,
            }
        });
        let Some(max) = max else {
            return Err(
                "missing values must be missing in the same location both left and right sides".to_string()
            );
        };
        let all_int = columns.iter().all(|c| matches!(c, ColumnValues::Int(_)));
        let abs_max = match &max {
            Scalar::Int(i) => Scalar::Int(i.abs()),
            other => Scalar::Float(other.as_number().unwrap_or(f64::NAN).abs()),
        };
        let mut points = vec![threshold.clone()];
        if !abs_max.py_eq(threshold) {
            points.push(max);
        }
        points
            .sort_by(|a, b| a.as_number().unwrap_or(f64::NAN).total_cmp(&b.as_number().unwrap_or(f64::NAN)));
        let int_breaks = all_int && points.iter().all(|p| matches!(p, Scalar::Int(_)));
        let breaks = points
            .iter()
            .map(|p| match p {
                Scalar::Int(i) if int_breaks => Break::Int(*i),
                other => Break::Float(other.as_number().unwrap_or(f64::NAN)),
            })
            .collect();
        Ok(Intervals { breaks })
    }

    /// True when `x` lies in one of the intervals (`a < x <= b`); NaN lies in none.
    pub fn contains(&self, x: f64) -> bool {
        self.breaks.windows(2).any(|w| w[0].value() < x && x <= w[1].value())
    }

    /// Membership of every row of a numeric column.
    pub fn index(&self, column: &ColumnValues) -> Vec<bool> {
        (0..column.len()).map(|r| self.contains(column.get(r).as_number().unwrap_or(f64::NAN))).collect()
    }

    /// The intervals as Clarify writes them: `(40.0, 67.0]` for floats, `(100, 243]` for integers, joined by
    /// `,`; empty when there is no interval (a single break).
    pub fn describe(&self) -> String {
        let text = |b: Break| match b {
            Break::Int(i) => i.to_string(),
            Break::Float(x) => crate::scalar::py_float_repr(x),
        };
        self.breaks
            .windows(2)
            .map(|w| format!("({}, {}]", text(w[0]), text(w[1])))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A boolean index for a column, with the string that names it in reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Membership per row.
    pub index: Vec<bool>,
    /// `value_or_threshold` / `label_value_or_threshold` as Clarify writes it.
    pub described: String,
}

/// The positive-label index and its description for a label column (smclarify `_positive_label_index`).
pub fn label_selection(
    column: &ColumnValues,
    values: &[Scalar],
    rule: KindRule,
) -> Result<(Kind, Selection), String> {
    if values.is_empty() {
        return Err("Positive label values or thresholds are empty for Label column".to_string());
    }
    let kind = rule.kind(column, Some(values))?;
    let selection = match kind {
        Kind::Categorical => Selection {
            index: categorical_index(column, values)?,
            described: values.iter().map(Scalar::to_string).collect::<Vec<_>>().join(","),
        },
        Kind::Continuous => {
            let intervals = Intervals::new(&[column], &continuous_threshold(Some(values))?)?;
            Selection { index: intervals.index(column), described: intervals.describe() }
        }
    };
    Ok((kind, selection))
}

/// The positive-prediction index (smclarify `_positive_predicted_index`): the predicted column must have the
/// same kind as the label; a continuous prediction is cast to the label's dtype and shares the label's
/// maximum; at least one prediction must be positive.
pub fn predicted_selection(
    predicted: &ColumnValues,
    label: &ColumnValues,
    label_kind: Kind,
    values: &[Scalar],
    rule: KindRule,
) -> Result<Vec<bool>, String> {
    if rule.kind(predicted, Some(values))? != label_kind {
        return Err(
            "Predicted Label Column series datatype is not the same as Label Column series".to_string()
        );
    }
    let index = match label_kind {
        Kind::Categorical => categorical_index(predicted, values)?,
        Kind::Continuous => {
            let cast = cast_like(predicted, label)?;
            Intervals::new(&[label, &cast], &continuous_threshold(Some(values))?)?.index(&cast)
        }
    };
    if !index.iter().any(|&b| b) {
        return Err("No Label values are present in the predicted Label Column,\
                    Positive Predicted Index Series contains all False values"
            .to_string());
    }
    Ok(index)
}

/// `predicted.astype(label.dtype)` for numeric columns.
fn cast_like(predicted: &ColumnValues, label: &ColumnValues) -> Result<ColumnValues, String> {
    Ok(match (predicted, label) {
        (ColumnValues::Float(p), ColumnValues::Int(_)) => {
            if p.iter().any(|x| !x.is_finite()) {
                return Err("Cannot convert non-finite values (NA or inf) to integer".to_string());
            }
            ColumnValues::Int(p.iter().map(|x| x.trunc() as i64).collect())
        }
        (ColumnValues::Int(p), ColumnValues::Float(_)) => {
            ColumnValues::Float(p.iter().map(|&i| i as f64).collect())
        }
        (p, _) => p.clone(),
    })
}

/// The facet groups to report on: one per configured value list, or, when no values are configured for a
/// categorical facet, one per distinct value in order of first appearance (missing included, as pandas'
/// `unique()` does — that group is empty, so its metrics are errors).
pub fn facet_selections(
    column: &ColumnValues,
    values: Option<&[Scalar]>,
    rule: KindRule,
) -> Result<Vec<FacetGroup>, String> {
    let values = values.filter(|v| !v.is_empty());
    match rule.kind(column, values)? {
        Kind::Categorical => {
            let lists: Vec<Vec<Scalar>> = match values {
                Some(v) => vec![v.to_vec()],
                None => distinct_in_order(column).into_iter().map(|v| vec![v]).collect(),
            };
            Ok(lists
                .into_iter()
                .map(|list| FacetGroup {
                    described: list.iter().map(Scalar::to_string).collect::<Vec<_>>().join(","),
                    index: categorical_index(column, &list),
                })
                .collect())
        }
        Kind::Continuous => {
            let intervals = Intervals::new(&[column], &continuous_threshold(values)?)?;
            Ok(vec![FacetGroup { described: intervals.describe(), index: Ok(intervals.index(column)) }])
        }
    }
}

/// One facet group: its description and its index, or the error every metric of the group reports.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetGroup {
    /// `value_or_threshold` as Clarify writes it.
    pub described: String,
    /// Membership per row, or why it could not be computed (each metric then carries this error).
    pub index: Result<Vec<bool>, String>,
}

fn distinct_in_order(column: &ColumnValues) -> Vec<Scalar> {
    let mut seen: Vec<Scalar> = Vec::new();
    let mut saw_missing = false;
    for row in 0..column.len() {
        let cell = column.get(row);
        if matches!(cell, Scalar::Float(x) if x.is_nan()) {
            if !saw_missing {
                saw_missing = true;
                seen.push(cell);
            }
        } else if !seen.iter().any(|s| s.py_type() == cell.py_type() && s.py_eq(&cell)) {
            seen.push(cell);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> ColumnValues {
        ColumnValues::Object(v.iter().map(|s| Some(Scalar::Str(s.to_string()))).collect())
    }

    #[test]
    fn kind_follows_the_uniqueness_rule() {
        let binary_40 = ColumnValues::Int((0..40).map(|i| i % 2).collect());
        let binary_41 = ColumnValues::Int((0..41).map(|i| i % 2).collect());
        assert_eq!(
            kind_of(&binary_40, Some(&[Scalar::Int(1)])),
            Kind::Continuous,
            "2/40 = 0.05 is continuous"
        );
        assert_eq!(kind_of(&binary_41, Some(&[Scalar::Int(1)])), Kind::Categorical);
        assert_eq!(kind_of(&ColumnValues::Float(vec![1.0]), None), Kind::Continuous);
        assert_eq!(
            kind_of(&ColumnValues::Float(vec![1.0]), Some(&[Scalar::Int(1), Scalar::Int(2)])),
            Kind::Categorical
        );
        assert_eq!(kind_of(&strs(&["1", "2"]), None), Kind::Categorical);
    }

    #[test]
    fn values_of_another_type_are_converted_to_the_first_cells_type() {
        let ints = ColumnValues::Int(vec![0, 1, 1, 0]);
        assert_eq!(categorical_index(&ints, &[Scalar::Str("1".into())]), Ok(vec![false, true, true, false]));
        assert_eq!(categorical_index(&ints, &[Scalar::Bool(true)]), Ok(vec![false, true, true, false]));
        assert_eq!(categorical_index(&ints, &[Scalar::Float(1.7)]), Ok(vec![false, true, true, false]));
        assert_eq!(categorical_index(&strs(&["a", "1"]), &[Scalar::Int(1)]), Ok(vec![false, true]));
        let bools = ColumnValues::Bool(vec![true, false]);
        assert_eq!(
            categorical_index(&bools, &[Scalar::Str("False".into())]),
            Ok(vec![true, false]),
            "bool('False')"
        );
        assert_eq!(
            categorical_index(&ints, &[Scalar::Str("abc".into())]),
            Err("could not convert string to float: 'abc'".into())
        );
    }

    #[test]
    fn a_threshold_below_the_maximum_means_greater_than() {
        let col = ColumnValues::Float(vec![10.0, 40.0, 50.0, 67.0, f64::NAN]);
        let iv = Intervals::new(&[&col], &Scalar::Int(40)).unwrap();
        assert_eq!(iv.describe(), "(40.0, 67.0]");
        assert_eq!(iv.index(&col), vec![false, false, true, true, false]);
        let ints = ColumnValues::Int(vec![100, 243, 7]);
        assert_eq!(Intervals::new(&[&ints], &Scalar::Int(100)).unwrap().describe(), "(100, 243]");
    }

    #[test]
    fn a_threshold_at_or_above_the_maximum_selects_nothing() {
        let labels = ColumnValues::Int(vec![0, 1, 1, 0]);
        let iv = Intervals::new(&[&labels], &Scalar::Int(1)).unwrap();
        assert_eq!(iv.describe(), "", "abs(max) equals the threshold: a single break, no interval");
        assert!(iv.index(&labels).iter().all(|&b| !b));
        let above = Intervals::new(&[&labels], &Scalar::Float(5.0)).unwrap();
        assert_eq!(above.describe(), "(1.0, 5.0]");
        assert!(above.index(&labels).iter().all(|&b| !b));
    }

    #[test]
    fn a_forced_kind_overrides_the_uniqueness_rule() {
        let labels = ColumnValues::Int(vec![0, 1, 1, 0]);
        let (kind, sel) = label_selection(&labels, &[Scalar::Int(1)], KindRule::Categorical).unwrap();
        assert_eq!(kind, Kind::Categorical);
        assert_eq!(sel.index, vec![false, true, true, false], "the small-window trap is avoided");
        let (auto, _) = label_selection(&labels, &[Scalar::Int(1)], KindRule::Auto).unwrap();
        assert_eq!(auto, Kind::Continuous);
        assert!(KindRule::Continuous.kind(&strs(&["a"]), None).is_err());
    }

    #[test]
    fn unconfigured_categorical_facets_give_one_group_per_value_in_order_of_appearance() {
        let col = ColumnValues::Object(vec![
            Some(Scalar::Str("b".into())),
            None,
            Some(Scalar::Str("a".into())),
            Some(Scalar::Str("b".into())),
        ]);
        let groups = facet_selections(&col, None, KindRule::Auto).unwrap();
        let names: Vec<_> = groups.iter().map(|g| g.described.as_str()).collect();
        assert_eq!(names, ["b", "nan", "a"]);
        assert_eq!(groups[1].index, Ok(vec![false; 4]));
    }
}
