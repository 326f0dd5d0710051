//! Streaming a simulation: per-step advancement of every asset, sensor noise and sensor faults.

use std::iter::FusedIterator;

use rand::Rng;
use rand::rngs::StdRng;
use serde::Serialize;

use crate::Quality;
use crate::fleet::{FaultKind, FaultPlan, Simulation};
use crate::models::{Ctx, MAX_SENSORS, Model, Process, normal};
use crate::sensor::SensorDef;

/// One simulated reading, shaped like an ingest message. Ids borrow from the [`Simulation`]'s asset
/// specs so producing a reading allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SimReading<'a> {
    /// Borrowed from [`AssetSpec::id`](crate::AssetSpec::id).
    pub asset_id: &'a str,
    /// Borrowed from [`SensorSpec::id`](crate::SensorSpec::id).
    pub sensor_id: &'static str,
    /// Epoch milliseconds, on the run's step grid.
    pub ts_ms: i64,
    /// In `unit`, rounded to the sensor's resolution, always finite and within its plausible range.
    pub value: f64,
    /// The preferred spelling of a unit in `twinpipe_domain::units::UNITS`.
    pub unit: &'static str,
    /// Mostly good; faulty sensors are sometimes flagged after onset.
    pub quality: Quality,
}

/// All readings of the fleet at one timestamp, in asset order and each asset's sensor order.
#[derive(Debug, Clone, PartialEq)]
pub struct Step<'a> {
    /// Epoch milliseconds of this step, shared by all its readings.
    pub ts_ms: i64,
    /// One reading of every sensor of every asset.
    pub readings: Vec<SimReading<'a>>,
}

/// Per-asset state of a sensor fault as it plays out.
#[derive(Debug, Clone, Default)]
struct SensorFaultState {
    /// The faulted sensor's last reported value (a stuck sensor freezes at the value before onset).
    last: Option<f64>,
    frozen: Option<f64>,
    burst_left: u32,
    burst_started: bool,
}

#[derive(Debug, Clone)]
struct AssetRun {
    model: Model,
    rng: StdRng,
    noise_rng: StdRng,
    fault_rng: StdRng,
    fault: SensorFaultState,
}

/// Iterator over a run's time steps; see [`Simulation::steps`].
#[derive(Debug)]
pub struct Steps<'a> {
    sim: &'a Simulation,
    next: u64,
    runs: Vec<AssetRun>,
}

