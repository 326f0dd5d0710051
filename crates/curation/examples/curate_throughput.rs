//! The Rust side of `scripts/bench/curate.sh`: curates an NDJSON file held in memory end to end
//! (parse, normalise, partition, dedupe, write Parquet), single-threaded, with zstd level 1 and with
//! snappy; one warm-up then the median of N timed runs, printed as JSON rows/s.
//! Usage: `curate_throughput IN.ndjson [RUNS]` (default 10).

use std::time::{Duration, Instant};

use twinpipe_curation::{Compression, curate};

const SOURCE: &str = "raw/date=2024-06-01/hour=00/bench.ndjson";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: curate_throughput IN.ndjson [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(10), |r| r.parse())?;
    let text = std::fs::read_to_string(&path)?;
    let mut report = serde_json::Map::new();
    report.insert("impl".into(), "twinpipe-curation".into());
    report.insert("input_bytes".into(), text.len().into());
    for (name, compression) in [("zstd", Compression::default()), ("snappy", Compression::Snappy)] {
        let (rows, files, bytes_out) = measure_once(&text, compression)?; // warm-up
        let median = median_of(runs, || measure_once(&text, compression).map(|_| ()))?;
        report.insert("rows".into(), rows.into());
        report.insert(format!("{name}_files"), files.into());
        report.insert(format!("{name}_bytes_out"), bytes_out.into());
        report.insert(format!("{name}_median_s"), median.as_secs_f64().into());
        report.insert(
            format!("{name}_rows_per_s"),
            ((rows as f64 / median.as_secs_f64()).round() as u64).into(),
        );
    }
    println!("{}", serde_json::Value::Object(report));
    Ok(())
}

/// One end-to-end curation; returns rows written, files and total Parquet bytes.
fn measure_once(
    text: &str,
    compression: Compression,
) -> Result<(u64, usize, usize), twinpipe_curation::CurationError> {
    let out = curate(text, SOURCE, compression)?;
    Ok((out.rows_written(), out.files.len(), out.files.iter().map(|f| f.bytes.len()).sum()))
}

fn median_of<E>(runs: usize, mut run: impl FnMut() -> Result<(), E>) -> Result<Duration, E> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        run()?;
        times.push(start.elapsed());
    }
    times.sort();
    let mid = times.len() / 2;
    // Same definition as Python's statistics.median, which the peer uses.
    Ok(if times.len() % 2 == 0 { (times[mid - 1] + times[mid]) / 2 } else { times[mid] })
}
