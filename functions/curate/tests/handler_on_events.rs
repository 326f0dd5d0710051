//! The curate handler on the sample events in `events/`, against the local directory store and bus.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, TimestampMillisecondType};
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use twinpipe_curate::{Curate, CurateError};
use twinpipe_local::{DirObjectStore, LocalEventRouter};
use twinpipe_ports::object_store::WriteCondition;
use twinpipe_ports::{ObjectMeta, ObjectStore};

const BUCKET: &str = "twinpipe-data";

fn event(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn key_of(event: &Value) -> String {
    event["detail"]["object"]["key"].as_str().unwrap().to_owned()
}

struct Setup {
    _dir: tempfile::TempDir,
    store: Arc<DirObjectStore>,
    router: Arc<LocalEventRouter>,
    curate: Curate,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(DirObjectStore::new(dir.path(), BUCKET));
    let router = LocalEventRouter::new(Vec::new());
    let curate = Curate::new(store.clone(), router.bus("twinpipe"));
    Setup { _dir: dir, store, router, curate }
}

fn line(asset: &str, sensor: &str, ts: &str, value: f64, unit: &str) -> String {
    format!(
        r#"{{"asset_id":"{asset}","sensor_id":"{sensor}","ts":"{ts}","value":{value},"unit":"{unit}","quality":"good","ingested_at":"2026-11-25T10:00:00.000Z"}}"#
    )
}

fn raw(lines: &[String]) -> Bytes {
    Bytes::from(lines.join("\n") + "\n")
}

fn sample_raw() -> Bytes {
    raw(&[
        line("pump-7", "bearing_temp", "2026-11-25T09:59:00.000Z", 212.0, "degF"),
        line("pump-7", "bearing_temp", "2026-11-25T09:59:00.000Z", 212.0, "degF"),
        line("pump-7", "discharge_pressure", "2026-11-25T09:59:00.000Z", 60.0, "psi"),
        line("pump-7", "discharge_pressure", "2026-11-25T10:00:30.000Z", 61.0, "psi"),
    ])
}

struct Rows {
    asset: Vec<String>,
    sensor: Vec<String>,
    ts: Vec<i64>,
    value: Vec<f64>,
    unit: Vec<String>,
    source: Vec<String>,
}

/// A string column, plain or dictionary-encoded.
fn strings(b: &arrow_array::RecordBatch, name: &str) -> Vec<String> {
    let col = b.column_by_name(name).unwrap();
    if let Some(plain) = col.as_string_opt::<i32>() {
        return plain.iter().map(|v| v.unwrap().to_owned()).collect();
    }
    let dict = col.as_any_dictionary();
    let values = dict.values().as_string::<i32>();
    dict.normalized_keys().iter().map(|&k| values.value(k).to_owned()).collect()
}

async fn read_rows(store: &DirObjectStore, key: &str) -> Rows {
    let bytes = store.get(key).await.unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap().build().unwrap();
    let mut rows =
        Rows { asset: vec![], sensor: vec![], ts: vec![], value: vec![], unit: vec![], source: vec![] };
    for batch in reader {
        let b = batch.unwrap();
        rows.asset.extend(strings(&b, "asset_id"));
        rows.sensor.extend(strings(&b, "sensor_id"));
        rows.unit.extend(strings(&b, "unit"));
        rows.source.extend(strings(&b, "source_object"));
        rows.ts.extend(
            b.column_by_name("ts").unwrap().as_primitive::<TimestampMillisecondType>().values().iter(),
        );
        rows.value.extend(b.column_by_name("value").unwrap().as_primitive::<Float64Type>().values().iter());
    }
    rows
}

#[tokio::test]
async fn raw_object_becomes_deduplicated_normalised_hourly_parquet() {
    let s = setup();
    let ev = event("eventbridge-s3-object-created.json");
    s.store.put(&key_of(&ev), sample_raw(), "application/x-ndjson").await.unwrap();

    let detail = s.curate.handle(&ev).await.unwrap();
    assert_eq!((detail.rows_in, detail.rows_written, detail.duplicates_dropped), (4, 3, 1));
    assert_eq!(detail.objects.len(), 2, "09:59 and 10:00:30 fall in two hours");
    assert!(detail.objects[0].key.starts_with("curated/date=2026-11-25/hour=09/part-"));
    assert!(detail.objects[1].key.starts_with("curated/date=2026-11-25/hour=10/part-"));
    assert_eq!(detail.min_ts.as_deref(), Some("2026-11-25T09:59:00.000Z"));
    assert_eq!(s.router.published(), 1, "one Dataset Curated event");

    let rows = read_rows(&s.store, &detail.objects[0].key).await;
    assert_eq!(rows.sensor, vec!["bearing_temp", "discharge_pressure"]);
    assert_eq!(rows.unit, vec!["degC", "kPa"]);
    assert!((rows.value[0] - 100.0).abs() < 1e-9, "212 °F is 100 °C");
    assert!((rows.value[1] - 413.685_437_590_08).abs() < 1e-6, "60 psi in kPa");
    assert_eq!(rows.ts[0], 1_795_600_740_000);
    assert_eq!(rows.source[0], key_of(&ev), "lineage names the raw object");
    assert!(rows.asset.iter().all(|a| a == "pump-7"));
}

#[tokio::test]
async fn awkward_keys_are_found_raw_or_form_encoded() {
    let s = setup();
    let ev = event("eventbridge-s3-object-created-awkward-key.json");
    let key = key_of(&ev);
    assert!(key.contains(' ') && key.contains('+') && key.contains('ü'));
    s.store.put(&key, sample_raw(), "application/x-ndjson").await.unwrap();
    assert_eq!(s.curate.handle(&ev).await.unwrap().source_object, key);

    let mut encoded = ev.clone();
    encoded["detail"]["object"]["key"] =
        "raw/site+a/pump%2B7+%C3%BC%E2%82%AC+2026-11-25T09%3A00%3A00.ndjson".into();
    assert_eq!(
        s.curate.handle(&encoded).await.unwrap().source_object,
        key,
        "S3's classic URL-encoding is decoded"
    );
}

#[tokio::test]
async fn every_sample_object_created_event_is_curated() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !name.starts_with("eventbridge-s3-") {
            continue;
        }
        let s = setup();
        let ev = event(&name);
        s.store.put(&key_of(&ev), sample_raw(), "application/x-ndjson").await.unwrap();
        let detail = s.curate.handle(&ev).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(detail.rows_written, 3, "{name}");
        seen += 1;
    }
    assert!(seen >= 2);
}

