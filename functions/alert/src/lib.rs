//! The alert function: "Quality Violation" and "Anomaly Detected" events become SNS alerts.
//!
//! For each finding, in this order:
//! 1. **Duplicate?** The (asset, check) record in `alerts/cooldown/` remembers dedupe keys: a redelivered
//!    event is dropped. A key that was claimed but never confirmed (a crash between claiming and sending)
//!    is sent again: at least once, never lost.
//! 2. **Cooldown.** Within the cooldown after an alert for the same (asset, check), findings of the same or
//!    lower severity are held and counted into the next alert; a more severe one goes out at once.
//! 3. **Storm.** Fleet-wide, when more than the threshold would go out within the window, one summary goes
//!    out instead and the rest are held; the first alert of the next window recaps what was held.
//! 4. **Send** with message attributes (`severity`, `asset_id`, `check`, `environment`, `event_type`) for
//!    subscription filter policies, then confirm in the record.
//!
//! Records are updated with compare-and-swap, so concurrent invocations never lose a decision; they live
//! in the data bucket, so decisions survive restarts.

mod config;
mod finding;
mod policy;

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use twinpipe_ports::{Notification, Notifier, NotifyError, ObjectStore, StoreError, WriteCondition};

pub use config::{AlertConfig, ConfigError};
pub use finding::{Finding, FindingError};
pub use policy::{CooldownRecord, Decision, KeyState, StormDecision, StormWindow};

/// How often a compare-and-swap of a record is retried before the invocation fails (and is retried).
const MAX_ROUNDS: u32 = 10;
const STORM_KEY: &str = "alerts/storm.json";

