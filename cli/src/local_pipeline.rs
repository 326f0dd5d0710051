//! The pipeline on the local adapters, driven like the AWS services drive the Lambda functions.
//!
//! `run_until_idle` alternates between the two event sources until neither has work left:
//! - the queue (SQS event source mapping): batches of up to `batch_size` messages go to ingest, and the
//!   batch response decides what is deleted, redelivered or dead-lettered;
//! - the event router (EventBridge): every S3 "Object Created" that ingest's writes produced, and every
//!   pipeline event, is delivered to the function its rule names (curate, infer, alert), with retries and
//!   a dead-letter list. Alerts go to `alerts.ndjson` in the data directory, the local stand-in for the
//!   SNS topic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use twinpipe_alert::{Alert, AlertConfig};
use twinpipe_curate::Curate;
use twinpipe_domain::events::DatasetCurated;
use twinpipe_infer::Infer;
use twinpipe_ingest::{Ingest, IngestConfig};
use twinpipe_local::rules::{RuleContext, load_rules};
use twinpipe_local::{DirObjectStore, FailurePlan, FileNotifier, FlakyStore, LocalEventRouter, MemoryQueue};
use twinpipe_ports::ObjectStore;

/// How the local pipeline is set up.
#[derive(Clone)]
pub struct PipelineOptions {
    pub data_dir: PathBuf,
    pub bucket: String,
    /// Messages per ingest invocation (the event source mapping's batch size; SQS allows up to 10,000).
    pub batch_size: usize,
    /// Receives before a message goes to the dead-letter queue (the queue's `maxReceiveCount`).
    pub max_receive_count: u32,
    /// Storage failures to inject, to watch redelivery recover from them.
    pub failures: FailurePlan,
    /// Rounds of dead-letter redrive when the pipeline falls idle with dead letters left, as an
    /// operator would after a storage outage (0: leave them for inspection).
    pub redrive_rounds: u32,
    pub ingest: IngestConfig,
}

impl PipelineOptions {
    /// Defaults for a data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        PipelineOptions {
            data_dir: data_dir.into(),
            bucket: crate::DEFAULT_LOCAL_BUCKET.to_owned(),
            batch_size: 10,
            max_receive_count: 5,
            failures: FailurePlan::Never,
            redrive_rounds: 3,
            ingest: IngestConfig::default(),
        }
    }
}

/// What a run did, for the summary and the tests.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunStats {
    pub messages_sent: u64,
    pub ingest_invocations: u64,
    pub readings_accepted: u64,
    pub inputs_quarantined: u64,
    pub messages_redelivered: u64,
    pub messages_dead_lettered: u64,
    pub curate_invocations: u64,
    pub curate_failures: u64,
    pub rows_curated: u64,
    pub duplicates_dropped: u64,
    pub curated_files_written: u64,
    pub infer_invocations: u64,
    pub infer_failures: u64,
    pub predictions_written: u64,
    pub anomalies_detected: u64,
    pub alert_invocations: u64,
    pub alerts_sent: u64,
    /// Findings held back by the cooldown or a storm, or dropped as duplicates.
    pub alerts_suppressed: u64,
    pub alert_failures: u64,
    pub events_published: u64,
    pub events_dead_lettered: u64,
    pub dead_letters_redriven: u64,
    pub storage_failures_injected: u64,
}

/// The local pipeline: queue → ingest → bucket → (S3 event) → curate → (Dataset Curated) → infer →
/// (Anomaly Detected) → alert.
pub struct LocalPipeline {
    options: PipelineOptions,
    queue: MemoryQueue,
    router: Arc<LocalEventRouter>,
    store: Arc<FlakyStore<DirObjectStore>>,
    ingest: Ingest,
    curate: Curate,
    infer: Infer,
    alert: Alert,
    stats: RunStats,
}

