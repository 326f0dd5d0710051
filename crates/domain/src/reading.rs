//! A validated sensor reading: the unit of data that flows from ingest to curation.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::units::Unit;

/// How far a reading can be trusted, following OPC UA's three status classes so that values coming from
/// an OPC UA gateway keep their meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Quality {
    #[default]
    Good,
    Uncertain,
    Bad,
}

impl Quality {
    /// The spelling used on the wire and in curated data.
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Good => "good",
            Quality::Uncertain => "uncertain",
            Quality::Bad => "bad",
        }
    }

    /// Parses the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Quality> {
        match s {
            "good" => Some(Quality::Good),
            "uncertain" => Some(Quality::Uncertain),
            "bad" => Some(Quality::Bad),
            _ => None,
        }
    }
}

/// A reading that passed validation. Its timestamp is held as UTC epoch milliseconds: the pipeline's
/// precision, and the key (with asset and sensor) on which curation deduplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub asset_id: String,
    pub sensor_id: String,
    pub ts_ms: i64,
    pub value: f64,
    pub unit: &'static Unit,
    pub quality: Quality,
    pub attributes: BTreeMap<String, String>,
}

impl Reading {
    /// The timestamp as RFC 3339 UTC with milliseconds, the one spelling the pipeline writes.
    pub fn ts_rfc3339(&self) -> String {
        format_ts_ms(self.ts_ms)
    }
}

/// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_ts_ms(ts_ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ts_ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|| ts_ms.to_string())
}
