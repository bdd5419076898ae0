//! Scale actions, reversals and flaps per resource, from `executed` events.

use crate::record::event::{Direction, ResourceInfo};
use crate::record::figures::{LayerScale, OscillationFigures, ResourceScale, ScaleCounts};
use crate::record::meta::Layer;

#[derive(Clone, Copy, Debug, Default)]
struct ResourceAcc {
    up: u64,
    down: u64,
    reversals: u64,
    flaps: u64,
    last: Option<(Direction, i64)>,
}

/// Running counts per resource, indexed like the recorder's resources.
#[derive(Clone, Debug)]
pub(crate) struct OscillationAcc {
    window_ms: i64,
    resources: Vec<ResourceAcc>,
}

impl OscillationAcc {
    /// `window_s`: reversals at most this far apart are flaps, seconds.
    pub(crate) fn new(window_s: f64) -> OscillationAcc {
        OscillationAcc {
            window_ms: (window_s * 1000.0).round() as i64,
            resources: Vec::new(),
        }
    }

    /// Adds one executed scale action; events must come in time order.
    pub(crate) fn push(&mut self, resource: usize, direction: Direction, t_ms: i64) {
        if direction == Direction::None {
            return;
        }
        if self.resources.len() <= resource {
            self.resources.resize(resource + 1, ResourceAcc::default());
        }
        let r = &mut self.resources[resource];
        match direction {
            Direction::Up => r.up += 1,
            _ => r.down += 1,
        }
        if let Some((prev, prev_t)) = r.last
            && prev != direction
        {
            r.reversals += 1;
            r.flaps += (t_ms - prev_t <= self.window_ms) as u64;
        }
        r.last = Some((direction, t_ms));
    }

    /// The figures; `resources` names every index, `hours` is the run length.
    pub(crate) fn figures(
        &self,
        resources: &[ResourceInfo],
        hours: f64,
        window_s: f64,
    ) -> OscillationFigures {
        let counts = |up: u64, down: u64, reversals: u64, flaps: u64| ScaleCounts {
            up,
            down,
            up_per_hour: per_hour(up, hours),
            down_per_hour: per_hour(down, hours),
            reversals,
            flaps,
        };
        let mut per_resource: Vec<ResourceScale> = self
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.up + r.down > 0)
            .map(|(i, r)| ResourceScale {
                resource_id: resources[i].id.clone(),
                layer: resources[i].layer,
                counts: counts(r.up, r.down, r.reversals, r.flaps),
            })
            .collect();
        per_resource.sort_by(|a, b| a.resource_id.cmp(&b.resource_id));
        let total_of = |rows: &mut dyn Iterator<Item = &ResourceScale>| {
            let (mut u, mut d, mut r, mut f) = (0, 0, 0, 0);
            for row in rows {
                u += row.counts.up;
                d += row.counts.down;
                r += row.counts.reversals;
                f += row.counts.flaps;
            }
            counts(u, d, r, f)
        };
        let by_layer = Layer::ALL
            .into_iter()
            .map(|layer| LayerScale {
                layer,
                counts: total_of(&mut per_resource.iter().filter(|r| r.layer == layer)),
            })
            .collect();
        OscillationFigures {
            flap_window_s: window_s,
            total: total_of(&mut per_resource.iter()),
            by_layer,
            resources: per_resource,
        }
    }
}

fn per_hour(n: u64, hours: f64) -> f64 {
    if hours > 0.0 { n as f64 / hours } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resources() -> Vec<ResourceInfo> {
        vec![
            ResourceInfo {
                id: "app_instance:web".into(),
                layer: Layer::AppInstance,
            },
            ResourceInfo {
                id: "worker_node:pool".into(),
                layer: Layer::WorkerNode,
            },
        ]
    }

    #[test]
    fn no_actions_gives_zero_counts_and_no_resources() {
        let f = OscillationAcc::new(600.0).figures(&resources(), 1.0, 600.0);
        assert!(f.resources.is_empty());
        assert_eq!(f.total, ScaleCounts::default());
        assert_eq!(f.by_layer.len(), 3);
    }

    #[test]
    fn flaps_are_reversals_inside_the_window() {
        let mut acc = OscillationAcc::new(600.0);
        let min = 60_000;
        acc.push(0, Direction::Up, 0);
        acc.push(0, Direction::Down, 10 * min); // reversal exactly at the window: a flap
        acc.push(0, Direction::Down, 12 * min); // same direction: no reversal
        acc.push(0, Direction::Up, 30 * min); // reversal 18 min later: not a flap
        acc.push(0, Direction::None, 31 * min); // not a scale action
        acc.push(1, Direction::Up, 0);
        let f = acc.figures(&resources(), 2.0, 600.0);
        let web = &f.resources[0].counts;
        assert_eq!((web.up, web.down, web.reversals, web.flaps), (2, 2, 2, 1));
        assert_eq!(web.up_per_hour, 1.0);
        assert_eq!(f.total.up, 3);
        assert_eq!(f.by_layer[2].counts.up, 1);
        assert_eq!(f.by_layer[2].layer, Layer::WorkerNode);
        assert_eq!(f.by_layer[1].counts, ScaleCounts::default());
    }

    #[test]
    fn a_reversal_just_past_the_window_is_not_a_flap() {
        let mut acc = OscillationAcc::new(600.0);
        acc.push(0, Direction::Down, 0);
        acc.push(0, Direction::Up, 600_001);
        let f = acc.figures(&resources(), 1.0, 600.0);
        assert_eq!((f.total.reversals, f.total.flaps), (1, 0));
    }
}
