//! Checks a configuration must pass before it takes effect.
//!
//! Every problem is collected (not only the first), each naming the field by
//! its path in the document, e.g.
//! `resource_configs.web.policies[0].thresholds[1].scale_factor`.

use std::fmt;

use chrono::Weekday;
use chrono_tz::Tz;

use super::policy::*;
use super::{LighthouseConfig, MaintenanceWindow, ResourceConfig};
use crate::types::ResourceLayer;

/// One problem in a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigIssue {
    /// Path of the field, e.g. `resource_configs.web.policies[0].max_capacity`.
    pub field: String,
    /// The value found, as written.
    pub value: String,
    /// What is wrong with it.
    pub message: String,
    /// 1-based line in the source file, when known.
    pub line: Option<usize>,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        write!(f, "{} = {}: {}", self.field, self.value, self.message)
    }
}

/// A configuration was refused; nothing of it took effect.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// Every problem found.
    pub issues: Vec<ConfigIssue>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration")?;
        for issue in &self.issues {
            write!(f, "\n  - {issue}")?;
        }
        Ok(())
    }
}

/// Cooldown bounds (seconds, inclusive) suited to each layer: apps react in
/// seconds to minutes; platform components and workers are slower and more
/// expensive to move, so they must not flap.
pub const fn cooldown_bounds(layer: ResourceLayer) -> (u64, u64) {
    match layer {
        ResourceLayer::AppInstance => (10, 3600),
        ResourceLayer::PlatformComponent => (120, 7200),
        ResourceLayer::WorkerNode => (60, 7200),
    }
}

/// Longest HPA rate-limit period, seconds.
pub const MAX_PERIOD_SECONDS: u64 = 1800;
/// Longest stabilization window, seconds.
pub const MAX_STABILIZATION_SECONDS: u64 = 3600;

struct Checker {
    issues: Vec<ConfigIssue>,
}

impl Checker {
    fn fail(&mut self, field: impl Into<String>, value: impl fmt::Display, message: &str) {
        self.issues.push(ConfigIssue {
            field: field.into(),
            value: value.to_string(),
            message: message.to_string(),
            line: None,
        });
    }

    fn check(
        &mut self,
        ok: bool,
        field: impl Into<String>,
        value: impl fmt::Display,
        message: &str,
    ) {
        if !ok {
            self.fail(field, value, message);
        }
    }
}

/// Checks a whole configuration; `Ok` means it may take effect.
pub fn validate(config: &LighthouseConfig) -> Result<(), ConfigError> {
    let mut c = Checker { issues: Vec::new() };
    c.check(
        (1..=3600).contains(&config.evaluation_interval_seconds),
        "evaluation_interval_seconds",
        config.evaluation_interval_seconds,
        "must be between 1 and 3600 seconds",
    );
    for (key, rc) in &config.resource_configs {
        check_resource_config(&mut c, key, rc, config);
    }
    check_safety(&mut c, config);
    check_retry(&mut c, config);
    c.check(
        config.metrics.max_age_seconds >= 1,
        "metrics.max_age_seconds",
        config.metrics.max_age_seconds,
        "must be at least 1 second",
    );
    if c.issues.is_empty() {
        Ok(())
    } else {
        Err(ConfigError { issues: c.issues })
    }
}

