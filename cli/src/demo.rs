//! `twinpipe demo`: a simulated fleet through the real handlers on the local adapters.
//!
//! The fleet simulator produces physically plausible readings (with a few injected equipment faults);
//! the demo packs each asset's readings into SQS messages the way field gateways do — plain arrays,
//! AWS IoT Core rule payloads (some base64-encoded) and SNS envelopes — and, like a real network, resends a
//! few messages and corrupts a few others. Storage failures are injected too, so redelivery shows its
//! worth. Then the local pipeline runs until idle and the demo prints what happened and where to look.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use base64::Engine;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use twinpipe_local::FailurePlan;
use twinpipe_simulator::{AssetKind, FleetConfig, SimReading, Simulation};

use twinpipe_anomaly::AssetConfig;
use twinpipe_inference::AnomalyModel;
use twinpipe_model_store::{ApprovalStatus, ModelKind, ModelStore, NewModel};

use crate::local_pipeline::{LocalPipeline, PipelineOptions, RunStats};

/// Options of `twinpipe demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Where the local bucket, event journal and summary are written.
    #[arg(long, default_value = crate::DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// Assets in the fleet (pumps, air handlers, turbines, production lines, round-robin).
    #[arg(long, default_value_t = 12)]
    pub assets: usize,
    /// Hours of history to simulate, ending now.
    #[arg(long, default_value_t = 24.0)]
    pub hours: f64,
    /// Seconds between two readings of a sensor.
    #[arg(long, default_value_t = 60.0)]
    pub interval_s: f64,
    /// Minutes of one asset's readings per SQS message.
    #[arg(long, default_value_t = 15)]
    pub message_minutes: u32,
    /// Seed of the simulation and of the transport faults; the same seed gives the same run.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Make one storage write in N fail at random (0: never), to exercise redelivery.
    #[arg(long, default_value_t = 50)]
    pub fail_one_in: u64,
    /// Print the summary as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What the demo sent, before the pipeline ran.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Traffic {
    pub readings_simulated: u64,
    pub messages: u64,
    pub resent_messages: u64,
    pub corrupted_messages: u64,
    /// Readings that cannot be curated because their message or the reading itself was corrupted.
    pub readings_withheld: u64,
    /// Inputs the pipeline must quarantine: one per corrupted message sent.
    pub quarantine_expected: u64,
    pub by_envelope: BTreeMap<&'static str, u64>,
}

/// The demo's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub assets: usize,
    pub traffic: Traffic,
    pub pipeline: RunStats,
    pub seconds: f64,
    pub readings_per_second: f64,
    pub data_dir: PathBuf,
    pub faults: Vec<twinpipe_simulator::InjectedFault>,
}

/// Registers and approves the default anomaly detector when the store has no anomaly model yet, so that
/// inference runs on the demo's data (`twinpipe train anomaly-detector` fits a calibrated one).
async fn ensure_anomaly_model(models: &ModelStore) -> anyhow::Result<()> {
    if !models.versions(DEMO_ANOMALY_MODEL).await?.is_empty() {
        return Ok(());
    }
    let model = AnomalyModel::new(AssetConfig::default(), DEFAULT_THRESHOLD).map_err(anyhow::Error::msg)?;
    let draft = NewModel {
        name: DEMO_ANOMALY_MODEL.into(),
        kind: ModelKind::AnomalyDetector,
        code_version: env!("CARGO_PKG_VERSION").into(),
        parameters: serde_json::to_value(&model)?,
        training_data: None,
        metrics: Default::default(),
        artefact_file: "model.json".into(),
        registered_by: "twinpipe demo".into(),
    };
    let manifest = models.register(draft, model.to_bytes().into()).await?;
    let reason = Some("default detector for the demo (unsupervised, nothing to fit)".to_owned());
    models
        .set_status(DEMO_ANOMALY_MODEL, manifest.version, ApprovalStatus::Approved, "twinpipe demo", reason)
        .await?;
    Ok(())
}

/// The model name the demo serves its anomaly detector under.
pub const DEMO_ANOMALY_MODEL: &str = "anomaly";
/// Scores at or above this flag a row: the asset's worst measure broke its record by a factor of two.
const DEFAULT_THRESHOLD: f64 = 0.5;

