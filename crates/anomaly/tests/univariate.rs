//! The univariate detector's guarantees: scores in [0, 1), strict causality, seamless continuation
//! across saved states, one alarm per event, and a clear error for a bad configuration.

use proptest::prelude::*;
use twinpipe_anomaly::{AnomalyError, UnivariateConfig, UnivariateDetector};

/// A daily-cycle series with noise from a tiny deterministic generator, and an optional spike.
fn series(rows: usize, seed: u64, spike_at: Option<usize>) -> Vec<(i64, f64)> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..rows)
        .map(|t| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let noise = ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 4.0;
            let daily = 20.0 * (t as f64 * std::f64::consts::TAU / 288.0).sin();
            let spike = if Some(t) == spike_at { 120.0 } else { 0.0 };
            (t as i64 * 300_000, 50.0 + daily + noise + spike)
        })
        .collect()
}

fn score_all(detector: &mut UnivariateDetector, rows: &[(i64, f64)]) -> Vec<f64> {
    rows.iter().map(|(t, v)| detector.update(*t, *v)).collect()
}

fn save_restore(detector: &UnivariateDetector) -> UnivariateDetector {
    serde_json::from_str(&serde_json::to_string(detector).unwrap()).unwrap()
}

#[test]
fn a_spike_far_outside_the_learned_cycle_scores_high_and_is_not_repeated() {
    let rows = series(3000, 7, Some(2500));
    let scores = score_all(&mut UnivariateDetector::default(), &rows);
    assert!(scores[2500] > 0.5, "spike scored {}", scores[2500]);
    // Each measure alarms at most once for the event (the jump back, the pattern holding the spike);
    // the records the spike set keep the following rows quiet.
    let echoes = scores[2501..2700].iter().filter(|s| **s > 0.25).count();
    assert!(echoes <= 2, "{echoes} echoes of one spike");
    assert!(scores[2520..2700].iter().all(|s| *s < 0.25));
}

#[test]
fn the_learned_daily_cycle_raises_no_high_scores() {
    let rows = series(4000, 3, None);
    let scores = score_all(&mut UnivariateDetector::default().with_range_hint(20.0, 80.0).unwrap(), &rows);
    let late_max = scores[2000..].iter().copied().fold(0.0, f64::max);
    assert!(late_max < 0.5, "a repeating cycle with noise should not look anomalous: max {late_max}");
}

#[test]
fn a_constant_series_never_scores() {
    let mut detector = UnivariateDetector::default();
    assert!((0..1000).all(|t| detector.update(t, 4.0) == 0.0));
}

#[test]
fn non_finite_values_score_zero_and_change_nothing() {
    let mut detector = UnivariateDetector::default();
    score_all(&mut detector, &series(300, 1, None));
    let before = detector.clone();
    assert_eq!(detector.update(1, f64::NAN), 0.0);
    assert_eq!(detector.update(2, f64::INFINITY), 0.0);
    assert_eq!(detector, before);
}

#[test]
fn a_bad_configuration_or_hint_names_what_to_fix() {
    let err = UnivariateDetector::new(UnivariateConfig { block_rows: 0, ..Default::default() }).unwrap_err();
    assert!(matches!(err, AnomalyError::InvalidConfig { field: "block_rows", .. }), "{err}");
    let err = UnivariateDetector::default().with_range_hint(5.0, 1.0).unwrap_err();
    assert!(err.to_string().contains("min <= max"), "{err}");
}

#[test]
fn the_state_remembers_where_it_ended() {
    let mut detector = UnivariateDetector::default();
    score_all(&mut detector, &series(10, 1, None));
    assert_eq!((detector.rows(), detector.last_timestamp_ms()), (10, Some(9 * 300_000)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Chunking a series into batches, with the state saved and restored between them, gives
    /// bit-identical scores to one pass.
    #[test]
    fn batches_with_saved_state_score_like_one_pass(
        seed in any::<u64>(),
        spike in proptest::option::of(100usize..1500),
        cuts in proptest::collection::vec(1usize..1500, 0..6),
        hint in any::<bool>(),
    ) {
        let rows = series(1500, seed, spike);
        let fresh = || {
            let d = UnivariateDetector::default();
            if hint { d.with_range_hint(0.0, 200.0).unwrap() } else { d }
        };
        let one_pass = score_all(&mut fresh(), &rows);
        let mut cuts = cuts;
        cuts.sort_unstable();
        cuts.dedup();
        let mut detector = fresh();
        let mut chunked = Vec::new();
        let mut start = 0;
        for end in cuts.into_iter().chain([rows.len()]) {
            chunked.extend(score_all(&mut detector, &rows[start..end]));
            detector = save_restore(&detector);
            start = end;
        }
        let to_bits = |v: &[f64]| v.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(to_bits(&one_pass), to_bits(&chunked));
    }

    /// Scores stay in [0, 1) and the score of row t does not depend on rows after t.
    #[test]
    fn scores_are_bounded_and_causal(
        values in proptest::collection::vec(-1e6f64..1e6, 1..400),
        future in proptest::collection::vec(-1e6f64..1e6, 0..50),
    ) {
        let mut detector = UnivariateDetector::default();
        let prefix: Vec<f64> = values.iter().enumerate().map(|(t, v)| detector.update(t as i64, *v)).collect();
        prop_assert!(prefix.iter().all(|s| (0.0..1.0).contains(s)));
        let mut longer = UnivariateDetector::default();
        let all: Vec<f64> = values.iter().chain(&future).enumerate().map(|(t, v)| longer.update(t as i64, *v)).collect();
        prop_assert_eq!(&all[..prefix.len()], &prefix[..]);
    }
}
