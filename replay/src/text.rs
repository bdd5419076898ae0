//! Byte-level look at delimited text before and after polars reads it:
//! binary detection, header and delimiter checks, and a small tokenizer
//! shared by the line-precise validation pass.

use std::borrow::Cow;
use std::path::Path;

use crate::error::TraceError;

/// How much of the file the preflight looks at.
pub(crate) const PREFIX_BYTES: usize = 64 * 1024;
/// How many data rows the preflight keeps for time-format detection.
const SAMPLE_ROWS: usize = 50;
/// Separators suggested when the header does not split.
const CANDIDATES: [&str; 5] = [";\t", ";", "\t", ",", "|"];

/// What the preflight learnt about a delimited text file.
#[derive(Debug, Clone)]
pub(crate) struct TextLayout {
    /// Field separator, one or more bytes.
    pub delim: Vec<u8>,
    /// Whether line 1 is a header.
    pub has_header: bool,
    /// Column names: the header's (trimmed, BOM removed) or `column_N`.
    pub names: Vec<String>,
    /// Field texts of the first data rows, for auto-detection.
    pub samples: Vec<Vec<String>>,
}

impl TextLayout {
    /// The delimiter as text, for messages.
    pub(crate) fn delim_text(&self) -> String {
        String::from_utf8_lossy(&self.delim).into_owned()
    }

    /// Sample texts of column `idx`.
    pub(crate) fn sample_column(&self, idx: usize) -> Vec<&str> {
        self.samples
            .iter()
            .filter_map(|r| r.get(idx).map(String::as_str))
            .collect()
    }
}

/// Names the binary format `bytes` starts with, if it is not text.
pub(crate) fn binary_reason(bytes: &[u8]) -> Option<String> {
    const MAGIC: [(&[u8], &str); 10] = [
        (b"\x89PNG", "PNG image signature"),
        (b"\xFF\xD8\xFF", "JPEG image signature"),
        (b"GIF8", "GIF image signature"),
        (b"%PDF", "PDF document signature"),
        (b"\x1F\x8B", "gzip signature (decompress it first)"),
        (b"PK\x03\x04", "zip archive signature"),
        (b"\x28\xB5\x2F\xFD", "zstd signature (decompress it first)"),
        (b"\x7FELF", "ELF executable signature"),
        (b"PAR1", "Parquet signature (read it as Parquet)"),
        (b"ARROW1", "Arrow IPC signature"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some((*what).to_string());
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Some(format!("NUL byte at offset {pos} (binary data)"));
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => None,
        // A multi-byte character cut by the end of the prefix is fine.
        Err(e) if e.error_len().is_none() => None,
        Err(e) => Some(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        )),
    }
}

/// Splits the lines of `text`, dropping a trailing `\r`; a final line without
/// newline is returned too.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n')
        .map(|l| l.strip_suffix('\n').unwrap_or(l))
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// Whether a line holds no field at all (polars skips such lines).
pub(crate) fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Splits one line into fields; double-quoted fields may contain the
/// delimiter and `""` escapes (embedded newlines are not supported).
pub(crate) fn split_fields<'a>(line: &'a str, delim: &[u8]) -> Vec<Cow<'a, str>> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            let mut s = String::new();
            let mut j = i + 1;
            while j < b.len() {
                if b[j] == b'"' {
                    if b.get(j + 1) == Some(&b'"') {
                        s.push('"');
                        j += 2;
                        continue;
                    }
                    j += 1;
                    break;
                }
                let ch_len = utf8_len(b[j]);
                s.push_str(&line[j..(j + ch_len).min(b.len())]);
                j += ch_len;
            }
            // Text between the closing quote and the delimiter is kept.
            let end = find(b, delim, j).unwrap_or(b.len());
            s.push_str(&line[j.min(end)..end]);
            out.push(Cow::Owned(s));
            if end >= b.len() {
                break;
            }
            i = end + delim.len();
        } else {
            match find(b, delim, i) {
                Some(end) => {
                    out.push(Cow::Borrowed(&line[i..end]));
                    i = end + delim.len();
                }
                None => {
                    out.push(Cow::Borrowed(&line[i..]));
                    break;
                }
            }
        }
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Reads up to [`PREFIX_BYTES`] of `path`.
pub(crate) fn read_prefix(path: &Path) -> Result<Vec<u8>, TraceError> {
    use std::io::Read;
    let io = |source| TraceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let mut buf = Vec::with_capacity(PREFIX_BYTES);
    f.take(PREFIX_BYTES as u64)
        .read_to_end(&mut buf)
        .map_err(io)?;
    Ok(buf)
}

