//! `generate_report`: every promised file, self-contained HTML, and a
//! `summary.json` that reads back as the returned summary.

use lighthouse_reports::tables::CSV_FILES;
use lighthouse_reports::{ReportOptions, Summary, generate_report, write_run};

use crate::synth::{Spec, run};

#[test]
fn the_report_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec {
        hours: 2.0,
        ..Spec::default()
    };
    write_run(dir.path(), &run(&spec)).unwrap();
    let options = ReportOptions {
        top_apps: 2,
        ..ReportOptions::default()
    };
    let summary = generate_report(dir.path(), &options).unwrap();

    let text = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    let back: Summary = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (&back.run, &back.stream_check),
        (&summary.run, &summary.stream_check)
    );
    crate::assert_figures_close(
        &summary_meta(dir.path()),
        &back.figures,
        &summary.figures,
        1e-15,
    );

    let sla = std::fs::read_to_string(dir.path().join("sla_apps.csv")).unwrap();
    assert_eq!(sla.lines().count(), 1 + spec.apps + spec.platform);
    assert!(sla.starts_with("app,layer,slo_latency_percentile"));
    for f in CSV_FILES {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
    let over_time = std::fs::read_to_string(dir.path().join("cost_over_time.csv")).unwrap();
    assert_eq!(over_time.lines().count(), 1 + 720); // one row per 10 s bucket

    // 3 layers + 2 per top app + cost + scale events, each as PNG and SVG.
    let stems = [
        "demand_supply_app_instance",
        "demand_supply_platform_component",
        "demand_supply_worker_node",
        "cost",
        "scale_events",
    ];
    let plots = dir.path().join("plots");
    for stem in stems {
        let png = std::fs::read(plots.join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[1..4], b"PNG", "{stem}.png");
        let svg = std::fs::read_to_string(plots.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.contains("<svg") && svg.contains("<text"),
            "{stem}.svg has no text"
        );
    }
    let pngs = std::fs::read_dir(&plots).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "png")
    });
    assert_eq!(pngs.count(), stems.len() + 2 * 2);

    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), stems.len() + 4);
    for external in ["src=", "href=", "<script", "url(", "@import"] {
        assert!(
            !html.contains(external),
            "report.html refers to something outside: {external}"
        );
    }
    assert!(html.contains("Cost by worker type") && html.contains("m5.large-spot"));
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("### SLA breaches") && md.contains("plots/cost.png"));
}

#[test]
fn the_png_text_is_drawn_with_the_bundled_font() {
    // A plot whose only dark pixels besides lines are glyphs: the title
    // area must hold dark pixels, so text did render without system fonts.
    let dir = tempfile::tempdir().unwrap();
    write_run(
        dir.path(),
        &run(&Spec {
            hours: 1.0,
            ..Spec::default()
        }),
    )
    .unwrap();
    generate_report(
        dir.path(),
        &ReportOptions {
            top_apps: 0,
            ..ReportOptions::default()
        },
    )
    .unwrap();
    let png = std::fs::read(dir.path().join("plots/cost.png")).unwrap();
    let (w, rgb) = decode_png(&png);
    let dark_in_title = (0..30usize)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let i = (y * w + x) * 3;
            rgb[i] < 100 && rgb[i + 1] < 100 && rgb[i + 2] < 100
        })
        .count();
    assert!(
        dark_in_title > 50,
        "only {dark_in_title} dark pixels in the title band"
    );
}

fn summary_meta(dir: &std::path::Path) -> lighthouse_sim::record::RunMeta {
    lighthouse_reports::load_run(dir).unwrap().meta
}

/// Decodes the RGB8 PNGs the bitmap backend writes (via the `image` crate
/// that plotters already links).
fn decode_png(bytes: &[u8]) -> (usize, Vec<u8>) {
    let img = image::load_from_memory(bytes).unwrap().to_rgb8();
    (img.width() as usize, img.into_raw())
}
