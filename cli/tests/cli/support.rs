//! Running the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn lighthouse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lighthouse"))
        .args(args)
        .current_dir(root())
        .env("CI", "1")
        .output()
        .expect("the binary runs")
}

pub fn ok(args: &[&str]) -> String {
    let out = lighthouse(args);
    assert!(
        out.status.success(),
        "lighthouse {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn scenario(name: &str) -> String {
    root().join("scenarios").join(name).display().to_string()
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Asserts that `a` and `b` hold the same files with the same bytes, and
/// returns their relative paths.
pub fn assert_identical_dirs(a: &Path, b: &Path) -> Vec<PathBuf> {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(fa, fb);
    for f in &fa {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{} differs",
            f.display()
        );
    }
    fa
}
