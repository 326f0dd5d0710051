//! A production line's main conveyor: a VFD-driven induction motor moving items at a fixed pitch.
//!
//! The line runs in shifts, changes product (and speed) every few hours and stops for jams. Throughput
//! is a Poisson count of items passing the counter per interval. Motor torque is belt friction plus
//! product load plus acceleration; current follows torque over the magnetising current, and winding
//! temperature follows copper losses (∝ I²) through a thermal lag. Motor bearing wear adds friction,
//! so it shows in current and temperature.

use rand::Rng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Poisson};

use super::{Ctx, Lag, MAX_SENSORS, Outages, Process, Ramp, daily, lag_alpha};
use crate::sensor::SensorDef;

/// Sensor order in `advance`'s output.
pub(crate) const SENSORS: [&str; 4] = ["line_speed", "motor_current", "throughput", "motor_temp"];

/// Hours between product changeovers.
const CHANGEOVER_H: f64 = 4.0;

#[derive(Debug, Clone, Copy)]
enum Shifts {
    /// 06:00–22:00, Monday to Friday.
    Two,
    /// Around the clock, Monday to Friday.
    Three,
    /// Around the clock, every day.
    Continuous,
}

#[derive(Debug, Clone)]
pub(crate) struct Line {
    rated_speed: f64,
    pitch_m: f64,
    fill: f64,
    rated_amps: f64,
    /// Magnetising current as a fraction of rated current.
    magnetising: f64,
    temp_rise: f64,
    ambient: f64,
    shifts: Shifts,
    jams: Outages,
    product_slot: i64,
    setpoint: f64,
    speed: Ramp,
    winding: Lag,
    alpha_winding: f64,
}

impl Line {
    pub fn build(us: bool, dt: f64, rng: &mut StdRng) -> (Line, Vec<SensorDef>) {
        let rated_speed = rng.random_range(0.4..2.0);
        let rated_amps = rng.random_range(8.0..60.0);
        let shifts = [Shifts::Two, Shifts::Three, Shifts::Continuous][rng.random_range(0..3)];
        let line = Line {
            rated_speed,
            pitch_m: rng.random_range(0.25..1.2),
            fill: rng.random_range(0.85..0.98),
            rated_amps,
            magnetising: rng.random_range(0.3..0.4),
            temp_rise: rng.random_range(40.0..60.0),
            ambient: rng.random_range(18.0..28.0),
            shifts,
            jams: Outages::new(rng.random_range(30.0..90.0) * 60.0, 60.0, 420.0),
            product_slot: -1,
            setpoint: rated_speed,
            speed: Ramp::default(),
            winding: Lag::default(),
            alpha_winding: lag_alpha(dt, rng.random_range(1500.0..2700.0)),
        };
        let max_items = (1.05 * rated_speed * dt / line.pitch_m * 2.0 + 10.0).ceil();
        let sensors = vec![
            SensorDef::new(SENSORS[0], "m/s", 0.0, 1050.0 * rated_speed, 500.0 * rated_speed)
                .noise(0.0, 0.002)
                .decimals(3)
                .no_drift(),
            SensorDef::new(SENSORS[1], "A", 0.0, 2.0 * rated_amps, rated_amps).noise(0.0, 0.01).decimals(2),
            SensorDef::new(SENSORS[2], "count", 0.0, max_items, max_items / 2.0).counter(),
            SensorDef::new(SENSORS[3], if us { "degF" } else { "degC" }, -30.0, 180.0, 40.0)
                .noise(0.2, 0.0)
                .decimals(1),
        ];
        (line, sensors)
    }

    fn scheduled(&self, ctx: &Ctx) -> bool {
        match self.shifts {
            Shifts::Two => !ctx.is_weekend() && super::in_window(ctx.hour, 6.0, 22.0),
            Shifts::Three => !ctx.is_weekend(),
            Shifts::Continuous => true,
        }
    }

    pub fn advance(&mut self, ctx: &Ctx, fault: Process, rng: &mut StdRng, out: &mut [f64; MAX_SENSORS]) {
        let slot = (ctx.t_s / (CHANGEOVER_H * 3600.0)) as i64;
        if slot != self.product_slot {
            self.product_slot = slot;
            self.setpoint = self.rated_speed * rng.random_range(0.75..1.0);
        }
        let scheduled = self.scheduled(ctx);
        let jammed = self.jams.step(scheduled, ctx, rng);
        let target = if scheduled && !jammed { self.setpoint } else { 0.0 };
        let before = self.speed.value_or(target);
        // Soft start at 0.05 m/s², stop at 0.5 m/s².
        let speed = self.speed.step(target, 0.05 * ctx.dt, 0.5 * ctx.dt).max(0.0);
        let mean_speed = 0.5 * (before + speed);
        let lambda = mean_speed * ctx.dt / self.pitch_m * self.fill;
        let items = if lambda > 0.0 {
            Poisson::new(lambda).map_or(0.0, |p: Poisson<f64>| p.sample(rng))
        } else {
            0.0
        };
        let current = if speed > 0.0 || target > 0.0 {
            let accel = ((speed - before) / ctx.dt).max(0.0) / 0.05;
            let torque = 0.3 + 0.45 * self.fill + 0.3 * accel + 0.35 * fault.wear;
            let m = self.magnetising;
            self.rated_amps * (m * m + (1.0 - m * m) * torque * torque).sqrt()
        } else {
            0.0
        };
        let ambient = self.ambient + 3.0 * daily(ctx.hour, 15.0);
        let i = current / self.rated_amps;
        let winding = self.winding.step(ambient + self.temp_rise * i * i, self.alpha_winding);

        out[0] = speed * 1000.0;
        out[1] = current;
        out[2] = items;
        out[3] = winding;
    }
}
