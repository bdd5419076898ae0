//! The async runtime around the core: [`LighthouseEngine`] runs the
//! evaluation loop on tokio, and [`LighthouseHandle`] talks to it.
//!
//! The wall clock is read only here, at the edge: the engine's time is the
//! start time plus tokio's monotonic elapsed time, so tests with tokio's
//! paused clock run the real loop without sleeping.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::callbacks::{CallbackContext, LighthouseCallbacks, ScalingErrorEvent};
use crate::config::{ConfigError, ConfigVersion, LighthouseConfig};
use crate::core::{
    EngineCore, EngineState, EngineStatus, MetricsSource, Override, ResourceSnapshot,
};
use crate::driver::{CycleReport, CycleScratch, run_cycle};
use crate::error::{LighthouseError, LighthouseResult};
use crate::time::{Span, Timestamp};
use crate::types::ResourceLayer;
use crate::types::{ResourceMetrics, ScaleAction};

enum Command {
    UpdateMetrics(ResourceMetrics, oneshot::Sender<LighthouseResult<()>>),
    Register(
        String,
        String,
        MetricsSource,
        oneshot::Sender<LighthouseResult<()>>,
    ),
    UpdateConfig(LighthouseConfig, oneshot::Sender<Result<u64, ConfigError>>),
    Rollback(u64, oneshot::Sender<Result<u64, ConfigError>>),
    Config(oneshot::Sender<LighthouseConfig>),
    History(oneshot::Sender<Vec<ConfigVersion>>),
    Recommendation(
        String,
        oneshot::Sender<LighthouseResult<Option<ScaleAction>>>,
    ),
    Override(
        String,
        Option<Override>,
        oneshot::Sender<LighthouseResult<()>>,
    ),
    Status(oneshot::Sender<EngineStatus>),
    Snapshot(oneshot::Sender<Vec<ResourceSnapshot>>),
    State(oneshot::Sender<EngineState>),
    SpendRate(f64, oneshot::Sender<()>),
    Maintenance(String, Option<Vec<ResourceLayer>>, oneshot::Sender<()>),
    Protected(String, u32, oneshot::Sender<LighthouseResult<()>>),
    Shutdown(oneshot::Sender<()>),
}

/// Called after every evaluation cycle with its report and how long it took
/// on the wall clock (for the engine's own metrics).
pub type CycleListener = Arc<dyn Fn(&CycleReport, std::time::Duration) + Send + Sync>;

/// Maps tokio's monotonic clock to engine timestamps.
#[derive(Clone, Copy, Debug)]
struct Clock {
    base: Timestamp,
    start: Instant,
}

impl Clock {
    fn now(&self) -> Timestamp {
        self.base + Span::from_millis(self.start.elapsed().as_millis() as i64)
    }

    fn instant_of(&self, at: Timestamp) -> Instant {
        let offset = at.since(self.base).as_millis().max(0) as u64;
        self.start + std::time::Duration::from_millis(offset)
    }
}

/// The running engine. Create it, take a [`handle`](Self::handle), then
/// [`start`](Self::start) it (usually in a spawned task).
pub struct LighthouseEngine {
    core: EngineCore,
    callbacks: LighthouseCallbacks,
    commands: mpsc::Receiver<Command>,
    sender: mpsc::Sender<Command>,
    clock: Clock,
    listeners: Vec<CycleListener>,
}

impl LighthouseEngine {
    /// An engine on the wall clock; the configuration is validated first.
    pub fn new(config: LighthouseConfig, callbacks: LighthouseCallbacks) -> LighthouseResult<Self> {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Self::starting_at(config, callbacks, Timestamp(wall))
    }

    /// An engine whose clock reads `start` now (for tests and replays).
    pub fn starting_at(
        config: LighthouseConfig,
        callbacks: LighthouseCallbacks,
        start: Timestamp,
    ) -> LighthouseResult<Self> {
        let core = EngineCore::new(config, start)?;
        Ok(Self::from_core(core, callbacks, start))
    }

    /// An engine around an existing core (restored state, for example).
    pub fn from_core(core: EngineCore, callbacks: LighthouseCallbacks, start: Timestamp) -> Self {
        let (sender, commands) = mpsc::channel(1024);
        LighthouseEngine {
            core,
            callbacks,
            commands,
            sender,
            clock: Clock {
                base: start,
                start: Instant::now(),
            },
            listeners: Vec::new(),
        }
    }

    /// Adds a listener called after every cycle.
    pub fn on_cycle(mut self, listener: CycleListener) -> Self {
        self.listeners.push(listener);
        self
    }

