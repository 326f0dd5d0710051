//! Mergeable data profiles: everything statistics.json and the checks need, per column, for one batch —
//! and the merge that turns a day's batch profiles into the day's profile without re-reading the data.
//!
//! Merging is associative. Counts, type histograms, min, max and sums (hence means) of
//! `merge(profile(a), profile(b))` equal those of `profile(a ++ b)` exactly; the standard deviation agrees
//! to rounding; quantiles agree within the KLL sketch's error (exactly while a column holds ≤ 2 050
//! values). A profile serialises to JSON (our format, not SageMaker's) and reads back identical, so batch
//! profiles can be stored next to the data (`profiles/<segment>/<yyyy>/<mm>/<dd>/<hh>/<batch>.json`).

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use serde::{Deserialize, Serialize};

use crate::error::QualityError;
use crate::kll::KllSketch;
use crate::numeric_summary::NumericSummary;
use crate::value_class::{ColumnType, TypeCounts, ValueClass, classify, parse_numeric};
use crate::value_counts::ValueCounts;

/// The version of our profile format, bumped on incompatible changes.
pub const PROFILE_FORMAT_VERSION: u32 = 1;

/// The profile of one column.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// Cells per value class (nulls included).
    pub types: TypeCounts,
    /// Moments and extremes of the numeric cells.
    pub numeric: NumericSummary,
    /// KLL sketch of the numeric cells, in row order.
    pub sketch: KllSketch,
    /// Counts per value (text cells, and numbers while few).
    pub values: ValueCounts,
}

impl ColumnProfile {
    /// The column type the cells decide (§2.2).
    pub fn column_type(&self) -> ColumnType {
        self.types.column_type()
    }

    /// Adds another profile of the same column.
    pub fn merge(&mut self, other: &ColumnProfile) {
        self.types.merge(&other.types);
        self.numeric.merge(&other.numeric);
        self.sketch.merge(&other.sketch);
        self.values.merge(&other.values);
    }
}

/// A named column profile, in dataset column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedColumnProfile {
    /// Column name.
    pub name: String,
    /// Its profile.
    pub profile: ColumnProfile,
}

/// The profile of a dataset window: row count and one profile per column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataProfile {
    /// [`PROFILE_FORMAT_VERSION`].
    pub format_version: u32,
    /// Rows in the window.
    pub item_count: u64,
    /// Columns in order of first appearance.
    pub columns: Vec<NamedColumnProfile>,
}

impl Default for DataProfile {
    fn default() -> Self {
        DataProfile { format_version: PROFILE_FORMAT_VERSION, item_count: 0, columns: Vec::new() }
    }
}

impl DataProfile {
    /// Profiles one Arrow batch. Text columns are classified cell by cell (§2.1); typed columns map to
    /// the class their text would have: integers Integral, finite floats Fractional (non-finite floats
    /// are the String cells `NaN`/`Infinity`/`-Infinity`, as Spark renders them), booleans Boolean, and
    /// timestamps and dates String (RFC 3339 text), so a dataset gives the same profile from CSV as from
    /// Parquet.
    pub fn from_batch(batch: &RecordBatch) -> Result<DataProfile, QualityError> {
        let columns = batch
            .schema()
            .fields()
            .iter()
            .zip(batch.columns())
            .map(|(field, array)| {
                profile_array(field.name(), array.as_ref())
                    .map(|profile| NamedColumnProfile { name: field.name().clone(), profile })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DataProfile {
            format_version: PROFILE_FORMAT_VERSION,
            item_count: batch.num_rows() as u64,
            columns,
        })
    }

    /// Profiles several batches (e.g. a Parquet file's row groups) and merges them.
    pub fn from_batches<'a>(
        batches: impl IntoIterator<Item = &'a RecordBatch>,
    ) -> Result<Self, QualityError> {
        let mut profile = DataProfile::default();
        for batch in batches {
            profile.merge(&DataProfile::from_batch(batch)?);
        }
        Ok(profile)
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|c| c.name == name).map(|c| &c.profile)
    }

    /// Adds another window's profile. A column that one side lacks counts as null on that side's rows,
    /// so completeness stays right when a column appears or disappears between batches.
    pub fn merge(&mut self, other: &DataProfile) {
        for mine in &mut self.columns {
            if !other.columns.iter().any(|c| c.name == mine.name) {
                mine.profile.types.unknown += other.item_count;
            }
        }
        for theirs in &other.columns {
            match self.columns.iter_mut().find(|c| c.name == theirs.name) {
                Some(mine) => mine.profile.merge(&theirs.profile),
                None => {
                    let mut profile = ColumnProfile::default();
                    profile.types.unknown = self.item_count;
                    profile.merge(&theirs.profile);
                    self.columns.push(NamedColumnProfile { name: theirs.name.clone(), profile });
                }
            }
        }
        self.item_count += other.item_count;
    }

    /// Reads a profile written by [`DataProfile::to_json`].
    pub fn from_json(bytes: &[u8]) -> Result<Self, QualityError> {
        serde_json::from_slice(bytes)
            .map_err(|e| QualityError::InvalidFile { what: "profile".into(), reason: e.to_string() })
    }

    /// The profile as JSON (our format; see the module docs).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a profile always serialises")
    }
}

