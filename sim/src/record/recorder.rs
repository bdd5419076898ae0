//! The recorder: takes samples and events as plain numbers, folds them into
//! the stored timeline and the streaming accumulators, and hands over a
//! [`RunRecord`] at the end.
//!
//! Call order: samples and events in non-decreasing time. A *tick* is the
//! set of samples sharing one `t_ms`; each app, the cluster and each worker
//! type give at most one sample per tick. Per-sample work touches only the
//! app's own state (no allocation, no string); the cross-app work (cost
//! split, bucket flush) happens once per tick or per bucket.

use std::collections::BTreeMap;

use super::acc::breach::{AppSlaRuns, AppSlaTotals, combine};
use super::acc::cost::CostAcc;
use super::acc::elasticity::{ElasticAcc, mean_scores};
use super::acc::oscillation::OscillationAcc;
use super::acc::reaction::ReactionAcc;
use super::error::RecordError;
use super::event::{EventKind, EventRow, ResourceIdx, ResourceInfo};
use super::figures::{
    AppElasticity, AppSla, EPSILON_INSTANCES, EPSILON_RPS, ElasticityAggregate, ElasticityFigures,
    Figures, LayerScores, LayerSla, SlaFigures,
};
use super::meta::{FORMAT_VERSION, Layer, RunMeta};
use super::run::{RunRecord, StreamSummary};
use super::sample::{AppSample, ClusterSample, LaneSample, SampleLanes, WorkerSample};
use super::timeline::{
    AppBuckets, AppTimeline, ClusterBucket, ClusterTimeline, WorkerBucket, WorkerTimeline,
};

/// Apps per block of the recorder's state: one lane per app, eight `f64`
/// lanes filling a 512-bit vector (two of 256 bits).
pub const APP_LANES: usize = 8;

/// The state of [`APP_LANES`] consecutive apps, each figure kept by field
/// across the apps (one lane per app), so that a block's samples are added
/// a field at a time with packed instructions.
#[derive(Clone, Debug, Default)]
struct AppBlock {
    bucket: AppBuckets<APP_LANES>,
    /// Instance series (demand in instances against ready instances).
    instances: ElasticAcc<APP_LANES>,
    /// Request-rate series (offered load against ready × service rate).
    rps: ElasticAcc<APP_LANES>,
    sla: AppSlaRuns<APP_LANES>,
    service_rate_rps: [f64; APP_LANES],
    cpu_cores: [f64; APP_LANES],
}

impl AppBlock {
    /// Adds `x` to app `l`'s sums; its CPU request, cores.
    #[inline(always)]
    fn record_lane(&mut self, l: usize, x: &LaneSample) -> f64 {
        let ready = x.ready;
        let supply_rps = ready * self.service_rate_rps[l];
        self.bucket.add_lane(l, x, supply_rps);
        self.instances
            .push_lane(l, x.demand_instances, ready, EPSILON_INSTANCES);
        self.rps.push_lane(l, x.demand_rps, supply_rps, EPSILON_RPS);
        self.sla.push_lane(l, x.latency_breached, x.drop_breached);
        (ready + x.starting) * self.cpu_cores[l]
    }

    /// Adds every lane of `x`; the apps' CPU requests, cores.
    #[inline(always)]
    fn record_all(&mut self, x: &SampleLanes) -> [f64; APP_LANES] {
        let mut cores = [0.0; APP_LANES];
        for (l, c) in cores.iter_mut().enumerate() {
            *c = self.record_lane(l, &x.get(l));
        }
        cores
    }

