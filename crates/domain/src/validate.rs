//! Validation of one reading's fields, with reasons precise enough for the sender to fix the record.
//!
//! A rejection is terminal: retrying the same record can never make it valid, so ingest quarantines it
//! instead of reporting it as a batch failure (which would loop until the message expires).

use std::collections::BTreeMap;
use std::fmt;

use chrono::DateTime;

use crate::reading::{Quality, Reading};
use crate::units::{Unit, known_symbols};

/// The limits a reading must respect. `now_ms` is passed in, never read from the clock here, so that
/// validation is deterministic and testable.
#[derive(Debug, Clone)]
pub struct ValidationPolicy {
    /// The validator's notion of now, in UTC epoch milliseconds.
    pub now_ms: i64,
    /// How far in the future a timestamp may be (device clock skew).
    pub max_future_skew_ms: i64,
    /// How old a reading may be; older ones are almost always a device with a reset clock.
    pub max_age_ms: i64,
    /// Longest asset or sensor id, in bytes.
    pub max_id_len: usize,
    /// Most attributes per reading, and the longest key and value, in bytes.
    pub max_attributes: usize,
    pub max_attribute_key_len: usize,
    pub max_attribute_value_len: usize,
    /// Largest message body, in bytes, and most readings in one message.
    pub max_body_bytes: usize,
    pub max_readings_per_message: usize,
}

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

impl ValidationPolicy {
    /// The documented defaults (docs/readings.md), anchored at `now_ms`.
    pub fn at(now_ms: i64) -> Self {
        ValidationPolicy {
            now_ms,
            max_future_skew_ms: 5 * MINUTE_MS,
            max_age_ms: 5 * 365 * DAY_MS,
            max_id_len: 128,
            max_attributes: 16,
            max_attribute_key_len: 64,
            max_attribute_value_len: 256,
            max_body_bytes: 1024 * 1024,
            max_readings_per_message: 10_000,
        }
    }

    /// The defaults anchored at the wall clock.
    pub fn now() -> Self {
        Self::at(chrono::Utc::now().timestamp_millis())
    }
}

/// Why a record was rejected: a stable machine-readable code plus the field and a human explanation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    pub code: RejectCode,
    /// The offending field, when one field is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

/// Stable codes, so quarantined records can be counted and routed by cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    NotAnObject,
    MissingField,
    UnknownField,
    WrongType,
    InvalidId,
    InvalidTimestamp,
    TimestampOutOfWindow,
    NonFiniteValue,
    UnknownUnit,
    InvalidQuality,
    InvalidAttributes,
}

impl Rejection {
    pub fn new(code: RejectCode, field: Option<&str>, reason: impl Into<String>) -> Self {
        Rejection { code, field: field.map(str::to_owned), reason: reason.into() }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

/// A timestamp as it arrived: RFC 3339 text or epoch milliseconds.
#[derive(Debug, Clone, Copy)]
pub enum TsInput<'a> {
    Text(&'a str),
    EpochMillis(i64),
}

/// The fields of one reading as they arrived, before validation.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    pub asset_id: &'a str,
    pub sensor_id: &'a str,
    pub ts: TsInput<'a>,
    pub value: f64,
    pub unit: &'a str,
    pub quality: Option<&'a str>,
    pub attributes: Option<BTreeMap<String, String>>,
}

/// Checks every field against the policy and builds the reading, or says precisely what is wrong.
pub fn validate(fields: Fields<'_>, policy: &ValidationPolicy) -> Result<Reading, Rejection> {
    check_id("asset_id", fields.asset_id, policy)?;
    check_id("sensor_id", fields.sensor_id, policy)?;
    let ts_ms = parse_ts(fields.ts)?;
    check_window(ts_ms, policy)?;
    if !fields.value.is_finite() {
        return Err(Rejection::new(RejectCode::NonFiniteValue, Some("value"), "must be a finite number"));
    }
    let unit = Unit::parse(fields.unit).ok_or_else(|| unknown_unit(fields.unit))?;
    let quality = match fields.quality {
        None => Quality::Good,
        Some(q) => Quality::parse(q).ok_or_else(|| {
            Rejection::new(
                RejectCode::InvalidQuality,
                Some("quality"),
                format!("{q:?} is not one of \"good\", \"uncertain\", \"bad\""),
            )
        })?,
    };
    let attributes = fields.attributes.unwrap_or_default();
    check_attributes(&attributes, policy)?;
    Ok(Reading {
        asset_id: fields.asset_id.to_owned(),
        sensor_id: fields.sensor_id.to_owned(),
        ts_ms,
        value: fields.value,
        unit,
        quality,
        attributes,
    })
}

/// Ids end up in partition values, file names and dashboards, so they are kept to a safe alphabet.
fn check_id(field: &str, id: &str, policy: &ValidationPolicy) -> Result<(), Rejection> {
    let bad = |reason: String| Err(Rejection::new(RejectCode::InvalidId, Some(field), reason));
    if id.is_empty() {
        return bad("must not be empty".into());
    }
    if id.len() > policy.max_id_len {
        return bad(format!("is {} bytes long; the limit is {}", id.len(), policy.max_id_len));
    }
    if let Some(c) = id.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))) {
        return bad(format!("{id:?} contains {c:?}; allowed are ASCII letters, digits and - _ . :"));
    }
    Ok(())
}

