//! The twinpipe side of scripts/bench/quality.sh: data profiling on the same Parquet data as the peers.
//!
//!   profile_throughput profile DATA.parquet RUNS       # DataProfile of the whole file (cf. whylogs' why.log)
//!   profile_throughput drift REF.parquet CUR.parquet RUNS
//!       # profiles of both + statistics.json + suggested constraints + the full check with drift figures
//!       # (cf. evidently's drift + summary presets)
//!
//! The file is decoded into Arrow batches before the clock starts (the peers load their DataFrame first,
//! too); one warm-up run, then the median of RUNS. Single-threaded. Prints JSON with the times, the process
//! peak RSS and the peak increase over the RSS with the input loaded (VmHWM reset via /proc/self/clear_refs).

use std::time::Instant;

use twinpipe_quality::dataset::{CsvHeader, DatasetFormat, read_dataset};
use twinpipe_quality::{DataProfile, RecordBatch, Statistics, StatisticsOptions, check, suggest_constraints};

fn load(path: &str) -> Vec<RecordBatch> {
    let bytes = std::fs::read(path).expect("read the Parquet file");
    read_dataset(bytes, DatasetFormat::Parquet, &CsvHeader::FirstRow).expect("decode the Parquet file")
}

fn status_kib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn timed(runs: usize, mut f: impl FnMut()) -> (f64, f64, f64) {
    f(); // warm-up
    let loaded = status_kib("VmRSS:");
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let peak = status_kib("VmHWM:");
    (times[times.len() / 2], times[0], (peak - loaded) / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows = |b: &[RecordBatch]| b.iter().map(RecordBatch::num_rows).sum::<usize>();
    match args.get(1).map(String::as_str) {
        Some("profile") => {
            let data = load(&args[2]);
            let runs = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
            let (median, best, increase) = timed(runs, || {
                std::hint::black_box(DataProfile::from_batches(&data).unwrap());
            });
            println!(
                "{{\"impl\": \"twinpipe-quality\", \"rows\": {}, \"seconds\": {median}, \"best_seconds\": {best}, \
                 \"peak_rss_mib\": {}, \"increase_over_loaded_mib\": {increase}}}",
                rows(&data),
                status_kib("VmHWM:") / 1024.0
            );
        }
        Some("drift") => {
            let (reference, current) = (load(&args[2]), load(&args[3]));
            let runs = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(5);
            let mut violations = 0;
            let (median, best, increase) = timed(runs, || {
                let base = DataProfile::from_batches(&reference).unwrap();
                let stats = Statistics::from_profile(&base, StatisticsOptions::default());
                let constraints = suggest_constraints(&base);
                let cur = DataProfile::from_batches(&current).unwrap();
                let _ = std::hint::black_box(Statistics::from_profile(&cur, StatisticsOptions::default()));
                violations = check(&cur, &constraints, &stats).violations.len();
            });
            println!(
                "{{\"impl\": \"twinpipe-quality\", \"rows\": {}, \"seconds\": {median}, \"best_seconds\": {best}, \
                 \"peak_rss_mib\": {}, \"increase_over_loaded_mib\": {increase}, \"violations\": {violations}}}",
                rows(&reference) + rows(&current),
                status_kib("VmHWM:") / 1024.0
            );
        }
        _ => eprintln!(
            "usage: profile_throughput profile DATA.parquet [RUNS] | drift REF.parquet CUR.parquet [RUNS]"
        ),
    }
}
