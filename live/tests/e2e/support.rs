//! A Prometheus server as a child process, killed when dropped, and
//! waiting for a condition with a deadline.

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `prometheus` binary: `LIGHTHOUSE_PROMETHEUS`, else `prometheus` on
/// `PATH`. When there is none, `None` if `LIGHTHOUSE_SKIP_E2E=1`, else the
/// test fails with what to install.
pub fn prometheus_binary() -> Option<PathBuf> {
    let found = std::env::var_os("LIGHTHOUSE_PROMETHEUS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join("prometheus"))
                    .find(|p| p.is_file())
            })
        });
    match found {
        Some(p) => Some(p),
        None if std::env::var("LIGHTHOUSE_SKIP_E2E").as_deref() == Ok("1") => {
            eprintln!("LIGHTHOUSE_SKIP_E2E=1: the end-to-end test is skipped (no prometheus)");
            None
        }
        None => panic!(
            "the end-to-end test needs the prometheus binary: install it \
             (apt-get install -y prometheus), point LIGHTHOUSE_PROMETHEUS at it, \
             or set LIGHTHOUSE_SKIP_E2E=1 to skip this test"
        ),
    }
}

/// A free loopback port (free when asked; Prometheus binds it next).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running Prometheus; killed (and reaped) when dropped.
pub struct Prometheus {
    child: Child,
    port: u16,
}

impl Prometheus {
    /// Starts `binary` scraping `target` (`host:port`) every second, with
    /// its configuration and storage under `dir`.
    pub fn start(binary: &Path, dir: &Path, target: &str) -> Prometheus {
        let port = free_port();
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
                 scrape_configs:\n  - job_name: fleet\n    static_configs:\n      - targets: [\"{target}\"]\n"
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.join("prometheus.log")).unwrap();
        let child = Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        Prometheus { child, port }
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` every 200 ms until it holds; fails after `seconds`.
pub async fn wait_until<F, Fut>(what: &str, seconds: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if check().await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "gave up after {seconds} s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
