//! [`ModelStore`]: register, list, approve, reject, roll back and load model versions.

use std::sync::Arc;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use twinpipe_ports::{ObjectStore, StoreError, WriteCondition};

use crate::error::ModelStoreError;
use crate::manifest::{Approval, ApprovalStatus, Artefact, Manifest, NewModel};

/// Prefix of the model store inside the data bucket.
const PREFIX: &str = "models/";
/// How often a compare-and-swap is retried before giving up with [`ModelStoreError::Contended`].
const MAX_ATTEMPTS: u32 = 8;

/// The model store on an object store (the data bucket's `models/` prefix).
#[derive(Clone)]
pub struct ModelStore {
    store: Arc<dyn ObjectStore>,
}

/// A version that [`ModelStore::load_approved`] could not serve, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedVersion {
    pub version: u32,
    pub reason: String,
}

/// The model that serves, with the versions that were skipped to get to it (worth an alarm).
#[derive(Debug)]
pub struct LoadedModel<T> {
    pub manifest: Manifest,
    pub model: T,
    pub skipped: Vec<SkippedVersion>,
}

/// What [`ModelStore::rollback`] changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollback {
    /// The version that serves now.
    pub serving: u32,
    /// The newer versions that were Approved and are now Rejected.
    pub rejected: Vec<u32>,
}

