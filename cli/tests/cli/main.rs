//! The `lighthouse` command, run as a user would: scenarios, determinism,
//! comparisons and errors.

mod commands;
mod compare;
mod compare_policies;
mod support;
