//! Configuration files, validation messages and version history.

use lighthouse_engine::config::{ConfigFormat, ConfigLoadError, parse_config};
use lighthouse_engine::*;

const GOOD_TOML: &str = r#"
evaluation_interval_seconds = 30

[safety]
budget_limit_per_hour = 25.0

[resource_configs.web]
layer = "app_instance"
default_policy = "request-rate-scaling"

[[resource_configs.web.policies]]
name = "request-rate-scaling"
min_capacity = 3
max_capacity = 50

[[resource_configs.web.policies.thresholds]]
metric_name = "requests_per_second"
scale_up_threshold = 1000.0
scale_down_threshold = 200.0
scale_factor = 1.5
cooldown_seconds = 180
"#;

#[test]
fn toml_yaml_and_json_give_the_same_configuration() {
    let from_toml = parse_config(GOOD_TOML, ConfigFormat::Toml, "good.toml").unwrap();
    let json = serde_json::to_string_pretty(&from_toml).unwrap();
    let from_json = parse_config(&json, ConfigFormat::Json, "good.json").unwrap();
    let yaml = serde_yaml_ng::to_string(&from_toml).unwrap();
    let from_yaml = parse_config(&yaml, ConfigFormat::Yaml, "good.yaml").unwrap();
    assert_eq!(from_toml, from_json);
    assert_eq!(from_toml, from_yaml);
    assert_eq!(from_toml.resource_configs["web"].resource_type, "web");
    assert_eq!(from_toml.safety.budget_limit_per_hour, Some(25.0));
}

#[test]
fn a_bad_value_is_reported_with_its_field_and_line() {
    let bad = GOOD_TOML.replace("scale_factor = 1.5", "scale_factor = 0.7");
    let err = parse_config(&bad, ConfigFormat::Toml, "bad.toml").unwrap_err();
    let ConfigLoadError::Invalid { error, .. } = &err else {
        panic!("{err}")
    };
    let issue = &error.issues[0];
    assert_eq!(
        issue.field,
        "resource_configs.web.policies[0].thresholds[0].scale_factor"
    );
    assert_eq!(issue.value, "0.7");
    let expected_line = bad
        .lines()
        .position(|l| l.contains("scale_factor = 0.7"))
        .unwrap()
        + 1;
    assert_eq!(issue.line, Some(expected_line));
    assert!(
        err.to_string().contains(&format!("line {expected_line}")),
        "{err}"
    );
}

#[test]
fn every_problem_is_listed_not_only_the_first() {
    let bad = GOOD_TOML
        .replace("min_capacity = 3", "min_capacity = 60")
        .replace(
            "scale_down_threshold = 200.0",
            "scale_down_threshold = 2000.0",
        )
        .replace("cooldown_seconds = 180", "cooldown_seconds = 5");
    let err = parse_config(&bad, ConfigFormat::Toml, "bad.toml").unwrap_err();
    let text = err.to_string();
    for field in [
        "policies[0].min_capacity = 60",
        "thresholds[0].scale_up_threshold = 1000",
        "thresholds[0].cooldown_seconds = 5",
    ] {
        assert!(text.contains(field), "missing {field} in {text}");
    }
}

#[test]
fn syntax_errors_and_unknown_fields_give_the_line() {
    let err = parse_config(
        "evaluation_interval_seconds = \n",
        ConfigFormat::Toml,
        "x.toml",
    )
    .unwrap_err();
    assert!(
        matches!(err, ConfigLoadError::Syntax { line: 1, .. }),
        "{err}"
    );
    let typo = GOOD_TOML.replace("scale_factor = 1.5", "scale_factr = 1.5");
    let err = parse_config(&typo, ConfigFormat::Toml, "x.toml").unwrap_err();
    assert!(err.to_string().contains("scale_factr"), "{err}");
    let err = parse_config(
        "{\n  \"evaluation_interval_seconds\": \"thirty\"\n}",
        ConfigFormat::Json,
        "x.json",
    )
    .unwrap_err();
    assert!(
        matches!(err, ConfigLoadError::Syntax { line: 2, .. }),
        "{err}"
    );
    let err = parse_config(
        "evaluation_interval_seconds: [1, 2\n",
        ConfigFormat::Yaml,
        "x.yaml",
    )
    .unwrap_err();
    assert!(matches!(err, ConfigLoadError::Syntax { .. }), "{err}");
}

