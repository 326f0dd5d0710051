//! NAB's scoring rules on small hand-made files, and the optimiser checked against brute force.

use proptest::prelude::*;
use twinpipe_nab::{
    FileLabels, PROFILES, Profile, REWARD_LOW_FN_RATE, STANDARD, Window, optimise_threshold,
    probationary_length, row_weights, score_file,
};

fn one_window(rows: usize, start: usize, end: usize) -> FileLabels {
    FileLabels { name: "f.csv".into(), rows, windows: vec![Window { start, end }] }
}

#[test]
fn probation_is_15_percent_capped_at_750_rows() {
    assert_eq!(probationary_length(4032), 604);
    assert_eq!(probationary_length(100), 15);
    assert_eq!(probationary_length(22695), 750);
}

#[test]
fn a_window_pays_most_at_its_first_row_and_false_alarms_cost_less_just_after_it() {
    let labels = one_window(1000, 400, 499);
    let weights = row_weights(&labels, &STANDARD);
    let p = probationary_length(1000);
    let at = |row: usize| weights[row - p];
    assert!((at(400).weight - STANDARD.tp_weight).abs() < 1e-12, "first row earns exactly A_TP");
    assert!(at(450).weight < at(400).weight && at(499).weight > 0.0 && at(499).weight < 0.1);
    assert_eq!((at(400).window, at(500).window), (Some(0), None));
    assert_eq!(at(200).weight, -STANDARD.fp_weight, "before any window a false alarm costs A_FP");
    assert!(at(500).weight > -0.01, "just after the window a false alarm is nearly free");
    assert_eq!(at(499 + 3 * 99).weight, -STANDARD.fp_weight, "three widths on it costs A_FP again");
}

#[test]
fn a_missed_window_costs_a_fn_and_every_false_alarm_row_counts() {
    let labels = one_window(1000, 400, 499);
    let mut scores = vec![0.0; 1000];
    scores[200] = 0.9;
    scores[201] = 0.9;
    scores[10] = 0.9; // in the probationary period: ignored
    let at = score_file(&labels, &scores, &REWARD_LOW_FN_RATE, 0.5).unwrap();
    let expected = -REWARD_LOW_FN_RATE.fn_weight - 2.0 * REWARD_LOW_FN_RATE.fp_weight;
    assert!((at.score - expected).abs() < 1e-12);
    assert_eq!((at.counts.tp, at.counts.fp, at.counts.fn_), (0, 2, 100));
    assert_eq!(at.counts.total(), 1000 - probationary_length(1000));
}

#[test]
fn the_earliest_detection_in_a_window_is_the_one_that_counts() {
    let labels = one_window(1000, 400, 499);
    let mut scores = vec![0.0; 1000];
    scores[480] = 0.9;
    let late = score_file(&labels, &scores, &STANDARD, 0.5).unwrap().score;
    scores[410] = 0.9;
    let early = score_file(&labels, &scores, &STANDARD, 0.5).unwrap().score;
    assert!(early > late && early > 0.9);
}

#[test]
fn scores_of_the_wrong_length_or_with_nan_are_refused() {
    let labels = one_window(100, 40, 49);
    let err = score_file(&labels, &[0.0; 99], &STANDARD, 0.5).unwrap_err();
    assert!(err.to_string().contains("99 anomaly scores for 100 rows"), "{err}");
    let mut scores = vec![0.0; 100];
    scores[7] = f64::NAN;
    assert!(optimise_threshold(&[(&labels, &scores)], &STANDARD).unwrap_err().to_string().contains("row 7"));
}

#[test]
fn the_null_detector_scores_zero_and_the_perfect_one_a_hundred() {
    let labels = one_window(1000, 400, 499);
    let null = optimise_threshold(&[(&labels, &[0.5; 1000])], &STANDARD).unwrap();
    assert_eq!((null.threshold, null.normalized_score), (1.1, 0.0));
    let mut perfect = vec![0.0; 1000];
    perfect[400] = 1.0;
    assert_eq!(optimise_threshold(&[(&labels, &perfect)], &STANDARD).unwrap().normalized_score, 100.0);
}

fn arbitrary_file() -> impl Strategy<Value = (FileLabels, Vec<f64>)> {
    (60usize..300).prop_flat_map(|rows| {
        let windows = proptest::collection::vec((0usize..rows, 2usize..20), 0..3).prop_map(move |raw| {
            let mut windows: Vec<Window> = Vec::new();
            let mut starts: Vec<_> = raw.into_iter().collect();
            starts.sort_unstable();
            for (start, width) in starts {
                let start = start.max(windows.last().map_or(0, |w| w.end + 2)).max(probationary_length(rows));
                let end = (start + width).min(rows - 1);
                if start + 1 < end {
                    windows.push(Window { start, end });
                }
            }
            windows
        });
        let scores = proptest::collection::vec(prop_oneof![Just(0.0), 0.0f64..1.0, Just(0.5)], rows);
        (windows, scores)
            .prop_map(move |(windows, scores)| (FileLabels { name: "p.csv".into(), rows, windows }, scores))
    })
}

fn corpus_score_at(files: &[(FileLabels, Vec<f64>)], profile: &Profile, threshold: f64) -> f64 {
    files.iter().map(|(l, s)| score_file(l, s, profile, threshold).unwrap().score).sum()
}

proptest! {
    /// The sweep's optimum is what scoring every file at that threshold gives, no candidate threshold
    /// does better, and every higher candidate does strictly worse (ties go to the highest threshold).
    #[test]
    fn the_sweep_finds_the_best_and_highest_threshold(files in proptest::collection::vec(arbitrary_file(), 1..4)) {
        let refs: Vec<_> = files.iter().map(|(l, s)| (l, s.as_slice())).collect();
        for profile in PROFILES {
            let best = optimise_threshold(&refs, &profile).unwrap();
            prop_assert!((corpus_score_at(&files, &profile, best.threshold) - best.raw_score).abs() < 1e-9);
            let mut candidates: Vec<f64> = files.iter().flat_map(|(l, s)| s[probationary_length(l.rows)..].to_vec()).collect();
            candidates.push(1.1);
            for c in candidates {
                let at = corpus_score_at(&files, &profile, c);
                prop_assert!(at <= best.raw_score + 1e-9, "threshold {} scores {} > {}", c, at, best.raw_score);
                if c > best.threshold {
                    prop_assert!(at < best.raw_score + 1e-9);
                }
            }
        }
    }
}
