//! Golden files for the JSON shapes we write: Clarify's bias analysis.json, the bias-drift and the
//! feature-attribution-drift constraint_violations.json. The expected files are under `tests/golden/`;
//! run with `UPDATE_GOLDEN=1` to rewrite them after an intended change, and review the diff.
//!
//! The bias golden covers every metric of both stages on a small dataset with an infinite value (DI
//! written as "Infinity"), metric errors (`"value": null` with `"error"`), a categorical and a continuous
//! facet (`"(65, 69.5]"`-style intervals) and text labels. Its values were checked against smclarify 0.5.

use std::path::{Path, PathBuf};

use twinpipe_clarify::attribution::{AttributionAnalysis, DEFAULT_NDCG_THRESHOLD, attribution_drift};
use twinpipe_clarify::drift::{DriftSettings, bias_drift};
use twinpipe_clarify::{AnalysisConfig, BiasAnalysis, PreparedAnalysis, Table};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn assert_golden(name: &str, value: &impl serde::Serialize) {
    let path = golden_dir().join(name);
    let ours = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &ours).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(ours, golden, "{name} differs from the golden file (UPDATE_GOLDEN=1 rewrites it)");
}

fn prepared() -> PreparedAnalysis {
    let config = AnalysisConfig::from_json(
        &std::fs::read_to_string(golden_dir().join("analysis_config.json")).unwrap(),
    )
    .unwrap();
    let data = std::fs::File::open(golden_dir().join("dataset.csv")).unwrap();
    let table = Table::read_csv(data, config.headers.as_deref()).unwrap();
    PreparedAnalysis::prepare(&config, &table).unwrap()
}

#[test]
fn bias_analysis_json_has_clarifys_shape() {
    let report = prepared().report();
    assert_golden("analysis.json", &report);
    // And it reads back to the same thing (infinities and errors included).
    let text = serde_json::to_string(&report).unwrap();
    assert_eq!(serde_json::from_str::<BiasAnalysis>(&text).unwrap(), report);
}

#[test]
fn bias_drift_violations_have_clarifys_shape() {
    let prepared = prepared();
    let current = prepared.report();
    // A baseline in which every metric was nearly fair: today's clear biases violate it.
    let mut baseline = current.clone();
    for stage in [&mut baseline.pre_training_bias_metrics, &mut baseline.post_training_bias_metrics] {
        for (_, groups) in &mut stage.as_mut().unwrap().facets.0 {
            for metric in groups.iter_mut().flat_map(|g| g.metrics.iter_mut()) {
                if let Some(v) = &mut metric.value {
                    v.0 = if metric.name == "DI" { 0.99 } else { 0.01 };
                }
            }
        }
    }
    let violations = bias_drift(&baseline, &prepared, &current, &DriftSettings::default());
    assert!(!violations.violations.is_empty());
    assert_golden("bias_violations.json", &violations);
}

#[test]
fn attribution_drift_violations_have_clarifys_shape() {
    let read = |name: &str| -> AttributionAnalysis {
        serde_json::from_str(&std::fs::read_to_string(golden_dir().join(name)).unwrap()).unwrap()
    };
    let (_, violations) = attribution_drift(
        &read("attribution_baseline.json"),
        &read("attribution_current.json"),
        DEFAULT_NDCG_THRESHOLD,
    )
    .unwrap();
    assert_golden("attribution_violations.json", &violations);
}
