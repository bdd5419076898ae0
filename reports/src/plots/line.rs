//! Time-series charts: lines over hours since the run's start, optional
//! shaded spans (SLO breaches) and a horizontal reference (SLO, budget).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Chart, FAMILY};

/// One line.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    /// Legend label.
    pub(crate) label: String,
    /// Colour.
    pub(crate) color: RGBColor,
    /// (hours since start, value) points.
    pub(crate) points: Vec<(f64, f64)>,
}

/// A time-series chart.
#[derive(Clone, Debug)]
pub(crate) struct LineChart {
    /// Title above the plot.
    pub(crate) title: String,
    /// Label of the y axis (with unit).
    pub(crate) y_label: String,
    /// The lines.
    pub(crate) lines: Vec<Line>,
    /// Spans (start, end hours) to shade, e.g. SLO breaches.
    pub(crate) shaded: Vec<(f64, f64)>,
    /// Legend label of the shading.
    pub(crate) shaded_label: String,
    /// A horizontal reference line: (value, label).
    pub(crate) reference: Option<(f64, String)>,
}

/// Colours used in every chart, in order.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(23, 190, 207),
];

fn bounds(chart: &LineChart) -> (f64, f64, f64) {
    let xs = chart
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0));
    let x_max = xs.fold(0.0f64, f64::max).max(1e-6);
    let ys = chart
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .filter(|y| y.is_finite());
    let mut y_max = ys.fold(0.0f64, f64::max);
    if let Some((r, _)) = &chart.reference {
        y_max = y_max.max(*r);
    }
    (x_max, 0.0, if y_max > 0.0 { y_max * 1.08 } else { 1.0 })
}

impl Chart for LineChart {
    fn title(&self) -> &str {
        &self.title
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: &dyn std::fmt::Display| e.to_string();
        area.fill(&WHITE).map_err(|e| err(&e))?;
        let (x_max, y_min, y_max) = bounds(self);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FAMILY, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x_max, y_min..y_max)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("hours since start")
            .y_desc(self.y_label.as_str())
            .label_style((FAMILY, 13))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| err(&e))?;
        if !self.shaded.is_empty() {
            let shade = RGBColor(214, 39, 40).mix(0.18).filled();
            chart
                .draw_series(
                    self.shaded
                        .iter()
                        .map(|&(a, b)| Rectangle::new([(a, y_min), (b, y_max)], shade)),
                )
                .map_err(|e| err(&e))?
                .label(self.shaded_label.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], shade));
        }
        if let Some((value, label)) = &self.reference {
            let style = RGBColor(214, 39, 40).stroke_width(2);
            chart
                .draw_series(LineSeries::new([(0.0, *value), (x_max, *value)], style))
                .map_err(|e| err(&e))?
                .label(label.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], style));
        }
        for line in &self.lines {
            // Width 1: plotters' bitmap backend joins wider polylines with
            // unlimited miters, which spike far out of the plot at sharp turns.
            let style = line.color.stroke_width(1);
            let points = line.points.iter().copied().filter(|p| p.1.is_finite());
            chart
                .draw_series(LineSeries::new(points, style))
                .map_err(|e| err(&e))?
                .label(line.label.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], style));
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
