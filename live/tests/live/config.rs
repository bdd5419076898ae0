//! Loading `live.toml`: errors name the field and its line.

use std::path::Path;

use lighthouse_live::config::{ProviderKind, ScrapeAuth};
use lighthouse_live::{LiveConfigError, load_live_config, parse_live_config};

/// A complete, valid live configuration.
pub const GOOD: &str = r#"
[engine]
evaluation_interval_seconds = 30

[engine.resource_configs.app_instance]
policies = [{ name = "cpu", min_capacity = 1, max_capacity = 20, thresholds = [
  { metric_name = "cpu_percent", scale_up_threshold = 80.0, scale_down_threshold = 20.0, scale_factor = 1.5, cooldown_seconds = 600 },
] }]

[engine.resource_configs.worker_node]
policies = [{ name = "cpu", min_capacity = 1, max_capacity = 20, thresholds = [
  { metric_name = "cpu_percent", scale_up_threshold = 80.0, scale_down_threshold = 20.0, scale_factor = 1.5, cooldown_seconds = 600 },
] }]

[[resources]]
id = "app_instance:web"

[[resources]]
id = "worker_node:general"

[metrics]
provider = "prometheus"
by_type = { worker_node = "omnicloud" }

[prometheus]
url = "http://prometheus:9090"
[prometheus.queries.app_instance]
cpu_percent = 'avg(rate(container_cpu_usage_seconds_total{app="$app"}[1m])) * 100'

[omnicloud]
url = "http://orchestrator:8002"
token_env = "OMNICLOUD_TOKEN"
platform_id = 1
[omnicloud.apps.web]
app_id = 42
[omnicloud.director]
url = "http://director:8081"
provider = "virtualbox"

[api]
listen = "127.0.0.1:0"
tokens_file = "tokens.txt"
scrape_auth = "viewer"

[state]
path = "state/engine.json"
"#;

fn invalid(text: &str) -> Vec<(String, Option<usize>, String)> {
    match parse_live_config(text, "live.toml", Path::new("/etc/lighthouse")) {
        Err(LiveConfigError::Invalid { issues, .. }) => issues
            .into_iter()
            .map(|i| (i.field, i.line, i.message))
            .collect(),
        other => panic!("{other:?}"),
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_good_configuration_loads_with_paths_from_its_directory() {
    let config = parse_live_config(GOOD, "live.toml", Path::new("/etc/lighthouse")).unwrap();
    assert_eq!(config.resources.len(), 2);
    assert_eq!(
        config.metrics.provider_for("worker_node"),
        ProviderKind::Omnicloud
    );
    assert_eq!(
        config.metrics.provider_for("app_instance"),
        ProviderKind::Prometheus
    );
    assert_eq!(config.api.scrape_auth, ScrapeAuth::Viewer);
    assert_eq!(
        config.api.tokens_file.as_deref().unwrap(),
        Path::new("/etc/lighthouse/tokens.txt")
    );
    assert_eq!(
        config.state.path,
        Path::new("/etc/lighthouse/state/engine.json")
    );
    assert_eq!(
        config.api.audit_log,
        Path::new("/etc/lighthouse/audit.jsonl")
    );
    assert_eq!(config.omnicloud.platform_id.as_deref(), Some("1"));
    assert_eq!(
        config.engine_config().unwrap().evaluation_interval_seconds,
        30
    );
}

#[test]
fn an_unknown_resource_type_is_named_with_its_line() {
    let text = GOOD.replace(
        "id = \"worker_node:general\"",
        "id = \"worker_node:general\"\ntype = \"gpu_pool\"",
    );
    let issues = invalid(&text);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].0, "resources[1].type");
    assert_eq!(issues[0].1, Some(line_of(&text, "gpu_pool")));
    assert!(issues[0].2.contains("resource_configs"));
}

