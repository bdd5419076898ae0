//! The Lighthouse engine (being written).
