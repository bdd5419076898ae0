//! What a sweep runs: a simulator scenario, or a replay scenario (a
//! scenario with a `[replay]` table, or any scenario with `--trace`).
//! Parameters are set by path in the whole document, so a replay sweep may
//! also vary `replay.scale` and the like.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lighthouse_replay::modes::{ReplayOptions, ReplayScenario, replay};
use lighthouse_sim::record::figures::Figures;
use lighthouse_sim::scenario::Dur;
use lighthouse_sim::scenario::paths::{get_path, set_path};
use lighthouse_sim::{LoadedScenario, SimOptions, Simulation};
use toml::{Table, Value};

use crate::error::{TuneError, io};
use crate::plan::Point;
use crate::spec::{ParamSpec, render};

/// A scenario to sweep.
#[derive(Clone, Debug)]
pub struct Target {
    /// The file name used in messages.
    pub file: String,
    /// The file's text as read (copied next to the results).
    pub text: String,
    /// The whole document, `[replay]` included.
    pub document: Table,
    /// Where a relative `replay.trace` starts from.
    pub dir: PathBuf,
    /// A trace replacing `replay.trace` (relative to the working directory).
    pub trace: Option<PathBuf>,
}

/// One run's scenario, validated.
pub enum Prepared {
    /// A simulation.
    Sim(Box<LoadedScenario>),
    /// A trace replay.
    Replay(Box<ReplayScenario>),
}

impl Target {
    /// Reads a scenario file; `trace` makes it a replay of that trace.
    pub fn load(path: &Path, trace: Option<&Path>) -> Result<Target, TuneError> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Target::from_text(&text, &path.display().to_string(), &dir, trace)
    }

    /// A scenario from its text; `dir` is where a relative trace is looked for.
    pub fn from_text(
        text: &str,
        file: &str,
        dir: &Path,
        trace: Option<&Path>,
    ) -> Result<Target, TuneError> {
        let document: Table = toml::from_str(text)
            .map_err(|e| TuneError::Scenario(format!("{file}: {}", e.message().trim())))?;
        let target = Target {
            file: file.to_string(),
            text: text.to_string(),
            document,
            dir: dir.to_path_buf(),
            trace: trace.map(Path::to_path_buf),
        };
        // The scenario as written must be valid before anything is varied.
        target
            .validate(target.document.clone())
            .map_err(TuneError::Scenario)?;
        Ok(target)
    }

    /// Whether runs are trace replays.
    pub fn is_replay(&self) -> bool {
        self.trace.is_some() || self.document.contains_key("replay")
    }

    /// `simulation.name`.
    pub fn name(&self) -> String {
        get_path(&self.document, "simulation.name")
            .and_then(Value::as_str)
            .unwrap_or("sweep")
            .to_string()
    }

    /// `simulation.seed` (the simulator's default, 1, without one).
    pub fn seed(&self) -> u64 {
        get_path(&self.document, "simulation.seed")
            .and_then(Value::as_integer)
            .map_or(1, |s| s as u64)
    }

    /// Refuses, before any run, a parameter whose path is not in the
    /// scenario: every step but the last must exist, and the last must
    /// either exist or be a key the schema accepts there.
    pub fn check_params(&self, params: &[ParamSpec], probe: &[Value]) -> Result<(), TuneError> {
        let mut seen = BTreeSet::new();
        for (p, value) in params.iter().zip(probe) {
            if !seen.insert(p.path.as_str()) {
                return Err(TuneError::Path {
                    param: p.text.clone(),
                    message: format!("{} is swept twice", p.path),
                });
            }
            let mut doc = self.document.clone();
            let missing = get_path(&doc, &p.path).is_none();
            set_path(&mut doc, &p.path, value.clone()).map_err(|m| TuneError::Path {
                param: p.text.clone(),
                message: format!("not in {}: {m}", self.file),
            })?;
            if missing {
                self.validate(doc).map_err(|m| TuneError::Path {
                    param: p.text.clone(),
                    message: format!(
                        "{} is not in {} and setting it to {} is refused: {m}",
                        p.path,
                        self.file,
                        render(value)
                    ),
                })?;
            }
        }
        Ok(())
    }

    /// The document with a run's values set.
    pub fn document_with(&self, params: &[ParamSpec], values: &[Value]) -> Result<Table, String> {
        let mut doc = self.document.clone();
        for (p, v) in params.iter().zip(values) {
            set_path(&mut doc, &p.path, v.clone())?;
        }
        Ok(doc)
    }

    /// A run's scenario, validated.
    pub fn prepare(&self, params: &[ParamSpec], point: &Point) -> Result<Prepared, TuneError> {
        let settings = || settings(params, &point.values);
        let doc = self
            .document_with(params, &point.values)
            .map_err(|message| TuneError::Settings {
                index: point.index,
                settings: settings(),
                message,
            })?;
        self.validate(doc).map_err(|message| TuneError::Settings {
            index: point.index,
            settings: settings(),
            message,
        })
    }

    /// Validates a document as this target's kind of scenario.
    fn validate(&self, doc: Table) -> Result<Prepared, String> {
        if self.is_replay() {
            let text = toml::to_string(&doc).map_err(|e| e.to_string())?;
            let sc =
                ReplayScenario::parse(&text, &self.file, &self.dir).map_err(|e| e.to_string())?;
            let fed: BTreeSet<String> = sc.spec.apps.iter().map(|a| a.app.clone()).collect();
            // The run's length is only known once the trace is read; a day
            // stands in for the check.
            sc.scenario(&fed, 86_400_000).map_err(|e| e.to_string())?;
            Ok(Prepared::Replay(Box::new(sc)))
        } else {
            lighthouse_sim::scenario::from_document(doc, &self.file)
                .map(|l| Prepared::Sim(Box::new(l)))
                .map_err(|e| e.to_string())
        }
    }

    /// Runs a prepared scenario with `seed`, optionally for `duration`;
    /// gives the run's figures and the simulator's wall time, seconds.
    pub fn run(
        &self,
        prepared: &Prepared,
        seed: u64,
        duration: Option<Dur>,
    ) -> Result<(Figures, f64), String> {
        match prepared {
            Prepared::Sim(loaded) => {
                let options = SimOptions {
                    seed: Some(seed),
                    duration,
                    ..SimOptions::default()
                };
                let outcome = Simulation::new(loaded, &options)
                    .map_err(|e| e.to_string())?
                    .run(&mut |_| {})
                    .map_err(|e| e.to_string())?;
                Ok((outcome.record.stream.figures, outcome.stats.wall_seconds))
            }
            Prepared::Replay(sc) => {
                let options = ReplayOptions {
                    trace: self.trace.clone(),
                    seed: Some(seed),
                    duration,
                    ..ReplayOptions::default()
                };
                let outcome = replay(sc, &options, &mut |_| {}).map_err(|e| e.to_string())?;
                Ok((outcome.record.stream.figures, outcome.stats.wall_seconds))
            }
        }
    }
}

/// `path=value` pairs of a run, for messages.
pub fn settings(params: &[ParamSpec], values: &[Value]) -> String {
    params
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{}={}", p.path, render(v)))
        .collect::<Vec<_>>()
        .join(", ")
}
