//! `twinpipe train KIND`: fit a model on curated data, evaluate it on a held-out tail, and store it in the
//! model store as a new PendingManualApproval version (or approve it with `--approve`).
//!
//! Reproducible: the same curated rows and options give byte-identical artefacts, and registering identical
//! bytes again returns the existing version instead of adding one.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use twinpipe_anomaly::AssetConfig;
use twinpipe_curation::{CuratedRow, read_curated};
use twinpipe_domain::reading::format_ts_ms;
use twinpipe_inference::calibrate;
use twinpipe_model_store::{ApprovalStatus, Manifest, ModelKind, NewModel, TrainingData};

use crate::invoke::Target;

/// What to train.
#[derive(Debug, clap::Subcommand)]
pub enum TrainCommand {
    /// Calibrate the streaming anomaly detector's threshold on the fleet's normal behaviour.
    AnomalyDetector {
        /// Fraction of asset rows allowed to score above the threshold on the training part.
        #[arg(long, default_value_t = 0.001)]
        target_rate: f64,
        /// The threshold never goes below this.
        #[arg(long, default_value_t = 0.5)]
        min_threshold: f64,
        #[command(flatten)]
        data: TrainingArgs,
    },
}

/// Options every training shares.
#[derive(Debug, clap::Args)]
pub struct TrainingArgs {
    /// Name in the model store.
    #[arg(long, default_value = "anomaly")]
    pub name: String,
    /// First reading time to use (RFC 3339; default: the earliest curated).
    #[arg(long)]
    pub from: Option<String>,
    /// Reading time to stop before (RFC 3339; default: after the latest curated).
    #[arg(long)]
    pub to: Option<String>,
    /// Fraction of the time range, at its end, held out for evaluation.
    #[arg(long, default_value_t = 0.2)]
    pub holdout_fraction: f64,
    /// Approve the new version at once (otherwise it waits for `twinpipe model approve`).
    #[arg(long)]
    pub approve: bool,
    #[arg(long, env = "USER", default_value = "cli")]
    pub by: String,
    #[command(flatten)]
    pub target: Target,
}

/// Runs a training subcommand.
pub async fn run(command: TrainCommand) -> anyhow::Result<ExitCode> {
    match command {
        TrainCommand::AnomalyDetector { target_rate, min_threshold, data } => {
            let (rows, range) = load(&data).await?;
            let holdout_from = range.holdout_from(data.holdout_fraction);
            let fit = calibrate(&rows, AssetConfig::default(), target_rate, min_threshold, holdout_from)
                .map_err(anyhow::Error::msg)?;
            let metrics = BTreeMap::from([
                ("train_flag_rate".to_owned(), fit.train_flag_rate),
                ("holdout_flag_rate".to_owned(), fit.holdout_flag_rate),
                ("threshold".to_owned(), fit.model.threshold),
            ]);
            let parameters = serde_json::json!({
                "detector": fit.model.detector,
                "target_rate": target_rate,
                "min_threshold": min_threshold,
                "holdout_from": format_ts_ms(holdout_from),
            });
            let m =
                store(&data, ModelKind::AnomalyDetector, &range, metrics, parameters, fit.model.to_bytes())
                    .await?;
            println!(
                "threshold {:.4}: flags {:.3}% of {} training rows and {:.3}% of {} held-out rows",
                fit.model.threshold,
                100.0 * fit.train_flag_rate,
                fit.train_rows,
                100.0 * fit.holdout_flag_rate,
                fit.holdout_rows
            );
            report(&m);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The time span of the training rows.
struct Range {
    first_ms: i64,
    last_ms: i64,
    rows: u64,
    source: String,
}

impl Range {
    /// The first timestamp of the held-out tail.
    fn holdout_from(&self, fraction: f64) -> i64 {
        let span = (self.last_ms - self.first_ms) as f64;
        self.last_ms - (span * fraction.clamp(0.0, 1.0)).round() as i64
    }
}

/// Reads the curated rows in the requested time range, with a progress bar over the files.
async fn load(args: &TrainingArgs) -> anyhow::Result<(Vec<CuratedRow>, Range)> {
    let bucket = args.target.bucket.clone().unwrap_or_else(|| crate::DEFAULT_LOCAL_BUCKET.to_owned());
    let store = crate::invoke::object_store(&args.target, &bucket).await?;
    let from = args.from.as_deref().map(parse_time).transpose()?.unwrap_or(i64::MIN);
    let to = args.to.as_deref().map(parse_time).transpose()?.unwrap_or(i64::MAX);
    let files: Vec<String> = store
        .list("curated/")
        .await?
        .into_iter()
        .map(|o| o.key)
        .filter(|k| k.ends_with(".parquet"))
        .collect();
    anyhow::ensure!(
        !files.is_empty(),
        "no curated data in s3://{bucket}/curated/; run the pipeline first (twinpipe demo)"
    );
    let bar = ProgressBar::new(files.len() as u64)
        .with_style(ProgressStyle::with_template("reading curated data {bar:30} {pos}/{len} files")?);
    let mut rows = Vec::new();
    for key in &files {
        let bytes = store.get(key).await?;
        rows.extend(read_curated(bytes, key)?.into_iter().filter(|r| (from..to).contains(&r.ts_ms)));
        bar.inc(1);
    }
    bar.finish_and_clear();
    rows.sort_by(|a, b| (&a.asset_id, &a.sensor_id, a.ts_ms).cmp(&(&b.asset_id, &b.sensor_id, b.ts_ms)));
    let first_ms =
        rows.iter().map(|r| r.ts_ms).min().context("no curated rows in the requested time range")?;
    let last_ms = rows.iter().map(|r| r.ts_ms).max().unwrap_or(first_ms);
    let range =
        Range { first_ms, last_ms, rows: rows.len() as u64, source: format!("s3://{bucket}/curated/") };
    Ok((rows, range))
}

async fn store(
    args: &TrainingArgs,
    kind: ModelKind,
    range: &Range,
    metrics: BTreeMap<String, f64>,
    parameters: serde_json::Value,
    artefact: Vec<u8>,
) -> anyhow::Result<Manifest> {
    let models = crate::model::store(&args.target).await?;
    let draft = NewModel {
        name: args.name.clone(),
        kind,
        code_version: env!("CARGO_PKG_VERSION").into(),
        parameters,
        training_data: Some(TrainingData {
            start: format_ts_ms(range.first_ms),
            end: format_ts_ms(range.last_ms),
            rows: range.rows,
            source: range.source.clone(),
        }),
        metrics,
        artefact_file: "model.json".into(),
        registered_by: args.by.clone(),
    };
    let m = models.register(draft, artefact.into()).await?;
    if args.approve && m.approval.status != ApprovalStatus::Approved {
        return Ok(models
            .set_status(
                &m.name,
                m.version,
                ApprovalStatus::Approved,
                &args.by,
                Some("--approve at training".into()),
            )
            .await?);
    }
    Ok(m)
}

fn report(m: &Manifest) {
    println!(
        "stored {} v{} ({}), sha256 {}, status {}",
        m.name,
        m.version,
        m.kind,
        &m.artefact.sha256[..12],
        m.approval.status
    );
    if m.approval.status == ApprovalStatus::PendingManualApproval {
        println!("approve it with: twinpipe model approve {} {}", m.name, m.version);
    }
}

fn parse_time(text: &str) -> anyhow::Result<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .with_context(|| format!("{text:?} is not an RFC 3339 time (e.g. 2026-11-25T00:00:00Z)"))
}
