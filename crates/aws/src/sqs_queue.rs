//! Driving a handler from a real SQS queue, the way Lambda's event source mapping does.
//!
//! Not a port: handlers receive SQS messages as a Lambda event and never call SQS themselves. The CLI
//! and the tests use this to feed a handler from a queue (moto's or AWS's) without Lambda: receive a
//! batch as an [`SqsEvent`], call the handler, then [`SqsQueue::delete_successes`] with its
//! [`SqsBatchResponse`], so the reported failures come back after the visibility timeout, as on Lambda.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use aws_lambda_events::encodings::Base64Data;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage, SqsMessageAttribute};
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName,
    SendMessageBatchRequestEntry,
};
use tokio::sync::OnceCell;
use twinpipe_ports::AttributeValue;

use crate::AwsCallError;
use crate::batch_retry::{self, ReportedFailure, RetryPolicy, Rounds};
use crate::config::{IntoClient, aws_sdk_config};
use crate::message_attribute;

/// Entries per SendMessageBatch / DeleteMessageBatch and messages per ReceiveMessage: the API's limit.
const MAX_ENTRIES_PER_CALL: usize = 10;

/// Bytes per SendMessageBatch call. SQS (and moto) now accept 1 MiB per batch, but the limit was
/// 256 KiB until 2025; batching to 256 KiB costs a few more calls and is accepted either way.
const MAX_BATCH_BYTES: usize = 256 * 1024;

/// The event source Lambda writes into every SQS record.
const EVENT_SOURCE: &str = "aws:sqs";

/// A message to send: the body plus what SQS carries beside it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutgoingMessage {
    /// The message body, delivered to the consumer byte for byte.
    pub body: String,
    /// Message attributes; `StringArray` travels as SQS type `String.Array` with a JSON array value,
    /// which is what SNS raw delivery produces too.
    pub attributes: BTreeMap<String, AttributeValue>,
    /// Per-message delay (0–900 s on standard queues).
    pub delay_seconds: Option<i32>,
    /// Required on FIFO queues.
    pub message_group_id: Option<String>,
    /// On FIFO queues without content-based deduplication.
    pub message_deduplication_id: Option<String>,
}

impl OutgoingMessage {
    /// A message with only a body.
    pub fn new(body: impl Into<String>) -> Self {
        OutgoingMessage { body: body.into(), ..Default::default() }
    }
}

/// Why a queue operation failed. The variants about a call name its operation and queue; the fields
/// are what the messages show.
#[allow(missing_docs)]
#[derive(Debug, thiserror::Error)]
pub enum SqsError {
    /// The call failed as a whole; worth retrying later unless the queue is gone.
    #[error("{operation} on {queue_url} failed: {source}")]
    Unavailable {
        operation: &'static str,
        queue_url: String,
        #[source]
        source: AwsCallError,
    },
    /// Some entries of a batch call were rejected and stayed rejected after retrying.
    #[error("{operation} on {queue_url}: {failed} of {total} entries rejected; first error: {first_error}")]
    Rejected { operation: &'static str, queue_url: String, failed: usize, total: usize, first_error: String },
    /// A message SQS could never accept, refused before anything was sent.
    #[error("message {index} cannot be sent: {reason}")]
    InvalidMessage { index: usize, reason: String },
    /// The service answered with something this driver cannot use (e.g. no `QueueArn`).
    #[error("{operation} on {queue_url}: {problem}")]
    UnexpectedResponse { operation: &'static str, queue_url: String, problem: String },
}

/// One SQS queue, by URL.
#[derive(Debug)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    queue_url: String,
    queue_arn: OnceCell<String>,
    wait_time: Duration,
    retry: RetryPolicy,
}

impl SqsQueue {
    /// A driver for `queue_url`, with a client built from an [`aws_config::SdkConfig`] or a ready
    /// `aws_sdk_sqs::Client`.
    pub fn new(client: impl IntoClient<aws_sdk_sqs::Client>, queue_url: impl Into<String>) -> Self {
        SqsQueue {
            client: client.into_client(),
            queue_url: queue_url.into(),
            queue_arn: OnceCell::new(),
            wait_time: Duration::from_secs(1),
            retry: RetryPolicy::default(),
        }
    }

    /// A driver for `queue_url` with the process's SDK configuration ([`aws_sdk_config`]).
    pub async fn from_env(queue_url: impl Into<String>) -> Self {
        Self::new(&aws_sdk_config().await, queue_url)
    }

    /// How long a receive waits for the first message when the queue is empty (long polling; whole
    /// seconds, at most 20). Default 1 s: short enough for an interactive CLI, long enough to avoid a
    /// busy loop. Lambda itself polls for up to 20 s.
    pub fn with_wait_time(mut self, wait: Duration) -> Self {
        self.wait_time = wait.min(Duration::from_secs(20));
        self
    }

    /// Replaces the default retry policy for rejected batch entries.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The queue's URL, as given.
    pub fn url(&self) -> &str {
        &self.queue_url
    }

