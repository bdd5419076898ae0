//! Shared test helpers: a recording observer and engine configurations.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use lighthouse_engine::*;
use tokio::sync::Notify;

/// Everything observers heard, as short strings, with a notification on
/// each.
#[derive(Clone, Default)]
pub struct Events {
    lines: Arc<Mutex<Vec<String>>>,
    notify: Arc<Notify>,
}

impl Events {
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    fn push(&self, line: String) {
        self.lines.lock().unwrap().push(line);
        self.notify.notify_waiters();
    }

    /// Waits (at most 10 s) until a line starting with `prefix` was heard.
    pub async fn wait_for(&self, prefix: &str) {
        let wait = async {
            loop {
                let notified = self.notify.notified();
                if self.lines().iter().any(|l| l.starts_with(prefix)) {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .unwrap_or_else(|_| panic!("no {prefix:?} in {:?}", self.lines()));
    }
}

#[async_trait]
impl ScalingObserver for Events {
    async fn on_scaling_decision(
        &self,
        a: &ScaleAction,
        _: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.push(format!(
            "decision {} {} {}->{}",
            a.resource_id, a.direction, a.current_capacity, a.target_capacity
        ));
        Ok(())
    }
    async fn on_scaling_executed(
        &self,
        a: &ScaleAction,
        ok: bool,
        _: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.push(format!(
            "executed {} {} {} {ok}",
            a.resource_id, a.direction, a.target_capacity
        ));
        Ok(())
    }
    async fn on_scaling_skipped(
        &self,
        a: &ScaleAction,
        reason: &SkipReason,
        _: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.push(format!(
            "skipped {} {} {}",
            a.resource_id,
            a.direction,
            reason.kind()
        ));
        Ok(())
    }
    async fn on_scaling_error(
        &self,
        e: &ScalingErrorEvent,
        _: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.push(format!("error {} {}", e.resource_id, e.error));
        Ok(())
    }
}

/// Type `app_instance` scaling on `cpu_percent` (up above 80 by 1.5, down
/// below 20), cooldown 600 s, 1 to 20 instances; no retry jitter.
pub fn cpu_config() -> LighthouseConfig {
    let mut config = LighthouseConfig::builder()
        .evaluation_interval(30)
        .add_resource_config(
            "app_instance",
            ResourceConfig::new(
                "app_instance",
                ResourceLayer::AppInstance,
                ScalingPolicy::threshold(
                    "cpu",
                    vec![utils::threshold("cpu_percent", 80.0, 20.0, 1.5, 600)],
                    1,
                    20,
                ),
            ),
        )
        .build()
        .unwrap();
    config.retry.jitter = 0.0;
    config
}
