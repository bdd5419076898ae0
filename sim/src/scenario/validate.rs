//! Scenario checks, and the engine configuration a scenario implies.

use std::collections::{BTreeMap, BTreeSet};

use lighthouse_engine::config::validate::validate as validate_engine;
use lighthouse_engine::{LighthouseConfig, ResourceConfig, ResourceLayer};

use super::ScenarioIssue;
use super::paths::set_path;
use super::spec::*;

/// The engine's id of the worker pool.
pub const POOL_ID: &str = "worker_node:pool";

/// An app or platform component after `count` copies are expanded.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpandedApp {
    /// Unique name.
    pub name: String,
    /// `app_instance` or `platform_component`.
    pub layer: ResourceLayer,
    /// Its spec (shared by copies).
    pub spec: AppSpec,
    /// Index of the spec in `apps` or `platform`.
    pub spec_index: usize,
    /// Copy number (0 for a single app).
    pub copy: u32,
    /// Instances of it keep their workers from termination.
    pub critical: bool,
}

impl ExpandedApp {
    /// The engine's resource id, e.g. `app_instance:web`.
    pub fn resource_id(&self) -> String {
        format!("{}:{}", self.layer.prefix(), self.name)
    }
}

/// Apps, then platform components, copies expanded, in declaration order.
pub fn expanded_apps(s: &Scenario) -> Vec<ExpandedApp> {
    let mut out = Vec::new();
    for (layer, list) in [
        (ResourceLayer::AppInstance, &s.apps),
        (ResourceLayer::PlatformComponent, &s.platform),
    ] {
        for (i, spec) in list.iter().enumerate() {
            for copy in 0..spec.count.max(1) {
                let name = if spec.count > 1 {
                    format!("{}-{:04}", spec.name, copy + 1)
                } else {
                    spec.name.clone()
                };
                out.push(ExpandedApp {
                    name,
                    layer,
                    spec: spec.clone(),
                    spec_index: i,
                    copy,
                    critical: spec
                        .critical
                        .unwrap_or(layer == ResourceLayer::PlatformComponent),
                });
            }
        }
    }
    out
}

fn section(layer: ResourceLayer) -> &'static str {
    match layer {
        ResourceLayer::PlatformComponent => "platform",
        _ => "apps",
    }
}

/// The layer each policy serves, from the apps, platform and pool that use it.
fn policy_layers(s: &Scenario) -> BTreeMap<&str, ResourceLayer> {
    let mut layers = BTreeMap::new();
    for a in &s.apps {
        layers
            .entry(a.policy.as_str())
            .or_insert(ResourceLayer::AppInstance);
    }
    for a in &s.platform {
        layers
            .entry(a.policy.as_str())
            .or_insert(ResourceLayer::PlatformComponent);
    }
    layers
        .entry(s.workers.policy.as_str())
        .or_insert(ResourceLayer::WorkerNode);
    layers
}

/// The engine configuration: the scenario's `[engine]` settings, one
/// resource type per policy in use (named after it), and the pool's unit
/// cost for the budget check.
pub fn engine_config(s: &Scenario) -> LighthouseConfig {
    let mut config = s.engine.clone();
    config.resource_configs.clear();
    for (name, layer) in policy_layers(s) {
        let Some(policy) = s.policies.get(name) else {
            continue;
        };
        let mut policies = vec![named(name, policy)];
        if let Some(comp) = &policy.composite {
            for m in &comp.members {
                if let Some(member) = s.policies.get(&m.policy) {
                    policies.push(named(&m.policy, member));
                }
            }
        }
        let unit_cost = (layer == ResourceLayer::WorkerNode).then(|| pool_unit_cost(s));
        config.resource_configs.insert(
            name.to_string(),
            ResourceConfig {
                resource_type: name.to_string(),
                layer: Some(layer),
                policies,
                default_policy: Some(name.to_string()),
                unit_cost_per_hour: unit_cost,
                settings: BTreeMap::new(),
            },
        );
    }
    config
}

fn named(key: &str, p: &lighthouse_engine::ScalingPolicy) -> lighthouse_engine::ScalingPolicy {
    let mut p = p.clone();
    p.name = key.to_string();
    p
}

