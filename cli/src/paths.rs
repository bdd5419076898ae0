//! Finding the project's files from wherever the command runs.

use std::path::{Path, PathBuf};

/// The project's root (where `scenarios/` and `traces/` are).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A path as given if it exists, otherwise relative to the project root
/// (so `scenarios/quickstart.toml` works from any directory).
pub fn resolve(path: &Path) -> PathBuf {
    if path.exists() || path.is_absolute() {
        return path.to_path_buf();
    }
    let candidate = project_root().join(path);
    if candidate.exists() {
        candidate
    } else {
        path.to_path_buf()
    }
}

/// The default scenario.
pub fn quickstart() -> PathBuf {
    PathBuf::from("scenarios/quickstart.toml")
}