/// Collects one column's cells; numbers are buffered so the moments take two passes over a slice.
#[derive(Default)]
struct ColumnAccumulator {
    types: TypeCounts,
    numbers: Vec<f64>,
    values: ValueCounts,
}

impl ColumnAccumulator {
    fn null(&mut self) {
        self.types.add(ValueClass::Unknown, 1);
    }

    fn nulls(&mut self, n: usize) {
        self.types.add(ValueClass::Unknown, n as u64);
    }

    fn text(&mut self, text: &str) {
        let class = classify(text);
        if class.is_numeric() {
            let v = parse_numeric(text);
            if v.is_finite() {
                self.types.add(class, 1);
                self.number(v, || text.to_owned());
                return;
            }
            // Numbers beyond the double range (e.g. "1e400") cannot enter the statistics: String.
            self.types.add(ValueClass::String, 1);
        } else {
            self.types.add(class, 1);
        }
        self.values.add_text(text);
    }

    fn number(&mut self, v: f64, spelling: impl FnOnce() -> String) {
        self.numbers.push(v);
        self.values.add_number(v, spelling);
    }

    fn integer(&mut self, v: f64, spelling: impl FnOnce() -> String) {
        self.types.add(ValueClass::Integral, 1);
        self.number(v, spelling);
    }

    fn float(&mut self, v: f64) {
        if v.is_finite() {
            self.types.add(ValueClass::Fractional, 1);
            self.number(v, || format!("{v:?}"));
        } else {
            self.types.add(ValueClass::String, 1);
            self.values.add_text(non_finite_text(v));
        }
    }

    fn boolean(&mut self, b: bool) {
        self.types.add(ValueClass::Boolean, 1);
        self.values.add_text(if b { "true" } else { "false" });
    }

    fn finish(self) -> ColumnProfile {
        let mut sketch = KllSketch::default();
        self.numbers.iter().for_each(|&v| sketch.insert(v));
        ColumnProfile {
            types: self.types,
            numeric: NumericSummary::of(&self.numbers),
            sketch,
            values: self.values,
        }
    }
}

