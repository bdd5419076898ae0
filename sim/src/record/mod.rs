//! Run recording: filled by its owner.
