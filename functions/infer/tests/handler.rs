//! The infer handler on `events/eventbridge-dataset-curated.json` and on curated data it produces
//! itself: predictions, events, idempotent re-processing, and batch-size independence.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use proptest::prelude::*;
use serde_json::{Value, json};
use twinpipe_curation::{Compression, curate};
use twinpipe_domain::events::DatasetCurated;
use twinpipe_domain::reading::format_ts_ms;
use twinpipe_infer::{Infer, InferError};
use twinpipe_inference::{AnomalyModel, read_predictions};
use twinpipe_local::MemoryObjectStore;
use twinpipe_model_store::{ApprovalStatus, ModelKind, ModelStore, NewModel};
use twinpipe_ports::{BusError, BusEvent, EventBus, ObjectStore};

const BUCKET: &str = "twinpipe-data";
/// 2026-11-25T09:00:00Z.
const START_MS: i64 = 1_795_597_200_000;

fn sample_event() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/eventbridge-dataset-curated.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Raw NDJSON for one pump: three sensors every 10 s, a smooth daily-ish pattern, and from row `spike_at`
/// on a bearing that runs hot while flow stays normal.
fn raw_lines(rows: std::ops::Range<i64>, spike_at: i64) -> String {
    let mut out = String::new();
    for i in rows {
        let ts = START_MS + i * 10_000;
        let phase = (i as f64 / 40.0).sin();
        let hot = if i >= spike_at { 25.0 } else { 0.0 };
        for (sensor, unit, value) in [
            ("bearing_temp", "degC", 60.0 + 2.0 * phase + 0.1 * ((i * 7919) % 13) as f64 + hot),
            ("flow", "m3/h", 120.0 + 5.0 * phase + 0.2 * ((i * 104_729) % 11) as f64),
            ("vibration", "mm/s", 2.0 + 0.1 * phase + 0.01 * ((i * 1_299_709) % 7) as f64),
        ] {
            let line = json!({"asset_id": "pump-003", "sensor_id": sensor, "ts": format_ts_ms(ts), "value": value, "unit": unit});
            out.push_str(&line.to_string());
            out.push('\n');
        }
    }
    out
}

/// Keeps what was published, in order.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<BusEvent>>);

#[async_trait::async_trait]
impl EventBus for Recorder {
    async fn publish(&self, events: Vec<BusEvent>) -> Result<(), BusError> {
        self.0.lock().unwrap().extend(events);
        Ok(())
    }
}

impl Recorder {
    fn detail_types(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().map(|e| e.detail_type.clone()).collect()
    }
}

struct Setup {
    store: Arc<MemoryObjectStore>,
    bus: Arc<Recorder>,
    infer: Infer,
}

async fn setup() -> Setup {
    let store = Arc::new(MemoryObjectStore::new(BUCKET));
    let bus = Arc::new(Recorder::default());
    register_anomaly_model(&store).await;
    let infer = Infer::new(store.clone(), bus.clone());
    Setup { store, bus, infer }
}

async fn register_anomaly_model(store: &Arc<MemoryObjectStore>) {
    let models = ModelStore::new(store.clone());
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
    let m = models.register(draft, Bytes::from(model.to_bytes())).await.unwrap();
    models.set_status("anomaly", m.version, ApprovalStatus::Approved, "test", None).await.unwrap();
}

/// Curates `raw` (as curate would) into the store and returns the "Dataset Curated" event for it.
async fn curated_event(store: &MemoryObjectStore, raw: &str, source: &str) -> Value {
    let curated = curate(raw, source, Compression::default()).unwrap();
    for file in &curated.files {
        store.put(&file.key, file.bytes.clone(), "application/vnd.apache.parquet").await.unwrap();
    }
    let detail: DatasetCurated = curated.to_event(BUCKET, source);
    json!({
        "version": "0", "id": "test", "detail-type": "Dataset Curated", "source": "twinpipe.curate",
        "account": "123456789012", "time": "2026-11-25T10:00:00Z", "region": "eu-west-1", "resources": [],
        "detail": detail,
    })
}

async fn scores(store: &MemoryObjectStore) -> Vec<(String, i64, f64)> {
    let mut out = Vec::new();
    for o in store.list("predictions/").await.unwrap() {
        for r in read_predictions(store.get(&o.key).await.unwrap(), &o.key).unwrap() {
            out.push((r.sensor_id, r.ts_ms, r.anomaly_score.unwrap()));
        }
    }
    out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    out
}

