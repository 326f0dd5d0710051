//! Sensor telemetry checks that Model Monitor lacks but industrial data needs (quality-monitoring.md §6
//! item 5), over the curated readings schema (`asset_id`, `sensor_id`, `ts`, `value`, `unit`, and, when
//! present, `ingested_at`). Findings use the violation shape of constraint_violations.json with these
//! check types (see [`crate::check::check_type`]):
//!
//! | check type | fires when (per asset and sensor) |
//! | --- | --- |
//! | `stuck_sensor_check` | ≥ `stuck.min_readings` consecutive readings spanning ≥ `stuck.min_duration_s` stay within `stuck.resolution` of each other |
//! | `gap_check` | an interval between readings exceeds `gaps.factor` × the sampling period (configured, else the window's median interval) |
//! | `sampling_rate_check` | the median interval moves by more than `sampling.change_factor` (vs. the configured period, else first half vs. second half of the window) |
//! | `physical_range_check` | a value lies outside the engineering limits for the sensor (or, failing that, its unit) |
//! | `clock_skew_check` | \|ingested_at − ts\| exceeds `clock.max_skew_s`, or ts lies more than `clock.future_tolerance_s` after ingestion |
//! | `non_monotonic_timestamp_check` | in arrival (ingestion) order, a timestamp goes backwards |
//! | `duplicate_timestamp_check` | two readings share a timestamp |

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use serde::{Deserialize, Serialize};

use crate::check::{Violation, check_type};
use crate::error::QualityError;

/// One reading as the checks need it.
#[derive(Debug, Clone, PartialEq)]
pub struct TelemetryReading {
    /// The asset.
    pub asset_id: String,
    /// The sensor on the asset.
    pub sensor_id: String,
    /// Event time, epoch milliseconds.
    pub ts_ms: i64,
    /// The value (canonical unit in curated data).
    pub value: f64,
    /// Unit symbol, when known.
    pub unit: Option<String>,
    /// When the pipeline ingested the reading, epoch milliseconds, when known.
    pub ingested_at_ms: Option<i64>,
}

/// Inclusive engineering limits; either side may be open.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Limits {
    /// Lowest plausible value.
    #[serde(default)]
    pub min: Option<f64>,
    /// Highest plausible value.
    #[serde(default)]
    pub max: Option<f64>,
}

/// Settings of the telemetry checks; every field has a default, so `{}` is a valid configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TelemetryConfig {
    /// Stuck sensor.
    pub stuck: StuckConfig,
    /// Gaps.
    pub gaps: GapConfig,
    /// Sampling-rate change.
    pub sampling: SamplingConfig,
    /// Clock skew.
    pub clock: ClockConfig,
    /// Expected sampling period per sensor id, seconds.
    pub expected_period_s: BTreeMap<String, f64>,
    /// Engineering limits per sensor id (checked first).
    pub limits_by_sensor: BTreeMap<String, Limits>,
    /// Engineering limits per unit symbol.
    pub limits_by_unit: BTreeMap<String, Limits>,
}

/// Stuck-sensor settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StuckConfig {
    /// Consecutive readings needed.
    pub min_readings: usize,
    /// Time they must span, seconds.
    pub min_duration_s: f64,
    /// Values within this of each other count as the same (the sensor's resolution).
    pub resolution: f64,
}

/// Gap settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GapConfig {
    /// An interval above factor × period is a gap.
    pub factor: f64,
}

/// Sampling-rate settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SamplingConfig {
    /// Allowed ratio between median intervals.
    pub change_factor: f64,
    /// Intervals needed on each side of a comparison.
    pub min_intervals: usize,
}

/// Clock settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClockConfig {
    /// Largest accepted |ingested_at − ts|, seconds.
    pub max_skew_s: f64,
    /// How far after ingestion an event time may lie, seconds.
    pub future_tolerance_s: f64,
}

impl Default for StuckConfig {
    fn default() -> Self {
        StuckConfig { min_readings: 30, min_duration_s: 900.0, resolution: 0.0 }
    }
}
impl Default for GapConfig {
    fn default() -> Self {
        GapConfig { factor: 3.0 }
    }
}
impl Default for SamplingConfig {
    fn default() -> Self {
        SamplingConfig { change_factor: 1.5, min_intervals: 10 }
    }
}
impl Default for ClockConfig {
    fn default() -> Self {
        ClockConfig { max_skew_s: 300.0, future_tolerance_s: 60.0 }
    }
}

