//! Minimal CSV writing (RFC 4180 quoting), so that tables built from
//! figures need no DataFrame round trip.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Result, io};

/// Quotes a field when it holds a comma, quote or line break.
pub(crate) fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Writes `header` and `rows` to `path`.
pub(crate) fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        header
            .iter()
            .map(|h| field(h))
            .collect::<Vec<_>>()
            .join(",")
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{}",
            r.iter().map(|c| field(c)).collect::<Vec<_>>().join(",")
        );
    }
    std::fs::write(path, out).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("web"), "web");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