/// Checks that `prefix` (the start of `path`) is text with at least one data
/// row and learns its header and first rows.
pub(crate) fn preflight(
    path: &Path,
    prefix: &[u8],
    delim: &[u8],
    has_header: bool,
) -> Result<TextLayout, TraceError> {
    if let Some(reason) = binary_reason(prefix) {
        return Err(TraceError::NotATrace {
            path: path.to_path_buf(),
            reason,
        });
    }
    let text = String::from_utf8_lossy(prefix);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut it = lines(text);
    let empty = |detail: &str| TraceError::Empty {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    };
    if prefix.is_empty() {
        return Err(empty("the file has zero bytes"));
    }
    // Polars skips blank lines before the header; so does the header search.
    let first = if has_header {
        it.find(|l| !is_blank(l))
            .ok_or_else(|| empty("only blank lines"))?
    } else {
        it.next().unwrap_or_default()
    };
    let names: Vec<String>;
    let mut samples = Vec::new();
    if has_header {
        names = split_fields(first, delim)
            .iter()
            .map(|f| f.trim().to_string())
            .collect();
    } else {
        let n = split_fields(first, delim).len();
        names = (1..=n).map(|i| format!("column_{i}")).collect();
        if !is_blank(first) {
            samples.push(fields_owned(first, delim));
        }
    }
    for line in it {
        if samples.len() >= SAMPLE_ROWS {
            break;
        }
        if !is_blank(line) {
            samples.push(fields_owned(line, delim));
        }
    }
    if samples.is_empty() && prefix.len() < PREFIX_BYTES {
        return Err(empty(if has_header {
            "only a header, no data row"
        } else {
            "only blank lines"
        }));
    }
    Ok(TextLayout {
        delim: delim.to_vec(),
        has_header,
        names,
        samples,
    })
}

fn fields_owned(line: &str, delim: &[u8]) -> Vec<String> {
    split_fields(line, delim)
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// When the header did not split, the separator it contains instead.
pub(crate) fn other_separator(layout: &TextLayout) -> Option<&'static str> {
    if layout.names.len() != 1 {
        return None;
    }
    let header = &layout.names[0];
    CANDIDATES
        .into_iter()
        .find(|c| c.as_bytes() != layout.delim.as_slice() && header.contains(c))
        .or_else(|| (layout.delim != b" " && header.trim().contains(' ')).then_some(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_delimiters() {
        let f = split_fields(r#"a,"b,c","say ""hi""",d"#, b",");
        assert_eq!(f, vec!["a", "b,c", r#"say "hi""#, "d"]);
    }

    #[test]
    fn multi_byte_delimiter_splits() {
        assert_eq!(split_fields("1;\t2;\t3.5", b";\t"), vec!["1", "2", "3.5"]);
        assert_eq!(split_fields("", b","), vec![""]);
        assert_eq!(split_fields("a,", b","), vec!["a", ""]);
    }

    #[test]
    fn binary_signatures_are_named() {
        assert!(
            binary_reason(b"\x89PNG\r\n\x1a\n....")
                .unwrap()
                .contains("PNG")
        );
        assert!(binary_reason(b"abc\0def").unwrap().contains("NUL"));
        assert!(binary_reason(b"ab\xFFcd").unwrap().contains("UTF-8"));
        assert!(binary_reason("t,é".as_bytes()).is_none());
        // A character cut by the prefix limit is not binary.
        assert!(binary_reason(&"é".as_bytes()[..1]).is_none());
    }

    #[test]
    fn lines_strip_crlf_and_keep_unterminated_tail() {
        let v: Vec<_> = lines("a\r\nb\nc").collect();
        assert_eq!(v, vec!["a", "b", "c"]);
    }
}
