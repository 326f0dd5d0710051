//! Loading and saving an hour's key index (see `twinpipe_curation::KeyIndex`) through the object store,
//! repairing it from the Parquet files when it is missing, unreadable or behind.

use twinpipe_curation::{ExistingKeys, KEY_INDEX_FILE, KeyIndex, Partition};
use twinpipe_domain::storage_key::curated_partition_prefix;
use twinpipe_ports::{ObjectStore, StoreError};

use crate::CurateError;

/// An hour's index, and the keys of every file in it except the one being written.
pub(crate) struct HourIndex {
    index_key: String,
    prefix: String,
    index: KeyIndex,
    pub existing: ExistingKeys,
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
    let mut index = match store.get(&index_key).await {
        Ok(bytes) => KeyIndex::decode(&bytes, &index_key).unwrap_or_else(|e| {
            tracing::warn!(key = %index_key, error = %e, "key index unreadable; rebuilding it from the Parquet files");
            KeyIndex::default()
        }),
        Err(StoreError::NotFound { .. }) => KeyIndex::default(),
        Err(e) => return Err(e.into()),
    };
    let own_name = own_file.strip_prefix(&prefix).unwrap_or(own_file);
    let files: Vec<String> = store
        .list(&prefix)
        .await?
        .into_iter()
        .filter_map(|m| m.key.strip_prefix(&prefix).map(str::to_owned))
        .filter(|name| name.ends_with(".parquet") && !name.contains('/'))
        .collect();
    index.retain_files(|name| files.iter().any(|f| f == name));
    let unindexed: Vec<&String> = files
        .iter()
        .filter(|n| n.as_str() != own_name && !index.has_file(n))
        .collect();
    for name in unindexed {
        let key = format!("{prefix}{name}");
        let bytes = store.get(&key).await?;
        let mut keys = ExistingKeys::new();
        keys.extend_from_parquet(bytes, &key)
            .map_err(|source| CurateError::BadCuratedFile {
                key: key.clone(),
                source: Box::new(source),
            })?;
        index.record_keys(name, &keys);
    }
    let mut existing = ExistingKeys::new();
    index.add_keys_except(own_name, &mut existing);
    Ok(HourIndex {
        index_key,
        prefix,
        index,
        existing,
    })
}

impl HourIndex {
    /// Records what `partition` writes to `own_file`.
    pub(crate) fn record(&mut self, own_file: &str, partition: &Partition<'_>) {
        let name = own_file.strip_prefix(&self.prefix).unwrap_or(own_file);
        self.index.record_partition(name, partition);
    }
}

/// Stores the index.
pub(crate) async fn save(store: &dyn ObjectStore, hour: &HourIndex) -> Result<(), CurateError> {
    store
        .put(&hour.index_key, hour.index.encode(), "application/json")
        .await?;
    Ok(())
}
