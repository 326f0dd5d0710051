//! The data-quality checks as a user meets them: every check type, every setting of constraints.json
//! honoured, drift verdicts that neither fire on negligible differences in large samples nor on noise in
//! small ones, and bad input (empty windows, all-missing columns, NaN/inf, 1-row datasets).

mod support;

use support::{Rng, float_batch, text_batch};
use twinpipe_quality::check::{DriftVerdict, check_type};
use twinpipe_quality::{
    ConstraintViolations, Constraints, DataProfile, Statistics, StatisticsOptions, check, suggest_constraints,
};

fn baseline_of(batch: &arrow_array::RecordBatch) -> (Constraints, Statistics) {
    let p = DataProfile::from_batch(batch).unwrap();
    (suggest_constraints(&p), Statistics::from_profile(&p, StatisticsOptions::default()))
}

fn run(
    batch: &arrow_array::RecordBatch,
    constraints: &Constraints,
    stats: &Statistics,
) -> ConstraintViolations {
    check(&DataProfile::from_batch(batch).unwrap(), constraints, stats)
}

fn checks_of(v: &ConstraintViolations) -> Vec<(String, String)> {
    v.violations.iter().map(|v| (v.constraint_check_type.clone(), v.feature_name.clone())).collect()
}

fn edit(c: &Constraints, f: impl FnOnce(&mut serde_json::Value)) -> Constraints {
    let mut json: serde_json::Value = serde_json::from_str(&c.to_json_pretty()).unwrap();
    f(&mut json);
    Constraints::from_json(json.to_string().as_bytes()).unwrap()
}

fn numbers(name: &str, values: impl Iterator<Item = f64>) -> arrow_array::RecordBatch {
    float_batch(name, &values.collect::<Vec<_>>())
}

#[test]
fn a_clean_window_has_no_violation() {
    let mut rng = Rng(1);
    let base = numbers("x", (0..2000).map(|_| rng.normal()));
    let (c, s) = baseline_of(&base);
    let cur = numbers("x", (0..2000).map(|_| rng.normal()));
    let v = run(&cur, &c, &s);
    assert!(v.is_clean(), "{}", v.to_json_pretty());
    assert_eq!(v.extensions.unwrap().drift[0].verdict, DriftVerdict::NoDrift);
}

#[test]
fn data_type_check_states_the_measured_fraction_and_honours_the_threshold() {
    let cells =
        |bad: usize| (0..100).map(move |i| if i < bad { Some("n/a") } else { Some("7") }).collect::<Vec<_>>();
    let (c, s) = baseline_of(&text_batch(&[("rpm", cells(0))]));
    let v = run(&text_batch(&[("rpm", cells(10))]), &c, &s);
    assert_eq!(checks_of(&v), vec![(check_type::DATA_TYPE.into(), "rpm".into())]);
    assert_eq!(
        v.violations[0].description,
        "Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. \
         Observed: Only 90.0% of data is Integral."
    );
    let relaxed = edit(&c, |j| j["monitoring_config"]["datatype_check_threshold"] = 0.85.into());
    assert!(run(&text_batch(&[("rpm", cells(10))]), &relaxed, &s).is_clean());
    let per_feature = edit(&c, |j| {
        j["features"][0]["monitoringConfigOverrides"] = serde_json::json!({"datatype_check_threshold": 0.5})
    });
    assert!(run(&text_batch(&[("rpm", cells(10))]), &per_feature, &s).is_clean());
}

#[test]
fn fractional_constraints_accept_integral_values() {
    let (c, s) = baseline_of(&text_batch(&[("x", vec![Some("1.5"), Some("2.5")])]));
    let v = run(&text_batch(&[("x", vec![Some("2"), Some("3.0")])]), &c, &s);
    assert!(!checks_of(&v).iter().any(|(t, _)| t == check_type::DATA_TYPE));
}