#[tokio::test]
async fn redelivered_event_changes_nothing() {
    let s = setup();
    let ev = event("eventbridge-s3-object-created.json");
    s.store.put(&key_of(&ev), sample_raw(), "application/x-ndjson").await.unwrap();
    let first = s.curate.handle(&ev).await.unwrap();
    let before: Vec<(String, Bytes)> = snapshot(&s.store).await;
    let second = s.curate.handle(&ev).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(snapshot(&s.store).await, before);
}

async fn snapshot(store: &DirObjectStore) -> Vec<(String, Bytes)> {
    let mut out = Vec::new();
    for m in store.list("curated/").await.unwrap() {
        out.push((m.key.clone(), store.get(&m.key).await.unwrap()));
    }
    out
}

fn object_created(key: &str) -> Value {
    let mut ev = event("eventbridge-s3-object-created.json");
    ev["detail"]["object"]["key"] = key.into();
    ev
}

#[tokio::test]
async fn late_data_adds_a_file_without_rewriting_or_duplicating() {
    let s = setup();
    let first_key = "raw/date=2026-11-25/hour=09/first.ndjson";
    s.store.put(first_key, sample_raw(), "application/x-ndjson").await.unwrap();
    let first = s.curate.handle(&object_created(first_key)).await.unwrap();
    let first_file = first.objects[0].key.clone();
    let first_bytes = s.store.get(&first_file).await.unwrap();

    let late_key = "raw/date=2026-11-25/hour=09/late.ndjson";
    let late = raw(&[
        line("pump-7", "bearing_temp", "2026-11-25T09:59:00.000Z", 212.0, "degF"),
        line("pump-7", "bearing_temp", "2026-11-25T09:30:00.000Z", 200.0, "degF"),
    ]);
    s.store.put(late_key, late, "application/x-ndjson").await.unwrap();
    let second = s.curate.handle(&object_created(late_key)).await.unwrap();
    assert_eq!(
        (second.rows_written, second.duplicates_dropped),
        (1, 1),
        "the 09:59 reading is already curated"
    );
    assert_ne!(second.objects[0].key, first_file, "late data goes to a file of its own");
    assert_eq!(s.store.get(&first_file).await.unwrap(), first_bytes, "existing files are never rewritten");

    // Re-curating the first source after the late one still yields the same file.
    s.curate.handle(&object_created(first_key)).await.unwrap();
    assert_eq!(s.store.get(&first_file).await.unwrap(), first_bytes);
}

