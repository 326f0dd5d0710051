//! Curation throughput on 1,000,000 rows of ~100 B: parse, normalise, partition, dedupe and write
//! Parquet, end to end and single-threaded, with zstd (level 1) and with snappy, on the peer benchmarks'
//! data set (`twinpipe-bench-data`). The pyarrow peer and the side-by-side run are in
//! `scripts/bench/curate.sh`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use twinpipe_curation::{Compression, curate};

const ROWS: usize = 1_000_000;
const SOURCE: &str = "raw/date=2024-06-01/hour=00/bench.ndjson";

fn curate_1m(c: &mut Criterion) {
    let text = twinpipe_bench_data::ndjson(ROWS, twinpipe_bench_data::SEED);
    let mut group = c.benchmark_group("curate_1m_rows");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(ROWS as u64));
    for (name, compression) in [("zstd1", Compression::default()), ("snappy", Compression::Snappy)] {
        group.bench_function(name, |b| {
            b.iter(|| curate(black_box(&text), SOURCE, compression).expect("bench data curates"))
        });
    }
    group.finish();
}

criterion_group!(benches, curate_1m);
criterion_main!(benches);
