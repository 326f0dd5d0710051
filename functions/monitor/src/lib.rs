//! The monitor handler: the pipeline checks its own data.
//!
//! - **Every batch** ("Dataset Curated" from curate, "Predictions Written" from infer): each new Parquet
//!   object is profiled (a mergeable Model Monitor profile: type counts, moments, KLL sketch, value counts)
//!   and the profile is kept at `monitoring/<check>/profiles/date=<d>/hour=<h>/<object hash>.json`.
//!   Curated readings also go through the sensor telemetry checks (stuck sensor, gaps, physical range,
//!   clock skew, sampling-rate change); each violation is written as evidence and published at once.
//! - **On the schedule** (EventBridge "Scheduled Event"): the previous complete hour's batch profiles are
//!   merged (no re-scan of the data) into `monitoring/<check>/<yyyy>/<mm>/<dd>/<hh>/statistics.json`
//!   and, when a baseline exists under `baselines/<check>/` (statistics.json + constraints.json, as
//!   `twinpipe quality data-baseline` writes them), checked into `constraint_violations.json` — the files
//!   and places SageMaker Model Monitor users expect. Violations pass through hysteresis (a violation is
//!   raised after K of N windows, cleared after M clean ones) so one noisy hour does not flap alerts; each
//!   raise is published as "Quality Violation".
//!
//! Every write has a deterministic key, so redelivered events overwrite instead of duplicating, and
//! published violations carry a stable `dedupe_key` for the alert function.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Duration, Timelike, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use twinpipe_domain::events::{self, QualityViolation, Severity};
use twinpipe_ports::{BusError, BusEvent, EventBus, ObjectStore, StoreError, WriteCondition};
use twinpipe_quality::dataset::{CsvHeader, DatasetFormat, read_dataset};
use twinpipe_quality::hysteresis::{HysteresisConfig, HysteresisState};
use twinpipe_quality::telemetry::{has_telemetry_columns, readings_from_batch};
use twinpipe_quality::{
    ConstraintViolations, Constraints, DataProfile, QualityError, RecordBatch, Statistics, StatisticsOptions,
    TelemetryConfig, Violation, check, telemetry_checks,
};

/// How often the hysteresis record is redone when another invocation saved it first.
const MAX_ROUNDS: u32 = 10;

/// The data a check watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    /// Curated readings (`curated/`): check `data-quality`.
    Curated,
    /// Model outputs (`predictions/`): check `prediction-quality`.
    Predictions,
}

impl Watched {
    /// The check's name, in keys and events.
    pub fn check(self) -> &'static str {
        match self {
            Watched::Curated => "data-quality",
            Watched::Predictions => "prediction-quality",
        }
    }
}

/// Why monitoring failed. `UnexpectedEvent`, `WrongBucket`, `BadObject` and `BadBaseline` are permanent;
/// the rest are worth a retry.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(
        "the monitor handles \"Dataset Curated\", \"Predictions Written\" and \"Scheduled Event\"; got {0}"
    )]
    UnexpectedEvent(String),
    #[error(
        "the event is for bucket {event_bucket:?} but this function monitors {configured:?} (check TWINPIPE_BUCKET)"
    )]
    WrongBucket { event_bucket: String, configured: String },
    #[error("object {key} cannot be profiled: {source}")]
    BadObject {
        key: String,
        #[source]
        source: QualityError,
    },
    #[error("baseline {key} is unusable ({source}); regenerate it with `twinpipe quality data-baseline`")]
    BadBaseline {
        key: String,
        #[source]
        source: QualityError,
    },
    #[error("monitoring record {key} kept changing under {MAX_ROUNDS} attempts; retry")]
    Contended { key: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("publishing quality violations failed: {0}")]
    Publish(#[from] BusError),
}

/// What an invocation did (the invocation's JSON result).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MonitorOutcome {
    /// Batch profiles written.
    pub profiles: Vec<String>,
    /// Statistics, violation reports and evidence written.
    pub reports: Vec<String>,
    /// Violations published as "Quality Violation".
    pub violations: Vec<QualityViolation>,
    /// What was not done and why (no baseline yet, no data in the hour).
    pub notes: Vec<String>,
}

