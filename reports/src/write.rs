//! `write_run`: a [`RunRecord`] becomes a run directory. Tables are written
//! in the recorder's row order with fixed settings, so identical records
//! give byte-identical files.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

use lighthouse_sim::record::RunRecord;
use polars::prelude::*;
use serde::Serialize;

use crate::error::{ReportError, Result, io};
use crate::layout::{
    EVENTS, RUN_JSON, STREAM_SUMMARY, TIMELINE_APPS, TIMELINE_CLUSTER, TIMELINE_WORKERS,
};

/// Writes `run.json`, the four Parquet tables and `stream_summary.json`
/// into `dir` (created if missing; existing files are replaced).
pub fn write_run(dir: &Path, run: &RunRecord) -> Result<()> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    write_json(&dir.join(RUN_JSON), &run.meta)?;
    write_parquet(&dir.join(TIMELINE_APPS), apps_frame(run))?;
    write_parquet(&dir.join(TIMELINE_CLUSTER), cluster_frame(run))?;
    write_parquet(&dir.join(TIMELINE_WORKERS), workers_frame(run))?;
    write_parquet(&dir.join(EVENTS), events_frame(run))?;
    write_json(&dir.join(STREAM_SUMMARY), &run.stream)
}

/// Pretty JSON with a trailing newline.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|source| ReportError::Json {
        path: path.to_owned(),
        source,
    })?;
    text.push('\n');
    fs::write(path, text).map_err(io(path))
}

fn write_parquet(path: &Path, frame: PolarsResult<DataFrame>) -> Result<()> {
    let table = |source| ReportError::Table {
        path: path.to_owned(),
        source,
    };
    let mut df = frame.map_err(table)?;
    let file = File::create(path).map_err(io(path))?;
    let mut out = BufWriter::new(file);
    ParquetWriter::new(&mut out)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::default())
        .finish(&mut df)
        .map_err(table)?;
    out.flush().map_err(io(path))
}

fn col<T, P>(name: &str, values: T) -> Column
where
    Series: NamedFrom<T, P>,
    P: ?Sized,
{
    Series::new(name.into(), values).into_column()
}

fn apps_frame(run: &RunRecord) -> PolarsResult<DataFrame> {
    let a = &run.apps;
    let meta = &run.meta.apps;
    let names: Vec<&str> = a
        .app_idx
        .iter()
        .map(|&i| meta[i as usize].name.as_str())
        .collect();
    let layers: Vec<&str> = a
        .app_idx
        .iter()
        .map(|&i| meta[i as usize].layer.as_str())
        .collect();
    DataFrame::new(
        a.len(),
        vec![
            col("t_ms", a.t_ms.as_slice()),
            col("dt_s", a.dt_s.as_slice()),
            col("app", names),
            col("app_idx", a.app_idx.as_slice()),
            col("layer", layers),
            col("demand_rps", a.demand_rps.as_slice()),
            col("supply_rps", a.supply_rps.as_slice()),
            col("demand_instances", a.demand_instances.as_slice()),
            col("supply_instances", a.supply_instances.as_slice()),
            col("allocated_instances", a.allocated_instances.as_slice()),
            col("target_instances", a.target_instances.as_slice()),
            col("pending_instances", a.pending_instances.as_slice()),
            col("cpu_percent", a.cpu_percent.as_slice()),
            col("latency_mean_ms", a.latency_mean_ms.as_slice()),
            col("latency_p95_ms", a.latency_p95_ms.as_slice()),
            col("latency_p95_max_ms", a.latency_p95_max_ms.as_slice()),
            col("requests", a.requests.as_slice()),
            col("dropped", a.dropped.as_slice()),
            col("breach_s", a.breach_s.as_slice()),
            col("breach_latency_s", a.breach_latency_s.as_slice()),
            col("breach_drop_s", a.breach_drop_s.as_slice()),
            col("breach_requests", a.breach_requests.as_slice()),
            col(
                "breach_latency_requests",
                a.breach_latency_requests.as_slice(),
            ),
            col("breach_drop_requests", a.breach_drop_requests.as_slice()),
        ],
    )
}

fn cluster_frame(run: &RunRecord) -> PolarsResult<DataFrame> {
    let c = &run.cluster;
    DataFrame::new(
        c.t_ms.len(),
        vec![
            col("t_ms", c.t_ms.as_slice()),
            col("dt_s", c.dt_s.as_slice()),
            col("workers", c.workers.as_slice()),
            col("workers_provisioning", c.workers_provisioning.as_slice()),
            col("pending_workloads", c.pending_workloads.as_slice()),
            col(
                "cluster_cpu_utilization",
                c.cluster_cpu_utilization.as_slice(),
            ),
            col("cost_rate_per_hour", c.cost_rate_per_hour.as_slice()),
            col(
                "cost_rate_spot_per_hour",
                c.cost_rate_spot_per_hour.as_slice(),
            ),
            col("cost", c.cost.as_slice()),
            col("cost_spot", c.cost_spot.as_slice()),
        ],
    )
}

fn workers_frame(run: &RunRecord) -> PolarsResult<DataFrame> {
    let w = &run.workers;
    let types = &run.meta.worker_types;
    let names: Vec<&str> = w
        .type_idx
        .iter()
        .map(|&i| types[i as usize].name.as_str())
        .collect();
    let spot: Vec<bool> = w.type_idx.iter().map(|&i| types[i as usize].spot).collect();
    DataFrame::new(
        w.t_ms.len(),
        vec![
            col("t_ms", w.t_ms.as_slice()),
            col("dt_s", w.dt_s.as_slice()),
            col("worker_type", names),
            col("type_idx", w.type_idx.as_slice()),
            col("spot", spot),
            col("count", w.count.as_slice()),
            col("cost", w.cost.as_slice()),
        ],
    )
}

fn events_frame(run: &RunRecord) -> PolarsResult<DataFrame> {
    let ev = &run.events;
    let res = |e: &lighthouse_sim::record::EventRow| &run.resources[e.resource.0 as usize];
    let ints =
        |f: fn(&lighthouse_sim::record::EventRow) -> i64| ev.iter().map(f).collect::<Vec<i64>>();
    DataFrame::new(
        ev.len(),
        vec![
            col("t_ms", ints(|e| e.t_ms)),
            col("action_id", ints(|e| e.action_id)),
            col(
                "resource_id",
                ev.iter().map(|e| res(e).id.as_str()).collect::<Vec<_>>(),
            ),
            col(
                "layer",
                ev.iter().map(|e| res(e).layer.as_str()).collect::<Vec<_>>(),
            ),
            col(
                "kind",
                ev.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
            ),
            col(
                "direction",
                ev.iter().map(|e| e.direction.as_str()).collect::<Vec<_>>(),
            ),
            col("from_capacity", ints(|e| e.from_capacity)),
            col("to_capacity", ints(|e| e.to_capacity)),
            col("signal_since_ms", ints(|e| e.signal_since_ms)),
            col(
                "reason",
                ev.iter().map(|e| e.reason.as_ref()).collect::<Vec<_>>(),
            ),
        ],
    )
}