fn parse_ts(ts: TsInput<'_>) -> Result<i64, Rejection> {
    match ts {
        TsInput::EpochMillis(ms) => Ok(ms),
        TsInput::Text(s) => parse_rfc3339_ms(s).ok_or_else(|| {
            Rejection::new(
                RejectCode::InvalidTimestamp,
                Some("ts"),
                format!("{s:?} is not RFC 3339 with a UTC offset (e.g. \"2026-11-25T10:00:00.250Z\") nor epoch milliseconds"),
            )
        }),
    }
}

/// Parses RFC 3339 with an explicit offset into UTC epoch milliseconds (sub-millisecond digits truncated).
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp_millis())
}

fn check_window(ts_ms: i64, policy: &ValidationPolicy) -> Result<(), Rejection> {
    let latest = policy.now_ms + policy.max_future_skew_ms;
    let earliest = policy.now_ms - policy.max_age_ms;
    let out = |why: String| Err(Rejection::new(RejectCode::TimestampOutOfWindow, Some("ts"), why));
    if ts_ms > latest {
        return out(format!(
            "{} is {} s in the future; the allowed clock skew is {} s (check the device clock)",
            crate::reading::format_ts_ms(ts_ms),
            (ts_ms - policy.now_ms) / 1000,
            policy.max_future_skew_ms / 1000
        ));
    }
    if ts_ms < earliest {
        return out(format!(
            "{} is older than the {}-day limit (a device clock reset, or epoch seconds sent as milliseconds?)",
            crate::reading::format_ts_ms(ts_ms),
            policy.max_age_ms / DAY_MS
        ));
    }
    Ok(())
}

fn unknown_unit(unit: &str) -> Rejection {
    let known: Vec<&str> = known_symbols().collect();
    Rejection::new(
        RejectCode::UnknownUnit,
        Some("unit"),
        format!("{unit:?} is not a known unit; known units: {}", known.join(", ")),
    )
}

fn check_attributes(attrs: &BTreeMap<String, String>, policy: &ValidationPolicy) -> Result<(), Rejection> {
    let bad = |why: String| Err(Rejection::new(RejectCode::InvalidAttributes, Some("attributes"), why));
    if attrs.len() > policy.max_attributes {
        return bad(format!("has {} entries; the limit is {}", attrs.len(), policy.max_attributes));
    }
    for (k, v) in attrs {
        if k.is_empty() || k.len() > policy.max_attribute_key_len {
            return bad(format!("key {k:?} must be 1 to {} bytes", policy.max_attribute_key_len));
        }
        if v.len() > policy.max_attribute_value_len {
            return bad(format!(
                "value of {k:?} is {} bytes; the limit is {}",
                v.len(),
                policy.max_attribute_value_len
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_064_800_000; // 2025-11-25T10:00:00Z

    fn fields() -> Fields<'static> {
        Fields {
            asset_id: "pump-7",
            sensor_id: "discharge_pressure",
            ts: TsInput::Text("2025-11-25T09:59:00.250Z"),
            value: 412.5,
            unit: "kPa",
            quality: None,
            attributes: None,
        }
    }

    fn rejected(f: Fields<'static>) -> Rejection {
        validate(f, &ValidationPolicy::at(NOW)).unwrap_err()
    }

    #[test]
    fn valid_reading_is_accepted_with_millisecond_timestamp() {
        let r = validate(fields(), &ValidationPolicy::at(NOW)).unwrap();
        assert_eq!(r.ts_ms, NOW - 59_750);
        assert_eq!(r.quality, Quality::Good);
        assert_eq!(r.ts_rfc3339(), "2025-11-25T09:59:00.250Z");
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let f = Fields { ts: TsInput::Text("2025-11-25T11:59:00.250+02:00"), ..fields() };
        assert_eq!(validate(f, &ValidationPolicy::at(NOW)).unwrap().ts_ms, NOW - 59_750);
    }

    #[test]
    fn naive_timestamp_is_rejected() {
        let r = rejected(Fields { ts: TsInput::Text("2025-11-25T09:59:00"), ..fields() });
        assert_eq!(r.code, RejectCode::InvalidTimestamp);
    }

    #[test]
    fn future_and_ancient_timestamps_are_out_of_window() {
        let r = rejected(Fields { ts: TsInput::EpochMillis(NOW + 10 * MINUTE_MS), ..fields() });
        assert_eq!(r.code, RejectCode::TimestampOutOfWindow);
        assert!(r.reason.contains("future"), "{r}");
        let r = rejected(Fields { ts: TsInput::EpochMillis(NOW / 1000), ..fields() });
        assert!(r.reason.contains("epoch seconds"), "{r}");
    }

    #[test]
    fn unknown_unit_lists_known_ones() {
        let r = rejected(Fields { unit: "furlongs", ..fields() });
        assert_eq!(r.code, RejectCode::UnknownUnit);
        assert!(r.reason.contains("kPa"));
    }

    #[test]
    fn ids_with_path_characters_are_rejected() {
        let r = rejected(Fields { asset_id: "../etc", ..fields() });
        assert_eq!((r.code, r.field.as_deref()), (RejectCode::InvalidId, Some("asset_id")));
    }

    #[test]
    fn non_finite_and_bad_quality_are_rejected() {
        assert_eq!(rejected(Fields { value: f64::NAN, ..fields() }).code, RejectCode::NonFiniteValue);
        assert_eq!(rejected(Fields { quality: Some("ok"), ..fields() }).code, RejectCode::InvalidQuality);
    }
}
