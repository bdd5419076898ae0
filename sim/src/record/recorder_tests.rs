//! Tests of the recorder as a whole: bucketing, interning, event order and
//! figures fed through the public API.

use super::test_support::meta_two_apps;
use super::*;

fn sample(demand_rps: f64, ready: u32, p95: f64, breached: bool) -> AppSample {
    AppSample {
        demand_rps,
        demand_instances: (demand_rps / 100.0).ceil(),
        ready,
        starting: 1,
        target: ready + 1,
        pending: 0,
        cpu_percent: 50.0,
        latency_mean_ms: p95 / 2.0,
        latency_p95_ms: p95,
        requests: demand_rps * 10.0,
        dropped: 0.0,
        latency_breached: breached,
        drop_breached: false,
    }
}

#[test]
fn samples_fold_into_buckets_of_the_resolution() {
    let mut meta = meta_two_apps();
    meta.timeline_resolution_s = 60.0;
    let mut rec = Recorder::new(meta).unwrap();
    // 7 samples of web: six in [0, 60 s), one in [60 s, 120 s).
    let p95 = [100.0, 300.0, 200.0, 100.0, 100.0, 100.0, 400.0];
    for (i, &p) in p95.iter().enumerate() {
        let t = i as i64 * 10_000;
        rec.app_sample(t, 0, &sample(100.0 * (i + 1) as f64, 2, p, p > 250.0));
        rec.cluster_sample(
            t,
            &ClusterSample {
                cost: 0.5,
                workers: 3,
                ..Default::default()
            },
        );
    }
    let run = rec.finish(70_000);
    let a = &run.apps;
    assert_eq!(a.t_ms, vec![0, 60_000]);
    assert_eq!(a.dt_s, vec![60.0, 10.0]);
    assert_eq!(a.app_idx, vec![0, 0]); // api had no samples: no rows
    assert_eq!(a.demand_rps, vec![350.0, 700.0]); // mean of 100..600, then 700
    assert_eq!(a.supply_rps, vec![200.0, 200.0]); // 2 ready × μ 100
    assert_eq!(a.allocated_instances, vec![3.0, 3.0]);
    assert_eq!(a.target_instances, vec![3.0, 3.0]);
    assert_eq!(a.latency_p95_ms, vec![150.0, 400.0]);
    assert_eq!(a.latency_p95_max_ms, vec![300.0, 400.0]);
    assert_eq!(a.requests, vec![21_000.0, 7_000.0]);
    assert_eq!(a.breach_s, vec![10.0, 10.0]);
    assert_eq!(a.breach_latency_s, vec![10.0, 10.0]);
    assert_eq!(a.breach_drop_s, vec![0.0, 0.0]);
    assert_eq!(a.breach_requests, vec![2_000.0, 7_000.0]);
    assert_eq!(run.cluster.cost, vec![3.0, 0.5]);
    assert_eq!(run.cluster.workers, vec![3.0, 3.0]);
    assert_eq!(run.meta.end_ms, 70_000);
    assert_eq!(run.stream.app_samples, 7);
    assert_eq!(run.stream.cluster_samples, 7);
    // The stream figures use every sample: 2 breaches, 20 s.
    let sla = &run.stream.figures.sla.apps[0].stats.any;
    assert_eq!((sla.breaches, sla.longest_breach_s), (2, 10.0));
}

#[test]
fn full_resolution_rows_equal_the_samples() {
    let mut rec = Recorder::new(meta_two_apps()).unwrap();
    for i in 0..3 {
        rec.app_sample(i * 10_000, 0, &sample(123.25 * i as f64, 3, 80.0, false));
        rec.app_sample(i * 10_000, 1, &sample(7.5, 1, 80.0, false));
    }
    let run = rec.finish(30_000);
    assert_eq!(run.apps.app_idx, vec![0, 1, 0, 1, 0, 1]);
    assert_eq!(run.apps.demand_rps, vec![0.0, 7.5, 123.25, 7.5, 246.5, 7.5]);
    assert_eq!(run.apps.supply_rps[1], 50.0); // api: 1 ready × μ 50
    assert!(run.apps.dt_s.iter().all(|&d| d == 10.0));
}

#[test]
fn bad_metadata_is_refused() {
    let mut m = meta_two_apps();
    m.sample_interval_s = 0.0;
    assert_eq!(
        Recorder::new(m).unwrap_err(),
        RecordError::SampleInterval(0.0)
    );
    let mut m = meta_two_apps();
    m.timeline_resolution_s = 5.0;
    assert!(matches!(
        Recorder::new(m),
        Err(RecordError::Resolution { .. })
    ));
    let mut m = meta_two_apps();
    m.apps[1].resource_id = m.apps[0].resource_id.clone();
    assert_eq!(
        Recorder::new(m).unwrap_err(),
        RecordError::DuplicateResource("app_instance:web".into())
    );
    let mut m = meta_two_apps();
    m.apps[0].service_rate_rps = f64::NAN;
    let err = Recorder::new(m).unwrap_err();
    assert!(err.to_string().contains("\"web\""), "{err}");
}

