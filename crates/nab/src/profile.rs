//! NAB's application profiles: how much a detected window, a false alarm and a missed window weigh.

use serde::Serialize;

/// The weights of one application profile (NAB's `config/profiles.json`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Profile {
    /// NAB's name for it, as in its result files.
    pub name: &'static str,
    /// Reward for detecting a window at its very first row (`A_TP`).
    pub tp_weight: f64,
    /// Cost of one detection far from any window (`A_FP`).
    pub fp_weight: f64,
    /// Cost of a window with no detection (`A_FN`).
    pub fn_weight: f64,
}

/// The balanced profile NAB's headline score uses.
pub const STANDARD: Profile = Profile { name: "standard", tp_weight: 1.0, fp_weight: 0.11, fn_weight: 1.0 };
/// False alarms cost twice as much.
pub const REWARD_LOW_FP_RATE: Profile =
    Profile { name: "reward_low_FP_rate", tp_weight: 1.0, fp_weight: 0.22, fn_weight: 1.0 };
/// Missed windows cost twice as much.
pub const REWARD_LOW_FN_RATE: Profile =
    Profile { name: "reward_low_FN_rate", tp_weight: 1.0, fp_weight: 0.11, fn_weight: 2.0 };

/// The three profiles in NAB's reporting order.
pub const PROFILES: [Profile; 3] = [STANDARD, REWARD_LOW_FP_RATE, REWARD_LOW_FN_RATE];

impl Profile {
    /// The profile with NAB's name `name`, if there is one.
    pub fn by_name(name: &str) -> Option<Profile> {
        PROFILES.into_iter().find(|p| p.name == name)
    }

    /// Maps a corpus raw score to NAB's 0–100 scale: 0 is the null detector (every window missed, no
    /// false alarm), 100 the perfect one (every window detected at its first row, no false alarm).
    pub fn normalise(&self, raw_score: f64, windows: usize) -> f64 {
        let null = -self.fn_weight * windows as f64;
        let perfect = self.tp_weight * windows as f64;
        100.0 * (raw_score - null) / (perfect - null)
    }
}
