//! Self-contained HTML pages: inline CSS, inline SVG plots, no script and
//! no external resource, so that a page reads the same offline.

use std::fmt::Write;

use crate::doc::{Table, escape};
use crate::plots::Plot;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 4px}h2{margin-top:36px;border-bottom:2px solid #dfe3e8;padding-bottom:4px}
h3{margin:22px 0 6px;font-size:1.05em}
p.sub{color:#5b6675;margin:0 0 18px}p.note{color:#5b6675;font-size:.9em;margin:0 0 6px}
table{border-collapse:collapse;background:#fff;margin:6px 0 14px;font-size:.9em;box-shadow:0 1px 2px rgba(0,0,0,.06)}
th,td{padding:5px 10px;border-bottom:1px solid #e7eaee;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{background:#fff;margin:14px 0;padding:8px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
figure svg{width:100%;height:auto;display:block}figcaption{color:#5b6675;font-size:.85em;padding-top:4px}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;font-size:.85em;background:#e3f1e3;color:#1e6b1e}
.badge.bad{background:#fbe3e3;color:#8a1c1c}
";

/// A page under construction.
pub(crate) struct Page {
    body: String,
}

impl Page {
    /// A page with a title and a subtitle line.
    pub(crate) fn new(title: &str, subtitle: &str) -> Page {
        let mut body = String::new();
        let _ = writeln!(
            body,
            "<h1>{}</h1>\n<p class=\"sub\">{}</p>",
            escape(title),
            escape(subtitle)
        );
        Page { body }
    }

    /// Starts a section.
    pub(crate) fn section(&mut self, title: &str) {
        let _ = writeln!(self.body, "<h2>{}</h2>", escape(title));
    }

    /// A status line with a coloured badge.
    pub(crate) fn badge(&mut self, text: &str, good: bool) {
        let class = if good { "badge" } else { "badge bad" };
        let _ = writeln!(
            self.body,
            "<p><span class=\"{class}\">{}</span></p>",
            escape(text)
        );
    }

    /// A table.
    pub(crate) fn table(&mut self, t: &Table) {
        self.body.push_str(&t.html());
    }

    /// A plot, inlined as SVG with a caption naming its PNG twin.
    pub(crate) fn plot(&mut self, p: &Plot) {
        let svg = p.svg.trim_start();
        // Drop an XML prolog: it is not allowed inside HTML.
        let svg = if svg.starts_with("<?xml") {
            svg.split_once("?>").map_or(svg, |(_, rest)| rest)
        } else {
            svg
        };
        let _ = writeln!(
            self.body,
            "<figure>{svg}<figcaption>{} — plots/{}.png, plots/{}.svg</figcaption></figure>",
            escape(&p.title),
            escape(&p.stem),
            escape(&p.stem)
        );
    }

    /// A paragraph of text.
    pub(crate) fn paragraph(&mut self, text: &str) {
        let _ = writeln!(self.body, "<p>{}</p>", escape(text));
    }

    /// The finished document.
    pub(crate) fn finish(self, title: &str) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n{}</main>\n</body>\n</html>\n",
            escape(title),
            self.body
        )
    }
}
