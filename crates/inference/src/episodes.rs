//! Anomaly episodes: consecutive flagged rows of one asset become one "Anomaly Detected" event, so a fault
//! that lasts minutes raises one finding, not hundreds.

use twinpipe_domain::events::SensorContribution;

/// Which sensors drove an anomaly score, largest share first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Explanation {
    pub sensors: Vec<SensorContribution>,
}

/// One row a model flagged.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedRow {
    pub ts_ms: i64,
    pub score: f64,
    pub explanation: Explanation,
}

/// A run of flagged rows with no gap longer than the episode gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub start_ms: i64,
    pub end_ms: i64,
    pub rows: u64,
    /// The highest-scoring row (the earliest of equals).
    pub peak: FlaggedRow,
}

/// Groups flagged rows (any order) into episodes: rows closer than `max_gap_ms` to the previous one extend
/// the current episode.
pub fn episodes(mut flagged: Vec<FlaggedRow>, max_gap_ms: i64) -> Vec<Episode> {
    flagged.sort_by_key(|r| r.ts_ms);
    let mut out: Vec<Episode> = Vec::new();
    for row in flagged {
        match out.last_mut() {
            Some(ep) if row.ts_ms - ep.end_ms <= max_gap_ms => {
                ep.end_ms = row.ts_ms;
                ep.rows += 1;
                if row.score > ep.peak.score {
                    ep.peak = row;
                }
            }
            _ => out.push(Episode { start_ms: row.ts_ms, end_ms: row.ts_ms, rows: 1, peak: row }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(ts_ms: i64, score: f64) -> FlaggedRow {
        FlaggedRow { ts_ms, score, explanation: Explanation::default() }
    }

    #[test]
    fn close_rows_merge_and_the_peak_is_the_highest_score() {
        let eps =
            episodes(vec![flagged(30, 0.9), flagged(10, 0.95), flagged(20, 0.99), flagged(100, 0.91)], 10);
        assert_eq!(eps.len(), 2);
        assert_eq!((eps[0].start_ms, eps[0].end_ms, eps[0].rows, eps[0].peak.ts_ms), (10, 30, 3, 20));
        assert_eq!((eps[1].start_ms, eps[1].rows), (100, 1));
    }

    #[test]
    fn no_flagged_rows_no_episodes() {
        assert!(episodes(vec![], 10).is_empty());
    }
}