#[test]
fn missing_adapters_and_bad_values_are_all_reported() {
    let text = GOOD
        .replace(
            "[omnicloud.director]\nurl = \"http://director:8081\"\nprovider = \"virtualbox\"\n",
            "",
        )
        .replace(
            "url = \"http://prometheus:9090\"",
            "url = \"prometheus:9090/x y\"",
        )
        .replace("listen = \"127.0.0.1:0\"", "listen = \"localhost\"");
    let issues = invalid(&text);
    let fields: Vec<&str> = issues.iter().map(|i| i.0.as_str()).collect();
    assert!(fields.contains(&"omnicloud.director"), "{issues:?}");
    assert!(fields.contains(&"prometheus.url"), "{issues:?}");
    assert!(fields.contains(&"api.listen"), "{issues:?}");
    let listen = issues.iter().find(|i| i.0 == "api.listen").unwrap();
    assert_eq!(listen.1, Some(line_of(&text, "listen = \"localhost\"")));
}

#[test]
fn a_pulled_type_without_queries_is_named() {
    let text = GOOD.replace("by_type = { worker_node = \"omnicloud\" }", "");
    let issues = invalid(&text);
    assert_eq!(issues[0].0, "prometheus.queries.worker_node", "{issues:?}");
}

#[test]
fn inline_engine_errors_carry_the_engine_prefix_and_line() {
    let text = GOOD.replace("scale_factor = 1.5, cooldown_seconds = 600 },\n] }]\n\n[engine.resource_configs.worker_node]", "scale_factor = 0.5, cooldown_seconds = 600 },\n] }]\n\n[engine.resource_configs.worker_node]");
    let issues = invalid(&text);
    let issue = issues
        .iter()
        .find(|i| i.0.starts_with("engine.resource_configs.app_instance"))
        .unwrap_or_else(|| panic!("{issues:?}"));
    assert!(issue.0.ends_with("scale_factor"), "{issue:?}");
    assert_eq!(issue.1, Some(line_of(&text, "scale_factor = 0.5")));
}

#[test]
fn syntax_and_unknown_fields_give_line_and_column() {
    let text = GOOD.replace("[state]", "[state]\nsave_every = 5");
    match parse_live_config(&text, "live.toml", Path::new(".")) {
        Err(e @ LiveConfigError::Syntax { .. }) => {
            let LiveConfigError::Syntax { line, message, .. } = &e else {
                unreachable!()
            };
            assert_eq!(*line, line_of(&text, "save_every"));
            assert!(message.contains("save_every"), "{message}");
            assert!(
                e.to_string().starts_with(&format!("live.toml:{line}:")),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_engine_configuration_may_come_from_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let engine = "evaluation_interval_seconds = 15\n[resource_configs.app_instance]\npolicies = [{ name = \"cpu\", thresholds = [{ metric_name = \"cpu_percent\", scale_up_threshold = 80.0, scale_down_threshold = 20.0, scale_factor = 1.5, cooldown_seconds = 60 }] }]\n";
    std::fs::write(dir.path().join("engine.toml"), engine).unwrap();
    let live = "engine_config = \"engine.toml\"\n[[resources]]\nid = \"app_instance:web\"\nsource = \"push\"\n[omnicloud]\nurl = \"http://o:8002\"\nplatform_id = \"p1\"\n";
    std::fs::write(dir.path().join("live.toml"), live).unwrap();
    let config = load_live_config(&dir.path().join("live.toml")).unwrap();
    assert_eq!(
        config.engine_config().unwrap().evaluation_interval_seconds,
        15
    );
    // An error in that file names that file and its line.
    std::fs::write(dir.path().join("engine.toml"), engine.replace("15", "0")).unwrap();
    let e = load_live_config(&dir.path().join("live.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("engine.toml") && e.contains("line 1"), "{e}");
}

#[test]
fn the_example_configuration_loads() {
    let text = include_str!("../../live.example.toml");
    let config = parse_live_config(text, "live.example.toml", Path::new("/srv/lh")).unwrap();
    assert_eq!(config.resources.len(), 2);
    assert_eq!(
        config.api.tokens_file.as_deref(),
        Some(Path::new("/srv/lh/tokens.txt"))
    );
    assert_eq!(config.prometheus.unwrap().queries["app_instance"].len(), 3);
    let engine = config.engine.unwrap();
    assert_eq!(engine.safety.budget_limit_per_hour, Some(25.0));
}
