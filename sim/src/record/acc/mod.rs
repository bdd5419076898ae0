//! Streaming accumulators: each takes one sample or event at a time, keeps
//! a few numbers per app or resource, and yields its part of
//! [`super::Figures`] at the end. Samples have equal weight (the sample
//! interval), so sums are kept unweighted and scaled once at the end.

pub(crate) mod breach;
pub(crate) mod cost;
pub(crate) mod elasticity;
pub(crate) mod oscillation;
pub(crate) mod reaction;