    /// [`record_all`](Self::record_all) with the processor's widest vectors:
    /// AVX-512 (a block's field in one register) or AVX2 where it has them
    /// (chosen at run time). The operations, and so the bits, are the same
    /// either way.
    fn record_block(&mut self, x: &SampleLanes) -> [f64; APP_LANES] {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512F, checked just above.
            return unsafe { self.record_all_avx512(x) };
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2, checked just above.
            return unsafe { self.record_all_avx2(x) };
        }
        self.record_all(x)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn record_all_avx2(&mut self, x: &SampleLanes) -> [f64; APP_LANES] {
        self.record_all(x)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn record_all_avx512(&mut self, x: &SampleLanes) -> [f64; APP_LANES] {
        self.record_all(x)
    }
}

/// Records one run. See the module docs for the call order.
#[derive(Clone, Debug)]
pub struct Recorder {
    meta: RunMeta,
    resolution_ms: i64,
    resources: Vec<ResourceInfo>,
    resource_ids: BTreeMap<String, ResourceIdx>,
    /// Apps `APP_LANES × b ..` are block `b`.
    blocks: Vec<AppBlock>,
    /// A block's samples by field, on their way in (scratch).
    lanes: SampleLanes,
    /// Each app's SLA totals, added a bucket at a time (not per sample).
    sla_totals: Vec<AppSlaTotals>,
    cluster_bucket: ClusterBucket,
    worker_buckets: Vec<WorkerBucket>,
    tick_ms: Option<i64>,
    bucket: Option<i64>,
    app_samples: u64,
    cluster_samples: u64,
    cost: CostAcc,
    oscillation: OscillationAcc,
    reaction: ReactionAcc,
    app_timeline: AppTimeline,
    cluster_timeline: ClusterTimeline,
    worker_timeline: WorkerTimeline,
    events: Vec<EventRow>,
}

impl Recorder {
    /// A recorder for the run `meta` describes (`end_ms` is set by
    /// [`Recorder::finish`]). Apps become resources `0..apps.len()`.
    pub fn new(meta: RunMeta) -> Result<Recorder, RecordError> {
        let dt = meta.sample_interval_s;
        if !(dt.is_finite() && dt > 0.0) {
            return Err(RecordError::SampleInterval(dt));
        }
        let res = meta.timeline_resolution_s;
        if !res.is_finite() || res < dt {
            return Err(RecordError::Resolution {
                resolution_s: res,
                sample_interval_s: dt,
            });
        }
        if !(meta.flap_window_s.is_finite() && meta.flap_window_s >= 0.0) {
            return Err(RecordError::FlapWindow(meta.flap_window_s));
        }
        let mut rec = Recorder {
            resolution_ms: (res * 1000.0).round() as i64,
            resources: Vec::with_capacity(meta.apps.len() + 1),
            resource_ids: BTreeMap::new(),
            blocks: vec![AppBlock::default(); meta.apps.len().div_ceil(APP_LANES)],
            lanes: SampleLanes::default(),
            sla_totals: vec![AppSlaTotals::default(); meta.apps.len()],
            cluster_bucket: ClusterBucket::default(),
            worker_buckets: vec![WorkerBucket::default(); meta.worker_types.len()],
            tick_ms: None,
            bucket: None,
            app_samples: 0,
            cluster_samples: 0,
            cost: CostAcc::new(meta.apps.len(), meta.worker_types.len()),
            oscillation: OscillationAcc::new(meta.flap_window_s),
            reaction: ReactionAcc::default(),
            app_timeline: AppTimeline::default(),
            cluster_timeline: ClusterTimeline::default(),
            worker_timeline: WorkerTimeline::default(),
            events: Vec::new(),
            meta,
        };
        for i in 0..rec.meta.apps.len() {
            let app = &rec.meta.apps[i];
            let rate = app.service_rate_rps;
            if !(rate.is_finite() && rate > 0.0) {
                return Err(RecordError::ServiceRate {
                    app: app.name.clone(),
                    value: rate,
                });
            }
            let (id, layer, cpu_cores) = (app.resource_id.clone(), app.layer, app.cpu_cores);
            if rec.resource_ids.contains_key(&id) {
                return Err(RecordError::DuplicateResource(id));
            }
            rec.resource(&id, layer);
            let block = &mut rec.blocks[i / APP_LANES];
            block.service_rate_rps[i % APP_LANES] = rate;
            block.cpu_cores[i % APP_LANES] = cpu_cores;
        }
        Ok(rec)
    }