#[test]
fn completeness_uses_the_editable_per_feature_value() {
    let full: Vec<Option<&str>> = (0..200).map(|_| Some("1.0")).collect();
    let holes: Vec<Option<&str>> = (0..200).map(|i| if i % 4 == 0 { None } else { Some("1.0") }).collect();
    let (c, s) = baseline_of(&text_batch(&[("x", full)]));
    let v = run(&text_batch(&[("x", holes.clone())]), &c, &s);
    assert_eq!(checks_of(&v), vec![(check_type::COMPLETENESS.into(), "x".into())]);
    assert!(
        v.violations[0].description.contains("75.0% non-null (150 of 200 rows)"),
        "{}",
        v.violations[0].description
    );
    let edited = edit(&c, |j| j["features"][0]["completeness"] = 0.7.into());
    assert!(run(&text_batch(&[("x", holes)]), &edited, &s).is_clean());
}

#[test]
fn missing_and_extra_columns_are_reported_per_column() {
    let (c, s) = baseline_of(&text_batch(&[("a", vec![Some("1")]), ("b", vec![Some("x")])]));
    let v = run(&text_batch(&[("a", vec![Some("1")]), ("z", vec![Some("y")])]), &c, &s);
    assert_eq!(
        checks_of(&v),
        vec![(check_type::MISSING_COLUMN.into(), "b".into()), (check_type::EXTRA_COLUMN.into(), "z".into())]
    );
    assert!(v.violations[0].description.contains("1 of 2 baseline columns present"));
}

#[test]
fn categorical_values_outside_the_domain_are_counted_and_named() {
    let base: Vec<Option<&str>> = (0..300).map(|i| Some(["RUN", "IDLE", "FAULT"][i % 3])).collect();
    let cur: Vec<Option<&str>> =
        (0..300).map(|i| Some(if i % 10 == 0 { "MAINT" } else { ["RUN", "IDLE", "FAULT"][i % 3] })).collect();
    let (c, s) = baseline_of(&text_batch(&[("state", base)]));
    assert_eq!(c.features[0].string_constraints.as_ref().unwrap().domains, vec!["FAULT", "IDLE", "RUN"]);
    let v = run(&text_batch(&[("state", cur.clone())]), &c, &s);
    let cat =
        v.violations.iter().find(|v| v.constraint_check_type == check_type::CATEGORICAL_VALUES).unwrap();
    assert!(
        cat.description.contains("Observed: 90.0% (30 of 300 values outside; most frequent: 'MAINT' (30))"),
        "{}",
        cat.description
    );
    let relaxed = edit(&c, |j| j["monitoring_config"]["domain_content_threshold"] = 0.85.into());
    assert!(
        !checks_of(&run(&text_batch(&[("state", cur)]), &relaxed, &s))
            .iter()
            .any(|(t, _)| t == check_type::CATEGORICAL_VALUES)
    );
}

