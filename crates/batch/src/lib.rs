//! Partial batch processing for SQS-triggered Lambda handlers.
//!
//! The design follows AWS Lambda Powertools' `BatchProcessor`: a per-record handler is lifted into a
//! batch handler that runs records concurrently (bounded), collects each record's outcome, and answers
//! with a partial batch response (`batchItemFailures`) so that only the failed records are redelivered.
//!
//! The per-record handler decides what a failure is. Its `Err` means *transient*: the record should be
//! delivered again (a storage write failed). Records that can never succeed (malformed bodies) are the
//! handler's business to quarantine and report as `Ok`, or they would loop until the queue gives up.
//!
//! Two cases fail the whole invocation instead of answering with a partial response:
//! - a record without a message id: it could not be named in `batchItemFailures`, so silently dropping
//!   it would lose data; failing the invocation makes SQS redeliver the batch;
//! - every record failed: like Powertools, this is raised as an error so it shows in the function's
//!   error metrics and alarms instead of hiding in a successful response.

use std::fmt::Display;
use std::future::Future;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures::stream::{self, StreamExt};
use tracing::Instrument;

/// Why a whole batch failed; the platform then redelivers every record of it.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error(
        "record {index} of the batch has no messageId; refusing to answer so that the batch is redelivered instead of lost"
    )]
    MissingMessageId { index: usize },
    #[error("all {count} records of the batch failed; first failure ({message_id}): {first_error}")]
    AllFailed { count: usize, message_id: String, first_error: String },
}

/// Each record's outcome, in batch order.
#[derive(Debug)]
pub struct BatchOutcome<T, E> {
    pub records: Vec<(String, Result<T, E>)>,
}

impl<T, E: Display> BatchOutcome<T, E> {
    /// The successes' values, in batch order.
    pub fn successes(&self) -> impl Iterator<Item = &T> {
        self.records.iter().filter_map(|(_, r)| r.as_ref().ok())
    }

    /// The failed records' ids and errors, in batch order.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &E)> {
        self.records.iter().filter_map(|(id, r)| r.as_ref().err().map(|e| (id.as_str(), e)))
    }

    /// The Lambda response: failed records as `batchItemFailures`, or an error when every record failed.
    pub fn response(&self) -> Result<SqsBatchResponse, BatchError> {
        let failed: Vec<(&str, &E)> = self.failures().collect();
        if !self.records.is_empty() && failed.len() == self.records.len() {
            let (message_id, e) = failed[0];
            return Err(BatchError::AllFailed {
                count: failed.len(),
                message_id: message_id.to_owned(),
                first_error: e.to_string(),
            });
        }
        let mut response = SqsBatchResponse::default();
        for (id, _) in failed {
            response.add_failure(id.to_owned());
        }
        Ok(response)
    }
}

/// Runs `handler` on every record of `event`, at most `max_concurrency` at a time, and collects the
/// outcomes in batch order. Each record runs inside a tracing span carrying its message id.
pub async fn process_sqs_batch<'e, T, E, F, Fut>(
    event: &'e SqsEvent,
    max_concurrency: usize,
    handler: F,
) -> Result<BatchOutcome<T, E>, BatchError>
where
    E: Display,
    F: Fn(&'e SqsMessage) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let ids = message_ids(event)?;
    let records = stream::iter(event.records.iter().zip(ids))
        .map(|(record, id)| {
            let span = tracing::info_span!("record", message_id = %id);
            let fut = handler(record).instrument(span);
            async move {
                let result = fut.await;
                if let Err(e) = &result {
                    tracing::warn!(message_id = %id, error = %e, "record failed; it will be redelivered");
                }
                (id, result)
            }
        })
        .buffered(max_concurrency.max(1))
        .collect()
        .await;
    Ok(BatchOutcome { records })
}

fn message_ids(event: &SqsEvent) -> Result<Vec<String>, BatchError> {
    event
        .records
        .iter()
        .enumerate()
        .map(|(index, r)| match r.message_id.as_deref() {
            Some(id) if !id.is_empty() => Ok(id.to_owned()),
            _ => {
                tracing::error!(index, "SQS record without messageId");
                Err(BatchError::MissingMessageId { index })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(bodies: &[&str]) -> SqsEvent {
        let mut ev = SqsEvent::default();
        ev.records = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let mut m = SqsMessage::default();
                m.message_id = Some(format!("m-{i}"));
                m.body = Some((*b).to_owned());
                m
            })
            .collect();
        ev
    }

    async fn run(ev: &SqsEvent) -> Result<BatchOutcome<usize, String>, BatchError> {
        process_sqs_batch(ev, 4, |m| async move {
            let body = m.body.as_deref().unwrap_or_default();
            if body == "fail" { Err(format!("cannot store {body}")) } else { Ok(body.len()) }
        })
        .await
    }

    #[tokio::test]
    async fn only_failed_records_are_reported() {
        let ev = event(&["a", "fail", "ccc", "fail"]);
        let out = run(&ev).await.unwrap();
        let json = serde_json::to_value(out.response().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"batchItemFailures": [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-3"}]})
        );
        assert_eq!(out.successes().copied().collect::<Vec<_>>(), vec![1, 3]);
    }

    #[tokio::test]
    async fn all_failed_is_an_error() {
        let out = run(&event(&["fail", "fail"])).await.unwrap();
        assert!(matches!(out.response(), Err(BatchError::AllFailed { count: 2, .. })));
    }

    #[tokio::test]
    async fn empty_batch_answers_empty_response() {
        let out = run(&event(&[])).await.unwrap();
        assert!(out.response().unwrap().batch_item_failures.is_empty());
    }

    #[tokio::test]
    async fn missing_message_id_fails_the_whole_batch() {
        let mut ev = event(&["a", "b"]);
        ev.records[1].message_id = None;
        assert!(matches!(run(&ev).await, Err(BatchError::MissingMessageId { index: 1 })));
    }

    #[tokio::test]
    async fn outcomes_keep_batch_order_under_concurrency() {
        let ev = event(&["x"; 50]);
        let out = process_sqs_batch(&ev, 8, |m| async move {
            let n: usize = m.message_id.as_deref().unwrap()[2..].parse().unwrap();
            tokio::time::sleep(std::time::Duration::from_micros(((50 - n) * 20) as u64)).await;
            Ok::<usize, String>(n)
        })
        .await
        .unwrap();
        assert_eq!(out.successes().copied().collect::<Vec<_>>(), (0..50).collect::<Vec<_>>());
    }
}
