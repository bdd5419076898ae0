//! Queueing model: filled by its owner.
