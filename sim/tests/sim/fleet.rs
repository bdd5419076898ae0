//! Fleet mechanics on small hand-made cases.

use lighthouse_sim::fleet::{FleetEvent, WorkerState};
use rand::SeedableRng;
use rand::rngs::SmallRng;

use crate::support::*;

#[test]
fn start_up_delays_delay_the_capacity() {
    let mut f = fleet(
        vec![app("web", 1.0, false, false)],
        vec![worker_type("w4", 4.0, 1.0, false)],
    );
    f.add_initial_worker(0, 0);
    f.set_app_target(0, 3, 0, 7, 0);
    assert_eq!((f.apps[0].ready, f.apps[0].starting), (0, 3));
    assert_eq!(
        f.outbox,
        vec![(30_000, FleetEvent::InstancesReady { app: 0 })]
    );
    f.instances_ready(0, 29_999);
    assert_eq!(f.apps[0].ready, 0, "not before the start-up delay");
    f.instances_ready(0, 30_000);
    assert_eq!((f.apps[0].ready, f.apps[0].starting), (3, 0));
    assert_eq!(
        f.became_ready,
        vec![(7, 30_000)],
        "the action's capacity is ready"
    );
    f.check_invariants().unwrap();
}

#[test]
fn provisioning_delays_delay_workers_and_pending_instances_wait_for_them() {
    let mut f = fleet(
        vec![app("web", 1.0, false, false)],
        vec![worker_type("w2", 2.0, 1.0, false)],
    );
    f.add_initial_worker(0, 0);
    f.set_app_target(0, 5, 0, 1, 0);
    assert_eq!(
        (f.apps[0].starting, f.apps[0].pending),
        (2, 3),
        "two fit on a 2-core worker"
    );
    assert_eq!(f.cluster().pending, 3);
    f.outbox.clear();
    let mut rng = SmallRng::seed_from_u64(1);
    f.add_workers(2, 1_000, 2, 0, &mut rng);
    assert_eq!(f.cluster().provisioning, 2);
    assert!(matches!(
        f.workers[1].state,
        WorkerState::Provisioning {
            ready_at_ms: 101_000
        }
    ));
    assert_eq!(
        f.apps[0].pending, 3,
        "nothing placed on a provisioning worker"
    );
    f.worker_ready(1, 0, 101_000);
    f.worker_ready(2, 0, 101_000);
    assert_eq!(f.apps[0].pending, 0);
    assert_eq!(f.apps[0].starting, 5);
    assert_eq!(
        f.became_ready,
        vec![(2, 101_000)],
        "both workers of action 2 are ready"
    );
    f.check_invariants().unwrap();
}

#[test]
fn placement_is_best_fit_and_respects_spot() {
    let mut f = fleet(
        vec![
            app("batch", 1.0, false, true),
            app("web", 1.0, false, false),
        ],
        vec![
            worker_type("big", 8.0, 1.0, false),
            worker_type("spot", 4.0, 0.3, true),
        ],
    );
    let big = f.add_initial_worker(0, 0);
    let spot = f.add_initial_worker(1, 0);
    f.set_app_target(0, 1, 0, -1, 0);
    assert_eq!(
        f.workers[spot as usize].hosted,
        vec![(0, 1)],
        "the tighter fit"
    );
    f.set_app_target(1, 6, 0, -1, 0);
    assert!(
        f.workers[spot as usize].hosted.iter().all(|&(a, _)| a == 0),
        "web never on spot"
    );
    assert_eq!(f.workers[big as usize].hosted, vec![(1, 6)]);
    f.check_invariants().unwrap();
}

