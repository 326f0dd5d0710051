//! The linear forecaster: what it learns, what its intervals cover, and its artefact.

use proptest::prelude::*;
use twinpipe_forecast::ett::score_test;
use twinpipe_forecast::{ForecastError, ForecasterConfig, LinearForecaster};

/// A daily cycle plus a slow wave plus seeded noise (a small LCG keeps the test free of RNG crates).
fn series(rows: usize, period: usize, noise: f64, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..rows)
        .map(|i| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let t = i as f64;
            20.0 + 5.0 * (t * std::f64::consts::TAU / period as f64).sin()
                + 2.0 * (t / 500.0).sin()
                + noise * u
        })
        .collect()
}

fn config(horizon: usize, lookback: usize) -> ForecasterConfig {
    ForecasterConfig { lookbacks: vec![lookback], ..ForecasterConfig::for_horizon(horizon) }
}

#[test]
fn a_noiseless_periodic_series_is_forecast_almost_exactly() {
    let s = series(2000, 24, 0.0, 1);
    let model = LinearForecaster::fit(vec!["s".into()], &[&s], 0..1200, 1200..1600, &config(24, 72)).unwrap();
    let scores = score_test(&model, &[&s], 1600..1977).unwrap();
    assert!(scores.errors.mse() < 1e-3, "test MSE {}", scores.errors.mse());
    assert!(model.report().validation_mse < 1e-3);
}

#[test]
fn fit_report_counts_every_stride_one_window_per_channel() {
    let (a, b) = (series(1500, 24, 1.0, 2), series(1500, 24, 1.0, 3));
    let model =
        LinearForecaster::fit(vec!["a".into(), "b".into()], &[&a, &b], 0..1000, 1000..1300, &config(12, 48))
            .unwrap();
    let r = model.report();
    assert_eq!(r.train_windows, 2 * (1000 - 48 - 12 + 1));
    assert_eq!(r.validation_windows, 2 * (300 - 12 + 1));
    assert_eq!(r.candidates.len(), ForecasterConfig::for_horizon(12).ridges.len());
    let best = r.candidates.iter().map(|c| c.2).fold(f64::INFINITY, f64::min);
    assert!(r.candidates.iter().any(|c| c.1 == model.ridge() && c.2 == best));
}

#[test]
fn the_look_back_with_the_lowest_validation_loss_is_chosen() {
    // A period of 48 cannot be seen by a 12-row look-back, so validation must prefer 96.
    let s = series(3000, 48, 0.5, 4);
    let cfg = ForecasterConfig { lookbacks: vec![12, 96], ..ForecasterConfig::for_horizon(24) };
    let model = LinearForecaster::fit(vec!["s".into()], &[&s], 0..2000, 2000..2500, &cfg).unwrap();
    assert_eq!(model.lookback(), 96);
}

#[test]
fn intervals_cover_close_to_the_nominal_share_on_held_out_data() {
    let s = series(6000, 24, 3.0, 5);
    let model = LinearForecaster::fit(vec!["s".into()], &[&s], 0..3000, 3000..4500, &config(24, 96)).unwrap();
    let scores = score_test(&model, &[&s], 4500..5977).unwrap();
    assert!((scores.coverage_split - 0.9).abs() < 0.05, "split-conformal coverage {}", scores.coverage_split);
    assert!((scores.coverage_adaptive - 0.9).abs() < 0.05, "adaptive coverage {}", scores.coverage_adaptive);
}

