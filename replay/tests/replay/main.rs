//! Integration tests of lighthouse-replay: one binary, one module per area.

mod bad_input;
mod common;
mod fuzz;
mod generic;
mod importers;
mod modes;
mod parquet;
mod shaping;
