//! Notifications to people and systems (SNS topics on AWS).

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::BoxError;

/// A message attribute; subscribers filter on these (SNS filter policies), so keep them typed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "type", content = "value")]
pub enum AttributeValue {
    String(String),
    Number(f64),
    StringArray(Vec<String>),
}

/// One notification.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Notification {
    pub subject: Option<String>,
    pub message: String,
    pub attributes: BTreeMap<String, AttributeValue>,
    /// A key that identifies the same notification when it is sent again, for deduplication.
    pub dedup_key: String,
}

/// Sends notifications.
///
/// Guarantees: `notify` returns `Ok` only when every notification was accepted; per-entry failures
/// inside a successful batch response are surfaced, never dropped.
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn notify(&self, notifications: Vec<Notification>) -> Result<(), NotifyError>;
}

/// Why notifying failed.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{failed} of {total} notifications were rejected; first error: {first_error}")]
    Rejected { failed: usize, total: usize, first_error: String },
    #[error("sending notifications failed: {source}")]
    Unavailable {
        #[source]
        source: BoxError,
    },
}
