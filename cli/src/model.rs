//! `twinpipe model ...`: the model store from the command line — list, show, approve, reject, roll back,
//! and register a model trained elsewhere (an ONNX export, a SageMaker artefact).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use twinpipe_model_store::{ApprovalStatus, Manifest, ModelKind, ModelStore, NewModel, TrainingData};

use twinpipe_inference::{read_analytics, summarise};

use crate::invoke::Target;

/// The model store's subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ModelCommand {
    /// Every model and version with kind, status, creation time and held-out metrics.
    List {
        #[command(flatten)]
        target: Target,
    },
    /// One version's manifest as JSON (the newest version when VERSION is omitted).
    Show {
        name: String,
        version: Option<u32>,
        #[command(flatten)]
        target: Target,
    },
    /// Approve a version: inference serves the newest Approved version.
    Approve(Decision),
    /// Reject a version: inference never serves it.
    Reject(Decision),
    /// Serve an earlier version again: it is approved and every newer Approved version is rejected.
    Rollback {
        name: String,
        /// The version to serve (default: the Approved version before the one serving now).
        #[arg(long)]
        to: Option<u32>,
        /// Who decides (recorded in the manifest's history).
        #[arg(long, env = "USER", default_value = "cli")]
        by: String,
        #[command(flatten)]
        target: Target,
    },
    /// Register a model artefact trained elsewhere as a new PendingManualApproval version.
    Register(Register),
    /// Inference analytics per model and asset: predictions, anomaly rate, latency, version in use.
    Stats {
        /// Only this model.
        #[arg(long)]
        model: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        target: Target,
    },
}

/// Approve or reject one version.
#[derive(Debug, clap::Args)]
pub struct Decision {
    pub name: String,
    pub version: u32,
    /// Who decides (recorded in the manifest's history).
    #[arg(long, env = "USER", default_value = "cli")]
    pub by: String,
    /// Why, for the record.
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub target: Target,
}

/// `twinpipe model register`.
#[derive(Debug, clap::Args)]
pub struct Register {
    /// Model name (a-z, 0-9, '-', '_').
    #[arg(long)]
    pub name: String,
    /// What the artefact is; `onnx` for exports from PyTorch, scikit-learn (skl2onnx) or SageMaker.
    #[arg(long, value_parser = parse_kind)]
    pub kind: ModelKind,
    /// The artefact file; stored under its own file name.
    #[arg(long)]
    pub artefact: PathBuf,
    /// JSON object of held-out metrics, e.g. {"mse": 0.05}.
    #[arg(long)]
    pub metrics: Option<PathBuf>,
    /// JSON of hyper-parameters and anything a reviewer should know (inputs, outputs, preprocessing).
    #[arg(long)]
    pub parameters: Option<PathBuf>,
    /// Version of the code or tool that trained it.
    #[arg(long, default_value = "external")]
    pub code_version: String,
    /// First and last training timestamps (RFC 3339) and row count, when known: START,END,ROWS.
    #[arg(long)]
    pub training_data: Option<String>,
    #[arg(long, env = "USER", default_value = "cli")]
    pub by: String,
    #[command(flatten)]
    pub target: Target,
}

fn parse_kind(text: &str) -> Result<ModelKind, String> {
    ModelKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or_else(|| {
        let all: Vec<&str> = ModelKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind {text:?}; one of {}", all.join(", "))
    })
}

