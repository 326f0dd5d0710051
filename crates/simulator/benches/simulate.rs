//! Reading throughput of the simulator (target: ≥ 2M readings/s in release).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use twinpipe_simulator::{FleetConfig, simulate};

fn bench(c: &mut Criterion) {
    let config = FleetConfig {
        assets: 40,
        hours: 6.0,
        interval_s: 10.0,
        fault_fraction: 0.25,
        ..FleetConfig::default()
    };
    let sim = simulate(&config);
    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(sim.reading_count()));
    group.sample_size(20);
    group.bench_function("readings", |b| b.iter(|| sim.readings().map(|r| r.value).sum::<f64>()));
    group.bench_function("steps", |b| b.iter(|| sim.steps().map(|s| s.readings.len()).sum::<usize>()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
