//! Oscillation figures from `events.parquet`: executed scale actions,
//! reversals and flaps per resource.

use lighthouse_sim::record::{Layer, LayerScale, OscillationFigures, ResourceScale, ScaleCounts};
use polars::prelude::*;

use super::Prepared;
use super::frame::{f64s, strings};
use crate::error::{Result, compute};

const WHAT: &str = "oscillation figures";

/// Per resource (sorted by id), per layer and in total.
pub(crate) fn oscillation_figures(p: &Prepared, window_s: f64) -> Result<OscillationFigures> {
    let hours = p.data.meta.duration_s() / 3600.0;
    let same = col("resource_id")
        .shift(lit(1))
        .eq(col("resource_id"))
        .fill_null(lit(false));
    let reversal = same.and(col("direction").neq(col("direction").shift(lit(1))));
    let flap = reversal
        .clone()
        .and((col("t_ms") - col("t_ms").shift(lit(1))).lt_eq(lit(p.flap_window_ms)));
    let count = |e: Expr| e.cast(DataType::Float64).sum();
    let per_resource = p
        .data
        .events
        .clone()
        .lazy()
        .filter(
            col("kind")
                .eq(lit("executed"))
                .and(col("direction").neq(lit(""))),
        )
        .sort(
            ["resource_id", "t_ms"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .with_columns([reversal.alias("reversal"), flap.alias("flap")])
        .group_by([col("resource_id")])
        .agg([
            col("layer").first(),
            count(col("direction").eq(lit("up"))).alias("up"),
            count(col("direction").eq(lit("down"))).alias("down"),
            count(col("reversal")).alias("reversals"),
            count(col("flap")).alias("flaps"),
        ])
        .sort(["resource_id"], SortMultipleOptions::default())
        .collect()
        .map_err(compute(WHAT))?;
    let ids = strings(&per_resource, "resource_id").map_err(compute(WHAT))?;
    let layers = strings(&per_resource, "layer").map_err(compute(WHAT))?;
    let get = |name: &str| f64s(&per_resource, name).map_err(compute(WHAT));
    let (up, down, rev, flaps) = (get("up")?, get("down")?, get("reversals")?, get("flaps")?);
    let counts = |u: f64, d: f64, r: f64, f: f64| ScaleCounts {
        up: u as u64,
        down: d as u64,
        up_per_hour: if hours > 0.0 { u / hours } else { 0.0 },
        down_per_hour: if hours > 0.0 { d / hours } else { 0.0 },
        reversals: r as u64,
        flaps: f as u64,
    };
    let resources: Vec<ResourceScale> = (0..ids.len())
        .map(|i| ResourceScale {
            resource_id: ids[i].clone(),
            // The loader has checked every layer name.
            layer: Layer::parse(&layers[i]).unwrap_or(Layer::AppInstance),
            counts: counts(up[i], down[i], rev[i], flaps[i]),
        })
        .collect();
    let sum = |layer: Option<Layer>| {
        let rows = resources
            .iter()
            .filter(|r| layer.is_none_or(|l| r.layer == l));
        let (mut u, mut d, mut r, mut f) = (0.0, 0.0, 0.0, 0.0);
        for row in rows {
            u += row.counts.up as f64;
            d += row.counts.down as f64;
            r += row.counts.reversals as f64;
            f += row.counts.flaps as f64;
        }
        counts(u, d, r, f)
    };
    Ok(OscillationFigures {
        flap_window_s: window_s,
        total: sum(None),
        by_layer: Layer::ALL
            .into_iter()
            .map(|layer| LayerScale {
                layer,
                counts: sum(Some(layer)),
            })
            .collect(),
        resources,
    })
}
