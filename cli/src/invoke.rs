//! `twinpipe invoke FUNCTION EVENT_FILE`: one handler, one event, like `sam local invoke`.
//!
//! The event file is read as the Lambda runtime would receive it, the handler runs on the chosen backend
//! (the local directory bucket by default), and the handler's JSON response is printed on stdout. A
//! handler error is printed as Lambda reports it (`errorType`, `errorMessage`) and makes the command fail.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use aws_lambda_events::event::sqs::SqsEvent;
use serde_json::{Value, json};
use twinpipe_alert::{Alert, AlertConfig};
use twinpipe_curate::Curate;
use twinpipe_infer::Infer;
use twinpipe_ingest::{Ingest, IngestConfig};
use twinpipe_local::{DirObjectStore, FileNotifier, LocalEventRouter};
use twinpipe_monitor::Monitor;
use twinpipe_ports::{EventBus, Notifier, ObjectStore};

/// The functions `invoke` can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Function {
    Ingest,
    Curate,
    Infer,
    Monitor,
    Alert,
}

/// Where the handler's ports point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Backend {
    /// A directory as the bucket, an in-process bus (no AWS account needed).
    #[default]
    Local,
    /// Real AWS APIs via the standard environment (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL` for a
    /// moto server); needs a build with `--features aws`.
    Aws,
}

/// Where an invocation reads and writes.
#[derive(Debug, Clone, clap::Args)]
pub struct Target {
    /// Where the handler's storage and bus point.
    #[arg(long, value_enum, default_value_t = Backend::Local)]
    pub backend: Backend,
    /// The local data directory (the bucket is a folder inside it).
    #[arg(long, default_value = crate::DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// The data bucket. Locally, curate uses the bucket its event names unless this is given.
    #[arg(long, env = "TWINPIPE_BUCKET")]
    pub bucket: Option<String>,
    /// The pipeline's event bus (`--backend aws`).
    #[arg(long, env = "TWINPIPE_EVENT_BUS")]
    pub event_bus: Option<String>,
}

/// The outcome: the handler's response, or Lambda's error shape.
pub struct Invocation {
    pub response: Value,
    pub failed: bool,
}

/// Runs `function` on the event in `event_file`.
pub async fn invoke(function: Function, event_file: &Path, target: &Target) -> anyhow::Result<Invocation> {
    let text = std::fs::read_to_string(event_file)
        .with_context(|| format!("reading event file {}", event_file.display()))?;
    let event: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", event_file.display()))?;
    let result = match function {
        Function::Ingest => run_ingest(event, target).await?,
        Function::Curate => run_curate(event, target).await?,
        Function::Infer => run_infer(event, target).await?,
        Function::Monitor => run_monitor(event, target).await?,
        Function::Alert => run_alert(event, target).await?,
    };
    Ok(match result {
        Ok(response) => Invocation { response, failed: false },
        Err((error_type, message)) => {
            Invocation { response: json!({ "errorType": error_type, "errorMessage": message }), failed: true }
        }
    })
}

