//! The block path against the per-app path, bit for bit.

use std::sync::Arc;

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

use super::*;
use crate::latency_table::LatencyTable;
use crate::service::{DemandCurves, IntervalStats};

fn model() -> Arc<ServiceModel> {
    let curves = &mut DemandCurves::with_table(48);
    Arc::new(ServiceModel::new(
        100.0,
        10.0,
        95.0,
        curves.get(100.0, 95.0, 0.25),
        Arc::new(LatencyTable::new(32)),
    ))
}

/// A load for `c` instances of 100 requests per second: mostly below
/// saturation, sometimes zero, at or past it, or not a number.
fn load(rng: &mut SmallRng, c: u32) -> f64 {
    match rng.random_range(0..40) {
        0 => 0.0,
        1 => f64::NAN,
        2 => -5.0,
        3 => 100.0 * f64::from(c),
        4 => 130.0 * f64::from(c.max(1)),
        5 => rng.random_range(0.0..1e-6),
        _ => 100.0 * f64::from(c) * rng.random_range(0.0..0.999),
    }
}

fn bits(s: &IntervalStats) -> [u64; 10] {
    [
        s.offered.to_bits(),
        s.rate_rps.to_bits(),
        s.served.to_bits(),
        s.dropped.to_bits(),
        s.mean_ms.to_bits(),
        s.p95_ms.to_bits(),
        s.slo_ms.to_bits(),
        s.utilisation.to_bits(),
        s.queue_length.to_bits(),
        u64::from(s.demand_instances),
    ]
}

fn state(s: &Service) -> (u64, u32) {
    (s.backlog.queued.to_bits(), s.last_demand)
}

/// Serves `services` in lanes with `kernel` (state read from them, and
/// given back when served), as the simulator does for a block that
/// enters the lanes.
fn serve(
    kernel: Option<LaneKernel>,
    model: &ServiceModel,
    services: &mut [Service; BLOCK],
    lambda: &[f64; BLOCK],
    ready: [u32; BLOCK],
    dt_s: f64,
    out: &mut IntervalLanes<BLOCK>,
) -> bool {
    let state = LaneState::of(services.each_ref());
    let counts = ready.map(|c| [c, 0, 0, 0]);
    if !serve_lanes_with(kernel, model, &state, lambda, &counts, dt_s, out) {
        return false;
    }
    for (s, &d) in services.iter_mut().zip(&out.demand_instances) {
        s.settle_steady(d);
    }
    true
}

#[test]
fn a_block_gives_the_per_app_figures_bit_for_bit() {
    for &kernel in LaneKernel::available() {
        blocks_give_the_per_app_figures(Some(kernel));
    }
    // Without vector instructions every block is declined.
    blocks_give_the_per_app_figures(None);
}

fn blocks_give_the_per_app_figures(kernel: Option<LaneKernel>) {
    let model = model();
    let mut rng = SmallRng::seed_from_u64(7);
    let mut services: [Service; BLOCK] = std::array::from_fn(|_| Service::shared(model.clone()));
    let (mut in_blocks, mut declined, mut moved) = (0, 0, 0);
    for round in 0..20_000 {
        // Mostly steady blocks of moderate pools, now and then a pool
        // beyond the table, an empty one or one that saturates.
        let ready: [u32; BLOCK] = std::array::from_fn(|_| match rng.random_range(0..60) {
            0 => 0,
            1 => rng.random_range(33..60),
            _ => rng.random_range(1..=32),
        });
        let lambda: [f64; BLOCK] = std::array::from_fn(|l| {
            if round % 4 == 0 {
                load(&mut rng, ready[l])
            } else {
                100.0 * f64::from(ready[l]) * rng.random_range(0.05..0.95)
            }
        });
        let dt_s = if round % 500 == 0 { 0.0 } else { 10.0 };
        let mut one_by_one = services.clone();
        let expected: [IntervalStats; BLOCK] =
            std::array::from_fn(|l| one_by_one[l].interval(lambda[l], ready[l], dt_s));
        let before = services.each_ref().map(state);
        let mut out = IntervalLanes::default();
        if serve(
            kernel,
            &model,
            &mut services,
            &lambda,
            ready,
            dt_s,
            &mut out,
        ) {
            in_blocks += 1;
            for l in 0..BLOCK {
                assert_eq!(
                    bits(&out.get(l)),
                    bits(&expected[l]),
                    "{kernel:?}, round {round}, lane {l}: λ {}, c {}: {:?} against {:?}",
                    lambda[l],
                    ready[l],
                    out.get(l),
                    expected[l]
                );
                assert_eq!(state(&services[l]), state(&one_by_one[l]), "round {round}");
                moved += usize::from(before[l].1 != services[l].last_demand);
            }
        } else {
            declined += 1;
            assert_eq!(
                services.each_ref().map(state),
                before,
                "round {round}: changed"
            );
            // Carry on from the per-app path, queues and all.
            services = one_by_one;
        }
    }
    if kernel.is_some() {
        // Both ways are exercised, and demand that moves between
        // intervals is found next to its hint.
        assert!(
            in_blocks > 5_000 && declined > 2_000,
            "{kernel:?}: {in_blocks} / {declined}"
        );
        assert!(moved > 10_000, "{kernel:?}: {moved}");
    } else {
        assert_eq!(in_blocks, 0);
    }
}

#[test]
fn a_block_with_a_queue_or_no_table_is_declined() {
    for &kernel in LaneKernel::available() {
        declines_a_queue_and_a_wide_pool(kernel);
    }
}

fn declines_a_queue_and_a_wide_pool(kernel: LaneKernel) {
    let model = model();
    let mut services: [Service; BLOCK] = std::array::from_fn(|_| Service::shared(model.clone()));
    let lambda = [200.0; BLOCK];
    let mut out = IntervalLanes::default();
    let mut try_serve = |services: &mut [Service; BLOCK], ready: [u32; BLOCK]| {
        serve(
            Some(kernel),
            &model,
            services,
            &lambda,
            ready,
            10.0,
            &mut out,
        )
    };
    // An overload leaves a queue in lane 3.
    services[3].interval(900.0, 4, 10.0);
    assert!(services[3].backlog.queued > 0.0);
    assert!(!try_serve(&mut services, [4; BLOCK]), "{kernel:?}");
    // A pool beyond the table (32).
    services[3] = Service::shared(model.clone());
    let mut wide = [4; BLOCK];
    wide[5] = 40;
    assert!(!try_serve(&mut services, wide), "{kernel:?}");
    // The same block with neither is served, so the refusals above are
    // the queue's and the pool's.
    assert!(try_serve(&mut services, [4; BLOCK]), "{kernel:?}");
}
