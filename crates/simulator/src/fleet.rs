//! Building a fleet from a config: asset specs, their models and the injected faults (ground truth).

use std::fmt;

use rand::rngs::StdRng;
use rand::seq::index;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::config::{ConfigError, FleetConfig, Grid};
use crate::models::{Ctx, MAX_SENSORS, Model, Process};
use crate::sensor::SensorDef;
use crate::stream::{Readings, Steps};

/// The kinds of asset the simulator models. Each has its own physics, schedule and sensor set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// Variable-speed centrifugal pump: speed, flow, discharge pressure, shaft power, bearing
    /// temperature, vibration.
    Pump,
    /// HVAC air handling unit: supply/return/outdoor air temperature, fan speed and power, filter dp.
    AirHandler,
    /// Gas turbine generator: rotor speed, power, exhaust temperature, vibration, bearing temperature.
    Turbine,
    /// Production line conveyor: line speed, motor current, throughput count, motor temperature.
    ProductionLine,
}

impl AssetKind {
    /// Every kind, in the round-robin order fleets are built in.
    pub const ALL: [AssetKind; 4] =
        [AssetKind::Pump, AssetKind::AirHandler, AssetKind::Turbine, AssetKind::ProductionLine];

    /// The asset-id prefix (`pump-001`, `ahu-002`, …), short as plant tags are.
    pub fn id_prefix(self) -> &'static str {
        match self {
            AssetKind::Pump => "pump",
            AssetKind::AirHandler => "ahu",
            AssetKind::Turbine => "turbine",
            AssetKind::ProductionLine => "line",
        }
    }
}

/// A sensor of a simulated asset, as a registry of the fleet would list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SensorSpec {
    /// snake_case id, unique within the asset (`bearing_temp`).
    pub id: &'static str,
    /// The unit the sensor reports in: a symbol accepted by `twinpipe_domain::units::Unit::parse`, not
    /// necessarily canonical (a US-built pump reports `degF`, `psi`, `gpm`).
    pub unit: &'static str,
}

/// A simulated asset: what the demo registers and what readings refer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetSpec {
    /// `<prefix>-<nnn>`, numbered from 1 across the fleet (`pump-001`, `ahu-002`).
    pub id: String,
    /// Which physical model drives the asset, and so which sensors it has.
    pub kind: AssetKind,
    /// In the order readings of this asset are emitted within a step.
    pub sensors: Vec<SensorSpec>,
}

/// The kinds of fault the simulator injects: the conditions a detector is expected to catch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// A rolling bearing degrades: vibration and bearing (or motor) temperature grow, accelerating.
    BearingWear,
    /// Deposits build up: filter dp and fan power (air handler), pump efficiency (shaft power), turbine
    /// compressor (output capped, exhaust temperature up). Grows linearly.
    Fouling,
    /// A transmitter's offset ramps linearly away from the truth.
    SensorDrift,
    /// A sensor keeps repeating its last value, mostly still flagged good.
    StuckSensor,
    /// Bursts of outliers (1–4 consecutive readings), sometimes flagged uncertain or bad; the first
    /// burst starts exactly at onset.
    SpikeBurst,
}

impl FaultKind {
    /// Every fault kind, in the order faulted assets cycle through them.
    pub const ALL: [FaultKind; 5] = [
        FaultKind::BearingWear,
        FaultKind::Fouling,
        FaultKind::SensorDrift,
        FaultKind::StuckSensor,
        FaultKind::SpikeBurst,
    ];
}

/// Ground truth of one injected fault, against which detections and their delay are scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InjectedFault {
    /// The faulted asset; each asset has at most one fault.
    pub asset_id: String,
    /// The sensors whose readings the fault can change; all other sensors of the asset read exactly
    /// what they would have without the fault.
    pub sensor_ids: Vec<&'static str>,
    /// What went wrong, so a benchmark can score detectors per fault kind.
    pub kind: FaultKind,
    /// Timestamp (epoch ms) of the first step the fault acts on; it is on the step grid. Readings
    /// before it are identical to a run without the fault.
    pub onset_ms: i64,
}

