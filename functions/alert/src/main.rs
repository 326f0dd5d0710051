//! Lambda entry point of alert: wiring only. The handler lives in the library.

use std::sync::Arc;

use lambda_runtime::{Diagnostic, Error, LambdaEvent, service_fn};
use serde_json::Value;
use twinpipe_alert::{Alert, AlertConfig};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let settings = AlertConfig::from_env(|name| std::env::var(name).ok())?;
    let config = twinpipe_aws::aws_sdk_config().await;
    let store = twinpipe_aws::S3Store::new(&config, required_env("TWINPIPE_BUCKET")?);
    let notifier = twinpipe_aws::SnsNotifier::new(&config, required_env("TWINPIPE_ALERT_TOPIC_ARN")?);
    let alert = Alert::new(Arc::new(store), Arc::new(notifier), settings);
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let alert = &alert;
        async move {
            alert
                .handle(&event.payload)
                .await
                .map_err(|e| Diagnostic { error_type: "AlertError".into(), error_message: e.to_string() })
        }
    }))
    .await
}

fn required_env(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| format!("environment variable {name} must be set (see infra/)").into())
}
