//! Small hand-made fleets and scenarios.

use std::collections::BTreeMap;

use lighthouse_engine::ResourceLayer;
use lighthouse_sim::fleet::cost::CostMeter;
use lighthouse_sim::fleet::{Fleet, FleetApp, counts_of};
use lighthouse_sim::scenario::{DelaySpec, Dur, WorkerKind, WorkerTypeSpec};

pub fn worker_type(name: &str, cpu: f64, price: f64, spot: bool) -> WorkerTypeSpec {
    WorkerTypeSpec {
        name: name.to_string(),
        kind: WorkerKind::Cloud,
        provider: "aws".to_string(),
        region: "r1".to_string(),
        cpu_cores: cpu,
        memory_gb: cpu * 4.0,
        price_per_hour: price,
        spot,
        provisioning: DelaySpec {
            median: Dur::secs(100),
            sigma: 0.0,
            tail_probability: 0.0,
            tail_factor: 1.0,
        },
        interruptions_per_hour: 0.0,
        min_billed: Dur(0),
    }
}

pub fn app(name: &str, cpu: f64, critical: bool, spot_tolerant: bool) -> FleetApp {
    FleetApp {
        name: name.to_string(),
        layer: if critical {
            ResourceLayer::PlatformComponent
        } else {
            ResourceLayer::AppInstance
        },
        cpu,
        mem: cpu,
        startup_ms: 30_000,
        spot_tolerant,
        critical,
        target: 0,
        ready: 0,
        starting: 0,
        pending: 0,
        batches: Vec::new(),
        ready_on: Vec::new(),
    }
}

pub fn fleet(apps: Vec<FleetApp>, types: Vec<WorkerTypeSpec>) -> Fleet {
    Fleet {
        counts: apps.iter().map(counts_of).collect(),
        apps,
        workers: Vec::new(),
        allowed: vec![true; types.len()],
        cost: CostMeter::new(types.iter().map(|t| t.spot).collect(), 0),
        types,
        alive: Vec::new(),
        cpu_left: Vec::new(),
        idle_ms: 0,
        pool_min: 1,
        outbox: Vec::new(),
        awaiting_ready: BTreeMap::new(),
        became_ready: Vec::new(),
        pending_apps: Default::default(),
    }
}