impl Default for TelemetryConfig {
    /// Only physically impossible values are limited by default (below absolute zero, negative
    /// frequencies and counts); real engineering limits belong in the configuration.
    fn default() -> Self {
        let limits_by_unit = [
            ("degC", Limits { min: Some(-273.15), max: None }),
            ("Hz", Limits { min: Some(0.0), max: None }),
            ("count", Limits { min: Some(0.0), max: None }),
        ]
        .into_iter()
        .map(|(u, l)| (u.to_owned(), l))
        .collect();
        TelemetryConfig {
            stuck: StuckConfig::default(),
            gaps: GapConfig::default(),
            sampling: SamplingConfig::default(),
            clock: ClockConfig::default(),
            expected_period_s: BTreeMap::new(),
            limits_by_sensor: BTreeMap::new(),
            limits_by_unit,
        }
    }
}

impl TelemetryConfig {
    /// Reads a configuration file (missing keys take their defaults).
    pub fn from_json(bytes: &[u8]) -> Result<Self, QualityError> {
        serde_json::from_slice(bytes).map_err(|e| QualityError::InvalidFile {
            what: "telemetry configuration".into(),
            reason: e.to_string(),
        })
    }
}

/// True when a batch has the columns the telemetry checks need.
pub fn has_telemetry_columns(batch: &RecordBatch) -> bool {
    ["asset_id", "sensor_id", "ts", "value"].iter().all(|c| batch.schema().index_of(c).is_ok())
}

/// Reads the readings of a batch in row order. Rows whose asset, sensor, time or value is missing or
/// unreadable are skipped (the data-quality checks report those cells).
pub fn readings_from_batch(batch: &RecordBatch) -> Result<Vec<TelemetryReading>, QualityError> {
    let column = |name: &str| {
        batch.column_by_name(name).ok_or_else(|| QualityError::UnknownColumn {
            column: name.to_owned(),
            available: crate::dataset::column_names(std::slice::from_ref(batch)).join(", "),
        })
    };
    let (assets, sensors, ts, values) =
        (column("asset_id")?, column("sensor_id")?, column("ts")?, column("value")?);
    let (units, ingested) = (batch.column_by_name("unit"), batch.column_by_name("ingested_at"));
    let mut out = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let (Some(asset_id), Some(sensor_id), Some(ts_ms), Some(value)) =
            (text_at(assets, row), text_at(sensors, row), millis_at(ts, row), number_at(values, row))
        else {
            continue;
        };
        out.push(TelemetryReading {
            asset_id,
            sensor_id,
            ts_ms,
            value,
            unit: units.and_then(|u| text_at(u, row)),
            ingested_at_ms: ingested.and_then(|i| millis_at(i, row)),
        });
    }
    Ok(out)
}

fn text_at(array: &dyn Array, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Utf8 => Some(array.as_string::<i32>().value(row).to_owned()),
        DataType::LargeUtf8 => Some(array.as_string::<i64>().value(row).to_owned()),
        DataType::Utf8View => Some(array.as_string_view().value(row).to_owned()),
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let key = dict.normalized_keys()[row];
            text_at(dict.values().as_ref(), key)
        }
        DataType::Int64 => Some(array.as_primitive::<Int64Type>().value(row).to_string()),
        DataType::Int32 => Some(array.as_primitive::<Int32Type>().value(row).to_string()),
        _ => None,
    }
}

fn millis_at(array: &dyn Array, row: usize) -> Option<i64> {
    if array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            Some(array.as_primitive::<TimestampMillisecondType>().value(row))
        }
        DataType::Timestamp(TimeUnit::Second, _) => {
            Some(array.as_primitive::<TimestampSecondType>().value(row) * 1000)
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            Some(array.as_primitive::<TimestampMicrosecondType>().value(row).div_euclid(1000))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            Some(array.as_primitive::<TimestampNanosecondType>().value(row).div_euclid(1_000_000))
        }
        DataType::Int64 => Some(array.as_primitive::<Int64Type>().value(row)),
        _ => {
            let text = text_at(array, row)?;
            match text.parse::<i64>() {
                Ok(ms) => Some(ms),
                Err(_) => {
                    chrono::DateTime::parse_from_rfc3339(text.trim()).ok().map(|d| d.timestamp_millis())
                }
            }
        }
    }
}

fn number_at(array: &dyn Array, row: usize) -> Option<f64> {
    if array.is_null(row) {
        return None;
    }
    let v = match array.data_type() {
        DataType::Float64 => array.as_primitive::<Float64Type>().value(row),
        DataType::Float32 => f64::from(array.as_primitive::<Float32Type>().value(row)),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row) as f64,
        DataType::Int32 => f64::from(array.as_primitive::<Int32Type>().value(row)),
        _ => text_at(array, row)?.trim().parse::<f64>().ok()?,
    };
    v.is_finite().then_some(v)
}

