//! A dataset read the way a Clarify processing job reads it: `pandas.read_csv` with its type inference.
//!
//! Which column type pandas infers decides whether smclarify treats a column as categorical or continuous
//! and how configured values match, so this reader reproduces pandas' rules (C parser, defaults):
//!
//! * a field in pandas' default NA list (`""`, `NA`, `NaN`, `null`, `None`, `n/a`, …) is missing;
//! * a column whose fields all parse as 64-bit integers (surrounding whitespace allowed) and none is
//!   missing is `Int`;
//! * else, when all present fields parse as decimal floats (or `inf`/`infinity` in any case), `Float`
//!   with missing cells as NaN — an integer column with a gap therefore becomes `Float`;
//! * else, when all fields are `True`/`TRUE`/`true`/`False`/`FALSE`/`false` and none is missing, `Bool`;
//! * else `Object`: text kept verbatim, booleans when the column is booleans with gaps, missing as `None`.
//!
//! Differences from pandas, all reported as errors rather than guessed: duplicate column names (pandas
//! renames them `a.1`), a row with more fields than columns. Blank lines are skipped and short rows are
//! padded with missing cells, as pandas does. Integers beyond the 64-bit range are read as floats.

use std::io::Read;

use crate::scalar::{Scalar, is_decimal_literal};

/// pandas' default strings for a missing value (`pandas._libs.parsers.STR_NA_VALUES`).
const NA_VALUES: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
    "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// The cells of one column, typed as pandas would type them.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// pandas `int64`: every field an integer, none missing.
    Int(Vec<i64>),
    /// pandas `float64`: missing cells are NaN.
    Float(Vec<f64>),
    /// pandas `bool`: every field a boolean word, none missing.
    Bool(Vec<bool>),
    /// pandas `object`: text (or booleans with gaps); `None` is a missing cell (NaN in pandas).
    Object(Vec<Option<Scalar>>),
}

impl ColumnValues {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::Int(v) => v.len(),
            ColumnValues::Float(v) => v.len(),
            ColumnValues::Bool(v) => v.len(),
            ColumnValues::Object(v) => v.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell at `row` as a Python scalar; a missing cell is `Float(NaN)`, like pandas' NaN.
    pub fn get(&self, row: usize) -> Scalar {
        match self {
            ColumnValues::Int(v) => Scalar::Int(v[row]),
            ColumnValues::Float(v) => Scalar::Float(v[row]),
            ColumnValues::Bool(v) => Scalar::Bool(v[row]),
            ColumnValues::Object(v) => v[row].clone().unwrap_or(Scalar::Float(f64::NAN)),
        }
    }

    /// True for the numeric and boolean dtypes (`select_dtypes([np.number, bool])`).
    pub fn is_numeric(&self) -> bool {
        !matches!(self, ColumnValues::Object(_))
    }

    /// The rows selected by `rows`, in that order (rows may repeat).
    pub fn take(&self, rows: &[usize]) -> ColumnValues {
        match self {
            ColumnValues::Int(v) => ColumnValues::Int(rows.iter().map(|&r| v[r]).collect()),
            ColumnValues::Float(v) => ColumnValues::Float(rows.iter().map(|&r| v[r]).collect()),
            ColumnValues::Bool(v) => ColumnValues::Bool(rows.iter().map(|&r| v[r]).collect()),
            ColumnValues::Object(v) => ColumnValues::Object(rows.iter().map(|&r| v[r].clone()).collect()),
        }
    }
}

/// One named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header (from the file's first row or from the configured `headers`).
    pub name: String,
    /// The typed cells.
    pub values: ColumnValues,
}

/// A whole dataset: columns of equal length, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
    rows: usize,
}

/// Why a dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The CSV itself is malformed (bad quoting, invalid UTF-8, I/O).
    #[error("cannot read the CSV dataset: {0}")]
    Csv(#[from] csv::Error),
    /// The file has no header row and no `headers` were configured.
    #[error("the dataset is empty: no header row (configure `headers` for a file without one)")]
    NoHeader,
    /// Two columns share a name, so a name in the configuration would be ambiguous.
    #[error("the dataset has two columns named '{0}'; column names must be unique")]
    DuplicateColumn(String),
    /// A row is longer than the header.
    #[error(
        "row {row} has {fields} fields but the dataset has {columns} columns (check `headers` and the delimiter)"
    )]
    RaggedRow {
        /// 1-based data row number.
        row: usize,
        /// Fields found.
        fields: usize,
        /// Columns expected.
        columns: usize,
    },
}

impl Table {
    /// Builds a table from typed columns.
    ///
    /// # Panics
    /// When the columns differ in length: that is a programming error, never a data error.
    pub fn new(columns: Vec<Column>) -> Table {
        let rows = columns.first().map_or(0, |c| c.values.len());
        assert!(
            columns.iter().all(|c| c.values.len() == rows),
            "all columns of a table must have the same length"
        );
        Table { columns, rows }
    }

