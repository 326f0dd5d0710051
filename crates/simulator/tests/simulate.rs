//! Behaviour of the simulator through its public API: determinism, units, counts, physics, faults.

use std::collections::{HashMap, HashSet};

use twinpipe_domain::units::{Quantity, Unit};
use twinpipe_simulator::{
    AssetKind, ConfigError, FaultKind, FleetConfig, InjectedFault, Quality, SimReading, Simulation, simulate,
    try_simulate,
};

fn config(assets: usize, hours: f64, seed: u64, fault_fraction: f64) -> FleetConfig {
    FleetConfig { assets, hours, interval_s: 10.0, seed, fault_fraction, ..FleetConfig::default() }
}

type Sample = (i64, f64, Quality);

/// A simulation with its readings recorded per sensor, so tests replay each run only once.
struct Recorded {
    sim: Simulation,
    index: HashMap<(String, &'static str), usize>,
    series: Vec<Vec<Sample>>,
}

impl Recorded {
    fn new(config: &FleetConfig) -> Recorded {
        let sim = simulate(config);
        // Readings come in a fixed order within each step, so a reading's position in its step
        // identifies its sensor.
        let index: HashMap<(String, &'static str), usize> = sim
            .assets()
            .iter()
            .flat_map(|a| a.sensors.iter().map(move |s| (a.id.clone(), s.id)))
            .enumerate()
            .map(|(i, key)| (key, i))
            .collect();
        let mut series = vec![Vec::new(); index.len()];
        for step in sim.steps() {
            for (i, r) in step.readings.iter().enumerate() {
                series[i].push((r.ts_ms, r.value, r.quality));
            }
        }
        Recorded { sim, index, series }
    }
}

impl std::ops::Deref for Recorded {
    type Target = Simulation;
    fn deref(&self) -> &Simulation {
        &self.sim
    }
}

/// The values of one sensor as `(ts_ms, value, quality)`.
fn series(rec: &Recorded, asset: &str, sensor: &str) -> Vec<Sample> {
    rec.series[rec.index[&(asset.to_owned(), sensor)]].clone()
}

fn mean(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = xs.into_iter().fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    assert!(n > 0, "mean of nothing");
    sum / n as f64
}

#[test]
fn same_config_same_output_and_seed_matters() {
    let cfg = config(8, 6.0, 11, 0.5);
    let (a, b) = (simulate(&cfg), simulate(&cfg));
    assert_eq!(a.assets(), b.assets());
    assert_eq!(a.faults(), b.faults());
    assert!(a.readings().eq(b.readings()), "two simulations of one config differ");
    // A simulation replays identically, and steps() is readings() grouped.
    assert!(a.readings().eq(a.steps().flat_map(|s| s.readings)));

    let other = simulate(&FleetConfig { seed: 12, ..cfg });
    let differing = a.readings().zip(other.readings()).filter(|(x, y)| x.value != y.value).count();
    assert!(differing > a.reading_count() as usize / 2, "the seed barely matters: {differing}");
}

#[test]
fn ids_and_kinds_round_robin() {
    let sim = simulate(&config(5, 0.1, 1, 0.0));
    let ids: Vec<_> = sim.assets().iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["pump-001", "ahu-002", "turbine-003", "line-004", "pump-005"]);
    assert_eq!(sim.assets()[2].kind, AssetKind::Turbine);
    for a in sim.assets() {
        let mut seen = HashSet::new();
        for s in &a.sensors {
            assert!(seen.insert(s.id), "{} lists {} twice", a.id, s.id);
            assert!(s.id.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "not snake_case: {}", s.id);
        }
    }
}

#[test]
fn every_unit_is_accepted_and_some_are_not_canonical() {
    let mut non_canonical = HashSet::new();
    for seed in 0..6 {
        let sim = simulate(&config(16, 0.05, seed, 0.0));
        for a in sim.assets() {
            for s in &a.sensors {
                let unit = Unit::parse(s.unit)
                    .unwrap_or_else(|| panic!("{}/{}: unknown unit {}", a.id, s.id, s.unit));
                assert_eq!(unit.symbol, s.unit, "use the preferred spelling");
                if unit.canonical().symbol != s.unit {
                    non_canonical.insert(s.unit);
                }
            }
        }
        let specs: HashMap<(&str, &str), &str> = sim
            .assets()
            .iter()
            .flat_map(|a| a.sensors.iter().map(move |s| ((a.id.as_str(), s.id), s.unit)))
            .collect();
        for r in sim.readings() {
            assert_eq!(specs[&(r.asset_id, r.sensor_id)], r.unit);
        }
    }
    for unit in ["degF", "psi", "gpm", "hp", "in/s", "MW", "Pa", "m/s"] {
        assert!(non_canonical.contains(unit), "no sensor reports {unit}: {non_canonical:?}");
    }
    let one = simulate(&config(1, 0.0, 3, 0.0));
    let pump = &one.assets()[0];
    assert!(pump.sensors.iter().any(|s| s.unit == "degF"), "pump-001 is the US-built one");
}

#[test]
fn reading_count_is_sensors_times_steps_on_the_grid() {
    let cfg = FleetConfig {
        assets: 7,
        hours: 2.0,
        interval_s: 15.0,
        start_ms: 1_700_000_000_000,
        ..Default::default()
    };
    let sim = simulate(&cfg);
    let sensors: usize = sim.assets().iter().map(|a| a.sensors.len()).sum();
    assert_eq!(sim.step_count(), 480);
    assert_eq!(sim.interval_ms(), 15_000);
    assert_eq!(sim.reading_count(), sensors as u64 * 480);
    let n = sim.reading_count() as usize;
    assert_eq!(sim.readings().size_hint(), (n, Some(n)));
    assert_eq!(sim.readings().count() as u64, sim.reading_count());
    let steps = sim.steps();
    assert_eq!(steps.len(), 480);
    for (k, step) in steps.enumerate() {
        assert_eq!(step.ts_ms, cfg.start_ms + k as i64 * 15_000);
        assert_eq!(step.readings.len(), sensors);
        assert!(step.readings.iter().all(|r| r.ts_ms == step.ts_ms));
    }
}

#[test]
fn values_stay_physically_plausible() {
    for seed in 0..4 {
        let sim = simulate(&FleetConfig { interval_s: 60.0, ..config(12, 48.0, seed, 1.0) });
        let mut good = 0u64;
        for r in sim.readings() {
            assert!(r.value.is_finite(), "{r:?}");
            let unit = Unit::parse(r.unit).unwrap();
            let v = unit.to_canonical(r.value);
            let ok = match unit.quantity {
                Quantity::Temperature => (-50.0..=750.0).contains(&v),
                Quantity::Ratio => (0.0..=110.0).contains(&v),
                Quantity::Count => v >= 0.0 && v.fract() == 0.0,
                _ => v >= 0.0,
            };
            assert!(ok, "implausible {r:?} ({v} {})", unit.canonical().symbol);
            good += u64::from(r.quality == Quality::Good);
        }
        assert!(good as f64 > 0.99 * sim.reading_count() as f64, "mostly good");
    }
}

/// Least-squares slope of `ln y` against `ln x`.
fn log_log_slope(points: &[(f64, f64)]) -> f64 {
    let pts: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x.ln(), y.ln())).collect();
    let mx = mean(pts.iter().map(|p| p.0));
    let my = mean(pts.iter().map(|p| p.1));
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

