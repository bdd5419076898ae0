//! Scenario files: every shipped one is valid, and bad ones are refused with
//! the key and the line.

use lighthouse_sim::scenario::{ScenarioError, parse_scenario};

fn shipped() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        // Replay scenarios need their trace: the replay crate's tests
        // replay each of them.
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("replay-"))
        })
        .collect();
    files.sort();
    files
}

pub fn quickstart_text() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml"),
    )
    .unwrap()
}

#[test]
fn every_shipped_scenario_is_valid_and_says_what_it_shows() {
    let files = shipped();
    assert!(files.len() >= 7, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with('#'),
            "{} needs a comment header",
            path.display()
        );
        parse_scenario(&text, &path.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
    }
}

fn issue_for(text: &str) -> (String, Option<usize>, String) {
    match parse_scenario(text, "t.toml") {
        Err(ScenarioError::Invalid { issues, .. }) => {
            let i = &issues[0];
            (i.field.clone(), i.line, i.to_string())
        }
        Err(e) => panic!("expected a validation error, got {e}"),
        Ok(_) => panic!("expected a validation error"),
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_bad_value_names_the_key_and_the_line() {
    let text = quickstart_text().replace("service_rate_rps = 200.0", "service_rate_rps = -5.0");
    let (field, line, shown) = issue_for(&text);
    assert_eq!(field, "apps[1].service_rate_rps");
    assert_eq!(line, Some(line_of(&text, "service_rate_rps = -5.0")));
    assert!(shown.contains("must be above 0"), "{shown}");
}

#[test]
fn policy_errors_are_reported_at_the_policy_in_the_scenario() {
    let text = quickstart_text().replacen("scale_factor = 1.5", "scale_factor = 0.7", 1);
    let (field, line, _) = issue_for(&text);
    assert_eq!(field, "policies.web.thresholds[0].scale_factor");
    assert_eq!(line, Some(line_of(&text, "scale_factor = 0.7")));
}

#[test]
fn unknown_keys_and_bad_durations_are_syntax_errors_with_a_line() {
    let text = quickstart_text().replace("startup = \"30s\"", "start_up = \"30s\"");
    match parse_scenario(&text, "t.toml") {
        Err(ScenarioError::Syntax { line, message, .. }) => {
            assert!(message.contains("start_up"), "{message}");
            assert!(line > 0);
        }
        other => panic!("{:?}", other.err()),
    }
    let text = quickstart_text().replace("duration = \"1d\"", "duration = \"3 days\"");
    let err = parse_scenario(&text, "t.toml").unwrap_err().to_string();
    assert!(err.contains("unknown unit"), "{err}");
}

#[test]
fn a_policy_shared_by_two_layers_is_refused() {
    let text = quickstart_text().replace(
        "policy = \"platform\"\nservice_rate_rps = 400.0",
        "policy = \"web\"\nservice_rate_rps = 400.0",
    );
    let (field, _, shown) = issue_for(&text);
    assert_eq!(field, "policies.web");
    assert!(shown.contains("both"), "{shown}");
}

#[test]
fn changes_must_name_existing_paths_of_policies_or_engine() {
    let base = quickstart_text();
    let text = format!(
        "{base}\n[[changes]]\nat = \"2h\"\nset = {{ \"policies.nope.min_capacity\" = 3 }}\n"
    );
    let (field, _, shown) = issue_for(&text);
    assert_eq!(field, "changes[0].set");
    assert!(shown.contains("nope"), "{shown}");
    let text = format!("{base}\n[[changes]]\nat = \"2h\"\nset = {{ \"workers.initial\" = 3 }}\n");
    let (_, _, shown) = issue_for(&text);
    assert!(shown.contains("only policies"), "{shown}");
}
