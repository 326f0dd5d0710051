//! A variable-speed centrifugal pump in a closed circulation loop (chilled water, district heating).
//!
//! The loop's system curve is pure friction (`H_sys = K_s·Q²`), so the operating point moves along the
//! affinity parabola: `Q ∝ n`, `H ∝ n²` and, at constant efficiency, shaft power `∝ n³`. Those laws are
//! what condition-monitoring models of pumps assume, so the simulator honours them exactly.

use rand::Rng;
use rand::rngs::StdRng;

use super::{Ctx, G, Lag, MAX_SENSORS, Outages, Process, RHO_WATER, Ramp, Wander, bump, daily, lag_alpha};
use crate::sensor::SensorDef;

/// Sensor order in `advance`'s output.
pub(crate) const SENSORS: [&str; 6] =
    ["speed", "flow", "discharge_pressure", "shaft_power", "bearing_temp", "vibration"];

/// Nameplate and installation parameters.
#[derive(Debug, Clone)]
pub(crate) struct PumpParams {
    pub rated_rpm: f64,
    /// m³/h at rated speed.
    pub rated_flow: f64,
    /// m at rated speed.
    pub rated_head: f64,
    /// Efficiency at the best-efficiency point, where a friction-only loop keeps the pump at every speed.
    pub efficiency: f64,
    /// Suction (return line) gauge pressure, kPa.
    pub suction_kpa: f64,
    /// Bearing temperature rise over ambient at rated speed, K.
    pub bearing_rise: f64,
    /// Bearing housing thermal time constant, s.
    pub bearing_tau: f64,
    /// Broadband vibration at rated speed, mm/s RMS.
    pub vib_base: f64,
    /// Running-speed (1x, residual unbalance) vibration at rated speed, mm/s RMS.
    pub vib_1x: f64,
}

/// The pump's hydraulic operating point at `rpm`: `(flow m³/h, head m, shaft power kW)`.
///
/// The pump curve `H = H0·s² − K_p·Q²` (shut-off head 1.2·H_r) meets the loop curve `H = K_s·Q²`; with
/// the constants chosen so rated speed gives rated flow and head, the intersection is `Q = Q_r·s`,
/// `H = H_r·s²`. Fouling of the impeller lowers efficiency (up to 15 %), not flow, as a VFD-driven loop
/// sees it.
pub(crate) fn operating_point(p: &PumpParams, rpm: f64, fouling: f64) -> (f64, f64, f64) {
    let s = (rpm / p.rated_rpm).max(0.0);
    let shutoff = 1.2 * p.rated_head;
    let k_pump = 0.2 * p.rated_head / (p.rated_flow * p.rated_flow);
    let k_loop = p.rated_head / (p.rated_flow * p.rated_flow);
    let flow = s * (shutoff / (k_pump + k_loop)).sqrt();
    let head = shutoff * s * s - k_pump * flow * flow;
    let efficiency = p.efficiency * (1.0 - 0.15 * fouling);
    let hydraulic_kw = RHO_WATER * G * (flow / 3600.0) * head / 1000.0;
    (flow, head, hydraulic_kw / efficiency)
}

/// Steady bearing temperature at `rpm` in a room at `ambient` °C with wear severity `wear`.
pub(crate) fn bearing_target(p: &PumpParams, rpm: f64, ambient: f64, wear: f64) -> f64 {
    let s = (rpm / p.rated_rpm).max(0.0);
    ambient + p.bearing_rise * s.powf(1.5) + 20.0 * wear * s
}

#[derive(Debug, Clone)]
pub(crate) struct Pump {
    pub params: PumpParams,
    /// Night shutdown window (hours), for duty/standby pumps that stop at low demand.
    night_stop: Option<(f64, f64)>,
    room_temp: f64,
    trips: Outages,
    demand: Wander,
    speed: Ramp,
    bearing: Lag,
    accel_rpm_s: f64,
    bearing_alpha: f64,
    /// Extra vibration at full bearing wear, mm/s RMS.
    wear_vib: f64,
}

