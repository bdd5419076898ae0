//! Reading `live.toml`: syntax errors with line and column, validation
//! errors naming the field and its line, paths made relative to the file.

use std::fmt;
use std::path::{Path, PathBuf};

use lighthouse_engine::config::load::{line_col, load_config_file, toml_line_of};
use lighthouse_engine::config::{ConfigIssue, ConfigLoadError};

use super::LiveConfig;
use super::validate::check;

/// Why a live configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LiveConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Not valid TOML, or a field of the wrong type, or an unknown field.
    #[error("{source_name}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        source_name: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The document parsed but is not usable.
    #[error("{source_name}: invalid live configuration{}", Issues(issues))]
    Invalid {
        /// The file.
        source_name: String,
        /// Every problem, each naming its field (and line when known).
        issues: Vec<ConfigIssue>,
    },
    /// The engine configuration file named by `engine_config` failed.
    #[error("engine configuration: {0}")]
    Engine(#[from] ConfigLoadError),
}

struct Issues<'a>(&'a [ConfigIssue]);

impl fmt::Display for Issues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for issue in self.0 {
            write!(f, "\n  - {issue}")?;
        }
        Ok(())
    }
}

/// Reads, parses and validates a live configuration file; relative paths
/// in it are taken from the file's directory.
pub fn load_live_config(path: &Path) -> Result<LiveConfig, LiveConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| LiveConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    parse_live_config(&text, &path.display().to_string(), base)
}

/// Parses and validates a live configuration document; relative paths are
/// taken from `base_dir`, and `engine_config` is read from there.
pub fn parse_live_config(
    text: &str,
    source_name: &str,
    base_dir: &Path,
) -> Result<LiveConfig, LiveConfigError> {
    let mut config: LiveConfig = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|span| line_col(text, span.start))
            .unwrap_or((0, 0));
        LiveConfigError::Syntax {
            source_name: source_name.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    resolve_paths(&mut config, base_dir);
    let inline = config.engine.is_some();
    if let (Some(file), false) = (&config.engine_config, inline) {
        config.engine = Some(load_config_file(file)?);
    }
    let mut issues = check(&config, inline);
    for issue in &mut issues {
        issue.line = toml_line_of(text, &issue.field);
    }
    if issues.is_empty() {
        Ok(config)
    } else {
        Err(LiveConfigError::Invalid {
            source_name: source_name.to_string(),
            issues,
        })
    }
}

fn resolve_paths(config: &mut LiveConfig, base: &Path) {
    let fix = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = base.join(&*p);
        }
    };
    if let Some(p) = &mut config.engine_config {
        fix(p);
    }
    if let Some(p) = &mut config.api.tokens_file {
        fix(p);
    }
    fix(&mut config.api.audit_log);
    if let Some(p) = &mut config.api.address_file {
        fix(p);
    }
    fix(&mut config.state.path);
    if let Some(p) = &mut config.shadow.run_dir {
        fix(p);
    }
}
