//! Accepted configuration versions, for audit and rollback.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::LighthouseConfig;
use crate::time::Timestamp;

/// One accepted configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigVersion {
    /// 1 for the initial configuration, then counting up by one per change
    /// (a rollback is a change too).
    pub version: u64,
    /// When it took effect.
    pub applied_at: Timestamp,
    /// What it was: `initial`, `update`, or `rollback to N`.
    pub origin: String,
    /// The configuration itself.
    pub config: LighthouseConfig,
}

/// The most recent accepted versions, oldest first.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ConfigHistory {
    versions: VecDeque<ConfigVersion>,
    capacity: usize,
}

/// How many versions are kept by default.
pub const DEFAULT_HISTORY_LENGTH: usize = 50;

impl ConfigHistory {
    /// A history holding the initial configuration as version 1.
    pub fn new(initial: LighthouseConfig, at: Timestamp) -> Self {
        let mut versions = VecDeque::new();
        versions.push_back(ConfigVersion {
            version: 1,
            applied_at: at,
            origin: "initial".to_string(),
            config: initial,
        });
        ConfigHistory {
            versions,
            capacity: DEFAULT_HISTORY_LENGTH,
        }
    }

    /// Records a newly accepted configuration and returns its version.
    pub fn push(&mut self, config: LighthouseConfig, at: Timestamp, origin: String) -> u64 {
        let version = self.current().version + 1;
        self.versions.push_back(ConfigVersion {
            version,
            applied_at: at,
            origin,
            config,
        });
        while self.versions.len() > self.capacity.max(1) {
            self.versions.pop_front();
        }
        version
    }

    /// The version in force.
    pub fn current(&self) -> &ConfigVersion {
        self.versions
            .back()
            .expect("a history always holds its initial version")
    }

    /// A kept version by number.
    pub fn get(&self, version: u64) -> Option<&ConfigVersion> {
        self.versions.iter().find(|v| v.version == version)
    }

    /// All kept versions, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = &ConfigVersion> {
        self.versions.iter()
    }
}
