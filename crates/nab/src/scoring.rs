//! NAB's scoring: per-row weights from the windows (`nab/sweeper.py`), the raw score of a file at a
//! threshold, and the corpus-wide threshold sweep.

use serde::Serialize;

use crate::{FileLabels, NabError, Profile};

/// NAB's probationary period: rows `0..P` of an `n`-row file are never scored,
/// `P = min(floor(0.15 n), 750)`.
pub fn probationary_length(rows: usize) -> usize {
    let fraction = (0.15 * rows as f64).floor();
    fraction.min(0.15 * 5000.0) as usize
}

/// NAB's scaled sigmoid: `2 / (1 + e^(5y)) - 1`, and exactly -1 from `y = 3` on.
pub fn scaled_sigmoid(y: f64) -> f64 {
    if y >= 3.0 { -1.0 } else { 2.0 / (1.0 + (5.0 * y).exp()) - 1.0 }
}

/// What a detection on one scored row is worth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowWeight {
    /// `s_i`: positive inside a window (largest at its first row), negative outside.
    pub weight: f64,
    /// Index of the file's window the row lies in, or `None` outside every window.
    pub window: Option<usize>,
}

/// The weights of rows `P..n` of a file under `profile` (rows in the probationary period are not scored;
/// entry `k` is row `P + k`). They depend on the labels only, never on a detector.
pub fn row_weights(labels: &FileLabels, profile: &Profile) -> Vec<RowWeight> {
    let probation = probationary_length(labels.rows);
    let max_tp = scaled_sigmoid(-1.0);
    let mut weights = Vec::with_capacity(labels.rows.saturating_sub(probation));
    let mut next_window = 0;
    let mut previous: Option<crate::Window> = None;
    for row in 0..labels.rows {
        while next_window < labels.windows.len() && labels.windows[next_window].end < row {
            previous = Some(labels.windows[next_window]);
            next_window += 1;
        }
        let inside = labels.windows.get(next_window).filter(|w| w.start <= row);
        let weight = match (inside, previous) {
            (Some(w), _) => {
                let y = -((w.end - row + 1) as f64) / w.width() as f64;
                profile.tp_weight * scaled_sigmoid(y) / max_tp
            }
            (None, Some(p)) => {
                profile.fp_weight * scaled_sigmoid((row - p.end) as f64 / (p.width() - 1) as f64)
            }
            (None, None) => -profile.fp_weight,
        };
        if row >= probation {
            weights.push(RowWeight { weight, window: inside.map(|_| next_window) });
        }
    }
    weights
}

/// Row counts at a threshold, over scored rows only, as NAB reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Detections inside windows (rows, not windows).
    pub tp: usize,
    /// Rows outside windows without detection.
    pub tn: usize,
    /// Detections outside windows.
    pub fp: usize,
    /// Rows inside windows without detection.
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Counts {
    /// All scored rows.
    pub fn total(&self) -> usize {
        self.tp + self.tn + self.fp + self.fn_
    }
}

/// A file's raw score at a threshold, with its counts (one row of NAB's `*_scores.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FileScore {
    /// Sum of the best detection of each window (or `-A_FN`) and every false positive's weight.
    pub score: f64,
    /// Row counts.
    pub counts: Counts,
}

fn check_scores(labels: &FileLabels, scores: &[f64]) -> Result<(), NabError> {
    if scores.len() != labels.rows {
        return Err(NabError::ScoreCount {
            file: labels.name.clone(),
            rows: labels.rows,
            scores: scores.len(),
        });
    }
    match scores.iter().position(|s| s.is_nan()) {
        Some(row) => Err(NabError::NanScore { file: labels.name.clone(), row }),
        None => Ok(()),
    }
}

