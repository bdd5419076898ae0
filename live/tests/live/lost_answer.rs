//! A scale call that succeeded but whose answer was lost: the real engine,
//! driving the OmniCloud executor against a fake that applies the change
//! and then never answers, must not scale twice.

use std::sync::Arc;

use lighthouse_engine::adapters::{
    OmniCloudClient, OmniCloudExecutor, OmniCloudMetricsProvider, ResourceTypes,
};
use lighthouse_engine::driver::{CycleScratch, run_cycle};
use lighthouse_engine::*;

use crate::fakes::{FakeOmni, Mode};
use crate::support::{Events, cpu_config};

async fn callbacks(fake: &FakeOmni, events: &Events) -> LighthouseCallbacks {
    let url = fake.start().await;
    let client = OmniCloudClient::new(FakeOmni::config(&url, false)).unwrap();
    LighthouseCallbacks::new(
        Arc::new(OmniCloudMetricsProvider::new(
            client.clone(),
            ResourceTypes::new(),
        )),
        Arc::new(OmniCloudExecutor::new(client)),
    )
    .add_observer(Arc::new(events.clone()))
}

fn context(at: Timestamp) -> CallbackContext {
    CallbackContext {
        timestamp: at,
        ..CallbackContext::default()
    }
}

fn count(lines: &[String], prefix: &str) -> usize {
    lines.iter().filter(|l| l.starts_with(prefix)).count()
}

/// Runs the cycle at start, then the retry cycle; returns the core.
async fn first_cycle_and_retry(fake: &FakeOmni, events: &Events) -> EngineCore {
    let callbacks = callbacks(fake, events).await;
    let start = Timestamp::from_secs(1_000);
    let mut core = EngineCore::new(cpu_config(), start).unwrap();
    core.register_resource("app_instance:web", "app_instance", MetricsSource::Pull)
        .unwrap();
    let mut scratch = CycleScratch::default();
    let first = run_cycle(&mut core, &callbacks, &context(start), &mut scratch).await;
    assert_eq!(
        (first.decisions, first.executed, first.errors),
        (1, 0, 1),
        "{:?}",
        events.lines()
    );
    let retry_at = core.next_wakeup();
    assert!(retry_at < core.next_evaluation(), "a retry is planned");
    let retry = run_cycle(&mut core, &callbacks, &context(retry_at), &mut scratch).await;
    assert_eq!(retry.kind, Some(CycleKind::RetriesOnly));
    // A later full evaluation, with CPU still high: the cooldown holds.
    let next = core.next_evaluation();
    run_cycle(&mut core, &callbacks, &context(next), &mut scratch).await;
    core
}

#[tokio::test]
async fn an_applied_scale_whose_answer_was_lost_is_not_repeated() {
    let fake = FakeOmni::with_app(4, 95.0);
    fake.with(|s| s.scale_mode = Mode::ApplyThenHang);
    let events = Events::default();
    first_cycle_and_retry(&fake, &events).await;
    let lines = events.lines();
    assert_eq!(
        fake.scale_calls(),
        [("42".to_string(), 6, 256)],
        "{lines:?}"
    );
    assert_eq!(fake.running("42"), 6);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("error app_instance:web") && l.contains("timed out")),
        "{lines:?}"
    );
    // The retry read the capacity back and recorded the action as executed.
    assert_eq!(
        count(&lines, "executed app_instance:web up 6 true"),
        1,
        "{lines:?}"
    );
    assert_eq!(count(&lines, "decision"), 1, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l == "skipped app_instance:web up cooldown"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_scale_that_really_failed_is_retried() {
    // The control: not applied (500), so the retry and the next
    // evaluation send it again, always with the same absolute target.
    let fake = FakeOmni::with_app(4, 95.0);
    fake.with(|s| s.scale_mode = Mode::Fail(500));
    let events = Events::default();
    first_cycle_and_retry(&fake, &events).await;
    let calls = fake.scale_calls();
    assert_eq!(calls.len(), 3, "{:?}", events.lines());
    assert!(calls.iter().all(|c| c.1 == 6), "{calls:?}");
    assert_eq!(count(&events.lines(), "decision"), 3);
    assert_eq!(count(&events.lines(), "executed"), 0);
}

#[tokio::test]
async fn the_running_engine_does_not_double_scale_after_a_lost_answer() {
    let fake = FakeOmni::with_app(4, 95.0);
    fake.with(|s| s.scale_mode = Mode::ApplyThenHang);
    let events = Events::default();
    let callbacks = callbacks(&fake, &events).await;
    let mut config = cpu_config();
    config.retry.base_delay_seconds = 0.05;
    let mut core = EngineCore::new(config, Timestamp::from_secs(1_000)).unwrap();
    core.register_resource("app_instance:web", "app_instance", MetricsSource::Pull)
        .unwrap();
    let engine = LighthouseEngine::from_core(core, callbacks, Timestamp::from_secs(1_000));
    let handle = engine.handle();
    let running = tokio::spawn(engine.start());
    events.wait_for("executed app_instance:web").await;
    handle.shutdown().await.unwrap();
    let core = running.await.unwrap();
    let lines = events.lines();
    assert_eq!(fake.scale_calls().len(), 1, "{lines:?}");
    assert_eq!(fake.running("42"), 6);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("decision")).count(),
        1,
        "{lines:?}"
    );
    let web = core.resource_key("app_instance:web").unwrap();
    assert_eq!(core.capacity(web), Some(6));
}