impl Pump {
    pub fn build(us: bool, dt: f64, rng: &mut StdRng) -> (Pump, Vec<SensorDef>) {
        // Two-pole or four-pole motors on 60 Hz (US) or 50 Hz grids.
        let rated_rpm = match (us, rng.random_bool(0.5)) {
            (true, true) => 3560.0,
            (true, false) => 1780.0,
            (false, true) => 2960.0,
            (false, false) => 1480.0,
        };
        let params = PumpParams {
            rated_rpm,
            rated_flow: rng.random_range(60.0..400.0),
            rated_head: rng.random_range(20.0..60.0),
            efficiency: rng.random_range(0.70..0.84),
            suction_kpa: rng.random_range(80.0..200.0),
            bearing_rise: rng.random_range(22.0..35.0),
            bearing_tau: rng.random_range(900.0..1800.0),
            vib_base: rng.random_range(0.4..0.9),
            vib_1x: rng.random_range(0.8..1.8),
        };
        let night_stop =
            rng.random_bool(0.4).then(|| (rng.random_range(0.5..1.5), rng.random_range(4.5..5.5)));
        let pump = Pump {
            night_stop,
            room_temp: rng.random_range(18.0..28.0),
            trips: Outages::new(rng.random_range(30.0..60.0) * 3600.0, 600.0, 2700.0),
            demand: Wander::new(0.04, 1800.0, dt, rng),
            speed: Ramp::default(),
            bearing: Lag::default(),
            accel_rpm_s: rated_rpm / 20.0,
            bearing_alpha: lag_alpha(dt, params.bearing_tau),
            wear_vib: rng.random_range(4.0..7.0),
            params,
        };
        let p = &pump.params;
        let max_kw = operating_point(p, 1.2 * p.rated_rpm, 1.0).2;
        let max_kpa = p.suction_kpa + RHO_WATER * G * 1.5 * p.rated_head / 1000.0;
        let pressure_unit = if us {
            "psi"
        } else if rng.random_bool(0.5) {
            "bar"
        } else {
            "kPa"
        };
        let sensors = vec![
            SensorDef::new(SENSORS[0], "rpm", 0.0, 1.2 * rated_rpm, rated_rpm)
                .noise(0.0, 0.001)
                .decimals(0)
                .no_drift(),
            SensorDef::new(
                SENSORS[1],
                if us { "gpm" } else { "m3/h" },
                0.0,
                2.0 * p.rated_flow,
                p.rated_flow,
            )
            .noise(0.002 * p.rated_flow, 0.01)
            .cutoff(0.01 * p.rated_flow)
            .decimals(1),
            SensorDef::new(SENSORS[2], pressure_unit, 0.0, max_kpa, max_kpa - p.suction_kpa)
                .noise(0.5, 0.003)
                .decimals(if pressure_unit == "bar" { 3 } else { 1 }),
            SensorDef::new(SENSORS[3], if us { "hp" } else { "kW" }, 0.0, max_kw, max_kw / 1.5)
                .noise(0.0, 0.01)
                .decimals(2),
            SensorDef::new(SENSORS[4], if us { "degF" } else { "degC" }, -30.0, 150.0, 40.0)
                .noise(0.15, 0.0)
                .decimals(1),
            SensorDef::new(SENSORS[5], if us { "in/s" } else { "mm/s" }, 0.0, 50.0, 3.0)
                .noise(0.0, 0.05)
                .decimals(if us { 4 } else { 2 })
                .no_drift(),
        ];
        (pump, sensors)
    }

    fn scheduled(&self, ctx: &Ctx) -> bool {
        match self.night_stop {
            Some((from, to)) => !super::in_window(ctx.hour, from, to),
            None => true,
        }
    }

