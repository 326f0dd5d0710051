//! The Rust side of `scripts/bench/ingest.sh`: the ingest handler on the benchmark events of
//! shared/specs/peer-benchmarks.md §1 (written by `gen_ingest_event`), timed as the Powertools peer is.
//! Usage: `ingest_throughput CLEAN.json FAULTS.json [RUNS]` (default 20 runs).
//!
//! Set-up (untimed): the event files are read into memory; the handler runs on a current-thread tokio
//! runtime (the single-threaded figure) over `DirObjectStore` rooted in a fresh directory on tmpfs
//! (`/dev/shm`), which stands in for S3. tokio's file operations run on its blocking pool, which is capped
//! at one thread: so at most two threads work, and the CPU time of both is reported next to the wall time.
//! The handler's clock is pinned to 2024-06-01T01:00:00Z so that the events' readings are recent.
//!
//! Per event, after 1 untimed call (whose outcome is checked) and 3 warm-ups, the median and best of RUNS:
//! - `from_raw`: `serde_json::from_slice::<SqsEvent>` + `handle`, from the raw invoke payload (the fair
//!   figure against the peer's `handler(json.loads(raw))`);
//! - `decoded`: `handle` alone on an event decoded beforehand (against the peer's `handler(event_dict)`).
//!
//! Both again with an in-memory store in place of the directory (`*_memory_store`): the peer's sink is a
//! Python list, so these are the figures of the same work on both sides.
//!
//! For the clean event it also times, to show where the time goes: the handler with `max_concurrency = 1`
//! (one thread busy at a time), the envelope decode alone, the CPU work of the handler without storage
//! (parse + validate every body, serialise the NDJSON, derive the keys), and the 100 puts alone.
//! Prints one JSON object.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::SqsEvent;
use bytes::Bytes;
use serde_json::{Value, json};
use twinpipe_domain::{parse_message, raw, storage_key};
use twinpipe_ingest::{Ingest, IngestConfig};
use twinpipe_local::{DirObjectStore, MemoryObjectStore};
use twinpipe_ports::ObjectStore;

/// 2024-06-01T01:00:00Z: "now" for the handler; the readings span 00:00:00 to 00:41:40.
const NOW_MS: i64 = 1_717_203_600_000;
const READINGS: usize = 10_000;
const WARM_UPS: usize = 3;
/// The message whose body is not JSON in the faults event, and the bad reading's index in 10 others.
const NOT_JSON_MESSAGE: usize = 17;
const BAD_READING: u64 = 42;

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: ingest_throughput CLEAN.json FAULTS.json [RUNS]";
    let clean_path = args.next().ok_or(usage)?;
    let faults_path = args.next().ok_or(usage)?;
    let runs: usize = args.next().map_or(Ok(20), |r| r.parse())?;
    let clean = std::fs::read(&clean_path)?;
    let faults = std::fs::read(&faults_path)?;

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().max_blocking_threads(1).build()?;
    let (tmp_root, on_tmpfs) =
        match tempfile::Builder::new().prefix("twinpipe-bench-ingest-").tempdir_in("/dev/shm") {
            Ok(d) => (d, true),
            Err(_) => (tempfile::tempdir()?, false),
        };

    let mut report = serde_json::Map::new();
    report.insert("impl".into(), "twinpipe-ingest".into());
    report.insert("runtime".into(), "tokio current_thread, blocking pool capped at 1".into());
    report.insert(
        "store".into(),
        json!({"adapter": "DirObjectStore", "root": tmp_root.path(), "tmpfs": on_tmpfs}),
    );
    report.insert("runs".into(), runs.into());
    report.insert("readings".into(), READINGS.into());

    let config = bench_config(IngestConfig::default().max_concurrency);
    report.insert("max_concurrency".into(), config.max_concurrency.into());
    for (name, raw_event) in [("clean", &clean), ("faults", &faults)] {
        let store = Arc::new(DirObjectStore::new(tmp_root.path(), format!("lake-{name}")));
        let ingest = Ingest::new(store.clone(), config.clone());
        let mut section = serde_json::Map::new();
        section.insert("input_bytes".into(), raw_event.len().into());

        // The untimed first call, checked.
        let event: SqsEvent = serde_json::from_slice(raw_event)?;
        let (response, stats) = rt.block_on(ingest.handle_with_stats(&event))?;
        let failures: Vec<String> =
            response?.batch_item_failures.into_iter().map(|f| f.item_identifier).collect();
        section.insert("stats".into(), serde_json::to_value(stats)?);
        section.insert("batch_item_failures".into(), failures.len().into());
        let checked = rt.block_on(async {
            match name {
                "clean" => check_clean(&failures, &store).await,
                _ => check_faults(&event, &failures, &store).await,
            }
        })?;
        section.insert("checks".into(), checked);

        let from_raw = measure(runs, || {
            let event: SqsEvent = serde_json::from_slice(raw_event)?;
            rt.block_on(ingest.handle(&event))?;
            Ok(())
        })?;
        let decoded = measure(runs, || {
            rt.block_on(ingest.handle(&event))?;
            Ok(())
        })?;
        section.insert("from_raw".into(), from_raw.to_json());
        section.insert("decoded".into(), decoded.to_json());

        // The same with the puts going to a map in memory, as the peer's do: the handler's own work.
        let in_memory = Ingest::new(Arc::new(MemoryObjectStore::new("memory")), config.clone());
        rt.block_on(in_memory.handle(&event))?; // its untimed first call
        let from_raw = measure(runs, || {
            let event: SqsEvent = serde_json::from_slice(raw_event)?;
            rt.block_on(in_memory.handle(&event))?;
            Ok(())
        })?;
        let decoded = measure(runs, || {
            rt.block_on(in_memory.handle(&event))?;
            Ok(())
        })?;
        section.insert("from_raw_memory_store".into(), from_raw.to_json());
        section.insert("decoded_memory_store".into(), decoded.to_json());
        report.insert(name.into(), section.into());
    }

    report.insert("clean_breakdown".into(), breakdown(&rt, &clean, tmp_root.path(), runs)?);
    report.insert("peak_rss_mib".into(), peak_rss_mib().into());
    println!("{}", Value::Object(report));
    Ok(())
}