    /// A handle to talk to the engine; cheap to clone.
    pub fn handle(&self) -> LighthouseHandle {
        LighthouseHandle {
            sender: self.sender.clone(),
        }
    }

    /// Runs the evaluation loop until [`LighthouseHandle::shutdown`].
    /// Returns the core, so its state can be saved.
    pub async fn start(self) -> EngineCore {
        let LighthouseEngine {
            mut core,
            callbacks,
            mut commands,
            sender,
            clock,
            listeners,
        } = self;
        // Only handles keep the channel open; the engine's own sender must
        // not, or the loop could never notice they are all gone.
        drop(sender);
        let mut scratch = CycleScratch::default();
        let metadata = Arc::new(core.config().global_settings.clone());
        let mut metadata_version = core.status().config_version;
        loop {
            let wake = clock.instant_of(core.next_wakeup());
            tokio::select! {
                biased;
                command = commands.recv() => {
                    let Some(command) = command else { break };
                    if let Some(done) = handle_command(&mut core, &callbacks, command, clock.now()).await {
                        let _ = done.send(());
                        break;
                    }
                }
                _ = tokio::time::sleep_until(wake) => {
                    let now = clock.now();
                    let version = core.status().config_version;
                    let metadata = if version == metadata_version {
                        metadata.clone()
                    } else {
                        metadata_version = version;
                        Arc::new(core.config().global_settings.clone())
                    };
                    let context = CallbackContext { timestamp: now, metadata };
                    let started = std::time::Instant::now();
                    let report = run_cycle(&mut core, &callbacks, &context, &mut scratch).await;
                    let took = started.elapsed();
                    if report.kind.is_some() {
                        for listener in &listeners {
                            listener(&report, took);
                        }
                    }
                    if core.config().enable_logging && report.decisions + report.errors > 0 {
                        tracing::info!(?report, "evaluation cycle");
                    }
                }
            }
        }
        core
    }
}

/// Handles one command; returns the shutdown acknowledgement when asked to stop.
async fn handle_command(
    core: &mut EngineCore,
    callbacks: &LighthouseCallbacks,
    command: Command,
    now: Timestamp,
) -> Option<oneshot::Sender<()>> {
    match command {
        Command::UpdateMetrics(metrics, reply) => {
            let result = core.observe_metrics(&metrics).map(|_| ());
            if let Err(error) = &result {
                let context = CallbackContext {
                    timestamp: now,
                    metadata: Arc::new(core.config().global_settings.clone()),
                };
                let event = ScalingErrorEvent {
                    resource_id: metrics.resource_id.clone(),
                    action: None,
                    error: error.clone(),
                    retry: None,
                };
                for observer in &callbacks.observers {
                    let _ = observer.on_scaling_error(&event, &context).await;
                }
            }
            let _ = reply.send(result);
        }
        Command::Register(id, kind, source, reply) => {
            let _ = reply.send(core.register_resource(&id, &kind, source).map(|_| ()));
        }
        Command::UpdateConfig(config, reply) => {
            let _ = reply.send(core.update_config(config, now));
        }
        Command::Rollback(version, reply) => {
            let _ = reply.send(core.rollback_config(version, now));
        }
        Command::Config(reply) => {
            let _ = reply.send(core.config().clone());
        }
        Command::History(reply) => {
            let _ = reply.send(core.config_history().versions().cloned().collect());
        }
        Command::Recommendation(id, reply) => {
            let result = match core.resource_key(&id) {
                Some(key) => Ok(core.recommendation(key, now)),
                None => Err(LighthouseError::ResourceNotFound { resource_id: id }),
            };
            let _ = reply.send(result);
        }
        Command::Override(id, value, reply) => {
            let result = match core.resource_key(&id) {
                Some(key) => {
                    core.set_override(key, value);
                    Ok(())
                }
                None => Err(LighthouseError::ResourceNotFound { resource_id: id }),
            };
            let _ = reply.send(result);
        }
        Command::Status(reply) => {
            let _ = reply.send(core.status());
        }
        Command::Snapshot(reply) => {
            let _ = reply.send(core.snapshot());
        }
        Command::State(reply) => {
            let _ = reply.send(core.export_state(now));
        }
        Command::SpendRate(rate, reply) => {
            core.observe_spend_rate(rate, now);
            let _ = reply.send(());
        }
        Command::Maintenance(name, layers, reply) => {
            match layers {
                Some(layers) => core.begin_maintenance(&name, &layers),
                None => core.end_maintenance(&name),
            }
            let _ = reply.send(());
        }
        Command::Protected(id, count, reply) => {
            let result = match core.resource_key(&id) {
                Some(key) => {
                    core.set_protected_workers(key, count);
                    Ok(())
                }
                None => Err(LighthouseError::ResourceNotFound { resource_id: id }),
            };
            let _ = reply.send(result);
        }
        Command::Shutdown(done) => return Some(done),
    }
    None
}

