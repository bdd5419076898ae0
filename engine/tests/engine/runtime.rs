//! The tokio runtime, on tokio's paused clock: no real sleeps.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lighthouse_engine::*;

use crate::support::*;

const WEB: &str = "app_instance:web";

fn engine(interval: u64) -> (LighthouseEngine, Fleet, Recorder) {
    let mut cfg = threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![rule("requests_per_second", 1000.0, 200.0, 1.5, 60)],
        1,
        50,
    );
    cfg.evaluation_interval_seconds = interval;
    cfg.global_settings.insert("cluster".into(), "eu-1".into());
    let fleet = Fleet::default();
    fleet.with(|f| {
        f.capacity.insert(WEB.into(), 2);
    });
    let recorder = Recorder::default();
    let callbacks = LighthouseCallbacks::new(Arc::new(fleet.clone()), Arc::new(fleet.clone()))
        .add_observer(Arc::new(recorder.clone()));
    let engine =
        LighthouseEngine::starting_at(cfg, callbacks, Timestamp::from_secs(1_000)).unwrap();
    (engine, fleet, recorder)
}

fn sample(rps: f64, at_secs: i64) -> ResourceMetrics {
    ResourceMetrics {
        resource_id: WEB.into(),
        resource_type: "web".into(),
        timestamp: Timestamp::from_secs(at_secs),
        metrics: [("requests_per_second".to_string(), rps)].into(),
    }
}

#[tokio::test(start_paused = true)]
async fn the_loop_evaluates_every_interval_and_shutdown_really_stops_it() {
    let (engine, fleet, _) = engine(30);
    let handle = engine.handle();
    let task = tokio::spawn(engine.start());
    handle.update_metrics(sample(1500.0, 1_000)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        fleet.capacity(WEB),
        3,
        "the cycle due at start saw the sample"
    );
    // At +30 s the up cooldown (60 s) holds.
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(fleet.capacity(WEB), 3);
    let status = handle.get_status().await.unwrap();
    assert_eq!(status.total_recommendations, 1);
    assert_eq!(status.last_evaluation, Some(Timestamp::from_secs(1_030)));
    handle.shutdown().await.unwrap();
    let core = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("loop ended")
        .unwrap();
    assert_eq!(core.status().total_recommendations, 1);
    assert!(matches!(
        handle.get_status().await,
        Err(LighthouseError::EngineStopped)
    ));
}