/// The pool's unit cost: as given, or the highest price of an allowed type.
pub(crate) fn pool_unit_cost(s: &Scenario) -> f64 {
    s.workers.unit_cost_per_hour.unwrap_or_else(|| {
        s.worker_types
            .iter()
            .filter(|t| {
                s.workers.allowed_regions.is_empty()
                    || s.workers.allowed_regions.contains(&t.region)
            })
            .map(|t| t.price_per_hour)
            .fold(0.0, f64::max)
    })
}

struct Issues(Vec<ScenarioIssue>);

impl Issues {
    fn check(
        &mut self,
        ok: bool,
        field: impl Into<String>,
        value: impl std::fmt::Display,
        message: &str,
    ) {
        if !ok {
            self.0.push(ScenarioIssue {
                field: field.into(),
                value: value.to_string(),
                message: message.to_string(),
                line: None,
            });
        }
    }
}

fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// Every problem of a scenario.
pub(super) fn validate(s: &Scenario) -> Vec<ScenarioIssue> {
    let mut v = Issues(Vec::new());
    let sim = &s.simulation;
    v.check(
        !sim.name.is_empty(),
        "simulation.name",
        "\"\"",
        "must not be empty",
    );
    v.check(
        sim.duration.0 > 0,
        "simulation.duration",
        sim.duration,
        "must be longer than 0",
    );
    v.check(
        sim.sample_interval.0 >= 1000,
        "simulation.sample_interval",
        sim.sample_interval,
        "must be at least 1 s",
    );
    if let Some(r) = sim.resolution {
        v.check(
            r >= sim.sample_interval,
            "simulation.resolution",
            r,
            "must be at least the sample interval",
        );
    }
    v.check(
        chrono::DateTime::parse_from_rfc3339(&sim.start).is_ok(),
        "simulation.start",
        &sim.start,
        "expected an RFC 3339 time such as 2024-01-01T00:00:00Z",
    );
    v.check(
        s.engine.resource_configs.is_empty(),
        "engine.resource_configs",
        "(set)",
        "resource configs are generated from [policies]; set policies there",
    );
    check_policies(&mut v, s);
    check_apps(&mut v, s);
    check_workers(&mut v, s);
    check_faults(&mut v, s);
    v.0.extend(crate::forecast::validate::validate(s));
    for (i, m) in s.maintenance.iter().enumerate() {
        v.check(
            m.start < m.end,
            format!("maintenance[{i}].end"),
            m.end,
            "must be after start",
        );
    }
    for (i, c) in s.changes.iter().enumerate() {
        v.check(
            c.at <= sim.duration,
            format!("changes[{i}].at"),
            c.at,
            "must be within the run",
        );
        for path in c.set.keys() {
            v.check(
                path.starts_with("policies.") || path.starts_with("engine."),
                format!("changes[{i}].set"),
                path,
                "only policies.* and engine.* can change during a run",
            );
        }
    }
    if v.0.is_empty() {
        // The policies as the engine will see them.
        if let Err(e) = validate_engine(&engine_config(s)) {
            for issue in e.issues {
                v.0.push(ScenarioIssue {
                    field: engine_path_to_scenario(&issue.field),
                    value: issue.value,
                    message: issue.message,
                    line: None,
                });
            }
        }
    }
    v.0
}

/// `resource_configs.web.policies[0].x` → `policies.web.x` (the scenario's
/// own path), other engine paths → `engine.…`.
fn engine_path_to_scenario(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("resource_configs.") {
        if let Some((name, tail)) = rest.split_once(".policies[0]") {
            return format!("policies.{name}{tail}");
        }
        return format!("policies.{rest}");
    }
    format!("engine.{field}")
}

fn check_policies(v: &mut Issues, s: &Scenario) {
    let used = policy_layers(s);
    let mut seen: BTreeMap<&str, ResourceLayer> = BTreeMap::new();
    let uses = s
        .apps
        .iter()
        .map(|a| (ResourceLayer::AppInstance, a.policy.as_str()))
        .chain(
            s.platform
                .iter()
                .map(|a| (ResourceLayer::PlatformComponent, a.policy.as_str())),
        )
        .chain([(ResourceLayer::WorkerNode, s.workers.policy.as_str())]);
    for (layer, name) in uses {
        if let Some(&other) = seen.get(name).filter(|&&l| l != layer) {
            v.check(
                false,
                format!("policies.{name}"),
                name,
                &format!("used by both the {other} and the {layer} layers; give each layer its own policy"),
            );
        }
        seen.insert(name, layer);
    }
    for name in used.keys() {
        v.check(
            s.policies.contains_key(*name),
            format!("policies.{name}"),
            "(missing)",
            "is used but not defined",
        );
    }
    for (name, p) in &s.policies {
        v.check(
            p.name.is_empty() || p.name == *name,
            format!("policies.{name}.name"),
            &p.name,
            "must equal its key (or be left out)",
        );
    }
}