type HandlerResult = Result<Value, (&'static str, String)>;

async fn run_ingest(event: Value, target: &Target) -> anyhow::Result<HandlerResult> {
    let event: SqsEvent = serde_json::from_value(event)
        .context("the event is not an SQS event (expected {\"Records\": [...]})")?;
    let bucket = target.bucket.clone().unwrap_or_else(|| crate::DEFAULT_LOCAL_BUCKET.to_owned());
    let ingest = Ingest::new(object_store(target, &bucket).await?, IngestConfig::from_env()?);
    Ok(match ingest.handle(&event).await {
        Ok(response) => Ok(serde_json::to_value(response)?),
        Err(e) => Err(("BatchError", e.to_string())),
    })
}

async fn run_curate(event: Value, target: &Target) -> anyhow::Result<HandlerResult> {
    let bucket = bucket_for(target, &event, "/detail/bucket/name");
    let curate = Curate::new(object_store(target, &bucket).await?, event_bus(target).await?);
    Ok(match curate.handle(&event).await {
        Ok(detail) => Ok(serde_json::to_value(detail)?),
        Err(e) => Err(("CurateError", e.to_string())),
    })
}

/// The object store a target points at: the local directory bucket or S3.
pub async fn run_infer(event: Value, target: &Target) -> anyhow::Result<HandlerResult> {
    let bucket = bucket_for(target, &event, "/detail/bucket");
    let infer = Infer::new(object_store(target, &bucket).await?, event_bus(target).await?);
    Ok(match infer.handle(&event).await {
        Ok(outcome) => Ok(serde_json::to_value(outcome)?),
        Err(e) => Err(("InferError", e.to_string())),
    })
}

async fn run_monitor(event: Value, target: &Target) -> anyhow::Result<HandlerResult> {
    let bucket = bucket_for(target, &event, "/detail/bucket");
    let monitor = Monitor::new(object_store(target, &bucket).await?, event_bus(target).await?);
    Ok(match monitor.handle(&event).await {
        Ok(outcome) => Ok(serde_json::to_value(outcome)?),
        Err(e) => Err(("MonitorError", e.to_string())),
    })
}

async fn run_alert(event: Value, target: &Target) -> anyhow::Result<HandlerResult> {
    let bucket = bucket_for(target, &event, "/detail/bucket");
    let config = AlertConfig::from_env(|name| std::env::var(name).ok())?;
    let alert = Alert::new(object_store(target, &bucket).await?, notifier(target).await?, config);
    Ok(match alert.handle(&event).await {
        Ok(outcome) => Ok(serde_json::to_value(outcome)?),
        Err(e) => Err(("AlertError", e.to_string())),
    })
}

/// The bucket to use: `--bucket`, else (locally) the bucket the event names, so sample events work as
/// they are, else the default local bucket.
fn bucket_for(target: &Target, event: &Value, pointer: &str) -> String {
    let event_bucket = event.pointer(pointer).and_then(Value::as_str).map(str::to_owned);
    target
        .bucket
        .clone()
        .or(event_bucket.filter(|_| target.backend == Backend::Local))
        .unwrap_or_else(|| crate::DEFAULT_LOCAL_BUCKET.to_owned())
}

async fn notifier(target: &Target) -> anyhow::Result<Arc<dyn Notifier>> {
    match target.backend {
        Backend::Local => Ok(Arc::new(FileNotifier::new(target.data_dir.join("alerts.ndjson")))),
        Backend::Aws => {
            let topic = std::env::var("TWINPIPE_ALERT_TOPIC_ARN")
                .context("TWINPIPE_ALERT_TOPIC_ARN must name the alert topic")?;
            aws::notifier(&topic).await
        }
    }
}

/// The object store a target points at: the local directory bucket or S3.
pub async fn object_store(target: &Target, bucket: &str) -> anyhow::Result<Arc<dyn ObjectStore>> {
    match target.backend {
        Backend::Local => Ok(Arc::new(DirObjectStore::new(&target.data_dir, bucket))),
        Backend::Aws => aws::store(bucket).await,
    }
}

async fn event_bus(target: &Target) -> anyhow::Result<Arc<dyn EventBus>> {
    match target.backend {
        Backend::Local => {
            let router = LocalEventRouter::new(Vec::new());
            router.journal_to(target.data_dir.join("events.ndjson"))?;
            Ok(router.bus(crate::PIPELINE_BUS))
        }
        Backend::Aws => {
            let bus = target
                .event_bus
                .as_deref()
                .context("--event-bus (or TWINPIPE_EVENT_BUS) must name the pipeline's event bus")?;
            aws::bus(bus).await
        }
    }
}

/// The AWS adapters, when this build has them.
#[cfg(feature = "aws")]
mod aws {
    use super::*;

    pub async fn store(bucket: &str) -> anyhow::Result<Arc<dyn ObjectStore>> {
        Ok(Arc::new(twinpipe_aws::S3Store::new(&twinpipe_aws::aws_sdk_config().await, bucket)))
    }

    pub async fn bus(name: &str) -> anyhow::Result<Arc<dyn EventBus>> {
        Ok(Arc::new(twinpipe_aws::EventBridgeBus::new(&twinpipe_aws::aws_sdk_config().await, name)))
    }

    pub async fn notifier(topic_arn: &str) -> anyhow::Result<Arc<dyn Notifier>> {
        Ok(Arc::new(twinpipe_aws::SnsNotifier::new(&twinpipe_aws::aws_sdk_config().await, topic_arn)))
    }
}

/// Without the `aws` feature, `--backend aws` explains how to get it.
#[cfg(not(feature = "aws"))]
mod aws {
    use super::*;

    const NO_AWS: &str = "this twinpipe was built without AWS support; rebuild with `cargo build --release -p twinpipe --features aws`";

    pub async fn store(_bucket: &str) -> anyhow::Result<Arc<dyn ObjectStore>> {
        anyhow::bail!(NO_AWS)
    }

    pub async fn bus(_name: &str) -> anyhow::Result<Arc<dyn EventBus>> {
        anyhow::bail!(NO_AWS)
    }

    pub async fn notifier(_topic_arn: &str) -> anyhow::Result<Arc<dyn Notifier>> {
        anyhow::bail!(NO_AWS)
    }
}