/// Runs every telemetry check on a window of readings; violations come grouped by asset and sensor
/// (sorted), in the order of the table above.
pub fn telemetry_checks(readings: &[TelemetryReading], config: &TelemetryConfig) -> Vec<Violation> {
    let mut series: BTreeMap<(&str, &str), Vec<&TelemetryReading>> = BTreeMap::new();
    for r in readings {
        series.entry((&r.asset_id, &r.sensor_id)).or_default().push(r);
    }
    let mut out = Vec::new();
    for ((asset, sensor), arrival) in series {
        let mut by_time = arrival.clone();
        by_time.sort_by_key(|r| r.ts_ms);
        let mut found = Vec::new();
        stuck_sensor(&by_time, &config.stuck, &mut found);
        let period = config.expected_period_s.get(sensor).copied();
        let intervals = intervals_s(&by_time);
        gaps(&intervals, period, &config.gaps, &mut found);
        sampling_rate(&intervals, period, &config.sampling, &mut found);
        physical_range(&by_time, config, sensor, &mut found);
        clock_skew(&arrival, &config.clock, &mut found);
        non_monotonic(&arrival, &mut found);
        duplicates(&by_time, &mut found);
        out.extend(found.into_iter().map(|(check, description)| Violation {
            feature_name: "value".into(),
            constraint_check_type: check.to_owned(),
            description,
            asset_id: Some(asset.to_owned()),
            sensor_id: Some(sensor.to_owned()),
        }));
    }
    out
}

