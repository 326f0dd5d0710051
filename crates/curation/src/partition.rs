//! Partitioning by UTC date and hour, the layout of `curated/date=D/hour=H/`.
//!
//! Hour partitions keep the files a query touches small and let late data for an hour land as a new
//! file beside the existing ones. Each partition comes out sorted by (asset_id, sensor_id, ts) and free
//! of duplicates, because the dedup key includes `ts` and so never spans two partitions.

use std::collections::HashMap;

use twinpipe_domain::storage_key::{curated_key, date_hour};

use crate::dedupe::sort_and_dedupe;
use crate::normalise::NormalisedBatch;

const MS_PER_HOUR: i64 = 3_600_000;

/// The rows of one UTC hour: sorted by (asset_id, sensor_id, ts), one row per key.
///
/// It borrows the batch it indexes into, so it costs one `u32` per row until it is written.
#[derive(Debug, Clone)]
pub struct Partition<'b> {
    pub(crate) batch: &'b NormalisedBatch<'b>,
    pub(crate) rows: Vec<u32>,
    hour_index: i64,
    date: String,
    hour: String,
}

/// All partitions of a batch in ascending hour order, and how many in-file duplicates were dropped.
#[derive(Debug, Clone)]
pub struct Partitioned<'b> {
    /// One entry per hour that has readings, earliest first.
    pub partitions: Vec<Partition<'b>>,
    /// Rows dropped because an earlier line of the same object had the same (asset_id, sensor_id, ts).
    pub duplicates_dropped: u64,
}

/// Splits a batch into hour partitions, each sorted and deduplicated (first occurrence in the object wins).
pub fn partition<'b>(batch: &'b NormalisedBatch<'b>) -> Partitioned<'b> {
    let mut duplicates_dropped = 0;
    let partitions = rows_by_hour(&batch.raw.rows.ts_ms)
        .into_iter()
        .map(|(hour_index, mut rows)| {
            duplicates_dropped += sort_and_dedupe(batch, hour_index * MS_PER_HOUR, &mut rows);
            Partition::new(batch, hour_index, rows)
        })
        .collect();
    Partitioned { partitions, duplicates_dropped }
}

/// Row numbers grouped by hour since the epoch, in file order within each hour, hours ascending.
fn rows_by_hour(ts_ms: &[i64]) -> Vec<(i64, Vec<u32>)> {
    let mut slot_of_hour: HashMap<i64, usize> = HashMap::new();
    let mut buckets: Vec<(i64, Vec<u32>)> = Vec::new();
    let mut last: Option<(i64, usize)> = None;
    for (row, &ts) in ts_ms.iter().enumerate() {
        let hour = ts.div_euclid(MS_PER_HOUR);
        let slot = match last {
            Some((h, slot)) if h == hour => slot,
            _ => {
                let slot = *slot_of_hour.entry(hour).or_insert_with(|| {
                    buckets.push((hour, Vec::new()));
                    buckets.len() - 1
                });
                last = Some((hour, slot));
                slot
            }
        };
        buckets[slot].1.push(row as u32);
    }
    buckets.sort_unstable_by_key(|(hour, _)| *hour);
    buckets
}

impl<'b> Partition<'b> {
    fn new(batch: &'b NormalisedBatch<'b>, hour_index: i64, rows: Vec<u32>) -> Self {
        let (date, hour) = date_hour(hour_index * MS_PER_HOUR);
        Partition { batch, rows, hour_index, date, hour }
    }

    /// The partition's UTC date, `YYYY-MM-DD`.
    pub fn date(&self) -> &str {
        &self.date
    }

    /// The partition's UTC hour, `HH`.
    pub fn hour(&self) -> &str {
        &self.hour
    }

    /// Epoch milliseconds of the first instant of the hour.
    pub fn start_ms(&self) -> i64 {
        self.hour_index * MS_PER_HOUR
    }

    /// Rows left to write.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether every row was dropped (e.g. all already curated), so there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The object key this partition is written to for `source_key`: one file per source and hour, so
    /// re-curating a source overwrites its own files and late data never rewrites another source's.
    pub fn curated_key(&self, source_key: &str) -> String {
        curated_key(&self.date, &self.hour, source_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_group_by_hour_in_file_order() {
        let h = MS_PER_HOUR;
        let ts = [h + 1, 2 * h, h + 5, -1, 2 * h - 1];
        let got = rows_by_hour(&ts);
        assert_eq!(got, vec![(-1, vec![3]), (1, vec![0, 2, 4]), (2, vec![1])]);
    }
}
