//! The scorer reproduces NAB's published results on the data folder's reference fixtures: the
//! dev-subset optimised thresholds and scores of three published detectors, and NAB's own per-file rows
//! at its full-corpus thresholds, to 1e-6.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

use twinpipe_nab::{Corpus, PROFILES, Profile, optimise_threshold, score_file};

fn nab_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/nab");
    assert!(
        dir.join("labels/combined_windows.json").is_file(),
        "the NAB data folder is missing at {}: these tests need ../shared/data/nab beside the repository \
         (the shared data checkout; see its README)",
        dir.display()
    );
    dir
}

fn corpus() -> Corpus {
    Corpus::load(&nab_dir()).expect("load the NAB data folder")
}

/// Dense per-file scores from a sparse `file,row,anomaly_score` fixture (absent rows score 0).
fn reference_scores(corpus: &Corpus, fixture: &str) -> BTreeMap<String, Vec<f64>> {
    let path = nab_dir().join("reference").join(fixture);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let text = if fixture.ends_with(".gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).expect("gunzip");
        text
    } else {
        String::from_utf8(bytes).expect("utf-8")
    };
    let mut scores: BTreeMap<String, Vec<f64>> =
        corpus.files.iter().map(|f| (f.labels.name.clone(), vec![0.0; f.labels.rows])).collect();
    for line in text.lines().skip(1) {
        let mut parts = line.split(',');
        let (file, row, score) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let file_scores =
            scores.get_mut(file).unwrap_or_else(|| panic!("{fixture} names unknown file {file}"));
        file_scores[row.parse::<usize>().unwrap()] = score.parse().unwrap();
    }
    scores
}

fn expected() -> serde_json::Value {
    let path = nab_dir().join("reference/expected_scores.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const DETECTORS: [(&str, &str); 3] = [
    ("ARTime", "ARTime_scores_sparse.csv"),
    ("relativeEntropy", "relativeEntropy_scores_sparse.csv"),
    ("contextOSE", "contextOSE_scores_sparse.csv.gz"),
];

fn assert_close(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!((got - want).abs() <= tolerance, "{what}: got {got}, NAB has {want}");
}

#[test]
fn corpus_has_the_37_files_and_69_windows_of_the_dev_subset() {
    let corpus = corpus();
    assert_eq!(corpus.files.len(), 37);
    assert_eq!(corpus.window_count(), 69);
}

#[test]
fn optimised_thresholds_and_scores_match_the_dev_subset_reference() {
    let corpus = corpus();
    let expected = expected();
    for (detector, fixture) in DETECTORS {
        let scores = reference_scores(&corpus, fixture);
        let files: Vec<_> =
            corpus.files.iter().map(|f| (&f.labels, scores[&f.labels.name].as_slice())).collect();
        for profile in PROFILES {
            let want = &expected[detector]["dev_subset_optimized"][profile.name];
            let got = optimise_threshold(&files, &profile).unwrap();
            let what = format!("{detector} {}", profile.name);
            assert_close(
                &format!("{what} threshold"),
                got.threshold,
                want["threshold"].as_f64().unwrap(),
                1e-9,
            );
            assert_close(&format!("{what} raw"), got.raw_score, want["raw_score"].as_f64().unwrap(), 1e-6);
            let normalized = want["normalized_score"].as_f64().unwrap();
            assert_close(&format!("{what} normalised"), got.normalized_score, normalized, 5e-5);
            assert_eq!(got.windows, want["n_windows"].as_u64().unwrap() as usize);
        }
    }
}

#[test]
fn per_file_rows_match_nabs_own_score_files_at_the_published_thresholds() {
    let corpus = corpus();
    let expected = expected();
    for (detector, fixture) in DETECTORS {
        let scores = reference_scores(&corpus, fixture);
        for profile in PROFILES {
            let published = &expected[detector]["official_per_file_at_published_threshold"][profile.name];
            let threshold = published["threshold"].as_f64().unwrap();
            let rows = published["files"].as_object().unwrap();
            assert_eq!(rows.len(), 37, "{detector} {}", profile.name);
            for (name, want) in rows {
                let file = corpus.file(name).unwrap_or_else(|| panic!("{name} is not in the corpus"));
                check_row(detector, &profile, threshold, name, want, &file.labels, &scores[name]);
            }
        }
    }
}

fn check_row(
    detector: &str,
    profile: &Profile,
    threshold: f64,
    name: &str,
    want: &serde_json::Value,
    labels: &twinpipe_nab::FileLabels,
    scores: &[f64],
) {
    let got = score_file(labels, scores, profile, threshold).unwrap();
    let what = format!("{detector} {} {name}", profile.name);
    assert_close(&what, got.score, want["score"].as_f64().unwrap(), 1e-6);
    let count = |key: &str| want[key].as_u64().unwrap() as usize;
    assert_eq!(
        (got.counts.tp, got.counts.tn, got.counts.fp, got.counts.fn_),
        (count("tp"), count("tn"), count("fp"), count("fn")),
        "{what}: tp, tn, fp, fn"
    );
    // NAB's `Total` column is the scored rows in results written by the current sweeper (ARTime) and
    // the file's row count in older result files (relativeEntropy, contextOSE).
    assert!(
        [got.counts.total(), labels.rows].contains(&count("total")),
        "{what}: total {} is neither the scored rows {} nor the file's rows {}",
        count("total"),
        got.counts.total(),
        labels.rows
    );
}
