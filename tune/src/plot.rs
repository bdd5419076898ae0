//! The Pareto plot (`pareto.png`, `pareto.svg`): every run as cost against
//! SLA breach minutes, the front in colour by flaps (the third objective),
//! the constraint on breaches as a line and the recommended run ringed.
//! Drawn with the reports crate's chart helper and bundled font.

use std::path::Path;

use lighthouse_reports::plots::{Chart, FAMILY, save};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::TuneError;
use crate::select::Scored;

/// The chart's data.
pub struct ParetoChart {
    /// Title above the plot.
    pub title: String,
    /// Every run.
    pub points: Vec<Scored>,
    /// Whether each run is on the front.
    pub front: Vec<bool>,
    /// Position of the recommended run.
    pub recommended: Option<usize>,
    /// The breach limit, minutes.
    pub max_breach_minutes: Option<f64>,
}

/// Colour of a front point: blue (fewest flaps) to red (most).
fn flap_colour(flaps: f64, lo: f64, hi: f64) -> RGBColor {
    let t = if hi > lo {
        ((flaps - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: u8, b: u8| (f64::from(a) + t * (f64::from(b) - f64::from(a))).round() as u8;
    RGBColor(mix(31, 214), mix(119, 39), mix(180, 40))
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.06
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - pad, hi + pad)
}

impl Chart for ParetoChart {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: &dyn std::fmt::Display| e.to_string();
        area.fill(&WHITE).map_err(|e| err(&e))?;
        let (x0, x1) = range(self.points.iter().map(|p| p.cost));
        let (y0, y1) = range(
            self.points
                .iter()
                .map(|p| p.breach_minutes)
                .chain(self.max_breach_minutes),
        );
        let (f0, f1) = self
            .points
            .iter()
            .map(|p| p.flaps)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FAMILY, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("cost (money)")
            .y_desc("SLA breach minutes")
            .label_style((FAMILY, 13))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| err(&e))?;
        let grey = RGBColor(170, 170, 170);
        chart
            .draw_series(
                self.points
                    .iter()
                    .zip(&self.front)
                    .filter(|(_, f)| !**f)
                    .map(|(p, _)| Circle::new((p.cost, p.breach_minutes), 3, grey.filled())),
            )
            .map_err(|e| err(&e))?
            .label("dominated run")
            .legend(move |(x, y)| Circle::new((x + 8, y), 3, grey.filled()));
        let blue = flap_colour(f0, f0, f1);
        chart
            .draw_series(
                self.points
                    .iter()
                    .zip(&self.front)
                    .filter(|(_, f)| **f)
                    .map(|(p, _)| {
                        Circle::new(
                            (p.cost, p.breach_minutes),
                            5,
                            flap_colour(p.flaps, f0, f1).filled(),
                        )
                    }),
            )
            .map_err(|e| err(&e))?
            .label(format!(
                "Pareto front (colour: flaps {f0:.0} blue → {f1:.0} red)"
            ))
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, blue.filled()));
        if let Some(limit) = self.max_breach_minutes {
            let style = RGBColor(214, 39, 40).stroke_width(1);
            chart
                .draw_series(LineSeries::new([(x0, limit), (x1, limit)], style))
                .map_err(|e| err(&e))?
                .label(format!("breach limit {limit} min"))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], style));
        }
        if let Some(p) = self.recommended.and_then(|i| self.points.get(i)) {
            let ring = BLACK.stroke_width(2);
            chart
                .draw_series([Circle::new((p.cost, p.breach_minutes), 9, ring)])
                .map_err(|e| err(&e))?
                .label(format!("recommended (run {})", p.run))
                .legend(move |(x, y)| Circle::new((x + 8, y), 6, ring));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font((FAMILY, 13))
            .draw()
            .map_err(|e| err(&e))?;
        Ok(())
    }
}

/// Draws `dir/pareto.png` and `dir/pareto.svg`.
pub fn write_pareto_plot(chart: &ParetoChart, dir: &Path) -> Result<(), TuneError> {
    save(chart, dir, "pareto").map_err(|e| TuneError::Io {
        path: dir.join("pareto.png"),
        message: e.to_string(),
    })?;
    Ok(())
}
