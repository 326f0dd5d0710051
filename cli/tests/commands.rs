//! The `twinpipe` command as a user runs it: `invoke` on every sample event, and a small `demo`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn twinpipe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_twinpipe"))
}

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

fn invoke(function: &str, event: &Path, data_dir: &Path) -> (bool, serde_json::Value) {
    let out = twinpipe()
        .args(["invoke", function])
        .arg(event)
        .arg("--data-dir")
        .arg(data_dir)
        .env("TWINPIPE_MAX_AGE_DAYS", "36500")
        .output()
        .expect("run twinpipe");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}"));
    (out.status.success(), json)
}

#[test]
fn invoke_ingest_prints_the_batch_response_for_every_sample_sqs_event() {
    let data = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(events_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("sqs-") && !name.starts_with("aws-sample-sqs") {
            continue;
        }
        let (ok, json) = invoke("ingest", &path, data.path());
        assert!(ok, "{name}: {json}");
        assert!(json["batchItemFailures"].is_array(), "{name}: {json}");
    }
    assert!(data.path().join("twinpipe-local/raw").is_dir());
    assert!(data.path().join("twinpipe-local/quarantine").is_dir());
}

#[test]
fn invoke_curate_on_an_object_ingest_wrote() {
    let data = tempfile::tempdir().unwrap();
    let (ok, _) = invoke("ingest", &events_dir().join("sqs-readings.json"), data.path());
    assert!(ok);
    let raw_dir = data.path().join("twinpipe-local/raw");
    let raw_key = walk(&raw_dir).into_iter().next().expect("a raw object");
    let key = format!("raw/{}", raw_key.strip_prefix(&raw_dir).unwrap().to_string_lossy());
    let mut event: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(events_dir().join("eventbridge-s3-object-created.json")).unwrap(),
    )
    .unwrap();
    event["detail"]["bucket"]["name"] = "twinpipe-local".into();
    event["detail"]["object"]["key"] = key.clone().into();
    let event_file = data.path().join("event.json");
    std::fs::write(&event_file, event.to_string()).unwrap();

    let (ok, json) = invoke("curate", &event_file, data.path());
    assert!(ok, "{json}");
    assert_eq!(json["source_object"], key.as_str());
    assert!(json["rows_written"].as_u64().unwrap() > 0);
    let journal = std::fs::read_to_string(data.path().join("events.ndjson")).unwrap();
    assert!(journal.contains("\"Dataset Curated\""));
}

#[test]
fn invoke_reports_handler_errors_like_lambda_and_fails() {
    let data = tempfile::tempdir().unwrap();
    let (ok, json) = invoke("curate", &events_dir().join("eventbridge-s3-object-created.json"), data.path());
    assert!(!ok);
    assert_eq!(json["errorType"], "CurateError");
    assert!(json["errorMessage"].as_str().unwrap().contains("is not in bucket"), "{json}");
}

#[test]
fn invoke_curate_works_on_the_s3_user_guide_sample_event() {
    let data = tempfile::tempdir().unwrap();
    let sample = events_dir().join("aws-sample-eventbridge-s3-object-created.json");
    let (ok, json) = invoke("curate", &sample, data.path());
    assert!(!ok, "nothing is at example-key yet");
    assert!(json["errorMessage"].as_str().unwrap().contains("amzn-s3-demo-bucket1"), "{json}");

    let object = data.path().join("amzn-s3-demo-bucket1/example-key");
    std::fs::create_dir_all(object.parent().unwrap()).unwrap();
    std::fs::write(
        &object,
        r#"{"asset_id":"pump-1","sensor_id":"flow","ts":"2021-11-12T00:00:00Z","value":1.5,"unit":"L/s"}"#,
    )
    .unwrap();
    let (ok, json) = invoke("curate", &sample, data.path());
    assert!(ok, "{json}");
    assert_eq!(json["rows_written"], 1);
    assert_eq!(json["objects"][0]["date"], "2021-11-12");
}

#[test]
fn invoke_rejects_an_event_of_the_wrong_kind_with_a_clear_message() {
    let data = tempfile::tempdir().unwrap();
    let out = twinpipe()
        .args(["invoke", "ingest"])
        .arg(events_dir().join("eventbridge-s3-object-created.json"))
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an SQS event"));
}

#[test]
fn demo_runs_end_to_end_and_balances() {
    let data = tempfile::tempdir().unwrap();
    let out = twinpipe()
        .args(["demo", "--assets", "4", "--hours", "3", "--fail-one-in", "11", "--json", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &summary["pipeline"];
    assert_eq!(p["messages_dead_lettered"], 0);
    assert_eq!(p["events_dead_lettered"], 0);
    assert!(p["storage_failures_injected"].as_u64().unwrap() > 0);
    let simulated = summary["traffic"]["readings_simulated"].as_u64().unwrap();
    let withheld = summary["traffic"]["readings_withheld"].as_u64().unwrap();
    assert!(simulated > 1000);
    assert_eq!(p["rows_curated"].as_u64().unwrap(), simulated - withheld, "{summary}");
    assert_eq!(p["inputs_quarantined"], summary["traffic"]["quarantine_expected"], "{summary}");
    assert!(data.path().join("demo-summary.json").is_file());
    // Every curated batch reached inference (failed attempts, from injected storage failures, were
    // retried: no event is dead-lettered), which scored every curated row.
    assert!(
        p["infer_invocations"].as_u64().unwrap()
            >= p["curate_invocations"].as_u64().unwrap() - p["curate_failures"].as_u64().unwrap()
    );
    assert!(p["predictions_written"].as_u64().unwrap() >= p["rows_curated"].as_u64().unwrap(), "{summary}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