type Found = Vec<(&'static str, String)>;

fn ts_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or_else(|| ms.to_string(), |d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn stuck_sensor(by_time: &[&TelemetryReading], cfg: &StuckConfig, found: &mut Found) {
    let mut best: Option<(usize, usize)> = None;
    let mut start = 0;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, r) in by_time.iter().enumerate() {
        let (nlo, nhi) = (lo.min(r.value), hi.max(r.value));
        if nhi - nlo > cfg.resolution {
            start = i;
            (lo, hi) = (r.value, r.value);
        } else {
            (lo, hi) = (nlo, nhi);
        }
        let len = i + 1 - start;
        let span_s = (r.ts_ms - by_time[start].ts_ms) as f64 / 1000.0;
        if len >= cfg.min_readings.max(2)
            && span_s >= cfg.min_duration_s
            && best.is_none_or(|(s, e)| len > e + 1 - s)
        {
            best = Some((start, i));
        }
    }
    if let Some((s, e)) = best {
        let span_s = (by_time[e].ts_ms - by_time[s].ts_ms) as f64 / 1000.0;
        found.push((
            check_type::STUCK_SENSOR,
            format!(
                "Stuck sensor: {} consecutive readings from {} to {} ({span_s} s) stay at {} (within resolution {}); \
                 allowed: fewer than {} readings or {} s",
                e + 1 - s,
                ts_text(by_time[s].ts_ms),
                ts_text(by_time[e].ts_ms),
                by_time[s].value,
                cfg.resolution,
                cfg.min_readings,
                cfg.min_duration_s
            ),
        ));
    }
}

/// Intervals between consecutive distinct timestamps, seconds, with the time the interval starts.
fn intervals_s(by_time: &[&TelemetryReading]) -> Vec<(i64, f64)> {
    by_time
        .windows(2)
        .filter(|w| w[1].ts_ms > w[0].ts_ms)
        .map(|w| (w[0].ts_ms, (w[1].ts_ms - w[0].ts_ms) as f64 / 1000.0))
        .collect()
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

fn gaps(intervals: &[(i64, f64)], period: Option<f64>, cfg: &GapConfig, found: &mut Found) {
    let mut all: Vec<f64> = intervals.iter().map(|i| i.1).collect();
    let (period, source) = match period {
        Some(p) => (p, "configured"),
        None if intervals.len() >= 3 => (median(&mut all).expect("non-empty"), "median"),
        None => return,
    };
    let limit = cfg.factor * period;
    let long: Vec<&(i64, f64)> = intervals.iter().filter(|i| i.1 > limit).collect();
    if let Some(largest) = long.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
        found.push((
            check_type::GAP,
            format!(
                "Gap: {} interval(s) longer than {limit} s ({} × the {source} sampling period {period} s); the \
                 longest is {} s from {}",
                long.len(),
                cfg.factor,
                largest.1,
                ts_text(largest.0)
            ),
        ));
    }
}

fn sampling_rate(intervals: &[(i64, f64)], period: Option<f64>, cfg: &SamplingConfig, found: &mut Found) {
    let values: Vec<f64> = intervals.iter().map(|i| i.1).collect();
    let (before, after, against) = match period {
        Some(p) if values.len() >= cfg.min_intervals => {
            (p, median(&mut values.clone()), "the configured period")
        }
        None if values.len() >= 2 * cfg.min_intervals => {
            let (first, second) = values.split_at(values.len() / 2);
            let m1 = median(&mut first.to_vec()).expect("non-empty");
            (m1, median(&mut second.to_vec()), "the first half of the window")
        }
        _ => return,
    };
    let Some(after) = after else { return };
    if before <= 0.0 || after <= 0.0 {
        return;
    }
    let ratio = after / before;
    if ratio > cfg.change_factor || ratio < 1.0 / cfg.change_factor {
        found.push((
            check_type::SAMPLING_RATE,
            format!(
                "Sampling rate change: median interval {after} s against {before} s for {against} (ratio {ratio}, \
                 allowed within a factor of {})",
                cfg.change_factor
            ),
        ));
    }
}

fn physical_range(by_time: &[&TelemetryReading], cfg: &TelemetryConfig, sensor: &str, found: &mut Found) {
    let limits = cfg.limits_by_sensor.get(sensor).or_else(|| {
        let unit = by_time.iter().find_map(|r| r.unit.as_deref())?;
        cfg.limits_by_unit.get(unit)
    });
    let Some(limits) = limits else { return };
    let outside: Vec<f64> = by_time
        .iter()
        .map(|r| r.value)
        .filter(|v| limits.min.is_some_and(|m| *v < m) || limits.max.is_some_and(|m| *v > m))
        .collect();
    if outside.is_empty() {
        return;
    }
    let lowest = outside.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = outside.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let bound = |b: Option<f64>| b.map_or_else(|| "open".to_owned(), |v| v.to_string());
    found.push((
        check_type::PHYSICAL_RANGE,
        format!(
            "Physical range: {} of {} readings outside the limits [{}, {}] (lowest {lowest}, highest {highest})",
            outside.len(),
            by_time.len(),
            bound(limits.min),
            bound(limits.max)
        ),
    ));
}

fn clock_skew(arrival: &[&TelemetryReading], cfg: &ClockConfig, found: &mut Found) {
    let mut skews: Vec<f64> =
        arrival.iter().filter_map(|r| r.ingested_at_ms.map(|i| (i - r.ts_ms) as f64 / 1000.0)).collect();
    if skews.is_empty() {
        return;
    }
    let future = skews.iter().filter(|s| **s < -cfg.future_tolerance_s).count();
    let skewed = skews.iter().filter(|s| s.abs() > cfg.max_skew_s).count();
    if future == 0 && skewed == 0 {
        return;
    }
    let largest = skews.iter().copied().fold(0.0, |a: f64, s| if s.abs() > a.abs() { s } else { a });
    let total = skews.len();
    let med = median(&mut skews).expect("non-empty");
    found.push((
        check_type::CLOCK_SKEW,
        format!(
            "Clock skew: {skewed} of {total} readings ingested more than {} s away from their event time and {future} \
             timestamped more than {} s after ingestion (median ingested_at − ts {med} s, largest {largest} s)",
            cfg.max_skew_s, cfg.future_tolerance_s
        ),
    ));
}

fn non_monotonic(arrival: &[&TelemetryReading], found: &mut Found) {
    if arrival.iter().any(|r| r.ingested_at_ms.is_none()) {
        return;
    }
    let mut ordered = arrival.to_vec();
    ordered.sort_by_key(|r| r.ingested_at_ms); // stable: row order within one ingestion
    let mut latest = i64::MIN;
    let mut backwards = 0;
    let mut worst = 0i64;
    for r in ordered {
        if r.ts_ms < latest {
            backwards += 1;
            worst = worst.max(latest - r.ts_ms);
        }
        latest = latest.max(r.ts_ms);
    }
    if backwards > 0 {
        found.push((
            check_type::NON_MONOTONIC_TIMESTAMP,
            format!(
                "Non-monotonic timestamps: {backwards} reading(s) arrived with an event time earlier than one \
                 already received (by up to {} s)",
                worst as f64 / 1000.0
            ),
        ));
    }
}

fn duplicates(by_time: &[&TelemetryReading], found: &mut Found) {
    let dupes: Vec<i64> =
        by_time.windows(2).filter(|w| w[0].ts_ms == w[1].ts_ms).map(|w| w[0].ts_ms).collect();
    if let Some(first) = dupes.first() {
        found.push((
            check_type::DUPLICATE_TIMESTAMP,
            format!(
                "Duplicate timestamps: {} reading(s) repeat a timestamp of this sensor (first at {})",
                dupes.len(),
                ts_text(*first)
            ),
        ));
    }
}
