//! What a report includes.

/// Settings of `generate_report`, `compute_summary` and `compare_runs`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    /// How many apps get their own plots and a row in the HTML tables
    /// (the CSV files list every app).
    pub top_apps: usize,
    /// Overrides `run.json`'s flap window, seconds; the stream check then
    /// reports flap counts as mismatches when the windows differ.
    pub flap_window_s: Option<f64>,
    /// Relative tolerance of the stream check.
    pub tolerance: f64,
    /// Whether to draw plots (PNG and SVG); off, the HTML has none.
    pub plots: bool,
    /// Most points per plotted line; longer series are averaged down
    /// (maxima for latency).
    pub max_plot_points: usize,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            top_apps: 5,
            flap_window_s: None,
            tolerance: 1e-9,
            plots: true,
            max_plot_points: 1500,
        }
    }
}
