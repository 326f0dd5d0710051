//! What can go wrong, worded so the user knows what to fix.

use thiserror::Error;

/// Errors of the quality library: bad input data, bad configuration files, unsupported columns.
#[derive(Debug, Error)]
pub enum QualityError {
    /// A dataset column has an Arrow type the profile cannot read as cells.
    #[error(
        "column '{column}' has type {data_type}, which the quality monitor cannot profile; use text, numbers, booleans, timestamps or dates"
    )]
    UnsupportedColumnType {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
    },
    /// A CSV row has a different number of fields than the header.
    #[error("CSV line {line} has {found} fields but the header has {expected}: fix the row or the header")]
    MismatchedRow {
        /// 1-based line number.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// Two columns share a name, so checks could not tell them apart.
    #[error("column name '{name}' appears twice in the header: column names must be unique")]
    DuplicateColumn {
        /// The repeated name.
        name: String,
    },
    /// The CSV text could not be read.
    #[error("CSV could not be read at line {line}: {reason}")]
    Csv {
        /// 1-based line number (0 when unknown).
        line: u64,
        /// The reader's explanation.
        reason: String,
    },
    /// A JSON Lines line is not a JSON object.
    #[error("JSON Lines line {line} is not a JSON object: {reason}")]
    JsonLine {
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The Parquet data could not be read.
    #[error("Parquet could not be read: {reason}")]
    Parquet {
        /// The reader's explanation.
        reason: String,
    },
    /// A configuration or baseline file does not have the expected shape.
    #[error("{what} is not valid: {reason}")]
    InvalidFile {
        /// Which file (statistics.json, constraints.json, …).
        what: String,
        /// The parser's explanation.
        reason: String,
    },
    /// A column named in the configuration is not in the dataset.
    #[error("column '{column}' is not in the dataset (columns: {available})")]
    UnknownColumn {
        /// The missing column.
        column: String,
        /// The dataset's columns, comma-separated.
        available: String,
    },
    /// A cell could not be read as the value the computation needs.
    #[error("column '{column}', row {row}: {value:?} is not {expected}")]
    BadValue {
        /// The column.
        column: String,
        /// 1-based data row.
        row: usize,
        /// The cell's text.
        value: String,
        /// What was expected (e.g. "a finite number").
        expected: String,
    },
    /// The input cannot support the requested computation (e.g. no rows, one class only).
    #[error("{0}")]
    Unusable(String),
}
