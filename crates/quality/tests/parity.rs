//! Parity with the reference implementations (quality-monitoring.md §8): the pinned Python script
//! `tests/parity/quality_expected.py` computes, with numpy, scipy and scikit-learn, the column statistics,
//! the KS statistic and p-value, the Wasserstein distance, the χ² test and every model-quality metric on
//! data generated here; the Rust results must match to 1e-9 (relative above magnitude 1), counts, sketch
//! contents and curves exactly.
//!
//! The reference lives in `.venv-parity/` (created by `tests/parity/setup.sh`). Without it the test
//! prints a note and passes on a developer machine, but fails under CI, so CI never skips it silently.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use support::{Rng, float_batch};
use twinpipe_quality::drift::{self, chi_squared};
use twinpipe_quality::kll::{KllSketch, RankedItems};
use twinpipe_quality::model::{ModelQualityConfig, ProblemType, Records, model_statistics};
use twinpipe_quality::{DataProfile, Statistics, StatisticsOptions};

const SEED: u64 = 20_240_601;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The reference's python, or `None` (with a note) when the venv is missing outside CI.
fn reference_python() -> Option<PathBuf> {
    let python = repo_root().join(".venv-parity/bin/python");
    if python.exists() {
        return Some(python);
    }
    let under_ci =
        std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
    assert!(
        !under_ci,
        "CI is set but the parity reference is missing: run tests/parity/setup.sh (creates .venv-parity/ with the \
         pinned numpy, scipy and scikit-learn) before cargo test"
    );
    eprintln!("\n*** NOTE: parity test skipped: no .venv-parity/. Run tests/parity/setup.sh to run it. ***");
    None
}

struct Data {
    baseline: Vec<f64>,
    current: Vec<f64>,
    kll_stream: Vec<f64>,
    cat_baseline: BTreeMap<String, f64>,
    cat_current: BTreeMap<String, f64>,
    reg: (Vec<f64>, Vec<f64>),
    bin: (Vec<bool>, Vec<bool>, Vec<f64>),
    multi: (Vec<String>, Vec<String>),
}

