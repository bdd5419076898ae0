//! API tokens and roles. Tokens come from a file (lines `token role name`,
//! or TOML `[[tokens]]` with `token`, `role`, `name`) or an environment
//! variable (the line format, lines or `;`-separated). A token is never
//! logged or shown: only its name is.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lighthouse_engine::adapters::Secret;
use serde::{Deserialize, Serialize};

/// Shortest token accepted, characters.
pub const MIN_TOKEN_LENGTH: usize = 16;

/// What a token may do; each role may do everything the lower ones may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reads status, configuration, history, recommendations.
    Viewer,
    /// Also pushes metrics.
    MetricsWriter,
    /// Also pauses and pins resources.
    Operator,
    /// Also changes and rolls back the configuration.
    Admin,
}

impl Role {
    /// The name used in token files: `viewer`, `metrics-writer`,
    /// `operator`, `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::MetricsWriter => "metrics-writer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [
            Role::Viewer,
            Role::MetricsWriter,
            Role::Operator,
            Role::Admin,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| format!("unknown role {s:?} (viewer, metrics-writer, operator or admin)"))
    }
}

/// Who made a call: the token's name and role, never the token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The token's name.
    pub name: String,
    /// Its role.
    pub role: Role,
}

/// One token.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenEntry {
    /// The token (shown as `<redacted>`).
    pub token: Secret,
    /// Its role.
    pub role: Role,
    /// Its name, written in the audit log.
    pub name: String,
}