    /// The underlying client, for operations this driver does not cover (creating queues in tests).
    pub fn client(&self) -> &aws_sdk_sqs::Client {
        &self.client
    }

    /// The queue's ARN, asked from SQS once (records carry it as `eventSourceARN`).
    pub async fn arn(&self) -> Result<&str, SqsError> {
        let arn = self
            .queue_arn
            .get_or_try_init(|| async {
                let output = self
                    .client
                    .get_queue_attributes()
                    .queue_url(&self.queue_url)
                    .attribute_names(QueueAttributeName::QueueArn)
                    .send()
                    .await
                    .map_err(|e| self.unavailable("GetQueueAttributes", e))?;
                output.attributes().and_then(|a| a.get(&QueueAttributeName::QueueArn)).cloned().ok_or_else(
                    || SqsError::UnexpectedResponse {
                        operation: "GetQueueAttributes",
                        queue_url: self.queue_url.clone(),
                        problem: "the answer has no QueueArn".into(),
                    },
                )
            })
            .await?;
        Ok(arn)
    }

    /// Sends `messages` in batches of up to 10, in order.
    ///
    /// Entries SQS rejects inside its 200 response are resent when SQS says they are not the sender's
    /// fault; the rest come back as [`SqsError::Rejected`]. The accepted messages are sent either way.
    pub async fn send_batch(&self, messages: Vec<OutgoingMessage>) -> Result<(), SqsError> {
        let entries = messages
            .iter()
            .enumerate()
            .map(|(index, message)| send_entry(index, message))
            .collect::<Result<Vec<_>, _>>()?;
        let mut rounds = Rounds::new(entries.len(), self.retry);
        while let Some(pending) = rounds.next().await {
            for batch in batch_retry::chunk(&pending, MAX_ENTRIES_PER_CALL, MAX_BATCH_BYTES, |i| entries[i].1)
            {
                let output = self
                    .client
                    .send_message_batch()
                    .queue_url(&self.queue_url)
                    .set_entries(Some(batch.iter().map(|&i| entries[i].0.clone()).collect()))
                    .send()
                    .await
                    .map_err(|e| self.unavailable("SendMessageBatch", e))?;
                let succeeded: Vec<&str> = output.successful().iter().map(|s| s.id()).collect();
                let failed: Vec<ReportedFailure<'_>> =
                    output.failed().iter().map(ReportedFailure::from).collect();
                rounds.record_answer(&batch, &succeeded, &failed);
            }
        }
        self.rejected("SendMessageBatch", messages.len(), rounds)
    }

    /// Receives up to `max` messages as the event Lambda's SQS event source mapping would deliver.
    ///
    /// Each record has the message's id, receipt handle, body, MD5s, all system attributes
    /// (`ApproximateReceiveCount`, `SentTimestamp`, …), all message attributes with their data types, and
    /// `eventSource` = `aws:sqs`, `eventSourceARN` = the queue's ARN, `awsRegion` = the client's region.
    /// Waits up to the wait time (see [`SqsQueue::with_wait_time`]) for the first message, then takes
    /// what is there without waiting; an empty queue gives an event with no records.
    pub async fn receive_as_lambda_event(&self, max: usize) -> Result<SqsEvent, SqsError> {
        let arn = self.arn().await?.to_owned();
        let region = self.client.config().region().map(|r| r.to_string());
        let mut event = SqsEvent::default();
        while event.records.len() < max {
            let want = (max - event.records.len()).min(MAX_ENTRIES_PER_CALL);
            let wait = if event.records.is_empty() { self.wait_time.as_secs() } else { 0 };
            let output = self
                .client
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(want as i32)
                .wait_time_seconds(wait as i32)
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .message_attribute_names("All")
                .send()
                .await
                .map_err(|e| self.unavailable("ReceiveMessage", e))?;
            let messages = output.messages.unwrap_or_default();
            if messages.is_empty() {
                break;
            }
            for message in messages {
                if message.message_id.is_none() {
                    tracing::error!(queue_url = %self.queue_url, "SQS returned a message without an id");
                }
                event.records.push(lambda_record(message, &arn, region.as_deref()));
            }
        }
        Ok(event)
    }

    /// Deletes the messages of `event` that `response` does not report as failed, as the event source
    /// mapping does after a handler returns a partial batch response. The failed ones stay on the queue
    /// and come back after the visibility timeout. Returns how many were deleted.
    pub async fn delete_successes(
        &self,
        event: &SqsEvent,
        response: &SqsBatchResponse,
    ) -> Result<usize, SqsError> {
        let failed: HashSet<&str> =
            response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
        let handles: Vec<String> = event
            .records
            .iter()
            .filter(|r| r.message_id.as_deref().is_none_or(|id| !failed.contains(id)))
            .filter_map(|r| r.receipt_handle.clone())
            .collect();
        let deleted = handles.len();
        self.delete(handles).await?;
        Ok(deleted)
    }