#[tokio::test]
async fn a_lost_key_index_is_rebuilt_from_the_parquet_files() {
    let s = setup();
    let first_key = "raw/date=2026-11-25/hour=09/first.ndjson";
    s.store.put(first_key, sample_raw(), "application/x-ndjson").await.unwrap();
    s.curate.handle(&object_created(first_key)).await.unwrap();
    let index = s.store.dir().join("curated/date=2026-11-25/hour=09/_keys.json");
    std::fs::write(&index, b"not json").unwrap();

    let dup_key = "raw/date=2026-11-25/hour=09/dup.ndjson";
    s.store.put(dup_key, sample_raw(), "application/x-ndjson").await.unwrap();
    let dup = s.curate.handle(&object_created(dup_key)).await.unwrap();
    assert_eq!(dup.rows_written, 0, "every reading was curated before: {dup:?}");
    assert!(dup.objects.is_empty(), "no empty Parquet file is written");
}

#[tokio::test]
async fn missing_object_wrong_bucket_and_foreign_events_are_clear_errors() {
    let s = setup();
    let err = s.curate.handle(&event("eventbridge-s3-object-created.json")).await.unwrap_err();
    assert!(matches!(err, CurateError::SourceMissing { .. }) && !err.is_transient(), "{err}");

    let mut other = event("eventbridge-s3-object-created.json");
    other["detail"]["bucket"]["name"] = "someone-else".into();
    let err = s.curate.handle(&other).await.unwrap_err();
    assert!(err.to_string().contains("someone-else"), "{err}");

    let err =
        s.curate.handle(&serde_json::json!({"source": "aws.ec2", "detail-type": "x"})).await.unwrap_err();
    assert!(matches!(err, CurateError::NotObjectCreated(_)), "{err}");
}

