//! Helpers users of the original library know: building samples of custom
//! business metrics, and ready-made policies.

use std::collections::BTreeMap;

use crate::config::{ScalingPolicy, ScalingThreshold, ScheduleRule};
use crate::time::Timestamp;
use crate::types::{ResourceLayer, ResourceMetrics};

/// A sample of custom business metrics for an app, e.g.
/// `business_metrics("shop", [("orders_per_minute", 125.0)], now)`. The
/// resource is `app_instance:<app>` and its type is the app's name.
pub fn business_metrics<'a>(
    app: &str,
    metrics: impl IntoIterator<Item = (&'a str, f64)>,
    timestamp: Timestamp,
) -> ResourceMetrics {
    ResourceMetrics {
        resource_id: format!("{}:{app}", ResourceLayer::AppInstance.prefix()),
        resource_type: app.to_string(),
        timestamp,
        metrics: metrics
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// Splits a resource id into layer, name and optional instance:
/// `app_instance:web:3` → (AppInstance, "web", Some("3")).
pub fn parse_resource_id(resource_id: &str) -> Option<(ResourceLayer, &str, Option<&str>)> {
    let layer = ResourceLayer::of_resource_id(resource_id)?;
    let rest = &resource_id[layer.prefix().len() + 1..];
    Some(match rest.split_once(':') {
        Some((name, instance)) => (layer, name, Some(instance)),
        None => (layer, rest, None),
    })
}

/// One threshold rule.
pub fn threshold(
    metric: &str,
    up: f64,
    down: f64,
    factor: f64,
    cooldown_seconds: u64,
) -> ScalingThreshold {
    ScalingThreshold {
        metric_name: metric.to_string(),
        scale_up_threshold: up,
        scale_down_threshold: down,
        scale_factor: factor,
        cooldown_seconds,
        scale_down_cooldown_seconds: None,
        confidence: None,
    }
}

/// Scale on `cpu_percent`: up above `up` %, down below `down` %.
pub fn cpu_policy(up: f64, down: f64, factor: f64, cooldown_seconds: u64) -> ScalingPolicy {
    ScalingPolicy::threshold(
        "cpu-scaling",
        vec![threshold("cpu_percent", up, down, factor, cooldown_seconds)],
        1,
        100,
    )
}

/// Scale on `memory_percent`.
pub fn memory_policy(up: f64, down: f64, factor: f64, cooldown_seconds: u64) -> ScalingPolicy {
    ScalingPolicy::threshold(
        "memory-scaling",
        vec![threshold(
            "memory_percent",
            up,
            down,
            factor,
            cooldown_seconds,
        )],
        1,
        100,
    )
}

/// Scale on `requests_per_second`; the seed's web-app policy is
/// `request_rate_policy(1000.0, 200.0, 1.5, 180)` with capacity 3 to 50.
pub fn request_rate_policy(
    up: f64,
    down: f64,
    factor: f64,
    cooldown_seconds: u64,
) -> ScalingPolicy {
    ScalingPolicy::threshold(
        "request-rate-scaling",
        vec![threshold(
            "requests_per_second",
            up,
            down,
            factor,
            cooldown_seconds,
        )],
        3,
        50,
    )
}

/// CPU and memory together: either going high scales up; both low scale down.
pub fn multi_metric_policy(
    cpu: (f64, f64),
    memory: (f64, f64),
    factor: f64,
    cooldown_seconds: u64,
) -> ScalingPolicy {
    ScalingPolicy::threshold(
        "multi-metric-scaling",
        vec![
            threshold("cpu_percent", cpu.0, cpu.1, factor, cooldown_seconds),
            threshold(
                "memory_percent",
                memory.0,
                memory.1,
                factor,
                cooldown_seconds,
            ),
        ],
        1,
        100,
    )
}

/// At least `min_capacity` units on weekdays from 09:00 to 18:00 in a time zone.
pub fn business_hours(timezone: &str, min_capacity: u32) -> ScheduleRule {
    ScheduleRule {
        name: "business-hours".to_string(),
        timezone: timezone.to_string(),
        days: vec!["weekdays".to_string()],
        start: "09:00".to_string(),
        end: "18:00".to_string(),
        min_capacity: Some(min_capacity),
        max_capacity: None,
    }
}

/// At most `max_capacity` units on weekends in a time zone.
pub fn weekend_cap(timezone: &str, max_capacity: u32) -> ScheduleRule {
    ScheduleRule {
        name: "weekends".to_string(),
        timezone: timezone.to_string(),
        days: vec!["weekends".to_string()],
        start: "00:00".to_string(),
        end: "23:59".to_string(),
        min_capacity: None,
        max_capacity: Some(max_capacity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_metrics_builds_an_app_sample() {
        let m = business_metrics(
            "shop",
            [
                ("orders_per_minute", 125.0),
                ("cart_abandonment_rate", 0.23),
            ],
            Timestamp(5),
        );
        assert_eq!(m.resource_id, "app_instance:shop");
        assert_eq!(m.resource_type, "shop");
        assert_eq!(m.metrics["orders_per_minute"], 125.0);
        assert_eq!(m.metrics.len(), 2);
    }

    #[test]
    fn resource_ids_split_into_parts() {
        assert_eq!(
            parse_resource_id("app_instance:web:3"),
            Some((ResourceLayer::AppInstance, "web", Some("3")))
        );
        assert_eq!(
            parse_resource_id("worker_node:pool-a"),
            Some((ResourceLayer::WorkerNode, "pool-a", None))
        );
        assert_eq!(parse_resource_id("nope"), None);
    }
}
