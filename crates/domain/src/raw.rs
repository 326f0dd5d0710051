//! The raw landing format: newline-delimited JSON, one validated reading per line, with lineage.
//!
//! Ingest writes it and curation reads it. It stays JSON (not Parquet) so that a raw object is cheap to
//! write per message, readable with `jq`, and loadable by Athena, DuckDB or pyarrow's `read_json`.
//! Lines written by ingest always carry `quality` and `ingested_at`; readers treat both as optional so
//! that NDJSON produced by other tools (e.g. a backfill) curates as well.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::reading::{Reading, format_ts_ms, write_ts_ms};

/// One line of a raw object, borrowed from the object's text where possible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawLine<'a> {
    #[serde(borrow)]
    pub asset_id: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub sensor_id: std::borrow::Cow<'a, str>,
    /// RFC 3339 UTC with milliseconds.
    #[serde(borrow)]
    pub ts: std::borrow::Cow<'a, str>,
    pub value: f64,
    /// The unit as sent (a symbol from the unit table); curation converts to canonical units.
    #[serde(borrow)]
    pub unit: std::borrow::Cow<'a, str>,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<std::borrow::Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, String>>,
    /// When the reading entered the pipeline (the SQS `SentTimestamp`), RFC 3339 UTC with milliseconds.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub ingested_at: Option<std::borrow::Cow<'a, str>>,
}

/// Serialises readings as raw NDJSON, one line each, in the given order.
pub fn write_ndjson<'r>(readings: impl IntoIterator<Item = &'r Reading>, ingested_at_ms: i64) -> String {
    let ingested_at = format_ts_ms(ingested_at_ms);
    let mut out = Vec::with_capacity(4096);
    let mut ts = String::with_capacity(24);
    for r in readings {
        ts.clear();
        write_ts_ms(&mut ts, r.ts_ms);
        let line = RawLine {
            asset_id: r.asset_id.as_str().into(),
            sensor_id: r.sensor_id.as_str().into(),
            ts: ts.as_str().into(),
            value: r.value,
            unit: r.unit.symbol.into(),
            quality: Some(r.quality.as_str().into()),
            attributes: (!r.attributes.is_empty()).then(|| r.attributes.clone()),
            ingested_at: Some(ingested_at.as_str().into()),
        };
        // Serialising a struct of strings, finite floats and string maps cannot fail.
        serde_json::to_writer(&mut out, &line).expect("raw line serialises");
        out.push(b'\n');
    }
    String::from_utf8(out).expect("serde_json writes UTF-8")
}
