//! # Lighthouse engine
//!
//! A deterministic autoscaling engine for three layers — application
//! instances, platform components and worker nodes — in the vocabulary of the
//! Lighthouse library, without its defects.
//!
//! The decision logic is a sans-IO state machine ([`EngineCore`]): it never
//! reads a clock, sleeps or does I/O. A tokio runtime ([`LighthouseEngine`],
//! [`LighthouseHandle`]) drives it in real time; a simulator drives the same
//! core through the same [`driver::run_cycle`] under its own clock.
//!
//! ## Module map
//! - [`time`]: [`Timestamp`] and [`Span`], whole milliseconds.
//! - [`types`]: [`ResourceMetrics`], [`ScaleAction`], [`ScaleDirection`], [`ResourceLayer`].
//! - [`config`]: [`LighthouseConfig`] and its builder, policies, validation,
//!   loading from TOML/YAML/JSON, version history.
//! - [`policy`]: threshold, target-tracking, composite and schedule evaluation.
//! - [`core`]: the sans-IO [`EngineCore`] and its outputs.
//! - [`callbacks`]: [`MetricsProvider`], [`ScalingExecutor`], [`ScalingObserver`].
//! - [`driver`]: one evaluation cycle over the callbacks.
//! - [`runtime`]: [`LighthouseEngine`] and [`LighthouseHandle`] on tokio.
//! - [`error`]: errors, [`LighthouseError`].
//! - [`utils`]: business metrics and ready-made policies.
//!
//! ## Meaning of `scale_factor`
//! In a [`ScalingThreshold`], the factor is always greater than 1: a
//! scale-up multiplies capacity by it (rounded up), a scale-down divides by
//! it (rounded down). In a [`ScaleAction`], `scale_factor` is always
//! `target_capacity / current_capacity`. Executors should apply the absolute
//! `target_capacity`.

#[cfg(feature = "live")]
pub mod adapters;
pub mod callbacks;
pub mod config;
pub mod core;
pub mod driver;
pub mod error;
pub mod policy;
pub mod runtime;
pub mod time;
pub mod types;
pub mod utils;

pub use callbacks::{
    CallbackContext, LighthouseCallbacks, MetricsProvider, ScalingErrorEvent, ScalingExecutor,
    ScalingObserver,
};
pub use config::{
    CompositeMember, CompositeMode, CompositePolicy, ConfigError, LighthouseConfig,
    LighthouseConfigBuilder, MaintenanceWindow, MetricTarget, ResourceConfig, ScalingPolicy,
    ScalingThreshold, ScheduleRule, TargetTrackingPolicy,
};
pub use core::{
    CycleKind, Decision, EngineCore, EngineState, EngineStatus, MetricKey, MetricsSource, Outcome,
    Override, PendingAction, Proposal, ResourceKey, SafetyReason, SkipReason,
};
pub use error::{LighthouseError, LighthouseResult};
pub use runtime::{LighthouseEngine, LighthouseHandle};
pub use time::{Span, Timestamp};
pub use types::{ResourceLayer, ResourceMetrics, ScaleAction, ScaleDirection};
