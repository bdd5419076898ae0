//! `lighthouse compare DIR_A DIR_B … [--baseline A]`.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use lighthouse_reports::compare_runs;

/// Arguments of `compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Run directories (at least two).
    #[arg(required = true, num_args = 2..)]
    pub runs: Vec<PathBuf>,
    /// The baseline run: a directory given above, or its position (0-based).
    #[arg(long)]
    pub baseline: Option<String>,
    /// Where to write the comparison (default `runs/compare`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Compares runs and writes the comparison.
pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let baseline = match &args.baseline {
        None => 0,
        Some(b) => match b.parse::<usize>() {
            Ok(i) if i < args.runs.len() => i,
            _ => match args.runs.iter().position(|r| r == &PathBuf::from(b)) {
                Some(i) => i,
                None => {
                    bail!("--baseline {b:?} is neither a position nor one of the run directories")
                }
            },
        },
    };
    let out = args.out.unwrap_or_else(|| PathBuf::from("runs/compare"));
    compare_runs(&args.runs, baseline, &out)?;
    println!("comparison: {}", out.join("compare.html").display());
    Ok(())
}