fn non_finite_text(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

fn profile_array(name: &str, array: &dyn Array) -> Result<ColumnProfile, QualityError> {
    let mut acc = ColumnAccumulator::default();
    match array.data_type() {
        DataType::Null => acc.nulls(array.len()),
        DataType::Utf8 => array.as_string::<i32>().iter().for_each(|c| text_cell(&mut acc, c)),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().for_each(|c| text_cell(&mut acc, c)),
        DataType::Utf8View => array.as_string_view().iter().for_each(|c| text_cell(&mut acc, c)),
        DataType::Boolean => array.as_boolean().iter().for_each(|c| match c {
            Some(b) => acc.boolean(b),
            None => acc.null(),
        }),
        DataType::Float64 => return Ok(float64_column(array)),
        DataType::Float32 => floats::<Float32Type>(&mut acc, array, f64::from),
        DataType::Int8 => integers::<Int8Type>(&mut acc, array, |v| (f64::from(v), v.to_string())),
        DataType::Int16 => integers::<Int16Type>(&mut acc, array, |v| (f64::from(v), v.to_string())),
        DataType::Int32 => integers::<Int32Type>(&mut acc, array, |v| (f64::from(v), v.to_string())),
        DataType::Int64 => integers::<Int64Type>(&mut acc, array, |v| (v as f64, v.to_string())),
        DataType::UInt8 => integers::<UInt8Type>(&mut acc, array, |v| (f64::from(v), v.to_string())),
        DataType::UInt16 => integers::<UInt16Type>(&mut acc, array, |v| (f64::from(v), v.to_string())),
        DataType::UInt32 => integers::<UInt32Type>(&mut acc, array, |v| (f64::from(v), v.to_string())),
        DataType::UInt64 => integers::<UInt64Type>(&mut acc, array, |v| (v as f64, v.to_string())),
        DataType::Decimal128(_, scale) => {
            let scale = i32::from(*scale);
            array.as_primitive::<Decimal128Type>().iter().for_each(|c| match c {
                Some(v) => acc.text(&format_decimal(v, scale)),
                None => acc.null(),
            })
        }
        DataType::Timestamp(unit, _) => temporal_cells(&mut acc, array, TemporalUnit::of(*unit)),
        DataType::Date32 => temporal_cells(&mut acc, array, TemporalUnit::Date32),
        DataType::Date64 => temporal_cells(&mut acc, array, TemporalUnit::Date64),
        DataType::Dictionary(_, value_type) if is_text(value_type) => {
            let dict = array.as_any_dictionary();
            let values = dict.values();
            let texts = text_values(values.as_ref());
            let keys = dict.normalized_keys();
            for (row, key) in keys.iter().enumerate() {
                if array.is_null(row) || values.is_null(*key) {
                    acc.null();
                } else {
                    acc.text(texts[*key]);
                }
            }
        }
        other => {
            return Err(QualityError::UnsupportedColumnType {
                column: name.to_owned(),
                data_type: other.to_string(),
            });
        }
    }
    Ok(acc.finish())
}

fn text_cell(acc: &mut ColumnAccumulator, cell: Option<&str>) {
    match cell {
        Some(t) => acc.text(t),
        None => acc.null(),
    }
}

fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn text_values(values: &dyn Array) -> Vec<&str> {
    match values.data_type() {
        DataType::Utf8 => values.as_string::<i32>().iter().map(Option::unwrap_or_default).collect(),
        DataType::LargeUtf8 => values.as_string::<i64>().iter().map(Option::unwrap_or_default).collect(),
        _ => values.as_string_view().iter().map(Option::unwrap_or_default).collect(),
    }
}

/// The hot path: a Float64 column is profiled straight from its value buffer when it has no nulls and
/// no non-finite values (the common case), without copying.
fn float64_column(array: &dyn Array) -> ColumnProfile {
    let floats = array.as_primitive::<Float64Type>();
    let values = floats.values();
    if floats.null_count() > 0 || values.iter().any(|v| !v.is_finite()) {
        let mut acc = ColumnAccumulator::default();
        floats.iter().for_each(|c| match c {
            Some(v) => acc.float(v),
            None => acc.null(),
        });
        return acc.finish();
    }
    let mut profile = ColumnProfile { numeric: NumericSummary::of(values), ..ColumnProfile::default() };
    profile.types.add(ValueClass::Fractional, values.len() as u64);
    for &v in values.iter() {
        profile.sketch.insert(v);
        profile.values.add_number(v, || format!("{v:?}"));
    }
    profile
}

fn floats<T: ArrowPrimitiveType>(
    acc: &mut ColumnAccumulator,
    array: &dyn Array,
    to_f64: impl Fn(T::Native) -> f64,
) {
    array.as_primitive::<T>().iter().for_each(|c| match c {
        Some(v) => acc.float(to_f64(v)),
        None => acc.null(),
    });
}

fn integers<T: ArrowPrimitiveType>(
    acc: &mut ColumnAccumulator,
    array: &dyn Array,
    convert: impl Fn(T::Native) -> (f64, String),
) {
    array.as_primitive::<T>().iter().for_each(|c| match c {
        Some(v) => {
            let (value, _) = convert(v);
            acc.integer(value, || convert(v).1);
        }
        None => acc.null(),
    });
}

fn format_decimal(v: i128, scale: i32) -> String {
    if scale <= 0 {
        return format!("{}{}", v, "0".repeat(scale.unsigned_abs() as usize));
    }
    let digits = v.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{}{int}.{frac}", if v < 0 { "-" } else { "" })
}

/// How a temporal column counts time.
#[derive(Clone, Copy)]
enum TemporalUnit {
    Date32,
    Date64,
    Seconds,
    Millis,
    Micros,
    Nanos,
}

impl TemporalUnit {
    fn of(unit: TimeUnit) -> Self {
        match unit {
            TimeUnit::Second => TemporalUnit::Seconds,
            TimeUnit::Millisecond => TemporalUnit::Millis,
            TimeUnit::Microsecond => TemporalUnit::Micros,
            TimeUnit::Nanosecond => TemporalUnit::Nanos,
        }
    }
}

/// Profiles a timestamp or date column through its RFC 3339 text (dates as `YYYY-MM-DD`).
fn temporal_cells(acc: &mut ColumnAccumulator, array: &dyn Array, unit: TemporalUnit) {
    for cell in temporal_texts(array, unit) {
        text_cell(acc, cell.as_deref());
    }
}

fn temporal_texts(array: &dyn Array, unit: TemporalUnit) -> Vec<Option<String>> {
    use chrono::{DateTime, SecondsFormat, Utc};
    let rfc = |dt: Option<DateTime<Utc>>, precision| dt.map(|d| d.to_rfc3339_opts(precision, true));
    let date = |dt: Option<DateTime<Utc>>| dt.map(|d| d.format("%Y-%m-%d").to_string());
    match unit {
        TemporalUnit::Date32 => array
            .as_primitive::<Date32Type>()
            .iter()
            .map(|c| date(c.and_then(|d| DateTime::from_timestamp(i64::from(d) * 86_400, 0))))
            .collect(),
        TemporalUnit::Date64 => array
            .as_primitive::<Date64Type>()
            .iter()
            .map(|c| date(c.and_then(DateTime::from_timestamp_millis)))
            .collect(),
        TemporalUnit::Seconds => array
            .as_primitive::<TimestampSecondType>()
            .iter()
            .map(|c| rfc(c.and_then(|s| DateTime::from_timestamp(s, 0)), SecondsFormat::Secs))
            .collect(),
        TemporalUnit::Millis => array
            .as_primitive::<TimestampMillisecondType>()
            .iter()
            .map(|c| rfc(c.and_then(DateTime::from_timestamp_millis), SecondsFormat::Millis))
            .collect(),
        TemporalUnit::Micros => array
            .as_primitive::<TimestampMicrosecondType>()
            .iter()
            .map(|c| rfc(c.and_then(DateTime::from_timestamp_micros), SecondsFormat::Micros))
            .collect(),
        TemporalUnit::Nanos => array
            .as_primitive::<TimestampNanosecondType>()
            .iter()
            .map(|c| rfc(c.map(DateTime::from_timestamp_nanos), SecondsFormat::Nanos))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_with_their_scale() {
        assert_eq!(format_decimal(12345, 2), "123.45");
        assert_eq!(format_decimal(-5, 3), "-0.005");
        assert_eq!(format_decimal(7, 0), "7");
        assert_eq!(format_decimal(7, -2), "700");
    }
}
