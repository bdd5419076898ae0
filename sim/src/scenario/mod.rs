//! Scenarios: the TOML files under `scenarios/`, their validation (errors
//! name the key and the line), and the engine configuration they imply.
//!
//! - [`spec`]: the schema.
//! - [`duration`]: `"90s"`, `"2h"`, `"7d"`.
//! - [`paths`]: setting values by path (changes during a run, sweeps).
//! - `validate`: the checks, and the engine configuration.

pub mod duration;
pub mod paths;
pub mod spec;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

pub use duration::{Dur, parse_duration};
pub use spec::*;
pub use validate::{ExpandedApp, POOL_ID, engine_config, expanded_apps};

use lighthouse_engine::config::load::{line_col, toml_line_of};

/// One problem in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioIssue {
    /// Path of the key, e.g. `apps[0].service_rate_rps`.
    pub field: String,
    /// The value found.
    pub value: String,
    /// What is wrong.
    pub message: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
}

impl fmt::Display for ScenarioIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        write!(f, "{} = {}: {}", self.field, self.value, self.message)
    }
}

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Not valid TOML, a value of the wrong type, or an unknown key.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// Parsed, but some values are wrong.
    #[error("{file}: invalid scenario{}", list(.issues))]
    Invalid {
        /// The file.
        file: String,
        /// Every problem found.
        issues: Vec<ScenarioIssue>,
    },
}

fn list(issues: &[ScenarioIssue]) -> String {
    issues.iter().map(|i| format!("\n  - {i}")).collect()
}

/// A validated scenario with the text it came from (for line numbers and
/// for applying changes by path).
#[derive(Clone, Debug)]
pub struct LoadedScenario {
    /// The scenario.
    pub scenario: Scenario,
    /// Its document, for changes by path.
    pub document: toml::Table,
    /// Where it came from.
    pub source: String,
}

/// Reads and validates a scenario file.
pub fn load_scenario(path: &Path) -> Result<LoadedScenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_scenario(&text, &path.display().to_string())
}

/// Parses and validates a scenario document.
pub fn parse_scenario(text: &str, file: &str) -> Result<LoadedScenario, ScenarioError> {
    let syntax = |e: toml::de::Error| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        ScenarioError::Syntax {
            file: file.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    };
    let document: toml::Table = toml::from_str(text).map_err(syntax)?;
    let scenario: Scenario = toml::from_str(text).map_err(syntax)?;
    let mut issues = validate::validate(&scenario);
    if issues.is_empty() {
        issues = validate::check_changes(&scenario, &document);
    }
    if !issues.is_empty() {
        for issue in &mut issues {
            issue.line = toml_line_of(text, &issue.field);
        }
        return Err(ScenarioError::Invalid {
            file: file.to_string(),
            issues,
        });
    }
    Ok(LoadedScenario {
        scenario,
        document,
        source: file.to_string(),
    })
}

/// Re-validates a scenario document after values were set by path (sweeps,
/// changes); errors name the file it came from.
pub fn from_document(document: toml::Table, file: &str) -> Result<LoadedScenario, ScenarioError> {
    let text = toml::to_string(&document).map_err(|e| ScenarioError::Syntax {
        file: file.to_string(),
        line: 0,
        column: 0,
        message: e.to_string(),
    })?;
    parse_scenario(&text, file)
}