/// The monitor handler, over any object store and event bus.
pub struct Monitor {
    store: Arc<dyn ObjectStore>,
    bus: Arc<dyn EventBus>,
    telemetry: TelemetryConfig,
    hysteresis: HysteresisConfig,
}

impl Monitor {
    pub fn new(store: Arc<dyn ObjectStore>, bus: Arc<dyn EventBus>) -> Self {
        Monitor { store, bus, telemetry: TelemetryConfig::default(), hysteresis: HysteresisConfig::default() }
    }

    /// Handles one EventBridge event (the full envelope, as Lambda delivers it).
    pub async fn handle(&self, event: &Value) -> Result<MonitorOutcome, MonitorError> {
        let field = |name: &str| event.get(name).and_then(Value::as_str).unwrap_or_default();
        let mut outcome = MonitorOutcome::default();
        match (field("source"), field("detail-type")) {
            (events::CURATE_SOURCE, events::DATASET_CURATED) => {
                self.check_bucket(event)?;
                let keys = object_keys(event, "/detail/objects")?;
                self.batch(Watched::Curated, &keys, &mut outcome).await?;
            }
            (events::INFER_SOURCE, events::PREDICTIONS_WRITTEN) => {
                self.check_bucket(event)?;
                let keys = object_keys(event, "/detail/objects")?;
                self.batch(Watched::Predictions, &keys, &mut outcome).await?;
            }
            ("aws.events", "Scheduled Event") => {
                let time = DateTime::parse_from_rfc3339(field("time")).map_err(|e| {
                    MonitorError::UnexpectedEvent(format!(
                        "a Scheduled Event with time {:?}: {e}",
                        field("time")
                    ))
                })?;
                let hour = previous_hour(time.with_timezone(&Utc));
                for watched in [Watched::Curated, Watched::Predictions] {
                    self.hour(watched, hour, &mut outcome).await?;
                }
            }
            (source, detail_type) => {
                return Err(MonitorError::UnexpectedEvent(format!(
                    "source {source:?}, detail-type {detail_type:?}"
                )));
            }
        }
        self.publish(&outcome.violations).await?;
        Ok(outcome)
    }

    fn check_bucket(&self, event: &Value) -> Result<(), MonitorError> {
        let bucket = event.pointer("/detail/bucket").and_then(Value::as_str).unwrap_or_default();
        if bucket == self.store.bucket() {
            Ok(())
        } else {
            Err(MonitorError::WrongBucket {
                event_bucket: bucket.to_owned(),
                configured: self.store.bucket().to_owned(),
            })
        }
    }

    /// Profiles each new object and, for readings, runs the telemetry checks.
    async fn batch(
        &self,
        watched: Watched,
        keys: &[String],
        outcome: &mut MonitorOutcome,
    ) -> Result<(), MonitorError> {
        for key in keys {
            let bytes = self.store.get(key).await?;
            let batches = read_dataset(bytes, DatasetFormat::Parquet, &CsvHeader::default())
                .map_err(|source| MonitorError::BadObject { key: key.clone(), source })?;
            let profile = DataProfile::from_batches(&batches)
                .map_err(|source| MonitorError::BadObject { key: key.clone(), source })?;
            let (date, hour) = partition_of(key);
            let profile_key = format!(
                "monitoring/{}/profiles/date={date}/hour={hour}/{}.json",
                watched.check(),
                short_hash(key)
            );
            self.store.put(&profile_key, Bytes::from(profile.to_json()), "application/json").await?;
            outcome.profiles.push(profile_key);
            if watched == Watched::Curated {
                self.telemetry(key, &batches, &date, &hour, outcome).await?;
            }
        }
        Ok(())
    }