#[tokio::test]
async fn malformed_raw_object_names_the_line() {
    let s = setup();
    let key = "raw/date=2026-11-25/hour=09/bad.ndjson";
    s.store
        .put(
            key,
            Bytes::from(format!("{}\nnot json\n", line("a", "b", "2026-11-25T09:00:00Z", 1.0, "kPa"))),
            "x",
        )
        .await
        .unwrap();
    let err = s.curate.handle(&object_created(key)).await.unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

/// A view of a shared store whose first read of a key index waits until the other view has read one
/// too: two curations of the same hour then both load the index before either saves it.
struct RacingStore {
    inner: DirObjectStore,
    barrier: Arc<tokio::sync::Barrier>,
    waited: std::sync::atomic::AtomicBool,
}

type StoreFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, twinpipe_ports::StoreError>> + Send + 'a>>;

/// Written out as `#[async_trait]` would expand it (this crate does not depend on async-trait).
impl ObjectStore for RacingStore {
    fn bucket(&self) -> &str {
        self.inner.bucket()
    }

    fn put<'s, 'k, 'c, 'f>(&'s self, key: &'k str, body: Bytes, ct: &'c str) -> StoreFuture<'f, ()>
    where
        's: 'f,
        'k: 'f,
        'c: 'f,
        Self: 'f,
    {
        self.inner.put(key, body, ct)
    }

    fn get<'s, 'k, 'f>(&'s self, key: &'k str) -> StoreFuture<'f, Bytes>
    where
        's: 'f,
        'k: 'f,
        Self: 'f,
    {
        self.inner.get(key)
    }

    fn list<'s, 'p, 'f>(&'s self, prefix: &'p str) -> StoreFuture<'f, Vec<ObjectMeta>>
    where
        's: 'f,
        'p: 'f,
        Self: 'f,
    {
        self.inner.list(prefix)
    }

    fn get_tagged<'s, 'k, 'f>(&'s self, key: &'k str) -> StoreFuture<'f, Option<(Bytes, String)>>
    where
        's: 'f,
        'k: 'f,
        Self: 'f,
    {
        Box::pin(async move {
            let found = self.inner.get_tagged(key).await?;
            if key.ends_with(twinpipe_curation::KEY_INDEX_FILE)
                && !self.waited.swap(true, std::sync::atomic::Ordering::SeqCst)
            {
                self.barrier.wait().await;
            }
            Ok(found)
        })
    }

    fn put_if<'s, 'k, 'c, 'f>(
        &'s self,
        key: &'k str,
        body: Bytes,
        ct: &'c str,
        condition: WriteCondition,
    ) -> StoreFuture<'f, ()>
    where
        's: 'f,
        'k: 'f,
        'c: 'f,
        Self: 'f,
    {
        self.inner.put_if(key, body, ct, condition)
    }

    fn delete<'s, 'k, 'f>(&'s self, key: &'k str) -> StoreFuture<'f, ()>
    where
        's: 'f,
        'k: 'f,
        Self: 'f,
    {
        self.inner.delete(key)
    }
}

/// Curates `first` and `second` (raw NDJSON of one hour) with two handlers that both load the hour's
/// key index before either saves it. Returns the store and both "Dataset Curated" details.
async fn curate_racing(
    first: Bytes,
    second: Bytes,
) -> (tempfile::TempDir, DirObjectStore, [twinpipe_domain::events::DatasetCurated; 2]) {
    let dir = tempfile::tempdir().unwrap();
    let store = DirObjectStore::new(dir.path(), BUCKET);
    let keys = ["raw/date=2026-11-25/hour=09/racer-a.ndjson", "raw/date=2026-11-25/hour=09/racer-b.ndjson"];
    store.put(keys[0], first, "application/x-ndjson").await.unwrap();
    store.put(keys[1], second, "application/x-ndjson").await.unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let router = LocalEventRouter::new(Vec::new());
    let handler = || {
        let view = RacingStore { inner: store.clone(), barrier: barrier.clone(), waited: Default::default() };
        Curate::new(Arc::new(view), router.bus("twinpipe"))
    };
    let (a, b) = (handler(), handler());
    let (ea, eb) = (object_created(keys[0]), object_created(keys[1]));
    let (ra, rb) = tokio::join!(a.handle(&ea), b.handle(&eb));
    (dir, store, [ra.unwrap(), rb.unwrap()])
}

/// Every curated row of the store: (rows in all files, distinct keys among them).
async fn curated_keys(store: &DirObjectStore) -> (usize, twinpipe_curation::ExistingKeys) {
    let mut keys = twinpipe_curation::ExistingKeys::new();
    let mut rows = 0;
    for m in store.list("curated/").await.unwrap() {
        if m.key.ends_with(".parquet") {
            let bytes = store.get(&m.key).await.unwrap();
            rows += keys.extend_from_parquet(bytes, &m.key).unwrap();
        }
    }
    (rows, keys)
}

#[tokio::test]
async fn racing_curations_of_one_hour_keep_each_shared_reading_once() {
    let shared = [
        line("pump-7", "bearing_temp", "2026-11-25T09:10:00.000Z", 100.0, "degC"),
        line("pump-7", "bearing_temp", "2026-11-25T09:11:00.000Z", 101.0, "degC"),
    ];
    let only_a = line("pump-7", "bearing_temp", "2026-11-25T09:12:00.000Z", 102.0, "degC");
    let only_b = line("pump-7", "bearing_temp", "2026-11-25T09:13:00.000Z", 103.0, "degC");
    let (_dir, store, curated) = curate_racing(
        raw(&[shared[0].clone(), only_a, shared[1].clone()]),
        raw(&[shared[1].clone(), only_b, shared[0].clone()]),
    )
    .await;

    let (rows, keys) = curated_keys(&store).await;
    assert_eq!(keys.len(), 4, "nothing lost");
    assert_eq!(rows, 4, "no reading curated twice");
    let written: u64 = curated.iter().map(|c| c.rows_written).sum();
    let dropped: u64 = curated.iter().map(|c| c.duplicates_dropped).sum();
    assert_eq!((written, dropped), (4, 2), "the events tell the final state");

    // The index agrees with the files: curating either object again changes nothing.
    let before = snapshot(&store).await;
    let again = Curate::new(Arc::new(store.clone()), LocalEventRouter::new(Vec::new()).bus("twinpipe"));
    for key in ["raw/date=2026-11-25/hour=09/racer-a.ndjson", "raw/date=2026-11-25/hour=09/racer-b.ndjson"] {
        again.handle(&object_created(key)).await.unwrap();
    }
    assert_eq!(snapshot(&store).await, before);
}

#[tokio::test]
async fn the_racing_loser_whose_rows_are_all_curated_leaves_no_file() {
    let readings = raw(&[
        line("pump-7", "bearing_temp", "2026-11-25T09:10:00.000Z", 100.0, "degC"),
        line("pump-7", "bearing_temp", "2026-11-25T09:11:00.000Z", 101.0, "degC"),
    ]);
    let (_dir, store, curated) = curate_racing(readings.clone(), readings).await;

    let files: Vec<String> = store
        .list("curated/")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .filter(|k| k.ends_with(".parquet"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let (rows, keys) = curated_keys(&store).await;
    assert_eq!((rows, keys.len()), (2, 2));
    let mut per_handler: Vec<(u64, u64, usize)> =
        curated.iter().map(|c| (c.rows_written, c.duplicates_dropped, c.objects.len())).collect();
    per_handler.sort();
    assert_eq!(per_handler, vec![(0, 2, 0), (2, 0, 1)]);
}
