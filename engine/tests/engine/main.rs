//! Integration tests of the engine crate: one binary, one module per area.

mod config;
mod core_cycle;
mod defects;
mod properties;
mod runtime;
mod safety;
mod support;
