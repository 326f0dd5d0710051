//! A single-shaft industrial gas turbine driving a synchronous generator.
//!
//! Baseload units run around the clock; cycling units start in the morning and shut down at night. A
//! start ramps the rotor to synchronous speed (passing the first critical speed, where the 1x vibration
//! peaks), closes the breaker and ramps load; a stop unloads, opens the breaker and coasts down; a trip
//! drops load at once. Hot ambient air and compressor fouling cap the output; fouling also raises the
//! exhaust temperature, the classic signature a performance monitor looks for.

use rand::Rng;
use rand::rngs::StdRng;

use super::{Ctx, Lag, MAX_SENSORS, Outages, Process, Wander, bump, daily, lag_alpha};
use crate::sensor::SensorDef;

/// Sensor order in `advance`'s output.
pub(crate) const SENSORS: [&str; 5] = ["rotor_speed", "power", "exhaust_temp", "vibration", "bearing_temp"];

/// Lube-oil supply temperature while running, °C.
const OIL_SUPPLY: f64 = 45.0;

#[derive(Debug, Clone)]
pub(crate) struct Turbine {
    rated_rpm: f64,
    rated_mw: f64,
    baseload: bool,
    window: (f64, f64),
    /// First critical speed as a fraction of rated speed, and the modal damping ratio.
    critical: f64,
    damping: f64,
    vib_base: f64,
    vib_1x: f64,
    wear_vib: f64,
    exhaust_fsnl: f64,
    exhaust_base: f64,
    bearing_rise: f64,
    oa_mean: f64,
    oa_swing: f64,
    weather: Wander,
    grid: Wander,
    dispatch: Wander,
    trips: Outages,
    rpm: f64,
    load: f64,
    breaker: bool,
    primed: bool,
    exhaust: Lag,
    bearing: Lag,
    alpha_heat: f64,
    alpha_cool: f64,
    alpha_bearing: f64,
    coast: f64,
}

impl Turbine {
    pub fn build(us: bool, dt: f64, rng: &mut StdRng) -> (Turbine, Vec<SensorDef>) {
        // Two-pole generators turn at grid frequency × 60.
        let rated_rpm = if us { 3600.0 } else { 3000.0 };
        let sizes = [25.0, 45.0, 85.0, 170.0];
        let t = Turbine {
            rated_rpm,
            rated_mw: sizes[rng.random_range(0..sizes.len())] * rng.random_range(0.95..1.05),
            baseload: rng.random_bool(0.4),
            window: (rng.random_range(5.0..7.5), rng.random_range(21.0..23.5)),
            critical: rng.random_range(0.5..0.65),
            damping: rng.random_range(0.08..0.12),
            vib_base: rng.random_range(0.8..1.5),
            vib_1x: rng.random_range(1.2..2.5),
            wear_vib: rng.random_range(4.0..7.0),
            exhaust_fsnl: rng.random_range(380.0..430.0),
            exhaust_base: rng.random_range(540.0..600.0),
            bearing_rise: rng.random_range(30.0..45.0),
            oa_mean: rng.random_range(2.0..26.0),
            oa_swing: rng.random_range(3.0..8.0),
            weather: Wander::new(2.0, 8.0 * 3600.0, dt, rng),
            grid: Wander::new(0.0007, 120.0, dt, rng),
            dispatch: Wander::new(0.04, 3600.0, dt, rng),
            trips: Outages::new(rng.random_range(72.0..240.0) * 3600.0, 1800.0, 4.0 * 3600.0),
            rpm: 0.0,
            load: 0.0,
            breaker: false,
            primed: false,
            exhaust: Lag::default(),
            bearing: Lag::default(),
            alpha_heat: lag_alpha(dt, 90.0),
            alpha_cool: lag_alpha(dt, 2400.0),
            alpha_bearing: lag_alpha(dt, 720.0),
            coast: (-dt / 480.0).exp(),
        };
        let temp = if us { "degF" } else { "degC" };
        let sensors = vec![
            SensorDef::new(SENSORS[0], "rpm", 0.0, 1.1 * rated_rpm, rated_rpm)
                .noise(0.0, 0.0003)
                .decimals(1)
                .no_drift(),
            SensorDef::new(SENSORS[1], "MW", 0.0, 1.1 * t.rated_mw * 1000.0, t.rated_mw * 500.0)
                .noise(0.0, 0.003)
                .decimals(3),
            SensorDef::new(SENSORS[2], temp, -45.0, 700.0, 150.0).noise(1.0, 0.0).decimals(1),
            SensorDef::new(SENSORS[3], if us { "in/s" } else { "mm/s" }, 0.0, 50.0, 4.0)
                .noise(0.0, 0.05)
                .decimals(if us { 4 } else { 2 })
                .no_drift(),
            SensorDef::new(SENSORS[4], temp, -45.0, 150.0, 40.0).noise(0.2, 0.0).decimals(1),
        ];
        (t, sensors)
    }

    /// 1x response relative to its value at rated speed: a single-mode rotor, unbalance force ∝ n².
    fn unbalance_response(&self, s: f64) -> f64 {
        let response = |s: f64| {
            let r = s / self.critical;
            s * s / ((1.0 - r * r).powi(2) + (2.0 * self.damping * r).powi(2)).sqrt()
        };
        response(s) / response(1.0)
    }

