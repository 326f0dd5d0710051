//! Physical models of the asset kinds and the small dynamic building blocks they share.
//!
//! Each model advances one time step at a time, driven by its operating schedule, and writes the true
//! (noise-free) value of every sensor in canonical units. Noise, sensor faults and unit conversion are
//! applied afterwards by the stream, identically for every kind.
//!
//! Determinism rule: a model draws from its own random stream (not the noise or fault streams) and
//! only depending on its schedule and healthy state, never on process-fault severity. So a faulted
//! asset stays in lock-step with its healthy twin, only the sensors named in the ground truth
//! differ, and a dry run of the model alone reproduces its operating pattern.

use std::f64::consts::TAU;

use rand::Rng;
use rand::rngs::StdRng;
use rand_distr::StandardNormal;

use crate::AssetKind;
use crate::sensor::SensorDef;

pub(crate) mod ahu;
pub(crate) mod line;
pub(crate) mod pump;
pub(crate) mod turbine;

/// The most sensors any model has; the stream keeps per-asset values in a fixed array of this size.
pub(crate) const MAX_SENSORS: usize = 6;

/// Water density (kg/m³) and standard gravity (m/s²), for hydraulic power and pressure from head.
pub(crate) const RHO_WATER: f64 = 998.0;
pub(crate) const G: f64 = 9.806_65;

/// Where in time a step is: what a schedule needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    /// Seconds since the start of the run.
    pub t_s: f64,
    /// Step length in seconds.
    pub dt: f64,
    /// UTC hour of day, fractional, in `[0, 24)`. Sites are assumed to run on UTC.
    pub hour: f64,
    /// Day of week, Monday = 0 … Sunday = 6.
    pub weekday: u32,
}

impl Ctx {
    pub fn new(ts_ms: i64, t_s: f64, dt: f64) -> Ctx {
        let ms_of_day = ts_ms.rem_euclid(86_400_000);
        let day = ts_ms.div_euclid(86_400_000);
        // 1970-01-01 was a Thursday (weekday 3).
        let weekday = (day + 3).rem_euclid(7) as u32;
        Ctx { t_s, dt, hour: ms_of_day as f64 / 3_600_000.0, weekday }
    }

    pub fn is_weekend(&self) -> bool {
        self.weekday >= 5
    }
}

/// Severity in `[0, 1]` of the process faults acting on an asset this step (0 = healthy).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Process {
    pub wear: f64,
    pub fouling: f64,
}

/// One standard-normal draw.
#[inline]
pub(crate) fn normal(rng: &mut StdRng) -> f64 {
    rng.sample(StandardNormal)
}

/// `1 - exp(-dt/tau)`: the exact discretisation of a first-order lag, stable for any step length.
pub(crate) fn lag_alpha(dt: f64, tau: f64) -> f64 {
    1.0 - (-dt / tau).exp()
}

/// A first-order lag (thermal mass, control loop). The first step jumps to the target so runs start
/// in steady state instead of with a warm-up transient.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lag {
    y: f64,
    primed: bool,
}

impl Lag {
    pub fn step(&mut self, target: f64, alpha: f64) -> f64 {
        if self.primed {
            self.y += (target - self.y) * alpha;
        } else {
            self.y = target;
            self.primed = true;
        }
        self.y
    }

    pub fn value(&self) -> f64 {
        self.y
    }
}

/// A rate limiter (drive acceleration ramps). Like [`Lag`], the first step jumps to the target.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ramp {
    y: f64,
    primed: bool,
}

impl Ramp {
    pub fn step(&mut self, target: f64, max_up: f64, max_down: f64) -> f64 {
        if self.primed {
            self.y += (target - self.y).clamp(-max_down, max_up);
        } else {
            self.y = target;
            self.primed = true;
        }
        self.y
    }

    /// The current value, or `target` before the first step (so the first step sees no ramp).
    pub fn value_or(&self, target: f64) -> f64 {
        if self.primed { self.y } else { target }
    }
}

/// An Ornstein–Uhlenbeck process: a mean-reverting random wander (weather, demand, grid frequency),
/// discretised exactly so its statistics do not depend on the step length.
#[derive(Debug, Clone)]
pub(crate) struct Wander {
    x: f64,
    a: f64,
    b: f64,
}

