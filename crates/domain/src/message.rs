//! Parsing an SQS message body into readings.
//!
//! A body may carry one reading (a JSON object), an array of readings, the object an AWS IoT Core rule
//! sends (`{"topic": …, "readings": [...]}`, or the same payload base64-encoded when the rule's SQS action
//! has `useBase64`), or the envelope SNS wraps around a message when raw delivery is off. Every reading is
//! validated on its own: one bad reading is rejected with its index and reason, its neighbours still pass.
//!
//! The common case (a well-formed array or object) takes a fast path that deserialises straight into
//! borrowed fields; anything else falls back to a slower path that can say exactly what is wrong.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::reading::Reading;
use crate::validate::{Fields, RejectCode, Rejection, TsInput, ValidationPolicy, validate};

/// The wrapper a body arrived in; kept for lineage and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Envelope {
    /// A bare reading object.
    Single,
    /// A JSON array of readings.
    Array,
    /// An AWS IoT Core rule payload with a `readings` array.
    IotRule,
    /// The same, base64-encoded by the rule's SQS action (`useBase64`).
    IotRuleBase64,
    /// An SNS notification envelope (SNS → SQS with raw delivery off) around any of the above.
    Sns,
}

/// Why a whole body was unusable. Terminal: the body is quarantined as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("body is {size} bytes; the limit is {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("body is empty")]
    Empty,
    #[error("body is not valid JSON: {detail} (line {line}, column {column})")]
    NotJson { detail: String, line: usize, column: usize },
    #[error(
        "body is JSON {found}; expected a reading object, an array of readings, an IoT rule payload with \"readings\", or an SNS envelope"
    )]
    WrongShape { found: &'static str },
    #[error("body carries {count} readings; the limit per message is {limit}")]
    TooManyReadings { count: usize, limit: usize },
    #[error("SNS envelope: {0}")]
    BadSnsEnvelope(String),
    #[error("IoT rule payload: \"readings\" must be an array, found {found}")]
    BadIotPayload { found: &'static str },
}

impl MessageError {
    /// A stable code for counting quarantined bodies by cause.
    pub fn code(&self) -> &'static str {
        match self {
            MessageError::TooLarge { .. } => "body_too_large",
            MessageError::Empty => "empty_body",
            MessageError::NotJson { .. } => "not_json",
            MessageError::WrongShape { .. } => "wrong_shape",
            MessageError::TooManyReadings { .. } => "too_many_readings",
            MessageError::BadSnsEnvelope(_) => "bad_sns_envelope",
            MessageError::BadIotPayload { .. } => "bad_iot_payload",
        }
    }
}

/// One element of a body: a reading or the reason it was rejected, with its position and original JSON.
#[derive(Debug, Clone)]
pub enum Item {
    Valid(Reading),
    Rejected { index: usize, rejection: Rejection, original: Value },
}

/// The outcome of parsing one body.
#[derive(Debug, Clone)]
pub struct ParsedMessage {
    pub envelope: Envelope,
    pub items: Vec<Item>,
}

impl ParsedMessage {
    /// The readings that passed validation, in body order.
    pub fn valid(&self) -> impl Iterator<Item = &Reading> {
        self.items.iter().filter_map(|i| match i {
            Item::Valid(r) => Some(r),
            Item::Rejected { .. } => None,
        })
    }

    /// The rejected elements with their index, reason and original JSON.
    pub fn rejected(&self) -> impl Iterator<Item = (usize, &Rejection, &Value)> {
        self.items.iter().filter_map(|i| match i {
            Item::Rejected { index, rejection, original } => Some((*index, rejection, original)),
            Item::Valid(_) => None,
        })
    }
}

/// Parses and validates a message body.
pub fn parse_message(body: &str, policy: &ValidationPolicy) -> Result<ParsedMessage, MessageError> {
    if body.len() > policy.max_body_bytes {
        return Err(MessageError::TooLarge { size: body.len(), limit: policy.max_body_bytes });
    }
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Err(MessageError::Empty);
    }
    if !trimmed.starts_with(['{', '['])
        && let Some(decoded) = decode_base64_json(trimmed)
    {
        let mut parsed = parse_json(&decoded, policy, false)?;
        if parsed.envelope == Envelope::IotRule {
            parsed.envelope = Envelope::IotRuleBase64;
        }
        return Ok(parsed);
    }
    parse_json(trimmed, policy, true)
}

fn decode_base64_json(s: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.trim_start().starts_with(['{', '[']).then_some(text)
}

