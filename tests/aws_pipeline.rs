//! The real handlers on a real AWS API (the moto server of `./scripts/test.sh`), wired as in production:
//! SQS → ingest → S3 `raw/` → S3's EventBridge notification → the rule of `infra/event-rules/` → curate
//! → S3 `curated/` + "Dataset Curated" on the pipeline's bus → a rule → a consumer's queue.
//!
//! moto does not invoke Lambda functions, so the test plays the event source mapping and the rule
//! target: it receives from the queues, builds the Lambda events and calls the handler libraries.

#[path = "../crates/aws/tests/moto/mod.rs"]
mod moto;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_eventbridge::types::Target;
use aws_sdk_s3::types::{EventBridgeConfiguration, NotificationConfiguration};
use serde_json::Value;
use twinpipe_aws::{EventBridgeBus, OutgoingMessage, SqsQueue};
use twinpipe_curate::Curate;
use twinpipe_domain::events::DatasetCurated;
use twinpipe_ingest::{Ingest, IngestConfig};
use twinpipe_ports::ObjectStore;

/// 2026-11-25T10:00:00Z, the time of the sample events.
const NOW_MS: i64 = 1_795_600_800_000;

fn sample_bodies(file: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../events").join(file);
    let event: SqsEvent = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    event.records.into_iter().map(|r| r.body.unwrap()).collect()
}

/// An EventBridge rule from a file in `infra/event-rules/`, with its placeholders filled in.
fn rule_pattern(file: &str, bucket: &str, bus: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/event-rules").join(file);
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("${DataBucket}", bucket)
        .replace("${PipelineBus}", bus);
    let rule: Value = serde_json::from_str(&text).unwrap();
    rule["event_pattern"].to_string()
}

async fn rule_to_queue(aws: &moto::LocalAws, bus: &str, pattern: String, queue: &SqsQueue) {
    let events = aws.events();
    let rule = moto::unique_name("tp-rule");
    events.put_rule().name(&rule).event_bus_name(bus).event_pattern(pattern).send().await.expect("PutRule");
    let target = Target::builder().id("queue").arn(queue.arn().await.unwrap()).build().unwrap();
    events.put_targets().rule(&rule).event_bus_name(bus).targets(target).send().await.expect("PutTargets");
}

