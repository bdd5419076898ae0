//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};

use lighthouse_replay::{ReadOptions, Trace, TraceError, read_trace};

/// The shipped sample traces (`/traces` at the workspace root).
pub fn traces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../traces")
}

/// A file under the shipped traces.
pub fn trace_file(rel: &str) -> PathBuf {
    traces_dir().join(rel)
}

/// A temporary file holding `bytes`, named `name`; the directory lives as
/// long as the returned guard.
pub fn temp_file(name: &str, bytes: impl AsRef<[u8]>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    (dir, path)
}

/// Reads `content` written to a temporary `name` with `opts`.
pub fn read_str(name: &str, content: &str, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let (_dir, path) = temp_file(name, content);
    read_trace(&path, opts)
}

/// Epoch ms of an RFC 3339 instant.
pub fn utc(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("valid RFC 3339")
        .timestamp_millis()
}
