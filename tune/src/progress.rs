//! The sweep's progress bar: runs done, ETA and the best run so far.
//! Hidden unless stderr is a terminal (and outside CI).

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

use crate::select::{Constraints, Objective, Scored, compare};

/// Progress of a sweep; shared by the worker threads.
pub struct Progress {
    bar: ProgressBar,
    best: Mutex<Option<Scored>>,
    objective: Objective,
    constraints: Constraints,
}

impl Progress {
    /// A bar over `runs` runs; `show` false (or no terminal) hides it.
    pub fn new(
        runs: usize,
        show: bool,
        objective: Objective,
        constraints: Constraints,
    ) -> Progress {
        let visible = show && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bar = if visible {
            let bar = ProgressBar::new(runs as u64);
            bar.set_style(
                ProgressStyle::with_template(
                    "sweep [{bar:30}] {pos}/{len} runs, eta {eta} | {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message("best: none yet");
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            best: Mutex::new(None),
            objective,
            constraints,
        }
    }

    /// One run finished.
    pub fn done(&self, run: Scored) {
        if self.constraints.met_by(&run) {
            let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
            let better = best
                .as_ref()
                .is_none_or(|b| compare(self.objective, &run, b).is_lt());
            if better {
                *best = Some(run);
                self.bar.set_message(format!(
                    "best: run {} cost {:.2}, breach {:.1} min, {:.1} flaps/day",
                    run.run, run.cost, run.breach_minutes, run.flaps_per_day
                ));
            }
        }
        self.bar.inc(1);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
