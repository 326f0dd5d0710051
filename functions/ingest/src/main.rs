//! Lambda entry point of ingest: wiring only. The handler lives in the library.

use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Diagnostic, Error, LambdaEvent, service_fn};
use twinpipe_ingest::{Ingest, IngestConfig, metrics};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let store =
        twinpipe_aws::S3Store::new(&twinpipe_aws::aws_sdk_config().await, required_env("TWINPIPE_BUCKET")?);
    let ingest = Ingest::new(Arc::new(store), IngestConfig::from_env()?);
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| {
        let ingest = &ingest;
        async move {
            let (response, stats) = ingest.handle_with_stats(&event.payload).await.map_err(batch_error)?;
            // One EMF line per batch: CloudWatch turns it into metrics.
            let now = chrono::Utc::now().timestamp_millis();
            println!("{}", metrics::batch_metrics_emf(&stats, &event.context.env_config.function_name, now));
            response.map_err(batch_error)
        }
    }))
    .await
}

fn required_env(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| format!("environment variable {name} must name the data bucket").into())
}

/// Names the error type as `twinpipe invoke` does, not as a boxed trait object.
fn batch_error(e: twinpipe_batch::BatchError) -> Diagnostic {
    Diagnostic { error_type: "BatchError".into(), error_message: e.to_string() }
}
