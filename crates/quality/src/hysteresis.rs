//! Alert hysteresis over repeated windows (quality-monitoring.md §6 improvement 3): an alert is raised
//! after K of the last N evaluated windows violated a check, and cleared after M consecutive clean
//! windows, so one noisy hour neither raises nor clears an alert. The state is plain serde data that the
//! caller stores between runs (e.g. next to the reports) and passes back in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The K-of-N / M rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HysteresisConfig {
    /// K: violating windows needed to raise.
    pub raise_after: u32,
    /// N: the windows K is counted over.
    pub window: u32,
    /// M: consecutive clean windows needed to clear.
    pub clear_after: u32,
}

impl Default for HysteresisConfig {
    fn default() -> Self {
        HysteresisConfig { raise_after: 2, window: 3, clear_after: 3 }
    }
}

/// What one key (check type + feature [+ asset/sensor]) has been doing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyState {
    /// Outcomes of the last N evaluated windows, oldest first (true = violated).
    pub recent: Vec<bool>,
    /// Whether an alert is active.
    pub active: bool,
    /// Consecutive clean windows since the last violation.
    pub clean_streak: u32,
}

/// The state of every tracked key. Keys that are clean and inactive are dropped to keep it small.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HysteresisState {
    /// Per key.
    pub keys: BTreeMap<String, KeyState>,
}

/// A change of alert state: what the caller should notify about (one message per change, not per window).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertChange {
    /// The key.
    pub key: String,
    /// True: raised; false: cleared.
    pub raised: bool,
}

impl HysteresisState {
    /// Feeds one evaluated window: `violated` keys failed; `skipped` keys were not evaluated (too little
    /// data) and change nothing; every other tracked key counts as clean. Returns the state changes.
    pub fn observe<'a>(
        &mut self,
        config: &HysteresisConfig,
        violated: impl IntoIterator<Item = &'a str>,
        skipped: impl IntoIterator<Item = &'a str>,
    ) -> Vec<AlertChange> {
        let violated: std::collections::BTreeSet<&str> = violated.into_iter().collect();
        let skipped: std::collections::BTreeSet<&str> = skipped.into_iter().collect();
        for key in &violated {
            self.keys.entry((*key).to_owned()).or_default();
        }
        let mut changes = Vec::new();
        for (key, st) in &mut self.keys {
            if skipped.contains(key.as_str()) && !violated.contains(key.as_str()) {
                continue;
            }
            let bad = violated.contains(key.as_str());
            st.recent.push(bad);
            let excess = st.recent.len().saturating_sub(config.window as usize);
            st.recent.drain(..excess);
            st.clean_streak = if bad { 0 } else { st.clean_streak + 1 };
            let violations = st.recent.iter().filter(|b| **b).count() as u32;
            if !st.active && violations >= config.raise_after {
                st.active = true;
                changes.push(AlertChange { key: key.clone(), raised: true });
            } else if st.active && st.clean_streak >= config.clear_after {
                st.active = false;
                changes.push(AlertChange { key: key.clone(), raised: false });
            }
        }
        self.keys.retain(|_, st| st.active || st.recent.iter().any(|b| *b));
        changes
    }

    /// Keys whose alert is active.
    pub fn active(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter(|(_, s)| s.active).map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(windows: &[bool]) -> Vec<(usize, bool)> {
        let mut st = HysteresisState::default();
        let cfg = HysteresisConfig::default();
        let mut changes = Vec::new();
        for (i, bad) in windows.iter().enumerate() {
            let v: Vec<&str> = if *bad { vec!["drift|temp"] } else { vec![] };
            for c in st.observe(&cfg, v, []) {
                changes.push((i, c.raised));
            }
        }
        changes
    }

    #[test]
    fn one_noisy_window_raises_nothing() {
        assert_eq!(run(&[false, true, false, false, true, false, false]), vec![]);
    }

    #[test]
    fn two_of_three_raise_and_three_clean_clear() {
        assert_eq!(run(&[true, false, true, true, false, false, false, false]), vec![(2, true), (6, false)]);
    }

    #[test]
    fn a_violation_during_the_clean_streak_keeps_the_alert() {
        assert_eq!(run(&[true, true, false, false, true, false, false, false]), vec![(1, true), (7, false)]);
    }

    #[test]
    fn skipped_windows_change_nothing_and_state_round_trips() {
        let mut st = HysteresisState::default();
        let cfg = HysteresisConfig::default();
        st.observe(&cfg, ["k"], []);
        st.observe(&cfg, [], ["k"]);
        let json = serde_json::to_string(&st).unwrap();
        let mut back: HysteresisState = serde_json::from_str(&json).unwrap();
        assert_eq!(back.keys["k"].recent, vec![true]);
        assert_eq!(back.observe(&cfg, ["k"], []), vec![AlertChange { key: "k".into(), raised: true }]);
        assert_eq!(back.active().collect::<Vec<_>>(), vec!["k"]);
    }
}