/// Scores one file: a scored row is a detection when its anomaly score is `>= threshold`.
pub fn score_file(
    labels: &FileLabels,
    scores: &[f64],
    profile: &Profile,
    threshold: f64,
) -> Result<FileScore, NabError> {
    check_scores(labels, scores)?;
    let probation = probationary_length(labels.rows);
    let mut best: Vec<Option<f64>> = vec![None; labels.windows.len()];
    let mut seen = vec![false; labels.windows.len()];
    let mut fp_sum = 0.0;
    let mut counts = Counts::default();
    for (k, row) in row_weights(labels, profile).into_iter().enumerate() {
        let detected = scores[probation + k] >= threshold;
        match (row.window, detected) {
            (Some(w), true) => {
                seen[w] = true;
                counts.tp += 1;
                best[w] = Some(best[w].map_or(row.weight, |b: f64| b.max(row.weight)));
            }
            (Some(w), false) => {
                seen[w] = true;
                counts.fn_ += 1;
            }
            (None, true) => {
                counts.fp += 1;
                fp_sum += row.weight;
            }
            (None, false) => counts.tn += 1,
        }
    }
    let windows: f64 =
        best.iter().zip(&seen).filter(|(_, seen)| **seen).map(|(b, _)| b.unwrap_or(-profile.fn_weight)).sum();
    Ok(FileScore { score: fp_sum + windows, counts })
}

/// The best shared threshold for a set of files and what it scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Optimum {
    /// The threshold: the highest one among those reaching the best raw score (1.1 means "never detect").
    pub threshold: f64,
    /// The corpus raw score at that threshold.
    pub raw_score: f64,
    /// The raw score on NAB's 0–100 scale.
    pub normalized_score: f64,
    /// Number of windows in the files (the `#windows` of the normalisation).
    pub windows: usize,
    /// Row counts at that threshold, summed over the files.
    pub counts: Counts,
}

/// One scored row in the corpus-wide sweep.
struct SweepRow {
    score: f64,
    weight: f64,
    /// Corpus-wide window id, or `usize::MAX` outside windows.
    window: usize,
}

/// Finds the one threshold, shared by all `files`, that maximises the corpus raw score under `profile`,
/// exactly as NAB's optimiser does: candidates are 1.1 and every distinct score of a scored row, swept in
/// descending order; on a tie the highest threshold wins.
pub fn optimise_threshold(files: &[(&FileLabels, &[f64])], profile: &Profile) -> Result<Optimum, NabError> {
    let mut rows = Vec::new();
    let mut window_offset = 0;
    let mut window_scored = Vec::new();
    for (labels, scores) in files {
        check_scores(labels, scores)?;
        let probation = probationary_length(labels.rows);
        window_scored.resize(window_offset + labels.windows.len(), false);
        for (k, row) in row_weights(labels, profile).into_iter().enumerate() {
            let window = row.window.map_or(usize::MAX, |w| {
                window_scored[window_offset + w] = true;
                window_offset + w
            });
            rows.push(SweepRow { score: scores[probation + k], weight: row.weight, window });
        }
        window_offset += labels.windows.len();
    }
    rows.sort_by(|a, b| b.score.total_cmp(&a.score));

    let in_window = rows.iter().filter(|r| r.window != usize::MAX).count();
    let mut counts = Counts { tp: 0, tn: rows.len() - in_window, fp: 0, fn_: in_window };
    let mut best_in_window: Vec<f64> = vec![-profile.fn_weight; window_offset];
    let mut fp_sum = 0.0;
    let raw = |best_in_window: &[f64], fp_sum: f64| {
        fp_sum + best_in_window.iter().zip(&window_scored).filter(|(_, s)| **s).map(|(b, _)| b).sum::<f64>()
    };
    let mut best = (1.1, raw(&best_in_window, fp_sum), counts);
    let mut i = 0;
    while i < rows.len() {
        let threshold = rows[i].score;
        while i < rows.len() && rows[i].score == threshold {
            let row = &rows[i];
            if row.window == usize::MAX {
                fp_sum += row.weight;
                counts.fp += 1;
                counts.tn -= 1;
            } else {
                best_in_window[row.window] = best_in_window[row.window].max(row.weight);
                counts.tp += 1;
                counts.fn_ -= 1;
            }
            i += 1;
        }
        let score = raw(&best_in_window, fp_sum);
        if score > best.1 {
            best = (threshold, score, counts);
        }
    }
    let windows = window_offset;
    let (threshold, raw_score, counts) = best;
    Ok(Optimum {
        threshold,
        raw_score,
        normalized_score: profile.normalise(raw_score, windows),
        windows,
        counts,
    })
}
