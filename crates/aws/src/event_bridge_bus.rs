//! [`EventBus`] on one EventBridge event bus.

use async_trait::async_trait;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use twinpipe_ports::{BusError, BusEvent, EventBus};

use crate::AwsCallError;
use crate::batch_retry::{self, EntryFailure, RetryPolicy, Rounds};
use crate::config::{IntoClient, aws_sdk_config};

/// The largest PutEvents entry, and the largest PutEvents request, EventBridge accepts: 256 KiB.
pub const EVENTBRIDGE_MAX_ENTRY_BYTES: usize = 256 * 1024;

/// Entries per PutEvents call, the API's limit.
const MAX_ENTRIES_PER_CALL: usize = 10;

/// Error codes that mean the entry itself is wrong: sending it again cannot succeed.
const PERMANENT_CODES: &[&str] = &[
    "InvalidArgument",
    "MalformedDetail",
    "ValidationException",
    "AccessDeniedException",
    "NotAuthorizedForSourceException",
    "NotAuthorizedForDetailTypeException",
];

/// Publishes to one EventBridge bus (by name or ARN).
///
/// Guarantees, on top of the port's: events are sent in input order, at most 10 per PutEvents call and
/// never more than 256 KiB per call; an oversized event fails the whole call with `BusError::TooLarge`
/// before anything is sent; entries EventBridge rejects inside its 200 response (`FailedEntryCount`)
/// are resent alone under the [`RetryPolicy`], so the accepted ones are never published twice by us.
#[derive(Debug, Clone)]
pub struct EventBridgeBus {
    client: aws_sdk_eventbridge::Client,
    bus_name: String,
    retry: RetryPolicy,
}

impl EventBridgeBus {
    /// An adapter on `bus_name` (a name or an ARN), with a client built from an
    /// [`aws_config::SdkConfig`] or a ready `aws_sdk_eventbridge::Client`.
    pub fn new(client: impl IntoClient<aws_sdk_eventbridge::Client>, bus_name: impl Into<String>) -> Self {
        EventBridgeBus {
            client: client.into_client(),
            bus_name: bus_name.into(),
            retry: RetryPolicy::default(),
        }
    }

    /// An adapter on `bus_name` with the process's SDK configuration ([`aws_sdk_config`]).
    pub async fn from_env(bus_name: impl Into<String>) -> Self {
        Self::new(&aws_sdk_config().await, bus_name)
    }

    /// Replaces the default retry policy for rejected entries.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The bus events go to, as given.
    pub fn bus_name(&self) -> &str {
        &self.bus_name
    }
}

/// An event ready to send: its serialised detail and its size as EventBridge counts it.
struct Prepared {
    entry: PutEventsRequestEntry,
    size: usize,
}

impl Prepared {
    fn new(bus_name: &str, event: &BusEvent) -> Result<Self, BusError> {
        let detail = event.detail.to_string();
        // EventBridge's documented entry size: Source + DetailType + Detail + each Resource, in UTF-8
        // bytes (+ 14 for Time, which we leave to the bus).
        let size = event.source.len()
            + event.detail_type.len()
            + detail.len()
            + event.resources.iter().map(String::len).sum::<usize>();
        if size > EVENTBRIDGE_MAX_ENTRY_BYTES {
            return Err(BusError::TooLarge {
                detail_type: event.detail_type.clone(),
                size,
                limit: EVENTBRIDGE_MAX_ENTRY_BYTES,
            });
        }
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(bus_name)
            .source(&event.source)
            .detail_type(&event.detail_type)
            .detail(detail)
            .set_resources((!event.resources.is_empty()).then(|| event.resources.clone()))
            .build();
        Ok(Prepared { entry, size })
    }
}

#[async_trait]
impl EventBus for EventBridgeBus {
    async fn publish(&self, events: Vec<BusEvent>) -> Result<(), BusError> {
        let prepared =
            events.iter().map(|event| Prepared::new(&self.bus_name, event)).collect::<Result<Vec<_>, _>>()?;

        let mut rounds = Rounds::new(prepared.len(), self.retry);
        while let Some(pending) = rounds.next().await {
            let batches =
                batch_retry::chunk(&pending, MAX_ENTRIES_PER_CALL, EVENTBRIDGE_MAX_ENTRY_BYTES, |i| {
                    prepared[i].size
                });
            for batch in batches {
                let output = self
                    .client
                    .put_events()
                    .set_entries(Some(batch.iter().map(|&i| prepared[i].entry.clone()).collect()))
                    .send()
                    .await
                    .map_err(|e| BusError::Unavailable {
                        bus: self.bus_name.clone(),
                        source: Box::new(AwsCallError::new("PutEvents", e)),
                    })?;
                if output.failed_entry_count() == 0 && output.entries().len() == batch.len() {
                    continue;
                }
                // Result entries are in request order; an entry with an error code failed, and a
                // missing result entry is treated as a failure worth retrying, never as a success.
                for (position, &index) in batch.iter().enumerate() {
                    let result = output.entries().get(position);
                    let (code, message) = match result {
                        Some(r) if r.error_code().is_none() && r.event_id().is_some() => continue,
                        Some(r) => (
                            r.error_code().unwrap_or("Unknown").to_owned(),
                            r.error_message().unwrap_or_default().to_owned(),
                        ),
                        None => (
                            "MissingResultEntry".to_owned(),
                            "PutEvents returned no result for this entry".into(),
                        ),
                    };
                    let retryable = !PERMANENT_CODES.contains(&code.as_str());
                    rounds.reject(EntryFailure { index, code, message, retryable });
                }
            }
        }

        let failures = rounds.into_failures();
        match failures.first() {
            None => Ok(()),
            Some(first) => Err(BusError::Rejected {
                bus: self.bus_name.clone(),
                failed: failures.len(),
                total: events.len(),
                first_error: format!(
                    "event {} (detail type {:?}): {}: {}",
                    first.index, events[first.index].detail_type, first.code, first.message
                ),
            }),
        }
    }
}
