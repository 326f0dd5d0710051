//! What fleet to simulate, for how long and how often: everything that determines the output.

use serde::{Deserialize, Serialize};

/// The whole input of a simulation. Equal configs give identical output, so a config (with its seed)
/// is all a demo, a what-if run or a benchmark needs to record to be reproducible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetConfig {
    /// Number of assets. Kinds are assigned round-robin (pump, air handler, turbine, line) so any
    /// fleet of four or more has every kind.
    pub assets: usize,
    /// Timestamp of the first step, UTC epoch milliseconds. Schedules read the UTC time of day and
    /// day of week from it.
    pub start_ms: i64,
    /// Length of the run in hours; the last step is the last whole interval that starts before
    /// `start_ms + hours`.
    pub hours: f64,
    /// Seconds between steps; rounded to whole milliseconds, at least 1 ms.
    pub interval_s: f64,
    /// Seed of every random choice: asset parameters, noise, schedules, faults.
    pub seed: u64,
    /// Fraction of assets, in `[0, 1]`, that get one injected fault each (rounded to the nearest
    /// count; onsets fall in the second half of the run).
    pub fault_fraction: f64,
}

impl Default for FleetConfig {
    /// A day of eight assets at 10 s, a quarter of them faulted, starting Monday 2024-01-01 00:00 UTC:
    /// small enough for a quick demo, long enough to show day/night schedules.
    fn default() -> FleetConfig {
        FleetConfig {
            assets: 8,
            start_ms: 1_704_067_200_000,
            hours: 24.0,
            interval_s: 10.0,
            seed: 42,
            fault_fraction: 0.25,
        }
    }
}

/// Why a [`FleetConfig`] cannot be simulated, so a CLI can tell its user which flag to fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The step interval is not a finite, positive whole number of milliseconds.
    #[error("interval_s must be a finite number of at least 0.001 s, got {0}")]
    Interval(f64),
    /// The run length is negative, not finite or absurdly long.
    #[error("hours must be a finite, non-negative number, got {0}")]
    Hours(f64),
    /// The faulted fraction is not a fraction.
    #[error("fault_fraction must lie in [0, 1], got {0}")]
    FaultFraction(f64),
    /// `start_ms` plus the run length does not fit in an `i64`.
    #[error("the run's timestamps overflow i64 epoch milliseconds")]
    TimeRange,
}

/// The validated time grid of a run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    pub interval_ms: i64,
    pub steps: u64,
}

impl FleetConfig {
    /// Checks the config without simulating, so callers can reject bad input early.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.grid().map(|_| ())
    }

    pub(crate) fn grid(&self) -> Result<Grid, ConfigError> {
        let interval_ms = self.interval_s * 1000.0;
        if !interval_ms.is_finite() || interval_ms.round() < 1.0 || interval_ms > 1e15 {
            return Err(ConfigError::Interval(self.interval_s));
        }
        let duration_ms = self.hours * 3_600_000.0;
        if !(0.0..=1e17).contains(&duration_ms) {
            return Err(ConfigError::Hours(self.hours));
        }
        if !(0.0..=1.0).contains(&self.fault_fraction) {
            return Err(ConfigError::FaultFraction(self.fault_fraction));
        }
        let interval_ms = interval_ms.round() as i64;
        let duration_ms = duration_ms.round() as i64;
        self.start_ms.checked_add(duration_ms).ok_or(ConfigError::TimeRange)?;
        Ok(Grid { interval_ms, steps: (duration_ms / interval_ms) as u64 })
    }
}