#[test]
fn resources_are_interned_after_the_apps() {
    let mut rec = Recorder::new(meta_two_apps()).unwrap();
    assert_eq!(rec.app_resource(1), ResourceIdx(1));
    let pool = rec.resource("worker_node:pool", Layer::WorkerNode);
    assert_eq!(pool, ResourceIdx(2));
    assert_eq!(rec.resource("worker_node:pool", Layer::WorkerNode), pool);
    assert_eq!(
        rec.resource("app_instance:web", Layer::AppInstance),
        ResourceIdx(0)
    );
}

#[test]
fn events_feed_oscillation_and_reaction_and_are_kept_in_time_order() {
    let mut rec = Recorder::new(meta_two_apps()).unwrap();
    let pool = rec.resource("worker_node:pool", Layer::WorkerNode);
    let web = rec.app_resource(0);
    let mut d = EventRow::new(60_000, web, EventKind::Decision);
    d.action_id = 1;
    d.direction = Direction::Up;
    d.signal_since_ms = 30_000;
    rec.event(d);
    let mut x = EventRow::new(61_000, web, EventKind::Executed);
    x.action_id = 1;
    x.direction = Direction::Up;
    rec.event(x);
    let mut r = EventRow::new(121_000, web, EventKind::Ready);
    r.action_id = 1;
    rec.event(r);
    let mut down = EventRow::new(300_000, web, EventKind::Executed);
    down.direction = Direction::Down;
    rec.event(down);
    let mut pool_up = EventRow::new(300_000, pool, EventKind::Executed);
    pool_up.direction = Direction::Up;
    rec.event(pool_up);
    let run = rec.finish(3_600_000);
    let f = &run.stream.figures;
    assert_eq!(f.reaction.signal_to_ready.max, Some(91.0));
    assert_eq!(f.oscillation.total.up, 2);
    assert_eq!(f.oscillation.total.flaps, 1); // web up then down 239 s later
    assert_eq!(f.oscillation.resources[1].resource_id, "worker_node:pool");
    assert_eq!(run.resources[2].id, "worker_node:pool");
    let times: Vec<i64> = run.events.iter().map(|e| e.t_ms).collect();
    assert_eq!(times, vec![60_000, 61_000, 121_000, 300_000, 300_000]);
    assert_eq!(run.events[3].resource, web); // ties keep recording order
}

#[test]
fn layers_and_totals_aggregate_per_app_figures() {
    let mut rec = Recorder::new(meta_two_apps()).unwrap();
    // web under-provisioned for 1 of 2 samples, api never.
    rec.app_sample(
        0,
        0,
        &AppSample {
            demand_instances: 4.0,
            ready: 2,
            ..Default::default()
        },
    );
    rec.app_sample(
        0,
        1,
        &AppSample {
            demand_instances: 1.0,
            ready: 1,
            ..Default::default()
        },
    );
    rec.app_sample(
        10_000,
        0,
        &AppSample {
            demand_instances: 2.0,
            ready: 2,
            ..Default::default()
        },
    );
    rec.app_sample(
        10_000,
        1,
        &AppSample {
            demand_instances: 1.0,
            ready: 1,
            ..Default::default()
        },
    );
    let run = rec.finish(20_000);
    let e = &run.stream.figures.elasticity;
    assert_eq!(e.apps[0].instances.t_u, 0.5);
    assert_eq!(e.instances.by_layer[0].scores.unwrap().t_u, 0.5);
    assert_eq!(e.instances.by_layer[1].scores.unwrap().t_u, 0.0);
    assert_eq!(e.instances.mean.unwrap().t_u, 0.25);
    // rps: web supply 200 against demand 0 (ε = 1): over by 200/1.
    assert_eq!(e.apps[0].rps.a_o_norm, 200.0);
}

#[test]
fn stream_summary_serialises_to_json() {
    let rec = Recorder::new(meta_two_apps()).unwrap();
    let run = rec.finish(3_600_000);
    let json = serde_json::to_value(&run.stream).unwrap();
    assert_eq!(json["figures"]["cost"]["budget"]["total"], 2000.0);
    assert_eq!(
        json["figures"]["elasticity"]["instances"]["mean"],
        serde_json::Value::Null
    );
    let back: StreamSummary = serde_json::from_value(json).unwrap();
    assert_eq!(back, run.stream);
}

