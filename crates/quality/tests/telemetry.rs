//! The sensor telemetry checks on curated readings: each fires on the fault it names, stays quiet on a
//! healthy series, and reports in the violation shape with asset and sensor.

use twinpipe_quality::telemetry::{Limits, TelemetryConfig, TelemetryReading, telemetry_checks};

const T0: i64 = 1_717_200_000_000; // 2024-06-01T00:00:00Z

fn series(sensor: &str, n: usize, period_s: i64, value: impl Fn(usize) -> f64) -> Vec<TelemetryReading> {
    (0..n)
        .map(|i| TelemetryReading {
            asset_id: "pump-7".into(),
            sensor_id: sensor.into(),
            ts_ms: T0 + i as i64 * period_s * 1000,
            value: value(i),
            unit: Some("degC".into()),
            ingested_at_ms: Some(T0 + i as i64 * period_s * 1000 + 2_000),
        })
        .collect()
}

fn wavy(i: usize) -> f64 {
    20.0 + (i as f64 * 0.7).sin()
}

fn checks(readings: &[TelemetryReading], config: &TelemetryConfig) -> Vec<String> {
    telemetry_checks(readings, config).into_iter().map(|v| v.constraint_check_type).collect()
}

#[test]
fn a_healthy_series_raises_nothing() {
    assert_eq!(checks(&series("temp", 300, 60, wavy), &TelemetryConfig::default()), Vec::<String>::new());
}

#[test]
fn a_flat_line_is_a_stuck_sensor_but_not_within_the_allowed_duration() {
    let stuck = series("temp", 200, 60, |i| if i >= 100 { 21.5 } else { wavy(i) });
    let v = telemetry_checks(&stuck, &TelemetryConfig::default());
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].constraint_check_type, "stuck_sensor_check");
    assert_eq!((v[0].asset_id.as_deref(), v[0].sensor_id.as_deref()), (Some("pump-7"), Some("temp")));
    assert!(
        v[0].description.starts_with("Stuck sensor: 100 consecutive readings from 2024-06-01T01:40:00.000Z"),
        "{}",
        v[0].description
    );
    let short = series("temp", 200, 60, |i| if (100..110).contains(&i) { 21.5 } else { wavy(i) });
    assert!(checks(&short, &TelemetryConfig::default()).is_empty());
    let mut coarse = TelemetryConfig::default();
    coarse.stuck.resolution = 3.0;
    assert_eq!(checks(&series("temp", 200, 60, wavy), &coarse), vec!["stuck_sensor_check"]);
}

#[test]
fn a_silent_hour_is_a_gap() {
    let mut s = series("temp", 300, 60, wavy);
    s.retain(|r| !(r.ts_ms >= T0 + 100 * 60_000 && r.ts_ms < T0 + 160 * 60_000));
    let v = telemetry_checks(&s, &TelemetryConfig::default());
    assert_eq!(v.iter().map(|v| v.constraint_check_type.as_str()).collect::<Vec<_>>(), vec!["gap_check"]);
    assert!(
        v[0].description.contains("the longest is 3660 s from 2024-06-01T01:39:00.000Z"),
        "{}",
        v[0].description
    );
}

#[test]
fn a_changed_sampling_period_is_reported() {
    let mut s = series("temp", 100, 60, wavy);
    let later: Vec<TelemetryReading> = series("temp", 100, 10, wavy)
        .into_iter()
        .map(|mut r| {
            r.ts_ms += 100 * 60_000;
            r.ingested_at_ms = Some(r.ts_ms + 2_000);
            r
        })
        .collect();
    s.extend(later);
    assert_eq!(checks(&s, &TelemetryConfig::default()), vec!["sampling_rate_check"]);
    let mut configured = TelemetryConfig::default();
    configured.expected_period_s.insert("temp".into(), 60.0);
    assert!(checks(&series("temp", 100, 60, wavy), &configured).is_empty());
    assert!(checks(&series("temp", 100, 120, wavy), &configured).contains(&"sampling_rate_check".to_owned()));
}

#[test]
fn values_outside_engineering_limits_are_reported_with_their_extremes() {
    let s = series("temp", 50, 60, |i| if i == 10 { -300.0 } else { wavy(i) });
    let v = telemetry_checks(&s, &TelemetryConfig::default());
    assert_eq!(v[0].constraint_check_type, "physical_range_check");
    assert!(v[0].description.contains("1 of 50 readings outside the limits [-273.15, open] (lowest -300"));
    let mut config = TelemetryConfig::default();
    config.limits_by_sensor.insert("temp".into(), Limits { min: Some(0.0), max: Some(20.5) });
    assert!(checks(&series("temp", 50, 60, wavy), &config).contains(&"physical_range_check".to_owned()));
}

#[test]
fn clock_skew_future_timestamps_out_of_order_arrival_and_duplicates() {
    let mut s = series("temp", 50, 60, wavy);
    s[5].ingested_at_ms = Some(s[5].ts_ms + 3_600_000); // an hour late
    s[6].ts_ms = s[6].ingested_at_ms.unwrap() + 600_000; // ten minutes in the future
    let mut dup = s[20].clone();
    dup.value += 1.0;
    s.push(dup);
    let mut late = s[30].clone();
    late.ts_ms -= 25 * 60_000; // event time already passed by others that arrived earlier
    late.ingested_at_ms = Some(s[40].ingested_at_ms.unwrap());
    s.push(late);
    let found = checks(&s, &TelemetryConfig::default());
    for expected in ["clock_skew_check", "non_monotonic_timestamp_check", "duplicate_timestamp_check"] {
        assert!(found.contains(&expected.to_owned()), "{expected} in {found:?}");
    }
}

#[test]
fn readings_are_read_from_a_curated_parquet_shaped_batch() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray};
    use arrow_schema::{DataType, Field, Schema, TimeUnit};
    let utc = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
    let schema = Schema::new(vec![
        Field::new("asset_id", DataType::Utf8, false),
        Field::new("sensor_id", DataType::Utf8, false),
        Field::new("ts", utc.clone(), false),
        Field::new("value", DataType::Float64, false),
        Field::new("unit", DataType::Utf8, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec!["a", "a"])),
        Arc::new(StringArray::from(vec!["s", "s"])),
        Arc::new(TimestampMillisecondArray::from(vec![T0, T0 + 1000]).with_timezone("UTC")),
        Arc::new(Float64Array::from(vec![1.0, 2.0])),
        Arc::new(StringArray::from(vec!["degC", "degC"])),
    ];
    let batch = RecordBatch::try_new(Arc::new(schema), columns).unwrap();
    assert!(twinpipe_quality::telemetry::has_telemetry_columns(&batch));
    let readings = twinpipe_quality::telemetry::readings_from_batch(&batch).unwrap();
    assert_eq!(readings.len(), 2);
    assert_eq!(
        (readings[1].ts_ms, readings[1].value, readings[1].unit.as_deref()),
        (T0 + 1000, 2.0, Some("degC"))
    );
    assert_eq!(readings[0].ingested_at_ms, None);
}