    /// Reads CSV like `pandas.read_csv(f)` (first row is the header) or, when `headers` is given, like
    /// `pandas.read_csv(f, header=None, names=headers)` — the file then has no header row.
    pub fn read_csv<R: Read>(reader: R, headers: Option<&[String]>) -> Result<Table, TableError> {
        let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
        let mut records = csv.records().filter(|r| r.as_ref().map_or(true, |rec| !is_blank(rec)));
        let names: Vec<String> = match headers {
            Some(h) => h.to_vec(),
            None => match records.next() {
                Some(first) => first?.iter().map(str::to_string).collect(),
                None => return Err(TableError::NoHeader),
            },
        };
        if let Some(dup) = first_duplicate(&names) {
            return Err(TableError::DuplicateColumn(dup));
        }
        let mut raw: Vec<Vec<Option<String>>> = vec![Vec::new(); names.len()];
        for (i, record) in records.enumerate() {
            let record = record?;
            if record.len() > names.len() {
                return Err(TableError::RaggedRow { row: i + 1, fields: record.len(), columns: names.len() });
            }
            for (c, cells) in raw.iter_mut().enumerate() {
                cells.push(record.get(c).map(str::to_string));
            }
        }
        let columns = names
            .into_iter()
            .zip(raw)
            .map(|(name, cells)| Column { name, values: infer_column(&cells) })
            .collect();
        Ok(Table::new(columns))
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The columns in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column called `name`, if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The same columns restricted to `rows` (a bootstrap resample, for instance).
    pub fn take(&self, rows: &[usize]) -> Table {
        let columns = self
            .columns
            .iter()
            .map(|c| Column { name: c.name.clone(), values: c.values.take(rows) })
            .collect();
        Table { columns, rows: rows.len() }
    }
}

fn is_blank(record: &csv::StringRecord) -> bool {
    record.len() == 1 && record[0].is_empty() || record.is_empty()
}

fn first_duplicate(names: &[String]) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    names.iter().find(|n| !seen.insert(n.as_str())).cloned()
}

/// pandas' type inference for one column of raw fields (`None` = field absent from a short row).
fn infer_column(cells: &[Option<String>]) -> ColumnValues {
    let present: Vec<Option<&str>> =
        cells.iter().map(|c| c.as_deref().filter(|s| !NA_VALUES.contains(s))).collect();
    let any_missing = present.iter().any(Option::is_none);
    if !any_missing && let Some(ints) = present.iter().map(|c| c.and_then(pandas_int)).collect() {
        return ColumnValues::Int(ints);
    }
    if let Some(floats) = present.iter().map(|c| c.map_or(Some(f64::NAN), pandas_float)).collect() {
        return ColumnValues::Float(floats);
    }
    let bools: Option<Vec<Option<bool>>> =
        present.iter().map(|c| c.map_or(Some(None), |s| pandas_bool(s).map(Some))).collect();
    match bools {
        Some(b) if !any_missing => ColumnValues::Bool(b.into_iter().map(|v| v.unwrap_or_default()).collect()),
        Some(b) => ColumnValues::Object(b.into_iter().map(|v| v.map(Scalar::Bool)).collect()),
        None => ColumnValues::Object(present.iter().map(|c| c.map(|s| Scalar::Str(s.to_string()))).collect()),
    }
}

fn pandas_int(s: &str) -> Option<i64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

fn pandas_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        return Some(if t.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if !is_decimal_literal(unsigned) {
        return None;
    }
    t.parse().ok()
}

fn pandas_bool(s: &str) -> Option<bool> {
    match s {
        "True" | "TRUE" | "true" => Some(true),
        "False" | "FALSE" | "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Table {
        Table::read_csv(text.as_bytes(), None).unwrap()
    }

    #[test]
    fn columns_are_typed_like_pandas() {
        let t = read("i,f,gap,b,s,bgap\n1,1.5,1,True,a,true\n 2 ,1e3,,false,1,\n");
        assert_eq!(t.column("i").unwrap().values, ColumnValues::Int(vec![1, 2]));
        assert_eq!(t.column("f").unwrap().values, ColumnValues::Float(vec![1.5, 1000.0]));
        match &t.column("gap").unwrap().values {
            ColumnValues::Float(v) => assert!(v[0] == 1.0 && v[1].is_nan()),
            other => panic!("an integer column with a gap is float64, got {other:?}"),
        }
        assert_eq!(t.column("b").unwrap().values, ColumnValues::Bool(vec![true, false]));
        assert_eq!(
            t.column("s").unwrap().values,
            ColumnValues::Object(vec![Some(Scalar::Str("a".into())), Some(Scalar::Str("1".into()))])
        );
        assert_eq!(
            t.column("bgap").unwrap().values,
            ColumnValues::Object(vec![Some(Scalar::Bool(true)), None])
        );
    }

    #[test]
    fn configured_headers_mean_no_header_row() {
        let names = vec!["x".to_string(), "y".to_string()];
        let t = Table::read_csv("1,2\n3,4\n".as_bytes(), Some(&names)).unwrap();
        assert_eq!(t.rows(), 2);
        assert_eq!(t.column("y").unwrap().values, ColumnValues::Int(vec![2, 4]));
    }

    #[test]
    fn short_rows_are_padded_and_long_rows_rejected() {
        let t = read("a,b\n1\n\n2,3\n");
        assert_eq!(t.rows(), 2);
        assert!(
            matches!(&t.column("b").unwrap().values, ColumnValues::Float(v) if v[0].is_nan() && v[1] == 3.0)
        );
        assert!(matches!(
            Table::read_csv("a\n1,2\n".as_bytes(), None),
            Err(TableError::RaggedRow { row: 1, fields: 2, columns: 1 })
        ));
    }

    #[test]
    fn duplicate_names_and_empty_files_are_errors() {
        assert!(
            matches!(Table::read_csv("a,a\n1,2\n".as_bytes(), None), Err(TableError::DuplicateColumn(n)) if n == "a")
        );
        assert!(matches!(Table::read_csv("".as_bytes(), None), Err(TableError::NoHeader)));
    }

    #[test]
    fn na_words_are_missing_but_only_verbatim() {
        let t = read("v\nNA\n n/a\n");
        assert_eq!(
            t.column("v").unwrap().values,
            ColumnValues::Object(vec![None, Some(Scalar::Str(" n/a".into()))])
        );
    }
}