    /// Deletes messages by receipt handle, in batches of up to 10. A handle SQS rejects (expired,
    /// malformed) comes back as [`SqsError::Rejected`] after the others are deleted.
    pub async fn delete(&self, receipt_handles: Vec<String>) -> Result<(), SqsError> {
        let mut rounds = Rounds::new(receipt_handles.len(), self.retry);
        while let Some(pending) = rounds.next().await {
            for batch in batch_retry::chunk(&pending, MAX_ENTRIES_PER_CALL, usize::MAX, |_| 0) {
                let entries = batch
                    .iter()
                    .map(|&i| {
                        DeleteMessageBatchRequestEntry::builder()
                            .id(i.to_string())
                            .receipt_handle(&receipt_handles[i])
                            .build()
                            .expect("id and receipt handle, its only required fields, are set")
                    })
                    .collect();
                let output = self
                    .client
                    .delete_message_batch()
                    .queue_url(&self.queue_url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .map_err(|e| self.unavailable("DeleteMessageBatch", e))?;
                let succeeded: Vec<&str> = output.successful().iter().map(|s| s.id()).collect();
                let failed: Vec<ReportedFailure<'_>> =
                    output.failed().iter().map(ReportedFailure::from).collect();
                rounds.record_answer(&batch, &succeeded, &failed);
            }
        }
        self.rejected("DeleteMessageBatch", receipt_handles.len(), rounds)
    }

    fn unavailable<E>(&self, operation: &'static str, err: E) -> SqsError
    where
        E: std::error::Error + aws_sdk_sqs::error::ProvideErrorMetadata + Send + Sync + 'static,
    {
        SqsError::Unavailable {
            operation,
            queue_url: self.queue_url.clone(),
            source: AwsCallError::new(operation, err),
        }
    }

    fn rejected(&self, operation: &'static str, total: usize, rounds: Rounds) -> Result<(), SqsError> {
        let failures = rounds.into_failures();
        match failures.first() {
            None => Ok(()),
            Some(first) => Err(SqsError::Rejected {
                operation,
                queue_url: self.queue_url.clone(),
                failed: failures.len(),
                total,
                first_error: format!("entry {}: {}: {}", first.index, first.code, first.message),
            }),
        }
    }
}

/// The SendMessageBatch entry for input `index`, and its size as SQS counts it (body + attributes).
fn send_entry(
    index: usize,
    message: &OutgoingMessage,
) -> Result<(SendMessageBatchRequestEntry, usize), SqsError> {
    let mut size = message.body.len();
    let mut entry = SendMessageBatchRequestEntry::builder()
        .id(index.to_string())
        .message_body(&message.body)
        .set_delay_seconds(message.delay_seconds)
        .set_message_group_id(message.message_group_id.clone())
        .set_message_deduplication_id(message.message_deduplication_id.clone());
    for (name, value) in &message.attributes {
        let (data_type, text) = message_attribute::encode(value).map_err(|reason| {
            SqsError::InvalidMessage { index, reason: format!("attribute {name:?}: {reason}") }
        })?;
        size += name.len() + data_type.len() + text.len();
        let value = MessageAttributeValue::builder()
            .data_type(data_type)
            .string_value(text)
            .build()
            .expect("the data type, its only required field, is set");
        entry = entry.message_attributes(name, value);
    }
    let entry = entry.build().expect("id and body, its only required fields, are set");
    Ok((entry, size))
}

/// One received message as a record of Lambda's SQS event (`aws_lambda_events` field names serialise to
/// Lambda's: `messageId`, `receiptHandle`, `md5OfBody`, `eventSourceARN`, …).
fn lambda_record(message: aws_sdk_sqs::types::Message, queue_arn: &str, region: Option<&str>) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = message.message_id;
    record.receipt_handle = message.receipt_handle;
    record.body = message.body;
    record.md5_of_body = message.md5_of_body;
    record.md5_of_message_attributes = message.md5_of_message_attributes;
    record.attributes = message
        .attributes
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| (name.as_str().to_owned(), value))
        .collect();
    record.message_attributes = message
        .message_attributes
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| {
            let mut attribute = SqsMessageAttribute::default();
            attribute.data_type = Some(value.data_type);
            attribute.string_value = value.string_value;
            attribute.binary_value = value.binary_value.map(|blob| base64_data(blob.into_inner()));
            attribute.string_list_values = value.string_list_values.unwrap_or_default();
            attribute.binary_list_values = value
                .binary_list_values
                .unwrap_or_default()
                .into_iter()
                .map(|b| base64_data(b.into_inner()))
                .collect();
            (name, attribute)
        })
        .collect();
    record.event_source = Some(EVENT_SOURCE.to_owned());
    record.event_source_arn = Some(queue_arn.to_owned());
    record.aws_region = region.map(str::to_owned);
    record
}

/// `Base64Data` is `#[non_exhaustive]`: built through `Default` and its `DerefMut` to `Vec<u8>`.
fn base64_data(bytes: Vec<u8>) -> Base64Data {
    let mut data = Base64Data::default();
    *data = bytes;
    data
}
