//! The event bus: how stages announce what they did.

use async_trait::async_trait;

use crate::BoxError;

/// An event to publish: the parts of an EventBridge entry the producer chooses. The bus adds `id`,
/// `time`, `account` and `region`, as EventBridge does.
#[derive(Debug, Clone, PartialEq)]
pub struct BusEvent {
    pub source: String,
    pub detail_type: String,
    pub detail: serde_json::Value,
    /// ARNs or keys the event is about (EventBridge `resources`).
    pub resources: Vec<String>,
}

/// Publishes events to one bus.
///
/// Guarantees: `publish` returns `Ok` only when every event was accepted. Partial failures that the
/// service reports inside a successful response (EventBridge `FailedEntryCount`) are retried by the
/// adapter and, if they persist, returned as `BusError::Rejected`. Delivery to targets is at least once:
/// consumers must be idempotent.
#[async_trait]
pub trait EventBus: Send + Sync {
    async fn publish(&self, events: Vec<BusEvent>) -> Result<(), BusError>;
}

/// Why publishing failed.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("event bus {bus} rejected {failed} of {total} events; first error: {first_error}")]
    Rejected { bus: String, failed: usize, total: usize, first_error: String },
    #[error("event {detail_type:?} is too large for the bus ({size} bytes; the limit is {limit})")]
    TooLarge { detail_type: String, size: usize, limit: usize },
    #[error("publishing to event bus {bus} failed: {source}")]
    Unavailable {
        bus: String,
        #[source]
        source: BoxError,
    },
}