impl ModelStore {
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        ModelStore { store }
    }

    /// Stores a new version: the artefact first, then its manifest (status `PendingManualApproval`), both
    /// with "only if absent" writes so that concurrent trainers get distinct versions. Registering bytes
    /// identical to the newest version's returns that version instead of a copy, so re-running a
    /// reproducible training is harmless.
    pub async fn register(&self, model: NewModel, artefact: Bytes) -> Result<Manifest, ModelStoreError> {
        validate_name(&model.name)?;
        let sha256 = hex::encode(Sha256::digest(&artefact));
        let existing = self.versions(&model.name).await?;
        if let Some(latest) = existing.last().filter(|m| m.artefact.sha256 == sha256 && m.kind == model.kind)
        {
            return Ok(latest.clone());
        }
        let mut version = self.next_version(&model.name).await?;
        for _ in 0..MAX_ATTEMPTS {
            let manifest = new_manifest(&model, version, &sha256, artefact.len() as u64);
            let artefact_key = artefact_key(&manifest);
            match self.put_new(&artefact_key, artefact.clone(), "application/octet-stream").await {
                Ok(()) => {
                    self.put_new(&manifest_key(&model.name, version), encode(&manifest), "application/json")
                        .await?;
                    return Ok(manifest);
                }
                Err(StoreError::PreconditionFailed { .. }) => version += 1,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ModelStoreError::Contended { name: model.name, attempts: MAX_ATTEMPTS })
    }

    /// The names of every model in the store, sorted.
    pub async fn names(&self) -> Result<Vec<String>, ModelStoreError> {
        let mut names: Vec<String> = self
            .store
            .list(PREFIX)
            .await?
            .into_iter()
            .filter_map(|o| o.key.strip_prefix(PREFIX)?.split('/').next().map(str::to_owned))
            .collect();
        names.dedup();
        Ok(names)
    }

    /// Every version of `name` that has a manifest, oldest first. Empty when the model does not exist.
    pub async fn versions(&self, name: &str) -> Result<Vec<Manifest>, ModelStoreError> {
        validate_name(name)?;
        let mut manifests = Vec::new();
        for key in self.manifest_keys(name).await? {
            let bytes = self.store.get(&key).await?;
            manifests.push(self.decode(&key, &bytes)?);
        }
        manifests.sort_by_key(|m| m.version);
        Ok(manifests)
    }

    /// The manifest of one version.
    pub async fn manifest(&self, name: &str, version: u32) -> Result<Manifest, ModelStoreError> {
        validate_name(name)?;
        let key = manifest_key(name, version);
        match self.store.get(&key).await {
            Ok(bytes) => self.decode(&key, &bytes),
            Err(StoreError::NotFound { .. }) => {
                Err(ModelStoreError::VersionNotFound { name: name.to_owned(), version })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Sets the approval status of a version, keeping the previous decision in its history. A
    /// compare-and-swap on the manifest, so concurrent decisions are applied one after the other, never lost.
    pub async fn set_status(
        &self,
        name: &str,
        version: u32,
        status: ApprovalStatus,
        by: &str,
        reason: Option<String>,
    ) -> Result<Manifest, ModelStoreError> {
        validate_name(name)?;
        let key = manifest_key(name, version);
        for _ in 0..MAX_ATTEMPTS {
            let Some((bytes, tag)) = self.store.get_tagged(&key).await? else {
                return Err(ModelStoreError::VersionNotFound { name: name.to_owned(), version });
            };
            let mut manifest = self.decode(&key, &bytes)?;
            let decision = Approval { status, at: now_rfc3339(), by: by.to_owned(), reason: reason.clone() };
            let previous = std::mem::replace(&mut manifest.approval, decision);
            manifest.history.push(previous);
            match self
                .store
                .put_if(&key, encode(&manifest), "application/json", WriteCondition::Matches(tag))
                .await
            {
                Ok(()) => return Ok(manifest),
                Err(StoreError::PreconditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ModelStoreError::Contended { name: name.to_owned(), attempts: MAX_ATTEMPTS })
    }

    /// Puts an earlier version back in service: `to` (default: the newest Approved version older than the
    /// one serving now) becomes Approved if it is not, and every newer Approved version becomes Rejected.
    pub async fn rollback(&self, name: &str, to: Option<u32>, by: &str) -> Result<Rollback, ModelStoreError> {
        let versions = self.versions(name).await?;
        if versions.is_empty() {
            return Err(ModelStoreError::ModelNotFound { name: name.to_owned() });
        }
        let approved: Vec<u32> = versions
            .iter()
            .filter(|m| m.approval.status == ApprovalStatus::Approved)
            .map(|m| m.version)
            .collect();
        let target = rollback_target(name, &versions, &approved, to)?;
        let reason = Some(format!("rolled back to v{target}"));
        if versions.iter().any(|m| m.version == target && m.approval.status != ApprovalStatus::Approved) {
            self.set_status(name, target, ApprovalStatus::Approved, by, reason.clone()).await?;
        }
        let newer: Vec<u32> = approved.into_iter().filter(|v| *v > target).collect();
        for version in &newer {
            self.set_status(name, *version, ApprovalStatus::Rejected, by, reason.clone()).await?;
        }
        Ok(Rollback { serving: target, rejected: newer })
    }

    /// Loads the newest Approved version of `name` whose artefact matches its checksum and that `decode`
    /// accepts. Broken newer versions are skipped (and reported in [`LoadedModel::skipped`]) so the
    /// previous approved version keeps serving. Transient storage failures are returned as errors rather
    /// than skipped: a flaky read must not silently downgrade the model.
    pub async fn load_approved<T>(
        &self,
        name: &str,
        decode: impl Fn(&Manifest, &[u8]) -> Result<T, String>,
    ) -> Result<LoadedModel<T>, ModelStoreError> {
        let versions = self.versions(name).await?;
        if versions.is_empty() {
            return Err(ModelStoreError::ModelNotFound { name: name.to_owned() });
        }
        let mut skipped = Vec::new();
        for manifest in versions.into_iter().rev().filter(|m| m.approval.status == ApprovalStatus::Approved) {
            let bytes = match self.store.get(&artefact_key(&manifest)).await {
                Ok(bytes) => bytes,
                Err(e) if e.is_transient() => return Err(e.into()),
                Err(e) => {
                    skipped.push(SkippedVersion { version: manifest.version, reason: e.to_string() });
                    continue;
                }
            };
            match verify(&manifest, &bytes).and_then(|()| decode(&manifest, &bytes)) {
                Ok(model) => {
                    for s in &skipped {
                        tracing::error!(model = name, version = s.version, reason = %s.reason, "approved model version skipped");
                    }
                    return Ok(LoadedModel { manifest, model, skipped });
                }
                Err(reason) => skipped.push(SkippedVersion { version: manifest.version, reason }),
            }
        }
        if skipped.is_empty() {
            Err(ModelStoreError::NoApprovedVersion { name: name.to_owned() })
        } else {
            Err(ModelStoreError::NoUsableVersion { name: name.to_owned(), skipped })
        }
    }

    async fn manifest_keys(&self, name: &str) -> Result<Vec<String>, ModelStoreError> {
        let prefix = format!("{PREFIX}{name}/");
        Ok(self
            .store
            .list(&prefix)
            .await?
            .into_iter()
            .map(|o| o.key)
            .filter(|k| k.ends_with("/manifest.json") && k[prefix.len()..].matches('/').count() == 1)
            .collect())
    }

    /// One past the highest version that has any object (a manifest or an orphaned artefact).
    async fn next_version(&self, name: &str) -> Result<u32, ModelStoreError> {
        let prefix = format!("{PREFIX}{name}/");
        let highest = self
            .store
            .list(&prefix)
            .await?
            .iter()
            .filter_map(|o| o.key[prefix.len()..].split('/').next()?.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        Ok(highest + 1)
    }

    async fn put_new(&self, key: &str, body: Bytes, content_type: &str) -> Result<(), StoreError> {
        self.store.put_if(key, body, content_type, WriteCondition::Absent).await
    }

    fn decode(&self, key: &str, bytes: &[u8]) -> Result<Manifest, ModelStoreError> {
        serde_json::from_slice(bytes).map_err(|e| ModelStoreError::CorruptManifest {
            bucket: self.store.bucket().to_owned(),
            key: key.to_owned(),
            reason: e.to_string(),
        })
    }
}

fn rollback_target(
    name: &str,
    versions: &[Manifest],
    approved: &[u32],
    to: Option<u32>,
) -> Result<u32, ModelStoreError> {
    let fail = |reason: String| ModelStoreError::Rollback { name: name.to_owned(), reason };
    match to {
        Some(v) if versions.iter().any(|m| m.version == v) => Ok(v),
        Some(v) => Err(ModelStoreError::VersionNotFound { name: name.to_owned(), version: v }),
        None => match approved {
            [.., previous, _serving] => Ok(*previous),
            [_only] => Err(fail("only one version is Approved; name the version to serve with --to".into())),
            [] => Err(fail("no version is Approved, so there is nothing to roll back from".into())),
        },
    }
}

fn verify(manifest: &Manifest, bytes: &[u8]) -> Result<(), String> {
    let actual = hex::encode(Sha256::digest(bytes));
    if actual == manifest.artefact.sha256 {
        Ok(())
    } else {
        Err(format!(
            "artefact checksum mismatch: manifest says sha256 {}, stored bytes hash to {actual}",
            manifest.artefact.sha256
        ))
    }
}

fn new_manifest(model: &NewModel, version: u32, sha256: &str, size: u64) -> Manifest {
    let now = now_rfc3339();
    Manifest {
        name: model.name.clone(),
        kind: model.kind,
        version,
        created: now.clone(),
        code_version: model.code_version.clone(),
        parameters: model.parameters.clone(),
        training_data: model.training_data.clone(),
        metrics: model.metrics.clone(),
        artefact: Artefact { file: model.artefact_file.clone(), sha256: sha256.to_owned(), size },
        approval: Approval {
            status: ApprovalStatus::PendingManualApproval,
            at: now,
            by: model.registered_by.clone(),
            reason: None,
        },
        history: Vec::new(),
    }
}

fn manifest_key(name: &str, version: u32) -> String {
    format!("{PREFIX}{name}/{version}/manifest.json")
}

fn artefact_key(manifest: &Manifest) -> String {
    format!("{PREFIX}{}/{}/{}", manifest.name, manifest.version, manifest.artefact.file)
}

fn encode(manifest: &Manifest) -> Bytes {
    let mut bytes = serde_json::to_vec_pretty(manifest).expect("manifests always serialise");
    bytes.push(b'\n');
    Bytes::from(bytes)
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn validate_name(name: &str) -> Result<(), ModelStoreError> {
    let ok = (1..=64).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok { Ok(()) } else { Err(ModelStoreError::InvalidName { name: name.to_owned() }) }
}
