//! Joining captured inferences with ground truth (quality-monitoring.md §1.1, §1.2): each capture's key
//! is its `inferenceId`, else its `eventId`; it joins the ground-truth record whose `eventId` equals that
//! key. Unmatched captures are dropped and counted. When several ground-truth records share a key, the
//! one from the most recently modified object wins, ties going to the larger object key [ours].
//!
//! A key is any string, so forecasts join their actuals the same way with a key such as
//! `<asset_id>:<timestamp>`.

use std::collections::HashMap;

use base64::Engine as _;
use serde::Deserialize;

use crate::error::QualityError;

/// One captured request/response pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRecord {
    /// `inferenceId` if present, else `eventId`.
    pub key: String,
    /// The endpoint input payload, decoded to text.
    pub input: String,
    /// The endpoint output payload, decoded to text.
    pub output: String,
}

/// One ground-truth record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroundTruthRecord {
    /// `eventMetadata.eventId`: the capture key it labels.
    pub event_id: String,
    /// The label, decoded to text.
    pub label: String,
}

/// The ground-truth records of one stored object, with what decides between duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroundTruthObject {
    /// The object key.
    pub object_key: String,
    /// Its `LastModified`, epoch milliseconds.
    pub last_modified_ms: i64,
    /// Its records.
    pub records: Vec<GroundTruthRecord>,
}

/// A capture with its ground truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedRecord {
    /// The join key.
    pub key: String,
    /// Endpoint input.
    pub input: String,
    /// Endpoint output.
    pub output: String,
    /// The label.
    pub ground_truth: String,
}

/// The join's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Joined {
    /// Matched records, in capture order.
    pub records: Vec<JoinedRecord>,
    /// Captures with no ground truth (yet).
    pub unmatched_captures: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    data: String,
    #[serde(default)]
    encoding: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaptureData {
    endpoint_input: Payload,
    endpoint_output: Payload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventMetadata {
    #[serde(default)]
    event_id: Option<String>,
    #[serde(default)]
    inference_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaptureLine {
    capture_data: CaptureData,
    event_metadata: EventMetadata,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroundTruthLine {
    ground_truth_data: Payload,
    event_metadata: EventMetadata,
}

fn decode(p: &Payload) -> Result<String, String> {
    match p.encoding.as_deref().map(str::to_ascii_uppercase).as_deref() {
        Some("BASE64") => {
            let bytes =
                base64::engine::general_purpose::STANDARD.decode(p.data.trim()).map_err(|e| e.to_string())?;
            String::from_utf8(bytes).map_err(|_| "base64 payload is not UTF-8 text".to_owned())
        }
        _ => Ok(p.data.clone()),
    }
}

impl CaptureRecord {
    /// Parses one line of a capture file.
    pub fn parse(line: &str, line_number: u64) -> Result<Self, QualityError> {
        let bad = |reason: String| QualityError::JsonLine { line: line_number, reason };
        let c: CaptureLine = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let key = c
            .event_metadata
            .inference_id
            .or(c.event_metadata.event_id)
            .ok_or_else(|| bad("the capture has neither inferenceId nor eventId".into()))?;
        Ok(CaptureRecord {
            key,
            input: decode(&c.capture_data.endpoint_input).map_err(bad)?,
            output: decode(&c.capture_data.endpoint_output).map_err(bad)?,
        })
    }
}

impl GroundTruthRecord {
    /// Parses one line of a ground-truth file.
    pub fn parse(line: &str, line_number: u64) -> Result<Self, QualityError> {
        let bad = |reason: String| QualityError::JsonLine { line: line_number, reason };
        let g: GroundTruthLine = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        Ok(GroundTruthRecord {
            event_id: g
                .event_metadata
                .event_id
                .ok_or_else(|| bad("ground truth without eventMetadata.eventId".into()))?,
            label: decode(&g.ground_truth_data).map_err(bad)?,
        })
    }
}

/// Joins captures with ground truth (see the module docs for the rules).
pub fn join_ground_truth(captures: &[CaptureRecord], objects: &[GroundTruthObject]) -> Joined {
    let mut best: HashMap<&str, (&GroundTruthObject, &GroundTruthRecord)> = HashMap::new();
    for object in objects {
        for record in &object.records {
            let newer = |current: &GroundTruthObject| {
                (object.last_modified_ms, object.object_key.as_str())
                    >= (current.last_modified_ms, current.object_key.as_str())
            };
            match best.get(record.event_id.as_str()) {
                Some((current, _)) if !newer(current) => {}
                _ => {
                    best.insert(&record.event_id, (object, record));
                }
            }
        }
    }
    let mut joined = Joined::default();
    for c in captures {
        match best.get(c.key.as_str()) {
            Some((_, gt)) => joined.records.push(JoinedRecord {
                key: c.key.clone(),
                input: c.input.clone(),
                output: c.output.clone(),
                ground_truth: gt.label.clone(),
            }),
            None => joined.unmatched_captures += 1,
        }
    }
    joined
}

/// A field of an endpoint output: `None` = the whole (trimmed) output; a number = that CSV field;
/// anything else = that key of a JSON object output.
pub fn output_field(output: &str, attribute: Option<&str>) -> Option<String> {
    let Some(attr) = attribute else { return Some(output.trim().to_owned()) };
    if let Ok(index) = attr.parse::<usize>() {
        return output.trim().split(',').nth(index).map(|f| f.trim().to_owned());
    }
    let value: serde_json::Value = serde_json::from_str(output).ok()?;
    match value.get(attr)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_join_ground_truth_by_inference_id_and_the_newest_duplicate_wins() {
        let capture = CaptureRecord::parse(
            r#"{"captureData": {"endpointInput": {"data": "21.4,1503,RUN", "encoding": "CSV"},
                "endpointOutput": {"data": "MC44Mg==", "encoding": "BASE64"}},
                "eventMetadata": {"eventId": "e-1", "inferenceId": "twin-42:2024-06-01T10:00:00Z"}, "eventVersion": "0"}"#,
            1,
        )
        .unwrap();
        assert_eq!(capture.key, "twin-42:2024-06-01T10:00:00Z");
        assert_eq!(capture.output, "0.82");
        let gt = |label: &str| {
            GroundTruthRecord::parse(
                &format!(
                    r#"{{"groundTruthData": {{"data": "{label}", "encoding": "CSV"}},
                        "eventMetadata": {{"eventId": "twin-42:2024-06-01T10:00:00Z"}}, "eventVersion": "0"}}"#
                ),
                1,
            )
            .unwrap()
        };
        let objects = vec![
            GroundTruthObject { object_key: "gt/b".into(), last_modified_ms: 2_000, records: vec![gt("1")] },
            GroundTruthObject { object_key: "gt/a".into(), last_modified_ms: 1_000, records: vec![gt("0")] },
        ];
        let orphan = CaptureRecord { key: "nobody".into(), input: String::new(), output: "0.1".into() };
        let joined = join_ground_truth(&[capture, orphan], &objects);
        assert_eq!(joined.records.len(), 1);
        assert_eq!(joined.records[0].ground_truth, "1");
        assert_eq!(joined.unmatched_captures, 1);
    }

    #[test]
    fn output_fields_by_csv_index_or_json_key() {
        assert_eq!(output_field("1,0.82", Some("1")).as_deref(), Some("0.82"));
        assert_eq!(
            output_field(r#"{"predicted_label": 1, "score": 0.8}"#, Some("score")).as_deref(),
            Some("0.8")
        );
        assert_eq!(output_field(" 0.5\n", None).as_deref(), Some("0.5"));
    }
}
