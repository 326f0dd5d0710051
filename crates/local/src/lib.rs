//! Local embedded adapters: the whole pipeline on a laptop, with no AWS account.
//!
//! Each adapter keeps the guarantees its port documents and mimics the AWS behaviour the handlers rely
//! on: the directory store emits S3's "Object Created" events, the event router applies the very rules
//! in `infra/event-rules/`, and the queue redelivers failed messages like an SQS event source mapping.

pub mod dir_store;
pub mod event_router;
pub mod fault_injection;
pub mod file_notifier;
pub mod memory_queue;
pub mod memory_store;
pub mod rules;

pub use dir_store::DirObjectStore;
pub use event_router::{Delivery, LocalBus, LocalEventRouter};
pub use fault_injection::{FailurePlan, FlakyStore};
pub use file_notifier::FileNotifier;
pub use memory_queue::MemoryQueue;
pub use memory_store::MemoryObjectStore;
pub use rules::{Rule, RuleError};

/// The account id local events carry, so they are recognisably not from AWS.
pub const LOCAL_ACCOUNT: &str = "000000000000";
/// The region local events carry.
pub const LOCAL_REGION: &str = "local";