/// How a fault acts, per step. Internal: the public ground truth is [`InjectedFault`].
#[derive(Debug, Clone)]
pub(crate) struct FaultPlan {
    pub kind: FaultKind,
    pub onset_ms: i64,
    /// Time to full severity (process faults) or to the nominal drift (drift).
    ramp_ms: f64,
    /// The faulted sensor, for sensor faults.
    pub sensor: Option<usize>,
    /// Drift rate in canonical units per second.
    pub drift_per_s: f64,
    /// Outlier magnitude in canonical units.
    pub spike: f64,
    /// Per-step probability that a new outlier burst starts.
    pub burst_p: f64,
}

impl FaultPlan {
    /// Process-fault severities at `ts_ms` (zero before onset and for sensor faults).
    pub fn process(&self, ts_ms: i64) -> Process {
        let x = ((ts_ms - self.onset_ms) as f64 / self.ramp_ms).clamp(0.0, 1.0);
        match self.kind {
            // Wear accelerates: slow at first, then fast.
            FaultKind::BearingWear => Process { wear: x * x, fouling: 0.0 },
            FaultKind::Fouling => Process { wear: 0.0, fouling: x },
            _ => Process::default(),
        }
    }
}

/// The sensors a process fault changes, per asset kind; empty where the kind cannot have that fault.
fn process_fault_sensors(asset: AssetKind, fault: FaultKind) -> &'static [&'static str] {
    match (asset, fault) {
        (AssetKind::Pump, FaultKind::BearingWear) => &["bearing_temp", "vibration"],
        (AssetKind::Pump, FaultKind::Fouling) => &["shaft_power"],
        (AssetKind::AirHandler, FaultKind::Fouling) => &["fan_power", "filter_dp"],
        (AssetKind::Turbine, FaultKind::BearingWear) => &["vibration", "bearing_temp"],
        (AssetKind::Turbine, FaultKind::Fouling) => &["power", "exhaust_temp"],
        (AssetKind::ProductionLine, FaultKind::BearingWear) => &["motor_current", "motor_temp"],
        _ => &[],
    }
}

fn applicable(asset: AssetKind, fault: FaultKind) -> bool {
    match fault {
        FaultKind::BearingWear | FaultKind::Fouling => !process_fault_sensors(asset, fault).is_empty(),
        FaultKind::SensorDrift | FaultKind::StuckSensor | FaultKind::SpikeBurst => true,
    }
}

/// Everything needed to (re)start an asset's run: its model in its initial state and its random
/// streams. `steps()` clones these, so a simulation can be replayed any number of times.
#[derive(Debug, Clone)]
pub(crate) struct AssetInit {
    pub model: Model,
    /// Parameters, schedule and physics draws: the model's own stream, so a dry run of the model
    /// reproduces the real run without generating readings.
    pub rng: StdRng,
    /// Sensor noise.
    pub noise_rng: StdRng,
    /// Fault effects (outliers, quality flags); drawn from only after onset.
    pub fault_rng: StdRng,
    pub defs: Vec<SensorDef>,
    pub plan: Option<FaultPlan>,
}

/// A simulated fleet: its assets, its ground truth and (lazily) its readings.
///
/// Nothing is generated up front beyond the asset models; readings are computed as the iterators
/// from [`Simulation::steps`] or [`Simulation::readings`] advance, so long runs stream in constant
/// memory. Each call starts a fresh, identical replay.
pub struct Simulation {
    config: FleetConfig,
    pub(crate) grid: Grid,
    assets: Vec<AssetSpec>,
    faults: Vec<InjectedFault>,
    pub(crate) init: Vec<AssetInit>,
    pub(crate) sensors_per_step: usize,
}

impl fmt::Debug for Simulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulation")
            .field("config", &self.config)
            .field("steps", &self.grid.steps)
            .field("assets", &self.assets.len())
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

/// Simulates `config`'s fleet.
///
/// # Panics
/// If the config is invalid (see [`FleetConfig::validate`]); use [`try_simulate`] for user input.
pub fn simulate(config: &FleetConfig) -> Simulation {
    match try_simulate(config) {
        Ok(sim) => sim,
        Err(e) => panic!("invalid fleet config: {e}"),
    }
}

