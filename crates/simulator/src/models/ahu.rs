//! An HVAC air handling unit with a VFD supply fan, a filter bank and a supply-air temperature loop.
//!
//! The fan follows an occupancy schedule (on in business hours, setback otherwise) and speeds up with
//! the cooling or heating load, which tracks a daily outdoor-temperature sinusoid plus weather. The
//! filter loads slowly over the run; its pressure drop scales with airflow squared and adds to the fan's
//! work, which is how fouling shows up in both `filter_dp` and `fan_power`.

use rand::Rng;
use rand::rngs::StdRng;

use super::{Ctx, Lag, MAX_SENSORS, Process, Ramp, Wander, daily, lag_alpha};
use crate::sensor::SensorDef;

/// Sensor order in `advance`'s output.
pub(crate) const SENSORS: [&str; 6] =
    ["supply_air_temp", "return_air_temp", "outdoor_air_temp", "fan_speed", "fan_power", "filter_dp"];

/// Static pressure the fan works against at design airflow, Pa; filter loading adds to it.
const DESIGN_STATIC_PA: f64 = 800.0;
/// Zone temperature setpoint, °C.
const ZONE_SETPOINT: f64 = 21.5;

#[derive(Debug, Clone)]
pub(crate) struct AirHandler {
    rated_rpm: f64,
    rated_kw: f64,
    /// Report fan speed as % of rated instead of rpm (many BMS points do).
    fan_in_percent: bool,
    /// Clean-filter pressure drop at design airflow, Pa.
    dp_clean: f64,
    /// Dust already on the filter at the start, as extra Pa at design airflow.
    dp_loaded: f64,
    /// Normal loading rate, Pa per hour of operation at design airflow.
    loading_pa_h: f64,
    /// Extra pressure drop at full fouling-fault severity, Pa at design airflow.
    fouling_pa: f64,
    oa_mean: f64,
    oa_swing: f64,
    occupied: (f64, f64),
    runs_weekends: bool,
    runs_always: bool,
    weather: Wander,
    fan_trim: Wander,
    fan: Ramp,
    run_hours: f64,
    return_air: Lag,
    supply_air: Lag,
    alpha_ra_on: f64,
    alpha_ra_off: f64,
    alpha_sa_on: f64,
    alpha_sa_off: f64,
}

impl AirHandler {
    pub fn build(us: bool, dt: f64, rng: &mut StdRng) -> (AirHandler, Vec<SensorDef>) {
        let rated_rpm = if rng.random_bool(0.5) { 1150.0 } else { 1750.0 };
        let runs_always = rng.random_bool(0.2);
        let ahu = AirHandler {
            rated_rpm,
            rated_kw: rng.random_range(4.0..30.0),
            fan_in_percent: us || rng.random_bool(0.3),
            dp_clean: rng.random_range(70.0..130.0),
            dp_loaded: rng.random_range(0.0..120.0),
            loading_pa_h: rng.random_range(0.03..0.15),
            fouling_pa: rng.random_range(180.0..320.0),
            oa_mean: rng.random_range(2.0..26.0),
            oa_swing: rng.random_range(3.0..8.0),
            occupied: (rng.random_range(5.0..7.0), rng.random_range(18.0..21.0)),
            runs_weekends: rng.random_bool(0.3),
            runs_always,
            weather: Wander::new(2.0, 8.0 * 3600.0, dt, rng),
            fan_trim: Wander::new(0.03, 900.0, dt, rng),
            fan: Ramp::default(),
            run_hours: 0.0,
            return_air: Lag::default(),
            supply_air: Lag::default(),
            alpha_ra_on: lag_alpha(dt, 2700.0),
            alpha_ra_off: lag_alpha(dt, 4.0 * 3600.0),
            alpha_sa_on: lag_alpha(dt, 360.0),
            alpha_sa_off: lag_alpha(dt, 1800.0),
        };
        let temp = if us { "degF" } else { "degC" };
        let max_dp_pa = 1.2 * (ahu.dp_clean + ahu.dp_loaded + ahu.fouling_pa + 0.3 * 24.0 * 365.0);
        let max_kw = 1.1f64.powi(3) * ahu.rated_kw * (1.0 + max_dp_pa / DESIGN_STATIC_PA);
        let sensors = vec![
            SensorDef::new(SENSORS[0], temp, -30.0, 60.0, 10.0).noise(0.1, 0.0).decimals(1),
            SensorDef::new(SENSORS[1], temp, -30.0, 60.0, 10.0).noise(0.1, 0.0).decimals(1),
            SensorDef::new(SENSORS[2], temp, -45.0, 55.0, 15.0).noise(0.2, 0.0).decimals(1),
            if ahu.fan_in_percent {
                SensorDef::new(SENSORS[3], "%", 0.0, 110.0, 50.0).noise(0.0, 0.002).decimals(1).no_drift()
            } else {
                SensorDef::new(SENSORS[3], "rpm", 0.0, 1.1 * rated_rpm, 0.5 * rated_rpm)
                    .noise(0.0, 0.002)
                    .decimals(0)
                    .no_drift()
            },
            SensorDef::new(SENSORS[4], "kW", 0.0, max_kw, ahu.rated_kw).noise(0.0, 0.015).decimals(2),
            SensorDef::new(SENSORS[5], "Pa", 0.0, max_dp_pa / 1000.0, 0.2).noise(0.002, 0.01).decimals(0),
        ];
        (ahu, sensors)
    }

