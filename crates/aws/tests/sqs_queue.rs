//! `SqsQueue` against a real SQS API (the moto server of ./scripts/test.sh): the Lambda event it builds,
//! and the receive → handle → delete-successes cycle of Lambda's event source mapping.

mod moto;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;
use twinpipe_aws::{OutgoingMessage, SqsError};
use twinpipe_ports::AttributeValue;

fn reading(n: usize) -> OutgoingMessage {
    let mut message = OutgoingMessage::new(format!("{{\"site\":\"a\",\"n\":{n}}}"));
    message.attributes = BTreeMap::from([
        ("site".to_owned(), AttributeValue::String("a".into())),
        ("n".to_owned(), AttributeValue::Number(n as f64)),
    ]);
    message
}

/// A stand-in for a Lambda SQS handler: each record on its own; bodies that are not JSON are reported
/// as batch item failures, the rest succeed.
fn handle(event: &SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for record in &event.records {
        if serde_json::from_str::<Value>(record.body.as_deref().unwrap_or_default()).is_err() {
            response.add_failure(record.message_id.clone().expect("SQS gives every message an id"));
        }
    }
    response
}

#[tokio::test]
async fn received_messages_have_the_lambda_sqs_event_shape() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let queue = aws.queue("tp-shape", &[]).await;
    queue.send_batch(vec![reading(1)]).await.unwrap();

    let event = queue.receive_as_lambda_event(10).await.unwrap();

    // What a Lambda function would be given, field names included.
    let json = serde_json::to_value(&event).unwrap();
    let records = json["Records"].as_array().expect("records under `Records`");
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert!(record["messageId"].as_str().is_some_and(|id| !id.is_empty()), "{record}");
    assert!(record["receiptHandle"].as_str().is_some_and(|h| !h.is_empty()), "{record}");
    assert_eq!(record["body"], r#"{"site":"a","n":1}"#);
    assert_eq!(record["md5OfBody"].as_str().map(str::len), Some(32), "{record}");
    assert_eq!(record["eventSource"], "aws:sqs");
    assert_eq!(record["eventSourceARN"], queue.arn().await.unwrap());
    assert!(queue.arn().await.unwrap().starts_with("arn:aws:sqs:us-east-1:"));
    assert_eq!(record["awsRegion"], "us-east-1");
    assert_eq!(record["attributes"]["ApproximateReceiveCount"], "1");
    for name in ["SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"] {
        assert!(record["attributes"][name].is_string(), "attribute {name} in {record}");
    }
    assert_eq!(record["messageAttributes"]["site"]["stringValue"], "a");
    assert_eq!(record["messageAttributes"]["site"]["dataType"], "String");
    assert_eq!(record["messageAttributes"]["n"]["stringValue"], "1");
    assert_eq!(record["messageAttributes"]["n"]["dataType"], "Number");

    // And it reads back as the event type handlers take.
    let back: SqsEvent = serde_json::from_value(json).unwrap();
    assert_eq!(back, event);
}

#[tokio::test]
async fn deleting_the_successes_leaves_reported_failures_for_redelivery() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let queue = aws.queue("tp-redrive", &[(QueueAttributeName::VisibilityTimeout, "1")]).await;
    let mut bad = OutgoingMessage::new("not json");
    bad.attributes.insert("site".into(), AttributeValue::String("a".into()));
    queue.send_batch(vec![reading(1), bad, reading(3)]).await.unwrap();

    let event = queue.receive_as_lambda_event(10).await.unwrap();
    assert_eq!(event.records.len(), 3);
    let response = handle(&event);
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(queue.delete_successes(&event, &response).await.unwrap(), 2);

    // After the visibility timeout only the failed message comes back, as on Lambda.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let again = moto::receive_until(&queue, 1, Duration::from_secs(5)).await;
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0].message_id, Some(response.batch_item_failures[0].item_identifier.clone()));
    assert_eq!(again[0].body.as_deref(), Some("not json"));
    assert_eq!(again[0].attributes.get("ApproximateReceiveCount").map(String::as_str), Some("2"));
}