    pub fn advance(&mut self, ctx: &Ctx, fault: Process, rng: &mut StdRng, out: &mut [f64; MAX_SENSORS]) {
        let scheduled =
            self.baseload || (!ctx.is_weekend() && super::in_window(ctx.hour, self.window.0, self.window.1));
        let tripped = self.trips.step(scheduled && self.breaker, ctx, rng);
        let run = scheduled && !tripped;
        let ambient = self.oa_mean + self.oa_swing * daily(ctx.hour, 15.0) + self.weather.step(rng);
        let grid = self.grid.step(rng);
        let wander = self.dispatch.step(rng);
        let dispatch = if self.baseload {
            0.92 + wander
        } else {
            0.55 + 0.3 * bump(ctx.hour, 10.0, 2.5) + 0.35 * bump(ctx.hour, 18.5, 2.0) + wander
        }
        .clamp(0.4, 1.0);
        let sync_rpm = self.rated_rpm * (1.0 + grid);

        if !self.primed {
            // Start in steady state: online at dispatch, or cold and still.
            self.primed = true;
            if run {
                self.rpm = sync_rpm;
                self.load = dispatch;
                self.breaker = true;
            }
        } else if run {
            if self.breaker {
                // Load ramps at 10 % of rating per minute.
                self.load += (dispatch - self.load).clamp(-0.1 / 60.0 * ctx.dt, 0.1 / 60.0 * ctx.dt);
            } else {
                // Run-up to synchronous speed in ten minutes, then close the breaker.
                self.rpm = (self.rpm + self.rated_rpm / 600.0 * ctx.dt).min(sync_rpm);
                self.breaker = self.rpm >= 0.995 * self.rated_rpm;
            }
        } else if self.breaker && !tripped {
            // Normal stop: unload, then open the breaker.
            self.load = (self.load - 0.1 / 60.0 * ctx.dt).max(0.0);
            self.breaker = self.load > 0.0;
        } else {
            self.breaker = false;
            self.load = 0.0;
            self.rpm *= self.coast;
            if self.rpm < 0.01 * self.rated_rpm {
                self.rpm = 0.0;
            }
        }
        if self.breaker {
            self.rpm = sync_rpm;
        }

        // Output is capped by ambient derate (hot air is thin) and compressor fouling.
        let capacity = (1.0 - 0.006 * (ambient - 15.0).max(0.0)) * (1.0 - 0.08 * fault.fouling);
        let output = if self.breaker { self.load.min(capacity) } else { 0.0 };
        let s = self.rpm / self.rated_rpm;
        let fired = run && s > 0.15;
        let exhaust_target = if self.breaker {
            self.exhaust_fsnl
                + (self.exhaust_base - self.exhaust_fsnl) * output.powf(0.6)
                + 25.0 * fault.fouling
        } else if fired {
            ambient + (self.exhaust_fsnl - ambient) * s
        } else {
            ambient
        };
        let alpha = if exhaust_target > self.exhaust.value() { self.alpha_heat } else { self.alpha_cool };
        let exhaust = self.exhaust.step(exhaust_target, alpha);
        let vibration = (0.05f64.powi(2)
            + (self.vib_base * s).powi(2)
            + (self.vib_1x * self.unbalance_response(s)).powi(2)
            + (self.wear_vib * fault.wear * s).powi(2))
        .sqrt();
        let bearing_target = if s > 0.0 {
            OIL_SUPPLY + self.bearing_rise * s * s + 25.0 * fault.wear * s
        } else {
            // Oil heaters keep the lube system warm at standstill.
            (ambient + 15.0).max(25.0)
        };
        let bearing = self.bearing.step(bearing_target, self.alpha_bearing);

        out[0] = self.rpm;
        out[1] = output * self.rated_mw * 1000.0;
        out[2] = exhaust;
        out[3] = vibration;
        out[4] = bearing;
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn vibration_peaks_near_the_critical_speed() {
        let mut rng = StdRng::seed_from_u64(1);
        let (t, _) = Turbine::build(false, 10.0, &mut rng);
        assert!((t.unbalance_response(1.0) - 1.0).abs() < 1e-12);
        assert!(t.unbalance_response(t.critical) > 2.0);
        assert!(t.unbalance_response(0.1) < 0.2);
    }

    #[test]
    fn a_cycling_unit_starts_syncs_and_stops() {
        let mut rng = StdRng::seed_from_u64(5);
        let dt = 10.0;
        let (mut t, _) = Turbine::build(false, dt, &mut rng);
        t.baseload = false;
        t.window = (6.0, 22.0);
        let day0 = 1_704_067_200_000i64; // Monday 00:00 UTC
        let mut out = [0.0; MAX_SENSORS];
        let mut max_power: f64 = 0.0;
        let mut synced_at = None;
        for k in 0..(24 * 360) {
            let ts = day0 + k * 10_000;
            let ctx = Ctx::new(ts, k as f64 * dt, dt);
            t.advance(&ctx, Process::default(), &mut rng, &mut out);
            if k == 5 * 360 {
                assert_eq!(out[0], 0.0, "offline at 05:00");
            }
            if out[1] > 0.0 && synced_at.is_none() {
                synced_at = Some(ctx.hour);
            }
            max_power = max_power.max(out[1]);
        }
        let synced_at = synced_at.expect("the unit synchronised");
        assert!((6.1..6.5).contains(&synced_at), "breaker closed ~10 min after a 06:00 start: {synced_at}");
        assert!(max_power > 0.4 * t.rated_mw * 1000.0);
        assert_eq!(out[1], 0.0, "offline again by midnight");
    }
}
