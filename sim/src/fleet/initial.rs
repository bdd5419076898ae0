//! The fleet at a scenario's start, and each app's queueing model: shared by
//! the simulator and by the fleet server, so both start from the same fleet.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use lighthouse_engine::{ResourceLayer, ScalingPolicy};

use super::cost::CostMeter;
use super::{Fleet, FleetApp};
use crate::latency_table::LatencyTable;
use crate::scenario::{ExpandedApp, Scenario};
use crate::service::{DemandCurves, Service, ServiceModel};

/// Pools never grow past this many instances in the latency tables; larger
/// pools are solved directly.
const LARGEST_TABLED_POOL: u32 = 2000;

/// The policy `name` of scenario `s`, or an error naming it.
pub fn policy_of<'a>(s: &'a Scenario, name: &str) -> Result<&'a ScalingPolicy, String> {
    s.policies
        .get(name)
        .ok_or_else(|| format!("policy {name:?} is not defined in [policies]"))
}

impl Fleet {
    /// The fleet of scenario `s` at `start_ms` (epoch ms): its initial
    /// workers, and every app of `apps` at its initial instance count (the
    /// policy's minimum unless set; platform components at least 3),
    /// serving from the start. Nothing is left in the outbox.
    pub fn at_start(s: &Scenario, apps: &[ExpandedApp], start_ms: i64) -> Result<Fleet, String> {
        if s.worker_types.is_empty() {
            return Err("worker_types: the fleet needs at least one worker type".to_string());
        }
        let pool_policy = policy_of(s, &s.workers.policy)?;
        let mut fleet = Fleet {
            apps: apps.iter().map(FleetApp::empty).collect(),
            counts: vec![[0; 4]; apps.len()],
            workers: Vec::new(),
            types: s.worker_types.clone(),
            allowed: s
                .worker_types
                .iter()
                .map(|t| {
                    s.workers.allowed_regions.is_empty()
                        || s.workers.allowed_regions.contains(&t.region)
                })
                .collect(),
            alive: Vec::new(),
            cpu_left: Vec::new(),
            cost: CostMeter::new(s.worker_types.iter().map(|t| t.spot).collect(), start_ms),
            idle_ms: s.workers.idle_termination.as_millis(),
            pool_min: pool_policy.min(),
            outbox: Vec::new(),
            awaiting_ready: BTreeMap::new(),
            became_ready: Vec::new(),
            pending_apps: Default::default(),
        };
        let initial_type = s
            .workers
            .initial_type
            .as_ref()
            .and_then(|n| s.worker_types.iter().position(|t| &t.name == n))
            .unwrap_or_else(|| fleet.choose_type());
        for _ in 0..s.workers.initial {
            fleet.add_initial_worker(initial_type, start_ms);
        }
        for (i, a) in apps.iter().enumerate() {
            let initial = initial_instances(a, policy_of(s, &a.spec.policy)?);
            // Initial instances serve from the start: their start-up ended
            // before it.
            fleet.set_app_target(i, initial, start_ms, -1, -a.spec.startup.as_millis());
            fleet.instances_ready(i, start_ms);
        }
        fleet.outbox.clear();
        Ok(fleet)
    }
}

/// The instances app `a` starts with under policy `p`: the scenario's
/// `initial_instances`, else the policy's minimum, within the policy's
/// bounds; platform components never below 3.
pub fn initial_instances(a: &ExpandedApp, p: &ScalingPolicy) -> u32 {
    let floor = if a.layer == ResourceLayer::PlatformComponent {
        3
    } else {
        0
    };
    a.spec
        .initial_instances
        .unwrap_or(p.min())
        .clamp(p.min().max(floor), p.max().max(floor))
}

impl FleetApp {
    /// App `a` with no instances yet.
    fn empty(a: &ExpandedApp) -> FleetApp {
        FleetApp {
            name: a.name.clone(),
            layer: a.layer,
            cpu: a.spec.cpu_cores,
            mem: a.spec.memory_gb,
            startup_ms: a.spec.startup.as_millis(),
            spot_tolerant: a.spec.spot_tolerant,
            critical: a.critical,
            target: 0,
            ready: 0,
            starting: 0,
            pending: 0,
            batches: Vec::new(),
            ready_on: Vec::new(),
        }
    }
}

/// Latency tables and demand curves by the largest pool they cover. They
/// depend only on their parameters and take tens of milliseconds to build,
/// and a sweep or a replay builds the same ones for every run, so they live
/// as long as the process.
static TABLES: LazyLock<Mutex<TableCache>> = LazyLock::new(|| Mutex::new(BTreeMap::new()));

/// Largest pool → the latency table and the demand curves built for it.
type TableCache = BTreeMap<u32, (Arc<LatencyTable>, DemandCurves)>;

/// Each app's queueing model, in the order of `apps`, with an empty queue.
/// Apps with the same service rate and SLO share one demand curve, and all
/// share one latency table sized to the largest pool a policy allows.
pub fn app_services<'a, I>(s: &Scenario, apps: I) -> Result<Vec<Service>, String>
where
    I: IntoIterator<Item = &'a ExpandedApp>,
    I::IntoIter: Clone,
{
    let apps = apps.into_iter();
    let mut largest = 1;
    for a in apps.clone() {
        largest = largest.max(policy_of(s, &a.spec.policy)?.max());
    }
    let largest = largest.min(LARGEST_TABLED_POOL);
    // A panic while building a table leaves nothing half-inserted, so a
    // poisoned cache is still sound.
    let mut tables = TABLES.lock().unwrap_or_else(PoisonError::into_inner);
    let (latency, curves) = tables.entry(largest).or_insert_with(|| {
        (
            Arc::new(LatencyTable::new(largest)),
            DemandCurves::with_table((4 * largest).min(2 * LARGEST_TABLED_POOL)),
        )
    });
    // Copies of a spec, and specs alike, share one model: (service rate,
    // timeout, percentile, bound) → model.
    type ModelKey = (f64, f64, f64, f64);
    let mut models: Vec<(ModelKey, Arc<ServiceModel>)> = Vec::new();
    Ok(apps
        .map(|a| {
            let slo = a.spec.slo;
            let key = (
                a.spec.service_rate_rps,
                a.spec.timeout.as_secs_f64(),
                slo.latency_percentile,
                slo.latency_ms / 1e3,
            );
            let model = match models.iter().find(|(k, _)| *k == key) {
                Some((_, m)) => m.clone(),
                None => {
                    let curve = curves.get(key.0, key.2, key.3);
                    let m = Arc::new(ServiceModel::new(
                        key.0,
                        key.1,
                        key.2,
                        curve,
                        latency.clone(),
                    ));
                    models.push((key, m.clone()));
                    m
                }
            };
            Service::shared(model)
        })
        .collect())
}
