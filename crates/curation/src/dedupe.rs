//! Deduplication on (asset_id, sensor_id, ts), within an object and across curated files.
//!
//! A reading may arrive twice: the device resends it, or SQS redelivers a message that ingest lands as a
//! second raw object. Curated data holds each key once. Within an object the **first occurrence wins**
//! (the earliest line, which is what the device sent first); across objects, whatever is already curated
//! wins, so curated files are never rewritten and late data only ever adds a new file.

use crate::existing_keys::ExistingKeys;
use crate::normalise::NormalisedBatch;
use crate::partition::Partition;

/// Sorts the rows of the hour starting at `hour_start_ms` by (asset_id, sensor_id, ts) and drops every
/// row whose key an earlier row already had. Returns the number of rows dropped.
pub(crate) fn sort_and_dedupe(batch: &NormalisedBatch<'_>, hour_start_ms: i64, rows: &mut Vec<u32>) -> u64 {
    let mut keys: Vec<u128> = rows.iter().map(|&row| sort_key(batch, hour_start_ms, row)).collect();
    keys.sort_unstable();
    let before = keys.len();
    // Equal (series, ts) sort by row number, so the first of a run is the earliest line: keep it.
    keys.dedup_by(|later, kept| *later >> ROW_BITS == *kept >> ROW_BITS);
    rows.clear();
    rows.extend(keys.iter().map(|&key| key as u32));
    (before - rows.len()) as u64
}

const ROW_BITS: u32 = 32;
const OFFSET_BITS: u32 = 22; // 3_600_000 ms in an hour < 2^22

/// One integer that sorts like (asset rank, sensor rank, ts, row): series in the top 64 bits, the
/// millisecond within the hour in the next 22, the row number in the low 32. Sorting 16-byte integers
/// is markedly faster than sorting tuples, and curation's sort runs on every row.
fn sort_key(batch: &NormalisedBatch<'_>, hour_start_ms: i64, row: u32) -> u128 {
    let offset = (batch.raw.rows.ts_ms[row as usize] - hour_start_ms) as u128;
    debug_assert!(offset < 1 << OFFSET_BITS);
    (u128::from(batch.series_key(row)) << (OFFSET_BITS + ROW_BITS)) | (offset << ROW_BITS) | u128::from(row)
}

impl Partition<'_> {
    /// Drops rows whose key is already in other curated files of this partition. Returns how many.
    ///
    /// Use the keys of every curated file of the partition except the one this partition will be
    /// written to, so that re-curating the same source is idempotent instead of dropping all its rows.
    pub fn drop_existing(&mut self, existing: &ExistingKeys) -> u64 {
        if existing.is_empty() {
            return 0;
        }
        let batch = self.batch;
        let ts = &batch.raw.rows.ts_ms;
        let before = self.rows.len();
        let mut current: Option<(u64, Option<&foldhash::HashSet<i64>>)> = None;
        self.rows.retain(|&row| {
            let series = batch.series_key(row);
            let known = match current {
                Some((s, known)) if s == series => known,
                _ => {
                    let known = existing.series(batch.asset(row), batch.sensor(row));
                    current = Some((series, known));
                    known
                }
            };
            !known.is_some_and(|set| set.contains(&ts[row as usize]))
        });
        (before - self.rows.len()) as u64
    }
}
