//! The alert handler on the sample events in `events/`, with the local bucket and notifier.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use twinpipe_alert::{Alert, AlertConfig, AlertError};
use twinpipe_local::{FileNotifier, MemoryObjectStore};

fn event(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

struct Harness {
    alert: Alert,
    outbox: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn harness(config: AlertConfig, clock: fn() -> i64) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("alerts.ndjson");
    let store = Arc::new(MemoryObjectStore::new("twinpipe-data"));
    let alert = Alert::new(store, Arc::new(FileNotifier::new(&outbox)), config).with_clock(clock);
    Harness { alert, outbox, _dir: dir }
}

impl Harness {
    fn sent(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.outbox)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn at_ten() -> i64 {
    1_795_600_800_000
}

/// A variant of an event with another dedupe key (a new finding of the same asset and check).
fn with_key(mut event: Value, key: &str, severity: &str) -> Value {
    event["detail"]["dedupe_key"] = key.into();
    event["detail"]["severity"] = severity.into();
    event
}

#[tokio::test]
async fn anomaly_becomes_an_sns_message_with_filterable_attributes() {
    let h = harness(AlertConfig { environment: "dev".into(), ..AlertConfig::default() }, at_ten);
    let outcome = h.alert.handle(&event("eventbridge-anomaly-detected.json")).await.unwrap();
    assert_eq!(outcome.action, "sent");
    let sent = h.sent();
    assert_eq!(sent.len(), 1);
    let n = &sent[0];
    assert_eq!(n["subject"], "[CRITICAL] pump-003: anomaly (bearing_temp, vibration, power) (dev)");
    let attrs = &n["attributes"];
    assert_eq!(attrs["severity"]["value"], "critical");
    assert_eq!(attrs["asset_id"]["value"], "pump-003");
    assert_eq!(attrs["check"]["value"], "anomaly");
    assert_eq!(attrs["environment"]["value"], "dev");
    assert_eq!(attrs["event_type"]["value"], "Anomaly Detected");
    let body = n["message"].as_str().unwrap();
    assert!(body.contains("bearing_temp: observed 91.4000, expected 62.8000 (71% of the anomaly)"), "{body}");
    assert!(body.contains("s3://twinpipe-data/predictions/model=anomaly/"), "{body}");
}

#[tokio::test]
async fn quality_violation_is_readable_and_names_its_evidence() {
    let h = harness(AlertConfig::default(), at_ten);
    h.alert.handle(&event("eventbridge-quality-violation.json")).await.unwrap();
    let n = &h.sent()[0];
    assert_eq!(n["attributes"]["check"]["value"], "sensor-telemetry/stuck_sensor_check");
    let body = n["message"].as_str().unwrap();
    assert!(body.contains("for 1800 s; the limit is 600 s"), "{body}");
    assert!(
        body.contains("s3://twinpipe-data/monitoring/data-quality/2026/11/25/10/constraint_violations.json")
    );
}

#[tokio::test]
async fn redelivered_event_is_sent_once() {
    let h = harness(AlertConfig::default(), at_ten);
    let e = event("eventbridge-anomaly-detected.json");
    assert_eq!(h.alert.handle(&e).await.unwrap().action, "sent");
    assert_eq!(h.alert.handle(&e).await.unwrap().action, "duplicate");
    assert_eq!(h.sent().len(), 1);
}

#[tokio::test]
async fn cooldown_holds_repeats_and_lets_escalations_through() {
    let h = harness(AlertConfig::default(), at_ten);
    let base = event("eventbridge-anomaly-detected.json");
    h.alert.handle(&with_key(base.clone(), "k1", "warning")).await.unwrap();
    let repeat = h.alert.handle(&with_key(base.clone(), "k2", "warning")).await.unwrap();
    assert_eq!(repeat.action, "held-cooldown");
    let escalation = h.alert.handle(&with_key(base, "k3", "critical")).await.unwrap();
    assert_eq!(escalation.action, "sent");
    let sent = h.sent();
    assert_eq!(sent.len(), 2);
    assert!(sent[1]["message"].as_str().unwrap().contains("1 similar finding(s)"));
}

#[tokio::test]
async fn many_assets_at_once_give_a_summary_not_a_storm() {
    let config =
        AlertConfig { storm_threshold: 3, cooldown: Duration::from_secs(0), ..AlertConfig::default() };
    let h = harness(config, at_ten);
    let base = event("eventbridge-anomaly-detected.json");
    let mut actions = Vec::new();
    for i in 0..10 {
        let mut e = with_key(base.clone(), &format!("k{i}"), "warning");
        e["detail"]["asset_id"] = format!("pump-{i:03}").into();
        actions.push(h.alert.handle(&e).await.unwrap().action);
    }
    assert_eq!(&actions[..5], ["sent", "sent", "sent", "storm-summary", "held-storm"]);
    let sent = h.sent();
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[3]["attributes"]["event_type"]["value"], "Alert Storm");
}

#[tokio::test]
async fn decisions_survive_a_restart() {
    let store = Arc::new(MemoryObjectStore::new("twinpipe-data"));
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("alerts.ndjson");
    let e = event("eventbridge-anomaly-detected.json");
    for _ in 0..2 {
        let alert = Alert::new(store.clone(), Arc::new(FileNotifier::new(&outbox)), AlertConfig::default())
            .with_clock(at_ten);
        alert.handle(&e).await.unwrap();
    }
    assert_eq!(std::fs::read_to_string(&outbox).unwrap().lines().count(), 1);
}

#[tokio::test]
async fn other_events_are_refused_with_a_clear_error() {
    let h = harness(AlertConfig::default(), at_ten);
    let err = h.alert.handle(&event("eventbridge-s3-object-created.json")).await.unwrap_err();
    assert!(matches!(err, AlertError::Finding(_)), "{err}");
    assert!(err.to_string().contains("\"Object Created\""), "{err}");
    let mut broken = event("eventbridge-anomaly-detected.json");
    broken["detail"]["score"] = "high".into();
    let err = h.alert.handle(&broken).await.unwrap_err();
    assert!(err.to_string().contains("not a valid Anomaly Detected"), "{err}");
}