/// Why an alert could not be handled. `Finding` is permanent (the event is wrong); the others are worth
/// a retry, which Lambda's asynchronous invocation does.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error(transparent)]
    Finding(#[from] FindingError),
    #[error("reading or writing the alert state: {0}")]
    State(#[source] StoreError),
    #[error("alert state s3://{bucket}/{key} is corrupt ({reason}); delete it to reset the cooldown")]
    CorruptState { bucket: String, key: String, reason: String },
    #[error("alert state s3://{bucket}/{key} kept changing under {rounds} attempts; retry")]
    Contended { bucket: String, key: String, rounds: u32 },
    #[error("publishing the alert: {0}")]
    Notify(#[from] NotifyError),
}

/// What the handler did, returned as the invocation's JSON result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertOutcome {
    /// `sent`, `duplicate`, `held-cooldown`, `storm-summary` or `held-storm`.
    pub action: &'static str,
    pub dedupe_key: String,
    pub asset_id: String,
    pub check: String,
}

/// The alert handler: a bucket for its records and a notifier (SNS on AWS, a file locally).
pub struct Alert {
    store: Arc<dyn ObjectStore>,
    notifier: Arc<dyn Notifier>,
    config: AlertConfig,
    clock: fn() -> i64,
}

impl Alert {
    pub fn new(store: Arc<dyn ObjectStore>, notifier: Arc<dyn Notifier>, config: AlertConfig) -> Self {
        Alert { store, notifier, config, clock: || chrono::Utc::now().timestamp_millis() }
    }

    /// Uses `clock` (epoch ms) instead of the system clock, for tests and replays.
    pub fn with_clock(mut self, clock: fn() -> i64) -> Self {
        self.clock = clock;
        self
    }

    /// Handles one EventBridge event (the full envelope, as Lambda delivers it).
    pub async fn handle(&self, event: &serde_json::Value) -> Result<AlertOutcome, AlertError> {
        let finding = Finding::from_event(event)?;
        let now = (self.clock)();
        let cooldown_key = cooldown_key(&finding);
        let cooldown_ms = self.config.cooldown.as_millis() as i64;
        let decision = self
            .update(&cooldown_key, |r: &mut CooldownRecord| {
                r.decide(&finding.dedupe_key, finding.severity, now, cooldown_ms)
            })
            .await?;
        let action = match decision {
            Decision::Duplicate => "duplicate",
            Decision::Hold => "held-cooldown",
            Decision::Send { held_before } => self.send(&finding, &cooldown_key, held_before, now).await?,
        };
        tracing::info!(action, dedupe_key = %finding.dedupe_key, asset_id = %finding.asset_id, check = %finding.check, "alert handled");
        Ok(AlertOutcome {
            action,
            dedupe_key: finding.dedupe_key,
            asset_id: finding.asset_id,
            check: finding.check,
        })
    }

    async fn send(
        &self,
        finding: &Finding,
        cooldown_key: &str,
        held_before: u32,
        now: i64,
    ) -> Result<&'static str, AlertError> {
        let (window_ms, threshold) =
            (self.config.storm_window.as_millis() as i64, self.config.storm_threshold);
        let storm = self
            .update(STORM_KEY, |w: &mut StormWindow| w.admit(&finding.asset_id, now, window_ms, threshold))
            .await?;
        let (action, state, notification) = match storm {
            StormDecision::Send { recap } => {
                ("sent", KeyState::Sent, Some(self.alert(finding, held_before, &recap)))
            }
            StormDecision::Summary => {
                ("storm-summary", KeyState::Held, Some(self.storm_summary(finding, now)))
            }
            StormDecision::Hold => ("held-storm", KeyState::Held, None),
        };
        if let Some(notification) = notification {
            self.notifier.notify(vec![notification]).await?;
        }
        self.update(cooldown_key, |r: &mut CooldownRecord| {
            r.confirm(&finding.dedupe_key, finding.severity, now, state)
        })
        .await?;
        Ok(action)
    }

    fn alert(&self, finding: &Finding, held_before: u32, recap: &BTreeMap<String, u32>) -> Notification {
        let env = &self.config.environment;
        let mut lines = finding.details.clone();
        if held_before > 0 {
            lines.push(format!(
                "{held_before} similar finding(s) for this asset and check were held back by the {} s cooldown since the previous alert.",
                self.config.cooldown.as_secs()
            ));
        }
        if !recap.is_empty() {
            let held: Vec<String> = recap.iter().map(|(asset, n)| format!("{asset}: {n}")).collect();
            lines.push(format!("During the last alert storm these were held: {}.", held.join(", ")));
        }
        lines.push(format!("Environment: {env}. Dedupe key: {}.", finding.dedupe_key));
        Notification {
            subject: Some(finding.subject(env)),
            message: lines.join("\n"),
            attributes: finding.attributes(env),
            dedup_key: finding.dedupe_key.clone(),
        }
    }

    fn storm_summary(&self, finding: &Finding, now: i64) -> Notification {
        let env = &self.config.environment;
        let window = self.config.storm_window.as_secs();
        let message = format!(
            "More than {} alerts within {window} s in {env}. Further alerts are held until the window ends; \
             the first alert after it lists what was held.\nLatest: {}\n{}",
            self.config.storm_threshold,
            finding.headline,
            finding.details.join("\n")
        );
        let mut attributes = finding.attributes(env);
        attributes.insert("event_type".into(), twinpipe_ports::AttributeValue::String("Alert Storm".into()));
        Notification {
            subject: Some(format!("[STORM] alerts held in {env}").chars().take(99).collect()),
            message,
            attributes,
            dedup_key: format!("storm-{now}"),
        }
    }

    /// Reads a record, applies `change`, and writes it back only if nobody wrote it meanwhile; retries
    /// from a fresh read otherwise. Returns what `change` returned on the successful round.
    async fn update<R, T>(&self, key: &str, mut change: impl FnMut(&mut R) -> T) -> Result<T, AlertError>
    where
        R: Default + Serialize + DeserializeOwned,
    {
        for _ in 0..MAX_ROUNDS {
            let current = self.store.get_tagged(key).await.map_err(AlertError::State)?;
            let (mut record, condition) = match current {
                Some((bytes, tag)) => (self.decode::<R>(key, &bytes)?, WriteCondition::Matches(tag)),
                None => (R::default(), WriteCondition::Absent),
            };
            let answer = change(&mut record);
            let body = Bytes::from(serde_json::to_vec(&record).expect("alert records serialise"));
            match self.store.put_if(key, body, "application/json", condition).await {
                Ok(()) => return Ok(answer),
                Err(StoreError::PreconditionFailed { .. }) => continue,
                Err(e) => return Err(AlertError::State(e)),
            }
        }
        Err(AlertError::Contended {
            bucket: self.store.bucket().to_owned(),
            key: key.to_owned(),
            rounds: MAX_ROUNDS,
        })
    }

    fn decode<R: DeserializeOwned>(&self, key: &str, bytes: &[u8]) -> Result<R, AlertError> {
        serde_json::from_slice(bytes).map_err(|e| AlertError::CorruptState {
            bucket: self.store.bucket().to_owned(),
            key: key.to_owned(),
            reason: e.to_string(),
        })
    }
}

/// `alerts/cooldown/<hash of asset and check>.json`: hashed because asset ids and check names may hold any
/// character.
fn cooldown_key(finding: &Finding) -> String {
    let digest = Sha256::digest(format!("{}\u{0}{}", finding.asset_id, finding.check).as_bytes());
    format!("alerts/cooldown/{}.json", hex::encode(&digest[..12]))
}
