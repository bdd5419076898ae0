//! A timeline of executed scale actions: one row per resource, ▲ for up,
//! ▼ for down, flaps (reversals inside the flap window) ringed in red.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, FAMILY};

/// One executed action.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Mark {
    /// Hours since the run's start.
    pub(crate) hours: f64,
    /// Row (index into `EventChart::rows`).
    pub(crate) row: usize,
    /// Scale up (else down).
    pub(crate) up: bool,
    /// Whether it reversed the previous action inside the flap window.
    pub(crate) flap: bool,
}

/// The chart's spec.
#[derive(Clone, Debug)]
pub(crate) struct EventChart {
    /// Title above the plot.
    pub(crate) title: String,
    /// Resource ids, one per row, top to bottom.
    pub(crate) rows: Vec<String>,
    /// The actions.
    pub(crate) marks: Vec<Mark>,
    /// Length of the run, hours.
    pub(crate) hours: f64,
}

const UP: RGBColor = RGBColor(44, 160, 44);
const DOWN: RGBColor = RGBColor(31, 119, 180);
const FLAP: RGBColor = RGBColor(214, 39, 40);

impl Chart for EventChart {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: &dyn std::fmt::Display| e.to_string();
        area.fill(&WHITE).map_err(|e| err(&e))?;
        let n = self.rows.len().max(1) as f64;
        let rows = self.rows.clone();
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FAMILY, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(230)
            .build_cartesian_2d(0.0..self.hours.max(1e-6), -0.5..n - 0.5)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("hours since start")
            .y_labels(self.rows.len().max(1))
            .y_label_formatter(&move |y: &f64| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 {
                    rows.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .label_style((FAMILY, 12))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(|e| err(&e))?;
        let tri = |up: bool| {
            if up {
                vec![(0, -5), (5, 4), (-5, 4)]
            } else {
                vec![(0, 5), (5, -4), (-5, -4)]
            }
        };
        let row_y = |row: usize| n - 1.0 - row as f64;
        for (up, color, label) in [(true, UP, "scale up"), (false, DOWN, "scale down")] {
            let marks = self.marks.iter().filter(move |m| m.up == up);
            chart
                .draw_series(marks.map(|m| {
                    EmptyElement::at((m.hours, row_y(m.row)))
                        + Polygon::new(tri(m.up), color.filled())
                }))
                .map_err(|e| err(&e))?
                .label(label)
                .legend(move |(x, y)| {
                    let pts: Vec<(i32, i32)> = tri(up)
                        .into_iter()
                        .map(|(dx, dy)| (x + 8 + dx, y + dy))
                        .collect();
                    Polygon::new(pts, color.filled())
                });
        }
        chart
            .draw_series(
                self.marks
                    .iter()
                    .filter(|m| m.flap)
                    .map(|m| Circle::new((m.hours, row_y(m.row)), 8, FLAP.stroke_width(1))),
            )
            .map_err(|e| err(&e))?
            .label("flap")
            .legend(|(x, y)| Circle::new((x + 8, y), 6, FLAP.stroke_width(2)));
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