#[tokio::test]
async fn the_sample_event_names_the_object_curate_writes_for_its_raw_source() {
    let s = setup().await;
    let sample = sample_event();
    let source = sample["detail"]["source_object"].as_str().unwrap();
    let ours = curated_event(&s.store, &raw_lines(0..300, 250), source).await;
    if std::env::var_os("TWINPIPE_REGENERATE_EVENTS").is_some() {
        let mut regenerated = sample.clone();
        regenerated["detail"] = ours["detail"].clone();
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/eventbridge-dataset-curated.json");
        std::fs::write(path, serde_json::to_string_pretty(&regenerated).unwrap() + "\n").unwrap();
    }
    assert_eq!(
        ours["detail"], sample["detail"],
        "rerun with TWINPIPE_REGENERATE_EVENTS=1 to regenerate the sample"
    );
    let outcome = s.infer.handle(&sample).await.unwrap();
    let written = &outcome.predictions[0];
    assert_eq!(
        (written.model.as_str(), written.model_version, written.kind.as_str()),
        ("anomaly", 1, "anomaly-detector")
    );
    // One row per reading and one asset-level row per timestamp.
    assert_eq!(written.rows, 300 * 3 + 300);
    assert_eq!(written.objects.len(), 1);
    assert!(
        written.objects[0]
            .key
            .starts_with("predictions/model=anomaly/date=2026-11-25/hour=09/asset=pump-003/")
    );
}

#[tokio::test]
async fn a_hot_bearing_raises_one_explained_anomaly() {
    let s = setup().await;
    let event = curated_event(&s.store, &raw_lines(0..300, 250), "raw/a.ndjson").await;
    let outcome = s.infer.handle(&event).await.unwrap();
    assert!(!outcome.anomalies.is_empty(), "the step change must be flagged");
    let first = &outcome.anomalies[0];
    assert_eq!(first.asset_id, "pump-003");
    assert_eq!(first.start_ts, "2026-11-25T09:41:40.000Z", "flagged at the onset, row 250");
    assert_eq!(first.sensors[0].sensor_id, "bearing_temp", "{:?}", first.sensors);
    assert!(first.sensors[0].observed > first.sensors[0].expected + 20.0);
    let published = s.bus.detail_types();
    assert_eq!(published[0], "Predictions Written");
    assert!(published.iter().any(|t| t == "Anomaly Detected"));
}

#[tokio::test]
async fn reprocessing_the_same_event_yields_the_same_outputs() {
    let s = setup().await;
    let event = curated_event(&s.store, &raw_lines(0..300, 250), "raw/a.ndjson").await;
    let first = s.infer.handle(&event).await.unwrap();
    let bytes_before: Vec<Bytes> = predictions_bytes(&s.store).await;
    let again = s.infer.handle(&event).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(bytes_before, predictions_bytes(&s.store).await);
    let record: Value =
        serde_json::from_slice(&s.store.get("state/anomaly/1/pump-003.json").await.unwrap()).unwrap();
    assert_eq!(record["applied"].as_array().unwrap().len(), 1, "the state advanced once");
}

async fn predictions_bytes(store: &MemoryObjectStore) -> Vec<Bytes> {
    let mut out = Vec::new();
    for o in store.list("predictions/").await.unwrap() {
        out.push(store.get(&o.key).await.unwrap());
    }
    out
}

#[tokio::test]
async fn no_approved_model_means_nothing_to_do() {
    let store = Arc::new(MemoryObjectStore::new(BUCKET));
    let infer = Infer::new(store.clone(), Arc::new(Recorder::default()));
    let event = curated_event(&store, &raw_lines(0..10, 99), "raw/a.ndjson").await;
    let outcome = infer.handle(&event).await.unwrap();
    assert!(outcome.predictions.is_empty() && outcome.anomalies.is_empty());
}

#[tokio::test]
async fn other_events_are_refused() {
    let s = setup().await;
    let mut event = sample_event();
    event["detail-type"] = "Object Created".into();
    let err = s.infer.handle(&event).await.unwrap_err();
    assert!(matches!(err, InferError::NotDatasetCurated(_)), "{err}");
    let mut event = sample_event();
    event["detail"]["bucket"] = "elsewhere".into();
    assert!(matches!(s.infer.handle(&event).await.unwrap_err(), InferError::WrongBucket { .. }));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Streaming state carries across invocations: any split of the same readings into successive
    /// curated objects gives the scores of one pass.
    #[test]
    fn chunking_into_batches_gives_the_same_scores(cuts in proptest::collection::btree_set(1i64..200, 1..4)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let whole = setup().await;
            let event = curated_event(&whole.store, &raw_lines(0..200, 150), "raw/whole.ndjson").await;
            whole.infer.handle(&event).await.unwrap();

            let parts = setup().await;
            let bounds: Vec<i64> = std::iter::once(0).chain(cuts.iter().copied()).chain(std::iter::once(200)).collect();
            for (i, w) in bounds.windows(2).enumerate() {
                let event = curated_event(&parts.store, &raw_lines(w[0]..w[1], 150), &format!("raw/part-{i}.ndjson")).await;
                parts.infer.handle(&event).await.unwrap();
            }
            prop_assert_eq!(scores(&whole.store).await, scores(&parts.store).await);
            Ok(())
        })?;
    }
}