#[tokio::test]
async fn a_rejected_entry_is_reported_while_the_others_are_sent() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let queue = aws.queue("tp-reject", &[]).await;
    // SQS refuses a delay over 900 s per entry, inside a 200, as the sender's fault.
    let mut too_late = reading(2);
    too_late.delay_seconds = Some(901);

    let err = queue.send_batch(vec![reading(1), too_late, reading(3)]).await.unwrap_err();

    match &err {
        SqsError::Rejected { operation, failed, total, first_error, .. } => {
            assert_eq!((*operation, *failed, *total), ("SendMessageBatch", 1, 3));
            assert!(first_error.starts_with("entry 1: InvalidParameterValue"), "{first_error}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    let records = moto::receive_until(&queue, 2, Duration::from_secs(5)).await;
    let mut bodies: Vec<&str> = records.iter().map(|r| r.body.as_deref().unwrap()).collect();
    bodies.sort();
    assert_eq!(bodies, vec![r#"{"site":"a","n":1}"#, r#"{"site":"a","n":3}"#], "the valid ones, once each");
}

#[tokio::test]
async fn receiving_takes_several_calls_up_to_the_maximum_asked() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let queue = aws.queue("tp-many", &[]).await;
    queue.send_batch((0..23).map(reading).collect()).await.unwrap();

    let first = queue.receive_as_lambda_event(15).await.unwrap();
    assert_eq!(first.records.len(), 15, "more than one ReceiveMessage call of 10");
    let rest = queue.receive_as_lambda_event(100).await.unwrap();
    assert_eq!(rest.records.len(), 8, "stops when the queue has nothing more to give");

    let mut ns: Vec<u64> = first
        .records
        .iter()
        .chain(&rest.records)
        .map(|r| serde_json::from_str::<Value>(r.body.as_deref().unwrap()).unwrap()["n"].as_u64().unwrap())
        .collect();
    ns.sort();
    assert_eq!(ns, (0..23).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_empty_queue_gives_an_event_without_records() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let queue = aws.queue("tp-empty", &[]).await.with_wait_time(Duration::ZERO);

    let event = queue.receive_as_lambda_event(10).await.unwrap();

    assert!(event.records.is_empty());
    assert_eq!(serde_json::to_value(&event).unwrap()["Records"], serde_json::json!([]));
}

#[tokio::test]
async fn an_invalid_receipt_handle_is_reported_after_the_valid_ones_are_deleted() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let queue = aws.queue("tp-delete", &[(QueueAttributeName::VisibilityTimeout, "1")]).await;
    queue.send_batch(vec![reading(1)]).await.unwrap();
    let event = queue.receive_as_lambda_event(10).await.unwrap();
    let handle = event.records[0].receipt_handle.clone().unwrap();

    let err = queue.delete(vec![handle, "not-a-receipt-handle".into()]).await.unwrap_err();

    assert!(
        matches!(&err, SqsError::Rejected { operation: "DeleteMessageBatch", failed: 1, total: 2, .. }),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let again = queue.receive_as_lambda_event(10).await.unwrap();
    assert!(again.records.is_empty(), "the valid handle was deleted: {:?}", again.records);
}

#[tokio::test]
async fn an_unknown_queue_is_unavailable_with_the_service_cause() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let url = format!(
        "{}/123456789012/{}",
        std::env::var("AWS_ENDPOINT_URL").unwrap(),
        moto::unique_name("tp-noq")
    );
    let queue = twinpipe_aws::SqsQueue::new(aws.sqs(), url);

    let err = queue.receive_as_lambda_event(1).await.unwrap_err();

    let SqsError::Unavailable { operation, source, .. } = &err else {
        panic!("expected Unavailable, got {err:?}")
    };
    assert_eq!(*operation, "GetQueueAttributes");
    // The query-compatible code SQS sends in a header; the modeled error is QueueDoesNotExist.
    assert_eq!(source.code(), Some("AWS.SimpleQueueService.NonExistentQueue"), "{err}");
    assert!(err.to_string().contains("QueueDoesNotExist: The specified queue does not exist"), "{err}");
}
