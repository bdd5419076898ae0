//! [`ReadOptions`]: what to read and how (format, delimiter, header,
//! columns, time format and zone, strictness).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono_tz::Tz;

use crate::error::TraceError;

/// A trace format: a generic layout or a named importer for a public trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `timestamp,resource_id,metric,value`: one sample per row.
    Long,
    /// A time column plus one column per series.
    Wide,
    /// `timestamp,app,requests_per_second`: load per app.
    Load,
    /// FIFA World Cup 1998 requests per minute (`period,count`).
    WorldCup98,
    /// Wikipedia hourly summary (space separated, unsorted rows).
    Wikipedia,
    /// Azure Functions 2019 invocations (`...,Trigger,1..1440` per minute).
    AzureFunctions,
    /// Alibaba cluster-trace-v2018 `machine_usage` or its cluster-mean files.
    Alibaba,
    /// Bitbrains GWA-T-12 VM file (`;` + tab separated).
    Bitbrains,
    /// Azure VM CPU readings (`timestamp,vmid,mincpu,maxcpu,avgcpu`).
    AzureVm,
    /// Azure LLM inference requests, aggregated per second.
    AzureLlm,
    /// Plain per-second counts, whitespace separated.
    Counts,
}

impl Format {
    /// Every format, in the order of [`Format::name`]s documented in the
    /// traces README.
    pub const ALL: [Format; 11] = [
        Format::Long,
        Format::Wide,
        Format::Load,
        Format::WorldCup98,
        Format::Wikipedia,
        Format::AzureFunctions,
        Format::Alibaba,
        Format::Bitbrains,
        Format::AzureVm,
        Format::AzureLlm,
        Format::Counts,
    ];

    /// The name used on the command line and in the README.
    pub fn name(self) -> &'static str {
        match self {
            Self::Long => "long",
            Self::Wide => "wide",
            Self::Load => "load",
            Self::WorldCup98 => "worldcup98",
            Self::Wikipedia => "wikipedia",
            Self::AzureFunctions => "azure-functions",
            Self::Alibaba => "alibaba",
            Self::Bitbrains => "bitbrains",
            Self::AzureVm => "azure-vm",
            Self::AzureLlm => "azure-llm",
            Self::Counts => "counts",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = TraceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                let names: Vec<_> = Format::ALL.iter().map(|f| f.name()).collect();
                TraceError::arg("format", s, format!("expected one of {}", names.join(", ")))
            })
    }
}

/// The container of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileKind {
    /// Parquet when the file starts with `PAR1` or ends in `.parquet`,
    /// delimited text otherwise.
    #[default]
    Auto,
    /// Delimited text (CSV, TSV, space separated).
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// A column, by header name or by 0-based position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColumnRef {
    /// The header name (exact match after trimming spaces; for a headerless
    /// file the names are `column_1`, `column_2`, ...).
    Name(String),
    /// The 0-based position.
    Index(usize),
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name(n) => write!(f, "{n:?}"),
            Self::Index(i) => write!(f, "#{i}"),
        }
    }
}

impl From<&str> for ColumnRef {
    fn from(s: &str) -> Self {
        Self::Name(s.to_string())
    }
}

impl From<usize> for ColumnRef {
    fn from(i: usize) -> Self {
        Self::Index(i)
    }
}

/// How timestamps are written in the time column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TimeFormat {
    /// Detect from the first rows: numbers are epoch seconds, or epoch
    /// milliseconds when |value| >= 1e11; text is ISO 8601 / RFC 3339
    /// (`YYYY-MM-DD[T ]HH:MM[:SS[.f]]`, optional `Z`/`±HH:MM`; without an
    /// offset the time is local to [`ReadOptions::time_zone`]).
    #[default]
    Auto,
    /// Unix epoch seconds, integer or fractional.
    EpochSeconds,
    /// Unix epoch milliseconds, integer or fractional.
    EpochMillis,
    /// ISO 8601 / RFC 3339 text; an offset in the text wins over the zone.
    Iso8601,
    /// Seconds (integer or fractional) after `start_ms` (Unix epoch ms).
    OffsetSeconds {
        /// The time of offset 0, Unix epoch milliseconds UTC.
        start_ms: i64,
    },
    /// A chrono strftime pattern, e.g. `%Y.%m.%d-%H:%M:%S:%3f`; with `%z`
    /// the offset comes from the text, otherwise the zone applies.
    Pattern(String),
}

impl FromStr for TimeFormat {
    type Err = TraceError;

