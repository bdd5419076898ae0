//! The audit log: one JSON line per mutating API call (and per refused
//! attempt), with the time, who (the token's name, never the token), the
//! action, its target and its outcome. Each line is written and fsynced
//! before the call is answered.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use lighthouse_engine::Timestamp;
use serde::Serialize;

use crate::tokens::Role;

/// One audit line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEntry {
    /// When, as an RFC 3339 UTC time.
    pub time: String,
    /// When, Unix epoch milliseconds.
    pub time_ms: i64,
    /// The token's name, or `anonymous` when none was valid.
    pub identity: String,
    /// The token's role, when it was valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// What was asked, e.g. `PUT /config`.
    pub action: String,
    /// What it was asked of, e.g. a resource id or a version.
    pub target: String,
    /// `ok`, `unauthenticated`, `forbidden`, `rejected` or `failed`.
    pub outcome: String,
    /// The HTTP status answered.
    pub status: u16,
    /// More detail (an error's message, a new version number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl AuditEntry {
    /// An entry at `at`.
    pub fn new(at: Timestamp, action: &str, target: &str) -> Self {
        AuditEntry {
            time: at.to_string(),
            time_ms: at.as_millis(),
            identity: "anonymous".to_string(),
            role: None,
            action: action.to_string(),
            target: target.to_string(),
            outcome: String::new(),
            status: 0,
            detail: None,
        }
    }
}

/// Why the audit log could not be written.
#[derive(Debug, thiserror::Error)]
#[error("audit log {path}: {source}")]
pub struct AuditError {
    /// The file.
    pub path: PathBuf,
    /// The operating system's error.
    pub source: std::io::Error,
}

/// An append-only JSON-lines file; cheap to clone.
#[derive(Clone, Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Arc<Mutex<File>>,
}

impl AuditLog {
    /// Opens (or creates) the log for appending; its directory is created.
    pub fn open(path: &Path) -> Result<Self, AuditError> {
        let error = |source| AuditError {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(error)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(error)?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Arc::new(Mutex::new(file)),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry and waits until it is on disk.
    pub async fn record(&self, entry: &AuditEntry) -> Result<(), AuditError> {
        let mut line = serde_json::to_vec(entry).map_err(|e| AuditError {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        let file = self.file.clone();
        let path = self.path.clone();
        let write = move || -> std::io::Result<()> {
            let mut file = file
                .lock()
                .map_err(|_| std::io::Error::other("audit log lock poisoned"))?;
            file.write_all(&line)?;
            file.sync_data()
        };
        match tokio::task::spawn_blocking(write).await {
            Ok(result) => result.map_err(|source| AuditError { path, source }),
            Err(e) => Err(AuditError {
                path,
                source: std::io::Error::other(e),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_are_appended_as_json_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/audit.jsonl");
        let log = AuditLog::open(&path).unwrap();
        let mut e = AuditEntry::new(Timestamp::from_secs(1), "PUT /config", "config");
        e.identity = "alice".into();
        e.role = Some(Role::Admin);
        e.outcome = "ok".into();
        e.status = 200;
        log.record(&e).await.unwrap();
        log.record(&e).await.unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["identity"], "alice");
        assert_eq!(lines[0]["role"], "admin");
        assert_eq!(lines[0]["time"], "1970-01-01T00:00:01.000Z");
    }
}