fn parse_json(body: &str, policy: &ValidationPolicy, allow_sns: bool) -> Result<ParsedMessage, MessageError> {
    if let Some(fast) = fast_path(body, policy)? {
        return Ok(fast);
    }
    let value: Value = serde_json::from_str(body).map_err(|e| MessageError::NotJson {
        detail: e.to_string().split(" at line").next().unwrap_or_default().to_owned(),
        line: e.line(),
        column: e.column(),
    })?;
    match value {
        Value::Array(items) => from_values(Envelope::Array, items, policy),
        Value::Object(map) if allow_sns && is_sns_envelope(&map) => {
            let inner = sns_message(&map)?;
            let mut parsed = parse_json(inner.trim(), policy, false)?;
            parsed.envelope = Envelope::Sns;
            Ok(parsed)
        }
        Value::Object(mut map) if map.contains_key("readings") => match map.remove("readings") {
            Some(Value::Array(items)) => from_values(Envelope::IotRule, items, policy),
            Some(other) => Err(MessageError::BadIotPayload { found: json_kind(&other) }),
            None => unreachable!("checked by contains_key"),
        },
        Value::Object(map) => from_values(Envelope::Single, vec![Value::Object(map)], policy),
        other => Err(MessageError::WrongShape { found: json_kind(&other) }),
    }
}

fn is_sns_envelope(map: &Map<String, Value>) -> bool {
    map.get("Type").and_then(Value::as_str) == Some("Notification") && map.contains_key("TopicArn")
}

fn sns_message(map: &Map<String, Value>) -> Result<&str, MessageError> {
    match map.get("Message") {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(MessageError::BadSnsEnvelope(format!(
            "\"Message\" must be a string, found {}",
            json_kind(other)
        ))),
        None => Err(MessageError::BadSnsEnvelope("no \"Message\" field".into())),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A reading exactly as the fast path expects it. Any deviation (unknown field, wrong type) makes the
/// fast path give up, and the slow path then explains the problem.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireReading<'a> {
    #[serde(borrow)]
    asset_id: Cow<'a, str>,
    #[serde(borrow)]
    sensor_id: Cow<'a, str>,
    #[serde(borrow)]
    ts: WireTs<'a>,
    value: f64,
    #[serde(borrow)]
    unit: Cow<'a, str>,
    #[serde(borrow, default)]
    quality: Option<Cow<'a, str>>,
    #[serde(default)]
    attributes: Option<BTreeMap<String, String>>,
}

/// A timestamp as it arrives: epoch milliseconds or text.
///
/// Deserialised by hand rather than with `#[serde(untagged)]`: untagged enums buffer the value and build
/// a full error for every variant that does not fit, which made timestamp parsing half the cost of the
/// fast path.
enum WireTs<'a> {
    Millis(i64),
    Text(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for WireTs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TsVisitor;

        impl<'de> serde::de::Visitor<'de> for TsVisitor {
            type Value = WireTs<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an RFC 3339 string or integer epoch milliseconds")
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(WireTs::Millis(v))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v).map(WireTs::Millis).map_err(|_| E::custom("epoch milliseconds out of range"))
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(WireTs::Text(Cow::Borrowed(v)))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(WireTs::Text(Cow::Owned(v.to_owned())))
            }
        }

        deserializer.deserialize_any(TsVisitor)
    }
}

impl WireReading<'_> {
    fn fields(&self) -> Fields<'_> {
        Fields {
            asset_id: &self.asset_id,
            sensor_id: &self.sensor_id,
            ts: match &self.ts {
                WireTs::Millis(ms) => TsInput::EpochMillis(*ms),
                WireTs::Text(s) => TsInput::Text(s),
            },
            value: self.value,
            unit: &self.unit,
            quality: self.quality.as_deref(),
            attributes: self.attributes.clone(),
        }
    }
}

/// Parses a well-formed array or object of readings directly; `Ok(None)` sends the body to the slow path.
fn fast_path(body: &str, policy: &ValidationPolicy) -> Result<Option<ParsedMessage>, MessageError> {
    let (envelope, wires) = if body.starts_with('[') {
        match serde_json::from_str::<Vec<WireReading>>(body) {
            Ok(w) => (Envelope::Array, w),
            Err(_) => return Ok(None),
        }
    } else {
        match serde_json::from_str::<WireReading>(body) {
            Ok(w) => (Envelope::Single, vec![w]),
            Err(_) => return Ok(None),
        }
    };
    check_count(wires.len(), policy)?;
    let items = wires
        .iter()
        .enumerate()
        .map(|(index, w)| match validate(w.fields(), policy) {
            Ok(r) => Item::Valid(r),
            Err(rejection) => {
                Item::Rejected { index, rejection, original: wire_to_value(body, index, envelope) }
            }
        })
        .collect();
    Ok(Some(ParsedMessage { envelope, items }))
}

