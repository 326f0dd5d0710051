//! The per-asset detector: a broken correlation is flagged and explained, per-sensor anomalies show
//! through, rows of the wrong shape are refused, and saved states continue seamlessly.

use proptest::prelude::*;
use twinpipe_anomaly::{AnomalyError, AssetConfig, AssetDetector};

/// Flow and current of a pump that track each other, with small deterministic noise.
fn pump_rows(rows: usize, seed: u64) -> Vec<[f64; 3]> {
    let mut state = seed | 1;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 10_000) as f64 / 10_000.0 - 0.5
    };
    (0..rows)
        .map(|t| {
            let load = 50.0 + 30.0 * (t as f64 / 40.0).sin();
            [load + noise(), 0.2 * load + 0.1 * noise(), 60.0 + noise()]
        })
        .collect()
}

fn detector() -> AssetDetector {
    let sensors = ["flow", "current", "temperature"].map(String::from).to_vec();
    AssetDetector::new(sensors, AssetConfig::default()).unwrap()
}

#[test]
fn a_broken_correlation_is_flagged_and_explained_by_the_sensors_involved() {
    let mut asset = detector();
    let rows = pump_rows(3000, 11);
    for (t, row) in rows.iter().enumerate() {
        assert!(asset.update(t as i64, row).unwrap().score < 1.0);
    }
    // Full current at low flow: each value lies inside its usual range, the combination does not.
    let score = asset.update(3000, &[25.0, 15.5, 60.0]).unwrap();
    assert!(score.joint_score > 0.5, "joint score {}", score.joint_score);
    let explanation = score.explanation.expect("a flagged row is explained");
    assert_eq!(explanation.driver, "joint");
    let top = &explanation.contributions[0];
    assert!(["flow", "current"].contains(&top.sensor.as_str()), "{explanation:?}");
    assert!(top.share > 0.4, "{explanation:?}");
    let shares: f64 = explanation.contributions.iter().map(|c| c.share).sum();
    assert!((shares - 1.0).abs() < 1e-9);
    let current = explanation.contributions.iter().find(|c| c.sensor == "current").unwrap();
    assert_eq!(current.observed, 15.5);
    assert!((current.expected - 10.0).abs() < 3.0, "expected current near its mean: {current:?}");
}

#[test]
fn only_record_breaking_rows_carry_an_explanation() {
    let mut asset = detector();
    let scores: Vec<_> =
        pump_rows(500, 5).iter().enumerate().map(|(t, r)| asset.update(t as i64, r).unwrap()).collect();
    assert!(scores.iter().all(|s| s.explanation.is_some() == (s.score > 0.0)));
    assert!(scores.iter().filter(|s| s.score == 0.0).count() > 400, "ordinary rows score 0");
}

#[test]
fn rows_of_the_wrong_shape_or_with_nan_are_refused() {
    let mut asset = detector();
    let err = asset.update(0, &[1.0, 2.0]).unwrap_err();
    assert!(matches!(err, AnomalyError::SensorCount { expected: 3, got: 2, .. }), "{err}");
    let err = asset.update(0, &[1.0, f64::NAN, 3.0]).unwrap_err();
    assert!(err.to_string().contains("sensor current"), "{err}");
    assert!(matches!(AssetDetector::new(vec![], AssetConfig::default()), Err(AnomalyError::NoSensors)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Chunking an asset's rows into batches with a state save/restore between them gives bit-identical
    /// scores and explanations to one pass.
    #[test]
    fn batches_with_saved_state_score_like_one_pass(
        seed in any::<u64>(),
        cuts in proptest::collection::vec(1usize..800, 0..5),
    ) {
        let rows = pump_rows(800, seed);
        let mut one = detector();
        let one_pass: Vec<_> = rows.iter().enumerate().map(|(t, r)| one.update(t as i64, r).unwrap()).collect();
        let mut cuts = cuts;
        cuts.sort_unstable();
        cuts.dedup();
        let mut asset = detector();
        let mut chunked = Vec::new();
        let mut start = 0;
        for end in cuts.into_iter().chain([rows.len()]) {
            for (t, row) in rows.iter().enumerate().take(end).skip(start) {
                chunked.push(asset.update(t as i64, row).unwrap());
            }
            asset = serde_json::from_str(&serde_json::to_string(&asset).unwrap()).unwrap();
            start = end;
        }
        let bits = |v: &[twinpipe_anomaly::AssetScore]| {
            v.iter().map(|s| (s.score.to_bits(), s.joint_score.to_bits())).collect::<Vec<_>>()
        };
        prop_assert_eq!(bits(&one_pass), bits(&chunked));
        prop_assert_eq!(one_pass, chunked);
    }
}