/// Why the local pipeline could not start.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("loading the event rules from infra/event-rules: {0}")]
    Rules(#[from] twinpipe_local::RuleError),
    #[error("cannot use data directory {dir}: {source}")]
    DataDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl LocalPipeline {
    /// Wires the local adapters in `options.data_dir`.
    pub fn open(options: PipelineOptions) -> Result<Self, PipelineError> {
        let data_dir = options.data_dir.clone();
        let dir_err = |source| PipelineError::DataDir { dir: data_dir.clone(), source };
        std::fs::create_dir_all(&options.data_dir).map_err(dir_err)?;
        let rules = load_rules(&RuleContext {
            data_bucket: options.bucket.clone(),
            pipeline_bus: crate::PIPELINE_BUS.to_owned(),
        })?;
        let router = LocalEventRouter::new(rules);
        router.journal_to(options.data_dir.join("events.ndjson")).map_err(dir_err)?;
        let dir_store =
            DirObjectStore::new(&options.data_dir, &options.bucket).with_notifications(router.bus("default"));
        let store = Arc::new(FlakyStore::new(dir_store, options.failures));
        let ingest = Ingest::new(store.clone(), options.ingest.clone());
        let curate = Curate::new(store.clone(), router.bus(crate::PIPELINE_BUS));
        let infer = Infer::new(store.clone(), router.bus(crate::PIPELINE_BUS));
        let outbox = FileNotifier::new(options.data_dir.join("alerts.ndjson"));
        let alert = Alert::new(store.clone(), Arc::new(outbox), AlertConfig::default());
        Ok(LocalPipeline {
            queue: MemoryQueue::new("twinpipe-readings", options.max_receive_count),
            options,
            router,
            store,
            ingest,
            curate,
            infer,
            alert,
            stats: RunStats::default(),
        })
    }

    /// Sends one message body to the readings queue, as a producer would.
    pub fn send(&mut self, body: impl Into<String>, sent_ms: i64) -> String {
        self.stats.messages_sent += 1;
        self.queue.send(body, sent_ms)
    }

    /// The bucket, for reading back what the pipeline wrote.
    pub fn store(&self) -> &dyn ObjectStore {
        self.store.as_ref()
    }

    /// Where the bucket's objects are on disk.
    pub fn bucket_dir(&self) -> PathBuf {
        self.options.data_dir.join(&self.options.bucket)
    }

    /// The model store in the local bucket, for operator actions (register, approve); its writes are not
    /// subject to the injected storage failures.
    pub fn models(&self) -> twinpipe_model_store::ModelStore {
        let store = DirObjectStore::new(&self.options.data_dir, &self.options.bucket);
        twinpipe_model_store::ModelStore::new(Arc::new(store))
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.options.data_dir
    }

    /// Runs ingest and curate until the queue and the bus are both empty, redriving dead letters up to
    /// `redrive_rounds` times. `progress` is called after every invocation with the stats so far and
    /// the messages still queued. The final stats count the dead letters that remain.
    pub async fn run_until_idle(&mut self, mut progress: impl FnMut(&RunStats, usize)) -> RunStats {
        for round in 0..=self.options.redrive_rounds {
            if round > 0 {
                let redriven = self.queue.redrive_dead_letters() + self.router.redrive_dead_letters();
                if redriven == 0 {
                    break;
                }
                tracing::warn!(redriven, round, "redriving dead letters");
                self.stats.dead_letters_redriven += redriven as u64;
            }
            self.drain(&mut progress).await;
        }
        self.stats.messages_dead_lettered = self.queue.dead_letters().len() as u64;
        self.stats.events_dead_lettered = self.router.dead_letters().len() as u64;
        self.stats.clone()
    }

    async fn drain(&mut self, progress: &mut impl FnMut(&RunStats, usize)) {
        loop {
            let now_ms = (self.options.ingest.clock)();
            if let Some(batch) = self.queue.receive(self.options.batch_size, now_ms) {
                self.run_ingest(&batch).await;
            } else if let Some(delivery) = self.router.next_delivery() {
                self.deliver(delivery).await;
            } else {
                break;
            }
            self.stats.storage_failures_injected = self.store.injected_failures();
            self.stats.events_published = self.router.published();
            progress(&self.stats, self.queue.visible());
        }
    }

    async fn run_ingest(&mut self, batch: &aws_lambda_events::event::sqs::SqsEvent) {
        self.stats.ingest_invocations += 1;
        match self.ingest.handle_with_stats(batch).await {
            Ok((response, stats)) => {
                self.stats.readings_accepted += stats.accepted as u64;
                self.stats.inputs_quarantined += stats.quarantined as u64;
                self.stats.messages_redelivered += stats.failed as u64;
                self.queue.complete(batch, response.as_ref());
            }
            Err(e) => {
                self.stats.messages_redelivered += batch.records.len() as u64;
                self.queue.complete(batch, Err::<&aws_lambda_events::event::sqs::SqsBatchResponse, _>(e));
            }
        }
    }

    async fn deliver(&mut self, delivery: twinpipe_local::Delivery) {
        let result = match delivery.target.as_str() {
            "curate" => {
                self.stats.curate_invocations += 1;
                let result = self.curate.handle(&delivery.event).await;
                match &result {
                    Ok(curated) => self.count_curated(curated),
                    Err(_) => self.stats.curate_failures += 1,
                }
                result.map(drop).map_err(|e| e.to_string())
            }
            "infer" => {
                self.stats.infer_invocations += 1;
                let result = self.infer.handle(&delivery.event).await;
                match &result {
                    Ok(outcome) => {
                        self.stats.predictions_written +=
                            outcome.predictions.iter().map(|p| p.rows).sum::<u64>();
                        self.stats.anomalies_detected += outcome.anomalies.len() as u64;
                    }
                    Err(_) => self.stats.infer_failures += 1,
                }
                result.map(drop).map_err(|e| e.to_string())
            }
            "alert" => {
                self.stats.alert_invocations += 1;
                let result = self.alert.handle(&delivery.event).await;
                match &result {
                    Ok(o) if matches!(o.action, "sent" | "storm-summary") => self.stats.alerts_sent += 1,
                    Ok(_) => self.stats.alerts_suppressed += 1,
                    Err(_) => self.stats.alert_failures += 1,
                }
                result.map(drop).map_err(|e| e.to_string())
            }
            other => {
                tracing::debug!(
                    target = other,
                    "no local function for this target; event kept in the journal"
                );
                Ok(())
            }
        };
        if let Err(reason) = result {
            self.router.delivery_failed(delivery, reason);
        }
    }

    fn count_curated(&mut self, curated: &DatasetCurated) {
        self.stats.rows_curated += curated.rows_written;
        self.stats.duplicates_dropped += curated.duplicates_dropped;
        self.stats.curated_files_written += curated.objects.len() as u64;
    }
}
