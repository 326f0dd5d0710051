//! Reading raw NDJSON (`twinpipe_domain::raw::RawLine`, one reading per line) into columns.
//!
//! This is curation's hot loop, so each line is deserialised with borrowed strings, ids and units are
//! interned instead of copied, and the canonical timestamp spelling is parsed without chrono. Any line
//! that is not a valid raw reading fails the whole object with its line number: raw data was validated
//! by ingest, so a bad line means a producer bypassed ingest and the object needs a human, not a retry.

use std::borrow::Cow;

use twinpipe_domain::Quality;
use twinpipe_domain::raw::RawLine;

use crate::error::CurationError;
use crate::interner::Interner;
use crate::timestamp::parse_ts_ms;

/// Most rows one raw object may hold: rows are indexed by `u32`.
pub const MAX_ROWS: usize = u32::MAX as usize;

/// The readings of one raw object, column by column, in file order, with units as sent.
///
/// Strings are borrowed from the raw text where possible, hence the lifetime. Pass it to
/// [`crate::normalise::normalise`] to convert values to canonical units.
#[derive(Debug, Clone, Default)]
pub struct RawBatch<'a> {
    pub(crate) assets: Interner<'a>,
    pub(crate) sensors: Interner<'a>,
    /// Unit spellings as sent; `unit_first_line[id]` is where each first appeared, for error messages.
    pub(crate) units: Interner<'a>,
    pub(crate) unit_first_line: Vec<usize>,
    pub(crate) rows: RowColumns,
}

/// Per-row columns. Row `i` of every vector is the `i`-th non-blank line.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowColumns {
    pub(crate) asset: Vec<u32>,
    pub(crate) sensor: Vec<u32>,
    pub(crate) ts_ms: Vec<i64>,
    pub(crate) value: Vec<f64>,
    pub(crate) unit: Vec<u32>,
    pub(crate) quality: Vec<Quality>,
    /// Index into `attributes_json`, for the few rows that carry attributes.
    pub(crate) attributes: Vec<Option<u32>>,
    pub(crate) attributes_json: Vec<String>,
    pub(crate) ingested_at_ms: Vec<Option<i64>>,
}

impl RawBatch<'_> {
    /// Number of readings (non-blank lines).
    pub fn len(&self) -> usize {
        self.rows.ts_ms.len()
    }

    /// Whether the object held no readings at all (empty or blank lines only).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Parses a raw NDJSON object. Blank lines are skipped; line numbers in errors are 1-based and count
/// every line of `text`, blank or not, so they match what an editor shows.
pub fn parse_raw(text: &str) -> Result<RawBatch<'_>, CurationError> {
    let mut batch = RawBatch::default();
    let expected_rows = text.len() / 96 + 1;
    batch.rows.reserve(expected_rows);
    for (index, line) in text.split('\n').enumerate() {
        if line.bytes().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        if batch.len() == MAX_ROWS {
            return Err(CurationError::TooManyRows { max: MAX_ROWS });
        }
        batch.push_line(index + 1, line)?;
    }
    Ok(batch)
}

impl<'a> RawBatch<'a> {
    fn push_line(&mut self, line_no: usize, line: &'a str) -> Result<(), CurationError> {
        let raw: RawLine<'a> = serde_json::from_str(line)
            .map_err(|e| CurationError::MalformedLine { line: line_no, reason: e.to_string() })?;
        let ts_ms = timestamp(line_no, "ts", &raw.ts)?;
        let ingested_at_ms =
            raw.ingested_at.as_deref().map(|t| timestamp(line_no, "ingested_at", t)).transpose()?;
        let quality = quality(line_no, raw.quality.as_deref())?;
        let unit = self.intern_unit(line_no, raw.unit);
        let attributes = raw.attributes.filter(|a| !a.is_empty()).map(|a| self.push_attributes(&a));
        let rows = &mut self.rows;
        rows.asset.push(self.assets.intern(raw.asset_id));
        rows.sensor.push(self.sensors.intern(raw.sensor_id));
        rows.ts_ms.push(ts_ms);
        rows.value.push(raw.value);
        rows.unit.push(unit);
        rows.quality.push(quality);
        rows.attributes.push(attributes);
        rows.ingested_at_ms.push(ingested_at_ms);
        Ok(())
    }