    pub fn advance(&mut self, ctx: &Ctx, fault: Process, rng: &mut StdRng, out: &mut [f64; MAX_SENSORS]) {
        let p = &self.params;
        let scheduled = self.scheduled(ctx);
        let tripped = self.trips.step(scheduled, ctx, rng);
        // Demand: low at night, peaks in the morning and evening.
        let demand = 0.45 + 0.35 * bump(ctx.hour, 7.5, 1.5) + 0.45 * bump(ctx.hour, 19.0, 2.0)
            - 0.25 * bump(ctx.hour, 3.0, 2.5)
            + self.demand.step(rng);
        let setpoint =
            if scheduled && !tripped { p.rated_rpm * (0.55 + 0.45 * demand).clamp(0.5, 1.05) } else { 0.0 };
        // Drives accelerate over ~20 s; a stopped pump coasts down about as fast.
        let step = self.accel_rpm_s * ctx.dt;
        let rpm = self.speed.step(setpoint, step, step).max(0.0);
        let (flow, head, power) = operating_point(p, rpm, fault.fouling);
        let ambient = self.room_temp + 2.0 * daily(ctx.hour, 15.0);
        let bearing = self.bearing.step(bearing_target(p, rpm, ambient, fault.wear), self.bearing_alpha);
        let s = rpm / p.rated_rpm;
        // Overall RMS velocity, as a vibration transmitter reports it: background, broadband running
        // noise, the 1x unbalance component (force ∝ n²) and bearing-defect energy, added in quadrature.
        let vibration = (0.05f64.powi(2)
            + (p.vib_base * s).powi(2)
            + (p.vib_1x * s * s).powi(2)
            + (self.wear_vib * fault.wear * s).powi(2))
        .sqrt();
        out[0] = rpm;
        out[1] = flow;
        out[2] = p.suction_kpa + RHO_WATER * G * head / 1000.0;
        out[3] = power;
        out[4] = bearing;
        out[5] = vibration;
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn params() -> PumpParams {
        let mut rng = StdRng::seed_from_u64(7);
        Pump::build(false, 10.0, &mut rng).0.params
    }

    #[test]
    fn affinity_laws_hold() {
        let p = params();
        let (q1, h1, p1) = operating_point(&p, 0.6 * p.rated_rpm, 0.0);
        let (q2, h2, p2) = operating_point(&p, 0.9 * p.rated_rpm, 0.0);
        let r = 0.9 / 0.6;
        assert!((q2 / q1 - r).abs() < 1e-9, "flow ratio {}", q2 / q1);
        assert!((h2 / h1 - r * r).abs() < 1e-9, "head ratio {}", h2 / h1);
        assert!((p2 / p1 - r.powi(3)).abs() < 1e-9, "power ratio {}", p2 / p1);
        let (q, h, _) = operating_point(&p, p.rated_rpm, 0.0);
        assert!((q - p.rated_flow).abs() < 1e-9 && (h - p.rated_head).abs() < 1e-9);
    }

    #[test]
    fn fouling_raises_power_at_same_flow() {
        let p = params();
        let clean = operating_point(&p, p.rated_rpm, 0.0);
        let fouled = operating_point(&p, p.rated_rpm, 1.0);
        assert_eq!(clean.0, fouled.0);
        assert!(fouled.2 > clean.2 * 1.15);
    }

    #[test]
    fn bearing_temperature_settles_at_its_steady_value() {
        let mut rng = StdRng::seed_from_u64(3);
        let (mut pump, _) = Pump::build(false, 10.0, &mut rng);
        let p = pump.params.clone();
        let rpm = 0.8 * p.rated_rpm;
        let ambient = 25.0;
        let steady = bearing_target(&p, rpm, ambient, 0.0);
        pump.bearing.step(ambient, 0.0); // start cold
        let mut prev = ambient;
        for _ in 0..(12.0 * p.bearing_tau / 10.0) as usize {
            let t = pump.bearing.step(steady, pump.bearing_alpha);
            assert!(t >= prev && t <= steady + 1e-9, "monotone approach without overshoot");
            prev = t;
        }
        assert!((prev - steady).abs() < 1e-3, "{prev} vs {steady}");
        assert!(steady > ambient + 10.0 && steady < 90.0, "plausible bearing temperature {steady}");
    }
}