#[test]
fn pumps_follow_the_affinity_laws() {
    let sim = Recorded::new(&config(8, 24.0, 5, 0.0));
    for pump in sim.assets().iter().filter(|a| a.kind == AssetKind::Pump) {
        let speed = series(&sim, &pump.id, "speed");
        let flow = series(&sim, &pump.id, "flow");
        let power = series(&sim, &pump.id, "shaft_power");
        let max_speed = speed.iter().map(|s| s.1).fold(0.0, f64::max);
        let running: Vec<usize> = (0..speed.len()).filter(|&i| speed[i].1 > 0.5 * max_speed).collect();
        assert!(running.len() > 1000, "{} hardly runs", pump.id);

        let power_slope =
            log_log_slope(&running.iter().map(|&i| (speed[i].1, power[i].1)).collect::<Vec<_>>());
        assert!((2.8..3.2).contains(&power_slope), "{}: power ∝ n^{power_slope}", pump.id);
        let flow_slope = log_log_slope(&running.iter().map(|&i| (speed[i].1, flow[i].1)).collect::<Vec<_>>());
        assert!((0.95..1.05).contains(&flow_slope), "{}: flow ∝ n^{flow_slope}", pump.id);

        // Two operating points: the slowest and fastest tenth of running samples.
        let mut by_speed = running.clone();
        by_speed.sort_by(|&a, &b| speed[a].1.total_cmp(&speed[b].1));
        let tenth = by_speed.len() / 10;
        let (slow, fast) = (&by_speed[..tenth], &by_speed[by_speed.len() - tenth..]);
        let avg = |idx: &[usize], s: &[Sample]| mean(idx.iter().map(|&i| s[i].1));
        let n_ratio = avg(fast, &speed) / avg(slow, &speed);
        assert!(n_ratio > 1.2, "{}: operating points too close ({n_ratio})", pump.id);
        let q_ratio = avg(fast, &flow) / avg(slow, &flow);
        assert!(
            (q_ratio / n_ratio - 1.0).abs() < 0.03,
            "{}: Q ratio {q_ratio} vs n ratio {n_ratio}",
            pump.id
        );
        let p_ratio = avg(fast, &power) / avg(slow, &power);
        let cubic = n_ratio.powi(3);
        assert!((p_ratio / cubic - 1.0).abs() < 0.08, "{}: P ratio {p_ratio} vs n³ {cubic}", pump.id);
    }
}

