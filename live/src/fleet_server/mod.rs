//! The fleet server: a scenario's simulated fleet run against the wall
//! clock (optionally sped up), behind the OmniCloud REST routes the live
//! adapters use and a Prometheus exposition, for end-to-end runs of live
//! mode without a real platform.
//!
//! It runs no autoscaling engine: the fleet changes only when a client
//! (`lighthouse live`) scales it through the routes. Simulated time starts
//! at the scenario's `simulation.start` when the server starts and runs
//! `speed` times faster than the wall clock; past the scenario's duration
//! the load generators simply go on. Injected faults, maintenance windows
//! and configuration changes of the scenario are the simulator's business
//! and are not played here.
//!
//! - [`model`]: [`FleetModel`], the fleet, its load and its counters.
//! - [`clock`]: [`SimClock`], wall-clock to simulated time.
//! - [`routes`]: the REST routes and `/metrics`.
//! - [`exposition`]: the Prometheus text.

pub mod clock;
pub mod exposition;
pub mod model;
pub mod routes;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lighthouse_sim::LoadedScenario;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use clock::SimClock;
pub use model::{FleetModel, ScaleCall};
pub use routes::{FleetState, fleet_router};

/// How to serve the fleet.
#[derive(Clone, Debug)]
pub struct FleetServerOptions {
    /// Simulated seconds per wall-clock second (> 0).
    pub speed: f64,
    /// Address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// Bearer token the `/api/v1` routes need; `None`: open.
    pub token: Option<String>,
    /// The platform id the apps are served under.
    pub platform_id: String,
}

impl Default for FleetServerOptions {
    fn default() -> Self {
        FleetServerOptions {
            speed: 1.0,
            listen: SocketAddr::from(([127, 0, 0, 1], 8002)),
            token: None,
            platform_id: "1".to_string(),
        }
    }
}

/// Why the fleet server could not start.
#[derive(Debug, thiserror::Error)]
pub enum FleetServerError {
    /// A bad option.
    #[error("{0}")]
    Options(String),
    /// The scenario cannot be served.
    #[error("scenario {file}: {message}")]
    Scenario {
        /// The scenario file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// The fleet server, running. Stop it with [`FleetServer::shutdown`].
pub struct FleetServer {
    addr: SocketAddr,
    state: FleetState,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl FleetServer {
    /// Builds the scenario's fleet and serves it; returns once listening.
    pub async fn start(
        scenario: &LoadedScenario,
        options: FleetServerOptions,
    ) -> Result<FleetServer, FleetServerError> {
        if !(options.speed.is_finite() && options.speed > 0.0) {
            return Err(FleetServerError::Options(format!(
                "--speed {} must be a number above 0",
                options.speed
            )));
        }
        let model =
            FleetModel::new(&scenario.scenario).map_err(|message| FleetServerError::Scenario {
                file: scenario.source.clone(),
                message,
            })?;
        let clock = SimClock::new(model.start_ms(), options.speed);
        let dt_wall =
            Duration::from_secs_f64((model.sample_interval_s() / options.speed).clamp(0.05, 5.0));
        let state = FleetState {
            model: Arc::new(Mutex::new(model)),
            clock,
            token: options.token.clone(),
            platform_id: options.platform_id.clone(),
        };
        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .map_err(|source| FleetServerError::Bind {
                addr: options.listen,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| FleetServerError::Bind {
                addr: options.listen,
                source,
            })?;
        let (stop, stop_rx) = watch::channel(false);
        let server = {
            let app = fleet_router(state.clone());
            let mut rx = stop_rx.clone();
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = rx.wait_for(|s| *s).await;
                };
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .await
                {
                    tracing::error!(error = %e, "the fleet server stopped");
                }
            })
        };
        // The fleet moves on between requests too, so that counters and
        // start-ups follow the clock.
        let ticker = {
            let state = state.clone();
            let mut rx = stop_rx;
            tokio::spawn(async move {
                let mut every = tokio::time::interval(dt_wall);
                loop {
                    tokio::select! {
                        _ = every.tick() => { drop(state.now()); }
                        _ = rx.wait_for(|s| *s) => break,
                    }
                }
            })
        };
        tracing::info!(%addr, speed = options.speed, "fleet server started");
        Ok(FleetServer {
            addr,
            state,
            stop,
            tasks: vec![server, ticker],
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The fleet (lock it briefly; routes wait meanwhile).
    pub fn model(&self) -> Arc<Mutex<FleetModel>> {
        self.state.model.clone()
    }

    /// Scale calls received so far.
    pub fn scale_calls(&self) -> Vec<ScaleCall> {
        self.state.now().scale_calls().to_vec()
    }

    /// Stops serving and waits for the tasks to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
