//! Lambda entry point of monitor: wiring only. The handler lives in the library.

use std::sync::Arc;

use lambda_runtime::{Diagnostic, Error, LambdaEvent, service_fn};
use serde_json::Value;
use twinpipe_monitor::Monitor;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = twinpipe_aws::aws_sdk_config().await;
    let store = twinpipe_aws::S3Store::new(&config, required_env("TWINPIPE_BUCKET")?);
    let bus = twinpipe_aws::EventBridgeBus::new(&config, required_env("TWINPIPE_EVENT_BUS")?);
    let monitor = Monitor::new(Arc::new(store), Arc::new(bus));
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let monitor = &monitor;
        async move {
            monitor
                .handle(&event.payload)
                .await
                .map_err(|e| Diagnostic { error_type: "MonitorError".into(), error_message: e.to_string() })
        }
    }))
    .await
}

fn required_env(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| format!("environment variable {name} must be set (see infra/)").into())
}