#[tokio::test]
async fn readings_flow_from_sqs_to_curated_parquet_and_a_dataset_curated_event() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = Arc::new(aws.bucket("tp-lake").await);
    let bucket = store.bucket().to_owned();
    store
        .client()
        .put_bucket_notification_configuration()
        .bucket(&bucket)
        .notification_configuration(
            NotificationConfiguration::builder()
                .event_bridge_configuration(EventBridgeConfiguration::builder().build())
                .build(),
        )
        .send()
        .await
        .expect("PutBucketNotificationConfiguration");

    let readings = aws.queue("tp-readings", &[]).await;
    let curate_inbox = aws.queue("tp-curate-in", &[]).await;
    rule_to_queue(
        &aws,
        "default",
        rule_pattern("curate-on-raw-object.json", &bucket, "unused"),
        &curate_inbox,
    )
    .await;
    let pipeline_bus = moto::unique_name("tp-pipeline");
    aws.events().create_event_bus().name(&pipeline_bus).send().await.expect("CreateEventBus");
    let consumer = aws.queue("tp-consumer", &[]).await;
    rule_to_queue(
        &aws,
        &pipeline_bus,
        r#"{"source":["twinpipe.curate"],"detail-type":["Dataset Curated"]}"#.into(),
        &consumer,
    )
    .await;

    // Producers send the sample bodies: 3 good messages and 6 mixed with poison.
    let bodies: Vec<String> =
        [sample_bodies("sqs-readings.json"), sample_bodies("sqs-mixed-poison.json")].concat();
    readings.send_batch(bodies.iter().map(OutgoingMessage::new).collect()).await.unwrap();

    // The event source mapping: batches to ingest, successes deleted.
    let ingest = Ingest::new(store.clone(), IngestConfig::default().with_fixed_clock(NOW_MS));
    let mut handled = 0;
    while handled < bodies.len() {
        let batch = readings.receive_as_lambda_event(10).await.unwrap();
        if batch.records.is_empty() {
            continue;
        }
        let response = ingest.handle(&batch).await.unwrap();
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
        handled += readings.delete_successes(&batch, &response).await.unwrap();
    }
    assert_eq!(store.list("raw/").await.unwrap().len(), 5, "one raw object per message with valid readings");
    assert_eq!(store.list("quarantine/").await.unwrap().len(), 4);

    // S3 → EventBridge → rule → curate.
    let curate = Curate::new(store.clone(), Arc::new(EventBridgeBus::new(&aws.conf, &pipeline_bus)));
    let notifications = moto::receive_until(&curate_inbox, 5, Duration::from_secs(20)).await;
    assert_eq!(notifications.len(), 5, "only raw/ objects of this bucket reach curate");
    for n in &notifications {
        let event: Value = serde_json::from_str(n.body.as_deref().unwrap()).unwrap();
        curate.handle(&event).await.unwrap_or_else(|e| panic!("curate failed on {event}: {e}"));
    }

    // The next stage hears about exactly the new rows.
    let announced = moto::receive_until(&consumer, 5, Duration::from_secs(20)).await;
    let details: Vec<DatasetCurated> = announced
        .iter()
        .map(|m| {
            serde_json::from_value(
                serde_json::from_str::<Value>(m.body.as_deref().unwrap()).unwrap()["detail"].clone(),
            )
            .unwrap()
        })
        .collect();
    assert_eq!(details.len(), 5);
    let written: u64 = details.iter().map(|d| d.rows_written).sum();
    assert_eq!(written, 9, "6 distinct good readings + 3 valid ones among the poison");
    let curated = store.list("curated/").await.unwrap();
    let parquet: Vec<_> = curated.iter().filter(|m| m.key.ends_with(".parquet")).collect();
    assert_eq!(parquet.len(), details.iter().map(|d| d.objects.len()).sum::<usize>());
    assert!(parquet.iter().all(|m| m.key.starts_with("curated/date=2026-11-25/hour=09/part-")));
}

#[tokio::test]
async fn the_cli_invokes_handlers_against_aws_with_backend_aws() {
    use twinpipe::invoke::{Backend, Function, Target, invoke};
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = aws.bucket("tp-cli").await;
    let data_dir = tempfile::tempdir().unwrap();
    let target = Target {
        backend: Backend::Aws,
        data_dir: data_dir.path().to_owned(),
        bucket: Some(store.bucket().to_owned()),
        event_bus: None,
    };
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("../events");
    let outcome = invoke(Function::Ingest, &events.join("sqs-mixed-poison.json"), &target).await.unwrap();
    assert!(!outcome.failed, "{}", outcome.response);
    assert_eq!(outcome.response["batchItemFailures"], serde_json::json!([]));
    assert_eq!(store.list("raw/").await.unwrap().len(), 2);
    assert_eq!(store.list("quarantine/").await.unwrap().len(), 4);
    assert!(std::fs::read_dir(data_dir.path()).unwrap().next().is_none(), "nothing is written locally");

    let object_created = events.join("eventbridge-s3-object-created.json");
    let no_bus = invoke(Function::Curate, &object_created, &target).await.err().expect("curate needs a bus");
    assert!(no_bus.to_string().contains("--event-bus"), "{no_bus}");
    let target = Target { event_bus: Some("default".into()), ..target };
    let outcome = invoke(Function::Curate, &object_created, &target).await.unwrap();
    assert!(outcome.failed, "the sample event names another bucket");
    assert!(
        outcome.response["errorMessage"].as_str().unwrap().contains("twinpipe-data"),
        "{}",
        outcome.response
    );
}