    async fn telemetry(
        &self,
        key: &str,
        batches: &[RecordBatch],
        date: &str,
        hour: &str,
        outcome: &mut MonitorOutcome,
    ) -> Result<(), MonitorError> {
        let mut readings = Vec::new();
        for batch in batches.iter().filter(|b| has_telemetry_columns(b)) {
            readings.extend(
                readings_from_batch(batch)
                    .map_err(|source| MonitorError::BadObject { key: key.to_owned(), source })?,
            );
        }
        let found = telemetry_checks(&readings, &self.telemetry);
        if found.is_empty() {
            return Ok(());
        }
        let evidence = format!(
            "monitoring/sensor-telemetry/{}/{}/constraint_violations.json",
            date_path(date, hour),
            short_hash(key)
        );
        let report = ConstraintViolations { violations: found.clone(), extensions: None };
        self.store.put(&evidence, Bytes::from(report.to_json_pretty()), "application/json").await?;
        outcome.reports.push(evidence.clone());
        let window = format!("{date}T{hour}");
        outcome
            .violations
            .extend(found.iter().map(|v| self.violation("sensor-telemetry", v, &evidence, &window)));
        Ok(())
    }

    /// Merges an hour's batch profiles and checks them against the baseline.
    async fn hour(
        &self,
        watched: Watched,
        at: DateTime<Utc>,
        outcome: &mut MonitorOutcome,
    ) -> Result<(), MonitorError> {
        let (date, hour) = (at.format("%Y-%m-%d").to_string(), format!("{:02}", at.hour()));
        let check_name = watched.check();
        let prefix = format!("monitoring/{check_name}/profiles/date={date}/hour={hour}/");
        let mut merged: Option<DataProfile> = None;
        for object in self.store.list(&prefix).await? {
            let bytes = self.store.get(&object.key).await?;
            let profile = DataProfile::from_json(&bytes)
                .map_err(|source| MonitorError::BadObject { key: object.key.clone(), source })?;
            match &mut merged {
                Some(m) => m.merge(&profile),
                None => merged = Some(profile),
            }
        }
        let Some(profile) = merged else {
            outcome.notes.push(format!("{check_name}: no batches in {date} {hour}:00"));
            return Ok(());
        };
        let base = format!("monitoring/{check_name}/{}", date_path(&date, &hour));
        let statistics = Statistics::from_profile(&profile, StatisticsOptions::default());
        self.put_json(&format!("{base}/statistics.json"), statistics.to_json_pretty(), outcome).await?;
        let Some((baseline, constraints)) = self.baseline(check_name).await? else {
            outcome
                .notes
                .push(format!("{check_name}: no baseline under baselines/{check_name}/; statistics only"));
            return Ok(());
        };
        let report = check(&profile, &constraints, &baseline);
        let evidence = format!("{base}/constraint_violations.json");
        self.put_json(&evidence, report.to_json_pretty(), outcome).await?;
        let raised = self.raise(check_name, &report).await?;
        let window = format!("{date}T{hour}");
        outcome.violations.extend(
            report
                .all()
                .filter(|v| raised.contains(&v.key()))
                .map(|v| self.violation(check_name, v, &evidence, &window)),
        );
        Ok(())
    }

    async fn baseline(&self, check_name: &str) -> Result<Option<(Statistics, Constraints)>, MonitorError> {
        let statistics_key = format!("baselines/{check_name}/statistics.json");
        let constraints_key = format!("baselines/{check_name}/constraints.json");
        let (statistics, constraints) =
            match (self.get_optional(&statistics_key).await?, self.get_optional(&constraints_key).await?) {
                (Some(s), Some(c)) => (s, c),
                _ => return Ok(None),
            };
        let statistics = Statistics::from_json(&statistics)
            .map_err(|source| MonitorError::BadBaseline { key: statistics_key, source })?;
        let constraints = Constraints::from_json(&constraints)
            .map_err(|source| MonitorError::BadBaseline { key: constraints_key, source })?;
        Ok(Some((statistics, constraints)))
    }

