//! Streaming accumulators: each takes one sample or event at a time, keeps
//! a few numbers per app or resource, and yields its part of
//! [`super::Figures`] at the end. Samples have equal weight (the sample
//! interval), so sums are kept unweighted and scaled once at the end.

pub(crate) mod breach;
pub(crate) mod cost;
pub(crate) mod elasticity;
pub(crate) mod oscillation;
pub(crate) mod reaction;

/// 1 where `condition` holds, else 0: sums of such values count samples
/// in `f64` lanes, which packed instructions add alongside the other sums.
#[inline(always)]
pub(crate) fn one_if(condition: bool) -> f64 {
    if condition { 1.0 } else { 0.0 }
}
