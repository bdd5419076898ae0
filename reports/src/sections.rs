//! The report's tables, built once from a [`Summary`] and rendered as
//! Markdown (`summary.md`) and HTML (`report.html`).

use lighthouse_sim::record::{BreachStats, Percentiles, ScaleCounts, SlaStats};

use crate::check::CheckStatus;
use crate::doc::{Table, num, opt};
use crate::summary::Summary;
use crate::tables::score_fields;

fn pct(x: f64) -> String {
    format!("{}%", num(100.0 * x))
}

/// Every table of the report; `top` limits the per-app and per-resource ones.
pub(crate) fn summary_tables(s: &Summary, top: &[usize]) -> Vec<Table> {
    vec![
        run_table(s),
        cost_table(s),
        worker_table(s),
        sla_table(s),
        top_sla_table(s, top),
        oscillation_table(s),
        busiest_table(s, top.len()),
        elasticity_table(s),
        reaction_table(s),
        check_table(s),
    ]
}

fn run_table(s: &Summary) -> Table {
    let r = &s.run;
    let mut t = Table::new("Run", "", &["item", "value"]);
    let rows: [(&str, String); 11] = [
        ("scenario", r.scenario.clone()),
        ("mode", format!("{:?}", r.mode).to_lowercase()),
        ("seed", r.seed.to_string()),
        (
            "duration",
            format!("{} h", num(s.figures.duration_s / 3600.0)),
        ),
        ("sample interval", format!("{} s", num(r.sample_interval_s))),
        (
            "timeline resolution",
            format!("{} s", num(r.timeline_resolution_s)),
        ),
        (
            "apps / platform components",
            format!("{} / {}", r.apps, r.platform_components),
        ),
        ("worker types", r.worker_types.to_string()),
        ("timeline rows", r.timeline_rows.to_string()),
        ("events", r.events.to_string()),
        ("stream check", check_status(s)),
    ];
    for (k, v) in rows {
        t.row(vec![k.into(), v]);
    }
    t
}

fn check_status(s: &Summary) -> String {
    let c = &s.stream_check;
    match c.status {
        CheckStatus::Matched => format!("matched ({} values within {:e})", c.compared, c.tolerance),
        CheckStatus::Mismatched => {
            format!("MISMATCHED ({} of {} values)", c.mismatch_count, c.compared)
        }
        CheckStatus::Coarse => "not compared (timeline coarser than samples)".into(),
        CheckStatus::Absent => "no stream summary".into(),
    }
}

fn cost_table(s: &Summary) -> Table {
    let c = &s.figures.cost;
    let mut t = Table::new(
        "Cost",
        "Money in the scenario's currency. Layer split: each sample's cost × CPU utilisation is shared by \
         the apps in proportion to their CPU requests; the rest is idle worker capacity.",
        &["figure", "value"],
    );
    let mut rows = vec![
        ("total", num(c.total)),
        ("spot", num(c.spot)),
        ("on-demand", num(c.on_demand)),
        ("mean rate per hour", num(c.mean_rate_per_hour)),
        ("peak rate per hour", num(c.peak_rate_per_hour)),
        ("app instances", num(c.by_layer.app_instance)),
        ("platform components", num(c.by_layer.platform_component)),
        ("idle worker capacity", num(c.by_layer.worker_idle)),
    ];
    if let Some(b) = &c.budget {
        rows.extend([
            ("budget per hour", num(b.per_hour)),
            ("budget for the run", num(b.total)),
            ("budget headroom", num(b.headroom)),
            ("budget used", pct(b.used_share)),
            ("minutes over budget rate", num(b.over_budget_minutes)),
        ]);
    }
    for (k, v) in rows {
        t.row(vec![k.into(), v]);
    }
    t
}

fn worker_table(s: &Summary) -> Table {
    let mut t = Table::new(
        "Cost by worker type",
        "",
        &["worker type", "spot", "cost", "mean billed workers"],
    );
    for w in &s.figures.cost.by_worker_type {
        t.row(vec![
            w.worker_type.clone(),
            w.spot.to_string(),
            num(w.cost),
            num(w.mean_count),
        ]);
    }
    t
}

fn breach_cells(b: &BreachStats) -> Vec<String> {
    vec![
        b.breaches.to_string(),
        num(b.breach_minutes),
        pct(b.share_of_time),
        num(b.requests_affected),
        num(b.longest_breach_s),
    ]
}

const BREACH_HEADERS: [&str; 5] = [
    "breaches",
    "minutes",
    "share of time",
    "requests affected",
    "longest (s)",
];

fn sla_rows(t: &mut Table, label: &str, stats: &SlaStats) {
    for (objective, b) in [
        ("any", &stats.any),
        ("latency", &stats.latency),
        ("drop rate", &stats.drop_rate),
    ] {
        let mut r = vec![label.to_owned(), objective.to_owned()];
        r.extend(breach_cells(b));
        t.row(r);
    }
}

fn sla_table(s: &Summary) -> Table {
    let mut headers = vec!["scope", "objective"];
    headers.extend(BREACH_HEADERS);
    let mut t = Table::new(
        "SLA breaches",
        "A breach is a run of consecutive samples missing the objective.",
        &headers,
    );
    sla_rows(&mut t, "all", &s.figures.sla.total);
    for l in &s.figures.sla.by_layer {
        sla_rows(&mut t, l.layer.as_str(), &l.stats);
    }
    t
}

