//! Running live mode: the engine in real time with the configured
//! adapters, the management API, state saved after changes and
//! periodically (and restored at start), and in shadow mode the run
//! directory.
//!
//! - [`build`]: adapters and the restored engine core.
//! - [`tasks`]: the background tasks.

pub mod build;
pub mod tasks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lighthouse_engine::adapters::HttpError;
use lighthouse_engine::config::ConfigError;
use lighthouse_engine::runtime::CycleListener;
use lighthouse_engine::{
    EngineCore, LighthouseCallbacks, LighthouseEngine, LighthouseError, LighthouseHandle,
    ResourceMetrics, ScalingExecutor, Timestamp,
};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::api::{ApiEvents, ApiState, Clock, router, wall_clock};
use crate::audit::{AuditError, AuditLog};
use crate::config::LiveConfig;
use crate::providers::LatestMetrics;
use crate::recording::{ShadowRun, shadow_meta, write_run_dir};
use crate::shadow::ShadowExecutor;
use crate::state_store::{StateError, StateStore};
use crate::telemetry::EngineMetrics;
use crate::tokens::{TokenError, TokenStore};

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    /// Decide and record, never act.
    pub shadow: bool,
    /// The shadow run directory, instead of the configured one.
    pub run_dir: Option<PathBuf>,
    /// The API's address, instead of `api.listen` (e.g. `127.0.0.1:0`).
    pub listen: Option<SocketAddr>,
}

/// Why live mode could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The configuration cannot be run.
    #[error("configuration: {0}")]
    Config(String),
    /// The engine configuration was refused.
    #[error(transparent)]
    EngineConfig(#[from] ConfigError),
    /// The engine refused something.
    #[error(transparent)]
    Engine(#[from] LighthouseError),
    /// An adapter could not be set up.
    #[error("adapter: {0}")]
    Adapter(#[from] HttpError),
    /// The state could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// The tokens could not be loaded.
    #[error("API tokens: {0}")]
    Tokens(#[from] TokenError),
    /// The audit log could not be opened.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// The API address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The shadow run could not be set up or written.
    #[error("shadow run: {0}")]
    Recording(String),
    /// A task failed.
    #[error("task: {0}")]
    Task(String),
}

/// What the API's changes set in motion.
struct LiveEvents {
    latest: LatestMetrics,
    shadow: Option<Arc<ShadowRun>>,
    save: Arc<Notify>,
}

impl ApiEvents for LiveEvents {
    fn metrics_pushed(&self, sample: &ResourceMetrics) {
        self.latest.record(sample);
    }

    fn config_changed(&self, at: Timestamp, version: u64, origin: &str) {
        if let Some(run) = &self.shadow {
            run.config_changed(at.as_millis(), version, origin);
        }
    }

    fn state_changed(&self) {
        self.save.notify_one();
    }
}

/// Live mode, running. Stop it with [`LiveService::shutdown`].
pub struct LiveService {
    api_addr: SocketAddr,
    handle: LighthouseHandle,
    clock: Clock,
    store: Arc<StateStore>,
    shadow: Option<(Arc<ShadowRun>, PathBuf, Arc<ShadowExecutor>)>,
    latest: LatestMetrics,
    cycles: watch::Receiver<u64>,
    stop: watch::Sender<bool>,
    engine: JoinHandle<EngineCore>,
    tasks: Vec<JoinHandle<()>>,
}

/// What shutting down left on disk.
#[derive(Clone, Debug, PartialEq)]
pub struct ShutdownReport {
    /// The state file written last.
    pub state_file: PathBuf,
    /// The shadow run directory, in shadow mode.
    pub run_dir: Option<PathBuf>,
    /// Actions shadow mode would have executed.
    pub shadow_actions: u64,
}

/// The state file of shadow mode beside live mode's: `engine.json` →
/// `engine.shadow.json`.
pub fn shadow_state_path(path: &std::path::Path) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}.shadow.{}", ext.to_string_lossy()),
        None => format!("{stem}.shadow"),
    };
    path.with_file_name(name)
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.001))
}

