//! A deterministic synthetic fleet driven through the real `Recorder`:
//! daily demand waves, a lagging autoscaler that evaluates every few
//! ticks, latency and drops from utilisation, a worker pool with an
//! on-demand and a spot type, and the matching events. Shared by the
//! integration tests and the `report_throughput` example.

use std::collections::BTreeMap;

use lighthouse_sim::record::*;

/// What to synthesise.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Apps of layer `app_instance`.
    pub apps: usize,
    /// Apps of layer `platform_component`.
    pub platform: usize,
    /// Run length, hours.
    pub hours: f64,
    /// Sample interval, seconds.
    pub sample_s: f64,
    /// Timeline resolution, seconds.
    pub resolution_s: f64,
    /// Ticks between autoscaler evaluations.
    pub eval_every: usize,
    /// Ticks between a decision and the new capacity serving.
    pub startup_ticks: usize,
    /// Seed of the noise.
    pub seed: u64,
    /// Extra headroom the autoscaler adds to demand, instances.
    pub headroom: u32,
    /// The autoscaler scales down only when it would shed more than this
    /// many instances (a stabilisation band), instances.
    pub hysteresis: u32,
}

impl Default for Spec {
    fn default() -> Spec {
        Spec {
            apps: 4,
            platform: 2,
            hours: 6.0,
            sample_s: 10.0,
            resolution_s: 10.0,
            eval_every: 3,
            startup_ticks: 6,
            seed: 42,
            headroom: 0,
            hysteresis: 0,
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The run's metadata for `spec`.
pub fn meta(spec: &Spec) -> RunMeta {
    let mut apps = Vec::new();
    for i in 0..spec.apps + spec.platform {
        let platform = i >= spec.apps;
        let (layer, name) = if platform {
            (
                Layer::PlatformComponent,
                format!("platform-{}", i - spec.apps),
            )
        } else {
            (Layer::AppInstance, format!("app-{i:04}"))
        };
        apps.push(AppMeta {
            resource_id: format!("{}:{name}", layer.as_str()),
            name,
            layer,
            service_rate_rps: 50.0 + 10.0 * (i % 5) as f64,
            min_capacity: 1,
            max_capacity: 40,
            cpu_cores: if platform { 2.0 } else { 0.5 },
            slo: Slo {
                latency_percentile: 95.0,
                latency_ms: 250.0,
                max_drop_rate: 0.01,
            },
        });
    }
    RunMeta {
        format_version: FORMAT_VERSION,
        mode: RunMode::Simulation,
        scenario: "synthetic".into(),
        seed: spec.seed,
        start_ms: 1_700_000_000_000,
        end_ms: 1_700_000_000_000,
        sample_interval_s: spec.sample_s,
        evaluation_interval_s: spec.sample_s * spec.eval_every as f64,
        timeline_resolution_s: spec.resolution_s,
        flap_window_s: 600.0,
        budget_per_hour: Some(2.0 + 0.05 * (spec.apps + spec.platform) as f64),
        apps,
        worker_types: vec![
            worker("m5.large", false, 0.096),
            worker("m5.large-spot", true, 0.035),
        ],
    }
}

fn worker(name: &str, spot: bool, price: f64) -> WorkerTypeMeta {
    WorkerTypeMeta {
        name: name.into(),
        kind: "cloud".into(),
        provider: "aws".into(),
        region: "eu-west-1".into(),
        spot,
        cpu_cores: 2.0,
        memory_gb: 8.0,
        price_per_hour: price,
    }
}

struct AppState {
    base_rps: f64,
    phase: f64,
    ready: u32,
    target: u32,
}

/// Runs the synthetic fleet through a `Recorder` and returns its record.
pub fn run(spec: &Spec) -> RunRecord {
    let meta = meta(spec);
    let start = meta.start_ms;
    let dt_ms = (spec.sample_s * 1000.0) as i64;
    let ticks = (spec.hours * 3600.0 / spec.sample_s).round() as usize;
    let mut rng = Rng(spec.seed);
    let mut rec = Recorder::new(meta.clone()).expect("valid synthetic metadata");
    let pool = rec.resource("worker_node:pool", Layer::WorkerNode);
    let mut apps: Vec<AppState> = (0..meta.apps.len())
        .map(|i| AppState {
            base_rps: 100.0 + 400.0 * rng.next() + 20.0 * (i % 7) as f64,
            phase: rng.next() * std::f64::consts::TAU,
            ready: 2,
            target: 2,
        })
        .collect();
    // Events due later, by (time, sequence) so that they come out in order.
    let mut pending: BTreeMap<(i64, u64), EventRow> = BTreeMap::new();
    let mut seq = 0u64;
    let mut next_action = 0i64;
    let mut workers = 1u32;
    for k in 0..ticks {
        let t = start + k as i64 * dt_ms;
        while let Some(entry) = pending.first_entry() {
            if entry.key().0 > t {
                break;
            }
            rec.event(entry.remove());
        }
        let hour = k as f64 * spec.sample_s / 3600.0;
        let mut requested_cores = 0.0;
        for (i, app) in apps.iter_mut().enumerate() {
            let m = &meta.apps[i];
            let wave = 1.0 + 0.6 * (std::f64::consts::TAU * hour / 24.0 + app.phase).sin();
            let noise = 1.0 + 0.1 * (rng.next() - 0.5);
            let demand_rps = app.base_rps * wave * noise;
            let needed = (demand_rps / (m.service_rate_rps * 0.8))
                .ceil()
                .clamp(0.0, m.max_capacity as f64);
            if k % spec.eval_every == 0 {
                let want = (needed as u32 + spec.headroom).clamp(m.min_capacity, m.max_capacity);
                if want > app.target || want + spec.hysteresis < app.target {
                    let res = rec.app_resource(i);
                    let direction = if want > app.target {
                        Direction::Up
                    } else {
                        Direction::Down
                    };
                    let mut d = EventRow::new(t, res, EventKind::Decision);
                    d.action_id = next_action;
                    d.direction = direction;
                    d.from_capacity = app.target as i64;
                    d.to_capacity = want as i64;
                    d.signal_since_ms = t - dt_ms * (1 + (k % 3) as i64);
                    d.reason = "threshold".into();
                    rec.event(d.clone());
                    let mut x = d.clone();
                    x.kind = EventKind::Executed;
                    x.signal_since_ms = -1;
                    x.t_ms = t + 500;
                    pending.insert((t + 500, seq), x);
                    let mut r =
                        EventRow::new(t + dt_ms * spec.startup_ticks as i64, res, EventKind::Ready);
                    r.action_id = next_action;
                    pending.insert((r.t_ms, seq + 1), r);
                    seq += 2;
                    next_action += 1;
                    app.target = want;
                }
            }
            // Scale-down is immediate; scale-up serves after the start-up delay.
            let serving = if app.target < app.ready {
                app.target
            } else {
                app.ready
            };
            if app.target > app.ready && k % spec.startup_ticks == 0 {
                app.ready = app.target;
            } else {
                app.ready = serving;
            }
            let capacity = app.ready as f64 * m.service_rate_rps;
            let rho = if capacity > 0.0 {
                demand_rps / capacity
            } else {
                f64::INFINITY
            };
            let p95 = if rho < 1.0 {
                40.0 / (1.0 - rho)
            } else {
                5000.0
            };
            let requests = demand_rps * spec.sample_s;
            let dropped = if rho > 1.0 {
                requests * (1.0 - 1.0 / rho)
            } else {
                0.0
            };
            let starting = app.target.saturating_sub(app.ready);
            let s = AppSample {
                demand_rps,
                demand_instances: (demand_rps / m.service_rate_rps * 1.25).ceil(),
                ready: app.ready,
                starting,
                target: app.target,
                pending: 0,
                cpu_percent: (rho * 100.0).min(100.0),
                latency_mean_ms: p95 / 3.0,
                latency_p95_ms: p95,
                requests,
                dropped,
                latency_breached: p95 > m.slo.latency_ms,
                drop_breached: dropped > m.slo.max_drop_rate * requests,
            };
            requested_cores += (app.ready + starting) as f64 * m.cpu_cores;
            rec.app_sample(t, i, &s);
        }
        let want_workers = (requested_cores / 2.0 / 0.85).ceil().max(1.0) as u32;
        if want_workers != workers && k % spec.eval_every == 0 {
            let mut e = EventRow::new(t, pool, EventKind::Executed);
            e.direction = if want_workers > workers {
                Direction::Up
            } else {
                Direction::Down
            };
            e.from_capacity = workers as i64;
            e.to_capacity = want_workers as i64;
            rec.event(e);
            workers = want_workers;
        }
        let spot_workers = workers / 3;
        let on_demand = workers - spot_workers;
        let hours = spec.sample_s / 3600.0;
        let (od_rate, spot_rate) = (on_demand as f64 * 0.096, spot_workers as f64 * 0.035);
        let util = (requested_cores / (workers as f64 * 2.0) * 100.0).min(100.0);
        rec.cluster_sample(
            t,
            &ClusterSample {
                workers,
                workers_provisioning: 0,
                pending_workloads: 0,
                cpu_utilization_percent: util,
                cost_rate_per_hour: od_rate + spot_rate,
                cost_rate_spot_per_hour: spot_rate,
                cost: (od_rate + spot_rate) * hours,
                cost_spot: spot_rate * hours,
            },
        );
        rec.worker_sample(
            t,
            0,
            &WorkerSample {
                count: on_demand,
                cost: od_rate * hours,
            },
        );
        rec.worker_sample(
            t,
            1,
            &WorkerSample {
                count: spot_workers,
                cost: spot_rate * hours,
            },
        );
    }
    let end = start + ticks as i64 * dt_ms;
    for (_, e) in pending.into_iter().filter(|((due, _), _)| *due < end) {
        rec.event(e);
    }
    rec.finish(end)
}
