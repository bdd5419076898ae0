//! Integration tests of lighthouse-live.
