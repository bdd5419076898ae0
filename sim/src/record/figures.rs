//! The figures a run is judged by. The recorder's streaming accumulators and
//! the reports crate (from the stored timeline) both fill these shapes, so
//! that one can check the other; every key is documented in
//! `reports/README.md`. Lists are in a fixed order (declaration order, or
//! resource id for per-resource lists) so that the JSON is byte-stable.

use serde::{Deserialize, Serialize};

use super::meta::{Layer, Slo};

/// Every figure of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Run length, `end_ms − start_ms`, seconds.
    pub duration_s: f64,
    /// Money spent.
    pub cost: CostFigures,
    /// Service level objectives.
    pub sla: SlaFigures,
    /// Scale actions and their reversals.
    pub oscillation: OscillationFigures,
    /// How closely supply followed demand.
    pub elasticity: ElasticityFigures,
    /// Time from a signal to new capacity serving.
    pub reaction: ReactionFigures,
}

/// Money spent, in the scenario's currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostFigures {
    /// Total money spent.
    pub total: f64,
    /// Part of it on spot workers.
    pub spot: f64,
    /// Part of it on on-demand workers (`total − spot`).
    pub on_demand: f64,
    /// `total` ÷ run hours, money per hour.
    pub mean_rate_per_hour: f64,
    /// Highest spending rate in any sample (bucket at coarser resolution), money per hour.
    pub peak_rate_per_hour: f64,
    /// Split of `total` by layer (see [`LayerCost`]).
    pub by_layer: LayerCost,
    /// Per worker type, in declaration order.
    pub by_worker_type: Vec<WorkerTypeCost>,
    /// Per app, in declaration order (approximated by CPU request share).
    pub by_app: Vec<AppCost>,
    /// Against the scenario's budget; `None` without one.
    pub budget: Option<BudgetFigures>,
}

/// `total` split by layer. In each sample the cluster's cost is split into a
/// requested part (× CPU utilisation, which is requested ÷ allocatable CPU)
/// shared by the apps in proportion to their CPU requests
/// (allocated instances × `cpu_cores`), and an idle part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerCost {
    /// Money attributed to app instances.
    pub app_instance: f64,
    /// Money attributed to platform components.
    pub platform_component: f64,
    /// Money for worker capacity that no instance requested.
    pub worker_idle: f64,
}

/// Cost of one worker type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerTypeCost {
    /// Worker type name.
    pub worker_type: String,
    /// Whether it is a spot type.
    pub spot: bool,
    /// Money spent on it.
    pub cost: f64,
    /// Time-weighted mean of billed workers of this type.
    pub mean_count: f64,
}

/// Cost attributed to one app (see [`LayerCost`] for the rule).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppCost {
    /// App name.
    pub app: String,
    /// Its layer.
    pub layer: Layer,
    /// Money attributed to it.
    pub cost: f64,
}

/// Spending against the budget.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetFigures {
    /// The budget, money per hour.
    pub per_hour: f64,
    /// Budget for the whole run, `per_hour × run hours`, money.
    pub total: f64,
    /// `total − cost`, money; negative when over budget.
    pub headroom: f64,
    /// Cost ÷ budget for the run, 0..1 (more when over).
    pub used_share: f64,
    /// Time the spending rate was above the budget, minutes.
    pub over_budget_minutes: f64,
}

/// Breaches of the service level objectives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlaFigures {
    /// All apps together.
    pub total: SlaStats,
    /// Per layer (`app_instance`, `platform_component`).
    pub by_layer: Vec<LayerSla>,
    /// Per app, in declaration order.
    pub apps: Vec<AppSla>,
}

/// Breach statistics for a layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerSla {
    /// The layer.
    pub layer: Layer,
    /// Its apps together.
    pub stats: SlaStats,
}

/// Breach statistics of one app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppSla {
    /// App name.
    pub app: String,
    /// Its layer.
    pub layer: Layer,
    /// The objective it is held to.
    pub slo: Slo,
    /// Time with samples, seconds.
    pub observed_s: f64,
    /// Requests offered.
    pub requests: f64,
    /// Requests dropped.
    pub dropped: f64,
    /// `dropped ÷ requests` (0 without requests).
    pub drop_rate: f64,
    /// Its breaches.
    pub stats: SlaStats,
}

/// Breaches of any objective, and of each objective on its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SlaStats {
    /// Latency or drop-rate objective missed.
    pub any: BreachStats,
    /// Latency objective missed.
    pub latency: BreachStats,
    /// Drop-rate objective missed.
    pub drop_rate: BreachStats,
}

/// A breach is a maximal run of consecutive samples (of one app) missing
/// the objective.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BreachStats {
    /// Number of breaches.
    pub breaches: u64,
    /// Time in breach, minutes.
    pub breach_minutes: f64,
    /// Time in breach ÷ time observed, 0..1.
    pub share_of_time: f64,
    /// Requests offered during breached samples.
    pub requests_affected: f64,
    /// Longest single breach, seconds.
    pub longest_breach_s: f64,
}

/// Executed scale actions (`executed` events with a direction).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OscillationFigures {
    /// Reversals at most this far apart count as flaps, seconds.
    pub flap_window_s: f64,
    /// All resources together.
    pub total: ScaleCounts,
    /// Per layer, all three layers in order.
    pub by_layer: Vec<LayerScale>,
    /// Per resource with at least one action, sorted by resource id.
    pub resources: Vec<ResourceScale>,
}

/// Scale actions of one layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerScale {
    /// The layer.
    pub layer: Layer,
    /// Its actions.
    pub counts: ScaleCounts,
}