impl LiveService {
    /// Starts live mode: restores the state, starts the engine, its tasks
    /// and the API; returns once the API is listening.
    pub async fn start(config: LiveConfig, options: LiveOptions) -> Result<Self, LiveError> {
        let engine_config = config
            .engine
            .clone()
            .ok_or_else(|| LiveError::Config("no engine configuration".to_string()))?;
        let clock = wall_clock();
        let now = clock();
        let adapters = build::adapters(&config, &engine_config)?;
        let real: Arc<dyn ScalingExecutor> = adapters.executor.clone();
        let shadow_executor = options
            .shadow
            .then(|| Arc::new(ShadowExecutor::new(real.clone())));
        let executor: Arc<dyn ScalingExecutor> = match &shadow_executor {
            Some(s) => s.clone(),
            None => real,
        };
        let metrics = EngineMetrics::new(options.shadow);
        let mut callbacks = LighthouseCallbacks::new(Arc::new(adapters.metrics), executor)
            .add_observer(metrics.clone());

        let sample_s = config
            .shadow
            .sample_interval_seconds
            .unwrap_or(engine_config.evaluation_interval_seconds as f64);
        let mut shadow = None;
        if let Some(shadow_exec) = shadow_executor {
            let dir = options
                .run_dir
                .clone()
                .or(config.shadow.run_dir.clone())
                .unwrap_or_else(|| {
                    let base = config
                        .state
                        .path
                        .parent()
                        .map(PathBuf::from)
                        .unwrap_or_default();
                    base.join(format!("shadow-{}", now.as_millis()))
                });
            let meta = shadow_meta(
                &engine_config,
                &config.resources,
                &config.shadow,
                now.as_millis(),
                sample_s,
            );
            let pools: Vec<String> = config
                .resources
                .iter()
                .filter(|r| r.id.starts_with("worker_node:"))
                .map(|r| r.id.clone())
                .collect();
            let run = ShadowRun::new(meta, &pools, &config.shadow)
                .map_err(|e| LiveError::Recording(e.to_string()))?;
            let run = Arc::new(run);
            callbacks = callbacks.add_observer(run.clone());
            shadow = Some((run, dir, shadow_exec));
        }

        // Shadow mode keeps its own state: its would-be actions must never
        // leave cooldowns or capacities behind for live mode.
        let state_path = if options.shadow {
            shadow_state_path(&config.state.path)
        } else {
            config.state.path.clone()
        };
        let store = Arc::new(StateStore::new(state_path));
        let (mut core, dropped) = build::restore_core(&store, engine_config.clone(), now)?;
        if !dropped.is_empty() {
            tracing::warn!(?dropped, "saved resources whose type is gone were dropped");
        }
        for r in &config.resources {
            let type_name = r.type_name().unwrap_or_default();
            core.register_resource(&r.id, &type_name, r.source)?;
        }

        let save = Arc::new(Notify::new());
        let (cycle_tx, cycles) = watch::channel(0u64);
        let on_cycle: CycleListener = {
            let save = save.clone();
            Arc::new(move |report, _| {
                if report.decisions + report.executed + report.errors > 0 {
                    save.notify_one();
                }
                cycle_tx.send_modify(|n| *n += 1);
            })
        };
        let engine = LighthouseEngine::from_core(core, callbacks, now)
            .on_cycle(metrics.cycle_listener())
            .on_cycle(on_cycle);
        let handle = engine.handle();

        let mut tokens = TokenStore::default();
        if let Some(file) = &config.api.tokens_file {
            tokens = tokens.merge(TokenStore::load_file(file)?)?;
        }
        if let Some(var) = &config.api.tokens_env {
            tokens = tokens.merge(TokenStore::from_env(var)?)?;
        }
        if tokens.is_empty() {
            tracing::warn!("no API tokens: every protected route will answer 401");
        }
        let audit = AuditLog::open(&config.api.audit_log)?;
        let events = Arc::new(LiveEvents {
            latest: adapters.latest.clone(),
            shadow: shadow.as_ref().map(|s| s.0.clone()),
            save: save.clone(),
        });
        let state = ApiState {
            handle: handle.clone(),
            tokens: Arc::new(tokens),
            audit,
            metrics,
            scrape_auth: config.api.scrape_auth,
            shadow: options.shadow,
            clock: clock.clone(),
            events,
        };
        let addr = match options.listen {
            Some(a) => a,
            None => config.api.listen.parse().map_err(|_| {
                LiveError::Config(format!(
                    "api.listen {:?} is not an address",
                    config.api.listen
                ))
            })?,
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| LiveError::Bind { addr, source })?;
        let api_addr = listener
            .local_addr()
            .map_err(|source| LiveError::Bind { addr, source })?;
        if let Some(file) = &config.api.address_file {
            let text = format!("{api_addr}\n");
            std::fs::write(file, text).map_err(|e| {
                LiveError::Config(format!("api.address_file {}: {e}", file.display()))
            })?;
        }
        // Started only once everything that may fail has succeeded.
        let engine_task = tokio::spawn(engine.start());
        let (stop, stop_rx) = watch::channel(false);
        let app = router(state, config.api.max_body_bytes);
        let server = {
            let stop = tasks::stopped(stop_rx.clone());
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(stop)
                    .await
                {
                    tracing::error!(error = %e, "the management API stopped");
                }
            })
        };
        let mut background = vec![
            server,
            tokio::spawn(tasks::save_state(
                handle.clone(),
                store.clone(),
                save,
                Duration::from_secs(config.state.save_interval_seconds),
                stop_rx.clone(),
            )),
            tokio::spawn(tasks::sync_protected_workers(
                handle.clone(),
                adapters.executor.clone(),
                config.resources.iter().map(|r| r.id.clone()).collect(),
                Duration::from_secs(engine_config.evaluation_interval_seconds),
                stop_rx.clone(),
            )),
        ];
        if let Some((run, dir, _)) = &shadow {
            background.push(tokio::spawn(tasks::sample_shadow(
                handle.clone(),
                run.clone(),
                adapters.latest.clone(),
                clock.clone(),
                secs(sample_s),
                stop_rx.clone(),
            )));
            background.push(tokio::spawn(tasks::flush_shadow(
                run.clone(),
                dir.clone(),
                clock.clone(),
                Duration::from_secs(config.shadow.flush_interval_seconds),
                stop_rx,
            )));
        }
        tracing::info!(%api_addr, shadow = options.shadow, "live mode started");
        Ok(LiveService {
            api_addr,
            handle,
            clock,
            store,
            shadow,
            latest: adapters.latest,
            cycles,
            stop,
            engine: engine_task,
            tasks: background,
        })
    }

    /// Where the management API listens.
    pub fn api_addr(&self) -> SocketAddr {
        self.api_addr
    }

    /// A handle to the engine.
    pub fn handle(&self) -> &LighthouseHandle {
        &self.handle
    }

    /// Counts evaluation cycles run so far (wait on it with `changed`).
    pub fn cycles(&self) -> watch::Receiver<u64> {
        self.cycles.clone()
    }

    /// The shadow run directory, in shadow mode.
    pub fn run_dir(&self) -> Option<&std::path::Path> {
        self.shadow.as_ref().map(|s| s.1.as_path())
    }

    /// Stops the API, the tasks and the engine; saves the state and, in
    /// shadow mode, writes the run directory.
    pub async fn shutdown(self) -> Result<ShutdownReport, LiveError> {
        let _ = self.stop.send(true);
        for task in self.tasks {
            task.await.map_err(|e| LiveError::Task(e.to_string()))?;
        }
        let _ = self.handle.shutdown().await;
        let core = self
            .engine
            .await
            .map_err(|e| LiveError::Task(e.to_string()))?;
        let now = (self.clock)();
        let state = core.export_state(now);
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.save(&state))
            .await
            .map_err(|e| LiveError::Task(e.to_string()))??;
        let mut report = ShutdownReport {
            state_file: self.store.path().to_path_buf(),
            run_dir: None,
            shadow_actions: 0,
        };
        if let Some((run, dir, executor)) = self.shadow {
            run.sample(
                now.as_millis(),
                &core.snapshot(),
                &self.latest.snapshot(),
                core.spend_per_hour(),
            );
            let record = run
                .record(now.as_millis())
                .ok_or_else(|| LiveError::Recording("the recorder is unusable".to_string()))?;
            let target = dir.clone();
            tokio::task::spawn_blocking(move || write_run_dir(&target, &record))
                .await
                .map_err(|e| LiveError::Task(e.to_string()))?
                .map_err(|e| LiveError::Recording(e.to_string()))?;
            report.run_dir = Some(dir);
            report.shadow_actions = executor.count();
        }
        tracing::info!(?report, "live mode stopped");
        Ok(report)
    }
}

/// Runs live mode until Ctrl-C or SIGTERM, then shuts down cleanly.
pub async fn run_live(config: LiveConfig, options: LiveOptions) -> anyhow::Result<()> {
    let service = LiveService::start(config, options).await?;
    eprintln!(
        "lighthouse live: management API on http://{}",
        service.api_addr()
    );
    shutdown_signal().await;
    let report = service.shutdown().await?;
    if let Some(dir) = &report.run_dir {
        eprintln!("lighthouse live: shadow run written to {}", dir.display());
    }
    Ok(())
}

/// Waits for Ctrl-C, or on Unix for SIGTERM too (how service managers and
/// Kubernetes stop a process).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
