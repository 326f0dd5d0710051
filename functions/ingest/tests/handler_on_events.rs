//! The ingest handler on the sample events in `events/`, against the local directory store.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use twinpipe_ingest::{Ingest, IngestConfig};
use twinpipe_local::{DirObjectStore, FailurePlan, FlakyStore};
use twinpipe_ports::ObjectStore;

/// 2026-11-25T10:00:00Z: "now" for the sample events, which carry readings from just before.
const NOW_MS: i64 = 1_795_600_800_000;

fn event(name: &str) -> SqsEvent {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not an SQS event: {e}"))
}

fn ingest(store: Arc<dyn ObjectStore>) -> Ingest {
    Ingest::new(store, IngestConfig::default().with_fixed_clock(NOW_MS))
}

async fn contents(store: &DirObjectStore) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for m in store.list("").await.unwrap() {
        out.insert(m.key.clone(), store.get(&m.key).await.unwrap().to_vec());
    }
    out
}

#[tokio::test]
async fn good_readings_land_in_raw_and_nothing_is_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DirObjectStore::new(dir.path(), "lake"));
    let (resp, stats) = ingest(store.clone()).handle_with_stats(&event("sqs-readings.json")).await.unwrap();
    assert!(resp.unwrap().batch_item_failures.is_empty());
    assert_eq!((stats.accepted, stats.quarantined, stats.failed), (7, 0, 0));
    let objects = contents(&store).await;
    assert_eq!(objects.len(), 3);
    assert!(objects.keys().all(|k| k.starts_with("raw/date=2026-11-25/hour=09/") && k.ends_with(".ndjson")));
    let lines: Vec<serde_json::Value> = objects
        .values()
        .flat_map(|b| {
            std::str::from_utf8(b)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(lines.len(), 7);
    let epoch = lines.iter().find(|l| l["sensor_id"] == "rotor_speed").unwrap();
    assert_eq!(epoch["ts"], "2026-11-25T09:59:00.000Z", "epoch milliseconds are written as RFC 3339");
    assert_eq!(epoch["ingested_at"], "2026-11-25T10:00:00.000Z", "lineage is the SQS SentTimestamp");
}

#[tokio::test]
async fn poison_records_are_quarantined_with_reasons_and_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DirObjectStore::new(dir.path(), "lake"));
    let (resp, stats) =
        ingest(store.clone()).handle_with_stats(&event("sqs-mixed-poison.json")).await.unwrap();
    assert!(resp.unwrap().batch_item_failures.is_empty(), "terminal errors must not loop");
    assert_eq!((stats.accepted, stats.quarantined), (3, 6));

    let quarantined: Vec<serde_json::Value> = contents(&store)
        .await
        .into_iter()
        .filter(|(k, _)| k.starts_with("quarantine/date=2026-11-25/"))
        .map(|(_, v)| serde_json::from_slice(&v).unwrap())
        .collect();
    assert_eq!(quarantined.len(), 4);
    let not_json = quarantined.iter().find(|q| q["body"] == "this is not json").unwrap();
    assert_eq!(not_json["error"]["code"], "not_json");
    let mixed = quarantined.iter().find(|q| q["rejected"].as_array().unwrap().len() == 3).unwrap();
    let reasons: Vec<(&str, &str)> = mixed["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(reasons, vec![("wrong_type", "value"), ("unknown_unit", "unit"), ("invalid_timestamp", "ts")]);
    assert_eq!(mixed["rejected"][0]["index"], 1);
    assert_eq!(mixed["rejected"][0]["record"]["value"], "n/a", "the original record is kept");
    let typo = quarantined.iter().find(|q| q["rejected"][0]["code"] == "unknown_field").unwrap();
    assert_eq!(typo["rejected"][0]["field"], "vaule");
    let future = quarantined.iter().find(|q| q["rejected"][0]["code"] == "timestamp_out_of_window").unwrap();
    assert!(future["rejected"][0]["reason"].as_str().unwrap().contains("future"));
}

#[tokio::test]
async fn iot_rule_and_sns_envelopes_are_unwrapped() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DirObjectStore::new(dir.path(), "lake"));
    let h = ingest(store.clone());
    let (_, iot) = h.handle_with_stats(&event("sqs-iot-rule.json")).await.unwrap();
    assert_eq!((iot.accepted, iot.quarantined), (4, 0), "plain and base64 IoT payloads");
    let (_, sns) = h.handle_with_stats(&event("sqs-sns-envelope.json")).await.unwrap();
    assert_eq!((sns.accepted, sns.quarantined), (2, 0));
}

#[tokio::test]
async fn every_sample_sqs_event_is_handled_without_failures() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !(name.starts_with("sqs-") || name.starts_with("aws-sample-sqs")) {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let store = Arc::new(DirObjectStore::new(tmp.path(), "lake"));
        let resp = ingest(store).handle(&event(&name)).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(resp.batch_item_failures.is_empty(), "{name}");
        seen += 1;
    }
    assert!(seen >= 4, "expected the sample SQS events, found {seen}");
}

#[tokio::test]
async fn redelivered_batch_overwrites_not_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DirObjectStore::new(dir.path(), "lake"));
    let h = ingest(store.clone());
    let ev = event("sqs-mixed-poison.json");
    h.handle(&ev).await.unwrap();
    let first = contents(&store).await;
    h.handle(&ev).await.unwrap();
    assert_eq!(contents(&store).await, first);
}

#[tokio::test]
async fn failed_writes_report_only_their_messages_and_redelivery_completes_the_data() {
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = Arc::new(DirObjectStore::new(clean_dir.path(), "lake"));
    let ev = event("sqs-mixed-poison.json");
    ingest(clean.clone()).handle(&ev).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let store = DirObjectStore::new(dir.path(), "lake");
    let flaky = Arc::new(FlakyStore::new(store.clone(), FailurePlan::EveryNth(3)));
    let h = ingest(flaky.clone());
    let mut pending = ev.clone();
    let mut rounds = 0;
    while !pending.records.is_empty() {
        rounds += 1;
        assert!(rounds <= 10, "still failing after 10 deliveries");
        // An error answer (every record failed) makes the platform redeliver the whole batch.
        let failed: Vec<String> = match h.handle(&pending).await {
            Ok(resp) => resp.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect(),
            Err(_) => pending.records.iter().filter_map(|r| r.message_id.clone()).collect(),
        };
        pending.records.retain(|r| failed.contains(r.message_id.as_ref().unwrap()));
    }
    assert!(flaky.injected_failures() > 0);
    let (got, want) = (contents(&store).await, contents(&clean).await);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "after redelivery nothing is missing or extra"
    );
    assert!(got == want, "same keys but different content");
}

#[tokio::test]
async fn a_record_without_message_id_fails_the_whole_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DirObjectStore::new(dir.path(), "lake"));
    let mut ev = event("sqs-readings.json");
    ev.records[1].message_id = None;
    assert!(ingest(store).handle(&ev).await.is_err());
}
