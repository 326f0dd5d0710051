//! The one error type of forecasting, worded so that whoever reads it knows what to change: the input
//! file, the configuration, or the artefact they loaded.
//!
//! Every variant is terminal: running the same call on the same input fails the same way.

/// Why a table could not be read, a forecaster could not be fitted or applied, or an artefact decoded.
#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    /// The CSV text is not `timestamp,column,...` with a header and numeric values.
    #[error("line {line}: {reason}; expected a header `date,<column>,...` then one row per timestamp")]
    Csv {
        /// 1-based line number in the file.
        line: usize,
        /// What was wrong on that line.
        reason: String,
    },

    /// The timestamps do not advance by one constant step, so rows cannot be mapped to days.
    #[error(
        "line {line}: the timestamp is {got_secs} s after the previous row but the first two rows are {expected_secs} s apart; the protocol needs evenly spaced rows with no gaps"
    )]
    IrregularInterval {
        /// 1-based line number in the file.
        line: usize,
        /// Step found on that line, in seconds.
        got_secs: i64,
        /// Step between the first two rows, in seconds.
        expected_secs: i64,
    },

    /// The sampling interval does not divide a day, so "360 days" is not a whole number of rows.
    #[error(
        "a sampling interval of {interval_secs} s does not divide a day (86400 s); resample the data first"
    )]
    IntervalNotDividingDay {
        /// The interval found between consecutive rows.
        interval_secs: i64,
    },

    /// The table is shorter than the split it is asked for.
    #[error("the table has {rows} rows but {what} needs at least {needed}")]
    TooFewRows {
        /// Rows in the table.
        rows: usize,
        /// Rows the operation needs.
        needed: usize,
        /// What needed them, e.g. "the ETT split (600 days)".
        what: String,
    },

    /// A requested column does not exist.
    #[error("column {name:?} is not in the table; its columns are {available}")]
    UnknownColumn {
        /// The requested name.
        name: String,
        /// The columns that do exist, comma-separated.
        available: String,
    },

    /// A configuration value is out of range.
    #[error("invalid forecaster configuration: {0}")]
    InvalidConfig(String),

    /// The ridge system could not be solved (only possible with non-finite input).
    #[error(
        "the regularised normal equations are not positive definite (pivot {pivot} = {value:e}); the training data likely contains NaN or infinite values"
    )]
    NotPositiveDefinite {
        /// Index of the failing pivot.
        pivot: usize,
        /// Its value.
        value: f64,
    },

    /// A series handed to the model contains a value that is not finite.
    #[error(
        "channel {channel} row {row}: value {value} is not finite; fill or drop missing values before forecasting"
    )]
    NonFinite {
        /// Channel index.
        channel: usize,
        /// Row index within the series.
        row: usize,
        /// The value found.
        value: f64,
    },

    /// Prediction was asked for a series or window the model cannot use.
    #[error("{0}")]
    BadInput(String),

    /// The bytes are not a forecaster artefact of a version this build reads.
    #[error("not a twinpipe forecaster artefact: {0}")]
    Artefact(String),
}
