//! Integration tests of the simulator: one binary, one module per area.

mod fleet;
mod forecast;
mod properties;
mod runs;
mod scenarios;
mod support;
