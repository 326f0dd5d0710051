//! Loading and saving an hour's key index (see `twinpipe_curation::KeyIndex`) through the object store,
//! repairing it from the Parquet files when it is missing, unreadable or behind.
//!
//! The index is saved with a conditional write against the tag it was loaded with (`If-Match`, or
//! `If-None-Match: *` when there was none), so that of two curations of the same hour that loaded the
//! same index only one saves it; the other gets `StoreError::PreconditionFailed` and redoes its hour.

use twinpipe_curation::{ExistingKeys, KEY_INDEX_FILE, KeyIndex, Partition};
use twinpipe_domain::storage_key::curated_partition_prefix;
use twinpipe_ports::object_store::WriteCondition;
use twinpipe_ports::{ObjectStore, StoreError};

use crate::CurateError;

/// An hour's index, and the keys of every file in it except the one being written.
pub(crate) struct HourIndex {
    index_key: String,
    prefix: String,
    index: KeyIndex,
    /// The index object's tag when loaded; `None` when there was no index object.
    tag: Option<String>,
    pub existing: ExistingKeys,
    /// Whether the listing showed `own_file`.
    pub own_listed: bool,
}

/// Loads the index of the hour `date`/`hour`, bringing it in line with the Parquet files listed there,
/// and collects the keys of every file but `own_file`.
pub(crate) async fn load(
    store: &dyn ObjectStore,
    date: &str,
    hour: &str,
    own_file: &str,
) -> Result<HourIndex, CurateError> {
    let prefix = curated_partition_prefix(date, hour);
    let index_key = format!("{prefix}{KEY_INDEX_FILE}");
    let (mut index, tag) = match store.get_tagged(&index_key).await? {
        Some((bytes, tag)) => {
            let index = KeyIndex::decode(&bytes, &index_key).unwrap_or_else(|e| {
                tracing::warn!(key = %index_key, error = %e, "key index unreadable; rebuilding it from the Parquet files");
                KeyIndex::default()
            });
            (index, Some(tag))
        }
        None => (KeyIndex::default(), None),
    };
    let own_name = own_file.strip_prefix(&prefix).unwrap_or(own_file);
    let files: Vec<String> = store
        .list(&prefix)
        .await?
        .into_iter()
        .filter_map(|m| m.key.strip_prefix(&prefix).map(str::to_owned))
        .filter(|name| name.ends_with(".parquet") && !name.contains('/'))
        .collect();
    let own_listed = files.iter().any(|f| f == own_name);
    index.retain_files(|name| files.iter().any(|f| f == name));
    let unindexed: Vec<&String> =
        files.iter().filter(|n| n.as_str() != own_name && !index.has_file(n)).collect();
    for name in unindexed {
        let key = format!("{prefix}{name}");
        let bytes = match store.get(&key).await {
            Ok(bytes) => bytes,
            // Deleted since the listing by a curation that found all its rows curated elsewhere.
            Err(StoreError::NotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        let mut keys = ExistingKeys::new();
        keys.extend_from_parquet(bytes, &key)
            .map_err(|source| CurateError::BadCuratedFile { key: key.clone(), source: Box::new(source) })?;
        index.record_keys(name, &keys);
    }
    let mut existing = ExistingKeys::new();
    index.add_keys_except(own_name, &mut existing);
    Ok(HourIndex { index_key, prefix, index, tag, existing, own_listed })
}

impl HourIndex {
    /// Records what `partition` writes to `own_file`.
    pub(crate) fn record(&mut self, own_file: &str, partition: &Partition<'_>) {
        let name = own_file.strip_prefix(&self.prefix).unwrap_or(own_file);
        self.index.record_partition(name, partition);
    }
}

/// Stores the index if it is still the one loaded: `StoreError::PreconditionFailed` (inside
/// `CurateError::Store`) when another curation saved it since.
pub(crate) async fn save(store: &dyn ObjectStore, hour: &HourIndex) -> Result<(), CurateError> {
    let condition = match &hour.tag {
        Some(tag) => WriteCondition::Matches(tag.clone()),
        None => WriteCondition::Absent,
    };
    store.put_if(&hour.index_key, hour.index.encode(), "application/json", condition).await?;
    Ok(())
}
