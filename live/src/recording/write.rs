//! Writing a shadow run directory. Files are first written to a staging
//! directory inside it and then renamed into place one by one, so a reader
//! (or a crash) never sees a half-written file.
//!
//! With the `parquet` feature (the default) the directory is written by
//! `lighthouse_reports::write_run`, exactly as a simulation's. Without it,
//! `run.json` and `events.jsonl` (one JSON object per event) are written.

use std::fs;
use std::path::{Path, PathBuf};

use lighthouse_sim::record::RunRecord;

/// The staging directory's name, inside the run directory.
const STAGING: &str = ".writing";

/// Why the run directory could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The tables could not be written.
    #[error("{0}")]
    Write(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RecordingError + '_ {
    move |source| RecordingError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `run` into `dir` (created if missing; files replaced).
pub fn write_run_dir(dir: &Path, run: &RunRecord) -> Result<(), RecordingError> {
    let staging = dir.join(STAGING);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    fs::create_dir_all(&staging).map_err(io(&staging))?;
    write_files(&staging, run)?;
    for entry in fs::read_dir(&staging).map_err(io(&staging))? {
        let entry = entry.map_err(io(&staging))?;
        let target = dir.join(entry.file_name());
        fs::rename(entry.path(), &target).map_err(io(&target))?;
    }
    fs::remove_dir(&staging).map_err(io(&staging))
}

#[cfg(feature = "parquet")]
fn write_files(dir: &Path, run: &RunRecord) -> Result<(), RecordingError> {
    lighthouse_reports::write_run(dir, run).map_err(|e| RecordingError::Write(e.to_string()))
}

#[cfg(not(feature = "parquet"))]
fn write_files(dir: &Path, run: &RunRecord) -> Result<(), RecordingError> {
    use std::io::Write;
    let json =
        serde_json::to_vec_pretty(&run.meta).map_err(|e| RecordingError::Write(e.to_string()))?;
    let meta = dir.join("run.json");
    fs::write(&meta, json).map_err(io(&meta))?;
    let path = dir.join("events.jsonl");
    let mut out = std::io::BufWriter::new(fs::File::create(&path).map_err(io(&path))?);
    for e in &run.events {
        let resource = &run.resources[e.resource.0 as usize];
        let line = serde_json::json!({
            "t_ms": e.t_ms,
            "action_id": e.action_id,
            "resource_id": resource.id,
            "layer": resource.layer.as_str(),
            "kind": e.kind.as_str(),
            "direction": e.direction.as_str(),
            "from_capacity": e.from_capacity,
            "to_capacity": e.to_capacity,
            "signal_since_ms": e.signal_since_ms,
            "reason": e.reason,
        });
        writeln!(out, "{line}").map_err(io(&path))?;
    }
    out.flush().map_err(io(&path))
}