/// Runs the demo and prints its summary.
pub async fn run(args: DemoArgs) -> anyhow::Result<DemoSummary> {
    let now_ms = chrono::Utc::now().timestamp_millis();
    let config = FleetConfig {
        assets: args.assets,
        start_ms: now_ms - (args.hours * 3_600_000.0) as i64,
        hours: args.hours,
        interval_s: args.interval_s,
        seed: args.seed,
        fault_fraction: 0.25,
    };
    let sim = twinpipe_simulator::try_simulate(&config).context("invalid fleet options")?;
    let mut options = PipelineOptions::new(&args.data_dir);
    if args.fail_one_in > 0 {
        options.failures = FailurePlan::OneIn { one_in: args.fail_one_in, seed: args.seed };
    }
    let mut pipeline = LocalPipeline::open(options)?;
    ensure_anomaly_model(&pipeline.models()).await?;
    let started = Instant::now();
    let traffic = send_fleet(&sim, &args, &mut pipeline);
    let bar = progress_bar(traffic.messages);
    let stats = pipeline
        .run_until_idle(|s, _| {
            bar.set_position(s.ingest_invocations);
            bar.set_message(format!(
                "{} readings accepted, {} rows curated",
                s.readings_accepted, s.rows_curated
            ));
        })
        .await;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let summary = DemoSummary {
        assets: sim.assets().len(),
        readings_per_second: traffic.readings_simulated as f64 / seconds.max(1e-9),
        traffic,
        pipeline: stats,
        seconds,
        data_dir: args.data_dir.clone(),
        faults: sim.faults().to_vec(),
    };
    write_json(&args.data_dir.join("demo-summary.json"), &summary)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary, &pipeline);
    }
    Ok(summary)
}