    /// The index events use for resource `id` (interned on first use; call
    /// it once per resource when setting up, not per event).
    pub fn resource(&mut self, id: &str, layer: Layer) -> ResourceIdx {
        if let Some(&idx) = self.resource_ids.get(id) {
            return idx;
        }
        let idx = ResourceIdx(self.resources.len() as u32);
        self.resources.push(ResourceInfo {
            id: id.to_owned(),
            layer,
        });
        self.resource_ids.insert(id.to_owned(), idx);
        idx
    }

    /// The resource index of app `app_idx` (its position in `RunMeta::apps`).
    pub fn app_resource(&self, app_idx: usize) -> ResourceIdx {
        ResourceIdx(app_idx as u32)
    }

    /// The run's metadata.
    pub fn meta(&self) -> &RunMeta {
        &self.meta
    }

    /// Records app `app_idx`'s sample at `t_ms` (Unix epoch milliseconds).
    /// Panics if `app_idx` is not an app of `RunMeta::apps`.
    #[inline]
    pub fn app_sample(&mut self, t_ms: i64, app_idx: usize, s: &AppSample) {
        assert!(app_idx < self.meta.apps.len(), "no app {app_idx}");
        self.advance(t_ms);
        let block = &mut self.blocks[app_idx / APP_LANES];
        let cores = block.record_lane(app_idx % APP_LANES, &LaneSample::from(s));
        self.cost.app_request(app_idx, cores);
        self.app_samples += 1;
    }

    /// Records at `t_ms` the samples of consecutive apps from `first` on,
    /// one per item of `samples`: the same as
    /// [`app_sample`](Self::app_sample) for each, with the tick checked
    /// once and whole blocks of [`APP_LANES`] apps added with packed
    /// instructions (the simulator and the trace replay record their fleet
    /// so). Panics if the apps run past the end of `RunMeta::apps`.
    pub fn app_samples(
        &mut self,
        t_ms: i64,
        first: usize,
        samples: impl ExactSizeIterator<Item = AppSample>,
    ) {
        let end = first + samples.len();
        assert!(end <= self.meta.apps.len(), "no apps {first}..{end}");
        self.advance(t_ms);
        let mut samples = samples;
        let mut at = first;
        while at < end {
            // The part of one block from lane `l0` on.
            let (block, l0) = (at / APP_LANES, at % APP_LANES);
            let n = (APP_LANES - l0).min(end - at);
            for (l, s) in (l0..l0 + n).zip(samples.by_ref()) {
                self.lanes.set(l, &s);
            }
            let block = &mut self.blocks[block];
            if n == APP_LANES {
                self.cost.app_requests(at, &block.record_block(&self.lanes));
            } else {
                let mut cores = [0.0; APP_LANES];
                for (l, c) in (l0..l0 + n).zip(&mut cores) {
                    *c = block.record_lane(l, &self.lanes.get(l));
                }
                self.cost.app_requests(at, &cores[..n]);
            }
            at += n;
        }
        self.app_samples += (end - first) as u64;
    }

    /// Records at `t_ms` the samples of the block of [`APP_LANES`] apps
    /// that starts at app `first` (a multiple of [`APP_LANES`]), given by
    /// field: the same as [`app_samples`](Self::app_samples) for them.
    /// Panics if `first` does not start a whole block of apps.
    #[inline]
    pub(crate) fn app_block(&mut self, t_ms: i64, first: usize, lanes: &SampleLanes) {
        assert!(
            first.is_multiple_of(APP_LANES) && first + APP_LANES <= self.meta.apps.len(),
            "no block of apps at {first}"
        );
        self.advance(t_ms);
        let cores = self.blocks[first / APP_LANES].record_block(lanes);
        self.cost.app_requests(first, &cores);
        self.app_samples += APP_LANES as u64;
    }

