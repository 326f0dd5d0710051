//! One message of readings through every handler on a real AWS API (the moto server of
//! `./scripts/test.sh`), wired by the rules of `infra/event-rules/`:
//! SQS → ingest → S3 → (S3 EventBridge notification) → curate → "Dataset Curated" → infer (model from the
//! model store in S3) → "Anomaly Detected" → alert → SNS → a subscriber's queue, with the message
//! attributes a filter policy would use.
//!
//! moto does not invoke Lambda functions, so the test plays the event source mapping and the rule targets:
//! each rule sends to a queue, and the test hands what arrives to the handler library.

#[path = "../crates/aws/tests/moto/mod.rs"]
mod moto;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_eventbridge::types::Target;
use aws_sdk_s3::types::{EventBridgeConfiguration, NotificationConfiguration};
use serde_json::{Value, json};
use twinpipe_alert::{Alert, AlertConfig};
use twinpipe_aws::{EventBridgeBus, OutgoingMessage, S3Store, SnsNotifier, SqsQueue};
use twinpipe_curate::Curate;
use twinpipe_domain::reading::format_ts_ms;
use twinpipe_infer::Infer;
use twinpipe_inference::AnomalyModel;
use twinpipe_ingest::{Ingest, IngestConfig};
use twinpipe_model_store::{ApprovalStatus, ModelKind, ModelStore, NewModel};
use twinpipe_ports::ObjectStore;

/// 2026-11-25T10:00:00Z; the readings cover the hour before.
const NOW_MS: i64 = 1_795_600_800_000;
const START_MS: i64 = NOW_MS - 3_600_000;

/// The event pattern of a rule file, placeholders filled in.
fn rule_pattern(file: &str, bucket: &str, bus: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/event-rules").join(file);
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("${DataBucket}", bucket)
        .replace("${PipelineBus}", bus);
    serde_json::from_str::<Value>(&text).unwrap()["event_pattern"].to_string()
}

/// A rule on `bus` with the pattern of `file`, targeting a new queue.
async fn rule_to_queue(aws: &moto::LocalAws, bus: &str, file: &str, bucket: &str) -> SqsQueue {
    let queue = aws.queue("tp-target", &[]).await;
    let events = aws.events();
    let rule = moto::unique_name("tp-rule");
    let pattern = rule_pattern(file, bucket, bus);
    events.put_rule().name(&rule).event_bus_name(bus).event_pattern(pattern).send().await.expect("PutRule");
    let target = Target::builder().id("queue").arn(queue.arn().await.unwrap()).build().unwrap();
    events.put_targets().rule(&rule).event_bus_name(bus).targets(target).send().await.expect("PutTargets");
    queue
}

/// One pump, three sensors every 10 s for 50 minutes; from row 250 the bearing runs 25 °C hot.
fn readings_body() -> String {
    let readings: Vec<Value> = (0..300i64)
        .flat_map(|i| {
            let ts = format_ts_ms(START_MS + i * 10_000);
            let phase = (i as f64 / 40.0).sin();
            let hot = if i >= 250 { 25.0 } else { 0.0 };
            [
                ("bearing_temp", "degC", 60.0 + 2.0 * phase + 0.1 * ((i * 7919) % 13) as f64 + hot),
                ("flow", "m3/h", 120.0 + 5.0 * phase + 0.2 * ((i * 104_729) % 11) as f64),
                ("vibration", "mm/s", 2.0 + 0.1 * phase + 0.01 * ((i * 1_299_709) % 7) as f64),
            ]
            .map(|(sensor, unit, value)| json!({"asset_id": "pump-009", "sensor_id": sensor, "ts": ts, "value": value, "unit": unit}))
        })
        .collect();
    Value::Array(readings).to_string()
}

async fn approve_default_anomaly_model(store: Arc<S3Store>) {
    let models = ModelStore::new(store);
    let model = AnomalyModel::new(Default::default(), 0.5).unwrap();
    let draft = NewModel {
        name: "anomaly".into(),
        kind: ModelKind::AnomalyDetector,
        code_version: "test".into(),
        parameters: json!({}),
        training_data: None,
        metrics: Default::default(),
        artefact_file: "model.json".into(),
        registered_by: "test".into(),
    };
    let m = models.register(draft, model.to_bytes().into()).await.unwrap();
    models.set_status("anomaly", m.version, ApprovalStatus::Approved, "test", None).await.unwrap();
}

