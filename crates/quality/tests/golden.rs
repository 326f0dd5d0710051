//! Golden files: the exact JSON this crate writes for fixed small inputs (statistics.json,
//! constraints.json and constraint_violations.json of data quality; statistics.json, constraints.json and
//! constraint_violations.json of model quality). A change in shape or value shows up as a diff here.
//! After an intended change, regenerate with `UPDATE_GOLDEN=1 cargo test -p twinpipe-quality --test golden`
//! and review the diff.

use std::path::PathBuf;

use twinpipe_quality::dataset::{CsvHeader, DatasetFormat, read_dataset};
use twinpipe_quality::model::{
    ModelColumns, ModelConstraints, ModelQualityConfig, ProblemType, check_model, model_statistics,
    records_from_batches, suggest_model_constraints,
};
use twinpipe_quality::{DataProfile, Statistics, StatisticsOptions, check, suggest_constraints};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn batches(name: &str) -> Vec<twinpipe_quality::RecordBatch> {
    let bytes = std::fs::read(dir().join("data").join(name)).unwrap();
    read_dataset(bytes, DatasetFormat::Csv, &CsvHeader::FirstRow).unwrap()
}

#[track_caller]
fn golden(name: &str, actual: &str) {
    let path = dir().join("golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, format!("{actual}\n")).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(actual.trim_end(), expected.trim_end(), "{name} differs from its golden file");
}

#[test]
fn data_quality_files_match_their_golden_copies() {
    let baseline = DataProfile::from_batches(&batches("baseline.csv")).unwrap();
    let stats = Statistics::from_profile(&baseline, StatisticsOptions::default());
    let constraints = suggest_constraints(&baseline);
    golden("data_statistics.json", &stats.to_json_pretty());
    golden("data_constraints.json", &constraints.to_json_pretty());
    let current = DataProfile::from_batches(&batches("current.csv")).unwrap();
    golden("data_constraint_violations.json", &check(&current, &constraints, &stats).to_json_pretty());
}

#[test]
fn model_quality_files_match_their_golden_copies() {
    let config = ModelQualityConfig {
        evaluation_time: Some("2024-06-01T11:00:00.000Z".into()),
        ..ModelQualityConfig::new(ProblemType::BinaryClassification)
    };
    let columns =
        ModelColumns { ground_truth: "label".into(), prediction: None, probability: Some("score".into()) };
    let records = records_from_batches(&batches("binary.csv"), &columns, &config).unwrap();
    let stats = model_statistics(&records, &config).unwrap();
    golden("model_statistics.json", &stats.to_json_pretty());
    let mut constraints = suggest_model_constraints(&stats);
    golden("model_constraints.json", &constraints.to_json_pretty());
    // Tighten two thresholds beyond the baseline's values: one violation each way.
    let c = constraints.binary_classification_constraints.as_mut().unwrap();
    c.get_mut("recall").unwrap().threshold.0 += 0.1;
    c.get_mut("false_positive_rate").unwrap().threshold.0 -= 0.1;
    golden("model_constraint_violations.json", &check_model(&stats, &constraints).to_json_pretty());
    // And the files read back as what was written.
    let reread = ModelConstraints::from_json(constraints.to_json_pretty().as_bytes()).unwrap();
    assert_eq!(reread, constraints);
}
