//! The model store's contract: immutable versions, approval workflow, and serving that survives a broken
//! newer version.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use twinpipe_local::MemoryObjectStore;
use twinpipe_model_store::{ApprovalStatus, ModelKind, ModelStore, ModelStoreError, NewModel};
use twinpipe_ports::ObjectStore;

fn draft(name: &str) -> NewModel {
    NewModel {
        name: name.into(),
        kind: ModelKind::Forecaster,
        code_version: "0.1.0".into(),
        parameters: serde_json::json!({ "lookback": 336, "seed": 7 }),
        training_data: None,
        metrics: BTreeMap::from([("mse".to_owned(), 0.05)]),
        artefact_file: "model.json".into(),
        registered_by: "test".into(),
    }
}

fn stores() -> (Arc<MemoryObjectStore>, ModelStore) {
    let bucket = Arc::new(MemoryObjectStore::new("lake"));
    (bucket.clone(), ModelStore::new(bucket))
}

/// A decoder that accepts UTF-8 text starting with "model", like a real decoder accepts its format.
fn decode(_: &twinpipe_model_store::Manifest, bytes: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    text.starts_with("model").then(|| text.to_owned()).ok_or_else(|| "not a model artefact".to_owned())
}

#[tokio::test]
async fn versions_are_numbered_and_start_pending() {
    let (_, store) = stores();
    let v1 = store.register(draft("pump-forecast"), Bytes::from("model one")).await.unwrap();
    let v2 = store.register(draft("pump-forecast"), Bytes::from("model two")).await.unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(v2.approval.status, ApprovalStatus::PendingManualApproval);
    assert_eq!(v2.artefact.size, 9);
    assert_eq!(store.names().await.unwrap(), vec!["pump-forecast"]);
}