/// Every message that arrived on `queue` within the timeout, as EventBridge events.
async fn events_from(queue: &SqsQueue, expected: usize) -> Vec<Value> {
    moto::receive_until(queue, expected, Duration::from_secs(20))
        .await
        .iter()
        .map(|m| serde_json::from_str(m.body.as_deref().unwrap()).unwrap())
        .collect()
}

#[tokio::test]
async fn a_hot_bearing_reading_stream_ends_as_an_sns_alert_with_filterable_attributes() {
    let Some(aws) = moto::local_aws().await else {
        return;
    };
    let store = Arc::new(aws.bucket("tp-lake").await);
    let bucket = store.bucket().to_owned();
    let notifications = NotificationConfiguration::builder()
        .event_bridge_configuration(EventBridgeConfiguration::builder().build())
        .build();
    store
        .client()
        .put_bucket_notification_configuration()
        .bucket(&bucket)
        .notification_configuration(notifications)
        .send()
        .await
        .unwrap();
    let bus_name = moto::unique_name("tp-pipeline");
    aws.events().create_event_bus().name(&bus_name).send().await.expect("CreateEventBus");
    let bus = Arc::new(EventBridgeBus::new(&aws.conf, &bus_name));
    let curate_in = rule_to_queue(&aws, "default", "curate-on-raw-object.json", &bucket).await;
    let infer_in = rule_to_queue(&aws, &bus_name, "infer-on-dataset-curated.json", &bucket).await;
    let alert_in = rule_to_queue(&aws, &bus_name, "alert-on-findings.json", &bucket).await;
    let sns = aws.sns();
    let topic = sns.create_topic().name(moto::unique_name("tp-alerts")).send().await.unwrap();
    let topic_arn = topic.topic_arn().unwrap().to_owned();
    let subscriber = aws.queue("tp-oncall", &[]).await;
    sns.subscribe()
        .topic_arn(&topic_arn)
        .protocol("sqs")
        .endpoint(subscriber.arn().await.unwrap())
        .send()
        .await
        .unwrap();
    approve_default_anomaly_model(store.clone()).await;

    let readings = aws.queue("tp-readings", &[]).await;
    readings.send_batch(vec![OutgoingMessage::new(readings_body())]).await.unwrap();
    let batch = readings.receive_as_lambda_event(10).await.unwrap();
    let ingest = Ingest::new(store.clone(), IngestConfig::default().with_fixed_clock(NOW_MS));
    let response = ingest.handle(&batch).await.unwrap();
    assert!(response.batch_item_failures.is_empty());

    let curate = Curate::new(store.clone(), bus.clone());
    for event in events_from(&curate_in, 1).await {
        curate.handle(&event).await.unwrap();
    }
    let infer = Infer::new(store.clone(), bus.clone());
    let curated = events_from(&infer_in, 1).await;
    assert_eq!(curated.len(), 1, "one raw object, one curated hour");
    let outcome = infer.handle(&curated[0]).await.unwrap();
    assert_eq!(outcome.predictions[0].rows, 300 * 4, "a row per reading and one per timestamp for the asset");
    assert!(!outcome.anomalies.is_empty());
    let predictions = store.list("predictions/model=anomaly/").await.unwrap();
    assert_eq!(predictions.len(), 1);

    let alert = Alert::new(
        store.clone(),
        Arc::new(SnsNotifier::new(sns.clone(), &topic_arn)),
        AlertConfig { environment: "moto".into(), ..AlertConfig::default() },
    );
    let findings = events_from(&alert_in, outcome.anomalies.len()).await;
    assert_eq!(findings.len(), outcome.anomalies.len());
    let actions: Vec<&str> = {
        let mut actions = Vec::new();
        for f in &findings {
            actions.push(alert.handle(f).await.unwrap().action);
        }
        actions
    };
    assert_eq!(actions[0], "sent");

    let delivered = moto::receive_until(&subscriber, 1, Duration::from_secs(20)).await;
    let sent = actions.iter().filter(|a| **a == "sent").count();
    assert_eq!(delivered.len(), sent);
    let envelope: Value = serde_json::from_str(delivered[0].body.as_deref().unwrap()).unwrap();
    assert!(envelope["Subject"].as_str().unwrap().contains("pump-009: anomaly (bearing_temp"), "{envelope}");
    let attrs = &envelope["MessageAttributes"];
    assert_eq!(attrs["asset_id"]["Value"], "pump-009");
    assert_eq!(attrs["environment"]["Value"], "moto");
    assert_eq!(attrs["event_type"]["Value"], "Anomaly Detected");
    assert!(["warning", "critical"].contains(&attrs["severity"]["Value"].as_str().unwrap()));
}