fn check_resource_config(
    c: &mut Checker,
    key: &str,
    rc: &ResourceConfig,
    config: &LighthouseConfig,
) {
    let base = format!("resource_configs.{key}");
    c.check(
        !key.is_empty(),
        &base,
        "\"\"",
        "resource type must not be empty",
    );
    c.check(
        rc.resource_type.is_empty() || rc.resource_type == key,
        format!("{base}.resource_type"),
        &rc.resource_type,
        "must equal its key in resource_configs",
    );
    let layer = rc.layer.or_else(|| {
        ResourceLayer::ALL
            .into_iter()
            .find(|layer| layer.prefix() == key)
    });
    let Some(layer) = layer else {
        c.fail(
            format!("{base}.layer"),
            "(missing)",
            "required unless the type is named app_instance, worker_node or platform_component",
        );
        return;
    };
    if rc.policies.is_empty() {
        c.fail(
            format!("{base}.policies"),
            "[]",
            "needs at least one policy",
        );
    }
    for (i, policy) in rc.policies.iter().enumerate() {
        let path = format!("{base}.policies[{i}]");
        if rc.policies[..i].iter().any(|p| p.name == policy.name) {
            c.fail(
                format!("{path}.name"),
                &policy.name,
                "policy names must be unique",
            );
        }
        check_policy(c, &path, policy, rc, layer, config);
    }
    match &rc.default_policy {
        Some(name) if !rc.policies.iter().any(|p| &p.name == name) => c.fail(
            format!("{base}.default_policy"),
            name,
            "names no policy of this resource type",
        ),
        None if rc.policies.len() > 1 => c.fail(
            format!("{base}.default_policy"),
            "(missing)",
            "required when a resource type has several policies",
        ),
        _ => {}
    }
    if let Some(cost) = rc.unit_cost_per_hour {
        c.check(
            cost.is_finite() && cost >= 0.0,
            format!("{base}.unit_cost_per_hour"),
            cost,
            "must be a finite, non-negative cost per hour",
        );
    }
}

fn check_policy(
    c: &mut Checker,
    path: &str,
    policy: &ScalingPolicy,
    rc: &ResourceConfig,
    layer: ResourceLayer,
    config: &LighthouseConfig,
) {
    c.check(
        !policy.name.is_empty(),
        format!("{path}.name"),
        "\"\"",
        "must not be empty",
    );
    let kinds = usize::from(!policy.thresholds.is_empty())
        + usize::from(policy.target_tracking.is_some())
        + usize::from(policy.composite.is_some());
    if kinds > 1 {
        c.fail(
            path,
            &policy.name,
            "set only one of thresholds, target_tracking and composite",
        );
    }
    if kinds == 0 && policy.schedules.is_empty() {
        c.fail(
            path,
            &policy.name,
            "needs thresholds, target_tracking, composite or schedules",
        );
    }
    let (min, max) = (policy.min(), policy.max());
    c.check(
        min <= max,
        format!("{path}.min_capacity"),
        min,
        &format!("must not exceed max_capacity ({max})"),
    );
    c.check(
        max >= 1,
        format!("{path}.max_capacity"),
        max,
        "must be at least 1",
    );
    if layer == ResourceLayer::PlatformComponent {
        let floor = config.safety.platform_min_instances.max(3);
        c.check(
            min >= floor,
            format!("{path}.min_capacity"),
            min,
            &format!("platform components keep at least {floor} instances for high availability"),
        );
    }
    for (j, t) in policy.thresholds.iter().enumerate() {
        check_threshold(c, &format!("{path}.thresholds[{j}]"), t, layer);
    }
    if let Some(tt) = &policy.target_tracking {
        check_target_tracking(c, &format!("{path}.target_tracking"), tt, layer);
    }
    if let Some(comp) = &policy.composite {
        check_composite(c, &format!("{path}.composite"), policy, comp, rc);
    }
    for (j, rule) in policy.schedules.iter().enumerate() {
        let spath = format!("{path}.schedules[{j}]");
        check_weekly(c, &spath, &rule.window());
        if let Some(smin) = rule.min_capacity {
            c.check(
                smin <= max,
                format!("{spath}.min_capacity"),
                smin,
                &format!("must not exceed the policy's max_capacity ({max})"),
            );
        }
        if let Some(smax) = rule.max_capacity {
            c.check(
                smax >= min,
                format!("{spath}.max_capacity"),
                smax,
                &format!("must not be below the policy's min_capacity ({min})"),
            );
        }
        if let (Some(smin), Some(smax)) = (rule.min_capacity, rule.max_capacity) {
            c.check(
                smin <= smax,
                format!("{spath}.min_capacity"),
                smin,
                "must not exceed the rule's max_capacity",
            );
        }
    }
}

