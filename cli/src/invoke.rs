//! `twinpipe invoke FUNCTION EVENT_FILE`: one handler, one event, like `sam local invoke`.
//!
//! The event file is read as the Lambda runtime would receive it, the handler runs on the chosen backend
//! (the local directory bucket by default), and the handler's JSON response is printed on stdout. A
//! handler error is printed as Lambda reports it (`errorType`, `errorMessage`) and makes the command fail.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use aws_lambda_events::event::sqs::SqsEvent;
use serde_json::{Value, json};
use twinpipe_curate::Curate;
use twinpipe_ingest::{Ingest, IngestConfig};
use twinpipe_local::{DirObjectStore, LocalEventRouter};
use twinpipe_ports::{EventBus, ObjectStore};

/// The functions `invoke` can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Function {
    Ingest,
    Curate,
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

/// The outcome: the handler's response, or Lambda's error shape.
pub struct Invocation {
    pub response: Value,
    pub failed: bool,
}

/// Runs `function` on the event in `event_file`.
pub async fn invoke(
    function: Function,
    event_file: &Path,
    data_dir: &Path,
    backend: Backend,
) -> anyhow::Result<Invocation> {
    let text = std::fs::read_to_string(event_file)
        .with_context(|| format!("reading event file {}", event_file.display()))?;
    let event: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON", event_file.display()))?;
    let result = match function {
        Function::Ingest => run_ingest(event, data_dir, backend).await?,
        Function::Curate => run_curate(event, data_dir, backend).await?,
    };
    Ok(match result {
        Ok(response) => Invocation {
            response,
            failed: false,
        },
        Err((error_type, message)) => Invocation {
            response: json!({ "errorType": error_type, "errorMessage": message }),
            failed: true,
        },
    })
}

type HandlerResult = Result<Value, (&'static str, String)>;

async fn run_ingest(
    event: Value,
    data_dir: &Path,
    backend: Backend,
) -> anyhow::Result<HandlerResult> {
    let event: SqsEvent = serde_json::from_value(event)
        .context("the event is not an SQS event (expected {\"Records\": [...]})")?;
    let store = object_store(backend, data_dir, &bucket_from_env()).await?;
    let ingest = Ingest::new(store, IngestConfig::from_env()?);
    Ok(match ingest.handle(&event).await {
        Ok(response) => Ok(serde_json::to_value(response)?),
        Err(e) => Err(("BatchError", e.to_string())),
    })
}

async fn run_curate(
    event: Value,
    data_dir: &Path,
    backend: Backend,
) -> anyhow::Result<HandlerResult> {
    // Locally the bucket is whatever the event names, so AWS's published sample events work as they are.
    let bucket = match backend {
        Backend::Local => event
            .pointer("/detail/bucket/name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(bucket_from_env),
        Backend::Aws => bucket_from_env(),
    };
    let store = object_store(backend, data_dir, &bucket).await?;
    let bus = event_bus(backend, data_dir).await?;
    let curate = Curate::new(store, bus);
    Ok(match curate.handle(&event).await {
        Ok(detail) => Ok(serde_json::to_value(detail)?),
        Err(e) => Err(("CurateError", e.to_string())),
    })
}

fn bucket_from_env() -> String {
    std::env::var("TWINPIPE_BUCKET").unwrap_or_else(|_| crate::DEFAULT_LOCAL_BUCKET.to_owned())
}

async fn object_store(
    backend: Backend,
    data_dir: &Path,
    bucket: &str,
) -> anyhow::Result<Arc<dyn ObjectStore>> {
    match backend {
        Backend::Local => Ok(Arc::new(DirObjectStore::new(data_dir, bucket))),
        Backend::Aws => aws_store(bucket).await,
    }
}

async fn event_bus(backend: Backend, data_dir: &Path) -> anyhow::Result<Arc<dyn EventBus>> {
    match backend {
        Backend::Local => {
            let router = LocalEventRouter::new(Vec::new());
            router.journal_to(data_dir.join("events.ndjson"))?;
            Ok(router.bus(crate::PIPELINE_BUS))
        }
        Backend::Aws => aws_bus().await,
    }
}

#[cfg(feature = "aws")]
async fn aws_store(bucket: &str) -> anyhow::Result<Arc<dyn ObjectStore>> {
    let config = twinpipe_aws::aws_sdk_config().await;
    Ok(Arc::new(twinpipe_aws::S3Store::new(&config, bucket)))
}

#[cfg(feature = "aws")]
async fn aws_bus() -> anyhow::Result<Arc<dyn EventBus>> {
    let bus = std::env::var("TWINPIPE_EVENT_BUS")
        .context("TWINPIPE_EVENT_BUS must name the pipeline's event bus")?;
    let config = twinpipe_aws::aws_sdk_config().await;
    Ok(Arc::new(twinpipe_aws::EventBridgeBus::new(&config, bus)))
}

#[cfg(not(feature = "aws"))]
const NO_AWS: &str = "this twinpipe was built without AWS support; rebuild with `cargo build --release -p twinpipe --features aws`";

#[cfg(not(feature = "aws"))]
async fn aws_store(_bucket: &str) -> anyhow::Result<Arc<dyn ObjectStore>> {
    anyhow::bail!(NO_AWS)
}

#[cfg(not(feature = "aws"))]
async fn aws_bus() -> anyhow::Result<Arc<dyn EventBus>> {
    anyhow::bail!(NO_AWS)
}
