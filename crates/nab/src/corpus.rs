//! The NAB data folder: its data files (`<category>/<name>.csv`) and their anomaly windows
//! (`labels/combined_windows.json`), with window limits resolved to row indices.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use crate::NabError;

/// The label file inside a NAB data folder, relative to the folder.
pub const WINDOWS_FILE: &str = "labels/combined_windows.json";

/// An anomaly window as inclusive row indices, `start <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First row of the window.
    pub start: usize,
    /// Last row of the window (inclusive).
    pub end: usize,
}

impl Window {
    /// Number of rows in the window.
    pub fn width(&self) -> usize {
        self.end - self.start + 1
    }
}

/// What the scorer needs to know about one data file: its length and its windows, in row order.
#[derive(Debug, Clone, PartialEq)]
pub struct FileLabels {
    /// Path relative to the corpus folder with `/` separators, e.g. `realKnownCause/nyc_taxi.csv`.
    pub name: String,
    /// Number of data rows (header excluded).
    pub rows: usize,
    /// The windows, sorted and disjoint, as NAB's label file gives them.
    pub windows: Vec<Window>,
}

/// One data file of the corpus: its series and its labels.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// Length and windows, for scoring.
    pub labels: FileLabels,
    /// Row timestamps in milliseconds since the Unix epoch (NAB's naive timestamps read as UTC).
    pub timestamps_ms: Vec<i64>,
    /// Row values.
    pub values: Vec<f64>,
}

/// A NAB data folder, loaded: every file its label file names, in name order.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The files, sorted by name.
    pub files: Vec<CorpusFile>,
}

impl Corpus {
    /// Loads every file named in `<dir>/labels/combined_windows.json` and resolves its window limits to
    /// rows. Fails if a named file is missing or malformed, or a limit matches no row.
    pub fn load(dir: &Path) -> Result<Corpus, NabError> {
        let labels_path = dir.join(WINDOWS_FILE);
        let text = read(&labels_path)?;
        let limits: BTreeMap<String, Vec<[String; 2]>> =
            serde_json::from_str(&text).map_err(|source| NabError::Labels { path: labels_path, source })?;
        let files = limits
            .into_iter()
            .map(|(name, limits)| load_file(dir, name, &limits))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Corpus { files })
    }

    /// Total number of windows, the `#windows` of NAB's normalisation.
    pub fn window_count(&self) -> usize {
        self.files.iter().map(|f| f.labels.windows.len()).sum()
    }

    /// Total number of data rows.
    pub fn row_count(&self) -> usize {
        self.files.iter().map(|f| f.labels.rows).sum()
    }

    /// The file named `name` (relative path with `/`), if the corpus has it.
    pub fn file(&self, name: &str) -> Option<&CorpusFile> {
        self.files.iter().find(|f| f.labels.name == name)
    }
}

fn read(path: &Path) -> Result<String, NabError> {
    std::fs::read_to_string(path).map_err(|source| NabError::Read { path: path.to_path_buf(), source })
}

fn load_file(dir: &Path, name: String, limits: &[[String; 2]]) -> Result<CorpusFile, NabError> {
    let path = dir.join(&name);
    let (timestamps, values) = parse_series(&path, &read(&path)?)?;
    let row_of = |limit: &str| -> Result<usize, NabError> {
        let at = parse_timestamp(limit)
            .ok_or_else(|| NabError::WindowLimit { file: name.clone(), timestamp: limit.to_string() })?;
        timestamps
            .iter()
            .position(|t| *t == at)
            .ok_or_else(|| NabError::WindowLimit { file: name.clone(), timestamp: limit.to_string() })
    };
    let windows = limits
        .iter()
        .map(|[start, end]| Ok(Window { start: row_of(start)?, end: row_of(end)? }))
        .collect::<Result<Vec<_>, NabError>>()?;
    let timestamps_ms = timestamps.iter().map(|t| t.and_utc().timestamp_millis()).collect();
    let labels = FileLabels { name, rows: values.len(), windows };
    Ok(CorpusFile { labels, timestamps_ms, values })
}

/// Parses NAB's `timestamp,value` CSV text (with its header line).
pub fn parse_series(path: &Path, text: &str) -> Result<(Vec<NaiveDateTime>, Vec<f64>), NabError> {
    let row_error = |line: usize, reason: String| NabError::Row { path: PathBuf::from(path), line, reason };
    let mut timestamps = Vec::new();
    let mut values = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let (ts, value) = line
            .split_once(',')
            .ok_or_else(|| row_error(i + 1, "no comma between timestamp and value".into()))?;
        let ts = parse_timestamp(ts).ok_or_else(|| row_error(i + 1, format!("bad timestamp {ts:?}")))?;
        let value: f64 =
            value.trim().parse().map_err(|_| row_error(i + 1, format!("bad value {:?}", value.trim())))?;
        timestamps.push(ts);
        values.push(value);
    }
    Ok((timestamps, values))
}

/// Parses `YYYY-MM-DD HH:MM:SS` with optional fractional seconds, the form of NAB's data and labels.
pub fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f").ok()
}
