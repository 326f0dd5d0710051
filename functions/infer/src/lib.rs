//! The infer handler: "Dataset Curated" → the approved models → predictions + events.
//!
//! For each model with an Approved version (the model store's `load_approved`: newest approved version
//! whose checksum verifies and that decodes; decoded models are cached across invocations), for each
//! curated object of the event and each asset in it:
//! 1. load the asset's record `state/<model>/<version>/<asset>.json` (streaming state + applied batches);
//! 2. if the object was applied already, take the recorded outcome (a redelivery changes nothing);
//! 3. otherwise score the rows, write `predictions/model=<m>/date=<d>/hour=<h>/asset=<a>/part-<id>.parquet`
//!    (deterministic bytes), and save the advanced record with compare-and-swap; if another invocation
//!    saved it first, redo from its record.
//!
//! Each computed inference also leaves a record (rows, anomalies, latency) under `analytics/` for
//! `twinpipe model stats`.
//!
//! Then one "Predictions Written" per model and one "Anomaly Detected" per anomaly episode are published.
//! Events go out at least once: a retry after a failed publish republishes the recorded outcome, and
//! the events carry stable ids (`inference_id`, `dedupe_key`) for consumers to deduplicate.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use twinpipe_curation::{CuratedRow, CurationError, read_curated};
use twinpipe_domain::events::{
    self, AnomalyDetected, CuratedObject, DatasetCurated, PredictionObject, PredictionsWritten, Severity,
};
use twinpipe_domain::reading::format_ts_ms;
use twinpipe_inference::{
    AppliedBatch, AssetHead, Episode, InferenceRecord, PredictionError, RowIdentity, ServingError,
    ServingModel, analytics_key, episodes, inference_id, prediction_key, time_range, write_analytics,
    write_predictions,
};
use twinpipe_model_store::{ApprovalStatus, Manifest, ModelStore, ModelStoreError};
use twinpipe_ports::{BusError, BusEvent, EventBus, ObjectStore, StoreError, WriteCondition};

/// How often an asset's record is redone when other invocations keep saving it first.
pub const MAX_ROUNDS: u32 = 10;
/// Flagged rows closer than this belong to one anomaly episode.
pub const EPISODE_GAP_MS: i64 = 5 * 60 * 1000;

