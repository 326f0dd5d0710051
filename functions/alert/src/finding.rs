//! A finding: an "Anomaly Detected" or "Quality Violation" event, reduced to what an alert needs and
//! rendered for a human (subject and body readable in an email) and for filters (message attributes).

use std::collections::BTreeMap;

use serde_json::Value;
use twinpipe_domain::events::{self, AnomalyDetected, QualityViolation, Severity};
use twinpipe_ports::AttributeValue;

/// What the alert function acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// `Anomaly Detected` or `Quality Violation`.
    pub detail_type: &'static str,
    /// The asset concerned (`fleet` when a quality check is about the whole dataset).
    pub asset_id: String,
    /// The model (anomalies) or check (violations) that found it: the cooldown is per (asset, check).
    pub check: String,
    pub severity: Severity,
    /// Stable across redeliveries of the same finding.
    pub dedupe_key: String,
    /// One line for the subject.
    pub headline: String,
    /// The body's explanation lines.
    pub details: Vec<String>,
}

/// Why an event is not a finding this function handles.
#[derive(Debug, thiserror::Error)]
pub enum FindingError {
    #[error(
        "event has detail-type {0:?}; the alert function handles \"Anomaly Detected\" and \"Quality Violation\""
    )]
    UnexpectedType(String),
    #[error("event detail is not a valid {detail_type}: {reason}")]
    BadDetail { detail_type: &'static str, reason: String },
}

impl Finding {
    /// Reads a finding from an EventBridge envelope as Lambda delivers it.
    pub fn from_event(event: &Value) -> Result<Finding, FindingError> {
        let detail_type = event.get("detail-type").and_then(Value::as_str).unwrap_or_default();
        let detail = event.get("detail").cloned().unwrap_or(Value::Null);
        match detail_type {
            events::ANOMALY_DETECTED => parse(events::ANOMALY_DETECTED, detail).map(Finding::from_anomaly),
            events::QUALITY_VIOLATION => {
                parse(events::QUALITY_VIOLATION, detail).map(Finding::from_violation)
            }
            other => Err(FindingError::UnexpectedType(other.to_owned())),
        }
    }

    fn from_anomaly(a: AnomalyDetected) -> Finding {
        let sensors: Vec<&str> = a.sensors.iter().take(3).map(|s| s.sensor_id.as_str()).collect();
        let mut details = vec![
            format!("Asset {} looks anomalous to model {} v{}.", a.asset_id, a.model, a.model_version),
            format!(
                "Score {:.3} at {} ({} flagged readings from {}).",
                a.score, a.peak_ts, a.rows_flagged, a.start_ts
            ),
        ];
        details.extend(a.sensors.iter().map(|s| {
            format!(
                "  {}: observed {:.4}, expected {:.4} ({:.0}% of the anomaly)",
                s.sensor_id,
                s.observed,
                s.expected,
                100.0 * s.contribution
            )
        }));
        details.push(format!("Evidence: s3://{}/{}", a.bucket, a.evidence));
        Finding {
            detail_type: events::ANOMALY_DETECTED,
            headline: format!("{}: anomaly ({})", a.asset_id, sensors.join(", ")),
            asset_id: a.asset_id,
            check: a.model,
            severity: a.severity,
            dedupe_key: a.dedupe_key,
            details,
        }
    }

    fn from_violation(v: QualityViolation) -> Finding {
        let asset_id = v.asset_id.clone().unwrap_or_else(|| "fleet".to_owned());
        let mut details =
            vec![format!("{} check {} failed for {}.", v.check, v.metric, v.feature), v.description.clone()];
        if let (Some(observed), Some(threshold)) = (v.observed, v.threshold) {
            details.push(format!("Observed {observed} against threshold {threshold}."));
        }
        details.extend(v.evidence.iter().map(|key| format!("Evidence: s3://{}/{key}", v.bucket)));
        Finding {
            detail_type: events::QUALITY_VIOLATION,
            headline: format!("{asset_id}: {} {} on {}", v.check, v.metric, v.feature),
            asset_id,
            check: format!("{}/{}", v.check, v.metric),
            severity: v.severity,
            dedupe_key: v.dedupe_key,
            details,
        }
    }

    /// The SNS subject: severity, headline and environment. SNS wants printable ASCII, no line breaks,
    /// fewer than 100 characters; anything else is replaced or cut so the publish never fails on it.
    pub fn subject(&self, environment: &str) -> String {
        let subject =
            format!("[{}] {} ({environment})", self.severity.as_str().to_uppercase(), self.headline);
        sns_subject(&subject)
    }

    /// The message attributes subscribers filter on (SNS filter policies).
    pub fn attributes(&self, environment: &str) -> BTreeMap<String, AttributeValue> {
        let s = |v: &str| AttributeValue::String(v.to_owned());
        BTreeMap::from([
            ("severity".to_owned(), s(self.severity.as_str())),
            ("asset_id".to_owned(), s(&self.asset_id)),
            ("check".to_owned(), s(&self.check)),
            ("environment".to_owned(), s(environment)),
            ("event_type".to_owned(), s(self.detail_type)),
        ])
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    detail_type: &'static str,
    detail: Value,
) -> Result<T, FindingError> {
    serde_json::from_value(detail).map_err(|e| FindingError::BadDetail { detail_type, reason: e.to_string() })
}

/// Printable ASCII only (others become `?`), at most 99 characters (cut ones end in `...`).
fn sns_subject(text: &str) -> String {
    const MAX: usize = 99;
    let ascii: String =
        text.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect();
    if ascii.len() <= MAX { ascii } else { format!("{}...", &ascii[..MAX - 3]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_printable_ascii_under_100_characters() {
        let long = format!("pump-ü {}\nend", "x".repeat(200));
        let subject = sns_subject(&long);
        assert_eq!(subject.len(), 99);
        assert!(subject.chars().all(|c| c.is_ascii_graphic() || c == ' '), "{subject}");
        assert!(subject.starts_with("pump-? xxx") && subject.ends_with("..."), "{subject}");
    }
}