/// Runs a model subcommand.
pub async fn run(command: ModelCommand) -> anyhow::Result<ExitCode> {
    match command {
        ModelCommand::List { target } => list(&store(&target).await?).await?,
        ModelCommand::Show { name, version, target } => {
            let store = store(&target).await?;
            let manifest = match version {
                Some(v) => store.manifest(&name, v).await?,
                None => {
                    store.versions(&name).await?.pop().with_context(|| format!("no model named {name:?}"))?
                }
            };
            println!("{}", serde_json::to_string_pretty(&manifest)?);
        }
        ModelCommand::Approve(d) => decide(d, ApprovalStatus::Approved).await?,
        ModelCommand::Reject(d) => decide(d, ApprovalStatus::Rejected).await?,
        ModelCommand::Rollback { name, to, by, target } => {
            let r = store(&target).await?.rollback(&name, to, &by).await?;
            let rejected: Vec<String> = r.rejected.iter().map(|v| format!("v{v}")).collect();
            println!(
                "{name}: v{} serves now; rejected: {}",
                r.serving,
                if rejected.is_empty() { "none".into() } else { rejected.join(", ") }
            );
        }
        ModelCommand::Register(args) => register(args).await?,
        ModelCommand::Stats { model, json, target } => stats(model.as_deref(), json, &target).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The model store of a target's bucket.
pub async fn store(target: &Target) -> anyhow::Result<ModelStore> {
    let bucket = target.bucket.clone().unwrap_or_else(|| crate::DEFAULT_LOCAL_BUCKET.to_owned());
    Ok(ModelStore::new(crate::invoke::object_store(target, &bucket).await?))
}

async fn list(store: &ModelStore) -> anyhow::Result<()> {
    let names = store.names().await?;
    if names.is_empty() {
        println!(
            "no models yet: train one (`twinpipe train --help`) or register one (`twinpipe model register --help`)"
        );
        return Ok(());
    }
    println!(
        "{:<20} {:>7}  {:<16} {:<22} {:<20} {:<12} metrics",
        "MODEL", "VERSION", "KIND", "STATUS", "CREATED", "SHA256"
    );
    for name in names {
        for m in store.versions(&name).await? {
            println!("{}", list_line(&m));
        }
    }
    Ok(())
}

fn list_line(m: &Manifest) -> String {
    let metrics: Vec<String> = m.metrics.iter().map(|(k, v)| format!("{k}={v:.4}")).collect();
    format!(
        "{:<20} {:>7}  {:<16} {:<22} {:<20} {:<12} {}",
        m.name,
        m.version,
        m.kind.as_str(),
        m.approval.status.to_string(),
        m.created,
        &m.artefact.sha256[..12],
        metrics.join(" ")
    )
}

async fn stats(model: Option<&str>, json: bool, target: &Target) -> anyhow::Result<()> {
    let bucket = target.bucket.clone().unwrap_or_else(|| crate::DEFAULT_LOCAL_BUCKET.to_owned());
    let objects = crate::invoke::object_store(target, &bucket).await?;
    let prefix = model.map_or_else(|| "analytics/".to_owned(), |m| format!("analytics/model={m}/"));
    let mut records = Vec::new();
    for o in objects.list(&prefix).await? {
        records.extend(read_analytics(objects.get(&o.key).await?, &o.key)?);
    }
    let stats = summarise(&records);
    if json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(());
    }
    if stats.is_empty() {
        println!("no inferences recorded under s3://{bucket}/{prefix} yet");
        return Ok(());
    }
    println!(
        "{:<16} {:<16} {:>10} {:>12} {:>9} {:>12} {:>11} {:>12}",
        "MODEL",
        "ASSET",
        "INFERENCES",
        "PREDICTIONS",
        "ANOMALIES",
        "ANOMALY_RATE",
        "P50_MS",
        "P95_MS VERSION"
    );
    for s in stats {
        println!(
            "{:<16} {:<16} {:>10} {:>12} {:>9} {:>12.5} {:>11.2} {:>7.2} v{}",
            s.model,
            s.asset_id,
            s.inferences,
            s.predictions,
            s.anomalies,
            s.anomaly_rate,
            s.latency_p50_ms,
            s.latency_p95_ms,
            s.version_in_use
        );
    }
    Ok(())
}

async fn decide(d: Decision, status: ApprovalStatus) -> anyhow::Result<()> {
    let m = store(&d.target).await?.set_status(&d.name, d.version, status, &d.by, d.reason).await?;
    println!("{} v{} is {} (by {})", m.name, m.version, m.approval.status, m.approval.by);
    Ok(())
}

async fn register(args: Register) -> anyhow::Result<()> {
    let artefact =
        std::fs::read(&args.artefact).with_context(|| format!("reading {}", args.artefact.display()))?;
    let file =
        args.artefact.file_name().context("--artefact must name a file")?.to_string_lossy().into_owned();
    let metrics: BTreeMap<String, f64> = read_json(args.metrics.as_ref())?.unwrap_or_default();
    let parameters: serde_json::Value = read_json(args.parameters.as_ref())?.unwrap_or(serde_json::json!({}));
    let training_data = args.training_data.as_deref().map(parse_training_data).transpose()?;
    let draft = NewModel {
        name: args.name,
        kind: args.kind,
        code_version: args.code_version,
        parameters,
        training_data,
        metrics,
        artefact_file: file,
        registered_by: args.by,
    };
    let m = store(&args.target).await?.register(draft, artefact.into()).await?;
    println!(
        "registered {} v{} ({}), status {}; approve it with `twinpipe model approve {} {}`",
        m.name, m.version, m.kind, m.approval.status, m.name, m.version
    );
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(path: Option<&PathBuf>) -> anyhow::Result<Option<T>> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not the expected JSON", path.display()))?,
    ))
}

fn parse_training_data(text: &str) -> anyhow::Result<TrainingData> {
    let parts: Vec<&str> = text.split(',').collect();
    let [start, end, rows] = parts[..] else {
        anyhow::bail!(
            "--training-data wants START,END,ROWS (e.g. 2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,44640)"
        );
    };
    let rows = rows.trim().parse().with_context(|| format!("row count {rows:?} is not a number"))?;
    Ok(TrainingData { start: start.into(), end: end.into(), rows, source: "external".into() })
}
