//! The summary table `run` prints.

use std::fmt::Write as _;

use lighthouse_sim::SimStats;
use lighthouse_sim::record::Figures;

/// The table: cost, SLA breach minutes, scale events by layer and direction,
/// reversals and flaps, and how fast the simulation ran.
pub fn summary(name: &str, f: &Figures, stats: Option<&SimStats>) -> String {
    let mut out = String::new();
    let days = f.duration_s / 86_400.0;
    match stats {
        Some(s) => {
            let _ = writeln!(
                out,
                "scenario {name}: {days:.2} simulated days in {:.2} s wall",
                s.wall_seconds
            );
        }
        None => {
            let _ = writeln!(out, "scenario {name}: {days:.2} days");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<34} {:>14}",
        "total cost",
        format!("{:.2}", f.cost.total)
    );
    let _ = writeln!(
        out,
        "  {:<34} {:>14}",
        "  on demand / spot",
        format!("{:.2} / {:.2}", f.cost.on_demand, f.cost.spot)
    );
    if let Some(b) = &f.cost.budget {
        let _ = writeln!(
            out,
            "  {:<34} {:>14}",
            "  budget headroom",
            format!("{:.2}", b.headroom)
        );
    }
    let sla = &f.sla.total.any;
    let _ = writeln!(
        out,
        "  {:<34} {:>14}",
        "SLA breach minutes",
        format!("{:.1}", sla.breach_minutes)
    );
    let _ = writeln!(
        out,
        "  {:<34} {:>14}",
        "  breaches / longest (s)",
        format!("{} / {:.0}", sla.breaches, sla.longest_breach_s)
    );
    let _ = writeln!(
        out,
        "  {:<34} {:>14}",
        "  requests affected",
        format!("{:.0}", sla.requests_affected)
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<22} {:>8} {:>8} {:>10} {:>8}",
        "scale events", "up", "down", "reversals", "flaps"
    );
    for l in &f.oscillation.by_layer {
        let c = &l.counts;
        let _ = writeln!(
            out,
            "  {:<22} {:>8} {:>8} {:>10} {:>8}",
            l.layer.as_str(),
            c.up,
            c.down,
            c.reversals,
            c.flaps
        );
    }
    let c = &f.oscillation.total;
    let _ = writeln!(
        out,
        "  {:<22} {:>8} {:>8} {:>10} {:>8}",
        "total", c.up, c.down, c.reversals, c.flaps
    );
    if let Some(s) = stats {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "  engine: {} cycles, {} decisions, {} errors; {} workers at the end (peak {})",
            s.cycles, s.decisions, s.errors, s.final_workers, s.peak_workers
        );
    }
    out
}
