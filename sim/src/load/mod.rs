//! Load generators: filled by its owner.
