//! `lighthouse live --config live.toml [--shadow]`: the engine in real
//! time against Prometheus and OmniCloud, with the management API, until
//! Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use lighthouse_live::{LiveOptions, load_live_config, run_live};

/// Arguments of `live`.
#[derive(Args, Debug)]
pub struct LiveArgs {
    /// The live configuration (see `live/live.example.toml`).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Shadow mode: decide and record everything, never act; the run
    /// directory works with `lighthouse report`.
    #[arg(long)]
    pub shadow: bool,
    /// The shadow run directory, instead of `shadow.run_dir`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The management API's address, instead of `api.listen`.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

/// Runs live mode until interrupted.
pub fn live(args: LiveArgs) -> anyhow::Result<()> {
    let config = load_live_config(&args.config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let options = LiveOptions {
        shadow: args.shadow,
        run_dir: args.out,
        listen: args.listen,
    };
    runtime.block_on(run_live(config, options))?;
    if args.shadow {
        eprintln!("lighthouse live: see the shadow run with `lighthouse report <run dir>`");
    }
    Ok(())
}
