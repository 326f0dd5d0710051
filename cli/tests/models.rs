//! `twinpipe train`, `twinpipe model ...` and `twinpipe invoke infer|alert` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn twinpipe(args: &[&str], data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_twinpipe")).args(args).arg("--data-dir").arg(data_dir).output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn event(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events").join(name)
}

/// A small demo run, so there is curated data and an approved default anomaly model.
fn demo_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    stdout(&twinpipe(&["demo", "--assets", "2", "--hours", "3", "--fail-one-in", "0", "--json"], dir.path()));
    dir
}

#[test]
fn training_is_reproducible_and_needs_approval() {
    let data = demo_data();
    let first = stdout(&twinpipe(&["train", "anomaly-detector"], data.path()));
    assert!(first.contains("stored anomaly v2"), "{first}");
    assert!(first.contains("twinpipe model approve anomaly 2"), "{first}");
    let again = stdout(&twinpipe(&["train", "anomaly-detector"], data.path()));
    assert!(again.contains("stored anomaly v2"), "same data, same bytes, same version: {again}");
    let list = stdout(&twinpipe(&["model", "list"], data.path()));
    assert!(
        list.lines()
            .any(|l| l.starts_with("anomaly") && l.contains(" 2 ") && l.contains("PendingManualApproval")),
        "{list}"
    );
}

#[test]
fn stats_summarise_inference_per_model_and_asset() {
    let data = demo_data();
    let stats: serde_json::Value =
        serde_json::from_str(&stdout(&twinpipe(&["model", "stats", "--json"], data.path()))).unwrap();
    let stats = stats.as_array().unwrap();
    assert_eq!(stats.len(), 2, "one line per asset of the demo's two: {stats:?}");
    for s in stats {
        assert_eq!(s["model"], "anomaly");
        assert_eq!(s["version_in_use"], 1);
        assert!(s["predictions"].as_u64().unwrap() > 0 && s["latency_p95_ms"].as_f64().unwrap() > 0.0, "{s}");
    }
}

#[test]
fn approve_then_roll_back() {
    let data = demo_data();
    stdout(&twinpipe(&["train", "anomaly-detector", "--min-threshold", "0.7"], data.path()));
    let approved = stdout(&twinpipe(&["model", "approve", "anomaly", "2", "--by", "alice"], data.path()));
    assert!(approved.contains("anomaly v2 is Approved (by alice)"), "{approved}");
    let rolled = stdout(&twinpipe(&["model", "rollback", "anomaly"], data.path()));
    assert!(rolled.contains("v1 serves now; rejected: v2"), "{rolled}");
    let shown: serde_json::Value =
        serde_json::from_str(&stdout(&twinpipe(&["model", "show", "anomaly", "2"], data.path()))).unwrap();
    assert_eq!(shown["approval"]["status"], "Rejected");
    assert_eq!(shown["history"].as_array().unwrap().len(), 2);
}

#[test]
fn model_errors_are_clear_and_fail() {
    let data = tempfile::tempdir().unwrap();
    let out = twinpipe(&["model", "approve", "missing", "3"], data.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("model \"missing\" has no version 3"));
    let out = twinpipe(&["train", "anomaly-detector"], data.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no curated data"));
}

#[test]
fn register_an_externally_trained_model() {
    let data = tempfile::tempdir().unwrap();
    let artefact = data.path().join("model.onnx");
    std::fs::write(&artefact, b"onnx bytes").unwrap();
    let metrics = data.path().join("metrics.json");
    std::fs::write(&metrics, r#"{"rmse": 0.42}"#).unwrap();
    let out = stdout(&twinpipe(
        &[
            "model",
            "register",
            "--name",
            "vib-net",
            "--kind",
            "onnx",
            "--artefact",
            artefact.to_str().unwrap(),
            "--metrics",
            metrics.to_str().unwrap(),
        ],
        data.path(),
    ));
    assert!(out.contains("registered vib-net v1 (onnx), status PendingManualApproval"), "{out}");
    let bad =
        twinpipe(&["model", "register", "--name", "x", "--kind", "keras", "--artefact", "f"], data.path());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown kind \"keras\""));
}

#[test]
fn invoke_alert_sends_once_per_finding() {
    let data = tempfile::tempdir().unwrap();
    for name in ["eventbridge-anomaly-detected.json", "eventbridge-quality-violation.json"] {
        let first: serde_json::Value = serde_json::from_str(&stdout(&twinpipe(
            &["invoke", "alert", event(name).to_str().unwrap()],
            data.path(),
        )))
        .unwrap();
        assert_eq!(first["action"], "sent", "{name}");
        let again: serde_json::Value = serde_json::from_str(&stdout(&twinpipe(
            &["invoke", "alert", event(name).to_str().unwrap()],
            data.path(),
        )))
        .unwrap();
        assert_eq!(again["action"], "duplicate", "{name}");
    }
    let outbox = std::fs::read_to_string(data.path().join("alerts.ndjson")).unwrap();
    assert_eq!(outbox.lines().count(), 2);
}

#[test]
fn invoke_infer_without_models_does_nothing_and_says_so() {
    let data = tempfile::tempdir().unwrap();
    let out = stdout(&twinpipe(
        &["invoke", "infer", event("eventbridge-dataset-curated.json").to_str().unwrap()],
        data.path(),
    ));
    let outcome: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(outcome["predictions"], serde_json::json!([]));
}
