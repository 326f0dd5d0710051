//! A deterministic simulator of a fleet of industrial assets, for `twinpipe demo`, what-if runs and
//! detection-delay benchmarks.
//!
//! Four asset kinds — centrifugal pumps, HVAC air handlers, gas turbines and production-line
//! conveyors — each run a small physical model (affinity laws, first-order thermal lags, rotor
//! dynamics, Poisson counts) driven by an operating schedule with day/night load and start-stops.
//! Sensors add noise, report in realistic and sometimes non-canonical units (a US pump sends `degF`,
//! `psi`, `gpm`), so the pipeline's normalisation is exercised. A seeded subset of assets gets one
//! fault each — bearing wear, fouling, sensor drift, a stuck sensor or outlier bursts — whose onset
//! and affected sensors are recorded as ground truth.
//!
//! Readings stream step by step without holding the run in memory:
//!
//! ```
//! use twinpipe_simulator::{FleetConfig, simulate};
//!
//! let sim = simulate(&FleetConfig { assets: 4, hours: 1.0, ..FleetConfig::default() });
//! assert_eq!(sim.assets()[0].id, "pump-001");
//! let n = sim.readings().filter(|r| r.quality.as_str() == "good").count();
//! assert!(n as u64 <= sim.reading_count());
//! ```
//!
//! Pure: no I/O, no clock, no AWS. Same config, same output — see [`try_simulate`] for the
//! determinism contract.

#![warn(missing_docs)]

mod config;
mod fleet;
mod models;
mod sensor;
mod stream;

pub use config::{ConfigError, FleetConfig};
pub use fleet::{
    AssetKind, AssetSpec, FaultKind, InjectedFault, SensorSpec, Simulation, simulate, try_simulate,
};
pub use stream::{Readings, SimReading, Step, Steps};
/// How far a reading can be trusted; readings carry the pipeline's own type.
pub use twinpipe_domain::Quality;