    fn intern_unit(&mut self, line_no: usize, unit: Cow<'a, str>) -> u32 {
        let id = self.units.intern(unit);
        if id as usize == self.unit_first_line.len() {
            self.unit_first_line.push(line_no);
        }
        id
    }

    /// Stores attributes as compact JSON. The map is sorted by key, so equal maps give equal text.
    fn push_attributes(&mut self, attributes: &std::collections::BTreeMap<String, String>) -> u32 {
        let json = serde_json::to_string(attributes).expect("a map of strings serialises");
        self.rows.attributes_json.push(json);
        (self.rows.attributes_json.len() - 1) as u32
    }
}

impl RowColumns {
    fn reserve(&mut self, rows: usize) {
        self.asset.reserve(rows);
        self.sensor.reserve(rows);
        self.ts_ms.reserve(rows);
        self.value.reserve(rows);
        self.unit.reserve(rows);
        self.quality.reserve(rows);
        self.attributes.reserve(rows);
        self.ingested_at_ms.reserve(rows);
    }
}

fn timestamp(line: usize, field: &'static str, text: &str) -> Result<i64, CurationError> {
    let ms = parse_ts_ms(text).ok_or_else(|| CurationError::InvalidTimestamp {
        line,
        field,
        value: text.to_owned(),
    })?;
    // Partitions and Parquet readers assume four-digit years.
    const MIN_MS: i64 = -62_167_219_200_000; // 0000-01-01T00:00:00Z
    const MAX_MS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    if !(MIN_MS..=MAX_MS).contains(&ms) {
        return Err(CurationError::TimestampOutOfRange { line, field, value: text.to_owned() });
    }
    Ok(ms)
}

fn quality(line: usize, text: Option<&str>) -> Result<Quality, CurationError> {
    match text {
        None => Ok(Quality::Good),
        Some(q) => {
            Quality::parse(q).ok_or_else(|| CurationError::InvalidQuality { line, value: q.to_owned() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"asset_id":"pump-1","sensor_id":"s-0","ts":"2024-06-01T00:00:00.250Z","value":1.5,"unit":"degC"}"#;

    #[test]
    fn blank_lines_are_skipped_and_strings_interned() {
        let text = format!("{LINE}\n\n  \r\n{LINE}\r\n");
        let b = parse_raw(&text).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b.assets.values().len(), 1);
        assert_eq!(b.rows.ts_ms, [1_717_200_000_250; 2]);
        assert_eq!(b.rows.quality, [Quality::Good; 2]);
    }

    #[test]
    fn malformed_line_error_names_the_line() {
        let text = format!("{LINE}\n\n{{\"asset_id\":\"pump-1\"}}\n");
        let err = parse_raw(&text).unwrap_err();
        assert!(matches!(err, CurationError::MalformedLine { line: 3, .. }), "{err:?}");
        assert!(err.to_string().starts_with("line 3: "), "{err}");
        assert!(err.to_string().contains("sensor_id"), "{err}");
    }

    #[test]
    fn bad_timestamp_and_quality_name_the_line() {
        let bad_ts = LINE.replace("2024-06-01T00:00:00.250Z", "2024-06-01 00:00");
        let err = parse_raw(&format!("{LINE}\n{bad_ts}")).unwrap_err();
        assert!(matches!(err, CurationError::InvalidTimestamp { line: 2, field: "ts", .. }), "{err:?}");
        let bad_q = LINE.replace("}", r#","quality":"ok"}"#);
        let err = parse_raw(&bad_q).unwrap_err();
        assert!(matches!(err, CurationError::InvalidQuality { line: 1, .. }), "{err:?}");
    }

    #[test]
    fn escaped_ids_are_owned_and_equal_to_their_unescaped_form() {
        let escaped = LINE.replace("pump-1", "pump\\u002d1");
        let text = format!("{LINE}\n{escaped}");
        let b = parse_raw(&text).unwrap();
        assert_eq!(b.rows.asset, [0, 0]);
    }
}