impl<'a> Steps<'a> {
    pub(crate) fn new(sim: &'a Simulation) -> Steps<'a> {
        let runs = sim
            .init
            .iter()
            .map(|a| AssetRun {
                model: a.model.clone(),
                rng: a.rng.clone(),
                noise_rng: a.noise_rng.clone(),
                fault_rng: a.fault_rng.clone(),
                fault: SensorFaultState::default(),
            })
            .collect();
        Steps { sim, next: 0, runs }
    }

    fn remaining(&self) -> u64 {
        self.sim.grid.steps - self.next
    }

    /// Appends the next step's readings to `buf`; returns its timestamp, or `None` after the last step.
    fn fill(&mut self, buf: &mut Vec<SimReading<'a>>) -> Option<i64> {
        if self.next >= self.sim.grid.steps {
            return None;
        }
        let sim = self.sim;
        let k = self.next;
        self.next += 1;
        let interval_ms = sim.grid.interval_ms;
        let ts_ms = sim.config().start_ms + k as i64 * interval_ms;
        let dt = interval_ms as f64 / 1000.0;
        let ctx = Ctx::new(ts_ms, k as f64 * dt, dt);
        buf.reserve(sim.sensors_per_step);
        let mut truth = [0.0; MAX_SENSORS];
        for ((run, init), spec) in self.runs.iter_mut().zip(&sim.init).zip(sim.assets()) {
            let active = init.plan.as_ref().filter(|p| ts_ms >= p.onset_ms);
            let process = active.map_or(Process::default(), |p| p.process(ts_ms));
            run.model.advance(&ctx, process, &mut run.rng, &mut truth);
            let faulted_sensor = init.plan.as_ref().and_then(|p| p.sensor);
            for (i, def) in init.defs.iter().enumerate() {
                let z = if def.counter { 0.0 } else { normal(&mut run.noise_rng) };
                let measured = def.measure(truth[i], z);
                let (value, quality) = match active {
                    Some(plan) if faulted_sensor == Some(i) => {
                        sensor_fault(plan, def, measured, ts_ms, &mut run.fault, &mut run.fault_rng)
                    }
                    _ => (def.report(measured), Quality::Good),
                };
                if faulted_sensor == Some(i) {
                    run.fault.last = Some(value);
                }
                buf.push(SimReading {
                    asset_id: &spec.id,
                    sensor_id: def.id,
                    ts_ms,
                    value,
                    unit: def.unit.symbol,
                    quality,
                });
            }
        }
        Some(ts_ms)
    }
}

/// The reading of a faulted sensor after its fault's onset.
fn sensor_fault(
    plan: &FaultPlan,
    def: &SensorDef,
    measured: f64,
    ts_ms: i64,
    st: &mut SensorFaultState,
    rng: &mut StdRng,
) -> (f64, Quality) {
    match plan.kind {
        FaultKind::SensorDrift => {
            let elapsed_s = (ts_ms - plan.onset_ms) as f64 / 1000.0;
            (def.report(measured + plan.drift_per_s * elapsed_s), Quality::Good)
        }
        FaultKind::StuckSensor => {
            let current = def.report(measured);
            let value = *st.frozen.get_or_insert(st.last.unwrap_or(current));
            let q = if rng.random_bool(0.03) { Quality::Uncertain } else { Quality::Good };
            (value, q)
        }
        FaultKind::SpikeBurst => {
            // The first burst starts at onset, upward so clamping cannot hide it.
            let first = !st.burst_started;
            if st.burst_left == 0 && (first || rng.random_bool(plan.burst_p)) {
                st.burst_started = true;
                st.burst_left = rng.random_range(1..=4);
            }
            if st.burst_left == 0 {
                return (def.report(measured), Quality::Good);
            }
            st.burst_left -= 1;
            let up = rng.random_bool(0.75) || first;
            let spike = if up { 1.0 } else { -1.0 } * plan.spike * rng.random_range(0.7..1.3);
            let q = match rng.random::<f64>() {
                x if x < 0.05 => Quality::Bad,
                x if x < 0.25 => Quality::Uncertain,
                _ => Quality::Good,
            };
            (def.report(measured + spike), q)
        }
        // Process faults act through the model, not the transmitter.
        FaultKind::BearingWear | FaultKind::Fouling => (def.report(measured), Quality::Good),
    }
}

impl<'a> Iterator for Steps<'a> {
    type Item = Step<'a>;

    fn next(&mut self) -> Option<Step<'a>> {
        let mut readings = Vec::with_capacity(self.sim.sensors_per_step);
        let ts_ms = self.fill(&mut readings)?;
        Some(Step { ts_ms, readings })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.remaining()).unwrap_or(usize::MAX);
        (n, usize::try_from(self.remaining()).ok())
    }
}

impl ExactSizeIterator for Steps<'_> {}
impl FusedIterator for Steps<'_> {}

/// Iterator over a run's readings, flattened across steps; see [`Simulation::readings`].
#[derive(Debug)]
pub struct Readings<'a> {
    steps: Steps<'a>,
    buf: Vec<SimReading<'a>>,
    pos: usize,
}

impl<'a> Readings<'a> {
    pub(crate) fn new(steps: Steps<'a>) -> Readings<'a> {
        Readings { buf: Vec::with_capacity(steps.sim.sensors_per_step), steps, pos: 0 }
    }
}

impl<'a> Iterator for Readings<'a> {
    type Item = SimReading<'a>;

    #[inline]
    fn next(&mut self) -> Option<SimReading<'a>> {
        while self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            self.steps.fill(&mut self.buf)?;
        }
        let r = self.buf[self.pos];
        self.pos += 1;
        Some(r)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.buf.len() - self.pos) as u128
            + self.steps.remaining() as u128 * self.steps.sim.sensors_per_step as u128;
        (usize::try_from(left).unwrap_or(usize::MAX), usize::try_from(left).ok())
    }
}

impl FusedIterator for Readings<'_> {}