#[test]
fn bearing_temperature_follows_load_with_a_lag() {
    let sim = Recorded::new(&config(1, 24.0, 9, 0.0));
    let speed = series(&sim, "pump-001", "speed");
    let temp = series(&sim, "pump-001", "bearing_temp");
    // A thermal mass: step-to-step changes stay small while speed changes much faster.
    let max_jump = temp.windows(2).map(|w| (w[1].1 - w[0].1).abs()).fold(0.0, f64::max);
    assert!(max_jump < 3.0, "bearing temperature jumps {max_jump} degF in 10 s");
    // Hotter when running fast than when stopped or slow.
    let hot = mean((0..speed.len()).filter(|&i| speed[i].1 > 2500.0).map(|i| temp[i].1));
    let cold = mean((0..speed.len()).filter(|&i| speed[i].1 < 2000.0).map(|i| temp[i].1));
    assert!(hot > cold + 5.0, "hot {hot} vs cold {cold}");
}

/// A fully faulted fleet and its healthy twin (same seed, no faults).
fn faulted_and_healthy() -> (Recorded, Recorded) {
    let cfg = FleetConfig { interval_s: 30.0, ..config(20, 24.0, 21, 1.0) };
    (Recorded::new(&cfg), Recorded::new(&FleetConfig { fault_fraction: 0.0, ..cfg }))
}

fn fault_of(sim: &Simulation, kind: FaultKind) -> Vec<InjectedFault> {
    sim.faults().iter().filter(|f| f.kind == kind).cloned().collect()
}

#[test]
fn ground_truth_covers_every_kind_with_onsets_in_the_second_half() {
    let cfg = config(20, 24.0, 21, 1.0);
    let sim = simulate(&cfg);
    assert_eq!(sim.faults().len(), 20);
    assert!(simulate(&config(20, 24.0, 21, 0.0)).faults().is_empty());
    assert_eq!(simulate(&config(20, 24.0, 21, 0.25)).faults().len(), 5);
    let end = cfg.start_ms + (cfg.hours * 3_600_000.0) as i64;
    for kind in FaultKind::ALL {
        assert!(!fault_of(&sim, kind).is_empty(), "no {kind:?} injected");
    }
    for f in sim.faults() {
        let asset = sim.assets().iter().find(|a| a.id == f.asset_id).unwrap();
        assert!(f.onset_ms >= cfg.start_ms + (end - cfg.start_ms) / 2 && f.onset_ms < end, "{f:?}");
        assert_eq!((f.onset_ms - cfg.start_ms) % sim.interval_ms(), 0, "onset on the step grid");
        assert!(!f.sensor_ids.is_empty());
        for s in &f.sensor_ids {
            assert!(asset.sensors.iter().any(|spec| spec.id == *s), "{f:?} names an unknown sensor");
        }
    }
}

