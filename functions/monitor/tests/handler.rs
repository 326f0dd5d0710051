//! The monitor handler on the sample events in `events/`: batch profiles and telemetry checks on
//! "Dataset Curated", the hourly merge and baseline check on the schedule.

use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use twinpipe_curation::{Compression, curate};
use twinpipe_domain::reading::format_ts_ms;
use twinpipe_local::MemoryObjectStore;
use twinpipe_monitor::{Monitor, MonitorError};
use twinpipe_ports::{BusError, BusEvent, EventBus, ObjectStore};
use twinpipe_quality::{DataProfile, Statistics, StatisticsOptions, suggest_constraints};

const BUCKET: &str = "twinpipe-data";
/// 2026-11-25T09:00:00Z.
const START_MS: i64 = 1_795_597_200_000;

#[derive(Default)]
struct Recorder(Mutex<Vec<BusEvent>>);

#[async_trait::async_trait]
impl EventBus for Recorder {
    async fn publish(&self, events: Vec<BusEvent>) -> Result<(), BusError> {
        self.0.lock().unwrap().extend(events);
        Ok(())
    }
}

fn event(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The raw object behind `events/eventbridge-dataset-curated.json` (the infer tests use the same rows),
/// with the vibration sensor stuck from `stuck_from` on.
fn raw(stuck_from: i64) -> String {
    let mut out = String::new();
    for i in 0..300i64 {
        let ts = format_ts_ms(START_MS + i * 10_000);
        let phase = (i as f64 / 40.0).sin();
        let hot = if i >= 250 { 25.0 } else { 0.0 };
        let vibration =
            if i >= stuck_from { 2.0 } else { 2.0 + 0.1 * phase + 0.01 * ((i * 1_299_709) % 7) as f64 };
        for (sensor, unit, value) in [
            ("bearing_temp", "degC", 60.0 + 2.0 * phase + 0.1 * ((i * 7919) % 13) as f64 + hot),
            ("flow", "m3/h", 120.0 + 5.0 * phase + 0.2 * ((i * 104_729) % 11) as f64),
            ("vibration", "mm/s", vibration),
        ] {
            out.push_str(
                &json!({"asset_id": "pump-003", "sensor_id": sensor, "ts": ts, "value": value, "unit": unit})
                    .to_string(),
            );
            out.push('\n');
        }
    }
    out
}

async fn setup(stuck_from: i64) -> (Arc<MemoryObjectStore>, Arc<Recorder>, Monitor, Value) {
    let store = Arc::new(MemoryObjectStore::new(BUCKET));
    let sample = event("eventbridge-dataset-curated.json");
    let source = sample["detail"]["source_object"].as_str().unwrap();
    let curated = curate(&raw(stuck_from), source, Compression::default()).unwrap();
    for f in &curated.files {
        store.put(&f.key, f.bytes.clone(), "application/vnd.apache.parquet").await.unwrap();
    }
    let mut ev = sample.clone();
    ev["detail"] = serde_json::to_value(curated.to_event(BUCKET, source)).unwrap();
    let bus = Arc::new(Recorder::default());
    (store.clone(), bus.clone(), Monitor::new(store, bus), ev)
}

#[tokio::test]
async fn a_curated_batch_is_profiled_once_per_object() {
    let (store, bus, monitor, _) = setup(i64::MAX).await;
    let outcome = monitor.handle(&event("eventbridge-dataset-curated.json")).await.unwrap();
    assert_eq!(outcome.profiles.len(), 1);
    assert!(outcome.profiles[0].starts_with("monitoring/data-quality/profiles/date=2026-11-25/hour=09/"));
    let again = monitor.handle(&event("eventbridge-dataset-curated.json")).await.unwrap();
    assert_eq!(again.profiles, outcome.profiles, "a redelivery rewrites the same profile");
    assert_eq!(store.list("monitoring/data-quality/profiles/").await.unwrap().len(), 1);
    assert!(outcome.violations.is_empty(), "healthy sensors: {:?}", outcome.violations);
    assert!(bus.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_stuck_sensor_is_published_with_its_evidence() {
    let (store, bus, monitor, ev) = setup(60).await;
    let outcome = monitor.handle(&ev).await.unwrap();
    let stuck: Vec<_> = outcome.violations.iter().filter(|v| v.metric.contains("stuck")).collect();
    assert_eq!(stuck.len(), 1, "{:?}", outcome.violations);
    assert_eq!(stuck[0].feature, "pump-003/vibration");
    assert_eq!(stuck[0].check, "sensor-telemetry");
    store.get(&stuck[0].evidence[0]).await.unwrap();
    let published = bus.0.lock().unwrap();
    assert!(published.iter().all(|e| e.detail_type == "Quality Violation" && e.source == "twinpipe.monitor"));
    assert_eq!(published.len(), outcome.violations.len());
}

#[tokio::test]
async fn the_schedule_merges_the_hour_and_checks_it_against_the_baseline() {
    let (store, _bus, monitor, ev) = setup(i64::MAX).await;
    monitor.handle(&ev).await.unwrap();
    let first = monitor.handle(&event("eventbridge-scheduled-monitor.json")).await.unwrap();
    assert!(
        first.reports.contains(&"monitoring/data-quality/2026/11/25/09/statistics.json".to_owned()),
        "{first:?}"
    );
    assert!(first.notes.iter().any(|n| n.contains("no baseline")), "{first:?}");

    // A baseline from the same data: the hour conforms.
    let stats_bytes = store.get("monitoring/data-quality/2026/11/25/09/statistics.json").await.unwrap();
    let profile_key = store.list("monitoring/data-quality/profiles/").await.unwrap()[0].key.clone();
    let profile = DataProfile::from_json(&store.get(&profile_key).await.unwrap()).unwrap();
    let baseline = Statistics::from_profile(&profile, StatisticsOptions::default());
    assert_eq!(Statistics::from_json(&stats_bytes).unwrap(), baseline);
    store
        .put("baselines/data-quality/statistics.json", baseline.to_json_pretty().into(), "application/json")
        .await
        .unwrap();
    store
        .put(
            "baselines/data-quality/constraints.json",
            suggest_constraints(&profile).to_json_pretty().into(),
            "application/json",
        )
        .await
        .unwrap();
    let checked = monitor.handle(&event("eventbridge-scheduled-monitor.json")).await.unwrap();
    assert!(
        checked
            .reports
            .contains(&"monitoring/data-quality/2026/11/25/09/constraint_violations.json".to_owned())
    );
    assert!(checked.violations.is_empty(), "{:?}", checked.violations);
}

#[tokio::test]
async fn other_events_are_refused() {
    let (_, _, monitor, _) = setup(i64::MAX).await;
    let err = monitor.handle(&event("eventbridge-s3-object-created.json")).await.unwrap_err();
    assert!(matches!(err, MonitorError::UnexpectedEvent(_)), "{err}");
    let mut wrong = event("eventbridge-dataset-curated.json");
    wrong["detail"]["bucket"] = "elsewhere".into();
    assert!(matches!(monitor.handle(&wrong).await.unwrap_err(), MonitorError::WrongBucket { .. }));
}
