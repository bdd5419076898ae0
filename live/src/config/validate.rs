//! The checks a live configuration must pass; every problem is reported,
//! each with the path of its field.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use lighthouse_engine::adapters::{HttpSettings, Url};
use lighthouse_engine::config::ConfigIssue;
use lighthouse_engine::config::validate::validate;
use lighthouse_engine::{MetricsSource, ResourceLayer};

use super::{LiveConfig, ProviderKind};

struct Checker(Vec<ConfigIssue>);

impl Checker {
    fn fail(&mut self, field: impl Into<String>, value: impl ToString, message: impl Into<String>) {
        self.0.push(ConfigIssue {
            field: field.into(),
            value: value.to_string(),
            message: message.into(),
            line: None,
        });
    }

    fn url(&mut self, field: &str, value: &str) {
        match Url::parse(value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {}
            Ok(_) => self.fail(field, value, "must be an http:// or https:// URL"),
            Err(e) => self.fail(field, value, format!("is not a URL: {e}")),
        }
    }

    fn http(&mut self, field: &str, http: &HttpSettings) {
        if http.timeout_ms == 0 {
            self.fail(format!("{field}.timeout_ms"), 0, "must be at least 1 ms");
        }
        if http.connect_timeout_ms == 0 {
            self.fail(
                format!("{field}.connect_timeout_ms"),
                0,
                "must be at least 1 ms",
            );
        }
        if http.backoff_max_ms < http.backoff_base_ms {
            self.fail(
                format!("{field}.backoff_max_ms"),
                http.backoff_max_ms,
                "must be at least backoff_base_ms",
            );
        }
    }
}

/// Every problem of `config`; `inline_engine` says whether the engine
/// configuration was written in this file (its issues are reported under
/// `engine.`), rather than read from `engine_config` (checked there).
pub fn check(config: &LiveConfig, inline_engine: bool) -> Vec<ConfigIssue> {
    let mut c = Checker(Vec::new());
    match (&config.engine, &config.engine_config, inline_engine) {
        (None, None, _) => c.fail(
            "engine",
            "(none)",
            "missing: write the engine configuration as [engine] or name its file in engine_config",
        ),
        (Some(_), Some(file), true) => c.fail(
            "engine_config",
            file.display(),
            "give either engine_config or [engine], not both",
        ),
        (Some(engine), _, true) => {
            if let Err(e) = validate(engine) {
                for mut issue in e.issues {
                    issue.field = format!("engine.{}", issue.field);
                    c.0.push(issue);
                }
            }
        }
        _ => {}
    }
    check_resources(&mut c, config);
    check_adapters(&mut c, config);
    check_sections(&mut c, config);
    c.0
}

fn check_resources(c: &mut Checker, config: &LiveConfig) {
    let mut seen = BTreeSet::new();
    for (i, r) in config.resources.iter().enumerate() {
        let field = format!("resources[{i}]");
        let Some(layer) = ResourceLayer::of_resource_id(&r.id) else {
            c.fail(
                format!("{field}.id"),
                &r.id,
                "must be app_instance:<name>, platform_component:<name> or worker_node:<name>",
            );
            continue;
        };
        if !seen.insert(r.id.clone()) {
            c.fail(format!("{field}.id"), &r.id, "is listed twice");
        }
        let type_name = r.type_name().unwrap_or_default();
        if let Some(engine) = &config.engine {
            match engine.resource_configs.get(&type_name) {
                None => {
                    c.fail(
                        format!("{field}.type"),
                        &type_name,
                        "has no entry in the engine's resource_configs",
                    );
                    continue;
                }
                Some(rc) if rc.effective_layer().is_some_and(|l| l != layer) => c.fail(
                    format!("{field}.type"),
                    &type_name,
                    format!(
                        "is for the {} layer, not {layer}",
                        rc.effective_layer().unwrap_or(layer)
                    ),
                ),
                Some(_) => {}
            }
        }
        if let Some(rate) = r.service_rate_rps
            && !(rate.is_finite() && rate > 0.0)
        {
            c.fail(
                format!("{field}.service_rate_rps"),
                rate,
                "must be a positive number",
            );
        }
        if r.source == MetricsSource::Pull {
            check_pulled(c, config, &field, &type_name, layer);
        }
        if layer == ResourceLayer::WorkerNode && config.omnicloud.director.is_none() {
            c.fail(
                "omnicloud.director",
                "(none)",
                format!(
                    "missing: {field} ({}) is a worker pool, scaled through OmniDirector",
                    r.id
                ),
            );
        }
    }
}