    fn scheduled(&self, ctx: &Ctx) -> bool {
        self.runs_always
            || ((self.runs_weekends || !ctx.is_weekend())
                && super::in_window(ctx.hour, self.occupied.0, self.occupied.1))
    }

    pub fn advance(&mut self, ctx: &Ctx, fault: Process, rng: &mut StdRng, out: &mut [f64; MAX_SENSORS]) {
        let on = self.scheduled(ctx);
        // Coldest before dawn, warmest mid-afternoon.
        let oa = self.oa_mean + self.oa_swing * daily(ctx.hour, 15.0) + self.weather.step(rng);
        let trim = self.fan_trim.step(rng);
        let cooling = ((oa - 16.0) / 16.0).clamp(0.0, 1.0);
        let heating = ((10.0 - oa) / 20.0).clamp(0.0, 1.0);
        let target = if on { (0.5 + 0.4 * cooling + 0.15 * heating + trim).clamp(0.35, 1.0) } else { 0.0 };
        let f = self.fan.step(target, 0.02 * ctx.dt, 0.05 * ctx.dt).max(0.0);
        if f > 0.0 {
            self.run_hours += ctx.dt / 3600.0;
        }
        let extra_dp = self.dp_loaded + self.loading_pa_h * self.run_hours + self.fouling_pa * fault.fouling;
        let filter_dp_pa = (self.dp_clean + extra_dp) * f * f;
        let fan_kw = self.rated_kw * f.powi(3) * (1.0 + extra_dp / DESIGN_STATIC_PA);

        let (ra_target, ra_alpha) = if on {
            (ZONE_SETPOINT + 0.08 * (oa - ZONE_SETPOINT), self.alpha_ra_on)
        } else {
            (ZONE_SETPOINT + 0.45 * (oa - ZONE_SETPOINT), self.alpha_ra_off)
        };
        let ra = self.return_air.step(ra_target, ra_alpha);
        // Supply-air setpoint reset: 18 °C in cold weather down to 13 °C in hot weather.
        let (sa_target, sa_alpha) = if on {
            (18.0 - 5.0 * ((oa - 10.0) / 14.0).clamp(0.0, 1.0), self.alpha_sa_on)
        } else {
            (ra, self.alpha_sa_off)
        };
        let sa = self.supply_air.step(sa_target, sa_alpha);

        out[0] = sa;
        out[1] = ra;
        out[2] = oa;
        out[3] = if self.fan_in_percent { 100.0 * f } else { self.rated_rpm * f };
        out[4] = fan_kw;
        out[5] = filter_dp_pa / 1000.0;
    }
}