/// Simulates `config`'s fleet, or says why the config is invalid.
///
/// Cost: building dry-runs the physics of each faulted asset once (no readings) to place its fault
/// onset while it operates; readings are generated only as the iterators advance.
///
/// Determinism: every random choice comes from `rand::rngs::StdRng` (ChaCha12) streams seeded from
/// `config.seed` — per asset one for its parameters and physics, one for sensor noise and one for
/// fault effects, plus one for choosing faults. Hence the same config yields identical output (for a given
/// `rand` version, which `Cargo.lock` pins, and platform `libm`), an asset's readings do not depend
/// on which assets are faulted, and lowering `fault_fraction` to 0 gives each asset's healthy twin.
pub fn try_simulate(config: &FleetConfig) -> Result<Simulation, ConfigError> {
    let grid = config.grid()?;
    let dt = grid.interval_ms as f64 / 1000.0;
    let mut assets = Vec::with_capacity(config.assets);
    let mut init = Vec::with_capacity(config.assets);
    for i in 0..config.assets {
        let kind = AssetKind::ALL[i % AssetKind::ALL.len()];
        let mut rng = StdRng::seed_from_u64(stream_seed(config.seed, 1, i as u64));
        let (model, defs) = Model::build(kind, i / AssetKind::ALL.len(), dt, &mut rng);
        assets.push(AssetSpec {
            id: format!("{}-{:03}", kind.id_prefix(), i + 1),
            kind,
            sensors: defs.iter().map(|d| SensorSpec { id: d.id, unit: d.unit.symbol }).collect(),
        });
        init.push(AssetInit {
            model,
            rng,
            noise_rng: StdRng::seed_from_u64(stream_seed(config.seed, 4, i as u64)),
            fault_rng: StdRng::seed_from_u64(stream_seed(config.seed, 2, i as u64)),
            defs,
            plan: None,
        });
    }

    let mut rng = StdRng::seed_from_u64(stream_seed(config.seed, 3, 0));
    let faulted = (config.fault_fraction * config.assets as f64).round() as usize;
    let mut chosen = index::sample(&mut rng, config.assets, faulted.min(config.assets)).into_vec();
    chosen.sort_unstable();
    let first_kind = rng.random_range(0..FaultKind::ALL.len());
    let mut faults = Vec::with_capacity(chosen.len());
    for (k, &a) in chosen.iter().enumerate() {
        let asset_kind = assets[a].kind;
        let kind = (0..FaultKind::ALL.len())
            .map(|j| FaultKind::ALL[(first_kind + k + j) % FaultKind::ALL.len()])
            .find(|&f| applicable(asset_kind, f))
            .expect("sensor faults apply to every kind");
        let onset_step = onset_step(&init[a], grid, config.start_ms, &mut rng);
        let (plan, sensor_ids) =
            plan_fault(kind, asset_kind, &init[a].defs, grid, onset_step, config.start_ms, &mut rng);
        faults.push(InjectedFault {
            asset_id: assets[a].id.clone(),
            sensor_ids,
            kind,
            onset_ms: plan.onset_ms,
        });
        init[a].plan = Some(plan);
    }

    let sensors_per_step = assets.iter().map(|a| a.sensors.len()).sum();
    Ok(Simulation { config: config.clone(), grid, assets, faults, init, sensors_per_step })
}

/// Draws the step of a fault's onset in the second half of the run (at 50–80 % of it).
///
/// A fault on an idle machine shows nothing (a fouled filter has no pressure drop with the fan off),
/// so the onset goes where the asset operates, both at onset and a twentieth of the run later,
/// found by a dry run of the model. Only when there is no such step is any step in the window used.
fn onset_step(asset: &AssetInit, grid: Grid, start_ms: i64, rng: &mut StdRng) -> u64 {
    let (steps, lo) = (grid.steps, grid.steps / 2);
    let hi = (steps * 4 / 5).max(lo);
    if steps == 0 {
        return 0;
    }
    let later = (steps / 20).max(1);
    let mut model = asset.model.clone();
    let mut model_rng = asset.rng.clone();
    let dt = grid.interval_ms as f64 / 1000.0;
    let mut out = [0.0; MAX_SENSORS];
    let operating: Vec<bool> = (0..steps)
        .map(|k| {
            let ctx = Ctx::new(start_ms + k as i64 * grid.interval_ms, k as f64 * dt, dt);
            model.advance(&ctx, Process::default(), &mut model_rng, &mut out);
            model.operating(&out)
        })
        .collect();
    let candidates: Vec<u64> = (lo..=hi.min(steps - 1))
        .filter(|&k| operating[k as usize] && operating[(k + later).min(steps - 1) as usize])
        .collect();
    if candidates.is_empty() {
        rng.random_range(lo..=hi)
    } else {
        candidates[rng.random_range(0..candidates.len())]
    }
}

