//! What survives a restart: configuration history, cooldowns, last
//! actions, retry back-off and overrides, as one serialisable value.

use serde::{Deserialize, Serialize};

use super::EngineCore;
use super::retry::SplitMix64;
use super::state::ResourceSnapshot;
use crate::config::{ConfigError, ConfigHistory};
use crate::time::Timestamp;

/// The engine's durable state. Save it (atomically) after changes and pass
/// it to [`EngineCore::from_state`] after a restart: cooldowns and back-off
/// still hold, so a restart never causes a burst of actions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EngineState {
    /// Layout version of this value.
    pub format_version: u32,
    /// When it was taken.
    pub saved_at: Timestamp,
    /// Accepted configurations; the last is in force.
    pub history: ConfigHistory,
    /// Per-resource state.
    pub resources: Vec<ResourceSnapshot>,
    /// When the next full evaluation is due.
    pub next_evaluation: Timestamp,
    /// Decisions to act made so far.
    pub total_recommendations: u64,
    /// When the last cycle ran.
    pub last_evaluation: Option<Timestamp>,
    /// The retry jitter generator, so jitter continues its sequence.
    pub rng: SplitMix64,
}

impl EngineCore {
    /// A snapshot of what must survive a restart, per resource.
    pub fn snapshot(&self) -> Vec<ResourceSnapshot> {
        self.resources
            .iter()
            .map(|r| ResourceSnapshot {
                resource_id: r.id.to_string(),
                resource_type: self.type_names[r.type_name as usize].to_string(),
                source: r.source,
                capacity: r.capacity,
                cooldown_up_until: r.cooldown_until[0],
                cooldown_down_until: r.cooldown_until[1],
                failures: r.failures,
                backoff_until: r.backoff_until,
                protected_workers: r.protected_workers,
                override_: r.override_,
                last_action: r.last_action,
            })
            .collect()
    }

    /// Restores resources from a snapshot (after [`EngineCore::new`] with the
    /// saved configuration). Resources whose type is unknown are skipped and
    /// returned.
    pub fn restore(&mut self, snapshot: &[ResourceSnapshot]) -> Vec<String> {
        let mut unknown = Vec::new();
        for s in snapshot {
            match self.register_resource(&s.resource_id, &s.resource_type, s.source) {
                Ok(key) => {
                    let r = &mut self.resources[key.index()];
                    r.capacity = s.capacity;
                    r.cooldown_until = [s.cooldown_up_until, s.cooldown_down_until];
                    r.failures = s.failures;
                    r.backoff_until = s.backoff_until;
                    r.protected_workers = s.protected_workers;
                    r.override_ = s.override_;
                    r.last_action = s.last_action;
                    if s.failures > 0 {
                        // A restart never retries in a burst: the saved
                        // back-off still holds.
                        self.retry_queue.insert((s.backoff_until, key.0));
                    }
                }
                Err(_) => unknown.push(s.resource_id.clone()),
            }
        }
        unknown
    }

    /// The durable state at `now`.
    pub fn export_state(&self, now: Timestamp) -> EngineState {
        EngineState {
            format_version: 1,
            saved_at: now,
            history: self.history.clone(),
            resources: self.snapshot(),
            next_evaluation: self.next_evaluation,
            total_recommendations: self.total_recommendations,
            last_evaluation: self.last_evaluation,
            rng: self.rng.clone(),
        }
    }

    /// A core rebuilt from saved state; the configuration in force is the
    /// last of its history (validated again). Returns the ids of resources
    /// whose type no longer exists, which were dropped.
    pub fn from_state(state: EngineState) -> Result<(EngineCore, Vec<String>), ConfigError> {
        let config = state.history.current().config.clone();
        let mut core = EngineCore::new(config, state.saved_at)?;
        core.history = state.history;
        let dropped = core.restore(&state.resources);
        core.next_evaluation = state.next_evaluation;
        core.total_recommendations = state.total_recommendations;
        core.last_evaluation = state.last_evaluation;
        core.rng = state.rng;
        Ok((core, dropped))
    }
}
