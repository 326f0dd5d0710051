//! Ports: what the handlers need from the outside world, and nothing more.
//!
//! Each trait is small and says which guarantees a caller may rely on. Two adapters implement each: the
//! AWS SDK one (`twinpipe-aws`) and a local embedded one (`twinpipe-local`), so the same handler code runs
//! on Lambda, under `cargo lambda watch`, and on a laptop with no AWS account.

pub mod event_bus;
pub mod notifier;
pub mod object_store;

pub use event_bus::{BusError, BusEvent, EventBus};
pub use notifier::{AttributeValue, Notification, Notifier, NotifyError};
pub use object_store::{ObjectMeta, ObjectStore, StoreError, WriteCondition};

/// The error type adapters wrap their underlying failures in (SDK errors, I/O errors).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
