//! `lighthouse fleet-server <scenario> [--speed X] [--listen ADDR]`: a
//! scenario's simulated fleet against the wall clock, behind the OmniCloud
//! REST routes and a Prometheus exposition, until Ctrl-C or SIGTERM. It
//! runs no engine: point `lighthouse live` at it.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use lighthouse_live::{FleetServer, FleetServerOptions, shutdown_signal};
use lighthouse_sim::load_scenario;

/// Arguments of `fleet-server`.
#[derive(Args, Debug)]
pub struct FleetServerArgs {
    /// The scenario whose fleet and load are served.
    pub scenario: PathBuf,
    /// Simulated seconds per wall-clock second.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8002")]
    pub listen: SocketAddr,
    /// Environment variable holding the bearer token the `/api/v1` routes
    /// need (default: no token needed).
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// The platform id the apps are served under.
    #[arg(long, default_value = "1")]
    pub platform_id: String,
}

/// Serves the fleet until interrupted.
pub fn fleet_server(args: FleetServerArgs) -> anyhow::Result<()> {
    let scenario = load_scenario(&args.scenario)?;
    let token =
        match &args.token_env {
            Some(var) => Some(std::env::var(var).with_context(|| {
                format!("--token-env {var}: the environment variable is not set")
            })?),
            None => None,
        };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let options = FleetServerOptions {
            speed: args.speed,
            listen: args.listen,
            token,
            platform_id: args.platform_id.clone(),
        };
        let server = FleetServer::start(&scenario, options).await?;
        eprintln!(
            "lighthouse fleet-server: {} on http://{} at {}x (platform {}); Ctrl-C stops it",
            scenario.scenario.simulation.name,
            server.addr(),
            args.speed,
            args.platform_id
        );
        shutdown_signal().await;
        server.shutdown().await;
        anyhow::Ok(())
    })
}