#[tokio::test(start_paused = true)]
async fn a_new_interval_restarts_the_timer() {
    let (engine, _, _) = engine(300);
    let handle = engine.handle();
    tokio::spawn(engine.start());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let mut cfg = handle.get_config().await.unwrap();
    cfg.evaluation_interval_seconds = 20;
    assert_eq!(handle.update_config(cfg).await.unwrap(), 2);
    tokio::time::sleep(Duration::from_secs(21)).await;
    let status = handle.get_status().await.unwrap();
    assert_eq!(
        status.last_evaluation,
        Some(Timestamp::from_secs(1_030)),
        "evaluated at 10 s + 20 s, not at 300 s"
    );
    let history = handle.config_history().await.unwrap();
    assert_eq!(history.len(), 2);
    handle.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn invalid_updates_and_samples_are_refused_through_the_handle() {
    let (engine, _, recorder) = engine(30);
    let handle = engine.handle();
    tokio::spawn(engine.start());
    let mut cfg = handle.get_config().await.unwrap();
    cfg.evaluation_interval_seconds = 0;
    let err = handle.update_config(cfg).await.unwrap_err();
    assert!(
        err.to_string().contains("evaluation_interval_seconds"),
        "{err}"
    );
    let err = handle
        .update_metrics(sample(f64::NAN, 1_000))
        .await
        .unwrap_err();
    assert!(matches!(err, LighthouseError::InvalidMetrics { .. }));
    assert_eq!(
        recorder.count("error app_instance:web"),
        1,
        "observers hear refused samples"
    );
    handle.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn recommendations_and_overrides_go_through_the_handle() {
    let (engine, fleet, _) = engine(30);
    let handle = engine.handle();
    tokio::spawn(engine.start());
    assert!(matches!(
        handle.get_recommendation("app_instance:nope").await,
        Err(LighthouseError::ResourceNotFound { .. })
    ));
    handle
        .register_resource(WEB, "web", MetricsSource::Push)
        .await
        .unwrap();
    handle
        .set_override(
            WEB,
            Some(Override::Pause {
                until: Timestamp::from_secs(1_100),
            }),
        )
        .await
        .unwrap();
    handle.update_metrics(sample(1500.0, 1_000)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(95)).await;
    assert_eq!(fleet.capacity(WEB), 2, "paused");
    handle.update_metrics(sample(1500.0, 1_110)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(fleet.capacity(WEB), 3, "pause over");
    handle.update_metrics(sample(1500.0, 1_125)).await.unwrap();
    let rec = handle
        .get_recommendation(WEB)
        .await
        .unwrap()
        .expect("still wants more");
    assert_eq!(
        (rec.direction, rec.target_capacity),
        (ScaleDirection::Up, 5)
    );
    handle.shutdown().await.unwrap();
}

struct ContextSpy(Arc<std::sync::Mutex<Vec<String>>>);

#[async_trait]
impl ScalingObserver for ContextSpy {
    async fn on_scaling_executed(
        &self,
        _: &ScaleAction,
        _: bool,
        ctx: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.0
            .lock()
            .unwrap()
            .push(ctx.metadata.get("cluster").cloned().unwrap_or_default());
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn global_settings_reach_every_callback() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let fleet = Fleet::default();
    fleet.with(|f| {
        f.capacity.insert(WEB.into(), 2);
    });
    let mut config = threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![rule("requests_per_second", 1000.0, 200.0, 1.5, 60)],
        1,
        50,
    );
    config
        .global_settings
        .insert("cluster".into(), "eu-1".into());
    let callbacks = LighthouseCallbacks::new(Arc::new(fleet.clone()), Arc::new(fleet))
        .add_observer(Arc::new(ContextSpy(seen.clone())));
    let engine = LighthouseEngine::starting_at(config, callbacks, Timestamp(0)).unwrap();
    let handle = engine.handle();
    tokio::spawn(engine.start());
    handle.update_metrics(sample(1500.0, 0)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(31)).await;
    assert_eq!(seen.lock().unwrap().as_slice(), ["eu-1"]);
    handle.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn state_survives_a_restart_without_a_burst_of_actions() {
    let (engine, fleet, _) = engine(30);
    let handle = engine.handle();
    let task = tokio::spawn(engine.start());
    handle.update_metrics(sample(1500.0, 1_000)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(fleet.capacity(WEB), 3);
    let state = handle.export_state().await.unwrap();
    handle.shutdown().await.unwrap();
    task.await.unwrap();
    // Through JSON, as it would be written to disk.
    let text = serde_json::to_string(&state).unwrap();
    let state: EngineState = serde_json::from_str(&text).unwrap();
    let (core, dropped) = EngineCore::from_state(state).unwrap();
    assert!(dropped.is_empty());
    let callbacks = LighthouseCallbacks::new(Arc::new(fleet.clone()), Arc::new(fleet.clone()));
    let engine = LighthouseEngine::from_core(core, callbacks, Timestamp::from_secs(1_010));
    let handle = engine.handle();
    tokio::spawn(engine.start());
    handle.update_metrics(sample(1500.0, 1_010)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(25)).await;
    assert_eq!(
        fleet.capacity(WEB),
        3,
        "the up cooldown (60 s from 1,000 s) survived the restart"
    );
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(fleet.capacity(WEB), 5, "and ends on time");
    let status = handle.get_status().await.unwrap();
    assert_eq!(status.total_recommendations, 2);
    assert_eq!(status.capacity_by_layer["app_instance"], 5);
    handle.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn cycle_listeners_hear_every_cycle() {
    let (engine, _, _) = engine(30);
    let count = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = count.clone();
    let engine = engine.on_cycle(Arc::new(move |_, _| {
        seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }));
    let handle = engine.handle();
    tokio::spawn(engine.start());
    tokio::time::sleep(Duration::from_secs(95)).await;
    assert_eq!(
        count.load(std::sync::atomic::Ordering::Relaxed),
        4,
        "at 0, 30, 60 and 90 s"
    );
    handle.shutdown().await.unwrap();
}