fn check_threshold(c: &mut Checker, path: &str, t: &ScalingThreshold, layer: ResourceLayer) {
    c.check(
        !t.metric_name.is_empty(),
        format!("{path}.metric_name"),
        "\"\"",
        "must not be empty",
    );
    c.check(
        t.scale_up_threshold.is_finite(),
        format!("{path}.scale_up_threshold"),
        t.scale_up_threshold,
        "must be a finite number",
    );
    c.check(
        t.scale_down_threshold.is_finite(),
        format!("{path}.scale_down_threshold"),
        t.scale_down_threshold,
        "must be a finite number",
    );
    c.check(
        t.scale_up_threshold > t.scale_down_threshold || !t.scale_up_threshold.is_finite(),
        format!("{path}.scale_up_threshold"),
        t.scale_up_threshold,
        &format!(
            "must be above scale_down_threshold ({})",
            t.scale_down_threshold
        ),
    );
    c.check(
        t.scale_factor.is_finite() && t.scale_factor > 1.0 && t.scale_factor <= 10.0,
        format!("{path}.scale_factor"),
        t.scale_factor,
        "must be greater than 1 and at most 10 (scale-downs divide by it)",
    );
    let (lo, hi) = cooldown_bounds(layer);
    for (field, value) in [
        ("cooldown_seconds", t.cooldown_seconds),
        ("scale_down_cooldown_seconds", t.down_cooldown_seconds()),
    ] {
        c.check(
            (lo..=hi).contains(&value),
            format!("{path}.{field}"),
            value,
            &format!("must be between {lo} and {hi} seconds for {layer}"),
        );
    }
    if let Some(conf) = t.confidence {
        c.check(
            (0.0..=1.0).contains(&conf),
            format!("{path}.confidence"),
            conf,
            "must be between 0 and 1",
        );
    }
}

fn check_target_tracking(
    c: &mut Checker,
    path: &str,
    tt: &TargetTrackingPolicy,
    layer: ResourceLayer,
) {
    if tt.metrics.is_empty() {
        c.fail(
            format!("{path}.metrics"),
            "[]",
            "needs at least one metric target",
        );
    }
    for (k, m) in tt.metrics.iter().enumerate() {
        c.check(
            !m.metric_name.is_empty(),
            format!("{path}.metrics[{k}].metric_name"),
            "\"\"",
            "must not be empty",
        );
        c.check(
            m.target_value.is_finite() && m.target_value > 0.0,
            format!("{path}.metrics[{k}].target_value"),
            m.target_value,
            "must be a finite number above 0",
        );
    }
    c.check(
        tt.tolerance.is_finite() && (0.0..1.0).contains(&tt.tolerance),
        format!("{path}.tolerance"),
        tt.tolerance,
        "must be at least 0 and below 1",
    );
    for (name, rules) in [("scale_up", &tt.scale_up), ("scale_down", &tt.scale_down)] {
        let rpath = format!("{path}.{name}");
        c.check(
            rules.stabilization_window_seconds <= MAX_STABILIZATION_SECONDS,
            format!("{rpath}.stabilization_window_seconds"),
            rules.stabilization_window_seconds,
            &format!("must be at most {MAX_STABILIZATION_SECONDS} seconds"),
        );
        let (_, hi) = cooldown_bounds(layer);
        c.check(
            rules.cooldown_seconds <= hi,
            format!("{rpath}.cooldown_seconds"),
            rules.cooldown_seconds,
            &format!("must be at most {hi} seconds for {layer}"),
        );
        for (k, limit) in rules.policies.iter().enumerate() {
            c.check(
                (1..=MAX_PERIOD_SECONDS).contains(&limit.period_seconds),
                format!("{rpath}.policies[{k}].period_seconds"),
                limit.period_seconds,
                &format!("must be between 1 and {MAX_PERIOD_SECONDS} seconds"),
            );
            c.check(
                limit.value >= 1,
                format!("{rpath}.policies[{k}].value"),
                limit.value,
                "must be at least 1",
            );
        }
    }
}

fn check_composite(
    c: &mut Checker,
    path: &str,
    policy: &ScalingPolicy,
    comp: &CompositePolicy,
    rc: &ResourceConfig,
) {
    c.check(
        comp.members.len() >= 2,
        format!("{path}.members"),
        comp.members.len(),
        "a composite needs at least two members",
    );
    for (k, member) in comp.members.iter().enumerate() {
        let mpath = format!("{path}.members[{k}]");
        match rc.policies.iter().find(|p| p.name == member.policy) {
            None => c.fail(
                format!("{mpath}.policy"),
                &member.policy,
                "names no policy of this resource type",
            ),
            Some(p) if p.name == policy.name => c.fail(
                format!("{mpath}.policy"),
                &member.policy,
                "a composite cannot contain itself",
            ),
            Some(p) if p.composite.is_some() => c.fail(
                format!("{mpath}.policy"),
                &member.policy,
                "composites cannot be nested",
            ),
            Some(_) => {}
        }
        c.check(
            member.weight.is_finite() && member.weight > 0.0,
            format!("{mpath}.weight"),
            member.weight,
            "must be a finite number above 0",
        );
    }
    c.check(
        comp.weighted_threshold > 0.0 && comp.weighted_threshold <= 1.0,
        format!("{path}.weighted_threshold"),
        comp.weighted_threshold,
        "must be above 0 and at most 1",
    );
}

