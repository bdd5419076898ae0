//! Small fixtures for the record module's unit tests.

use super::meta::{AppMeta, FORMAT_VERSION, Layer, RunMeta, RunMode, Slo, WorkerTypeMeta};

/// One hour from t = 0, 10 s samples at full resolution; `web` (app, μ 100,
/// max 10, 1 core) and `api` (platform component, μ 50, max 4, 2 cores);
/// one on-demand worker type; budget 2000 per hour.
pub(crate) fn meta_two_apps() -> RunMeta {
    let slo = Slo {
        latency_percentile: 95.0,
        latency_ms: 250.0,
        max_drop_rate: 0.01,
    };
    RunMeta {
        format_version: FORMAT_VERSION,
        mode: RunMode::Simulation,
        scenario: "test".into(),
        seed: 7,
        start_ms: 0,
        end_ms: 3_600_000,
        sample_interval_s: 10.0,
        evaluation_interval_s: 30.0,
        timeline_resolution_s: 10.0,
        flap_window_s: 600.0,
        budget_per_hour: Some(2000.0),
        apps: vec![
            AppMeta {
                name: "web".into(),
                layer: Layer::AppInstance,
                resource_id: "app_instance:web".into(),
                service_rate_rps: 100.0,
                min_capacity: 1,
                max_capacity: 10,
                cpu_cores: 1.0,
                slo,
            },
            AppMeta {
                name: "api".into(),
                layer: Layer::PlatformComponent,
                resource_id: "platform_component:api".into(),
                service_rate_rps: 50.0,
                min_capacity: 1,
                max_capacity: 4,
                cpu_cores: 2.0,
                slo,
            },
        ],
        worker_types: vec![WorkerTypeMeta {
            name: "m5.large".into(),
            kind: "cloud".into(),
            provider: "aws".into(),
            region: "eu-west-1".into(),
            spot: false,
            cpu_cores: 2.0,
            memory_gb: 8.0,
            price_per_hour: 0.096,
        }],
    }
}
