//! Lambda entry point of ingest: wiring only. The handler lives in the library.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use twinpipe_ingest::{Ingest, IngestConfig};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let store = twinpipe_aws::S3Store::new(
        &twinpipe_aws::aws_sdk_config().await,
        required_env("TWINPIPE_BUCKET")?,
    );
    let ingest = Ingest::new(Arc::new(store), IngestConfig::from_env()?);
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let ingest = &ingest;
        async move { Ok::<SqsBatchResponse, Error>(ingest.handle(&event.payload).await?) }
    }))
    .await
}

fn required_env(name: &str) -> Result<String, Error> {
    std::env::var(name)
        .map_err(|_| format!("environment variable {name} must name the data bucket").into())
}