    /// Feeds the window's violations to the check's hysteresis record (compare-and-swap) and returns the
    /// keys raised by this window.
    async fn raise(
        &self,
        check_name: &str,
        report: &ConstraintViolations,
    ) -> Result<Vec<String>, MonitorError> {
        let key = format!("monitoring/{check_name}/hysteresis.json");
        let violated: Vec<String> = report.all().map(Violation::key).collect();
        let skipped = report.skipped_keys();
        for _ in 0..MAX_ROUNDS {
            let (mut state, condition) = match self.store.get_tagged(&key).await? {
                Some((bytes, tag)) => {
                    (serde_json::from_slice(&bytes).unwrap_or_default(), WriteCondition::Matches(tag))
                }
                None => (HysteresisState::default(), WriteCondition::Absent),
            };
            let changes = state.observe(
                &self.hysteresis,
                violated.iter().map(String::as_str),
                skipped.iter().map(String::as_str),
            );
            let body = Bytes::from(serde_json::to_vec(&state).expect("hysteresis state serialises"));
            match self.store.put_if(&key, body, "application/json", condition).await {
                Ok(()) => return Ok(changes.into_iter().filter(|c| c.raised).map(|c| c.key).collect()),
                Err(StoreError::PreconditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(MonitorError::Contended { key })
    }

    fn violation(&self, check_name: &str, v: &Violation, evidence: &str, window: &str) -> QualityViolation {
        let feature = match (&v.asset_id, &v.sensor_id) {
            (Some(a), Some(s)) => format!("{a}/{s}"),
            _ => v.feature_name.clone(),
        };
        QualityViolation {
            bucket: self.store.bucket().to_owned(),
            check: check_name.to_owned(),
            dedupe_key: format!("{check_name}/{}/{window}", v.key()),
            feature,
            asset_id: v.asset_id.clone(),
            metric: v.constraint_check_type.clone(),
            observed: None,
            threshold: None,
            description: v.description.clone(),
            severity: Severity::Warning,
            evidence: vec![evidence.to_owned()],
        }
    }

    async fn put_json(
        &self,
        key: &str,
        text: String,
        outcome: &mut MonitorOutcome,
    ) -> Result<(), MonitorError> {
        self.store.put(key, Bytes::from(text), "application/json").await?;
        outcome.reports.push(key.to_owned());
        Ok(())
    }

    async fn get_optional(&self, key: &str) -> Result<Option<Bytes>, MonitorError> {
        match self.store.get(key).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn publish(&self, violations: &[QualityViolation]) -> Result<(), MonitorError> {
        if violations.is_empty() {
            return Ok(());
        }
        let events = violations
            .iter()
            .map(|v| BusEvent {
                source: events::MONITOR_SOURCE.to_owned(),
                detail_type: events::QUALITY_VIOLATION.to_owned(),
                detail: serde_json::to_value(v).expect("events serialise"),
                resources: v.evidence.iter().map(|k| format!("arn:aws:s3:::{}/{k}", v.bucket)).collect(),
            })
            .collect();
        self.bus.publish(events).await?;
        Ok(())
    }
}

/// The `key` of every object listed at `pointer` in the event.
fn object_keys(event: &Value, pointer: &str) -> Result<Vec<String>, MonitorError> {
    let objects = event.pointer(pointer).and_then(Value::as_array).ok_or_else(|| {
        MonitorError::UnexpectedEvent(format!("an event without {pointer} (a list of objects with keys)"))
    })?;
    Ok(objects.iter().filter_map(|o| o.get("key").and_then(Value::as_str).map(str::to_owned)).collect())
}

/// The `date=` and `hour=` of a Hive-partitioned key (`unknown` when absent).
fn partition_of(key: &str) -> (String, String) {
    let part = |name: &str| key.split('/').find_map(|p| p.strip_prefix(name)).unwrap_or("unknown").to_owned();
    (part("date="), part("hour="))
}

/// `yyyy/mm/dd/hh` as Model Monitor lays out its reports.
fn date_path(date: &str, hour: &str) -> String {
    format!("{}/{hour}", date.replace('-', "/"))
}

/// The hour before the one `time` falls in: the last complete hour when the schedule fires.
fn previous_hour(time: DateTime<Utc>) -> DateTime<Utc> {
    let hour_start =
        time.with_minute(0).and_then(|t| t.with_second(0)).and_then(|t| t.with_nanosecond(0)).unwrap_or(time);
    hour_start - Duration::hours(1)
}

fn short_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}