fn generate() -> Data {
    let mut rng = Rng(SEED);
    let round3 = |v: f64| (v * 1000.0).round() / 1000.0;
    let baseline: Vec<f64> = (0..1500).map(|_| round3(rng.normal() * 8.0 + 60.0)).collect();
    let current: Vec<f64> = (0..1200).map(|_| round3(rng.normal() * 9.0 + 62.0)).collect();
    let kll_stream: Vec<f64> = (0..25_000).map(|_| rng.normal() * 3.0).collect();
    let counts = |pairs: &[(&str, f64)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    let cat_baseline =
        counts(&[("RUN", 800.0), ("IDLE", 150.0), ("MAINT", 40.0), ("FAULT", 6.0), ("TEST", 4.0)]);
    let cat_current =
        counts(&[("RUN", 700.0), ("IDLE", 210.0), ("MAINT", 45.0), ("FAULT", 3.0), ("NEW", 20.0)]);
    let y: Vec<f64> = (0..500).map(|_| round3(rng.normal() * 5.0 + 20.0)).collect();
    let yhat: Vec<f64> = y.iter().map(|v| round3(v + rng.normal() * 1.5)).collect();
    let mut actual = Vec::new();
    let mut prob = Vec::new();
    for _ in 0..600 {
        let a = rng.uniform() < 0.3;
        let p = ((if a { 0.62 } else { 0.38 } + rng.normal() * 0.2).clamp(0.0, 1.0) * 100.0).round() / 100.0;
        actual.push(a);
        prob.push(p);
    }
    let predicted: Vec<bool> = prob.iter().map(|p| *p > 0.5).collect();
    let classes = ["c0", "c1", "c2", "c3"];
    let mut mt = Vec::new();
    let mut mp = Vec::new();
    for _ in 0..400 {
        let a = (rng.uniform() * rng.uniform() * 4.0) as usize;
        let p = if rng.uniform() < 0.7 { a } else { (rng.uniform() * 4.0) as usize };
        mt.push(classes[a].to_owned());
        mp.push(classes[p].to_owned());
    }
    Data {
        baseline,
        current,
        kll_stream,
        cat_baseline,
        cat_current,
        reg: (y, yhat),
        bin: (actual, predicted, prob),
        multi: (mt, mp),
    }
}

fn reference(python: &PathBuf, d: &Data) -> Value {
    let input = json!({
        "seed": SEED,
        "numeric": {"baseline": d.baseline, "current": d.current},
        "kll_stream": d.kll_stream,
        "categorical": {"baseline": d.cat_baseline, "current": d.cat_current},
        "regression": {"y": d.reg.0, "yhat": d.reg.1},
        "binary": {"y": d.bin.0.iter().map(|b| u8::from(*b)).collect::<Vec<_>>(),
                   "yhat": d.bin.1.iter().map(|b| u8::from(*b)).collect::<Vec<_>>(), "prob": d.bin.2},
        "multiclass": {"y": d.multi.0, "yhat": d.multi.1},
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.json");
    std::fs::write(&path, input.to_string()).unwrap();
    let out = Command::new(python)
        .arg(repo_root().join("tests/parity/quality_expected.py"))
        .arg(&path)
        .env("OMP_NUM_THREADS", "1")
        .output()
        .expect("run the parity reference");
    assert!(out.status.success(), "reference failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("reference prints JSON")
}

#[track_caller]
fn close(ours: f64, theirs: &Value, what: &str) {
    let theirs = theirs.as_f64().unwrap_or(f64::NAN);
    let tolerance = 1e-9 * theirs.abs().max(1.0);
    assert!(
        (ours.is_nan() && theirs.is_nan()) || (ours - theirs).abs() <= tolerance,
        "{what}: ours {ours}, reference {theirs}"
    );
}

#[test]
fn statistics_distances_and_model_metrics_match_the_reference_implementations() {
    let Some(python) = reference_python() else { return };
    let d = generate();
    let r = reference(&python, &d);
    eprintln!("reference versions: {}", r["versions"]);
    column_statistics_match(&d, &r);
    distances_match(&d, &r);
    kll_levels_match(&d, &r);
    model_metrics_match(&d, &r);
}

fn column_statistics_match(d: &Data, r: &Value) {
    let profile = DataProfile::from_batch(&float_batch("x", &d.baseline)).unwrap();
    let stats = Statistics::from_profile(&profile, StatisticsOptions::default());
    let n = stats.features[0].numerical_statistics.as_ref().unwrap();
    let e = &r["statistics"];
    assert_eq!(n.common.num_present, e["count"].as_u64().unwrap());
    assert_eq!(n.sum.0, e["sum"].as_f64().unwrap(), "exact sums agree bit for bit with math.fsum");
    assert_eq!(n.mean.0, e["mean"].as_f64().unwrap());
    close(n.std_dev.0, &e["std_dev"], "std_dev");
    assert_eq!((n.min.0, n.max.0), (e["min"].as_f64().unwrap(), e["max"].as_f64().unwrap()));
    for (ours, theirs) in n.distribution.kll.buckets.iter().zip(e["buckets"].as_array().unwrap()) {
        assert_eq!(ours.lower_bound.0, theirs[0].as_f64().unwrap());
        assert_eq!(ours.upper_bound.0, theirs[1].as_f64().unwrap());
        assert_eq!(ours.count.0, theirs[2].as_f64().unwrap());
    }
}

fn distances_match(d: &Data, r: &Value) {
    let (b, c) = (RankedItems::from_values(&d.baseline), RankedItems::from_values(&d.current));
    let ks = drift::numeric_linf(&b, &c);
    close(ks, &r["ks_statistic"], "KS statistic (linf_simple on exact sketches)");
    close(
        drift::ks_p_value(ks, d.baseline.len() as f64, d.current.len() as f64),
        &r["ks_p_value_asymptotic"],
        "KS p-value",
    );
    close(drift::wasserstein(&b, &c), &r["wasserstein"], "Wasserstein");
    // The same through sketches of profiles, as the check computes it (≤ 2 050 values: exact).
    let sketch =
        |v: &[f64]| DataProfile::from_batch(&float_batch("x", v)).unwrap().columns[0].profile.sketch.ranked();
    close(
        drift::numeric_linf(&sketch(&d.baseline), &sketch(&d.current)),
        &r["ks_statistic"],
        "KS via sketches",
    );
    close(
        drift::categorical_linf(&d.cat_baseline, &d.cat_current),
        &r["categorical_linf"],
        "categorical L-inf",
    );
    let chi = chi_squared(&d.cat_baseline, &d.cat_current).unwrap();
    close(chi.statistic, &r["chi_squared"]["statistic"], "chi-squared statistic");
    close(chi.p_value, &r["chi_squared"]["p_value"], "chi-squared p-value");
    assert_eq!(chi.degrees_of_freedom as u64, r["chi_squared"]["df"].as_u64().unwrap());
}

fn kll_levels_match(d: &Data, r: &Value) {
    let mut s = KllSketch::default();
    d.kll_stream.iter().for_each(|v| s.insert(*v));
    let theirs: Vec<Vec<f64>> = serde_json::from_value(r["kll_levels"].clone()).unwrap();
    assert_eq!(s.level_items(), theirs, "sketch level contents, item for item");
}

fn scalars_match(block: &twinpipe_quality::model::MetricsBlock, expected: &Value, what: &str) {
    let expected = expected["scalars"].as_object().unwrap();
    assert_eq!(block.scalars.len(), expected.len(), "{what}: metric names {:?}", block.scalars.keys());
    for (name, pair) in expected {
        let ours = block.scalars.get(name).unwrap_or_else(|| panic!("{what}: no metric {name}"));
        close(ours.value.0, &pair[0], &format!("{what} {name}"));
        close(ours.standard_deviation.0, &pair[1], &format!("{what} {name} standard deviation"));
    }
}

fn model_metrics_match(d: &Data, r: &Value) {
    let config = |t| ModelQualityConfig { seed: SEED, ..ModelQualityConfig::new(t) };
    let reg = model_statistics(
        &Records::Regression { actual: d.reg.0.clone(), predicted: d.reg.1.clone() },
        &config(ProblemType::Regression),
    )
    .unwrap();
    scalars_match(reg.regression_metrics.as_ref().unwrap(), &r["regression"], "regression");

    let bin = model_statistics(
        &Records::Binary {
            actual: d.bin.0.clone(),
            predicted: d.bin.1.clone(),
            probability: Some(d.bin.2.clone()),
        },
        &config(ProblemType::BinaryClassification),
    )
    .unwrap();
    let block = bin.binary_classification_metrics.as_ref().unwrap();
    scalars_match(block, &r["binary"], "binary");
    assert_eq!(serde_json::to_value(&block.confusion_matrix).unwrap(), r["binary"]["confusion_matrix"]);
    let roc = block.receiver_operating_characteristic_curve.as_ref().unwrap();
    let pr = block.precision_recall_curve.as_ref().unwrap();
    let curve = |v: &[twinpipe_quality::json_number::JsonF64]| v.iter().map(|x| x.0).collect::<Vec<_>>();
    for (ours, theirs, what) in [
        (curve(&roc.false_positive_rates), &r["binary"]["roc"][0], "ROC FPR"),
        (curve(&roc.true_positive_rates), &r["binary"]["roc"][1], "ROC TPR"),
        (curve(&pr.precisions), &r["binary"]["pr"][0], "PR precision"),
        (curve(&pr.recalls), &r["binary"]["pr"][1], "PR recall"),
    ] {
        let theirs = theirs.as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "{what} points");
        ours.iter().zip(theirs).for_each(|(o, t)| close(*o, t, what));
    }

    let multi = model_statistics(
        &Records::Multiclass { actual: d.multi.0.clone(), predicted: d.multi.1.clone() },
        &config(ProblemType::MulticlassClassification),
    )
    .unwrap();
    let block = multi.multiclass_classification_metrics.as_ref().unwrap();
    scalars_match(block, &r["multiclass"], "multiclass");
    assert_eq!(serde_json::to_value(&block.confusion_matrix).unwrap(), r["multiclass"]["confusion_matrix"]);
}
