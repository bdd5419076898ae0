//! Tables rendered both as Markdown and as HTML, and the small text
//! helpers they share.

use std::fmt::Write;

/// A titled table of text cells.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    /// Heading above the table.
    pub(crate) title: String,
    /// A sentence under the heading (units, rules); may be empty.
    pub(crate) note: String,
    /// Column headers.
    pub(crate) headers: Vec<String>,
    /// Rows of cells, as many as headers.
    pub(crate) rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these headers.
    pub(crate) fn new(title: &str, note: &str, headers: &[&str]) -> Table {
        Table {
            title: title.to_owned(),
            note: note.to_owned(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as Markdown (heading level 3).
    pub(crate) fn markdown(&self) -> String {
        let mut out = format!("### {}\n\n", self.title);
        if !self.note.is_empty() {
            let _ = writeln!(out, "{}\n", self.note);
        }
        let cell = |s: &str| s.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {} |",
            self.headers
                .iter()
                .map(|h| cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(out, "|{}", "---|".repeat(self.headers.len()));
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} |",
                r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
            );
        }
        out.push('\n');
        out
    }

    /// The table as an HTML section (heading level 3).
    pub(crate) fn html(&self) -> String {
        let mut out = format!("<h3>{}</h3>\n", escape(&self.title));
        if !self.note.is_empty() {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&self.note));
        }
        out.push_str("<table>\n<thead><tr>");
        for h in &self.headers {
            let _ = write!(out, "<th>{}</th>", escape(h));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            out.push_str("<tr>");
            for (i, c) in r.iter().enumerate() {
                let class = if i > 0 && looks_numeric(c) {
                    " class=\"num\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{}</td>", escape(c));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        out
    }
}

fn looks_numeric(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | '+' | '%' | '×'))
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number for people: integers as such, others with about four
/// significant digits; `–` for none.
pub(crate) fn num(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "–".into()
        } else {
            x.to_string()
        };
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let digits = if x.abs() >= 1000.0 {
        1
    } else if x.abs() >= 1.0 {
        3
    } else {
        (3 - x.abs().log10().floor() as i32).clamp(4, 12) as usize
    };
    let s = format!("{x:.digits$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// [`num`] of an optional number.
pub(crate) fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_else(|| "–".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(2.0 / 3.0), "0.6667");
        assert_eq!(num(12.3456), "12.346");
        assert_eq!(num(12345.678), "12345.7");
        assert_eq!(num(0.000123456), "0.0001235");
        assert_eq!(num(f64::NAN), "–");
        assert_eq!(opt(None), "–");
    }

    #[test]
    fn tables_render_and_escape() {
        let mut t = Table::new("Cost <total>", "money", &["part", "cost"]);
        t.row(vec!["a|b".into(), "1.5".into()]);
        assert!(t.markdown().contains("| a\\|b | 1.5 |"));
        let h = t.html();
        assert!(h.contains("<h3>Cost &lt;total&gt;</h3>"));
        assert!(h.contains("<td class=\"num\">1.5</td>"));
    }
}