impl Wander {
    /// `sigma`: stationary standard deviation; `tau`: correlation time in seconds.
    pub fn new(sigma: f64, tau: f64, dt: f64, rng: &mut StdRng) -> Wander {
        let a = (-dt / tau).exp();
        Wander { x: sigma * normal(rng), a, b: sigma * (1.0 - a * a).sqrt() }
    }

    pub fn step(&mut self, rng: &mut StdRng) -> f64 {
        self.x = self.a * self.x + self.b * normal(rng);
        self.x
    }
}

/// `cos` of the time of day, 1 at `peak_hour` and -1 twelve hours later: a daily sinusoid.
pub(crate) fn daily(hour: f64, peak_hour: f64) -> f64 {
    (TAU * (hour - peak_hour) / 24.0).cos()
}

/// A Gaussian bump centred on `center` hours with width `width` hours, wrapping around midnight.
pub(crate) fn bump(hour: f64, center: f64, width: f64) -> f64 {
    let d = (hour - center + 36.0).rem_euclid(24.0) - 12.0;
    (-0.5 * (d / width).powi(2)).exp()
}

/// Whether `hour` lies in the daily window `[from, to)`, which may wrap past midnight.
pub(crate) fn in_window(hour: f64, from: f64, to: f64) -> bool {
    if from <= to { hour >= from && hour < to } else { hour >= from || hour < to }
}

/// An unplanned outage process (trips, jams): while the asset runs, one starts with probability
/// `dt / mtbf` per step and lasts a random time.
#[derive(Debug, Clone)]
pub(crate) struct Outages {
    mtbf_s: f64,
    min_s: f64,
    max_s: f64,
    left_s: f64,
}

impl Outages {
    pub fn new(mtbf_s: f64, min_s: f64, max_s: f64) -> Outages {
        Outages { mtbf_s, min_s, max_s, left_s: 0.0 }
    }

    /// Advances one step; `true` while an outage is in progress.
    pub fn step(&mut self, wants_to_run: bool, ctx: &Ctx, rng: &mut StdRng) -> bool {
        if self.left_s > 0.0 {
            self.left_s -= ctx.dt;
            return true;
        }
        if wants_to_run && rng.random_bool((ctx.dt / self.mtbf_s).min(1.0)) {
            self.left_s = rng.random_range(self.min_s..self.max_s) - ctx.dt;
            return true;
        }
        false
    }
}

/// The model of one asset, by kind.
#[derive(Debug, Clone)]
pub(crate) enum Model {
    Pump(pump::Pump),
    AirHandler(ahu::AirHandler),
    Turbine(turbine::Turbine),
    Line(line::Line),
}

impl Model {
    /// Draws a model's parameters. `instance` counts assets of this kind (0, 1, …); even instances use
    /// US customary units where that kind has them, so every fleet exercises unit normalisation.
    pub fn build(kind: AssetKind, instance: usize, dt: f64, rng: &mut StdRng) -> (Model, Vec<SensorDef>) {
        let us = instance.is_multiple_of(2);
        match kind {
            AssetKind::Pump => {
                let (m, s) = pump::Pump::build(us, dt, rng);
                (Model::Pump(m), s)
            }
            AssetKind::AirHandler => {
                let (m, s) = ahu::AirHandler::build(us, dt, rng);
                (Model::AirHandler(m), s)
            }
            AssetKind::Turbine => {
                let (m, s) = turbine::Turbine::build(us, dt, rng);
                (Model::Turbine(m), s)
            }
            AssetKind::ProductionLine => {
                let (m, s) = line::Line::build(us, dt, rng);
                (Model::Line(m), s)
            }
        }
    }

    /// Whether the asset is operating, judged from the values `advance` just wrote: faults are placed
    /// where they can show.
    pub fn operating(&self, out: &[f64; MAX_SENSORS]) -> bool {
        match self {
            Model::Pump(_) | Model::Line(_) => out[0] > 0.0,
            Model::AirHandler(_) => out[3] > 0.0,
            Model::Turbine(_) => out[1] > 0.0,
        }
    }

    /// Advances one step and writes each sensor's true canonical value into `out`.
    #[inline]
    pub fn advance(&mut self, ctx: &Ctx, p: Process, rng: &mut StdRng, out: &mut [f64; MAX_SENSORS]) {
        match self {
            Model::Pump(m) => m.advance(ctx, p, rng, out),
            Model::AirHandler(m) => m.advance(ctx, p, rng, out),
            Model::Turbine(m) => m.advance(ctx, p, rng, out),
            Model::Line(m) => m.advance(ctx, p, rng, out),
        }
    }
}