#[test]
fn faults_change_only_their_sensors_and_only_after_onset() {
    let (faulted, healthy) = faulted_and_healthy();
    let onsets: HashMap<&str, &InjectedFault> =
        faulted.faults().iter().map(|f| (f.asset_id.as_str(), f)).collect();
    let mut changed_after: HashSet<(&str, &str)> = HashSet::new();
    for (f, h) in faulted.readings().zip(healthy.readings()) {
        assert_eq!((f.asset_id, f.sensor_id, f.ts_ms), (h.asset_id, h.sensor_id, h.ts_ms));
        let fault = onsets[f.asset_id];
        if (f.value, f.quality) == (h.value, h.quality) {
            continue;
        }
        assert!(f.ts_ms >= fault.onset_ms, "{:?} changed {f:?} before onset", fault.kind);
        assert!(fault.sensor_ids.contains(&f.sensor_id), "{:?} changed unlisted {f:?}", fault.kind);
        changed_after.insert((f.asset_id, f.sensor_id));
    }
    for fault in faulted.faults() {
        assert!(
            fault.sensor_ids.iter().any(|s| changed_after.contains(&(fault.asset_id.as_str(), *s))),
            "{fault:?} had no effect"
        );
    }
}

fn split_at_onset(s: &[(i64, f64, Quality)], onset: i64) -> (Vec<f64>, Vec<f64>) {
    let before = s.iter().filter(|r| r.0 < onset).map(|r| r.1).collect();
    let after = s.iter().filter(|r| r.0 >= onset).map(|r| r.1).collect();
    (before, after)
}

#[test]
fn bearing_wear_raises_vibration_and_temperature_after_onset() {
    let (faulted, healthy) = faulted_and_healthy();
    let wear = fault_of(&faulted, FaultKind::BearingWear);
    let rotating: Vec<_> = wear.iter().filter(|f| f.sensor_ids.contains(&"vibration")).collect();
    assert!(!rotating.is_empty());
    for f in rotating {
        let vib = series(&faulted, &f.asset_id, "vibration");
        let (before, after) = split_at_onset(&vib, f.onset_ms);
        let (b, a) = (mean(before), mean(after));
        assert!(a > 1.5 * b, "{}: vibration {b} -> {a}", f.asset_id);
        let twin = mean(split_at_onset(&series(&healthy, &f.asset_id, "vibration"), f.onset_ms).1);
        assert!(a > 1.5 * twin, "{}: vibration {a} vs healthy {twin}", f.asset_id);
        let temp = mean(split_at_onset(&series(&faulted, &f.asset_id, "bearing_temp"), f.onset_ms).1);
        let twin = mean(split_at_onset(&series(&healthy, &f.asset_id, "bearing_temp"), f.onset_ms).1);
        assert!(temp > twin + 2.0, "{}: bearing {temp} vs healthy {twin}", f.asset_id);
    }
}

#[test]
fn fouling_raises_filter_dp_or_power_draw() {
    let (faulted, healthy) = faulted_and_healthy();
    let fouling = fault_of(&faulted, FaultKind::Fouling);
    assert!(fouling.iter().any(|f| f.sensor_ids.contains(&"filter_dp")), "no fouled air handler");
    for f in fouling {
        // The sensor that fouling pushes up on every kind.
        let sensor = ["filter_dp", "shaft_power", "exhaust_temp"]
            .into_iter()
            .find(|s| f.sensor_ids.contains(s))
            .unwrap();
        let late = |sim: &Recorded| {
            let s = series(sim, &f.asset_id, sensor);
            let last_quarter = s.len() - s.len() / 4;
            let onset = s.iter().position(|r| r.0 >= f.onset_ms).unwrap().max(last_quarter);
            mean(s[onset..].iter().map(|r| r.1))
        };
        let (fouled, clean) = (late(&faulted), late(&healthy));
        assert!(fouled > clean * 1.02, "{} {sensor}: fouled {fouled} vs clean {clean}", f.asset_id);
    }
}

#[test]
fn a_stuck_sensor_freezes_at_its_last_value() {
    let (faulted, _) = faulted_and_healthy();
    let stuck = fault_of(&faulted, FaultKind::StuckSensor);
    assert!(!stuck.is_empty());
    for f in stuck {
        let s = series(&faulted, &f.asset_id, f.sensor_ids[0]);
        let onset = s.iter().position(|r| r.0 == f.onset_ms).unwrap();
        let frozen = s[onset - 1].1;
        assert!(s[onset..].iter().all(|r| r.1 == frozen), "{f:?} varies after onset");
        let before = &s[..onset];
        assert!(before.iter().any(|r| r.1 != frozen), "{f:?} was constant already");
        assert!(before.iter().all(|r| r.2 == Quality::Good));
    }
}

