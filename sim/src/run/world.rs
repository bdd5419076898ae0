//! What the engine's callbacks share with the simulation loop: the fleet,
//! the recorder and the fault state.

use std::collections::HashMap;

use rand::rngs::SmallRng;

use crate::fleet::Fleet;
use crate::record::{Recorder, ResourceIdx};

use super::faults::Faults;

/// What a resource id names in the fleet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An app or platform component, by index.
    App(usize),
    /// The worker pool.
    Pool,
}

/// The shared state.
pub struct World {
    /// The fleet.
    pub fleet: Fleet,
    /// The run's recorder.
    pub recorder: Recorder,
    /// Injected faults.
    pub faults: Faults,
    /// Provisioning delays and spot interruptions.
    pub rng_workers: SmallRng,
    /// Resource id → what it names.
    pub targets: HashMap<String, Target>,
    /// Resource id → its index in the recorder.
    pub record_ids: HashMap<String, ResourceIdx>,
    /// The worker pool's resource type (its policy name).
    pub pool_type: String,
    /// Next action id to hand out.
    pub next_action_id: i64,
    /// The action being decided and executed in this cycle.
    pub current_action: Option<i64>,
    /// Resource id → the id of its last failed action (a lost answer read
    /// back later belongs to it).
    pub failed_actions: HashMap<String, i64>,
    /// Action id → the recorder index of its resource, until its capacity is ready.
    pub action_resources: HashMap<i64, ResourceIdx>,
    /// Decisions to act so far.
    pub decisions: u64,
    /// Errors so far.
    pub errors: u64,
}

impl World {
    /// What a resource id names.
    pub fn target_of(&self, resource_id: &str) -> Option<Target> {
        self.targets.get(resource_id).copied()
    }

    /// The recorder's index of a resource.
    pub fn record_index(&self, resource_id: &str) -> Option<ResourceIdx> {
        self.record_ids.get(resource_id).copied()
    }
}