/// Talks to a running [`LighthouseEngine`]. Every call fails with
/// [`LighthouseError::EngineStopped`] once the engine has stopped.
#[derive(Clone, Debug)]
pub struct LighthouseHandle {
    sender: mpsc::Sender<Command>,
}

impl LighthouseHandle {
    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> LighthouseResult<T> {
        let (tx, rx) = oneshot::channel();
        self.sender
            .send(make(tx))
            .await
            .map_err(|_| LighthouseError::EngineStopped)?;
        rx.await.map_err(|_| LighthouseError::EngineStopped)
    }

    /// Pushes a sample; invalid values are refused with the reason.
    pub async fn update_metrics(&self, metrics: ResourceMetrics) -> LighthouseResult<()> {
        self.ask(|tx| Command::UpdateMetrics(metrics, tx)).await?
    }

    /// Tracks a resource whose metrics the engine pulls (or expects pushed).
    pub async fn register_resource(
        &self,
        resource_id: &str,
        resource_type: &str,
        source: MetricsSource,
    ) -> LighthouseResult<()> {
        let (id, kind) = (resource_id.to_string(), resource_type.to_string());
        self.ask(|tx| Command::Register(id, kind, source, tx))
            .await?
    }

    /// Replaces the configuration after validation; returns the new version.
    /// A changed evaluation interval restarts the timer.
    pub async fn update_config(&self, config: LighthouseConfig) -> LighthouseResult<u64> {
        Ok(self.ask(|tx| Command::UpdateConfig(config, tx)).await??)
    }

    /// Goes back to a kept configuration version; returns the new version.
    pub async fn rollback_config(&self, version: u64) -> LighthouseResult<u64> {
        Ok(self.ask(|tx| Command::Rollback(version, tx)).await??)
    }

    /// The configuration in force.
    pub async fn get_config(&self) -> LighthouseResult<LighthouseConfig> {
        self.ask(Command::Config).await
    }

    /// Accepted configuration versions, oldest first.
    pub async fn config_history(&self) -> LighthouseResult<Vec<ConfigVersion>> {
        self.ask(Command::History).await
    }

    /// What the policy would do to a resource now (ignoring cooldowns).
    pub async fn get_recommendation(
        &self,
        resource_id: &str,
    ) -> LighthouseResult<Option<ScaleAction>> {
        let id = resource_id.to_string();
        self.ask(|tx| Command::Recommendation(id, tx)).await?
    }

    /// Pauses or pins a resource, or clears its override.
    pub async fn set_override(
        &self,
        resource_id: &str,
        value: Option<Override>,
    ) -> LighthouseResult<()> {
        let id = resource_id.to_string();
        self.ask(|tx| Command::Override(id, value, tx)).await?
    }

    /// The engine's status.
    pub async fn get_status(&self) -> LighthouseResult<EngineStatus> {
        self.ask(Command::Status).await
    }

    /// What must survive a restart.
    pub async fn snapshot(&self) -> LighthouseResult<Vec<ResourceSnapshot>> {
        self.ask(Command::Snapshot).await
    }

    /// The durable state, to save for a restart.
    pub async fn export_state(&self) -> LighthouseResult<EngineState> {
        self.ask(Command::State).await
    }

    /// Records the spending rate, currency per hour.
    pub async fn update_spend_rate(&self, per_hour: f64) -> LighthouseResult<()> {
        self.ask(|tx| Command::SpendRate(per_hour, tx)).await
    }

    /// Opens a named maintenance window for some layers (all when empty).
    pub async fn begin_maintenance(
        &self,
        name: &str,
        layers: Vec<ResourceLayer>,
    ) -> LighthouseResult<()> {
        let name = name.to_string();
        self.ask(|tx| Command::Maintenance(name, Some(layers), tx))
            .await
    }

    /// Closes a named maintenance window.
    pub async fn end_maintenance(&self, name: &str) -> LighthouseResult<()> {
        let name = name.to_string();
        self.ask(|tx| Command::Maintenance(name, None, tx)).await
    }

    /// Records how many workers of a pool run critical platform workloads.
    pub async fn set_protected_workers(
        &self,
        resource_id: &str,
        count: u32,
    ) -> LighthouseResult<()> {
        let id = resource_id.to_string();
        self.ask(|tx| Command::Protected(id, count, tx)).await?
    }

    /// Stops the loop; returns once it has stopped.
    pub async fn shutdown(&self) -> LighthouseResult<()> {
        self.ask(Command::Shutdown).await
    }
}
