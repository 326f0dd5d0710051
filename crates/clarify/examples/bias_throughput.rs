//! Times a full Clarify bias report (pre- and post-training, every facet) on one dataset, for
//! `scripts/bench/clarify.sh`. The CSV is parsed once, untimed, like the peer's DataFrame; the timed part is
//! what smclarify's `bias_report` does: indices, then every metric.
//!
//!     cargo run --release -p twinpipe-clarify --example bias_throughput -- CONFIG CSV RUNS
//!
//! Prints one JSON line: rows, parse seconds, median and best report seconds.

use std::time::Instant;

use twinpipe_clarify::{AnalysisConfig, PreparedAnalysis, Table};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, config, csv, runs] = args.as_slice() else {
        eprintln!("usage: bias_throughput CONFIG CSV RUNS");
        std::process::exit(2);
    };
    let config =
        AnalysisConfig::from_json(&std::fs::read_to_string(config).expect("read config")).expect("config");
    let runs: usize = runs.parse().expect("RUNS is a number");
    let bytes = std::fs::read(csv).expect("read dataset");
    let started = Instant::now();
    let table = Table::read_csv(bytes.as_slice(), config.headers.as_deref()).expect("dataset");
    let parse_s = started.elapsed().as_secs_f64();
    let run_once = || {
        let started = Instant::now();
        let report = PreparedAnalysis::prepare(&config, &table).expect("report").report();
        std::hint::black_box(report);
        started.elapsed().as_secs_f64()
    };
    run_once(); // warm-up
    let mut times: Vec<f64> = (0..runs).map(|_| run_once()).collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"rows\": {}, \"parse_s\": {parse_s:.6}, \"median_s\": {:.6}, \"best_s\": {:.6}}}",
        table.rows(),
        times[times.len() / 2],
        times[0]
    );
}
