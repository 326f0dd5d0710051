//! An in-process EventBridge: buses, rules, and a delivery queue with retries.
//!
//! Publishing wraps each event in EventBridge's envelope, matches it against every rule of its bus and
//! queues one delivery per matching rule. The caller (the local pipeline runner) takes deliveries off the
//! queue and invokes the target; a failed delivery is retried like EventBridge's asynchronous Lambda
//! invocation (two retries), then parked as a dead letter so that nothing is silently lost.

use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use twinpipe_ports::{BusError, BusEvent, EventBus};

use crate::rules::Rule;

/// How many times a target is invoked with an event before it becomes a dead letter (1 + 2 retries,
/// Lambda's default for asynchronous invocations).
pub const MAX_DELIVERY_ATTEMPTS: u32 = 3;
/// EventBridge's limit on one entry.
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;

/// One event on its way to one target.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub rule: String,
    pub target: String,
    /// The full EventBridge envelope, as the target function receives it.
    pub event: Value,
    /// Failed attempts so far.
    pub failures: u32,
}

#[derive(Default)]
struct State {
    pending: VecDeque<Delivery>,
    dead_letters: Vec<(Delivery, String)>,
    published: u64,
    journal: Option<std::fs::File>,
}

/// The router shared by every local bus.
pub struct LocalEventRouter {
    rules: Vec<Rule>,
    state: Mutex<State>,
}

impl LocalEventRouter {
    /// A router applying `rules`.
    pub fn new(rules: Vec<Rule>) -> Arc<Self> {
        Arc::new(LocalEventRouter { rules, state: Mutex::new(State::default()) })
    }

    /// Also appends every published envelope to `path` as NDJSON, for inspection after a run.
    pub fn journal_to(&self, path: PathBuf) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        self.lock().journal = Some(file);
        Ok(())
    }

    /// A handle that publishes to the bus called `name` (`default` receives AWS service events).
    pub fn bus(self: &Arc<Self>, name: impl Into<String>) -> Arc<LocalBus> {
        Arc::new(LocalBus { name: name.into(), router: Arc::clone(self) })
    }

    /// The next delivery to make, if any.
    pub fn next_delivery(&self) -> Option<Delivery> {
        self.lock().pending.pop_front()
    }

    /// Reports a failed delivery: it is queued again, or becomes a dead letter after
    /// `MAX_DELIVERY_ATTEMPTS`.
    pub fn delivery_failed(&self, mut delivery: Delivery, error: String) {
        delivery.failures += 1;
        let mut state = self.lock();
        if delivery.failures >= MAX_DELIVERY_ATTEMPTS {
            tracing::error!(rule = %delivery.rule, target = %delivery.target, %error, "delivery failed for good; kept as a dead letter");
            state.dead_letters.push((delivery, error));
        } else {
            tracing::info!(rule = %delivery.rule, target = %delivery.target, %error, attempt = delivery.failures, "delivery failed; retrying");
            state.pending.push_back(delivery);
        }
    }

    /// Deliveries that failed every attempt, with their last error.
    pub fn dead_letters(&self) -> Vec<(Delivery, String)> {
        self.lock().dead_letters.clone()
    }

    /// Queues every dead letter again with a fresh attempt count, as redriving a target's dead-letter
    /// queue does. Returns how many.
    pub fn redrive_dead_letters(&self) -> usize {
        let mut state = self.lock();
        let dead = std::mem::take(&mut state.dead_letters);
        let n = dead.len();
        state.pending.extend(dead.into_iter().map(|(d, _)| Delivery { failures: 0, ..d }));
        n
    }

    /// Deliveries waiting to be made.
    pub fn pending(&self) -> usize {
        self.lock().pending.len()
    }

    /// How many events were published in all.
    pub fn published(&self) -> u64 {
        self.lock().published
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn route(&self, bus: &str, envelope: Value) -> std::io::Result<()> {
        let mut state = self.lock();
        state.published += 1;
        if let Some(journal) = state.journal.as_mut() {
            writeln!(journal, "{envelope}")?;
        }
        for rule in self.rules.iter().filter(|r| r.event_bus == bus && r.pattern.matches(&envelope)) {
            state.pending.push_back(Delivery {
                rule: rule.name.clone(),
                target: rule.target.clone(),
                event: envelope.clone(),
                failures: 0,
            });
        }
        Ok(())
    }
}

/// One named bus of a `LocalEventRouter`.
pub struct LocalBus {
    name: String,
    router: Arc<LocalEventRouter>,
}

/// Wraps an event in EventBridge's envelope, as targets receive it.
pub fn envelope(event: &BusEvent) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": event.detail_type,
        "source": event.source,
        "account": crate::LOCAL_ACCOUNT,
        "time": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        "region": crate::LOCAL_REGION,
        "resources": event.resources,
        "detail": event.detail,
    })
}

#[async_trait]
impl EventBus for LocalBus {
    async fn publish(&self, events: Vec<BusEvent>) -> Result<(), BusError> {
        for event in &events {
            let size = event.detail.to_string().len();
            if size > MAX_ENTRY_BYTES {
                return Err(BusError::TooLarge {
                    detail_type: event.detail_type.clone(),
                    size,
                    limit: MAX_ENTRY_BYTES,
                });
            }
        }
        for event in &events {
            self.router
                .route(&self.name, envelope(event))
                .map_err(|e| BusError::Unavailable { bus: self.name.clone(), source: Box::new(e) })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleContext, load_rules};

    fn router() -> Arc<LocalEventRouter> {
        LocalEventRouter::new(
            load_rules(&RuleContext { data_bucket: "lake".into(), pipeline_bus: "twinpipe".into() }).unwrap(),
        )
    }

    fn created(bucket: &str, key: &str) -> BusEvent {
        crate::dir_store::object_created_event(bucket, key, 1, "e")
    }

    #[tokio::test]
    async fn raw_object_in_our_bucket_reaches_curate() {
        let r = router();
        r.bus("default").publish(vec![created("lake", "raw/a.ndjson")]).await.unwrap();
        let d = r.next_delivery().unwrap();
        assert_eq!(d.target, "curate");
        assert_eq!(d.event["detail"]["object"]["key"], "raw/a.ndjson");
        assert!(r.next_delivery().is_none());
    }

    #[tokio::test]
    async fn other_prefixes_buckets_and_buses_are_not_routed() {
        let r = router();
        r.bus("default")
            .publish(vec![created("lake", "curated/a.parquet"), created("other", "raw/a")])
            .await
            .unwrap();
        r.bus("twinpipe").publish(vec![created("lake", "raw/a")]).await.unwrap();
        assert!(r.next_delivery().is_none());
        assert_eq!(r.published(), 3);
    }

    #[tokio::test]
    async fn failing_delivery_is_retried_then_dead_lettered() {
        let r = router();
        r.bus("default").publish(vec![created("lake", "raw/a")]).await.unwrap();
        for _ in 0..MAX_DELIVERY_ATTEMPTS {
            let d = r.next_delivery().unwrap();
            r.delivery_failed(d, "boom".into());
        }
        assert!(r.next_delivery().is_none());
        assert_eq!(r.dead_letters().len(), 1);
    }
}