fn check_weekly(c: &mut Checker, path: &str, w: &WeeklyWindow) {
    if w.timezone.parse::<Tz>().is_err() {
        c.fail(
            format!("{path}.timezone"),
            &w.timezone,
            "is not an IANA time zone name",
        );
    }
    for (k, day) in w.days.iter().enumerate() {
        if parse_days(day).is_none() {
            c.fail(
                format!("{path}.days[{k}]"),
                day,
                "expected mon…sun, weekdays or weekends",
            );
        }
    }
    for (field, value) in [("start", &w.start), ("end", &w.end)] {
        if parse_hhmm(value).is_none() {
            c.fail(
                format!("{path}.{field}"),
                value,
                "expected a local time HH:MM",
            );
        }
    }
    if parse_hhmm(&w.start).is_some() && w.start == w.end {
        c.fail(format!("{path}.end"), &w.end, "must differ from start");
    }
}

fn check_safety(c: &mut Checker, config: &LighthouseConfig) {
    let s = &config.safety;
    if let Some(limit) = s.budget_limit_per_hour {
        c.check(
            limit.is_finite() && limit > 0.0,
            "safety.budget_limit_per_hour",
            limit,
            "must be a finite cost per hour above 0",
        );
    }
    c.check(
        s.platform_min_instances >= 3,
        "safety.platform_min_instances",
        s.platform_min_instances,
        "must be at least 3 (the high-availability floor)",
    );
    for (i, w) in s.maintenance_windows.iter().enumerate() {
        check_maintenance(c, &format!("safety.maintenance_windows[{i}]"), w);
    }
}

fn check_maintenance(c: &mut Checker, path: &str, w: &MaintenanceWindow) {
    match (w.start, w.end, &w.weekly) {
        (Some(start), Some(end), None) => c.check(
            end > start,
            format!("{path}.end"),
            end.as_millis(),
            "must be after start",
        ),
        (None, None, Some(weekly)) => check_weekly(c, &format!("{path}.weekly"), weekly),
        _ => c.fail(path, &w.name, "give either start and end, or weekly"),
    }
}

fn check_retry(c: &mut Checker, config: &LighthouseConfig) {
    let r = &config.retry;
    c.check(
        r.base_delay_seconds.is_finite() && r.base_delay_seconds > 0.0,
        "retry.base_delay_seconds",
        r.base_delay_seconds,
        "must be above 0",
    );
    c.check(
        r.max_delay_seconds.is_finite() && r.max_delay_seconds >= r.base_delay_seconds,
        "retry.max_delay_seconds",
        r.max_delay_seconds,
        "must be at least base_delay_seconds",
    );
    c.check(
        r.multiplier.is_finite() && r.multiplier >= 1.0,
        "retry.multiplier",
        r.multiplier,
        "must be at least 1",
    );
    c.check(
        (0.0..=1.0).contains(&r.jitter),
        "retry.jitter",
        r.jitter,
        "must be between 0 and 1",
    );
}

/// Parses `mon`…`sun` (or full names), `weekdays`, `weekends` into a bit mask
/// of days, bit 0 = Monday.
pub fn parse_days(text: &str) -> Option<u8> {
    let lower = text.trim().to_ascii_lowercase();
    match lower.as_str() {
        "weekdays" => return Some(0b0001_1111),
        "weekends" => return Some(0b0110_0000),
        _ => {}
    }
    let day: Weekday = lower.parse().ok()?;
    Some(1 << day.num_days_from_monday())
}

/// Parses `HH:MM` into minutes after midnight.
pub fn parse_hhmm(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}
