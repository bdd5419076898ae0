//! Integration tests of lighthouse-live: one binary, one module per area.
//! Fake servers are axum on 127.0.0.1:0 with short timeouts; nothing
//! sleeps for real.

mod api;
mod config;
mod fakes;
mod fleet_server;
mod lost_answer;
mod omnicloud;
mod prometheus;
mod service;
mod support;
