//! Parity with the reference implementations: smclarify 0.5 for every bias metric and report string,
//! scikit-learn's `ndcg_score` for the attribution drift score.
//!
//! `tests/parity/clarify_expected.py` generates seeded datasets and Clarify configs (binary and
//! multi-valued facets, one report per facet value, continuous facet and label thresholds, text labels,
//! the 40-row trap, a facet value that never occurs, single-class labels, one row, missing features, no
//! positive prediction) and writes the analysis.json smclarify produces. This test reads the same files
//! through twinpipe and compares: strings exactly, values to 1e-9, errors by message.
//!
//! Two error messages come from libraries smclarify calls and are compared by their first sentence only:
//! scikit-learn's "Input X contains NaN." (followed by a long hint) and numpy's sort error for a text group
//! variable with gaps (whose operand order depends on the sort).
//!
//! The reference needs the venv made by `tests/parity/setup.sh`. Without it the test fails under CI (the
//! `CI` variable is set) and prints how to set it up otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;
use twinpipe_clarify::attribution::ndcg;
use twinpipe_clarify::{AnalysisConfig, Table, bias_report};

const TOLERANCE: f64 = 1e-9;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// The reference python, or `None` (after saying why) when it is not installed outside CI.
fn reference_python() -> Option<PathBuf> {
    let python = std::env::var_os("TWINPIPE_PARITY_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv-parity/bin/python"));
    if python.exists() {
        return Some(python);
    }
    let message = format!(
        "the parity reference is not installed ({} is missing): run tests/parity/setup.sh",
        python.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("NOT RUN: {message}");
    None
}

/// The reference files, generated once per test run under cargo's per-package scratch directory.
fn generate(python: &Path) -> &'static Path {
    static GENERATED: OnceLock<PathBuf> = OnceLock::new();
    GENERATED.get_or_init(|| run_reference(python))
}