#[tokio::test]
async fn registering_identical_bytes_again_returns_the_existing_version() {
    let (_, store) = stores();
    let first = store.register(draft("m"), Bytes::from("model a")).await.unwrap();
    let again = store.register(draft("m"), Bytes::from("model a")).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(store.versions("m").await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_version_number_held_by_an_orphaned_artefact_is_never_reused() {
    let (bucket, store) = stores();
    bucket.put("models/m/1/model.json", Bytes::from("half-written"), "application/json").await.unwrap();
    let manifest = store.register(draft("m"), Bytes::from("model a")).await.unwrap();
    assert_eq!(manifest.version, 2);
}

#[tokio::test]
async fn serving_uses_the_newest_approved_version() {
    let (_, store) = stores();
    for body in ["model one", "model two", "model three"] {
        store.register(draft("m"), Bytes::from(body)).await.unwrap();
    }
    store.set_status("m", 1, ApprovalStatus::Approved, "ops", None).await.unwrap();
    store.set_status("m", 2, ApprovalStatus::Approved, "ops", None).await.unwrap();
    let loaded = store.load_approved("m", decode).await.unwrap();
    assert_eq!((loaded.manifest.version, loaded.model.as_str()), (2, "model two"));
    assert!(loaded.skipped.is_empty());
}

#[tokio::test]
async fn approval_history_keeps_every_decision() {
    let (_, store) = stores();
    store.register(draft("m"), Bytes::from("model one")).await.unwrap();
    store.set_status("m", 1, ApprovalStatus::Approved, "alice", None).await.unwrap();
    let m = store.set_status("m", 1, ApprovalStatus::Rejected, "bob", Some("drifted".into())).await.unwrap();
    let statuses: Vec<_> = m.history.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![ApprovalStatus::PendingManualApproval, ApprovalStatus::Approved]);
    assert_eq!((m.approval.status, m.approval.by.as_str()), (ApprovalStatus::Rejected, "bob"));
}

#[tokio::test]
async fn checksum_mismatch_skips_to_the_previous_approved_version() {
    let (bucket, store) = stores();
    store.register(draft("m"), Bytes::from("model one")).await.unwrap();
    store.register(draft("m"), Bytes::from("model two")).await.unwrap();
    for v in [1, 2] {
        store.set_status("m", v, ApprovalStatus::Approved, "ops", None).await.unwrap();
    }
    bucket.put("models/m/2/model.json", Bytes::from("model tampered"), "application/json").await.unwrap();
    let loaded = store.load_approved("m", decode).await.unwrap();
    assert_eq!(loaded.manifest.version, 1);
    assert_eq!(loaded.skipped.len(), 1);
    assert!(loaded.skipped[0].reason.contains("checksum mismatch"), "{}", loaded.skipped[0].reason);
}

#[tokio::test]
async fn corrupt_artefact_skips_to_the_previous_approved_version() {
    let (_, store) = stores();
    store.register(draft("m"), Bytes::from("model one")).await.unwrap();
    store.register(draft("m"), Bytes::from("garbage that the decoder refuses")).await.unwrap();
    for v in [1, 2] {
        store.set_status("m", v, ApprovalStatus::Approved, "ops", None).await.unwrap();
    }
    let loaded = store.load_approved("m", decode).await.unwrap();
    assert_eq!(loaded.manifest.version, 1);
    assert_eq!(loaded.skipped[0].reason, "not a model artefact");
}

#[tokio::test]
async fn no_approved_version_is_a_clear_error() {
    let (_, store) = stores();
    store.register(draft("m"), Bytes::from("model one")).await.unwrap();
    let err = store.load_approved("m", decode).await.unwrap_err();
    assert!(matches!(err, ModelStoreError::NoApprovedVersion { .. }), "{err}");
    assert!(err.to_string().contains("twinpipe model approve m"), "{err}");
    let missing = store.load_approved("other", decode).await.unwrap_err();
    assert!(matches!(missing, ModelStoreError::ModelNotFound { .. }), "{missing}");
}

#[tokio::test]
async fn all_approved_versions_broken_lists_each_reason() {
    let (bucket, store) = stores();
    store.register(draft("m"), Bytes::from("model one")).await.unwrap();
    store.set_status("m", 1, ApprovalStatus::Approved, "ops", None).await.unwrap();
    bucket.delete("models/m/1/model.json").await.unwrap();
    let err = store.load_approved("m", decode).await.unwrap_err();
    assert!(matches!(err, ModelStoreError::NoUsableVersion { .. }), "{err}");
    assert!(err.to_string().contains("v1: object s3://lake/models/m/1/model.json does not exist"), "{err}");
}

#[tokio::test]
async fn rollback_rejects_the_newer_approved_versions() {
    let (_, store) = stores();
    for body in ["model one", "model two", "model three"] {
        store.register(draft("m"), Bytes::from(body)).await.unwrap();
    }
    for v in [1, 2, 3] {
        store.set_status("m", v, ApprovalStatus::Approved, "ops", None).await.unwrap();
    }
    let rollback = store.rollback("m", None, "ops").await.unwrap();
    assert_eq!((rollback.serving, rollback.rejected.clone()), (2, vec![3]));
    let to_one = store.rollback("m", Some(1), "ops").await.unwrap();
    assert_eq!((to_one.serving, to_one.rejected), (1, vec![2]));
    assert_eq!(store.load_approved("m", decode).await.unwrap().manifest.version, 1);
}

#[tokio::test]
async fn rollback_with_one_approved_version_asks_for_a_target() {
    let (_, store) = stores();
    store.register(draft("m"), Bytes::from("model one")).await.unwrap();
    store.set_status("m", 1, ApprovalStatus::Approved, "ops", None).await.unwrap();
    let err = store.rollback("m", None, "ops").await.unwrap_err();
    assert!(err.to_string().contains("--to"), "{err}");
}

#[tokio::test]
async fn invalid_names_are_refused_before_touching_storage() {
    let (_, store) = stores();
    for name in ["", "Pump", "../etc", "a/b", &"x".repeat(65)] {
        let err = store.register(draft(name), Bytes::from("model")).await.unwrap_err();
        assert!(matches!(err, ModelStoreError::InvalidName { .. }), "{name}: {err}");
    }
}
