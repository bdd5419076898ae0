//! SLA figures from `timeline_apps`: sums per app with polars, breaches
//! (runs of consecutive breached rows) with one pass over the rows in time
//! order, keeping each app's open breach.

use lighthouse_sim::record::{AppSla, BreachStats, Layer, LayerSla, SlaFigures, SlaStats};
use polars::prelude::*;

use super::Prepared;
use super::frame::{f64s, u32s};
use crate::error::{Result, compute};

const WHAT: &str = "SLA figures";

/// The three objectives' columns: seconds in breach, requests in breach.
const KINDS: [(&str, &str); 3] = [
    ("breach_s", "breach_requests"),
    ("breach_latency_s", "breach_latency_requests"),
    ("breach_drop_s", "breach_drop_requests"),
];

#[derive(Clone, Copy, Default)]
struct Runs {
    breaches: u64,
    longest_s: f64,
}

/// Per app, per layer and in total.
pub(crate) fn sla_figures(p: &Prepared) -> Result<SlaFigures> {
    let meta = &p.data.meta;
    let mut aggs = vec![
        col("dt_s").sum().alias("observed_s"),
        col("requests").sum(),
        col("dropped").sum(),
    ];
    for (secs, reqs) in KINDS {
        aggs.push(col(secs).sum());
        aggs.push(col(reqs).sum());
    }
    let sums = p
        .apps
        .clone()
        .lazy()
        .group_by([col("app_idx")])
        .agg(aggs)
        .collect_with_engine(Engine::Streaming)
        .map(|r| r.unwrap_single())
        .map_err(compute(WHAT))?;
    let runs = breach_runs(p)?;
    let get = |name: &str| f64s(&sums, name).map_err(compute(WHAT));
    let idx = u32s(&sums, "app_idx").map_err(compute(WHAT))?;
    let (observed, requests, dropped) = (get("observed_s")?, get("requests")?, get("dropped")?);
    let kind_sums: Vec<(Vec<f64>, Vec<f64>)> = KINDS
        .iter()
        .map(|(s, r)| Ok((get(s)?, get(r)?)))
        .collect::<Result<_>>()?;

    let mut apps: Vec<AppSla> = meta
        .apps
        .iter()
        .map(|a| AppSla {
            app: a.name.clone(),
            layer: a.layer,
            slo: a.slo,
            observed_s: 0.0,
            requests: 0.0,
            dropped: 0.0,
            drop_rate: 0.0,
            stats: SlaStats::default(),
        })
        .collect();
    for (row, &i) in idx.iter().enumerate() {
        let i = i as usize;
        let app = &mut apps[i];
        app.observed_s = observed[row];
        app.requests = requests[row];
        app.dropped = dropped[row];
        app.drop_rate = if requests[row] > 0.0 {
            dropped[row] / requests[row]
        } else {
            0.0
        };
        let stats = |k: usize| {
            let breach_s = kind_sums[k].0[row];
            BreachStats {
                breaches: runs[i][k].breaches,
                breach_minutes: breach_s / 60.0,
                share_of_time: if observed[row] > 0.0 {
                    breach_s / observed[row]
                } else {
                    0.0
                },
                requests_affected: kind_sums[k].1[row],
                longest_breach_s: runs[i][k].longest_s,
            }
        };
        app.stats = SlaStats {
            any: stats(0),
            latency: stats(1),
            drop_rate: stats(2),
        };
    }
    let total = total_of(apps.iter());
    let by_layer = [Layer::AppInstance, Layer::PlatformComponent]
        .into_iter()
        .map(|layer| LayerSla {
            layer,
            stats: total_of(apps.iter().filter(|a| a.layer == layer)),
        })
        .collect();
    Ok(SlaFigures {
        total,
        by_layer,
        apps,
    })
}

/// Breach count and longest breach per app and objective: a breach is a
/// run of consecutive rows of one app with breach seconds > 0; its length
/// is the sum of those seconds.
fn breach_runs(p: &Prepared) -> Result<Vec<[Runs; 3]>> {
    let cols: Vec<Vec<f64>> = KINDS
        .iter()
        .map(|(s, _)| f64s(&p.apps, s).map_err(compute(WHAT)))
        .collect::<Result<_>>()?;
    let apps = p.data.meta.apps.len();
    let mut out = vec![[Runs::default(); 3]; apps];
    // Each app's open breach length per objective, seconds.
    let mut open = vec![[0.0f64; 3]; apps];
    p.visit_in_time(|row, app| {
        for ((r, current), col) in out[app].iter_mut().zip(&mut open[app]).zip(&cols) {
            let secs = col[row];
            if secs > 0.0 {
                if *current == 0.0 {
                    r.breaches += 1;
                }
                *current += secs;
                r.longest_s = r.longest_s.max(*current);
            } else {
                *current = 0.0;
            }
        }
    });
    Ok(out)
}

/// Sums counts, minutes and requests; longest of any; share of summed time.
fn total_of<'a>(apps: impl Iterator<Item = &'a AppSla>) -> SlaStats {
    let mut observed_s = 0.0;
    let mut out = SlaStats::default();
    for a in apps {
        observed_s += a.observed_s;
        for (acc, b) in [
            (&mut out.any, &a.stats.any),
            (&mut out.latency, &a.stats.latency),
            (&mut out.drop_rate, &a.stats.drop_rate),
        ] {
            acc.breaches += b.breaches;
            acc.breach_minutes += b.breach_minutes;
            acc.requests_affected += b.requests_affected;
            acc.longest_breach_s = acc.longest_breach_s.max(b.longest_breach_s);
        }
    }
    for acc in [&mut out.any, &mut out.latency, &mut out.drop_rate] {
        acc.share_of_time = if observed_s > 0.0 {
            acc.breach_minutes * 60.0 / observed_s
        } else {
            0.0
        };
    }
    out
}