/// Draws a fault's target sensor and magnitudes.
fn plan_fault(
    kind: FaultKind,
    asset: AssetKind,
    defs: &[SensorDef],
    grid: Grid,
    onset_step: u64,
    start_ms: i64,
    rng: &mut StdRng,
) -> (FaultPlan, Vec<&'static str>) {
    let onset_ms = start_ms + onset_step as i64 * grid.interval_ms;
    // Reach full severity halfway through the remaining run (within sane physical bounds), so the
    // effect is visible in any run length.
    let remaining_ms = (grid.steps - onset_step) as f64 * grid.interval_ms as f64;
    let ramp_ms = (remaining_ms / 2.0).clamp(600_000.0, 48.0 * 3_600_000.0);
    let dt = grid.interval_ms as f64 / 1000.0;
    let mut plan =
        FaultPlan { kind, onset_ms, ramp_ms, sensor: None, drift_per_s: 0.0, spike: 0.0, burst_p: 0.0 };
    let sensor_ids = match kind {
        FaultKind::BearingWear | FaultKind::Fouling => process_fault_sensors(asset, kind).to_vec(),
        FaultKind::SensorDrift | FaultKind::StuckSensor | FaultKind::SpikeBurst => {
            let eligible: Vec<usize> = (0..defs.len())
                .filter(|&i| !defs[i].counter && (kind != FaultKind::SensorDrift || defs[i].drifts))
                .collect();
            let i = eligible[rng.random_range(0..eligible.len())];
            let def = &defs[i];
            plan.sensor = Some(i);
            let sign = if def.min >= 0.0 || rng.random_bool(0.5) { 1.0 } else { -1.0 };
            plan.drift_per_s = sign * def.span * rng.random_range(0.15..0.3) / (ramp_ms / 1000.0);
            plan.spike = def.span * rng.random_range(0.6..1.2);
            plan.burst_p = (dt / rng.random_range(600.0..2400.0)).min(1.0);
            vec![def.id]
        }
    };
    (plan, sensor_ids)
}

/// Derives independent seeds for the random streams from the config seed (SplitMix64 finaliser).
fn stream_seed(seed: u64, stream: u64, index: u64) -> u64 {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    mix(mix(seed ^ stream.rotate_left(48)) ^ index)
}

impl Simulation {
    /// The config this simulation was built from, to record alongside its output.
    pub fn config(&self) -> &FleetConfig {
        &self.config
    }

    /// The fleet, in id order; readings within a step follow this order and each asset's sensor order.
    pub fn assets(&self) -> &[AssetSpec] {
        &self.assets
    }

    /// Ground truth: one entry per faulted asset, in asset order.
    pub fn faults(&self) -> &[InjectedFault] {
        &self.faults
    }

    /// Milliseconds between steps (the config's interval, rounded).
    pub fn interval_ms(&self) -> i64 {
        self.grid.interval_ms
    }

    /// Number of time steps in the run.
    pub fn step_count(&self) -> u64 {
        self.grid.steps
    }

    /// Total readings the run yields (sensors × steps), for progress bars and pre-sizing.
    pub fn reading_count(&self) -> u64 {
        self.sensors_per_step as u64 * self.grid.steps
    }

    /// Streams the run step by step: each [`Step`](crate::Step) holds every asset's readings at one
    /// timestamp, which is what what-if runs and detectors that look across sensors want.
    pub fn steps(&self) -> Steps<'_> {
        Steps::new(self)
    }

    /// Streams the run reading by reading (the same sequence as [`Simulation::steps`], flattened),
    /// reusing one buffer, for writers that emit one message per reading.
    pub fn readings(&self) -> Readings<'_> {
        Readings::new(self.steps())
    }
}