    /// Records the cluster's sample at `t_ms`.
    #[inline]
    pub fn cluster_sample(&mut self, t_ms: i64, s: &ClusterSample) {
        self.advance(t_ms);
        self.cluster_bucket.add(s);
        self.cost.cluster(s, self.meta.budget_per_hour);
        self.cluster_samples += 1;
    }

    /// Records worker type `type_idx`'s sample at `t_ms`. Panics if
    /// `type_idx` is not a type of `RunMeta::worker_types`.
    #[inline]
    pub fn worker_sample(&mut self, t_ms: i64, type_idx: usize, s: &WorkerSample) {
        self.advance(t_ms);
        self.worker_buckets[type_idx].add(s);
        self.cost.worker(type_idx, s.count, s.cost);
    }

    /// Records an event. Panics if its resource was not interned here.
    pub fn event(&mut self, e: EventRow) {
        let r = e.resource.0 as usize;
        assert!(
            r < self.resources.len(),
            "event for unknown resource index {r}"
        );
        if e.kind == EventKind::Executed {
            self.oscillation.push(r, e.direction, e.t_ms);
        }
        self.reaction
            .push(e.kind, e.action_id, e.t_ms, e.signal_since_ms);
        self.events.push(e);
    }

    /// Ends the run at `end_ms` and hands over everything recorded.
    pub fn finish(mut self, end_ms: i64) -> RunRecord {
        self.cost.close_tick();
        if let Some(b) = self.bucket {
            self.flush_bucket(b);
        }
        self.meta.end_ms = end_ms;
        self.events.sort_by_key(|e| e.t_ms);
        let dt = self.meta.sample_interval_s;
        let figures = Figures {
            duration_s: self.meta.duration_s(),
            cost: self.cost.figures(&self.meta, dt),
            sla: self.sla_figures(),
            oscillation: self.oscillation.figures(
                &self.resources,
                self.meta.duration_s() / 3600.0,
                self.meta.flap_window_s,
            ),
            elasticity: self.elasticity_figures(),
            reaction: self.reaction.figures(),
        };
        let stream = StreamSummary {
            format_version: FORMAT_VERSION,
            sample_interval_s: dt,
            app_samples: self.app_samples,
            cluster_samples: self.cluster_samples,
            events: self.events.len() as u64,
            figures,
        };
        RunRecord {
            meta: self.meta,
            resources: self.resources,
            apps: self.app_timeline,
            cluster: self.cluster_timeline,
            workers: self.worker_timeline,
            events: self.events,
            stream,
        }
    }

    /// Moves to the tick at `t_ms`: closes the open tick and, when the
    /// bucket changes, flushes the open bucket. Every sample calls it and
    /// nearly all are in the open tick, so that test is inlined alone.
    #[inline(always)]
    fn advance(&mut self, t_ms: i64) {
        if self.tick_ms != Some(t_ms) {
            self.advance_tick(t_ms);
        }
    }

    #[inline(never)]
    fn advance_tick(&mut self, t_ms: i64) {
        if let Some(tick) = self.tick_ms {
            debug_assert!(
                t_ms >= tick,
                "sample at {t_ms} ms after the tick at {tick} ms"
            );
            if t_ms <= tick {
                return;
            }
            self.cost.close_tick();
        }
        self.tick_ms = Some(t_ms);
        let bucket = (t_ms - self.meta.start_ms).div_euclid(self.resolution_ms);
        if self.bucket != Some(bucket) {
            if let Some(old) = self.bucket {
                self.flush_bucket(old);
            }
            self.bucket = Some(bucket);
        }
    }

