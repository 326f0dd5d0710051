//! Helpers for the end-to-end tests: generating traffic with a known ground truth, and counting what the
//! pipeline stored.

use std::collections::HashSet;

use twinpipe_ports::ObjectStore;

/// One message to send and what it must produce.
#[derive(Debug, Clone)]
pub struct Message {
    pub body: String,
    /// Valid readings' keys (asset, sensor, ts) in this message.
    pub valid_keys: Vec<(String, String, i64)>,
    /// Inputs that must be quarantined: rejected readings, or 1 for an unusable body.
    pub invalid_inputs: usize,
}

/// Totals the pipeline must reproduce exactly.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expected {
    pub distinct_valid: usize,
    pub invalid_inputs: usize,
}

/// The ground truth of a list of messages (every message counts, including resends).
pub fn expected(messages: &[Message]) -> Expected {
    let distinct: HashSet<&(String, String, i64)> = messages.iter().flat_map(|m| &m.valid_keys).collect();
    Expected {
        distinct_valid: distinct.len(),
        invalid_inputs: messages.iter().map(|m| m.invalid_inputs).sum(),
    }
}

/// A valid reading as JSON, plus its key.
pub fn reading(asset: usize, sensor: usize, ts_ms: i64, value: f64) -> (String, (String, String, i64)) {
    let (a, s) = (format!("pump-{asset}"), format!("s-{sensor}"));
    let json = format!(r#"{{"asset_id":"{a}","sensor_id":"{s}","ts":{ts_ms},"value":{value},"unit":"kPa"}}"#);
    (json, (a, s, ts_ms))
}

/// What the bucket holds after a run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stored {
    /// Rows in all curated Parquet files.
    pub curated_rows: usize,
    /// Distinct (asset, sensor, ts) keys among them.
    pub curated_distinct: usize,
    /// Inputs recorded in quarantine objects.
    pub quarantined_inputs: usize,
}

/// Counts curated rows (from the Parquet files themselves) and quarantined inputs.
pub async fn stored(store: &dyn ObjectStore) -> Stored {
    let mut out = Stored::default();
    let mut keys = twinpipe_curation::ExistingKeys::new();
    for meta in store.list("curated/").await.expect("list curated") {
        if !meta.key.ends_with(".parquet") {
            continue;
        }
        let bytes = store.get(&meta.key).await.expect("get curated");
        out.curated_rows += keys.extend_from_parquet(bytes, &meta.key).expect("curated Parquet");
    }
    out.curated_distinct = keys.len();
    for meta in store.list("quarantine/").await.expect("list quarantine") {
        let record: serde_json::Value =
            serde_json::from_slice(&store.get(&meta.key).await.expect("get")).expect("JSON");
        let rejected = record["rejected"].as_array().map_or(0, Vec::len);
        out.quarantined_inputs += if record["error"].is_null() { rejected } else { 1 };
    }
    out
}
