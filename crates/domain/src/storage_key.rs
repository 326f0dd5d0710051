//! Deterministic object keys.
//!
//! Every key is a pure function of its input, so a redelivered message or a re-run of a handler writes
//! the same key with the same bytes: storage overwrites instead of duplicating. This is what makes the
//! handlers idempotent without a separate idempotency table.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Prefix of validated readings as landed by ingest.
pub const RAW_PREFIX: &str = "raw/";
/// Prefix of rejected records with their reasons.
pub const QUARANTINE_PREFIX: &str = "quarantine/";
/// Prefix of curated Parquet.
pub const CURATED_PREFIX: &str = "curated/";

/// A short, stable content hash (first 16 bytes of SHA-256, hex): long enough that collisions are not a
/// practical concern, short enough to read in a listing.
pub fn short_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(&h.finalize()[..16])
}

/// The date and hour partition of a timestamp, as `(YYYY-MM-DD, HH)` in UTC.
pub fn date_hour(ts_ms: i64) -> (String, String) {
    let t = DateTime::<Utc>::from_timestamp_millis(ts_ms).unwrap_or_default();
    (t.format("%Y-%m-%d").to_string(), t.format("%H").to_string())
}

/// `raw/date=D/hour=H/<hash>.ndjson`, partitioned by the earliest reading in the message, hashed over the
/// SQS message id and body so that a redelivery lands on the same key.
pub fn raw_key(message_id: &str, body: &str, earliest_ts_ms: i64) -> String {
    let (date, hour) = date_hour(earliest_ts_ms);
    let hash = short_hash(&[message_id.as_bytes(), body.as_bytes()]);
    format!("{RAW_PREFIX}date={date}/hour={hour}/{hash}.ndjson")
}

/// `quarantine/date=D/<hash>.json`, dated by when the message was sent (stable across redeliveries),
/// or `date=unknown` when the event carries no `SentTimestamp`.
pub fn quarantine_key(message_id: &str, body: &str, sent_ms: Option<i64>) -> String {
    let date = sent_ms.map(|ms| date_hour(ms).0).unwrap_or_else(|| "unknown".to_owned());
    let hash = short_hash(&[message_id.as_bytes(), body.as_bytes()]);
    format!("{QUARANTINE_PREFIX}date={date}/{hash}.json")
}

/// `curated/date=D/hour=H/part-<hash>.parquet`: one file per source object and hour, named after the
/// source, so re-curating a source rewrites its own files and never touches another source's.
pub fn curated_key(date: &str, hour: &str, source_key: &str) -> String {
    let hash = short_hash(&[source_key.as_bytes()]);
    format!("{CURATED_PREFIX}date={date}/hour={hour}/part-{hash}.parquet")
}

/// The directory of one curated hour, for listing what is already there.
pub fn curated_partition_prefix(date: &str, hour: &str) -> String {
    format!("{CURATED_PREFIX}date={date}/hour={hour}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redelivery_maps_to_the_same_raw_key() {
        let a = raw_key("m-1", "[1]", 1_764_064_800_000);
        assert_eq!(a, raw_key("m-1", "[1]", 1_764_064_800_000));
        assert_ne!(a, raw_key("m-2", "[1]", 1_764_064_800_000));
        assert_ne!(a, raw_key("m-1", "[2]", 1_764_064_800_000));
        assert!(a.starts_with("raw/date=2025-11-25/hour=10/"), "{a}");
    }

    #[test]
    fn hash_separates_parts_unambiguously() {
        assert_ne!(short_hash(&[b"ab", b"c"]), short_hash(&[b"a", b"bc"]));
    }

    #[test]
    fn curated_key_is_hive_partitioned() {
        let k = curated_key("2025-11-25", "07", "raw/x.ndjson");
        assert!(k.starts_with("curated/date=2025-11-25/hour=07/part-") && k.ends_with(".parquet"), "{k}");
    }
}
