//! An evenly sampled multichannel time series read from CSV (`date,<column>,...`), as the ETT files and
//! exported sensor histories come.

use chrono::{DateTime, NaiveDateTime};

use crate::ForecastError;

/// Columns of `f64` sampled at one constant interval, oldest row first.
///
/// Guarantees: every column has the same length; consecutive rows are exactly `interval_secs` apart
/// (checked on every row when parsed); values are finite.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeTable {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
    interval_secs: i64,
    first_timestamp: String,
}

impl TimeTable {
    /// Builds a table from columns already in memory.
    pub fn new(
        names: Vec<String>,
        columns: Vec<Vec<f64>>,
        interval_secs: i64,
    ) -> Result<Self, ForecastError> {
        if names.len() != columns.len() || names.is_empty() {
            return Err(ForecastError::BadInput(format!(
                "{} column names for {} columns; give one name per column and at least one column",
                names.len(),
                columns.len()
            )));
        }
        let rows = columns[0].len();
        if columns.iter().any(|c| c.len() != rows) {
            return Err(ForecastError::BadInput("columns have different lengths".into()));
        }
        if interval_secs <= 0 {
            return Err(ForecastError::BadInput(format!("interval {interval_secs} s must be positive")));
        }
        for (channel, column) in columns.iter().enumerate() {
            if let Some((row, &value)) = column.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(ForecastError::NonFinite { channel, row, value });
            }
        }
        Ok(Self { names, columns, interval_secs, first_timestamp: String::new() })
    }

    /// Parses CSV text: a header whose first field names the timestamp column, then one row per timestamp
    /// (`YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS` or RFC 3339) with numeric values.
    pub fn parse_csv(text: &str) -> Result<Self, ForecastError> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) =
            lines.next().ok_or(ForecastError::Csv { line: 1, reason: "the file is empty".into() })?;
        let names: Vec<String> = header.split(',').skip(1).map(|s| s.trim().to_string()).collect();
        if names.is_empty() {
            return Err(ForecastError::Csv { line: 1, reason: "the header has no value columns".into() });
        }
        let mut columns = vec![Vec::new(); names.len()];
        let mut previous: Option<i64> = None;
        let mut interval: Option<i64> = None;
        let mut first_timestamp = String::new();
        for (index, line) in lines {
            let line_no = index + 1;
            let mut fields = line.split(',');
            let stamp = fields.next().unwrap_or_default().trim();
            let secs = parse_timestamp(stamp).ok_or_else(|| ForecastError::Csv {
                line: line_no,
                reason: format!("{stamp:?} is not a timestamp"),
            })?;
            if first_timestamp.is_empty() {
                first_timestamp = stamp.to_string();
            }
            if let Some(prev) = previous {
                let step = secs - prev;
                match interval {
                    None if step > 0 => interval = Some(step),
                    Some(expected) if step == expected => {}
                    _ => {
                        return Err(ForecastError::IrregularInterval {
                            line: line_no,
                            got_secs: step,
                            expected_secs: interval.unwrap_or(0),
                        });
                    }
                }
            }
            previous = Some(secs);
            push_values(&mut columns, fields, line_no)?;
        }
        let interval_secs = interval.ok_or(ForecastError::Csv {
            line: 1,
            reason: "fewer than two data rows, so the sampling interval is unknown".into(),
        })?;
        Ok(Self { names, columns, interval_secs, first_timestamp })
    }

    /// Column names, in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Seconds between consecutive rows.
    pub fn interval_secs(&self) -> i64 {
        self.interval_secs
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns[0].len()
    }

    /// The first row's timestamp as written in the source (empty when built in memory).
    pub fn first_timestamp(&self) -> &str {
        &self.first_timestamp
    }

    /// The values of one column.
    pub fn column(&self, index: usize) -> &[f64] {
        &self.columns[index]
    }

    /// Indices of the named columns, in the order asked for.
    pub fn column_indices(&self, names: &[&str]) -> Result<Vec<usize>, ForecastError> {
        names
            .iter()
            .map(|name| {
                self.names.iter().position(|n| n == name).ok_or_else(|| ForecastError::UnknownColumn {
                    name: (*name).to_string(),
                    available: self.names.join(", "),
                })
            })
            .collect()
    }
}

fn push_values<'a>(
    columns: &mut [Vec<f64>],
    fields: impl Iterator<Item = &'a str>,
    line: usize,
) -> Result<(), ForecastError> {
    let fields: Vec<&str> = fields.collect();
    if fields.len() != columns.len() {
        return Err(ForecastError::Csv {
            line,
            reason: format!("{} values but the header names {} columns", fields.len(), columns.len()),
        });
    }
    for (column, field) in columns.iter_mut().zip(fields) {
        let value: f64 = field
            .trim()
            .parse()
            .map_err(|_| ForecastError::Csv { line, reason: format!("{field:?} is not a number") })?;
        if !value.is_finite() {
            return Err(ForecastError::Csv { line, reason: format!("{field:?} is not a finite number") });
        }
        column.push(value);
    }
    Ok(())
}

/// Seconds since the epoch (timestamps without an offset are taken as UTC).
fn parse_timestamp(text: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc().timestamp())
}
