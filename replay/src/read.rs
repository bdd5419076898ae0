//! [`read_trace`]: reads a file in the format named by its options.

use std::path::Path;

use crate::error::TraceError;
use crate::generic;
use crate::importers;
use crate::model::Trace;
use crate::options::{Format, ReadOptions};

/// Reads `path` as `opts.format`. Never panics on bad input: every problem
/// is a [`TraceError`] or a documented repair listed in
/// [`Trace::warnings`].
pub fn read_trace(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let path = path.as_ref();
    match opts.format {
        Format::Long => generic::read_long(path, opts),
        Format::Wide => generic::read_wide(path, opts),
        Format::Load => generic::read_load(path, opts),
        Format::WorldCup98 => importers::worldcup98::read(path, opts),
        Format::Wikipedia => importers::wikipedia::read(path, opts),
        Format::AzureFunctions => importers::azure_functions::read(path, opts),
        Format::Alibaba => importers::alibaba::read(path, opts),
        Format::Bitbrains => importers::bitbrains::read(path, opts),
        Format::AzureVm => importers::azure_vm::read(path, opts),
        Format::AzureLlm => importers::azure_llm::read(path, opts),
        Format::Counts => importers::counts::read(path, opts),
    }
}