    /// `auto`, `epoch-s`, `epoch-ms`, `iso8601` (or `rfc3339`),
    /// `offset-s@<start>` (start as epoch ms or ISO 8601), or a pattern
    /// containing `%`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "auto" => return Ok(Self::Auto),
            "epoch-s" | "epoch_s" | "s" | "seconds" => return Ok(Self::EpochSeconds),
            "epoch-ms" | "epoch_ms" | "ms" | "millis" => return Ok(Self::EpochMillis),
            "iso8601" | "iso" | "rfc3339" => return Ok(Self::Iso8601),
            _ => {}
        }
        if let Some(start) = t.strip_prefix("offset-s@") {
            let start_ms = crate::time::parse_instant(start, Tz::UTC)?;
            return Ok(Self::OffsetSeconds { start_ms });
        }
        if t.contains('%') {
            return Ok(Self::Pattern(t.to_string()));
        }
        Err(TraceError::arg(
            "time format",
            s,
            "expected auto, epoch-s, epoch-ms, iso8601, offset-s@<start> or a strftime pattern",
        ))
    }
}

/// Resource and metric names of one series.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeriesKey {
    /// The resource (machine, VM, app, function).
    pub resource: String,
    /// The metric, unit included in the name where known.
    pub metric: String,
}

/// Everything a reader needs to know; `ReadOptions::new(format)` gives the
/// format's defaults and every field can be overridden.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    /// The layout or importer.
    pub format: Format,
    /// CSV or Parquet.
    pub file_kind: FileKind,
    /// Field separator; `None` means the format's own (`,` for the generic
    /// formats). Several bytes (e.g. `";\t"`) are accepted.
    pub delimiter: Option<String>,
    /// Whether the first line names the columns; `None` means the format's
    /// own default (`true` for the generic formats).
    pub has_header: Option<bool>,
    /// Time column (default `timestamp`; wide: column 0).
    pub time_column: Option<ColumnRef>,
    /// Resource column of the long format (default `resource_id`), or app
    /// column of the load format (default `app`).
    pub resource_column: Option<ColumnRef>,
    /// Metric column of the long format (default `metric`).
    pub metric_column: Option<ColumnRef>,
    /// Value column (default `value`; load: `requests_per_second`).
    pub value_column: Option<ColumnRef>,
    /// Wide format: the series columns; empty means every column but time.
    pub value_columns: Vec<ColumnRef>,
    /// Wide format: column name to series; unmapped columns become
    /// resource = column name, metric = [`ReadOptions::metric_name`].
    pub column_map: BTreeMap<String, SeriesKey>,
    /// Resource name for formats without a resource column (default: the
    /// importer's, e.g. `worldcup98`, or the file stem).
    pub resource_name: Option<String>,
    /// Metric name for formats without a metric column (wide: `value`).
    pub metric_name: Option<String>,
    /// How the time column is written.
    pub time_format: TimeFormat,
    /// Zone of timestamps written without an offset (default UTC).
    pub time_zone: Tz,
    /// Start of relative traces (Alibaba, Azure VM, Azure Functions,
    /// counts), Unix epoch ms; default 0 (1970-01-01T00:00:00Z).
    pub start_ms: Option<i64>,
    /// Sampling step of traces without time column (Alibaba cluster mean,
    /// counts), milliseconds; default from the file name or the format.
    pub step_ms: Option<i64>,
    /// Refuse instead of repairing: unsorted rows, duplicate timestamps and
    /// mixed UTC offsets become errors.
    pub strict: bool,
    /// Accept negative values (default: negative values are errors, since
    /// loads, counts and utilisations cannot be negative).
    pub allow_negative: bool,
}

impl ReadOptions {
    /// Defaults for `format`.
    pub fn new(format: Format) -> Self {
        Self {
            format,
            file_kind: FileKind::Auto,
            delimiter: None,
            has_header: None,
            time_column: None,
            resource_column: None,
            metric_column: None,
            value_column: None,
            value_columns: Vec::new(),
            column_map: BTreeMap::new(),
            resource_name: None,
            metric_name: None,
            time_format: TimeFormat::Auto,
            time_zone: Tz::UTC,
            start_ms: None,
            step_ms: None,
            strict: false,
            allow_negative: false,
        }
    }

    /// Sets strict mode.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Sets the delimiter.
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.delimiter = Some(delimiter.into());
        self
    }

    /// Sets whether the file has a header line.
    pub fn has_header(mut self, has_header: bool) -> Self {
        self.has_header = Some(has_header);
        self
    }

    /// Sets the time format.
    pub fn time_format(mut self, time_format: TimeFormat) -> Self {
        self.time_format = time_format;
        self
    }

    /// Sets the zone of offset-less timestamps from an IANA name.
    pub fn time_zone(mut self, zone: &str) -> Result<Self, TraceError> {
        self.time_zone = zone
            .parse::<Tz>()
            .map_err(|e| TraceError::arg("time zone", zone, e.to_string()))?;
        Ok(self)
    }

    /// Sets the columns of the long layout.
    pub fn long_columns(
        mut self,
        time: impl Into<ColumnRef>,
        resource: impl Into<ColumnRef>,
        metric: impl Into<ColumnRef>,
        value: impl Into<ColumnRef>,
    ) -> Self {
        self.time_column = Some(time.into());
        self.resource_column = Some(resource.into());
        self.metric_column = Some(metric.into());
        self.value_column = Some(value.into());
        self
    }
}