#[test]
fn numeric_drift_fires_on_a_real_shift_with_both_methods() {
    let mut rng = Rng(2);
    let (c, s) = baseline_of(&numbers("t", (0..3000).map(|_| rng.normal())));
    let shifted = numbers("t", (0..3000).map(|_| rng.normal() + 0.8));
    let robust = run(&shifted, &c, &s);
    assert_eq!(checks_of(&robust), vec![(check_type::BASELINE_DRIFT.into(), "t".into())]);
    assert!(
        robust.violations[0].description.starts_with("Numerical distance: 0.2"),
        "{}",
        robust.violations[0].description
    );
    let simple = edit(&c, |j| {
        j["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Simple".into()
    });
    let v = run(&shifted, &simple, &s);
    let report = &v.extensions.as_ref().unwrap().drift[0];
    assert_eq!(report.method, "Simple");
    assert_eq!(report.distance, report.linf_simple);
    assert!(report.linf_simple.0 > report.linf_robust.0);
    let off = edit(&c, |j| {
        j["monitoring_config"]["distribution_constraints"]["perform_comparison"] = "Disabled".into()
    });
    assert!(run(&shifted, &off, &s).is_clean());
    let disabled = edit(&c, |j| j["monitoring_config"]["evaluate_constraints"] = "Disabled".into());
    assert!(run(&shifted, &disabled, &s).violations.is_empty());
}

#[test]
fn a_shift_that_is_only_sampling_noise_at_this_size_is_not_drift() {
    // KS statistic exactly 0.12 > threshold 0.1 in both cases; at n = m = 150 sampling alone produces
    // that (noise floor 0.157 at α = 0.05), at n = m = 1500 it does not (floor 0.050).
    let case = |n: usize| {
        let base = numbers("x", (0..n).map(|i| i as f64));
        let (c, s) = baseline_of(&base);
        let simple = edit(&c, |j| {
            j["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Simple".into()
        });
        let shift = (0.12 * n as f64) as usize;
        (run(&numbers("x", (shift..n + shift).map(|i| i as f64)), &simple, &s), simple, s)
    };
    let (small, constraints, stats) = case(150);
    assert!(small.is_clean());
    assert_eq!(small.extensions.as_ref().unwrap().drift[0].verdict, DriftVerdict::NotSignificant);
    assert!((small.extensions.as_ref().unwrap().drift[0].linf_simple.0 - 0.12).abs() < 1e-12);
    // Model Monitor's plain rule would fire.
    let plain = edit(&constraints, |j| j["extensions"]["drift_decision"]["sample_size_aware"] = false.into());
    let shifted = numbers("x", (18..168).map(|i| i as f64));
    assert!(!run(&shifted, &plain, &stats).is_clean());
    let (large, _, _) = case(1500);
    assert_eq!(checks_of(&large), vec![(check_type::BASELINE_DRIFT.into(), "x".into())]);
}

#[test]
fn small_windows_get_insufficient_data_instead_of_a_verdict() {
    let (c, s) = baseline_of(&numbers("x", (0..1000).map(|i| i as f64)));
    let v = run(&numbers("x", (0..20).map(|i| 5000.0 + i as f64)), &c, &s);
    assert!(v.violations.is_empty());
    let ext = v.extensions.unwrap();
    assert_eq!(ext.drift[0].verdict, DriftVerdict::InsufficientData);
    assert_eq!(ext.notes[0].note, "insufficient_data");
}

#[test]
fn chi_squared_at_large_n_ignores_negligible_differences_but_plain_mode_does_not() {
    let cells = |a: usize, b: usize, c: usize| {
        let mut v = vec![Some("a"); a];
        v.extend(vec![Some("b"); b]);
        v.extend(vec![Some("c"); c]);
        v
    };
    let (c, s) = baseline_of(&text_batch(&[("mode", cells(5000, 3000, 2000))]));
    let chi = edit(&c, |j| {
        j["monitoring_config"]["distribution_constraints"]["categorical_drift_method"] = "ChiSquared".into()
    });
    // χ² = 10 on 2 degrees of freedom: p = e^-5 ≈ 0.0067 < 0.1, but Cohen's w = 0.01.
    let current = text_batch(&[("mode", cells(50_500, 29_700, 19_800))]);
    let v = run(&current, &chi, &s);
    assert!(v.is_clean(), "{}", v.to_json_pretty());
    let report = &v.extensions.as_ref().unwrap().drift[0];
    assert!((report.chi_squared.unwrap().0 - 10.0).abs() < 1e-9);
    assert!((report.distance.0 - (-5.0f64).exp()).abs() < 1e-12);
    assert_eq!(report.verdict, DriftVerdict::NotSignificant);
    let plain = edit(&chi, |j| j["extensions"]["drift_decision"]["sample_size_aware"] = false.into());
    let v = run(&current, &plain, &s);
    assert_eq!(checks_of(&v), vec![(check_type::BASELINE_DRIFT.into(), "mode".into())]);
    assert!(v.violations[0].description.contains("p-value 0.0067"), "{}", v.violations[0].description);
    // A real change in proportions fires either way.
    let moved = text_batch(&[("mode", cells(3000, 3000, 4000))]);
    assert_eq!(checks_of(&run(&moved, &chi, &s)), vec![(check_type::BASELINE_DRIFT.into(), "mode".into())]);
}

#[test]
fn categorical_linf_drift_states_the_distance() {
    let base: Vec<Option<&str>> = (0..1000).map(|i| Some(if i % 2 == 0 { "a" } else { "b" })).collect();
    let cur: Vec<Option<&str>> = (0..1000).map(|i| Some(if i % 5 == 0 { "b" } else { "a" })).collect();
    let (c, s) = baseline_of(&text_batch(&[("m", base)]));
    let v = run(&text_batch(&[("m", cur)]), &c, &s);
    let d = v.violations.iter().find(|v| v.constraint_check_type == check_type::BASELINE_DRIFT).unwrap();
    // Shares 0.8/0.2 against 0.5/0.5: L∞ 0.3, minus the robust correction 1.8·sqrt(2/1000).
    let expected = (0.8f64 - 0.5) - 1.8 * (2000.0f64 / 1_000_000.0).sqrt();
    assert!(d.description.starts_with(&format!("Categorical distance: {expected}")), "{}", d.description);
}

#[test]
fn an_empty_window_violates_nothing_and_says_why() {
    let (c, s) = baseline_of(&text_batch(&[("x", vec![Some("1"), Some("2")])]));
    let v = run(&text_batch(&[("x", vec![])]), &c, &s);
    assert!(v.violations.is_empty());
    let notes = v.extensions.unwrap().notes;
    assert!(notes.iter().any(|n| n.note.starts_with("empty window")), "{notes:?}");
}

#[test]
fn an_all_missing_column_is_unknown_and_incomplete() {
    let (c, s) = baseline_of(&text_batch(&[("x", vec![Some("1"), Some("2")])]));
    let p = DataProfile::from_batch(&text_batch(&[("x", vec![None, None])])).unwrap();
    let stats = Statistics::from_profile(&p, StatisticsOptions::default());
    assert_eq!(stats.features[0].inferred_type.as_str(), "Unknown");
    assert_eq!(stats.features[0].string_statistics.as_ref().unwrap().common.num_missing, 2);
    let v = check(&p, &c, &s);
    assert_eq!(checks_of(&v), vec![(check_type::COMPLETENESS.into(), "x".into())]);
}

#[test]
fn nan_and_infinity_text_are_strings_that_fail_a_numeric_type() {
    let (c, s) = baseline_of(&text_batch(&[("x", vec![Some("1.5"); 10])]));
    let mut cur = vec![Some("2.5"); 8];
    cur.extend([Some("NaN"), Some("1e400")]);
    let p = DataProfile::from_batch(&text_batch(&[("x", cur.clone())])).unwrap();
    assert_eq!(p.columns[0].profile.types.string, 2);
    assert_eq!(
        p.columns[0].profile.numeric.count, 8,
        "NaN and out-of-range numbers stay out of the statistics"
    );
    let v = check(&p, &c, &s);
    assert!(v.violations[0].description.contains("Only 80.0% of data is Fractional"));
    // Non-finite floats in a typed column behave the same.
    let typed = float_batch("x", &[1.0, f64::NAN, f64::INFINITY, 2.0]);
    let p = DataProfile::from_batch(&typed).unwrap();
    assert_eq!((p.columns[0].profile.types.string, p.columns[0].profile.numeric.count), (2, 2));
}

#[test]
fn a_one_row_dataset_baselines_and_checks() {
    let one = text_batch(&[("x", vec![Some("42")]), ("s", vec![Some("RUN")])]);
    let (c, s) = baseline_of(&one);
    let x = s.feature("x").unwrap().numerical_statistics.as_ref().unwrap();
    assert_eq!((x.mean.0, x.std_dev.0, x.min.0, x.max.0), (42.0, 0.0, 42.0, 42.0));
    assert_eq!(x.distribution.kll.buckets.iter().map(|b| b.count.0).sum::<f64>(), 1.0);
    let v = run(&one, &c, &s);
    assert!(v.violations.is_empty());
}

#[test]
fn statistics_read_back_from_json_give_the_same_drift() {
    let mut rng = Rng(3);
    let base = numbers("t", (0..5000).map(|_| rng.normal()));
    let (c, s) = baseline_of(&base);
    let reread = Statistics::from_json(s.to_json_pretty().as_bytes()).unwrap();
    assert_eq!(reread, s);
    let cur = numbers("t", (0..5000).map(|_| rng.normal() * 1.5));
    assert_eq!(run(&cur, &c, &s), run(&cur, &c, &reread));
}
