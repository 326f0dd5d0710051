//! The key index of one curated hour: which (asset_id, sensor_id, ts) keys each curated file holds.
//!
//! Deduplicating a new raw object against an hour that already has many files would mean reading every
//! file's key columns each time, a cost that grows with the number of files. Instead each hour keeps one
//! small index object, `curated/date=D/hour=H/_keys.json`, that curation reads once and updates after
//! writing its file. The leading underscore makes Athena, Hive, Spark, pyarrow datasets and DuckDB globs
//! of `*.parquet` skip it, so the partition still reads as a plain Parquet table.
//!
//! The Parquet files stay the truth: a file the index does not know (the index was lost, or two
//! curations of the same hour raced) is read and added, so the index repairs itself.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::error::CurationError;
use crate::existing_keys::ExistingKeys;
use crate::partition::Partition;

/// The index's file name within an hour partition.
pub const KEY_INDEX_FILE: &str = "_keys.json";

/// Keys per curated file, by file name within the hour: `file → asset → sensor → sorted timestamps`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyIndex {
    version: u32,
    files: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<i64>>>>,
}

impl KeyIndex {
    /// Decodes an index object; `key` names it in errors.
    pub fn decode(bytes: &[u8], key: &str) -> Result<Self, CurationError> {
        serde_json::from_slice(bytes)
            .map_err(|e| CurationError::BadKeyIndex { key: key.to_owned(), reason: e.to_string() })
    }

    /// Encodes the index (compact JSON, deterministic order).
    pub fn encode(&self) -> Bytes {
        let mut copy = self.clone();
        copy.version = 1;
        Bytes::from(serde_json::to_vec(&copy).expect("the key index serialises"))
    }

    /// Whether the index lists `file`.
    pub fn has_file(&self, file: &str) -> bool {
        self.files.contains_key(file)
    }

    /// Adds the keys of every file but `except` to `keys`.
    pub fn add_keys_except(&self, except: &str, keys: &mut ExistingKeys) {
        for (file, assets) in &self.files {
            if file == except {
                continue;
            }
            for (asset, sensors) in assets {
                for (sensor, times) in sensors {
                    for &ts in times {
                        keys.insert(asset, sensor, ts);
                    }
                }
            }
        }
    }

    /// Keeps only the files for which `keep(name)` is true (drops entries of files no longer stored).
    pub fn retain_files(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.files.retain(|name, _| keep(name));
    }

    /// Records the keys of a file read back from storage (repair of a missing entry).
    pub fn record_keys(&mut self, file: &str, keys: &ExistingKeys) {
        let entry = self.files.entry(file.to_owned()).or_default();
        for (asset, sensor, ts) in keys.iter() {
            entry.entry(asset.to_owned()).or_default().entry(sensor.to_owned()).or_default().push(ts);
        }
        for times in entry.values_mut().flat_map(|s| s.values_mut()) {
            times.sort_unstable();
            times.dedup();
        }
    }

    /// Records (replacing) the keys a partition writes to `file`; an empty partition removes the entry.
    pub fn record_partition(&mut self, file: &str, partition: &Partition<'_>) {
        if partition.is_empty() {
            self.files.remove(file);
            return;
        }
        let batch = partition.batch;
        let ts = &batch.raw.rows.ts_ms;
        let mut entry: BTreeMap<String, BTreeMap<String, Vec<i64>>> = BTreeMap::new();
        for &row in &partition.rows {
            entry
                .entry(batch.asset(row).to_owned())
                .or_default()
                .entry(batch.sensor(row).to_owned())
                .or_default()
                .push(ts[row as usize]);
        }
        self.files.insert(file.to_owned(), entry);
    }
}
