//! Replay scenario files: a scenario (`scenarios/*.toml`, the simulator's
//! schema) plus a `[replay]` table.
//!
//! The `[replay]` lines are cut out of the text before the simulator's
//! parser sees it — they are blanked, so every line keeps its number and
//! errors point into the file as written. Apps the trace feeds may leave
//! out `load`, and the file may leave out `simulation.duration` (the
//! window's length is used): placeholder lines are inserted for the
//! parser, and the lines of its errors are mapped back.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lighthouse_engine::config::load::{line_col, toml_line_of};
use lighthouse_sim::{LoadedScenario, ScenarioError, parse_scenario};

use super::error::ReplayError;
use super::spec::ReplaySpec;

/// The placeholder load of an app the trace feeds (replaced before the run).
const PLACEHOLDER_LOAD: &str = "load = { kind = \"constant\", rps = 0.0 }";

/// A replay scenario file, read and split; [`ReplayScenario::scenario`]
/// gives the validated simulator scenario.
#[derive(Clone, Debug)]
pub struct ReplayScenario {
    /// The file name used in messages.
    pub file: String,
    /// The folder a relative `replay.trace` starts from.
    pub dir: PathBuf,
    /// The `[replay]` table (all defaults when the file has none).
    pub spec: ReplaySpec,
    /// The scenario part as a TOML document (no `[replay]`, no placeholders).
    pub document: toml::Table,
    original: String,
    /// The lines without `[replay]` (blanked), as the parser gets them.
    lines: Vec<String>,
    /// Table headers: (0-based line, dotted name, `[[array]]`).
    headers: Vec<(usize, String, bool)>,
}

