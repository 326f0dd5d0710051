//! Curation: a raw NDJSON object in, deduplicated, unit-normalised, hour-partitioned Parquet out.
//!
//! Pure and deterministic (no AWS, no clock, no I/O) so that the curate Lambda, the local runner and the
//! tests share one implementation and the same input always yields the same bytes.
//!
//! The steps, each in its own module:
//! 1. [`parse_raw`] reads the NDJSON into columns ([`RawBatch`]),
//! 2. [`normalise`] converts values to canonical units ([`NormalisedBatch`]),
//! 3. [`partition`] splits rows by UTC hour, sorted by (asset_id, sensor_id, ts) and deduplicated
//!    (first occurrence in the object wins),
//! 4. [`Partition::drop_existing`] drops keys already curated in other files of the hour
//!    ([`ExistingKeys::extend_from_parquet`] reads them),
//! 5. [`write_parquet`] encodes each partition, and [`Partition::summary`] describes it for the event.
//!
//! [`curate`] and [`curate_with_existing`] run all of it. [`KeyIndex`] keeps an hour's keys in one small
//! object so that an async caller does not have to read every file of the hour for step 4.

#![warn(missing_docs)]

mod curate;
mod curated_reader;
mod dedupe;
mod error;
mod existing_keys;
mod interner;
mod key_index;
mod normalise;
mod parquet_writer;
mod partition;
mod raw_reader;
mod summary;
mod timestamp;

pub use curate::{Curated, CuratedFile, curate, curate_with_existing, write_partition};
pub use curated_reader::{CuratedRow, read_curated};
pub use error::CurationError;
pub use existing_keys::ExistingKeys;
pub use key_index::{KEY_INDEX_FILE, KeyIndex};
pub use normalise::{NormalisedBatch, normalise};
pub use parquet_writer::{Compression, curated_schema, write_parquet};
pub use partition::{Partition, Partitioned, partition};
pub use raw_reader::{MAX_ROWS, RawBatch, parse_raw};
pub use summary::PartitionSummary;
