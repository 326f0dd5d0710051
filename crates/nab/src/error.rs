//! What can go wrong when loading a NAB corpus or scoring a detector, phrased so the user knows what to fix.

use std::path::PathBuf;

/// Errors from loading the corpus or scoring anomaly scores against it.
#[derive(Debug, thiserror::Error)]
pub enum NabError {
    /// A file of the corpus could not be read.
    #[error("cannot read {path}: {source} (is the NAB data folder complete? see its README)")]
    Read {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The label file is not the JSON object NAB ships.
    #[error("{path} is not a NAB label file (an object of file -> [[start, end], ...]): {source}")]
    Labels {
        /// The label file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A data row is not `timestamp,value` with a `YYYY-MM-DD HH:MM:SS` timestamp and a number.
    #[error("{path} line {line}: {reason} (expected `YYYY-MM-DD HH:MM:SS,<number>`)")]
    Row {
        /// The data file.
        path: PathBuf,
        /// 1-based line number, header included.
        line: usize,
        /// What is wrong with the row.
        reason: String,
    },
    /// A window limit names a timestamp that is not a row of its data file.
    #[error(
        "window limit {timestamp} of {file} matches no row of the data file; the labels and data do not belong together"
    )]
    WindowLimit {
        /// The data file, relative to the corpus folder.
        file: String,
        /// The window limit as written in the label file.
        timestamp: String,
    },
    /// A detector's scores do not cover the file row for row.
    #[error(
        "{file}: {scores} anomaly scores for {rows} rows; a detector must output exactly one score per row"
    )]
    ScoreCount {
        /// The data file.
        file: String,
        /// Rows in the data file.
        rows: usize,
        /// Scores given.
        scores: usize,
    },
    /// A score is NaN, which has no place in a threshold sweep.
    #[error("{file} row {row}: the anomaly score is NaN; a detector must output numbers")]
    NanScore {
        /// The data file.
        file: String,
        /// 0-based data row.
        row: usize,
    },
}
