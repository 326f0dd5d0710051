//! Quarantine records: what was rejected, why, and the original body, so an operator can fix the sender
//! and replay the message.

use aws_lambda_events::event::sqs::SqsMessage;
use serde_json::{Value, json};
use twinpipe_domain::{MessageError, ParsedMessage};

/// The record for a body that could not be used at all (not JSON, wrong shape, too large).
pub fn for_unusable_body(message: &SqsMessage, error: &MessageError) -> Value {
    json!({
        "message_id": message.message_id,
        "event_source_arn": message.event_source_arn,
        "sent_timestamp": message.attributes.get("SentTimestamp"),
        "error": { "code": error.code(), "reason": error.to_string() },
        "rejected": [],
        "body": message.body,
    })
}

/// The record for a body whose readings were partly or wholly rejected; `None` when none was.
pub fn for_rejected_readings(message: &SqsMessage, parsed: &ParsedMessage) -> Option<Value> {
    let rejected: Vec<Value> = parsed
        .rejected()
        .map(|(index, why, original)| {
            json!({ "index": index, "code": why.code, "field": why.field, "reason": why.reason, "record": original })
        })
        .collect();
    if rejected.is_empty() {
        return None;
    }
    Some(json!({
        "message_id": message.message_id,
        "event_source_arn": message.event_source_arn,
        "sent_timestamp": message.attributes.get("SentTimestamp"),
        "envelope": parsed.envelope,
        "error": null,
        "rejected": rejected,
        "body": message.body,
    }))
}