/// Recovers the original JSON of element `index` for the quarantine record (rare path: rejections only).
fn wire_to_value(body: &str, index: usize, envelope: Envelope) -> Value {
    match (envelope, serde_json::from_str::<Value>(body)) {
        (Envelope::Array, Ok(Value::Array(mut items))) if index < items.len() => items.swap_remove(index),
        (_, Ok(v)) => v,
        (_, Err(_)) => Value::Null,
    }
}

fn check_count(count: usize, policy: &ValidationPolicy) -> Result<(), MessageError> {
    if count > policy.max_readings_per_message {
        return Err(MessageError::TooManyReadings { count, limit: policy.max_readings_per_message });
    }
    Ok(())
}

fn from_values(
    envelope: Envelope,
    values: Vec<Value>,
    policy: &ValidationPolicy,
) -> Result<ParsedMessage, MessageError> {
    check_count(values.len(), policy)?;
    let items = values
        .into_iter()
        .enumerate()
        .map(|(index, v)| match reading_from_value(&v, policy) {
            Ok(r) => Item::Valid(r),
            Err(rejection) => Item::Rejected { index, rejection, original: v },
        })
        .collect();
    Ok(ParsedMessage { envelope, items })
}

const FIELDS: [&str; 7] = ["asset_id", "sensor_id", "ts", "value", "unit", "quality", "attributes"];

/// The slow path for one element: explains the first problem in terms of the field that has it.
fn reading_from_value(v: &Value, policy: &ValidationPolicy) -> Result<Reading, Rejection> {
    let map = v.as_object().ok_or_else(|| {
        Rejection::new(
            RejectCode::NotAnObject,
            None,
            format!("a reading must be a JSON object, found {}", json_kind(v)),
        )
    })?;
    if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(Rejection::new(
            RejectCode::UnknownField,
            Some(unknown),
            format!("unknown field; a reading has {}", FIELDS.join(", ")),
        ));
    }
    let fields = Fields {
        asset_id: required_str(map, "asset_id")?,
        sensor_id: required_str(map, "sensor_id")?,
        ts: match required(map, "ts")? {
            Value::String(s) => TsInput::Text(s),
            Value::Number(n) => TsInput::EpochMillis(n.as_i64().ok_or_else(|| {
                wrong_type("ts", "an RFC 3339 string or integer epoch milliseconds", v.get("ts").unwrap())
            })?),
            other => {
                return Err(wrong_type("ts", "an RFC 3339 string or integer epoch milliseconds", other));
            }
        },
        value: match required(map, "value")? {
            Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
            other => return Err(wrong_type("value", "a number", other)),
        },
        unit: required_str(map, "unit")?,
        quality: match map.get("quality") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => return Err(wrong_type("quality", "a string", other)),
        },
        attributes: match map.get("attributes") {
            None | Some(Value::Null) => None,
            Some(Value::Object(a)) => Some(string_map(a)?),
            Some(other) => return Err(wrong_type("attributes", "an object of strings", other)),
        },
    };
    validate(fields, policy)
}

fn required<'a>(map: &'a Map<String, Value>, field: &str) -> Result<&'a Value, Rejection> {
    map.get(field).ok_or_else(|| Rejection::new(RejectCode::MissingField, Some(field), "is required"))
}

fn required_str<'a>(map: &'a Map<String, Value>, field: &str) -> Result<&'a str, Rejection> {
    match required(map, field)? {
        Value::String(s) => Ok(s),
        other => Err(wrong_type(field, "a string", other)),
    }
}

fn wrong_type(field: &str, expected: &str, found: &Value) -> Rejection {
    let shown = found.to_string();
    let shown =
        if shown.len() > 40 { format!("{}…", &shown[..shown.floor_char_boundary(40)]) } else { shown };
    Rejection::new(
        RejectCode::WrongType,
        Some(field),
        format!("must be {expected}, found {} {shown}", json_kind(found)),
    )
}

