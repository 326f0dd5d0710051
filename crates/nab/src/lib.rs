//! The Numenta Anomaly Benchmark's scoring, reimplemented so twinpipe's anomaly engine can be measured
//! the way NAB's scoreboard measures every published detector.
//!
//! The rules (NAB v1.1, `nab/sweeper.py`), as the data folder's README states them:
//!
//! - a detector gives every row a score in `[0, 1]`; a row is a *detection* when its score is at least
//!   the threshold;
//! - the first `min(floor(0.15 n), 750)` rows of each file are a probationary period and never count;
//! - each labelled anomaly has a window of rows; a window's best (earliest) detection earns up to `A_TP`
//!   along a scaled sigmoid, a window without detection costs `A_FN`, and **every** detection outside a
//!   window costs up to `A_FP` (less just after a window);
//! - one threshold per profile, shared by all files, is chosen to maximise the corpus raw score; the
//!   highest threshold wins a tie;
//! - the raw score is normalised so the null detector scores 0 and the perfect one 100.
//!
//! [`score_file`] reproduces NAB's per-file rows (score and TP/TN/FP/FN counts) at a given threshold,
//! and [`optimise_threshold`] its corpus-wide optimisation; the conformance tests check both against NAB's
//! published results to 1e-6. [`Corpus::load`] reads a NAB data folder.
//!
//! ```
//! use twinpipe_nab::{FileLabels, Window, STANDARD, optimise_threshold};
//!
//! // 100 rows, one window at rows 40..=49; probation covers rows 0..15.
//! let labels = FileLabels { name: "demo.csv".into(), rows: 100, windows: vec![Window { start: 40, end: 49 }] };
//! let mut scores = vec![0.0; 100];
//! scores[40] = 0.9; // detected at the window's first row
//! let best = optimise_threshold(&[(&labels, &scores)], &STANDARD).unwrap();
//! assert_eq!(best.threshold, 0.9);
//! assert!((best.normalized_score - 100.0).abs() < 1e-9);
//! ```

#![warn(missing_docs)]

mod corpus;
mod error;
mod profile;
mod scoring;

pub use corpus::{Corpus, CorpusFile, FileLabels, WINDOWS_FILE, Window, parse_series, parse_timestamp};
pub use error::NabError;
pub use profile::{PROFILES, Profile, REWARD_LOW_FN_RATE, REWARD_LOW_FP_RATE, STANDARD};
pub use scoring::{
    Counts, FileScore, Optimum, RowWeight, optimise_threshold, probationary_length, row_weights,
    scaled_sigmoid, score_file,
};