/// Scale actions of one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceScale {
    /// e.g. `app_instance:web`.
    pub resource_id: String,
    /// Its layer.
    pub layer: Layer,
    /// Its actions.
    pub counts: ScaleCounts,
}

/// Counts of scale actions. A reversal is an action opposite in direction
/// to the previous action on the same resource; a flap is a reversal at
/// most `flap_window_s` after that previous action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScaleCounts {
    /// Scale-up actions.
    pub up: u64,
    /// Scale-down actions.
    pub down: u64,
    /// Scale-up actions per run hour.
    pub up_per_hour: f64,
    /// Scale-down actions per run hour.
    pub down_per_hour: f64,
    /// Reversals.
    pub reversals: u64,
    /// Flaps (reversals inside the window).
    pub flaps: u64,
}

/// Elasticity scores (`docs/../elasticity-metrics.md`) per app, in two
/// units: instances (demand = fewest instances meeting the SLO, supply =
/// ready instances) and requests per second (demand = offered load, supply
/// = ready instances × service rate).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElasticityFigures {
    /// Floor of the demand divisor in normalised scores, instances.
    pub epsilon_instances: f64,
    /// Floor of the demand divisor in normalised scores, requests per second.
    pub epsilon_rps: f64,
    /// Unweighted means over apps, instance units.
    pub instances: ElasticityAggregate,
    /// Unweighted means over apps, requests-per-second units.
    pub rps: ElasticityAggregate,
    /// Per app, in declaration order.
    pub apps: Vec<AppElasticity>,
}

/// Means of per-app scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElasticityAggregate {
    /// Over all apps with samples; `None` when there are none.
    pub mean: Option<Scores>,
    /// Per layer (`app_instance`, `platform_component`).
    pub by_layer: Vec<LayerScores>,
}

/// Mean scores of one layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerScores {
    /// The layer.
    pub layer: Layer,
    /// `None` when the layer has no app with samples.
    pub scores: Option<Scores>,
}

/// Scores of one app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppElasticity {
    /// App name.
    pub app: String,
    /// Its layer.
    pub layer: Layer,
    /// Instance units.
    pub instances: Scores,
    /// Requests-per-second units.
    pub rps: Scores,
}

/// One set of elasticity scores. With d demand, s supply, Δt the sample
/// weight, T_total = ΣΔt, R = max capacity (× service rate in rps units):
/// transitions are pairs of consecutive samples; scores over transitions
/// are 0 with fewer than two samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// a_U = Σ(d−s)⁺Δt ÷ (T_total·R), share of capacity.
    pub a_u: f64,
    /// a_O = Σ(s−d)⁺Δt ÷ (T_total·R), share of capacity.
    pub a_o: f64,
    /// ā_U = Σ((d−s)⁺ ÷ max(d,ε))Δt ÷ T_total, share of demand.
    pub a_u_norm: f64,
    /// ā_O = Σ((s−d)⁺ ÷ max(d,ε))Δt ÷ T_total, share of demand.
    pub a_o_norm: f64,
    /// t_U: share of time with d > s, 0..1.
    pub t_u: f64,
    /// t_O: share of time with s > d, 0..1.
    pub t_o: f64,
    /// k: share of transitions with sgnΔs > sgnΔd (supply ahead of demand), 0..1.
    pub k: f64,
    /// k′: share of transitions with sgnΔd > sgnΔs, 0..1.
    pub k_prime: f64,
    /// θ_U = 100·ā_U, percent.
    pub theta_u: f64,
    /// θ_O = 100·ā_O, percent.
    pub theta_o: f64,
    /// τ_U = 100·t_U, percent of time.
    pub tau_u: f64,
    /// τ_O = 100·t_O, percent of time.
    pub tau_o: f64,
    /// υ: percent of transitions with sgnΔs ≠ sgnΔd.
    pub upsilon: f64,
    /// Jitter (E_S − E_D) ÷ T_total, per hour: < 0 sluggish, > 0 oscillating.
    pub jitter_per_hour: f64,
    /// E_S: transitions where supply changed.
    pub supply_changes: f64,
    /// E_D: transitions where demand changed.
    pub demand_changes: f64,
}

/// Reaction times of actions, linked by `action_id`: signal (the
/// decision's `signal_since_ms`) → decision → first `executed` → first
/// `ready`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReactionFigures {
    /// Signal to decision, seconds.
    pub signal_to_decision: Percentiles,
    /// Decision to execution, seconds.
    pub decision_to_executed: Percentiles,
    /// Execution to new capacity serving, seconds.
    pub executed_to_ready: Percentiles,
    /// Signal to new capacity serving, seconds.
    pub signal_to_ready: Percentiles,
}

/// Distribution of a duration, seconds. Percentiles interpolate linearly
/// between the closest ranks (position q·(n−1) in the sorted values);
/// `None` without samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Number of samples.
    pub count: u64,
    /// Mean, seconds.
    pub mean: Option<f64>,
    /// Median, seconds.
    pub p50: Option<f64>,
    /// 90th percentile, seconds.
    pub p90: Option<f64>,
    /// 99th percentile, seconds.
    pub p99: Option<f64>,
    /// Largest, seconds.
    pub max: Option<f64>,
}

/// ε of the normalised scores in instance units: one instance.
pub const EPSILON_INSTANCES: f64 = 1.0;
/// ε of the normalised scores in requests-per-second units: one request/s.
pub const EPSILON_RPS: f64 = 1.0;
