//! The engine's durable state on disk, written atomically: the JSON goes
//! to a temporary file in the same directory, which is fsynced, renamed
//! over the state file, and the directory fsynced. A crash at any point
//! leaves either the previous state or the new one, never a torn file;
//! temporary files left by a crash are ignored (and removed) on load.
//!
//! Beside the state, `<state>.source.json` keeps the engine configuration
//! the configuration file held at the last start, so a restart can tell
//! whether the file changed (then it is applied) or not (then changes
//! made through the API since are kept).

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use lighthouse_engine::{EngineState, LighthouseConfig};

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A file operation failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The state file is not a saved engine state.
    #[error("state file {path}: not a saved engine state: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
}

/// Where the state lives.
#[derive(Debug)]
pub struct StateStore {
    path: PathBuf,
    counter: AtomicU64,
}

impl StateStore {
    /// A store for the state file `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        StateStore {
            path: path.into(),
            counter: AtomicU64::new(0),
        }
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn dir(&self) -> &Path {
        self.path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    fn temp_prefix(&self) -> String {
        let name = self
            .path
            .file_name()
            .map_or("state".into(), |n| n.to_string_lossy());
        format!(".{name}.tmp-")
    }

    /// The saved state, `None` when there is none yet. Temporary files of
    /// an interrupted save are removed, never read.
    pub fn load(&self) -> Result<Option<EngineState>, StateError> {
        self.remove_temporaries();
        let text = match fs::read(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        serde_json::from_slice(&text)
            .map(Some)
            .map_err(|e| StateError::Corrupt {
                path: self.path.clone(),
                message: e.to_string(),
            })
    }

    fn remove_temporaries(&self) {
        let prefix = self.temp_prefix();
        let Ok(entries) = fs::read_dir(self.dir()) else {
            return;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                tracing::warn!(file = %entry.path().display(), "removing the temporary file of an interrupted state save");
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Saves `state` atomically (see the module documentation).
    pub fn save(&self, state: &EngineState) -> Result<(), StateError> {
        self.write_json(&self.path, state)
    }

    /// Where the configuration file's engine configuration at the last
    /// start is kept.
    pub fn source_path(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".source.json");
        self.path.with_file_name(name)
    }

    /// The configuration file's engine configuration at the last start.
    pub fn load_source(&self) -> Result<Option<LighthouseConfig>, StateError> {
        let path = self.source_path();
        match fs::read(&path) {
            Ok(text) => serde_json::from_slice(&text)
                .map(Some)
                .map_err(|e| StateError::Corrupt {
                    path,
                    message: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StateError::Io { path, source }),
        }
    }

    /// Records the configuration file's engine configuration (atomically).
    pub fn save_source(&self, config: &LighthouseConfig) -> Result<(), StateError> {
        self.write_json(&self.source_path(), config)
    }

    fn write_json<T: serde::Serialize>(&self, target: &Path, value: &T) -> Result<(), StateError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StateError::Io { path, source }
        };
        let dir = self.dir().to_path_buf();
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let json = serde_json::to_vec_pretty(value).map_err(|e| StateError::Io {
            path: target.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!("{}{}-{n}", self.temp_prefix(), std::process::id()));
        let result = (|| {
            let mut file = File::create(&temp).map_err(io(&temp))?;
            file.write_all(&json).map_err(io(&temp))?;
            file.sync_all().map_err(io(&temp))?;
            drop(file);
            fs::rename(&temp, target).map_err(io(target))?;
            // The rename is durable once the directory is.
            File::open(&dir)
                .and_then(|d| d.sync_all())
                .map_err(io(&dir))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lighthouse_engine::{EngineCore, LighthouseConfig, Timestamp};

    fn state(at: i64) -> EngineState {
        let core = EngineCore::new(LighthouseConfig::default(), Timestamp(at)).unwrap();
        core.export_state(Timestamp(at))
    }

    #[test]
    fn saves_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("state/engine.json"));
        assert!(store.load().unwrap().is_none());
        store.save(&state(5)).unwrap();
        store.save(&state(9)).unwrap();
        assert_eq!(store.load().unwrap().unwrap().saved_at, Timestamp(9));
        let names: Vec<_> = fs::read_dir(dir.path().join("state"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["engine.json"], "no temporary file is left");
        assert!(store.load_source().unwrap().is_none());
        store.save_source(&LighthouseConfig::default()).unwrap();
        assert_eq!(
            store.load_source().unwrap(),
            Some(LighthouseConfig::default())
        );
        assert!(dir.path().join("state/engine.json.source.json").exists());
    }

    #[test]
    fn a_torn_temporary_file_is_ignored_and_the_previous_state_used() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("engine.json"));
        store.save(&state(7)).unwrap();
        // A crash in the middle of the next save: half a JSON document in
        // the temporary file, never renamed.
        let full = serde_json::to_vec_pretty(&state(8)).unwrap();
        let torn = dir.path().join(".engine.json.tmp-999-0");
        fs::write(&torn, &full[..full.len() / 2]).unwrap();
        let loaded = store.load().unwrap().unwrap();
        assert_eq!(loaded.saved_at, Timestamp(7));
        assert!(!torn.exists(), "the torn file is cleaned up");
    }

    #[test]
    fn a_corrupt_state_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("engine.json");
        fs::write(&path, b"{\"format_version\": 1").unwrap();
        let e = StateStore::new(&path).load().unwrap_err().to_string();
        assert!(
            e.contains("engine.json") && e.contains("not a saved engine state"),
            "{e}"
        );
    }
}