/// The handler's configuration for the benchmark: the pinned clock and a window that covers the events.
fn bench_config(max_concurrency: usize) -> IngestConfig {
    let mut config = IngestConfig::default().with_fixed_clock(NOW_MS);
    config.max_age_days = 30;
    config.max_concurrency = max_concurrency;
    config
}

/// The timing of one figure.
struct Figure {
    median: Duration,
    best: Duration,
    /// CPU time of all the process's threads, per call (median of the runs' total / runs).
    cpu_per_call: Option<Duration>,
}

impl Figure {
    fn to_json(&self) -> Value {
        let per_s = |d: Duration| (READINGS as f64 / d.as_secs_f64()).round() as u64;
        json!({
            "median_ms": ms(self.median),
            "best_ms": ms(self.best),
            "readings_per_s": per_s(self.median),
            "best_readings_per_s": per_s(self.best),
            "cpu_ms_per_call": self.cpu_per_call.map(ms),
        })
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// 3 warm-up calls, then `runs` timed ones: median (as Python's `statistics.median`) and best.
fn measure(runs: usize, mut call: impl FnMut() -> Result<(), Error>) -> Result<Figure, Error> {
    for _ in 0..WARM_UPS {
        call()?;
    }
    let mut times = Vec::with_capacity(runs);
    let cpu_start = process_cpu();
    for _ in 0..runs {
        let start = Instant::now();
        call()?;
        times.push(start.elapsed());
    }
    let cpu_per_call = cpu_start.zip(process_cpu()).map(|(a, b)| b.saturating_sub(a) / runs.max(1) as u32);
    times.sort();
    let mid = times.len() / 2;
    let median = if times.len() % 2 == 0 { (times[mid - 1] + times[mid]) / 2 } else { times[mid] };
    Ok(Figure { median, best: times[0], cpu_per_call })
}

/// Clean event: nothing reported, nothing quarantined, 100 raw objects holding all 10,000 readings.
async fn check_clean(failures: &[String], store: &DirObjectStore) -> Result<Value, Error> {
    let (raw_objects, raw_lines, raw_bytes) = raw_totals(store).await?;
    let quarantined = store.list("quarantine/").await?.len();
    ensure(failures.is_empty(), "clean: batchItemFailures is not empty")?;
    ensure(quarantined == 0, "clean: something was quarantined")?;
    ensure((raw_objects, raw_lines) == (100, READINGS), "clean: expected 100 raw objects with 10,000 lines")?;
    Ok(json!({"ok": true, "raw_objects": raw_objects, "raw_lines": raw_lines,
                  "raw_ndjson_bytes": raw_bytes, "quarantine_objects": quarantined}))
}

/// Faults event: a non-JSON body and bad readings are terminal, so they are quarantined, not reported:
/// no `batchItemFailures`; 11 quarantine objects, 10 rejecting reading 42's `value` and one holding
/// message 17's whole body; 99 raw objects with 10,000 − 100 − 10 readings.
async fn check_faults(event: &SqsEvent, failures: &[String], store: &DirObjectStore) -> Result<Value, Error> {
    ensure(failures.is_empty(), "faults: batchItemFailures is not empty")?;
    let not_json_id = event.records[NOT_JSON_MESSAGE].message_id.as_deref().unwrap_or_default();
    let mut whole_bodies = Vec::new();
    let mut rejected_readings = 0;
    let objects = store.list("quarantine/").await?;
    for meta in &objects {
        let record: Value = serde_json::from_slice(&store.get(&meta.key).await?)?;
        let rejected = record["rejected"].as_array().cloned().unwrap_or_default();
        if rejected.is_empty() {
            whole_bodies.push((
                record["message_id"].as_str().unwrap_or_default().to_owned(),
                record["error"]["code"].as_str().unwrap_or_default().to_owned(),
            ));
        }
        for r in &rejected {
            ensure(
                r["index"] == BAD_READING && r["field"] == "value" && r["code"] == "wrong_type",
                "faults: a rejection other than reading 42's value",
            )?;
            rejected_readings += 1;
        }
    }
    ensure(objects.len() == 11, "faults: expected 11 quarantine objects")?;
    ensure(rejected_readings == 10, "faults: expected 10 rejected readings")?;
    ensure(
        whole_bodies == [(not_json_id.to_owned(), "not_json".to_owned())],
        "faults: expected message 17 alone quarantined whole, as not_json",
    )?;
    let (raw_objects, raw_lines, raw_bytes) = raw_totals(store).await?;
    ensure(
        (raw_objects, raw_lines) == (99, READINGS - 100 - 10),
        "faults: expected 99 raw objects with 9,890 lines",
    )?;
    Ok(json!({"ok": true, "quarantine_objects": objects.len(),
                  "quarantined_inputs": rejected_readings + whole_bodies.len(),
                  "whole_body_quarantined": not_json_id, "raw_objects": raw_objects,
                  "raw_lines": raw_lines, "raw_ndjson_bytes": raw_bytes}))
}

async fn raw_totals(store: &DirObjectStore) -> Result<(usize, usize, usize), Error> {
    let objects = store.list("raw/").await?;
    let (mut lines, mut bytes) = (0, 0);
    for meta in &objects {
        let body = store.get(&meta.key).await?;
        lines += body.iter().filter(|&&b| b == b'\n').count();
        bytes += body.len();
    }
    Ok((objects.len(), lines, bytes))
}

fn ensure(ok: bool, what: &str) -> Result<(), Error> {
    if ok { Ok(()) } else { Err(what.into()) }
}

/// Where the time of the clean event goes: each part timed on its own, median of `runs`.
fn breakdown(
    rt: &tokio::runtime::Runtime,
    raw_event: &[u8],
    root: &std::path::Path,
    runs: usize,
) -> Result<Value, Error> {
    let event: SqsEvent = serde_json::from_slice(raw_event)?;
    let policy = bench_config(1).policy();

    let sequential = {
        let store = Arc::new(DirObjectStore::new(root, "lake-sequential"));
        let ingest = Ingest::new(store, bench_config(1));
        measure(runs, || {
            let event: SqsEvent = serde_json::from_slice(raw_event)?;
            rt.block_on(ingest.handle(&event))?;
            Ok(())
        })?
    };
    let decode = measure(runs, || {
        let event: SqsEvent = serde_json::from_slice(raw_event)?;
        std::hint::black_box(&event);
        Ok(())
    })?;
    let parse = measure(runs, || {
        for m in &event.records {
            let parsed = parse_message(m.body.as_deref().unwrap_or_default(), &policy)?;
            std::hint::black_box(&parsed);
        }
        Ok(())
    })?;
    // Everything `handle` computes for the clean event, short of storing it.
    let compute = |event: &SqsEvent| -> Result<Vec<(String, Bytes)>, Error> {
        let mut out = Vec::with_capacity(event.records.len());
        for m in &event.records {
            let body = m.body.as_deref().unwrap_or_default();
            let id = m.message_id.as_deref().unwrap_or_default();
            let sent: i64 = m.attributes["SentTimestamp"].parse()?;
            let parsed = parse_message(body, &policy)?;
            let earliest = parsed.valid().map(|r| r.ts_ms).min().ok_or("no reading")?;
            let ndjson = raw::write_ndjson(parsed.valid(), sent);
            out.push((storage_key::raw_key(id, body, earliest), Bytes::from(ndjson)));
        }
        Ok(out)
    };
    let parse_serialise_key = measure(runs, || {
        std::hint::black_box(compute(&event)?);
        Ok(())
    })?;
    let objects = compute(&event)?;
    let puts = {
        let store = DirObjectStore::new(root, "lake-puts");
        measure(runs, || {
            rt.block_on(async {
                for (key, bytes) in &objects {
                    store.put(key, bytes.clone(), "application/x-ndjson").await?;
                }
                Ok::<(), Error>(())
            })
        })?
    };
    Ok(json!({
        "handler_from_raw_max_concurrency_1": sequential.to_json(),
        "envelope_decode_only": decode.to_json(),
        "parse_validate_only": parse.to_json(),
        "parse_validate_serialise_key": parse_serialise_key.to_json(),
        "puts_only_sequential_100": puts.to_json(),
    }))
}

/// CPU time of every thread of this process so far (the sum of `/proc/self/task/*/schedstat`, in ns).
fn process_cpu() -> Option<Duration> {
    // A thread that exits while this runs is skipped; tokio's idle blocking thread lives on for 10 s.
    let total: u64 = std::fs::read_dir("/proc/self/task")
        .ok()?
        .filter_map(|task| {
            let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
            stat.split_whitespace().next()?.parse::<u64>().ok()
        })
        .sum();
    Some(Duration::from_nanos(total))
}

/// Peak resident set size of the process (`VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some((kib / 1024.0 * 10.0).round() / 10.0)
}
