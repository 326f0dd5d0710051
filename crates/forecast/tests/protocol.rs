//! The ETT protocol on small synthetic tables: split borders, normalisation, window counts, scoring.

use twinpipe_forecast::ett::{EttSplit, seasonal_naive_errors};
use twinpipe_forecast::{ForecastError, TimeTable, ZScore};

#[test]
fn hourly_borders_are_360_120_120_days_of_24_rows() {
    let s = EttSplit::for_interval(3600).unwrap();
    assert_eq!(s.rows_per_day, 24);
    assert_eq!((s.train.clone(), s.validation.clone(), s.test.clone()), (0..8640, 8640..11520, 11520..14400));
}

#[test]
fn fifteen_minute_borders_are_four_times_the_hourly_ones() {
    let s = EttSplit::for_interval(900).unwrap();
    assert_eq!(s.rows_per_day, 96);
    assert_eq!((s.train.end, s.validation.end, s.test.end), (34560, 46080, 57600));
}

#[test]
fn every_stride_one_test_window_counts_2881_minus_h_on_hourly_data() {
    let s = EttSplit::for_interval(3600).unwrap();
    for h in [96, 192, 336, 720] {
        let origins = s.test_origins(h);
        assert_eq!(origins.len(), 2881 - h);
        assert_eq!(origins.start, 11520);
        // The last window's final target row is the last test row.
        assert_eq!(origins.end - 1 + h - 1, 14399);
    }
}

#[test]
fn an_interval_that_does_not_divide_a_day_is_refused() {
    let err = EttSplit::for_interval(7 * 60).unwrap_err();
    assert!(matches!(err, ForecastError::IntervalNotDividingDay { interval_secs: 420 }), "{err}");
}

#[test]
fn a_table_shorter_than_600_days_is_refused_with_the_row_count_needed() {
    let s = EttSplit::for_interval(3600).unwrap();
    let err = s.check_rows(14_000).unwrap_err();
    assert!(err.to_string().contains("14000") && err.to_string().contains("14400"), "{err}");
    s.check_rows(17_420).unwrap();
}

#[test]
fn normalisation_uses_the_training_rows_mean_and_population_std_only() {
    // Train rows 0..4 are 1, 2, 3, 4: mean 2.5, population std sqrt(1.25). The huge later value must not
    // leak into the statistics.
    let column = [1.0, 2.0, 3.0, 4.0, 1000.0];
    let z = ZScore::fit(&[&column], 0..4);
    assert_eq!(z.mean(), &[2.5]);
    assert!((z.std()[0] - 1.25f64.sqrt()).abs() < 1e-15);
    let normalised = z.normalise(0, &column);
    assert!((normalised[0] + 1.5 / 1.25f64.sqrt()).abs() < 1e-12);
    assert_eq!(z.denormalise(0, normalised[4]), 1000.0);
    // A constant training column is centred but not scaled.
    let flat = ZScore::fit(&[&[5.0, 5.0, 5.0, 7.0]], 0..3);
    assert_eq!(flat.std(), &[1.0]);
}

fn csv(interval_secs: i64, rows: usize) -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2016-07-01T00:00:00Z").unwrap().timestamp();
    let mut out = String::from("date,A,B\n");
    for i in 0..rows {
        let t = chrono::DateTime::from_timestamp(start + i as i64 * interval_secs, 0).unwrap();
        out.push_str(&format!("{},{},{}\n", t.format("%Y-%m-%d %H:%M:%S"), i, 2 * i));
    }
    out
}

#[test]
fn csv_tables_of_hourly_and_15_minute_data_report_their_interval() {
    let hourly = TimeTable::parse_csv(&csv(3600, 30)).unwrap();
    assert_eq!(
        (hourly.interval_secs(), hourly.rows(), hourly.names()),
        (3600, 30, &["A".into(), "B".into()][..])
    );
    assert_eq!(hourly.column(1)[29], 58.0);
    assert_eq!(hourly.first_timestamp(), "2016-07-01 00:00:00");
    let quarter = TimeTable::parse_csv(&csv(900, 30)).unwrap();
    assert_eq!(quarter.interval_secs(), 900);
    assert_eq!(quarter.column_indices(&["B", "A"]).unwrap(), vec![1, 0]);
    let err = quarter.column_indices(&["OT"]).unwrap_err();
    assert!(err.to_string().contains("\"OT\"") && err.to_string().contains("A, B"), "{err}");
}

#[test]
fn a_gap_in_the_timestamps_is_reported_with_its_line() {
    let mut text = csv(3600, 10);
    text = text.replace("2016-07-01 05:00:00", "2016-07-01 05:30:00");
    let err = TimeTable::parse_csv(&text).unwrap_err();
    assert!(
        matches!(err, ForecastError::IrregularInterval { line: 7, got_secs: 5400, expected_secs: 3600 }),
        "{err}"
    );
}

#[test]
fn malformed_rows_name_the_line_and_the_problem() {
    let text = csv(3600, 5).replace(",3,6\n", ",3,six\n");
    let err = TimeTable::parse_csv(&text).unwrap_err();
    assert!(err.to_string().starts_with("line 5:") && err.to_string().contains("\"six\""), "{err}");
    let short = csv(3600, 5).replace(",3,6\n", ",3\n");
    assert!(
        TimeTable::parse_csv(&short).unwrap_err().to_string().contains("1 values but the header names 2")
    );
}

#[test]
fn seasonal_naive_on_a_purely_periodic_series_has_zero_error_over_every_window() {
    let period = 24;
    let z: Vec<f64> = (0..400).map(|i| ((i % period) as f64).sin()).collect();
    let totals = seasonal_naive_errors(&[&z], 100..300, 48, period);
    assert_eq!(totals.count(), 200 * 48);
    assert!(totals.mse() < 1e-24 && totals.mae() < 1e-12);
}