#[test]
fn sla_totals_of_each_objective_add_up_across_buckets() {
    let mut meta = meta_two_apps();
    meta.timeline_resolution_s = 30.0;
    let mut rec = Recorder::new(meta).unwrap();
    // web, 10 s samples over two 30 s buckets: (latency, drop, requests,
    // dropped). Latency breached at 10 s and 20 s, the drop rate at 20 s
    // and 30 s (the second bucket), nothing at 0 s and 40 s.
    let web = [
        (false, false, 100.0, 0.0),
        (true, false, 200.0, 0.0),
        (true, true, 300.0, 30.0),
        (false, true, 400.0, 40.0),
        (false, false, 500.0, 0.0),
    ];
    for (i, &(latency, drop, requests, dropped)) in web.iter().enumerate() {
        let s = AppSample {
            requests,
            dropped,
            latency_breached: latency,
            drop_breached: drop,
            ..sample(requests / 10.0, 2, 100.0, latency)
        };
        rec.app_sample(i as i64 * 10_000, 0, &s);
    }
    let run = rec.finish(50_000);
    let web = &run.stream.figures.sla.apps[0];
    assert_eq!(web.observed_s, 50.0);
    assert_eq!((web.requests, web.dropped), (1_500.0, 70.0));
    let (any, latency, drop) = (&web.stats.any, &web.stats.latency, &web.stats.drop_rate);
    // any: 10–40 s, one breach of three samples.
    assert_eq!((any.breaches, any.longest_breach_s), (1, 30.0));
    assert_eq!(any.breach_minutes, 0.5);
    assert_eq!(any.requests_affected, 900.0);
    assert_eq!(any.share_of_time, 0.6);
    assert_eq!(
        (latency.breach_minutes, latency.requests_affected),
        (20.0 / 60.0, 500.0)
    );
    assert_eq!(
        (drop.breach_minutes, drop.requests_affected),
        (20.0 / 60.0, 700.0)
    );
    // The api app had no samples.
    assert_eq!(run.stream.figures.sla.apps[1].observed_s, 0.0);
}

/// `meta_two_apps` with `n` apps, alternately like `web` and `api`.
fn meta_with_apps(n: usize) -> RunMeta {
    let mut meta = meta_two_apps();
    let kinds = meta.apps.clone();
    meta.apps = (0..n)
        .map(|i| {
            let mut app = kinds[i % 2].clone();
            app.name = format!("{}-{i}", app.name);
            app.resource_id = format!("{}-{i}", app.resource_id);
            app
        })
        .collect();
    meta
}

#[test]
fn runs_of_apps_record_as_their_apps_one_by_one() {
    // 19 apps: two whole blocks and part of a third. Each tick records
    // them as three runs that start and end inside blocks (0..5, 5..17,
    // 17..19) and, every third tick, as one run of all.
    let apps = 19;
    let (mut one_by_one, mut together) = (
        Recorder::new(meta_with_apps(apps)).unwrap(),
        Recorder::new(meta_with_apps(apps)).unwrap(),
    );
    let cluster = ClusterSample {
        cost: 0.25,
        workers: 2,
        cpu_utilization_percent: 40.0,
        ..Default::default()
    };
    for i in 0..40 {
        let t = i * 10_000;
        let of = |app: usize| {
            let k = i as usize + app;
            sample(
                50.0 + 37.0 * (k % 7) as f64,
                1 + (k % 3) as u32,
                90.0 + 40.0 * (k % 5) as f64,
                k.is_multiple_of(5),
            )
        };
        for app in 0..apps {
            one_by_one.app_sample(t, app, &of(app));
        }
        one_by_one.cluster_sample(t, &cluster);
        if i % 3 == 0 {
            together.app_samples(t, 0, (0..apps).map(of));
        } else {
            for run in [0..5, 5..17, 17..19] {
                together.app_samples(t, run.start, run.map(of));
            }
        }
        together.cluster_sample(t, &cluster);
    }
    let (a, b) = (one_by_one.finish(400_000), together.finish(400_000));
    assert_eq!(a.apps, b.apps);
    assert_eq!(a.stream.figures, b.stream.figures);
    assert_eq!(b.stream.app_samples, 40 * apps as u64);
    // The CPU requests reached the cost split: the apps' share is not idle.
    let apps_cost: f64 = b.stream.figures.cost.by_app.iter().map(|c| c.cost).sum();
    assert!(apps_cost > 0.0, "{:?}", b.stream.figures.cost);
    // And the figures are each app's own: the apps differ.
    let sla = &b.stream.figures.sla.apps;
    assert_ne!(sla[0].stats, sla[1].stats);
}
