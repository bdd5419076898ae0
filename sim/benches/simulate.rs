//! Criterion benchmarks of the simulator.
//!
//! - `simulate_one_day/N`: a whole run of the benchmark scenario
//!   ([`lighthouse_sim::benchmark`]) with N apps for one simulated day. The
//!   throughput is in app samples (apps × 8,640 ten-second ticks), so equal
//!   rates at the three sizes show that cost grows linearly with the fleet.
//! - `service_interval`: one app's queueing figures for one interval, the
//!   innermost step of every tick.
//!
//! `cargo bench -p lighthouse-sim --bench simulate`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lighthouse_sim::benchmark::throughput_scenario;
use lighthouse_sim::latency_table::LatencyTable;
use lighthouse_sim::service::{DemandCurves, Service, ServiceModel};
use lighthouse_sim::{SimOptions, Simulation, parse_scenario};

const TICKS_PER_DAY: u64 = 8_640;

fn simulate_one_day(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate_one_day");
    group.sample_size(10);
    for apps in [100u64, 300, 1000] {
        let loaded = parse_scenario(&throughput_scenario(apps, 1.0, 1), "bench")
            .expect("the benchmark scenario is valid");
        group.throughput(Throughput::Elements(apps * TICKS_PER_DAY));
        group.bench_with_input(BenchmarkId::from_parameter(apps), &loaded, |b, loaded| {
            b.iter_batched(
                || Simulation::new(loaded, &SimOptions::default()).expect("sets up"),
                |sim| sim.run(&mut |_| {}).expect("runs").stats.decisions,
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn service_interval(c: &mut Criterion) {
    let mut curves = DemandCurves::with_table(120);
    let mut service = Service::new(ServiceModel::new(
        100.0,
        10.0,
        95.0,
        curves.get(100.0, 95.0, 0.25),
        Arc::new(LatencyTable::new(30)),
    ));
    // Loads from light to near saturation of 4 instances.
    let loads: Vec<f64> = (0..64).map(|i| 20.0 + 6.0 * f64::from(i)).collect();
    let mut i = 0;
    c.bench_function("service_interval", |b| {
        b.iter(|| {
            i = (i + 1) % loads.len();
            black_box(service.interval(black_box(loads[i]), 4, 10.0))
        })
    });
}

criterion_group!(benches, simulate_one_day, service_interval);
criterion_main!(benches);
