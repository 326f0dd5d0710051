//! Lambda entry point of ingest: wiring only. The handler lives in the library.

use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Diagnostic, Error, LambdaEvent, service_fn};
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
        async move {
            // Name the error type as `twinpipe invoke` does, not as a boxed trait object.
            ingest.handle(&event.payload).await.map_err(|e| Diagnostic {
                error_type: "BatchError".into(),
                error_message: e.to_string(),
            })
        }
    }))
    .await
}

fn required_env(name: &str) -> Result<String, Error> {
    std::env::var(name)
        .map_err(|_| format!("environment variable {name} must name the data bucket").into())
}
