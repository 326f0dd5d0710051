//! The ingest handler: SQS batches of sensor readings → validated raw NDJSON in the bucket.
//!
//! Per SQS message:
//! - the body is parsed and every reading validated on its own (`twinpipe_domain::parse_message`);
//! - the valid readings land as one NDJSON object under `raw/`, at a key derived from the message id
//!   and body, so a redelivered message overwrites its own object instead of duplicating it;
//! - rejected readings, or the whole body when it is unusable, go to one quarantine object under
//!   `quarantine/` with the original body and a precise reason. Such records can never succeed, so they
//!   are *not* reported as failures (they would loop until the queue gives up on them);
//! - a storage failure is transient: the message is reported in `batchItemFailures` and only it is
//!   redelivered. Because both writes are idempotent, a message that failed half-way is simply written
//!   again in full.

pub mod config;
pub mod metrics;
pub mod quarantine;

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use bytes::Bytes;
use twinpipe_batch::{BatchError, process_sqs_batch};
use twinpipe_domain::{ParsedMessage, ValidationPolicy, parse_message, raw, storage_key};
use twinpipe_ports::{ObjectStore, StoreError};

pub use config::IngestConfig;

/// What happened to one message that was handled (its writes all succeeded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageStats {
    /// Readings landed under `raw/`.
    pub accepted: usize,
    /// Inputs quarantined: rejected readings, or 1 for a body that was unusable as a whole.
    pub quarantined: usize,
}

/// Totals of one batch, logged once per invocation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BatchStats {
    pub messages: usize,
    pub accepted: usize,
    pub quarantined: usize,
    /// Messages reported for redelivery.
    pub failed: usize,
}

/// A transient failure of one message: it is reported for redelivery.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("writing the raw readings failed: {0}")]
    RawWrite(#[source] StoreError),
    #[error("writing the quarantine record failed: {0}")]
    QuarantineWrite(#[source] StoreError),
}

/// The ingest handler, generic over where objects are stored.
pub struct Ingest {
    store: Arc<dyn ObjectStore>,
    config: IngestConfig,
}

impl Ingest {
    pub fn new(store: Arc<dyn ObjectStore>, config: IngestConfig) -> Self {
        Ingest { store, config }
    }

    /// Handles one SQS batch and answers with the records to redeliver.
    pub async fn handle(&self, event: &SqsEvent) -> Result<SqsBatchResponse, BatchError> {
        self.handle_with_stats(event).await?.0
    }

    /// Like `handle`, also returning the batch totals (for metrics, the CLI's summary and the tests).
    pub async fn handle_with_stats(
        &self,
        event: &SqsEvent,
    ) -> Result<(Result<SqsBatchResponse, BatchError>, BatchStats), BatchError> {
        let policy = self.config.policy();
        let outcome =
            process_sqs_batch(event, self.config.max_concurrency, |m| self.handle_message(m, &policy))
                .await?;
        let mut stats = BatchStats { messages: event.records.len(), ..BatchStats::default() };
        for s in outcome.successes() {
            stats.accepted += s.accepted;
            stats.quarantined += s.quarantined;
        }
        stats.failed = outcome.failures().count();
        tracing::info!(
            messages = stats.messages,
            accepted = stats.accepted,
            quarantined = stats.quarantined,
            failed = stats.failed,
            "ingest batch done"
        );
        Ok((outcome.response(), stats))
    }

    async fn handle_message(
        &self,
        message: &SqsMessage,
        policy: &ValidationPolicy,
    ) -> Result<MessageStats, IngestError> {
        let id = message.message_id.as_deref().unwrap_or_default();
        let body = message.body.as_deref().unwrap_or_default();
        let sent_ms = sent_timestamp(message);
        match parse_message(body, policy) {
            Err(error) => {
                tracing::warn!(code = error.code(), %error, "message quarantined as a whole");
                let record = quarantine::for_unusable_body(message, &error);
                self.put_quarantine(id, body, sent_ms, &record).await?;
                Ok(MessageStats { accepted: 0, quarantined: 1 })
            }
            Ok(parsed) => {
                self.land(id, body, sent_ms.unwrap_or(policy.now_ms), sent_ms, message, &parsed).await
            }
        }
    }

    async fn land(
        &self,
        id: &str,
        body: &str,
        ingested_at_ms: i64,
        sent_ms: Option<i64>,
        message: &SqsMessage,
        parsed: &ParsedMessage,
    ) -> Result<MessageStats, IngestError> {
        let mut stats = MessageStats::default();
        if let Some(earliest) = parsed.valid().map(|r| r.ts_ms).min() {
            let ndjson = raw::write_ndjson(parsed.valid(), ingested_at_ms);
            let key = storage_key::raw_key(id, body, earliest);
            self.store
                .put(&key, Bytes::from(ndjson), "application/x-ndjson")
                .await
                .map_err(IngestError::RawWrite)?;
            stats.accepted = parsed.valid().count();
        }
        if let Some(record) = quarantine::for_rejected_readings(message, parsed) {
            stats.quarantined = parsed.rejected().count();
            tracing::warn!(rejected = stats.quarantined, "readings quarantined");
            self.put_quarantine(id, body, sent_ms, &record).await?;
        }
        Ok(stats)
    }

    async fn put_quarantine(
        &self,
        id: &str,
        body: &str,
        sent_ms: Option<i64>,
        record: &serde_json::Value,
    ) -> Result<(), IngestError> {
        let key = storage_key::quarantine_key(id, body, sent_ms);
        let bytes = Bytes::from(serde_json::to_vec_pretty(record).expect("a JSON value serialises"));
        self.store.put(&key, bytes, "application/json").await.map_err(IngestError::QuarantineWrite)
    }
}

/// The message's `SentTimestamp`: stable across redeliveries, so it is what raw lineage records.
fn sent_timestamp(message: &SqsMessage) -> Option<i64> {
    message.attributes.get("SentTimestamp").and_then(|s| s.parse().ok())
}
