//! The decisions: duplicate, cooldown, storm. Pure functions over small state records that the handler
//! keeps in the bucket (`alerts/`), so they survive restarts and hold across concurrent invocations
//! (the handler updates them with compare-and-swap).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use twinpipe_domain::events::Severity;

/// How many dedupe keys an (asset, check) record remembers.
pub const REMEMBERED_KEYS: usize = 512;

/// The record of one (asset, check) at `alerts/cooldown/<hash>.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CooldownRecord {
    /// Dedupe keys seen, with whether their alert went out (false: claimed by an invocation that has not
    /// confirmed sending yet; a retry sends it again rather than lose it).
    pub keys: BTreeMap<String, KeyState>,
    /// Order in which keys were first seen, to forget the oldest.
    pub order: Vec<String>,
    /// When the last alert of this (asset, check) went out, epoch ms.
    pub last_sent_ms: Option<i64>,
    pub last_severity: Option<Severity>,
    /// Findings held back by the cooldown since the last alert; reported in the next one.
    pub held_since_last: u32,
}

/// What became of a dedupe key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// Claimed for sending; not yet confirmed.
    Claimed,
    Sent,
    /// Held back by the cooldown or a storm.
    Held,
}

/// What to do with one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send it; `held_before` findings were held back since the previous alert.
    Send { held_before: u32 },
    /// Already sent or held: a redelivery.
    Duplicate,
    /// Inside the cooldown and not more severe than the last alert.
    Hold,
}

impl CooldownRecord {
    /// Decides what to do with a finding and records the decision (a `Send` claims the key).
    pub fn decide(&mut self, key: &str, severity: Severity, now_ms: i64, cooldown_ms: i64) -> Decision {
        match self.keys.get(key) {
            Some(KeyState::Sent | KeyState::Held) => return Decision::Duplicate,
            Some(KeyState::Claimed) => return Decision::Send { held_before: self.held_since_last },
            None => {}
        }
        let cooling = self.last_sent_ms.is_some_and(|t| now_ms - t < cooldown_ms);
        let escalates = self.last_severity.is_none_or(|last| severity > last);
        if cooling && !escalates {
            self.held_since_last += 1;
            self.remember(key, KeyState::Held);
            Decision::Hold
        } else {
            self.remember(key, KeyState::Claimed);
            Decision::Send { held_before: self.held_since_last }
        }
    }

    /// Records that the alert for `key` went out (or was folded into a storm summary).
    pub fn confirm(&mut self, key: &str, severity: Severity, now_ms: i64, state: KeyState) {
        self.remember(key, state);
        if state == KeyState::Sent {
            self.last_sent_ms = Some(now_ms);
            self.last_severity = Some(severity);
            self.held_since_last = 0;
        }
    }

    fn remember(&mut self, key: &str, state: KeyState) {
        if self.keys.insert(key.to_owned(), state).is_none() {
            self.order.push(key.to_owned());
        }
        while self.order.len() > REMEMBERED_KEYS {
            let oldest = self.order.remove(0);
            self.keys.remove(&oldest);
        }
    }
}

/// The fleet-wide storm window at `alerts/storm.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StormWindow {
    pub start_ms: i64,
    /// Alerts sent in this window.
    pub sent: u32,
    /// Alerts held in this window because of the storm, per asset.
    pub held: BTreeMap<String, u32>,
    pub summary_sent: bool,
    /// What the previous window held, to report in the first alert of this one.
    pub previous_held: BTreeMap<String, u32>,
}

/// What storm control allows for one alert that passed the cooldown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StormDecision {
    /// Send it; `recap` lists per asset what the last storm held (empty when nothing).
    Send { recap: BTreeMap<String, u32> },
    /// The threshold is reached: send one summary instead of this alert.
    Summary,
    /// A summary already went out in this window: hold it.
    Hold,
}

impl StormWindow {
    /// Counts one alert of `asset_id` into the window and says whether it may go out.
    pub fn admit(&mut self, asset_id: &str, now_ms: i64, window_ms: i64, threshold: u32) -> StormDecision {
        if now_ms - self.start_ms >= window_ms {
            let previous_held = std::mem::take(&mut self.held);
            *self = StormWindow { start_ms: now_ms, previous_held, ..StormWindow::default() };
        }
        if self.sent < threshold {
            self.sent += 1;
            return StormDecision::Send { recap: std::mem::take(&mut self.previous_held) };
        }
        *self.held.entry(asset_id.to_owned()).or_default() += 1;
        if self.summary_sent {
            StormDecision::Hold
        } else {
            self.summary_sent = true;
            StormDecision::Summary
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn redelivered_findings_are_duplicates() {
        let mut r = CooldownRecord::default();
        assert_eq!(r.decide("k", Severity::Warning, 0, HOUR), Decision::Send { held_before: 0 });
        r.confirm("k", Severity::Warning, 0, KeyState::Sent);
        assert_eq!(r.decide("k", Severity::Warning, 1, HOUR), Decision::Duplicate);
    }

    #[test]
    fn a_claim_that_was_never_confirmed_is_sent_again() {
        let mut r = CooldownRecord::default();
        r.decide("k", Severity::Warning, 0, HOUR);
        assert_eq!(r.decide("k", Severity::Warning, 5, HOUR), Decision::Send { held_before: 0 });
    }

    #[test]
    fn cooldown_holds_same_severity_and_counts_into_the_next_alert() {
        let mut r = CooldownRecord::default();
        r.decide("a", Severity::Warning, 0, HOUR);
        r.confirm("a", Severity::Warning, 0, KeyState::Sent);
        assert_eq!(r.decide("b", Severity::Warning, 10, HOUR), Decision::Hold);
        assert_eq!(r.decide("c", Severity::Info, 20, HOUR), Decision::Hold);
        assert_eq!(r.decide("d", Severity::Warning, HOUR, HOUR), Decision::Send { held_before: 2 });
    }

    #[test]
    fn escalation_breaks_through_the_cooldown() {
        let mut r = CooldownRecord::default();
        r.decide("a", Severity::Warning, 0, HOUR);
        r.confirm("a", Severity::Warning, 0, KeyState::Sent);
        assert_eq!(r.decide("b", Severity::Critical, 10, HOUR), Decision::Send { held_before: 0 });
    }

    #[test]
    fn old_keys_are_forgotten_beyond_the_bound() {
        let mut r = CooldownRecord::default();
        for i in 0..REMEMBERED_KEYS + 1 {
            r.confirm(&format!("k{i}"), Severity::Info, 0, KeyState::Held);
        }
        assert!(!r.keys.contains_key("k0"));
        assert_eq!(r.keys.len(), REMEMBERED_KEYS);
    }

    #[test]
    fn a_storm_sends_one_summary_then_holds_until_the_window_ends() {
        let mut w = StormWindow::default();
        let window = 300_000;
        let admit = |w: &mut StormWindow, asset: &str, t| w.admit(asset, t, window, 2);
        assert!(matches!(admit(&mut w, "a", 1), StormDecision::Send { .. }));
        assert!(matches!(admit(&mut w, "b", 2), StormDecision::Send { .. }));
        assert_eq!(admit(&mut w, "c", 3), StormDecision::Summary);
        assert_eq!(admit(&mut w, "c", 4), StormDecision::Hold);
        let next = admit(&mut w, "d", window + 1);
        assert_eq!(next, StormDecision::Send { recap: BTreeMap::from([("c".to_owned(), 2)]) });
        assert!(matches!(admit(&mut w, "e", window + 2), StormDecision::Send { recap } if recap.is_empty()));
    }
}