fn check_apps(v: &mut Issues, s: &Scenario) {
    let mut names = BTreeSet::new();
    for (layer, list) in [
        (ResourceLayer::AppInstance, &s.apps),
        (ResourceLayer::PlatformComponent, &s.platform),
    ] {
        for (i, a) in list.iter().enumerate() {
            let p = format!("{}[{i}]", section(layer));
            v.check(
                !a.name.is_empty() && !a.name.contains(':') && names.insert(a.name.clone()),
                format!("{p}.name"),
                &a.name,
                "must be unique, non-empty and without ':'",
            );
            v.check(
                a.count >= 1,
                format!("{p}.count"),
                a.count,
                "must be at least 1",
            );
            v.check(
                positive(a.service_rate_rps),
                format!("{p}.service_rate_rps"),
                a.service_rate_rps,
                "must be above 0",
            );
            v.check(
                positive(a.cpu_cores),
                format!("{p}.cpu_cores"),
                a.cpu_cores,
                "must be above 0",
            );
            v.check(
                positive(a.memory_gb),
                format!("{p}.memory_gb"),
                a.memory_gb,
                "must be above 0",
            );
            v.check(
                a.timeout.0 > 0,
                format!("{p}.timeout"),
                a.timeout,
                "must be longer than 0",
            );
            let fits = s
                .worker_types
                .iter()
                .any(|t| t.cpu_cores >= a.cpu_cores && t.memory_gb >= a.memory_gb);
            v.check(
                fits,
                format!("{p}.cpu_cores"),
                a.cpu_cores,
                "no worker type is large enough for one instance",
            );
            let slo = &a.slo;
            v.check(
                slo.latency_percentile > 0.0 && slo.latency_percentile < 100.0,
                format!("{p}.slo.latency_percentile"),
                slo.latency_percentile,
                "must be between 0 and 100",
            );
            v.check(
                positive(slo.latency_ms),
                format!("{p}.slo.latency_ms"),
                slo.latency_ms,
                "must be above 0",
            );
            v.check(
                (0.0..=1.0).contains(&slo.max_drop_rate),
                format!("{p}.slo.max_drop_rate"),
                slo.max_drop_rate,
                "must be between 0 and 1",
            );
            if let Err(e) = a.load.validate(&format!("{p}.load")) {
                v.0.push(ScenarioIssue {
                    field: format!("{p}.load"),
                    value: String::new(),
                    message: e.to_string(),
                    line: None,
                });
            }
            for (j, m) in a.business_metrics.iter().enumerate() {
                v.check(
                    !m.name.is_empty(),
                    format!("{p}.business_metrics[{j}].name"),
                    "\"\"",
                    "must not be empty",
                );
                v.check(
                    m.per_request.is_finite() && m.per_request >= 0.0,
                    format!("{p}.business_metrics[{j}].per_request"),
                    m.per_request,
                    "must be a non-negative number",
                );
            }
        }
    }
}

