//! A four-sample run small enough to work out by hand; both the recorder's
//! stream summary and the stored-timeline summary must give these numbers.

use lighthouse_sim::record::*;

fn meta() -> RunMeta {
    let slo = Slo {
        latency_percentile: 95.0,
        latency_ms: 250.0,
        max_drop_rate: 0.01,
    };
    let app = |name: &str, layer: Layer, mu: f64, max: u32, cores: f64| AppMeta {
        name: name.into(),
        layer,
        resource_id: format!("{}:{name}", layer.as_str()),
        service_rate_rps: mu,
        min_capacity: 1,
        max_capacity: max,
        cpu_cores: cores,
        slo,
    };
    RunMeta {
        format_version: FORMAT_VERSION,
        mode: RunMode::Simulation,
        scenario: "by-hand".into(),
        seed: 1,
        start_ms: 0,
        end_ms: 0,
        sample_interval_s: 10.0,
        evaluation_interval_s: 10.0,
        timeline_resolution_s: 10.0,
        flap_window_s: 600.0,
        budget_per_hour: Some(3.0),
        apps: vec![
            app("web", Layer::AppInstance, 100.0, 10, 1.0),
            app("api", Layer::PlatformComponent, 50.0, 4, 2.0),
        ],
        worker_types: vec![],
    }
}

/// web: demand 2,3,3,2 instances against 2,2,3,3 ready (one starting at
/// t=10 s), latency breached at t=10 s; api steady at 1 of 1. Each tick
/// costs 0.01 at 50 % CPU utilisation. One up action on web with signal at
/// 0, decision 10 s, executed 12 s, ready 20 s; a down action at 30 s.
fn record() -> RunRecord {
    let mut rec = Recorder::new(meta()).unwrap();
    let web = rec.app_resource(0);
    let ready = [2, 2, 3, 3];
    let starting = [0, 1, 0, 0];
    let demand = [2.0, 3.0, 3.0, 2.0];
    let rps = [150.0, 250.0, 280.0, 160.0];
    for k in 0..4 {
        let t = k as i64 * 10_000;
        if k == 1 {
            let mut d = EventRow::new(t, web, EventKind::Decision);
            (d.action_id, d.direction, d.signal_since_ms) = (1, Direction::Up, 0);
            rec.event(d);
        }
        if k == 2 {
            let mut r = EventRow::new(t, web, EventKind::Ready);
            r.action_id = 1;
            rec.event(r);
        }
        if k == 3 {
            let mut x = EventRow::new(t, web, EventKind::Executed);
            x.direction = Direction::Down;
            rec.event(x);
        }
        let s = AppSample {
            demand_rps: rps[k],
            demand_instances: demand[k],
            ready: ready[k],
            starting: starting[k],
            target: 3,
            requests: rps[k] * 10.0,
            latency_p95_ms: if k == 1 { 400.0 } else { 100.0 },
            latency_breached: k == 1,
            ..AppSample::default()
        };
        rec.app_sample(t, 0, &s);
        let api = AppSample {
            demand_rps: 40.0,
            demand_instances: 1.0,
            ready: 1,
            requests: 400.0,
            ..Default::default()
        };
        rec.app_sample(t, 1, &api);
        let c = ClusterSample {
            cost: 0.01,
            cpu_utilization_percent: 50.0,
            cost_rate_per_hour: 3.6,
            ..Default::default()
        };
        rec.cluster_sample(t, &c);
        if k == 1 {
            let mut x = EventRow::new(12_000, web, EventKind::Executed);
            (x.action_id, x.direction) = (1, Direction::Up);
            rec.event(x);
        }
    }
    rec.finish(40_000)
}

fn assert_hand_figures(f: &Figures, source: &str) {
    let near =
        |a: f64, b: f64, what: &str| assert!((a - b).abs() < 1e-12, "{source} {what}: {a} != {b}");
    // Cost: half of each 0.01 is requested; web asks 2,3,3,3 cores, api 2.
    near(f.cost.total, 0.04, "cost total");
    near(f.cost.by_app[0].cost, 0.0025 + 3.0 * 0.003, "web cost");
    near(f.cost.by_app[1].cost, 0.0025 + 3.0 * 0.002, "api cost");
    near(f.cost.by_layer.worker_idle, 0.02, "idle");
    let b = f.cost.budget.unwrap();
    near(b.total, 3.0 * 40.0 / 3600.0, "budget total");
    near(b.over_budget_minutes, 4.0 * 10.0 / 60.0, "over budget"); // 3.6 > 3 all along
    // SLA: one 10 s latency breach of 40 s, 2500 requests.
    let web = &f.sla.apps[0].stats;
    assert_eq!(web.any.breaches, 1, "{source}");
    near(web.any.share_of_time, 0.25, "share");
    near(web.latency.requests_affected, 2500.0, "requests affected");
    near(web.any.longest_breach_s, 10.0, "longest");
    assert_eq!(web.drop_rate.breaches, 0, "{source}");
    near(f.sla.total.any.share_of_time, 10.0 / 80.0, "total share");
    // Oscillation: up at 12 s, down at 30 s: one reversal, a flap.
    assert_eq!(
        (f.oscillation.total.up, f.oscillation.total.down),
        (1, 1),
        "{source}"
    );
    assert_eq!(
        (f.oscillation.total.reversals, f.oscillation.total.flaps),
        (1, 1),
        "{source}"
    );
    near(
        f.oscillation.by_layer[0].counts.up_per_hour,
        90.0,
        "up per hour",
    );
    // Reaction: 10 s, 2 s, 8 s, 20 s.
    let r = &f.reaction;
    assert_eq!(r.signal_to_decision.p50, Some(10.0), "{source}");
    assert_eq!(r.decision_to_executed.max, Some(2.0), "{source}");
    assert_eq!(r.executed_to_ready.p99, Some(8.0), "{source}");
    assert_eq!(r.signal_to_ready.count, 1, "{source}");
    // Elasticity of web in instances: d 2,3,3,2 vs s 2,2,3,3.
    let e = &f.elasticity.apps[0].instances;
    near(e.a_u, 10.0 / (40.0 * 10.0), "a_u");
    near(e.a_o, 10.0 / (40.0 * 10.0), "a_o");
    near(e.a_u_norm, (1.0 / 3.0) * 10.0 / 40.0, "a_u_norm");
    near(e.a_o_norm, 0.5 * 10.0 / 40.0, "a_o_norm");
    near(e.tau_u, 25.0, "tau_u");
    near(e.k, 2.0 / 3.0, "k");
    near(e.k_prime, 1.0 / 3.0, "k'");
    near(e.upsilon, 100.0, "upsilon");
    near(e.jitter_per_hour, -90.0, "jitter");
    // api is exactly provisioned: everything zero.
    assert_eq!(
        f.elasticity.apps[1].instances,
        Scores::default(),
        "{source}"
    );
    near(f.elasticity.instances.mean.unwrap().a_u, 0.0125, "mean a_u");
    // rps: web supply 200,200,300,300 against 150,250,280,160.
    let e = &f.elasticity.apps[0].rps;
    near(e.t_u, 0.25, "rps t_u");
    near(
        e.a_o,
        (50.0 + 20.0 + 140.0) * 10.0 / (40.0 * 1000.0),
        "rps a_o",
    );
}

#[test]
fn stream_and_stored_timeline_give_the_hand_computed_figures() {
    let run = record();
    assert_hand_figures(&run.stream.figures, "stream");
    let dir = tempfile::tempdir().unwrap();
    let summary = crate::summarise(&run, dir.path());
    assert_hand_figures(&summary.figures, "timeline");
}