    fn flush_bucket(&mut self, bucket: i64) {
        let t_ms = self.meta.start_ms + bucket * self.resolution_ms;
        let dt = self.meta.sample_interval_s;
        let blocks = self
            .blocks
            .iter_mut()
            .zip(self.sla_totals.chunks_mut(APP_LANES));
        for (b, (block, totals)) in blocks.enumerate() {
            for (l, totals) in totals.iter_mut().enumerate() {
                totals.add(&block.bucket.sla_part(l));
                let app = (b * APP_LANES + l) as u32;
                block
                    .bucket
                    .append_row(l, &mut self.app_timeline, t_ms, app, dt);
            }
            block.bucket = AppBuckets::default();
        }
        self.cluster_bucket
            .flush(&mut self.cluster_timeline, t_ms, dt);
        for (i, w) in self.worker_buckets.iter_mut().enumerate() {
            w.flush(&mut self.worker_timeline, t_ms, i as u32, dt);
        }
    }

    fn sla_figures(&self) -> SlaFigures {
        let dt = self.meta.sample_interval_s;
        let apps: Vec<AppSla> = self
            .meta
            .apps
            .iter()
            .zip(&self.sla_totals)
            .enumerate()
            .map(|(i, (meta, totals))| AppSla {
                app: meta.name.clone(),
                layer: meta.layer,
                slo: meta.slo,
                observed_s: totals.samples as f64 * dt,
                requests: totals.requests,
                dropped: totals.dropped,
                drop_rate: if totals.requests > 0.0 {
                    totals.dropped / totals.requests
                } else {
                    0.0
                },
                stats: totals.stats(&self.blocks[i / APP_LANES].sla, i % APP_LANES, dt),
            })
            .collect();
        let parts = |layer: Option<Layer>| -> Vec<_> {
            apps.iter()
                .filter(|a| layer.is_none_or(|l| a.layer == l))
                .map(|a| (a.stats, a.observed_s))
                .collect()
        };
        SlaFigures {
            total: combine(&parts(None)),
            by_layer: [Layer::AppInstance, Layer::PlatformComponent]
                .into_iter()
                .map(|layer| LayerSla {
                    layer,
                    stats: combine(&parts(Some(layer))),
                })
                .collect(),
            apps,
        }
    }

    fn elasticity_figures(&self) -> ElasticityFigures {
        let dt = self.meta.sample_interval_s;
        let apps: Vec<AppElasticity> = self
            .meta
            .apps
            .iter()
            .enumerate()
            .map(|(i, meta)| {
                let (block, l) = (&self.blocks[i / APP_LANES], i % APP_LANES);
                let r = meta.max_capacity.max(1) as f64;
                AppElasticity {
                    app: meta.name.clone(),
                    layer: meta.layer,
                    instances: block.instances.scores(l, dt, r),
                    rps: block.rps.scores(l, dt, r * block.service_rate_rps[l]),
                }
            })
            .collect();
        let sampled: Vec<(&AppElasticity, bool)> = apps
            .iter()
            .zip(&self.sla_totals)
            .map(|(a, totals)| (a, totals.samples > 0))
            .collect();
        let aggregate = |pick: fn(&AppElasticity) -> super::figures::Scores| {
            let of = |layer: Option<Layer>| {
                let list: Vec<_> = sampled
                    .iter()
                    .filter(|(a, has)| *has && layer.is_none_or(|l| a.layer == l))
                    .map(|(a, _)| pick(a))
                    .collect();
                mean_scores(&list)
            };
            ElasticityAggregate {
                mean: of(None),
                by_layer: [Layer::AppInstance, Layer::PlatformComponent]
                    .into_iter()
                    .map(|layer| LayerScores {
                        layer,
                        scores: of(Some(layer)),
                    })
                    .collect(),
            }
        };
        ElasticityFigures {
            epsilon_instances: EPSILON_INSTANCES,
            epsilon_rps: EPSILON_RPS,
            instances: aggregate(|a| a.instances),
            rps: aggregate(|a| a.rps),
            apps,
        }
    }
}