#[test]
fn a_forecast_comes_in_original_units_with_ordered_intervals() {
    let s = series(2000, 24, 1.0, 6);
    let model =
        LinearForecaster::fit(vec!["temp".into()], &[&s], 0..1200, 1200..1600, &config(24, 48)).unwrap();
    let f = model.forecast(&[&s[..1600]]).unwrap();
    assert_eq!(f.mean[0].len(), 24);
    for h in 0..24 {
        assert!(f.lower[0][h] < f.mean[0][h] && f.mean[0][h] < f.upper[0][h]);
        assert!((f.mean[0][h] - s[1600 + h]).abs() < 3.0, "step {h}: {} vs {}", f.mean[0][h], s[1600 + h]);
    }
    let short = model.forecast(&[&s[..10]]).unwrap_err();
    assert!(short.to_string().contains("needs the last 48"), "{short}");
    let wrong = model.forecast(&[&s, &s]).unwrap_err();
    assert!(wrong.to_string().contains("temp"), "{wrong}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    /// Last-value normalisation: adding a constant to the input window adds it to every forecast step.
    #[test]
    fn shifting_the_history_shifts_the_forecast_by_the_same_amount(shift in -50.0f64..50.0) {
        let s = series(1200, 24, 1.0, 7);
        let model = LinearForecaster::fit(vec!["s".into()], &[&s], 0..700, 700..1000, &config(12, 48)).unwrap();
        let shifted: Vec<f64> = s[..1000].iter().map(|v| v + shift).collect();
        let (a, b) = (model.forecast(&[&s[..1000]]).unwrap(), model.forecast(&[&shifted]).unwrap());
        for h in 0..12 {
            prop_assert!((b.mean[0][h] - a.mean[0][h] - shift).abs() < 1e-8);
        }
    }
}

#[test]
fn same_data_gives_byte_identical_artefacts_that_round_trip() {
    let s = series(1500, 24, 1.0, 8);
    let fit = || LinearForecaster::fit(vec!["s".into()], &[&s], 0..900, 900..1200, &config(12, 48)).unwrap();
    let (a, b) = (fit(), fit());
    let bytes = a.to_bytes();
    assert_eq!(bytes, b.to_bytes());
    let back = LinearForecaster::from_bytes(&bytes).unwrap();
    assert_eq!(back, a);
    assert_eq!(back.forecast(&[&s]).unwrap(), a.forecast(&[&s]).unwrap());
    assert_eq!(a.summary().lookback, 48);
    assert_eq!(a.summary().validation_mse, a.report().validation_mse);
}

#[test]
fn corrupt_truncated_foreign_and_future_artefacts_are_rejected_with_the_reason() {
    let s = series(1500, 24, 1.0, 9);
    let bytes = LinearForecaster::fit(vec!["s".into()], &[&s], 0..900, 900..1200, &config(12, 48))
        .unwrap()
        .to_bytes();
    let message = |b: &[u8]| match LinearForecaster::from_bytes(b) {
        Err(ForecastError::Artefact(m)) => m,
        other => panic!("expected an artefact error, got {other:?}"),
    };
    let mut flipped = bytes.clone();
    flipped[100] ^= 0x40;
    assert!(message(&flipped).contains("checksum"));
    assert!(message(&bytes[..bytes.len() - 10]).contains("checksum"));
    assert!(message(b"PK\x03\x04 a zip file, not a model, long enough to be checked").contains("magic"));
    let mut future = bytes;
    future[8] = 2;
    assert!(message(&future).contains("format version 2"));
}

#[test]
fn invalid_configurations_say_which_value_to_change() {
    let s = series(500, 24, 1.0, 10);
    let bad = ForecasterConfig { ridges: vec![0.0], ..config(12, 24) };
    let err = LinearForecaster::fit(vec!["s".into()], &[&s], 0..300, 300..400, &bad).unwrap_err();
    assert!(err.to_string().contains("ridges"), "{err}");
    let err = LinearForecaster::fit(vec!["s".into()], &[&s], 0..30, 300..400, &config(12, 24)).unwrap_err();
    assert!(err.to_string().contains("training with look-back 24"), "{err}");
    let mut holed = s.clone();
    holed[42] = f64::NAN;
    let err =
        LinearForecaster::fit(vec!["s".into()], &[&holed], 0..300, 300..400, &config(12, 24)).unwrap_err();
    assert!(matches!(err, ForecastError::NonFinite { row: 42, .. }), "{err}");
}
