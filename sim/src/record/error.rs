//! Why a recorder could not be set up.

use std::fmt;

/// A `RunMeta` the recorder cannot work with.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordError {
    /// `sample_interval_s` is not a positive finite number of seconds.
    SampleInterval(f64),
    /// `timeline_resolution_s` is not finite or is below the sample interval.
    Resolution {
        /// The resolution given, seconds.
        resolution_s: f64,
        /// The sample interval, seconds.
        sample_interval_s: f64,
    },
    /// `flap_window_s` is negative or not finite.
    FlapWindow(f64),
    /// An app's `service_rate_rps` is not a positive finite number.
    ServiceRate {
        /// The app's name.
        app: String,
        /// The rate given, requests per second.
        value: f64,
    },
    /// Two resources share an id.
    DuplicateResource(String),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::SampleInterval(v) => write!(
                f,
                "sample_interval_s must be a positive number of seconds, got {v}"
            ),
            RecordError::Resolution {
                resolution_s,
                sample_interval_s,
            } => write!(
                f,
                "timeline_resolution_s ({resolution_s}) must be finite and at least sample_interval_s ({sample_interval_s})"
            ),
            RecordError::FlapWindow(v) => write!(
                f,
                "flap_window_s must be a non-negative number of seconds, got {v}"
            ),
            RecordError::ServiceRate { app, value } => {
                write!(
                    f,
                    "app {app:?}: service_rate_rps must be a positive number, got {value}"
                )
            }
            RecordError::DuplicateResource(id) => write!(f, "resource id {id:?} is declared twice"),
        }
    }
}

impl std::error::Error for RecordError {}
