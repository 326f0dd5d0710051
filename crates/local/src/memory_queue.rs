//! An in-memory SQS queue driven like a Lambda event source mapping.
//!
//! `receive` hands out a batch as the `SqsEvent` Lambda would deliver; `complete` applies the handler's
//! answer as the mapping does with `ReportBatchItemFailures`: successes are deleted, listed failures
//! (or the whole batch, when the handler returned an error) become visible again with their receive
//! count raised, and a message received `max_receive_count` times moves to the dead-letter queue.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};

/// A message sitting in the queue.
#[derive(Debug, Clone)]
pub struct QueuedMessage {
    pub message_id: String,
    pub body: String,
    pub sent_ms: i64,
    pub receive_count: u32,
    pub first_receive_ms: Option<i64>,
}

#[derive(Default)]
struct State {
    visible: VecDeque<QueuedMessage>,
    in_flight: HashMap<String, QueuedMessage>,
    dead: Vec<QueuedMessage>,
    sent: u64,
}

/// The queue. `name` appears in the records' `eventSourceARN`.
pub struct MemoryQueue {
    name: String,
    max_receive_count: u32,
    state: Mutex<State>,
}

impl MemoryQueue {
    /// A queue that dead-letters a message on its `max_receive_count`-th failed receive.
    pub fn new(name: impl Into<String>, max_receive_count: u32) -> Self {
        MemoryQueue {
            name: name.into(),
            max_receive_count: max_receive_count.max(1),
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Enqueues a body and returns its message id.
    pub fn send(&self, body: impl Into<String>, sent_ms: i64) -> String {
        let message_id = uuid::Uuid::new_v4().to_string();
        let mut state = self.lock();
        state.sent += 1;
        state.visible.push_back(QueuedMessage {
            message_id: message_id.clone(),
            body: body.into(),
            sent_ms,
            receive_count: 0,
            first_receive_ms: None,
        });
        message_id
    }

    /// Takes up to `max` visible messages as one Lambda event; `None` when nothing is visible.
    pub fn receive(&self, max: usize, now_ms: i64) -> Option<SqsEvent> {
        let mut state = self.lock();
        let n = max.min(state.visible.len());
        if n == 0 {
            return None;
        }
        let mut event = SqsEvent::default();
        for mut m in state.visible.drain(..n).collect::<Vec<_>>() {
            m.receive_count += 1;
            m.first_receive_ms.get_or_insert(now_ms);
            event.records.push(self.to_record(&m));
            state.in_flight.insert(m.message_id.clone(), m);
        }
        Some(event)
    }

    fn to_record(&self, m: &QueuedMessage) -> SqsMessage {
        let mut r = SqsMessage::default();
        r.message_id = Some(m.message_id.clone());
        r.receipt_handle = Some(format!("{}#{}", m.message_id, m.receive_count));
        r.body = Some(m.body.clone());
        r.attributes = HashMap::from([
            ("ApproximateReceiveCount".to_owned(), m.receive_count.to_string()),
            ("SentTimestamp".to_owned(), m.sent_ms.to_string()),
            ("SenderId".to_owned(), crate::LOCAL_ACCOUNT.to_owned()),
            (
                "ApproximateFirstReceiveTimestamp".to_owned(),
                m.first_receive_ms.unwrap_or(m.sent_ms).to_string(),
            ),
        ]);
        r.event_source = Some("aws:sqs".to_owned());
        r.event_source_arn =
            Some(format!("arn:aws:sqs:{}:{}:{}", crate::LOCAL_REGION, crate::LOCAL_ACCOUNT, self.name));
        r.aws_region = Some(crate::LOCAL_REGION.to_owned());
        r
    }

    /// Applies the handler's answer to a batch from `receive`.
    pub fn complete<E>(&self, batch: &SqsEvent, answer: Result<&SqsBatchResponse, E>) {
        let failed: Vec<String> = match answer {
            Ok(resp) => resp.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect(),
            Err(_) => batch.records.iter().filter_map(|r| r.message_id.clone()).collect(),
        };
        let mut state = self.lock();
        for record in &batch.records {
            let Some(id) = &record.message_id else {
                continue;
            };
            let Some(m) = state.in_flight.remove(id) else {
                continue;
            };
            if !failed.contains(id) {
                continue;
            }
            if m.receive_count >= self.max_receive_count {
                tracing::error!(message_id = %id, receives = m.receive_count, "message moved to the dead-letter queue");
                state.dead.push(m);
            } else {
                state.visible.push_back(m);
            }
        }
    }

    /// Messages waiting to be received.
    pub fn visible(&self) -> usize {
        self.lock().visible.len()
    }

    /// Messages that exhausted their receives.
    pub fn dead_letters(&self) -> Vec<QueuedMessage> {
        self.lock().dead.clone()
    }

    /// Moves every dead-lettered message back to the queue with a fresh receive count, as an SQS
    /// dead-letter-queue redrive does once the cause of the failures is fixed. Returns how many.
    pub fn redrive_dead_letters(&self) -> usize {
        let mut state = self.lock();
        let dead = std::mem::take(&mut state.dead);
        let n = dead.len();
        state.visible.extend(dead.into_iter().map(|m| QueuedMessage { receive_count: 0, ..m }));
        n
    }

    /// Messages sent in all.
    pub fn sent(&self) -> u64 {
        self.lock().sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_records_come_back_until_dead_lettered() {
        let q = MemoryQueue::new("readings", 2);
        let a = q.send("a", 1);
        q.send("b", 1);
        let batch = q.receive(10, 2).unwrap();
        assert_eq!(batch.records.len(), 2);
        let mut resp = SqsBatchResponse::default();
        resp.add_failure(a.clone());
        q.complete::<()>(&batch, Ok(&resp));
        assert_eq!(q.visible(), 1);
        let again = q.receive(10, 3).unwrap();
        assert_eq!(again.records[0].message_id.as_deref(), Some(a.as_str()));
        assert_eq!(again.records[0].attributes["ApproximateReceiveCount"], "2");
        q.complete::<()>(&again, Ok(&resp));
        assert_eq!(q.visible(), 0);
        assert_eq!(q.dead_letters().len(), 1);
    }

    #[test]
    fn handler_error_redelivers_the_whole_batch() {
        let q = MemoryQueue::new("readings", 5);
        q.send("a", 1);
        q.send("b", 1);
        let batch = q.receive(10, 2).unwrap();
        q.complete(&batch, Err::<&SqsBatchResponse, _>("boom"));
        assert_eq!(q.visible(), 2);
    }

    #[test]
    fn records_have_the_lambda_shape() {
        let q = MemoryQueue::new("readings", 5);
        q.send("{}", 1_764_064_800_000);
        let json = serde_json::to_value(q.receive(1, 1_764_064_800_001).unwrap()).unwrap();
        let r = &json["Records"][0];
        assert_eq!(r["eventSource"], "aws:sqs");
        assert_eq!(r["attributes"]["SentTimestamp"], "1764064800000");
        assert!(r["eventSourceARN"].as_str().unwrap().ends_with(":readings"));
    }
}
