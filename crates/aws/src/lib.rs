//! The AWS SDK adapters of twinpipe's ports, and an SQS queue driver.
//!
//! - [`S3Store`] implements [`twinpipe_ports::ObjectStore`] on one S3 bucket.
//! - [`EventBridgeBus`] implements [`twinpipe_ports::EventBus`] on one EventBridge bus.
//! - [`SnsNotifier`] implements [`twinpipe_ports::Notifier`] on one SNS topic.
//! - [`SqsQueue`] is not a port: it drives a handler from a real queue the way Lambda's event source
//!   mapping does (receive → [`aws_lambda_events::event::sqs::SqsEvent`] → delete the successes), for the
//!   CLI and the tests.
//!
//! Every client comes from [`aws_sdk_config`], i.e. `aws_config::load_from_env()`: on Lambda the
//! function's role and region; in tests a local moto server through `AWS_ENDPOINT_URL` (see
//! `scripts/test.sh` and `shared/specs/aws-local-testing.md`). There is no test-only code path.
//!
//! The batch APIs (PutEvents, PublishBatch, SendMessageBatch, DeleteMessageBatch) report per-entry
//! failures inside a successful response. Every adapter here checks them, retries the failed entries
//! that may succeed later ([`RetryPolicy`]) and surfaces the rest; none is ever dropped.

#![warn(missing_docs)]

mod batch_retry;
mod config;
mod error;
mod event_bridge_bus;
mod message_attribute;
mod s3_store;
mod sns_notifier;
mod sqs_queue;

pub use batch_retry::RetryPolicy;
pub use config::{IntoClient, aws_sdk_config};
pub use error::AwsCallError;
pub use event_bridge_bus::{EVENTBRIDGE_MAX_ENTRY_BYTES, EventBridgeBus};
pub use s3_store::{S3_MAX_KEY_BYTES, S3Store};
pub use sns_notifier::{SNS_MAX_PAYLOAD_BYTES, SnsNotifier};
pub use sqs_queue::{OutgoingMessage, SqsError, SqsQueue};
