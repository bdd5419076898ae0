//! `generate_report`: everything the reports crate produces for one run
//! directory, written into that directory.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::check::CheckStatus;
use crate::error::{Result, io};
use crate::html::Page;
use crate::layout::SUMMARY_JSON;
use crate::load::load_run;
use crate::options::ReportOptions;
use crate::plots::data::{report_plots, top_apps};
use crate::sections::summary_tables;
use crate::summary::{Summary, prepare, summarise};
use crate::tables::{CSV_FILES, write_tables};
use crate::write::write_json;

/// Loads `run_dir`, computes its [`Summary`] and writes `summary.json`,
/// `summary.md`, the CSV tables, `plots/*.png|svg` and `report.html` into it.
pub fn generate_report(run_dir: &Path, options: &ReportOptions) -> Result<Summary> {
    let data = load_run(run_dir)?;
    let prepared = prepare(&data, options)?;
    let summary = summarise(&prepared, options)?;
    write_json(&run_dir.join(SUMMARY_JSON), &summary)?;
    write_tables(&prepared, &summary, run_dir)?;
    let plots = if options.plots {
        let dir = run_dir.join("plots");
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        report_plots(&prepared, &summary, options, &dir)?
    } else {
        Vec::new()
    };
    let top = top_apps(&summary, options.top_apps);
    let tables = summary_tables(&summary, &top);

    let title = format!("Lighthouse run report: {}", summary.run.scenario);
    let mut md = format!("# {title}\n\n");
    for t in &tables {
        md.push_str(&t.markdown());
    }
    md.push_str("### Files\n\n");
    for f in CSV_FILES {
        let _ = writeln!(md, "- [{f}]({f})");
    }
    for p in &plots {
        let _ = writeln!(
            md,
            "- [plots/{0}.png](plots/{0}.png) ({1})",
            p.stem, p.title
        );
    }
    let md_path = run_dir.join("summary.md");
    fs::write(&md_path, md).map_err(io(&md_path))?;

    let subtitle = format!(
        "mode {}, seed {}, {} h, {} apps, {} platform components",
        format!("{:?}", summary.run.mode).to_lowercase(),
        summary.run.seed,
        crate::doc::num(summary.figures.duration_s / 3600.0),
        summary.run.apps,
        summary.run.platform_components
    );
    let mut page = Page::new(&title, &subtitle);
    let good = matches!(
        summary.stream_check.status,
        CheckStatus::Matched | CheckStatus::Coarse
    );
    page.badge(
        &format!("stream check: {:?}", summary.stream_check.status).to_lowercase(),
        good,
    );
    let (figures, rest) = tables.split_at(tables.len().min(7));
    page.section("Figures");
    for t in figures {
        page.table(t);
    }
    page.section("Elasticity, reaction and checks");
    for t in rest {
        page.table(t);
    }
    if !plots.is_empty() {
        page.section("Plots");
        page.paragraph(
            "Hours since the run's start on the x axis; PNG twins of each plot are in plots/.",
        );
        for p in &plots {
            page.plot(p);
        }
    }
    let html_path = run_dir.join("report.html");
    fs::write(&html_path, page.finish(&title)).map_err(io(&html_path))?;
    Ok(summary)
}
