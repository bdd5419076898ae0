//! Plots, each drawn twice from one spec: PNG (bitmap, with the bundled
//! DejaVu Sans font so that no system font is needed) and SVG (text left to
//! the viewer's fonts, inlined in the HTML report).
//!
//! - [`line`]: time series with shaded spans and a reference line.
//! - [`scale_events`]: scale actions per resource over time, flaps marked.
//! - [`data`]: builds the report's chart specs from a run.

pub(crate) mod data;
pub(crate) mod line;
pub(crate) mod scale_events;

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::{ReportError, Result, io};

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Width and height of every plot, pixels.
pub const SIZE: (u32, u32) = (1100, 420);

/// The font family name plots ask for; bound to the bundled font.
pub const FAMILY: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are compiled in and known to parse; a failure would
        // only leave PNG text undrawn, so it is not worth an error path.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// A plot written to disk, with its SVG kept for inlining.
#[derive(Clone, Debug)]
pub struct Plot {
    /// File stem under `plots/`, e.g. `demand_supply_app_instance`.
    pub stem: String,
    /// Title shown above it.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// Something that can draw itself on any plotters backend (public so
/// that other crates, such as sweeps, draw with the same font and files).
pub trait Chart {
    /// The plot's title.
    fn title(&self) -> &str;
    /// Draws on `area`; errors are the backend's, as text.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Draws `chart` into `dir/stem.png` and `dir/stem.svg`.
pub fn save<C: Chart>(chart: &C, dir: &Path, stem: &str) -> Result<Plot> {
    register_font();
    let png = dir.join(format!("{stem}.png"));
    let fail = |path: &Path| {
        let path = path.to_owned();
        move |message: String| ReportError::Plot { path, message }
    };
    {
        let area = BitMapBackend::new(&png, SIZE).into_drawing_area();
        chart.draw(&area).map_err(fail(&png))?;
        area.present().map_err(|e| fail(&png)(e.to_string()))?;
    }
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        chart
            .draw(&area)
            .map_err(fail(&dir.join(format!("{stem}.svg"))))?;
        area.present()
            .map_err(|e| fail(&dir.join(format!("{stem}.svg")))(e.to_string()))?;
    }
    let svg_path = dir.join(format!("{stem}.svg"));
    std::fs::write(&svg_path, &svg).map_err(io(&svg_path))?;
    Ok(Plot {
        stem: stem.to_owned(),
        title: chart.title().to_owned(),
        svg,
    })
}

/// How a downsampled chunk is summarised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reduce {
    /// Mean of the chunk (levels such as demand and supply).
    Mean,
    /// Largest value of the chunk (peaks such as latency).
    Max,
}

/// At most `max_points` points: consecutive chunks become one point at the
/// chunk's first x.
pub(crate) fn downsample(
    points: &[(f64, f64)],
    max_points: usize,
    reduce: Reduce,
) -> Vec<(f64, f64)> {
    if points.len() <= max_points.max(1) {
        return points.to_vec();
    }
    let chunk = points.len().div_ceil(max_points.max(1));
    points
        .chunks(chunk)
        .map(|c| {
            let y = match reduce {
                Reduce::Mean => c.iter().map(|p| p.1).sum::<f64>() / c.len() as f64,
                Reduce::Max => c.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max),
            };
            (c[0].0, y)
        })
        .collect()
}

/// A file-name-safe version of `name`.
pub(crate) fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_keeps_short_series_and_reduces_long_ones() {
        let pts: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, i as f64)).collect();
        assert_eq!(downsample(&pts, 20, Reduce::Mean), pts);
        let d = downsample(&pts, 5, Reduce::Mean);
        assert_eq!(
            d,
            vec![(0.0, 0.5), (2.0, 2.5), (4.0, 4.5), (6.0, 6.5), (8.0, 8.5)]
        );
        assert_eq!(downsample(&pts, 4, Reduce::Max).last(), Some(&(9.0, 9.0)));
        assert_eq!(slug("app/web 1"), "app_web_1");
    }
}