impl ReplayScenario {
    /// Reads a replay scenario file.
    pub fn load(path: &Path) -> Result<Self, ReplayError> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            ReplayError::Scenario(ScenarioError::Io {
                path: path.to_path_buf(),
                source,
            })
        })?;
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Self::parse(&text, &path.display().to_string(), &dir)
    }

    /// Parses a replay scenario's text; `file` names it in messages and
    /// `dir` is where a relative `replay.trace` is looked for.
    pub fn parse(text: &str, file: &str, dir: &Path) -> Result<Self, ReplayError> {
        let layout = scan(text);
        let all: Vec<&str> = text.split('\n').collect();
        let pick = |replay: bool| -> Vec<String> {
            all.iter()
                .zip(&layout.replay)
                .map(|(l, &r)| {
                    if r == replay {
                        (*l).to_string()
                    } else {
                        String::new()
                    }
                })
                .collect()
        };
        let replay_text = pick(true).join("\n");
        let lines = pick(false);
        let syntax = |source: &str, e: toml::de::Error| {
            let (line, column) = e
                .span()
                .map(|s| line_col(source, s.start))
                .unwrap_or((0, 0));
            ReplayError::Syntax {
                file: file.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        };
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ReplayPart {
            #[serde(default)]
            replay: ReplaySpec,
        }
        let spec = toml::from_str::<ReplayPart>(&replay_text)
            .map_err(|e| syntax(&replay_text, e))?
            .replay;
        let scenario_text = lines.join("\n");
        let document: toml::Table = toml::from_str(&scenario_text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_col(&scenario_text, s.start))
                .unwrap_or((0, 0));
            ReplayError::Scenario(ScenarioError::Syntax {
                file: file.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            })
        })?;
        Ok(Self {
            file: file.to_string(),
            dir: dir.to_path_buf(),
            spec,
            document,
            original: text.to_string(),
            lines,
            headers: layout.headers,
        })
    }

    /// The 1-based line where a setting such as `replay.apps[0].series` is
    /// written (or its nearest written parent).
    pub fn line_of(&self, path: &str) -> Option<usize> {
        toml_line_of(&self.original, path)
    }

    /// An [`ReplayError::Invalid`] for a setting of this file, with its line.
    pub(crate) fn invalid(
        &self,
        field: &str,
        value: impl std::fmt::Display,
        message: impl Into<String>,
    ) -> ReplayError {
        ReplayError::Invalid {
            file: self.file.clone(),
            line: self.line_of(field),
            field: field.to_string(),
            value: value.to_string(),
            message: message.into(),
        }
    }

    /// Whether `[simulation]` gives a key (e.g. `duration`, `start`).
    pub fn simulation_has(&self, key: &str) -> bool {
        self.document
            .get("simulation")
            .and_then(toml::Value::as_table)
            .is_some_and(|t| t.contains_key(key))
    }

    /// The validated simulator scenario. Apps and platform components named
    /// in `fed` that have no `load` get a placeholder (a constant 0) for
    /// the parser, and `simulation.duration` is set to `duration_ms` when
    /// the file does not give it. Errors point at the file's own lines.
    pub fn scenario(
        &self,
        fed: &BTreeSet<String>,
        duration_ms: i64,
    ) -> Result<LoadedScenario, ReplayError> {
        // (0-based line after which to insert, text), in line order.
        let mut inserts: Vec<(usize, String)> = Vec::new();
        if !self.simulation_has("duration")
            && let Some(&(line, _, _)) = self
                .headers
                .iter()
                .find(|(_, name, array)| name == "simulation" && !array)
        {
            inserts.push((line, format!("duration = \"{}ms\"", duration_ms.max(1))));
        }
        for list in ["apps", "platform"] {
            let Some(entries) = self.document.get(list).and_then(toml::Value::as_array) else {
                continue;
            };
            let headers: Vec<usize> = self
                .headers
                .iter()
                .filter(|(_, name, array)| name == list && *array)
                .map(|(line, _, _)| *line)
                .collect();
            if headers.len() != entries.len() {
                // Written inline: the file must give every load itself.
                continue;
            }
            for (entry, line) in entries.iter().zip(headers) {
                let Some(t) = entry.as_table() else { continue };
                let named_fed = t
                    .get("name")
                    .and_then(toml::Value::as_str)
                    .is_some_and(|n| fed.contains(n));
                if named_fed && !t.contains_key("load") {
                    inserts.push((line, PLACEHOLDER_LOAD.to_string()));
                }
            }
        }
        inserts.sort_by_key(|(line, _)| *line);
        let mut text = String::new();
        // 1-based lines of the inserted text in the new document.
        let mut inserted_at = Vec::new();
        let mut next = inserts.iter().peekable();
        let mut out_line = 0usize;
        for (i, line) in self.lines.iter().enumerate() {
            text.push_str(line);
            text.push('\n');
            out_line += 1;
            while let Some((_, extra)) = next.next_if(|(at, _)| *at == i) {
                text.push_str(extra);
                text.push('\n');
                out_line += 1;
                inserted_at.push(out_line);
            }
        }
        let back = |line: usize| line - inserted_at.iter().filter(|&&l| l < line).count();
        parse_scenario(&text, &self.file).map_err(|e| {
            ReplayError::Scenario(match e {
                ScenarioError::Syntax {
                    file,
                    line,
                    column,
                    message,
                } => ScenarioError::Syntax {
                    file,
                    line: back(line),
                    column,
                    message,
                },
                ScenarioError::Invalid { file, mut issues } => {
                    for issue in &mut issues {
                        issue.line = issue.line.map(back);
                    }
                    ScenarioError::Invalid { file, issues }
                }
                other => other,
            })
        })
    }
}

/// Which lines belong to the `replay` table, and where the headers are.
struct Layout {
    replay: Vec<bool>,
    headers: Vec<(usize, String, bool)>,
}

/// A line-level TOML scanner: finds table headers outside multi-line
/// strings and values, and marks the lines of the `replay` table (its
/// headers, `[replay.*]` sub-tables, and top-level `replay.* = …` keys).
fn scan(text: &str) -> Layout {
    let mut replay = Vec::new();
    let mut headers = Vec::new();
    let mut ml: Option<&'static str> = None;
    let mut depth: i32 = 0;
    let mut section_replay = false;
    let mut at_root = true;
    let mut statement_replay = false;
    for (i, line) in text.split('\n').enumerate() {
        let continuing = ml.is_some() || depth > 0;
        if !continuing {
            let t = line.trim_start();
            if t.starts_with('[') {
                let array = t.starts_with("[[");
                let inner = t.trim_start_matches('[');
                let inner = inner.split(']').next().unwrap_or("");
                let name = dotted(inner);
                section_replay = name == "replay" || name.starts_with("replay.");
                at_root = false;
                headers.push((i, name, array));
                replay.push(section_replay);
                continue;
            }
            statement_replay = if at_root {
                let key = t.split('=').next().unwrap_or("");
                t.contains('=') && {
                    let first = dotted(key);
                    first == "replay" || first.starts_with("replay.")
                }
            } else {
                section_replay
            };
        }
        replay.push(statement_replay);
        scan_value(line, &mut ml, &mut depth);
    }
    Layout { replay, headers }
}