/// Why tokens could not be loaded. Never holds a token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// An entry is not usable.
    #[error("{source_name}:{line}: {message}")]
    Invalid {
        /// The file or variable.
        source_name: String,
        /// 1-based line or entry number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The tokens the API accepts.
#[derive(Clone, Debug, Default)]
pub struct TokenStore {
    entries: Vec<TokenEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenFile {
    #[serde(default)]
    tokens: Vec<TokenEntry>,
}

impl TokenStore {
    /// A store holding `entries`, checked as a file's would be.
    pub fn new(entries: Vec<TokenEntry>) -> Result<Self, TokenError> {
        let mut store = TokenStore::default();
        for (i, e) in entries.into_iter().enumerate() {
            store.add(e, "<entries>", i + 1)?;
        }
        Ok(store)
    }

    /// Tokens in the line format: `token role name`, `#` comments and
    /// blank lines ignored; lines may also be separated by `;`.
    pub fn parse_lines(text: &str, source_name: &str) -> Result<Self, TokenError> {
        let mut store = TokenStore::default();
        for (i, line) in text.split(['\n', ';']).enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let invalid = |message: String| TokenError::Invalid {
                source_name: source_name.to_string(),
                line: i + 1,
                message,
            };
            let mut parts = line.split_whitespace();
            let (Some(token), Some(role), Some(name), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(invalid("expected three words: token role name".to_string()));
            };
            let role = role.parse().map_err(invalid)?;
            let entry = TokenEntry {
                token: Secret::new(token),
                role,
                name: name.to_string(),
            };
            store.add(entry, source_name, i + 1)?;
        }
        Ok(store)
    }

    /// Tokens in TOML: `[[tokens]]` tables with `token`, `role`, `name`.
    pub fn parse_toml(text: &str, source_name: &str) -> Result<Self, TokenError> {
        let file: TokenFile = toml::from_str(text).map_err(|e| TokenError::Invalid {
            source_name: source_name.to_string(),
            line: e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            }),
            // The parser's message may quote the value; it never sees a
            // well-formed token's neighbours, but keep only the first line.
            message: e.message().lines().next().unwrap_or("").to_string(),
        })?;
        let mut store = TokenStore::default();
        for (i, e) in file.tokens.into_iter().enumerate() {
            store.add(e, source_name, i + 1)?;
        }
        Ok(store)
    }

    /// Reads a token file: TOML when it ends in `.toml`, else lines.
    pub fn load_file(path: &Path) -> Result<Self, TokenError> {
        let text = std::fs::read_to_string(path).map_err(|source| TokenError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let name = path.display().to_string();
        if path.extension().is_some_and(|e| e == "toml") {
            Self::parse_toml(&text, &name)
        } else {
            Self::parse_lines(&text, &name)
        }
    }

    /// Tokens from an environment variable (empty when it is unset).
    pub fn from_env(variable: &str) -> Result<Self, TokenError> {
        match std::env::var(variable) {
            Ok(text) => Self::parse_lines(&text, &format!("${variable}")),
            Err(_) => Ok(TokenStore::default()),
        }
    }

    /// Adds the tokens of `other`.
    pub fn merge(mut self, other: TokenStore) -> Result<Self, TokenError> {
        for (i, e) in other.entries.into_iter().enumerate() {
            self.add(e, "<merged>", i + 1)?;
        }
        Ok(self)
    }

    fn add(&mut self, entry: TokenEntry, source_name: &str, line: usize) -> Result<(), TokenError> {
        let invalid = |message: String| TokenError::Invalid {
            source_name: source_name.to_string(),
            line,
            message,
        };
        if entry.token.expose().chars().count() < MIN_TOKEN_LENGTH {
            return Err(invalid(format!(
                "token {:?} is shorter than {MIN_TOKEN_LENGTH} characters",
                entry.name
            )));
        }
        if entry.name.trim().is_empty() {
            return Err(invalid("a token needs a name".to_string()));
        }
        if self
            .entries
            .iter()
            .any(|e| e.token.constant_time_eq(entry.token.expose()))
        {
            return Err(invalid(format!(
                "token {:?} repeats another token",
                entry.name
            )));
        }
        self.entries.push(entry);
        Ok(())
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none (then every protected route answers 401).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The identity of a presented token, `None` when it is unknown. Every
    /// entry is compared, in time independent of the content.
    pub fn authenticate(&self, token: &str) -> Option<Identity> {
        let mut found = None;
        for e in &self.entries {
            if e.token.constant_time_eq(token) && found.is_none() {
                found = Some(Identity {
                    name: e.name.clone(),
                    role: e.role,
                });
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T1: &str = "viewer-token-0123456789";
    const T2: &str = "admin-token-0123456789";

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Viewer < Role::MetricsWriter);
        assert!(Role::MetricsWriter < Role::Operator);
        assert!(Role::Operator < Role::Admin);
        assert_eq!("metrics-writer".parse(), Ok(Role::MetricsWriter));
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn lines_and_toml_load_the_same_tokens() {
        let lines = format!("# comment\n{T1} viewer grafana\n\n{T2} admin alice\n");
        let store = TokenStore::parse_lines(&lines, "tokens").unwrap();
        assert_eq!(store.len(), 2);
        assert_eq!(store.authenticate(T2).unwrap().name, "alice");
        assert_eq!(store.authenticate(T1).unwrap().role, Role::Viewer);
        assert!(store.authenticate("nope").is_none());
        let toml = format!("[[tokens]]\ntoken = \"{T1}\"\nrole = \"viewer\"\nname = \"grafana\"\n");
        let store = TokenStore::parse_toml(&toml, "tokens.toml").unwrap();
        assert_eq!(store.authenticate(T1).unwrap().name, "grafana");
        let env = TokenStore::parse_lines(&format!("{T1} viewer a; {T2} admin b"), "$X").unwrap();
        assert_eq!(env.len(), 2);
    }

    #[test]
    fn bad_entries_name_the_line_but_not_the_token() {
        let e = TokenStore::parse_lines(&format!("{T1} viewer a\n{T2} root b\n"), "f")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f:2:") && e.contains("root"), "{e}");
        assert!(!e.contains(T2), "{e}");
        let e = TokenStore::parse_lines("short viewer a", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("shorter") && !e.contains("short viewer"), "{e}");
        let e = TokenStore::parse_lines(&format!("{T1} viewer a\n{T1} admin b"), "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("repeats") && !e.contains(T1), "{e}");
        assert!(TokenStore::parse_lines(&format!("{T1} viewer"), "f").is_err());
    }

    #[test]
    fn debug_never_shows_tokens() {
        let store = TokenStore::parse_lines(&format!("{T1} viewer a"), "f").unwrap();
        assert!(!format!("{store:?}").contains(T1));
    }
}