/// Why an inference failed. Every variant but `NotDatasetCurated`, `WrongBucket` and `BadCuratedObject` is
/// worth a retry.
#[derive(Debug, thiserror::Error)]
pub enum InferError {
    #[error("not a \"Dataset Curated\" event: {0}")]
    NotDatasetCurated(String),
    #[error(
        "the event is for bucket {event_bucket:?} but this function reads bucket {configured:?} (check TWINPIPE_BUCKET and the EventBridge rule)"
    )]
    WrongBucket { event_bucket: String, configured: String },
    #[error("curated object {key} is unreadable: {source}")]
    BadCuratedObject {
        key: String,
        #[source]
        source: Box<CurationError>,
    },
    #[error(transparent)]
    Model(#[from] ModelStoreError),
    #[error(transparent)]
    Serving(#[from] ServingError),
    #[error(transparent)]
    Predictions(#[from] PredictionError),
    #[error("state record {key} is not valid JSON ({reason}); delete it to restart the stream")]
    BadRecord { key: String, reason: String },
    #[error("state record {key} kept changing under {rounds} attempts; retry")]
    Contended { key: String, rounds: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("publishing predictions events failed: {0}")]
    Publish(#[from] BusError),
}

/// What one invocation produced (also the invocation's JSON result).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InferOutcome {
    pub predictions: Vec<PredictionsWritten>,
    pub anomalies: Vec<AnomalyDetected>,
    /// Models present in the store but not served now, with the reason (no Approved version, ...).
    pub models_not_served: BTreeMap<String, String>,
}

struct Served {
    manifest: Manifest,
    model: ServingModel,
}

/// The infer handler, over any object store (data bucket, holding the model store) and event bus.
pub struct Infer {
    store: Arc<dyn ObjectStore>,
    bus: Arc<dyn EventBus>,
    models: ModelStore,
    cache: Mutex<HashMap<(String, u32, String), Arc<Served>>>,
}

impl Infer {
    pub fn new(store: Arc<dyn ObjectStore>, bus: Arc<dyn EventBus>) -> Self {
        Infer { models: ModelStore::new(store.clone()), store, bus, cache: Mutex::default() }
    }

    /// Handles one EventBridge event (the full envelope, as Lambda delivers it).
    pub async fn handle(&self, event: &Value) -> Result<InferOutcome, InferError> {
        let curated = dataset_curated(event)?;
        if curated.bucket != self.store.bucket() {
            return Err(InferError::WrongBucket {
                event_bucket: curated.bucket,
                configured: self.store.bucket().to_owned(),
            });
        }
        let mut outcome = InferOutcome::default();
        let served = self.serving_models(&mut outcome).await?;
        if served.is_empty() {
            tracing::info!(source_object = %curated.source_object, "no approved model to run");
            return Ok(outcome);
        }
        let objects = self.read_objects(&curated.objects).await?;
        for model in &served {
            let (written, anomalies) = self.run_model(model, &curated, &objects).await?;
            outcome.predictions.push(written);
            outcome.anomalies.extend(anomalies);
        }
        self.publish(&outcome).await?;
        tracing::info!(
            source_object = %curated.source_object,
            models = outcome.predictions.len(),
            rows = outcome.predictions.iter().map(|p| p.rows).sum::<u64>(),
            anomalies = outcome.anomalies.len(),
            "inference done"
        );
        Ok(outcome)
    }

    /// The models to run: each servable model's newest usable Approved version.
    async fn serving_models(&self, outcome: &mut InferOutcome) -> Result<Vec<Arc<Served>>, InferError> {
        let mut served = Vec::new();
        for name in self.models.names().await? {
            match self.load(&name).await {
                Ok(Some(model)) => served.push(model),
                Ok(None) => {}
                Err(ModelStoreError::NoApprovedVersion { .. } | ModelStoreError::ModelNotFound { .. }) => {
                    outcome.models_not_served.insert(name, "no Approved version".into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(served)
    }

    /// The serving model of `name`, or `None` when its kind is not run per dataset (e.g. clustering).
    /// Decoded models are cached by (name, version, sha256), so a warm function only lists manifests.
    async fn load(&self, name: &str) -> Result<Option<Arc<Served>>, ModelStoreError> {
        let versions = self.models.versions(name).await?;
        let Some(newest) = versions.iter().rev().find(|m| m.approval.status == ApprovalStatus::Approved)
        else {
            return Err(ModelStoreError::NoApprovedVersion { name: name.to_owned() });
        };
        if !ServingModel::serves(newest.kind) {
            return Ok(None);
        }
        let cache_key = |m: &Manifest| (m.name.clone(), m.version, m.artefact.sha256.clone());
        if let Some(hit) = self.cached(&cache_key(newest)) {
            return Ok(Some(hit));
        }
        let loaded = self.models.load_approved(name, |m, bytes| ServingModel::decode(m.kind, bytes)).await?;
        let served = Arc::new(Served { manifest: loaded.manifest, model: loaded.model });
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.insert(cache_key(&served.manifest), served.clone());
        Ok(Some(served))
    }

    fn cached(&self, key: &(String, u32, String)) -> Option<Arc<Served>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned()
    }

    async fn read_objects(
        &self,
        objects: &[CuratedObject],
    ) -> Result<Vec<(CuratedObject, BTreeMap<String, Vec<CuratedRow>>)>, InferError> {
        let mut out = Vec::with_capacity(objects.len());
        for object in objects {
            let bytes = self.store.get(&object.key).await?;
            let rows = read_curated(bytes, &object.key)
                .map_err(|e| InferError::BadCuratedObject { key: object.key.clone(), source: Box::new(e) })?;
            let mut by_asset: BTreeMap<String, Vec<CuratedRow>> = BTreeMap::new();
            for row in rows {
                by_asset.entry(row.asset_id.clone()).or_default().push(row);
            }
            out.push((object.clone(), by_asset));
        }
        Ok(out)
    }

    async fn run_model(
        &self,
        served: &Served,
        curated: &DatasetCurated,
        objects: &[(CuratedObject, BTreeMap<String, Vec<CuratedRow>>)],
    ) -> Result<(PredictionsWritten, Vec<AnomalyDetected>), InferError> {
        let m = &served.manifest;
        let mut written = PredictionsWritten {
            bucket: curated.bucket.clone(),
            model: m.name.clone(),
            model_version: m.version,
            kind: m.kind.to_string(),
            source_object: curated.source_object.clone(),
            rows: 0,
            anomalies: 0,
            objects: Vec::new(),
        };
        let mut anomalies = Vec::new();
        for (object, by_asset) in objects {
            for (asset_id, rows) in by_asset {
                let applied = self.apply_asset(served, object, asset_id, rows).await?;
                if let Some(o) = applied.object {
                    written.rows += o.rows;
                    written.objects.push(o);
                }
                written.anomalies += applied.rows_flagged;
                anomalies.extend(applied.anomalies);
            }
        }
        Ok((written, anomalies))
    }

    /// Applies one model to one asset's rows of one curated object, exactly once (see the module docs).
    async fn apply_asset(
        &self,
        served: &Served,
        object: &CuratedObject,
        asset_id: &str,
        rows: &[CuratedRow],
    ) -> Result<AppliedBatch, InferError> {
        let m = &served.manifest;
        let key = AssetHead::<Value>::key(&m.name, m.version, asset_id);
        for _ in 0..MAX_ROUNDS {
            let (mut head, condition) = match self.store.get_tagged(&key).await? {
                Some((bytes, tag)) => (decode_head(&key, &bytes)?, WriteCondition::Matches(tag)),
                None => (AssetHead::new(&m.name, m.version, asset_id), WriteCondition::Absent),
            };
            if let Some(done) = head.applied(&object.key) {
                return Ok(done.clone());
            }
            let id = inference_id(&m.name, m.version, &object.key, asset_id);
            let ids = RowIdentity { asset_id, model: &m.name, model_version: m.version, inference_id: &id };
            let started = Instant::now();
            let output = served.model.apply(&mut head, rows, &ids)?;
            let batch = self.write_batch(served, object, &ids, output).await?;
            self.write_analytics(object, &ids, &batch, started.elapsed()).await?;
            head.record(batch.clone());
            let body = Bytes::from(serde_json::to_vec(&head).expect("records serialise"));
            match self.store.put_if(&key, body, "application/json", condition).await {
                Ok(()) => return Ok(batch),
                Err(StoreError::PreconditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(InferError::Contended { key, rounds: MAX_ROUNDS })
    }

    async fn write_batch(
        &self,
        served: &Served,
        object: &CuratedObject,
        ids: &RowIdentity<'_>,
        output: twinpipe_inference::AssetOutput,
    ) -> Result<AppliedBatch, InferError> {
        let Some((min_ts, max_ts)) = time_range(&output.rows) else {
            return Ok(AppliedBatch {
                curated_key: object.key.clone(),
                object: None,
                rows_flagged: 0,
                anomalies: vec![],
            });
        };
        let key = prediction_key(ids.model, &object.date, &object.hour, ids.asset_id, ids.inference_id);
        self.store.put(&key, write_predictions(&output.rows)?, "application/vnd.apache.parquet").await?;
        let rows_flagged = output.rows.iter().filter(|r| r.is_anomaly == Some(true)).count() as u64;
        let anomalies = episodes(output.flagged, EPISODE_GAP_MS)
            .into_iter()
            .map(|ep| anomaly_event(self.store.bucket(), &served.manifest, ids, &key, ep))
            .collect();
        Ok(AppliedBatch {
            curated_key: object.key.clone(),
            object: Some(PredictionObject {
                key,
                asset_id: ids.asset_id.to_owned(),
                inference_id: ids.inference_id.to_owned(),
                rows: output.rows.len() as u64,
                min_ts,
                max_ts,
            }),
            rows_flagged,
            anomalies,
        })
    }

    /// Records the inference for `twinpipe model stats`. The key is the inference's, so a recomputation
    /// (after a failed state save) replaces its record rather than adding one.
    async fn write_analytics(
        &self,
        object: &CuratedObject,
        ids: &RowIdentity<'_>,
        batch: &AppliedBatch,
        latency: std::time::Duration,
    ) -> Result<(), InferError> {
        let record = InferenceRecord {
            model: ids.model.to_owned(),
            model_version: ids.model_version,
            asset_id: ids.asset_id.to_owned(),
            inference_id: ids.inference_id.to_owned(),
            curated_key: object.key.clone(),
            rows: batch.object.as_ref().map_or(0, |o| o.rows),
            anomalies: batch.rows_flagged,
            latency_ms: latency.as_secs_f64() * 1000.0,
            processed_at_ms: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64),
        };
        let key = analytics_key(ids.model, &object.date, &object.hour, ids.inference_id);
        self.store.put(&key, write_analytics(&[record])?, "application/vnd.apache.parquet").await?;
        Ok(())
    }

    async fn publish(&self, outcome: &InferOutcome) -> Result<(), InferError> {
        let predictions = outcome.predictions.iter().filter(|p| !p.objects.is_empty()).map(|p| BusEvent {
            source: events::INFER_SOURCE.to_owned(),
            detail_type: events::PREDICTIONS_WRITTEN.to_owned(),
            detail: serde_json::to_value(p).expect("events serialise"),
            resources: p.objects.iter().map(|o| format!("arn:aws:s3:::{}/{}", p.bucket, o.key)).collect(),
        });
        let anomalies = outcome.anomalies.iter().map(|a| BusEvent {
            source: events::INFER_SOURCE.to_owned(),
            detail_type: events::ANOMALY_DETECTED.to_owned(),
            detail: serde_json::to_value(a).expect("events serialise"),
            resources: vec![format!("arn:aws:s3:::{}/{}", a.bucket, a.evidence)],
        });
        let all: Vec<BusEvent> = predictions.chain(anomalies).collect();
        if !all.is_empty() {
            self.bus.publish(all).await?;
        }
        Ok(())
    }
}

fn anomaly_event(
    bucket: &str,
    m: &Manifest,
    ids: &RowIdentity<'_>,
    evidence: &str,
    ep: Episode,
) -> AnomalyDetected {
    let start_ts = format_ts_ms(ep.start_ms);
    AnomalyDetected {
        bucket: bucket.to_owned(),
        asset_id: ids.asset_id.to_owned(),
        model: m.name.clone(),
        model_version: m.version,
        inference_id: ids.inference_id.to_owned(),
        dedupe_key: format!("{}/{}/{}/{start_ts}", m.name, m.version, ids.asset_id),
        start_ts,
        peak_ts: format_ts_ms(ep.peak.ts_ms),
        score: ep.peak.score,
        rows_flagged: ep.rows,
        severity: if ep.peak.score >= 0.99 { Severity::Critical } else { Severity::Warning },
        sensors: ep.peak.explanation.sensors,
        evidence: evidence.to_owned(),
    }
}

fn decode_head(key: &str, bytes: &[u8]) -> Result<AssetHead<Value>, InferError> {
    serde_json::from_slice(bytes)
        .map_err(|e| InferError::BadRecord { key: key.to_owned(), reason: e.to_string() })
}

/// Checks the envelope and extracts the "Dataset Curated" detail.
fn dataset_curated(event: &Value) -> Result<DatasetCurated, InferError> {
    let field = |name: &str| event.get(name).and_then(Value::as_str).unwrap_or_default();
    if field("source") != events::CURATE_SOURCE || field("detail-type") != events::DATASET_CURATED {
        return Err(InferError::NotDatasetCurated(format!(
            "source {:?}, detail-type {:?}; expected {:?} / {:?}",
            field("source"),
            field("detail-type"),
            events::CURATE_SOURCE,
            events::DATASET_CURATED
        )));
    }
    let detail = event.get("detail").cloned().unwrap_or(Value::Null);
    serde_json::from_value(detail).map_err(|e| InferError::NotDatasetCurated(format!("detail: {e}")))
}