fn run_reference(python: &Path) -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clarify-parity");
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(python)
        .arg(repo_root().join("tests/parity/clarify_expected.py"))
        .arg(&out)
        .status()
        .expect("run the reference script");
    assert!(status.success(), "tests/parity/clarify_expected.py failed");
    out
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn first_sentence_match(ours: &str, theirs: &str) -> bool {
    const LIBRARY_PREFIXES: [&str; 2] = ["Input X contains NaN.", "'<' not supported between instances of"];
    ours == theirs || LIBRARY_PREFIXES.iter().any(|p| ours.starts_with(p) && theirs.starts_with(p))
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s == "Infinity" => Some(f64::INFINITY),
        Value::String(s) if s == "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Compares our analysis.json with smclarify's, collecting every difference as a readable line.
fn compare(path: &str, ours: &Value, theirs: &Value, problems: &mut Vec<String>, compared: &mut usize) {
    match (ours, theirs) {
        (Value::Object(o), Value::Object(t)) => {
            let ok: Vec<&String> = o.keys().collect();
            let tk: Vec<&String> = t.keys().collect();
            let (mut ok_sorted, mut tk_sorted) = (ok.clone(), tk.clone());
            ok_sorted.sort();
            tk_sorted.sort();
            if ok_sorted != tk_sorted {
                problems.push(format!("{path}: keys {ok:?} != {tk:?}"));
                return;
            }
            for key in tk {
                let child = format!("{path}.{key}");
                if key == "value" {
                    *compared += 1;
                    compare_value(&child, &o[key], &t[key], problems);
                } else if key == "error" {
                    let (a, b) = (o[key].as_str().unwrap_or(""), t[key].as_str().unwrap_or(""));
                    if !first_sentence_match(a, b) {
                        problems.push(format!("{child}: error {a:?} != {b:?}"));
                    }
                } else {
                    compare(&child, &o[key], &t[key], problems, compared);
                }
            }
        }
        (Value::Array(o), Value::Array(t)) => {
            if o.len() != t.len() {
                problems.push(format!("{path}: {} entries != {}", o.len(), t.len()));
                return;
            }
            for (i, (a, b)) in o.iter().zip(t).enumerate() {
                let name = b.get("name").or_else(|| b.get("value_or_threshold")).and_then(Value::as_str);
                let child = format!("{path}[{}]", name.map_or(i.to_string(), str::to_string));
                compare(&child, a, b, problems, compared);
            }
        }
        _ if ours != theirs => problems.push(format!("{path}: {ours} != {theirs}")),
        _ => {}
    }
}

fn compare_value(path: &str, ours: &Value, theirs: &Value, problems: &mut Vec<String>) {
    match (number(ours), number(theirs)) {
        (Some(a), Some(b)) if a.is_infinite() || b.is_infinite() => {
            if a != b {
                problems.push(format!("{path}: {a} != {b}"));
            }
        }
        (Some(a), Some(b)) => {
            if (a - b).abs() > TOLERANCE {
                problems.push(format!("{path}: {a} != {b} (diff {:e})", (a - b).abs()));
            }
        }
        (None, None) if ours.is_null() && theirs.is_null() => {}
        _ => problems.push(format!("{path}: {ours} != {theirs}")),
    }
}

fn our_report(case: &Path) -> Result<Value, String> {
    let config =
        AnalysisConfig::from_json(&std::fs::read_to_string(case.join("analysis_config.json")).unwrap())
            .map_err(|e| e.to_string())?;
    let file = std::fs::File::open(case.join("dataset.csv")).unwrap();
    let table = Table::read_csv(file, config.headers.as_deref()).map_err(|e| e.to_string())?;
    let report = bias_report(&config, &table).map_err(|e| e.to_string())?;
    Ok(serde_json::to_value(report).unwrap())
}

#[test]
fn bias_reports_match_smclarify() {
    let Some(python) = reference_python() else { return };
    let out = generate(&python);
    let cases: Vec<String> = serde_json::from_value(read_json(&out.join("cases.json"))).unwrap();
    assert!(cases.len() >= 20, "the reference generated only {} cases", cases.len());
    let mut problems = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let dir = out.join(case);
        let expected = read_json(&dir.join("expected.json"));
        match (our_report(&dir), expected.get("error").and_then(Value::as_str)) {
            (Ok(ours), None) => compare(case, &ours, &expected, &mut problems, &mut compared),
            (Err(ours), Some(theirs)) if ours.contains(theirs) => {}
            (Err(ours), Some(theirs)) => {
                problems.push(format!("{case}: error {ours:?} does not contain {theirs:?}"))
            }
            (Ok(_), Some(theirs)) => {
                problems.push(format!("{case}: smclarify failed ({theirs}) but we reported"))
            }
            (Err(ours), None) => problems.push(format!("{case}: we failed ({ours}) but smclarify reported")),
        }
    }
    assert!(problems.is_empty(), "{} differences from smclarify:\n{}", problems.len(), problems.join("\n"));
    eprintln!("{compared} metric values compared with smclarify over {} cases", cases.len());
    assert!(compared > 500, "only {compared} metric values were compared");
}

#[test]
fn ndcg_matches_scikit_learn_without_ties() {
    let Some(python) = reference_python() else { return };
    let out = generate(&python);
    let cases = read_json(&out.join("ndcg.json"));
    let as_pairs = |v: &Value| -> Vec<(String, f64)> {
        v.as_object().unwrap().iter().map(|(k, x)| (k.clone(), x.as_f64().unwrap())).collect()
    };
    for case in cases.as_array().unwrap() {
        let ours = ndcg(&as_pairs(&case["baseline"]), &as_pairs(&case["current"]));
        let theirs = case["ndcg"].as_f64().unwrap();
        assert!((ours - theirs).abs() <= TOLERANCE, "ndcg {ours} != scikit-learn {theirs} for {case}");
    }
}
