//! Mergeable profiles: a day's profile merged from its batches agrees with a scan of the whole day —
//! exactly for counts, min, max, sums and means; to rounding for the standard deviation; within the KLL
//! sketch's error for quantiles. Also: a profile written to JSON reads back identical.

mod support;

use proptest::prelude::*;
use support::{float_batch, text_batch};
use twinpipe_quality::DataProfile;

/// One cell of a mixed text column.
fn cell() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        2 => Just(None),
        4 => (-1000i64..1000).prop_map(|v| Some(v.to_string())),
        4 => (-1e6f64..1e6).prop_map(|v| Some(format!("{v}"))),
        2 => prop::sample::select(vec!["RUN", "IDLE", "FAULT", "true", "false", "NaN", " 5", "- 6", "1e5"])
            .prop_map(|s| Some(s.to_owned())),
    ]
}

fn batch_of(cells: &[Option<String>], other: &[Option<String>]) -> arrow_array::RecordBatch {
    text_batch(&[
        ("mixed", cells.iter().map(|c| c.as_deref()).collect()),
        ("other", other.iter().map(|c| c.as_deref()).collect()),
    ])
}

fn assert_agree(merged: &DataProfile, whole: &DataProfile) {
    assert_eq!(merged.item_count, whole.item_count);
    assert_eq!(merged.columns.len(), whole.columns.len());
    for (m, w) in merged.columns.iter().zip(&whole.columns) {
        let (m, w) = (&m.profile, &w.profile);
        assert_eq!(m.types, w.types);
        assert_eq!(m.numeric.count, w.numeric.count);
        assert_eq!(m.numeric.min.0.to_bits(), w.numeric.min.0.to_bits());
        assert_eq!(m.numeric.max.0.to_bits(), w.numeric.max.0.to_bits());
        assert_eq!(m.numeric.sum.value().to_bits(), w.numeric.sum.value().to_bits(), "exact sums");
        assert_eq!(m.numeric.mean().to_bits(), w.numeric.mean().to_bits());
        let (sm, sw) = (m.numeric.std_dev(), w.numeric.std_dev());
        assert!(sm.is_nan() && sw.is_nan() || (sm - sw).abs() <= 1e-9 * sw.abs().max(1.0), "{sm} vs {sw}");
        assert_eq!(m.values, w.values);
        assert_eq!(m.values.distinct_count(), w.values.distinct_count());
        assert_eq!(m.sketch.count(), w.sketch.count());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn merged_batch_profiles_equal_the_profile_of_the_whole(
        cells in prop::collection::vec(cell(), 0..300),
        other in prop::collection::vec(cell(), 0..300),
        cut in 0.0f64..1.0,
    ) {
        let n = cells.len().min(other.len());
        let (cells, other) = (&cells[..n], &other[..n]);
        let at = (cut * n as f64) as usize;
        let whole = DataProfile::from_batch(&batch_of(cells, other)).unwrap();
        let mut merged = DataProfile::from_batch(&batch_of(&cells[..at], &other[..at])).unwrap();
        merged.merge(&DataProfile::from_batch(&batch_of(&cells[at..], &other[at..])).unwrap());
        assert_agree(&merged, &whole);
        // Up to 2 050 values the sketch is exact, so the ranks agree exactly as well.
        let (m, w) = (&merged.columns[0].profile.sketch.ranked(), &whole.columns[0].profile.sketch.ranked());
        prop_assert_eq!(m, w);
    }

    #[test]
    fn merge_is_associative_and_json_round_trips(
        cells in prop::collection::vec(cell(), 3..200),
    ) {
        let third = cells.len() / 3;
        let parts: Vec<DataProfile> = cells
            .chunks(third.max(1))
            .map(|c| DataProfile::from_batch(&batch_of(c, c)).unwrap())
            .collect();
        let mut left = parts[0].clone();
        parts[1..].iter().for_each(|p| left.merge(p));
        let mut right_tail = parts[parts.len() - 1].clone();
        for p in parts[1..parts.len() - 1].iter().rev() {
            let mut q = p.clone();
            q.merge(&right_tail);
            right_tail = q;
        }
        let mut right = parts[0].clone();
        right.merge(&right_tail);
        assert_agree(&left, &right);
        let back = DataProfile::from_json(&left.to_json()).unwrap();
        prop_assert_eq!(back, left);
    }

}

proptest! {
    // Up to 60 000 values per case: fewer cases keep the debug-build test quick.
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn merged_quantiles_stay_within_sketch_error_on_large_columns(
        seed in any::<u64>(),
        sizes in prop::collection::vec(1usize..12_000, 1..6),
    ) {
        let mut rng = support::Rng(seed);
        let batches: Vec<Vec<f64>> =
            sizes.iter().map(|&n| (0..n).map(|_| rng.normal() * 10.0 + 50.0).collect()).collect();
        let mut merged = DataProfile::default();
        for b in &batches {
            merged.merge(&DataProfile::from_batch(&float_batch("x", b)).unwrap());
        }
        let mut all: Vec<f64> = batches.concat();
        let whole = DataProfile::from_batch(&float_batch("x", &all)).unwrap();
        assert_agree(&merged, &whole);
        all.sort_by(f64::total_cmp);
        let n = all.len() as f64;
        let ranked = merged.columns[0].profile.sketch.ranked();
        for q in 1..10 {
            let value = all[(q as f64 / 10.0 * (n - 1.0)) as usize];
            let true_rank = all.partition_point(|v| *v <= value) as f64;
            let error = (ranked.rank(value) as f64 - true_rank).abs() / n;
            prop_assert!(error <= 0.01, "decile {}: normalised rank error {} over {} values", q, error, n);
        }
    }
}

#[test]
fn a_column_missing_from_one_batch_counts_as_null_there() {
    let a = text_batch(&[("x", vec![Some("1"), Some("2")]), ("y", vec![Some("a"), None])]);
    let b = text_batch(&[("x", vec![Some("3")])]);
    let mut merged = DataProfile::from_batch(&a).unwrap();
    merged.merge(&DataProfile::from_batch(&b).unwrap());
    let y = merged.column("y").unwrap();
    assert_eq!((y.types.present(), y.types.unknown), (1, 2));
    assert_eq!(merged.item_count, 3);
}