/// Updates the multi-line string and bracket state over one line.
fn scan_value(line: &str, ml: &mut Option<&'static str>, depth: &mut i32) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(delim) = *ml {
            match line[i..].find(delim) {
                Some(p) => {
                    i += p + 3;
                    *ml = None;
                    continue;
                }
                None => return,
            }
        }
        let rest = &line[i..];
        if rest.starts_with("\"\"\"") {
            *ml = Some("\"\"\"");
            i += 3;
            continue;
        }
        if rest.starts_with("'''") {
            *ml = Some("'''");
            i += 3;
            continue;
        }
        match b[i] {
            b'#' => return,
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'[' | b'{' => *depth += 1,
            b']' | b'}' => *depth -= 1,
            _ => {}
        }
        i += 1;
    }
}

/// `a . "b" .c` → `a.b.c`.
fn dotted(key: &str) -> String {
    key.split('.')
        .map(|p| p.trim().trim_matches('"').trim_matches('\''))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# comment
[simulation]
name = "t"
sample_interval = "10s"

[replay]
format = "worldcup98"
scale = "2x"
[[replay.apps]]
app = "web"
series = "worldcup98"

[policies.web]
min_capacity = 1
max_capacity = 5
[[policies.web.thresholds]]
metric_name = "requests_per_second"
scale_up_threshold = 100.0
scale_down_threshold = 10.0
scale_factor = 1.5
cooldown_seconds = 60

[[apps]]
name = "web"
policy = "web"
service_rate_rps = 10.0

[workers]
policy = "pool"

[[worker_types]]
name = "w"
kind = "cloud"
cpu_cores = 4.0
memory_gb = 16.0
price_per_hour = 0.2
provisioning = { median = "60s" }

[policies.pool]
min_capacity = 1
max_capacity = 4
[[policies.pool.thresholds]]
metric_name = "pending_workloads"
scale_up_threshold = 0.5
scale_down_threshold = 0.1
scale_factor = 1.5
cooldown_seconds = 60
"#;

    #[test]
    fn splits_replay_and_fills_placeholders() {
        let sc = ReplayScenario::parse(FILE, "t.toml", Path::new(".")).unwrap();
        assert_eq!(sc.spec.format.as_deref(), Some("worldcup98"));
        assert_eq!(sc.spec.apps.len(), 1);
        assert!(!sc.document.contains_key("replay"));
        assert!(!sc.simulation_has("duration"));
        let fed: BTreeSet<String> = ["web".to_string()].into();
        let loaded = sc.scenario(&fed, 3_600_000).unwrap();
        assert_eq!(loaded.scenario.simulation.duration.as_millis(), 3_600_000);
        // Unfed apps must give their own load.
        let err = sc.scenario(&BTreeSet::new(), 1000).unwrap_err().to_string();
        assert!(err.contains("load"), "{err}");
        assert!(
            err.contains("t.toml:23") || err.contains("t.toml:24"),
            "{err}"
        );
    }

    #[test]
    fn errors_keep_the_files_lines() {
        let bad = FILE.replace("service_rate_rps = 10.0", "service_rate_rps = -1.0");
        let sc = ReplayScenario::parse(&bad, "t.toml", Path::new(".")).unwrap();
        let fed: BTreeSet<String> = ["web".to_string()].into();
        let err = sc.scenario(&fed, 1000).unwrap_err().to_string();
        assert!(err.contains("line 26"), "{err}");
        let bad = FILE.replace("scale = \"2x\"", "scale = [1]");
        let err = ReplayScenario::parse(&bad, "t.toml", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.toml:8:"), "{err}");
        let bad = FILE.replace("format = ", "formt = ");
        let err = ReplayScenario::parse(&bad, "t.toml", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.toml:7:") && err.contains("formt"), "{err}");
    }

    #[test]
    fn scanner_ignores_brackets_in_values_and_strings() {
        let text = "a = [\n  [1, 2],\n]\ns = \"\"\"\n[replay]\n\"\"\"\nreplay.mode = \"open\"\n[x]\ny = 1\n";
        let l = scan(text);
        assert_eq!(l.headers, vec![(7, "x".to_string(), false)]);
        assert_eq!(
            l.replay,
            vec![
                false, false, false, false, false, false, true, false, false, false
            ]
        );
    }
}