#[test]
fn cooldown_bounds_depend_on_the_layer() {
    let cfg = |layer: ResourceLayer, cooldown: u64| {
        LighthouseConfig::builder()
            .add_resource_config(
                "x",
                ResourceConfig::new(
                    "x",
                    layer,
                    ScalingPolicy::threshold(
                        "p",
                        vec![utils::threshold("m", 10.0, 1.0, 2.0, cooldown)],
                        3,
                        10,
                    ),
                ),
            )
            .build()
    };
    assert!(cfg(ResourceLayer::AppInstance, 30).is_ok());
    assert!(
        cfg(ResourceLayer::PlatformComponent, 30).is_err(),
        "platform components must not flap"
    );
    assert!(cfg(ResourceLayer::WorkerNode, 30).is_err());
    assert!(cfg(ResourceLayer::WorkerNode, 1800).is_ok());
}

#[test]
fn a_layer_is_required_unless_the_type_names_one() {
    let mut rc = ResourceConfig::new(
        "web",
        ResourceLayer::AppInstance,
        utils::cpu_policy(80.0, 20.0, 1.5, 60),
    );
    rc.layer = None;
    let err = LighthouseConfig::builder()
        .add_resource_config("web", rc.clone())
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("resource_configs.web.layer"),
        "{err}"
    );
    rc.resource_type = "app_instance".into();
    assert!(
        LighthouseConfig::builder()
            .add_resource_config("app_instance", rc)
            .build()
            .is_ok()
    );
}

#[test]
fn an_invalid_update_changes_nothing_and_history_allows_rollback() {
    let first = parse_config(GOOD_TOML, ConfigFormat::Toml, "a.toml").unwrap();
    let mut core = EngineCore::new(first.clone(), Timestamp(0)).unwrap();
    let mut second = first.clone();
    second.evaluation_interval_seconds = 60;
    assert_eq!(
        core.update_config(second.clone(), Timestamp::from_secs(10))
            .unwrap(),
        2
    );
    assert_eq!(
        core.next_evaluation(),
        Timestamp::from_secs(70),
        "a changed interval restarts the timer"
    );
    let mut broken = second.clone();
    broken.resource_configs.get_mut("web").unwrap().policies[0].max_capacity = Some(0);
    let err = core
        .update_config(broken, Timestamp::from_secs(20))
        .unwrap_err();
    assert!(err.to_string().contains("max_capacity"), "{err}");
    assert_eq!(core.config(), &second, "refused config took no effect");
    assert_eq!(
        core.rollback_config(1, Timestamp::from_secs(30)).unwrap(),
        3
    );
    assert_eq!(core.config(), &first);
    let origins: Vec<String> = core
        .config_history()
        .versions()
        .map(|v| v.origin.clone())
        .collect();
    assert_eq!(origins, ["initial", "update", "rollback to 1"]);
    assert!(core.rollback_config(99, Timestamp::from_secs(40)).is_err());
}

#[test]
fn default_policy_selects_among_several() {
    let calm = utils::request_rate_policy(5000.0, 100.0, 1.2, 300);
    let mut eager = utils::request_rate_policy(500.0, 100.0, 2.0, 60);
    eager.name = "eager".into();
    let rc = ResourceConfig {
        resource_type: "web".into(),
        layer: Some(ResourceLayer::AppInstance),
        policies: vec![calm, eager],
        default_policy: Some("eager".into()),
        unit_cost_per_hour: None,
        settings: [("platform_id".to_string(), "7".to_string())].into(),
    };
    let cfg = LighthouseConfig::builder()
        .add_resource_config("web", rc.clone())
        .global_setting("region", "eu")
        .build()
        .unwrap();
    let mut h = crate::support::Harness::new(cfg);
    h.fleet.with(|f| {
        f.capacity.insert("app_instance:web".into(), 4);
    });
    h.push("app_instance:web", "web", "requests_per_second", 800.0, 0);
    h.cycle(0);
    let a = h
        .fleet
        .executed()
        .pop()
        .expect("the eager default policy fired");
    assert_eq!((a.target_capacity, a.policy.as_str()), (8, "eager"));
    assert_eq!(
        a.metadata["platform_id"], "7",
        "settings reach the executor"
    );
    let mut no_default = rc;
    no_default.default_policy = None;
    let err = LighthouseConfig::builder()
        .add_resource_config("web", no_default)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("default_policy"), "{err}");
}