fn check_pulled(
    c: &mut Checker,
    config: &LiveConfig,
    field: &str,
    type_name: &str,
    layer: ResourceLayer,
) {
    match config.metrics.provider_for(type_name) {
        ProviderKind::Prometheus => match &config.prometheus {
            None => c.fail(
                "prometheus",
                "(none)",
                format!("missing: {field} pulls its metrics from Prometheus"),
            ),
            Some(p) if !p.queries.contains_key(type_name) => c.fail(
                format!("prometheus.queries.{type_name}"),
                "(none)",
                format!("missing: {field} is of type {type_name:?} and pulls its metrics from Prometheus"),
            ),
            Some(_) => {}
        },
        ProviderKind::Omnicloud if layer == ResourceLayer::PlatformComponent => c.fail(
            format!("{field}.source"),
            "pull",
            "OmniCloud has no metrics for platform components: pull them from Prometheus or push them",
        ),
        ProviderKind::None => c.fail(
            format!("{field}.source"),
            "pull",
            format!("type {type_name:?} has metrics provider \"none\": make the resource push"),
        ),
        ProviderKind::Omnicloud => {}
    }
}

fn check_adapters(c: &mut Checker, config: &LiveConfig) {
    if let Some(p) = &config.prometheus {
        c.url("prometheus.url", &p.url);
        c.http("prometheus.http", &p.http);
        for (type_name, queries) in &p.queries {
            for (metric, query) in queries {
                if query.trim().is_empty() {
                    c.fail(
                        format!("prometheus.queries.{type_name}.{metric}"),
                        "\"\"",
                        "is empty",
                    );
                }
            }
        }
    }
    let o = &config.omnicloud;
    c.url("omnicloud.url", &o.url);
    c.http("omnicloud.http", &o.http);
    if o.per_page == 0 {
        c.fail("omnicloud.per_page", 0, "must be at least 1");
    }
    if o.default_memory_mb == 0 {
        c.fail("omnicloud.default_memory_mb", 0, "must be at least 1 MB");
    }
    if let Some(d) = &o.director {
        c.url("omnicloud.director.url", &d.url);
        c.http("omnicloud.director.http", &d.http);
        if d.provider.trim().is_empty() {
            c.fail("omnicloud.director.provider", "\"\"", "is empty");
        }
    }
    for (name, pool) in &o.pools {
        let field = format!("omnicloud.pools.{name}");
        for (key, value) in [
            ("memory_mb", pool.memory_mb),
            ("cpu_count", pool.cpu_count),
            ("disk_size_gb", pool.disk_size_gb),
        ] {
            if value == 0 {
                c.fail(format!("{field}.{key}"), 0, "must be at least 1");
            }
        }
        if pool.capacity_statuses.is_empty() {
            c.fail(
                format!("{field}.capacity_statuses"),
                "[]",
                "must name at least one status",
            );
        }
    }
    let apps = config
        .resources
        .iter()
        .filter(|r| ResourceLayer::of_resource_id(&r.id) == Some(ResourceLayer::AppInstance));
    for r in apps {
        let name = lighthouse_engine::utils::parse_resource_id(&r.id).map_or("", |(_, n, _)| n);
        let entry = o.apps.get(name);
        if o.platform_id.is_none() && entry.and_then(|a| a.platform_id.as_ref()).is_none() {
            c.fail(
                "omnicloud.platform_id",
                "(none)",
                format!(
                    "missing: app {name:?} needs a platform id (here or in omnicloud.apps.{name})"
                ),
            );
        }
    }
}

fn check_sections(c: &mut Checker, config: &LiveConfig) {
    if config.api.listen.parse::<SocketAddr>().is_err() {
        c.fail(
            "api.listen",
            &config.api.listen,
            "must be an address such as 127.0.0.1:8088",
        );
    }
    if config.api.max_body_bytes == 0 {
        c.fail("api.max_body_bytes", 0, "must be at least 1 byte");
    }
    if config.state.save_interval_seconds == 0 {
        c.fail(
            "state.save_interval_seconds",
            0,
            "must be at least 1 second",
        );
    }
    let s = &config.shadow;
    if let Some(dt) = s.sample_interval_seconds
        && !(dt.is_finite() && dt > 0.0)
    {
        c.fail(
            "shadow.sample_interval_seconds",
            dt,
            "must be a positive number of seconds",
        );
    }
    if s.flush_interval_seconds == 0 {
        c.fail(
            "shadow.flush_interval_seconds",
            0,
            "must be at least 1 second",
        );
    }
    for (key, value) in [
        ("service_rate_rps", s.service_rate_rps),
        ("slo_latency_ms", s.slo_latency_ms),
        ("slo_latency_percentile", s.slo_latency_percentile),
    ] {
        if !(value.is_finite() && value > 0.0) {
            c.fail(format!("shadow.{key}"), value, "must be a positive number");
        }
    }
    if !(0.0..=1.0).contains(&s.slo_max_drop_rate) {
        c.fail(
            "shadow.slo_max_drop_rate",
            s.slo_max_drop_rate,
            "must be between 0 and 1",
        );
    }
}