fn check_workers(v: &mut Issues, s: &Scenario) {
    v.check(
        !s.worker_types.is_empty(),
        "worker_types",
        "[]",
        "needs at least one worker type",
    );
    let mut names = BTreeSet::new();
    for (i, t) in s.worker_types.iter().enumerate() {
        let p = format!("worker_types[{i}]");
        v.check(
            !t.name.is_empty() && names.insert(t.name.clone()),
            format!("{p}.name"),
            &t.name,
            "must be unique and non-empty",
        );
        v.check(
            positive(t.cpu_cores),
            format!("{p}.cpu_cores"),
            t.cpu_cores,
            "must be above 0",
        );
        v.check(
            positive(t.memory_gb),
            format!("{p}.memory_gb"),
            t.memory_gb,
            "must be above 0",
        );
        v.check(
            t.price_per_hour.is_finite() && t.price_per_hour >= 0.0,
            format!("{p}.price_per_hour"),
            t.price_per_hour,
            "must be a non-negative price",
        );
        v.check(
            t.provisioning.sigma.is_finite() && t.provisioning.sigma >= 0.0,
            format!("{p}.provisioning.sigma"),
            t.provisioning.sigma,
            "must be non-negative",
        );
        v.check(
            (0.0..=1.0).contains(&t.provisioning.tail_probability),
            format!("{p}.provisioning.tail_probability"),
            t.provisioning.tail_probability,
            "must be between 0 and 1",
        );
        v.check(
            t.provisioning.tail_factor.is_finite() && t.provisioning.tail_factor >= 1.0,
            format!("{p}.provisioning.tail_factor"),
            t.provisioning.tail_factor,
            "must be at least 1",
        );
        v.check(
            t.interruptions_per_hour.is_finite() && t.interruptions_per_hour >= 0.0,
            format!("{p}.interruptions_per_hour"),
            t.interruptions_per_hour,
            "must be non-negative",
        );
        v.check(
            t.interruptions_per_hour == 0.0 || t.spot,
            format!("{p}.interruptions_per_hour"),
            t.interruptions_per_hour,
            "only spot types are interrupted",
        );
    }
    let w = &s.workers;
    if let Some(t) = &w.initial_type {
        v.check(
            s.worker_types.iter().any(|x| &x.name == t),
            "workers.initial_type",
            t,
            "names no worker type",
        );
    }
    let allowed = s
        .worker_types
        .iter()
        .any(|t| w.allowed_regions.is_empty() || w.allowed_regions.contains(&t.region));
    v.check(
        allowed,
        "workers.allowed_regions",
        format!("{:?}", w.allowed_regions),
        "no worker type is in these regions",
    );
    if let Some(c) = w.unit_cost_per_hour {
        v.check(
            c.is_finite() && c >= 0.0,
            "workers.unit_cost_per_hour",
            c,
            "must be a non-negative price",
        );
    }
}

fn check_faults(v: &mut Issues, s: &Scenario) {
    let apps: BTreeSet<String> = expanded_apps(s)
        .into_iter()
        .flat_map(|a| [a.name.clone(), a.spec.name.clone()])
        .collect();
    for (i, f) in s.faults.iter().enumerate() {
        let p = format!("faults[{i}]");
        match f {
            FaultSpec::WorkerCrash { count, .. } => v.check(
                *count >= 1,
                format!("{p}.count"),
                count,
                "must be at least 1",
            ),
            FaultSpec::ScaleFailures {
                from,
                to,
                probability,
                ..
            } => {
                v.check(from < to, format!("{p}.to"), to, "must be after from");
                v.check(
                    (0.0..=1.0).contains(probability),
                    format!("{p}.probability"),
                    probability,
                    "must be between 0 and 1",
                );
            }
            FaultSpec::SlowScaling { from, to, .. } => {
                v.check(from < to, format!("{p}.to"), to, "must be after from")
            }
            FaultSpec::MetricGap {
                from,
                to,
                apps: names,
            } => {
                v.check(from < to, format!("{p}.to"), to, "must be after from");
                for (j, n) in names.iter().enumerate() {
                    v.check(
                        apps.contains(n),
                        format!("{p}.apps[{j}]"),
                        n,
                        "names no app or platform component",
                    );
                }
            }
            FaultSpec::MetricNoise { sigma, .. } => v.check(
                sigma.is_finite() && *sigma >= 0.0,
                format!("{p}.sigma"),
                sigma,
                "must be non-negative",
            ),
        }
    }
}

/// Applies each change in turn to a copy of the document; every step must
/// give a valid scenario.
pub(super) fn check_changes(s: &Scenario, document: &toml::Table) -> Vec<ScenarioIssue> {
    let mut doc = document.clone();
    let mut issues = Vec::new();
    for (i, change) in s.changes.iter().enumerate() {
        for (path, value) in &change.set {
            if let Err(e) = set_path(&mut doc, path, value.clone()) {
                issues.push(ScenarioIssue {
                    field: format!("changes[{i}].set"),
                    value: path.clone(),
                    message: e,
                    line: None,
                });
            }
        }
        let after: Result<Scenario, _> = toml::Value::Table(doc.clone()).try_into();
        match after {
            Ok(next) => {
                for mut issue in validate(&next) {
                    issue.message = format!("after changes[{i}]: {}", issue.message);
                    issue.field = format!("changes[{i}].set");
                    issues.push(issue);
                }
            }
            Err(e) => issues.push(ScenarioIssue {
                field: format!("changes[{i}].set"),
                value: String::new(),
                message: e.to_string(),
                line: None,
            }),
        }
    }
    issues
}
