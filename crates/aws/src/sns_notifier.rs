//! [`Notifier`] on one SNS topic.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};
use sha2::{Digest, Sha256};
use twinpipe_ports::{Notification, Notifier, NotifyError};

use crate::AwsCallError;
use crate::batch_retry::{self, ReportedFailure, RetryPolicy, Rounds};
use crate::config::{IntoClient, aws_sdk_config};
use crate::message_attribute;

/// The largest message SNS accepts, and the largest PublishBatch payload: 256 KiB, counting the
/// message, the subject and every attribute's name, type and value.
pub const SNS_MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// Entries per PublishBatch call, the API's limit.
const MAX_ENTRIES_PER_CALL: usize = 10;

/// The longest deduplication id a FIFO topic accepts.
const MAX_DEDUP_ID_CHARS: usize = 128;

/// The message group of FIFO topics unless [`SnsNotifier::with_message_group_id`] says otherwise.
const DEFAULT_MESSAGE_GROUP: &str = "twinpipe";

/// Sends notifications to one SNS topic.
///
/// Guarantees, on top of the port's: notifications go out in input order, at most 10 and 256 KiB per
/// PublishBatch call; a notification SNS could never accept (over 256 KiB, a non-finite number
/// attribute) fails the whole call with `NotifyError::Rejected` before anything is sent; entries SNS
/// rejects inside its 200 response are resent alone when SNS says they are not the sender's fault.
///
/// Deduplication: on a FIFO topic (ARN ending in `.fifo`) each notification's `dedup_key` becomes its
/// `MessageDeduplicationId` (SHA-256 hex when the key is too long or uses characters SNS does not
/// allow), and all notifications share one message group, so SNS drops a resend within its 5-minute
/// window. On a standard topic SNS has no deduplication: subscribers must be idempotent, using
/// the `dedup_key` they were sent (put it in the message or an attribute).
#[derive(Debug, Clone)]
pub struct SnsNotifier {
    client: aws_sdk_sns::Client,
    topic_arn: String,
    message_group_id: String,
    retry: RetryPolicy,
}

impl SnsNotifier {
    /// An adapter on `topic_arn`, with a client built from an [`aws_config::SdkConfig`] or a ready
    /// `aws_sdk_sns::Client`.
    pub fn new(client: impl IntoClient<aws_sdk_sns::Client>, topic_arn: impl Into<String>) -> Self {
        SnsNotifier {
            client: client.into_client(),
            topic_arn: topic_arn.into(),
            message_group_id: DEFAULT_MESSAGE_GROUP.to_owned(),
            retry: RetryPolicy::default(),
        }
    }

    /// An adapter on `topic_arn` with the process's SDK configuration ([`aws_sdk_config`]).
    pub async fn from_env(topic_arn: impl Into<String>) -> Self {
        Self::new(&aws_sdk_config().await, topic_arn)
    }

    /// Sets the message group of a FIFO topic (ignored on standard topics). One group keeps all
    /// notifications in order; FIFO throughput is per group, which notification volumes do not reach.
    pub fn with_message_group_id(mut self, group: impl Into<String>) -> Self {
        self.message_group_id = group.into();
        self
    }

    /// Replaces the default retry policy for rejected entries.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The topic notifications go to.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    fn is_fifo(&self) -> bool {
        self.topic_arn.ends_with(".fifo")
    }

    /// Builds the entry for `notification` with batch id `id`, and its size as SNS counts it.
    fn entry(
        &self,
        id: usize,
        notification: &Notification,
    ) -> Result<(PublishBatchRequestEntry, usize), String> {
        let mut size = notification.message.len() + notification.subject.as_deref().map_or(0, str::len);
        let mut attributes = HashMap::with_capacity(notification.attributes.len());
        for (name, value) in &notification.attributes {
            let (data_type, text) =
                message_attribute::encode(value).map_err(|reason| format!("attribute {name:?}: {reason}"))?;
            size += name.len() + data_type.len() + text.len();
            let value = MessageAttributeValue::builder()
                .data_type(data_type)
                .string_value(text)
                .build()
                .expect("the data type, its only required field, is set");
            attributes.insert(name.clone(), value);
        }
        if size > SNS_MAX_PAYLOAD_BYTES {
            return Err(format!("{size} bytes with attributes; SNS accepts at most {SNS_MAX_PAYLOAD_BYTES}"));
        }
        let mut entry = PublishBatchRequestEntry::builder()
            .id(id.to_string())
            .message(&notification.message)
            .set_subject(notification.subject.clone())
            .set_message_attributes((!attributes.is_empty()).then_some(attributes));
        if self.is_fifo() {
            entry = entry.message_group_id(&self.message_group_id);
            if !notification.dedup_key.is_empty() {
                entry = entry.message_deduplication_id(fifo_dedup_id(&notification.dedup_key));
            }
        }
        let entry = entry.build().expect("id and message, its only required fields, are set");
        Ok((entry, size))
    }
}

