//! Named importers for public traces. Each reads the file layout the
//! public data set ships, names its series, and applies the data set's own
//! rules (gap filling, invalid-value sentinels, unit quirks).
//!
//! | name | module |
//! |---|---|
//! | `worldcup98` | [`worldcup98`] |
//! | `wikipedia` | [`wikipedia`] |
//! | `azure-functions` | [`azure_functions`] |
//! | `alibaba` | [`alibaba`] |
//! | `bitbrains` | [`bitbrains`] |
//! | `azure-vm` | [`azure_vm`] |
//! | `azure-llm` | [`azure_llm`] |
//! | `counts` | [`counts`] |

pub mod alibaba;
pub mod azure_functions;
pub mod azure_llm;
pub mod azure_vm;
pub mod bitbrains;
pub mod counts;
pub mod wikipedia;
pub mod worldcup98;

use std::path::Path;

use crate::error::TraceError;
use crate::model::{Trace, TraceWarning, WarningKind};
use crate::options::{ColumnRef, ReadOptions, TimeFormat};
use crate::shape::{GapRule, resample};

/// The file name without extension, the default resource name.
pub(crate) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "trace".into())
}

/// The user's column choice, or the importer's.
pub(crate) fn column(user: &Option<ColumnRef>, default: impl Into<ColumnRef>) -> ColumnRef {
    user.clone().unwrap_or_else(|| default.into())
}

/// The user's time format, or the importer's when the user left `Auto`.
pub(crate) fn time_format(opts: &ReadOptions, default: TimeFormat) -> TimeFormat {
    if opts.time_format == TimeFormat::Auto {
        default
    } else {
        opts.time_format.clone()
    }
}

/// Gap rule of per-period count traces: a period with no row had no
/// request, so every missing step between the first and the last sample
/// becomes an explicit 0 (one [`WarningKind::GapsFilled`] per series).
pub(crate) fn fill_zero_gaps(trace: &mut Trace, step_ms: i64) -> Result<(), TraceError> {
    for s in &mut trace.series {
        let before = s.len();
        let filled = resample(s, step_ms, GapRule::Zero)?;
        let added = filled.len().saturating_sub(before);
        if added > 0 {
            trace.warnings.push(TraceWarning {
                kind: WarningKind::GapsFilled,
                series: Some(s.name()),
                count: added,
                detail: format!("{added} missing {step_ms} ms periods were filled with 0"),
            });
        }
        *s = filled;
    }
    Ok(())
}
