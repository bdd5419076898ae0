//! `lighthouse report <run dir>`.

use std::path::PathBuf;

use clap::Args;
use lighthouse_reports::{ReportOptions, generate_report};

/// Arguments of `report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run directory written by `run`, `replay` or `live --shadow`.
    pub run_dir: PathBuf,
    /// Apps that get their own plots.
    #[arg(long, default_value_t = 5)]
    pub top_apps: usize,
    /// Skip the plots (faster).
    #[arg(long)]
    pub no_plots: bool,
}

/// Regenerates the report of a run directory.
pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let options = ReportOptions {
        top_apps: args.top_apps,
        plots: !args.no_plots,
        ..ReportOptions::default()
    };
    let summary = generate_report(&args.run_dir, &options)?;
    print!(
        "{}",
        crate::table::summary(&summary.run.scenario, &summary.figures, None)
    );
    println!("report: {}", args.run_dir.join("report.html").display());
    Ok(())
}