/// A FIFO `MessageDeduplicationId` for `key`: the key itself when SNS accepts it as is (at most 128
/// ASCII letters, digits and punctuation), otherwise its SHA-256 in hex, so equal keys still collide.
fn fifo_dedup_id(key: &str) -> String {
    if key.len() <= MAX_DEDUP_ID_CHARS
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b.is_ascii_punctuation())
    {
        key.to_owned()
    } else {
        hex::encode(Sha256::digest(key.as_bytes()))
    }
}

#[async_trait]
impl Notifier for SnsNotifier {
    async fn notify(&self, notifications: Vec<Notification>) -> Result<(), NotifyError> {
        let total = notifications.len();
        let mut entries = Vec::with_capacity(total);
        let mut invalid = Vec::new();
        for (index, notification) in notifications.iter().enumerate() {
            match self.entry(index, notification) {
                Ok(entry) => entries.push(entry),
                Err(reason) => invalid.push(format!("notification {index}: {reason}")),
            }
        }
        if let Some(first_error) = invalid.first() {
            return Err(NotifyError::Rejected {
                failed: invalid.len(),
                total,
                first_error: first_error.clone(),
            });
        }

        let mut rounds = Rounds::new(entries.len(), self.retry);
        while let Some(pending) = rounds.next().await {
            for batch in
                batch_retry::chunk(&pending, MAX_ENTRIES_PER_CALL, SNS_MAX_PAYLOAD_BYTES, |i| entries[i].1)
            {
                let output = self
                    .client
                    .publish_batch()
                    .topic_arn(&self.topic_arn)
                    .set_publish_batch_request_entries(Some(
                        batch.iter().map(|&i| entries[i].0.clone()).collect(),
                    ))
                    .send()
                    .await
                    .map_err(|e| NotifyError::Unavailable {
                        source: Box::new(AwsCallError::new("PublishBatch", e)),
                    })?;
                let succeeded: Vec<&str> = output.successful().iter().filter_map(|s| s.id()).collect();
                let failed: Vec<ReportedFailure<'_>> =
                    output.failed().iter().map(ReportedFailure::from).collect();
                rounds.record_answer(&batch, &succeeded, &failed);
            }
        }

        let failures = rounds.into_failures();
        match failures.first() {
            None => Ok(()),
            Some(first) => Err(NotifyError::Rejected {
                failed: failures.len(),
                total,
                first_error: format!(
                    "notification {} to {}: {}: {}",
                    first.index, self.topic_arn, first.code, first.message
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use twinpipe_ports::AttributeValue;

    use super::*;

    #[test]
    fn dedup_keys_sns_accepts_pass_through_and_others_are_hashed() {
        assert_eq!(fifo_dedup_id("site-a/2026-11-25T10:00:00Z#7"), "site-a/2026-11-25T10:00:00Z#7");
        let hashed = fifo_dedup_id("site a/ü");
        assert_eq!(hashed.len(), 64);
        assert_eq!(hashed, fifo_dedup_id("site a/ü"));
        assert_ne!(hashed, fifo_dedup_id("site a/u"));
        assert_eq!(fifo_dedup_id(&"k".repeat(129)).len(), 64);
    }

    #[test]
    fn an_oversized_notification_is_refused_before_sending() {
        let conf = aws_sdk_sns::Config::builder().behavior_version_latest().build();
        let notifier = SnsNotifier::new(aws_sdk_sns::Client::from_conf(conf), "arn:aws:sns:us-east-1:1:t");
        let mut notification = Notification {
            subject: None,
            message: "x".repeat(SNS_MAX_PAYLOAD_BYTES),
            attributes: BTreeMap::new(),
            dedup_key: "k".into(),
        };
        assert!(notifier.entry(0, &notification).is_ok());
        notification.attributes.insert("a".into(), AttributeValue::String("b".into()));
        assert!(notifier.entry(0, &notification).unwrap_err().contains("SNS accepts at most"));
    }
}