/// Where one-instance-at-a-time best fit puts `n` instances of `app`: each
/// on the ready worker with the least CPU left after it (ties to the older
/// worker), from the fleet's CPU and memory use now. Instances per worker id.
fn best_fit_one_at_a_time(f: &lighthouse_sim::fleet::Fleet, app: usize, n: u32) -> Vec<u32> {
    let (cpu, mem) = (f.apps[app].cpu, f.apps[app].mem);
    let mut used: Vec<(f64, f64)> = f.workers.iter().map(|w| (w.cpu_used, w.mem_used)).collect();
    let mut placed = vec![0; f.workers.len()];
    for _ in 0..n {
        let mut best: Option<(f64, usize)> = None;
        for &w in &f.alive {
            let w = w as usize;
            let t = &f.types[f.workers[w].type_idx];
            let fits = f.workers[w].state == WorkerState::Ready
                && used[w].0 + cpu <= t.cpu_cores + 1e-9
                && used[w].1 + mem <= t.memory_gb + 1e-9;
            let left = t.cpu_cores - used[w].0 - cpu;
            if fits && best.is_none_or(|(l, _)| left < l - 1e-12) {
                best = Some((left, w));
            }
        }
        let Some((_, w)) = best else { break };
        used[w].0 += cpu;
        used[w].1 += mem;
        placed[w] += 1;
    }
    placed
}

#[test]
fn placement_puts_each_instance_where_one_at_a_time_best_fit_would() {
    // Workers of three sizes, filled unevenly by earlier apps, with many
    // ties between equal workers: the placement (which fills a worker
    // before searching again and skips workers that cannot win) must
    // choose as a plain search per instance does.
    let sizes = [0.5, 1.5, 1.0, 2.0, 0.5, 3.0, 1.0, 2.5];
    let apps = sizes
        .iter()
        .enumerate()
        .map(|(i, &cpu)| app(&format!("a{i}"), cpu, false, false))
        .collect();
    let mut f = fleet(
        apps,
        vec![
            worker_type("w4", 4.0, 1.0, false),
            worker_type("w8", 8.0, 1.8, false),
            worker_type("w16", 16.0, 3.0, false),
        ],
    );
    for k in 0..12 {
        f.add_initial_worker(k % 3, 0);
    }
    let wanted = [3, 7, 1, 11, 5, 9, 2, 40];
    for (a, &n) in wanted.iter().enumerate() {
        let expected = best_fit_one_at_a_time(&f, a, n);
        f.set_app_target(a, n, 0, a as i64, 0);
        let placed: Vec<u32> = f
            .workers
            .iter()
            .map(|w| {
                w.hosted
                    .iter()
                    .find(|&&(x, _)| x as usize == a)
                    .map_or(0, |&(_, k)| k)
            })
            .collect();
        assert_eq!(placed, expected, "app {a}, {n} instances");
        let unplaced = n - expected.iter().sum::<u32>();
        assert_eq!(f.apps[a].pending, unplaced, "app {a}");
        f.check_invariants().unwrap();
    }
    assert!(f.apps[7].pending > 0, "the last app does not all fit");
}

#[test]
fn new_workers_are_the_cheapest_type_that_fits_and_spot_only_for_tolerant_work() {
    let types = vec![
        worker_type("small", 2.0, 0.10, false),
        worker_type("large", 8.0, 0.45, false),
        worker_type("small-spot", 2.0, 0.03, true),
    ];
    let mut f = fleet(
        vec![
            app("big", 4.0, false, false),
            app("batch", 1.0, false, true),
        ],
        types,
    );
    f.apps[0].pending = 1;
    f.apps[0].target = 1;
    assert_eq!(f.choose_type(), 1, "a 4-core instance needs the large type");
    f.apps[0].pending = 0;
    f.apps[0].target = 0;
    f.apps[1].pending = 3;
    f.apps[1].target = 3;
    assert_eq!(f.choose_type(), 2, "tolerant work goes to spot");
    f.apps[1].pending = 0;
    f.apps[1].target = 0;
    assert_eq!(
        f.choose_type(),
        0,
        "nothing pending: cheapest on-demand per core"
    );
}

