//! SLA figures from `timeline_apps`: sums per app and breaches (runs of
//! consecutive breached rows) with passes over the rows in time order,
//! keeping each app's sums and open breach.

use lighthouse_sim::record::{AppSla, BreachStats, Layer, LayerSla, SlaFigures, SlaStats};

use super::Prepared;
use super::frame::f64s;
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
    let runs = breach_runs(p)?;
    let totals = app_totals(p)?;
    let idx: Vec<usize> = (0..meta.apps.len())
        .filter(|&i| p.app_rows[i].0 < p.app_rows[i].1)
        .collect();
    let col = |j: usize| -> Vec<f64> { idx.iter().map(|&i| totals[i][j]).collect() };
    let (observed, requests, dropped) = (col(0), col(1), col(2));
    let kind_sums: Vec<(Vec<f64>, Vec<f64>)> = (0..KINDS.len())
        .map(|k| (col(3 + 2 * k), col(4 + 2 * k)))
        .collect();

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

/// Per app: observed seconds, requests, dropped, then seconds and requests
/// in breach for each of [`KINDS`], summed in time order so that the
/// figures are the same on every run (a parallel hash aggregation sums in
/// an order that changes the last bits).
fn app_totals(p: &Prepared) -> Result<Vec<[f64; 9]>> {
    let mut names = vec!["dt_s", "requests", "dropped"];
    for (secs, reqs) in KINDS {
        names.extend([secs, reqs]);
    }
    let cols: Vec<Vec<f64>> = names
        .iter()
        .map(|n| f64s(&p.apps, n).map_err(compute(WHAT)))
        .collect::<Result<_>>()?;
    let mut totals = vec![[0.0; 9]; p.data.meta.apps.len()];
    p.visit_in_time(|row, app| {
        for (sum, col) in totals[app].iter_mut().zip(&cols) {
            *sum += col[row];
        }
    });
    Ok(totals)
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