fn top_sla_table(s: &Summary, top: &[usize]) -> Table {
    let mut headers = vec!["app", "layer", "SLO"];
    headers.extend(BREACH_HEADERS);
    headers.push("cost");
    let mut t = Table::new(
        "Apps with the most breach time",
        "Any objective; sla_apps.csv lists every app and objective.",
        &headers,
    );
    for &i in top {
        let a = &s.figures.sla.apps[i];
        let slo = format!(
            "p{} ≤ {} ms, drops ≤ {}",
            num(a.slo.latency_percentile),
            num(a.slo.latency_ms),
            pct(a.slo.max_drop_rate)
        );
        let mut r = vec![a.app.clone(), a.layer.as_str().into(), slo];
        r.extend(breach_cells(&a.stats.any));
        r.push(
            s.figures
                .cost
                .by_app
                .get(i)
                .map_or_else(String::new, |c| num(c.cost)),
        );
        t.row(r);
    }
    t
}

fn counts_cells(k: &ScaleCounts) -> Vec<String> {
    vec![
        k.up.to_string(),
        k.down.to_string(),
        num(k.up_per_hour),
        num(k.down_per_hour),
        k.reversals.to_string(),
        k.flaps.to_string(),
    ]
}

const COUNT_HEADERS: [&str; 6] = [
    "up",
    "down",
    "up per hour",
    "down per hour",
    "reversals",
    "flaps",
];

fn oscillation_table(s: &Summary) -> Table {
    let o = &s.figures.oscillation;
    let mut headers = vec!["layer"];
    headers.extend(COUNT_HEADERS);
    let note = format!(
        "Executed scale actions. A reversal goes against the previous action on the same resource; \
         a flap is a reversal within {} s of it.",
        num(o.flap_window_s)
    );
    let mut t = Table::new("Oscillation", &note, &headers);
    for l in &o.by_layer {
        let mut r = vec![l.layer.as_str().to_owned()];
        r.extend(counts_cells(&l.counts));
        t.row(r);
    }
    let mut r = vec!["all".to_owned()];
    r.extend(counts_cells(&o.total));
    t.row(r);
    t
}

fn busiest_table(s: &Summary, n: usize) -> Table {
    let mut headers = vec!["resource", "layer"];
    headers.extend(COUNT_HEADERS);
    let mut t = Table::new(
        "Busiest resources",
        "oscillation_resources.csv lists every resource.",
        &headers,
    );
    let mut rows: Vec<_> = s.figures.oscillation.resources.iter().collect();
    rows.sort_by(|a, b| {
        let total = |r: &&lighthouse_sim::record::ResourceScale| r.counts.up + r.counts.down;
        b.counts
            .flaps
            .cmp(&a.counts.flaps)
            .then(total(b).cmp(&total(a)))
            .then(a.resource_id.cmp(&b.resource_id))
    });
    for r in rows.into_iter().take(n.max(1)) {
        let mut cells = vec![r.resource_id.clone(), r.layer.as_str().into()];
        cells.extend(counts_cells(&r.counts));
        t.row(cells);
    }
    t
}

fn elasticity_table(s: &Summary) -> Table {
    let e = &s.figures.elasticity;
    let mut t = Table::new(
        "Elasticity (unweighted mean over apps)",
        "Instance units: demand = fewest instances meeting the SLO, supply = ready instances. \
         rps units: demand = offered load, supply = ready instances × service rate. Lower is better \
         except jitter (0 is best) and the change counts (context).",
        &[
            "score",
            "instances: all",
            "instances: app_instance",
            "instances: platform_component",
            "rps: all",
        ],
    );
    let cols = [
        e.instances.mean.as_ref(),
        e.instances.by_layer.first().and_then(|l| l.scores.as_ref()),
        e.instances.by_layer.get(1).and_then(|l| l.scores.as_ref()),
        e.rps.mean.as_ref(),
    ];
    let fields: Vec<[(&str, f64); 16]> = cols
        .iter()
        .map(|c| score_fields(&c.copied().unwrap_or_default()))
        .collect();
    for (i, (name, _)) in score_fields(&Default::default()).iter().enumerate() {
        let mut r = vec![name.to_string()];
        for (c, f) in cols.iter().zip(&fields) {
            r.push(if c.is_some() {
                num(f[i].1)
            } else {
                "–".into()
            });
        }
        t.row(r);
    }
    t
}

fn reaction_table(s: &Summary) -> Table {
    let r = &s.figures.reaction;
    let mut t = Table::new(
        "Reaction times (seconds)",
        "Linked by action id; the signal is the decision's signal_since_ms.",
        &["segment", "count", "mean", "p50", "p90", "p99", "max"],
    );
    let rows: [(&str, &Percentiles); 4] = [
        ("signal → decision", &r.signal_to_decision),
        ("decision → executed", &r.decision_to_executed),
        ("executed → ready", &r.executed_to_ready),
        ("signal → ready", &r.signal_to_ready),
    ];
    for (name, p) in rows {
        t.row(vec![
            name.into(),
            p.count.to_string(),
            opt(p.mean),
            opt(p.p50),
            opt(p.p90),
            opt(p.p99),
            opt(p.max),
        ]);
    }
    t
}

fn check_table(s: &Summary) -> Table {
    let c = &s.stream_check;
    let mut t = Table::new(
        "Stream check",
        &format!(
            "Stored-timeline figures against the recorder's stream summary: {}.",
            check_status(s)
        ),
        &["figure", "stream", "timeline"],
    );
    for m in &c.mismatches {
        t.row(vec![
            m.key.clone(),
            m.stream.to_string(),
            m.timeline.to_string(),
        ]);
    }
    t
}
