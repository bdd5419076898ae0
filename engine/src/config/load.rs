//! Reading configurations from TOML, YAML or JSON, with errors that give the
//! line.

use std::path::{Path, PathBuf};

use super::LighthouseConfig;
use super::validate::{ConfigError, ConfigIssue, validate};

/// The syntax of a configuration document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigFormat {
    /// TOML.
    Toml,
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

impl ConfigFormat {
    /// The format named by a file's extension (`.toml`, `.yaml`/`.yml`, `.json`).
    pub fn from_path(path: &Path) -> Option<ConfigFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(ConfigFormat::Toml),
            "yaml" | "yml" => Some(ConfigFormat::Yaml),
            "json" => Some(ConfigFormat::Json),
            _ => None,
        }
    }
}

/// Why a configuration file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigLoadError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The extension is not `.toml`, `.yaml`, `.yml` or `.json`.
    #[error("{path}: unknown configuration format (use .toml, .yaml or .json)")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The document is not valid TOML, YAML or JSON, or has a field of the
    /// wrong type or an unknown field.
    #[error("{source_name}:{line}:{column}: {message}")]
    Syntax {
        /// The file (or `<inline>`).
        source_name: String,
        /// 1-based line (0 when the parser gave none).
        line: usize,
        /// 1-based column (0 when the parser gave none).
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The document parsed but failed validation.
    #[error("{source_name}: {error}")]
    Invalid {
        /// The file (or `<inline>`).
        source_name: String,
        /// The problems, with lines where they could be found.
        error: ConfigError,
    },
}

/// Reads, parses and validates a configuration file.
pub fn load_config_file(path: &Path) -> Result<LighthouseConfig, ConfigLoadError> {
    let format = ConfigFormat::from_path(path).ok_or_else(|| ConfigLoadError::UnknownFormat {
        path: path.to_path_buf(),
    })?;
    let text = std::fs::read_to_string(path).map_err(|source| ConfigLoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_config(&text, format, &path.display().to_string())
}

/// Parses and validates a configuration document.
pub fn parse_config(
    text: &str,
    format: ConfigFormat,
    source_name: &str,
) -> Result<LighthouseConfig, ConfigLoadError> {
    let mut config: LighthouseConfig = match format {
        ConfigFormat::Toml => toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_col(text, span.start))
                .unwrap_or((0, 0));
            syntax(source_name, line, column, e.message())
        })?,
        ConfigFormat::Yaml => serde_yaml_ng::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            syntax(source_name, line, column, &e.to_string())
        })?,
        ConfigFormat::Json => serde_json::from_str(text)
            .map_err(|e| syntax(source_name, e.line(), e.column(), &e.to_string()))?,
    };
    fill_resource_types(&mut config);
    validate(&config).map_err(|mut error| {
        if format == ConfigFormat::Toml {
            for issue in &mut error.issues {
                issue.line = toml_line_of(text, &issue.field);
            }
        }
        ConfigLoadError::Invalid {
            source_name: source_name.to_string(),
            error,
        }
    })?;
    Ok(config)
}

/// Gives every resource config its key as `resource_type` when it has none.
pub fn fill_resource_types(config: &mut LighthouseConfig) {
    for (key, rc) in &mut config.resource_configs {
        if rc.resource_type.is_empty() {
            rc.resource_type = key.clone();
        }
    }
}

fn syntax(source_name: &str, line: usize, column: usize, message: &str) -> ConfigLoadError {
    ConfigLoadError::Syntax {
        source_name: source_name.to_string(),
        line,
        column,
        message: message.trim().to_string(),
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// The 1-based line where a field path such as `a.b[2].c` is written in a
/// TOML document, or where its nearest written parent is (a missing field is
/// reported at its table).
pub fn toml_line_of(text: &str, path: &str) -> Option<usize> {
    use toml::de::DeValue;
    let root = toml::de::DeTable::parse(text).ok()?;
    let root_span = root.span();
    let root = toml::Spanned::new(root_span, DeValue::Table(root.into_inner()));
    let mut node = &root;
    let mut best = None;
    for segment in path_segments(path) {
        let next = match segment {
            Segment::Key(key) => node.get_ref().get(key),
            Segment::Index(i) => node.get_ref().get(i),
        };
        match next {
            Some(child) => {
                node = child;
                best = Some(child.span().start);
            }
            None => break,
        }
    }
    best.map(|offset| line_col(text, offset).0)
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn path_segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        for index in rest.split('[') {
            if let Some(Ok(i)) = index.strip_suffix(']').map(str::parse) {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

/// Marks issues with the lines of their fields in a TOML document.
pub fn locate_issues(text: &str, issues: &mut [ConfigIssue]) {
    for issue in issues {
        issue.line = toml_line_of(text, &issue.field);
    }
}
