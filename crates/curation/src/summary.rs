//! What a written partition covers, for the "Dataset Curated" event, so that later stages can read just
//! the new rows instead of listing and scanning the bucket.

use twinpipe_domain::events::CuratedObject;
use twinpipe_domain::reading::format_ts_ms;

use crate::partition::Partition;

/// Rows, time range and assets of one partition: the fields of [`CuratedObject`] except its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionSummary {
    /// UTC date, `YYYY-MM-DD`.
    pub date: String,
    /// UTC hour, `HH`.
    pub hour: String,
    /// Rows in the file.
    pub rows: u64,
    /// Earliest `ts`, epoch milliseconds.
    pub min_ts_ms: i64,
    /// Latest `ts`, epoch milliseconds.
    pub max_ts_ms: i64,
    /// Distinct asset ids, sorted byte-wise.
    pub assets: Vec<String>,
}

impl Partition<'_> {
    /// The summary of the rows left in the partition; `None` if it is empty (nothing will be written).
    pub fn summary(&self) -> Option<PartitionSummary> {
        let ts = &self.batch.raw.rows.ts_ms;
        let min_ts_ms = self.rows.iter().map(|&r| ts[r as usize]).min()?;
        let max_ts_ms = self.rows.iter().map(|&r| ts[r as usize]).max()?;
        // Rows are sorted by asset first, so distinct assets come out sorted and adjacent.
        let mut assets: Vec<String> = Vec::new();
        for &row in &self.rows {
            let asset = self.batch.asset(row);
            if assets.last().is_none_or(|last| last != asset) {
                assets.push(asset.to_owned());
            }
        }
        Some(PartitionSummary {
            date: self.date().to_owned(),
            hour: self.hour().to_owned(),
            rows: self.rows.len() as u64,
            min_ts_ms,
            max_ts_ms,
            assets,
        })
    }
}

impl PartitionSummary {
    /// The event entry for this partition written at `key`.
    pub fn to_curated_object(&self, key: String) -> CuratedObject {
        CuratedObject {
            key,
            date: self.date.clone(),
            hour: self.hour.clone(),
            rows: self.rows,
            min_ts: format_ts_ms(self.min_ts_ms),
            max_ts: format_ts_ms(self.max_ts_ms),
            assets: self.assets.clone(),
        }
    }
}
