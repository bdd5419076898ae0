//! `merge`: the result tables of a sweep's shards into one table, the same
//! row for row as the unsharded sweep's, with the Pareto front, the
//! recommendation, the plot and `sweep.json` made again over every run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{TuneError, io};
use crate::output::{self, SweepMeta, Written};
use crate::plan::Shard;
use crate::sweep::SweepPlan;
use crate::table::ResultTable;
use crate::target::Target;

/// What a merge wrote.
#[derive(Clone, Debug)]
pub struct MergeOutcome {
    /// The merged table.
    pub table: ResultTable,
    /// The files and the recommendation.
    pub written: Written,
    /// Shards merged.
    pub shards: usize,
}

struct Part {
    dir: PathBuf,
    meta: SweepMeta,
    scenario: String,
}

fn read_part(dir: &Path) -> Result<Part, TuneError> {
    let meta_path = dir.join("sweep.json");
    let text = std::fs::read_to_string(&meta_path).map_err(io(&meta_path))?;
    let meta: SweepMeta = serde_json::from_str(&text).map_err(io(&meta_path))?;
    let scenario_path = dir.join("scenario.toml");
    let scenario = std::fs::read_to_string(&scenario_path).map_err(io(&scenario_path))?;
    Ok(Part {
        dir: dir.to_path_buf(),
        meta,
        scenario,
    })
}

/// The settings two shards of one sweep share.
fn same_sweep(a: &SweepMeta, b: &SweepMeta) -> Vec<&'static str> {
    let mut differ = Vec::new();
    let mut check = |name, same: bool| {
        if !same {
            differ.push(name);
        }
    };
    check("format", a.format == b.format);
    check("params", a.params == b.params);
    check("random", a.random == b.random);
    check("seed", a.seed == b.seed);
    check("common_seed", a.common_seed == b.common_seed);
    check("duration_ms", a.duration_ms == b.duration_ms);
    check("objective", a.objective == b.objective);
    check(
        "max_breach_minutes",
        a.max_breach_minutes == b.max_breach_minutes,
    );
    check(
        "max_flaps_per_day",
        a.max_flaps_per_day == b.max_flaps_per_day,
    );
    check("runs_total", a.runs_total == b.runs_total);
    differ
}

/// Merges the shard directories `dirs` into `out`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeOutcome, TuneError> {
    if dirs.is_empty() {
        return Err(TuneError::Options(
            "merge: name the shards' output directories".into(),
        ));
    }
    let parts = dirs
        .iter()
        .map(|d| read_part(d))
        .collect::<Result<Vec<_>, _>>()?;
    let first = &parts[0];
    for p in &parts[1..] {
        let differ = same_sweep(&first.meta, &p.meta);
        if !differ.is_empty() {
            return Err(TuneError::Options(format!(
                "{} and {} are not shards of one sweep: {} differ",
                first.dir.display(),
                p.dir.display(),
                differ.join(", ")
            )));
        }
        if p.scenario != first.scenario {
            return Err(TuneError::Options(format!(
                "{} and {} swept different scenarios (scenario.toml differs)",
                first.dir.display(),
                p.dir.display()
            )));
        }
    }
    check_shards(&parts)?;
    let tables = parts
        .iter()
        .map(|p| ResultTable::read_parquet(&p.dir.join("results.parquet")))
        .collect::<Result<Vec<_>, _>>()?;
    let table = ResultTable::concat(&tables);
    check_runs(&table, first.meta.runs_total)?;

    let meta = &first.meta;
    let trace = meta.trace.as_ref().map(PathBuf::from);
    let target = Target::from_text(
        &first.scenario,
        &meta.scenario_file,
        Path::new(&meta.scenario_dir),
        trace.as_deref(),
    )?;
    let plan = SweepPlan::new(
        target,
        &meta.params,
        meta.random,
        Some(meta.seed),
        meta.common_seed,
    )?;
    let mut merged = meta.clone();
    merged.shard = None;
    let (table, written) = output::finish(&plan, table, merged, out)?;
    Ok(MergeOutcome {
        table,
        written,
        shards: parts.len(),
    })
}

/// Every slice once: K/N for K = 1..N, or one unsharded table.
fn check_shards(parts: &[Part]) -> Result<(), TuneError> {
    let shards: Vec<Option<Shard>> = parts
        .iter()
        .map(|p| {
            p.meta
                .shard
                .as_deref()
                .map(|s| s.parse::<Shard>().map_err(TuneError::Options))
                .transpose()
        })
        .collect::<Result<_, _>>()?;
    if shards.iter().any(Option::is_none) {
        if parts.len() == 1 {
            return Ok(());
        }
        return Err(TuneError::Options(
            "merge: an unsharded sweep cannot be merged with other tables".into(),
        ));
    }
    let n = shards[0].map_or(1, |s| s.n);
    let mut seen = BTreeSet::new();
    for (s, p) in shards.iter().flatten().zip(parts) {
        if s.n != n {
            return Err(TuneError::Options(format!(
                "merge: {} is shard {s}, the others are slices of {n}",
                p.dir.display()
            )));
        }
        if !seen.insert(s.k) {
            return Err(TuneError::Options(format!(
                "merge: shard {s} is given twice"
            )));
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen.contains(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(TuneError::Options(format!(
            "merge: missing shard(s) {}; every slice is needed",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// Every run of the plan exactly once.
fn check_runs(table: &ResultTable, total: usize) -> Result<(), TuneError> {
    let mut seen = vec![false; total];
    for r in 0..table.rows() {
        let run = table.cell(crate::columns::RUN, r).as_f64().unwrap_or(-1.0);
        let ok = run >= 0.0 && (run as usize) < total;
        if !ok || std::mem::replace(&mut seen[run as usize], true) {
            return Err(TuneError::Options(format!(
                "merge: run {run} is out of the plan of {total} runs or given twice"
            )));
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(TuneError::Options(format!(
            "merge: run {missing} is in no table"
        )));
    }
    Ok(())
}