fn progress_bar(messages: u64) -> ProgressBar {
    let batches = messages.div_ceil(10);
    let bar = ProgressBar::new(batches);
    bar.set_style(
        ProgressStyle::with_template("{spinner} ingest batches {pos}/{len} [{bar:30}] {msg} ({elapsed})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar
}

/// Packs the simulation into SQS message bodies and sends them, with a few resends and corruptions.
fn send_fleet(sim: &Simulation, args: &DemoArgs, pipeline: &mut LocalPipeline) -> Traffic {
    let window_ms = i64::from(args.message_minutes.max(1)) * 60_000;
    let mut traffic = Traffic::default();
    let mut open: BTreeMap<&str, (i64, Vec<SimReading<'_>>)> = BTreeMap::new();
    let kinds: BTreeMap<&str, AssetKind> = sim.assets().iter().map(|a| (a.id.as_str(), a.kind)).collect();
    let mut rng = Lcg(args.seed);
    for reading in sim.readings() {
        traffic.readings_simulated += 1;
        let window = reading.ts_ms.div_euclid(window_ms);
        let entry = open.entry(reading.asset_id).or_insert((window, Vec::new()));
        if entry.0 != window {
            let batch = std::mem::take(&mut entry.1);
            entry.0 = window;
            let kind = kinds[reading.asset_id];
            send_message(pipeline, &mut traffic, &mut rng, kind, &batch, window * window_ms);
        }
        entry.1.push(reading);
    }
    for (asset, (window, batch)) in std::mem::take(&mut open) {
        send_message(pipeline, &mut traffic, &mut rng, kinds[asset], &batch, (window + 1) * window_ms);
    }
    traffic
}

fn send_message(
    pipeline: &mut LocalPipeline,
    traffic: &mut Traffic,
    rng: &mut Lcg,
    kind: AssetKind,
    readings: &[SimReading<'_>],
    sent_ms: i64,
) {
    let Some(first) = readings.first() else {
        return;
    };
    let mut array: Vec<serde_json::Value> = readings
        .iter()
        .map(|r| json!({"asset_id": r.asset_id, "sensor_id": r.sensor_id, "ts": r.ts_ms, "value": r.value, "unit": r.unit, "quality": r.quality.as_str()}))
        .collect();
    let corruption = rng.chance(0.005).then(|| Corruption::pick(rng));
    if let Some(c) = corruption {
        c.apply_to_reading(&mut array[0]);
    }
    let (envelope, mut body) = wrap(kind, first.asset_id, serde_json::Value::Array(array));
    if corruption == Some(Corruption::Truncated) {
        body.truncate(body.len() / 2);
    }
    let copies = if rng.chance(0.01) { 2 } else { 1 };
    let sent_ms = sent_ms.min(chrono::Utc::now().timestamp_millis());
    for _ in 0..copies {
        pipeline.send(body.clone(), sent_ms);
        traffic.messages += 1;
        *traffic.by_envelope.entry(envelope).or_default() += 1;
        if let Some(c) = corruption {
            traffic.corrupted_messages += 1;
            traffic.quarantine_expected += 1;
            traffic.readings_withheld += if c == Corruption::Truncated { readings.len() as u64 } else { 1 };
        }
    }
    traffic.resent_messages += copies - 1;
}

/// How a flaky gateway damages a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Corruption {
    /// The body is cut short: unusable as a whole.
    Truncated,
    /// One reading's value arrives as text.
    ValueAsText,
    /// One reading carries a unit nobody knows.
    UnknownUnit,
}

impl Corruption {
    fn pick(rng: &mut Lcg) -> Corruption {
        match rng.next() % 3 {
            0 => Corruption::Truncated,
            1 => Corruption::ValueAsText,
            _ => Corruption::UnknownUnit,
        }
    }

    fn apply_to_reading(self, reading: &mut serde_json::Value) {
        match self {
            Corruption::Truncated => {}
            Corruption::ValueAsText => reading["value"] = "n/a".into(),
            Corruption::UnknownUnit => reading["unit"] = "furlong".into(),
        }
    }
}

/// Wraps a batch the way each kind's gateway delivers it: turbines through an IoT Core rule (base64),
/// air handlers through SNS, pumps and lines as plain arrays.
fn wrap(kind: AssetKind, asset_id: &str, readings: serde_json::Value) -> (&'static str, String) {
    match kind {
        AssetKind::Turbine => {
            let payload = json!({"topic": format!("twinpipe/{asset_id}/readings"), "readings": readings});
            ("iot_rule_base64", base64::engine::general_purpose::STANDARD.encode(payload.to_string()))
        }
        AssetKind::AirHandler => {
            let envelope = json!({
                "Type": "Notification",
                "MessageId": format!("{asset_id}-{}", readings[0]["ts"]),
                "TopicArn": "arn:aws:sns:local:000000000000:twinpipe-gateway",
                "Message": readings.to_string(),
                "Timestamp": "1970-01-01T00:00:00Z",
            });
            ("sns", envelope.to_string())
        }
        AssetKind::Pump | AssetKind::ProductionLine => ("array", readings.to_string()),
    }
}

/// A tiny seeded generator for the transport faults (the simulator has its own for the physics).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() as f64 / (1u64 << 31) as f64) < p
    }
}

fn write_json(path: &std::path::Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    std::fs::write(path, serde_json::to_vec_pretty(value)?)
        .with_context(|| format!("writing {}", path.display()))
}

fn print_summary(s: &DemoSummary, pipeline: &LocalPipeline) {
    let t = &s.traffic;
    let p = &s.pipeline;
    println!(
        "twinpipe demo: {} readings from {} assets through ingest, curate, infer and alert in {:.1} s ({:.0} readings/s)",
        t.readings_simulated, s.assets, s.seconds, s.readings_per_second
    );
    println!();
    println!(
        "  sent       {} messages ({} resent, {} corrupted, withholding {} readings); envelopes: {}",
        t.messages,
        t.resent_messages,
        t.corrupted_messages,
        t.readings_withheld,
        t.by_envelope.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
    );
    println!(
        "  ingest     {} invocations, {} readings accepted, {} inputs quarantined",
        p.ingest_invocations, p.readings_accepted, p.inputs_quarantined
    );
    println!(
        "  failures   {} storage writes failed (injected), {} messages redelivered, {} dead letters redriven, {} left",
        p.storage_failures_injected,
        p.messages_redelivered,
        p.dead_letters_redriven,
        p.messages_dead_lettered + p.events_dead_lettered
    );
    println!(
        "  curate     {} invocations, {} rows curated, {} duplicates dropped, {} Parquet files, {} retried",
        p.curate_invocations,
        p.rows_curated,
        p.duplicates_dropped,
        p.curated_files_written,
        p.curate_failures
    );
    println!(
        "  infer      {} invocations, {} predictions, {} anomaly episodes, {} retried",
        p.infer_invocations, p.predictions_written, p.anomalies_detected, p.infer_failures
    );
    println!(
        "  alert      {} alerts sent, {} held back (cooldown, storm, duplicates), {} retried",
        p.alerts_sent, p.alerts_suppressed, p.alert_failures
    );
    println!("  events     {} published, {} dead-lettered", p.events_published, p.events_dead_lettered);
    println!();
    println!("  injected equipment faults (ground truth):");
    for f in &s.faults {
        println!(
            "    {:<12} {:<13} from {}",
            f.asset_id,
            format!("{:?}", f.kind),
            twinpipe_domain::reading::format_ts_ms(f.onset_ms)
        );
    }
    println!();
    let bucket = pipeline.bucket_dir().display().to_string();
    let data = pipeline.data_dir().display().to_string();
    println!("Where to look:");
    for (path, what) in [
        (format!("{bucket}/raw/"), "validated readings, NDJSON"),
        (format!("{bucket}/quarantine/"), "rejected input with reasons"),
        (format!("{bucket}/curated/"), "Parquet by date and hour"),
        (format!("{bucket}/predictions/"), "model outputs, Parquet by model, date, hour and asset"),
        (format!("{bucket}/models/"), "the model store: versions, manifests, approvals"),
        (format!("{data}/alerts.ndjson"), "alerts as SNS would deliver them"),
        (format!("{data}/events.ndjson"), "every event published"),
        (format!("{data}/demo-summary.json"), "this summary as JSON, with the ground truth"),
    ] {
        println!("  {path:<48} {what}");
    }
    println!(
        "Query it, e.g.: duckdb -c \"SELECT asset_id, sensor_id, count(*), avg(value) FROM read_parquet('{bucket}/curated/*/*/*.parquet', hive_partitioning=true) GROUP BY ALL ORDER BY ALL\""
    );
}
