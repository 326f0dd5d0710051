//! `EventBridgeBus` against a real EventBridge API (the moto server of ./scripts/test.sh): custom bus →
//! rule → SQS queue, so what a test asserts on is what a consumer would receive.

mod moto;

use std::time::Duration;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_sdk_eventbridge::types::Target;
use serde_json::json;
use twinpipe_aws::{AwsCallError, EVENTBRIDGE_MAX_ENTRY_BYTES, EventBridgeBus, SqsQueue};
use twinpipe_ports::{BusError, BusEvent, EventBus};

const SOURCE: &str = "twinpipe.ingest";

/// A custom bus with one rule that forwards events of `SOURCE` for site "a" (a nested detail match) to
/// a fresh queue.
async fn bus_with_rule_to_queue(aws: &moto::LocalAws) -> (EventBridgeBus, SqsQueue) {
    let events = aws.events();
    let bus = moto::unique_name("tp-bus");
    events.create_event_bus().name(&bus).send().await.expect("CreateEventBus");
    let queue = aws.queue("tp-bus-target", &[]).await;
    let rule = moto::unique_name("tp-rule");
    let pattern = json!({"source": [SOURCE], "detail": {"site": {"id": ["a"]}}});
    events
        .put_rule()
        .name(&rule)
        .event_bus_name(&bus)
        .event_pattern(pattern.to_string())
        .send()
        .await
        .expect("PutRule");
    let target = Target::builder().id("queue").arn(queue.arn().await.unwrap()).build().unwrap();
    events.put_targets().rule(&rule).event_bus_name(&bus).targets(target).send().await.expect("PutTargets");
    (EventBridgeBus::new(events, bus), queue)
}

fn reading_accepted(site: &str, n: usize) -> BusEvent {
    BusEvent {
        source: SOURCE.into(),
        detail_type: "Reading Accepted".into(),
        detail: json!({"site": {"id": site}, "n": n}),
        resources: vec![format!("arn:aws:s3:::lake/raw/site {site}/{n}.ndjson")],
    }
}

fn envelopes(records: &[aws_lambda_events::event::sqs::SqsMessage]) -> Vec<EventBridgeEvent> {
    records
        .iter()
        .map(|r| serde_json::from_str(r.body.as_deref().unwrap()).expect("an EventBridge envelope"))
        .collect()
}

#[tokio::test]
async fn published_events_reach_a_rule_target_and_only_matching_ones_do() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (bus, queue) = bus_with_rule_to_queue(&aws).await;

    // 12 events: more than one PutEvents call of 10; one of them for site "b", which the rule ignores.
    let mut events: Vec<BusEvent> = (0..11).map(|n| reading_accepted("a", n)).collect();
    events.insert(5, reading_accepted("b", 99));
    bus.publish(events).await.unwrap();

    let received = envelopes(&moto::receive_until(&queue, 11, Duration::from_secs(5)).await);
    let mut numbers: Vec<u64> = received.iter().map(|e| e.detail["n"].as_u64().unwrap()).collect();
    numbers.sort();
    assert_eq!(numbers, (0..11).collect::<Vec<_>>(), "each site-a event exactly once, no site-b event");
    let first = &received[0];
    assert_eq!((first.source.as_str(), first.detail_type.as_str()), (SOURCE, "Reading Accepted"));
    let n = first.detail["n"].as_u64().unwrap();
    assert_eq!(first.resources, Some(vec![format!("arn:aws:s3:::lake/raw/site a/{n}.ndjson")]));
    assert!(first.id.is_some() && first.time.is_some(), "the bus adds id and time");
}

#[tokio::test]
async fn a_rejected_entry_is_reported_while_the_valid_ones_still_land() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (bus, queue) = bus_with_rule_to_queue(&aws).await;

    // EventBridge refuses an entry without a detail type inside a 200 (FailedEntryCount = 1).
    let mut invalid = reading_accepted("a", 1);
    invalid.detail_type = String::new();
    let err = bus.publish(vec![reading_accepted("a", 0), invalid]).await.unwrap_err();

    match &err {
        BusError::Rejected { bus: name, failed, total, first_error } => {
            assert_eq!((name.as_str(), *failed, *total), (bus.bus_name(), 1, 2));
            assert!(first_error.starts_with("event 1 (detail type \"\"): InvalidArgument"), "{first_error}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    let received = envelopes(&moto::receive_until(&queue, 1, Duration::from_secs(5)).await);
    assert_eq!(received.len(), 1, "the valid event lands once, and is not resent with the failed one");
    assert_eq!(received[0].detail["n"], 0);
}

#[tokio::test]
async fn an_oversized_event_is_refused_before_anything_is_sent() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let (bus, queue) = bus_with_rule_to_queue(&aws).await;

    let mut huge = reading_accepted("a", 1);
    huge.detail = json!({"site": {"id": "a"}, "blob": "x".repeat(EVENTBRIDGE_MAX_ENTRY_BYTES)});
    let err = bus.publish(vec![reading_accepted("a", 0), huge]).await.unwrap_err();

    match err {
        BusError::TooLarge { detail_type, size, limit } => {
            assert_eq!(detail_type, "Reading Accepted");
            assert!(size > limit && limit == 256 * 1024, "{size} > {limit}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let received = moto::receive_until(&queue, 1, Duration::from_millis(500)).await;
    assert!(received.is_empty(), "nothing was published: {received:?}");
}

#[tokio::test]
async fn an_unknown_bus_is_unavailable_with_the_service_cause() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let bus = EventBridgeBus::new(aws.events(), moto::unique_name("tp-nobus"));

    let err = bus.publish(vec![reading_accepted("a", 0)]).await.unwrap_err();

    let BusError::Unavailable { source, .. } = &err else { panic!("expected Unavailable, got {err:?}") };
    let call = source.downcast_ref::<AwsCallError>().expect("the SDK call's error");
    assert_eq!((call.operation(), call.code()), ("PutEvents", Some("ResourceNotFoundException")));
    assert!(err.to_string().contains("ResourceNotFoundException"), "{err}");
}

#[tokio::test]
async fn publishing_nothing_sends_nothing() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    // No bus exists under this name: any call would fail.
    let bus = EventBridgeBus::new(aws.events(), moto::unique_name("tp-nobus"));
    bus.publish(Vec::new()).await.unwrap();
}