#[test]
fn a_drain_keeps_every_instance_placed_and_protected_workers_stay() {
    let mut f = fleet(
        vec![app("web", 1.0, false, false), app("etcd", 1.0, true, false)],
        vec![worker_type("w4", 4.0, 1.0, false)],
    );
    for _ in 0..3 {
        f.add_initial_worker(0, 0);
    }
    f.set_app_target(1, 3, 0, -1, 0); // etcd spreads by best fit onto worker 0
    f.set_app_target(0, 5, 0, -1, 0);
    f.instances_ready(0, 60_000);
    f.instances_ready(1, 60_000);
    let before: Vec<u32> = f.apps.iter().map(|a| a.total()).collect();
    let removed = f.remove_workers(2, 100_000);
    f.check_invariants().unwrap();
    let after: Vec<u32> = f.apps.iter().map(|a| a.total()).collect();
    assert_eq!(before, after, "no instance lost or counted twice");
    assert!(
        f.apps.iter().all(|a| a.pending == 0),
        "drained instances found room"
    );
    let critical_alive = f.alive.iter().any(|&w| f.workers[w as usize].critical > 0);
    assert!(critical_alive, "the worker running etcd was not removed");
    // etcd (3 cores) and one web fill worker 0, four web fill worker 1:
    // only the empty worker 2 can go.
    assert_eq!(removed, 1);
    assert_eq!(f.pool_size(), 2);
}

#[test]
fn a_node_whose_instances_fit_nowhere_is_not_removed() {
    let mut f = fleet(
        vec![app("web", 1.0, false, false)],
        vec![worker_type("w4", 4.0, 1.0, false)],
    );
    f.add_initial_worker(0, 0);
    f.add_initial_worker(0, 0);
    f.set_app_target(0, 8, 0, -1, 0);
    assert_eq!(
        f.remove_workers(1, 1_000),
        0,
        "8 cores of work need both workers"
    );
    f.check_invariants().unwrap();
}

#[test]
fn crashes_put_instances_back_to_pending_and_lose_none() {
    let mut f = fleet(
        vec![app("web", 1.0, false, false)],
        vec![worker_type("w4", 4.0, 1.0, false)],
    );
    let a = f.add_initial_worker(0, 0);
    let _b = f.add_initial_worker(0, 0);
    f.set_app_target(0, 6, 0, -1, 0);
    f.instances_ready(0, 30_000);
    let epoch = f.workers[a as usize].epoch;
    assert!(f.kill_worker(a, epoch, 40_000));
    assert!(
        !f.kill_worker(a, epoch, 41_000),
        "a stale event does nothing"
    );
    f.check_invariants().unwrap();
    assert_eq!(f.apps[0].total(), 6);
    assert_eq!(f.apps[0].pending, 2, "4 fit on the surviving worker");
}

#[test]
fn scale_down_takes_pending_then_starting_then_serving() {
    let mut f = fleet(
        vec![app("web", 1.0, false, false)],
        vec![worker_type("w4", 4.0, 1.0, false)],
    );
    f.add_initial_worker(0, 0);
    f.set_app_target(0, 2, 0, -1, 0);
    f.instances_ready(0, 30_000);
    f.set_app_target(0, 6, 40_000, -1, 0); // 2 ready, 2 starting, 2 pending
    assert_eq!(
        (f.apps[0].ready, f.apps[0].starting, f.apps[0].pending),
        (2, 2, 2)
    );
    f.set_app_target(0, 3, 50_000, -1, 0);
    assert_eq!(
        (f.apps[0].ready, f.apps[0].starting, f.apps[0].pending),
        (2, 1, 0)
    );
    f.set_app_target(0, 1, 60_000, -1, 0);
    assert_eq!(
        (f.apps[0].ready, f.apps[0].starting, f.apps[0].pending),
        (1, 0, 0)
    );
    f.check_invariants().unwrap();
}

#[test]
fn idle_workers_go_after_the_idle_time_but_never_below_the_pool_minimum() {
    let mut f = fleet(
        vec![app("web", 1.0, false, false)],
        vec![worker_type("w4", 4.0, 1.0, false)],
    );
    f.idle_ms = 600_000;
    f.pool_min = 1;
    let a = f.add_initial_worker(0, 0);
    let b = f.add_initial_worker(0, 0);
    let checks: Vec<(i64, FleetEvent)> = f.outbox.drain(..).collect();
    assert_eq!(checks.len(), 2);
    for (at, e) in checks {
        if let FleetEvent::IdleCheck { worker, epoch } = e {
            f.idle_check(worker, epoch, at);
        }
    }
    assert_eq!(f.pool_size(), 1, "one went, the minimum stays");
    assert!(
        f.workers[a as usize].state == WorkerState::Gone
            || f.workers[b as usize].state == WorkerState::Gone
    );
}
