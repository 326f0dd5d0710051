//! The protocol and the forecaster on the real ETTh1 file (`../shared/data/ett/ETTh1.csv`, beside the
//! repository), checked against figures published for it.

use twinpipe_forecast::ett::{EttSplit, score_test, seasonal_naive_errors};
use twinpipe_forecast::{ForecasterConfig, LinearForecaster, TimeTable, ZScore};

fn etth1() -> TimeTable {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/ett/ETTh1.csv");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e} (shared/ must sit beside the repo)"));
    TimeTable::parse_csv(&text).unwrap()
}

#[test]
fn seasonal_naive_reproduces_the_data_readmes_multivariate_figures() {
    // shared/data/ett/README.md, "Simple baselines recomputed with this exact protocol": 0.512 / 0.433 at
    // H = 96 and 0.655 / 0.514 at H = 720. Matching them checks borders, normalisation and window count.
    let table = etth1();
    let split = EttSplit::for_interval(table.interval_secs()).unwrap();
    let raw: Vec<&[f64]> = (0..7).map(|c| table.column(c)).collect();
    let scaler = ZScore::fit(&raw, split.train.clone());
    let z: Vec<Vec<f64>> = (0..7).map(|c| scaler.normalise(c, raw[c])).collect();
    let z: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
    for (h, mse, mae) in [(96, 0.512, 0.433), (720, 0.655, 0.514)] {
        let totals = seasonal_naive_errors(&z, split.test_origins(h), h, split.rows_per_day);
        assert_eq!(totals.count(), 7 * (2881 - h) * h);
        assert!((totals.mse() - mse).abs() < 5e-4 && (totals.mae() - mae).abs() < 5e-4, "H={h}: {totals:?}");
    }
}

#[test]
fn univariate_ot_at_horizon_96_beats_the_published_patchtst_figures() {
    let table = etth1();
    let split = EttSplit::for_interval(table.interval_secs()).unwrap();
    let ot = table.column(table.column_indices(&["OT"]).unwrap()[0]);
    let model = LinearForecaster::fit(
        vec!["OT".into()],
        &[ot],
        split.train.clone(),
        split.validation.clone(),
        &ForecasterConfig::for_horizon(96),
    )
    .unwrap();
    let scores = score_test(&model, &[ot], split.test_origins(96)).unwrap();
    // PatchTST/42: 0.055 / 0.179.
    assert!(scores.errors.mse() <= 0.055 && scores.errors.mae() <= 0.179, "{:?}", scores.errors);
    assert!((scores.coverage_adaptive - 0.9).abs() <= 0.05, "adaptive coverage {}", scores.coverage_adaptive);
}