#[test]
fn drift_grows_and_spikes_start_at_onset() {
    let (faulted, healthy) = faulted_and_healthy();
    let drifts = fault_of(&faulted, FaultKind::SensorDrift);
    assert!(!drifts.is_empty());
    for f in drifts {
        let (a, b) =
            (series(&faulted, &f.asset_id, f.sensor_ids[0]), series(&healthy, &f.asset_id, f.sensor_ids[0]));
        let offset: Vec<f64> =
            a.iter().zip(&b).filter(|(x, _)| x.0 >= f.onset_ms).map(|(x, y)| x.1 - y.1).collect();
        let q = offset.len() / 4;
        let (early, late) =
            (mean(offset[..q].iter().copied()).abs(), mean(offset[offset.len() - q..].iter().copied()).abs());
        assert!(late > 2.0 * early && late > 0.0, "{f:?}: offset {early} -> {late}");
    }
    let spikes = fault_of(&faulted, FaultKind::SpikeBurst);
    assert!(!spikes.is_empty());
    for f in spikes {
        let (a, b) =
            (series(&faulted, &f.asset_id, f.sensor_ids[0]), series(&healthy, &f.asset_id, f.sensor_ids[0]));
        let onset = a.iter().position(|r| r.0 == f.onset_ms).unwrap();
        assert!(a[onset].1 > b[onset].1, "{f:?}: no outlier at onset");
        let outliers = a.iter().zip(&b).filter(|(x, y)| x.1 != y.1).count();
        assert!(outliers >= 2, "{f:?}: {outliers} outliers");
        assert!(a.iter().any(|r| r.2 != Quality::Good) || outliers < 10, "{f:?}: never flagged");
    }
}

#[test]
fn invalid_configs_are_rejected() {
    let ok = FleetConfig::default();
    assert_eq!(ok.validate(), Ok(()));
    let bad = |c: FleetConfig| try_simulate(&c).unwrap_err();
    assert!(matches!(bad(FleetConfig { interval_s: 0.0, ..ok.clone() }), ConfigError::Interval(_)));
    assert!(matches!(bad(FleetConfig { interval_s: f64::NAN, ..ok.clone() }), ConfigError::Interval(_)));
    assert!(matches!(bad(FleetConfig { hours: -1.0, ..ok.clone() }), ConfigError::Hours(_)));
    assert!(matches!(bad(FleetConfig { fault_fraction: 1.5, ..ok.clone() }), ConfigError::FaultFraction(_)));
    assert!(matches!(bad(FleetConfig { start_ms: i64::MAX, ..ok.clone() }), ConfigError::TimeRange));

    let empty = simulate(&FleetConfig { assets: 0, ..ok.clone() });
    assert_eq!(empty.readings().count(), 0);
    assert_eq!(empty.steps().count(), 8640);
    let instant = simulate(&FleetConfig { hours: 0.0, ..ok });
    assert_eq!(instant.reading_count(), 0);
    assert!(instant.faults().iter().all(|f| f.onset_ms == instant.config().start_ms));
}

#[test]
fn serialises_for_ground_truth_files() {
    let sim = simulate(&config(8, 1.0, 4, 0.5));
    let json = serde_json::to_value(sim.faults()).unwrap();
    let kinds: Vec<&str> = json.as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.iter().all(|k| k.chars().all(|c| c.is_ascii_lowercase() || c == '_')), "{kinds:?}");
    let asset = serde_json::to_value(&sim.assets()[1]).unwrap();
    assert_eq!(asset["kind"], "air_handler");
    let r: SimReading<'_> = sim.readings().next().unwrap();
    let v = serde_json::to_value(r).unwrap();
    assert_eq!(v["quality"], "good");
    assert_eq!(v["asset_id"], "pump-001");
    let cfg: FleetConfig = serde_json::from_value(serde_json::to_value(sim.config()).unwrap()).unwrap();
    assert_eq!(&cfg, sim.config());
}