fn string_map(a: &Map<String, Value>) -> Result<BTreeMap<String, String>, Rejection> {
    a.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            other => Err(wrong_type("attributes", "an object of strings", other)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_064_800_000; // 2025-11-25T10:00:00Z
    const GOOD: &str =
        r#"{"asset_id":"pump-7","sensor_id":"temp","ts":"2025-11-25T09:00:00Z","value":71.5,"unit":"degF"}"#;

    fn parse(body: &str) -> Result<ParsedMessage, MessageError> {
        parse_message(body, &ValidationPolicy::at(NOW))
    }

    #[test]
    fn single_object_and_array_are_accepted() {
        assert_eq!(parse(GOOD).unwrap().envelope, Envelope::Single);
        let arr = format!("[{GOOD},{GOOD}]");
        let p = parse(&arr).unwrap();
        assert_eq!((p.envelope, p.valid().count()), (Envelope::Array, 2));
    }

    #[test]
    fn one_bad_reading_does_not_spoil_its_neighbours() {
        let bad = GOOD.replace("71.5", "\"n/a\"");
        let p = parse(&format!("[{GOOD},{bad},{GOOD}]")).unwrap();
        assert_eq!(p.valid().count(), 2);
        let (index, why, original) = p.rejected().next().unwrap();
        assert_eq!(index, 1);
        assert_eq!(why.code, RejectCode::WrongType);
        assert_eq!(why.field.as_deref(), Some("value"));
        assert!(why.reason.contains("\"n/a\""), "{why}");
        assert_eq!(original["value"], "n/a");
    }

    #[test]
    fn semantic_rejection_on_fast_path_keeps_original() {
        let bad = GOOD.replace("degF", "furlong");
        let p = parse(&format!("[{GOOD},{bad}]")).unwrap();
        let (index, why, original) = p.rejected().next().unwrap();
        assert_eq!((index, why.code), (1, RejectCode::UnknownUnit));
        assert_eq!(original["unit"], "furlong");
    }

    #[test]
    fn sns_envelope_is_unwrapped() {
        let env = serde_json::json!({
            "Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
            "Message": format!("[{GOOD}]"), "Timestamp": "2025-11-25T09:00:01Z"
        });
        let p = parse(&env.to_string()).unwrap();
        assert_eq!((p.envelope, p.valid().count()), (Envelope::Sns, 1));
    }

    #[test]
    fn iot_rule_payload_plain_and_base64() {
        let payload = format!(r#"{{"topic":"twinpipe/pump-7/readings","readings":[{GOOD}]}}"#);
        assert_eq!(parse(&payload).unwrap().envelope, Envelope::IotRule);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&payload);
        let p = parse(&b64).unwrap();
        assert_eq!((p.envelope, p.valid().count()), (Envelope::IotRuleBase64, 1));
    }

    #[test]
    fn whole_body_errors_are_precise() {
        assert!(matches!(parse("this is not json"), Err(MessageError::NotJson { line: 1, .. })));
        assert!(matches!(parse("   "), Err(MessageError::Empty)));
        assert!(matches!(parse("42"), Err(MessageError::WrongShape { found: "a number" })));
        assert!(matches!(parse(r#"{"readings": 3}"#), Err(MessageError::BadIotPayload { .. })));
    }

    #[test]
    fn unknown_and_missing_fields_are_named() {
        let typo = GOOD.replace("\"value\"", "\"vaule\"");
        let p = parse(&typo).unwrap();
        let (_, why, _) = p.rejected().next().unwrap();
        assert_eq!((why.code, why.field.as_deref()), (RejectCode::UnknownField, Some("vaule")));
    }

    #[test]
    fn epoch_millis_timestamp_is_accepted() {
        let body = GOOD.replace("\"2025-11-25T09:00:00Z\"", "1764061200000");
        let r = parse(&body).unwrap().valid().next().unwrap().clone();
        assert_eq!(r.ts_ms, 1_764_061_200_000);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn never_panics_on_arbitrary_text(body in ".{0,400}") {
                let _ = parse(&body);
            }

            #[test]
            fn never_panics_on_mutated_readings(
                asset in ".{0,20}", value in proptest::num::f64::ANY, unit in "[a-zA-Z%/°0-9]{0,6}",
                ts in proptest::option::of(any::<i64>()), q in proptest::option::of(".{0,8}"),
            ) {
                let reading = serde_json::json!({
                    "asset_id": asset, "sensor_id": "s", "ts": ts, "value": value, "unit": unit, "quality": q,
                });
                let body = format!("[{reading},{GOOD}]");
                if let Ok(p) = parse(&body) {
                    prop_assert_eq!(p.items.len(), 2);
                    prop_assert_eq!(p.valid().count() + p.rejected().count(), 2);
                }
            }

            #[test]
            fn every_element_is_accounted_for(n in 0usize..30, bad_every in 1usize..5) {
                let bad = GOOD.replace("71.5", "\"x\"");
                let elems: Vec<&str> = (0..n).map(|i| if i % bad_every == 0 { bad.as_str() } else { GOOD }).collect();
                let p = parse(&format!("[{}]", elems.join(","))).unwrap();
                prop_assert_eq!(p.items.len(), n);
                prop_assert_eq!(p.rejected().count(), (0..n).filter(|i| i % bad_every == 0).count());
            }
        }
    }
}
